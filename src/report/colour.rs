//! Colour for the text report on a terminal: the victim, waiting locks, findings by confidence.
//! Decided once (`--color`, `NO_COLOR`, whether stdout is a terminal) and applied to lines
//! after they are wrapped, so widths are counted without escape codes and the plain output
//! stays byte for byte what it was.

use anstyle::{AnsiColor, Effects, Style};

use crate::diagnose::Confidence;

/// `--color`: when to colour the text report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour, even into a pipe or with `NO_COLOR`.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour, given whether the output is a terminal and the `NO_COLOR` and
    /// `TERM` variables (<https://no-color.org>: set and not empty disables colour).
    pub fn enabled(self, is_terminal: bool, no_color: Option<&str>, term: Option<&str>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && no_color.map_or(true, str::is_empty) && term != Some("dumb")
            }
        }
    }

    /// [`ColorChoice::enabled`] for this process's stdout and environment.
    pub fn for_stdout(self) -> bool {
        use std::io::IsTerminal;
        self.enabled(
            std::io::stdout().is_terminal(),
            std::env::var("NO_COLOR").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    }
}

/// What a line shows, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `deadlock 1 of …`, `lock waits: …`.
    Heading,
    /// The victim's transaction heading and the `victim:` line.
    Victim,
    /// A lock being waited for.
    Waiting,
    /// The cycle line.
    Cycle,
    /// A head blocker of a lock-wait queue.
    Blocker,
    /// A finding's heading, by how sure it is.
    Finding(Confidence),
}

fn style(role: Role) -> Style {
    let fg = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match role {
        Role::Heading => Style::new().effects(Effects::BOLD),
        Role::Victim | Role::Blocker => fg(AnsiColor::Red).effects(Effects::BOLD),
        Role::Waiting => fg(AnsiColor::Yellow),
        Role::Cycle => fg(AnsiColor::Cyan),
        Role::Finding(Confidence::High) => fg(AnsiColor::Green).effects(Effects::BOLD),
        Role::Finding(Confidence::Medium) => fg(AnsiColor::Yellow).effects(Effects::BOLD),
        Role::Finding(Confidence::Low) => Style::new().effects(Effects::DIMMED),
    }
}

/// `line` with its text (not its indent) in the colour of `role`.
pub fn paint(line: &str, role: Role) -> String {
    let body = line.trim_start();
    if body.is_empty() {
        return line.to_string();
    }
    let indent = &line[..line.len() - body.len()];
    let style = style(role);
    format!("{indent}{}{body}{}", style.render(), style.render_reset())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_follows_the_terminal_and_no_color() {
        let auto = ColorChoice::Auto;
        assert!(auto.enabled(true, None, Some("xterm-256color")));
        assert!(auto.enabled(true, Some(""), None));
        assert!(!auto.enabled(false, None, None), "piped");
        assert!(!auto.enabled(true, Some("1"), None), "NO_COLOR");
        assert!(!auto.enabled(true, None, Some("dumb")));
        assert!(ColorChoice::Always.enabled(false, Some("1"), None));
        assert!(!ColorChoice::Never.enabled(true, None, None));
    }

    #[test]
    fn paint_keeps_the_indent_outside_the_colour() {
        let line = paint("  - waiting: X lock", Role::Waiting);
        assert_eq!(line, "  \u{1b}[33m- waiting: X lock\u{1b}[0m");
        assert_eq!(paint("", Role::Victim), "");
    }
}
