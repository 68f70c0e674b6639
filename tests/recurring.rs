//! Deadlock history (issue 23), through the binary: deadlocks grouped by shape on real logs,
//! shape ids that stay the same across runs, formats and versions, and the CI baseline.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn lockscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockscope"))
        .args(args)
        .env_remove("COLUMNS")
        .output()
        .unwrap()
}

fn summary_json(file: &Path) -> serde_json::Value {
    let out = lockscope(&[
        "analyze",
        "--summary",
        "--format",
        "json",
        file.to_str().unwrap(),
    ]);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn shapes(summary: &serde_json::Value) -> Vec<(String, u64)> {
    summary["by_shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["shape"].as_str().unwrap().to_string(),
                s["deadlocks"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_lab_error_log_is_eight_collisions() {
    // 40 dumps: 31 rounds of the opposite-order upsert batches, 2 of the accounts transfer,
    // one each of six other scenarios (fixtures/README.md).
    let summary = summary_json(&fixture("mariadb/error-log.txt"));
    let got = shapes(&summary);
    let counts: Vec<u64> = got.iter().map(|(_, n)| *n).collect();
    assert_eq!(counts, [31, 2, 2, 1, 1, 1, 1, 1]);
    // Pinned: a baseline written by any lockscope version keeps matching.
    assert_eq!(got[0].0, "4cefe88a98a9");
    assert_eq!(got[1].0, "0499326df581");
    let first = &summary["by_shape"][0];
    assert_eq!(first["pattern"], "inconsistent-order");
    assert_eq!(
        first["statements"][0],
        "insert into counters(name,hits) values(?+) on duplicate key update hits=hits+values(hits)"
    );
    assert_eq!(first["victims"][0]["count"], 31);
}

#[test]
fn the_long_lab_log_is_one_shape_per_collision() {
    // scripts/lab-log.sh: the broken path of the six deadlocking scenarios, 234 dumps. Each
    // scenario is one collision, except where its workers also closed a three-way cycle.
    let summary = summary_json(&fixture("mariadb/lab-long.error-log.txt"));
    assert_eq!(summary["deadlocks"], 234);
    let by_shape = summary["by_shape"].as_array().unwrap();
    let got: Vec<(&str, u64, u64)> = by_shape
        .iter()
        .map(|s| {
            (
                s["pattern"].as_str().unwrap(),
                s["transactions"].as_u64().unwrap(),
                s["deadlocks"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("odku-supremum", 2, 60),
            ("gap-then-insert", 2, 60),
            ("fk-s-lock-upgrade", 2, 41),
            ("delete-then-insert", 3, 20),
            ("delete-then-insert", 2, 20),
            ("inconsistent-order", 2, 17),
            ("unique-key-race", 2, 13),
            ("inconsistent-order", 3, 3),
        ]
    );
    assert_eq!(by_shape[0]["shape"], "24f04ae346d1");
    // The loser of every gap-then-insert is the insert.
    assert_eq!(
        by_shape[1]["victims"][0]["statement"],
        "insert into orders values(?+)"
    );
    assert_eq!(by_shape[1]["victims"][0]["count"], 60);
}

#[test]
fn a_status_capture_and_the_error_log_dump_of_one_collision_share_a_shape() {
    let status = shapes(&summary_json(&fixture(
        "mariadb/odku-concurrent-batches.status.txt",
    )));
    let log = shapes(&summary_json(&fixture("mariadb/error-log.txt")));
    assert_eq!(status.len(), 1);
    assert!(
        log.iter().any(|(id, _)| *id == status[0].0),
        "{status:?} in {log:?}"
    );
}

#[test]
fn the_text_summary_leads_with_the_shapes_and_fits_80_columns() {
    let file = fixture("mariadb/error-log.txt");
    let out = lockscope(&[
        "analyze",
        "--summary",
        "--width",
        "80",
        file.to_str().unwrap(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("8 shapes in 40 deadlocks"), "{text}");
    assert!(
        text.contains("#1 shape 4cefe88a98a9 · 31 deadlocks (78%) · inconsistent-order"),
        "{text}"
    );
    assert!(text.contains("← victim 31×"), "{text}");
    // Three in full, the other five by their first line: one screen.
    assert!(text.contains("   look at: "), "{text}");
    assert!(
        text.contains("\n#8 shape 4aea794adeac · 1 deadlock (3%) · inconsistent-order · 3 trx\n"),
        "{text}"
    );
    assert!(text.lines().count() <= 40, "{text}");
    assert!(text.contains("by pattern"), "{text}");
    assert!(!text.contains("by hour"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");

    let out = lockscope(&[
        "analyze",
        "--summary",
        "--by",
        "hour",
        file.to_str().unwrap(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("by hour") && !text.contains("#1 shape"),
        "{text}"
    );
    let out = lockscope(&[
        "analyze",
        "--summary",
        "--by",
        "shape",
        file.to_str().unwrap(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("#8 shape") && !text.contains("more shape"),
        "{text}"
    );
}

#[test]
fn ci_fails_only_on_shapes_the_baseline_does_not_know() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("recurring");
    std::fs::create_dir_all(&dir).unwrap();
    let log = fixture("mariadb/error-log.txt");
    let log = log.to_str().unwrap();

    // The accepted deadlocks: only the upsert batches.
    let known = dir.join("baseline.json");
    let out = lockscope(&[
        "analyze",
        "--summary",
        "--format",
        "json",
        fixture("mariadb/odku-concurrent-batches.status.txt")
            .to_str()
            .unwrap(),
    ]);
    std::fs::write(&known, out.stdout).unwrap();
    let out = lockscope(&[
        "analyze",
        "--baseline",
        known.to_str().unwrap(),
        "--fail-on",
        "new-shape",
        log,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("7 deadlock shape(s) not in the baseline"),
        "{err}"
    );
    assert!(
        err.contains("shape 0499326df581 (inconsistent-order) ×2, first at"),
        "{err}"
    );
    assert!(!err.contains("4cefe88a98a9"), "{err}");

    // Everything accepted (from the JSON document this time): exit 0.
    let all = dir.join("all.json");
    std::fs::write(
        &all,
        lockscope(&["analyze", "--format", "json", log]).stdout,
    )
    .unwrap();
    let out = lockscope(&[
        "analyze",
        "--baseline",
        all.to_str().unwrap(),
        "--fail-on",
        "new-shape",
        log,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Not a baseline: exit 2, the file named, never "no new shapes".
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "*** (1) TRANSACTION:\n").unwrap();
    let out = lockscope(&[
        "analyze",
        "--baseline",
        bad.to_str().unwrap(),
        "--fail-on",
        "new-shape",
        log,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("bad.json") && err.contains("not a lockscope baseline"),
        "{err}"
    );
    let out = lockscope(&["analyze", "--fail-on", "new-shape", log]);
    assert_eq!(out.status.code(), Some(2));
}
