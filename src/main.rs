//! Thin entry point: parse the arguments, run the command, map errors to exit codes.

use std::io::{self, BufReader, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use lockscope::cli::{AnalyzeArgs, Cli, Command, ExplainArgs};
use lockscope::error::Error;
use lockscope::{analyze, diagnose, model, parse, report, sink};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => run_analyze(&args),
        Command::Watch(args) => lockscope::live::run_watch(&args),
        Command::Lab(args) => run_lab(&args),
        Command::Explain(args) => run_explain(&args),
        Command::Patterns(args) => print(run_patterns(args.id.as_deref())),
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

fn run_analyze(args: &AnalyzeArgs) -> Result<u8, Error> {
    let fail_on = lockscope::fail_on::FailOn::parse(&args.fail_on)?;
    // Live mode: one snapshot per server, then the same pipeline as for files.
    let live = if args.live || args.connect.names_a_server() {
        Some(lockscope::live::fetch_inputs(&args.connect, !args.quiet)?)
    } else {
        None
    };
    let width = args.width.unwrap_or_else(terminal_width);
    let options = report::TextOptions {
        width,
        full: args.full,
    };
    let err: Box<dyn Write + Send> = if args.quiet {
        Box::new(io::sink())
    } else {
        Box::new(io::stderr())
    };
    let inner = report::sink_for(args.format, Box::new(io::stdout()), err, options);
    let mut sink = lockscope::fail_on::Watch::new(inner, fail_on);

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
    let analyze_options = analyze::Options {
        schema: load_schema(&args.schema, &mut sink, &mut summary)?,
    };
    let mut recognised = false;
    // Lock tables and TRANSACTIONS sections of all inputs describe one moment: joined at the end.
    let mut lock_picture = lockscope::parse::lock_tables::LockPicture::default();
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
            None => analyze::analyze_reader_with(
                name,
                BufReader::with_capacity(1 << 20, io::stdin()),
                &mut sink,
                &analyze_options,
            ),
            Some(path) => {
                let file = std::fs::File::open(path).map_err(|source| Error::UnreadableInput {
                    path: path.clone(),
                    source,
                })?;
                analyze::analyze_reader_with(
                    name,
                    BufReader::with_capacity(1 << 20, file),
                    &mut sink,
                    &analyze_options,
                )
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
    use lockscope::sink::Sink;
    summary.lock_waits = analyze::report_lock_waits(&lock_picture, &mut sink)
        .map_err(|source| Error::Output { source })?;
    sink.finish(&summary)
        .map_err(|source| Error::Output { source })?;
    if !recognised {
        return Err(Error::NothingReadable { inputs: names });
    }
    Ok(if sink.matched() { 1 } else { 0 })
}

/// Reads the `--schema` files; a statement that cannot be read is a warning in the report.
fn load_schema(
    paths: &[std::path::PathBuf],
    sink: &mut dyn lockscope::sink::Sink,
    summary: &mut sink::Summary,
) -> Result<Option<std::sync::Arc<lockscope::schema::Schema>>, Error> {
    if paths.is_empty() {
        return Ok(None);
    }
    let mut schema = lockscope::schema::Schema::default();
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
fn run_lab(args: &lockscope::lab::LabArgs) -> Result<u8, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::LabRuntime { source })?
        .block_on(lockscope::lab::run(args))
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
    for paragraph in model::describe_mode_clause(&clause, false).split(". ") {
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

/// `$COLUMNS` when set (shells export it to children only sometimes), else 80.
fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|&w| w >= 40)
        .unwrap_or(80)
}
