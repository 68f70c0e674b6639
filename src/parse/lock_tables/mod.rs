//! Lock tables as clients print them (`INNODB_TRX`, `INNODB_LOCKS`, `INNODB_LOCK_WAITS`,
//! `data_locks`, `data_lock_waits`, `sys.innodb_lock_waits`, `PROCESSLIST`): read each result
//! set by header name, then join them into lock waits.

mod picture;
mod result_set;

pub use picture::{LockPicture, TableKind};
pub use result_set::{parse_result_set, ResultSet, Shape};
