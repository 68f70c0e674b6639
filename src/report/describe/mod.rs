//! Report prose: locks, records and mode clauses in plain words. Above `decode` (a record is
//! described by its decoded columns), below every renderer, so the text, JSON, markdown and
//! `explain` outputs all say the same thing the same way.

mod lock;
mod mode;
mod record;
#[cfg(test)]
mod testkit;

pub use lock::{
    describe_lock, describe_lock_short, push_description, push_short as push_lock_short,
};
pub use mode::describe_mode_clause;
pub use record::{describe_record, describe_record_in, push_record_in};
