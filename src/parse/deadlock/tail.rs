//! The end of a report and the words around it: the victim line (`*** WE ROLL BACK
//! TRANSACTION (n)`) made honest, the time of the report, and the publishers' placeholders and
//! elisions that are warned about rather than read.

use crate::model::{Deadlock, Flavour, Victim};

/// MariaDB printed `(0)` (MDEV-29187): the victim is the one deadlocked transaction the
/// TRANSACTIONS section of the same output no longer lists (or shows rolling back).
pub(super) fn victim_from_survivors(d: &Deadlock, survivors: &[String]) -> Option<Victim> {
    let mut gone = d
        .transactions
        .iter()
        .filter(|t| !t.trx_id.is_empty() && !survivors.iter().any(|s| *s == t.trx_id.as_str()));
    let victim = gone.next()?;
    if gone.next().is_some() {
        return None;
    }
    Some(Victim {
        number: Some(victim.number),
        note: Some(format!(
            "inferred: MariaDB printed `(0)` (MDEV-29187); trx {} is the one deadlocked \
             transaction the TRANSACTIONS section of the same output no longer lists, so it was \
             rolled back",
            victim.trx_id
        )),
    })
}

/// `WE ROLL BACK TRANSACTION (n)` as printed, made honest: `(0)` is MDEV-29187, a TOO DEEP
/// report rolls back the one transaction it shows.
pub(super) fn victim(printed: Option<u32>, too_deep: bool, flavour: Flavour) -> Victim {
    match printed {
        _ if too_deep => Victim {
            number: Some(1),
            note: Some(
                "search too deep or long: InnoDB rolled back the transaction shown, without a \
                 proven cycle"
                    .to_string(),
            ),
        },
        Some(0) => Victim {
            number: None,
            note: Some(if flavour == Flavour::Mariadb106 {
                "MariaDB printed `(0)`: the victim number is unreliable in 10.6-10.8 builds \
                 (MDEV-29187); the TRANSACTIONS section shows which transaction survived"
                    .to_string()
            } else {
                "the report printed `(0)`: victim unknown".to_string()
            }),
        },
        Some(n) => Victim {
            number: Some(n),
            note: None,
        },
        None => Victim {
            number: None,
            note: Some("the report has no `WE ROLL BACK TRANSACTION` line".to_string()),
        },
    }
}

/// The date and time of a timestamp line or an error-log prefix, without the thread id that
/// follows: `2026-11-21  5:24:03 18 [Note] ` → `2026-11-21 5:24:03`, `120906  6:03:32` →
/// `120906 6:03:32`, `2023-07-14T10:46:34.123456Z 0 [Note] …` → its first word.
pub(super) fn log_time(stamp: &str) -> Option<String> {
    let mut words = stamp.split_whitespace();
    let first = words.next()?;
    if !first.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    // Byte tests and a plain join: this runs for every dump of an error log.
    let has = |w: &str, c: u8| w.bytes().any(|b| b == c);
    // `2021-11-1010:48:467f84bdac8700`: a copy lost the spaces.
    if first.len() >= 18
        && first.get(4..5) == Some("-")
        && first.get(10..11).is_some_and(|b| b != "T" && b != " ")
    {
        if let (Some(date), Some(clock)) = (first.get(..10), glued_clock(first.get(10..)?)) {
            return Some(format!("{date} {clock}"));
        }
    }
    if has(first, b'T') || has(first, b':') {
        return Some(first.to_string());
    }
    match words.next() {
        Some(time) if has(time, b':') => {
            let mut both = String::with_capacity(first.len() + 1 + time.len());
            both.push_str(first);
            both.push(' ');
            both.push_str(time);
            Some(both)
        }
        _ => Some(first.to_string()),
    }
}

/// `10:48:467f84bdac8700` → `10:48:46`; `None` unless a clock opens it.
fn glued_clock(rest: &str) -> Option<&str> {
    let hour = rest.bytes().take_while(u8::is_ascii_digit).count();
    let len = hour + 6;
    let clock = rest.get(..len)?;
    let b = clock.as_bytes();
    let ok = (1..=2).contains(&hour)
        && b.get(hour) == Some(&b':')
        && b.get(hour + 3) == Some(&b':')
        && [1, 2, 4, 5]
            .iter()
            .all(|k| b.get(hour + k).is_some_and(u8::is_ascii_digit));
    ok.then_some(clock)
}

/// A line made only of `<placeholder>` words: a publisher anonymised it (format-spec §10).
pub(super) fn is_placeholder(text: &str) -> bool {
    !text.is_empty()
        && text
            .split_whitespace()
            .all(|w| w.len() > 2 && w.starts_with('<') && w.ends_with('>'))
}

/// `...`, `…`, `(...)`, `-- 省略…`: a publisher removed text here (format-spec §10).
pub(super) fn is_elision(text: &str) -> bool {
    text.starts_with("...")
        || text.starts_with('…')
        || text.starts_with("(...)")
        || text.contains("省略")
}

/// A line that is only an elision mark (`...`, `………`): never part of a statement.
pub(super) fn is_bare_elision(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.chars().all(|c| c == '.' || c == '…') && (t.len() >= 3)
}

/// The op_info strings InnoDB sets (`trx->op_info`, format-spec §4.1), for joining a wrapped
/// `TRANSACTION` line.
pub(super) fn is_op_info(text: &str) -> bool {
    const OP_INFO: [&str; 16] = [
        "starting index read",
        "fetching rows",
        "inserting",
        "updating or deleting",
        "setting auto-inc lock",
        "estimating records in index range",
        "rollback",
        "rollback of SQL statement",
        "rollback to a savepoint",
        "committing",
        "preparing",
        "checking foreign keys",
        "setting table lock",
        "reading clustered index",
        "purging",
        "cleaning up",
    ];
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    OP_INFO.contains(&t.as_str())
}

pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", text.get(..end).unwrap_or(""))
}
