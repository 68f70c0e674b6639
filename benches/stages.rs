//! Time per pipeline stage, single-threaded, over a real error log (default: the 40-dump
//! MariaDB log in fixtures/): where a change to one stage shows, undiluted by the threads.
//!
//!   cargo bench --bench stages [-- FILE [ROUNDS [STAGE]]]
//!
//! With STAGE (a prefix of a stage's name), only that stage runs: for a profiler.
//!
//! Prints, per stage, the CPU time per round and the rate against the input size. The
//! whole-program throughput and memory are `scripts/bench.sh`'s job.

// A counting allocator needs `unsafe impl GlobalAlloc`; the crate itself has no unsafe code.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use lockscope::diagnose::diagnose;
use lockscope::input::{LineReader, Unwrapper};
use lockscope::parse::parse_deadlock;
use lockscope::report::JsonlReport;
use lockscope::sink::{Analysed, Sink};
use lockscope::split::{Piece, Splitter};

/// The binary's allocator, so the numbers match what `lockscope` does, counting allocations
/// while `COUNTING` is set (one extra round per stage, after the timed ones).
#[global_allocator]
static GLOBAL: Counting = Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

struct Counting;

// SAFETY: every call is passed on unchanged to jemalloc; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        tikv_jemallocator::Jemalloc.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        tikv_jemallocator::Jemalloc.dealloc(ptr, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        tikv_jemallocator::Jemalloc.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        tikv_jemallocator::Jemalloc.realloc(ptr, layout, new_size)
    }
}

fn count() {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

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
        .map(|deadlock| {
            let findings = diagnose(&deadlock);
            Analysed::new(deadlock, findings)
        })
        .collect();
    let render = JsonlReport::new(std::io::sink())
        .renderer()
        .expect("jsonl renders ahead");

    let mut rows: Vec<(&str, Duration, u64)> = Vec::new();
    let mut time = |name: &'static str, f: &mut dyn FnMut()| {
        if !name.starts_with(only.as_str()) {
            return;
        }
        f(); // warm-up
        let start = Instant::now();
        for _ in 0..rounds {
            f();
        }
        let elapsed = start.elapsed() / rounds;
        ALLOCATIONS.store(0, Ordering::Relaxed);
        COUNTING.store(true, Ordering::Relaxed);
        f();
        COUNTING.store(false, Ordering::Relaxed);
        rows.push((name, elapsed, ALLOCATIONS.load(Ordering::Relaxed)));
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
    let n = chunks.len() as f64;
    for (name, per_round, allocations) in rows {
        let secs = per_round.as_secs_f64();
        total += secs;
        println!(
            "{name:<20} {:>9.3} ms {:>9.0} MiB/s {:>7.2} µs/deadlock {:>7.1} allocs/deadlock",
            secs * 1e3,
            mib / secs,
            secs * 1e6 / n,
            allocations as f64 / n
        );
    }
    println!(
        "{:<20} {:>9.3} ms {:>9.0} MiB/s",
        "sum",
        total * 1e3,
        mib / total
    );
}
