//! "Each new deadlock once": `watch` sees the same latest deadlock at every poll, so deadlocks
//! are known by (server, timestamp, transaction ids) and passed on only the first time. With
//! `--state-file` the keys survive restarts. `Dedup` is a `Sink` in front of the real report,
//! one per source, all sharing the report and the keys behind one lock.

use std::collections::{HashSet, VecDeque};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::model::{Deadlock, Warning};
use crate::sink::{Analysed, LockWaits, Render, Sink, Summary};

/// Keys kept: far more than any server prints between two restarts of `watch`.
const MAX_KEYS: usize = 10_000;

const STATE_HEADER: &str = "# lockscope watch state: server<TAB>timestamp<TAB>trx ids; one \
                            reported deadlock a line";

/// The identity of a deadlock: its server, its timestamp as printed, its transaction ids.
pub fn key(server: &str, deadlock: &Deadlock) -> String {
    let mut ids: Vec<&str> = deadlock
        .transactions
        .iter()
        .map(|t| t.trx_id.as_str())
        .collect();
    ids.sort_unstable();
    format!(
        "{}\t{}\t{}",
        server.replace(['\t', '\n'], " "),
        deadlock
            .timestamp
            .as_deref()
            .unwrap_or("-")
            .replace(['\t', '\n'], " "),
        ids.join(",")
    )
}

/// The keys of the deadlocks reported, oldest first, and where they are kept.
#[derive(Debug, Default)]
pub struct Seen {
    order: VecDeque<String>,
    set: HashSet<String>,
    path: Option<PathBuf>,
    save_failed: bool,
}

impl Seen {
    /// Loads the state file; a missing one is an empty state.
    pub fn load(path: Option<&Path>) -> io::Result<Seen> {
        let mut seen = Seen {
            path: path.map(Path::to_path_buf),
            ..Seen::default()
        };
        if let Some(path) = path {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    for line in text
                        .lines()
                        .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    {
                        seen.remember(line.to_string());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(seen)
    }

    /// True the first time a key is offered; the state file is rewritten then. A state file
    /// that cannot be written is a warning (once): the keys are still kept in memory.
    pub fn insert(&mut self, key: String) -> io::Result<bool> {
        if self.set.contains(&key) {
            return Ok(false);
        }
        self.remember(key);
        if let Err(e) = self.save() {
            if !self.save_failed {
                self.save_failed = true;
                if let Some(path) = &self.path {
                    eprintln!(
                        "warning: cannot write the state file `{}`: {e}; a restart may repeat \
                         deadlocks",
                        path.display()
                    );
                }
            }
        }
        Ok(true)
    }

    fn remember(&mut self, key: String) {
        if self.set.insert(key.clone()) {
            self.order.push_back(key);
        }
        while self.order.len() > MAX_KEYS {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
    }

    /// Writes a new file and renames it over the old one: a crash never leaves half a state.
    fn save(&self) -> io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let mut file = std::fs::File::create(&tmp)?;
        writeln!(file, "{STATE_HEADER}")?;
        for key in &self.order {
            writeln!(file, "{key}")?;
        }
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    }
}

/// The report and the keys, shared by every source of one `watch`.
pub struct Shared {
    pub sink: Box<dyn Sink + Send>,
    pub seen: Seen,
    /// Warnings already shown (message and text: the line number moves from poll to poll).
    warnings: HashSet<(String, Option<String>)>,
    pub deadlocks: usize,
    pub warning_count: usize,
    /// Lock waits reported so far, and the (server, waiter, blocker) of each: a wait that
    /// lasts across polls is shown once.
    pub lock_waits: usize,
    waits_seen: HashSet<String>,
    /// `--min-wait`: shorter waits are not shown.
    pub min_wait_secs: f64,
}

impl Shared {
    pub fn new(sink: Box<dyn Sink + Send>, seen: Seen) -> Arc<Mutex<Shared>> {
        Arc::new(Mutex::new(Shared {
            sink,
            seen,
            warnings: HashSet::new(),
            deadlocks: 0,
            warning_count: 0,
            lock_waits: 0,
            waits_seen: HashSet::new(),
            min_wait_secs: 0.0,
        }))
    }

    pub fn finish(&mut self, inputs: Vec<String>) -> io::Result<()> {
        let summary = Summary {
            inputs,
            deadlocks: self.deadlocks,
            warnings: self.warning_count,
            lock_waits: self.lock_waits,
            bytes: 0,
        };
        self.sink.finish(&summary)
    }
}

pub fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // A panic elsewhere must not stop the report: the data behind the lock stays consistent.
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// Passes each deadlock of one source (a server, an error log) on the first time only.
pub struct Dedup {
    server: String,
    shared: Arc<Mutex<Shared>>,
}

impl Dedup {
    /// `server` is the stable part of the key: `host:port` or the log's path.
    pub fn new(server: String, shared: Arc<Mutex<Shared>>) -> Dedup {
        Dedup { server, shared }
    }

    fn pass(
        &self,
        analysed: &Analysed,
        write: impl FnOnce(&mut Shared) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut shared = lock(&self.shared);
        if shared.seen.insert(key(&self.server, &analysed.deadlock))? {
            shared.deadlocks += 1;
            write(&mut shared)?;
            shared.sink.flush()?;
        }
        Ok(())
    }
}

impl Sink for Dedup {
    fn deadlock(&mut self, analysed: &Analysed) -> io::Result<()> {
        self.pass(analysed, |shared| shared.sink.deadlock(analysed))
    }

    fn renderer(&self) -> Option<Render> {
        lock(&self.shared).sink.renderer()
    }

    fn rendered_deadlock(&mut self, analysed: &Analysed, rendered: &[u8]) -> io::Result<()> {
        self.pass(analysed, |shared| {
            shared.sink.rendered_deadlock(analysed, rendered)
        })
    }

    fn warning(&mut self, warning: &Warning) -> io::Result<()> {
        let mut shared = lock(&self.shared);
        if shared
            .warnings
            .insert((warning.message.clone(), warning.text.clone()))
        {
            shared.warning_count += 1;
            shared.sink.warning(warning)?;
        }
        Ok(())
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> io::Result<()> {
        let mut shared = lock(&self.shared);
        let min = shared.min_wait_secs;
        let mut fresh = Vec::new();
        for w in &waits.waits {
            let old_enough = w.wait_secs.map_or(true, |s| s >= min);
            let key = format!(
                "{}\t{}\t{}",
                self.server,
                w.requesting.trx_id,
                w.blocking.as_ref().map_or("", |b| b.trx_id.as_str())
            );
            if old_enough && shared.waits_seen.insert(key) {
                fresh.push(w.clone());
            }
        }
        if fresh.is_empty() {
            return Ok(());
        }
        shared.lock_waits += fresh.len();
        // Held locks are a snapshot of the moment; `watch` reports the new waits, and the
        // findings about them.
        let findings =
            crate::diagnose::diagnose_lock_waits(&crate::diagnose::LockScene::waits(&fresh));
        shared.sink.lock_waits(&LockWaits {
            waits: fresh,
            findings,
            ..LockWaits::default()
        })?;
        shared.sink.flush()
    }

    /// The summary is written once, by `watch`, for every source together.
    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        lock(&self.shared).sink.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::VecSink;

    fn status() -> &'static str {
        include_str!("../../fixtures/mariadb/delete-then-insert.status.txt")
    }

    #[test]
    fn the_same_deadlock_passes_once() {
        let shared = Shared::new(Box::new(VecSink::default()), Seen::default());
        for _ in 0..3 {
            let mut dedup = Dedup::new("db1:3306".into(), shared.clone());
            crate::analyze::analyze_reader("db1", status().as_bytes(), &mut dedup).unwrap();
        }
        // Another server with the same text is another deadlock.
        let mut dedup = Dedup::new("db2:3306".into(), shared.clone());
        crate::analyze::analyze_reader("db2", status().as_bytes(), &mut dedup).unwrap();
        assert_eq!(lock(&shared).deadlocks, 2);
    }

    #[test]
    fn the_state_file_survives_a_restart() {
        let path = std::env::temp_dir().join(format!("lockscope-seen-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        for expected in [1, 0] {
            let seen = Seen::load(Some(&path)).unwrap();
            let shared = Shared::new(Box::new(VecSink::default()), seen);
            let mut dedup = Dedup::new("db1:3306".into(), shared.clone());
            crate::analyze::analyze_reader("db1", status().as_bytes(), &mut dedup).unwrap();
            assert_eq!(lock(&shared).deadlocks, expected);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# lockscope watch state"), "{text}");
        assert_eq!(text.lines().count(), 2);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn keys_are_bounded() {
        let mut seen = Seen::default();
        for i in 0..MAX_KEYS + 5 {
            assert!(seen.insert(format!("k{i}")).unwrap());
        }
        assert_eq!(seen.order.len(), MAX_KEYS);
        assert!(seen.insert("k0".into()).unwrap());
    }
}
