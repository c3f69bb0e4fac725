#!/usr/bin/env bash
# Scans SalesPipeline.Storage for runs of six or more shared lines (the same text, or the same shape with other names)
# and lists the pairs whose one side is SQLite code and the other PostgreSQL code, outside the migration scripts.
# Rows the scanner marks as boilerplate (thin punctuation/keyword shapes) are listed but not counted as twins, nor is a
# pair of the two dialects (Sqlite/SqliteDialect.cs ~ Postgres/PostgresDialect.cs): they are the seam itself, one
# implementation each of IStoreDialect, member by member, so they share its shape by design.
# Usage: bash scripts/storage-twins.sh [REV]   (REV: scan SalesPipeline.Storage as it was at that commit instead)
# Needs the `duplicates` command on PATH. Exit code 0 when no SQLite/PostgreSQL twin pair is found, 1 otherwise.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tree="$root/SalesPipeline.Storage"
if [[ $# -gt 0 ]]; then
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  git -C "$root" archive "$1" SalesPipeline.Storage | tar -x -C "$scratch"
  tree="$scratch/SalesPipeline.Storage"
fi

report="$(cd "$tree" && duplicates --repo . --most 200 --seconds 120)"
echo "$report"
echo
provider='(^|/)(Sqlite|Postgres)/'
seam="$(echo "$report" | grep -E '^D[0-9]+ ' | grep -E 'Dialect\.cs:[0-9-]+ ~ [A-Za-z/]+Dialect\.cs:' || true)"
twins="$(echo "$report" | grep -E '^D[0-9]+ ' | grep -v 'Migrations/Scripts/' | grep -v 'boilerplate' | grep -vE 'Dialect\.cs:[0-9-]+ ~ [A-Za-z/]+Dialect\.cs:' |
  awk '{ a = $2; b = $4; if ((a ~ /(^|\/)Sqlite\// && b ~ /(^|\/)Postgres\//) || (a ~ /(^|\/)Postgres\// && b ~ /(^|\/)Sqlite\//)) print }' || true)"
thin="$(echo "$report" | grep -E '^D[0-9]+ ' | grep -v 'Migrations/Scripts/' | grep 'boilerplate' |
  awk '{ a = $2; b = $4; if ((a ~ /(^|\/)Sqlite\// && b ~ /(^|\/)Postgres\//) || (a ~ /(^|\/)Postgres\// && b ~ /(^|\/)Sqlite\//)) print }' || true)"
count=$(printf '%s' "$twins" | grep -c . || true)
echo "SQLite/PostgreSQL pairs outside Migrations/Scripts, marked boilerplate (thin): $(printf '%s' "$thin" | grep -c . || true)"
[[ -n "$thin" ]] && echo "$thin"
echo "The dialect seam (the two IStoreDialect implementations): $(printf '%s' "$seam" | grep -c . || true)"
[[ -n "$seam" ]] && echo "$seam"
echo "SQLite/PostgreSQL twin pairs outside Migrations/Scripts, not boilerplate: $count"
[[ -n "$twins" ]] && echo "$twins"
[[ "$count" -eq 0 ]]
