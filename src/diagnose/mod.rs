//! Diagnosis: matches a parsed deadlock against the pattern catalogue and, when nothing
//! matches, still explains its cycle in plain words (`unclassified`).
//!
//! The catalogue lives in `patterns/`, one file per pattern (id, documentation, matcher and
//! tests together, declared with `declare_pattern!` the way clippy declares lints). Everything
//! that shows the catalogue — `lockscope patterns`, `lockscope patterns <id>`, the README
//! table — is rendered from [`PATTERNS`].

mod facts;
mod finding;
mod pattern;
mod patterns;
mod render;
mod shape;
mod sql;
mod unclassified;
mod waits;
mod words;

#[cfg(test)]
pub(crate) mod testkit;

pub use facts::View;
pub use finding::{Alternative, Confidence, Evidence, Finding};
pub use pattern::{Check, Pattern};
pub use patterns::*;
pub use render::{
    readme_table, render_pattern_doc, render_pattern_list, splice_readme, README_BEGIN, README_END,
};
pub use shape::{shape, Shape};
pub(crate) use sql::squash;
pub use sql::{fingerprint, literal_spans, Literal};
pub use unclassified::UNCLASSIFIED;
pub(crate) use waits::trx_name;
pub use waits::{
    held_phrase, held_subject, lock_kind_phrase, lock_phrase as describe_waited_lock, thousands,
    LockScene,
};

use crate::model::Deadlock;

/// The pattern of the finding that explains a deadlock: the first that is not only
/// contributing, else the first.
pub fn main_pattern(findings: &[Finding]) -> Option<&'static str> {
    findings
        .iter()
        .find(|f| !f.contributing)
        .or(findings.first())
        .map(|f| f.pattern)
}

/// The pattern with this id, if the catalogue has it.
pub fn pattern(id: &str) -> Option<&'static Pattern> {
    PATTERNS.iter().copied().find(|p| p.id == id)
}

/// All findings for one deadlock, the main cause first. Never empty.
///
/// The main cause is the first matching pattern in [`PATTERNS`] order (most specific first);
/// every other match follows with `contributing: true`, except the ones the main pattern
/// subsumes (they would describe the same locks again, less precisely, so they are not even
/// checked). Every check reads the same [`View`], built once here.
pub fn diagnose(deadlock: &Deadlock) -> Vec<Finding> {
    let view = View::new(deadlock);
    let mut checks = PATTERNS.iter().filter_map(|p| match p.check {
        Check::Deadlock(check) => Some((*p, check)),
        Check::LockWaits(_) => None,
    });
    let Some((main, first)) = checks
        .by_ref()
        .find_map(|(p, check)| check(&view).map(|f| (p, f)))
    else {
        return vec![unclassified::explain(&view)];
    };
    let mut findings = vec![first];
    for (p, check) in checks {
        if main.subsumes.contains(&p.id) {
            continue;
        }
        if let Some(mut f) = check(&view) {
            f.contributing = true;
            findings.push(f);
        }
    }
    // A copy that names one table twice was edited: nothing it shows is proof.
    if let Some(note) = view.renamed_note() {
        for f in &mut findings {
            f.confidence = f.confidence.min(Confidence::Medium);
            f.summary.push(' ');
            f.summary.push_str(&note);
        }
    }
    findings
}

/// Every deadlock pattern that matches, in catalogue order, with no subsumption: what the
/// corpus tests and `--explain-match` style tooling look at to see which patterns compete.
pub fn all_matches(deadlock: &Deadlock) -> Vec<Finding> {
    let view = View::new(deadlock);
    PATTERNS
        .iter()
        .filter_map(|p| match p.check {
            Check::Deadlock(check) => check(&view),
            Check::LockWaits(_) => None,
        })
        .collect()
}

/// The findings about the lock waits and held locks of one moment (error 1205): who blocks,
/// why the queue formed, what the held locks will make wait. Empty when there is nothing to
/// say.
pub fn diagnose_lock_waits(scene: &LockScene) -> Vec<Finding> {
    PATTERNS
        .iter()
        .flat_map(|p| match p.check {
            Check::LockWaits(check) => check(scene),
            Check::Deadlock(_) => Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deadlock entries say why they deadlock, lock-wait entries why the queue waits.
    fn required_headings(p: &Pattern) -> [&'static str; 4] {
        let why = if p.is_lock_wait() {
            "### Why it waits"
        } else {
            "### Why it deadlocks"
        };
        [
            "### What it looks like in the log",
            why,
            "### Fix for the write path",
            "### Example",
        ]
    }
    const OPTIONAL: &str = "### Known limitations";

    #[test]
    fn every_pattern_documents_the_required_headings_in_order() {
        for p in PATTERNS {
            let doc = p.doc();
            let headings: Vec<&str> = doc.lines().filter(|l| l.starts_with("### ")).collect();
            let required: Vec<&str> = headings
                .iter()
                .copied()
                .filter(|h| *h != OPTIONAL)
                .collect();
            assert_eq!(
                required,
                required_headings(p),
                "headings of `{}` ({})",
                p.id,
                p.location
            );
            if let Some(at) = headings.iter().position(|h| *h == OPTIONAL) {
                assert_eq!(at, headings.len() - 1, "`{}`: limitations come last", p.id);
            }
            for h in required_headings(p) {
                let body = doc.split(h).nth(1).unwrap_or("");
                let body = body.split("\n### ").next().unwrap_or("");
                assert!(!body.trim().is_empty(), "`{}`: `{h}` is empty", p.id);
            }
        }
    }

    #[test]
    fn ids_are_unique_kebab_case_and_summaries_fit_a_line() {
        let mut ids: Vec<&str> = PATTERNS.iter().map(|p| p.id).collect();
        ids.push(UNCLASSIFIED);
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate pattern id");
        for p in PATTERNS {
            assert!(
                p.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "id `{}`",
                p.id
            );
            assert!(p.summary.len() <= 130, "summary of `{}` is too long", p.id);
            assert!(
                !p.summary.ends_with('.'),
                "summary of `{}` ends with a period",
                p.id
            );
            assert!(
                p.location.contains("src/diagnose/patterns/"),
                "{}",
                p.location
            );
            for sub in p.subsumes {
                assert!(
                    pattern(sub).is_some(),
                    "`{}` subsumes unknown `{sub}`",
                    p.id
                );
            }
        }
    }

    #[test]
    fn the_catalogue_has_the_ids_of_the_design() {
        for id in [
            "inconsistent-order",
            "delete-then-insert",
            "odku-supremum",
            "gap-then-insert",
            "unique-key-race",
            "fk-s-lock-upgrade",
            "s-to-x-upgrade",
            "index-order-inversion",
            "auto-inc-lock",
            "unindexed-scan",
        ] {
            assert!(pattern(id).is_some(), "missing `{id}`");
        }
    }

    // See: seed 002 — the cross-table order and the scanning DELETE contribute.
    #[test]
    fn seed_002_main_cause_first_then_contributing() {
        use crate::diagnose::testkit::{deadlock, lock, rec};
        use crate::model::Flavour;
        let session = || rec(52, 0, &["965b1face74948039ab0dd8da6daa71d"]);
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "272174", "delete from session where id in (x'B41D1ACB485A4E599A687E4AB1C36648', x'8B2845485D584A3EB38B6D7143AF0979')")
            .waits(lock("X wait", "session", "PRIMARY", 3, "272174", vec![session()]))
            .trx(2, "272193", "insert into session_endpoint (...) values (...)")
            .holds(lock("X rec", "session", "PRIMARY", 3, "272193", vec![session()]))
            .waits(lock(
                "X gap ii wait",
                "session_endpoint",
                "PRIMARY",
                3,
                "272193",
                vec![rec(4, 32, &["4230c997ef754048ba46c254ac88d8c2"])],
            ))
            .victim(2);
        let findings = diagnose(&d);
        let ids: Vec<(&str, bool)> = findings
            .iter()
            .map(|f| (f.pattern, f.contributing))
            .collect();
        assert_eq!(
            ids,
            [
                ("delete-then-insert", false),
                ("unindexed-scan", true),
                ("inconsistent-order", true)
            ]
        );
        assert_eq!(findings[2].confidence, Confidence::Medium);
    }

    #[test]
    fn a_subsumed_pattern_is_not_repeated() {
        use crate::diagnose::testkit::{deadlock, lock, rec};
        use crate::model::Flavour;
        let pk = || vec![rec(3, 0, &["80000002", "00000003a82d", "57000001a82e44"])];
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "1", "delete from t where a = 4")
            .waits(lock("X rec wait", "t", "PRIMARY", 3, "1", pk()))
            .trx(2, "2", "delete from t where b = 5")
            .holds(lock("X rec", "t", "PRIMARY", 3, "2", pk()))
            .waits(lock(
                "X rec wait",
                "t",
                "idx_a_b",
                4,
                "2",
                vec![rec(3, 0, &["80000004", "80000002"])],
            ))
            .victim(1);
        let ids: Vec<&str> = diagnose(&d).iter().map(|f| f.pattern).collect();
        assert_eq!(ids, ["index-order-inversion"]);
    }

    #[test]
    fn an_empty_deadlock_still_gets_a_finding() {
        let findings = diagnose(&Deadlock::default());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].pattern, UNCLASSIFIED);
        assert_eq!(findings[0].confidence, Confidence::Low);
    }
}
