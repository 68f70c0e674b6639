//! The JSON object of `--summary` is a contract (see the module's documentation), so its
//! shapes are declared in one place, apart from how the counts are gathered.

use serde::Serialize;

use super::{shapes, sorted, Tally};
use crate::model::TableName;
use crate::report::SCHEMA_VERSION;
use crate::sink::Summary;

impl Tally {
    pub fn json(&self, summary: &Summary) -> SummaryObject<'_> {
        SummaryObject {
            schema_version: SCHEMA_VERSION,
            kind: "summary",
            inputs: summary.inputs.clone(),
            deadlocks: self.deadlocks,
            lock_waits: self.lock_waits,
            warnings: summary.warnings,
            first: self.first(),
            last: self.last(),
            no_timestamp: self.no_timestamp,
            by_shape: self
                .shapes
                .ranked()
                .into_iter()
                .map(|s| s.json(self.deadlocks))
                .collect(),
            by_pattern: self
                .patterns()
                .into_iter()
                .map(|(pattern, deadlocks)| ByPattern { pattern, deadlocks })
                .collect(),
            by_index: self
                .indexes()
                .into_iter()
                .map(|(table, index, deadlocks)| ByIndex {
                    table,
                    index,
                    deadlocks,
                })
                .collect(),
            by_hour: self
                .hours()
                .map(|(hour, deadlocks)| ByHour { hour, deadlocks })
                .collect(),
            lock_wait_findings: sorted(self.lock_wait_findings.iter().map(|(k, v)| (*k, *v)))
                .into_iter()
                .map(|(pattern, count)| FindingCount { pattern, count })
                .collect(),
        }
    }
}

/// The JSON object of `--summary --format json`.
#[derive(Debug, Serialize)]
pub struct SummaryObject<'a> {
    pub schema_version: u32,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub inputs: Vec<String>,
    pub deadlocks: usize,
    pub lock_waits: usize,
    pub warnings: usize,
    pub first: Option<&'a str>,
    pub last: Option<&'a str>,
    pub no_timestamp: usize,
    pub by_shape: Vec<shapes::ShapeJson<'a>>,
    pub by_pattern: Vec<ByPattern>,
    pub by_index: Vec<ByIndex<'a>>,
    pub by_hour: Vec<ByHour<'a>>,
    pub lock_wait_findings: Vec<FindingCount>,
}

#[derive(Debug, Serialize)]
pub struct ByPattern {
    pub pattern: &'static str,
    pub deadlocks: usize,
}

#[derive(Debug, Serialize)]
pub struct ByIndex<'a> {
    pub table: &'a TableName,
    pub index: Option<&'a str>,
    pub deadlocks: usize,
}

#[derive(Debug, Serialize)]
pub struct ByHour<'a> {
    pub hour: &'a str,
    pub deadlocks: usize,
}

#[derive(Debug, Serialize)]
pub struct FindingCount {
    pub pattern: &'static str,
    pub count: usize,
}
