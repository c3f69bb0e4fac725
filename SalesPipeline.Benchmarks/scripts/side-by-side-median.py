#!/usr/bin/env python3
"""Reads the runs a *-side-by-side.sh script printed (a "base round N" or "new round N" line, then its "  W s wall ..."
line) and prints the median wall time of each build and their ratio, overall and per round."""
import re
import statistics
import sys

side, walls = None, {"base": [], "new": []}
for line in open(sys.argv[1]):
    m = re.match(r"(base|new) round", line)
    if m:
        side = m.group(1)
        continue
    m = re.match(r"\s+([\d.]+) s wall", line)
    if m and side:
        walls[side].append(float(m.group(1)))
b, n = statistics.median(walls["base"]), statistics.median(walls["new"])
print(f"# median wall: base {b:.2f} s, new {n:.2f} s, ratio {n / b:.2f}; per round: "
      + ", ".join(f"{y / x:.2f}" for x, y in zip(walls["base"], walls["new"])))
