//! The picture and ticket formats (`dot`, `mermaid`, `markdown`), `--summary`, `--since` /
//! `--until` and colour, run through the built binary on real fixtures. Snapshots as in
//! `snapshots.rs` (`cargo insta review`); the DOT is also handed to Graphviz's `dot -Tsvg` when
//! it is installed (`.ci/run` installs it).

mod common;

use common::{lockscope, snapshot_stem};

use std::io::Write;
use std::process::{Command, Stdio};

use lockscope::report::{SummaryFormat, SummaryReport, TextOptions};
use lockscope::sink::{Sink, Summary};

/// Server shapes and pattern families, plus lock waits and a TOO DEEP report.
const FIXTURES: &[&str] = &[
    "fixtures/mariadb/delete-then-insert.status.txt",
    "fixtures/mariadb/three-way-cycle.status.txt",
    "fixtures/mariadb/odku-supremum.status.txt",
    "fixtures/mariadb/deadlock-report-basic.status.batch.txt",
    "fixtures/mariadb/lock-waits/lock-wait-timeout.locks-on.status.txt",
    "fixtures/mysql8/sakila-8.0.status.txt",
    "fixtures/mysql8/percona-8.0.33.error-log.txt",
    "fixtures/public/002-pt-5.5-too-deep-autoinc.txt",
    "fixtures/public/003-pt-5.0-full-status-gen-clust-s-to-x.txt",
    "fixtures/lock-tables/mariadb-flush-tables-behind-long-select.txt",
];

fn run(args: &[&str]) -> String {
    let (stdout, stderr, code) = lockscope(args, &[]);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

fn snapshot_name(format: &str, path: &str) -> String {
    format!("{format}__{}", snapshot_stem(path))
}

#[test]
fn dot_reports() {
    for path in FIXTURES {
        let out = run(&["analyze", "--format", "dot", path]);
        insta::assert_snapshot!(snapshot_name("dot", path), out);
    }
}

#[test]
fn mermaid_reports() {
    for path in FIXTURES {
        let out = run(&["analyze", "--format", "mermaid", path]);
        check_mermaid(&out);
        insta::assert_snapshot!(snapshot_name("mermaid", path), out);
    }
}

#[test]
fn markdown_reports() {
    for path in FIXTURES {
        let out = run(&["analyze", "--format", "markdown", path]);
        assert_eq!(
            out.matches("```mermaid\n").count(),
            out.matches("## Deadlock ").count() + out.matches("## Lock waits").count(),
            "{path}: one graph per deadlock and per lock-wait section"
        );
        for block in out.split("```mermaid\n").skip(1) {
            check_mermaid(block.split("\n```").next().unwrap_or_default());
        }
        insta::assert_snapshot!(snapshot_name("markdown", path), out);
    }
}

/// Every line of the flowchart is one of the few statements lockscope writes, and every label
/// is one quoted string with nothing Mermaid would read as syntax inside.
fn check_mermaid(chart: &str) {
    let label_ok = |label: &str| {
        let Some(inner) = label.strip_prefix('"').and_then(|l| l.strip_suffix('"')) else {
            return false;
        };
        // Entity codes (`#40;`) are how the syntax characters are written.
        let mut rest = String::new();
        let mut parts = inner.split('#');
        rest.push_str(parts.next().unwrap_or_default());
        for part in parts {
            let digits = part.chars().take_while(char::is_ascii_digit).count();
            match part[digits..].strip_prefix(';') {
                Some(after) if digits > 0 => rest.push_str(after),
                _ => return false,
            }
        }
        // `<br/>` is the one piece of HTML lockscope writes: the line breaks.
        !rest.replace("<br/>", "\n").chars().any(|c| {
            matches!(
                c,
                '"' | '[' | ']' | '(' | ')' | '{' | '}' | '|' | ';' | '`' | '<' | '>' | '&'
            )
        })
    };
    let id_ok =
        |id: &str| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut depth = 0;
    for line in chart.lines() {
        let t = line.trim();
        let ok = if t.is_empty() || t.starts_with("%%") || t == "flowchart LR" {
            true
        } else if t == "direction LR" {
            depth > 0
        } else if t == "end" {
            depth -= 1;
            depth >= 0
        } else if let Some(rest) = t.strip_prefix("subgraph ") {
            depth += 1;
            let (id, label) = rest.split_once('[').unwrap_or((rest, ""));
            id_ok(id) && label.strip_suffix(']').is_some_and(label_ok)
        } else if t.starts_with("classDef ") {
            true
        } else if let Some((from, rest)) = t.split_once(" -->|").or_else(|| t.split_once(" -.->|"))
        {
            let (label, to) = rest.rsplit_once("| ").unwrap_or(("", ""));
            id_ok(from) && id_ok(to) && label_ok(label)
        } else {
            let (id, rest) = t.split_once('[').unwrap_or((t, ""));
            let (label, class) = rest.rsplit_once(']').unwrap_or(("", ""));
            id_ok(id)
                && label_ok(label)
                && (class.is_empty()
                    || matches!(class, ":::victim" | ":::idle" | ":::running" | ":::unknown"))
        };
        assert!(ok, "not a Mermaid line lockscope writes: {line:?}\n{chart}");
    }
    assert_eq!(depth, 0, "unbalanced subgraphs\n{chart}");
}

/// Graphviz must accept what `--format dot` writes, for every fixture. Skips (passes with a
/// note) when `dot` is not installed: `.ci/run` installs it.
#[test]
fn graphviz_renders_the_dot() {
    if Command::new("dot").arg("-V").output().is_err() {
        eprintln!("note: `dot` (graphviz) is not installed: DOT output not rendered");
        return;
    }
    let mut paths: Vec<&str> = FIXTURES.to_vec();
    paths.push("fixtures/mariadb/error-log.txt");
    for path in paths {
        let graph = run(&["analyze", "--format", "dot", path]);
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dot");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(graph.as_bytes())
            .expect("write to dot");
        let out = child.wait_with_output().expect("run dot");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{path}: dot failed: {stderr}");
        assert!(stderr.trim().is_empty(), "{path}: dot warned: {stderr}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("<svg"),
            "{path}"
        );
    }
}

fn summary_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["analyze", "--summary", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&run(&all)).expect("one JSON object")
}

fn count(list: &serde_json::Value, key: &str, value: &str) -> u64 {
    list.as_array()
        .and_then(|l| l.iter().find(|o| o[key] == value))
        .and_then(|o| o["deadlocks"].as_u64())
        .unwrap_or(0)
}

/// The MariaDB error-log capture: 40 deadlocks, mostly the ODKU batches of `counters`.
#[test]
fn summary_of_the_mariadb_error_log() {
    let doc = summary_json(&["fixtures/mariadb/error-log.txt"]);
    assert_eq!(doc["type"], "summary");
    assert_eq!(doc["deadlocks"], 40);
    let patterns = &doc["by_pattern"];
    let total: u64 = patterns
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["deadlocks"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 40, "every deadlock has one main pattern");
    assert_eq!(count(patterns, "pattern", "inconsistent-order"), 34);
    assert_eq!(patterns[0]["pattern"], "inconsistent-order", "most first");
    assert_eq!(doc["by_index"][0]["index"], "uk_name");
    assert_eq!(doc["by_index"][0]["table"]["table"], "counters");
    assert_eq!(doc["by_index"][0]["deadlocks"], 33);
    assert_eq!(count(&doc["by_hour"], "hour", "2026-11-21 05:00"), 40);
    assert_eq!(doc["first"], "2026-11-21 5:24:03");
    assert_eq!(doc["last"], "2026-11-21 5:24:30");

    let line = run(&[
        "analyze",
        "--summary",
        "--format",
        "jsonl",
        "fixtures/mariadb/error-log.txt",
    ]);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&line).unwrap(),
        doc
    );

    let text = run(&["analyze", "--summary", "fixtures/mariadb/error-log.txt"]);
    insta::assert_snapshot!("summary__mariadb__error-log", text);
    let markdown = run(&[
        "analyze",
        "--summary",
        "--format",
        "markdown",
        "fixtures/mariadb/error-log.txt",
    ]);
    assert!(
        markdown.contains("| `inconsistent-order` | 34 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| `test.counters` | `uk_name` | 33 |"),
        "{markdown}"
    );
}

/// A week of error log, generated: the capture repeated 50 times in memory. The counts scale.
#[test]
fn summary_of_a_large_generated_log() {
    const COPIES: u64 = 50;
    let one = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/mariadb/error-log.txt"
    ))
    .unwrap();
    let log: Vec<u8> = (0..COPIES).flat_map(|_| one.iter().copied()).collect();
    let tally = |bytes: &[u8]| -> serde_json::Value {
        let mut report = SummaryReport::new(
            Vec::new(),
            Vec::new(),
            SummaryFormat::Json,
            TextOptions::default(),
        );
        let stats = lockscope::analyze::analyze_reader("error.log", bytes, &mut report).unwrap();
        report
            .finish(&Summary {
                inputs: vec!["error.log".to_string()],
                deadlocks: stats.deadlocks,
                warnings: stats.warnings,
                bytes: stats.bytes,
                lock_waits: 0,
            })
            .unwrap();
        serde_json::from_slice(&report.into_inner().0).unwrap()
    };
    let small = tally(&one);
    let large = tally(&log);
    assert_eq!(large["deadlocks"].as_u64(), Some(40 * COPIES));
    for (list, key) in [("by_pattern", "pattern"), ("by_hour", "hour")] {
        let small_list = small[list].as_array().unwrap();
        assert_eq!(small_list.len(), large[list].as_array().unwrap().len());
        for entry in small_list {
            let name = entry[key].as_str().unwrap();
            assert_eq!(
                count(&large[list], key, name),
                COPIES * entry["deadlocks"].as_u64().unwrap(),
                "{list} {name}"
            );
        }
    }
    for entry in small["by_index"].as_array().unwrap() {
        let found = large["by_index"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["table"] == entry["table"] && o["index"] == entry["index"])
            .unwrap();
        assert_eq!(
            found["deadlocks"].as_u64(),
            entry["deadlocks"].as_u64().map(|n| n * COPIES)
        );
    }
    assert_eq!(large["first"], small["first"]);
    assert_eq!(large["last"], small["last"]);
}

#[test]
fn since_and_until_select_by_timestamp() {
    let log = "fixtures/mariadb/error-log.txt";
    let all = summary_json(&[log]);
    let early = summary_json(&["--until", "2026-11-21 05:24:10", log]);
    let late = summary_json(&["--since", "2026-11-21 05:24:10", log]);
    let early_n = early["deadlocks"].as_u64().unwrap();
    let late_n = late["deadlocks"].as_u64().unwrap();
    assert!(early_n > 0 && late_n > 0, "{early_n} / {late_n}");
    assert_eq!(early_n + late_n, all["deadlocks"].as_u64().unwrap());
    assert!(late["first"].as_str().unwrap() >= "2026-11-21 5:24:10");
    // RFC 3339 with an offset against a log without offsets: compared as written.
    let rfc = summary_json(&["--since", "2026-11-21T05:24:10+00:00", log]);
    assert_eq!(rfc["deadlocks"], late["deadlocks"]);
    let none = summary_json(&["--since", "2026-11-22", log]);
    assert_eq!(none["deadlocks"], 0);

    // The text report and its summary line count only the selected deadlocks.
    let text = run(&["analyze", "--since", "2026-11-21 05:24:10", log]);
    assert!(
        text.ends_with(&format!("{late_n} deadlocks in 1 input, 0 warnings\n")),
        "{}",
        text.lines().last().unwrap_or_default()
    );
    assert_eq!(
        text.matches("\ndeadlock ").count() + usize::from(text.starts_with("deadlock ")),
        usize::try_from(late_n).unwrap()
    );
}

#[test]
fn a_deadlock_without_timestamp_is_kept_with_one_warning() {
    let (stdout, stderr, code) = lockscope(
        &[
            "analyze",
            "--since",
            "2000-01-01",
            "fixtures/public/009-ane03-5.5-delete-range-no-victim-line.txt",
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("deadlock 1 of"), "{stdout}");
    assert_eq!(
        stderr.matches("deadlock without a timestamp kept").count(),
        1,
        "{stderr}"
    );
}

const ESC: char = '\u{1b}';

/// Piped output has no escape codes unless `--color always`; coloured output is the plain
/// output plus escape codes, nothing else.
#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let path = "fixtures/mariadb/three-way-cycle.status.txt";
    let plain = run(&["analyze", path]);
    assert!(!plain.contains(ESC));
    let never = run(&["analyze", "--color", "never", path]);
    assert_eq!(never, plain);
    let coloured = run(&["analyze", "--color", "always", path]);
    assert!(
        coloured.contains("\u{1b}[1m\u{1b}[31m(3) trx 634, the victim"),
        "{coloured}"
    );
    assert!(
        coloured.contains("\u{1b}[33m- waiting: X record-only lock"),
        "{coloured}"
    );
    assert!(
        coloured.contains("\u{1b}[1m\u{1b}[32mfinding: inconsistent-order"),
        "{coloured}"
    );
    assert_eq!(strip_ansi(&coloured), plain);
    let (with_no_color, _, _) = lockscope(&["analyze", path], &[("NO_COLOR", "1")]);
    assert!(!with_no_color.contains(ESC));
    for format in ["json", "dot", "mermaid", "markdown"] {
        let out = run(&["analyze", "--color", "always", "--format", format, path]);
        assert!(!out.contains(ESC), "{format} is never coloured");
    }
}

/// On a terminal (a pseudo-terminal made by `script`), colour is on unless `NO_COLOR` is set.
/// Skips when util-linux `script` is missing.
#[test]
fn a_terminal_gets_colour_unless_no_color() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("note: `script` is not installed: terminal colour not checked");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_lockscope");
    let on_tty = |no_color: Option<&str>| {
        let mut cmd = Command::new("script");
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["-qec"])
            .arg(format!(
                "{bin} analyze --width 80 fixtures/mariadb/three-way-cycle.status.txt"
            ))
            .arg("/dev/null")
            .env("TERM", "xterm")
            .env_remove("NO_COLOR")
            .env_remove("CI")
            .stdin(Stdio::null());
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let out = cmd.output().expect("run script");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let tty = on_tty(None);
    if !tty.contains("deadlock 1 of") {
        eprintln!("note: `script` gave no terminal here: terminal colour not checked");
        return;
    }
    assert!(tty.contains(ESC), "{tty}");
    assert!(!on_tty(Some("1")).contains(ESC));
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == ESC {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
