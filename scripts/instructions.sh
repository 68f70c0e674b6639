#!/usr/bin/env bash
# Instructions executed by `lockscope analyze` per format (valgrind's callgrind), on the first
# 5 MiB of the benchmark log: a measure of the work done that does not move with the machine's
# load, for before/after comparisons (`scripts/bench.sh` gives the wall time and memory).
#
#   scripts/instructions.sh                      # target/release/lockscope (or $LOCKSCOPE_BIN)
#   scripts/instructions.sh --against OLD        # the same rows for the binary OLD, and the change
#   scripts/instructions.sh --formats text,jsonl # some formats only
#
# The input is the head of bench-data/errorlog-100mb.txt (scripts/bench.sh builds it). Each run
# also checks that both binaries write the same bytes (md5 of stdout). Needs valgrind.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin=${LOCKSCOPE_BIN:-target/release/lockscope}
against=
formats=(jsonl text json markdown dot mermaid summary)
while [ $# -gt 0 ]; do
    case "$1" in
    --against) against=${2:?--against needs a lockscope binary}; shift 2 ;;
    --formats) IFS=, read -r -a formats <<<"${2:?--formats needs a list}"; shift 2 ;;
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "instructions: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
command -v valgrind >/dev/null || { echo "instructions: valgrind is not installed" >&2; exit 2; }
[ -x "$bin" ] || { echo "instructions: no binary at $bin (cargo build --release)" >&2; exit 2; }
[ -f bench-data/errorlog-100mb.txt ] || scripts/bench.sh --no-build --runs 1 >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
input=$work/5mib.txt
head -c $((5 << 20)) bench-data/errorlog-100mb.txt >"$input"

# count BIN FORMAT: prints "instructions md5".
count() {
    local args=(analyze --format "$2")
    [ "$2" = summary ] && args=(analyze --summary)
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$1" "${args[@]}" "$input" \
        >"$work/stdout" 2>"$work/stderr"
    local n
    n=$(awk '/refs:/ { gsub(",", "", $NF); print $NF }' "$work/stderr")
    echo "$n $(md5sum <"$work/stdout" | cut -c1-12)"
}

printf '%-10s %16s' format instructions
[ -n "$against" ] && printf ' %16s %8s  %s' previous change output
echo
for f in "${formats[@]}"; do
    read -r n sum < <(count "$bin" "$f")
    printf '%-10s %16s' "$f" "$n"
    if [ -n "$against" ]; then
        read -r m old_sum < <(count "$against" "$f")
        same=same
        [ "$sum" = "$old_sum" ] || same=DIFFERENT
        awk -v a="$n" -v b="$m" -v s="$same" 'BEGIN { printf " %16s %+7.1f%%  %s", b, (a - b) * 100 / b, s }'
    fi
    echo
done
