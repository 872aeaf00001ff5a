#!/usr/bin/env bash
# Receipts (收件单: tables, seal image, two vector QR codes) rendered to PDF per second, on 1 and 2
# threads. Usage: bench/render.sh [COUNT_PER_THREAD] [BUILD_DIR]
set -euo pipefail
count=${1:-300}
build=${2:-build}
cmake --build "$build" --target render_receipts -j2 >/dev/null
"$build/bench/render_receipts" "$count" 1
"$build/bench/render_receipts" "$count" 2
