//! Deadlock timestamps made comparable. Servers print them in several shapes (`2026-11-21
//! 05:24:04`, `2026-11-21T05:24:04.123Z`, 5.x's `120906  6:03:32`, `2025-11-10T08:52:25.728726
//! +08:00`); `--since` / `--until` take RFC 3339 or `YYYY-MM-DD[ HH:MM[:SS]]`. Both become a
//! [`Stamp`]: the wall-clock time as written, plus the UTC offset when one was written.

use std::cmp::Ordering;

/// A point in time as a log or the user wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Seconds since 1970-01-01 00:00:00 of the wall clock as written (the offset not applied).
    wall: i64,
    nanos: u32,
    /// Seconds east of UTC, when the text names an offset (`Z`, `+08:00`).
    offset: Option<i32>,
}

impl Stamp {
    /// A deadlock's timestamp in any shape a server prints; `None` when it is none of them.
    pub fn parse(text: &str) -> Option<Stamp> {
        let text = text.trim();
        let (date, rest) = date(text)?;
        let rest = rest
            .strip_prefix('T')
            .or_else(|| rest.strip_prefix(' '))?
            .trim_start();
        let (secs, nanos, rest) = time(rest)?;
        let offset = offset(rest.trim_start())?;
        Some(Stamp {
            wall: date * 86_400 + secs,
            nanos,
            offset,
        })
    }

    /// A `--since` / `--until` value: RFC 3339, or `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` or
    /// `YYYY-MM-DD HH:MM:SS` (a date alone is its midnight).
    pub fn parse_bound(text: &str) -> Result<Stamp, String> {
        let trimmed = text.trim();
        let whole_date = date(trimmed).filter(|(_, rest)| rest.is_empty() && trimmed.len() == 10);
        if let Some((days, _)) = whole_date {
            return Ok(Stamp {
                wall: days * 86_400,
                nanos: 0,
                offset: None,
            });
        }
        match Stamp::parse(trimmed) {
            Some(stamp) if trimmed.len() > 10 && trimmed.as_bytes().get(4) == Some(&b'-') => {
                Ok(stamp)
            }
            _ => Err(
                "expected RFC 3339 (`2026-11-21T05:24:04Z`) or `YYYY-MM-DD[ HH:MM[:SS]]`"
                    .to_string(),
            ),
        }
    }

    /// Ordering for selection: instants when both sides name an offset, else the wall clocks
    /// as written (a log without offsets is in the server's time zone, which lockscope cannot
    /// know).
    pub fn cmp_for_selection(&self, other: &Stamp) -> Ordering {
        match (self.offset, other.offset) {
            (Some(a), Some(b)) => (self.wall - i64::from(a), self.nanos)
                .cmp(&(other.wall - i64::from(b), other.nanos)),
            _ => (self.wall, self.nanos).cmp(&(other.wall, other.nanos)),
        }
    }

    /// The hour this falls in, on the wall clock as written: `2026-11-21 05:00`.
    pub fn hour(&self) -> String {
        let (y, m, d) = civil_from_days(self.wall.div_euclid(86_400));
        let h = self.wall.rem_euclid(86_400) / 3600;
        format!("{y:04}-{m:02}-{d:02} {h:02}:00")
    }
}

/// `2026-11-21` or `120906` (YYMMDD, MySQL ≤ 5.6): days since 1970-01-01 and the rest.
fn date(text: &str) -> Option<(i64, &str)> {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let s = text.get(from..from + n)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, m, d, used) = if b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-') {
        (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?, 10)
    } else {
        let yy = digits(0, 2)?;
        let y = if yy >= 70 { 1900 + yy } else { 2000 + yy };
        (y, digits(2, 2)?, digits(4, 2)?, 6)
    };
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some((days_from_civil(y, m, d), text.get(used..)?))
}

/// `5:24:04`, `05:24`, `05:24:04.123456`: seconds of the day, nanoseconds, the rest.
fn time(text: &str) -> Option<(i64, u32, &str)> {
    let number = |s: &str, max_len: usize| -> Option<(i64, usize)> {
        let len = s.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 || len > max_len {
            return None;
        }
        Some((s.get(..len)?.parse().ok()?, len))
    };
    let (h, n) = number(text, 2)?;
    let rest = text.get(n..)?.strip_prefix(':')?;
    let (m, n) = number(rest, 2)?;
    let mut rest = rest.get(n..)?;
    let mut s = 0;
    let mut nanos = 0;
    if let Some(after) = rest.strip_prefix(':') {
        let (sec, n) = number(after, 2)?;
        s = sec;
        rest = after.get(n..)?;
        if let Some(frac) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(',')) {
            let len = frac.bytes().take_while(u8::is_ascii_digit).count();
            let digits = frac.get(..len.min(9))?;
            if !digits.is_empty() {
                let value: u32 = digits.parse().ok()?;
                nanos = value * 10u32.pow(9 - u32::try_from(digits.len()).ok()?);
            }
            rest = frac.get(len..)?;
        }
    }
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    // A leap second (`:60`) stays in its minute.
    Some((h * 3600 + m * 60 + s.min(59), nanos, rest))
}

/// ``, `Z`, `+08:00`, `-0530`: `Some(None)` when absent, `None` when not an offset.
fn offset(text: &str) -> Option<Option<i32>> {
    match text {
        "" => return Some(None),
        "Z" | "z" | "UTC" => return Some(Some(0)),
        _ => {}
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = text.get(1..)?.chars().filter(|&c| c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits.get(..2)?.parse().ok()?;
    let m: i32 = digits.get(2..)?.parse().ok()?;
    (h <= 23 && m <= 59).then_some(Some(sign * (h * 3600 + m * 60)))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Stamp {
        Stamp::parse(text).unwrap_or_else(|| panic!("parsing {text:?}"))
    }

    #[test]
    fn every_server_shape() {
        for (input, hour) in [
            ("2026-11-21 05:24:04", "2026-11-21 05:00"),
            ("2026-11-21 5:24:04", "2026-11-21 05:00"),
            ("2026-11-21T05:24:04.123Z", "2026-11-21 05:00"),
            ("120906  6:03:32", "2012-09-06 06:00"),
            ("120906 16:03:32", "2012-09-06 16:00"),
            ("2025-11-10T08:52:25.728726+08:00", "2025-11-10 08:00"),
            ("2024-02-29 23:59:60", "2024-02-29 23:00"),
            ("991231 23:00:00", "1999-12-31 23:00"),
        ] {
            assert_eq!(at(input).hour(), hour, "parsing {input:?}");
        }
    }

    #[test]
    fn not_timestamps() {
        for input in [
            "",
            "yesterday",
            "2026-13-01 00:00:00",
            "2026-02-30 00:00:00",
            "2026-11-21 24:00:00",
            "2026-11-21 05:24:04 +8",
            "1209066:03:32",
        ] {
            assert_eq!(Stamp::parse(input), None, "parsing {input:?}");
        }
    }

    #[test]
    fn order_by_instant_or_wall_clock() {
        let utc = at("2025-11-10T00:52:25Z");
        let plus8 = at("2025-11-10T08:52:25.728726+08:00");
        assert_eq!(utc.cmp_for_selection(&plus8), Ordering::Less);
        assert_eq!(
            at("2025-11-10T00:52:26Z").cmp_for_selection(&plus8),
            Ordering::Greater
        );
        // No offset on one side: wall clocks.
        let local = at("2025-11-10 08:52:25");
        assert_eq!(local.cmp_for_selection(&plus8), Ordering::Less);
        assert_eq!(
            at("120906 6:03:32").cmp_for_selection(&at("2012-09-06 06:03:32")),
            Ordering::Equal
        );
    }

    #[test]
    fn bounds() {
        let day = Stamp::parse_bound("2026-11-21").unwrap();
        assert_eq!(day, at("2026-11-21 00:00:00"));
        assert_eq!(
            Stamp::parse_bound("2026-11-21 05:24").unwrap(),
            at("2026-11-21 05:24:00")
        );
        assert_eq!(
            Stamp::parse_bound("2026-11-21T05:24:04+02:00").unwrap(),
            at("2026-11-21 05:24:04 +02:00")
        );
        for bad in ["120906", "120906 6:03:32", "2026-11-21 25:00", "soon"] {
            let err = Stamp::parse_bound(bad).unwrap_err();
            assert!(
                err.starts_with("expected RFC 3339"),
                "parsing {bad:?}: {err}"
            );
        }
    }

    #[test]
    fn calendar_round_trip() {
        for days in [-1000, 0, 59, 365, 11_016, 20_000, 100_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
