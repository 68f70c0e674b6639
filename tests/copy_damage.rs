//! The damage a copy does on its way to a ticket, applied to every real report and lock table
//! of the corpus: Windows line ends, a reply's `> ` quote, an indented code block, padded line
//! ends, a web page's no-break spaces, a code fence, tabs for indentation, a blog's blank line
//! after every line, an HTML source's `<br>`, a Windows editor's byte-order mark, a terminal's
//! hard wrap at 80 columns (mid-word, every piece a line), a mail client's wrap at 76 (between
//! words, the space taken). Each damaged copy
//! must read as its original: the same deadlocks, transactions and first pattern, and the same
//! lock waits and lock-wait findings. (A copy damaged twice, a numbered copy numbered again, is
//! out of scope: see the exceptions.)

use std::path::{Path, PathBuf};

use lockscope::analyze_text_fully;

type Damage = (&'static str, fn(&str) -> String);

const DAMAGE: &[Damage] = &[
    ("crlf", |t| t.replace('\n', "\r\n")),
    ("quoted", |t| {
        t.lines().map(|l| format!("> {l}\n")).collect()
    }),
    ("indented", |t| {
        t.lines().map(|l| format!("    {l}\n")).collect()
    }),
    ("padded", |t| {
        t.lines().map(|l| format!("{l}   \n")).collect()
    }),
    ("no-break spaces", |t| t.replace(' ', "\u{a0}")),
    ("fenced", |t| format!("```\n{t}\n```\n")),
    ("tabs", |t| t.lines().map(tab_indented).collect()),
    ("blank lines between", |t| {
        t.lines().map(|l| format!("{l}\n\n")).collect()
    }),
    ("html line breaks", |t| {
        t.lines().map(|l| format!("{l}<br>\n")).collect()
    }),
    ("byte-order mark", |t| format!("\u{feff}{t}")),
    ("hard wrap at 80 columns", |t| {
        t.lines().map(hard_wrapped).collect()
    }),
    ("mail wrap at 76 columns", |t| {
        t.lines().map(mail_wrapped).collect()
    }),
];

/// Copies already damaged by their publisher that a second wrapper breaks: (file prefix,
/// damage, why).
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "036-",
        "blank lines between",
        "a blank line does not carry the ` * ` of its copy",
    ),
    (
        "037-",
        "blank lines between",
        "a blank line does not carry the `-- ` of its copy",
    ),
    (
        "d-009",
        "blank lines between",
        "a blank line does not carry the `//\\t` of its copy",
    ),
    (
        "b-010",
        "blank lines between",
        "numbered: a blank line between numbered lines",
    ),
    (
        "b-011",
        "html line breaks",
        "numbered: the tag after the number's line",
    ),
    (
        "014-",
        "blank lines between",
        "a comment between rows and the blanks around it: more than a gap",
    ),
    (
        "d-009",
        "quoted",
        "every line is already commented out with `//\\t`",
    ),
    (
        "036-",
        "quoted",
        "every line is already in a block comment (` * `)",
    ),
    (
        "037-",
        "quoted",
        "every line is already an SQL comment (`-- `)",
    ),
    (
        "d-013",
        "indented",
        "an excerpt of lock lines only, no heading: indented, nothing starts a copy",
    ),
    (
        "a-005",
        "hard wrap at 80 columns",
        "the whole report is one line of `\\n` escapes: its pieces are no report's lines",
    ),
    (
        "a-014",
        "hard wrap at 80 columns",
        "lines the publisher ran together, then cut: the cuts are inside no line the server printed",
    ),
    (
        "b-020",
        "hard wrap at 80 columns",
        "newlines the publisher lost, then cut: likewise",
    ),
    (
        "d-007",
        "hard wrap at 80 columns",
        "every space doubled, then cut: halving the spaces moves every cut off the width",
    ),
    (
        "d-009",
        "hard wrap at 80 columns",
        "every line commented out with `//\\t`: a cut piece has no `//`, which ends the comment",
    ),
    (
        "018-",
        "hard wrap at 80 columns",
        "tab-separated: a terminal counts a tab as up to 8 columns, this damage as one",
    ),
    (
        "076-",
        "hard wrap at 80 columns",
        "a markdown row cut just before a `|`: its tail starts like a row of its own",
    ),
    (
        "a-005",
        "mail wrap at 76 columns",
        "the whole report is one line of `\\n` escapes",
    ),
    (
        "a-014",
        "mail wrap at 76 columns",
        "lines the publisher ran together, then broken",
    ),
    ("b-020", "mail wrap at 76 columns", "likewise"),
    (
        "d-009",
        "mail wrap at 76 columns",
        "every line commented out with `//\\t`: a broken-off piece has no `//`",
    ),
];

/// A terminal's hard wrap: the line cut every 80 characters, mid-word.
fn hard_wrapped(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    if chars.is_empty() {
        return "\n".to_string();
    }
    chars
        .chunks(80)
        .map(|piece| piece.iter().collect::<String>() + "\n")
        .collect()
}

/// A mail client's wrap: words moved to the next line once the line would pass 76 characters,
/// the space between taken.
fn mail_wrapped(line: &str) -> String {
    let mut out = String::new();
    let mut row = String::new();
    for word in line.split(' ') {
        if !row.is_empty() && row.chars().count() + 1 + word.chars().count() > 76 {
            out.push_str(&row);
            out.push('\n');
            row.clear();
        } else if !row.is_empty() {
            row.push(' ');
        }
        row.push_str(word);
    }
    out + &row + "\n"
}

/// An editor's tabs for the leading spaces, four to a tab.
fn tab_indented(line: &str) -> String {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    format!(
        "{}{}{}\n",
        "\t".repeat(spaces / 4),
        " ".repeat(spaces % 4),
        &line[spaces..]
    )
}

fn is_markdown_table(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        t.starts_with('|') && t.contains("---") && t.chars().all(|c| "|-: ".contains(c))
    })
}

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    out.sort();
    out
}

/// The text without the fixture's own provenance comments.
fn body(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap())
        .lines()
        .filter(|l| !l.starts_with("# origin") && !l.starts_with("# See"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// What a reader of the report takes away from it.
fn reading(name: &str, text: &str) -> String {
    let (sink, _) = analyze_text_fully(name, text);
    let deadlocks: Vec<String> = sink
        .deadlocks
        .iter()
        .map(|a| {
            let first = a.findings.first().map_or("-", |f| f.pattern);
            format!("{} trx, {first}", a.deadlock.transactions.len())
        })
        .collect();
    let findings: Vec<&str> = sink.lock_waits.findings.iter().map(|f| f.pattern).collect();
    format!(
        "deadlocks {deadlocks:?}; lock waits {}; findings {findings:?}",
        sink.lock_waits.waits.len()
    )
}

#[test]
fn a_damaged_copy_reads_as_its_original() {
    let mut wrong = Vec::new();
    let mut read = 0;
    for path in files("fixtures/labelled")
        .into_iter()
        .chain(files("fixtures/lock-tables/public"))
    {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = body(&path);
        let original = reading(&name, &text);
        for (damage, apply) in DAMAGE {
            if EXCEPTIONS
                .iter()
                .any(|(prefix, d, _)| name.starts_with(prefix) && d == damage)
            {
                continue;
            }
            // Markdown's own rule: a blank line ends a table, so its source never has them.
            if *damage == "blank lines between" && is_markdown_table(&text) {
                continue;
            }
            // A mail client breaks a wide table's rows between any two cells: a piece that
            // starts with a `|` reads as a row of its own. Reports only.
            if *damage == "mail wrap at 76 columns"
                && path.to_string_lossy().contains("lock-tables")
            {
                continue;
            }
            read += 1;
            let copy = reading(&name, &apply(&text));
            if copy != original {
                wrong.push(format!(
                    "{name}, {damage}:\n  original {original}\n  copy     {copy}"
                ));
            }
        }
    }
    assert!(read > 1500, "only {read} copies read");
    assert!(
        wrong.is_empty(),
        "{} copies read differently:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
