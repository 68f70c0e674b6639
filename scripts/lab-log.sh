#!/usr/bin/env bash
# A long real error log: the lab's deadlocking scenarios run again and again against a private
# MariaDB with innodb_print_all_deadlocks=ON, and its error log kept.
#
#   scripts/lab-log.sh [ROUNDS] [OUT]     # default: 1 round, fixtures/mariadb/lab-long.error-log.txt
#   LAB_ITERATIONS=20 scripts/lab-log.sh  # attempts per worker (default: each scenario's own)
#
# Starts its own mariadbd (port 3317, a temporary datadir, no grant tables), never touching the
# machine's server; stops it at the end. Each round runs the broken write path of every scenario
# that deadlocks (`lockscope lab <scenario> --path broken`). The log keeps only the server's lines
# (startup notes and deadlock dumps), with a first line saying where it came from.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rounds=${1:-1}
out=${2:-fixtures/mariadb/lab-long.error-log.txt}
port=3317
dir=$(mktemp -d /tmp/lockscope-lab-log.XXXXXX)
bin=${LOCKSCOPE_BIN:-target/release/lockscope}
[ -x "$bin" ] || cargo build --release --locked --bin lockscope >&2

mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1
mariadbd --no-defaults --datadir="$dir/data" --port=$port --bind-address=127.0.0.1 \
    --socket="$dir/sock" --pid-file="$dir/pid" --user="$(id -un)" --skip-grant-tables \
    --innodb-print-all-deadlocks=ON --log-error="$dir/error.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 60); do
    mariadb-admin --no-defaults --socket="$dir/sock" ping >/dev/null 2>&1 && break
    sleep 0.5
done

dsn="mysql://root@127.0.0.1:$port"
for round in $(seq 1 "$rounds"); do
    for scenario in inconsistent-order delete-then-insert odku-supremum unique-key-race \
        gap-then-insert fk-s-lock-upgrade; do
        printf 'lab-log: round %s: %s\n' "$round" "$scenario" >&2
        "$bin" lab "$scenario" --dsn "$dsn" --path broken --format json \
            ${LAB_ITERATIONS:+--iterations "$LAB_ITERATIONS"} >/dev/null || true
    done
done
kill $server
wait $server 2>/dev/null || true
{
    echo "# Origin: scripts/lab-log.sh ($rounds rounds of the lab's broken write paths) on $(mariadbd --version | awk '{print $3}'), innodb_print_all_deadlocks=ON, $(date -u +%F)"
    cat "$dir/error.log"
} >"$out"
printf 'lab-log: %s: %s deadlocks\n' "$out" "$(grep -c 'deadlock detected' "$out")" >&2
