/* Cortical response: the afferent drive (fixed for an iteration, times the
 * unit's synaptic scaling factor) and the settling steps of shared
 * isotropic lateral excitation and inhibition, each response times the
 * unit's gain (0 dead, below 1 penumbra).
 * One work-item per cortical unit; each walks its own contiguous field. */

/* The response of a field to input x (the weighted sum), and the sum of x
 * over the field's live synapses, which learning's normalisation needs. */
inline float2 field_response(__global const weight_t *w,
                             __global const uchar *syn,
                             __global const float *x, int cx, int cy)
{
#if !STRUCTURAL
    (void)syn;
#endif
    float c = 0.0f, xs = 0.0f;
    for (int dy = -CF_R; dy <= CF_R; dy++) {
        int lo, hi, k0, r0;
        if (!field_row(cx, cy, dy, &lo, &hi, &k0, &r0))
            continue;
        for (int dx = lo; dx <= hi; dx++) {
            float xi = x[r0 + dx];
            c += LOAD_W(w, k0 + dx) * xi;
            if (LIVE_SLOT(k0 + dx))
                xs += xi;
        }
    }
    return (float2)(c, xs);
}

/* Unit u's afferent drive and first activity from its field's response. */
inline void respond(int u, float2 r, float strength,
                    __global const float *threshold,
                    __global const float *drive_scale,
                    __global const float *unit_gain, __global float *drive,
                    __global float *input_sum, __global float *activity)
{
    float d = strength * drive_scale[u] * r.x;
    drive[u] = d;
    input_sum[u] = r.y;
    float a = d - threshold[u];
    activity[u] = unit_gain[u] * (a > 0.0f ? a : 0.0f);
}

/* Launched per weight chunk (see FIELD). */
__kernel void afferent(__global const weight_t *weights,
                       __global const uchar *synapse, int unit_base,
                       __global const float *input,
                       __global const float *threshold, float strength,
                       __global const float *drive_scale,
                       __global const float *unit_gain,
                       __global float *drive, __global float *input_sum,
                       __global float *activity)
{
    int u = get_global_id(0);
    int cx, cy;
    unit_centre(u, &cx, &cy);
    float2 r = field_response(FIELD(weights, u, unit_base),
                              FIELD(synapse, u, unit_base), input, cx, cy);
    respond(u, r, strength, threshold, drive_scale, unit_gain, drive,
            input_sum, activity);
}

/* Kernel k of half-width r applied to the activity around (x, y). */
inline float lateral(__global const float *y, __global const float *k, int r,
                     int x, int yy)
{
    int side = 2 * r + 1;
    float sum = 0.0f;
    for (int dy = -r; dy <= r; dy++) {
        int row = yy + dy;
        if (row < 0 || row >= CORTEX_N)
            continue;
        for (int dx = -r; dx <= r; dx++) {
            int col = x + dx;
            if (col < 0 || col >= CORTEX_N)
                continue;
            sum += k[(dy + r) * side + dx + r] * y[row * CORTEX_N + col];
        }
    }
    return sum;
}

__kernel void settle(__global const float *previous,
                     __global const float *drive,
                     __global const float *threshold,
                     __global const float *exc_kernel,
                     __global const float *inh_kernel, float exc_strength,
                     float inh_strength, __global const float *unit_gain,
                     __global float *next)
{
    int u = get_global_id(0);
    int x = u % CORTEX_N, y = u / CORTEX_N;
    float e = lateral(previous, exc_kernel, EXC_R, x, y);
    float i = lateral(previous, inh_kernel, INH_R, x, y);
    float a = drive[u] + exc_strength * e + inh_strength * i - threshold[u];
    next[u] = unit_gain[u] * (a > 0.0f ? a : 0.0f);
}
