/* End of an iteration: adaptive threshold (homeostasis), then Hebbian
 * learning with divisive normalisation of each afferent field. One
 * work-item per cortical unit. */

__kernel void learn(__global float *weights, __global const float *input,
                    __global const float *activity,
                    __global float *avg_activity, __global float *threshold,
                    __global uint *active_count, float smoothing,
                    float homeostatic_rate, float target, float rate)
{
    int u = get_global_id(0);
    float y = activity[u];
    float avg = (1.0f - smoothing) * y + smoothing * avg_activity[u];
    avg_activity[u] = avg;
    threshold[u] += homeostatic_rate * (avg - target);
    if (y > 0.0f)
        active_count[u] += 1u;
    float a = rate * y;
    if (!(a > 0.0f))
        return;

    int cx, cy;
    unit_centre(u, &cx, &cy);
    __global float *w = weights + (size_t)u * CF_LEN;
    float sum = 0.0f;
    for (int k = 0; k < CF_LEN; k++) {
        int rc = cf_receptor(cx, cy, k);
        if (rc >= 0) {
            w[k] += a * input[rc];
            sum += w[k];
        }
    }
    float inv = 1.0f / sum;
    for (int k = 0; k < CF_LEN; k++)
        w[k] *= inv;
}
