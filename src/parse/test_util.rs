//! Test helpers shared by the productions' unit tests: the "never panics" checks.

/// Runs `f` on every prefix and every suffix of `input` (at char boundaries), plus a few
/// mangled variants, so that a truncated or damaged line can never make a production panic.
pub(crate) fn assert_prefixes_safe(input: &str, mut f: impl FnMut(&str)) {
    for (i, _) in input
        .char_indices()
        .chain(std::iter::once((input.len(), ' ')))
    {
        if let (Some(head), Some(tail)) = (input.get(..i), input.get(i..)) {
            f(head);
            f(tail);
        }
    }
    f(&input.replace(' ', ""));
    f(&input.replace(' ', "\t"));
    f(&input.replace(|c: char| c.is_ascii_digit(), "9999999999999999999999"));
    f(&format!("{input}\u{0}\u{fffd}\r"));
}

/// Every line of every fixture that contains `marker`, from the marker to the end of the line
/// (client decoration and log prefixes fall away before it): real input for checking a fast
/// path against its production.
pub(crate) fn fixture_lines(marker: &str) -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &mut files,
    );
    let mut lines = Vec::new();
    for file in files {
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for line in text.lines() {
            // Longer is a whole status flattened onto one line (`-B`): its lines are in the
            // other shapes of the same capture, and checking its prefixes would take minutes.
            let Some(rest) = line.find(marker).and_then(|at| line.get(at..)) else {
                continue;
            };
            if rest.len() <= 300 {
                lines.push(rest.trim().to_string());
            }
        }
    }
    lines.sort();
    lines.dedup();
    lines
}

/// Checks that a fast path agrees with its production wherever it answers, on every fixture line
/// holding `marker` and on the damaged variants of each; returns how many lines it answered.
pub(crate) fn assert_fast_path_agrees<T: PartialEq + std::fmt::Debug>(
    marker: &str,
    fast: impl Fn(&str) -> Option<T>,
    slow: impl Fn(&str) -> Option<T>,
) -> usize {
    let lines = fixture_lines(marker);
    assert!(!lines.is_empty(), "no fixture line holds {marker:?}");
    assert_fast_path_agrees_on(&lines, fast, slow)
}

/// [`assert_fast_path_agrees`] on the given lines.
pub(crate) fn assert_fast_path_agrees_on<T: PartialEq + std::fmt::Debug>(
    lines: &[String],
    fast: impl Fn(&str) -> Option<T>,
    slow: impl Fn(&str) -> Option<T>,
) -> usize {
    let mut answered = 0;
    for line in lines {
        answered += usize::from(fast(line).is_some());
        assert_prefixes_safe(line, |variant| {
            if let Some(quick) = fast(variant) {
                assert_eq!(
                    Some(quick),
                    slow(variant),
                    "fast path differs on {variant:?}"
                );
            }
        });
    }
    answered
}
