//! Renders analysed deadlocks. Every format is a `Sink`: text (comfy-table), json (one
//! document), jsonl (one object per deadlock), dot and mermaid (the wait-for graphs), markdown
//! (a ticket). `sink_for` picks one from the `--format` value; `summary_sink_for` the
//! `--summary` view; `Select` applies `--since` / `--until` in front of either.

mod colour;
pub mod describe;
mod dot;
mod graph_sink;
mod held;
mod json;
mod lock_waits;
mod markdown;
mod mermaid;
mod picture;
pub mod progress;
mod select;
mod summary;
mod text;
mod text_table;
mod timestamp;
mod wrap;

#[cfg(test)]
pub(crate) mod sample;

use std::io::{BufWriter, Write};

pub use colour::ColorChoice;
pub use describe::describe_mode_clause;
pub use dot::DotReport;
pub use json::{JsonReport, JsonlReport, SCHEMA_VERSION};
pub use markdown::MarkdownReport;
pub use mermaid::MermaidReport;
pub use select::{Select, TimeRange};
pub use summary::{SummaryFormat, SummaryReport, Tally, View as SummaryView};
pub use text::{summary_line, TextReport};
pub use timestamp::Stamp;
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
    /// Graphviz: the wait-for graph of each deadlock (`| dot -Tsvg > x.svg`).
    Dot,
    /// Mermaid flowchart of the same graphs, for GitHub and GitLab markdown.
    Mermaid,
    /// A report to paste into a ticket: timeline, graph, findings.
    Markdown,
}

/// Every format, in `--help` order.
pub const FORMATS: [Format; 6] = [
    Format::Text,
    Format::Json,
    Format::Jsonl,
    Format::Dot,
    Format::Mermaid,
    Format::Markdown,
];

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
            Format::Markdown => "markdown",
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
        FORMATS
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown format `{s}` (expected `text`, `json`, `jsonl`, `dot`, `mermaid` or \
                     `markdown`)"
                )
            })
    }
}

/// How the text report lays itself out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextOptions {
    /// Terminal width in columns (at least 40 is used).
    pub width: u16,
    /// Statements, record lists and quoted log lines whole instead of shortened.
    pub full: bool,
    /// ANSI colour in the text report (`--color`, decided by the caller).
    pub colour: bool,
    /// Every lock-table row in the JSON formats, not only the groups (`--all-locks`).
    pub all_locks: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            width: 80,
            full: false,
            colour: false,
            all_locks: false,
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
        Format::Json => Box::new(JsonReport::new(out).all_locks(options.all_locks)),
        Format::Jsonl => Box::new(JsonlReport::new(out).all_locks(options.all_locks)),
        Format::Dot => Box::new(DotReport::new(out, err, options)),
        Format::Mermaid => Box::new(MermaidReport::new(out, err, options)),
        Format::Markdown => Box::new(MarkdownReport::new(out, err, options)),
    }
}

/// The `--summary` report for `format`: text, markdown, or one JSON object for `json` and
/// `jsonl`; `None` for the graph formats, which have no summary.
pub fn summary_sink_for(
    format: Format,
    out: Box<dyn Write + Send>,
    err: Box<dyn Write + Send>,
    options: TextOptions,
    views: &[SummaryView],
) -> Option<Box<dyn Sink + Send>> {
    let out = BufWriter::with_capacity(64 * 1024, out);
    let format = match format {
        Format::Text => SummaryFormat::Text,
        Format::Json => SummaryFormat::Json,
        Format::Jsonl => SummaryFormat::JsonLine,
        Format::Markdown => SummaryFormat::Markdown,
        Format::Dot | Format::Mermaid => return None,
    };
    Some(Box::new(
        SummaryReport::new(out, err, format, options).views(views),
    ))
}

/// A `CONFLICTING WITH` lock's owner that the report does not list. MariaDB prints `trx id 0`
/// for a transaction that has not been given an id yet, one that has only read so far
/// (format-spec §3.3): a real holder, unnamed.
pub(crate) fn unlisted_owner(trx_id: &str) -> String {
    if trx_id.trim() == "0" {
        "a transaction not printed that has only read so far (trx id 0)".to_string()
    } else {
        format!("trx {trx_id} (not printed)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip() {
        for format in FORMATS {
            assert_eq!(format.as_str().parse::<Format>(), Ok(format));
            let name =
                clap::ValueEnum::to_possible_value(&format).map(|v| v.get_name().to_string());
            assert_eq!(name.as_deref(), Some(format.as_str()));
        }
        assert_eq!(
            "yaml".parse::<Format>(),
            Err(
                "unknown format `yaml` (expected `text`, `json`, `jsonl`, `dot`, `mermaid` or \
                 `markdown`)"
                    .to_string()
            )
        );
    }
}
