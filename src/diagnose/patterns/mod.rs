//! The catalogue, one pattern per file. Each file holds the pattern's documentation and id in a
//! `declare_pattern!`, its matcher `check`, and its tests. The order of [`PATTERNS`] is the
//! priority: the first match is the main cause, so specific shapes come before general ones.

mod auto_inc_lock;
mod bulk_lock_holder;
mod concurrent_unique_delete;
mod delete_then_insert;
mod fk_s_lock_upgrade;
mod gap_lock_held;
mod gap_then_insert;
mod global_read_lock;
mod hot_row;
mod idle_blocker;
mod inconsistent_order;
mod index_order_inversion;
mod indexed_column_update;
mod long_transaction;
mod odku_supremum;
mod s_to_x_upgrade;
mod shared_lock_held;
mod table_flush_stall;
mod unindexed_scan;
mod unique_key_race;

pub use auto_inc_lock::AUTO_INC_LOCK;
pub use bulk_lock_holder::BULK_LOCK_HOLDER;
pub use concurrent_unique_delete::CONCURRENT_UNIQUE_DELETE;
pub use delete_then_insert::DELETE_THEN_INSERT;
pub use fk_s_lock_upgrade::FK_S_LOCK_UPGRADE;
pub use gap_lock_held::GAP_LOCK_HELD;
pub use gap_then_insert::GAP_THEN_INSERT;
pub use global_read_lock::GLOBAL_READ_LOCK;
pub use hot_row::HOT_ROW;
pub use idle_blocker::IDLE_BLOCKER;
pub use inconsistent_order::INCONSISTENT_ORDER;
pub use index_order_inversion::INDEX_ORDER_INVERSION;
pub use indexed_column_update::INDEXED_COLUMN_UPDATE;
pub use long_transaction::LONG_TRANSACTION;
pub use odku_supremum::ODKU_SUPREMUM;
pub use s_to_x_upgrade::S_TO_X_UPGRADE;
pub use shared_lock_held::SHARED_LOCK_HELD;
pub use table_flush_stall::TABLE_FLUSH_STALL;
pub use unindexed_scan::UNINDEXED_SCAN;
pub use unique_key_race::UNIQUE_KEY_RACE;

use super::Pattern;

#[cfg(test)]
pub(crate) use fk_s_lock_upgrade::matches as fk_s_lock_upgrade_matches;

/// Every pattern, most specific first.
pub static PATTERNS: &[&Pattern] = &[
    &AUTO_INC_LOCK,
    &ODKU_SUPREMUM,
    &DELETE_THEN_INSERT,
    &CONCURRENT_UNIQUE_DELETE,
    &UNIQUE_KEY_RACE,
    &GAP_THEN_INSERT,
    &FK_S_LOCK_UPGRADE,
    &S_TO_X_UPGRADE,
    &INDEXED_COLUMN_UPDATE,
    &INDEX_ORDER_INVERSION,
    // A scan explains an opposite order of the rows it passed: named first when both fit.
    &UNINDEXED_SCAN,
    &INCONSISTENT_ORDER,
    // Lock waits (error 1205), not deadlocks.
    &GLOBAL_READ_LOCK,
    &TABLE_FLUSH_STALL,
    &IDLE_BLOCKER,
    &LONG_TRANSACTION,
    &HOT_ROW,
    &BULK_LOCK_HOLDER,
    &GAP_LOCK_HELD,
    &SHARED_LOCK_HELD,
];

/// What every pattern file imports.
mod prelude {
    pub(super) use crate::diagnose::facts::{
        different_records, ev_lock, ev_record, field_literals, first_user_record, is_clustered,
        is_insert_intention, is_record_part, is_s, is_x, key_literal, named_unique, overlap,
        same_index, Trx, View,
    };
    pub(super) use crate::diagnose::pattern::declare_pattern;
    pub(super) use crate::diagnose::{sql, words};
    pub(super) use crate::diagnose::{Confidence, Evidence, Finding};
    pub(super) use crate::model::{Lock, LockKind, LockMode};
}
