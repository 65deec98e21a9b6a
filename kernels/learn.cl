/* End of an iteration (mirrors the last loop of iterate() and learn() in
 * the reference backend): homeostasis, synaptic scaling and penumbra
 * recovery, then learning of the afferent weights (Hebbian growth with
 * divisive normalisation, or BCM; during sleep the downscaling of weak
 * synapses). Then, every interval iterations under structural plasticity,
 * pruning and sprouting (restructure()). One work-item per FIELD_LANES
 * cortical units (unit_group; restructure: one per unit), launched per
 * weight chunk (FIELD); dead units (gain 0) change no more.
 *
 * Every change of a field keeps its sum of live weights (weight_sum) up to
 * date, so the Hebbian rule knows the normalised field's divisor before
 * it starts (old sum + a x the input's sum over the field) and learns in
 * one read-write sweep. That sweep can also compute the afferent response
 * to the next iteration's input (`respond`), since inputs do not depend
 * on the network: one pass over the weights per iteration instead of two. */

/* Sum of a field's live weights, in slot order (live_sum()). */
inline float live_sum(__global const weight_t *w, __global const uchar *syn,
                      int cx, int cy)
{
#if !STRUCTURAL
    (void)syn;
#endif
    float sum = 0.0f;
    for (int k = 0; k < CF_LEN; k++) {
        int rc = cf_receptor(cx, cy, k);
        if (LIVE(k, rc))
            sum += LOAD_W(w, k);
    }
    return sum;
}

/* Divides the weights by the sum of the live ones (normalise()). */
inline void normalise_live(__global weight_t *w, __global const uchar *syn,
                           int cx, int cy)
{
    float sum = live_sum(w, syn, cx, cy);
    if (!(sum > 0.0f))
        return;
    float inv = 1.0f / sum;
    for (int k = 0; k < CF_LEN; k++)
        STORE_W(LOAD_W(w, k) * inv, w, k);
}

/* Sleep: live synapses weaker than `weak` times the field's mean live
 * weight shrink by the fraction 1 - keep (downscale()). */
inline void downscale(__global weight_t *w, __global const uchar *syn,
                      int cx, int cy, float weak_share, float keep)
{
#if !STRUCTURAL
    (void)syn;
#endif
    float sum = 0.0f;
    int n = 0;
    for (int k = 0; k < CF_LEN; k++) {
        int rc = cf_receptor(cx, cy, k);
        if (LIVE(k, rc)) {
            sum += LOAD_W(w, k);
            n++;
        }
    }
    if (n == 0)
        return;
    float weak = weak_share * (sum / (float)n);
    for (int k = 0; k < CF_LEN; k++) {
        int rc = cf_receptor(cx, cy, k);
        if (LIVE(k, rc) && LOAD_W(w, k) < weak)
            STORE_W(LOAD_W(w, k) * keep, w, k);
    }
}

/* The Hebbian sweep: each live weight grows by a x_i and is divided by the
 * field's new sum (inv = 1 / total, known beforehand). Returns the new sum
 * of the stored weights and, with `respond` (a constant at each call, so
 * the compiler specialises the loop), the response to the next input. */
inline float3 hebbian_sweep(__global weight_t *w, __global const uchar *syn,
                            __global const float *x,
                            __global const float *next, float a, float inv,
                            int cx, int cy, const int respond)
{
#if !STRUCTURAL
    (void)syn;
#endif
    float sum = 0.0f, c = 0.0f, xs = 0.0f;
    for (int ch = 0; ch < CHANNELS; ch++) {
        for (int dy = -CF_R; dy <= CF_R; dy++) {
            int lo, hi, k0, r0;
            if (!field_row(cx, cy, dy, &lo, &hi, &k0, &r0))
                continue;
            k0 += ch * CF_AREA;
            r0 += ch * PLANE;
            for (int dx = lo; dx <= hi; dx++) {
                int k = k0 + dx;
                float v = LOAD_W(w, k);
                bool live = LIVE_SLOT(k);
                if (live) {
                    STORE_W((v + a * x[r0 + dx]) * inv, w, k);
                    v = LOAD_W(w, k);
                    sum += v;
                }
                if (respond) {
                    float xi = next[r0 + dx];
                    c += v * xi;
                    if (live)
                        xs += xi;
                }
            }
        }
    }
    return (float3)(sum, c, xs);
}

/* The learning of unit u (below). With fuse, also its response to
 * next_input when respond_next asks for it: from the Hebbian sweep where
 * the unit learns, else by a walk of its field; without, the caller takes
 * every unit's response afterwards (a constant at each call, so the
 * compiler specialises the code). */
inline void learn_unit(
    int u, __global weight_t *weights, __global const uchar *synapse,
    int unit_base, __global const float *input, __global float *weight_sum,
    __global float *input_sum, __global const float *activity,
    __global float *avg_activity, __global float *threshold,
    __global uint *active_count, __global float *bcm_threshold,
    __global float *drive_scale, __global float *unit_gain,
    __global float *gain_recovery, __global const float *modulation,
    float smoothing, float homeostatic_rate, float target,
    float scaling_rate, float scaling_target, float rate, int bcm,
    float bcm_rate, int sleeping, float sleep_weak, float sleep_keep,
    int respond_next, __global const float *next_input, float strength,
    __global float *drive, __global float *next_activity, const int fuse)
{
    respond_next = fuse && respond_next;
    int cx, cy;
    unit_centre(u, &cx, &cy);
    __global weight_t *w = FIELD_W(weights, u, unit_base);
    __global const uchar *syn = FIELD(synapse, u, unit_base);
    float y = activity[u];
    float gain = unit_gain[u];
    bool changed = false; /* weights changed, their sum not yet known */
    bool swept = false;   /* the Hebbian sweep did everything */

    if (gain != 0.0f) {
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
        if (sleeping) {
            downscale(w, syn, cx, cy, sleep_weak, sleep_keep);
            if (!bcm)
                normalise_live(w, syn, cx, cy);
            changed = true;
        } else if (bcm) {
            float a = unit_rate * y * (y - bcm_threshold[u]);
            if (a != 0.0f) {
                for (int k = 0; k < CF_LEN; k++) {
                    int rc = cf_receptor(cx, cy, k);
                    if (!LIVE(k, rc))
                        continue;
                    float v = LOAD_W(w, k) + a * input[rc];
                    STORE_W(v > 0.0f ? v : 0.0f, w, k);
                }
                changed = true;
            }
        } else {
            /* A field whose synapses are all pruned has nothing to
             * normalise. */
            float a = unit_rate * y;
            float total = weight_sum[u] + a * input_sum[u];
            if (a > 0.0f && total > 0.0f) {
                float inv = 1.0f / total;
                float3 r = respond_next
                               ? hebbian_sweep(w, syn, input, next_input, a,
                                               inv, cx, cy, 1)
                               : hebbian_sweep(w, syn, input, next_input, a,
                                               inv, cx, cy, 0);
                weight_sum[u] = r.x;
                if (respond_next)
                    respond(u, r.yz, strength, threshold, drive_scale,
                            unit_gain, drive, input_sum, next_activity);
                swept = true;
            }
        }
        if (bcm)
            bcm_threshold[u] += bcm_rate * (y * y / target - bcm_threshold[u]);
    }
    if (swept)
        return;
    if (changed)
        weight_sum[u] = live_sum(w, syn, cx, cy);
    if (respond_next)
        respond(u, field_response(w, syn, next_input, cx, cy), strength,
                threshold, drive_scale, unit_gain, drive, input_sum,
                next_activity);
}

/* Launched per weight chunk (FIELD, unit_group). With `respond`, also the
 * afferent response to next_input (the following iteration's stimulus)
 * from the updated weights and unit state, as the afferent kernel would
 * give it. */
__kernel void learn(__global weight_t *weights, __global const uchar *synapse,
                    int unit_base, __global const float *input,
                    __global float *weight_sum, __global float *input_sum,
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
                    float sleep_keep, int respond_next,
                    __global const float *next_input, float strength,
                    __global float *drive, __global float *next_activity)
{
#if FIELD_LANES > 1
    /* Each unit of the group learns, then the group's responses are
     * taken together (field_responses), the fields that learned read
     * again from the cache. */
    int n, u0 = unit_group(unit_base, &n);
    for (int u = u0; u < u0 + n; u++)
        learn_unit(u, weights, synapse, unit_base, input, weight_sum,
                   input_sum, activity, avg_activity, threshold,
                   active_count, bcm_threshold, drive_scale, unit_gain,
                   gain_recovery, modulation, smoothing, homeostatic_rate,
                   target, scaling_rate, scaling_target, rate, bcm, bcm_rate,
                   sleeping, sleep_weak, sleep_keep, respond_next, next_input,
                   strength, drive, next_activity, 0);
    if (respond_next) {
        float8 c, xs;
        field_responses(weights, synapse, unit_base, next_input, u0, n, &c,
                        &xs);
        respond_group(u0, n, c, xs, strength, threshold, drive_scale,
                      unit_gain, drive, input_sum, next_activity);
    }
#else
    learn_unit(get_global_id(0), weights, synapse, unit_base, input,
               weight_sum, input_sum, activity, avg_activity, threshold,
               active_count, bcm_threshold, drive_scale, unit_gain,
               gain_recovery, modulation, smoothing, homeostatic_rate, target,
               scaling_rate, scaling_target, rate, bcm, bcm_rate, sleeping,
               sleep_weak, sleep_keep, respond_next, next_input, strength,
               drive, next_activity, 1);
#endif
}

/* Hebbian learning of plastic lateral weights w (half-width r, slot
 * (dx, dy) at (dy + r)(2 r + 1) + dx + r) of the unit at (x, y) with
 * factor a (rate times its response) and the settled activity around it,
 * divided by the field's new sum, computed first (learn_lateral()). */
inline void lateral_hebbian(__global float *w, int r, int x, int y, float a,
                            __global const float *act)
{
    int side = 2 * r + 1;
    float total = 0.0f;
    for (int dy = -r; dy <= r; dy++) {
        int row = y + dy;
        if (row < 0 || row >= CORTEX_N)
            continue;
        for (int dx = -r; dx <= r; dx++) {
            int col = x + dx, k = (dy + r) * side + dx + r;
            if (col < 0 || col >= CORTEX_N || dx * dx + dy * dy > r * r)
                continue;
            total += w[k] + a * act[row * CORTEX_N + col];
        }
    }
    if (!(total > 0.0f))
        return;
    float inv = 1.0f / total;
    for (int dy = -r; dy <= r; dy++) {
        int row = y + dy;
        if (row < 0 || row >= CORTEX_N)
            continue;
        for (int dx = -r; dx <= r; dx++) {
            int col = x + dx, k = (dy + r) * side + dx + r;
            if (col < 0 || col >= CORTEX_N || dx * dx + dy * dy > r * r)
                continue;
            w[k] = (w[k] + a * act[row * CORTEX_N + col]) * inv;
        }
    }
}

/* The plastic lateral projections' learning of an iteration, after
 * settling (activity: the settled response) and before learn, which may
 * overwrite that buffer with the next iteration's first response; learn
 * changes nothing read here (a unit's gain is zero before it iff after).
 * exc_rate, inh_rate: learning_rate / lat_full * the iteration's learning
 * factor. One work-item per cortical unit. */
__kernel void learn_lateral(__global float *exc_weights,
                            __global float *inh_weights,
                            __global const float *activity,
                            __global const float *unit_gain,
                            __global const float *modulation, float exc_rate,
                            float inh_rate)
{
    int u = get_global_id(0);
    if (unit_gain[u] == 0.0f)
        return;
    float y = activity[u];
    int x = u % CORTEX_N, row = u / CORTEX_N;
#if EXC_PLASTIC
    float ae = exc_rate * modulation[u] * y;
    if (ae > 0.0f)
        lateral_hebbian(exc_weights + (size_t)u * EXC_LEN, EXC_R, x, row, ae,
                        activity);
#else
    (void)exc_weights;
    (void)exc_rate;
#endif
#if INH_PLASTIC
    float ai = inh_rate * modulation[u] * y;
    if (ai > 0.0f)
        lateral_hebbian(inh_weights + (size_t)u * INH_LEN, INH_R, x, row, ai,
                        activity);
#else
    (void)inh_weights;
    (void)inh_rate;
#endif
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
 * (Hebbian rule). One work-item per cortical unit, per weight chunk. */
__kernel void restructure(__global weight_t *weights, __global uchar *synapse,
                          int unit_base, __global float *weight_sum,
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
    __global weight_t *w = FIELD_W(weights, u, unit_base);
    __global uchar *syn = FIELD(synapse, u, unit_base);
    philox4x32_ctr_t v = {{0u, 0u, 0u, 0u}};
    int block = -1;
    for (int k = 0; k < CF_LEN; k++) {
        int rc = cf_receptor(cx, cy, k);
        if (rc < 0)
            continue;
        if (syn[k]) {
            if (!(LOAD_W(w, k) < floor_w)) {
                syn[k] = 1;
            } else if (syn[k] >= patience) {
                syn[k] = 0;
                STORE_W(0.0f, w, k);
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
                STORE_W(floor_w, w, k);
            }
        }
    }
    if (hebbian)
        normalise_live(w, syn, cx, cy);
    weight_sum[u] = live_sum(w, syn, cx, cy);
}

/* Weights arriving from the host (push): float values from `src` (fields
 * from unit src_base on) are stored in the storage precision, and each
 * field's live sum is taken from what was stored. Launched per piece of a
 * chunk. */
__kernel void import_weights(__global const float *src, int src_base,
                             __global weight_t *weights,
                             __global const uchar *synapse, int unit_base,
                             __global float *weight_sum)
{
    int u = get_global_id(0);
    int cx, cy;
    unit_centre(u, &cx, &cy);
    __global const float *s = FIELD(src, u, src_base);
    __global weight_t *w = FIELD_W(weights, u, unit_base);
    for (int k = 0; k < CF_LEN; k++)
        STORE_W(s[k], w, k);
    weight_sum[u] = live_sum(w, FIELD(synapse, u, unit_base), cx, cy);
}

/* Weights leaving for the host (pull) as floats, into dst from unit
 * dst_base on. Launched per piece of a chunk. */
__kernel void export_weights(__global const weight_t *weights, int unit_base,
                             __global float *dst, int dst_base)
{
    int u = get_global_id(0);
    __global const weight_t *w = FIELD_W(weights, u, unit_base);
    __global float *d = FIELD(dst, u, dst_base);
    for (int k = 0; k < CF_LEN; k++)
        d[k] = LOAD_W(w, k);
}
