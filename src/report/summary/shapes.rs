//! The summary by shape: each recurring collision (`diagnose::shape`) with its count, when it
//! was seen, which statement lost how often, its pattern and fix, and the deadlock to look at.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::Span;
use crate::diagnose::PATTERNS;
use crate::report::timestamp::Stamp;
use crate::report::wrap::truncate;
use crate::sink::Analysed;

/// One shape's counts.
#[derive(Debug, Clone)]
pub struct ShapeStats {
    pub id: String,
    pub count: usize,
    pub pattern: &'static str,
    /// Transactions in the cycle (a two-way and a three-way collision are two shapes).
    pub transactions: usize,
    /// Statement fingerprints of the first deadlock of the shape, in its order, deduplicated.
    pub statements: Vec<String>,
    /// `table index` of the awaited locks.
    pub places: Vec<String>,
    /// Victim statement fingerprint → how often its transaction was rolled back.
    victims: HashMap<String, usize>,
    span: Span,
    by_hour: BTreeMap<String, usize>,
    /// Where the first deadlock of the shape is: input and line.
    pub example: (String, usize),
}

/// Every shape seen, in the order first seen.
#[derive(Debug, Default, Clone)]
pub struct ShapeTally {
    shapes: Vec<ShapeStats>,
    index: HashMap<String, usize>,
}

impl ShapeTally {
    /// Counts `a`; `seen` is its timestamp, as parsed and as printed, and its hour.
    pub fn add(&mut self, a: &Analysed, seen: Option<(&Stamp, &str, &str)>) {
        let i = match self.index.get(&a.shape.id) {
            Some(&i) => i,
            None => {
                let d = &a.deadlock;
                let mut statements: Vec<String> = Vec::new();
                for s in a.shape.statements.iter().flatten() {
                    if !statements.contains(s) {
                        statements.push(s.clone());
                    }
                }
                let mut places: Vec<String> = Vec::new();
                for l in d.transactions.iter().filter_map(|t| t.waits_for.as_ref()) {
                    let place = match l.index() {
                        Some(index) => format!("{} {index}", l.table),
                        None => format!("{} (table lock)", l.table),
                    };
                    if !places.contains(&place) {
                        places.push(place);
                    }
                }
                self.shapes.push(ShapeStats {
                    id: a.shape.id.clone(),
                    count: 0,
                    pattern: a.pattern(),
                    transactions: d.transactions.len(),
                    statements,
                    places,
                    victims: HashMap::new(),
                    span: Span::default(),
                    by_hour: BTreeMap::new(),
                    example: (d.input.clone(), d.line),
                });
                self.index.insert(a.shape.id.clone(), self.shapes.len() - 1);
                self.shapes.len() - 1
            }
        };
        let Some(s) = self.shapes.get_mut(i) else {
            return;
        };
        s.count += 1;
        if let Some((stamp, text, hour)) = seen {
            s.span.see(stamp, text);
            super::count_hour(&mut s.by_hour, hour);
        }
        let victim = a.deadlock.victim.number.and_then(|n| {
            let at = a.deadlock.transactions.iter().position(|t| t.number == n)?;
            a.shape.statements.get(at)?.as_deref()
        });
        if let Some(v) = victim {
            match s.victims.get_mut(v) {
                Some(n) => *n += 1,
                None => {
                    s.victims.insert(v.to_string(), 1);
                }
            }
        }
    }

    /// Most frequent first (ties: first seen first).
    pub fn ranked(&self) -> Vec<&ShapeStats> {
        let mut v: Vec<&ShapeStats> = self.shapes.iter().collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.count));
        v
    }
}

impl ShapeStats {
    pub fn fix(&self) -> &'static str {
        PATTERNS
            .iter()
            .find(|p| p.id == self.pattern)
            .map_or("", |p| p.fixed_write_path)
    }

    /// First and last time seen, as the inputs print them (none without timestamps).
    pub fn seen(&self) -> (Option<&str>, Option<&str>) {
        (self.span.first(), self.span.last())
    }

    pub fn victims(&self, statement: &str) -> usize {
        self.victims.get(statement).copied().unwrap_or(0)
    }

    /// One character per slot of `hours` (the whole summary's hours, in order, at most
    /// `width` slots): `▁`…`█` by this shape's count there, `·` for none.
    pub fn sparkline(&self, hours: &[&str], width: usize) -> String {
        const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        if hours.is_empty() || width == 0 {
            return String::new();
        }
        let slots = hours.len().min(width);
        let mut counts = vec![0usize; slots];
        for (i, h) in hours.iter().enumerate() {
            if let Some(c) = counts.get_mut(i * slots / hours.len()) {
                *c += self.by_hour.get(*h).copied().unwrap_or(0);
            }
        }
        let most = counts.iter().copied().max().unwrap_or(0).max(1);
        counts
            .iter()
            .map(|&c| match c {
                0 => '·',
                c => BARS.get((c * 8 - 1) / most).copied().unwrap_or('█'),
            })
            .collect()
    }

    /// `#1 shape 4cefe88a98a9 · 31 deadlocks (78%) · inconsistent-order · 2 trx`
    pub fn header(&self, rank: usize, total: usize) -> String {
        let share = (self.count * 100 + total / 2) / total.max(1);
        format!(
            "#{rank} shape {} · {} deadlock{} ({share}%) · {} · {} trx",
            self.id,
            self.count,
            if self.count == 1 { "" } else { "s" },
            self.pattern,
            self.transactions
        )
    }

    /// The shape as a text block `width` columns wide; `rank` from 1.
    pub fn text(&self, rank: usize, total: usize, hours: &[&str], width: usize) -> String {
        let mut s = self.header(rank, total);
        s.push('\n');
        let room = width.saturating_sub(4);
        let when = match (self.span.first(), self.span.last()) {
            (Some(f), Some(l)) if f == l => format!("at {f}"),
            (Some(f), Some(l)) => format!("{f} → {l}"),
            _ => "no timestamp".to_string(),
        };
        let spark = self.sparkline(hours, room.saturating_sub(when.chars().count() + 2).min(24));
        s.push_str(&format!(
            "   {}\n",
            truncate(&format!("{when}  {spark}"), room)
        ));
        for st in &self.statements {
            let lost = match self.victims(st) {
                0 => String::new(),
                n => format!("  ← victim {n}×"),
            };
            let text_room = room.saturating_sub(lost.chars().count()).max(20);
            s.push_str(&format!("   {}{lost}\n", truncate(st, text_room)));
        }
        if !self.places.is_empty() {
            s.push_str(&format!(
                "   {}\n",
                truncate(&format!("waits on {}", self.places.join(", ")), room)
            ));
        }
        if !self.fix().is_empty() {
            s.push_str(&format!(
                "   {}\n",
                truncate(&format!("fix: {}", self.fix()), room)
            ));
        }
        s.push_str(&format!(
            "   {}\n",
            truncate(
                &format!("look at: {}:{}", self.example.0, self.example.1),
                room
            )
        ));
        s
    }

    pub fn json(&self, total: usize) -> ShapeJson<'_> {
        let mut victims: Vec<(&str, usize)> =
            self.victims.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        victims.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        ShapeJson {
            shape: &self.id,
            deadlocks: self.count,
            share: (self.count as f64) / (total.max(1) as f64),
            pattern: self.pattern,
            transactions: self.transactions,
            fix: self.fix(),
            statements: &self.statements,
            places: &self.places,
            victims: victims
                .into_iter()
                .map(|(statement, count)| VictimJson { statement, count })
                .collect(),
            first: self.span.first(),
            last: self.span.last(),
            by_hour: self
                .by_hour
                .iter()
                .map(|(hour, deadlocks)| super::json::ByHour {
                    hour,
                    deadlocks: *deadlocks,
                })
                .collect(),
            example: ExampleJson {
                input: &self.example.0,
                line: self.example.1,
            },
        }
    }
}

/// One element of the summary's `by_shape`.
#[derive(Debug, Serialize)]
pub struct ShapeJson<'a> {
    pub shape: &'a str,
    pub deadlocks: usize,
    /// Of all deadlocks, 0 to 1.
    pub share: f64,
    pub pattern: &'static str,
    /// Transactions in each deadlock of the shape.
    pub transactions: usize,
    pub fix: &'static str,
    pub statements: &'a [String],
    pub places: &'a [String],
    pub victims: Vec<VictimJson<'a>>,
    pub first: Option<&'a str>,
    pub last: Option<&'a str>,
    pub by_hour: Vec<super::json::ByHour<'a>>,
    pub example: ExampleJson<'a>,
}

#[derive(Debug, Serialize)]
pub struct VictimJson<'a> {
    pub statement: &'a str,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct ExampleJson<'a> {
    pub input: &'a str,
    pub line: usize,
}
