#!/usr/bin/env bash
# Browser end-to-end test: builds a small demo city in a temporary SQLite database, starts
# `hukou serve --static web/dist` on a free port, runs `node web/e2e/run.mjs` against it and stops
# the server. Exits 77 (CTest: skipped) when chromium, node, web/dist or web/e2e/run.mjs is missing,
# unless HUKOU_E2E_REQUIRED=1 (scripts/test.sh sets it: there a missing piece is a failure).
# Usage: scripts/e2e.sh [HUKOU_BINARY]   (default build/hukou)
# Environment: HUKOU_E2E_LOGIN (default police1), HUKOU_E2E_PASSWORD (default the demo password),
# HUKOU_E2E_NAME (default: the name of a person the server finds), HUKOU_E2E_PERSONS (default 500),
# HUKOU_E2E_CASES (default 20: demo cases taken to the archive, for e2e/archive.mjs).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "${HUKOU_ROOT}"

hukou="$(realpath -m "${1:-build/hukou}")"
skip() {
  if [[ ${HUKOU_E2E_REQUIRED:-0} == 1 ]]; then
    die "browser test cannot run: $*"
  fi
  echo "e2e: skipped: $*"
  exit 77
}
[[ -x /usr/bin/chromium ]] || skip "/usr/bin/chromium is not installed"
command -v node >/dev/null 2>&1 || skip "node is not installed"
[[ -f web/dist/index.html ]] || skip "web/dist is not built (scripts/build.sh builds it)"
[[ -f web/e2e/run.mjs ]] || skip "web/e2e/run.mjs does not exist"
[[ -x ${hukou} ]] || die "${hukou} is not an executable; build it first"

work="$(mktemp -d -t hukou-e2e-XXXXXX)"
server_pid=""
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  if [[ -n ${server_pid} ]] && kill -0 "${server_pid}" 2>/dev/null; then
    kill "${server_pid}" 2>/dev/null || true
    wait "${server_pid}" 2>/dev/null || true
  fi
  rm -rf "${work}"
}
trap cleanup EXIT

db="sqlite:${work}/hukou.db"
echo "e2e: demo city in ${work}"
if ! { "${hukou}" migrate --db "${db}" &&
  "${hukou}" demo --db "${db}" --persons "${HUKOU_E2E_PERSONS:-500}" --seed 11 --city ezhou \
    --cases "${HUKOU_E2E_CASES:-20}" --truth "${work}/truth.json"; } >"${work}/setup.log" 2>&1; then
  cat "${work}/setup.log" >&2
  die "demo database failed"
fi

port="$(free_port)"
"${hukou}" serve --db "${db}" --address 127.0.0.1 --port "${port}" --static "${HUKOU_ROOT}/web/dist" \
  >"${work}/server.log" 2>&1 &
server_pid=$!
url="http://127.0.0.1:${port}"
ready=0
for _ in $(seq 1 300); do
  if python3 - "${url}/api/v1/health" <<'PY' 2>/dev/null; then
import sys, urllib.request
sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)
PY
    ready=1
    break
  fi
  kill -0 "${server_pid}" 2>/dev/null || {
    cat "${work}/server.log" >&2
    die "server exited at start"
  }
  sleep 0.2
done
if ((ready == 0)); then
  tail -n 30 "${work}/server.log" >&2
  die "server not healthy at ${url}"
fi

export HUKOU_URL="${url}"
export HUKOU_E2E_LOGIN="${HUKOU_E2E_LOGIN:-police1}"
export HUKOU_E2E_PASSWORD="${HUKOU_E2E_PASSWORD:-${HUKOU_DEMO_PASSWORD}}"
if [[ -z ${HUKOU_E2E_NAME:-} ]]; then
  # A person the officer can find: log in and take the first result of a search.
  HUKOU_E2E_NAME="$(python3 - <<'PY'
import http.cookiejar, json, os, sys, urllib.parse, urllib.request
base = os.environ["HUKOU_URL"]
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
login = {"login": os.environ["HUKOU_E2E_LOGIN"], "password": os.environ["HUKOU_E2E_PASSWORD"]}
opener.open(urllib.request.Request(base + "/api/v1/auth/login", json.dumps(login).encode(),
                                   {"Content-Type": "application/json"}), timeout=30)
queries = [{"status": "active"}] + [{"name": s, "name_mode": "prefix"} for s in "王李张刘陈杨"]
for query in queries:
    query["page_size"] = 1
    try:
        with opener.open(base + "/api/v1/persons?" + urllib.parse.urlencode(query), timeout=30) as r:
            items = json.load(r).get("items") or []
    except OSError:
        continue
    if items and items[0].get("name"):
        print(items[0]["name"])
        sys.exit(0)
sys.exit("no person found through /api/v1/persons")
PY
)" || {
    tail -n 30 "${work}/server.log" >&2
    die "could not find a person's name for the browser test"
  }
fi
export HUKOU_E2E_NAME
echo "e2e: ${HUKOU_URL} as ${HUKOU_E2E_LOGIN}, searching for ${HUKOU_E2E_NAME}"

status=0
node web/e2e/run.mjs || status=$?
if ((status != 0)); then
  echo "e2e: failed (exit ${status}); server log (last lines):" >&2
  tail -n 30 "${work}/server.log" >&2
fi
exit "${status}"
