//! The command line, defined once: clap derive. Doc comments are the help text (first line
//! short help, ≤ 79 columns; the rest long help); the man page and shell completions are
//! generated from `Cli::command()`. No IO happens here, so `--help` and usage errors always work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::report::Format;

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
///   lockscope explain 'lock_mode X locks gap before rec insert intention waiting'
///   lockscope patterns odku-supremum
#[derive(Debug, Parser)]
#[command(
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
    Explain(ExplainArgs),
    Patterns(PatternsArgs),
    Completions(CompletionsArgs),
    /// Print the man page (roff) generated from this help
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
/// Exit codes: 0 analysed; 1 a deadlock matched `--fail-on`; 2 bad usage or no readable
/// input; 3 server unreachable.
///
/// Examples:
///   lockscope analyze status.txt
///   lockscope analyze mysqld.err --format jsonl > deadlocks.jsonl
///   mysql -e 'SHOW ENGINE INNODB STATUS\G' | lockscope analyze
///   lockscope analyze --fail-on unclassified,odku-supremum ci-error.log
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Files to read; `-` or nothing reads stdin
    #[arg(value_name = "FILE")]
    pub inputs: Vec<PathBuf>,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Width of the text report in columns (default: $COLUMNS, else 80)
    #[arg(long, value_name = "COLUMNS")]
    pub width: Option<u16>,

    /// Print statements whole instead of shortening them
    #[arg(long)]
    pub full: bool,

    /// Exit 1 when a deadlock matches `any`, `unclassified` or pattern ids
    ///
    /// Comma-separated. For CI: `--fail-on any` fails on every deadlock; `--fail-on odku-supremum,unclassified`
    /// only on those findings. See `lockscope patterns` for the ids.
    #[arg(long, value_name = "WHAT", value_delimiter = ',')]
    pub fail_on: Vec<String>,

    /// Do not print warnings about unreadable lines (they still appear in JSON)
    #[arg(long, short = 'q')]
    pub quiet: bool,
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
pub struct ExplainArgs {
    /// The lock line or mode clause, quoted
    #[arg(value_name = "LOCK_LINE", required = true, num_args = 1..)]
    pub line: Vec<String>,
}

/// List the deadlock pattern catalogue, or print one pattern's documentation
///
/// Examples:
///   lockscope patterns
///   lockscope patterns delete-then-insert
#[derive(Debug, Args)]
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
    fn fail_on_splits_commas() {
        let cli = Cli::try_parse_from(["lockscope", "analyze", "--fail-on", "any,odku-supremum"])
            .unwrap();
        let Command::Analyze(args) = cli.command else {
            panic!("not analyze")
        };
        assert_eq!(args.fail_on, ["any", "odku-supremum"]);
    }
}
