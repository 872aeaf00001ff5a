#!/usr/bin/env bash
# `hukou verify` on a large demo city (issue #4): the city is verified (exit 0), then the checks of
# tests/trust/verify_tamper.py plant an altered audit row, altered file bytes, a replaced step
# signature and a consistently swapped signed material IN PLACE, and verify must name exactly
# those (exit 1). Each verify's wall time is printed. The city is spoiled afterwards: keep a copy.
# Usage: bench/verify_city.sh DB_FILE [THREADS] [HUKOU_BINARY]
#   e.g. hukou demo --db sqlite:/tmp/city.db --persons 100000 --cases 100000, then
#        bench/verify_city.sh /tmp/city.db 2
set -euo pipefail
db=${1:?usage: bench/verify_city.sh DB_FILE [THREADS] [HUKOU_BINARY]}
threads=${2:-2}
hukou=${3:-build/hukou}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sqlite3 "$db" "SELECT 'case steps', COUNT(*) FROM case_steps; SELECT 'signed steps', COUNT(*) \
FROM case_steps WHERE signature IS NOT NULL; SELECT 'audit entries', COUNT(*) FROM audit_log; \
SELECT 'access entries', COUNT(*) FROM access_log; SELECT 'files', COUNT(*) FROM files;"
exec python3 "$here/../tests/trust/verify_tamper.py" --hukou "$hukou" --city-db "$db" \
  --threads "$threads"
