#!/usr/bin/env bash
# Person lookup by ID number over HTTP with keep-alive and access logging (wrk, 64 connections),
# with and without 500 idle keep-alive connections held open beside it.
# Usage: bench/http_lookup.sh [PERSONS] [DURATION_SECONDS] [HUKOU_BINARY]
set -euo pipefail
persons=${1:-100000}
duration=${2:-20}
hukou=${3:-build/hukou}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
port=${BENCH_PORT:-18080}
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "${idle_pid:-}" ] && kill "$idle_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

"$hukou" demo --db "sqlite:$dir/bench.db" --persons "$persons" --seed 1 --city ezhou >/dev/null
"$hukou" export --db "sqlite:$dir/bench.db" --out "$dir/export" >/dev/null
# 10,000 active ID numbers (column 1 of persons.csv), read by a city-wide supervisor.
awk -F, 'NR > 1 && NR <= 10001 { print $1 }' "$dir/export/persons.csv" > "$dir/ids.txt"
# The freshly built city is hundreds of MiB of dirty pages: written back during the run, they
# would queue ahead of every access-log fsync and measure the build, not the lookups.
sync

"$hukou" serve --db "sqlite:$dir/bench.db" --address 127.0.0.1 --port "$port" \
  ${BENCH_THREADS:+--threads "$BENCH_THREADS"} >"$dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done
cookie=$(curl -fsS -c - -H 'Content-Type: application/json' \
  -d '{"login":"supervisor1","password":"hukou123"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" | awk '$6 == "hukou_session" { print $7 }')

echo "== lookup, 64 connections, ${duration}s =="
HUKOU_IDS="$dir/ids.txt" HUKOU_COOKIE="$cookie" \
  wrk -t2 -c64 -d"${duration}s" --latency -s "$here/lookup.lua" "http://127.0.0.1:$port"

echo "== the same with 500 idle keep-alive connections open =="
python3 "$here/idle_connections.py" 127.0.0.1 "$port" 500 $((duration + 10)) &
idle_pid=$!
sleep 2
HUKOU_IDS="$dir/ids.txt" HUKOU_COOKIE="$cookie" \
  wrk -t2 -c64 -d"${duration}s" --latency -s "$here/lookup.lua" "http://127.0.0.1:$port"
