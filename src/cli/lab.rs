//! `lockscope lab`'s arguments (clap derive, flattened into `cli::Command::Lab`). Raw and
//! validated only: no DSN parsing, no connecting, so `lab list` and `--help` always work.

use clap::builder::PossibleValuesParser;
use clap::Args;

use std::path::PathBuf;

use crate::lab::locks::Isolation;
use crate::lab::{LabFormat, PathChoice, SCENARIOS};

/// Run a deadlock scenario's broken and fixed write paths on a scratch database
///
/// For each catalogue entry that can be staged, a scenario: a scratch schema, the broken write
/// path (as in the incident) and the fixed one (as the catalogue says). lab creates its own
/// database on the server named by `--dsn` (refusing one it did not create), runs each path
/// with concurrent workers for a bounded number of attempts, and reports per path: attempts,
/// commits, deadlocks (1213), lock wait timeouts (1205), other errors, latency p50/p99 and
/// throughput. When a path deadlocks, it reads the server's own report (`SHOW ENGINE INNODB
/// STATUS`) and checks that the catalogue names the scenario's pattern; a mismatch is printed
/// loudly. Every session uses `--lock-wait-timeout`, so a run is bounded; the scratch database
/// is dropped at the end unless `--keep`. Only that database is ever written to.
///
/// `lab locks` is a lock EXPLAIN: it creates the tables of `--schema` (and the rows of
/// `--rows`) in the scratch database, runs the `-e` statements in a transaction, reads every
/// lock that transaction holds from the server, rolls back and prints the locks in plain words
/// (which index, which key, next-key, gap or record-only), under each `--isolation` level.
/// With `--after`, the same for a proposed fix, and what it changes. Statements are checked
/// before they are sent: only tables of the scratch database, no COMMIT, no GLOBAL. On MySQL 8
/// the locks come from `performance_schema.data_locks`; on MariaDB and MySQL 5.x from `SHOW
/// ENGINE INNODB STATUS`, which lists them only with `innodb_status_output_locks` ON: that is
/// a global setting, so lab turns it on for the run (SUPER or SYSTEM_VARIABLES_ADMIN) and puts
/// the previous value back at the end, and other sessions' status output lists locks too
/// meanwhile.
///
/// Exit codes: 0 ran; 1 a captured deadlock was not classified as the scenario's pattern; 2
/// bad usage or a database lab did not create; 3 server unreachable or a missing privilege.
///
/// Examples:
///   lockscope lab list
///   lockscope lab odku-supremum --dsn mysql://root@127.0.0.1:3306
///   lockscope lab hot-row --dsn mysql://root@127.0.0.1 --workers 12 --duration 20
///   lockscope lab inconsistent-order --dsn mysql://root@db1 --path broken --format json
///   lockscope lab locks --dsn mysql://root@127.0.0.1 --schema schema.sql --rows rows.sql \
///       -e 'DELETE FROM orders WHERE customer_id = 42'
///   lockscope lab locks --dsn mysql://root@127.0.0.1 --schema schema.sql --isolation rr \
///       --before 'SELECT * FROM orders WHERE id = 15 FOR UPDATE' \
///       --after 'INSERT INTO orders VALUES (15, 42)'
#[derive(Debug, Args)]
// Verbatim: otherwise clap reflows the examples into one paragraph.
#[command(verbatim_doc_comment)]
pub struct LabArgs {
    /// `list`, `locks` (what statements lock), or a scenario (a catalogue id)
    #[arg(value_name = "SCENARIO", value_parser = scenario_ids())]
    pub scenario: String,

    /// Server to run on, `mysql://user:password@host:port` (always explicit)
    #[arg(long, value_name = "URL")]
    pub dsn: Option<String>,

    /// Which write paths to run
    #[arg(long, value_enum, default_value_t = PathChoice::Both)]
    pub path: PathChoice,

    /// Concurrent workers, each on its own connection (default: the scenario's)
    #[arg(long, short = 'w', value_name = "N",
          value_parser = clap::value_parser!(u16).range(2..=64))]
    pub workers: Option<u16>,

    /// Attempts per worker and path (default: the scenario's, see `lab list`)
    #[arg(long, short = 'n', value_name = "N", conflicts_with = "duration",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub iterations: Option<u32>,

    /// Run each path for this many seconds instead of a number of attempts
    #[arg(long, value_name = "SECONDS",
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub duration: Option<u32>,

    /// The scratch database lab creates, uses and drops
    #[arg(long, value_name = "NAME", default_value = "lockscope_lab",
          value_parser = database_name)]
    pub database: String,

    /// Keep the scratch database at the end (to look at the rows)
    #[arg(long)]
    pub keep: bool,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = LabFormat::Text)]
    pub format: LabFormat,

    /// Session `innodb_lock_wait_timeout` in seconds: every wait is bounded
    #[arg(long, value_name = "SECONDS", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(1..=60))]
    pub lock_wait_timeout: u32,

    /// `lab locks`: a SQL file with the tables' CREATE TABLE statements
    #[arg(long, value_name = "FILE", help_heading = "lab locks")]
    pub schema: Option<PathBuf>,

    /// `lab locks`: a SQL file with the rows, loaded before each transaction
    #[arg(long, value_name = "FILE", help_heading = "lab locks")]
    pub rows: Option<PathBuf>,

    /// `lab locks`: a statement to explain (repeat for several)
    #[arg(
        long = "execute",
        short = 'e',
        visible_alias = "before",
        value_name = "SQL",
        help_heading = "lab locks"
    )]
    pub execute: Vec<String>,

    /// `lab locks`: the statements of a fix, compared with `--before`
    #[arg(
        long,
        value_name = "SQL",
        requires = "execute",
        help_heading = "lab locks"
    )]
    pub after: Vec<String>,

    /// `lab locks`: isolation levels to compare [default: rr,rc]
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "LEVELS",
        help_heading = "lab locks"
    )]
    pub isolation: Vec<Isolation>,
}

fn scenario_ids() -> PossibleValuesParser {
    PossibleValuesParser::new(
        ["list", "locks"]
            .into_iter()
            .chain(SCENARIOS.iter().map(|s| s.id)),
    )
}

/// A database name lab may create: letters, digits and `_`, so it needs no quoting anywhere.
fn database_name(name: &str) -> Result<String, String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.chars().all(|c| c.is_ascii_digit());
    if !ok {
        return Err("expected up to 64 ASCII letters, digits and `_`".to_string());
    }
    let system = [
        "mysql",
        "information_schema",
        "performance_schema",
        "sys",
        "test",
    ];
    if system.iter().any(|s| s.eq_ignore_ascii_case(name)) {
        return Err(format!("`{name}` is not a scratch database"));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names() {
        for (name, ok) in [
            ("lockscope_lab", true),
            ("lockscope_lab_t_hot_row", true),
            ("Lab2", true),
            ("", false),
            ("123", false),
            ("lab-1", false),
            ("lab`; DROP DATABASE x", false),
            ("mysql", false),
            ("TEST", false),
            (&"x".repeat(65), false),
        ] {
            assert_eq!(database_name(name).is_ok(), ok, "parsing {name:?}");
        }
    }
}
