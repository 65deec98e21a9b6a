#!/usr/bin/python3
"""Equivalence of the NumPy peer and remap.

Grows a map for --start iterations with remap, then
runs --iterations more from that checkpoint three ways: remap --reference,
remap on its OpenCL device, and the NumPy peer (bench/numpy_peer.py). It
checks that the peer draws the very same touches (the input it computes for
the iteration before the checkpoint, and for the last iteration, equals the
input remap stored), and that weights, thresholds, smoothed and settled
activity and the activity counters agree within the tolerance below.
Finally it checks that the comparison can fail: a peer whose learning rate
is 1% off must exceed the weight tolerance.

Tolerance: the peer computes in float32 like remap, but sums in another
order (pairwise and einsum sums, an FFT correlation in float64 for the
lateral terms, division instead of multiplication by the reciprocal), so
values differ by a few units in the last place; settling amplifies such
differences where a unit's drive is near its threshold. Measured over 20 to
100 iterations from several seeds and starting points, the largest
difference stayed below 7 eps * max|x| (eps = 2^-23, max|x| the largest
magnitude of the quantity in remap's state), without growth over
iterations. The check allows 64 eps * max|x| for every float quantity,
exact equality for the activity counters, and 2 eps * peak for the input
(the peer rounds a double exponential to float where remap calls expf;
these agree except in rare cases by one unit in the last place).

Exit status: 0 equivalent, 1 a difference beyond tolerance, 2 bad usage or
a failed remap run.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_peer  # noqa: E402

EPS = 2.0 ** -23
FLOAT_ULPS = 64
INPUT_ULPS = 2
SHORT = {"reference": "ref", "opencl": "cl"}
QUANTITIES = ["weights", "threshold", "avg_activity", "activity",
              "active_count", "input"]


def remap(binary, args):
    r = subprocess.run([binary, "run", "--quiet"] + args,
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit("compare_peer: remap run %s failed (status %d)" %
                         (" ".join(args), r.returncode))


def checkpoint(run_dir, iteration):
    return os.path.join(run_dir, "checkpoints",
                        "checkpoint-%08d.h5" % iteration)


def read_state(path):
    with h5py.File(path, "r") as f:
        return {q: f["state/" + q][...] for q in QUANTITIES}


def tolerance(q, ref, peak):
    if q == "active_count":
        return 0.0
    if q == "input":
        return INPUT_ULPS * EPS * peak
    return FLOAT_ULPS * EPS * float(np.abs(ref).max())


def max_diff(a, b):
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--remap", default="build/remap", help="remap binary")
    ap.add_argument("--work", help="directory for the runs (default: a "
                    "temporary one, removed afterwards)")
    ap.add_argument("--start", type=int, default=200,
                    help="iterations grown before the comparison")
    ap.add_argument("--iterations", type=int, default=20,
                    help="iterations compared")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cortex", type=int, default=48)
    ap.add_argument("--skin", type=int, default=24)
    ap.add_argument("--lateral", choices=("fft", "direct"), default="fft",
                    help="the peer's lateral terms (numpy_peer.py --lateral)")
    ap.add_argument("--no-opencl", action="store_true",
                    help="compare with the reference backend only")
    a = ap.parse_args()
    if a.start < 1 or a.iterations < 1:
        ap.error("--start and --iterations must be at least 1")
    if not os.access(a.remap, os.X_OK):
        ap.error("no remap binary at %s (--remap)" % a.remap)

    work = a.work or tempfile.mkdtemp(prefix="remap-peer-")
    os.makedirs(work, exist_ok=True)
    try:
        return compare(a, work)
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)


def compare(a, work):
    stop = a.start + a.iterations
    base = os.path.join(work, "base")
    for d in ("base", "reference", "opencl"):
        shutil.rmtree(os.path.join(work, d), ignore_errors=True)
    # The map grows on the OpenCL device where there is one: quicker, and
    # the starting state need not come from the reference backend.
    grow = ["--reference"] if a.no_opencl else []
    remap(a.remap, grow + ["--seed", str(a.seed),
                    "--iterations", str(a.start), "--out", base,
                    "--set", "sheets.cortex.density=%d" % a.cortex,
                    "--set", "sheets.skin.density=%d" % a.skin,
                    "--set", "measure.interval=1000000000",
                    "--set", "checkpoint.interval=1000000000"])
    start_ck = checkpoint(base, a.start)
    runs = {"reference": ["--reference"]}
    if not a.no_opencl:
        runs["opencl"] = []
    finals = {}
    for name, extra in runs.items():
        out = os.path.join(work, name)
        remap(a.remap, extra + ["--resume", start_ck, "--iterations",
                                str(stop), "--out", out])
        finals[name] = read_state(checkpoint(out, stop))

    failed = []
    peer = numpy_peer.Peer(start_ck, a.lateral)
    peak = float(peer.p["stimulus.peak"])
    print("compare_peer: %dx%d cortex, %dx%d skin, cf_len %d, seed %d; "
          "iterations %d..%d, lateral %s" % (
              peer.n, peer.n, peer.skin_n, peer.skin_n, peer.cf_len, a.seed,
              a.start, stop - 1, a.lateral))

    # The touch of the iteration before the checkpoint, drawn by the peer,
    # against the input remap stored.
    drawn = peer.render(peer.touch(a.start - 1))
    stored = read_state(start_ck)["input"].reshape(-1)
    d = max_diff(drawn, stored)
    ok = d <= tolerance("input", None, peak)
    print("  touch of iteration %d: input max |diff| %.3g (%s, %d of %d "
          "receptors bit-identical)" % (a.start - 1, d, "ok" if ok else
                                        "FAIL", np.sum(drawn == stored),
                                        drawn.size))
    if not ok:
        failed.append("input of iteration %d" % (a.start - 1))

    peer.run(a.iterations)
    mine = peer.state()
    names = list(finals)
    print("  %-13s" % "max |diff|" +
          "".join(" %12s" % ("peer-" + SHORT[n]) for n in names) +
          (" %11s" % "ref-cl" if len(names) > 1 else "") +
          "  %11s" % "tolerance")
    for q in QUANTITIES:
        tol = tolerance(q, finals["reference"][q], peak)
        diffs = [max_diff(mine[q], finals[n][q]) for n in names]
        row = "  %-13s" % q + "".join(" %12.3g" % v for v in diffs)
        if len(names) > 1:
            row += " %11.3g" % max_diff(finals["reference"][q],
                                        finals["opencl"][q])
        bad = [n for n, v in zip(names, diffs) if v > tol]
        print(row + "  %11.3g%s" % (tol, "  FAIL" if bad else ""))
        failed += ["%s (peer vs %s)" % (q, n) for n in bad]

    # The comparison must be able to fail: a learning rate 1% off.
    wrong = numpy_peer.Peer(start_ck, a.lateral)
    key = "projections.afferent.learning_rate"
    wrong.p[key] = np.float32(wrong.p[key] * np.float32(1.01))
    wrong.run(a.iterations)
    d = max_diff(wrong.weights, finals["reference"]["weights"])
    tol = tolerance("weights", finals["reference"]["weights"], peak)
    caught = d > tol
    print("  control: learning rate +1%% gives weights max |diff| %.3g "
          "(%s)" % (d, "detected" if caught else "NOT DETECTED"))
    if not caught:
        failed.append("the control (a wrong learning rate) went undetected")

    if failed:
        print("compare_peer: FAILED: %s" % "; ".join(failed))
        return 1
    print("compare_peer: the peer agrees with remap")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except numpy_peer.Refused as e:
        print("compare_peer: %s" % e, file=sys.stderr)
        sys.exit(2)
