#!/usr/bin/env bash
# What the store's schema alone costs an import of the canonical CSV into SQLite, against the import target's baseline
# (`sqlite3 .import --csv` of the same file into a plain table), measured in the sqlite3 shell so that no .NET code is
# in it:
#   1. `sqlite3 .import --csv` into a plain table, three times: the best is the baseline; the target is at most three times it.
#   2. The deals and their history, as `salespipeline import` stored them, inserted with INSERT … SELECT into a new migrated
#      store whose secondary indexes were dropped first (the rows and the primary and unique keys only). The SELECT has a
#      WHERE clause, so SQLite inserts the rows one by one, as any load must; a bare `SELECT *` from a table of the same
#      shape takes SQLite's transfer optimization, which copies the stored records without decoding them, and is timed
#      too, for comparison only (earlier versions of this script counted it as the rows' cost).
#   2b. The same rows, exported as CSV, loaded by `sqlite3 .import --csv` into another such store: SQLite's own
#      row-at-a-time loader (one prepared INSERT stepped per row, every value bound as text) with no .NET in it, what
#      any load that binds values row by row pays on this schema before its indexes; it stores empty text where the
#      imported rows hold NULL, which costs the same.
#   3. The secondary indexes of the deal tables built again from those rows, one CREATE INDEX each, timed one by one:
#      the indexes the reports and the agenda read through, which an import must leave behind.
# Steps 2 and 3 run with journaling and syncing off (an import journals and syncs); step 2 with the 64 MB page cache that
# `salespipeline import` gives its connection while it writes rows, step 3 instead with the settings a large import
# builds its indexes with (SQLite's default 2,000 KiB page cache, two sorter threads), so they cost no more than the same
# work inside an import. Each index is also built (and dropped again) with the settings of earlier versions, for
# comparison: a 64 MB cache without sorter threads (an import) and a 256 MB cache with two (a load that took an empty file,
# as `demo` does); the floor counts only the first.
# Usage: flock /tmp/salespipeline-bench.lock bash SalesPipeline.Benchmarks/scripts/import-floor.sh [ROWS]   (default 1,000,000)
# The scratch folder is SALESPIPELINE_BENCH_DIR (default /tmp/salespipeline-import-floor); its files are deleted afterwards.
# Also times the `salespipeline import` that stores the rows of step 2, in the same run.
# Saves the times to SalesPipeline.Benchmarks/results/import-floor-ROWS.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=SalesPipeline.Benchmarks/scripts/import-common.sh
source SalesPipeline.Benchmarks/scripts/import-common.sh
rm -f "$work"/*.db "$work"/*.db-wal "$work"/*.db-shm
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# The best of three, as one run can be slowed by the machine.
imports=()
for run in 1 2 3; do
  rm -f "$work/plain.db"
  imports+=("$(seconds sqlite3 "$work/plain.db" ".import --csv $csv deals")")
done
baseline="$(printf '%s\n' "${imports[@]}" | sort -g | head -1)"
imported="$(seconds "$work/bin/salespipeline" --db "$work/imported.db" import --file "$csv" --by benchmark)"
"$work/bin/salespipeline" --db "$work/floor.db" db migrate >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }

secondary="SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('opportunities', 'stage_changes') AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name"
mapfile -t names < <(sqlite3 "$work/floor.db" "SELECT name FROM ($secondary)")
mapfile -t creates < <(sqlite3 "$work/floor.db" "SELECT sql FROM ($secondary)")
# Every connection of these steps: no journal, no syncing, the import's page cache.
fast="PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;"
{
  echo "$fast"
  for name in "${names[@]}"; do echo "DROP INDEX \"$name\";"; done
} | sqlite3 "$work/floor.db" >/dev/null
cp "$work/floor.db" "$work/transfer.db"
cp "$work/floor.db" "$work/loaded.db"
# "WHERE 1" keeps SQLite from transferring the stored records as they are (see step 2 above).
copy="$(seconds sqlite3 "$work/floor.db" "$fast ATTACH '$work/imported.db' AS source; BEGIN; INSERT INTO main.opportunities SELECT * FROM source.opportunities WHERE 1; INSERT INTO main.stage_changes SELECT * FROM source.stage_changes WHERE 1; COMMIT;")"
transfer="$(seconds sqlite3 "$work/transfer.db" "$fast ATTACH '$work/imported.db' AS source; BEGIN; INSERT INTO main.opportunities SELECT * FROM source.opportunities; INSERT INTO main.stage_changes SELECT * FROM source.stage_changes; COMMIT;")"
rm -f "$work/transfer.db"
# Step 2b: the imported rows as headerless CSV, then `.import` into the existing tables (every line is a row).
sqlite3 -csv "$work/imported.db" "SELECT * FROM opportunities" > "$work/opportunities.csv"
sqlite3 -csv "$work/imported.db" "SELECT * FROM stage_changes" > "$work/stage_changes.csv"
loaded="$(seconds sqlite3 "$work/loaded.db" "PRAGMA journal_mode = OFF;" "PRAGMA synchronous = OFF;" "PRAGMA cache_size = -65536;" "BEGIN;" \
  ".import --csv $work/opportunities.csv opportunities" ".import --csv $work/stage_changes.csv stage_changes" "COMMIT;")"
loaded_rows="$(sqlite3 "$work/loaded.db" "SELECT (SELECT COUNT(*) FROM opportunities) + (SELECT COUNT(*) FROM stage_changes)")"
rm -f "$work/loaded.db" "$work/opportunities.csv" "$work/stage_changes.csv"
# SqliteBulkImport.BuildCacheKibibytes and BuildSorterThreads first, then the earlier versions' settings.
settings=("PRAGMA cache_size = -2000; PRAGMA threads = 2;" "PRAGMA cache_size = -65536; PRAGMA threads = 0;" "PRAGMA cache_size = -262144; PRAGMA threads = 2;")
labels=("2,000 KiB page cache, two sorter threads" "64 MB page cache, no sorter threads" "256 MB page cache, two sorter threads")
builds=() earlier64=() earlier256=()
for i in "${!creates[@]}"; do
  builds+=("$(seconds sqlite3 "$work/floor.db" "$fast ${settings[0]} ${creates[$i]}")")
  sqlite3 "$work/floor.db" "$fast DROP INDEX \"${names[$i]}\";" >/dev/null
  earlier64+=("$(seconds sqlite3 "$work/floor.db" "$fast ${settings[1]} ${creates[$i]}")")
  sqlite3 "$work/floor.db" "$fast DROP INDEX \"${names[$i]}\";" >/dev/null
  earlier256+=("$(seconds sqlite3 "$work/floor.db" "$fast ${settings[2]} ${creates[$i]}")")
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
deals="$(sqlite3 "$work/floor.db" "SELECT COUNT(*) FROM opportunities")"
history="$(sqlite3 "$work/floor.db" "SELECT COUNT(*) FROM stage_changes")"
sum() { printf '%s\n' "$@" | paste -sd+ | bc; }
total_builds="$(sum "${builds[@]}")"
total64="$(sum "${earlier64[@]}")"
total256="$(sum "${earlier256[@]}")"

{
  echo "# flock /tmp/salespipeline-bench.lock bash SalesPipeline.Benchmarks/scripts/import-floor.sh $rows"
  echo "# $(nproc) cores, sqlite3 $(sqlite3 --version | cut -d' ' -f1); load average $load_before before, $load_after after"
  echo "sqlite3 .import --csv (plain table), seconds: ${imports[*]}; the best: $baseline"
  echo "the import target, three times that, seconds: $(ratio "3 * $baseline" 1)"
  echo "rows inserted one by one by SQLite into the store's tables without secondary indexes ($deals deals, $history history entries), seconds: $copy"
  echo "  the same rows copied by SQLite's transfer optimization (stored records moved as they are, which no load can do; for comparison only), seconds: $transfer"
  echo "  the same rows loaded by sqlite3 .import --csv from CSV into the store's tables without secondary indexes ($loaded_rows rows), seconds: $loaded, $(ratio "$loaded" "$baseline")x the baseline"
  echo "each secondary index of the deal tables built from those rows, seconds: ${labels[0]} | ${labels[1]} | ${labels[2]}"
  for i in "${!names[@]}"; do
    echo "  CREATE INDEX ${names[$i]}: ${builds[$i]} | ${earlier64[$i]} | ${earlier256[$i]}"
  done
  echo "the ${#names[@]} indexes, seconds: $total_builds | $total64 | $total256"
  echo "the ${#names[@]} secondary indexes built from those rows (${labels[0]}), seconds: $total_builds"
  echo "index builds alone against the baseline: $(ratio "$total_builds" "$baseline")x"
  echo "rows and index builds together against the baseline: $(ratio "($copy + $total_builds)" "$baseline")x"
  echo "salespipeline import of the same file into a new store (the rows of step 2), seconds: $imported, $(ratio "$imported" "$baseline")x the baseline, $(ratio "$imported" "($copy + $total_builds)")x the rows and index builds together"
} | tee "$results"
echo "Saved to $results"
