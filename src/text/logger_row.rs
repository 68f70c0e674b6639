//! The two line shapes of pt-deadlock-logger's output that both the splitter (to find its rows)
//! and the parser (to read them) need.

/// The header line: column names only, among them `ts`, `wait_hold` and `lock_mode`.
pub fn is_logger_header(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_lowercase())
        && t.contains("wait_hold")
        && t.split_whitespace().any(|w| w == "ts")
        && t.split_whitespace().any(|w| w == "lock_mode")
        && t.split_whitespace()
            .all(|w| w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
}

/// `2007-03-08T20:34:22`.
pub fn is_iso_time(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}
