#!/usr/bin/env bash
# clang-tidy over every C++ source (checks in .clang-tidy: bug-prone and performance patterns),
# using the compile commands of a configured build directory (default build/).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "${HUKOU_ROOT}"
build="${BUILD_DIR:-build}"
jobs="${JOBS:-$(nproc)}"
if [[ ! -f ${build}/compile_commands.json ]]; then
  echo "tidy: ${build}/compile_commands.json missing (configure the build first)" >&2
  exit 1
fi
out="$(mktemp -t hukou-tidy-XXXXXX)"
git ls-files '*.cc' | xargs -P "${jobs}" -n 4 clang-tidy -p "${build}" --quiet \
  --extra-arg=-Wno-unknown-warning-option >"${out}" 2>/dev/null || true
if grep -qE '(warning|error):' "${out}"; then
  grep -E -A3 '(warning|error):' "${out}" >&2
  rm -f "${out}"
  echo "clang-tidy: findings above" >&2
  exit 1
fi
rm -f "${out}"
echo "clang-tidy: $(git ls-files '*.cc' | wc -l) files clean"
