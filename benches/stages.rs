//! Time per pipeline stage, single-threaded, over a real error log (default: the 40-dump
//! MariaDB log in fixtures/): where a change to one stage shows, undiluted by the threads.
//!
//!   cargo bench --bench stages [-- FILE [ROUNDS [STAGE]]]
//!
//! With STAGE (a prefix of a stage's name), only that stage runs: for a profiler.
//!
//! Prints, per stage, the CPU time per round and the rate against the input size. The
//! whole-program throughput and memory are `scripts/bench.sh`'s job.

use std::hint::black_box;
use std::time::{Duration, Instant};

use lockscope::diagnose::diagnose;
use lockscope::input::{LineReader, Unwrapper};
use lockscope::parse::parse_deadlock;
use lockscope::report::JsonlReport;
use lockscope::sink::{Analysed, Sink};
use lockscope::split::{Piece, Splitter};

/// The binary's allocator, so the numbers match what `lockscope` does.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let path = args
        .first()
        .cloned()
        .unwrap_or_else(|| "fixtures/mariadb/error-log.txt".to_string());
    let rounds: u32 = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(50);
    let only = args.get(2).cloned().unwrap_or_default();
    let bytes = std::fs::read(&path).expect("read the input");

    let split = || {
        let mut pieces = Vec::new();
        let mut lines = LineReader::new(&bytes[..]);
        let mut unwrapper = Unwrapper::new();
        let mut splitter = Splitter::new();
        while let Some((no, text)) = lines.next_line().expect("in memory") {
            unwrapper.feed(no, text, &mut |logical| {
                splitter.push(logical, &mut |piece| pieces.push(piece))
            });
        }
        splitter.finish(&mut |piece| pieces.push(piece));
        pieces
    };
    let chunks: Vec<_> = split()
        .into_iter()
        .filter_map(|p| match p {
            Piece::Deadlock(chunk) => Some(chunk),
            _ => None,
        })
        .collect();
    let parse = || {
        chunks
            .iter()
            .map(|c| parse_deadlock(&path, c).0)
            .collect::<Vec<_>>()
    };
    let analysed: Vec<Analysed> = parse()
        .into_iter()
        .map(|deadlock| Analysed {
            findings: diagnose(&deadlock),
            deadlock,
        })
        .collect();
    let render = JsonlReport::new(std::io::sink())
        .renderer()
        .expect("jsonl renders ahead");

    let mut rows: Vec<(&str, Duration)> = Vec::new();
    let mut time = |name: &'static str, f: &mut dyn FnMut()| {
        if !name.starts_with(only.as_str()) {
            return;
        }
        f(); // warm-up
        let start = Instant::now();
        for _ in 0..rounds {
            f();
        }
        rows.push((name, start.elapsed() / rounds));
    };
    time("read+unwrap+split", &mut || drop(black_box(split())));
    time("parse (+ drop)", &mut || drop(black_box(parse())));
    time("diagnose", &mut || {
        for a in &analysed {
            black_box(diagnose(&a.deadlock));
        }
    });
    let mut out = Vec::with_capacity(bytes.len() * 4);
    time("render jsonl", &mut || {
        out.clear();
        for a in &analysed {
            render(a, &mut out).expect("in memory");
        }
        black_box(&out);
    });

    let mib = bytes.len() as f64 / (1024.0 * 1024.0);
    println!(
        "{path}: {} bytes, {} deadlocks, {rounds} rounds",
        bytes.len(),
        chunks.len()
    );
    let mut total = 0.0;
    for (name, per_round) in rows {
        let secs = per_round.as_secs_f64();
        total += secs;
        println!(
            "{name:<20} {:>9.3} ms {:>9.0} MiB/s {:>7.2} µs/deadlock",
            secs * 1e3,
            mib / secs,
            secs * 1e6 / chunks.len() as f64
        );
    }
    println!(
        "{:<20} {:>9.3} ms {:>9.0} MiB/s",
        "sum",
        total * 1e3,
        mib / total
    );
}
