/* The stimulus of one iteration, drawn on the device from Philox keyed by
 * the seed and the iteration, so any iteration's input can be regenerated:
 * a touch (mirrors remap_touch_draw and remap_touch_render), or during
 * sleep spontaneous input (mirrors remap_spontaneous_render). (A visual
 * layout's input comes from the host, cl_backend.c.) Under
 * structural plasticity each receptor's input trace follows the input
 * (mirrors stimulus() in the reference backend). One work-item per
 * receptor. */

__kernel void stimulus(uint seed_lo, uint seed_hi, uint iter_lo, uint iter_hi,
                       __global const float *region_cdf,
                       __global const float4 *region_box, /* x0, y0, x1, y1 */
                       __global const uchar *skin_region,
                       __global const uchar *co_touch, /* [REGION_COUNT] */
                       float4 spot, float spot_share, int spot_region,
                       float inv_skin_n, float inv2s2, float peak,
                       int sleeping, float noise,
                       __global const float *receptor_gain,
                       float trace_rate, __global float *input_trace,
                       __global float *input)
{
    int r = get_global_id(0);
    float x;
    if (sleeping) {
        philox4x32_ctr_t v = philox(seed_lo, seed_hi, iter_lo, iter_hi,
                                    STREAM_SPONTANEOUS, (uint)(r / 4));
        x = noise * unit_float(v.v[r % 4]) * receptor_gain[r];
    } else {
        philox4x32_ctr_t v =
            philox(seed_lo, seed_hi, iter_lo, iter_hi, STREAM_TOUCH, 0u);
        float pick = unit_float(v.v[0]);
        int region = REGION_COUNT - 1;
        for (int k = 0; k < REGION_COUNT; k++) {
            if (pick < region_cdf[k]) {
                region = k;
                break;
            }
        }
        float4 box = region_box[region];
        if (unit_float(v.v[3]) < spot_share) {
            box = spot;
            region = spot_region;
        }
        float tx = box.x + unit_float(v.v[1]) * (box.z - box.x);
        float ty = box.y + unit_float(v.v[2]) * (box.w - box.y);

        uint touched = (1u << region) | (uint)co_touch[region];
        int q = skin_region[r];
        if (!(touched & (1u << q))) {
            x = 0.0f;
        } else {
            /* The touch centre in this receptor's region: the touch, or the
             * same relative place of a region fused with the touched one. */
            float cx = tx, cy = ty;
            if (q != region) {
                float4 tb = region_box[region];
                float fx = (tx - tb.x) / (tb.z - tb.x);
                float fy = (ty - tb.y) / (tb.w - tb.y);
                float4 qb = region_box[q];
                cx = qb.x + fx * (qb.z - qb.x);
                cy = qb.y + fy * (qb.w - qb.y);
            }
            float px = ((float)(r % SKIN_N) + 0.5f) * inv_skin_n;
            float py = ((float)(r / SKIN_N) + 0.5f) * inv_skin_n;
            float dx = px - cx, dy = py - cy;
            x = peak * exp_as_host(-(dx * dx + dy * dy) * inv2s2) *
                receptor_gain[r];
        }
    }
    input[r] = x;
#if STRUCTURAL
    input_trace[r] = (1.0f - trace_rate) * input_trace[r] + trace_rate * x;
#else
    (void)trace_rate;
    (void)input_trace;
#endif
}
