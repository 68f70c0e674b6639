//! The input repairs (quoted, numbered, HTML- or markdown-escaped, flattened copies, JSON error
//! logs) on every line of arbitrary input: a repair may rewrite a line, never panic on one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockscope::input::Repairer;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut repairer = Repairer::new();
    let mut out = |_: usize, line: &str| {
        let _ = line.len();
    };
    for (i, line) in text.split('\n').enumerate() {
        if repairer.needs(line) {
            repairer.feed(i + 1, line, &mut out);
        } else {
            out(i + 1, line);
        }
    }
    repairer.finish(&mut out);
});
