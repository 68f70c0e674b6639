//! What a lab run is asked to do: which write paths, and in which output format.

use clap::ValueEnum;

/// `--path`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PathChoice {
    /// The write paths as in the incident (and the variants it proposed).
    Broken,
    /// The write path the catalogue's fix describes.
    Fixed,
    /// All of them, one after the other, from the same data.
    Both,
}

/// `--format` of `lab`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LabFormat {
    /// A table per scenario and the classification of the captured deadlock.
    Text,
    /// One JSON document with the same figures.
    Json,
}
