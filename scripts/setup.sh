#!/usr/bin/env bash
# First run on a fresh Debian 12: installs the dependencies, builds hukou and the web console,
# creates a demo city (hukou.db, once) and serves the console on http://localhost:8080.
# Environment: HUKOU_PORT (default 8080), HUKOU_DEMO_PERSONS (default 20000).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "${HUKOU_ROOT}"

port="${HUKOU_PORT:-8080}"
db_file=hukou.db

stage "依赖 dependencies"
bash scripts/deps.sh

stage "构建 build"
bash scripts/build.sh

new_db=0
[[ -e ${db_file} ]] || new_db=1
stage "数据库 database schema (${db_file})"
build/hukou migrate --db "sqlite:${db_file}"

if ((new_db)); then
  stage "演示数据 demo city (Ezhou, ${HUKOU_DEMO_PERSONS:-20000} persons, ${HUKOU_DEMO_CASES:-300} cases)"
  if ! build/hukou demo --db "sqlite:${db_file}" --persons "${HUKOU_DEMO_PERSONS:-20000}" \
      --cases "${HUKOU_DEMO_CASES:-300}" --seed 1 --city ezhou; then
    rm -f "${db_file}" "${db_file}-wal" "${db_file}-shm"
    die "hukou demo failed"
  fi
else
  echo "setup: ${db_file} exists; keeping it (delete it for a fresh demo city)"
fi

stage "演示账号 demo accounts (密码 password: ${HUKOU_DEMO_PASSWORD})"
for entry in "${HUKOU_DEMO_LOGINS[@]}"; do
  printf '  %-12s %s\n' "${entry%%:*}" "${entry#*:}"
done

serve=(build/hukou serve --db "sqlite:${db_file}" --port "${port}")
if [[ -d web/dist ]]; then
  serve+=(--static web/dist)
else
  echo "setup: web/dist is missing; serving the API only" >&2
fi
stage "启动 start"
echo "控制台地址 Console at: http://localhost:${port}   (Ctrl+C 停止 to stop)"
exec "${serve[@]}"
