# Sourced by scripts/bench.sh and scripts/bench-locks.sh: wall time and peak RSS of a command.
# Expects `log`, and sets `gnu_time`; `measure` reads `runs` and `input_mib`.

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
    local best_s= best_rss=0 code=0 i stats s rss times=
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
        times="$times $s"
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
    local median
    median=$(printf '%s\n' $times | sort -n | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    awk -v label="$label" -v mib="$input_mib" -v s="$best_s" -v m="$median" -v rss="$best_rss" \
        -v have_rss="${gnu_time:+1}" -v st="$status" 'BEGIN {
            rate = (s > 0) ? sprintf("%.0f", mib / s) : "inf"
            mrate = (m > 0) ? sprintf("%.0f", mib / m) : "inf"
            r = have_rss ? sprintf("%.1f", rss / 1024) : "n/a"
            printf "%-34s %9s %8.3f %8.3f %9s %9s %9s  %s\n", label, mib, s, m, rate, mrate, r, st }'
    rm -f "$stats" "$stats.err"
}

header() {
    printf '%-34s %9s %8s %8s %9s %9s %9s  %s\n' "command" "input MiB" "best s" "median s" \
        "MiB/s" "MiB/s med" "RSS MiB" "status"
}

