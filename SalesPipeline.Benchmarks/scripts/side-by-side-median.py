#!/usr/bin/env python3
"""Reads the runs a *-side-by-side.sh script printed (a "base round N" or "new round N" line, then its "  W s wall ..."
line) and prints the median wall time of each build and their ratio, overall and per round. A run that exited with
an error is left out (and named), and so is its round from the per-round ratios."""
import re
import statistics
import sys

side, walls, failed = None, {"base": {}, "new": {}}, []
for line in open(sys.argv[1]):
    m = re.match(r"(base|new) round (\d+)", line)
    if m:
        side, round_ = m.group(1), int(m.group(2))
        continue
    m = re.match(r"\s+([\d.]+) s wall.* exit (\d+)", line)
    if m and side:
        if m.group(2) == "0":
            walls[side][round_] = float(m.group(1))
        else:
            failed.append(f"{side} round {round_} (exit {m.group(2)})")
if failed:
    print("# left out, failed: " + ", ".join(failed))
for side in ("base", "new"):
    if not walls[side]:
        sys.exit(f"# no {side} run succeeded: no median")
b, n = statistics.median(walls["base"].values()), statistics.median(walls["new"].values())
rounds = sorted(set(walls["base"]) & set(walls["new"]))
print(f"# median wall: base {b:.2f} s, new {n:.2f} s, ratio {n / b:.2f}; per round: "
      + ", ".join(f"{walls['new'][r] / walls['base'][r]:.2f}" for r in rounds))
