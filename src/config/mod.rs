//! The second phase of configuration (STYLE 5): `cli` holds the raw, validated arguments (no IO,
//! so `--help` and usage errors always work); this module resolves them into the values the
//! live layer and `lab` take — servers from `--dsn`, `LOCKSCOPE_DSN` and `~/.my.cnf`, a
//! password from a prompt, a scenario's defaults. `live` and `lab` never see the CLI types.

mod connect;
mod mycnf;

use std::path::PathBuf;
use std::time::Duration;

pub use connect::{prompt_on_tty, resolve, Env};

use crate::cli::{ConnectArgs, LabArgs, WatchArgs};
use crate::error::Error;
use crate::lab::locks::{self, guard, guard::Role, Isolation};
use crate::lab::{self, Limit};
use crate::live::server::Timeouts;
use crate::live::{LiveConfig, WatchConfig};

/// The servers `analyze --dsn` / `--live` asks, from the process environment and the terminal.
pub fn live(args: &ConnectArgs) -> Result<LiveConfig, Error> {
    resolve(args, &Env::from_process(), &mut prompt_on_tty)
}

/// What `watch` polls and follows, and how it prints.
pub fn watch(args: &WatchArgs) -> Result<WatchConfig, Error> {
    // Servers are watched when any is named, or when there is nothing else to watch.
    let dsns = if args.connect.names_a_server() || args.error_log.is_empty() {
        live(&args.connect)?.dsns
    } else {
        Vec::new()
    };
    Ok(WatchConfig {
        dsns,
        timeouts: Timeouts {
            connect: args.connect.connect_timeout,
            query: args.connect.query_timeout,
        },
        logs: args.error_log.clone(),
        interval: args.interval,
        min_wait: args.min_wait,
        format: args.format.format(),
        output: args.output.clone(),
        state_file: args.state_file.clone(),
        width: args.width,
        full: args.full,
        quiet: args.quiet,
    })
}

/// The lab run `args` asks for (not `list`), with the scenario's defaults filled in.
pub fn lab(args: &LabArgs) -> Result<lab::Config, Error> {
    let locks_only = args.schema.is_some()
        || args.rows.is_some()
        || !args.execute.is_empty()
        || !args.isolation.is_empty();
    if locks_only {
        return Err(Error::LabStatements {
            reason: format!(
                "`--schema`, `--rows`, `-e`, `--after` and `--isolation` go with `lab locks`, \
                 not with a scenario (`{}`)",
                args.scenario
            ),
        });
    }
    let scenario = lab::scenario(&args.scenario).ok_or_else(|| Error::UnknownScenario {
        id: args.scenario.clone(),
    })?;
    let dsn = args.dsn.clone().ok_or(Error::LabNoDsn)?;
    let limit = match (args.duration, args.iterations) {
        (Some(secs), _) => Limit::Duration(Duration::from_secs(u64::from(secs))),
        (None, n) => Limit::Iterations(n.unwrap_or(scenario.iterations)),
    };
    Ok(lab::Config {
        dsn,
        scenario,
        paths: args.path,
        workers: args.workers.map_or(scenario.workers, usize::from),
        limit,
        database: args.database.clone(),
        keep: args.keep,
        lock_wait_timeout: Duration::from_secs(u64::from(args.lock_wait_timeout)),
    })
}

/// The `lab locks` run `args` asks for: the files read and every statement vetted
/// (`lab::locks::guard`) before anything connects.
pub fn lab_locks(args: &LabArgs) -> Result<locks::Config, Error> {
    let dsn = args.dsn.clone().ok_or(Error::LabNoDsn)?;
    let usage = |reason: &str| Error::LabStatements {
        reason: reason.to_string(),
    };
    let read = |path: &PathBuf| {
        std::fs::read_to_string(path).map_err(|source| Error::UnreadableInput {
            path: path.clone(),
            source,
        })
    };
    let vet = |sql: &str, origin: &str, role: Role| {
        guard::vet(sql, origin, &args.database, role)
            .map_err(|reason| Error::LabStatements { reason })
    };
    let schema_path = args.schema.as_ref().ok_or_else(|| {
        usage("`lab locks` needs `--schema FILE`: the CREATE TABLE statements of the tables")
    })?;
    if args.execute.is_empty() {
        return Err(usage(
            "`lab locks` needs the statements to explain: `-e 'DELETE FROM … WHERE …'`",
        ));
    }
    let schema_sql = read(schema_path)?;
    let mut setup = vet(&schema_sql, &schema_path.display().to_string(), Role::Setup)?;
    if let Some(rows) = &args.rows {
        setup.extend(vet(&read(rows)?, &rows.display().to_string(), Role::Setup)?);
    }
    let group = |name: &'static str, flag: &str, sqls: &[String]| -> Result<locks::Group, Error> {
        let mut statements = Vec::new();
        for (i, sql) in sqls.iter().enumerate() {
            statements.extend(vet(
                sql,
                &format!("`{flag}` #{}", i + 1),
                Role::Transaction,
            )?);
        }
        Ok(locks::Group { name, statements })
    };
    let groups = if args.after.is_empty() {
        vec![group("statements", "-e", &args.execute)?]
    } else {
        vec![
            group("before", "--before", &args.execute)?,
            group("after", "--after", &args.after)?,
        ]
    };
    let mut isolations = args.isolation.clone();
    if isolations.is_empty() {
        isolations = vec![Isolation::Rr, Isolation::Rc];
    }
    let mut seen = Vec::new();
    isolations.retain(|i| {
        let new = !seen.contains(i);
        seen.push(*i);
        new
    });
    Ok(locks::Config {
        dsn,
        database: args.database.clone(),
        keep: args.keep,
        lock_wait_timeout: Duration::from_secs(u64::from(args.lock_wait_timeout)),
        setup,
        schema_sql,
        groups,
        isolations,
    })
}
