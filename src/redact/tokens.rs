//! Consistent stand-ins for the values of one run: the same value always gets the same token, so
//! "both transactions wait for the same row" survives redaction, while two different values never
//! share one (within the room a field's width leaves).

use std::collections::{HashMap, HashSet};

/// Values that say nothing about a customer and are kept as they are.
const KEPT_USERS: &[&str] = &["root", "system user", "event_scheduler", "unauthenticated"];
const KEPT_HOSTS: &[&str] = &["localhost", "127.0.0.1", "::1"];
const KEPT_NAMES: &[&str] = &[
    "PRIMARY",
    "GEN_CLUST_INDEX",
    "mysql",
    "sys",
    "performance_schema",
    "information_schema",
];

/// The kind of a schema object name (`--redact-names`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    Schema,
    Table,
    Index,
}

/// The token maps of one run.
#[derive(Debug, Default)]
pub struct Tokens {
    numbers: HashMap<String, u64>,
    texts: HashMap<String, u64>,
    /// Texts too short for an `s<k>` token, by length.
    short_texts: HashMap<usize, HashMap<String, u64>>,
    /// Record field bytes → their stand-in of the same length.
    bytes: HashMap<Vec<u8>, Vec<u8>>,
    used_bytes: HashSet<Vec<u8>>,
    hosts: HashMap<String, String>,
    ips: HashMap<String, String>,
    users: HashMap<String, String>,
    names: HashMap<(NameKind, String), String>,
}

/// `k` (1-based) of `value` in `map`, a new one when first seen.
fn ordinal(map: &mut HashMap<String, u64>, value: &str) -> u64 {
    let next = map.len() as u64 + 1;
    *map.entry(value.to_string()).or_insert(next)
}

impl Tokens {
    /// A number literal (`42`, `3.5`, `1e3`; no sign): another number, the same for the same value.
    pub fn number(&mut self, text: &str) -> String {
        let integer = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if integer {
            let canonical = text.trim_start_matches('0');
            let canonical = if canonical.is_empty() { "0" } else { canonical };
            return ordinal(&mut self.numbers, canonical).to_string();
        }
        format!("{}.5", ordinal(&mut self.numbers, text))
    }

    /// A text value (without quotes): `s<k>`, padded with `_` to the value's length so a fixed
    /// width still fits.
    pub fn text(&mut self, value: &str) -> String {
        let k = ordinal(&mut self.texts, value);
        let mut token = format!("s{k}");
        let len = value.chars().count();
        if token.len() > len {
            // `'a'` in a CHAR(1) key: `s1` would not fit the record's one byte, and the
            // statement's key and the dump's would part.
            if let Some(short) = self.short_text(value, len) {
                return short;
            }
        }
        while token.len() < len {
            token.push('_');
        }
        token
    }

    /// A token of letters only, as long as `value` (so never one of the `s<k>` tokens), the
    /// `k`-th of its length; `None` when that length has run out of letters.
    fn short_text(&mut self, value: &str, len: usize) -> Option<String> {
        const LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        if len == 0 {
            return None;
        }
        let mut k = ordinal(self.short_texts.entry(len).or_default(), value) - 1;
        let mut token = vec![b'a'; len];
        for slot in token.iter_mut().rev() {
            *slot = LETTERS[(k % 52) as usize];
            k /= 52;
        }
        (k == 0).then(|| String::from_utf8_lossy(&token).into_owned())
    }

    /// A record field's bytes: a stand-in of the same length. Text stays text (the token of
    /// [`Tokens::text`] when it fits), a signed integer stays a positive integer of the same
    /// width (the token of [`Tokens::number`], so a key in a statement and in a record dump
    /// still match), anything else gets a counter in its bytes.
    pub fn bytes(&mut self, value: &[u8]) -> Vec<u8> {
        if let Some(t) = self.bytes.get(value) {
            return t.clone();
        }
        let token = self
            .text_bytes(value)
            .or_else(|| self.int_bytes(value))
            .filter(|t| !self.used_bytes.contains(t))
            .unwrap_or_else(|| self.counter_bytes(value));
        self.used_bytes.insert(token.clone());
        self.bytes.insert(value.to_vec(), token.clone());
        token
    }

    fn text_bytes(&mut self, value: &[u8]) -> Option<Vec<u8>> {
        let printable = !value.is_empty()
            && value.iter().all(|b| (0x20..0x7f).contains(b))
            && value.iter().any(|&b| b != b' ');
        if !printable {
            return None;
        }
        let text = std::str::from_utf8(value).ok()?;
        // CHAR columns pad with spaces: the value is what comes before them.
        let trimmed = text.trim_end_matches(' ');
        // Digits are a number kept as text (or a quoted INT key): the number's token, as
        // `redact_sql` gives the statement's `'42'`.
        let token = if super::sql::is_digits(trimmed) {
            self.number(trimmed)
        } else {
            self.text(trimmed)
        };
        (token.len() <= value.len()).then(|| {
            let mut t = token.into_bytes();
            t.resize(value.len(), b' ');
            t
        })
    }

    /// InnoDB stores a signed integer big-endian with the sign bit flipped: a positive one
    /// starts with `0x80`.
    fn int_bytes(&mut self, value: &[u8]) -> Option<Vec<u8>> {
        if !matches!(value.len(), 1 | 2 | 3 | 4 | 8) {
            return None;
        }
        if value.len() > 1 && value.first() == Some(&0) {
            return self.unsigned_bytes(value);
        }
        if value.first() != Some(&0x80) {
            return None;
        }
        let mut n: u64 = 0;
        for &b in value {
            n = (n << 8) | u64::from(b);
        }
        let sign = 0x80u64 << ((value.len() - 1) * 8);
        let token: u64 = self.number(&(n ^ sign).to_string()).parse().ok()?;
        if token >= sign {
            return None;
        }
        let encoded = token | sign;
        Some(
            (0..value.len())
                .rev()
                .map(|i| (encoded >> (i * 8)) as u8)
                .collect(),
        )
    }

    /// An UNSIGNED integer is stored big-endian as it is (`00000002`): the token of
    /// [`Tokens::number`] in the same width, so `WHERE id = 2` and the dump still match. Only
    /// when the first byte is zero, so the token keeps it zero and stays unsigned-looking.
    fn unsigned_bytes(&mut self, value: &[u8]) -> Option<Vec<u8>> {
        let n = value.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
        let token: u64 = self.number(&n.to_string()).parse().ok()?;
        if token >= 1u64 << ((value.len() - 1) * 8) {
            return None;
        }
        Some(
            (0..value.len())
                .rev()
                .map(|i| (token >> (i * 8)) as u8)
                .collect(),
        )
    }

    /// A counter of the same width, the first byte's top bit kept; the next free one.
    fn counter_bytes(&mut self, value: &[u8]) -> Vec<u8> {
        let top = value.first().map_or(0, |b| b & 0x80);
        // Wide counters start far above the ordinals that integer tokens use, so a counter
        // never takes the bytes an integer of the statement will need later.
        let start: u64 = if value.len() >= 4 { 1 << 24 } else { 1 };
        let mut k: u64 = start;
        loop {
            let mut t: Vec<u8> = (0..value.len())
                .rev()
                .map(|i| if i >= 8 { 0 } else { (k >> (i * 8)) as u8 })
                .collect();
            if let Some(first) = t.first_mut() {
                *first |= top;
            }
            // Past the room of a one-byte field: give up on uniqueness rather than loop.
            if !self.used_bytes.contains(&t) || k > start + (1 << 20) {
                return t;
            }
            k += 1;
        }
    }

    /// A host name: `host<k>` (`localhost` is kept).
    pub fn host(&mut self, host: &str) -> String {
        if KEPT_HOSTS.contains(&host) {
            return host.to_string();
        }
        if looks_like_ip(host) {
            return self.ip(host);
        }
        let next = self.hosts.len() + 1;
        self.hosts
            .entry(host.to_string())
            .or_insert_with(|| format!("host{next}"))
            .clone()
    }

    /// An address: one of the documentation ranges (RFC 5737, RFC 3849); loopback is kept.
    pub fn ip(&mut self, ip: &str) -> String {
        if KEPT_HOSTS.contains(&ip) {
            return ip.to_string();
        }
        let k = self.ips.len() + 1;
        let v6 = ip.contains(':');
        self.ips
            .entry(ip.to_string())
            .or_insert_with(|| {
                if v6 {
                    format!("2001:db8::{k:x}")
                } else {
                    let nets = ["192.0.2", "198.51.100", "203.0.113"];
                    match nets.get((k - 1) / 254) {
                        Some(net) => format!("{net}.{}", (k - 1) % 254 + 1),
                        None => format!("10.{}.{}.{}", (k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff),
                    }
                }
            })
            .clone()
    }

    /// A user name: `user<k>` (`root` and the server's own users are kept).
    pub fn user(&mut self, user: &str) -> String {
        if KEPT_USERS.contains(&user) || user.is_empty() {
            return user.to_string();
        }
        let next = self.users.len() + 1;
        self.users
            .entry(user.to_string())
            .or_insert_with(|| format!("user{next}"))
            .clone()
    }

    /// A schema, table or index name (`--redact-names`): `db<k>`, `t<k>`, `idx<k>`.
    pub fn name(&mut self, kind: NameKind, name: &str) -> String {
        if KEPT_NAMES.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            return name.to_string();
        }
        let key = (kind, name.to_ascii_lowercase());
        let next = self.names.keys().filter(|(k, _)| *k == kind).count() + 1;
        let prefix = match kind {
            NameKind::Schema => "db",
            NameKind::Table => "t",
            NameKind::Index => "idx",
        };
        self.names
            .entry(key)
            .or_insert_with(|| format!("{prefix}{next}"))
            .clone()
    }

    /// The token of a name already seen under any kind (for identifiers in statements).
    pub fn known_name(&self, name: &str) -> Option<&str> {
        let lower = name.to_ascii_lowercase();
        [NameKind::Table, NameKind::Schema, NameKind::Index]
            .into_iter()
            .find_map(|kind| self.names.get(&(kind, lower.clone())))
            .map(String::as_str)
    }
}

/// `a.b.c.d` or an IPv6 address.
pub fn looks_like_ip(s: &str) -> bool {
    let v4 = s.split('.').count() == 4
        && s.split('.')
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
    let v6 = s.contains(':')
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    v4 || v6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_value_gets_the_same_token() {
        let mut t = Tokens::default();
        assert_eq!(t.number("101"), "1");
        assert_eq!(t.number("7"), "2");
        assert_eq!(t.number("0101"), "1");
        assert_eq!(t.text("alice"), "s1___");
        assert_eq!(t.text("alice"), "s1___");
        assert_eq!(t.text("bo"), "s2");
        // Too short for `s<k>`: letters of the value's width, one per value.
        assert_eq!(t.text("x"), "a");
        assert_eq!(t.text("y"), "b");
        assert_eq!(t.text("x"), "a");
        assert_eq!(t.bytes(b"y"), b"b".to_vec());
        assert_eq!(t.host("db-7.example.com"), "host1");
        assert_eq!(t.host("localhost"), "localhost");
        assert_eq!(t.ip("10.1.2.3"), "192.0.2.1");
        assert_eq!(t.user("app"), "user1");
        assert_eq!(t.user("root"), "root");
    }

    #[test]
    fn record_bytes_keep_their_width_and_kind() {
        let mut t = Tokens::default();
        // 101 as a signed INT: the number token of 101, re-encoded.
        assert_eq!(t.number("101"), "1");
        assert_eq!(t.bytes(&[0x80, 0, 0, 0x65]), vec![0x80, 0, 0, 1]);
        assert_eq!(t.bytes(b"alice     "), b"s1___     ".to_vec());
        let a = t.bytes(&[0x00, 0x01, 0xff]);
        let b = t.bytes(&[0x00, 0x01, 0xfe]);
        assert_eq!(a.len(), 3);
        assert_ne!(a, b);
        assert_eq!(t.bytes(&[0x00, 0x01, 0xff]), a);
    }
}
