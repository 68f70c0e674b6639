//! Deadlock text the way it reaches people (issue 16): every real copy under `fixtures/shapes/`
//! (line-numbered, flattened to one line, body-only excerpts, MySQL 8's JSON error log,
//! HTML-escaped, double-spaced and markdown copies, MariaDB's `(0)` victim; origins in its
//! `INDEX.tsv`) parses into the right number of transactions and the right victim, and a
//! mangled copy reads as its clean original where the publisher printed both.

use std::path::Path;

use lockscope::analyze_text;
use lockscope::sink::Analysed;

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/shapes")
        .join(name);
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

fn analysed(name: &str) -> (Vec<Analysed>, Vec<lockscope::model::Warning>) {
    analyze_text(name, &read(name))
}

/// (file, transactions, victim as the number lockscope reports: `None` when the text does
/// not say, or says `(0)` and the rest of the input does not tell).
const EXPECTED: &[(&str, usize, Option<u32>)] = &[
    ("body-only-01-refman-animals-birds.txt", 2, None),
    ("body-only-02-ko-mysql8-docker-errorlog.txt", 2, None),
    ("body-only-03-zh-mysql-8.0.32-errorlog.txt", 2, None),
    ("double-spaced-01-ko-mariadb-errorlog-elided.txt", 2, None),
    ("double-spaced-02-zh-no-top-dashes-elision.txt", 2, Some(1)),
    ("double-spaced-03-zh-user-address-masked-ip.txt", 2, Some(2)),
    (
        "double-spaced-04-zh-percona-5.5-yujx-insert-s-lock.txt",
        2,
        Some(2),
    ),
    ("flattened-01-juejin-delete-insert-idx-cnt.txt", 2, Some(1)),
    ("flattened-02-chatgpt-quote-markdown-escaped.txt", 2, None),
    (
        "flattened-03-juejin-tenant-config-copy-button.txt",
        2,
        Some(1),
    ),
    ("flattened-04-aneasystone-backtick-joined.txt", 2, Some(2)),
    ("html-escaped-01-xaprb-ad-data-asc-lt.txt", 2, Some(1)),
    ("html-escaped-02-xaprb-deadlock-maker-lt-gt.txt", 2, Some(2)),
    ("json-log-01-loki-8.4-pretty.txt", 2, Some(2)),
    // The TRANSACTIONS section of the same output no longer lists trx 103: (1).
    (
        "mariadb-victim-0-01-mdev29187-repro-serializable.txt",
        2,
        Some(1),
    ),
    (
        "mariadb-victim-0-02-ko-10.8-errorlog-double-spaced.txt",
        2,
        None,
    ),
    (
        "mariadb-victim-0-03-ko-10.8-markdown-trailing-spaces.txt",
        2,
        None,
    ),
    ("markdown-01-ko-mariadb-trailing-spaces-elided.txt", 2, None),
    (
        "markdown-03-wekeepcoding-stars-eaten-wrapped-truncated.txt",
        2,
        None,
    ),
    ("numbered-01-hpm3-tiny-dl.txt", 2, Some(2)),
    ("numbered-02-percona-autoinc-zh.txt", 2, Some(1)),
    ("numbered-03-percona-split-words-zh.txt", 2, None),
    ("ocr-01-krogh-mysql8021-pdf-per-line-fences.txt", 2, Some(2)),
    ("wrapped-02-mysql51-trx-line-cut-at-waiting.txt", 1, None),
    ("elided-01-mysql50-book-unicode-ellipsis.txt", 2, Some(1)),
    (
        "source-literal-01-java-polardbx-xa-xid-for-update.txt",
        2,
        Some(2),
    ),
    (
        "source-comment-01-go-spirit-idempotence-key-snip.txt",
        2,
        Some(1),
    ),
    (
        "source-comment-02-java-block-star-wrapped-supertokens.txt",
        2,
        Some(1),
    ),
    (
        "split-heading-01-jira-mdev30973-space-lines-cut.txt",
        2,
        None,
    ),
    (
        "br-joined-01-percona-excerpt-second-copy-spaced.txt",
        2,
        None,
    ),
    (
        "flattened-05-programmerteach-glued-timestamp-cut.txt",
        2,
        None,
    ),
    (
        "markdown-04-zh-backslash-escaped-timestamp-comment.txt",
        2,
        Some(2),
    ),
    (
        "logger-01-xaprb-mysql-deadlock-logger-2007-pre.txt",
        2,
        Some(1),
    ),
    (
        "logger-02-zh-pt-deadlock-logger-3.0.11-animals-birds-txn-id-0.txt",
        2,
        Some(2),
    ),
    (
        "logger-03-zh-pt-deadlock-logger-headerless-blank-lines-ip-collapsed.txt",
        2,
        Some(2),
    ),
    (
        "indented-01-zh-percona-5.5-status-g-4-space-code-block.txt",
        2,
        Some(2),
    ),
    (
        "source-comment-03-php-block-6-space-mysql51-one-line-records.txt",
        2,
        Some(2),
    ),
    (
        "wrapped-03-ko-list-indented-condensed-record-locks-cut-after-of.txt",
        2,
        Some(2),
    ),
    (
        "fence-lost-01-zh-github-issue-text-tag-line.txt",
        2,
        Some(2),
    ),
    // The report and pt-deadlock-logger's rows of it: one deadlock.
    (
        "logger-04-zh-report-then-its-pt-deadlock-logger-rows.txt",
        2,
        Some(2),
    ),
];

/// Each transaction's id, the mode words of its awaited lock, and those of its held locks
/// (`X locks rec but not gap`, `X` for next-key), as the report printed them.
fn locks(a: &Analysed) -> Vec<(String, Option<String>, Vec<String>)> {
    let mode = |text: &str| {
        let squashed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let at = squashed.find("lock_mode ").or(squashed.find("lock mode "));
        at.map_or(String::new(), |i| {
            squashed[i + 10..].trim_end_matches(" waiting").to_string()
        })
    };
    a.deadlock
        .transactions
        .iter()
        .map(|t| {
            (
                t.trx_id.to_string(),
                t.waits_for.as_ref().map(|l| mode(&l.text)),
                t.holds.iter().map(|l| mode(&l.text)).collect(),
            )
        })
        .collect()
}

/// (file, per transaction: id, awaited lock's mode, held locks' modes).
type Locks<'a> = (&'a str, &'a [(&'a str, Option<&'a str>, &'a [&'a str])]);

const LOCKS: &[Locks] = &[
    (
        "source-literal-01-java-polardbx-xa-xid-for-update.txt",
        &[
            (
                "44064285",
                Some("X locks rec but not gap"),
                &["X locks rec but not gap"],
            ),
            (
                "44064145",
                Some("X locks rec but not gap"),
                &["X locks rec but not gap"],
            ),
        ],
    ),
    (
        "source-comment-01-go-spirit-idempotence-key-snip.txt",
        &[
            (
                "15106308424",
                Some("X locks rec but not gap"),
                &["X locks rec but not gap"],
            ),
            ("15106301192", Some("X"), &["X"]),
        ],
    ),
    (
        "source-comment-02-java-block-star-wrapped-supertokens.txt",
        &[
            ("196679", Some("X locks rec but not gap"), &[]),
            ("196680", Some("X"), &["X locks rec but not gap"]),
        ],
    ),
    (
        "split-heading-01-jira-mdev30973-space-lines-cut.txt",
        &[
            ("421484824000288", Some("S"), &[]),
            ("920212128464", None, &[]),
        ],
    ),
    (
        "br-joined-01-percona-excerpt-second-copy-spaced.txt",
        &[("78507", Some("X"), &[]), ("78508", None, &[])],
    ),
    (
        "indented-01-zh-percona-5.5-status-g-4-space-code-block.txt",
        &[
            ("645CC8C44", Some("X insert intention"), &[]),
            ("645CC8C45", Some("X insert intention"), &["X"]),
        ],
    ),
    (
        "source-comment-03-php-block-6-space-mysql51-one-line-records.txt",
        &[
            ("0 56471972", Some("X locks rec but not gap"), &[]),
            (
                "0 56471970",
                Some("X locks rec but not gap"),
                &["S locks rec but not gap"],
            ),
        ],
    ),
    (
        "wrapped-03-ko-list-indented-condensed-record-locks-cut-after-of.txt",
        &[
            ("260433", Some("X locks rec but not gap"), &["X"]),
            ("260435", Some("X"), &["S locks rec but not gap"]),
        ],
    ),
];

/// The report's time, from its header line whatever a copy did to it, or from the log prefix
/// of a later heading when the copy starts at `*** (1) TRANSACTION:`.
#[test]
fn every_copy_has_its_time() {
    for (file, want) in [
        (
            "flattened-05-programmerteach-glued-timestamp-cut.txt",
            vec!["2021-11-10 10:48:46"],
        ),
        (
            "markdown-04-zh-backslash-escaped-timestamp-comment.txt",
            vec!["160128 1:51:53"],
        ),
        (
            "log-prefix-01-mariadb-11.8-two-blocks-first-prefix-lost.txt",
            vec!["2026-01-20 15:45:44", "2026-01-20 15:45:44"],
        ),
    ] {
        let (deadlocks, _) = analysed(file);
        let got: Vec<Option<String>> = deadlocks
            .iter()
            .map(|a| a.deadlock.timestamp.clone())
            .collect();
        let want: Vec<Option<String>> = want.iter().map(|w| Some(w.to_string())).collect();
        assert_eq!(got, want, "{file}");
    }
}

/// A thread line that ends with the state alone (`query id 2604440517 update`) has no user.
#[test]
fn a_lone_state_word_is_not_a_user() {
    let (d, _) = analysed("split-heading-01-jira-mdev30973-space-lines-cut.txt");
    let t = &d[0].deadlock.transactions[1];
    assert_eq!(t.user, None);
    assert_eq!(t.proc_info.as_deref(), Some("update"));
}

/// A status excerpt pasted in a fence ends at the fence: the lock tables after it are read.
#[test]
fn a_fenced_transactions_excerpt_leaves_the_lock_tables_after_it() {
    let text = read("excerpt-end-01-zh-fenced-transactions-then-data-locks.txt");
    let (sink, _) = lockscope::analyze_text_fully("excerpt-end-01", &text);
    let warnings = &sink.warnings;
    assert!(sink.deadlocks.is_empty());
    let waits = &sink.lock_waits.waits;
    assert_eq!(waits.len(), 1, "{waits:#?}");
    assert!(
        !warnings
            .iter()
            .any(|w| w.message.contains("unrecognised line in transaction")),
        "{warnings:#?}"
    );
}

#[test]
fn every_copy_has_its_locks() {
    let mut wrong = Vec::new();
    for &(file, want) in LOCKS {
        let (deadlocks, _) = analysed(file);
        let got = deadlocks.first().map(locks).unwrap_or_default();
        let want: Vec<(String, Option<String>, Vec<String>)> = want
            .iter()
            .map(|(id, w, h)| {
                (
                    id.to_string(),
                    w.map(str::to_string),
                    h.iter().map(|s| s.to_string()).collect(),
                )
            })
            .collect();
        if got != want {
            wrong.push(format!("{file}:\n got {got:?}\nwant {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_copy_has_its_transactions_and_victim() {
    let mut wrong = Vec::new();
    for &(file, n, victim) in EXPECTED {
        let (deadlocks, _) = analysed(file);
        let got: Vec<(usize, Option<u32>)> = deadlocks
            .iter()
            .map(|a| (a.deadlock.transactions.len(), a.deadlock.victim.number))
            .collect();
        if got != [(n, victim)] {
            wrong.push(format!("{file}: {got:?}, want [({n}, {victim:?})]"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What a copy must keep of its original: each transaction's id, statement, awaited lock and
/// held locks (whitespace aside), and the victim.
fn model(a: &Analysed) -> Vec<String> {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = vec![format!("victim {:?}", a.deadlock.victim.number)];
    for t in &a.deadlock.transactions {
        out.push(format!(
            "trx {} query {:?} waits {:?} holds {:?}",
            t.trx_id,
            t.query.as_deref().map(squash),
            t.waits_for.as_ref().map(|l| squash(&l.text)),
            t.holds.iter().map(|l| squash(&l.text)).collect::<Vec<_>>()
        ));
    }
    out
}

#[test]
fn a_mangled_copy_reads_as_its_clean_original() {
    for (mangled, clean) in [
        (
            "flattened-04-aneasystone-backtick-joined.txt",
            "flattened-04-aneasystone-backtick-joined.clean.txt",
        ),
        (
            "body-only-01-refman-animals-birds.txt",
            "body-only-01-refman-animals-birds.clean.txt",
        ),
    ] {
        let (a, _) = analysed(mangled);
        let (b, _) = analysed(clean);
        let mut ma = model(&a[0]);
        let mut mb = model(&b[0]);
        if mangled.starts_with("body-only") {
            // The excerpt has no victim line; everything else is the same.
            ma.remove(0);
            mb.remove(0);
        }
        assert_eq!(ma, mb, "{mangled} against {clean}");
    }
}

#[test]
fn the_json_log_says_what_its_sink_left_out() {
    let (json, warnings) = analysed("json-log-01-loki-8.4-pretty.txt");
    let (clean, _) = analysed("json-log-01-loki-8.4-pretty.clean.txt");
    assert_eq!(
        json[0].deadlock.transactions.len(),
        clean[0].deadlock.transactions.len()
    );
    assert_eq!(
        json[0].deadlock.victim.number,
        clean[0].deadlock.victim.number
    );
    assert!(
        warnings.iter().any(|w| w.message.contains("log_sink_json")),
        "{warnings:#?}"
    );
}

#[test]
fn an_inferred_mariadb_victim_says_so() {
    let (d, _) = analysed("mariadb-victim-0-01-mdev29187-repro-serializable.txt");
    let note = d[0].deadlock.victim.note.as_deref().unwrap_or("");
    assert!(note.starts_with("inferred"), "{note}");
    assert!(note.contains("103"), "{note}");
}

#[test]
fn html_escaped_statements_are_decoded() {
    let (d, _) = analysed("html-escaped-02-xaprb-deadlock-maker-lt-gt.txt");
    let queries: Vec<&str> = d[0]
        .deadlock
        .transactions
        .iter()
        .filter_map(|t| t.query.as_deref())
        .collect();
    assert!(
        queries
            .iter()
            .all(|q| !q.contains("&lt;") && !q.contains("&gt;")),
        "{queries:?}"
    );
}

#[test]
fn a_lock_wait_excerpt_with_entities_is_a_lock_wait() {
    let text = read("html-escaped-03-xaprb-lock-wait-asc-gt.txt");
    let (sink, _) = lockscope::analyze_text_fully("html-escaped-03", &text);
    assert!(sink.deadlocks.is_empty());
    assert_eq!(sink.lock_waits.waits.len(), 1);
}

/// journald's prefixes (`short`, `short-iso`, `short-precise`) and its JSON come off: the
/// shipped copies hold the same ten deadlocks as the messages alone (`journalctl -o cat`), and
/// a redacted copy keeps neither the host nor journald's prefix.
#[test]
fn shipped_logs_read_as_the_server_wrote_them() {
    let shipped: Vec<Analysed> = [
        "shipped-01-journald-short-mariadb-10.11.txt",
        "shipped-02-journald-short-iso-mariadb-10.11.txt",
        "shipped-03-journald-short-precise-mariadb-10.11.txt",
        "shipped-04-journald-json-mariadb-10.11.txt",
    ]
    .iter()
    .flat_map(|f| {
        let (d, warnings) = analysed(f);
        assert!(warnings.is_empty(), "{f}: {warnings:#?}");
        d
    })
    .collect();
    let (clean, _) = analysed("shipped-clean-journald-cat-mariadb-10.11.txt");
    assert_eq!(clean.len(), 10);
    let models = |d: &[Analysed]| d.iter().map(model).collect::<Vec<_>>();
    assert_eq!(models(&shipped), models(&clean));
    let stamps = |d: &[Analysed]| {
        d.iter()
            .map(|a| a.deadlock.timestamp.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(stamps(&shipped), stamps(&clean));

    let mut out = Vec::new();
    let mut redactor = lockscope::redact::Redactor::default();
    let text = read("shipped-01-journald-short-mariadb-10.11.txt");
    lockscope::redact::redact_to(text.as_bytes(), &mut out, &mut redactor).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("TRANSACTION"), "{out}");
    assert!(!out.contains(" vm ") && !out.contains("mariadbd["), "{out}");
}

/// A Galera conflict printout (`*** Priority TRANSACTION:` / `*** Victim TRANSACTION:`) is a
/// brute-force abort by a replicated write: said so, never read as an InnoDB deadlock.
#[test]
fn a_galera_conflict_is_not_a_deadlock() {
    for file in [
        "galera-01-wsrep-log-priority-victim.txt",
        "galera-02-docs-rst-indented-priority-victim.txt",
    ] {
        let (deadlocks, warnings) = analysed(file);
        assert!(deadlocks.is_empty(), "{file}: {deadlocks:#?}");
        assert!(
            warnings.iter().any(|w| w.message.contains("Galera")),
            "{file}: {warnings:#?}"
        );
    }
}

// See: hunt-shapes 012: `RECORD LOCKS … index PRIMARY of table`, a blank line, then
// `` `world`.`city` trx id 10502342 lock_mode X locks rec but not gap waiting ``.
#[test]
fn a_lock_header_wrapped_after_of_table_reads_its_table_and_mode() {
    let (d, _) = analysed("wrapped-01-zh-translated-record-locks-double-spaced.txt");
    let locks: Vec<_> = d[0]
        .deadlock
        .transactions
        .iter()
        .flat_map(|t| t.holds.iter().chain(&t.waits_for))
        .collect();
    assert_eq!(locks.len(), 3);
    for l in locks {
        assert_eq!(l.table.to_string(), "`world`.`city`", "{}", l.text);
        assert_eq!(l.mode.as_str(), "X", "{}", l.text);
        assert!(l.clause.rec_not_gap, "{}", l.text);
    }
}

// See: hunt-shapes 004 (`` `world`. `city` ``) and 016 (`………` under a statement, a wrapped
// `TRANSACTION` line), 014 (`starting index read` alone on the next line).
#[test]
fn ocr_spacing_elisions_and_wrapped_transaction_lines() {
    let (d, _) = analysed("ocr-01-krogh-mysql8021-pdf-per-line-fences.txt");
    for t in &d[0].deadlock.transactions {
        for l in t.holds.iter().chain(&t.waits_for) {
            assert_eq!(l.table.to_string(), "`world`.`city`", "{}", l.text);
        }
    }
    let (d, warnings) = analysed("elided-01-mysql50-book-unicode-ellipsis.txt");
    let t = &d[0].deadlock.transactions;
    assert_eq!(
        t[0].query.as_deref(),
        Some("insert into country (country_id,country) values(110,'Test')")
    );
    assert_eq!(t[1].op_info.as_deref(), Some("starting index read"));
    assert!(warnings
        .iter()
        .any(|w| w.line == 13 && w.message.contains("elided")));
    let (d, _) = analysed("wrapped-02-mysql51-trx-line-cut-at-waiting.txt");
    let t = &d[0].deadlock.transactions[0];
    assert_eq!(t.op_info.as_deref(), Some("starting index read"));
    assert!(t
        .query
        .as_deref()
        .unwrap()
        .starts_with("update ddrsproduction"));
}

/// pt-deadlock-logger's rows (and mysql-deadlock-logger's before it) read as a deadlock: a
/// transaction per row with its awaited lock, the victim, the time, and a warning that says
/// what the rows do not carry.
#[test]
fn deadlock_logger_rows_are_a_deadlock() {
    for (file, tables) in [
        (
            "logger-01-xaprb-mysql-deadlock-logger-2007-pre.txt",
            ["`test`.`c`", "`test`.`a`"],
        ),
        (
            "logger-02-zh-pt-deadlock-logger-3.0.11-animals-birds-txn-id-0.txt",
            ["`my_t`.`Animals`", "`my_t`.`Birds`"],
        ),
        (
            "logger-03-zh-pt-deadlock-logger-headerless-blank-lines-ip-collapsed.txt",
            ["`test`.`mt_task_claim_pool`", "`test`.`mt_task_claim_pool`"],
        ),
    ] {
        let (d, warnings) = analysed(file);
        let t = &d[0].deadlock.transactions;
        for (trx, table) in t.iter().zip(tables) {
            let w = trx.waits_for.as_ref().expect(file);
            assert_eq!(w.table.to_string(), table, "{file}");
            assert!(trx.query.as_deref().is_some_and(|q| !q.ends_with("</pre>")));
            assert_eq!(
                trx.user.as_deref(),
                Some(if file.starts_with("logger-01") {
                    "baron"
                } else {
                    "root"
                })
            );
        }
        assert_eq!(d[0].deadlock.graph.cycle.len(), 2, "{file}");
        assert!(
            warnings
                .iter()
                .any(|w| w.message.contains("pt-deadlock-logger")),
            "{file}: {warnings:#?}"
        );
    }
}

fn labelled(name: &str) -> (Vec<Analysed>, Vec<lockscope::model::Warning>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/labelled");
    let file = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with(name))
        .unwrap()
        .path();
    let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
    analyze_text(name, &text)
}

// See: fixtures/labelled/d-007 (every space doubled) and d-009 (every line `//<TAB>`, 5.1's
// two-part trx ids).
#[test]
fn doubled_spaces_and_slash_tab_prefixes() {
    let (d, _) = labelled("d-007");
    let t = &d[0].deadlock.transactions;
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].trx_id, "288341382");
    assert_eq!(t[1].holds.len(), 1);
    let w = t[0].waits_for.as_ref().unwrap();
    assert_eq!(w.table.to_string(), "`f6dms`.`tm_billno_sn`");
    assert!(w.clause.rec_not_gap);
    assert_eq!(
        t[1].query.as_deref(),
        Some(
            "SELECT next_sn INTO seq FROM tm_billno_sn  s WHERE s.business_type = 'TQB' FOR UPDATE"
        )
    );
    let (d, _) = labelled("d-009");
    let d = &d[0].deadlock;
    assert_eq!(d.victim.number, Some(2));
    let ids: Vec<&str> = d.transactions.iter().map(|t| t.trx_id.as_str()).collect();
    assert_eq!(ids, ["6 1096615036", "6 1096615037"]);
    assert_eq!(d.transactions[1].holds.len(), 1);
}

// See: fixtures/labelled/e-007 (the 5.7 manual's sample status, wrapped at 80 columns, with a
// LATEST FOREIGN KEY ERROR section first): the foreign key error's transaction is not a
// deadlock, and the wrapped thread, record and lock lines read whole.
#[test]
fn a_status_wrapped_at_80_columns_reads_whole() {
    let (d, warnings) = labelled("e-007");
    assert_eq!(d.len(), 1, "{d:#?}");
    let t = &d[0].deadlock.transactions;
    assert_eq!(t.len(), 2);
    for trx in t {
        assert_eq!(trx.user.as_deref(), Some("root"));
        assert_eq!(trx.proc_info.as_deref(), Some("updating"));
        assert_eq!(trx.query.as_deref(), Some("DELETE FROM t WHERE i = 1"));
        let w = trx.waits_for.as_ref().unwrap();
        assert_eq!(w.table.to_string(), "`mysql`.`t`");
        assert!(w.records.iter().all(|r| r.info_bits == Some(0)), "{w:#?}");
    }
    assert!(warnings.is_empty(), "{warnings:#?}");
}

// See: fixtures/labelled/d-030 (a course's hand-condensed log: `*** (1) TRANSACTION: 45464
// INSERT …`, lock lines from `index …` on).
#[test]
fn a_condensed_copy_keeps_its_ids_statements_and_locks() {
    let (d, warnings) = labelled("d-030");
    let t = &d[0].deadlock.transactions;
    let ids: Vec<&str> = t.iter().map(|t| t.trx_id.as_str()).collect();
    assert_eq!(ids, ["45464", "45452"]);
    for trx in t {
        assert!(trx.query.as_deref().unwrap().starts_with("INSERT INTO ord"));
        assert!(trx.waits_for.as_ref().unwrap().clause.insert_intention);
        assert_eq!(trx.holds.len(), 1);
    }
    assert!(
        warnings.iter().any(|w| w.message.contains("condensed")),
        "{warnings:#?}"
    );
}

/// Copy damage inside a record dump and a transaction block, each read as the server meant it
/// and warned about where it changes what is known.
#[test]
fn cut_fields_wrapped_totals_and_notes() {
    let text = "*** (1) TRANSACTION:
TRANSACTION 2078, ACTIVE 9 sec starting index read
# this is session A
mysql tables in use 1, locked 1
LOCK WAIT 3 lock struct(s), heap size 1128, 2 row lock(s)
MySQL thread id 12, OS thread handle 1401, query id 88 localhost root updating
UPDATE t SET v = 1 WHERE id = 2
*** (1) WAITING FOR THIS LOCK TO BE GRANTED:
RECORD LOCKS space id 58 page no 3 n bits 72 index PRIMARY of table `test`.`t` trx id 2078 lock_mode X locks rec but not gap waiting
Record lock, heap no 3 PHYSICAL RECORD: n_fields 4; compact format; info bits 0
 1: len 6; hex 00000000071f; asc       ;;
 2: len 7; hex b80000012b0110; asc     +  ;;
 3: len 30; hex 6162636465666768696a6b6c6d6e6f707172737475767778797a31323334; asc abcdefghijklmnopqrstuvwxyz1234;
(total 56 bytes);
*** (2) TRANSACTION:
TRANSACTION 2079, ACTIVE 9 sec starting index read # session B
MySQL thread id 13, OS thread handle 1402, query id 89 localhost root updating
UPDATE t SET v = 1 WHERE id = 1
*** WE ROLL BACK TRANSACTION (2)
";
    let (d, warnings) = analyze_text("t", text);
    let t = &d[0].deadlock.transactions;
    assert_eq!(
        t[0].query.as_deref(),
        Some("UPDATE t SET v = 1 WHERE id = 2")
    );
    assert_eq!(t[0].lock_structs, Some(3));
    assert_eq!(t[1].op_info.as_deref(), Some("starting index read"));
    let rec = &t[0].waits_for.as_ref().unwrap().records[0];
    let indexes: Vec<u32> = rec.fields.iter().map(|f| f.index).collect();
    assert_eq!(indexes, [0, 1, 2, 3]);
    assert_eq!(rec.fields[0].value, lockscope::model::FieldValue::Missing);
    assert!(rec.fields[3].value.is_truncated());
    assert_eq!(rec.trx_id_position(), Some(1));
    let lines: Vec<(usize, &str)> = warnings
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0].0, 11);
    assert!(lines[0].1.starts_with("field 0 is missing"), "{lines:#?}");
}

/// Copies whose every line reads: indentation, a block comment's `/*` / `*/`, a lost fence's
/// language tag, RECORD LOCKS wrapped after `of`, statements straight under their heading.
#[test]
fn wrapped_indented_and_commented_copies_read_without_warnings() {
    for file in [
        "indented-01-zh-percona-5.5-status-g-4-space-code-block.txt",
        "source-comment-03-php-block-6-space-mysql51-one-line-records.txt",
        "wrapped-03-ko-list-indented-condensed-record-locks-cut-after-of.txt",
        "fence-lost-01-zh-github-issue-text-tag-line.txt",
    ] {
        let (d, warnings) = analysed(file);
        assert!(warnings.is_empty(), "{file}: {warnings:#?}");
        for t in &d[0].deadlock.transactions {
            assert!(t.query.is_some(), "{file}: {t:#?}");
        }
    }
}

// See: fixtures/shapes/logger-04: pt-deadlock-logger's rows first, then the report they were
// made from, are still one deadlock (the rows wait for what follows them).
#[test]
fn logger_rows_before_their_report_count_once() {
    let text = read("logger-04-zh-report-then-its-pt-deadlock-logger-rows.txt");
    let lines: Vec<&str> = text.lines().collect();
    let rows_at = lines
        .iter()
        .position(|l| l.starts_with("localhost 2014"))
        .unwrap();
    let swapped = format!(
        "{}\n{}\n",
        lines[rows_at..].join("\n"),
        lines[1..rows_at].join("\n")
    );
    let (d, warnings) = analyze_text("swapped", &swapped);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].deadlock.transactions[0].trx_id, "3857");
    assert!(
        warnings.iter().any(|w| w.message.contains("counted once")),
        "{warnings:#?}"
    );
}
