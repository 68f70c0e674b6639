//! The first lines of a transaction block (`trx_print_low`, format-spec §4.1–§4.2): the
//! `TRANSACTION …` line, `mysql tables in use …` and the lock-struct counters.

use super::atoms::{contains, is_placeholder, number, phrase, sep, single_spaced, Plain, Res};
use super::line::{Counters, TrxLine};
use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_till1, take_while1};
use nom::character::complete::{char, digit1, space0, space1};
use nom::combinator::{eof, opt, peek, recognize, verify};
use nom::sequence::{delimited, preceded, terminated};
use nom::Parser;

// 0 3793488                (5.0 / 5.1: high and low 32 bits)
// 3BF88F886 | 47           (5.5 hex, 5.6+ decimal)
// (0x7f53c3a02230)         (MariaDB, id 0)
// <trx_1>                  (publisher's placeholder)
fn trx_id(i: &str) -> Res<'_, &str> {
    alt((
        terminated(
            recognize((digit1, char(' '), digit1)),
            peek(alt((tag(","), eof))),
        ),
        recognize(delimited(
            char('('),
            take_while1(|c: char| c.is_ascii_alphanumeric()),
            char(')'),
        )),
        verify(
            take_till1(|c: char| c == ',' || c.is_whitespace()),
            |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit()) || is_placeholder(s),
        ),
    ))
    .parse(i)
}

// ACTIVE 3 sec | ACTIVE (PREPARED) 3 sec
fn active(i: &str) -> Res<'_, (&str, Option<u64>)> {
    (
        alt((
            phrase("ACTIVE (PREPARED)").map(|_| "ACTIVE (PREPARED)"),
            tag("ACTIVE"),
        )),
        opt(delimited(space1, number, opt((space1, tag("sec"))))),
    )
        .parse(i)
}

// not started | COMMITTED IN MEMORY | forced rollback[ done] | state 4 | ACTIVE … | <anything up to `,`>
fn state(i: &str) -> Res<'_, (&str, Option<u64>)> {
    alt((
        active,
        alt((
            phrase("not started").map(|_| "not started"),
            phrase("COMMITTED IN MEMORY").map(|_| "COMMITTED IN MEMORY"),
            phrase("forced rollback done").map(|_| "forced rollback done"),
            phrase("forced rollback").map(|_| "forced rollback"),
            recognize((tag("state"), space1, digit1)),
            take_till(|c: char| c == ','),
        ))
        .map(|s: &str| (s.trim_end(), None)),
    ))
    .parse(i)
}

// , process no 5488, OS thread id 1141287232      (5.0 / 5.1, after the state)
fn process_and_thread(i: &str) -> Res<'_, ()> {
    (
        opt(preceded(sep, (phrase("process no"), space1, digit1))),
        opt(preceded(sep, (phrase("OS thread id"), space1, digit1))),
    )
        .map(|_| ())
        .parse(i)
}

// XID X'6472…',X'5f5f…',1         (PolarDB-X / RDS: the XA transaction's XID after the id)
fn xid(i: &str) -> Res<'_, ()> {
    let hex = || {
        delimited(
            tag("X'"),
            take_while1(|c: char| c.is_ascii_hexdigit()),
            char('\''),
        )
    };
    (
        tag("XID"),
        space1,
        hex(),
        char(','),
        opt(hex()),
        char(','),
        opt(char('-')),
        digit1,
    )
        .map(|_| ())
        .parse(i)
}

// TRANSACTION <id>[, XID …], <state>[ <op_info>][ recovered trx][, thread declared inside InnoDB <N>]
// ---TRANSACTION <id>, <state>…                    (the TRANSACTIONS list, §5)
fn transaction(i: &str) -> Res<'_, TrxLine> {
    let (i, _) = (opt(tag("---")), tag("TRANSACTION"), space1).parse(i)?;
    let (i, id) = trx_id(i)?;
    let (i, _) = opt(preceded((space0, char(','), space0), xid)).parse(i)?;
    let (i, state) = opt(preceded((space0, char(','), space0), state)).parse(i)?;
    let (i, _) = process_and_thread(i)?;
    let (i, op) = take_till(|c: char| c == ',')(i)?;
    let op = without_note(op).trim();
    let op = op.strip_suffix("recovered trx").unwrap_or(op).trim_end();
    let (state, active_secs) = state.unwrap_or(("", None));
    Ok((
        i,
        TrxLine {
            trx_id: id.into(),
            state: state.into(),
            active_secs,
            op_info: (!op.is_empty()).then(|| single_spaced(op)),
        },
    ))
}

/// An op_info without the note a publisher wrote after it (`starting index read # session
/// B`, `inserting -- T2`, `fetching rows // A`): no op_info InnoDB sets holds `#`, `--` or `//`.
fn without_note(op: &str) -> &str {
    let at = ["#", " --", "//"]
        .iter()
        .filter_map(|m| op.find(m))
        .min()
        .unwrap_or(op.len());
    op.get(..at).unwrap_or(op)
}

/// Reads a `TRANSACTION …` or `---TRANSACTION …` line (already trimmed).
pub(super) fn trx_line(line: &str) -> Option<TrxLine> {
    plain_transaction(line).or_else(|| transaction(line).ok().map(|(_, t)| t))
}

/// [`transaction`] by hand for the deadlock report's usual line (a hex or decimal id, an
/// `ACTIVE N sec` state, a lowercase op_info); `None` for any other shape.
// TRANSACTION 47, ACTIVE 1 sec fetching rows
pub(super) fn plain_transaction(line: &str) -> Option<TrxLine> {
    let mut p = Plain(line);
    p.tag("TRANSACTION ")?;
    let id = p.word().and_then(|w| w.strip_suffix(','))?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    p.tag(" ACTIVE ")?;
    let active_secs = p.number()?;
    p.tag(" sec")?;
    let op = match p.0 {
        "" => None,
        rest => {
            let op = rest.strip_prefix(' ')?;
            let words = |b: u8| b.is_ascii_lowercase() || b == b' ' || b == b'-';
            let plain = op.bytes().all(words)
                && !op.is_empty()
                && !op.ends_with(' ')
                && !contains(op, "  ")
                && !op.starts_with("process no")
                && !contains(op, "recovered");
            if !plain {
                return None;
            }
            Some(op.into())
        }
    };
    Some(TrxLine {
        trx_id: id.into(),
        state: "ACTIVE".into(),
        active_secs: Some(active_secs),
        op_info: op,
    })
}

// mysql tables in use 1, locked 1
// mysql tables in use 1locked 1          (lost `, `, seed 002)
fn tables_in_use(i: &str) -> Res<'_, (u64, u64)> {
    (
        preceded((phrase("mysql tables in use"), space1), number),
        preceded((sep, tag("locked"), space1), number),
    )
        .parse(i)
}

/// Reads `mysql tables in use N, locked N` into `(in_use, locked)`.
pub(super) fn tables_in_use_line(line: &str) -> Option<(u64, u64)> {
    tables_in_use(line).ok().map(|(_, t)| t)
}

// LOCK WAIT | ROLLING BACK | COMMITTING | que state <N>      (before the count)
fn trx_que_state(i: &str) -> Res<'_, bool> {
    alt((
        phrase("LOCK WAIT").map(|_| true),
        alt((
            phrase("ROLLING BACK"),
            tag("COMMITTING"),
            recognize((phrase("que state"), space1, digit1)),
        ))
        .map(|_| false),
    ))
    .parse(i)
}

/// Splits `113658` from `heap size 113658 row lock(s)` (the `, ` lost in a copy, seed 002) into
/// heap size and row locks: heap sizes are multiples of 8 (mem_heap blocks are 8-aligned) and at
/// least 320 in every sample, so take the shortest such prefix. `None` when no split fits.
fn split_glued_heap(digits: &str) -> Option<(u64, u64)> {
    (3..digits.len()).find_map(|k| {
        let (head, tail) = (digits.get(..k)?, digits.get(k..)?);
        let heap: u64 = head.parse().ok()?;
        let rows: u64 = tail.parse().ok()?;
        let plausible = heap >= 320 && heap % 8 == 0 && (tail == "0" || !tail.starts_with('0'));
        plausible.then_some((heap, rows))
    })
}

// heap size 1128, 43 row lock(s)
// heap size 113658 row lock(s)           (lost `, `)
fn heap_and_rows(i: &str) -> Res<'_, (Option<u64>, Option<u64>)> {
    let (i, digits) = preceded((phrase("heap size"), space1), digit1).parse(i)?;
    let glued: Res<'_, _> = (space1, phrase("row lock")).parse(i);
    if let Ok((rest, _)) = glued {
        let (heap, rows) = split_glued_heap(digits).unzip();
        let (rest, _) = take_till(|c: char| c == ',')(rest)?;
        return Ok((rest, (heap, rows)));
    }
    let heap = digits.parse().ok();
    let (i, rows) = opt(preceded(
        sep,
        terminated(number, (space1, phrase("row lock"))),
    ))
    .parse(i)?;
    let (i, _) = take_till(|c: char| c == ',')(i)?;
    Ok((i, (heap, rows)))
}

// [LOCK WAIT ]<N> lock struct(s), heap size <N>, <N> row lock(s)[, holds adaptive hash latch][, undo log entries <N>]
// LOCK WAIT 4 lock struct(s), heap size 1216                         (5.0: no row-lock count)
// 3 lock struct(s), heap size 368, undo log entries 1                 (5.0)
fn counters(i: &str) -> Res<'_, Counters> {
    let (i, lock_wait) = opt(terminated(trx_que_state, space0)).parse(i)?;
    let (i, lock_structs) = terminated(number, (space1, phrase("lock struct"))).parse(i)?;
    let (i, _) = take_till(|c: char| c == ',' || c == ' ')(i)?;
    let (i, heap) = opt(preceded(sep, heap_and_rows)).parse(i)?;
    let (i, _) = opt(preceded(sep, phrase("holds adaptive hash latch"))).parse(i)?;
    let (i, undo) = opt(preceded((sep, phrase("undo log entries"), space1), number)).parse(i)?;
    let (heap_size, row_locks) = heap.unwrap_or((None, None));
    Ok((
        i,
        Counters {
            lock_wait: lock_wait.unwrap_or(false),
            lock_structs: Some(lock_structs),
            heap_size,
            row_locks,
            undo_entries: undo,
        },
    ))
}

/// Reads the lock-struct counters line.
pub(super) fn counters_line(line: &str) -> Option<Counters> {
    plain_counters(line).or_else(|| counters(line).ok().map(|(_, c)| c))
}

/// [`counters`] by hand for the line as 5.1+ and MariaDB print it; `None` for any other shape.
// LOCK WAIT 3 lock struct(s), heap size 1128, 2 row lock(s), undo log entries 1
fn plain_counters(line: &str) -> Option<Counters> {
    let mut p = Plain(line);
    let lock_wait = p.tag("LOCK WAIT ").is_some();
    let lock_structs = p.number()?;
    p.tag(" lock struct(s), heap size ")?;
    let heap_size = p.number()?;
    p.tag(", ")?;
    let row_locks = p.number()?;
    p.tag(" row lock(s)")?;
    let undo_entries = match p.is_empty() {
        true => None,
        false => {
            p.tag(", undo log entries ")?;
            let n = p.number()?;
            if !p.is_empty() {
                return None;
            }
            Some(n)
        }
    };
    Some(Counters {
        lock_wait,
        lock_structs: Some(lock_structs),
        heap_size: Some(heap_size),
        row_locks: Some(row_locks),
        undo_entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_counters_lines_read_as_the_production_reads_them() {
        // The whole line: it starts with `LOCK WAIT` or the count.
        let lines: Vec<String> = crate::parse::test_util::fixture_lines("lock struct(s)")
            .into_iter()
            .chain(crate::parse::test_util::fixture_lines("LOCK WAIT"))
            .collect();
        let whole: Vec<String> = crate::parse::test_util::fixture_lines("")
            .into_iter()
            .map(|l| l.trim_start_matches(['|', ' ']).to_string())
            .filter(|l| l.contains("lock struct(s)"))
            .chain(lines)
            .collect();
        let n = crate::parse::test_util::assert_fast_path_agrees_on(&whole, plain_counters, |s| {
            counters(s).ok().map(|(_, c)| c)
        });
        assert!(n > 50, "the fast path read only {n} fixture lines");
    }

    #[test]
    fn plain_transaction_lines_read_as_the_production_reads_them() {
        let n = crate::parse::test_util::assert_fast_path_agrees(
            "TRANSACTION ",
            plain_transaction,
            |s| transaction(s).ok().map(|(_, t)| t),
        );
        assert!(n > 100, "the fast path read only {n} fixture lines");
    }
    use crate::parse::test_util::assert_prefixes_safe;

    fn trx(id: &str, state: &str, secs: Option<u64>, op: Option<&str>) -> Option<TrxLine> {
        Some(TrxLine {
            trx_id: id.into(),
            state: state.into(),
            active_secs: secs,
            op_info: op.map(Into::into),
        })
    }

    #[test]
    fn transaction_lines() {
        let cases = [
            (
                "TRANSACTION 47, ACTIVE 1 sec fetching rows",
                trx("47", "ACTIVE", Some(1), Some("fetching rows")),
            ),
            (
                "TRANSACTION 0 3793488, ACTIVE 2 sec, process no 5488, OS thread id 1141287232 starting index read",
                trx("0 3793488", "ACTIVE", Some(2), Some("starting index read")),
            ),
            (
                "TRANSACTION 0 3793489, ACTIVE 2 sec, process no 5488, OS thread id 1141422400 starting index read, thread declared inside InnoDB 500",
                trx("0 3793489", "ACTIVE", Some(2), Some("starting index read")),
            ),
            (
                "---TRANSACTION 0 0, not started, process no 5488, OS thread id 1141152064",
                trx("0 0", "not started", None, None),
            ),
            // See: fixtures/shapes/source-literal-01-java-polardbx-xa-xid-for-update.txt
            (
                "TRANSACTION 44064285, XID X'6472',X'5f5f',1, ACTIVE 5 sec starting index read",
                trx("44064285", "ACTIVE", Some(5), Some("starting index read")),
            ),
            (
                "TRANSACTION 3BF88F886, ACTIVE 0 sec setting auto-inc lock",
                trx("3BF88F886", "ACTIVE", Some(0), Some("setting auto-inc lock")),
            ),
            // A publisher's note after the op_info is not part of it.
            (
                "TRANSACTION 2079, ACTIVE 9 sec starting index read # session B",
                trx("2079", "ACTIVE", Some(9), Some("starting index read")),
            ),
            (
                "TRANSACTION 2079, ACTIVE 9 sec inserting -- T2, thread declared inside InnoDB 1",
                trx("2079", "ACTIVE", Some(9), Some("inserting")),
            ),
            (
                "TRANSACTION 1E7CE0399, ACTIVE 1222 sec fetching rows, thread declared inside InnoDB 272",
                trx("1E7CE0399", "ACTIVE", Some(1222), Some("fetching rows")),
            ),
            (
                "TRANSACTION 239661, ACTIVE 0 sec updating or deleting, thread declared inside InnoDB 4999",
                trx("239661", "ACTIVE", Some(0), Some("updating or deleting")),
            ),
            (
                "TRANSACTION (0x7f53c3a02230), ACTIVE 3 sec",
                trx("(0x7f53c3a02230)", "ACTIVE", Some(3), None),
            ),
            (
                "---TRANSACTION (0x7fa6c77da680), not started",
                trx("(0x7fa6c77da680)", "not started", None, None),
            ),
            (
                "---TRANSACTION 421291106147544, not started",
                trx("421291106147544", "not started", None, None),
            ),
            (
                "TRANSACTION 12345, ACTIVE 5 sec",
                trx("12345", "ACTIVE", Some(5), None),
            ),
            (
                "TRANSACTION 5, ACTIVE (PREPARED) 3 sec committing",
                trx("5", "ACTIVE (PREPARED)", Some(3), Some("committing")),
            ),
            (
                "TRANSACTION 5, COMMITTED IN MEMORY",
                trx("5", "COMMITTED IN MEMORY", None, None),
            ),
            (
                "TRANSACTION 5, forced rollback",
                trx("5", "forced rollback", None, None),
            ),
            (
                "TRANSACTION 5, forced rollback done",
                trx("5", "forced rollback done", None, None),
            ),
            ("TRANSACTION 5, state 4", trx("5", "state 4", None, None)),
            (
                "TRANSACTION 5,\tnot  started",
                trx("5", "not started", None, None),
            ),
            (
                "TRANSACTION 5, ACTIVE 9 sec rollback recovered trx",
                trx("5", "ACTIVE", Some(9), Some("rollback")),
            ),
            (
                "TRANSACTION <trx_1>, ACTIVE 0 sec inserting",
                trx("<trx_1>", "ACTIVE", Some(0), Some("inserting")),
            ),
            ("TRANSACTION 12345", trx("12345", "", None, None)),
            ("TRANSACTION ISOLATION LEVEL READ COMMITTED", None),
            ("TRANSACTIONS", None),
            ("TRANSACTION", None),
        ];
        for (input, expected) in cases {
            assert_eq!(trx_line(input), expected, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = trx_line(s);
            });
        }
    }

    #[test]
    fn tables_in_use_lines() {
        let cases = [
            ("mysql tables in use 1, locked 1", Some((1, 1))),
            ("mysql tables in use 2, locked 0", Some((2, 0))),
            ("mysql tables in use 1locked 1", Some((1, 1))),
            ("mysql tables in use 1", None),
            ("mysql tables", None),
        ];
        for (input, expected) in cases {
            assert_eq!(tables_in_use_line(input), expected, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = tables_in_use_line(s);
            });
        }
    }

    fn ctr(
        lock_wait: bool,
        structs: u64,
        heap: Option<u64>,
        rows: Option<u64>,
        undo: Option<u64>,
    ) -> Option<Counters> {
        Some(Counters {
            lock_wait,
            lock_structs: Some(structs),
            heap_size: heap,
            row_locks: rows,
            undo_entries: undo,
        })
    }

    #[test]
    fn counters_lines() {
        let cases = [
            (
                "LOCK WAIT 7 lock struct(s), heap size 1128, 43 row lock(s), undo log entries 17",
                ctr(true, 7, Some(1128), Some(43), Some(17)),
            ),
            (
                "LOCK WAIT 3 lock struct(s), heap size 1128, 2 row lock(s), undo log entries 1",
                ctr(true, 3, Some(1128), Some(2), Some(1)),
            ),
            (
                "0 lock struct(s), heap size 1128, 0 row lock(s)",
                ctr(false, 0, Some(1128), Some(0), None),
            ),
            (
                "1 lock struct(s), heap size 376, 0 row lock(s)",
                ctr(false, 1, Some(376), Some(0), None),
            ),
            (
                "LOCK WAIT 4 lock struct(s), heap size 1216",
                ctr(true, 4, Some(1216), None, None),
            ),
            (
                "3 lock struct(s), heap size 368, undo log entries 1",
                ctr(false, 3, Some(368), None, Some(1)),
            ),
            (
                "LOCK WAIT 18 lock struct(s), heap size 113658 row lock(s), undo log entries 41",
                ctr(true, 18, Some(1136), Some(58), Some(41)),
            ),
            (
                "7 lock struct(s), heap size 11363 row lock(s), undo log entries 4",
                ctr(false, 7, Some(1136), Some(3), Some(4)),
            ),
            (
                "ROLLING BACK 2 lock struct(s), heap size 1136, 1 row lock(s), holds adaptive hash latch, undo log entries 3",
                ctr(false, 2, Some(1136), Some(1), Some(3)),
            ),
            (
                "que state 3 2 lock struct(s), heap size 1136, 1 row lock(s)",
                ctr(false, 2, Some(1136), Some(1), None),
            ),
            ("5 lock struct(s)", ctr(false, 5, None, None, None)),
            ("5 lock", None),
            ("LOCK WAIT", None),
            ("Total number of lock structs in row lock hash table 0", None),
        ];
        for (input, expected) in cases {
            assert_eq!(counters_line(input), expected, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = counters_line(s);
            });
        }
    }

    #[test]
    fn glued_heap_split() {
        let cases = [
            ("113658", Some((1136, 58))),
            ("11363", Some((1136, 3))),
            ("3760", Some((376, 0))),
            ("1136010", Some((11360, 10))),
            ("1000", None),
            ("12", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(split_glued_heap(input), expected, "parsing {input:?}");
        }
    }
}
