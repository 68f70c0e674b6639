//! Lock tables as DBAs paste them (issue 14): every published result set under
//! `fixtures/lock-tables/public/` (MySQL 5.5–8.4 and the reference manual, their origins in its
//! `INDEX.tsv`) yields the waits its data shows — read from a waits table, or inferred from
//! `data_locks` alone — or, where nothing waits, the locks held; and a table without a lock
//! status gets the one warning that says a wait cannot be directed.

use std::collections::BTreeSet;
use std::path::Path;

use lockscope::analyze_text_fully;
use lockscope::model::BlockingTree;

mod common;

/// What one fixture should yield: waits as `waiter>holder` (`?` for a holder the input does
/// not show, `~` after an inferred one), and whether an undirected-conflict warning is due.
struct Expect {
    file: &'static str,
    waits: &'static [&'static str],
    undirected: bool,
}

const fn waits(file: &'static str, waits: &'static [&'static str]) -> Expect {
    Expect {
        file,
        waits,
        undirected: false,
    }
}

const fn undirected(file: &'static str) -> Expect {
    Expect {
        file,
        waits: &[],
        undirected: true,
    }
}

/// From `INDEX.tsv`'s `expected_waits` column (checked by hand against each paste).
const EXPECTED: &[Expect] = &[
    waits("001", &[]),
    waits("002", &["1555>1554"]),
    waits("003", &[]),
    waits("004", &["43260>421291106147544"]),
    waits("005", &["25680230>25680229"]),
    waits("006", &["7334566>7334565"]),
    waits("007", &["14597>14596"]),
    waits("008", &["thread 148>thread 146~", "thread 150>thread 146~"]),
    waits("009", &["thread 148>thread 150~", "thread 150>thread 148~"]),
    waits("010", &["unnamed 1>unnamed 2~"]),
    waits("011", &[]),
    waits("012", &["18912896>18912129"]),
    waits("013", &["212055>212052~"]),
    waits("014", &["4814874>4814873~"]),
    waits("015", &["8665>8663~"]),
    waits("016", &[]),
    waits("017", &["unnamed 1>unnamed 2~"]),
    waits("018", &[]),
    waits("019", &[]),
    waits("020", &[]),
    waits("021", &[]),
    undirected("022"),
    undirected("023"),
    waits("024", &[]),
    waits("025", &["unnamed 1>?~"]),
    waits("026", &["117144>?~"]),
    waits("027", &["2060>2058", "2060>2059", "2059>2058"]),
    undirected("028"),
    waits("029", &["14819>14813"]),
    waits(
        "030",
        &[
            "62D36A9>62C97B1",
            "62D36A9>62C9348",
            "62D36A9>62C9345",
            "62D36A0>62C97B1",
            "62D36A0>62C9348",
            "62D36A0>62C9345",
            "62C97B1>62C9345",
            "62C9348>62C97B1",
            "62C9348>62C9345",
        ],
    ),
    waits("031", &["1900>1899"]),
    waits("032", &["281479971203392>3639~"]),
    undirected("033"),
    waits("034", &["130718499>130718500"]),
    waits("035", &["2291>2288", "2290>2288", "2289>2288"]),
    waits("036", &["805505>805504"]),
    waits("037", &["867158>867157"]),
    waits("038", &["421624251677432>1594"]),
    waits("039", &["166082911>166082906"]),
    waits("040", &["869671>421334084869584~"]),
    undirected("041"),
    waits("042", &["4897>4894"]),
    waits("043", &["4897>4894"]),
    waits("044", &["281479630179024>4401915"]),
    waits("045", &["2595>2594"]),
    waits("046", &["A4>A3", "A5>A3", "A5>A4"]),
    waits("047", &["A4>A3", "A5>A3", "A5>A4"]),
    waits(
        "048",
        &[
            "77F>77E", "77F>77D", "77F>77B", "77E>77D", "77E>77B", "77D>77B", "77B>77A", "E56>E55",
            "E55>19C",
        ],
    ),
    waits("049", &["43260>421291106147544"]),
    waits("050", &["6700>422089830972632"]),
    waits("051", &[]),
    // 052: two terminal panes side by side (`│` between them): not read; see fixtures/README.
    waits("053", &["537516>537515"]),
    waits("054", &["422037508068888>15902"]),
    waits("055", &["421964770676440>2836~"]),
    waits("056", &["unnamed 1>unnamed 2~"]),
    waits("057", &["12345>12346", "12346>12345"]),
    waits("058", &["row 6>row 4~"]),
    waits("059", &["13538176>13538175~"]),
    waits("060", &["1004379>1004377~"]),
    undirected("061"),
    waits("062", &[]),
    waits("063", &["284053005736600>7818"]),
    waits("064", &["111685>111684"]),
    waits("065", &["111681>111676"]),
    waits("066", &["111B>111A"]),
    undirected("067"),
    waits("068", &["session 19>session 20"]),
    waits("069", &["session 231>session 228"]),
    waits("070", &["37057220>37056201"]),
    waits("071", &["167567>167566", "167568>167565"]),
    waits("072", &["session 74727>session 82265"]),
    waits("073", &["9499679>9499678", "9499680>9499678"]),
    undirected("074"),
    waits("075", &["679179>679172"]),
    waits("076", &["1431401>1431393"]),
    waits("077", &["276595788>276595777"]),
    waits("078", &["3669D83>3669D82"]),
    // PROCESSLIST alone: table flushes and the global read lock, holders inferred.
    waits("079", &["session 16>session 13~", "session 17>session 13~"]),
    waits("080", &["session 21>session 20~", "session 22>session 20~"]),
    waits(
        "081",
        &["session 2297>session 2289~", "session 2293>session 2289~"],
    ),
    waits("082", &["session 3>session 2~"]),
    waits("083", &["session 127>?~"]),
    waits("084", &["1866>1864"]),
    waits("085", &["635403>635400"]),
    waits("086", &["102493>102490"]),
    waits("087", &["281480366626248>118121"]),
    waits("088", &["3256133>3256128"]),
];

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lock-tables/public")
}

fn file(prefix: &str) -> std::path::PathBuf {
    std::fs::read_dir(dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{prefix}-")))
        })
        .unwrap_or_else(|| panic!("no fixture {prefix}-*"))
}

#[test]
fn every_published_result_set_yields_its_waits() {
    let mut wrong = Vec::new();
    for e in EXPECTED {
        let path = file(e.file);
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let (sink, recognised) = analyze_text_fully(e.file, &text);
        assert!(
            recognised || e.waits.is_empty(),
            "{}: not recognised",
            e.file
        );
        let got: BTreeSet<String> = sink
            .lock_waits
            .waits
            .iter()
            .map(|w| {
                let holder = w.blocking.as_ref().map_or("?", |b| b.trx_id.as_str());
                let mark = if w.inferred { "~" } else { "" };
                format!("{}>{holder}{mark}", w.requesting.trx_id)
            })
            .collect();
        let want: BTreeSet<String> = e.waits.iter().map(|s| s.to_string()).collect();
        let undirected = sink
            .warnings
            .iter()
            .any(|w| w.message.contains("no lock status to tell which"));
        if got != want || undirected != e.undirected {
            wrong.push(format!(
                "{}: waits {got:?} (want {want:?}), undirected warning {undirected} (want {})",
                e.file, e.undirected
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_manual_example_reads_through_its_aliases() {
    // `ENGINE_TRANSACTION_ID as Trx_Id, OBJECT_NAME as `Table`, LOCK_DATA as Data, …`
    let text = std::fs::read_to_string(file("004")).unwrap();
    let (sink, _) = analyze_text_fully("004", &text);
    let w = &sink.lock_waits.waits[0];
    assert_eq!(w.lock.table.table, "Animals");
    assert_eq!(w.lock.index.as_deref(), Some("PRIMARY"));
    assert_eq!(w.lock.lock_data.as_deref(), Some("'Aardvark'"));
    assert_eq!(w.lock.kind, lockscope::model::LockKind::RecNotGap);
    assert!(!w.inferred, "data_lock_waits names this wait");
    // The holder's S lock is among the locks held, and the finding says what it does.
    assert!(sink
        .lock_waits
        .held
        .iter()
        .any(|g| g.trx_id == "421291106147544" && g.mode_text == "S,REC_NOT_GAP"));
    let patterns: Vec<&str> = sink.lock_waits.findings.iter().map(|f| f.pattern).collect();
    assert!(patterns.contains(&"shared-lock-held"), "{patterns:?}");
}

#[test]
fn nothing_waits_yet_the_held_locks_are_told() {
    // A `SELECT * FROM data_locks\G` of one transaction: X on the supremum of GEN_CLUST_INDEX.
    let text = std::fs::read_to_string(file("001")).unwrap();
    let (sink, _) = analyze_text_fully("001", &text);
    assert!(sink.lock_waits.waits.is_empty());
    let held = &sink.lock_waits.held;
    assert!(
        held.iter().any(|g| g.supremum && g.trx_id == "2569"),
        "{held:#?}"
    );
    let patterns: Vec<&str> = sink.lock_waits.findings.iter().map(|f| f.pattern).collect();
    assert_eq!(patterns, ["gap-lock-held"]);
}

#[test]
fn a_headerless_gui_copy_is_read_by_its_values() {
    let text = std::fs::read_to_string(file("018")).unwrap();
    let (sink, _) = analyze_text_fully("018", &text);
    assert_eq!(sink.lock_waits.lock_rows, 4, "{:#?}", sink.lock_waits.held);
    assert!(sink
        .lock_waits
        .held
        .iter()
        .all(|g| g.table.table == "task_queue" && g.trx_id == "3271"));
}

#[test]
fn inferred_insert_intention_wait_names_the_gap_holder() {
    // data_locks + a subset of sys.innodb_lock_waits with no trx ids: inferred from the rows.
    let text = std::fs::read_to_string(file("040")).unwrap();
    let (sink, _) = analyze_text_fully("040", &text);
    let w = &sink.lock_waits.waits[0];
    assert!(w.inferred);
    assert_eq!(w.lock.kind, lockscope::model::LockKind::InsertIntention);
    assert_eq!(w.lock.lock_data.as_deref(), Some("15, 15"));
    assert_eq!(w.requesting.ps_thread_id, Some(2059));
}

#[test]
fn no_kill_for_the_waiters_own_thread() {
    // See: fixtures/lock-tables/public/054 (hunt P7): `REQUESTING_THREAD_ID: 64` and
    // `BLOCKING_THREAD_ID: 64`; InnoDB gave the blocker's converted implicit lock the waiter's
    // thread. Killing THREAD_ID 64 would end the waiter.
    let text = std::fs::read_to_string(file("054")).unwrap();
    let (sink, _) = analyze_text_fully("054", &text);
    let waits = &sink.lock_waits.waits;
    let b = waits[0].blocking.as_ref().unwrap();
    assert_eq!(b.trx_id, "15902");
    assert_eq!(b.ps_thread_id, None);
    assert_eq!(b.foreign_ps_thread_id, Some(64));
    let tree = BlockingTree::new(waits);
    assert_eq!((tree.kill_id(b), tree.kill_ps_thread(b)), (None, None));
    let path = file("054");
    let path = path.to_str().unwrap();
    let (text, _, _) = common::lockscope(&["analyze", path], &[]);
    assert!(!text.contains("THREAD_ID = 64"), "{text}");
    assert!(text.contains("no KILL suggested"), "{text}");
    let (json, _, _) = common::lockscope(&["analyze", "--format", "json", path], &[]);
    assert!(json.contains("\"suggested_kill\":null"), "{json}");
}

#[test]
fn the_holders_thread_comes_from_its_table_lock() {
    // See: fixtures/lock-tables/public/055 (hunt P7): trx 2836's IX row shows THREAD_ID 69,
    // its converted record lock 68 (the waiter's).
    let text = std::fs::read_to_string(file("055")).unwrap();
    let (sink, _) = analyze_text_fully("055", &text);
    let b = sink.lock_waits.waits[0].blocking.as_ref().unwrap();
    assert_eq!((b.trx_id.as_str(), b.ps_thread_id), ("2836", Some(69)));
    assert_eq!(b.thread_id, Some(19), "INNODB_TRX's trx_mysql_thread_id");
    assert!(sink
        .lock_waits
        .held
        .iter()
        .filter(|g| g.trx_id == "2836")
        .all(|g| g.ps_thread_id == Some(69)));
    // The data_locks box alone: the KILL goes through THREAD_ID 69, never 68.
    let start = text.find("select ENGINE_LOCK_ID").unwrap();
    let (sink, _) = analyze_text_fully("055", &text[start..]);
    let waits = &sink.lock_waits.waits;
    let b = waits[0].blocking.as_ref().unwrap();
    assert_eq!(BlockingTree::new(waits).kill_ps_thread(b), Some(69));
}

fn patterns(sink: &lockscope::sink::VecSink) -> Vec<&'static str> {
    sink.lock_waits.findings.iter().map(|f| f.pattern).collect()
}

#[test]
fn a_table_without_owners_is_told_apart_by_its_table_locks() {
    // See: fixtures/lock-tables/public/056 (hunt P3, P2, P1): no trx id, lock id or thread
    // column. The second box is two transactions (IX + a waiting insert intention; IS + S
    // locks), the first box an earlier snapshot of the second's reader.
    let text = std::fs::read_to_string(file("056")).unwrap();
    let (sink, _) = analyze_text_fully("056", &text);
    assert_eq!(
        sink.lock_waits.lock_rows, 7,
        "the earlier snapshot is left out"
    );
    let mut owners: Vec<&str> = sink
        .lock_waits
        .held
        .iter()
        .map(|g| g.trx_id.as_str())
        .collect();
    owners.sort_unstable();
    owners.dedup();
    assert_eq!(owners, ["unnamed 1", "unnamed 2"]);
    assert!(sink
        .warnings
        .iter()
        .any(|w| w.message.contains("successive snapshots") && w.line == 31));
    assert!(
        !patterns(&sink).contains(&"hot-row"),
        "{:?}",
        patterns(&sink)
    );
}

#[test]
fn rows_sorted_out_of_their_runs_keep_their_own_owner() {
    // See: fixtures/lock-tables/public/058 (hunt P3): both IX rows first, then the record
    // locks: runs would put the waiting insert intention with the X lock it waits for.
    let text = std::fs::read_to_string(file("058")).unwrap();
    let (sink, _) = analyze_text_fully("058", &text);
    assert!(sink
        .lock_waits
        .held
        .iter()
        .all(|g| g.trx_id.starts_with("row ")));
    let w = &sink.lock_waits.waits[0];
    assert_eq!(w.lock.kind, lockscope::model::LockKind::InsertIntention);
    assert_eq!(w.lock.lock_data.as_deref(), Some("6"));
}

#[test]
fn a_later_snapshot_replaces_an_earlier_one() {
    // See: fixtures/lock-tables/public/059 (hunt P1, P2): trx 13538171 of the first box is an
    // earlier run's; only 13538175 blocks the insert now, and one waiter is no queue.
    let text = std::fs::read_to_string(file("059")).unwrap();
    let (sink, _) = analyze_text_fully("059", &text);
    let heads: Vec<&str> = BlockingTree::new(&sink.lock_waits.waits)
        .heads()
        .iter()
        .map(|t| t.trx_id.as_str())
        .collect();
    assert_eq!(heads, ["13538175"]);
    assert!(!sink.lock_waits.held.iter().any(|g| g.trx_id == "13538171"));
    assert!(
        !patterns(&sink).contains(&"hot-row"),
        "{:?}",
        patterns(&sink)
    );
    // See: fixtures/lock-tables/public/060 (hunt P1): the same lock ids in both boxes.
    let text = std::fs::read_to_string(file("060")).unwrap();
    let (sink, _) = analyze_text_fully("060", &text);
    let g = sink
        .lock_waits
        .held
        .iter()
        .find(|g| g.trx_id == "1004377" && g.mode_text == "X,REC_NOT_GAP")
        .unwrap();
    assert_eq!(
        (g.count, g.examples.clone()),
        (2, vec!["1".to_string(), "2".to_string()])
    );
}

#[test]
fn a_wait_for_cycle_is_reported() {
    // See: fixtures/lock-tables/public/057 (hunt P18): 12345 waits for 12346 and back.
    let path = file("057");
    let (text, _, _) = common::lockscope(&["analyze", path.to_str().unwrap()], &[]);
    assert!(text.contains("1 wait-for cycle(s)"), "{text}");
    assert!(
        text.contains("wait-for cycle: trx 12345 → trx 12346 → trx 12345"),
        "{text}"
    );
}

#[test]
fn a_fence_or_a_footer_after_a_vertical_row_is_not_its_value() {
    // See: fixtures/lock-tables/public/061 (hunt P4: ``` right after `lock_data: 100`), 062
    // (P5: `1 row in set, 1 warning (0.00 sec)` after the last value), 063 (P11: `NULL  `).
    for (f, key) in [
        ("061", "100"),
        (
            "062",
            "'4028b2e986e9b1620186e9cc7351111', '4028b2e986fd478c0186fd54768a2222'",
        ),
    ] {
        let text = std::fs::read_to_string(file(f)).unwrap();
        let (sink, _) = analyze_text_fully(f, &text);
        let held = &sink.lock_waits.held;
        assert!(held.iter().all(|g| g.examples == [key]), "{f}: {held:#?}");
    }
    let text = std::fs::read_to_string(file("063")).unwrap();
    let (sink, _) = analyze_text_fully("063", &text);
    let held = &sink.lock_waits.held;
    assert!(
        held.iter().all(|g| g.table.partition.is_none()),
        "{held:#?}"
    );
}

#[test]
fn a_lock_known_by_its_id_alone_has_no_kind() {
    // See: fixtures/lock-tables/public/054 (hunt P8): `140562531358232 :7:4:9:`, a lock id a
    // copy broke at a colon, and no lock mode anywhere.
    let text = std::fs::read_to_string(file("054")).unwrap();
    let (sink, _) = analyze_text_fully("054", &text);
    let l = &sink.lock_waits.waits[0].lock;
    assert_eq!(l.kind, lockscope::model::LockKind::Unknown);
    assert_eq!((l.space, l.page, l.heap_no), (Some(7), Some(4), Some(9)));
    assert_eq!(l.text, "140562531358232:7:4:9:");
}

#[test]
fn five_x_modes_are_not_over_read() {
    use lockscope::model::LockKind;
    // See: fixtures/lock-tables/public/064 (hunt P12, P17): a waiting `X,GAP` of 5.7 is an
    // insert intention; the blocker runs only `SELECT * FROM sys.innodb_lock_waits`.
    let text = std::fs::read_to_string(file("064")).unwrap();
    let (sink, _) = analyze_text_fully("064", &text);
    let w = &sink.lock_waits.waits[0];
    assert_eq!(w.lock.kind, LockKind::InsertIntention);
    let b = w.blocking.as_ref().unwrap();
    assert!(b.is_idle() && b.query.is_none(), "{b:#?}");
    assert!(
        patterns(&sink).contains(&"idle-blocker"),
        "{:?}",
        patterns(&sink)
    );
    // 065: heap 1 is the supremum; the waiting `X` there is an insert intention.
    let text = std::fs::read_to_string(file("065")).unwrap();
    let (sink, _) = analyze_text_fully("065", &text);
    let l = &sink.lock_waits.waits[0].lock;
    assert_eq!((l.kind, l.heap_no), (LockKind::InsertIntention, Some(1)));
    // 066: the latest of two INNODB_LOCK_WAITS snapshots, on its INNODB_LOCKS row.
    let text = std::fs::read_to_string(file("066")).unwrap();
    let (sink, _) = analyze_text_fully("066", &text);
    let l = &sink.lock_waits.waits[0].lock;
    assert_eq!(l.kind, LockKind::InsertIntention);
    assert_eq!(l.lock_data.as_deref(), Some("5, 0x00000000020F"));
    // 067: 5.6's X and S say nothing of next-key or record-only.
    let text = std::fs::read_to_string(file("067")).unwrap();
    let (sink, _) = analyze_text_fully("067", &text);
    assert!(sink
        .lock_waits
        .held
        .iter()
        .filter(|g| g.is_record())
        .all(|g| g.kind == LockKind::Unknown));
}

fn read(prefix: &str) -> lockscope::sink::VecSink {
    let text = String::from_utf8_lossy(&std::fs::read(file(prefix)).unwrap()).into_owned();
    analyze_text_fully(prefix, &text).0
}

#[test]
fn a_wait_known_by_processlist_ids_alone_is_read() {
    use lockscope::model::LockKind;
    // See: fixtures/lock-tables/public/068 (hunt3 A, 004): a custom join of metadata_locks
    // with `locked_schema`, `waiting_processlist_id`, `blocking_processlist_id` and no trx id.
    let sink = read("068");
    let w = &sink.lock_waits.waits[0];
    assert_eq!(w.lock.kind, LockKind::Metadata);
    assert_eq!(w.lock.table.to_string(), "`apple`.`user`");
    assert_eq!(w.requesting.thread_id, Some(19));
    assert_eq!(w.blocking.as_ref().unwrap().thread_id, Some(20));
    // 069 (hunt3 010): sys.x$innodb_lock_waits joined with PROCESSLIST, pids only.
    let sink = read("069");
    let w = &sink.lock_waits.waits[0];
    assert_eq!(w.lock.mode, "S");
    assert_eq!(w.lock.table.to_string(), "`db`.`t1`");
    assert_eq!(w.blocking.as_ref().unwrap().thread_id, Some(228));
    assert!(w
        .requesting
        .query
        .as_deref()
        .unwrap()
        .starts_with("insert into db.t1"));
}

#[test]
fn innodb_locks_pairs_a_waits_table_explains_give_no_warning() {
    // See: fixtures/lock-tables/public/071 (hunt3 F, 014): INNODB_LOCK_WAITS names both waits;
    // `X` and `S,GAP` on one record never conflict; neither is a queue (hunt3 G).
    let sink = read("071");
    assert!(sink.warnings.is_empty(), "{:#?}", sink.warnings);
    assert!(
        !patterns(&sink).contains(&"hot-row"),
        "{:?}",
        patterns(&sink)
    );
    // 070 (hunt3 013): the waits table is of a later moment than one INNODB_LOCKS row.
    let sink = read("070");
    assert_eq!(sink.warnings.len(), 1, "{:#?}", sink.warnings);
    assert!(sink.warnings[0].message.contains("another moment"));
    assert!(!sink.warnings[0].message.contains("add `"));
    // 074 (hunt3 025): MariaDB's INNODB_LOCKS alone: its waits table is INNODB_LOCK_WAITS.
    let sink = read("074");
    assert_eq!(sink.warnings.len(), 1, "{:#?}", sink.warnings);
    assert!(sink.warnings[0].message.contains("add `INNODB_LOCK_WAITS`"));
    assert!(!sink.warnings[0].message.contains("data_lock_waits"));
}

#[test]
fn the_waited_record_is_named_by_the_blocking_locks_row() {
    // See: fixtures/lock-tables/public/070 (hunt3 E, 013): the waiter's own INNODB_LOCKS row
    // is of an earlier attempt; `blocking_lock_id` 37056201:1359:3:2 is a row of test.user.
    let sink = read("070");
    let l = &sink.lock_waits.waits[0].lock;
    assert_eq!(l.table.to_string(), "`test`.`user`");
    assert_eq!(l.index.as_deref(), Some("PRIMARY"));
    assert_eq!(l.lock_data.as_deref(), Some("1"));
}

#[test]
fn compatible_shared_waiters_are_no_queue() {
    // See: fixtures/lock-tables/public/073 (hunt3 G, 023): two duplicate-key S checks behind
    // one X are granted together.
    let sink = read("073");
    assert_eq!(sink.lock_waits.waits.len(), 2);
    assert!(
        !patterns(&sink).contains(&"hot-row"),
        "{:?}",
        patterns(&sink)
    );
}

#[test]
fn a_metadata_lock_holder_is_joined_to_its_transaction() {
    // See: fixtures/lock-tables/public/072 (hunt3 J, 019): pid 82265 holds SHARED_READ and has
    // an INNODB_TRX row (RUNNING, no trx_query): idle in its transaction.
    let sink = read("072");
    let b = sink.lock_waits.waits[0].blocking.as_ref().unwrap();
    assert_eq!(b.state.as_deref(), Some("RUNNING"));
    assert!(b.is_idle(), "{b:#?}");
    assert!(
        patterns(&sink).contains(&"idle-blocker"),
        "{:?}",
        patterns(&sink)
    );
}

#[test]
fn published_names_and_notes_read_as_the_server_printed_them() {
    use lockscope::model::LockKind;
    // See: fixtures/lock-tables/public/075 (hunt3 H, 005): `  <--等待的语句` after the query.
    let sink = read("075");
    let w = &sink.lock_waits.waits[0];
    assert_eq!(
        w.requesting.query.as_deref(),
        Some("select * from test.l for update")
    );
    // 076 (hunt3 I, 008): a Cyrillic `Х` for X; a client-cut `STATS_BRAND_SA...`.
    let sink = read("076");
    let l = &sink.lock_waits.waits[0].lock;
    assert_eq!(l.mode, "X");
    assert!(l.table.table.ends_with("STATS_BRAND_SA…"), "{:?}", l.table);
    assert_ne!(l.table.table.as_str(), "..");
    // 077 (hunt3 I, 018): 5.7's `/* Partition `p_2018` */` after the table.
    let sink = read("077");
    let l = &sink.lock_waits.waits[0].lock;
    assert_eq!(l.table.table.as_str(), "t");
    assert_eq!(l.table.partition.as_deref(), Some("p_2018"));
    assert_eq!(l.kind, LockKind::InsertIntention);
    // 078 (hunt3 H, I, 021): 5.1's backquoted `lock_index`, `## …` after trx_state.
    let sink = read("078");
    let w = &sink.lock_waits.waits[0];
    assert_eq!(w.lock.index.as_deref(), Some("PRIMARY"));
    assert_eq!(w.requesting.state.as_deref(), Some("LOCK WAIT"));
}
