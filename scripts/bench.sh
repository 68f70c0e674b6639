#!/usr/bin/env bash
# Throughput and peak memory of `lockscope analyze` on a large real error log.
#
#   scripts/bench.sh                 # ~100 MiB input: bench-data/errorlog-100mb.txt
#   scripts/bench.sh --size 1000     # ~1 GiB input:  bench-data/errorlog-1000mb.txt
#   scripts/bench.sh --runs 3        # best wall time of 3 runs per measurement
#   scripts/bench.sh --no-build      # use the existing target/release/lockscope (or $LOCKSCOPE_BIN)
#
# The input is fixtures/mariadb/error-log.txt (a real MariaDB 10.11 error log with
# innodb_print_all_deadlocks=ON, 40 dumps) repeated byte for byte until it reaches the size;
# nothing else is varied. It is built once and kept in bench-data/ (git-ignored).
#
# Measures `lockscope analyze --format {jsonl,text,json} FILE > /dev/null` and, as a floor,
# `grep -c 'deadlock detected' FILE`, each under /usr/bin/time -v (GNU time; installed with apt-get
# when missing, else wall time only). Prints input MiB, seconds, MiB/s and peak RSS MiB.
# If lockscope cannot be built yet, says so and still prints the grep baseline (exit 0).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

size_mib=100
runs=1
build=1
while [ $# -gt 0 ]; do
    case "$1" in
    --size) size_mib=${2:?--size needs a number of MiB}; shift 2 ;;
    --size=*) size_mib=${1#--size=}; shift ;;
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --runs=*) runs=${1#--runs=}; shift ;;
    --no-build) build=0; shift ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# --- measuring tool ---------------------------------------------------------------------------
gnu_time=
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
    gnu_time=/usr/bin/time
elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    log "installing GNU time (apt-get install time)"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y time >/dev/null 2>&1 ||
        { apt-get update >/dev/null 2>&1 &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y time >/dev/null 2>&1; }; then
        gnu_time=/usr/bin/time
    fi
fi
[ -n "$gnu_time" ] || log "GNU time not available: wall time only, no peak RSS"

# measure LABEL CMD...: runs CMD (stdout to $out, default /dev/null) $runs times; prints one
# table row.
measure() {
    local label=$1 out=${out:-/dev/null}
    shift
    local best_s= best_rss=0 code=0 i stats s rss
    stats=$(mktemp)
    for ((i = 0; i < runs; i++)); do
        # Wall time from the shell's clock (ns resolution; GNU time only has 10 ms),
        # peak RSS from GNU time's report.
        local t0 t1
        code=0
        t0=$(date +%s.%N)
        if [ -n "$gnu_time" ]; then
            "$gnu_time" -v -o "$stats" "$@" >"$out" 2>"$stats.err" || code=$?
        else
            "$@" >"$out" 2>"$stats.err" || code=$?
        fi
        t1=$(date +%s.%N)
        s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
        rss=
        if [ -n "$gnu_time" ]; then
            rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$stats")
        fi
        if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
            best_s=$s
        fi
        if [ -n "$rss" ] && [ "$rss" -gt "$best_rss" ]; then best_rss=$rss; fi
        [ "$code" -eq 0 ] || break
    done
    local status=ok
    # grep -c exits 1 when it counts 0 lines; anything else non-zero is a failure.
    if [ "$code" -ne 0 ]; then
        status="exit $code"
        log "$label exited $code; stderr (head):"
        head -n 5 "$stats.err" >&2 || true
    fi
    awk -v label="$label" -v mib="$input_mib" -v s="$best_s" -v rss="$best_rss" \
        -v have_rss="${gnu_time:+1}" -v st="$status" 'BEGIN {
            rate = (s > 0) ? sprintf("%.0f", mib / s) : "inf"
            r = have_rss ? sprintf("%.1f", rss / 1024) : "n/a"
            printf "%-34s %10s %9.3f %10s %12s  %s\n", label, mib, s, rate, r, st }'
    rm -f "$stats" "$stats.err"
}

header() {
    printf '%-34s %10s %9s %10s %12s  %s\n' "command" "input MiB" "seconds" "MiB/s" "peak RSS MiB" "status"
}

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
    for fmt in jsonl text json; do
        measure "lockscope analyze --format $fmt" "$bin" analyze --format "$fmt" "$input"
    done
else
    echo "lockscope: SKIPPED: $bin could not be built (the code may not compile yet); only the grep baseline below"
fi
# GNU grep stops at the first match when its stdout is /dev/null, so give it a real file.
grep_out=$(mktemp)
LC_ALL=C out=$grep_out measure "grep -c 'deadlock detected'" grep -c 'deadlock detected' "$input"
echo "grep counted $(cat "$grep_out") dumps (expected $((input_bytes / $(stat -c %s "$src") * dumps_per_copy)))"
rm -f "$grep_out"
