/* The touch of one iteration, drawn on the device from Philox keyed by the
 * seed and the iteration (mirrors remap_touch_draw and remap_touch_render),
 * so any iteration's input can be regenerated. One work-item per receptor. */

__kernel void stimulus(uint seed_lo, uint seed_hi, uint iter_lo, uint iter_hi,
                       __global const float *region_cdf,
                       __global const float4 *region_box, /* x0, y0, x1, y1 */
                       __global const uchar *skin_region, float inv_skin_n,
                       float inv2s2, float peak, __global float *input)
{
    int r = get_global_id(0);
    philox4x32_key_t key = {{seed_lo, seed_hi}};
    philox4x32_ctr_t ctr = {{iter_lo, iter_hi, STREAM_TOUCH, 0u}};
    philox4x32_ctr_t v = philox4x32_R(philox4x32_rounds, ctr, key);

    float pick = unit_float(v.v[0]);
    int region = REGION_COUNT - 1;
    for (int k = 0; k < REGION_COUNT; k++) {
        if (pick < region_cdf[k]) {
            region = k;
            break;
        }
    }
    float4 box = region_box[region];
    float tx = box.x + unit_float(v.v[1]) * (box.z - box.x);
    float ty = box.y + unit_float(v.v[2]) * (box.w - box.y);

    if (skin_region[r] != region) {
        input[r] = 0.0f;
        return;
    }
    float px = ((float)(r % SKIN_N) + 0.5f) * inv_skin_n;
    float py = ((float)(r / SKIN_N) + 0.5f) * inv_skin_n;
    float dx = px - tx, dy = py - ty;
    input[r] = peak * exp(-(dx * dx + dy * dy) * inv2s2);
}
