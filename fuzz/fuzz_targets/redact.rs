//! Redaction of arbitrary input, both ways: `lockscope redact` (text back) and `--redact`
//! before analysis. A redaction may drop what it cannot read, never panic on it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockscope::analyze::{analyze_reader_with, Options};
use lockscope::redact::{redact_to, RedactOptions, Redactor};
use lockscope::sink::VecSink;

fuzz_target!(|data: &[u8]| {
    for names in [false, true] {
        let mut out = Vec::new();
        let _ = redact_to(data, &mut out, &mut Redactor::new(RedactOptions { names }));
        let options = Options {
            redact: Some(RedactOptions { names }),
            ..Options::default()
        };
        let _ = analyze_reader_with("fuzz", data, &mut VecSink::default(), &options);
    }
});
