//! What `lab` prints: the scenario list, and per run a table of the paths' figures followed by
//! the classification of the captured deadlock (a mismatch in capitals, so it is not missed).
//! `--format json` is the `LabReport` itself.

use comfy_table::{CellAlignment, ContentArrangement, Table, TableComponent};

use super::capture::Capture;
use super::runner::PathStats;
use super::scenarios::{Expect, SCENARIOS};
use super::LabReport;
use crate::report::wrap;

const WIDTH: usize = 80;

/// `lab list`.
pub fn list() -> String {
    let mut table = Table::new();
    table
        .load_preset("     ──            ")
        .remove_style(TableComponent::VerticalLines)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(WIDTH as u16)
        .set_header(["scenario", "seed", "expects", "what it stages"]);
    for s in SCENARIOS {
        table.add_row([
            s.id.to_string(),
            s.seed.unwrap_or("-").to_string(),
            match s.expect {
                Expect::Deadlock => "1213".to_string(),
                Expect::LockWait => "1205".to_string(),
            },
            s.summary.to_string(),
        ]);
    }
    format!(
        "{table}\n\nrun one with `lockscope lab <scenario> --dsn mysql://user@host:port`; it \
         creates, uses and drops\nits own database (`--database`, default `lockscope_lab`); \
         what a statement locks:\n`lockscope lab locks --dsn … --schema tables.sql -e 'DELETE …'`\n"
    )
}

/// `lab list --format json`.
pub fn list_json() -> String {
    let scenarios: Vec<serde_json::Value> = SCENARIOS
        .iter()
        .map(|s| {
            serde_json::json!({
                "id": s.id,
                "seed": s.seed,
                "expects": s.expect.as_str(),
                "summary": s.summary,
                "timing": s.timing,
                "workers": s.workers,
                "iterations": s.iterations,
                "paths": s.paths.iter().map(|p| serde_json::json!({
                    "name": p.name, "role": p.role.as_str(), "about": p.about,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let doc = serde_json::json!({ "schema_version": 1, "scenarios": scenarios });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}

/// `lab <scenario> --format json`.
pub fn json(report: &LabReport) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(report).unwrap_or_default()
    )
}

/// The text report of one run.
pub fn report(r: &LabReport) -> String {
    let mut out = String::new();
    let seed = r.seed.map(|s| format!(" (seed {s})")).unwrap_or_default();
    push_wrapped(
        &mut out,
        &format!("lab `{}`{seed}: {}", r.scenario, r.summary),
        "",
        "  ",
    );
    let limit = match (r.iterations, r.duration_secs) {
        (Some(n), _) => format!("{n} attempts each"),
        (None, Some(s)) => format!("{s} s"),
        (None, None) => String::new(),
    };
    let about = format!(
        "on {}, database `{}`: {} workers, {limit} per path, innodb_lock_wait_timeout {} s; \
         expects {}",
        r.server,
        r.database,
        r.workers,
        r.lock_wait_timeout_secs,
        match r.expects {
            "deadlock" => "deadlocks (1213) on the broken path",
            _ => "lock wait timeouts (1205) on the broken path",
        }
    );
    push_wrapped(&mut out, &about, "", "");
    out.push('\n');
    out.push_str(&table(&r.paths));
    out.push_str("\n\n");
    for p in &r.paths {
        let about = if p.name == p.role {
            format!("{}: {}", p.name, p.about)
        } else {
            format!("{} ({}): {}", p.name, p.role, p.about)
        };
        push_wrapped(&mut out, &about, "", "  ");
    }
    for p in r.paths.iter().filter(|p| !p.other.is_empty()) {
        let kinds: Vec<String> = p.other.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        push_wrapped(
            &mut out,
            &format!("other endings of {}: {}", p.name, kinds.join(", ")),
            "",
            "  ",
        );
    }
    push_wrapped(&mut out, &format!("timing: {}", r.timing), "", "  ");
    out.push('\n');
    out.push_str(&verdict(r));
    out
}

fn table(paths: &[PathStats]) -> String {
    let mut table = Table::new();
    table
        .load_preset("     ──            ")
        .remove_style(TableComponent::VerticalLines)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header([
            "path",
            "attempts",
            "commits",
            "1213",
            "1205",
            "other",
            "p50 ms",
            "p99 ms",
            "commits/s",
        ]);
    for p in paths {
        table.add_row([
            p.name.to_string(),
            p.attempts.to_string(),
            p.commits.to_string(),
            p.deadlocks.to_string(),
            p.lock_wait_timeouts.to_string(),
            p.other_errors.to_string(),
            format!("{:.1}", p.latency_ms.p50),
            format!("{:.1}", p.latency_ms.p99),
            format!("{:.1}", p.throughput_per_sec),
        ]);
    }
    // Right-aligned figures two spaces apart (padding and the blank column separator): the
    // table fits 80 columns with the longest path name.
    table
        .remove_style(TableComponent::LeftBorder)
        .remove_style(TableComponent::RightBorder);
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_padding((1, 0));
        if i > 0 {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table.to_string()
}

/// What the run says about the scenario: the classification of each captured deadlock, and
/// whatever went against expectations.
fn verdict(r: &LabReport) -> String {
    let mut out = String::new();
    let deadlock = r.expects == "deadlock";
    for p in &r.paths {
        match (&p.capture, p.deadlocks) {
            (Some(c), _) => out.push_str(&captured(p, c)),
            (None, 0) if deadlock && p.role == "broken" => push_wrapped(
                &mut out,
                &format!(
                    "no deadlock on `{}` in {} attempts: nothing to classify (more \
                     `--iterations` or `--workers` make one likelier)",
                    p.name, p.attempts
                ),
                "",
                "  ",
            ),
            (None, 0) => {}
            (None, n) => push_wrapped(
                &mut out,
                &format!(
                    "`{}` deadlocked {n} times, but the server's latest report was another \
                     session's whenever lab read it (or `SHOW ENGINE INNODB STATUS` needs the \
                     PROCESS privilege): not classified",
                    p.name
                ),
                "",
                "  ",
            ),
        }
        if p.role == "fixed" && (p.deadlocks > 0 || p.lock_wait_timeouts > 0) {
            push_wrapped(
                &mut out,
                &format!(
                    "NOTE: the fixed path `{}` still had {} deadlocks and {} lock wait timeouts",
                    p.name, p.deadlocks, p.lock_wait_timeouts
                ),
                "",
                "  ",
            );
        }
    }
    if !deadlock {
        push_wrapped(
            &mut out,
            "a 1205 is a wait that outlasted innodb_lock_wait_timeout, not a cycle: the server \
             writes no deadlock report for it (`lockscope analyze --dsn …` while it waits \
             shows the blocker)",
            "",
            "  ",
        );
    }
    out
}

fn captured(p: &PathStats, c: &Capture) -> String {
    let mut out = String::new();
    let when = c
        .timestamp
        .as_deref()
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    let also = if c.contributing.is_empty() {
        String::new()
    } else {
        format!(", contributing {}", ticks(&c.contributing))
    };
    let head = match (c.matched, c.expected) {
        (Some(true), _) => format!(
            "captured deadlock of `{}`{when}: classified `{}` ({}){also}, as expected",
            p.name, c.pattern, c.confidence
        ),
        (Some(false), Some(expected)) => {
            let rule = "!".repeat(WIDTH);
            out.push_str(&rule);
            out.push('\n');
            format!(
                "MISMATCH: the server's report of the `{}` deadlock{when} was classified `{}` \
                 ({}){also}; expected `{expected}`",
                p.name, c.pattern, c.confidence
            )
        }
        _ => format!(
            "captured deadlock of `{}`{when}: classified `{}` ({}){also}",
            p.name, c.pattern, c.confidence
        ),
    };
    push_wrapped(&mut out, &head, "", "  ");
    push_wrapped(&mut out, &c.summary, "  ", "  ");
    if c.matched == Some(false) {
        for s in &c.statements {
            push_wrapped(&mut out, s, "  > ", "    ");
        }
        out.push_str(&"!".repeat(WIDTH));
        out.push('\n');
    }
    out
}

fn ticks(ids: &[&str]) -> String {
    ids.iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn push_wrapped(out: &mut String, text: &str, first: &str, rest: &str) {
    for line in wrap(text, WIDTH, first, rest) {
        out.push_str(&line);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::runner::Latency;

    fn path(name: &'static str, role: &'static str, capture: Option<Capture>) -> PathStats {
        PathStats {
            name,
            role,
            about: "what it does",
            rounds: 2,
            attempts: 8,
            commits: 6,
            deadlocks: u64::from(capture.is_some()) * 2,
            lock_wait_timeouts: 0,
            other_errors: 0,
            other: Default::default(),
            latency_ms: Latency {
                p50: 7.25,
                p99: 1234.5,
            },
            throughput_per_sec: 101.3,
            elapsed_secs: 0.1,
            capture,
        }
    }

    fn report(capture: Capture) -> LabReport {
        LabReport {
            schema_version: 1,
            scenario: "gap-then-insert",
            seed: None,
            expects: "deadlock",
            summary: "get-or-create",
            timing: "together",
            server: "mysql://root@127.0.0.1:3306".to_string(),
            database: "lockscope_lab".to_string(),
            workers: 4,
            iterations: Some(2),
            duration_secs: None,
            lock_wait_timeout_secs: 2,
            paths: vec![
                path("broken", "broken", Some(capture)),
                path("commit-at-once", "fixed", None),
            ],
        }
    }

    fn capture(pattern: &'static str) -> Capture {
        Capture {
            timestamp: Some("2026-11-21 05:24:08".to_string()),
            expected: Some("gap-then-insert"),
            pattern,
            confidence: "high",
            contributing: vec![],
            matched: Some(pattern == "gap-then-insert"),
            summary: "trx (1) and trx (2) wait".to_string(),
            statements: vec!["INSERT INTO orders VALUES (15, 'x', 15)".to_string()],
            report: String::new(),
        }
    }

    #[test]
    fn a_match_is_one_line_and_the_table_fits_80_columns() {
        let text = super::report(&report(capture("gap-then-insert")));
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains("classified `gap-then-insert` (high), as expected"),
            "{text}"
        );
        assert!(!text.contains("MISMATCH"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    }

    #[test]
    fn a_mismatch_is_loud() {
        let text = super::report(&report(capture("delete-then-insert")));
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains("MISMATCH"), "{text}");
        assert!(words.contains("expected `gap-then-insert`"), "{text}");
        assert!(text.contains("> INSERT INTO orders"), "{text}");
        assert_eq!(
            report(capture("delete-then-insert")).mismatches().count(),
            1
        );
    }

    #[test]
    fn the_list_names_every_scenario() {
        let text = list();
        for s in SCENARIOS {
            assert!(text.contains(s.id), "{}", s.id);
        }
        let json: serde_json::Value = serde_json::from_str(&list_json()).unwrap();
        assert_eq!(
            json["scenarios"].as_array().map(Vec::len),
            Some(SCENARIOS.len())
        );
    }
}
