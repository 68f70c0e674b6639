# Sourced by scripts/bench.sh and scripts/bench-locks.sh: wall time and peak RSS of a command.
# Expects `log`, and sets `gnu_time`; `measure` and `measure_pair` read `runs` and `input_mib`.

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

# run_once CMD...: runs CMD once (stdout to $out, default /dev/null); sets run_s (wall
# seconds), run_rss (peak KiB, empty without GNU time) and run_code.
run_once() {
    local out=${out:-/dev/null} stats t0 t1
    stats=$(mktemp)
    run_code=0
    # Wall time from the shell's clock (ns resolution; GNU time only has 10 ms), peak RSS from
    # GNU time's report.
    t0=$(date +%s.%N)
    if [ -n "$gnu_time" ]; then
        "$gnu_time" -v -o "$stats" "$@" >"$out" 2>"$stats.err" || run_code=$?
    else
        "$@" >"$out" 2>"$stats.err" || run_code=$?
    fi
    t1=$(date +%s.%N)
    run_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    run_rss=
    if [ -n "$gnu_time" ]; then
        run_rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$stats")
    fi
    # grep -c exits 1 when it counts 0 lines; anything else non-zero is a failure.
    if [ "$run_code" -ne 0 ]; then
        log "$* exited $run_code; stderr (head):"
        head -n 5 "$stats.err" >&2 || true
    fi
    rm -f "$stats" "$stats.err"
}

# row LABEL CODE MAX_RSS_KIB TIMES...: one table row: best and median of TIMES.
row() {
    local label=$1 code=$2 rss=$3
    shift 3
    local status=ok best median
    [ "$code" -eq 0 ] || status="exit $code"
    best=$(printf '%s\n' "$@" | sort -n | head -n 1)
    median=$(printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    awk -v label="$label" -v mib="$input_mib" -v s="$best" -v m="$median" -v rss="$rss" \
        -v have_rss="${gnu_time:+1}" -v st="$status" 'BEGIN {
            rate = (s > 0) ? sprintf("%.0f", mib / s) : "inf"
            mrate = (m > 0) ? sprintf("%.0f", mib / m) : "inf"
            r = have_rss ? sprintf("%.1f", rss / 1024) : "n/a"
            printf "%-35s %9s %8.3f %8.3f %9s %9s %9s  %s\n", label, mib, s, m, rate, mrate, r, st }'
}

# measure LABEL CMD...: runs CMD $runs times; prints one table row.
measure() {
    local label=$1 times=() rss=0 i
    shift
    for ((i = 0; i < runs; i++)); do
        run_once "$@"
        times+=("$run_s")
        if [ -n "$run_rss" ] && [ "$run_rss" -gt "$rss" ]; then rss=$run_rss; fi
        [ "$run_code" -eq 0 ] || break
    done
    row "$label" "$run_code" "$rss" "${times[@]}"
}

# measure_pair LABEL NEW OLD ARGS...: `NEW ARGS…` and `OLD ARGS…` run $runs times each, taking
# turns (so a busy moment of the machine falls on both); prints a row for each.
measure_pair() {
    local label=$1 new=$2 old=$3 new_times=() old_times=() new_rss=0 old_rss=0 i
    local new_code=0 old_code=0
    shift 3
    for ((i = 0; i < runs; i++)); do
        run_once "$new" "$@"
        new_times+=("$run_s")
        new_code=$run_code
        if [ -n "$run_rss" ] && [ "$run_rss" -gt "$new_rss" ]; then new_rss=$run_rss; fi
        run_once "$old" "$@"
        old_times+=("$run_s")
        old_code=$run_code
        if [ -n "$run_rss" ] && [ "$run_rss" -gt "$old_rss" ]; then old_rss=$run_rss; fi
        [ "$new_code" -eq 0 ] && [ "$old_code" -eq 0 ] || break
    done
    row "$label" "$new_code" "$new_rss" "${new_times[@]}"
    row "  previous binary" "$old_code" "$old_rss" "${old_times[@]}"
}

header() {
    printf '%-35s %9s %8s %8s %9s %9s %9s  %s\n' "command" "input MiB" "best s" "median s" \
        "MiB/s" "MiB/s med" "RSS MiB" "status"
}

