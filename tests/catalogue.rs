//! The catalogue against every real capture under `fixtures/`: each fixture's deadlocks get the
//! pattern an expert names for them (seeds, MariaDB transcripts, `public/INDEX.tsv`), with only
//! the listed contributing findings, and no pattern fires on another pattern's fixtures. Run
//! with `--nocapture` to see the confusion table (fixture, expected, reported).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lockscope::analyze_text;

/// What one fixture should come out as: the main pattern of each deadlock in order, the
/// contributing findings that must be there, and the ones that may be.
struct Expect {
    main: Vec<&'static str>,
    required: &'static [&'static str],
    allowed: &'static [&'static str],
}

fn one(main: &'static str) -> Expect {
    Expect {
        main: vec![main],
        required: &[],
        allowed: &[],
    }
}

fn none() -> Expect {
    Expect {
        main: Vec::new(),
        required: &[],
        allowed: &[],
    }
}

/// MariaDB capture scenario → pattern (fixtures/README.md, the `.sessions.txt` transcripts).
fn mariadb_scenario(name: &str) -> Option<Expect> {
    Some(match name {
        "inconsistent-ordering"
        | "three-way-cycle"
        | "deadlock-report-basic"
        | "pt-deadlock-logger" => one("inconsistent-order"),
        // Opposite key order inside two upsert batches: an ordering problem, not the supremum.
        "odku-concurrent-batches" => one("inconsistent-order"),
        "delete-then-insert" => Expect {
            main: vec!["delete-then-insert"],
            required: &["inconsistent-order"],
            allowed: &["unindexed-scan"],
        },
        "odku-supremum" | "odku-supremum-select-for-update" => one("odku-supremum"),
        "gap-lock-then-insert" => one("gap-then-insert"),
        "unique-key-s-lock-race" => one("unique-key-race"),
        "fk-s-lock-upgrade" => one("fk-s-lock-upgrade"),
        _ => return None,
    })
}

/// `public/INDEX.tsv`'s pattern column → catalogue id; `other` rows are named per file.
fn public_pattern(file: &str, pattern: &str) -> Expect {
    let id = match (pattern, &file[..3]) {
        ("inconsistent-ordering", _) => "inconsistent-order",
        ("auto-inc", _) => "auto-inc-lock",
        ("lock-upgrade-s-to-x", _) => "s-to-x-upgrade",
        ("unique-key-s-lock-race", _) => "unique-key-race",
        ("gap-lock-then-insert", _) => "gap-then-insert",
        ("secondary-vs-primary-index-order", _) => "index-order-inversion",
        ("delete-then-insert", _) => "delete-then-insert",
        ("other", "011" | "012") => "concurrent-unique-delete",
        ("other", "021" | "022") => "indexed-column-update",
        ("unknown", _) => "unclassified",
        (other, _) => panic!("INDEX.tsv: unmapped pattern `{other}` for {file}"),
    };
    let mut e = one(id);
    if file.starts_with("009") {
        // 11,973,543 row locks for one deleted row: the scan is real, and contributes.
        e.allowed = &["unindexed-scan"];
    }
    e
}

fn expectation(rel: &str, index: &BTreeMap<String, String>) -> Option<Expect> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if name.ends_with(".sessions.txt") || name == "server-version.txt" || name == "INDEX.tsv" {
        return Some(none());
    }
    if let Some(rest) = rel.strip_prefix("seeds/") {
        return Some(match &rest[..8] {
            "seed-002" => Expect {
                main: vec!["delete-then-insert"],
                required: &["inconsistent-order"],
                allowed: &["unindexed-scan"],
            },
            "seed-003" => one("inconsistent-order"),
            "seed-004" => one("odku-supremum"),
            // Application logs carrying a 1205: no deadlock report in them.
            _ => none(),
        });
    }
    if let Some(file) = rel.strip_prefix("public/") {
        return index.get(file).map(|p| public_pattern(file, p));
    }
    if rel == "mariadb/error-log.txt" {
        return None; // checked as a multiset below
    }
    // Captures with their own provenance in fixtures/README.md.
    match rel {
        "mariadb/local/accounts.status.table.txt"
        | "mysql8/sakila-8.0.status.txt"
        | "mysql8/sakila-8.0.error-log.txt"
        | "mysql8/percona-8.0.33.error-log.txt" => return Some(one("inconsistent-order")),
        // Inserts into a gap both locked, before a row a third, committed transaction deleted:
        // the delete mark is not the holders' doing (DB_TRX_ID names the deleter).
        "mariadb/local/gap-then-insert-delete-marked.status.txt" => {
            return Some(one("gap-then-insert"))
        }
        "mysql8/data-locks-users.txt" => return Some(none()),
        _ => {}
    }
    if let Some(rest) = rel.strip_prefix("mariadb/lock-waits/") {
        // Status captures still show the previous scenario's deadlock (fixtures/README.md).
        return Some(if rest.contains(".status") {
            one("fk-s-lock-upgrade")
        } else {
            none()
        });
    }
    let scenario = rel.strip_prefix("mariadb/")?.split('.').next()?;
    mariadb_scenario(scenario)
}

fn fixtures() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "txt") {
                let rel = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, path));
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

/// `main (+contributing, …)` for each deadlock of a text.
fn reported(rel: &str, text: &str) -> Vec<(String, Vec<String>)> {
    let (deadlocks, _) = analyze_text(rel, text);
    deadlocks
        .iter()
        .map(|a| {
            assert!(!a.findings.is_empty(), "{rel}: a deadlock without findings");
            assert!(
                !a.findings[0].contributing,
                "{rel}: main finding marked contributing"
            );
            let main = a.findings[0].pattern.to_string();
            let rest = a.findings[1..]
                .iter()
                .map(|f| f.pattern.to_string())
                .collect();
            (main, rest)
        })
        .collect()
}

fn show(r: &[(String, Vec<String>)]) -> String {
    if r.is_empty() {
        return "(no deadlock)".to_string();
    }
    r.iter()
        .map(|(m, c)| {
            if c.is_empty() {
                m.clone()
            } else {
                format!("{m} (+{})", c.join(", +"))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn every_fixture_gets_its_pattern_and_no_other() {
    let index: BTreeMap<String, String> =
        read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/public/INDEX.tsv"))
            .lines()
            .skip(1)
            .filter_map(|l| {
                let cols: Vec<&str> = l.split('\t').collect();
                Some((cols.first()?.to_string(), cols.get(6)?.to_string()))
            })
            .collect();
    let mut table = vec![(
        "fixture".to_string(),
        "expected".to_string(),
        "reported".to_string(),
    )];
    let mut failures = Vec::new();
    let mut checked = 0;
    for (rel, path) in fixtures() {
        let Some(expect) = expectation(&rel, &index) else {
            continue;
        };
        let got = reported(&rel, &read(&path));
        let want = if expect.main.is_empty() {
            "(no deadlock)".to_string()
        } else {
            let mut w = expect.main.join("; ");
            if !expect.required.is_empty() {
                w.push_str(&format!(" (+{})", expect.required.join(", +")));
            }
            w
        };
        table.push((rel.clone(), want.clone(), show(&got)));
        checked += 1;
        let mains: Vec<&str> = got.iter().map(|(m, _)| m.as_str()).collect();
        if mains != expect.main {
            failures.push(format!("{rel}: expected {want}, reported {}", show(&got)));
            continue;
        }
        for (_, contributing) in &got {
            for req in expect.required {
                if !contributing.iter().any(|c| c == req) {
                    failures.push(format!("{rel}: missing contributing `{req}`"));
                }
            }
            for c in contributing {
                if !expect.required.contains(&c.as_str()) && !expect.allowed.contains(&c.as_str()) {
                    failures.push(format!("{rel}: `{c}` fires on another pattern's fixture"));
                }
            }
        }
    }
    let w0 = table.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let w1 = table.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for (f, e, r) in &table {
        println!("{f:<w0$}  {e:<w1$}  {r}");
    }
    assert!(checked > 60, "only {checked} fixtures checked");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// 40 dumps from one capture run (fixtures/README.md): 31 opposite-order upsert batches, two
/// `accounts` cycles (full and basic report), and one of each other scenario.
#[test]
fn the_error_log_is_diagnosed_dump_by_dump() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mariadb/error-log.txt");
    let got = reported("mariadb/error-log.txt", &read(&path));
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (main, _) in &got {
        *counts.entry(main.as_str()).or_default() += 1;
    }
    println!("error-log.txt: {counts:?}");
    let expected: BTreeMap<&str, usize> = [
        ("inconsistent-order", 34),
        ("delete-then-insert", 1),
        ("odku-supremum", 2),
        ("gap-then-insert", 1),
        ("unique-key-race", 1),
        ("fk-s-lock-upgrade", 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(counts, expected);
}

/// Every finding on every fixture is complete: a summary in prose, evidence in input order
/// pointing at real lines, a fix with a before/after sketch (except `unclassified`).
#[test]
fn every_finding_is_complete() {
    for (rel, path) in fixtures() {
        let text = read(&path);
        let lines = text.lines().count().max(1);
        let (deadlocks, _) = analyze_text(&rel, &text);
        for a in &deadlocks {
            for f in &a.findings {
                let at = format!("{rel} line {}: `{}`", a.deadlock.line, f.pattern);
                assert!(f.summary.len() > 80, "{at}: summary {:?}", f.summary);
                assert!(
                    f.summary.ends_with('.') || f.summary.ends_with(')'),
                    "{at}: summary is not prose: {:?}",
                    f.summary
                );
                assert!(!f.fix.is_empty(), "{at}: no fix");
                if f.pattern != "unclassified" {
                    assert!(
                        f.fix.contains("-- before") && f.fix.contains("-- after"),
                        "{at}: fix has no sketch"
                    );
                    assert!(!f.evidence.is_empty(), "{at}: no evidence");
                }
                let mut sorted = f.evidence.clone();
                sorted.sort_by_key(|e| e.line);
                assert_eq!(sorted, f.evidence, "{at}: evidence out of order");
                for e in &f.evidence {
                    assert!(e.line >= 1 && e.line <= lines, "{at}: line {}", e.line);
                    assert!(
                        !e.text.trim().is_empty(),
                        "{at}: empty evidence at line {}",
                        e.line
                    );
                }
            }
        }
    }
}

/// Prints every finding for the fixtures named in `LOCKSCOPE_SHOW` (comma-separated paths under
/// `fixtures/`), for reading the prose: `LOCKSCOPE_SHOW=public/001-….txt cargo test --test
/// catalogue show_findings -- --ignored --nocapture`.
#[test]
#[ignore]
fn show_findings() {
    let list = std::env::var("LOCKSCOPE_SHOW").unwrap_or_default();
    for rel in list.split(',').filter(|s| !s.is_empty()) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel);
        let (deadlocks, _) = analyze_text(rel, &read(&path));
        for a in deadlocks {
            println!("=== {rel} (line {})", a.deadlock.line);
            for f in &a.findings {
                println!(
                    "--- {} [{}]{}\n{}\n",
                    f.pattern,
                    f.confidence.as_str(),
                    if f.contributing { " contributing" } else { "" },
                    f.summary
                );
                for e in &f.evidence {
                    println!("  {:>4} | {}", e.line, e.text);
                }
                println!("\nfix:\n{}\n", f.fix);
            }
        }
    }
}
