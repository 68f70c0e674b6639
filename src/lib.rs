//! lockscope: diagnose MySQL/MariaDB InnoDB deadlocks and lock-wait timeouts.
//!
//! The pipeline is the architecture, data flowing one way:
//! `input` (bytes → logical lines) → `split` (lines → one chunk per report) → `parse` (chunk →
//! `model`) → `diagnose` (model → findings) → `report` (a `Sink` per output format).

pub mod diagnose;
pub mod input;
pub mod model;
pub mod parse;
pub mod report;
pub mod sink;
pub mod split;
