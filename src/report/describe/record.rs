//! A record dump in one line, by column when the `decode` stage named them, else with the
//! columns guessed from the bytes.

use crate::model::{push_number, Record};

/// One record in a line: `supremum (end of page)`, `heap 3: 101, DB_TRX_ID 48, …`, or with the
/// columns the `decode` stage named, `heap 3: id=101, DB_TRX_ID=48, …`. The index is unknown
/// here, so guessed `DB_TRX_ID` / `DB_ROLL_PTR` are labelled wherever a 6-byte field is followed
/// by a 7-byte one; use [`describe_record_in`] when the index name is at hand.
pub fn describe_record(rec: &Record) -> String {
    describe_record_in(rec, None)
}

/// [`describe_record`] for a record of a known index: the system columns are labelled only in
/// the clustered index (`PRIMARY`, `GEN_CLUST_INDEX`), where InnoDB stores them after the key
/// (format-spec §3.5, field order).
pub fn describe_record_in(rec: &Record, index: Option<&str>) -> String {
    let mut s = String::with_capacity(96);
    push_record_in(&mut s, rec, index);
    s
}

/// [`describe_record_in`], appended to `out` (the text report reuses one buffer).
pub fn push_record_in(out: &mut String, rec: &Record, index: Option<&str>) {
    if rec.is_supremum() {
        return out.push_str("supremum (end of page)");
    }
    if rec.is_infimum() {
        return out.push_str("infimum (start of page)");
    }
    out.push_str("heap ");
    push_number(out, rec.heap_no);
    if rec.is_delete_marked() {
        out.push_str(", delete-marked (info bits ");
        push_number(out, u64::from(rec.info_bits.unwrap_or_default()));
        out.push(')');
    }
    if rec.fields.is_empty() {
        return out.push_str(" (fields not printed)");
    }
    out.push_str(": ");
    if !rec.columns.is_empty() {
        return crate::decode::push_render(out, &rec.columns);
    }
    // Guessed as they are written, as `decode::render` would write `decode::guess`'s columns.
    let mut first = true;
    crate::decode::guess::each(rec, index, |name, value| {
        if !std::mem::take(&mut first) {
            out.push_str(", ");
        }
        if let Some(name) = name {
            out.push_str(name);
            out.push(' ');
        }
        crate::decode::push_short(out, value);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::describe::testkit::{record, supremum};

    #[test]
    fn records_in_words() {
        let clustered = record(
            12,
            0,
            &[
                "80000065",
                "000000000030",
                "930000013e0110",
                "616c696365",
                "00000000000000000000000000000025",
            ],
        );
        assert_eq!(
            describe_record_in(&clustered, Some("PRIMARY")),
            "heap 12: 101, DB_TRX_ID 48, DB_ROLL_PTR 0x930000013e0110, 'alice', \
             0x00000000…00000025"
        );
        // A secondary index never stores the system columns.
        assert_eq!(
            describe_record_in(
                &record(4, 0, &["000000000030", "930000013e0110"]),
                Some("k")
            ),
            "heap 4: 0x000000000030, 0x930000013e0110"
        );
        assert_eq!(
            describe_record(&record(6, 32, &["80000001"])),
            "heap 6, delete-marked (info bits 32): 1"
        );
        assert_eq!(describe_record(&supremum()), "supremum (end of page)");
        let gen = record(
            2,
            0,
            &["000000000501", "000000000777", "800000000a0110", "41"],
        );
        assert_eq!(
            describe_record_in(&gen, Some("GEN_CLUST_INDEX")),
            "heap 2: DB_ROW_ID 1281, DB_TRX_ID 1911, DB_ROLL_PTR 0x800000000a0110, 'A'"
        );
        let mut bare = record(3, 0, &[]);
        bare.info_bits = None;
        assert_eq!(describe_record(&bare), "heap 3 (fields not printed)");
    }
}
