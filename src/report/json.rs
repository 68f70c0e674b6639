//! The machine-readable reports: `--format json` (one document) and `--format jsonl` (one
//! object per line). This comment is the contract; the snapshot of a representative fixture's
//! JSON is its executable form.
//!
//! ## Overview
//!
//! Both formats are sinks fed one deadlock at a time and write each deadlock as it arrives:
//! neither holds the deadlocks of a run in memory, so a multi-gigabyte error log streams
//! through. `json` writes a single document whose `deadlocks` array grows as the input is
//! read; the warnings and the summary follow the array and are written by `finish`. `jsonl`
//! writes one self-contained object per line, tagged by `"type"`, for log pipelines and for
//! `watch`, which never finishes.
//!
//! **`schema_version`** is `1`. Fields may be added in any release without changing it, so
//! consumers must ignore fields they do not know. A field is never renamed, never removed and
//! never changes its type within one `schema_version`; anything that would has to bump it.
//! Absent values are written as `null` unless a section below says the field is left out.
//!
//! ## Wire format
//!
//! `json` (whitespace aside; one deadlock per line inside the array):
//!
//! ```text
//! {"schema_version":1,"tool":{"name":"lockscope","version":"0.1.0"},"deadlocks":[
//! {"input":"status.txt","line":25,…},
//! {"input":"status.txt","line":190,…}
//! ],"lock_waits":[…],"lock_wait_findings":[…],"warnings":[…],"summary":{"deadlocks":2,…}}
//! ```
//!
//! `jsonl`: one line per deadlock (`"type":"deadlock"`) and per warning (`"type":"warning"`)
//! in input order, then the lock waits (`"type":"lock_wait"`) and their findings
//! (`"type":"lock_wait_finding"`), then one `"type":"summary"` line at the end. Every line carries
//! `schema_version`. The lines are the same objects as in the document plus those two fields.
//!
//! #### Object: document
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `schema_version` | number | `1` |
//! | `tool` | object | `{"name": "lockscope", "version": "<crate version>"}` |
//! | `deadlocks` | array of `deadlock` | in input order |
//! | `lock_waits` | array of `lock_wait` | lock waits (error 1205) of all inputs, joined |
//! | `lock_wait_findings` | array of `finding` | `idle-blocker`, `long-transaction`, `hot-row` |
//! | `warnings` | array of `warning` | at most 10,000 are kept, see `summary.warnings_omitted` |
//! | `summary` | `summary` | totals |
//!
//! #### Object: `deadlock`
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `input` | string | input name: a path, `-` for stdin, or the redacted DSN |
//! | `line` | number | 1-based line where the report starts |
//! | `timestamp` | string or null | the report's timestamp as printed |
//! | `flavour` | string | `mysql50`, `mysql55`, `mysql56`, `mysql57`, `mysql8018`, `mariadb-pre106`, `mariadb106`, `percona`, `unknown`: a guess from the text's shapes |
//! | `flavour_label` | string | the flavour for people (`MariaDB 10.6+`) |
//! | `too_deep` | bool | `TOO DEEP OR LONG SEARCH`: InnoDB gave up, no cycle is proven |
//! | `victim` | number or null | the 1-based `(n)` of `WE ROLL BACK TRANSACTION (n)`; null when missing or `(0)` |
//! | `victim_note` | string | why `victim` is null or not to be trusted (e.g. MDEV-29187); left out when there is nothing to say |
//! | `victim_trx_id` | string or null | the victim's `trx_id`, when the victim is printed |
//! | `transactions` | array of `transaction` | as printed, `(1)` first |
//! | `wait_for_graph` | `wait_for_graph` | who waits for whom |
//! | `findings` | array of `finding` | the diagnosis, main cause first |
//!
//! #### Object: `transaction`
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `number` | number | the `(n)` of `*** (n) TRANSACTION` |
//! | `trx_id` | string | as printed: decimal, 5.5's hex, 5.0's `0 1234`, MariaDB's `(0x7f…)` |
//! | `state` | string | `ACTIVE`, `ACTIVE (PREPARED)`, `not started`, … |
//! | `active_secs`, `tables_in_use`, `tables_locked`, `lock_structs`, `heap_size`, `row_locks`, `undo_entries`, `thread_id`, `query_id` | number or null | counters of the transaction block, null when not printed |
//! | `op_info` | string or null | what InnoDB was doing (`inserting`, `fetching rows`) |
//! | `lock_wait` | bool | the counters line began with `LOCK WAIT` |
//! | `os_thread_handle`, `user`, `host`, `ip`, `proc_info` | string or null | from the thread line |
//! | `query` | string or null | the statement, whole, newlines kept; null between statements |
//! | `holds` | array of `lock` | `HOLDS THE LOCK(S)`; empty when the server did not print them |
//! | `waits_for` | `lock` or null | `WAITING FOR THIS LOCK TO BE GRANTED` |
//! | `conflicting_with` | array of `lock` | MariaDB 10.6+ `CONFLICTING WITH`, possibly owned by other or unprinted transactions |
//! | `line` | number | line of the `TRANSACTION` heading |
//!
//! #### Object: `lock`
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `type` | string | `record` or `table` |
//! | `table` | object | `{"schema": …, "table": …, "partition": …}`; `schema`, `partition` left out when absent |
//! | `index`, `space`, `page`, `n_bits` | string, numbers | record locks only (left out for table locks; `n_bits` when printed) |
//! | `trx_id` | string | owner, as printed |
//! | `mode` | string | `S`, `X`, `IS`, `IX`, `AUTO-INC`, or the unknown word as printed |
//! | `kind` | string | `next-key`, `gap`, `record-only`, `insert-intention`, `table`: after InnoDB's supremum rule |
//! | `waiting` | bool | the lock is requested, not granted |
//! | `clause` | object | the flag words as printed: `mode`, `gap`, `rec_not_gap`, `insert_intention`, `waiting` |
//! | `description` | string | the lock in plain words; wording may improve between releases |
//! | `line` | number | line of the lock header |
//! | `text` | string | the lock header as printed |
//! | `records` | array of `record` | the records listed under it |
//!
//! #### Object: `record`
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `heap_no` | number | 0 is the infimum, 1 the supremum |
//! | `supremum` | bool | heap no 1: the end of the page, the gap after the last record |
//! | `info_bits` | number or null | null when the page was not in the buffer pool |
//! | `delete_marked` | bool | info bits carry 0x20: deleted, not yet purged |
//! | `fields` | array of `field` | in index order: key columns, then `DB_TRX_ID`, `DB_ROLL_PTR` and the rest on the clustered index |
//! | `columns` | array of `column` | the fields decoded, in the same order; absent for the supremum and infimum |
//! | `line` | number | line of `Record lock, heap no …` |
//!
//! #### Object: `column`
//!
//! `{"name": "id", "value": "101"}`. `value` is a SQL literal (`101`, `'alice'`,
//! `'2024-02-29 13:45:59'`, `0x…`, `NULL`; a printed prefix ends in `…` and then
//! `(truncated, N bytes)` or `(external, N bytes)`). With `--schema` the names are the index's
//! columns (`DB_TRX_ID`, `DB_ROLL_PTR`, `DB_ROW_ID` for the hidden ones); a field the schema does
//! not cover has no `name`. Without a schema every column carries `"guessed": true` and only the
//! hidden columns are named. 16-byte binary values also carry `"uuid": "…"`.
//!
//! #### Object: `field`
//!
//! Compact, one of: `{"len": 4, "hex": "80000065"}` (plus `"total": N` when only a prefix was
//! printed and `"external": true` for off-page values), `{"null": true}`, `{"default": true}`
//! (an instantly added column's default), `{"mbr": "…"}` (spatial index). The `asc` part of the
//! log is left out: it is the same bytes with non-printables as spaces.
//!
//! #### Object: `wait_for_graph`
//!
//! `{"edges": [{"waiter": 1, "holder": 2, "lock": "<header as printed>", "source": "holds" |
//! "conflicting-with" | "inferred"}], "cycle": [1, 2]}`. `cycle` lists the transactions in wait
//! order (`[1, 2]` is 1 → 2 → 1) and is empty when the printed edges do not close a cycle.
//!
//! #### Object: `finding`
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `pattern` | string | catalogue id (`delete-then-insert`, …) or `unclassified` |
//! | `confidence` | string | `low`, `medium`, `high` |
//! | `summary` | string | one paragraph about this deadlock |
//! | `evidence` | array | `{"line": N, "text": "<log line>"}` |
//! | `fix` | string | the fixed write path |
//! | `contributing` | bool | left out unless true: contributes to, but is not, the cause |
//!
//! #### Object: `lock_wait`
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `requesting` | `trx_summary` | the waiting transaction |
//! | `blocking` | `trx_summary` or null | the holder; null when the input does not show it |
//! | `lock` | object | `table` (`schema`, `table`), `index`, `mode` (`X`, `S`, …), `kind` (as in `lock`), `lock_data` (key values as `data_locks` prints them), `space`, `page`, `heap_no`, `record` (a `record`, from the status), `text` (the lock as printed) |
//! | `wait_secs` | number | how long it has waited; left out when unknown |
//! | `sources` | array of string | the inputs and tables it was read from |
//! | `line` | number | where it was first read |
//! | `blocker_state` | string | `idle` (runs no statement), `running`, `unknown` |
//! | `head_blocker` | bool | the blocker waits for nobody itself |
//! | `suggested_kill` | string or null | `KILL <thread id>;` for the blocker (never run) |
//!
//! `trx_summary`: `trx_id`, `query` (null: none running), and when known `thread_id`,
//! `state`, `active_secs`, `started`, `user`, `host`, `rows_locked`, `rows_modified`,
//! `command` (PROCESSLIST; `Sleep` = idle), `command_secs`.
//!
//! #### Object: `warning`
//!
//! `{"input": …, "line": N, "message": "…", "text": "…"}`; `text` is left out when there is no
//! offending text.
//!
//! #### Object: `summary`
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `inputs` | array of string | input names |
//! | `deadlocks`, `lock_waits`, `warnings` | number | totals |
//! | `warnings_omitted` | number | warnings counted but not kept in `warnings`; left out when 0 |
//! | `bytes` | number | bytes read |
//! | `patterns` | object | pattern id → number of deadlocks with a finding of that pattern |
//!
//! On the JSONL summary line, `tool` is added.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

use super::json_wire::{count_patterns, write_deadlock, SummaryJson, WarningLine, TOOL};
use super::lock_waits::{FindingLine, LockWaitJson};
use crate::model::Warning;
use crate::sink::{Analysed, LockWaits, Render, Sink, Summary};

/// The `schema_version` written by this build.
pub const SCHEMA_VERSION: u32 = 1;

/// Warnings kept for the document's `warnings` array; the rest are only counted.
const MAX_WARNINGS: usize = 10_000;

/// `--format json`: one document, written as the deadlocks arrive.
pub struct JsonReport<W: Write> {
    out: W,
    started: bool,
    deadlocks: usize,
    lock_waits: LockWaits,
    warnings: Vec<Warning>,
    warnings_omitted: usize,
    patterns: BTreeMap<&'static str, usize>,
}

impl<W: Write> JsonReport<W> {
    pub fn new(out: W) -> Self {
        JsonReport {
            out,
            started: false,
            deadlocks: 0,
            lock_waits: LockWaits::default(),
            warnings: Vec::new(),
            warnings_omitted: 0,
            patterns: BTreeMap::new(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            write!(self.out, "{{\"schema_version\":{SCHEMA_VERSION},\"tool\":")?;
            serde_json::to_writer(&mut self.out, &TOOL)?;
            self.out.write_all(b",\"deadlocks\":[")?;
        }
        Ok(())
    }
}

/// A deadlock as an element of the document's `deadlocks` array (no separator).
fn render_element(analysed: &Analysed, buf: &mut Vec<u8>) -> io::Result<()> {
    write_deadlock(analysed, None, buf);
    Ok(())
}

/// A deadlock as one JSONL line, newline included.
fn render_line(analysed: &Analysed, buf: &mut Vec<u8>) -> io::Result<()> {
    write_deadlock(analysed, Some(SCHEMA_VERSION), buf);
    buf.push(b'\n');
    Ok(())
}

impl<W: Write> JsonReport<W> {
    fn write_element(&mut self, analysed: &Analysed, rendered: Option<&[u8]>) -> io::Result<()> {
        self.start()?;
        self.out
            .write_all(if self.deadlocks == 0 { b"\n" } else { b",\n" })?;
        match rendered {
            Some(bytes) => self.out.write_all(bytes)?,
            None => {
                let mut buf = Vec::new();
                render_element(analysed, &mut buf)?;
                self.out.write_all(&buf)?;
            }
        }
        self.deadlocks += 1;
        count_patterns(&mut self.patterns, &analysed.findings);
        Ok(())
    }
}

impl<W: Write> Sink for JsonReport<W> {
    fn deadlock(&mut self, analysed: &Analysed) -> io::Result<()> {
        self.write_element(analysed, None)
    }

    fn renderer(&self) -> Option<Render> {
        Some(Arc::new(render_element))
    }

    fn rendered_deadlock(&mut self, analysed: &Analysed, rendered: &[u8]) -> io::Result<()> {
        self.write_element(analysed, Some(rendered))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn warning(&mut self, warning: &Warning) -> io::Result<()> {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(warning.clone());
        } else {
            self.warnings_omitted += 1;
        }
        Ok(())
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> io::Result<()> {
        self.lock_waits = waits.clone();
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.start()?;
        if self.deadlocks > 0 {
            self.out.write_all(b"\n")?;
        }
        self.out.write_all(b"],\"lock_waits\":")?;
        let waits = &self.lock_waits.waits;
        let wire: Vec<LockWaitJson<'_>> =
            waits.iter().map(|w| LockWaitJson::new(w, waits)).collect();
        serde_json::to_writer(&mut self.out, &wire)?;
        self.out.write_all(b",\"lock_wait_findings\":")?;
        serde_json::to_writer(&mut self.out, &self.lock_waits.findings)?;
        self.out.write_all(b",\"warnings\":")?;
        serde_json::to_writer(&mut self.out, &self.warnings)?;
        self.out.write_all(b",\"summary\":")?;
        let summary = SummaryJson {
            warnings_omitted: self.warnings_omitted,
            lock_waits: waits.len(),
            ..SummaryJson::new(summary, &self.patterns)
        };
        serde_json::to_writer(&mut self.out, &summary)?;
        self.out.write_all(b"}\n")?;
        self.out.flush()
    }
}

/// `--format jsonl`: one object per line. Output is buffered; it is written out whenever the
/// pipeline has nothing more ready (`Sink::flush`: a slow or live input shows each deadlock at
/// once, a file streams through in large writes), at the end, and — with `flush_each` (for a
/// caller that feeds deadlocks itself, such as a live `watch`) — after every deadlock.
pub struct JsonlReport<W: Write> {
    out: W,
    patterns: BTreeMap<&'static str, usize>,
    lock_wait_count: usize,
    flush_each: bool,
}

impl<W: Write> JsonlReport<W> {
    pub fn new(out: W) -> Self {
        JsonlReport {
            out,
            patterns: BTreeMap::new(),
            lock_wait_count: 0,
            flush_each: false,
        }
    }

    /// Flush after every deadlock line, not only when the pipeline is idle.
    pub fn flush_each(mut self, yes: bool) -> Self {
        self.flush_each = yes;
        self
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn deadlocks_written(&mut self, analysed: &[Analysed]) -> io::Result<()> {
        for a in analysed {
            count_patterns(&mut self.patterns, &a.findings);
        }
        if self.flush_each {
            self.out.flush()?;
        }
        Ok(())
    }
}

impl<W: Write> Sink for JsonlReport<W> {
    fn deadlock(&mut self, analysed: &Analysed) -> io::Result<()> {
        let mut buf = Vec::new();
        render_line(analysed, &mut buf)?;
        self.out.write_all(&buf)?;
        self.deadlocks_written(std::slice::from_ref(analysed))
    }

    fn renderer(&self) -> Option<Render> {
        Some(Arc::new(render_line))
    }

    fn rendered_deadlock(&mut self, analysed: &Analysed, rendered: &[u8]) -> io::Result<()> {
        self.out.write_all(rendered)?;
        self.deadlocks_written(std::slice::from_ref(analysed))
    }

    /// The lines as they are, in one write: no copy into the output buffer per line.
    fn rendered_deadlocks(
        &mut self,
        analysed: &[Analysed],
        rendered: &[u8],
        _ends: &[usize],
    ) -> io::Result<()> {
        self.out.write_all(rendered)?;
        self.deadlocks_written(analysed)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn warning(&mut self, warning: &Warning) -> io::Result<()> {
        let line = WarningLine {
            kind: "warning",
            schema_version: SCHEMA_VERSION,
            warning,
        };
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> io::Result<()> {
        self.lock_wait_count += waits.waits.len();
        for w in &waits.waits {
            let line = LockWaitJson {
                kind: Some("lock_wait"),
                schema_version: Some(SCHEMA_VERSION),
                ..LockWaitJson::new(w, &waits.waits)
            };
            serde_json::to_writer(&mut self.out, &line)?;
            self.out.write_all(b"\n")?;
        }
        for finding in &waits.findings {
            let line = FindingLine {
                kind: "lock_wait_finding",
                schema_version: SCHEMA_VERSION,
                finding,
            };
            serde_json::to_writer(&mut self.out, &line)?;
            self.out.write_all(b"\n")?;
        }
        self.out.flush()
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let line = SummaryJson {
            kind: Some("summary"),
            schema_version: Some(SCHEMA_VERSION),
            tool: Some(&TOOL),
            lock_waits: self.lock_wait_count,
            ..SummaryJson::new(summary, &self.patterns)
        };
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;
    use serde_json::Value;

    fn warning() -> Warning {
        Warning {
            input: "delete-then-insert.status.txt".to_string(),
            line: 7,
            message: "unrecognised line".to_string(),
            text: None,
        }
    }

    fn summary() -> Summary {
        Summary {
            inputs: vec!["delete-then-insert.status.txt".to_string()],
            deadlocks: 2,
            warnings: 1,
            lock_waits: 0,
            bytes: 1234,
        }
    }

    fn document() -> Value {
        let mut report = JsonReport::new(Vec::new());
        let analysed = sample::deadlock();
        report.deadlock(&analysed).unwrap();
        report.warning(&warning()).unwrap();
        report.deadlock(&analysed).unwrap();
        report.finish(&summary()).unwrap();
        serde_json::from_slice(&report.into_inner()).expect("one valid JSON document")
    }

    #[test]
    fn document_has_the_contract_fields() {
        let doc = document();
        assert_eq!(doc["schema_version"], 1);
        assert_eq!(doc["tool"]["name"], "lockscope");
        assert_eq!(doc["lock_waits"], Value::Array(vec![]));
        assert_eq!(doc["warnings"][0]["message"], "unrecognised line");
        assert_eq!(doc["summary"]["deadlocks"], 2);
        assert_eq!(doc["summary"]["patterns"]["delete-then-insert"], 2);
        let d = &doc["deadlocks"][1];
        assert_eq!(d["input"], "delete-then-insert.status.txt");
        assert_eq!(d["line"], 3);
        assert_eq!(d["flavour"], "mariadb106");
        assert_eq!(d["too_deep"], false);
        assert_eq!(d["victim"], Value::Null);
        assert_eq!(d["victim_note"], "MariaDB printed (0) (MDEV-29187)");
        assert_eq!(d["wait_for_graph"]["cycle"], serde_json::json!([1, 2]));
        assert_eq!(
            d["wait_for_graph"]["edges"][0]["source"],
            "conflicting-with"
        );
        let f = &d["findings"][0];
        assert_eq!(f["pattern"], "delete-then-insert");
        assert_eq!(f["confidence"], "high");
        assert_eq!(f["evidence"][0]["line"], 33);
        assert!(f["fix"].is_string() && f["summary"].is_string());
    }

    #[test]
    fn transactions_and_locks() {
        let doc = document();
        let t = &doc["deadlocks"][0]["transactions"][1];
        assert_eq!(t["number"], 2);
        assert_eq!(t["trx_id"], "48");
        assert_eq!(t["state"], "ACTIVE");
        assert!(t["query"].as_str().unwrap().starts_with("INSERT INTO"));
        assert_eq!(t["holds"], Value::Array(vec![]));
        assert_eq!(t["ip"], Value::Null);
        let wait = &t["waits_for"];
        assert_eq!(wait["type"], "record");
        assert_eq!(wait["table"]["schema"], "test");
        assert_eq!(wait["table"]["table"], "session_endpoint");
        assert_eq!(wait["index"], "idx_session_id");
        assert_eq!(
            (wait["space"].as_u64(), wait["page"].as_u64()),
            (Some(7), Some(4))
        );
        assert_eq!(wait["mode"], "X");
        assert_eq!(wait["kind"], "insert-intention");
        assert_eq!(wait["waiting"], true);
        assert_eq!(wait["clause"]["insert_intention"], true);
        assert!(wait["description"]
            .as_str()
            .unwrap()
            .starts_with("waiting to insert into the gap before a delete-marked record"));
        let rec = &wait["records"][0];
        assert_eq!(rec["heap_no"], 6);
        assert_eq!(rec["delete_marked"], true);
        assert_eq!(
            rec["fields"][0],
            serde_json::json!({"len": 16, "hex": "00000000000000000000000000000030"})
        );
        let supremum = &t["conflicting_with"][1];
        assert_eq!(supremum["kind"], "gap");
        assert_eq!(supremum["records"][0]["supremum"], true);
    }

    #[test]
    fn empty_input_is_still_a_document() {
        let mut report = JsonReport::new(Vec::new());
        report.finish(&Summary::default()).unwrap();
        let doc: Value = serde_json::from_slice(&report.into_inner()).unwrap();
        assert_eq!(doc["deadlocks"], Value::Array(vec![]));
        assert_eq!(doc["summary"]["deadlocks"], 0);
    }

    #[test]
    fn jsonl_has_one_tagged_object_per_line() {
        let mut report = JsonlReport::new(Vec::new());
        report.deadlock(&sample::deadlock()).unwrap();
        report.warning(&warning()).unwrap();
        report.finish(&summary()).unwrap();
        let out = String::from_utf8(report.into_inner()).unwrap();
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).expect("one object per line"))
            .collect();
        let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["deadlock", "warning", "summary"]);
        assert!(lines.iter().all(|l| l["schema_version"] == 1));
        assert_eq!(lines[0]["transactions"][0]["trx_id"], "47");
        assert_eq!(lines[1]["line"], 7);
        assert_eq!(lines[2]["tool"]["name"], "lockscope");
        assert_eq!(lines[2]["patterns"]["delete-then-insert"], 1);
    }
}
