//! Lock tables at incident scale (issue 21), through the real binary: a `data_locks` paste of
//! one big statement's locks and a queue of waiters behind it, with no `data_lock_waits`, is
//! answered in a screenful; JSON keeps the groups, and every row only when asked; a paste cut
//! off or mangled is read with a warning naming the line. Sizes here are small enough for a
//! test; `scripts/bench-locks.sh` runs the same generator at a million rows.

#[allow(dead_code)]
#[path = "../examples/gen_data_locks.rs"]
mod gen;

use std::path::{Path, PathBuf};
use std::process::Command;

fn paste(name: &str, shape: gen::Shape, rows: u64, waiters: u64) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scale");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let mut out = Vec::new();
    gen::generate(shape, rows, waiters, &mut out).unwrap();
    std::fs::write(&path, out).unwrap();
    path
}

fn lockscope(args: &[&str], file: &Path) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lockscope"))
        .args(["analyze", "--color", "never", "--width", "80"])
        .args(args)
        .arg(file)
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_big_statement_and_its_queue_fit_a_screen_in_every_shape() {
    for (name, shape) in [
        ("boxed.txt", gen::Shape::Boxed),
        ("vertical.txt", gen::Shape::Vertical),
        ("batch.txt", gen::Shape::Batch),
    ] {
        // Vertical pastes are ~10 lines a row: enough rows that the splitter hands the table
        // on in several pieces.
        let file = paste(name, shape, 30_000, 40);
        let (text, warnings) = lockscope(&[], &file);
        assert_eq!(warnings, "", "{name}");
        assert!(text.lines().count() <= 60, "{name}: {text}");
        assert!(
            text.contains("lock waits: 40 waiting, 1 head blocker(s)"),
            "{name}: {text}"
        );
        assert!(
            text.contains("head blocker of 40 waiting"),
            "{name}: {text}"
        );
        assert!(text.contains("… and 35 more waiting"), "{name}: {text}");
        assert!(
            text.contains("holds X next-key locks on 29,919 records of\n    `shop`.`orders`"),
            "{name}: {text}"
        );
        assert!(
            text.contains("finding: bulk-lock-holder (high confidence)"),
            "{name}: {text}"
        );
        assert!(text.contains("40 of them inferred"), "{name}: {text}");
    }
}

#[test]
fn json_has_the_groups_and_every_row_only_when_asked() {
    let file = paste("json.txt", gen::Shape::Batch, 5_000, 10);
    let (json, _) = lockscope(&["--format", "json"], &file);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(doc.get("lock_rows").is_none());
    let groups = doc["locks"].as_array().unwrap();
    let rows: u64 = groups.iter().map(|g| g["count"].as_u64().unwrap()).sum();
    assert_eq!(rows, 5_000);
    assert!(groups.len() < 30, "{} groups", groups.len());
    assert_eq!(doc["lock_waits"].as_array().unwrap().len(), 10);

    let (json, _) = lockscope(&["--format", "json", "--all-locks"], &file);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["lock_rows"].as_array().unwrap().len(), 5_000);

    let (jsonl, _) = lockscope(&["--format", "jsonl", "--all-locks"], &file);
    let lines = jsonl
        .lines()
        .filter(|l| l.starts_with("{\"type\":\"lock_row\""))
        .count();
    assert_eq!(lines, 5_000);
}

#[test]
fn a_paste_cut_mid_row_warns_once_and_reads_the_rest() {
    let whole = paste("whole.txt", gen::Shape::Boxed, 2_000, 5);
    let text = std::fs::read_to_string(&whole).unwrap();
    // The scrollback kept the first 1,500 lines and half of the next.
    let cut: String = text
        .lines()
        .take(1_500)
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + &text.lines().nth(1_500).unwrap()[..60];
    let file = whole.with_file_name("cut.txt");
    std::fs::write(&file, cut).unwrap();
    let (out, warnings) = lockscope(&[], &file);
    assert_eq!(warnings.matches("warning:").count(), 1, "{warnings}");
    assert!(warnings.contains("row cut off"), "{warnings}");
    assert!(warnings.contains("cut.txt:1501"), "{warnings}");
    assert!(
        out.contains("locks in the lock tables: 1,496 rows"),
        "{out}"
    );
}

#[test]
fn rows_of_another_width_and_rows_missing_fields_are_named() {
    let whole = paste("width.txt", gen::Shape::Batch, 500, 3);
    let text = std::fs::read_to_string(&whole).unwrap();
    let mangled: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 99 { l.replacen("INNODB\t", "", 1) } else { l.to_string() } + "\n")
        .collect();
    std::fs::write(&whole, mangled).unwrap();
    let (out, warnings) = lockscope(&[], &whole);
    assert!(
        warnings.contains("row has 14 cells, the header 15"),
        "{warnings}"
    );
    assert!(warnings.contains("width.txt:100"), "{warnings}");
    assert!(out.contains("499 rows"), "{out}");

    let whole = paste("missing.txt", gen::Shape::Vertical, 500, 3);
    let text = std::fs::read_to_string(&whole).unwrap();
    let mut seen = 0;
    let mangled: String = text
        .lines()
        .filter(|l| {
            seen += usize::from(l.contains("LOCK_STATUS:"));
            !(seen == 100 && l.contains("LOCK_STATUS:"))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&whole, mangled).unwrap();
    let (out, warnings) = lockscope(&[], &whole);
    assert!(warnings.contains("row lacks `LOCK_STATUS`"), "{warnings}");
    assert_eq!(warnings.matches("warning:").count(), 1, "{warnings}");
    assert!(out.contains("500 rows"), "{out}");
}
