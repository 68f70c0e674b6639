//! A statement history comes from `performance_schema`, not from the lock tables: an optional
//! section of its own, read when the lock tables cannot say what a transaction did before.

use crate::report::colour::Role;
use crate::report::text::Page;
use crate::sink::LockWaits;

/// Each involved transaction's statements, in order: what the deadlock report and the lock
/// tables cannot show.
pub(super) fn history_text(page: &mut Page, waits: &LockWaits, full: bool) {
    if waits.histories.is_empty() {
        return;
    }
    if !waits.waits.is_empty() || !waits.held.is_empty() || !waits.findings.is_empty() {
        page.line("");
    }
    page.line_as(
        Role::Heading,
        "statement history (performance_schema.events_statements_history)",
    );
    for h in &waits.histories {
        let head = format!("thread {}, {}:", h.thread_id, h.role);
        page.para(&head, "  ", "    ");
        if h.is_gone() {
            page.para(
                "not in the history: its connection has closed since (an application often \
                 reconnects after a 1213), or its statements were pushed out",
                "    ",
                "    ",
            );
            continue;
        }
        if h.from_the_middle {
            page.para(
                "… earlier statements of this transaction are no longer kept \
                 (performance_schema_events_statements_history_size)",
                "    ",
                "      ",
            );
        }
        for (i, st) in h.statements.iter().enumerate() {
            let sql = if full {
                st.sql.clone()
            } else {
                crate::report::text_table::short_statement(&st.sql, 200).join(" ")
            };
            let mut marks = Vec::new();
            if let Some(errno) = st.errno {
                marks.push(match errno {
                    1213 => "error 1213: deadlock, rolled back".to_string(),
                    1205 => "error 1205: lock wait timeout".to_string(),
                    n => format!("error {n}"),
                });
            }
            if st.reported {
                marks.push("the statement in the report".to_string());
            }
            let marks = match marks.is_empty() {
                true => String::new(),
                false => format!("  ← {}", marks.join("; ")),
            };
            page.para(&format!("{}. {sql}{marks}", i + 1), "    ", "       ");
        }
    }
}
