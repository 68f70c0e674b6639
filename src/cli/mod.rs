//! The command line, defined once: clap derive. Doc comments are the help text (first line
//! short help, ≤ 79 columns; the rest long help); the man page and shell completions are
//! generated from `Cli::command()`. No IO happens here, so `--help` and usage errors always work.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::live::{parse_duration, SslMode};

mod lab;
use crate::report::{ColorChoice, Format, Stamp, SummaryView};
pub use lab::LabArgs;

/// Diagnose MySQL/MariaDB InnoDB deadlocks: why transactions collided, what to change
///
/// lockscope reads `SHOW ENGINE INNODB STATUS` output (any client shape) and error logs written
/// with `innodb_print_all_deadlocks=ON`, decodes every lock into plain words, builds the
/// wait-for cycle and names the deadlock pattern with the fixed write path.
///
/// Examples:
///   lockscope analyze status.txt
///   mysql -e 'SHOW ENGINE INNODB STATUS\G' | lockscope analyze
///   lockscope analyze --format json --fail-on any /var/log/mysql/error.log
///   lockscope analyze --summary --since 2026-11-20 /var/log/mysql/error.log
///   lockscope analyze --format dot status.txt | dot -Tsvg > deadlock.svg
///   lockscope analyze --dsn mysql://root@db1:3306
///   lockscope watch --dsn mysql://root@db1:3306 --interval 10s
///   lockscope explain 'lock_mode X locks gap before rec insert intention waiting'
///   lockscope patterns odku-supremum
#[derive(Debug, Parser)]
#[command(
    verbatim_doc_comment,
    name = "lockscope",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Analyze(AnalyzeArgs),
    Watch(WatchArgs),
    Lab(LabArgs),
    Explain(ExplainArgs),
    Patterns(PatternsArgs),
    Redact(RedactArgs),
    Completions(CompletionsArgs),
    /// Print the man page (roff) generated from this help
    ///
    /// The same page is checked in as `completions/lockscope.1`.
    ///
    /// Examples:
    ///   lockscope man | man -l -
    ///   lockscope man > /usr/local/share/man/man1/lockscope.1
    #[command(verbatim_doc_comment)]
    Man,
}

/// Read deadlock reports from files or stdin and explain each one
///
/// Inputs are detected automatically: `SHOW ENGINE INNODB STATUS` as printed by `mysql` with
/// `\G`, as a boxed table, with `-B` (escaped `\n` or `--raw`), a pasted `LATEST DETECTED
/// DEADLOCK` section, or an error log with `innodb_print_all_deadlocks=ON` from MySQL 5.5-9.x
/// or MariaDB 10.x/11.x (every deadlock in the file). Input is streamed: files of any size.
///
/// Unreadable lines are reported as warnings on stderr naming the line; the rest is analysed.
///
/// With `--dsn` (or `--live`, or any connection option) it asks the server itself: it runs
/// `SHOW ENGINE INNODB STATUS` and reads the lock tables and process list (SHOW and SELECT
/// only; the user needs the `PROCESS` privilege) and reports the latest deadlock the same way.
///
/// Formats: `text` (coloured on a terminal, see `--color`), `json`, `jsonl`, `dot` and
/// `mermaid` (the wait-for graph of each deadlock and the blocking tree of lock waits; the
/// victim in red), `markdown` (a report to paste into a ticket, with mermaid graphs).
/// `--summary` replaces the per-deadlock reports by counts per pattern, per table and index
/// and per hour: what hurts most in a week of error log.
///
/// Exit codes: 0 analysed; 1 a deadlock matched `--fail-on`; 2 bad usage or no readable
/// input; 3 server unreachable, login refused or a missing privilege.
///
/// Examples:
///   lockscope analyze status.txt
///   lockscope analyze mysqld.err --format jsonl > deadlocks.jsonl
///   mysql -e 'SHOW ENGINE INNODB STATUS\G' | lockscope analyze
///   lockscope analyze --fail-on unclassified,odku-supremum ci-error.log
///   lockscope analyze --format dot status.txt | dot -Tsvg > deadlock.svg
///   lockscope analyze --format markdown status.txt > ticket.md
///   lockscope analyze --summary --since '2026-11-20 08:00' --until 2026-11-21 mysqld.err
///   lockscope analyze --summary --format json mysqld.err
///   lockscope analyze --dsn mysql://root@127.0.0.1:3306
///   LOCKSCOPE_DSN=mysql://app:secret@db1/shop lockscope analyze --live --format json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct AnalyzeArgs {
    /// Files to read; `-` or nothing reads stdin
    #[arg(value_name = "FILE", conflicts_with_all = ["live", "dsn", "host", "port", "socket"])]
    pub inputs: Vec<PathBuf>,

    /// Ask the server from `LOCKSCOPE_DSN` or `~/.my.cnf` instead of reading files
    #[arg(long)]
    pub live: bool,

    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Width of the text report (default: $COLUMNS, the terminal's, else 80)
    #[arg(long, value_name = "COLUMNS")]
    pub width: Option<u16>,

    /// Print statements whole instead of shortening them
    #[arg(long)]
    pub full: bool,

    /// JSON / JSONL: every lock-table row too, not only the groups
    ///
    /// By default the lock tables' rows are counted into groups per transaction, table, index
    /// and mode (`locks[]`), so a million-row `data_locks` paste gives a small document. With
    /// this flag each row is also written as read: `lock_rows[]` in `json`, a `"type":
    /// "lock_row"` line in `jsonl` (as large as the paste).
    #[arg(long)]
    pub all_locks: bool,

    /// When to colour the text report (`auto`: on a terminal without `NO_COLOR`)
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Only deadlocks at or after this time (RFC 3339 or `YYYY-MM-DD[ HH:MM[:SS]]`)
    ///
    /// Compared with each deadlock's own timestamp, whatever shape the server printed it in
    /// (`2026-11-21 05:24:04`, `2026-11-21T05:24:04.123Z`, `120906  6:03:32`). Times without
    /// a UTC offset are compared as written (the server's wall clock). A deadlock without a
    /// timestamp is kept, with a warning.
    #[arg(long, value_name = "TIME", value_parser = Stamp::parse_bound)]
    pub since: Option<Stamp>,

    /// Only deadlocks before this time (`--until 2026-11-21` ends at that midnight)
    #[arg(long, value_name = "TIME", value_parser = Stamp::parse_bound)]
    pub until: Option<Stamp>,

    /// Print the recurring collisions and counts instead of each deadlock
    ///
    /// The view for a long error log: which collision keeps happening (its shape: the pattern,
    /// the statements with their values taken out, the locks), since when, which statement
    /// loses; then counts per pattern. `--by` picks other views. Text, one JSON object with
    /// `--format json` or `jsonl` (all views), tables with `--format markdown`.
    #[arg(long)]
    pub summary: bool,

    /// With --summary: the views to print, comma-separated [default: shape,pattern]
    ///
    /// `shape` details every shape (the default details the first three and lists five more),
    /// `pattern` counts per pattern, `table` per table and index waited on, `hour` per hour
    /// with a bar.
    #[arg(
        long,
        value_enum,
        value_name = "VIEW",
        value_delimiter = ',',
        requires = "summary"
    )]
    pub by: Vec<SummaryView>,

    /// Exit 1 on `any` deadlock, `unclassified`, `new-shape` or a pattern id
    ///
    /// Comma-separated. For CI: `--fail-on any` fails on every deadlock; `--fail-on odku-supremum,unclassified`
    /// only on those findings; `--fail-on new-shape --baseline FILE` only on a collision the
    /// baseline does not list (the new shapes are named on stderr). See `lockscope patterns`
    /// for the ids.
    #[arg(long, value_name = "WHAT", value_delimiter = ',')]
    pub fail_on: Vec<String>,

    /// The known shapes for `--fail-on new-shape`: `--summary --format json` output
    ///
    /// Record the deadlocks the team has accepted once (`lockscope analyze --summary --format
    /// json mysqld.err > deadlock-baseline.json`, or the output of `--format json` / `jsonl`);
    /// CI then fails only when a deadlock of another shape appears.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Replace values, hosts and users by consistent tokens: a report safe to share
    ///
    /// Statement literals, record fields and `LOCK_DATA` values become tokens (one value, one
    /// token, so "both wait for the same row" stays visible); host names, addresses and user
    /// names are masked; schema, table and index names stay unless `--redact-names`. Every
    /// format. `lockscope redact FILE` writes the input itself back redacted.
    #[arg(long)]
    pub redact: bool,

    /// Redact schema, table and index names too (implies --redact)
    #[arg(long)]
    pub redact_names: bool,

    /// Do not print warnings about unreadable lines (they still appear in JSON)
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Name and decode record fields with these `CREATE TABLE` statements
    ///
    /// A `mysqldump --no-data` file or saved `SHOW CREATE TABLE` output (`;` or `\G`);
    /// repeatable. Each record of a lock is then shown by column: `id=101, DB_TRX_ID=23, …,
    /// name='alice'`. Without it, values are guessed from their bytes.
    #[arg(long, value_name = "FILE")]
    pub schema: Vec<PathBuf>,
}

/// Poll servers (or follow error logs) and print each new deadlock once
///
/// Every `--interval` each server is asked for `SHOW ENGINE INNODB STATUS` (and its lock
/// tables); a deadlock not seen before is reported, tagged with its server (the first poll
/// reports the latest deadlock the server remembers). A deadlock is known by its server,
/// timestamp and transaction ids, across polls and, with `--state-file`, across restarts. Several `--dsn` are watched at once. A lost connection is retried with
/// backoff and reported on stderr; a server unreachable at start exits 3. Ctrl-C stops.
///
/// The status shows only the latest deadlock: two between polls lose the first. The error
/// log of a server with `innodb_print_all_deadlocks=ON` is the lossless source: `--error-log`
/// follows it like `tail -F` (surviving rotation and truncation) and reports every deadlock
/// written to it from now on.
///
/// Examples:
///   lockscope watch --dsn mysql://root@127.0.0.1:3306
///   lockscope watch --dsn mysql://monitor@db1 --dsn mysql://monitor@db2
///   lockscope watch --format jsonl --output deadlocks.jsonl --state-file seen.keys
///   lockscope watch --error-log /var/log/mysql/error.log
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct WatchArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Follow this error log like `tail -F` (the lossless source); repeatable
    #[arg(long, value_name = "PATH")]
    pub error_log: Vec<PathBuf>,

    /// Time between two polls of a server
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub interval: Duration,

    /// Report lock waits once they have lasted this long
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub min_wait: Duration,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = WatchFormat::Text)]
    pub format: WatchFormat,

    /// Append the events to this file instead of writing them to stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Remember reported deadlocks in this file, so a restart does not repeat them
    #[arg(long, value_name = "FILE")]
    pub state_file: Option<PathBuf>,

    /// Width of the text report in columns (default: $COLUMNS, else 80)
    #[arg(long, value_name = "COLUMNS")]
    pub width: Option<u16>,

    /// Print statements whole instead of shortening them
    #[arg(long)]
    pub full: bool,

    /// Do not print warnings about unreadable lines
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// The output formats of `watch`: a stream, so no single JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WatchFormat {
    /// Plain-language report, one per deadlock.
    Text,
    /// One JSON object per line.
    Jsonl,
}

impl WatchFormat {
    pub fn format(self) -> Format {
        match self {
            WatchFormat::Text => Format::Text,
            WatchFormat::Jsonl => Format::Jsonl,
        }
    }
}

/// Where the server is and how to log in, as the `mysql` client takes it. Layered: the
/// `[client]` section of `~/.my.cnf` (or `--defaults-file`), then the DSN (`--dsn`, else
/// `LOCKSCOPE_DSN`), then these flags; the password from `-p`, the DSN, the option file, else
/// `MYSQL_PWD`. Resolved in `live::resolve`, not here.
#[derive(Debug, Clone, Args)]
pub struct ConnectArgs {
    /// Server to ask: `mysql://user:pass@host:port/db?ssl-mode=…`; repeatable
    ///
    /// Prefer `LOCKSCOPE_DSN`, `MYSQL_PWD` or `~/.my.cnf` for the password: other users see
    /// command lines in `ps`. The password is printed as `****` everywhere.
    #[arg(help_heading = "Connection", long, value_name = "URL")]
    pub dsn: Vec<String>,

    /// Server host name or address (default `localhost`)
    #[arg(help_heading = "Connection", long, value_name = "HOST")]
    pub host: Option<String>,

    /// TCP port (default 3306)
    #[arg(help_heading = "Connection", long, short = 'P', value_name = "PORT")]
    pub port: Option<u16>,

    /// User name (default: the login name)
    #[arg(help_heading = "Connection", long, short = 'u', value_name = "USER")]
    pub user: Option<String>,

    /// Ask for the password on the terminal
    #[arg(help_heading = "Connection", long = "password", short = 'p')]
    pub password_prompt: bool,

    /// Unix socket file, used when the host is `localhost`
    #[arg(help_heading = "Connection", long, short = 'S', value_name = "FILE")]
    pub socket: Option<PathBuf>,

    /// Database to connect to
    #[arg(help_heading = "Connection", long, short = 'D', value_name = "NAME")]
    pub database: Option<String>,

    /// Read the `[client]` section of this file instead of `~/.my.cnf`
    #[arg(help_heading = "Connection", long, value_name = "FILE")]
    pub defaults_file: Option<PathBuf>,

    /// TLS: `preferred` unless given (`verify-ca` when `--ssl-ca` is given)
    #[arg(help_heading = "Connection", long, value_enum, value_name = "MODE")]
    pub ssl_mode: Option<SslMode>,

    /// CA certificate (PEM) to verify the server's certificate with
    #[arg(help_heading = "Connection", long, value_name = "FILE")]
    pub ssl_ca: Option<PathBuf>,

    /// Give up connecting after this long
    #[arg(help_heading = "Connection", long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub connect_timeout: Duration,

    /// Give up waiting for one statement's answer after this long
    #[arg(help_heading = "Connection", long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub query_timeout: Duration,
}

impl ConnectArgs {
    /// Any option that only makes sense against a server.
    pub fn names_a_server(&self) -> bool {
        !self.dsn.is_empty()
            || self.host.is_some()
            || self.port.is_some()
            || self.user.is_some()
            || self.password_prompt
            || self.socket.is_some()
            || self.database.is_some()
            || self.defaults_file.is_some()
            || self.ssl_mode.is_some()
            || self.ssl_ca.is_some()
    }
}

/// Decode one lock line into plain words
///
/// Accepts a whole `RECORD LOCKS …` / `TABLE LOCK …` line, just its mode clause, or a
/// `LOCK_MODE` value from `performance_schema.data_locks`.
///
/// Examples:
///   lockscope explain 'lock_mode X locks gap before rec insert intention waiting'
///   lockscope explain 'lock mode S locks rec but not gap'
///   lockscope explain 'X,GAP,INSERT_INTENTION'
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ExplainArgs {
    /// The lock line or mode clause, quoted
    #[arg(value_name = "LOCK_LINE", required = true, num_args = 1..)]
    pub line: Vec<String>,
}

/// Write deadlock reports and lock tables back with their values replaced
///
/// For a public ticket or a vendor case: reads the inputs as `analyze` does and writes every
/// deadlock report, TRANSACTIONS section and lock table they hold, with statement literals,
/// record fields and `LOCK_DATA` values replaced by tokens (the same value gets the same token
/// in one run, across all inputs), and host names, addresses and user names masked. Schema,
/// table and index names stay unless `--redact-names`. The rest of the input (other log lines,
/// the rest of a status output) is left out. The output is still input: `lockscope analyze`
/// on it finds the same transactions, victim, pattern and shape.
///
/// Examples:
///   lockscope redact mysqld.err > shareable.txt
///   mysql -e 'SHOW ENGINE INNODB STATUS\G' | lockscope redact --redact-names
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct RedactArgs {
    /// Inputs; none or `-` reads stdin
    #[arg(value_name = "FILE")]
    pub inputs: Vec<PathBuf>,

    /// Redact schema, table and index names too
    #[arg(long)]
    pub redact_names: bool,
}

/// List the deadlock pattern catalogue, or print one pattern's documentation
///
/// Examples:
///   lockscope patterns
///   lockscope patterns delete-then-insert
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct PatternsArgs {
    /// A pattern id to document in full
    #[arg(value_name = "ID")]
    pub id: Option<String>,
}

/// Print a shell completion script (bash, zsh, fish, elvish, powershell)
///
/// Examples:
///   lockscope completions bash > /etc/bash_completion.d/lockscope
///   lockscope completions zsh > "${fpath[1]}/_lockscope"
///   lockscope completions fish > ~/.config/fish/completions/lockscope.fish
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn short_help_fits_79_columns() {
        let cmd = Cli::command();
        for sub in cmd.get_subcommands() {
            if let Some(about) = sub.get_about() {
                let about = about.to_string();
                assert!(
                    about.len() <= 79,
                    "short help of `{}` too long: {about}",
                    sub.get_name()
                );
            }
            for arg in sub.get_arguments() {
                if let Some(help) = arg.get_help() {
                    let help = help.to_string();
                    assert!(
                        help.len() <= 79,
                        "help of `--{}` too long: {help}",
                        arg.get_id()
                    );
                }
            }
        }
    }

    #[test]
    fn every_command_teaches_with_examples() {
        let mut cmd = Cli::command();
        cmd.build();
        let about = |c: &clap::Command| c.get_long_about().map(ToString::to_string);
        assert!(about(&cmd).is_some_and(|a| a.contains("\nExamples:\n  lockscope ")));
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let help = about(sub).unwrap_or_default();
            assert!(
                help.contains("\nExamples:\n  lockscope "),
                "`lockscope {} --help` has no examples",
                sub.get_name()
            );
        }
    }

    #[test]
    fn since_and_until_take_rfc3339_or_a_plain_date() {
        for value in ["2026-11-21", "2026-11-21 05:24", "2026-11-21T05:24:04Z"] {
            let cli = Cli::try_parse_from(["lockscope", "analyze", "--since", value]);
            assert!(cli.is_ok(), "parsing {value:?}");
        }
        let err = Cli::try_parse_from(["lockscope", "analyze", "--until", "tuesday"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected RFC 3339"), "{err}");
    }

    #[test]
    fn fail_on_splits_commas() {
        let cli = Cli::try_parse_from(["lockscope", "analyze", "--fail-on", "any,odku-supremum"])
            .unwrap();
        let Command::Analyze(args) = cli.command else {
            panic!("not analyze")
        };
        assert_eq!(args.fail_on, ["any", "odku-supremum"]);
    }
}
