#!/usr/bin/env bash
# Configures and builds hukou with CMake and Ninja, then builds the web console (web/dist).
# Environment:
#   SANITIZE=1          AddressSanitizer + UndefinedBehaviorSanitizer build (default dir build-asan/)
#   BUILD_DIR=DIR       build directory (default build/, or build-asan/ with SANITIZE=1)
#   BUILD_TYPE=TYPE     CMake build type (default RelWithDebInfo)
#   JOBS=N              parallel compile jobs (default: number of processors)
#   SKIP_WEB=1          do not build the web console (always skipped for SANITIZE=1)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "${HUKOU_ROOT}"

sanitize="${SANITIZE:-0}"
if [[ ${sanitize} == 1 ]]; then
  build_dir="${BUILD_DIR:-build-asan}"
  sanitize_flag=ON
else
  build_dir="${BUILD_DIR:-build}"
  sanitize_flag=OFF
fi
build_type="${BUILD_TYPE:-RelWithDebInfo}"
jobs="${JOBS:-$(nproc)}"

configure=(cmake -S . -B "${build_dir}" -DCMAKE_BUILD_TYPE="${build_type}"
           -DHUKOU_SANITIZE="${sanitize_flag}")
# The generator is fixed when a build directory is first configured.
if [[ ! -f ${build_dir}/CMakeCache.txt ]]; then
  configure+=(-G Ninja)
fi
echo "build: ${build_dir} (${build_type}, sanitizers ${sanitize_flag}, ${jobs} jobs)"
"${configure[@]}"
cmake --build "${build_dir}" --parallel "${jobs}"

if [[ ${sanitize} != 1 && ${SKIP_WEB:-0} != 1 && -f web/package.json ]]; then
  echo "build: web console (npm run build in web/)"
  (cd web && npm run build)
fi
