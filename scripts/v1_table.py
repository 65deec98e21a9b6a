#!/usr/bin/env python3
"""Tabulates the last row of metrics.csv of V1 runs: selectivity, pinwheels,
hypercolumn size and pinwheel density per run, then mean and spread.

    python3 scripts/v1_table.py RUN_DIR [RUN_DIR ...]
"""
import csv
import math
import statistics
import sys

COLUMNS = [
    ("selectivity_mean", "selectivity", "{:.3f}"),
    ("pinwheels", "pinwheels", "{:.0f}"),
    ("hypercolumn", "hypercolumn (sheet units)", "{:.3f}"),
    ("pinwheel_density", "pinwheel density", "{:.2f}"),
]


def last_row(run):
    with open(f"{run}/metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"{run}/metrics.csv: no rows")
    missing = [c for c, _, _ in COLUMNS if c not in rows[-1]]
    if missing:
        sys.exit(f"{run}/metrics.csv: no column {', '.join(missing)} "
                 "(not a visual run?)")
    return rows[-1]


def main(runs):
    if not runs:
        sys.exit(__doc__.strip())
    head = ["run", "iteration"] + [t for _, t, _ in COLUMNS]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    values = {c: [] for c, _, _ in COLUMNS}
    for run in runs:
        row = last_row(run)
        cells = [run, row["iteration"]]
        for c, _, fmt in COLUMNS:
            v = float(row[c])
            if math.isfinite(v):
                values[c].append(v)
            cells.append(fmt.format(v))
        print("| " + " | ".join(cells) + " |")
    cells = ["mean ± sd", ""]
    for c, _, fmt in COLUMNS:
        v = values[c]
        if len(v) >= 2:
            cells.append(fmt.format(statistics.mean(v)) + " ± " +
                         fmt.format(statistics.stdev(v)))
        elif v:
            cells.append(fmt.format(v[0]))
        else:
            cells.append("n/a")
    print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
