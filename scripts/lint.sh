#!/usr/bin/env bash
# Style check: every C++ source is clang-formatted (.clang-format: Google base, 100 columns).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "${HUKOU_ROOT}"
mapfile -t files < <(git ls-files '*.cc' '*.h' 2>/dev/null || find src bench -name '*.cc' -o -name '*.h')
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]} > 0)); then
  echo "未按 clang-format 排版 not clang-formatted (run: clang-format -i FILE):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "clang-format: ${#files[@]} files ok"
