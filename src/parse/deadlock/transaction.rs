//! The transaction blocks of a report: the `TRANSACTION …` line and its counters, the thread
//! line and the statement after it, the `*** (n)` headings that say which block follows, and the
//! TRANSACTIONS section's own lines (`TRX HAS BEEN WAITING …`).
//!
//! ```text
//! *** (1) TRANSACTION:
//! TRANSACTION 2078, ACTIVE 9 sec starting index read
//! mysql tables in use 1, locked 1
//! LOCK WAIT 3 lock struct(s), heap size 1128, 2 row lock(s)
//! MySQL thread id 12, OS thread handle 1401, query id 88 localhost root updating
//! UPDATE t SET v = 1 WHERE id = 2
//! ```

use super::tail::{is_bare_elision, is_elision, is_op_info, is_placeholder};
use super::{Block, Builder, Opener, QueryText};
use crate::model::Transaction;
use crate::parse::line::{Heading, ThreadLine, TrxLine};
use crate::parse::thread_line::{is_state_word, thread_line};

/// A line of the markup a paste sits in: a markdown fence (```` ```sql ````, `~~~`), a block
/// comment's ends, an HTML comment's, a Jira `{noformat}` / `{code}` macro, a Python string's
/// triple quotes.
fn is_paste_markup(t: &str) -> bool {
    t.starts_with("```")
        || t.starts_with("~~~")
        || t.starts_with("{noformat")
        || t.starts_with("{code")
        || matches!(t, "*/" | "/*" | "/**" | "-->" | "<!--" | "'''" | "\"\"\"")
}

/// `-- held by trx 1` / `--等待的锁`: an SQL-style note of whoever copied the report, between its
/// lines (fixtures/labelled f-005). Not a `-----` rule nor `---TRANSACTION`.
fn is_dash_note(t: &str) -> bool {
    t.strip_prefix("--")
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c == ' ' || c == '\t' || !c.is_ascii())
}

/// The words a statement starts with: a line that starts so is SQL, not a wrapped thread line.
fn is_sql_verb(word: &str) -> bool {
    const VERBS: [&str; 24] = [
        "select", "insert", "update", "delete", "replace", "with", "call", "set", "commit",
        "rollback", "begin", "start", "lock", "unlock", "create", "alter", "drop", "truncate",
        "load", "do", "handler", "show", "values", "xa",
    ];
    VERBS.iter().any(|v| word.eq_ignore_ascii_case(v))
}

impl Builder<'_> {
    pub(super) fn transaction(&mut self, trx_line: TrxLine, line_no: usize, text: &str) {
        self.evidence.trx_id(&trx_line.trx_id);
        // A list, or an excerpt without `*** (n)` headings: every `TRANSACTION` line is the
        // next transaction (a heading's transaction has only one).
        let has_one = self
            .trx
            .and_then(|i| self.deadlock.transactions.get(i))
            .is_some_and(|t| !t.trx_id.is_empty());
        if self.list || has_one {
            self.finish_lock();
            self.trx = None;
        }
        self.with_trx(line_no, |trx| {
            trx.trx_id = trx_line.trx_id;
            trx.state = trx_line.state;
            trx.active_secs = trx_line.active_secs;
            trx.op_info = trx_line.op_info;
        });
        self.block = Block::Body;
        // Copies that dropped the counters and thread lines (seed 003) go straight on with the
        // statement.
        self.open_query(text, line_no, Opener::Transaction);
    }

    /// Copies that dropped the thread line (hunt-deadlocks c-013, c-019) go on with the
    /// statement after the counters.
    pub(super) fn open_query_after_counters(&mut self, line_no: usize) {
        if self.block == Block::Body && self.query.is_none() {
            self.open_query("", line_no, Opener::Counters);
        }
    }

    pub(super) fn thread(&mut self, t: ThreadLine, line_no: usize, text: &str) {
        self.evidence.thread_line(text);
        let who_cut =
            t.user.is_none() && t.proc_info.is_none() && (t.host.is_some() || t.ip.is_some());
        self.with_trx(line_no, |trx| {
            trx.thread_id = t.thread_id;
            trx.os_thread_handle = t.os_thread_handle;
            trx.query_id = t.query_id;
            trx.host = t.host;
            trx.ip = t.ip;
            trx.user = t.user;
            trx.proc_info = t.proc_info;
        });
        self.open_query(text, line_no, Opener::Thread);
        if let Some(q) = self.query.as_mut().filter(|_| who_cut) {
            q.who_cut = Some(text.trim().to_string());
        }
    }

    pub(super) fn heading(&mut self, heading: Heading, line_no: usize) {
        self.finish_lock();
        self.saw_heading = true;
        match heading {
            Heading::Transaction(n) => {
                let number = n.unwrap_or(1);
                self.deadlock.transactions.push(Transaction {
                    number,
                    line: line_no,
                    ..Transaction::default()
                });
                self.trx = Some(self.deadlock.transactions.len() - 1);
                self.block = Block::Body;
            }
            Heading::Holds(n) => {
                if n == Some(1) {
                    self.evidence.holds_for_first();
                }
                self.select_trx(n);
                self.block = Block::Holds;
            }
            Heading::Waiting(n) => {
                if n.is_none() && !self.deadlock.too_deep {
                    self.evidence.mariadb_heading();
                }
                self.select_trx(n);
                self.block = Block::Waiting;
            }
            Heading::ConflictingWith => {
                self.evidence.mariadb_heading();
                self.block = Block::Conflicting;
            }
            Heading::Victim(n) => {
                self.victim_printed = Some(n);
                self.block = Block::Done;
            }
        }
    }

    /// What follows `*** (n) TRANSACTION:` on its own line, in a copy that joined lines or
    /// condensed the block (`*** (1) TRANSACTION: 45464   INSERT INTO ord …`, hunt d-030): read
    /// as the next line, or as the transaction's id and statement.
    pub(super) fn heading_rest(&mut self, heading: Heading, line_no: usize, text: &str) {
        if !matches!(heading, Heading::Transaction(_)) {
            return;
        }
        let Some(rest) = text.split_once("TRANSACTION:").map(|(_, r)| r.trim()) else {
            return;
        };
        if rest.is_empty() {
            return;
        }
        let (id, statement) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let statement = statement.trim();
        let first_word = statement.split_whitespace().next().unwrap_or("");
        let condensed = !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_hexdigit())
            && (statement.is_empty() || is_sql_verb(first_word));
        if !condensed {
            // Another heading glued on is not read again here (no recursion on a line of
            // repeated headings).
            if rest.starts_with('*') {
                return self.other(line_no, rest);
            }
            return self.line(line_no, rest);
        }
        self.warn(
            line_no,
            "a condensed transaction block (the heading followed by the trx id and statement \
             alone): the counters and thread line are not in the copy",
            text,
        );
        self.with_trx(line_no, |trx| trx.trx_id = id.into());
        if !statement.is_empty() {
            self.with_trx(line_no, |trx| trx.query = Some(statement.to_string()));
        }
    }

    /// The TRANSACTIONS section's own lines (format-spec §5); true when `text` was one.
    pub(super) fn list_line(&mut self, text: &str) -> bool {
        let t = text.trim();
        if let Some(rest) = t.strip_prefix("------- TRX HAS BEEN WAITING ") {
            self.end_query();
            self.finish_lock();
            let mut words = rest.split_whitespace();
            let amount = words.next().and_then(|n| n.parse::<u64>().ok());
            let ms = match (amount, words.next()) {
                (Some(n), Some("us")) => Some(n / 1000),
                (Some(n), Some("ms")) => Some(n),
                (n, _) => n.map(|secs| secs.saturating_mul(1000)),
            };
            if let Some(trx) = self.trx.and_then(|i| self.deadlock.transactions.get_mut(i)) {
                trx.wait_ms = ms;
            }
            self.block = Block::Waiting;
            return true;
        }
        const SECTION_LINES: [&str; 9] = [
            "Trx id counter",
            "Purge done for trx",
            "History list length",
            "LIST OF TRANSACTIONS FOR EACH SESSION",
            "Total number of lock structs",
            "Trx read view will not see",
            "RECORD LOCKS on non-existing space",
            "LOCKS PRINTED FOR THIS TRX",
            "LOCK WAIT TIMEOUT",
        ];
        SECTION_LINES
            .iter()
            .any(|p| t.starts_with(p) || t.contains(p))
    }

    /// `*** (n) HOLDS` / `WAITING` name the transaction; select it (or keep the current one).
    /// An excerpt that starts at `*** (1) HOLDS THE LOCK(S):` has no `*** (1) TRANSACTION:`
    /// heading: the transaction is opened by the first heading that names it.
    pub(super) fn select_trx(&mut self, n: Option<u32>) {
        let Some(n) = n else { return };
        let transactions = &mut self.deadlock.transactions;
        match transactions.iter().rposition(|t| t.number == n) {
            Some(i) => self.trx = Some(i),
            None => {
                transactions.push(Transaction {
                    number: n,
                    ..Transaction::default()
                });
                self.trx = Some(transactions.len() - 1);
            }
        }
    }

    /// Applies `f` to the current transaction, opening one for a paste that starts at
    /// `TRANSACTION …` without its heading.
    pub(super) fn with_trx(&mut self, line_no: usize, f: impl FnOnce(&mut Transaction)) {
        let transactions = &mut self.deadlock.transactions;
        let index = match self.trx {
            Some(i) if i < transactions.len() => i,
            _ => {
                let number = u32::try_from(transactions.len() + 1).unwrap_or(u32::MAX);
                transactions.push(Transaction {
                    number,
                    line: line_no,
                    ..Transaction::default()
                });
                self.block = Block::Body;
                transactions.len() - 1
            }
        };
        self.trx = Some(index);
        if let Some(trx) = transactions.get_mut(index) {
            f(trx);
        }
    }

    pub(super) fn other(&mut self, line_no: usize, text: &str) {
        let trimmed = text.trim();
        if self.query.as_ref().is_some_and(|q| q.text.is_empty())
            && (self.op_info_tail(trimmed) || self.who_tail(trimmed))
        {
            return;
        }
        // `# session A` under a `TRANSACTION` line or between the blocks: a note of whoever
        // copied the report, not a line of it (the first line of a statement may be a `#`
        // comment, so there it stays).
        let statement_starts = self
            .query
            .as_ref()
            .is_some_and(|q| q.after == Opener::Thread || !q.text.is_empty());
        // After a blank line that ends a statement, a note is about what follows (f-005).
        let after_statement = self
            .query
            .as_ref()
            .is_some_and(|q| q.pending_blank_lines > 0 && !q.text.is_empty());
        if (trimmed.starts_with('#') || is_dash_note(trimmed))
            && (!statement_starts || after_statement)
            && self.block != Block::Preamble
        {
            return;
        }
        // The markup a paste sits in (a fence, a block comment's end, a Jira macro) around or
        // inside the report, outside a statement: not a line of the report.
        // A block comment opened where the statement is due is the statement's own comment
        // (fixtures/labelled e-010: a note between the thread line and the UPDATE).
        let mid_statement = self.query.as_ref().is_some_and(|q| !q.text.is_empty());
        let comment_opens_statement = self.query.is_some() && matches!(trimmed, "/*" | "/**");
        if !mid_statement && !comment_opens_statement && is_paste_markup(trimmed) {
            return;
        }
        // `*** (1) TRANSACTION:` then the statement at once: a copy that kept only the
        // statement of the block (hunt wrapped-03); read as the statement.
        let statement_alone = self.block == Block::Body
            && self.query.is_none()
            && self
                .trx
                .and_then(|i| self.deadlock.transactions.get(i))
                .is_some_and(|t| t.query.is_none() && t.thread_id.is_none())
            && is_sql_verb(trimmed.split_whitespace().next().unwrap_or(""));
        if statement_alone {
            self.open_query("", line_no, Opener::Counters);
        }
        if self.query.is_some() && is_bare_elision(trimmed) {
            // `………` under a statement: a publisher cut text here, not SQL (hunt-shapes 016).
            return self.warn(line_no, "text elided by whoever copied this report", text);
        }
        if let Some(q) = &mut self.query {
            for _ in 0..q.pending_blank_lines {
                q.text.push('\n');
            }
            q.pending_blank_lines = 0;
            if !q.text.is_empty() {
                q.text.push('\n');
            }
            q.text.push_str(text.trim_end());
            return;
        }
        if self.block == Block::Preamble && is_placeholder(trimmed) {
            // `<timestamp> <os_thread_hex>`: an anonymised timestamp line (seed 004).
        } else if is_elision(trimmed) {
            self.warn(line_no, "text elided by whoever copied this report", text);
        } else {
            let what = match self.block {
                Block::Preamble => "unrecognised line before the first transaction".to_string(),
                Block::Done => "unrecognised line after the victim line".to_string(),
                _ => match self.trx.and_then(|i| self.deadlock.transactions.get(i)) {
                    Some(t) => format!("unrecognised line in transaction `{}`", t.number),
                    None => "unrecognised line".to_string(),
                },
            };
            self.warn(line_no, &what, text);
        }
    }

    /// Statement lines follow the thread line (or, in damaged copies, the `TRANSACTION` line).
    pub(super) fn open_query(&mut self, opener: &str, line_no: usize, after: Opener) {
        self.query = Some(QueryText {
            text: String::new(),
            pending_blank_lines: 0,
            thread_line_len: opener.trim().len(),
            line: line_no,
            after,
            who_cut: None,
        });
    }

    /// The rest of a `TRANSACTION` line a copy wrapped (`… OS thread id 1164048736 starting` /
    /// `index read, thread declared inside InnoDB 500`, hunt-shapes 014, 016): true when `line`,
    /// right after it, completes its op_info.
    fn op_info_tail(&mut self, line: &str) -> bool {
        if self.query.as_ref().map(|q| q.after) != Some(Opener::Transaction) {
            return false;
        }
        let Some(trx) = self.trx.and_then(|i| self.deadlock.transactions.get_mut(i)) else {
            return false;
        };
        let tail = line.split(',').next().unwrap_or("").trim();
        let joined = match &trx.op_info {
            Some(op) => format!("{op} {tail}"),
            None => tail.to_string(),
        };
        let declared = line.contains("thread declared inside InnoDB");
        if !(is_op_info(&joined) || declared) {
            return false;
        }
        trx.op_info = Some(crate::parse::atoms::single_spaced(&joined));
        true
    }

    /// The user and state of a thread line a copy wrapped after its host (`… query id 80
    /// localhost` / `root updating`): true when `line`, right after it, is them and the
    /// transaction now has them. A statement's first line never is: it starts with a verb.
    fn who_tail(&mut self, line: &str) -> bool {
        let Some(head) = self.query.as_ref().and_then(|q| q.who_cut.clone()) else {
            return false;
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let first = words.first().copied().unwrap_or("");
        let lone_state = words.len() == 1 && is_state_word(first);
        let fits = (1..=4).contains(&words.len())
            && !first.starts_with(['(', '/', '`', '\'', '"'])
            && first.bytes().all(|b| b.is_ascii_graphic())
            && !is_sql_verb(first);
        if !(fits || lone_state) {
            return false;
        }
        let Some(t) = thread_line(&format!("{head} {line}")) else {
            return false;
        };
        if t.user.is_none() && t.proc_info.is_none() {
            return false;
        }
        if let Some(q) = self.query.as_mut() {
            q.who_cut = None;
            q.thread_line_len += 1 + line.len();
        }
        self.with_trx(0, |trx| {
            trx.host = t.host;
            trx.ip = t.ip;
            trx.user = t.user;
            trx.proc_info = t.proc_info;
        });
        true
    }

    pub(super) fn end_query(&mut self) {
        let Some(q) = self.query.take() else { return };
        let printed = q.thread_line_len + 1 + q.text.len();
        // format-spec §4.3: thread line + statement are cut at 1023 bytes (≤ 8.0), the
        // statement alone at 3000 bytes (9.x); no marker is printed.
        let thread_cut = q.after != Opener::Counters && (1010..=1023).contains(&printed);
        if thread_cut || (2990..=3000).contains(&q.text.len()) {
            self.warn(
                q.line,
                "statement may be cut at the server's print limit",
                "",
            );
        }
        if let Some(trx) = self.trx.and_then(|i| self.deadlock.transactions.get_mut(i)) {
            if !q.text.is_empty() {
                trx.query = Some(q.text);
            }
        }
    }
}
