#!/usr/bin/env bash
# Runs `salespipeline report --kind all` over one SQLite store with two published builds of the CLI, one after the other,
# ROUNDS times (base, new, base, new, ...), each run under the benchmark lock, so the two are compared under the same load.
# Usage: bash SalesPipeline.Benchmarks/scripts/report-side-by-side.sh BASE_DIR NEW_DIR STORE FROM TO [ROUNDS] > RESULTS
#   BASE_DIR, NEW_DIR  folders of `dotnet publish SalesPipeline.Reporting.Worker/Tool -c Release -o DIR` from two commits
#   STORE              a copy of the store (a report only reads it, but keep the original safe); FROM/TO the report period
#   BASE_STORE         (environment, optional) the store the base build reads instead, for a base at an older schema: a
#                      copy of STORE from before `db migrate` brought it to the new build's schema
# Prints one line per run: wall, user and sys seconds, peak memory and exit code, with the load average before it; then the
# median wall time of each build and their ratio.
set -euo pipefail
base="$1"; new="$2"; store="$3"; from="$4"; to="$5"; rounds="${6:-2}"
base_store="${BASE_STORE:-$store}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "# report --kind all --from $from --to $to over $store (the base over $base_store); base $base, new $new; $rounds rounds"
# shellcheck source=SalesPipeline.Benchmarks/scripts/side-by-side-common.sh
source "$(dirname "$0")/side-by-side-common.sh"
scratch="$out"
run_side() {
  if [ "$1" = new ]; then
    cmd=("$new/salespipeline" --db "$store")
  else
    cmd=("$base/salespipeline" --db "$base_store")
  fi
  cmd+=(report --kind all --from "$from" --to "$to" --out "$out/$1.xlsx")
}
alternate "$rounds"
