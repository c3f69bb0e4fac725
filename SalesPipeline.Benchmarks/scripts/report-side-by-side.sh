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
echo "# each run: flock /tmp/salespipeline-bench.lock /usr/bin/time -f '%e s wall %U s user %S s sys %M KB maxrss exit %x'"
for round in $(seq 1 "$rounds"); do
  for side in base new; do
    dir="$base"; db="$base_store"; [ "$side" = new ] && dir="$new" && db="$store"
    flock /tmp/salespipeline-bench.lock bash -c "
      echo \"$side round $round: load \$(cut -d' ' -f1-3 /proc/loadavg)\"
      /usr/bin/time -f '  %e s wall %U s user %S s sys %M KB maxrss exit %x' -o '$out/time' \
        '$dir/salespipeline' --db '$db' report --kind all --from '$from' --to '$to' --out '$out/$side.xlsx' >/dev/null 2>'$out/stderr' || true
      cat '$out/time'" | tee -a "$out/all"
  done
done
python3 "$(dirname "$0")/side-by-side-median.py" "$out/all"
