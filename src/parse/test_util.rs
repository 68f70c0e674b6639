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
