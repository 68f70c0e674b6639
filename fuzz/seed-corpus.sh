#!/usr/bin/env bash
# Seed the fuzz corpora with every real capture in fixtures/ (git-ignored: fuzz/corpus/).
#
#   fuzz/seed-corpus.sh            # all targets
#   fuzz/seed-corpus.sh parse_status
#
# Files are copied under their path with `/` turned into `__`, so a re-run overwrites instead of
# duplicating, and entries libFuzzer added (hash names) stay.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(parse_status classify_line lock_table repair)
fi

shopt -s globstar nullglob
fixtures=("$root"/fixtures/**/*.txt)
if [ ${#fixtures[@]} -eq 0 ]; then
    echo "seed-corpus: no fixtures/**/*.txt under $root" >&2
    exit 1
fi
for t in "${targets[@]}"; do
    dir="$here/corpus/$t"
    mkdir -p "$dir"
    for f in "${fixtures[@]}"; do
        rel=${f#"$root"/fixtures/}
        cp "$f" "$dir/${rel//\//__}"
    done
    echo "seed-corpus: $t: ${#fixtures[@]} files in ${dir#"$root"/}" >&2
done
