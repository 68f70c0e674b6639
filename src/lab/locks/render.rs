//! `lab locks` output: per version of the statements, the locks under each isolation level
//! (one line per locked entry, the way `data_locks` lists them), then what changes between
//! levels and between `--before` and `--after`, then the words for the kinds of lock seen.

use std::collections::HashMap;
use std::fmt::Write;
use std::hash::Hash;

use super::read::{HeldLock, SUPREMUM};
use super::{GroupReport, LocksReport, Run, Source};
use crate::report::wrap;

pub fn json(report: &LocksReport) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

pub fn text(report: &LocksReport, width: usize) -> String {
    let width = width.clamp(40, 200);
    let mut out = String::new();
    let source = match (report.source, report.status_output_locks_was.as_deref()) {
        (Source::DataLocks, _) => "performance_schema.data_locks".to_string(),
        (Source::InnodbStatus, Some("OFF")) => "SHOW ENGINE INNODB STATUS, with \
             innodb_status_output_locks turned ON for the run and back OFF after"
            .to_string(),
        (Source::InnodbStatus, _) => "SHOW ENGINE INNODB STATUS".to_string(),
    };
    let head = format!(
        "Locks on {} ({}), scratch database `{}`; read from {source}.",
        report.version, report.server, report.database
    );
    push_wrapped(&mut out, &head, width, "");
    for group in &report.groups {
        out.push('\n');
        push_group(&mut out, group, width);
    }
    if let [before, after] = report.groups.as_slice() {
        for (b, a) in before.runs.iter().zip(&after.runs) {
            let title = format!("{}: before → after", b.isolation);
            push_changes(&mut out, &title, (&b.held.locks, &a.held.locks), width);
        }
    }
    push_legend(&mut out, report, width);
    out
}

fn push_wrapped(out: &mut String, text: &str, width: usize, indent: &str) {
    for line in wrap(text, width, indent, indent) {
        out.push_str(&line);
        out.push('\n');
    }
}

fn push_group(out: &mut String, group: &GroupReport, width: usize) {
    let title = match group.name {
        "statements" => String::new(),
        name => format!("{name}: "),
    };
    for (i, statement) in group.statements.iter().enumerate() {
        let lead = if i == 0 { title.as_str() } else { "" };
        for line in wrap(&format!("── {lead}{statement}"), width, "", "   ") {
            out.push_str(&line);
            out.push('\n');
        }
    }
    for run in &group.runs {
        out.push('\n');
        push_run(out, run, width);
    }
    for pair in group.runs.windows(2) {
        if let [a, b] = pair {
            let title = format!("{} → {}", a.isolation, b.isolation);
            push_changes(out, &title, (&a.held.locks, &b.held.locks), width);
        }
    }
}

fn push_run(out: &mut String, run: &Run, width: usize) {
    let locks = &run.held.locks;
    let gaps = locks.iter().filter(|l| l.blocks_inserts()).count();
    let mut head = format!("{}: {}", run.isolation, count(locks.len(), "lock"));
    if gaps > 0 {
        let _ = write!(head, ", {gaps} of them on a gap (inserts there wait)");
    }
    if run.held.truncated {
        let of = run
            .held
            .row_locks
            .map_or(String::new(), |n| format!(" of the {n} row locks"));
        let _ = write!(
            head,
            "; the server listed only these{of} (the monitor prints 10 lock structs per \
             transaction)"
        );
    }
    push_wrapped(out, &head, width, "");
    for error in &run.errors {
        let line = format!(
            "! `{}` failed: {}; the locks it took are kept until the rollback",
            short(&error.statement, 40),
            error.error
        );
        push_wrapped(out, &line, width, "  ");
    }
    if locks.is_empty() {
        out.push_str("  none: the statements read a snapshot or found nothing to lock\n");
        return;
    }
    let places: Vec<String> = locks.iter().map(place).collect();
    let modes: Vec<String> = locks.iter().map(mode).collect();
    let place_w = places.iter().map(|p| p.chars().count()).max().unwrap_or(0);
    let mode_w = modes.iter().map(|m| m.chars().count()).max().unwrap_or(0);
    let line = |i: usize, times: usize| {
        let (place, mode) = (&places[i], &modes[i]);
        let mut line = format!("  {place:place_w$}  {mode:mode_w$}");
        if let Some(key) = &locks[i].key {
            line.push_str("  ");
            line.push_str(key);
        }
        if times > 1 {
            let _ = write!(line, " (×{times}, one per page)");
        }
        line.truncate(line.trim_end().len());
        line.push('\n');
        line
    };
    // One block per index and lock, in the order they first appear, each entry once with how
    // many times it is locked; a scan locks one entry after another, so a long block shows
    // its first two entries and its last.
    let mut blocks: Ordered<(&str, &str), Block<'_>> = Ordered::new();
    for (i, lock) in locks.iter().enumerate() {
        let block = blocks.entry((&places[i], &modes[i]), Ordered::new);
        block.entry(lock.key.as_deref(), || (i, 0)).1 += 1;
    }
    for (_, block) in &blocks.items {
        let entries: Vec<(usize, usize)> = block.items.iter().map(|(_, e)| *e).collect();
        if entries.len() > RUN_SHOWN {
            for &(j, times) in entries.iter().take(2) {
                out.push_str(&line(j, times));
            }
            let (j, _) = entries[0];
            let gap = format!("{:w$}", "", w = place_w + 2);
            let _ = writeln!(out, "  {gap}… {} more {}", entries.len() - 3, modes[j]);
            if let Some(&(last, times)) = entries.last() {
                out.push_str(&line(last, times));
            }
        } else {
            for &(j, times) in &entries {
                out.push_str(&line(j, times));
            }
        }
    }
}

/// Items in the order first seen, found by key at once: a scan's thousands of locked entries
/// would make a search per entry quadratic.
struct Ordered<K, V> {
    index: HashMap<K, usize>,
    items: Vec<(K, V)>,
}

impl<K: Eq + Hash + Clone, V> Ordered<K, V> {
    fn new() -> Self {
        Ordered {
            index: HashMap::new(),
            items: Vec::new(),
        }
    }

    /// The value of `key`, made by `new` the first time.
    fn entry(&mut self, key: K, new: impl FnOnce() -> V) -> &mut V {
        let next = self.items.len();
        let k = *self.index.entry(key.clone()).or_insert(next);
        if k == next {
            self.items.push((key, new()));
        }
        &mut self.items[k].1
    }
}

/// A block's locked entries by key: where each is first listed, and how many times.
type Block<'a> = Ordered<Option<&'a str>, (usize, usize)>;

/// Runs of the same lock longer than this are shortened.
const RUN_SHOWN: usize = 5;

fn place(lock: &HeldLock) -> String {
    match &lock.index {
        Some(index) => format!("{}.{index}", lock.table),
        None => lock.table.clone(),
    }
}

fn mode(lock: &HeldLock) -> String {
    let waiting = if lock.waiting { " (waiting)" } else { "" };
    format!("{} {}{waiting}", lock.mode, lock.kind)
}

fn count(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        _ => format!("{n} {what}s"),
    }
}

fn short(text: &str, chars: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= chars {
        return one_line;
    }
    let mut s: String = one_line.chars().take(chars).collect();
    s.push('…');
    s
}

/// A locked entry: the table and index, and the key.
type Entry = (String, Option<String>);

/// What differs between two runs, per index: `X next-key → X record-only` on which entries,
/// `X gap → none`. One line when they hold the same locks.
fn push_changes(
    out: &mut String,
    title: &str,
    (from, to): (&[HeldLock], &[HeldLock]),
    width: usize,
) {
    // Each locked entry with its locks on either side, in the order first seen.
    let mut entries: Ordered<Entry, [Vec<String>; 2]> = Ordered::new();
    for (side, locks) in [from, to].into_iter().enumerate() {
        for lock in locks {
            let at = (place(lock), lock.key.clone());
            entries.entry(at, Default::default)[side].push(mode(lock));
        }
    }
    let side = |v: &[String]| {
        let mut kinds: Vec<String> = Vec::new();
        for mode in v {
            let times = v.iter().filter(|m| *m == mode).count();
            let shown = match times {
                1 => mode.clone(),
                n => format!("{mode} ×{n}"),
            };
            if !kinds.contains(&shown) {
                kinds.push(shown);
            }
        }
        match kinds.is_empty() {
            true => "none".to_string(),
            false => kinds.join(" + "),
        }
    };
    // The changed entries, grouped by index and change.
    let mut grouped: Ordered<(String, String), Vec<Option<String>>> = Ordered::new();
    for ((place, key), [a, b]) in entries.items {
        if a != b {
            let change = format!("{} → {}", side(&a), side(&b));
            grouped.entry((place, change), Vec::new).push(key);
        }
    }
    let changes = grouped.items;
    out.push('\n');
    if changes.is_empty() {
        let _ = writeln!(out, "{title}: the same locks");
        return;
    }
    let _ = writeln!(out, "{title}:");
    let described: Vec<(String, &str)> = changes
        .iter()
        .map(|((place, change), keys)| {
            let keys: Vec<&str> = keys.iter().flatten().map(String::as_str).collect();
            let at = match keys.as_slice() {
                [] => place.clone(),
                [key] => format!("{place} {key}"),
                [first, .., last] if keys.len() > 3 => {
                    format!("{place} {first} … {last} ({} entries)", keys.len())
                }
                _ => format!("{place} {}", keys.join("; ")),
            };
            (at, change.as_str())
        })
        .collect();
    let at_w = described
        .iter()
        .map(|c| c.0.chars().count())
        .max()
        .unwrap_or(0);
    let change_w = described
        .iter()
        .map(|c| c.1.chars().count())
        .max()
        .unwrap_or(0);
    let aligned = 2 + at_w + 2 + change_w <= width;
    for (at, change) in described {
        if aligned {
            let _ = writeln!(out, "  {at:at_w$}  {change}");
        } else {
            push_wrapped(out, &at, width, "  ");
            push_wrapped(out, change, width, "      ");
        }
    }
}

/// The words for each kind of lock that appears, once at the end.
fn push_legend(out: &mut String, report: &LocksReport, width: usize) {
    let all = || {
        report
            .groups
            .iter()
            .flat_map(|g| &g.runs)
            .flat_map(|r| &r.held.locks)
    };
    let seen = |kind: &str| all().any(|l| l.kind == kind && l.key.as_deref() != Some(SUPREMUM));
    let mut words = Vec::new();
    for (kind, meaning) in [
        ("next-key", "next-key: the entry and the gap before it"),
        (
            "gap",
            "gap: only the gap before the entry (blocks inserts there, not the entry)",
        ),
        ("record-only", "record-only: the entry alone"),
        (
            "insert-intention",
            "insert-intention: an insert waiting for the gap",
        ),
    ] {
        if seen(kind) {
            words.push(meaning);
        }
    }
    if all().any(|l| l.key.as_deref() == Some(SUPREMUM)) {
        words.push(
            "supremum: the gap after the last entry of a page (of the index, on its last \
             page: up to +infinity)",
        );
    }
    if all().any(|l| l.kind == "table" && l.mode.starts_with('I')) {
        words.push("IX/IS table: the intention to lock rows (blocks only LOCK TABLES and DDL)");
    }
    let inserts = report.groups.iter().flat_map(|g| &g.statements).any(|s| {
        let verb = s.split_whitespace().next().unwrap_or("");
        verb.eq_ignore_ascii_case("INSERT") || verb.eq_ignore_ascii_case("REPLACE")
    });
    if inserts {
        words.push(
            "a row an INSERT adds is locked implicitly (its DB_TRX_ID) and is not listed until \
             another transaction asks for it",
        );
    }
    if words.is_empty() {
        return;
    }
    out.push('\n');
    push_wrapped(out, &words.join(" · "), width, "");
}
