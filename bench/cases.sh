#!/usr/bin/env bash
# Complete cases per second through HTTP (issue #3): receive → accept → review → approve → issue
# of adult name changes (HK0802: station, station chief, branch), every decision SM2-signed by
# its officer (the server signs whenever it has keys, i.e. always since trust was merged).
# Usage: bench/cases.sh [sqlite|postgres] [SECONDS] [CONNECTIONS] [PERSONS] [HUKOU_BINARY]
#   postgres needs HUKOU_BENCH_PG_URL (an empty database), e.g. from scripts/pg.sh url.
set -euo pipefail
backend=${1:-sqlite}
duration=${2:-20}
connections=${3:-16}
persons=${4:-20000}
hukou=${5:-build/hukou}
load=${CASE_LOAD:-$(dirname "$hukou")/bench/case_load}
dir=$(mktemp -d)
port=${BENCH_PORT:-18081}
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

if [ "$backend" = postgres ]; then
  db=${HUKOU_BENCH_PG_URL:?set HUKOU_BENCH_PG_URL}
else
  db="sqlite:$dir/bench.db"
fi
export HUKOU_KEY_PASSPHRASE=${HUKOU_KEY_PASSPHRASE:-bench-only-passphrase}
"$hukou" demo --db "$db" --persons "$persons" --seed 1 --city ezhou --truth "$dir/truth.json" \
  >/dev/null
station=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first_station"])' \
  "$dir/truth.json")
query="SELECT id_number || '|' || name FROM persons WHERE status = 'active' AND station_code = \
'$station' AND birth_date < '2000-01-01' ORDER BY id LIMIT 2000"
if [ "$backend" = postgres ]; then
  psql -At "$db" -c "$query" >"$dir/persons.txt"
else
  sqlite3 "$dir/bench.db" "$query" >"$dir/persons.txt"
fi

"$hukou" serve --db "$db" --address 127.0.0.1 --port "$port" >"$dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "== $backend: complete HK0802 cases, $connections connections, ${duration}s =="
"$load" "http://127.0.0.1:$port" "$dir/persons.txt" "$duration" "$connections"
if [ "$backend" = postgres ]; then
  psql -At "$db" -c "SELECT count(*) || ' signed steps' FROM case_steps WHERE signature IS NOT NULL"
else
  sqlite3 "$dir/bench.db" "SELECT count(*) || ' signed steps' FROM case_steps WHERE signature IS NOT NULL"
fi
