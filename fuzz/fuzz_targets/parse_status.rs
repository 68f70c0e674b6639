//! The whole pipeline (format detection, splitting, parsing, diagnosis, sinks) over arbitrary
//! bytes: any input, in any of the shapes a client or error log prints, must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = lockscope::analyze_bytes(data);
});
