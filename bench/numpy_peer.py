#!/usr/bin/python3
"""The NumPy peer of remap: the same training iteration, written the way a
NumPy user would write it (float32 state, whole-array operations), started
from a remap checkpoint.

It implements the default scenario's mechanisms: touches drawn with
Philox4x32-10 exactly as remap draws them, the afferent response through
each unit's connection field, settling with the shared isotropic lateral
kernels (one FFT correlation per step, or with --lateral direct a sliding
sum over the kernel's taps), homeostatic threshold adaptation,
and Hebbian learning with divisive normalisation (update the weights, then
divide by their sum). Runs that need anything else (sleep, BCM, structural
plasticity, synaptic scaling, penumbra recovery, fused regions, spot
enrichment, a timeline event inside the iterations asked for) are refused.

Usage:
  numpy_peer.py CHECKPOINT --iterations K [--save OUT.npz]
  numpy_peer.py CHECKPOINT --time [--warmup W] [--repeats R]
  numpy_peer.py --self-test

Parameters come from the checkpoint's /params attributes, which hold the
model's float32 values exactly (docs/checkpoint.md), so no YAML reader is
needed.
"""

import argparse
import re
import sys
import time

import h5py
import numpy as np

F32 = np.float32

# --- Philox4x32-10 (Salmon et al. 2011), as Random123's philox4x32 ---------

PHILOX_M0 = np.uint64(0xD2511F53)
PHILOX_M1 = np.uint64(0xCD9E8D57)
PHILOX_W0 = 0x9E3779B9
PHILOX_W1 = 0xBB67AE85
MASK32 = np.uint64(0xFFFFFFFF)
SHIFT32 = np.uint64(32)

# remap's random streams (enum remap_stream in src/model/model.h).
STREAM_TOUCH = 0


def philox4x32(ctr, key):
    """Philox4x32-10 of counters ctr (uint32, shape (..., 4)) under the key
    (two uint32 words); returns uint32 words of the same shape. Products
    are taken in uint64 and split into high and low halves."""
    c = [np.asarray(ctr, dtype=np.uint32)[..., i].astype(np.uint64)
         for i in range(4)]
    k0, k1 = int(key[0]) & 0xFFFFFFFF, int(key[1]) & 0xFFFFFFFF
    for rnd in range(10):
        if rnd:
            k0 = (k0 + PHILOX_W0) & 0xFFFFFFFF
            k1 = (k1 + PHILOX_W1) & 0xFFFFFFFF
        p0 = PHILOX_M0 * c[0]
        p1 = PHILOX_M1 * c[2]
        c = [(p1 >> SHIFT32) ^ c[1] ^ np.uint64(k0), p1 & MASK32,
             (p0 >> SHIFT32) ^ c[3] ^ np.uint64(k1), p0 & MASK32]
    return np.stack(c, axis=-1).astype(np.uint32)


def unit_float(u):
    """Uniform float32 in [0, 1) from the top 24 bits (exact)."""
    return (np.asarray(u, dtype=np.uint32) >> np.uint32(8)).astype(F32) * \
        F32(2.0 ** -24)


# Known answers of Philox4x32-10 (Random123's kat_vectors).
PHILOX_KAT = [
    ((0, 0, 0, 0), (0, 0),
     (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2,
     (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
     (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


def self_test():
    for ctr, key, want in PHILOX_KAT:
        got = tuple(int(v) for v in philox4x32(np.array(ctr), key))
        if got != want:
            raise SystemExit("philox4x32 known answer failed: ctr %s key %s: "
                             "got %s, want %s" % (
                                 [hex(v) for v in ctr], [hex(v) for v in key],
                                 [hex(v) for v in got], [hex(v) for v in want]))
    print("numpy_peer: Philox4x32-10 known answers ok")


# --- The hand layout (remap_layout_bounds in src/model/params.c) -----------

PALM_TOP = F32(0.4)
HAND, MODALITIES = 0, 1
REGION_COUNT = 6


def layout_bounds(layout, region):
    if layout == MODALITIES:
        return (F32(0.0) if region == 0 else F32(0.5), F32(0.0),
                F32(0.5) if region == 0 else F32(1.0), F32(1.0))
    if region == 0:
        return F32(0.0), F32(0.0), F32(1.0), PALM_TOP
    k = region - 1
    return F32(k) / F32(5.0), PALM_TOP, F32(k + 1) / F32(5.0), F32(1.0)


def layout_region_at(layout, x, y):
    """Region label of each point (arrays of float32 x, y)."""
    if layout == MODALITIES:
        return np.where(x < F32(0.5), 0, 1).astype(np.uint8)
    digit = np.minimum((x * F32(5.0)).astype(np.int64), 4) + 1
    return np.where(y < PALM_TOP, 0, digit).astype(np.uint8)


class Refused(Exception):
    """The checkpoint needs a mechanism the peer does not implement."""


class Peer:
    """A remap model in NumPy arrays, loaded from a checkpoint."""

    def __init__(self, path, lateral="fft"):
        if lateral not in ("fft", "direct"):
            raise ValueError("lateral must be fft or direct")
        self.lateral = self.lateral_fft if lateral == "fft" else \
            self.lateral_direct
        with h5py.File(path, "r") as f:
            if f.attrs.get("format") != "remap-checkpoint":
                raise Refused("%s: not a remap checkpoint" % path)
            if int(f.attrs["format_version"]) != 1:
                raise Refused("%s: checkpoint format version %d, the peer "
                              "reads version 1" %
                              (path, int(f.attrs["format_version"])))
            if "conditions" not in f:
                raise Refused("%s: written before the added state; the peer "
                              "needs /conditions" % path)
            self.path = path
            self.iteration = int(f.attrs["iteration"])
            self.seed = int(f.attrs["seed"])
            self.scenario = f["scenario"].asstr()[()]
            self.p = {k: F32(v) for k, v in f["params"].attrs.items()}
            self.geom_file = {k: int(v) for k, v in f["geometry"].attrs.items()}
            st = f["state"]
            self.weights = st["weights"][...]
            n = self.geom_file["cortex_n"]
            self.threshold = st["threshold"][...].reshape(-1)
            self.avg_activity = st["avg_activity"][...].reshape(-1)
            self.activity = st["activity"][...].reshape(-1)
            self.active_count = st["active_count"][...].reshape(-1)
            self.input = st["input"][...].reshape(-1)
            self.synapse = st["synapse"][...]
            self.drive_scale = st["drive_scale"][...].reshape(-1)
            self.unit_gain = st["unit_gain"][...].reshape(-1)
            self.gain_recovery = st["gain_recovery"][...].reshape(-1)
            self.modulation = st["modulation"][...].reshape(-1)
            self.receptor_gain = st["receptor_gain"][...].reshape(-1)
            self.skin_region = f["skin/region"][...].reshape(-1)
            c = f["conditions"].attrs
            self.cond = {k: c[k] for k in c.keys()}
            storage = f.attrs.get("weight_storage", "float")
            self.half = (storage.decode() if isinstance(storage, bytes)
                         else str(storage)) == "half"
        self._refuse_unsupported()
        self._geometry()
        self._tables()
        assert self.threshold.shape == (n * n,)

    # -- set-up ------------------------------------------------------------

    def _refuse_unsupported(self):
        p, c = self.p, self.cond
        needs = []
        if int(c["sleeping"]):
            needs.append("sleep")
        if int(p["projections.afferent.rule"]) != 0:
            needs.append("the BCM rule")
        if p["projections.afferent.structural.max_radius"] > 0:
            needs.append("structural plasticity")
        if p["projections.afferent.scaling.rate"] > 0:
            needs.append("synaptic scaling")
        if np.any(self.gain_recovery > 0):
            needs.append("penumbra recovery")
        if np.any(np.asarray(c["co_touch"]) != 0):
            needs.append("fused regions")
        if float(c["spot_share"]) > 0:
            needs.append("spot enrichment")
        if self.half:
            needs.append("half-precision weight storage")
        if needs:
            raise Refused("%s: the peer does not implement %s" %
                          (self.path, ", ".join(needs)))

    def _geometry(self):
        """The geometry as remap_geometry_from_params derives it, checked
        against the checkpoint's /geometry."""
        p = self.p
        skin_n = int(np.floor(p["sheets.skin.density"] + F32(0.5)))
        n = int(np.floor(p["sheets.cortex.density"] + F32(0.5)))
        rr = p["projections.afferent.radius"] * F32(skin_n)
        cf_r = int(np.floor(rr))
        g = dict(skin_n=skin_n, cortex_n=n, cf_r=cf_r, cf_side=2 * cf_r + 1,
                 cf_len=(2 * cf_r + 1) ** 2, cf_r2i=int(np.floor(rr * rr)))
        for k, v in g.items():
            if self.geom_file[k] != v:
                raise Refused("%s: /geometry %s is %d, the parameters give %d"
                              % (self.path, k, self.geom_file[k], v))
        self.skin_n, self.n, self.cf_r = skin_n, n, cf_r
        self.cf_side, self.cf_len, self.cf_r2i = g["cf_side"], g["cf_len"], \
            g["cf_r2i"]
        d = np.arange(-cf_r, cf_r + 1)
        self.cf_full = int(np.count_nonzero(
            d[:, None] ** 2 + d[None, :] ** 2 <= self.cf_r2i))
        self.exc_r = int(np.floor(p["projections.lateral_excitatory.radius"] *
                                  F32(n)))
        self.inh_r = int(np.floor(p["projections.lateral_inhibitory.radius"] *
                                  F32(n)))
        self.units, self.receptors = n * n, skin_n * skin_n
        if self.weights.shape != (self.units, self.cf_len):
            raise Refused("%s: /state/weights has shape %s" %
                          (self.path, self.weights.shape))

    def _tables(self):
        """Receptor index of every field slot, the lateral kernels and the
        touch tables: everything fixed for the run."""
        n, s, r = self.n, self.skin_n, self.cf_r
        # Receptor under each unit (remap_unit_centre), then each slot's.
        i = np.arange(n)
        c = (2 * i + 1) * s // (2 * n)
        cy, cx = np.meshgrid(c, c, indexing="ij")
        d = np.arange(-r, r + 1)
        dy, dx = np.meshgrid(d, d, indexing="ij")
        ry = cy.reshape(-1, 1) + dy.reshape(1, -1)
        rx = cx.reshape(-1, 1) + dx.reshape(1, -1)
        valid = ((dx * dx + dy * dy).reshape(1, -1) <= self.cf_r2i) & \
            (rx >= 0) & (ry >= 0) & (rx < s) & (ry < s)
        # Slots without a synapse read an extra receptor that is always 0,
        # so the gathered input needs no mask.
        self.rc = np.where(valid, ry * s + rx, self.receptors).astype(np.intp)
        if np.any(self.weights[~valid] != 0):
            raise Refused("%s: a weight outside its field is not 0" %
                          self.path)
        if np.any((self.synapse != 0) != valid):
            raise Refused("%s: synapses differ from the field" % self.path)
        self.input_ext = np.zeros(self.receptors + 1, dtype=F32)

        # Lateral excitation and inhibition as one kernel, correlated with
        # the activity by FFT on a grid big enough that nothing wraps.
        p = self.p
        ke = self._lateral_kernel(self.exc_r,
                                  p["projections.lateral_excitatory.sigma"])
        ki = self._lateral_kernel(self.inh_r,
                                  p["projections.lateral_inhibitory.sigma"])
        rmax = max(self.exc_r, self.inh_r)
        k = np.zeros((2 * rmax + 1,) * 2, dtype=F32)
        k[rmax - self.exc_r:rmax + self.exc_r + 1,
          rmax - self.exc_r:rmax + self.exc_r + 1] += \
            p["projections.lateral_excitatory.strength"] * ke
        k[rmax - self.inh_r:rmax + self.inh_r + 1,
          rmax - self.inh_r:rmax + self.inh_r + 1] += \
            p["projections.lateral_inhibitory.strength"] * ki
        # The direct sum walks the kernel's non-zero taps.
        self.rmax = rmax
        self.taps = [(dy, dx, k[dy, dx]) for dy, dx in zip(*np.nonzero(k))]
        self.fft_n = fast_size(n + rmax)
        grid = np.zeros((self.fft_n,) * 2)
        # Correlation is convolution with the flipped kernel; its centre
        # goes to (0, 0).
        grid[:k.shape[0], :k.shape[1]] = k[::-1, ::-1]
        grid = np.roll(grid, (-rmax, -rmax), axis=(0, 1))
        self.lateral_fft = np.fft.rfft2(grid)

        # Touch tables: receptor positions, region boxes, the region CDF.
        layout = int(p["sheets.skin.layout"])
        self.layout = layout
        inv = F32(1.0) / F32(s)
        pos = (np.arange(s, dtype=F32) + F32(0.5)) * inv
        self.px = np.tile(pos, s)
        self.py = np.repeat(pos, s)
        self.boxes = [layout_bounds(layout, q) for q in range(REGION_COUNT)]
        sigma = p["stimulus.sigma"]
        self.inv2s2 = F32(1.0) / (F32(2.0) * sigma * sigma)
        self.region_cdf = self._region_cdf()

    def _lateral_kernel(self, r, sigma):
        """Normalised isotropic Gaussian within radius r (lateral_kernel in
        src/model/model.c)."""
        d = np.arange(-r, r + 1, dtype=F32)
        d2 = d[:, None] ** 2 + d[None, :] ** 2
        s = sigma * F32(self.n)
        k = np.exp((-d2 / (F32(2.0) * s * s)).astype(np.float64)).astype(F32)
        k[d2 > F32(r * r)] = 0
        return k / k.sum(dtype=F32)

    def _region_cdf(self):
        """Cumulative touch frequency per region (remap_model_params_changed),
        summed in the same order as remap so that the table is identical."""
        freq = [self.p["stimulus.frequency." + q] for q in
                ("palm", "d1", "d2", "d3", "d4", "d5")]
        if sum(float(v) for v in freq) > 0:
            w = list(freq)
        else:
            counts = np.bincount(self.skin_region, minlength=REGION_COUNT)
            w = [F32(v) for v in counts[:REGION_COUNT]]
        enrich = np.asarray(self.cond["enrich"], dtype=F32)
        focus = np.asarray(self.cond["focus"], dtype=F32)
        w = [w[k] * (enrich[k] * focus[k]) if k < len(enrich) else w[k]
             for k in range(REGION_COUNT)]
        total = F32(0.0)
        for v in w:
            total = F32(total + v)
        cdf, acc = [], F32(0.0)
        for v in w:
            acc = F32(acc + v)
            cdf.append(F32(acc / total))
        cdf[-1] = F32(1.0)
        return np.array(cdf, dtype=F32)

    # -- one iteration -----------------------------------------------------

    def touch(self, t):
        """Region and centre of the touch of iteration t (remap_touch_draw)."""
        key = (self.seed & 0xFFFFFFFF, self.seed >> 32)
        v = philox4x32(np.array([t & 0xFFFFFFFF, t >> 32, STREAM_TOUCH, 0]),
                       key)
        u = unit_float(v)
        region = int(np.searchsorted(self.region_cdf, u[0], side="right"))
        region = min(region, REGION_COUNT - 1)
        x0, y0, x1, y1 = self.boxes[region]
        return region, x0 + u[1] * (x1 - x0), y0 + u[2] * (y1 - y0)

    def render(self, touch):
        """The input a touch gives each receptor (remap_touch_render). The
        exponential is taken in double and rounded once, as a correctly
        rounded expf would give it."""
        region, tx, ty = touch
        dx, dy = self.px - tx, self.py - ty
        e = np.exp((-(dx * dx + dy * dy) * self.inv2s2).astype(np.float64))
        x = self.p["stimulus.peak"] * e.astype(F32) * self.receptor_gain
        x[self.skin_region != region] = 0
        return x

    def rates(self, t):
        """Learning and homeostasis factors (remap_model_rates)."""
        crit = float(self.p["age.critical_period"])
        age = 1.0
        if crit > 0:
            a = max(float(self.p["age.offset"]) + t, 0.0)
            adult = float(self.p["age.adult"])
            age = adult + (1.0 - adult) * np.exp(-a / crit)
        learn = F32(float(self.p["plasticity.modulation"]) *
                    float(F32(self.cond["rehab_gain"])) * age)
        return learn, F32(age)

    def lateral_fft(self, y):
        """Strength-weighted lateral excitation plus inhibition at every
        unit: the correlation of the activity with both kernels, by FFT."""
        n = self.n
        grid = np.zeros((self.fft_n,) * 2)
        grid[:n, :n] = y.reshape(n, n)
        out = np.fft.irfft2(np.fft.rfft2(grid) * self.lateral_fft,
                            s=grid.shape)
        return out[:n, :n].astype(F32).reshape(-1)

    def lateral_direct(self, y):
        """The same correlation as sliding sums: one shifted copy of the
        activity per kernel tap, in float32 (remap's algorithm, in NumPy)."""
        n, r = self.n, self.rmax
        grid = np.zeros((n + 2 * r,) * 2, dtype=F32)
        grid[r:r + n, r:r + n] = y.reshape(n, n)
        out = np.zeros((n, n), dtype=F32)
        for dy, dx, w in self.taps:
            out += w * grid[dy:dy + n, dx:dx + n]
        return out.reshape(-1)

    def step(self):
        p = self.p
        t = self.iteration
        learn_rate, homeo_rate = self.rates(t)
        self.input = self.render(self.touch(t))

        # Afferent drive: each unit's field of the input, gathered at once.
        self.input_ext[:-1] = self.input
        x = self.input_ext[self.rc]
        c = np.einsum("uk,uk->u", self.weights, x)
        drive = p["projections.afferent.strength"] * self.drive_scale * c
        gain = self.unit_gain
        y = gain * np.maximum(drive - self.threshold, F32(0))

        # Settling: every step sees the previous step's activity.
        for _ in range(int(p["settling.steps"])):
            y = gain * np.maximum(drive + self.lateral(y) - self.threshold,
                                  F32(0))
        self.activity = y

        # Homeostasis of the living units.
        alive = gain != 0
        sm = p["homeostasis.smoothing"]
        avg = (F32(1) - sm) * y + sm * self.avg_activity
        self.avg_activity = np.where(alive, avg, self.avg_activity)
        self.threshold = np.where(
            alive, self.threshold + p["homeostasis.rate"] * homeo_rate *
            (self.avg_activity - p["homeostasis.target"]), self.threshold)
        self.active_count += (alive & (y > 0)).astype(np.uint32)

        # Hebbian learning of the units that responded, then divisive
        # normalisation of their fields.
        rate = p["projections.afferent.learning_rate"] / F32(self.cf_full) * \
            learn_rate
        a = rate * self.modulation * y
        u = np.flatnonzero(alive & (a > 0))
        w = self.weights[u] + a[u, None] * x[u]
        s = w.sum(axis=1, keepdims=True)
        self.weights[u] = np.where(s > 0, w / np.where(s > 0, s, 1), w)
        self.iteration += 1

    def events_between(self, start, stop):
        """Timeline iterations (at, until) strictly inside (start, stop):
        events there change the model between iterations the peer runs."""
        found = [int(v) for v in
                 re.findall(r"\b(?:at|until):\s*(\d+)", self.scenario)]
        return sorted({v for v in found if start < v < stop})

    def run(self, k):
        inside = self.events_between(self.iteration, self.iteration + k)
        if inside:
            raise Refused("%s: timeline events at %s fall inside iterations "
                          "%d..%d; the peer applies no events" %
                          (self.path, inside, self.iteration,
                           self.iteration + k))
        for _ in range(k):
            self.step()

    def state(self):
        n = self.n
        return dict(weights=self.weights,
                    threshold=self.threshold.reshape(n, n),
                    avg_activity=self.avg_activity.reshape(n, n),
                    activity=self.activity.reshape(n, n),
                    active_count=self.active_count.reshape(n, n),
                    input=self.input.reshape(self.skin_n, self.skin_n))


def fast_size(m):
    """The smallest 2^a 3^b 5^c at least m: sizes FFTs are quick at."""
    best = 1 << (m - 1).bit_length()
    f5 = 1
    while f5 < best:
        f3 = f5
        while f3 < best:
            v = f3
            while v < m:
                v *= 2
            best = min(best, v)
            f3 *= 3
        f5 *= 5
    return best


def time_peer(peer, warmup, repeats):
    """Median seconds per iteration over repeats, after warm-up
    iterations; the timeline is not consulted (timing only)."""
    for _ in range(warmup):
        peer.step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        peer.step()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint", nargs="?")
    ap.add_argument("--iterations", type=int, default=0,
                    help="iterations to run from the checkpoint")
    ap.add_argument("--save", help="write the final state to this .npz")
    ap.add_argument("--time", action="store_true",
                    help="time iterations instead (median of --repeats)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--lateral", choices=("fft", "direct"), default="fft",
                    help="lateral terms by FFT (default) or sliding sums")
    ap.add_argument("--self-test", action="store_true",
                    help="check Philox4x32-10 against known answers")
    a = ap.parse_args()
    if a.self_test:
        self_test()
        if not a.checkpoint:
            return 0
    if not a.checkpoint:
        ap.error("a checkpoint is needed")
    try:
        peer = Peer(a.checkpoint, a.lateral)
        if a.time:
            med, _ = time_peer(peer, a.warmup, a.repeats)
            print("numpy_peer: %dx%d cortex, cf_len %d: %.3f ms per iteration "
                  "(median of %d after %d warm-up)" %
                  (peer.n, peer.n, peer.cf_len, med * 1e3, a.repeats,
                   a.warmup))
            return 0
        peer.run(a.iterations)
    except Refused as e:
        print("numpy_peer: %s" % e, file=sys.stderr)
        return 2
    if a.save:
        np.savez(a.save, **peer.state())
    print("numpy_peer: iteration %d" % peer.iteration)
    return 0


if __name__ == "__main__":
    sys.exit(main())
