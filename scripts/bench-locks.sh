#!/usr/bin/env bash
# Lock tables at incident scale: time and peak memory of `lockscope analyze` on a generated
# `performance_schema.data_locks` paste with no `data_lock_waits` (waits inferred).
#
#   scripts/bench-locks.sh                    # 1M and 2M rows, boxed / vertical / batch
#   scripts/bench-locks.sh --rows 1000000     # one size
#   scripts/bench-locks.sh --shapes boxed     # one shape
#   scripts/bench-locks.sh --runs 3           # best wall time of 3 runs
#   scripts/bench-locks.sh --no-build         # use the existing target/release/lockscope
#
# The pastes come from examples/gen_data_locks.rs (the manual's data_locks columns and lock-id
# shapes: one UPDATE holding an X next-key lock on every row of `shop`.`orders`, 100 sessions
# each waiting for an X record-only lock on one of them). They are built once into bench-data/
# (git-ignored). Prints rows, input MiB, seconds, MiB/s and peak RSS MiB per format.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

sizes=(1000000 2000000)
shapes=(boxed vertical batch)
runs=1
build=1
while [ $# -gt 0 ]; do
    case "$1" in
    --rows) sizes=("${2:?--rows needs a number}"); shift 2 ;;
    --shapes) IFS=, read -r -a shapes <<<"${2:?--shapes needs boxed,vertical,batch}"; shift 2 ;;
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --no-build) build=0; shift ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-locks: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

bin=${LOCKSCOPE_BIN:-target/release/lockscope}
gen=target/release/examples/gen_data_locks
log() { printf 'bench-locks: %s\n' "$*" >&2; }

# shellcheck source=scripts/measure.sh
. scripts/measure.sh

if [ "$build" -eq 1 ]; then
    log "cargo build --release (lockscope and the generator)"
    cargo build --release --locked --bin lockscope --example gen_data_locks >&2
fi
[ -x "$gen" ] || cargo build --release --locked --example gen_data_locks >&2

mkdir -p bench-data
echo
echo "data_locks pastes without data_lock_waits; runs per row: $runs (best wall time, max RSS)"
printf '%-10s ' "rows"
header
for rows in "${sizes[@]}"; do
    for shape in "${shapes[@]}"; do
        input=bench-data/data-locks-$rows-$shape.txt
        if [ ! -s "$input" ]; then
            log "building $input"
            "$gen" --rows "$rows" --shape "$shape" >"$input.tmp" && mv "$input.tmp" "$input"
        fi
        input_mib=$(awk -v b="$(stat -c %s "$input")" 'BEGIN { printf "%.1f", b / 1048576 }')
        cat "$input" >/dev/null
        for fmt in text json; do
            printf '%-10s ' "$rows"
            measure "$shape --format $fmt" "$bin" analyze --format "$fmt" "$input"
        done
    done
done
