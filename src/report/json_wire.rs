//! The JSON wire shapes: borrowing views over the model that serialize straight to the writer,
//! with no intermediate `serde_json::Value` (error logs are rendered at hundreds of MB/s).
//! Where the contract and the model agree (`WaitForGraph`, `Finding`, `Warning`, `TableName`,
//! `LockMode`, `LockKind`, `LockModeClause`) the model's own `Serialize` is used. The contract
//! itself is documented in `report::json`.

use std::cell::Cell;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::decode::DecodedColumn;
use crate::diagnose::Finding;
use crate::model::{
    push_description, Deadlock, EdgeSource, FieldValue, Flavour, Lock, LockKind, LockTarget,
    Record, TableName, Transaction, WaitForGraph, Warning,
};
use crate::sink::{Analysed, Summary};

/// `{"name": "lockscope", "version": "…"}`.
#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

pub const TOOL: Tool = Tool {
    name: env!("CARGO_PKG_NAME"),
    version: env!("CARGO_PKG_VERSION"),
};

/// A warning as a JSONL line: `{"type":"warning", …the warning's own fields}`.
#[derive(Serialize)]
pub struct WarningLine<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub schema_version: u32,
    #[serde(flatten)]
    pub warning: &'a Warning,
}

#[derive(Serialize)]
pub struct SummaryJson<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<&'a Tool>,
    pub inputs: &'a [String],
    pub deadlocks: usize,
    pub lock_waits: usize,
    pub warnings: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub warnings_omitted: usize,
    pub bytes: u64,
    /// Pattern id → number of deadlocks with a finding of that pattern.
    pub patterns: &'a BTreeMap<&'static str, usize>,
}

impl<'a> SummaryJson<'a> {
    pub fn new(summary: &'a Summary, patterns: &'a BTreeMap<&'static str, usize>) -> Self {
        SummaryJson {
            kind: None,
            schema_version: None,
            tool: None,
            inputs: &summary.inputs,
            deadlocks: summary.deadlocks,
            lock_waits: 0,
            warnings: summary.warnings,
            warnings_omitted: 0,
            bytes: summary.bytes,
            patterns,
        }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Counts each pattern once per deadlock.
pub fn count_patterns(patterns: &mut BTreeMap<&'static str, usize>, findings: &[Finding]) {
    for (i, f) in findings.iter().enumerate() {
        if !findings[..i].iter().any(|g| g.pattern == f.pattern) {
            *patterns.entry(f.pattern).or_default() += 1;
        }
    }
}

// ------------------------------------------------------------------------------------------------
// The deadlock object, written by hand.
//
// A deadlock is most of what `json`/`jsonl` write, so it is written straight into the output
// buffer: keys are literal bytes, strings go through one escaping pass, numbers through a
// small formatter, and nothing else is allocated. The bytes are exactly what `serde_json`
// makes of the wire structs in `json_oracle` (the tests compare the two on every fixture).

/// Writes a deadlock object: `{"type":"deadlock","schema_version":N,…}` when `schema_version`
/// is given (a JSONL line), else the element of the document's `deadlocks` array.
pub fn write_deadlock(a: &Analysed, schema_version: Option<u32>, out: &mut Vec<u8>) {
    let d: &Deadlock = &a.deadlock;
    out.push(b'{');
    if let Some(v) = schema_version {
        out.extend_from_slice(b"\"type\":\"deadlock\",\"schema_version\":");
        uint(out, u64::from(v));
        out.push(b',');
    }
    out.extend_from_slice(b"\"input\":");
    string(out, &d.input);
    out.extend_from_slice(b",\"line\":");
    uint(out, d.line as u64);
    out.extend_from_slice(b",\"timestamp\":");
    opt_string(out, d.timestamp.as_deref());
    out.extend_from_slice(b",\"flavour\":\"");
    out.extend_from_slice(flavour_id(d.flavour).as_bytes());
    out.extend_from_slice(b"\",\"flavour_label\":");
    string(out, d.flavour.label());
    out.extend_from_slice(b",\"too_deep\":");
    boolean(out, d.too_deep);
    out.extend_from_slice(b",\"victim\":");
    opt_uint(out, d.victim.number.map(u64::from));
    if let Some(note) = &d.victim.note {
        out.extend_from_slice(b",\"victim_note\":");
        string(out, note);
    }
    out.extend_from_slice(b",\"victim_trx_id\":");
    opt_string(out, d.victim_transaction().map(|t| t.trx_id.as_str()));
    out.extend_from_slice(b",\"transactions\":[");
    for (i, t) in d.transactions.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        transaction(out, t);
    }
    out.extend_from_slice(b"],\"wait_for_graph\":");
    graph(out, &d.graph);
    out.extend_from_slice(b",\"findings\":[");
    for (i, f) in a.findings.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        finding(out, f);
    }
    out.extend_from_slice(b"]}");
}

fn transaction(out: &mut Vec<u8>, t: &Transaction) {
    out.extend_from_slice(b"{\"number\":");
    uint(out, u64::from(t.number));
    out.extend_from_slice(b",\"trx_id\":");
    string(out, &t.trx_id);
    out.extend_from_slice(b",\"state\":");
    string(out, &t.state);
    out.extend_from_slice(b",\"active_secs\":");
    opt_uint(out, t.active_secs);
    out.extend_from_slice(b",\"op_info\":");
    opt_string(out, t.op_info.as_deref());
    out.extend_from_slice(b",\"tables_in_use\":");
    opt_uint(out, t.tables_in_use);
    out.extend_from_slice(b",\"tables_locked\":");
    opt_uint(out, t.tables_locked);
    out.extend_from_slice(b",\"lock_wait\":");
    boolean(out, t.lock_wait);
    out.extend_from_slice(b",\"lock_structs\":");
    opt_uint(out, t.lock_structs);
    out.extend_from_slice(b",\"heap_size\":");
    opt_uint(out, t.heap_size);
    out.extend_from_slice(b",\"row_locks\":");
    opt_uint(out, t.row_locks);
    out.extend_from_slice(b",\"undo_entries\":");
    opt_uint(out, t.undo_entries);
    out.extend_from_slice(b",\"thread_id\":");
    opt_uint(out, t.thread_id);
    out.extend_from_slice(b",\"os_thread_handle\":");
    opt_string(out, t.os_thread_handle.as_deref());
    out.extend_from_slice(b",\"query_id\":");
    opt_uint(out, t.query_id);
    out.extend_from_slice(b",\"user\":");
    opt_string(out, t.user.as_deref());
    out.extend_from_slice(b",\"host\":");
    opt_string(out, t.host.as_deref());
    out.extend_from_slice(b",\"ip\":");
    opt_string(out, t.ip.as_deref());
    out.extend_from_slice(b",\"proc_info\":");
    opt_string(out, t.proc_info.as_deref());
    out.extend_from_slice(b",\"query\":");
    opt_string(out, t.query.as_deref());
    out.extend_from_slice(b",\"holds\":");
    locks(out, &t.holds);
    out.extend_from_slice(b",\"waits_for\":");
    match &t.waits_for {
        Some(l) => lock(out, l),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"conflicting_with\":");
    locks(out, &t.conflicting_with);
    out.extend_from_slice(b",\"line\":");
    uint(out, t.line as u64);
    out.push(b'}');
}

fn locks(out: &mut Vec<u8>, locks: &[Lock]) {
    out.push(b'[');
    for (i, l) in locks.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        lock(out, l);
    }
    out.push(b']');
}

fn lock(out: &mut Vec<u8>, l: &Lock) {
    match &l.target {
        LockTarget::Table => {
            out.extend_from_slice(b"{\"type\":\"table\",\"table\":");
            table_name(out, &l.table);
        }
        LockTarget::Record {
            space,
            page,
            n_bits,
            index,
        } => {
            out.extend_from_slice(b"{\"type\":\"record\",\"table\":");
            table_name(out, &l.table);
            out.extend_from_slice(b",\"index\":");
            string(out, index);
            out.extend_from_slice(b",\"space\":");
            uint(out, *space);
            out.extend_from_slice(b",\"page\":");
            uint(out, *page);
            if let Some(n) = n_bits {
                out.extend_from_slice(b",\"n_bits\":");
                uint(out, *n);
            }
        }
    }
    out.extend_from_slice(b",\"trx_id\":");
    string(out, &l.trx_id);
    out.extend_from_slice(b",\"mode\":");
    string(out, l.mode.as_str());
    out.extend_from_slice(b",\"kind\":\"");
    out.extend_from_slice(kind_id(l.kind).as_bytes());
    out.extend_from_slice(b"\",\"waiting\":");
    boolean(out, l.waiting);
    out.extend_from_slice(b",\"clause\":{\"mode\":");
    match &l.clause.mode {
        Some(m) => string(out, m.as_str()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"gap\":");
    boolean(out, l.clause.gap);
    out.extend_from_slice(b",\"rec_not_gap\":");
    boolean(out, l.clause.rec_not_gap);
    out.extend_from_slice(b",\"insert_intention\":");
    boolean(out, l.clause.insert_intention);
    out.extend_from_slice(b",\"waiting\":");
    boolean(out, l.clause.waiting);
    out.extend_from_slice(b"},\"description\":");
    with_scratch(|s| {
        push_description(s, l);
        string(out, s);
    });
    out.extend_from_slice(b",\"line\":");
    uint(out, l.line as u64);
    out.extend_from_slice(b",\"text\":");
    string(out, &l.text);
    out.extend_from_slice(b",\"records\":[");
    for (i, r) in l.records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        record(out, r, l);
    }
    out.extend_from_slice(b"]}");
}

fn table_name(out: &mut Vec<u8>, t: &TableName) {
    out.push(b'{');
    if let Some(schema) = &t.schema {
        out.extend_from_slice(b"\"schema\":");
        string(out, schema);
        out.push(b',');
    }
    out.extend_from_slice(b"\"table\":");
    string(out, &t.table);
    if let Some(p) = &t.partition {
        out.extend_from_slice(b",\"partition\":");
        string(out, p);
    }
    out.push(b'}');
}

fn record(out: &mut Vec<u8>, r: &Record, l: &Lock) {
    out.extend_from_slice(b"{\"heap_no\":");
    uint(out, r.heap_no);
    out.extend_from_slice(b",\"supremum\":");
    boolean(out, r.is_supremum());
    out.extend_from_slice(b",\"info_bits\":");
    opt_uint(out, r.info_bits.map(u64::from));
    out.extend_from_slice(b",\"delete_marked\":");
    boolean(out, r.is_delete_marked());
    out.extend_from_slice(b",\"fields\":[");
    for (i, f) in r.fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        field(out, &f.value);
    }
    out.push(b']');
    // Decoded by the `decode` stage (`--schema`), else guessed here.
    if r.columns.is_empty() {
        if !(r.is_supremum() || r.is_infimum()) {
            guessed_columns(out, r, l.index());
        }
    } else {
        columns(out, &r.columns);
    }
    out.extend_from_slice(b",\"line\":");
    uint(out, r.line as u64);
    out.push(b'}');
}

/// [`columns`] for the guesses of a record the `decode` stage did not decode, written as they
/// are made (`decode::guess`).
fn guessed_columns(out: &mut Vec<u8>, r: &Record, index: Option<&str>) {
    let mut first = true;
    crate::decode::guess::each(r, index, |name, value| {
        out.extend_from_slice(if first { b",\"columns\":[{" } else { b",{" });
        first = false;
        if let Some(name) = name {
            out.extend_from_slice(b"\"name\":");
            string(out, name);
            out.push(b',');
        }
        out.extend_from_slice(b"\"value\":");
        string(out, value);
        out.extend_from_slice(b",\"guessed\":true}");
    });
    if !first {
        out.push(b']');
    }
}

/// `,"columns":[…]`, nothing when there are none.
fn columns(out: &mut Vec<u8>, columns: &[DecodedColumn]) {
    if columns.is_empty() {
        return;
    }
    out.extend_from_slice(b",\"columns\":[");
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'{');
        if let Some(name) = &c.name {
            out.extend_from_slice(b"\"name\":");
            string(out, name);
            out.push(b',');
        }
        out.extend_from_slice(b"\"value\":");
        string(out, &c.value);
        if c.guessed {
            out.extend_from_slice(b",\"guessed\":true");
        }
        if let Some(uuid) = &c.uuid {
            out.extend_from_slice(b",\"uuid\":");
            string(out, uuid);
        }
        out.push(b'}');
    }
    out.push(b']');
}

/// `{"len":4,"hex":"80000065"}`, `{"null":true}`, `{"default":true}`, `{"mbr":"…"}`.
fn field(out: &mut Vec<u8>, v: &FieldValue) {
    match v {
        FieldValue::Null => out.extend_from_slice(b"{\"null\":true}"),
        FieldValue::Default => out.extend_from_slice(b"{\"default\":true}"),
        FieldValue::Mbr { text } => {
            out.extend_from_slice(b"{\"mbr\":");
            string(out, text);
            out.push(b'}');
        }
        FieldValue::Bytes {
            len,
            hex,
            total,
            external,
            ..
        } => {
            out.extend_from_slice(b"{\"len\":");
            uint(out, *len);
            out.extend_from_slice(b",\"hex\":");
            string(out, hex);
            if let Some(total) = total {
                out.extend_from_slice(b",\"total\":");
                uint(out, *total);
            }
            if *external {
                out.extend_from_slice(b",\"external\":true");
            }
            out.push(b'}');
        }
    }
}

fn graph(out: &mut Vec<u8>, g: &WaitForGraph) {
    out.extend_from_slice(b"{\"edges\":[");
    for (i, e) in g.edges.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"waiter\":");
        uint(out, u64::from(e.waiter));
        out.extend_from_slice(b",\"holder\":");
        uint(out, u64::from(e.holder));
        out.extend_from_slice(b",\"lock\":");
        string(out, &e.lock);
        out.extend_from_slice(b",\"source\":\"");
        out.extend_from_slice(match e.source {
            EdgeSource::Holds => b"holds".as_slice(),
            EdgeSource::ConflictingWith => b"conflicting-with",
            EdgeSource::Inferred => b"inferred",
        });
        out.extend_from_slice(b"\"}");
    }
    out.extend_from_slice(b"],\"cycle\":[");
    for (i, n) in g.cycle.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        uint(out, u64::from(*n));
    }
    out.extend_from_slice(b"]}");
}

fn finding(out: &mut Vec<u8>, f: &Finding) {
    out.extend_from_slice(b"{\"pattern\":");
    string(out, f.pattern);
    out.extend_from_slice(b",\"confidence\":\"");
    out.extend_from_slice(f.confidence.as_str().as_bytes());
    out.extend_from_slice(b"\",\"summary\":");
    string(out, &f.summary);
    out.extend_from_slice(b",\"evidence\":[");
    for (i, e) in f.evidence.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"line\":");
        uint(out, e.line as u64);
        out.extend_from_slice(b",\"text\":");
        string(out, &e.text);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"fix\":");
    string(out, &f.fix);
    if f.contributing {
        out.extend_from_slice(b",\"contributing\":true");
    }
    out.push(b'}');
}

/// `Flavour`'s serde name (kebab-case).
fn flavour_id(f: Flavour) -> &'static str {
    match f {
        Flavour::Mysql50 => "mysql50",
        Flavour::Mysql55 => "mysql55",
        Flavour::Mysql56 => "mysql56",
        Flavour::Mysql57 => "mysql57",
        Flavour::Mysql8018 => "mysql8018",
        Flavour::MariadbPre106 => "mariadb-pre106",
        Flavour::Mariadb106 => "mariadb106",
        Flavour::Percona => "percona",
        Flavour::Unknown => "unknown",
    }
}

/// `LockKind`'s serde name (kebab-case).
fn kind_id(k: LockKind) -> &'static str {
    match k {
        LockKind::Table => "table",
        LockKind::NextKey => "next-key",
        LockKind::Gap => "gap",
        LockKind::RecNotGap => "rec-not-gap",
        LockKind::InsertIntention => "insert-intention",
    }
}

thread_local! {
    /// A reused buffer for prose that is built before it is escaped (lock descriptions): one
    /// per thread rather than an allocation per lock.
    static SCRATCH: Cell<String> = const { Cell::new(String::new()) };
}

/// Runs `f` with the thread's scratch buffer, emptied.
fn with_scratch(f: impl FnOnce(&mut String)) {
    let mut s = SCRATCH.take();
    s.clear();
    f(&mut s);
    SCRATCH.set(s);
}

fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

fn uint(out: &mut Vec<u8>, n: u64) {
    // Most numbers of a report (heap no, space, page, lengths) have one or two digits: pushed
    // as bytes, without a copy call for each.
    match u8::try_from(n) {
        Ok(d @ 0..=9) => out.push(b'0' + d),
        Ok(d @ 10..=99) => out.extend_from_slice(&[b'0' + d / 10, b'0' + d % 10]),
        _ => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
    }
}

fn opt_uint(out: &mut Vec<u8>, n: Option<u64>) {
    match n {
        Some(n) => uint(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// Whether any byte of `b` needs an escape (a control character, `"` or `\\`). Most strings
/// are short (names, modes, numbers as text): 16 bytes at a time with no early exit inside a
/// block (vector compares), the tail as an overlapping last block, and a string shorter than
/// a block as two overlapping words, so that no string is looked at a byte at a time.
fn needs_escape(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let block = |r: &[u8]| <&[u8; 16]>::try_from(r).is_ok_and(any_special);
    // Exact "some byte is zero / below 0x20" tests on a word (no false alarms for existence).
    let word = |w: u64| {
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS != 0;
        zero(w ^ (ONES * u64::from(b'"')))
            || zero(w ^ (ONES * u64::from(b'\\')))
            || w.wrapping_sub(ONES * 0x20) & !w & HIGHS != 0
    };
    let n = b.len();
    if n >= 16 {
        let mut blocks = b.chunks_exact(16);
        let found = blocks.any(block);
        return found || (!blocks.remainder().is_empty() && block(b.get(n - 16..).unwrap_or(&[])));
    }
    let load = |at: usize| {
        b.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map_or(0, u64::from_le_bytes)
    };
    if n >= 8 {
        return word(load(0)) || word(load(n - 8));
    }
    b.iter().any(|&c| special(c))
}

fn special(b: u8) -> bool {
    (b < 0x20) | (b == b'"') | (b == b'\\')
}

/// No early exit: compiles to vector compares over the block.
fn any_special(run: &[u8; 16]) -> bool {
    run.iter().fold(false, |d, &b| d | special(b))
}

/// A JSON string, escaped exactly as `serde_json` escapes it: `"` and `\\`, the short forms
/// `\b \t \n \f \r`, other control bytes as `\u00xx`; everything else (non-ASCII included)
/// as is.
fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Most strings need no escape at all: then the bytes are copied in one go.
    if !needs_escape(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    // Multi-line text (statements, fix sketches): skip clean 16-byte runs the same way.
    let mut start = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let run = bytes
            .get(i..i + 16)
            .and_then(|r| <&[u8; 16]>::try_from(r).ok());
        if run.is_some_and(|r| !any_special(r)) {
            i += 16;
            continue;
        }
        i += 1;
        if !special(b) {
            continue;
        }
        out.extend_from_slice(bytes.get(start..i - 1).unwrap_or_default());
        start = i;
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

#[cfg(test)]
#[path = "json_oracle.rs"]
mod oracle;

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_bytes(a: &Analysed, schema_version: Option<u32>) -> Vec<u8> {
        let wire = match schema_version {
            Some(v) => oracle::DeadlockJson::line(a, v),
            None => oracle::DeadlockJson::element(a),
        };
        serde_json::to_vec(&wire).expect("serializes")
    }

    fn fast_bytes(a: &Analysed, schema_version: Option<u32>) -> Vec<u8> {
        let mut out = Vec::new();
        write_deadlock(a, schema_version, &mut out);
        out
    }

    /// Every fixture's deadlocks, written by hand and by serde, byte for byte.
    #[test]
    fn hand_written_deadlocks_are_serdes_bytes() {
        let mut files = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixtures").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut n = 0;
        for path in files {
            let bytes = std::fs::read(&path).expect("readable");
            let text = String::from_utf8_lossy(&bytes);
            let (deadlocks, _) = crate::analyze_text("in\"put\u{1}", &text);
            for a in &deadlocks {
                for v in [None, Some(1)] {
                    let fast = fast_bytes(a, v);
                    let slow = serde_bytes(a, v);
                    assert!(
                        fast == slow,
                        "{}:{}\nfast: {}\nserde: {}",
                        path.display(),
                        a.deadlock.line,
                        String::from_utf8_lossy(&fast),
                        String::from_utf8_lossy(&slow)
                    );
                }
                n += 1;
            }
        }
        assert!(n > 50, "only {n} deadlocks in the fixtures");
    }

    #[test]
    fn escape_test_agrees_at_every_length_and_offset() {
        for len in 0..70 {
            for at in 0..len {
                for c in [
                    0u8, 0x08, 0x1f, b'"', b'\\', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xa0,
                    0xdc, 0xff,
                ] {
                    let mut b = vec![b'x'; len];
                    b[at] = c;
                    let want = b.iter().any(|&c| special(c));
                    assert_eq!(needs_escape(&b), want, "len {len}, {c:#x} at {at}");
                }
            }
        }
    }

    #[test]
    fn strings_escape_like_serde() {
        let mut cases = vec![
            String::new(),
            "a\"b\\c\u{8}\t\n\u{c}\r\u{1}\u{1f}\u{7f}é\u{2028}".to_string(),
            "0123456789abcdef0123456789abcdef".to_string(),
            "`test`.`t` \"quoted\" and a\\backslash after sixteen".to_string(),
        ];
        // Every byte value at every offset of a 150-byte string.
        for c in 0u8..128 {
            for at in 0..150 {
                let mut s = "x".repeat(150);
                s.replace_range(at..at + 1, &char::from(c).to_string());
                cases.push(s);
            }
        }
        cases.push("ü€😀 ünïcödé with \u{1b}[0m colours".to_string());
        for s in &cases {
            let mut out = Vec::new();
            string(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).expect("serializes"), "{s:?}");
        }
        for n in (0..1000).chain([u64::MAX]) {
            let mut out = Vec::new();
            uint(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }
}
