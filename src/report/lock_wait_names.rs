//! What a lock-wait report calls a transaction: lock tables name it by its trx id, PROCESSLIST
//! alone by its session (`session 10`, already a name), every format the same way.

use crate::model::TrxSummary;

/// `trx 2851`, or `session 10` / `thread 47` when that is all the input named it by.
pub(crate) fn trx_name(t: &TrxSummary) -> String {
    if t.is_session() || t.trx_id.starts_with("thread ") {
        t.trx_id.clone()
    } else {
        format!("trx {}", t.trx_id)
    }
}
