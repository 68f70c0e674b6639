//! The one hand-written piece of the JSON output: a compact `serde::Serializer` whose string
//! escaping looks at 16 bytes at a time, used for the deadlock objects (most of what `json` and
//! `jsonl` write). The wire itself is still the derived types of `wire`; only the bytes are
//! made here, and they are exactly `serde_json`'s (`the_bytes_are_serde_jsons` compares the
//! two on every fixture, and `strings_escape_like_serde` every byte at every offset).
//!
//! Why: with `serde_json::to_writer`, escaping (a table lookup per byte) was 28% of all
//! instructions of `analyze --format jsonl` on the 100 MiB benchmark log (callgrind on a
//! 5 MiB prefix: 363 M instructions against 253 M for the hand-written writer it replaced)
//! and jsonl ran about 20% slower (best of 8 interleaved runs: 0.482 s against 0.389 s).
//! Numbers other than unsigned integers are left to `serde_json` itself.

mod escape;
mod map_key;
mod ser;

use std::fmt::Display;

use serde::ser::Serialize;

use ser::Fast;

/// Appends the compact JSON of `value` to `out`, as `serde_json::to_writer` would.
pub fn to_vec<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    value.serialize(&mut Fast { out })
}

/// A value `Fast` cannot write (a map key that is not a string or integer).
#[derive(Debug)]
pub struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl serde::ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        std::io::Error::other(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::DeadlockJson;
    use std::collections::BTreeMap;

    /// Every fixture's deadlocks, written here and by `serde_json`, byte for byte.
    #[test]
    fn the_bytes_are_serde_jsons() {
        let mut files = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixtures").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut n = 0;
        for path in files {
            let bytes = std::fs::read(&path).expect("readable");
            let text = String::from_utf8_lossy(&bytes);
            let (deadlocks, _) = crate::analyze::analyze_text("in\"put\u{1}", &text);
            for a in &deadlocks {
                for wire in [DeadlockJson::element(a), DeadlockJson::line(a, 1)] {
                    let mut fast = Vec::new();
                    to_vec(&mut fast, &wire).expect("writes");
                    let slow = serde_json::to_vec(&wire).expect("serializes");
                    assert!(
                        fast == slow,
                        "{}:{}\nfast: {}\nserde: {}",
                        path.display(),
                        a.deadlock.line,
                        String::from_utf8_lossy(&fast),
                        String::from_utf8_lossy(&slow)
                    );
                }
                n += 1;
            }
        }
        assert!(n > 50, "only {n} deadlocks in the fixtures");
    }

    #[test]
    fn other_shapes_match_serde_json() {
        #[derive(serde::Serialize)]
        enum E {
            Unit,
            New(u8),
            Tuple(u8, i8),
            Struct { a: f64 },
        }
        #[derive(serde::Serialize)]
        struct S<'a> {
            neg: i64,
            float: f64,
            nan: f32,
            c: char,
            tuple: (u8, &'a str),
            map: BTreeMap<u32, Option<bool>>,
            e: [E; 4],
            unit: (),
        }
        let value = S {
            neg: -42,
            float: 0.1,
            nan: f32::NAN,
            c: '"',
            tuple: (7, "x"),
            map: [(1, Some(true)), (20, None)].into_iter().collect(),
            e: [E::Unit, E::New(3), E::Tuple(1, -1), E::Struct { a: 2.5 }],
            unit: (),
        };
        let mut fast = Vec::new();
        to_vec(&mut fast, &value).unwrap();
        assert_eq!(
            String::from_utf8(fast).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
        let mut out = Vec::new();
        let bad: BTreeMap<bool, u8> = [(true, 1)].into_iter().collect();
        assert!(to_vec(&mut out, &bad).is_err());
    }
}
