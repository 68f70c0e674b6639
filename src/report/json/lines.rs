//! `--format jsonl`: one self-contained object per line, tagged by `"type"`, for log pipelines
//! and for `watch`, which never finishes.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

use super::wire::{
    count_patterns, HeldLine, HistoryLine, LockRowJson, SummaryJson, WarningLine, TOOL,
};
use super::{render_line, SCHEMA_VERSION};
use crate::model::{BlockingTree, LockRow, Warning};
use crate::report::lock_waits::{FindingLine, LockWaitJson};
use crate::sink::{Analysed, LockWaits, Render, Sink, Summary};

/// `--format jsonl`: one object per line. Output is buffered; it is written out whenever the
/// pipeline has nothing more ready (`Sink::flush`: a slow or live input shows each deadlock at
/// once, a file streams through in large writes), at the end, and — with `flush_each` (for a
/// caller that feeds deadlocks itself, such as a live `watch`) — after every deadlock.
pub struct JsonlReport<W: Write> {
    out: W,
    patterns: BTreeMap<&'static str, usize>,
    lock_wait_count: usize,
    flush_each: bool,
    all_locks: bool,
}

impl<W: Write> JsonlReport<W> {
    pub fn new(out: W) -> Self {
        JsonlReport {
            out,
            patterns: BTreeMap::new(),
            lock_wait_count: 0,
            flush_each: false,
            all_locks: false,
        }
    }

    /// Writes every lock row as a `"type":"lock_row"` line (`--all-locks`).
    pub fn all_locks(mut self, yes: bool) -> Self {
        self.all_locks = yes;
        self
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

    fn lock_rows(&mut self, input: &str, rows: &[LockRow]) -> io::Result<()> {
        if !self.all_locks {
            return Ok(());
        }
        for row in rows {
            let line = LockRowJson {
                kind: Some("lock_row"),
                schema_version: Some(SCHEMA_VERSION),
                ..LockRowJson::new(input, row)
            };
            serde_json::to_writer(&mut self.out, &line)?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> io::Result<()> {
        self.lock_wait_count += waits.waits.len();
        let tree = BlockingTree::new(&waits.waits);
        for w in &waits.waits {
            let line = LockWaitJson {
                kind: Some("lock_wait"),
                schema_version: Some(SCHEMA_VERSION),
                ..LockWaitJson::new(w, &tree)
            };
            serde_json::to_writer(&mut self.out, &line)?;
            self.out.write_all(b"\n")?;
        }
        for held in &waits.held {
            let line = HeldLine {
                kind: "lock",
                schema_version: SCHEMA_VERSION,
                held,
            };
            serde_json::to_writer(&mut self.out, &line)?;
            self.out.write_all(b"\n")?;
        }
        for history in &waits.histories {
            let line = HistoryLine {
                kind: "statement_history",
                schema_version: SCHEMA_VERSION,
                history,
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
    use crate::report::json::JsonReport;
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
