//! Thin entry point: parse the arguments, run the command, map errors to exit codes.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use lockscope::cli::{AnalyzeArgs, Cli, Command, ExplainArgs, RedactArgs};
use lockscope::error::Error;
use lockscope::{analyze, diagnose, model, parse, report, sink};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => run_analyze(&args),
        Command::Watch(args) => {
            lockscope::config::watch(&args).and_then(|c| lockscope::live::run_watch(&c))
        }
        Command::Lab(args) => run_lab(&args),
        Command::Explain(args) => run_explain(&args),
        Command::Patterns(args) => print(run_patterns(args.id.as_deref())),
        Command::Redact(args) => run_redact(&args),
        Command::Completions(args) => {
            let mut out = io::stdout();
            clap_complete::generate(args.shell, &mut Cli::command(), "lockscope", &mut out);
            Ok(0)
        }
        Command::Man => {
            let mut buf = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
                Ok(()) => print(Ok(String::from_utf8_lossy(&buf).into_owned())),
                Err(source) => Err(Error::Output { source }),
            }
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Error::Output { source }) if source.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
        }
    }
}

fn print(text: Result<String, Error>) -> Result<u8, Error> {
    let mut text = text?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .map_err(|source| Error::Output { source })?;
    Ok(0)
}

/// `lockscope redact`: every input through one redactor (one set of tokens), to stdout.
fn run_redact(args: &RedactArgs) -> Result<u8, Error> {
    use lockscope::redact::{redact_to, RedactOptions, Redactor};
    let mut redactor = Redactor::new(RedactOptions {
        names: args.redact_names,
    });
    let stdin = [std::path::PathBuf::from("-")];
    let inputs = if args.inputs.is_empty() {
        &stdin[..]
    } else {
        &args.inputs[..]
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    for path in inputs {
        let name = path.display().to_string();
        let done = if name == "-" {
            redact_to(io::stdin().lock(), &mut out, &mut redactor)
        } else {
            let file = std::fs::File::open(path).map_err(|source| Error::UnreadableInput {
                path: path.clone(),
                source,
            })?;
            redact_to(file, &mut out, &mut redactor)
        }
        .map_err(|source| Error::Output { source })?;
        if done.pieces == 0 {
            eprintln!("warning: {name}: no deadlock report, TRANSACTIONS section or lock table found; nothing written");
        }
        if done.oversized > 0 {
            eprintln!(
                "warning: {name}: {} report(s) too large to be one were left out",
                done.oversized
            );
        }
    }
    out.flush().map_err(|source| Error::Output { source })?;
    Ok(0)
}

fn run_analyze(args: &AnalyzeArgs) -> Result<u8, Error> {
    if args.summary && matches!(args.format, report::Format::Dot | report::Format::Mermaid) {
        no_summary_in(args.format);
    }
    let fail_on = lockscope::fail_on::FailOn::parse(&args.fail_on)?;
    // Only the text report of each deadlock never shows a shape.
    let skip_shapes =
        matches!(args.format, report::Format::Text) && !args.summary && !fail_on.new_shape;
    let baseline = match &args.baseline {
        Some(path) => Some(lockscope::fail_on::Baseline::load(path)?),
        None if fail_on.new_shape => usage_error(
            "`--fail-on new-shape` needs `--baseline FILE` (the JSON of an earlier \
             `analyze --summary --format json`)"
                .to_string(),
        ),
        None => None,
    };
    // Live mode: one snapshot per server, then the same pipeline as for files.
    let live = if args.live || args.connect.names_a_server() {
        let config = lockscope::config::live(&args.connect)?;
        Some(lockscope::live::fetch_inputs(&config, !args.quiet)?)
    } else {
        None
    };
    let width = args.width.unwrap_or_else(terminal_width);
    let options = report::TextOptions {
        width,
        full: args.full,
        colour: args.format == report::Format::Text && args.color.for_stdout(),
        all_locks: args.all_locks,
    };
    let progress = progress_bar(args, live.is_some());
    let (out, err) = outputs(args.quiet, progress.as_ref());
    let inner = if args.summary {
        report::summary_sink_for(args.format, out, err, options, &args.by)
            .unwrap_or_else(|| no_summary_in(args.format))
    } else {
        report::sink_for(args.format, out, err, options)
    };
    let range = report::TimeRange {
        since: args.since,
        until: args.until,
    };
    let watch = lockscope::fail_on::Watch::new(inner, fail_on).baseline(baseline);
    let mut sink = report::Select::new(watch, range);

    let names: Vec<String> = if let Some(live) = &live {
        live.iter().map(|input| input.name.clone()).collect()
    } else if args.inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        args.inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    };
    let mut summary = sink::Summary {
        inputs: names.clone(),
        ..Default::default()
    };
    let live_schemas: Vec<(Option<String>, String)> = live
        .iter()
        .flatten()
        .flat_map(|input| input.schemas.iter().cloned())
        .collect();
    let analyze_options = analyze::Options {
        schema: load_schema(&args.schema, &live_schemas, &mut sink, &mut summary)?,
        redact: (args.redact || args.redact_names).then_some(lockscope::redact::RedactOptions {
            names: args.redact_names,
        }),
        skip_shapes,
    };
    let mut recognised = false;
    // Lock tables and TRANSACTIONS sections of all inputs describe one moment: joined at the end.
    let mut lock_picture = lockscope::model::LockPicture::default();
    for input in live.iter().flatten() {
        let stats = analyze::analyze_reader_with(
            &input.name,
            input.text.as_bytes(),
            &mut sink,
            &analyze_options,
        )
        .map_err(|source| Error::Output { source })?;
        summary.deadlocks += stats.deadlocks;
        summary.warnings += stats.warnings;
        summary.bytes += stats.bytes;
        recognised |= stats.recognised;
        lock_picture.merge(stats.lock_picture);
    }
    for (path, name) in args
        .inputs
        .iter()
        .map(Some)
        .chain((args.inputs.is_empty() && live.is_none()).then_some(None))
        .zip(&names)
    {
        let stats = match path.filter(|p| p.as_os_str() != "-") {
            None => analyze::analyze_reader_with(name, io::stdin(), &mut sink, &analyze_options),
            Some(path) => {
                let file = std::fs::File::open(path).map_err(|source| Error::UnreadableInput {
                    path: path.clone(),
                    source,
                })?;
                let reader: Box<dyn io::Read + Send> = match &progress {
                    Some(bar) => {
                        bar.0.set_message(report::progress::label(name));
                        Box::new(report::progress::Counted::new(file, bar.0.clone()))
                    }
                    None => Box::new(file),
                };
                // Read as it is: the line reader asks for large blocks itself, and a buffer
                // in between would only copy every byte once more.
                analyze::analyze_reader_with(name, reader, &mut sink, &analyze_options)
            }
        }
        .map_err(|source| match path {
            Some(path) if source.kind() != io::ErrorKind::BrokenPipe => Error::UnreadableInput {
                path: path.clone(),
                source,
            },
            _ => Error::Output { source },
        })?;
        summary.deadlocks += stats.deadlocks;
        summary.warnings += stats.warnings;
        summary.bytes += stats.bytes;
        recognised |= stats.recognised;
        lock_picture.merge(stats.lock_picture);
    }
    drop(progress);
    use lockscope::sink::Sink;
    let (lock_waits, warned) = analyze::report_lock_waits_counted(&lock_picture, &mut sink)
        .map_err(|source| Error::Output { source })?;
    summary.lock_waits = lock_waits;
    summary.warnings += warned;
    sink.finish(&summary)
        .map_err(|source| Error::Output { source })?;
    if !recognised {
        return Err(Error::NothingReadable { inputs: names });
    }
    let new_shapes = sink.inner().new_shapes();
    if !new_shapes.is_empty() {
        eprintln!(
            "{} deadlock shape(s) not in the baseline `{}`:",
            new_shapes.len(),
            args.baseline
                .as_deref()
                .unwrap_or(std::path::Path::new(""))
                .display()
        );
        for n in new_shapes {
            eprintln!(
                "  shape {} ({}) ×{}, first at {}:{}",
                n.shape, n.pattern, n.count, n.input, n.line
            );
        }
    }
    Ok(if sink.inner().matched() { 1 } else { 0 })
}

/// `--summary` with a graph format: a usage error (exit 2), before anything is read.
fn no_summary_in(format: report::Format) -> ! {
    usage_error(format!(
        "`--summary` is written as text, json or markdown, not `{format}`"
    ))
}

/// An `analyze` usage error in clap's words (exit 2), before anything is read.
fn usage_error(message: String) -> ! {
    let mut cli = Cli::command();
    cli.build();
    cli.find_subcommand_mut("analyze")
        .cloned()
        .unwrap_or(cli)
        .error(clap::error::ErrorKind::ArgumentConflict, message)
        .exit()
}

/// Reads the `--schema` files; a statement that cannot be read is a warning in the report.
fn load_schema(
    paths: &[std::path::PathBuf],
    fetched: &[(Option<String>, String)],
    sink: &mut dyn lockscope::sink::Sink,
    summary: &mut sink::Summary,
) -> Result<Option<std::sync::Arc<lockscope::schema::Schema>>, Error> {
    if paths.is_empty() && fetched.is_empty() {
        return Ok(None);
    }
    let mut schema = lockscope::schema::Schema::default();
    // `SHOW CREATE TABLE` from the server itself (live mode); a `--schema` file may add more.
    for (database, sql) in fetched {
        let _ = schema.add_sql(sql, database.as_deref());
    }
    for path in paths {
        let text = std::fs::read(path).map_err(|source| Error::UnreadableInput {
            path: path.clone(),
            source,
        })?;
        for w in schema.add_sql(&String::from_utf8_lossy(&text), None) {
            let warning = model::Warning {
                input: path.display().to_string(),
                line: w.line,
                message: w.message,
                text: None,
            };
            summary.warnings += 1;
            sink.warning(&warning)
                .map_err(|source| Error::Output { source })?;
        }
    }
    Ok(Some(std::sync::Arc::new(schema)))
}

/// `lab` is async (concurrent workers, mysql_async): it gets its own runtime.
fn run_lab(args: &lockscope::cli::LabArgs) -> Result<u8, Error> {
    if args.scenario == "list" {
        return lockscope::lab::list(args.format);
    }
    let runtime = || {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|source| Error::LabRuntime { source })
    };
    if args.scenario == "locks" {
        let config = lockscope::config::lab_locks(args)?;
        return runtime()?.block_on(lockscope::lab::locks::run(&config, args.format));
    }
    let config = lockscope::config::lab(args)?;
    runtime()?.block_on(lockscope::lab::run(&config, args.format))
}

fn run_explain(args: &ExplainArgs) -> Result<u8, Error> {
    let text = args.line.join(" ");
    let clause = match parse::parse_lock_header(&text) {
        Some(header) => header.clause,
        None => parse::parse_mode_clause(&text)
            .ok_or_else(|| Error::UnreadableLockLine { text: text.clone() })?,
    };
    let width = usize::from(terminal_width());
    let mut out = report::wrap(&format!("lock: {text}"), width, "", "  ").join("\n");
    for paragraph in report::describe_mode_clause(&clause, false).split(". ") {
        out.push('\n');
        out.push_str(&report::wrap(paragraph, width, "- ", "  ").join("\n"));
    }
    print(Ok(out))
}

fn run_patterns(id: Option<&str>) -> Result<String, Error> {
    let width = usize::from(terminal_width());
    match id {
        None => Ok(diagnose::render_pattern_list(width)),
        Some(id) => diagnose::render_pattern_doc(id, width)
            .ok_or_else(|| Error::UnknownPattern { id: id.to_string() }),
    }
}

/// `$COLUMNS` when set (shells export it to children only sometimes), else the width of the
/// terminal stdout is (not when piped: the output must not depend on where it is run), else 80.
fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
        .or_else(|| terminal_size::terminal_size_of(io::stdout()).map(|(w, _)| w.0))
        .filter(|&w| w >= 40)
        .unwrap_or(80)
}

/// The progress bar for a large file analysed on a terminal (never for stdin or a server).
fn progress_bar(args: &AnalyzeArgs, live: bool) -> Option<report::progress::Guard> {
    if live {
        return None;
    }
    let total: u64 = args
        .inputs
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .filter_map(|p| std::fs::metadata(p).ok())
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len())
        .sum();
    report::progress::wanted_here(args.quiet, total)
        .then(|| report::progress::Guard(report::progress::bar(total)))
}

/// Stdout for the report and stderr for warnings; while a bar is drawn, writes to the terminal
/// hide it first.
fn outputs(
    quiet: bool,
    progress: Option<&report::progress::Guard>,
) -> (Box<dyn Write + Send>, Box<dyn Write + Send>) {
    use report::progress::Suspend;
    use std::io::IsTerminal;
    let out: Box<dyn Write + Send> = match progress {
        Some(bar) if io::stdout().is_terminal() => {
            Box::new(Suspend::new(io::stdout(), bar.0.clone()))
        }
        _ => Box::new(io::stdout()),
    };
    let err: Box<dyn Write + Send> = match (quiet, progress) {
        (true, _) => Box::new(io::sink()),
        (false, Some(bar)) => Box::new(Suspend::new(io::stderr(), bar.0.clone())),
        (false, None) => Box::new(io::stderr()),
    };
    (out, err)
}

/// jemalloc: the pipeline allocates many small strings on worker threads and frees them in
/// bulk; glibc's malloc spent a sixth of `analyze`'s time on that (scripts/bench.sh: 145 →
/// 172 MiB/s on its own, peak RSS 17 → 22 MiB).
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
