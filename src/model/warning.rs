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

/// Renders like a compiler diagnostic, so editors and people find the line:
///
/// ```text
/// unrecognised line in transaction `1`
///   --> status.txt:412
///     |
/// 412 | %%% garbage %%%
/// ```
impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        write!(
            f,
            "{}\n{gutter}--> {}:{}",
            self.message, self.input, self.line
        )?;
        if let Some(text) = &self.text {
            write!(f, "\n{gutter} |\n{number} | {text}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_a_gutter() {
        let w = Warning {
            input: "status.txt".into(),
            line: 412,
            message: "unrecognised line in transaction `1`".into(),
            text: Some("%%% garbage %%%".into()),
        };
        assert_eq!(
            w.to_string(),
            "unrecognised line in transaction `1`\n   --> status.txt:412\n    |\n412 | %%% garbage %%%"
        );
    }
}
