//! Quoted identifiers and table names as lock lines print them (format-spec §3.5 "Index and
//! table quoting"): backquotes, ANSI double quotes, 5.0's `db/t`, partition comments.

use super::atoms::Res;
use crate::model::{Name, TableName};
use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_till1, take_until};
use nom::character::complete::{char, space0, space1};
use nom::combinator::opt;
use nom::error::{Error, ErrorKind};
use nom::sequence::preceded;
use nom::Parser;

// `name`  (a backquote inside is doubled)
// "name"  (ANSI_QUOTES; a double quote inside is doubled)
// `name   (cut line: the rest of the line)
pub(super) fn quoted(i: &str) -> Res<'_, String> {
    let q = match i.chars().next() {
        Some(c @ ('`' | '"')) => c,
        _ => return Err(nom::Err::Error(Error::new(i, ErrorKind::Char))),
    };
    let mut rest = i.get(1..).unwrap_or("");
    let mut name = String::new();
    loop {
        let Some(pos) = rest.find(q) else {
            name.push_str(rest);
            return Ok(("", name));
        };
        name.push_str(rest.get(..pos).unwrap_or(""));
        let after = rest.get(pos + 1..).unwrap_or("");
        match after.strip_prefix(q) {
            Some(more) => {
                name.push(q);
                rest = more;
            }
            None => return Ok((after, name)),
        }
    }
}

// name   (unquoted: up to whitespace or a schema separator)
fn bare(i: &str) -> Res<'_, String> {
    take_till1(|c: char| c.is_whitespace() || c == '.' || c == '/')
        .map(str::to_string)
        .parse(i)
}

/// An identifier, quoted or bare.
pub(super) fn ident(i: &str) -> Res<'_, String> {
    alt((quoted, bare)).parse(i)
}

// /* Partition `p1` */
// /* Partition `p0`, Subpartition `sp0` */      (the sub-partition name is not kept)
fn partition_comment(i: &str) -> Res<'_, String> {
    let (i, name) = preceded(
        (space1, tag("/*"), space0, tag_no_case("Partition"), space1),
        ident,
    )
    .parse(i)?;
    let (i, _) = opt((take_until("*/"), tag("*/"))).parse(i)?;
    Ok((i, name))
}

/// Splits 5.5's raw partition suffix: `t#P#p1` (`#p#` on Windows), dropping any `#SP#` part.
fn split_raw_partition(table: String) -> (String, Option<String>) {
    let Some(pos) = table.find("#P#").or_else(|| table.find("#p#")) else {
        return (table, None);
    };
    let (base, part) = (table.get(..pos), table.get(pos + 3..));
    match (base, part) {
        (Some(base), Some(part)) if !base.is_empty() && !part.is_empty() => {
            let part = part.split("#SP#").next().unwrap_or(part);
            let part = part.split("#sp#").next().unwrap_or(part);
            (base.to_string(), Some(part.to_string()))
        }
        _ => (table, None),
    }
}

// `db`.`t`
// `db`.`t` /* Partition `p1` */
// "db"."t"                        (ANSI_QUOTES)
// `db/t`                          (5.0 / 5.1)
// `t`                             (a copy that lost the schema)
// `world`. `city`                  (a space after the dot: OCR and PDF copies)
pub(super) fn table_name(i: &str) -> Res<'_, TableName> {
    let (i, first) = ident(i)?;
    let (i, second) = opt(preceded(
        alt((char('.'), char('/'))),
        alt((ident, preceded(space1, quoted))),
    ))
    .parse(i)?;
    let (schema, table) = match second {
        Some(table) => (Some(first), table),
        None => match first.split_once('/') {
            Some((s, t)) if !s.is_empty() && !t.is_empty() => (Some(s.to_string()), t.to_string()),
            _ => (None, first),
        },
    };
    let (i, partition) = opt(partition_comment).parse(i)?;
    let (table, raw_partition) = split_raw_partition(table);
    Ok((
        i,
        TableName {
            schema: schema.map(Name::from),
            table: table.into(),
            partition: partition.or(raw_partition).map(Name::from),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_util::assert_prefixes_safe;

    fn t(schema: Option<&str>, table: &str, partition: Option<&str>) -> TableName {
        TableName {
            schema: schema.map(Into::into),
            table: table.into(),
            partition: partition.map(Into::into),
        }
    }

    #[test]
    fn table_names() {
        let cases = [
            (
                "`test`.`accounts` trx id",
                t(Some("test"), "accounts", None),
                " trx id",
            ),
            (
                "\"percona_com_redesign2\".\"semaphore\" trx id",
                t(Some("percona_com_redesign2"), "semaphore", None),
                " trx id",
            ),
            (
                "`test/innotop_dl` trx id",
                t(Some("test"), "innotop_dl", None),
                " trx id",
            ),
            ("`session` trx id", t(None, "session", None), " trx id"),
            (
                "`test`.`t1` /* Partition `p1` */ trx id",
                t(Some("test"), "t1", Some("p1")),
                " trx id",
            ),
            (
                "`test`.`t1` /* Partition `p0`, Subpartition `sp0` */ trx id",
                t(Some("test"), "t1", Some("p0")),
                " trx id",
            ),
            (
                "`test`.`t1#P#p2` trx id",
                t(Some("test"), "t1", Some("p2")),
                " trx id",
            ),
            ("`a``b`.`c\"d`", t(Some("a`b"), "c\"d", None), ""),
            ("\"a\"\"b\".\"c\"", t(Some("a\"b"), "c", None), ""),
            (
                "`<db_name>`.`multilingual_item`",
                t(Some("<db_name>"), "multilingual_item", None),
                "",
            ),
            ("db.t rest", t(Some("db"), "t", None), " rest"),
            ("`test`.`acc", t(Some("test"), "acc", None), ""),
            // See: hunt-shapes 004 (a PDF copy of a book).
            (
                "`world`. `city` trx id",
                t(Some("world"), "city", None),
                " trx id",
            ),
        ];
        for (input, expected, rest) in cases {
            assert_eq!(table_name(input), Ok((rest, expected)), "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = table_name(s);
            });
        }
    }

    #[test]
    fn rejects_non_names() {
        for input in ["", " `t`"] {
            assert!(table_name(input).is_err(), "parsing {input:?}");
        }
    }
}
