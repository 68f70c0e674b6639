//! The lines of a deadlock report or a TRANSACTIONS section, redacted line by line by what each
//! line is (`parse::classify`): the thread line's host, address and user; the statement after
//! it; the bytes of every record field (the hex digits and the asc text together); with
//! `--redact-names`, the schema, table and index of each lock header. Everything else — the
//! structure the parser and the catalogue read — is kept byte for byte.

use super::sql::redact_sql;
use super::tokens::{NameKind, Tokens};
use crate::model::{hex_bytes, Field, FieldValue, LockTarget, TableName};
use crate::parse::{classify, Line};
use crate::text::Chunk;

/// `chunk` redacted: the same lines (a statement whose literal spanned lines may get shorter),
/// the same line numbers, stamp and survivors.
pub fn redact_chunk(chunk: &Chunk, tokens: &mut Tokens, names: bool) -> Chunk {
    let lines: Vec<(usize, &str)> = chunk.lines().collect();
    let kinds: Vec<Line<'_>> = lines.iter().map(|(_, t)| classify(t)).collect();
    if names {
        for kind in &kinds {
            if let Line::RecordLocks(h) | Line::TableLock(h) = kind {
                learn_names(&h.table, &h.target, tokens);
            }
        }
    }
    let mut out = Chunk::with_capacity_of(chunk);
    out.stamp.clone_from(&chunk.stamp);
    out.survivors.clone_from(&chunk.survivors);
    let mut i = 0;
    while let (Some(&(n, text)), Some(kind)) = (lines.get(i), kinds.get(i)) {
        match kind {
            Line::Thread(t) => {
                out.push(n, &redact_thread(text, t, tokens));
                // The statement: the lines after it up to the next line of the structure.
                let start = i + 1;
                let mut end = start;
                while kinds
                    .get(end)
                    .zip(lines.get(end))
                    .is_some_and(|(k, (_, t))| is_statement(k, t))
                {
                    end += 1;
                }
                if end > start {
                    let sql: Vec<&str> = lines
                        .get(start..end)
                        .unwrap_or_default()
                        .iter()
                        .map(|(_, t)| *t)
                        .collect();
                    let red = redact_sql(&sql.join("\n"), tokens, names);
                    let numbers = lines
                        .get(start..end)
                        .unwrap_or_default()
                        .iter()
                        .map(|l| l.0);
                    for (n, line) in numbers.zip(red.split('\n')) {
                        out.push(n, line);
                    }
                }
                i = end;
                continue;
            }
            Line::Field(f) => {
                let keep = [is_system_pair(&kinds, i)];
                out.push(
                    n,
                    &redact_fields(text, std::slice::from_ref(f), &keep, tokens),
                );
            }
            Line::Fields(fs) => {
                let keep: Vec<bool> = (0..fs.len())
                    .map(|j| {
                        let len = |k: Option<usize>| k.and_then(|k| fs.get(k)).and_then(byte_len);
                        let this = fs.get(j).and_then(byte_len);
                        (this == Some(6) && len(Some(j + 1)) == Some(7))
                            || (this == Some(7) && len(j.checked_sub(1)) == Some(6))
                    })
                    .collect();
                out.push(n, &redact_fields(text, fs, &keep, tokens));
            }
            Line::RecordLocks(h) | Line::TableLock(h) if names => {
                out.push(n, &redact_header_names(text, &h.table, &h.target, tokens));
            }
            _ => out.push(n, text),
        }
        i += 1;
    }
    out
}

/// Query text goes on until a line the parser reads as structure (or one of the status lines
/// that follow a statement in a TRANSACTIONS section).
fn is_statement(kind: &Line<'_>, text: &str) -> bool {
    let t = text.trim_start();
    matches!(kind, Line::Other(_) | Line::Blank)
        && !t.starts_with("---")
        && !t.starts_with("Trx read view")
        && !t.starts_with("Trx #rec")
        && !t.starts_with("TRX HAS BEEN")
        && !t.starts_with("*** ")
}

/// The bytes a field shows (`None` for NULL and the like).
fn byte_len(f: &Field) -> Option<usize> {
    match &f.value {
        FieldValue::Bytes { hex, .. } => Some(hex.len() / 2),
        _ => None,
    }
}

/// A clustered-index record's system columns: a 6-byte `DB_TRX_ID` and the 7-byte
/// `DB_ROLL_PTR` after it. They hold no customer data, and the trx id tells who last wrote the
/// row (the implicit lock holder of a TRANSACTIONS section), so they are kept.
fn is_system_pair(kinds: &[Line<'_>], i: usize) -> bool {
    let len = |k: Option<usize>| match k.and_then(|k| kinds.get(k)) {
        Some(Line::Field(f)) => byte_len(f),
        _ => None,
    };
    match len(Some(i)) {
        Some(6) => len(Some(i + 1)) == Some(7),
        Some(7) => len(i.checked_sub(1)) == Some(6),
        _ => false,
    }
}

fn learn_names(table: &TableName, target: &LockTarget, tokens: &mut Tokens) {
    if let Some(schema) = &table.schema {
        tokens.name(NameKind::Schema, schema);
    }
    tokens.name(NameKind::Table, &table.table);
    if let LockTarget::Record { index, .. } = target {
        tokens.name(NameKind::Index, index);
    }
}

/// The words after `query id N`: each that is the host, the address or the user gets its token.
fn redact_thread(text: &str, t: &crate::parse::ThreadLine, tokens: &mut Tokens) -> String {
    let Some(at) = text.find("query id") else {
        return text.to_string();
    };
    let (head, tail) = text.split_at(at);
    let mut out = head.to_string();
    let (mut host, mut ip, mut user) = (t.host.as_deref(), t.ip.as_deref(), t.user.as_deref());
    let mut first = true;
    for word in tail.split(' ') {
        if !first {
            out.push(' ');
        }
        first = false;
        if host == Some(word) {
            host = None;
            out.push_str(&tokens.host(word));
        } else if ip == Some(word) {
            ip = None;
            out.push_str(&tokens.ip(word));
        } else if user == Some(word) {
            user = None;
            out.push_str(&tokens.user(word));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// Each field's hex digits and asc text replaced by its token's, in place (but those `keep`
/// marks).
fn redact_fields(text: &str, fields: &[Field], keep: &[bool], tokens: &mut Tokens) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    for (j, f) in fields.iter().enumerate() {
        let FieldValue::Bytes { hex, .. } = &f.value else {
            continue;
        };
        let needle = format!("hex {hex}");
        let Some(at) = rest.find(needle.as_str()) else {
            continue;
        };
        if keep.get(j).copied().unwrap_or(false) {
            out.push_str(rest.get(..at + needle.len()).unwrap_or(""));
            rest = rest.get(at + needle.len()..).unwrap_or("");
            continue;
        }
        let digits_at = at + "hex ".len();
        out.push_str(rest.get(..digits_at).unwrap_or(""));
        rest = rest.get(digits_at + hex.len()..).unwrap_or("");
        let token = match hex_bytes(hex) {
            Some(bytes) => tokens.bytes(&bytes),
            None => vec![0; hex.len() / 2],
        };
        for b in &token {
            out.push_str(&format!("{b:02x}"));
        }
        // `; asc <text>;`: exactly as many characters as bytes when the copy is faithful.
        let Some(asc_at) = rest.find("; asc ") else {
            continue;
        };
        let asc_start = asc_at + "; asc ".len();
        out.push_str(rest.get(..asc_start).unwrap_or(""));
        rest = rest.get(asc_start..).unwrap_or("");
        let shown = hex.len() / 2;
        let asc_len = match rest.get(shown..) {
            Some(after) if after.starts_with(';') => shown,
            _ => rest
                .find(";;")
                .or_else(|| rest.find("; (total"))
                .unwrap_or(rest.len()),
        };
        out.extend(token.iter().map(|&b| {
            if (0x20..0x7f).contains(&b) {
                char::from(b)
            } else {
                ' '
            }
        }));
        rest = rest.get(asc_len..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// A lock header with its schema, table and index names replaced (`--redact-names`).
fn redact_header_names(
    text: &str,
    table: &TableName,
    target: &LockTarget,
    tokens: &mut Tokens,
) -> String {
    let mut out = text.to_string();
    let mut swap = |name: &str, kind: NameKind, out: &mut String| {
        let token = tokens.name(kind, name);
        for (from, to) in [
            (format!("`{name}`"), format!("`{token}`")),
            (format!(" {name} "), format!(" {token} ")),
            (format!(" {name}."), format!(" {token}.")),
            (format!(".{name} "), format!(".{token} ")),
            (format!("/{name} "), format!("/{token} ")),
        ] {
            if out.contains(&from) {
                *out = out.replacen(&from, &to, 1);
                return;
            }
        }
    };
    if let LockTarget::Record { index, .. } = target {
        swap(index, NameKind::Index, &mut out);
    }
    if let Some(schema) = &table.schema {
        swap(schema, NameKind::Schema, &mut out);
    }
    swap(&table.table, NameKind::Table, &mut out);
    out
}
