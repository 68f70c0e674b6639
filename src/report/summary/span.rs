//! The first and last timestamp and the hours are kept for the whole summary and again for
//! each shape: one small counter both share, fed once per deadlock, so it reuses its buffers.

use std::collections::BTreeMap;

use crate::report::timestamp::Stamp;

/// One more deadlock in `hour` (allocating the key only for a new hour).
pub(super) fn count_hour(by_hour: &mut BTreeMap<String, usize>, hour: &str) {
    match by_hour.get_mut(hour) {
        Some(n) => *n += 1,
        None => {
            by_hour.insert(hour.to_string(), 1);
        }
    }
}

/// The first and last timestamp seen.
#[derive(Debug, Default, Clone)]
pub(super) struct Span {
    first: Option<(Stamp, String)>,
    last: Option<(Stamp, String)>,
}

impl Span {
    pub(super) fn see(&mut self, stamp: &Stamp, text: &str) {
        // Most deadlocks of a log are the last so far: its buffer is reused, not reallocated.
        fn set(slot: &mut Option<(Stamp, String)>, stamp: &Stamp, text: &str) {
            match slot {
                Some((s, t)) => {
                    *s = *stamp;
                    if t != text {
                        t.clear();
                        t.push_str(text);
                    }
                }
                None => *slot = Some((*stamp, text.to_string())),
            }
        }
        if self
            .first
            .as_ref()
            .map_or(true, |(f, _)| stamp.cmp_for_selection(f).is_lt())
        {
            set(&mut self.first, stamp, text);
        }
        if self
            .last
            .as_ref()
            .map_or(true, |(l, _)| stamp.cmp_for_selection(l).is_ge())
        {
            set(&mut self.last, stamp, text);
        }
    }

    pub(super) fn first(&self) -> Option<&str> {
        self.first.as_ref().map(|(_, t)| t.as_str())
    }

    pub(super) fn last(&self) -> Option<&str> {
        self.last.as_ref().map(|(_, t)| t.as_str())
    }
}
