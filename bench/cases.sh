#!/usr/bin/env bash
# Complete cases per second through HTTP (issue #3): receive → accept → review → approve → issue
# of adult name changes (HK0802: station, station chief, branch), every decision SM2-signed by
# its officer (the server signs whenever it has keys, i.e. always since trust was merged).
# Usage: bench/cases.sh [sqlite|postgres] [SECONDS] [CONNECTIONS] [PERSONS] [HUKOU_BINARY]
#   postgres needs HUKOU_BENCH_PG_URL (an empty database), e.g. from scripts/pg.sh url.
#   The window captures the two mandatory scans before acceptance (the archive's completeness
#   check requires them); BENCH_MATERIALS=0 leaves them out (only for an engine without the check).
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

scan_arg=()
if [ "${BENCH_MATERIALS:-1}" = 1 ]; then
  # A 240×320 grey PNG "scan" with ruled lines (python3 standard library only).
  python3 - "$dir/scan.png" <<'PY'
import struct, sys, zlib
w, h = 240, 320
rows = b"".join(b"\x00" + bytes(40 if y % 24 == 0 or x in (10, w - 11) else 235 for x in range(w))
                for y in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
PY
  scan_arg=("$dir/scan.png")
fi

sync  # the fresh city's dirty pages are written back now, not during the run
"$hukou" serve --db "$db" --address 127.0.0.1 --port "$port" ${BENCH_THREADS:+--threads "$BENCH_THREADS"} \
  >"$dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "== $backend: complete HK0802 cases, $connections connections, ${duration}s =="
"$load" "http://127.0.0.1:$port" "$dir/persons.txt" "$duration" "$connections" "${scan_arg[@]}"
if [ "$backend" = postgres ]; then
  psql -At "$db" -c "SELECT count(*) || ' signed steps' FROM case_steps WHERE signature IS NOT NULL"
else
  sqlite3 "$dir/bench.db" "SELECT count(*) || ' signed steps' FROM case_steps WHERE signature IS NOT NULL"
fi
