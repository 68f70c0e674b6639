//! lockscope: diagnose MySQL/MariaDB InnoDB deadlocks and lock-wait timeouts.
//!
//! The pipeline is the architecture, data flowing one way:
//! `input` (bytes → logical lines) → `split` (lines → one chunk per report) → `parse` (chunk →
//! `model`) → `diagnose` (model → findings) → `report` (a `Sink` per output format).

pub mod analyze;
pub mod cli;
pub mod decode;
pub mod diagnose;
pub mod error;
pub mod fail_on;
pub mod input;
pub mod lab;
pub mod live;
pub mod model;
pub mod parse;
pub mod report;
pub mod schema;
pub mod sink;
pub mod split;

use sink::{Analysed, Sink, VecSink};

/// Analyses a whole text (tests, fuzzing, the live layer): every deadlock with its findings,
/// and the warnings.
pub fn analyze_text(name: &str, text: &str) -> (Vec<Analysed>, Vec<model::Warning>) {
    let (sink, _) = analyze_text_fully(name, text);
    (sink.deadlocks, sink.warnings)
}

/// Analyses a whole text into a [`VecSink`]: deadlocks, warnings and the joined lock waits;
/// also returns whether the text held anything lockscope reads.
pub fn analyze_text_fully(name: &str, text: &str) -> (VecSink, bool) {
    let mut sink = VecSink::default();
    // Reading from memory cannot fail, and VecSink never errors.
    let recognised = match analyze::analyze_reader(name, text.as_bytes(), &mut sink) {
        Ok(stats) => {
            let _ = analyze::report_lock_waits(&stats.lock_picture, &mut sink);
            stats.recognised
        }
        Err(_) => false,
    };
    (sink, recognised)
}

/// Runs the whole pipeline over arbitrary bytes, rendering every format, and returns how many
/// deadlocks it found: the fuzzing entry point (`fuzz/`), which must never panic.
pub fn analyze_bytes(bytes: &[u8]) -> usize {
    let mut found = 0;
    for format in report::FORMATS {
        let mut sink = report::sink_for(
            format,
            Box::new(std::io::sink()),
            Box::new(std::io::sink()),
            report::TextOptions::default(),
        );
        if let Ok(stats) = analyze::analyze_reader("fuzz", bytes, &mut sink) {
            found = stats.deadlocks;
            let _ = analyze::report_lock_waits(&stats.lock_picture, &mut sink);
        }
        let _ = sink.finish(&sink::Summary::default());
    }
    found
}
