//! Clues to the server flavour gathered while a report is read (format-spec §2–§4.3). Each clue
//! is weak alone; the strongest one seen decides.

use crate::model::Flavour;

#[derive(Debug, Default)]
pub(super) struct FlavourEvidence {
    mariadb_106: bool,
    holds_for_first: bool,
    two_word_trx_id: bool,
    hex_trx_id: bool,
    hex_thread_handle: bool,
    from_timestamp: Option<Flavour>,
}

impl FlavourEvidence {
    /// `MariaDB thread id …` (10.6+) or `MySQL thread id …, OS thread handle 0x…` (5.5/5.6).
    pub(super) fn thread_line(&mut self, text: &str) {
        let text = text.trim_start();
        if text.starts_with("MariaDB") {
            self.mariadb_106 = true;
        } else if text.contains("OS thread handle 0x") {
            self.hex_thread_handle = true;
        }
    }

    /// Unnumbered `*** WAITING FOR …` or `*** CONFLICTING WITH:` (MariaDB 10.6+ only).
    pub(super) fn mariadb_heading(&mut self) {
        self.mariadb_106 = true;
    }

    /// `*** (1) HOLDS THE LOCK(S):` is printed by MySQL 8.0.18+ only.
    pub(super) fn holds_for_first(&mut self) {
        self.holds_for_first = true;
    }

    /// `0 3793488` (5.0/5.1) or upper-case hex `3BF88F886` (5.5).
    pub(super) fn trx_id(&mut self, id: &str) {
        if id.contains(' ') && !id.starts_with('(') {
            self.two_word_trx_id = true;
        } else if id.bytes().any(|b| b.is_ascii_uppercase())
            && id.bytes().all(|b| b.is_ascii_hexdigit())
        {
            self.hex_trx_id = true;
        }
    }

    /// The report's timestamp line (format-spec §2).
    pub(super) fn timestamp(&mut self, ts: &str) {
        let mut words = ts.split_whitespace();
        let date = words.next().unwrap_or("");
        let thread = words.nth(1);
        let guess = if date.len() == 6 {
            Flavour::Mysql55
        } else if let Some(thread) = thread {
            if thread.starts_with("0x") || thread == "0" {
                Flavour::Mysql57
            } else if thread.len() >= 10 && thread.bytes().all(|b| b.is_ascii_digit()) {
                Flavour::Mysql8018
            } else {
                Flavour::Mysql56
            }
        } else {
            return;
        };
        self.from_timestamp.get_or_insert(guess);
    }

    /// The error-log prefix of the dump's first line: 8.0's `[MY-0124xx]` form.
    pub(super) fn log_stamp(&mut self, stamp: &str) {
        if crate::parse::atoms::contains(stamp, "[MY-") {
            self.from_timestamp.get_or_insert(Flavour::Mysql8018);
        }
    }

    pub(super) fn flavour(&self) -> Flavour {
        if self.mariadb_106 {
            Flavour::Mariadb106
        } else if self.holds_for_first {
            Flavour::Mysql8018
        } else if self.two_word_trx_id {
            Flavour::Mysql50
        } else if self.hex_trx_id {
            Flavour::Mysql55
        } else if let Some(f) = self.from_timestamp {
            // 8.0.18+ printed with 0x ids for a while (sample 047); HOLDS decides above.
            if f == Flavour::Mysql8018 && !self.holds_for_first && self.hex_thread_handle {
                Flavour::Mysql56
            } else {
                f
            }
        } else if self.hex_thread_handle {
            Flavour::Mysql56
        } else {
            Flavour::Unknown
        }
    }
}
