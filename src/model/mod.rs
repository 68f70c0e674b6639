//! The words the whole pipeline speaks: what a deadlock report *means*, independent of how a
//! server version printed it. Parsers produce these types; diagnose and report only read them.

mod blocking;
mod deadlock;
mod flavour;
mod graph;
mod lock;
mod lock_mode;
mod lock_picture;
mod lock_table;
mod lock_wait;
mod record;
mod transaction;
mod value_text;
mod warning;

pub use blocking::BlockingTree;
pub use deadlock::{Deadlock, Victim};
pub use flavour::Flavour;
pub use graph::{EdgeSource, WaitEdge, WaitForGraph};
pub use lock::{Lock, LockTarget, TableName, NOT_PRINTED};
pub use lock_mode::{LockKind, LockMode, LockModeClause};
pub use lock_picture::{HeldLocks, History, HistoryStatement, Involved, LockPicture};
pub use lock_table::{
    LockRow, LockStatus, LockTable, MdlOwner, MdlRow, RecordAddress, StatementRow, TableRows,
    WaitRow, WaitSide, GROUPED_PREFIX, GROUP_OWNER_KEY, ROW_OWNER_KEY, UNNAMED_PREFIX,
};
pub use lock_wait::{key_data, LockWait, TrxSummary, WaitedLock};
pub use record::{
    hex_bytes, DecodedColumn, Field, FieldValue, Record, INFO_BITS_DELETED, INFO_BITS_INSTANT,
    INFO_BITS_MIN_REC,
};
pub use transaction::Transaction;
pub use value_text::{push_number, push_short_value, short_value};
pub use warning::Warning;

/// A short name as printed (table, index, schema, user, host, state words): kept inline, with
/// no allocation, when it fits in 24 bytes, as nearly all do. Every report has dozens.
pub type Name = compact_str::CompactString;
