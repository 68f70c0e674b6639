//! lockscope: diagnose MySQL/MariaDB InnoDB deadlocks and lock-wait timeouts.
//!
//! The pipeline is the architecture, data flowing one way:
//! `input` (bytes → logical lines) → `split` (lines → one chunk per report) → `parse` (chunk →
//! `model`) → `diagnose` (model → findings) → `report` (a `Sink` per output format).

pub mod analyze;
pub mod cli;
pub mod config;
pub mod decode;
pub mod diagnose;
pub mod error;
pub mod fail_on;
pub mod input;
pub mod lab;
pub mod live;
pub mod model;
pub mod parse;
pub mod redact;
pub mod report;
pub mod schema;
pub mod sink;
pub mod split;
pub mod text;

pub use analyze::{analyze_text, analyze_text_fully};
use sink::Sink;

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
