#!/usr/bin/env bash
# The whole test run (what CI runs): dependencies, the normal and the ASan+UBSan builds, a
# throwaway PostgreSQL, the unit tests under the sanitizers, then the full CTest suite (unit tests
# on SQLite and PostgreSQL, API scenarios on both backends, browser test). The last line printed
# is CTest's summary ("100% tests passed, 0 tests failed out of N"). Exits non-zero on any failure.
# Environment: JOBS (parallel jobs, default nproc), HUKOU_TEST_ASAN=0 (skip the sanitizer build
# and its tests, for quick local runs), PGTEST_PORT (default 54329), CTEST_ARGS (extra arguments
# for the final ctest, e.g. "-L api").
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "${HUKOU_ROOT}"

jobs="${JOBS:-$(nproc)}"
asan="${HUKOU_TEST_ASAN:-1}"
started=${SECONDS}
took() {
  echo "(${1}: $((SECONDS - started))s since start)"
}

stage "1/6 依赖 dependencies"
bash scripts/deps.sh

stage "1b/6 排版与类型检查 clang-format, vue-tsc"
bash scripts/lint.sh
(cd web && npm run --silent typecheck) && echo "vue-tsc: web console type-checks"

stage "2/6 构建 build (build/)"
JOBS="${jobs}" bash scripts/build.sh
took build

stage "2b/6 静态检查 clang-tidy"
BUILD_DIR=build JOBS="${jobs}" bash scripts/tidy.sh
took clang-tidy

if [[ ${asan} == 1 ]]; then
  stage "3/6 构建 build with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
  SANITIZE=1 JOBS="${jobs}" bash scripts/build.sh
  took "sanitizer build"
else
  stage "3/6 sanitizer build skipped (HUKOU_TEST_ASAN=0)"
fi

stage "4/6 PostgreSQL 15 (throwaway cluster)"
export PGTEST_PORT="${PGTEST_PORT:-54329}"
# shellcheck disable=SC2317  # called by the trap
stop_pg() {
  bash scripts/pg.sh stop >/dev/null 2>&1 || true
}
trap stop_pg EXIT
bash scripts/pg.sh start
HUKOU_TEST_PG_URL="$(bash scripts/pg.sh url)"
export HUKOU_TEST_PG_URL
echo "HUKOU_TEST_PG_URL=${HUKOU_TEST_PG_URL}"

if [[ ${asan} == 1 ]]; then
  stage "5/6 单元测试 unit tests under ASan + UBSan (SQLite and PostgreSQL)"
  ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --test-dir build-asan -LE '^(api|browser)$' -j "${jobs}" --output-on-failure \
    --no-tests=error --no-label-summary
  took "sanitizer tests"
else
  stage "5/6 sanitizer tests skipped (HUKOU_TEST_ASAN=0)"
fi

stage "6/6 全部测试 all tests: unit (SQLite + PostgreSQL), API scenarios, browser"
# Everything the browser test needs was installed and built above: it must run, not skip.
export HUKOU_E2E_REQUIRED=1
log="$(mktemp -t hukou-ctest-XXXXXX.log)"
status=0
# shellcheck disable=SC2086  # CTEST_ARGS is a list of words
ctest --test-dir build -j "${jobs}" --output-on-failure --no-tests=error ${CTEST_ARGS:-} \
  2>&1 | tee "${log}" || status=$?
summary="$(grep -E '^[0-9]+% tests passed' "${log}" | tail -n 1 || true)"
rm -f "${log}"
stop_pg
trap - EXIT
took "all tests"
if ((status != 0)) && [[ -z ${summary} ]]; then
  summary="ctest failed (exit ${status}) before it could run the tests"
fi
echo
echo "${summary}"
exit "${status}"
