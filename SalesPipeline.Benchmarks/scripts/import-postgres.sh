#!/usr/bin/env bash
# Import of ROWS canonical CSV rows into PostgreSQL against `psql \copy` of the same file into a plain table (a text
# column per CSV column, no index), side by side on one throwaway server (scripts/postgres.sh), RUNS times each.
# Usage: bash SalesPipeline.Benchmarks/scripts/import-postgres.sh [ROWS] [RUNS]   (defaults 1,000,000 and 3)
# Both sides connect over TCP as the same role, read the same file and start on an empty database; the import is the
# command line (`salespipeline import`, the database migrated beforehand), so its time includes starting the process.
# The measurement holds /tmp/salespipeline-bench.lock. Saved to SalesPipeline.Benchmarks/results/import-postgres-ROWS.txt,
# with the last import's server time split by statement (the server logs each statement's duration).
# Then, for what the schema alone costs: the deals and history the last import stored, exported with `psql \copy … TO`,
# loaded with `psql \copy … FROM` into a newly migrated database whose deal tables keep only their primary and unique keys
# (what an import keeps while it writes; the indexes and foreign keys it sets aside are dropped), in one transaction:
# PostgreSQL's own text COPY of the rows, with no .NET in it, before any index an import builds at its end.
set -euo pipefail
cd "$(dirname "$0")/../.."
name=import-postgres.sh
rows="${1:-1000000}"
runs="${2:-3}"
work="${SALESPIPELINE_BENCH_DIR:-/tmp/salespipeline-import-postgres}"
# shellcheck source=SalesPipeline.Benchmarks/scripts/postgres-common.sh
source SalesPipeline.Benchmarks/scripts/postgres-common.sh

csv="$work/deals-$rows.csv"
write_csv "$csv" "$rows"
results="SalesPipeline.Benchmarks/results/import-postgres-$rows.txt"
plain_columns="$(head -n1 "$csv" | tr -d '\r' | sed 's/,/ text, /g; s/$/ text/')"
count() { psql_in "$1" -At -c "SELECT count(*) FROM $2"; }

exec 9>/tmp/salespipeline-bench.lock
log "waiting for /tmp/salespipeline-bench.lock"
flock 9
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
copy_times=() import_times=() lines=()
for run in $(seq 1 "$runs"); do
  new_database plain_copy
  psql_in plain_copy -c "CREATE TABLE deals_csv ($plain_columns)"
  /usr/bin/time -o "$work/copy.time" -f '%e' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d plain_copy \
    -c "\\copy deals_csv FROM '$csv' WITH (FORMAT csv, HEADER true)"
  [[ "$(count plain_copy deals_csv)" == "$rows" ]] || die "psql \\copy did not load $rows rows"

  new_database imported
  "$cli" --provider postgres --db "$(connection imported)" db migrate >/dev/null
  log_statements imported
  mark="$(log_mark)"
  /usr/bin/time -o "$work/import.time" -f '%e %M' "$cli" --provider postgres --db "$(connection imported)" import --file "$csv" >"$work/import.out"
  [[ "$(count imported opportunities)" == "$rows" ]] || die "the import did not store $rows deals: $(cat "$work/import.out")"
  statements="$(statement_summary "$mark")"

  copy_s="$(cat "$work/copy.time")"
  read -r import_s import_kb <"$work/import.time"
  copy_times+=("$copy_s") import_times+=("$import_s")
  lines+=("$(printf '%-4s %14s %12s %20s %8.2f' "$run" "$copy_s" "$import_s" "$((import_kb / 1024))" "$(awk -v a="$import_s" -v b="$copy_s" 'BEGIN { print a / b }')")")
  log "run $run: psql \\copy ${copy_s} s, import ${import_s} s"
done
# The rows alone: the last import's deals and history, by PostgreSQL's own COPY, into tables with only their keys.
psql_in imported -c "\\copy opportunities TO '$work/opportunities.copy'"
psql_in imported -c "\\copy stage_changes TO '$work/stage_changes.copy'"
new_database floor
"$cli" --provider postgres --db "$(connection floor)" db migrate >/dev/null
psql_in floor -At -c "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I;', conrelid::regclass, conname) FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY (ARRAY['stage_changes', 'activities', 'offers']::regclass[])
  UNION ALL SELECT format('DROP INDEX %s;', indexrelid::regclass) FROM pg_index WHERE indrelid = ANY (ARRAY['opportunities', 'stage_changes']::regclass[]) AND NOT indisunique" |
  psql_in floor
/usr/bin/time -o "$work/floor.time" -f '%e' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d floor -c "BEGIN" \
  -c "\\copy opportunities FROM '$work/opportunities.copy'" -c "\\copy stage_changes FROM '$work/stage_changes.copy'" -c "COMMIT"
floor_rows="$(psql_in floor -At -c "SELECT (SELECT count(*) FROM opportunities) + (SELECT count(*) FROM stage_changes)")"
floor_s="$(cat "$work/floor.time")"
rm -f "$work/opportunities.copy" "$work/stage_changes.copy"
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
flock -u 9

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
copy_median="$(median "${copy_times[@]}")"
import_median="$(median "${import_times[@]}")"
ratio="$(awk -v a="$import_median" -v b="$copy_median" 'BEGIN { printf "%.2f", a / b }')"
{
  echo "# bash SalesPipeline.Benchmarks/scripts/import-postgres.sh $rows $runs"
  echo "# $(machine); load average $load_start at the start, $load_end at the end"
  echo "# $pg_settings"
  echo "# file: $rows rows, $(du -h "$csv" | cut -f1) ($(head -n1 "$csv" | tr -d '\r'))"
  echo "# psql \\copy: into a plain table of $(head -n1 "$csv" | tr -d '\r' | tr ',' '\n' | wc -l) text columns, no index"
  echo "# import: salespipeline import --file (canonical mapping) into a migrated, empty database; $(tr -d '\r' <"$work/import.out" | head -n1)"
  echo "run  psql \\copy (s)  import (s)  import max RSS (MB)    ratio"
  printf '%s\n' "${lines[@]}"
  echo "median: psql \\copy $copy_median s, import $import_median s, ratio $ratio (target <= 3)"
  echo "the last import's rows ($floor_rows deals and history entries) loaded by psql \\copy into tables with only their keys, in one transaction: $floor_s s, $(awk -v a="$floor_s" -v b="$copy_median" 'BEGIN { printf "%.2f", a / b }')x the median psql \\copy"
  echo "# the last import's time in the server, by statement (the server's log_min_duration_statement = 0 for the import):"
  sed 's/^/#   /' <<<"$statements"
} | tee "$results"
log "saved to $results"
