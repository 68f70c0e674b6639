//! The lock-table reader on arbitrary text in every printed shape: the first lines up to a blank
//! line are the query pasted above the result set, the rest its rows. Whatever the cells, headers
//! or aliases, reading must give a table or a reason, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockscope::parse::lock_tables::parse_lock_table;
use lockscope::text::Shape;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (query, rows) = text.split_once("\n\n").unwrap_or(("", &text));
    let query: Vec<&str> = query.lines().collect();
    for shape in [Shape::Boxed, Shape::Vertical, Shape::Batch, Shape::Json, Shape::Markdown] {
        let _ = parse_lock_table(shape, &query, rows.lines().enumerate().map(|(i, l)| (i + 1, l)));
    }
});
