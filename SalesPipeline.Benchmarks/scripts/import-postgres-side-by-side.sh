#!/usr/bin/env bash
# Runs `salespipeline import` of the canonical CSV (ImportCsvFile) into a new, migrated PostgreSQL database on a throwaway
# server (scripts/postgres.sh) with two published builds of the CLI, one after the other, ROUNDS times (base, new, base,
# new, ...), each run under the benchmark lock, so the two are compared under the same load.
# Usage: bash SalesPipeline.Benchmarks/scripts/import-postgres-side-by-side.sh BASE_DIR NEW_DIR [ROWS] [ROUNDS] > RESULTS
#   BASE_DIR, NEW_DIR  folders of `dotnet publish SalesPipeline.Reporting.Worker/Tool -c Release -o DIR` from two commits
#                      (each side's database is created and migrated by its own build before its run, outside the timing)
# Prints one line per run (wall, user and sys seconds, peak memory, exit code, with the load average before it), then the
# median wall time of each build and their ratio. The CSV is kept in SALESPIPELINE_BENCH_DIR (default
# /tmp/salespipeline-import-postgres, where import-postgres.sh keeps it too); the server is always a new one.
set -euo pipefail
name=import-postgres-side-by-side.sh
[[ $# -ge 2 ]] || { echo "usage: bash SalesPipeline.Benchmarks/scripts/$name BASE_DIR NEW_DIR [ROWS] [ROUNDS] > RESULTS" >&2; exit 2; }
base="$(realpath "$1")"; new="$(realpath "$2")"; rows="${3:-1000000}"; rounds="${4:-3}"
[[ -x "$base/salespipeline" && -x "$new/salespipeline" ]] || { echo "$name: $base and $new must each hold a published salespipeline" >&2; exit 2; }
cd "$(dirname "$0")/../.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unset PG_KEEP_DIR
PUBLISH_CLI=no
# shellcheck source=SalesPipeline.Benchmarks/scripts/postgres-common.sh
source SalesPipeline.Benchmarks/scripts/postgres-common.sh
trap 'stop_pg; rm -rf "$work"' EXIT
data="${SALESPIPELINE_BENCH_DIR:-/tmp/salespipeline-import-postgres}"
mkdir -p "$data"
csv="$data/deals-$rows.csv"
write_csv "$csv" "$rows" >/dev/null
echo "# import --file of the canonical CSV ($rows rows) into a new, migrated PostgreSQL database; base $base, new $new; $rounds rounds"
echo "# $pg_settings"
# shellcheck source=SalesPipeline.Benchmarks/scripts/side-by-side-common.sh
source SalesPipeline.Benchmarks/scripts/side-by-side-common.sh
scratch="$work"
run_side() {
  local dir="$base"; [ "$1" = new ] && dir="$new"
  new_database imported >/dev/null
  "$dir/salespipeline" --provider postgres --db "$(connection imported)" db migrate >/dev/null
  cmd=("$dir/salespipeline" --provider postgres --db "$(connection imported)" import --file "$csv" --by benchmark)
}
alternate "$rounds"
