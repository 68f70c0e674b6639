//! A problem with the input that did not stop the analysis. Real logs are messy: every line
//! lockscope could not read is reported with where it was, and the rest is still analysed.

use serde::Serialize;

/// One unreadable or suspicious piece of input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Name of the input (`-` for stdin, the path otherwise, `dsn` for a live server).
    pub input: String,
    /// 1-based physical line number in that input.
    pub line: usize,
    /// What went wrong, lowercase, identifiers in backticks.
    pub message: String,
    /// The offending text (shortened), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.input, self.line, self.message)?;
        if let Some(text) = &self.text {
            write!(f, "\n  | {text}")?;
        }
        Ok(())
    }
}
