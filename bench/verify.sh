#!/usr/bin/env bash
# `hukou verify` throughput on 2 threads, measured on two databases so that each rate stands
# alone: (1) a demo city plus ENTRIES chained audit entries (entries/s), (2) a demo city plus
# DOCUMENTS signed documents, two SM2 signatures each (signatures/s). bench-audit also prints the
# latency of one officer signature (what signing adds to a case decision).
# Usage: bench/verify.sh [ENTRIES] [DOCUMENTS] [HUKOU_BINARY]
set -euo pipefail
entries=${1:-1000000}
documents=${2:-10000}
hukou=${3:-build/hukou}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for kind in entries documents; do
  db="sqlite:$dir/$kind.db"
  "$hukou" demo --db "$db" --key-file "$dir/hukou.key" --persons 1000 --seed 1 >/dev/null
  if [ "$kind" = entries ]; then n_entries=$entries n_docs=0; else n_entries=0 n_docs=$documents; fi
  echo "== $kind: generate $n_entries audit entries, $n_docs documents =="
  "$hukou" bench-audit --db "$db" --key-file "$dir/hukou.key" \
    --entries "$n_entries" --documents "$n_docs" | tail -1
  echo "== $kind: hukou verify --threads 2 =="
  /usr/bin/time -f "%e s elapsed, %U s user, %M KiB max RSS" "$hukou" verify --db "$db" --threads 2
done
