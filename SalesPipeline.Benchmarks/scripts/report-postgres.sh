#!/usr/bin/env bash
# Builds a PostgreSQL store of DEALS deals through the bulk path and measures `report --kind all` over it.
# Usage: bash SalesPipeline.Benchmarks/scripts/report-postgres.sh [DEALS]   (default 10,000,000)
# Steps, each timed: write the import benchmarks' canonical CSV of DEALS rows (once per size, kept in the scratch
# folder), `salespipeline import` it into an empty database of a throwaway server (scripts/postgres.sh: binary COPY into
# the stored tables in one transaction, the secondary indexes and foreign keys of the empty deal tables set aside and
# built once at the end), VACUUM ANALYZE (the throwaway server runs no autovacuum; a normal one would
# do this on its own), then `report --kind all` for the last quarter of the file's year under /usr/bin/time -v. The
# import and report hold /tmp/salespipeline-bench.lock. Saved to SalesPipeline.Benchmarks/results/report-postgres-DEALS.txt,
# the report's whole /usr/bin/time -v output to report-postgres-DEALS.time.txt; the saved output splits the import's and
# the report's time in the server by statement (the server logs each statement's duration in that database).
# With PG_KEEP_DIR=FOLDER the server and its store are kept in FOLDER (scripts/postgres.sh): a later run with the same DEALS
# brings the kept store to the current schema and measures the report only, quoting the import's figures from the run that
# built it.
set -euo pipefail
cd "$(dirname "$0")/../.."
name=report-postgres.sh
deals="${1:-10000000}"
work="${SALESPIPELINE_BENCH_DIR:-/tmp/salespipeline-report-postgres}"
# shellcheck source=SalesPipeline.Benchmarks/scripts/postgres-common.sh
source SalesPipeline.Benchmarks/scripts/postgres-common.sh

results="SalesPipeline.Benchmarks/results/report-postgres-$deals.txt"
csv="$work/deals-$deals.csv"
steps=()
step() { # step LABEL COMMAND...: runs it under /usr/bin/time -v into $work/step.time and notes elapsed and max RSS
  local label="$1"; shift
  log "$label"
  /usr/bin/time -v -o "$work/step.time" "$@"
  steps+=("$label: $(grep -E 'Elapsed' "$work/step.time" | sed 's/^\s*//; s/Elapsed (wall clock) time (h:mm:ss or m:ss)/elapsed/'), $(grep -E 'Maximum resident' "$work/step.time" | sed 's/^\s*//')")
}

if [[ -s "$csv" ]]; then
  steps+=("write the CSV ($deals rows): already there from an earlier run")
else
  started="$(date +%s.%N)"
  write_csv "$csv" "$deals"
  steps+=("write the CSV ($deals rows, building the benchmarks first): elapsed $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'), $(du -h "$csv" | cut -f1)")
fi
# The connection string a user would write: Npgsql's default 30 s command timeout, which the report's reads over every
# deal do not use (they wait for the server).
db="$(connection report_store)"
built="${PG_KEEP_DIR:+$PG_KEEP_DIR/store-$deals.built}"
if [[ -n "$built" && -s "$built" ]] && [[ "$(psql_in report_store -At -c "SELECT count(*) FROM opportunities" 2>/dev/null)" == "$deals" ]]; then
  kept_store=yes
else
  kept_store=""
  [[ -z "$built" ]] || rm -f "$built"
  new_database report_store
fi
"$cli" --provider postgres --db "$db" db migrate >/dev/null
log_statements report_store

exec 9>/tmp/salespipeline-bench.lock
log "waiting for /tmp/salespipeline-bench.lock"
flock 9
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n "$kept_store" ]]; then
  log "measuring the kept store of $deals deals in $PG_KEEP_DIR"
  steps+=("$(cat "$built")")
  import_statements="$(sed -n 's/^#   //p' "$built.statements")"
else
  mark="$(log_mark)"
  step "import (store build)" "$cli" --provider postgres --db "$db" import --file "$csv"
  import_statements="$(statement_summary "$mark")"
  step "VACUUM ANALYZE" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d report_store -c "VACUUM ANALYZE"
  if [[ -n "$built" ]]; then
    printf '%s\n' "${steps[@]:1}" | sed "s/^/(store built $(date -u +%F) by an earlier run) /" >"$built"
    sed 's/^/#   /' <<<"$import_statements" >"$built.statements"
  fi
fi
stored="$(psql_in report_store -At -c "SELECT count(*) FROM opportunities")"
[[ "$stored" == "$deals" ]] || die "the store holds $stored deals, not $deals"
size="$(psql_in report_store -At -c "SELECT pg_size_pretty(pg_database_size('report_store'))")"
mark="$(log_mark)"
step "report --kind all --from 2024-10-01 --to 2024-12-31" "$cli" --provider postgres --db "$db" report --kind all --from 2024-10-01 --to 2024-12-31 --out "$work/report.xlsx"
report_statements="$(statement_summary "$mark")"
cp "$work/step.time" "${results%.txt}.time.txt"
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
flock -u 9

{
  echo "# bash SalesPipeline.Benchmarks/scripts/report-postgres.sh $deals"
  echo "# $(machine); load average $load_start before the import, $load_end after the report"
  echo "# $pg_settings"
  echo "# store: $stored deals (the import benchmarks' canonical CSV), database $size"
  printf '%s\n' "${steps[@]}"
  echo "# the import's time in the server, by statement:"
  sed 's/^/#   /' <<<"$import_statements"
  echo "# the report's time in the server, by statement (the rest of its elapsed time is the command line's own):"
  sed 's/^/#   /' <<<"$report_statements"
  echo "# target for report --kind all over 10^7 deals: < 60 s and < 300 MB (300 MB = 307200 kbytes)"
} | tee "$results"
log "saved to $results and ${results%.txt}.time.txt"
