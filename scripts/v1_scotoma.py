#!/usr/bin/env python3
"""Receptive fields over a scotoma, from two checkpoints of a visual run.

    python3 scripts/v1_scotoma.py BEFORE.h5 AFTER.h5 [--centre X Y] [--radius R]

For the units of the lesion projection zone (cortex within the scotoma's
radius of its centre; the retina and V1 share sheet coordinates) it prints
the mean distance of their afferent fields' centre of mass from the
scotoma's centre, and the share of their afferent weight on LGN cells
inside the scotoma, in each checkpoint. Reads the arrays documented in
docs/checkpoint.md with h5py (Debian's python3-h5py).
"""
import argparse

import h5py
import numpy as np


def fields(path):
    with h5py.File(path, "r") as f:
        g = dict(f["geometry"].attrs)
        w = f["state/weights"][...].astype(np.float64)
        gain = f["state/unit_gain"][...].ravel()
        it = int(f.attrs["iteration"]) if "iteration" in f.attrs else None
    n, s, r = int(g["cortex_n"]), int(g["skin_n"]), int(g["cf_r"])
    side, ch = 2 * r + 1, int(g["channels"])
    core = s - 2 * r  # the visual layouts' margin is the field radius
    # Sheet position of every slot of every unit's field.
    u = np.arange(n * n)
    cx = r + (2 * (u % n) + 1) * core // (2 * n)
    cy = r + (2 * (u // n) + 1) * core // (2 * n)
    k = np.arange(side * side)
    dx, dy = k % side - r, k // side - r
    px = (cx[:, None] + dx[None, :] - r + 0.5) / core
    py = (cy[:, None] + dy[None, :] - r + 0.5) / core
    w = w.reshape(n * n, ch, side * side).sum(axis=1)  # channels together
    ux = ((u % n) + 0.5) / n
    uy = ((u // n) + 0.5) / n
    return it, w, px, py, ux, uy, gain


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--centre", nargs=2, type=float, default=[0.5, 0.5])
    ap.add_argument("--radius", type=float, default=0.15)
    a = ap.parse_args()
    x0, y0 = a.centre
    print("checkpoint | LPZ units | field centre's distance from the "
          "scotoma's centre | weight share on the scotoma")
    for path in (a.before, a.after):
        _, w, px, py, ux, uy, gain = fields(path)
        lpz = (np.hypot(ux - x0, uy - y0) < a.radius) & (gain > 0)
        tot = w.sum(axis=1)
        mx = (w * px).sum(axis=1) / tot
        my = (w * py).sum(axis=1) / tot
        dist = np.hypot(mx - x0, my - y0)[lpz]
        blind = np.hypot(px - x0, py - y0) < a.radius
        share = ((w * blind).sum(axis=1) / tot)[lpz]
        print(f"{path} | {lpz.sum()} | {dist.mean():.4f} (unit positions: "
              f"{np.hypot(ux - x0, uy - y0)[lpz].mean():.4f}) | "
              f"{share.mean():.3f}")


if __name__ == "__main__":
    main()
