#!/usr/bin/env bash
# The import of a canonical CSV into SQLite beside `sqlite3 .import` of the same file into a plain table, side by side in
# one run (ImportBenchmarks: the sqlite3 baseline, the raw prepared-INSERT loop, CsvImporter), with each .NET side's
# peak working set.
# Usage: bash SalesPipeline.Benchmarks/scripts/import-vs-sqlite3.sh [ROWS]   (default 1,000,000; run it under
# `flock /tmp/salespipeline-bench.lock` on a shared machine)
# Installs the sqlite3 command line (Debian package sqlite3) when it is missing. Saves the report to
# SalesPipeline.Benchmarks/results/SalesPipeline.Benchmarks.ImportBenchmarks-report-github.md and the peak working sets,
# with the machine's load average, to SalesPipeline.Benchmarks/results/import-memory-ROWS.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows="${1:-1000000}"
if ! command -v sqlite3 >/dev/null; then
  sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends sqlite3
fi

artifacts="$PWD/BenchmarkDotNet.Artifacts/results"
results="SalesPipeline.Benchmarks/results"
rm -f "$artifacts/import-memory-$rows.txt"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
SALESPIPELINE_BENCHMARK_MEASUREMENTS="$artifacts" \
  dotnet run -c Release --project SalesPipeline.Benchmarks -- --filter '*ImportBenchmarks*' --deals "$rows" --buildTimeout 1200
cp "$artifacts/SalesPipeline.Benchmarks.ImportBenchmarks-report-github.md" "$results/"
{
  echo "# bash SalesPipeline.Benchmarks/scripts/import-vs-sqlite3.sh $rows"
  echo "# $(nproc) cores, $(sqlite3 --version | cut -d' ' -f1) sqlite3; load average $load_before at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  cat "$artifacts/import-memory-$rows.txt"
} > "$results/import-memory-$rows.txt"
echo "Saved $results/SalesPipeline.Benchmarks.ImportBenchmarks-report-github.md and $results/import-memory-$rows.txt"
