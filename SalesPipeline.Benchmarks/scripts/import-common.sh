# What the SQLite import scripts (import-time.sh, import-floor.sh) share; sourced from the repository's root, not run.
# Sets `rows` (the script's first argument, default 1,000,000), `work` (the scratch folder: SALESPIPELINE_BENCH_DIR, default
# /tmp/salespipeline-NAME) and `results` (SalesPipeline.Benchmarks/results/NAME-ROWS.txt), NAME being the script's name.
# Checks the tools, publishes the command line to "$work/bin", writes the canonical CSV of "$rows" rows to "$csv", and
# defines `seconds COMMAND…`, which prints the command's wall time in seconds and stops the script with the command's error
# output when it fails, and `ratio A B`, A / B to two decimals, rounded. The CSV and the stores are deleted when the script
# ends, however it ends.
rows="${1:-1000000}"
name="$(basename "$0" .sh)"
work="${SALESPIPELINE_BENCH_DIR:-/tmp/salespipeline-$name}"
results="SalesPipeline.Benchmarks/results/$name-$rows.txt"
mkdir -p "$work"
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: install the Debian package sqlite3." >&2; exit 1; }
command -v bc >/dev/null || { echo "bc is missing: install the Debian package bc." >&2; exit 1; }

dotnet publish SalesPipeline.Reporting.Worker/Tool -c Release -o "$work/bin" --nologo -v quiet >/dev/null
dotnet build SalesPipeline.Benchmarks -c Release --nologo -v quiet >/dev/null
csv="$work/rows-$rows.csv"
# The CSVs and the stores are deleted however the script ends; the published command line stays for the next run.
trap 'rm -f "$csv" "$work"/*.csv "$work"/*.db "$work"/*.db-wal "$work"/*.db-shm "$work"/*.db-journal "$work/stderr" "$work/import.rss"' EXIT
dotnet run -c Release --no-build --project SalesPipeline.Benchmarks -- --write-import-csv "$csv" "$rows"

seconds() { local start="$EPOCHREALTIME"; "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }; echo "$EPOCHREALTIME - $start" | bc; }
# A quotient to two decimals, rounded (bc's scale alone truncates).
ratio() { LC_ALL=C printf '%.2f' "$(echo "scale=6; $1 / $2" | bc)"; }
