#!/usr/bin/env bash
# A quick side-by-side timing of `salespipeline import` of the canonical CSV (ImportCsvFile) into a new SQLite file and
# `sqlite3 .import --csv` of the same file into a new plain table, in one run, each twice, alternating (the quick check
# beside the ImportBenchmarks run of import-vs-sqlite3.sh, which takes long at 10^6 rows).
# Usage: flock /tmp/salespipeline-bench.lock bash SalesPipeline.Benchmarks/scripts/import-time.sh [ROWS]   (default 1,000,000)
# The scratch folder is SALESPIPELINE_BENCH_DIR (default /tmp/salespipeline-import-time); its files are deleted afterwards.
# Saves the wall times, the ratio of the best of each, the CLI's peak memory (max RSS) and the load average to
# SalesPipeline.Benchmarks/results/import-time-ROWS.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=SalesPipeline.Benchmarks/scripts/import-common.sh
source SalesPipeline.Benchmarks/scripts/import-common.sh
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
sqlite3_times=()
import_times=()
peaks=()
for run in 1 2; do
  rm -f "$work/plain.db"
  sqlite3_times+=("$(seconds sqlite3 "$work/plain.db" ".import --csv $csv deals")")
  rm -f "$work/store.db" "$work/store.db-wal" "$work/store.db-shm"
  import_times+=("$(seconds /usr/bin/time -f %M -o "$work/import.rss" "$work/bin/salespipeline" --db "$work/store.db" import --file "$csv" --by benchmark)")
  peaks+=("$(( $(cat "$work/import.rss") / 1024 ))")
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
best() { printf '%s\n' "$@" | sort -g | head -1; }
ratio="$(ratio "$(best "${import_times[@]}")" "$(best "${sqlite3_times[@]}")")"

{
  echo "# flock /tmp/salespipeline-bench.lock bash SalesPipeline.Benchmarks/scripts/import-time.sh $rows"
  echo "# $(nproc) cores, sqlite3 $(sqlite3 --version | cut -d' ' -f1); load average $load_before before, $load_after after"
  echo "sqlite3 .import --csv (plain table), seconds: ${sqlite3_times[*]}"
  echo "salespipeline import (new SQLite store), seconds: ${import_times[*]}"
  echo "salespipeline import peak memory (max RSS), MB: ${peaks[*]}"
  echo "ratio of the best times: $ratio"
} | tee "$results"
echo "Saved to $results"
