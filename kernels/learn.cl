/* End of an iteration (mirrors the last loop of iterate() and learn() in
 * the reference backend): homeostasis, synaptic scaling and penumbra
 * recovery, then learning of the afferent weights (Hebbian growth with
 * divisive normalisation, or BCM; during sleep the downscaling of weak
 * synapses). Then, every interval iterations under structural plasticity,
 * pruning and sprouting (restructure()). One work-item per cortical unit;
 * dead units (gain 0) change no more. */

/* Whether field slot k of a unit holds a live synapse; rc is the slot's
 * receptor (cf_receptor) or -1. Without structural plasticity a slot is
 * live iff it is in the field and on the skin, which saves reading the
 * synapse states. (A live synapse always has a receptor, so testing rc
 * first changes nothing.) */
#if STRUCTURAL
#define LIVE(k, rc) ((rc) >= 0 && syn[k] != 0)
#else
#define LIVE(k, rc) ((rc) >= 0)
#endif

/* Divides the weights by the sum of the live ones (normalise()). */
inline void normalise_live(__global float *w, __global const uchar *syn,
                           int cx, int cy)
{
#if !STRUCTURAL
    (void)syn;
#endif
    float sum = 0.0f;
    for (int k = 0; k < CF_LEN; k++) {
        int rc = cf_receptor(cx, cy, k);
        if (LIVE(k, rc))
            sum += w[k];
    }
    if (!(sum > 0.0f))
        return;
    float inv = 1.0f / sum;
    for (int k = 0; k < CF_LEN; k++)
        w[k] *= inv;
}

__kernel void learn(__global float *weights, __global const uchar *synapse,
                    __global const float *input,
                    __global const float *activity,
                    __global float *avg_activity, __global float *threshold,
                    __global uint *active_count,
                    __global float *bcm_threshold,
                    __global float *drive_scale, __global float *unit_gain,
                    __global float *gain_recovery,
                    __global const float *modulation, float smoothing,
                    float homeostatic_rate, float target, float scaling_rate,
                    float scaling_target, float rate, int bcm,
                    float bcm_rate, int sleeping, float sleep_weak,
                    float sleep_keep)
{
    int u = get_global_id(0);
    float gain = unit_gain[u];
    if (gain == 0.0f)
        return;
    float y = activity[u];
    float avg = (1.0f - smoothing) * y + smoothing * avg_activity[u];
    avg_activity[u] = avg;
    threshold[u] += homeostatic_rate * (avg - target);
    if (y > 0.0f)
        active_count[u] += 1u;
    if (scaling_rate > 0.0f) {
        float d = drive_scale[u] /
                  (1.0f + scaling_rate * (avg - scaling_target) /
                              scaling_target);
        drive_scale[u] = d < 0.01f ? 0.01f : d > 100.0f ? 100.0f : d;
    }
    float recovery = gain_recovery[u];
    if (recovery > 0.0f) {
        float gn = gain + recovery;
        if (gn >= 1.0f) {
            gn = 1.0f;
            gain_recovery[u] = 0.0f;
        }
        unit_gain[u] = gn;
    }

    float unit_rate = rate * modulation[u];
    int cx, cy;
    unit_centre(u, &cx, &cy);
    __global float *w = weights + (size_t)u * CF_LEN;
    __global const uchar *syn = synapse + (size_t)u * CF_LEN;
#if !STRUCTURAL
    (void)syn;
#endif
    if (sleeping) {
        /* Live synapses weaker than `weak` times the field's mean live
         * weight shrink by the fraction downscale (downscale()). */
        float sum = 0.0f;
        int n = 0;
        for (int k = 0; k < CF_LEN; k++) {
            int rc = cf_receptor(cx, cy, k);
            if (LIVE(k, rc)) {
                sum += w[k];
                n++;
            }
        }
        if (n != 0) {
            float weak = sleep_weak * (sum / (float)n);
            for (int k = 0; k < CF_LEN; k++) {
                int rc = cf_receptor(cx, cy, k);
                if (LIVE(k, rc) && w[k] < weak)
                    w[k] *= sleep_keep;
            }
        }
        if (!bcm)
            normalise_live(w, syn, cx, cy);
    } else if (bcm) {
        float a = unit_rate * y * (y - bcm_threshold[u]);
        if (a != 0.0f) {
            for (int k = 0; k < CF_LEN; k++) {
                int rc = cf_receptor(cx, cy, k);
                if (!LIVE(k, rc))
                    continue;
                float v = w[k] + a * input[rc];
                w[k] = v > 0.0f ? v : 0.0f;
            }
        }
    } else {
        float a = unit_rate * y;
        if (a > 0.0f) {
            float sum = 0.0f;
            for (int k = 0; k < CF_LEN; k++) {
                int rc = cf_receptor(cx, cy, k);
                if (!LIVE(k, rc))
                    continue;
                w[k] += a * input[rc];
                sum += w[k];
            }
            /* A field whose synapses are all pruned has nothing to
             * normalise. */
            if (sum > 0.0f) {
                float inv = 1.0f / sum;
                for (int k = 0; k < CF_LEN; k++)
                    w[k] *= inv;
            }
        }
    }
    if (bcm)
        bcm_threshold[u] += bcm_rate * (y * y / target - bcm_threshold[u]);
}

/* The mean input trace over the skin, summed in receptor order as the
 * reference backend does. A single work-item. */
__kernel void mean_trace(__global const float *input_trace,
                         __global float *mean)
{
    float sum = 0.0f;
    for (int r = 0; r < RECEPTORS; r++)
        sum += input_trace[r];
    mean[0] = sum / (float)RECEPTORS;
}

/* Structural plasticity after iteration t (restructure()): a live synapse
 * below the floor for `patience` checks is pruned, an absent one sprouts
 * with probability sprout_rate * (its receptor's trace / the mean trace),
 * drawn from Philox (remap_sprout_draw); then the field is normalised
 * (Hebbian rule). One work-item per cortical unit. */
__kernel void restructure(__global float *weights, __global uchar *synapse,
                          __global const float *input_trace,
                          __global const float *mean,
                          __global const float *unit_gain, uint seed_lo,
                          uint seed_hi, uint iter_lo, uint iter_hi,
                          float floor_w, int patience, float sprout_rate,
                          int hebbian)
{
    int u = get_global_id(0);
    if (unit_gain[u] == 0.0f)
        return;
    float mean_trace = mean[0];
    int cx, cy;
    unit_centre(u, &cx, &cy);
    __global float *w = weights + (size_t)u * CF_LEN;
    __global uchar *syn = synapse + (size_t)u * CF_LEN;
    philox4x32_ctr_t v = {{0u, 0u, 0u, 0u}};
    int block = -1;
    for (int k = 0; k < CF_LEN; k++) {
        int rc = cf_receptor(cx, cy, k);
        if (rc < 0)
            continue;
        if (syn[k]) {
            if (!(w[k] < floor_w)) {
                syn[k] = 1;
            } else if (syn[k] >= patience) {
                syn[k] = 0;
                w[k] = 0.0f;
            } else {
                syn[k]++;
            }
        } else {
            float p = mean_trace > 0.0f
                          ? sprout_rate * (input_trace[rc] / mean_trace)
                          : sprout_rate;
            if (k / 4 != block) {
                block = k / 4;
                v = philox(seed_lo, seed_hi, iter_lo, (uint)u,
                           STREAM_SPROUT | (iter_hi << 8), (uint)block);
            }
            if (unit_float(v.v[k % 4]) < p) {
                syn[k] = 1;
                w[k] = floor_w;
            }
        }
    }
    if (hebbian)
        normalise_live(w, syn, cx, cy);
}
