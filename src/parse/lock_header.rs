//! `TABLE LOCK …` and `RECORD LOCKS …` header lines (`lock_table_print` / `lock_rec_print`,
//! format-spec §3.5). A header that a copy wrapped or cut (§10) is still read as far as it goes:
//! the trx id is then empty and the clause has no mode.

use super::atoms::{number, phrase, Plain, Res};
use super::line::LockHeader;
use super::mode_clause::mode_clause;
use super::table_name::{quoted, table_name};
use crate::model::{LockMode, LockModeClause, LockTarget, Name, TableName};
use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1};
use nom::character::complete::{space0, space1};
use nom::combinator::{cut, opt, rest};
use nom::error::context;
use nom::sequence::preceded;
use nom::Parser;

// PRIMARY | `PRIMARY` | "PRIMARY" | GEN_CLUST_INDEX
fn index_name(i: &str) -> Res<'_, String> {
    alt((quoted, take_till1(char::is_whitespace).map(str::to_string))).parse(i)
}

/// Where the mode clause starts in what follows `trx id ` (the trx id is one or two words, or a
/// placeholder, so the clause is found by its first words rather than by counting).
/// The first place (in input order) where `lock` or `unknown` starts a clause that reads.
fn clause_start(s: &str) -> Option<usize> {
    memchr::memchr2_iter(b'l', b'u', s.as_bytes()).find(|&p| {
        s.get(p..).is_some_and(|rest| {
            (rest.starts_with("lock") || rest.starts_with("unknown")) && mode_clause(rest).is_ok()
        })
    })
}

// trx id 47 | trx id 0 3793488 | trx id 3BF88F886 | trx id <trx_1>    then the mode clause
fn trx_id_and_clause(i: &str) -> Res<'_, (compact_str::CompactString, LockModeClause)> {
    let (i, _) = space0(i)?;
    let (i, trx_id) = opt(preceded((phrase("trx id"), space1), rest)).parse(i)?;
    let after_id = trx_id.unwrap_or(i);
    let (id, clause_text) = match clause_start(after_id) {
        Some(pos) => (
            after_id.get(..pos).unwrap_or(""),
            after_id.get(pos..).unwrap_or(""),
        ),
        None if trx_id.is_some() => (after_id, ""),
        None => ("", after_id),
    };
    let (i, clause) = match mode_clause(clause_text) {
        Ok((i, clause)) => (i, clause),
        Err(_) => (clause_text, LockModeClause::default()),
    };
    let id = if trx_id.is_some() { id.trim() } else { "" };
    Ok((i, (id.into(), clause)))
}

// TABLE LOCK table `db`.`t` trx id 876726B90 lock mode AUTO-INC waiting
// TABLE LOCK table `db_test`.`banner` trx id 99319 lock mode IS
fn table_lock(i: &str) -> Res<'_, LockHeader> {
    let (i, _) = (phrase("TABLE LOCK table"), space1).parse(i)?;
    let (i, (table, (trx_id, clause))) =
        context("table lock", cut((table_name, trx_id_and_clause))).parse(i)?;
    Ok((
        i,
        LockHeader {
            target: LockTarget::Table,
            table,
            trx_id,
            clause,
        },
    ))
}

// RECORD LOCKS space id 6 page no 3 n bits 320 index PRIMARY of table `test`.`session` trx id 47 lock_mode X waiting
// RECORD LOCKS space id 0 page no 3662 n bits 72 index `GEN_CLUST_INDEX` of table `test/innotop_dl` trx id 0 3793488 lock_mode X waiting
// RECORD LOCKS space id 0 page no 50 n bits 80 index "PRIMARY" of table "db"."t" trx id 4EF9 lock_mode X locks rec but not gap waiting
fn record_locks(i: &str) -> Res<'_, LockHeader> {
    let (i, _) = (phrase("RECORD LOCKS space id"), space1).parse(i)?;
    let (i, (space, page, n_bits)) = context(
        "record locks",
        cut((
            number,
            preceded((space1, phrase("page no"), space1), number),
            opt(preceded((space1, phrase("n bits"), space1), number)),
        )),
    )
    .parse(i)?;
    // `index`PRIMARY`` with the space lost (copies, format-spec §10): a quote ends the word.
    let (i, index) = opt(preceded((space1, tag("index"), space0), index_name)).parse(i)?;
    let (i, table) = opt(preceded((space1, phrase("of table"), space1), table_name)).parse(i)?;
    let (i, (trx_id, clause)) = trx_id_and_clause(i)?;
    Ok((
        i,
        LockHeader {
            target: LockTarget::Record {
                space,
                page,
                n_bits,
                index: index.map(Name::from).unwrap_or_default(),
            },
            table: table.unwrap_or_else(TableName::default),
            trx_id,
            clause,
        },
    ))
}

/// Reads a whole `TABLE LOCK …` or `RECORD LOCKS …` line. Leading and trailing whitespace is
/// ignored, and so is anything after the mode clause (a publisher's comment).
pub fn parse_lock_header(s: &str) -> Option<LockHeader> {
    let s = s.trim();
    if let Some(header) = plain_record_locks(s) {
        return Some(header);
    }
    alt((record_locks, table_lock))
        .parse(s)
        .ok()
        .map(|(_, h)| h)
}

/// [`record_locks`] by hand for the line exactly as the server prints it (every part present,
/// single spaces, backquoted `` `db`.`t` ``, a hex trx id, a plain clause): the shape of nearly
/// every header, read several times faster. `None` sends any other shape to the nom production.
// RECORD LOCKS space id 5 page no 3 n bits 320 index PRIMARY of table `test`.`t` trx id 24 lock_mode X locks rec but not gap waiting
pub(super) fn plain_record_locks(s: &str) -> Option<LockHeader> {
    let mut p = Plain(s);
    p.tag("RECORD LOCKS space id ")?;
    let space = p.number()?;
    p.tag(" page no ")?;
    let page = p.number()?;
    p.tag(" n bits ")?;
    let n_bits = p.number()?;
    p.tag(" index ")?;
    let index = match p.0.starts_with('`') {
        true => p.backquoted()?,
        false => p.word().filter(|w| !w.starts_with('"'))?,
    };
    p.tag(" of table ")?;
    let schema = p.backquoted()?;
    p.tag(".")?;
    let table = p.backquoted()?;
    if memchr::memchr(b'#', table.as_bytes()).is_some()
        && (table.contains("#P#") || table.contains("#p#"))
    {
        return None;
    }
    p.tag(" trx id ")?;
    let trx_id = p
        .word()
        .filter(|w| w.bytes().all(|b| b.is_ascii_hexdigit()))?;
    p.tag(" ")?;
    let clause = plain_clause(p)?;
    Some(LockHeader {
        target: LockTarget::Record {
            space,
            page,
            n_bits: Some(n_bits),
            index: index.into(),
        },
        table: TableName {
            schema: Some(schema.into()),
            table: table.into(),
            partition: None,
        },
        trx_id: trx_id.into(),
        clause,
    })
}

/// `lock_mode X locks gap before rec insert intention waiting` and the like, to the end of the
/// line, as [`mode_clause`] reads it.
fn plain_clause(mut p: Plain<'_>) -> Option<LockModeClause> {
    if p.tag("lock_mode ").is_none() {
        p.tag("lock mode ")?;
    }
    let mut clause = LockModeClause {
        mode: Some(LockMode::from_word(p.word()?)),
        ..LockModeClause::default()
    };
    while !p.is_empty() {
        if p.tag(" locks gap before rec").is_some() {
            clause.gap = true;
        } else if p.tag(" locks rec but not gap").is_some() {
            clause.rec_not_gap = true;
        } else if p.tag(" insert intention").is_some() {
            clause.insert_intention = true;
        } else {
            p.tag(" waiting")?;
            clause.waiting = true;
        }
    }
    Some(clause)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LockMode;
    use crate::parse::test_util::assert_prefixes_safe;

    fn table(schema: Option<&str>, name: &str) -> TableName {
        TableName {
            schema: schema.map(Into::into),
            table: name.into(),
            partition: None,
        }
    }

    fn clause(mode: LockMode, flags: &str) -> LockModeClause {
        LockModeClause {
            mode: Some(mode),
            gap: flags.contains('g'),
            rec_not_gap: flags.contains('r'),
            insert_intention: flags.contains('i'),
            waiting: flags.contains('w'),
        }
    }

    fn rec(space: u64, page: u64, n_bits: Option<u64>, index: &str) -> LockTarget {
        LockTarget::Record {
            space,
            page,
            n_bits,
            index: index.into(),
        }
    }

    fn h(target: LockTarget, table: TableName, trx: &str, clause: LockModeClause) -> LockHeader {
        LockHeader {
            target,
            table,
            trx_id: trx.into(),
            clause,
        }
    }

    #[test]
    fn plain_headers_read_as_the_production_reads_them() {
        let slow = |s: &str| {
            alt((record_locks, table_lock))
                .parse(s.trim())
                .ok()
                .map(|(_, h)| h)
        };
        let n = crate::parse::test_util::assert_fast_path_agrees(
            "RECORD LOCKS",
            |s| plain_record_locks(s.trim()),
            slow,
        );
        assert!(n > 100, "the fast path read only {n} fixture headers");
    }

    #[test]
    fn lock_headers() {
        let cases = [
            (
                "RECORD LOCKS space id 6 page no 3 n bits 320 index PRIMARY of table `test`.`session` trx id 47 lock_mode X waiting",
                Some(h(rec(6, 3, Some(320), "PRIMARY"), table(Some("test"), "session"), "47", clause(LockMode::X, "w"))),
            ),
            (
                "RECORD LOCKS space id 7 page no 4 n bits 320 index idx_session_id of table `test`.`session_endpoint` trx id 48 lock_mode X locks gap before rec insert intention waiting",
                Some(h(rec(7, 4, Some(320), "idx_session_id"), table(Some("test"), "session_endpoint"), "48", clause(LockMode::X, "giw"))),
            ),
            (
                "RECORD LOCKS space id 0 page no 3662 n bits 72 index `GEN_CLUST_INDEX` of table `test/innotop_dl` trx id 0 3793489 lock mode S",
                Some(h(rec(0, 3662, Some(72), "GEN_CLUST_INDEX"), table(Some("test"), "innotop_dl"), "0 3793489", clause(LockMode::S, ""))),
            ),
            (
                "RECORD LOCKS space id 0 page no 50 n bits 80 index \"PRIMARY\" of table \"percona_com_redesign2\".\"semaphore\" trx id 5D0E4F8 lock_mode X locks rec but not gap waiting",
                Some(h(rec(0, 50, Some(80), "PRIMARY"), table(Some("percona_com_redesign2"), "semaphore"), "5D0E4F8", clause(LockMode::X, "rw"))),
            ),
            (
                "RECORD LOCKS space id 132 page no 3 n bits 120 index PRIMARY of table `session` trx id 272174 lock_mode X waiting",
                Some(h(rec(132, 3, Some(120), "PRIMARY"), table(None, "session"), "272174", clause(LockMode::X, "w"))),
            ),
            (
                "RECORD LOCKS space id 345 page no 93049 n bits 144 index PRIMARY of table `<db_name>`.`multilingual_item` trx id <trx_1> lock_mode X insert intention waiting",
                Some(h(rec(345, 93049, Some(144), "PRIMARY"), table(Some("<db_name>"), "multilingual_item"), "<trx_1>", clause(LockMode::X, "iw"))),
            ),
            (
                "RECORD LOCKS space id 58 page no 4 n bits 72 index `PRIMARY` of table `db_name`.`warn_baseline_result` trx id 12345 lock_mode X locks rec but not gap waiting",
                Some(h(rec(58, 4, Some(72), "PRIMARY"), table(Some("db_name"), "warn_baseline_result"), "12345", clause(LockMode::X, "rw"))),
            ),
            (
                "RECORD LOCKS space id 5 page no 3 n bits 8 index PRIMARY of table `test`.`t1` /* Partition `p1` */ trx id 9 lock_mode X",
                Some(h(rec(5, 3, Some(8), "PRIMARY"), TableName { schema: Some("test".into()), table: "t1".into(), partition: Some("p1".into()) }, "9", clause(LockMode::X, ""))),
            ),
            (
                "TABLE LOCK table `db`.`gr_v3_response_log` trx id 3BF88F886 lock mode AUTO-INC waiting",
                Some(h(LockTarget::Table, table(Some("db"), "gr_v3_response_log"), "3BF88F886", clause(LockMode::AutoInc, "w"))),
            ),
            (
                "TABLE LOCK table `test`.`jobs` trx id 561 lock mode IX",
                Some(h(LockTarget::Table, table(Some("test"), "jobs"), "561", clause(LockMode::IX, ""))),
            ),
            (
                "TABLE LOCK table `test`.`jobs` trx id 561 unknown lock mode 9 waiting",
                Some(h(LockTarget::Table, table(Some("test"), "jobs"), "561", clause(LockMode::Unknown("unknown lock mode 9".into()), "w"))),
            ),
            (
                "  RECORD LOCKS space id 6 page no 3 n bits 320 index PRIMARY of table `test`.`session` trx id 47 lock_mode X waiting  \r",
                Some(h(rec(6, 3, Some(320), "PRIMARY"), table(Some("test"), "session"), "47", clause(LockMode::X, "w"))),
            ),
            // wrapped before `trx id` (format-spec §10): read as far as it goes
            (
                "RECORD LOCKS space id 6 page no 3 n bits 320 index PRIMARY of table `test`.`session`",
                Some(h(rec(6, 3, Some(320), "PRIMARY"), table(Some("test"), "session"), "", LockModeClause::default())),
            ),
            // wrapped before the mode clause
            (
                "RECORD LOCKS space id 6 page no 3 n bits 320 index PRIMARY of table `test`.`session` trx id 47",
                Some(h(rec(6, 3, Some(320), "PRIMARY"), table(Some("test"), "session"), "47", LockModeClause::default())),
            ),
            // the space after `index` lost in a copy (format-spec §10)
            (
                "RECORD LOCKS space id 9 page no 4 n bits 72 index`unq_fk_key` of table `t`.`s` trx id 47 lock_mode S",
                Some(h(rec(9, 4, Some(72), "unq_fk_key"), table(Some("t"), "s"), "47", clause(LockMode::S, ""))),
            ),
            (
                "RECORD LOCKS space id 6 page no 3 index PRIMARY of table `t`.`s` trx id 47 lock_mode X # my comment",
                Some(h(rec(6, 3, None, "PRIMARY"), table(Some("t"), "s"), "47", clause(LockMode::X, ""))),
            ),
            ("RECORD LOCKS space id 6", None),
            ("RECORD LOCKS on non-existing space 12", None),
            ("TABLE LOCK table", None),
            ("lock_mode X", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_lock_header(input), expected, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = parse_lock_header(s);
            });
        }
    }
}
