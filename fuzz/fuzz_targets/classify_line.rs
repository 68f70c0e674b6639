//! The line classifier on every line of arbitrary input (lossy UTF-8, split as the input layer
//! splits: on `\n`, with a trailing `\r` kept for the classifier to deal with).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.split('\n') {
        let _ = lockscope::parse::classify(line);
    }
});
