#!/usr/bin/env bash
# Measures the wall time and peak memory (max RSS) of `salespipeline demo --deals DEALS` into a new SQLite store.
# Usage: flock /tmp/salespipeline-bench.lock bash SalesPipeline.Benchmarks/scripts/demo-time.sh [DEALS]   (default 1,000,000)
# The store is created afresh in a scratch folder (SALESPIPELINE_BENCH_DIR, default /tmp/salespipeline-demo-time) and
# deleted afterwards. Each line the demo prints is stamped with the seconds since it started, so the phases show (deals
# generated and written, committed, the two workbooks, the summary). The measurement is saved to
# SalesPipeline.Benchmarks/results/demo-time-DEALS.txt, the file the README's figure comes from.
set -euo pipefail
cd "$(dirname "$0")/../.."
deals="${1:-1000000}"
work="${SALESPIPELINE_BENCH_DIR:-/tmp/salespipeline-demo-time}"
mkdir -p "$work"
db="$work/demo-$deals.db"
results="SalesPipeline.Benchmarks/results/demo-time-$deals.txt"

dotnet publish SalesPipeline.Reporting.Worker/Tool -c Release -o "$work/bin" --nologo -v quiet >/dev/null
cli="$work/bin/salespipeline"

rm -f "$db" "$db-wal" "$db-shm"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start="$EPOCHREALTIME"
stamp() { while IFS= read -r line; do printf '%6.1f s  %s\n' "$(echo "$EPOCHREALTIME - $start" | bc)" "$line"; done; }
/usr/bin/time -v -o "$work/demo.time" "$cli" --db "$db" demo --deals "$deals" --out "$work/reports" 2>&1 | stamp | tee "$work/demo.lines"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
size="$(du -h "$db" | cut -f1)"
rm -f "$db" "$db-wal" "$db-shm"

{
  echo "# flock /tmp/salespipeline-bench.lock bash SalesPipeline.Benchmarks/scripts/demo-time.sh $deals"
  echo "# $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) memory; load average $load_before before, $load_after after"
  echo "# store: $size SQLite file, $deals demo deals"
  echo "demo --deals $deals:"
  grep -E "Elapsed|User time|System time|Maximum resident|Exit status" "$work/demo.time" | sed 's/^\s*/  /'
  echo "its output (stdout and stderr), stamped with the seconds since it started:"
  sed 's/^/  /' "$work/demo.lines"
} > "$results"
echo "Saved to $results"
