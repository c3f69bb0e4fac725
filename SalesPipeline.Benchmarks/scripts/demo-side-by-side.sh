#!/usr/bin/env bash
# Runs `salespipeline demo --deals DEALS` into a new SQLite store with two published builds of the CLI, one after the
# other, ROUNDS times (base, new, base, new, ...), each run under the benchmark lock, so the two are compared under the
# same load (this machine's speed varies by tens of percent between hours, which a single timed run cannot tell apart
# from a change in the build).
# Usage: bash SalesPipeline.Benchmarks/scripts/demo-side-by-side.sh BASE_DIR NEW_DIR [DEALS] [ROUNDS] > RESULTS
#   BASE_DIR, NEW_DIR  folders of `dotnet publish SalesPipeline.Reporting.Worker/Tool -c Release -o DIR` from two commits
# Prints one line per run (wall, user and sys seconds, peak memory, exit code, with the load average before it), then the
# median wall time of each build and their ratio. The stores and workbooks go to a scratch folder, deleted afterwards.
set -euo pipefail
base="$1"; new="$2"; deals="${3:-1000000}"; rounds="${4:-2}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "# demo --deals $deals into a new SQLite file; base $base, new $new; $rounds rounds"
# shellcheck source=SalesPipeline.Benchmarks/scripts/side-by-side-common.sh
source "$(dirname "$0")/side-by-side-common.sh"
scratch="$out"
run_side() {
  local dir="$base"; [ "$1" = new ] && dir="$new"
  rm -rf "$out/run"; mkdir -p "$out/run"
  cmd=("$dir/salespipeline" --db "$out/run/demo.db" demo --deals "$deals" --out "$out/run/reports")
}
alternate "$rounds"
