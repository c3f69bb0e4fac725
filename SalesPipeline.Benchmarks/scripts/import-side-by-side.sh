#!/usr/bin/env bash
# Runs `salespipeline import` of the canonical CSV (ImportCsvFile) into a new SQLite store with two published builds of
# the CLI, one after the other, ROUNDS times (base, new, base, new, ...), each run under the benchmark lock, so the two are
# compared under the same load (this machine's speed varies by tens of percent between hours, which a single timed run
# cannot tell apart from a change in the build).
# Usage: bash SalesPipeline.Benchmarks/scripts/import-side-by-side.sh BASE_DIR NEW_DIR [ROWS] [ROUNDS] > RESULTS
#   BASE_DIR, NEW_DIR  folders of `dotnet publish SalesPipeline.Reporting.Worker/Tool -c Release -o DIR` from two commits
# Prints one line per run (wall, user and sys seconds, peak memory, exit code, with the load average before it), then the
# median wall time of each build and their ratio. The CSV and the stores go to a scratch folder, deleted afterwards.
set -euo pipefail
base="$(realpath "$1")"; new="$(realpath "$2")"; rows="${3:-1000000}"; rounds="${4:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$(dirname "$0")/../.."
dotnet build SalesPipeline.Benchmarks -c Release --nologo -v quiet >/dev/null
dotnet run -c Release --no-build --project SalesPipeline.Benchmarks -- --write-import-csv "$out/rows.csv" "$rows" >/dev/null
echo "# import --file of the canonical CSV ($rows rows) into a new SQLite file; base $base, new $new; $rounds rounds"
# shellcheck source=SalesPipeline.Benchmarks/scripts/side-by-side-common.sh
source SalesPipeline.Benchmarks/scripts/side-by-side-common.sh
scratch="$out"
run_side() {
  local dir="$base"; [ "$1" = new ] && dir="$new"
  rm -f "$out/store.db" "$out/store.db-wal" "$out/store.db-shm" "$out/store.db-journal"
  cmd=("$dir/salespipeline" --db "$out/store.db" import --file "$out/rows.csv" --by benchmark)
}
alternate "$rounds"
