//! The input repairs (quoted, numbered, HTML- or markdown-escaped, flattened copies, JSON error
//! logs) and the rewrap of cut lines after them, on every line of arbitrary input: a repair may
//! rewrite or join lines, never panic on one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockscope::input::{Repairer, Rewrapper};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut repairer = Repairer::new();
    let mut rewrapper = Rewrapper::new();
    let mut out = |_: usize, line: &str| {
        let _ = line.len();
    };
    let mut rewrap = |rewrapper: &mut Rewrapper, n: usize, line: &str| {
        if rewrapper.needs(line) {
            rewrapper.feed(n, line, &mut out);
        } else {
            out(n, line);
        }
    };
    for (i, line) in text.split('\n').enumerate() {
        if repairer.needs(line) {
            repairer.feed(i + 1, line, &mut |n, l| rewrap(&mut rewrapper, n, l));
        } else {
            rewrap(&mut rewrapper, i + 1, line);
        }
    }
    repairer.finish(&mut |n, l| rewrap(&mut rewrapper, n, l));
    rewrapper.finish(&mut out);
});
