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
//! ],"lock_waits":[…],"locks":[…],"lock_wait_findings":[…],"warnings":[…],"summary":{"deadlocks":2,…}}
//! ```
//!
//! `jsonl`: one line per deadlock (`"type":"deadlock"`) and per warning (`"type":"warning"`)
//! in input order, then the lock waits (`"type":"lock_wait"`), the lock groups
//! (`"type":"lock"`) and their findings
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
//! | `locks` | array of `lock_group` | the lock tables' rows per transaction, table, index and mode |
//! | `lock_rows` | array of `lock_row` | only with `--all-locks`: every lock-table row as read |
//! | `lock_wait_findings` | array of `finding` | `idle-blocker`, `long-transaction`, `hot-row`, … |
//! | `statement_history` | array of `history` | only when statement histories were read: each thread of the latest deadlock and of each lock wait, its transaction's statements (`thread_id`, `role`, `statements[]` of `sql`, `errno`, `reported`; `from_the_middle`) |
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
//! | `shape` | string | 12 hex digits naming the collision: deadlocks with the same main pattern, statement fingerprints and lock kinds share it, in any run and any lockscope version (`src/diagnose/shape.rs`) |
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
//! (an instantly added column's default), `{"mbr": "…"}` (spatial index), `{"missing": true}`
//! (a field the copy cut out of the dump: later fields keep their positions). The `asc` part of the
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
//! | `alternatives` | array | left out when empty: `{"pattern", "reason", "evidence"}`, other patterns the same locks fit, and what would make each the right reading |
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
//! | `suggested_kill` | string or null | `KILL <thread id>;` for the blocker (never run); null when the input does not prove the thread is the blocker's (a `THREAD_ID` it shows is the waiter's: see `foreign_ps_thread_id` of `trx_summary`) |
//!
//! `inferred` (bool, left out unless true): no waits table printed this wait; it was inferred
//! from a `WAITING` lock row and a conflicting `GRANTED` one on the same record.
//! `in_cycle` (bool, left out unless true): the waiter and the blocker are on a wait-for cycle
//! (a deadlock not resolved, or copies of different moments).
//!
//! #### Object: `lock_group`
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `trx_id` | string | the owner (`thread N`, `unnamed N` for rows grouped by their table locks, or `row N` for a row alone, numbered in input order, when the paste shows no trx id) |
//! | `ps_thread_id` | number | performance_schema `THREAD_ID`, when shown |
//! | `table`, `index` | object, string | as in `lock`; `index` left out for table locks |
//! | `mode`, `kind`, `mode_text` | string | `X`; `next-key` …; `LOCK_MODE` as printed |
//! | `status` | string | `granted`, `waiting`, `unknown` (INNODB_LOCKS has no status) |
//! | `count` | number | rows in the group |
//! | `examples`, `last` | array of string, string | `LOCK_DATA` of the first rows and of the last |
//! | `supremum` | bool | one of the records is the supremum |
//! | `line` | number | line of the first row |
//!
//! #### Object: `lock_row` (`--all-locks`)
//!
//! `input`, `line`, and as in `lock_group`: `trx_id`, `ps_thread_id`, `table`, `index`, `mode`,
//! `kind`, `mode_text`, `status`; then `lock_data` and `lock_id` (`ENGINE_LOCK_ID` / `lock_id`
//! as printed), null when not shown. In JSONL each is a `"type": "lock_row"` line, written as
//! the table is read.
//!
//! `trx_summary`: `trx_id`, `query` (null: none running), and when known `thread_id`, `ps_thread_id`,
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

mod document;
mod fast;
mod lines;
mod wire;

use std::io;

pub use document::JsonReport;
pub use lines::JsonlReport;
pub use wire::DeadlockJson;

use crate::sink::Analysed;

/// The `schema_version` written by this build.
pub const SCHEMA_VERSION: u32 = 1;
/// A deadlock as an element of the document's `deadlocks` array (no separator).
pub(crate) fn render_element(analysed: &Analysed, buf: &mut Vec<u8>) -> io::Result<()> {
    Ok(fast::to_vec(buf, &DeadlockJson::element(analysed))?)
}

/// A deadlock as one JSONL line, newline included.
pub(crate) fn render_line(analysed: &Analysed, buf: &mut Vec<u8>) -> io::Result<()> {
    fast::to_vec(buf, &DeadlockJson::line(analysed, SCHEMA_VERSION))?;
    buf.push(b'\n');
    Ok(())
}
