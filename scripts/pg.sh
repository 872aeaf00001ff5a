#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests.
#   pg.sh start    create (initdb) and start it; waits until it accepts connections
#   pg.sh stop     stop it and delete its directory (does nothing when it is not there)
#   pg.sh status   exit 0 when it is running
#   pg.sh url      print its connection URL
# Environment: PGTEST_DIR (default ./.pgtest), PGTEST_PORT (default 54329), PG_BIN
# (default /usr/lib/postgresql/15/bin). It listens on 127.0.0.1 only, with trust authentication.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user; when that
# user cannot reach PGTEST_DIR the cluster lives in /tmp/hukou-pgtest-PORT instead.
set -euo pipefail

port="${PGTEST_PORT:-54329}"
pg_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
dir="${PGTEST_DIR:-${PWD}/.pgtest}"
[[ ${dir} == /* ]] || dir="${PWD}/${dir}"

usage() {
  echo "usage: $0 start|stop|status|url" >&2
  exit 2
}

# as_pg COMMAND...: runs COMMAND as the user that owns the cluster.
as_pg() {
  if [[ ${EUID} -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Picks the cluster directory: PGTEST_DIR when the server's user can create and use it.
resolve_dir() {
  if [[ ${EUID} -ne 0 ]]; then
    return
  fi
  local parent
  parent="$(dirname "${dir}")"
  while [[ ! -d ${parent} ]]; do
    parent="$(dirname "${parent}")"
  done
  if (cd / && runuser -u postgres -- test -x "${parent}") 2>/dev/null; then
    return
  fi
  dir="/tmp/hukou-pgtest-${port}"
}

running() {
  [[ -f ${dir}/PG_VERSION ]] && as_pg "${pg_bin}/pg_ctl" status -D "${dir}" >/dev/null 2>&1
}

start() {
  if running; then
    # Line 4 of postmaster.pid is the port the running cluster listens on.
    local running_port
    running_port="$(sed -n 4p "${dir}/postmaster.pid" 2>/dev/null || true)"
    if [[ -n ${running_port} && ${running_port} != "${port}" ]]; then
      echo "pg: the cluster in ${dir} runs on port ${running_port}, not ${port}; stop it" \
        "(PGTEST_PORT=${running_port} bash scripts/pg.sh stop) or set PGTEST_DIR" >&2
      exit 1
    fi
    echo "pg: already running in ${dir} on port ${port}"
    return
  fi
  if [[ ! -x ${pg_bin}/initdb ]]; then
    echo "pg: ${pg_bin}/initdb not found (install postgresql-15)" >&2
    exit 1
  fi
  if "${pg_bin}/pg_isready" -q -h 127.0.0.1 -p "${port}" -t 1 >/dev/null 2>&1; then
    echo "pg: port ${port} is already in use by another server; set PGTEST_PORT" >&2
    exit 1
  fi
  # A leftover cluster from an interrupted run is discarded: the cluster is throwaway.
  if [[ -d ${dir} && ! -f ${dir}/PG_VERSION && -n "$(ls -A "${dir}")" ]]; then
    echo "pg: ${dir} exists and is not a PostgreSQL cluster; set PGTEST_DIR" >&2
    exit 1
  fi
  rm -rf "${dir}"
  mkdir -p "${dir}"
  chmod 700 "${dir}"
  if [[ ${EUID} -eq 0 ]]; then
    chown postgres:postgres "${dir}"
  fi
  as_pg "${pg_bin}/initdb" -D "${dir}" -U postgres --auth=trust --encoding=UTF8 --no-locale \
    >"${dir}.initdb.log" 2>&1 || {
    cat "${dir}.initdb.log" >&2
    exit 1
  }
  rm -f "${dir}.initdb.log"
  # Fast and disposable: no durability, TCP on the loopback address only, no Unix socket.
  as_pg tee -a "${dir}/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = ''
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  if ! as_pg "${pg_bin}/pg_ctl" start -D "${dir}" -l "${dir}/server.log" -w -t 60 >/dev/null; then
    cat "${dir}/server.log" >&2
    exit 1
  fi

  for _ in $(seq 1 60); do
    if "${pg_bin}/pg_isready" -q -h 127.0.0.1 -p "${port}" -t 1; then
      echo "pg: running in ${dir} on port ${port}"
      return
    fi
    sleep 0.5
  done
  echo "pg: server did not become ready; log:" >&2
  cat "${dir}/server.log" >&2
  exit 1
}

stop() {
  if running; then
    as_pg "${pg_bin}/pg_ctl" stop -D "${dir}" -m fast -w -t 60 >/dev/null
    echo "pg: stopped"
  fi
  if [[ -f ${dir}/PG_VERSION ]]; then
    rm -rf "${dir}"
  fi
}

[[ $# -eq 1 ]] || usage
resolve_dir
case "$1" in
  start) start ;;
  stop) stop ;;
  status) running ;;
  url) echo "postgresql://postgres@127.0.0.1:${port}/postgres" ;;
  *) usage ;;
esac
