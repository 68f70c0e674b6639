//! Renders analysed deadlocks. Every format is a `Sink`: text (comfy-table), json (one
//! document), jsonl (one object per deadlock). `sink_for` picks one from the `--format` value.

mod json;
mod json_wire;
mod lock_waits;
mod text;
mod text_table;
mod wrap;

#[cfg(test)]
mod sample;

use std::io::{BufWriter, Write};

pub use json::{JsonReport, JsonlReport, SCHEMA_VERSION};
pub use text::{summary_line, TextReport};
pub use wrap::{squash, truncate, wrap, NO_BREAK};

use crate::sink::Sink;

/// The output formats of `analyze` (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Plain-language report with tables, for a terminal.
    #[default]
    Text,
    /// One JSON document (see `report::json` for the contract).
    Json,
    /// One JSON object per line: a deadlock, a warning, the summary.
    Jsonl,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "jsonl" => Ok(Format::Jsonl),
            other => Err(format!(
                "unknown format `{other}` (expected `text`, `json` or `jsonl`)"
            )),
        }
    }
}

/// How the text report lays itself out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextOptions {
    /// Terminal width in columns (at least 40 is used).
    pub width: u16,
    /// Statements, record lists and quoted log lines whole instead of shortened.
    pub full: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            width: 80,
            full: false,
        }
    }
}

/// The report for `format`: the report itself to `out` (buffered here), warnings of the text
/// report to `err`. The JSON formats carry their warnings inside the output and never write to
/// `err`. Call `Sink::finish` at the end: it writes the summary and flushes.
pub fn sink_for(
    format: Format,
    out: Box<dyn Write + Send>,
    err: Box<dyn Write + Send>,
    options: TextOptions,
) -> Box<dyn Sink + Send> {
    let out = BufWriter::with_capacity(64 * 1024, out);
    match format {
        Format::Text => Box::new(TextReport::new(out, err, options)),
        Format::Json => Box::new(JsonReport::new(out)),
        Format::Jsonl => Box::new(JsonlReport::new(out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip() {
        for format in [Format::Text, Format::Json, Format::Jsonl] {
            assert_eq!(format.as_str().parse::<Format>(), Ok(format));
        }
        assert_eq!(
            "yaml".parse::<Format>(),
            Err("unknown format `yaml` (expected `text`, `json` or `jsonl`)".to_string())
        );
    }
}
