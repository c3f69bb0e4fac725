#!/usr/bin/env bash
# Runs `salespipeline report --kind all` over the PostgreSQL store of DEALS deals that report-postgres.sh built and kept
# (PG_KEEP_DIR), with two published builds of the CLI, one after the other, ROUNDS times (base, new, base, new, ...), each
# run under the benchmark lock, so the two are compared under the same load and the same server cache.
# Usage: PG_KEEP_DIR=FOLDER bash SalesPipeline.Benchmarks/scripts/report-postgres-side-by-side.sh BASE_DIR NEW_DIR [DEALS] [ROUNDS] > RESULTS
#   BASE_DIR, NEW_DIR  folders of `dotnet publish SalesPipeline.Reporting.Worker/Tool -c Release -o DIR` from two commits
#                      at the same schema (the store is not migrated here)
# Prints one line per run (wall, user and sys seconds, peak memory, exit code, with the load average before it), then the
# median wall time of each build and their ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
name=report-postgres-side-by-side.sh
base="$1"; new="$2"; deals="${3:-10000000}"; rounds="${4:-2}"
[[ -n "${PG_KEEP_DIR:-}" ]] || { echo "$name: set PG_KEEP_DIR to the folder report-postgres.sh kept its server in" >&2; exit 2; }
work="$(mktemp -d)"
# shellcheck source=SalesPipeline.Benchmarks/scripts/postgres-common.sh
source SalesPipeline.Benchmarks/scripts/postgres-common.sh
trap 'stop_pg; rm -rf "$work"' EXIT
stored="$(psql_in report_store -At -c "SELECT count(*) FROM opportunities")"
[[ "$stored" == "$deals" ]] || die "the kept store holds $stored deals, not $deals: build it with report-postgres.sh $deals"
db="$(connection report_store)"
echo "# report --kind all --from 2024-10-01 --to 2024-12-31 over the kept PostgreSQL store of $deals deals; base $base, new $new; $rounds rounds"
# shellcheck source=SalesPipeline.Benchmarks/scripts/side-by-side-common.sh
source SalesPipeline.Benchmarks/scripts/side-by-side-common.sh
scratch="$work"
run_side() {
  local dir="$base"; [ "$1" = new ] && dir="$new"
  cmd=("$dir/salespipeline" --provider postgres --db "$db" report --kind all --from 2024-10-01 --to 2024-12-31 --out "$work/$1.xlsx")
}
alternate "$rounds"
