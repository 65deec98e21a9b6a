#!/usr/bin/python3
"""Seconds per training iteration of remap (OpenCL device) and of the NumPy
peer, side by side, for the same model sizes.

remap: the wall time of `remap run` to N2 iterations minus that to N1
iterations, divided by N2 - N1, with measures and checkpoints made rare
(--set measure.interval, checkpoint.interval), so that start-up (device
set-up, kernel build, initial weights), the measures at the first and last
iteration and the final checkpoint cancel; the median over --repeats pairs.
NumPy: bench/numpy_peer.py started from the N1 run's last checkpoint,
--warmup iterations, then the median of --peer-repeats timed iterations,
with the lateral terms by FFT and, where --direct allows, by sliding sums.
The table's last column gives the 1-minute load average before the remap
runs, after them and after the NumPy runs: a busy machine slows both.

Sizes (--sizes, comma-separated names):
  48   the default: cortex 48, skin 24, afferent radius 0.15 (cf_len 49)
  128  cortex 128, skin 70, radius 0.15 (cf_len 441)
  256  cortex 256, skin 70, radius 0.15 (cf_len 441, ~320 live weights)
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_peer  # noqa: E402

# name: (cortex, skin, radius, N1, N2)
SIZES = {
    "48": (48, 24, 0.15, 100, 1100),
    "128": (128, 70, 0.15, 10, 110),
    "256": (256, 70, 0.15, 5, 25),
}
RARE = 1000000000


def remap_wall(binary, out, cortex, skin, radius, iterations, device):
    cmd = [binary, "run", "--quiet", "--iterations", str(iterations),
           "--out", out,
           "--set", "sheets.cortex.density=%d" % cortex,
           "--set", "sheets.skin.density=%d" % skin,
           "--set", "projections.afferent.radius=%g" % radius,
           "--set", "measure.interval=%d" % RARE,
           "--set", "checkpoint.interval=%d" % RARE]
    if device is not None:
        cmd += ["--device", device]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit("time_peer: %s failed (status %d)" %
                         (" ".join(cmd), r.returncode))
    return wall


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--remap", default="build/remap", help="remap binary")
    ap.add_argument("--sizes", default="48,256",
                    help="comma-separated: %s" % ", ".join(SIZES))
    ap.add_argument("--repeats", type=int, default=3,
                    help="remap N1/N2 pairs per size")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--peer-repeats", type=int, default=10)
    ap.add_argument("--direct", type=int, default=128,
                    help="also time the peer's sliding-sum lateral terms up "
                    "to this cortex size (0: never)")
    ap.add_argument("--device", help="remap --device")
    ap.add_argument("--work", help="directory for the runs")
    a = ap.parse_args()
    sizes = a.sizes.split(",")
    for s in sizes:
        if s not in SIZES:
            ap.error("unknown size %s (known: %s)" % (s, ", ".join(SIZES)))
    work = a.work or tempfile.mkdtemp(prefix="remap-time-")

    rows = []
    for name in sizes:
        cortex, skin, radius, n1, n2 = SIZES[name]
        # One untimed run first, so that every timed run finds the device's
        # compiled kernels in its cache.
        remap_wall(a.remap, os.path.join(work, "%s-warm" % name), cortex,
                   skin, radius, n1, a.device)
        load = [os.getloadavg()[0]]
        per_it = []
        for rep in range(a.repeats):
            walls = {}
            for n in (n1, n2):
                out = os.path.join(work, "%s-%d-%d" % (name, n, rep))
                walls[n] = remap_wall(a.remap, out, cortex, skin, radius, n,
                                      a.device)
            per_it.append((walls[n2] - walls[n1]) / (n2 - n1))
            print("time_peer: %s rep %d: remap %d its %.2f s, %d its %.2f s"
                  % (name, rep, n1, walls[n1], n2, walls[n2]), flush=True)
        remap_s = float(np.median(per_it))
        load.append(os.getloadavg()[0])
        ck = os.path.join(work, "%s-%d-0" % (name, n1), "checkpoints",
                          "checkpoint-%08d.h5" % n1)
        peer = numpy_peer.Peer(ck, "fft")
        fft_s, _ = numpy_peer.time_peer(peer, a.warmup, a.peer_repeats)
        direct_s = None
        if cortex <= a.direct:
            peer = numpy_peer.Peer(ck, "direct")
            direct_s, _ = numpy_peer.time_peer(peer, a.warmup,
                                               a.peer_repeats)
        load.append(os.getloadavg()[0])
        rows.append((name, cortex, skin, peer.cf_len, peer.cf_full, n1, n2,
                     remap_s, min(per_it), max(per_it), fft_s, direct_s,
                     load))
        print("time_peer: %s: remap %.4f s/it, numpy fft %.4f s/it%s" %
              (name, remap_s, fft_s, "" if direct_s is None else
               ", numpy direct %.4f s/it" % direct_s), flush=True)

    print()
    print("| cortex | skin | cf_len (live) | remap N1→N2 | remap ms/it "
          "(min–max) | NumPy FFT ms/it | NumPy/remap | NumPy sliding ms/it "
          "| NumPy/remap | load |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (name, cortex, skin, cf_len, cf_full, n1, n2, remap_s, lo, hi,
         fft_s, direct_s, load) in rows:
        direct = ("%.1f | %.2f" % (direct_s * 1e3, direct_s / remap_s)
                  if direct_s is not None else "— | —")
        print("| %d | %d | %d (%d) | %d→%d | %.1f (%.1f–%.1f) | %.1f | %.2f "
              "| %s | %s |" % (cortex, skin, cf_len, cf_full, n1, n2,
                               remap_s * 1e3, lo * 1e3, hi * 1e3, fft_s * 1e3,
                               fft_s / remap_s, direct,
                               "/".join("%.1f" % v for v in load)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
