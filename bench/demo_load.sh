#!/usr/bin/env bash
# Builds and loads a demo city into a fresh SQLite file and reports wall time, peak memory and
# database size.  Usage: bench/demo_load.sh [PERSONS] [HUKOU_BINARY]
set -euo pipefail
persons=${1:-1000000}
hukou=${2:-build/hukou}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
/usr/bin/time -f 'wall_seconds=%e max_rss_kib=%M' -o "$dir/time.txt" \
  "$hukou" demo --db "sqlite:$dir/bench.db" --persons "$persons" --seed 1 --city ezhou >/dev/null
cat "$dir/time.txt"
size=$(du -cb "$dir"/bench.db* | tail -1 | cut -f1)
echo "persons=$persons db_bytes=$size db_mib=$((size / 1048576))"
