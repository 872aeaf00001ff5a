# shellcheck shell=bash
# Shared settings for the scripts in this directory; sourced, never run.
# The repository root, the demo accounts and the helpers every script uses.

HUKOU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export HUKOU_ROOT

# Password of every account that `hukou demo` creates (one place; tests/api/run.py reads the
# same variable from the environment).
export HUKOU_DEMO_PASSWORD="${HUKOU_DEMO_PASSWORD:-hukou123}"

# Demo accounts, "login:role" — one per role (used by the scripts that source this file).
# shellcheck disable=SC2034
HUKOU_DEMO_LOGINS=(
  "admin:系统管理员 administrator (鄂州市公安局)"
  "city1:市局审批人 city approver"
  "supervisor1:监管督查员 supervisor (全市)"
  "branch1:分局审批人 branch approver (鄂城区分局)"
  "chief1:派出所所长 station chief (凤凰派出所)"
  "police1:户籍民警 registration officer (凤凰派出所)"
  "aux1:辅警 auxiliary officer (凤凰派出所)"
  "clerk1:窗口受理员 window clerk (凤凰派出所户籍窗口)"
  "worker1:社区协管员 community worker (凤凰派出所)"
  "police2:户籍民警 registration officer (华容派出所，另一分局)"
  "clerk2:窗口受理员 window clerk (华容派出所户籍窗口)"
  "chief2:派出所所长 station chief (华容派出所)"
  "branch2:分局审批人 branch approver (华容区分局)"
)

# stage TITLE: prints a clearly visible heading for one stage of a script.
stage() {
  printf '\n==== %s ====\n' "$*"
}

# die MESSAGE: prints MESSAGE to stderr and exits 1.
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# as_root COMMAND...: runs COMMAND as root (directly when root, otherwise through sudo).
as_root() {
  if [[ ${EUID} -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# free_port: prints a TCP port on 127.0.0.1 that is free right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
