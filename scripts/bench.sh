#!/usr/bin/env bash
# Throughput and peak memory of `lockscope analyze` on a large real error log.
#
#   scripts/bench.sh                 # ~100 MiB input: bench-data/errorlog-100mb.txt
#   scripts/bench.sh --size 1000     # ~1 GiB input:  bench-data/errorlog-1000mb.txt
#   scripts/bench.sh --runs 3        # best wall time of 3 runs per measurement
#   scripts/bench.sh --no-build      # use the existing target/release/lockscope (or $LOCKSCOPE_BIN)
#   scripts/bench.sh --against OLD   # each row also for the binary OLD, the two taking turns
#
# The input is fixtures/mariadb/error-log.txt (a real MariaDB 10.11 error log with
# innodb_print_all_deadlocks=ON, 40 dumps) repeated byte for byte until it reaches the size;
# nothing else is varied. It is built once and kept in bench-data/ (git-ignored).
#
# Measures `lockscope analyze --format F FILE > /dev/null` for every format (jsonl, text, json,
# markdown, dot, mermaid), `analyze --summary` and, as the floor, `grep -c 'deadlock detected'
# FILE` and `wc -l FILE`, each under /usr/bin/time -v (GNU time; installed with apt-get when
# missing, else wall time only). Prints input MiB, best and median seconds of --runs, MiB/s of
# each and peak RSS MiB.
# If lockscope cannot be built yet, says so and still prints the grep baseline (exit 0).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

size_mib=100
runs=1
build=1
against=
while [ $# -gt 0 ]; do
    case "$1" in
    --size) size_mib=${2:?--size needs a number of MiB}; shift 2 ;;
    --size=*) size_mib=${1#--size=}; shift ;;
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --runs=*) runs=${1#--runs=}; shift ;;
    --no-build) build=0; shift ;;
    --against) against=${2:?--against needs a lockscope binary}; shift 2 ;;
    --against=*) against=${1#--against=}; shift ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$size_mib$runs" in
*[!0-9]*) echo "bench: --size and --runs take whole numbers" >&2; exit 2 ;;
esac

src=fixtures/mariadb/error-log.txt
input=bench-data/errorlog-${size_mib}mb.txt
bin=${LOCKSCOPE_BIN:-target/release/lockscope}  # override to measure another build

log() { printf 'bench: %s\n' "$*" >&2; }

# --- input ------------------------------------------------------------------------------------
target_bytes=$((size_mib * 1024 * 1024))
if [ ! -f "$input" ] || [ "$(stat -c %s "$input")" -lt "$target_bytes" ]; then
    [ -f "$src" ] || { log "missing $src"; exit 2; }
    src_bytes=$(stat -c %s "$src")
    copies=$(((target_bytes + src_bytes - 1) / src_bytes))
    log "building $input: $copies copies of $src ($src_bytes bytes each)"
    mkdir -p bench-data
    tmp="$input.tmp.$$"
    trap 'rm -f "$tmp"' EXIT
    # Doubling: 1, 2, 4, … copies, then the remainder, so a 1 GiB file takes a few dozen writes.
    cp "$src" "$tmp"
    have=1
    while [ $((have * 2)) -le "$copies" ]; do
        cat "$tmp" "$tmp" >"$tmp.2" && mv "$tmp.2" "$tmp"
        have=$((have * 2))
    done
    while [ "$have" -lt "$copies" ]; do
        cat "$src" >>"$tmp"
        have=$((have + 1))
    done
    mv "$tmp" "$input"
    trap - EXIT
fi
input_bytes=$(stat -c %s "$input")
input_mib=$(awk -v b="$input_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
dumps_per_copy=$(grep -c 'deadlock detected' "$src" || true)
log "input: $input ($input_mib MiB, $((input_bytes / $(stat -c %s "$src"))) copies, $dumps_per_copy dumps per copy)"

# --- measuring tool: gnu_time, measure, header ------------------------------------------------
# shellcheck source=scripts/measure.sh
. "$(dirname "${BASH_SOURCE[0]}")/measure.sh"

# warm the page cache so every row reads from memory
cat "$input" >/dev/null

# --- lockscope --------------------------------------------------------------------------------
have_bin=0
if [ "$build" -eq 1 ]; then
    log "cargo build --release"
    if cargo build --release --locked --bin lockscope >&2; then
        have_bin=1
    elif [ -x "$bin" ]; then
        log "cargo build --release failed; measuring the existing (possibly stale) $bin"
        have_bin=1
    fi
elif [ -x "$bin" ]; then
    have_bin=1
fi
if [ "$have_bin" -eq 1 ] && ! "$bin" analyze --help >/dev/null 2>&1; then
    log "$bin has no working \`analyze\` subcommand yet"
    have_bin=0
fi

echo
echo "input: $input ($input_bytes bytes); runs per row: $runs (best wall time, max RSS)"
header
if [ "$have_bin" -eq 1 ]; then
    for fmt in jsonl text json markdown dot mermaid; do
        if [ -n "$against" ]; then
            measure_pair "lockscope analyze --format $fmt" "$bin" "$against" \
                analyze --format "$fmt" "$input"
        else
            measure "lockscope analyze --format $fmt" "$bin" analyze --format "$fmt" "$input"
        fi
    done
    if [ -n "$against" ]; then
        measure_pair "lockscope analyze --summary" "$bin" "$against" analyze --summary "$input"
    else
        measure "lockscope analyze --summary" "$bin" analyze --summary "$input"
    fi
else
    echo "lockscope: SKIPPED: $bin could not be built (the code may not compile yet); only the grep baseline below"
fi
# GNU grep stops at the first match when its stdout is /dev/null, so give it a real file.
grep_out=$(mktemp)
LC_ALL=C out=$grep_out measure "grep -c 'deadlock detected'" grep -c 'deadlock detected' "$input"
echo "grep counted $(cat "$grep_out") dumps (expected $((input_bytes / $(stat -c %s "$src") * dumps_per_copy)))"
LC_ALL=C out=$grep_out measure "wc -l" wc -l "$input"
rm -f "$grep_out"
