//! `global-read-lock`: writes and commits wait for the global read lock of `FLUSH TABLES WITH
//! READ LOCK` — a backup tool's, held while it copies, or waiting itself behind a long write
//! (fixtures `lock-tables/public/082`, `083`, `lock-tables/mariadb-ftwrl-*`).

use super::prelude::*;
use crate::diagnose::waits::{
    duration, evidence, sentence_start, statement, who, who_running, LockScene,
};
use crate::model::{BlockingTree, LockWait, TrxSummary};

declare_pattern! {
    /// ### What it looks like in the log
    /// SHOW PROCESSLIST shows writes in `Waiting for global read lock` and commits in
    /// `Waiting for commit lock` (MariaDB 10.4+: `Waiting for backup lock`). Either a session
    /// runs `FLUSH TABLES WITH READ LOCK` itself (waiting for a long write, while every write
    /// after it queues behind it), or none does: the lock was granted and its session is idle
    /// (`Sleep`) while a backup tool copies files.
    ///
    /// ### Why it waits
    /// `FLUSH TABLES WITH READ LOCK` takes the server's global read lock: until its session
    /// runs `UNLOCK TABLES` or disconnects, no statement may write and no transaction may
    /// commit. While it waits for writes that began before it, the writes that come after it
    /// queue behind it, so the server is read-only from the moment it is issued.
    ///
    /// ### Fix for the write path
    /// To unblock now, let the backup finish, or end the session that holds the lock
    /// (`KILL <thread id>`; lockscope prints the command, it never runs it). When FTWRL itself
    /// waits behind a long write, end that write or the FTWRL. Then take backups without the
    /// global lock where possible: `mysqldump --single-transaction` for InnoDB, MySQL 8's
    /// `LOCK INSTANCE FOR BACKUP` (xtrabackup 8 uses it), Percona's backup locks, and bound the
    /// wait (`xtrabackup --ftwrl-wait-timeout`, `--ftwrl-wait-query-type=update`).
    ///
    /// ### Example
    /// ```sql
    /// -- before: the backup holds the global read lock while it copies
    /// FLUSH TABLES WITH READ LOCK;   -- then minutes of file copying
    /// UPDATE orders SET total = 1 WHERE id = 7;   -- Waiting for global read lock
    /// -- after: a consistent InnoDB backup without the global lock
    /// -- mysqldump --single-transaction shop > shop.sql
    /// -- or, on MySQL 8: LOCK INSTANCE FOR BACKUP (DDL waits, DML does not)
    /// ```
    pub GLOBAL_READ_LOCK,
    id = "global-read-lock",
    summary = "writes and commits wait for FLUSH TABLES WITH READ LOCK: a backup holds (or waits for) the global read lock",
    fixed = "finish or end the backup's lock; back up InnoDB with --single-transaction or LOCK INSTANCE FOR BACKUP",
    on = lock_waits,
}

fn is_ftwrl(t: &TrxSummary) -> bool {
    t.query.as_deref().is_some_and(|q| {
        let up = q.split_whitespace().collect::<Vec<_>>().join(" ");
        let up = up.to_ascii_uppercase();
        up.contains("WITH READ LOCK") || up.contains("FOR BACKUP") || up.starts_with("BACKUP STAGE")
    })
}

fn check(scene: &LockScene) -> Vec<Finding> {
    let waits = scene.waits;
    let tree = BlockingTree::new(waits);
    let global = |w: &&LockWait| w.lock.kind == LockKind::GlobalRead;
    let mut findings = Vec::new();
    // The holder: the FTWRL session, granted (a head) or waiting itself (under a long write),
    // or an idle session taken for it.
    let mut holders: Vec<&TrxSummary> = Vec::new();
    for w in waits.iter().filter(global) {
        if let Some(b) = &w.blocking {
            if !holders.iter().any(|h| h.trx_id == b.trx_id) && !is_ftwrl(&w.requesting) {
                holders.push(b);
            }
        }
    }
    for holder in holders {
        let queue: Vec<&LockWait> = tree
            .waiting_for(&holder.trx_id)
            .into_iter()
            .filter(global)
            .collect();
        let Some(first) = queue.first() else { continue };
        let waiters: Vec<String> = queue.iter().map(|w| who_running(&w.requesting)).collect();
        let kill = tree
            .kill_id(holder)
            .map(|id| format!(" `KILL {id};` ends it (printed, never run)."))
            .unwrap_or_default();
        let since = holder
            .command_secs
            .map(|s| format!(" for {}", duration(s)))
            .unwrap_or_default();
        let lock = &first.lock.mode;
        let waits_itself = tree.is_waiting(&holder.trx_id);
        let (what, confidence) = if is_ftwrl(holder) && waits_itself {
            let behind: Vec<String> = waits
                .iter()
                .filter(|w| w.requesting.trx_id == holder.trx_id)
                .filter_map(|w| w.blocking.as_ref())
                .map(who_running)
                .collect();
            (
                format!(
                    "{} runs {} and waits itself{since}, for {}; while it waits, the writes \
                     after it queue behind it. Ending the long statement lets the backup \
                     through; ending the FTWRL frees the writers.",
                    who(holder),
                    statement(holder),
                    if behind.is_empty() {
                        "statements the input does not show".to_string()
                    } else {
                        behind.join("; ")
                    }
                ),
                Confidence::High,
            )
        } else if is_ftwrl(holder) {
            (
                format!(
                    "{} holds the {lock}: it ran {}{since}.",
                    who(holder),
                    statement(holder)
                ),
                Confidence::High,
            )
        } else {
            (
                format!(
                    "No session shows FLUSH TABLES WITH READ LOCK: {} is taken for its holder, \
                     inferred — the only session idle (Sleep, no statement){since}, since \
                     before the first wait began, the way a backup tool's session idles while \
                     it copies files. Check it is the backup's (its user and host) before \
                     ending it.",
                    who(holder)
                ),
                Confidence::Low,
            )
        };
        let what = sentence_start(&what);
        let summary = format!(
            "{} session(s) wait for the {lock} ({}). {what} Until the lock is released (UNLOCK \
             TABLES in its session, or the session ends) no write and no commit can go on: \
             finish the backup, or end its lock.{kill}",
            queue.len(),
            waiters.join("; ")
        );
        let fix = "Let the backup finish, or end the session that holds the lock. Then take \
                   InnoDB backups without the global read lock, or bound the wait for it:\n\n\
                   -- before\n\
                   FLUSH TABLES WITH READ LOCK;   -- held while files are copied\n\n\
                   -- after\n\
                   -- mysqldump --single-transaction …\n\
                   -- MySQL 8: LOCK INSTANCE FOR BACKUP; … UNLOCK INSTANCE;\n\
                   -- xtrabackup --ftwrl-wait-timeout=60 --ftwrl-wait-query-type=update"
            .to_string();
        findings.push(GLOBAL_READ_LOCK.finding(
            confidence,
            summary,
            queue.iter().map(|w| evidence(w)).collect(),
            fix,
        ));
    }
    findings
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::diagnose::waits::tests_support::wait;

    fn global(r: &str, b: &str) -> LockWait {
        let mut w = wait(r, b);
        w.lock.kind = LockKind::GlobalRead;
        w.lock.mode = "global read lock".into();
        w.requesting.query = Some("UPDATE t SET a = 1".into());
        w.blocking.as_mut().unwrap().thread_id = Some(13);
        w
    }

    #[test]
    fn an_idle_holder_is_inferred_with_low_confidence() {
        let mut w = global("session 14", "session 13");
        w.blocking.as_mut().unwrap().command = Some("Sleep".into());
        let f = check(&LockScene::waits(&[w]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].confidence, Confidence::Low);
        assert!(f[0].summary.contains("inferred"), "{}", f[0].summary);
        assert!(f[0].summary.contains("KILL 13;"), "{}", f[0].summary);
    }

    #[test]
    fn a_running_ftwrl_holds_it() {
        let mut w = global("session 14", "session 13");
        w.blocking.as_mut().unwrap().query = Some("FLUSH TABLES WITH READ LOCK".into());
        let f = check(&LockScene::waits(&[w]));
        assert_eq!(f[0].confidence, Confidence::High);
    }
}
