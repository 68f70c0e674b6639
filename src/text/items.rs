//! Comma-separated items as SQL prints them: a select list, a `LOCK_DATA` key.

/// The items of `list`, split at commas outside parentheses and quotes (a `\` escapes the next
/// character inside a quote), trimmed, empty ones left out.
pub fn split_top_level(list: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut quote, mut escaped, mut start) = (0i32, None, false, 0);
    for (i, c) in list.char_indices() {
        match (quote, c) {
            _ if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                items.push(list.get(start..i).unwrap_or("").trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(list.get(start..).unwrap_or("").trim());
    items.retain(|i| !i.is_empty());
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_inside_quotes_and_calls_stay() {
        assert_eq!(
            split_top_level("a, CONCAT(b, ','), 'x,y', 'it\\'s, so' , 7"),
            ["a", "CONCAT(b, ',')", "'x,y'", "'it\\'s, so'", "7"]
        );
    }
}
