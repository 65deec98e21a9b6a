/* Cortical response: the afferent drive (fixed for an iteration, times the
 * unit's synaptic scaling factor) and the settling steps of shared
 * isotropic lateral excitation and inhibition, each response times the
 * unit's gain (0 dead, below 1 penumbra).
 * One work-item per cortical unit; each walks its own contiguous field. */

__kernel void afferent(__global const float *weights,
                       __global const float *input,
                       __global const float *threshold, float strength,
                       __global const float *drive_scale,
                       __global const float *unit_gain,
                       __global float *drive, __global float *activity)
{
    int u = get_global_id(0);
    int cx, cy;
    unit_centre(u, &cx, &cy);
    __global const float *w = weights + (size_t)u * CF_LEN;
    float c = 0.0f;
    for (int k = 0; k < CF_LEN; k++) {
        int rc = cf_receptor(cx, cy, k);
        if (rc >= 0)
            c += w[k] * input[rc];
    }
    float d = strength * drive_scale[u] * c;
    drive[u] = d;
    float a = d - threshold[u];
    activity[u] = unit_gain[u] * (a > 0.0f ? a : 0.0f);
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
