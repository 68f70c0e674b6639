//! The mode clause that ends a lock line (`lock_rec_print` / `lock_table_print`, format-spec
//! §3.5) and the `LOCK_MODE` column of the lock tables (§7, §8), both read into a
//! [`LockModeClause`].

use super::atoms::{phrase, Res};
use crate::model::{LockMode, LockModeClause};
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::{digit1, space1};
use nom::combinator::recognize;
use nom::multi::fold_many0;
use nom::sequence::preceded;
use nom::Parser;

/// One qualifier word group after the mode.
#[derive(Clone, Copy)]
enum Qualifier {
    Gap,
    RecNotGap,
    InsertIntention,
    Waiting,
}

// locks gap before rec | locks rec but not gap | insert intention | waiting
fn qualifier(i: &str) -> Res<'_, Qualifier> {
    preceded(
        space1,
        alt((
            phrase("locks gap before rec").map(|_| Qualifier::Gap),
            phrase("locks rec but not gap").map(|_| Qualifier::RecNotGap),
            phrase("insert intention").map(|_| Qualifier::InsertIntention),
            tag("waiting").map(|_| Qualifier::Waiting),
        )),
    )
    .parse(i)
}

// lock_mode X | lock mode S | lock mode AUTO-INC | unknown lock mode 7
// lock mode S<======== held         (a publisher's arrow glued to the mode: the word ends at it)
fn mode(i: &str) -> Res<'_, LockMode> {
    alt((
        recognize((phrase("unknown lock mode"), space1, digit1))
            .map(|s: &str| LockMode::Unknown(s.to_string())),
        preceded(
            (alt((tag("lock_mode"), phrase("lock mode"))), space1),
            take_while1(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        )
        .map(LockMode::from_word),
    ))
    .parse(i)
}

// lock_mode X locks gap before rec insert intention waiting
// lock mode S locks rec but not gap
// lock mode AUTO-INC waiting
// unknown lock mode 7 waiting
pub(super) fn mode_clause(i: &str) -> Res<'_, LockModeClause> {
    let (i, mode) = mode(i)?;
    fold_many0(
        qualifier,
        move || LockModeClause {
            mode: Some(mode.clone()),
            ..LockModeClause::default()
        },
        |mut clause, q| {
            match q {
                Qualifier::Gap => clause.gap = true,
                Qualifier::RecNotGap => clause.rec_not_gap = true,
                Qualifier::InsertIntention => clause.insert_intention = true,
                Qualifier::Waiting => clause.waiting = true,
            }
            clause
        },
    )
    .parse(i)
}

// X,GAP,INSERT_INTENTION | X,REC_NOT_GAP | S,GAP | AUTO_INC | IX     (LOCK_MODE column)
fn column_clause(s: &str) -> Option<LockModeClause> {
    let mut words = s.split(',').map(str::trim);
    let mode = match words.next()? {
        "S" => LockMode::S,
        "X" => LockMode::X,
        "IS" => LockMode::IS,
        "IX" => LockMode::IX,
        "AUTO_INC" | "AUTO-INC" => LockMode::AutoInc,
        "UNKNOWN" => LockMode::Unknown("UNKNOWN".to_string()),
        _ => return None,
    };
    let mut clause = LockModeClause {
        mode: Some(mode),
        ..LockModeClause::default()
    };
    for flag in words {
        match flag {
            "GAP" => clause.gap = true,
            "REC_NOT_GAP" => clause.rec_not_gap = true,
            "INSERT_INTENTION" => clause.insert_intention = true,
            // spatial predicate locks: no flag of their own in the clause
            "PREDICATE" | "PRDT_PAGE" => {}
            _ => return None,
        }
    }
    Some(clause)
}

/// Reads a lock mode as a lock line prints it (`lock_mode X locks gap before rec insert
/// intention waiting`, `lock mode S`, `lock mode AUTO-INC waiting`) or as the lock tables print
/// it (`X,GAP,INSERT_INTENTION`, `X,REC_NOT_GAP`, `S,GAP`, `AUTO_INC`). `None` when the text is
/// neither, or has anything left over.
pub fn parse_mode_clause(s: &str) -> Option<LockModeClause> {
    let s = s.trim();
    match mode_clause(s) {
        Ok((rest, clause)) if rest.trim().is_empty() => Some(clause),
        _ => column_clause(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_util::assert_prefixes_safe;

    fn c(mode: LockMode, flags: &str) -> Option<LockModeClause> {
        Some(LockModeClause {
            mode: Some(mode),
            gap: flags.contains('g'),
            rec_not_gap: flags.contains('r'),
            insert_intention: flags.contains('i'),
            waiting: flags.contains('w'),
        })
    }

    #[test]
    fn mode_clauses() {
        let cases = [
            (
                "lock_mode X locks gap before rec insert intention waiting",
                c(LockMode::X, "giw"),
            ),
            (
                "lock_mode X locks rec but not gap waiting",
                c(LockMode::X, "rw"),
            ),
            ("lock_mode X locks rec but not gap", c(LockMode::X, "r")),
            ("lock_mode X locks gap before rec", c(LockMode::X, "g")),
            ("lock_mode X insert intention waiting", c(LockMode::X, "iw")),
            ("lock_mode X waiting", c(LockMode::X, "w")),
            ("lock_mode X", c(LockMode::X, "")),
            ("lock mode S", c(LockMode::S, "")),
            ("lock mode S locks rec but not gap", c(LockMode::S, "r")),
            ("lock mode S waiting", c(LockMode::S, "w")),
            ("lock mode X waiting", c(LockMode::X, "w")),
            ("lock mode AUTO-INC waiting", c(LockMode::AutoInc, "w")),
            ("lock mode IX", c(LockMode::IX, "")),
            ("lock mode IS", c(LockMode::IS, "")),
            (
                "unknown lock mode 7 waiting",
                c(LockMode::Unknown("unknown lock mode 7".into()), "w"),
            ),
            ("  lock_mode X waiting  ", c(LockMode::X, "w")),
            ("X,GAP,INSERT_INTENTION", c(LockMode::X, "gi")),
            ("X,REC_NOT_GAP", c(LockMode::X, "r")),
            ("S,GAP", c(LockMode::S, "g")),
            ("X,INSERT_INTENTION", c(LockMode::X, "i")),
            ("AUTO_INC", c(LockMode::AutoInc, "")),
            ("IX", c(LockMode::IX, "")),
            ("X", c(LockMode::X, "")),
            ("S,GAP,PREDICATE", c(LockMode::S, "g")),
            ("UNKNOWN", c(LockMode::Unknown("UNKNOWN".into()), "")),
            ("lock_mode X whatever", None),
            ("lock mode S<======== held", None),
            ("X,FOO", None),
            ("lock_mode", None),
            ("Y", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_mode_clause(input), expected, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = parse_mode_clause(s);
            });
        }
    }
}
