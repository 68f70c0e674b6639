//! A progress bar on stderr while a large file is analysed on a terminal. It counts the bytes the
//! pipeline reads, through a reader wrapped around the file, so the parser's hot path does not
//! know about it; the bar moves at most once per read (a megabyte), and writes to the terminal
//! it shares with the report are interleaved cleanly (`Suspend`).

use std::io::{self, Read, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs smaller than this in total are read too fast for a bar to help.
pub const MIN_BYTES: u64 = 32 * 1024 * 1024;
/// Bytes counted before the bar is told: keeps the cost off small reads.
const STEP: u64 = 64 * 1024;

/// Whether to show a bar: stderr is a terminal, not CI, not `--quiet`, and the input is large.
pub fn wanted(stderr_is_terminal: bool, ci: bool, quiet: bool, total_bytes: u64) -> bool {
    stderr_is_terminal && !ci && !quiet && total_bytes >= MIN_BYTES
}

/// [`wanted`] for this process (`CI` set in the environment means a CI machine).
pub fn wanted_here(quiet: bool, total_bytes: u64) -> bool {
    use std::io::IsTerminal;
    wanted(
        io::stderr().is_terminal(),
        std::env::var_os("CI").is_some(),
        quiet,
        total_bytes,
    )
}

/// A bar for `total` bytes on stderr.
pub fn bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(10));
    let style = ProgressStyle::with_template(
        "{msg:.bold} [{wide_bar}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

/// Clears the bar when dropped, however the analysis ends.
pub struct Guard(pub ProgressBar);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// The bar's label for an input: its file name, shortened (the bar keeps to one line).
pub fn label(name: &str) -> String {
    let file = std::path::Path::new(name)
        .file_name()
        .map_or_else(|| name.to_string(), |f| f.to_string_lossy().into_owned());
    super::wrap::truncate(&file, 24)
}

/// Counts the bytes read through it into `bar`, in steps of [`STEP`].
pub struct Counted<R> {
    inner: R,
    bar: ProgressBar,
    pending: u64,
}

impl<R> Counted<R> {
    pub fn new(inner: R, bar: ProgressBar) -> Counted<R> {
        Counted {
            inner,
            bar,
            pending: 0,
        }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pending += n as u64;
        if self.pending >= STEP || n == 0 {
            self.bar.inc(self.pending);
            self.pending = 0;
        }
        Ok(n)
    }
}

/// A writer to the terminal the bar is drawn on: hides the bar while writing.
pub struct Suspend<W> {
    inner: W,
    bar: ProgressBar,
}

impl<W> Suspend<W> {
    pub fn new(inner: W, bar: ProgressBar) -> Suspend<W> {
        Suspend { inner, bar }
    }
}

impl<W: Write> Write for Suspend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let inner = &mut self.inner;
        self.bar.suspend(|| inner.write_all(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_for_large_inputs_on_a_terminal_outside_ci() {
        assert!(wanted(true, false, false, MIN_BYTES));
        assert!(!wanted(false, false, false, MIN_BYTES), "stderr piped");
        assert!(!wanted(true, true, false, MIN_BYTES), "CI");
        assert!(!wanted(true, false, true, MIN_BYTES), "--quiet");
        assert!(!wanted(true, false, false, MIN_BYTES - 1), "small");
    }

    #[test]
    fn labels_are_short_file_names() {
        assert_eq!(label("/var/log/mysql/error.log"), "error.log");
        assert_eq!(
            label("a-very-long-error-log-name-from-prod.log")
                .chars()
                .count(),
            24
        );
    }

    #[test]
    fn counts_every_byte() {
        let data = vec![b'x'; 300 * 1024 + 7];
        let bar = ProgressBar::hidden();
        bar.set_length(data.len() as u64);
        let mut reader = Counted::new(&data[..], bar.clone());
        let mut sink = Vec::new();
        io::copy(&mut reader, &mut sink).unwrap();
        assert_eq!(bar.position(), data.len() as u64);
    }
}
