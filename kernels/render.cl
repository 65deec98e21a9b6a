/* Cortical panels for the renderer (src/render/): unit_colour gives each
 * unit its colour and label, from which the host lays out the panel's
 * pixels and region borders (remap_render_cells). Mirrors
 * src/ref/ref_render.c. */

#define PANEL_MAP 0
#define PANEL_ACTIVITY 1

/* Region whose box holds (x, y), or -1. */
inline int region_at(__global const float *box, int regions, float x, float y)
{
    for (int r = 0; r < regions; r++)
        if (x >= box[4 * r] && x < box[4 * r + 2] && y >= box[4 * r + 1] &&
            y < box[4 * r + 3])
            return r;
    return -1;
}

inline uchar scale_channel(uchar c, float f)
{
    return (uchar)((float)c * f + 0.5f);
}

/* The map colour of unit u; label: its region, or -1 without weight. */
inline uchar4 map_colour(__global const weight_t *w, int u,
                         __global const float *box, int regions,
                         __global const uchar4 *region_colour, uchar4 empty,
                         int *label)
{
    int cx, cy;
    unit_centre(u, &cx, &cy);
    float sw = 0.0f, sx = 0.0f, sy = 0.0f;
    /* Every channel's slots, at their place in the plane. */
    for (int k = 0; k < CF_LEN; k++) {
        int a = k % CF_AREA;
        int dx = a % CF_SIDE - CF_R, dy = a / CF_SIDE - CF_R;
        int rx = cx + dx, ry = cy + dy;
        if (dx * dx + dy * dy > CF_R2I || rx < 0 || ry < 0 || rx >= SKIN_N ||
            ry >= SKIN_N)
            continue;
        float wk = LOAD_W(w, k);
        sw += wk;
        sx += wk * (float)rx;
        sy += wk * (float)ry;
    }
    *label = -1;
    if (!(sw > 0.0f))
        return empty;
    float inv = 1.0f / (float)SKIN_CORE;
    float pad = (float)SKIN_PAD;
    float x = (sx / sw - pad + 0.5f) * inv, y = (sy / sw - pad + 0.5f) * inv;
    int r = region_at(box, regions, x, y);
    if (r < 0)
        return empty;
    float f = (y - box[4 * r + 1]) / (box[4 * r + 3] - box[4 * r + 1]);
    f = f < 0.0f ? 0.0f : f > 1.0f ? 1.0f : f;
    float bright = 0.55f + 0.45f * f;
    uchar4 c = region_colour[r];
    *label = r;
    return (uchar4)(scale_channel(c.x, bright), scale_channel(c.y, bright),
                    scale_channel(c.z, bright), c.w);
}

inline uchar4 scalar_colour(__global const uchar4 *lut, float lo, float hi,
                            float v)
{
    float t = (v - lo) / (hi - lo) * 255.0f + 0.5f;
    int i = isnan(t) ? 0 : t < 0.0f ? 0 : t > 255.0f ? 255 : (int)t;
    return lut[i];
}

inline uchar blend_channel(uchar c, uchar l, float gain)
{
    return (uchar)((float)c * gain + (float)l * (1.0f - gain) + 0.5f);
}

/* Launched per weight chunk (FIELD). */
__kernel void unit_colour(__global const weight_t *weights, int unit_base,
                          __global const float *activity,
                          __global const float *threshold,
                          __global const float *unit_gain,
                          __global const float *box, int regions, int kind,
                          __global const uchar4 *lut, float lo, float hi,
                          __global const uchar4 *region_colour, uchar4 lesion,
                          uchar4 empty, __global uchar4 *colour,
                          __global int *label)
{
    int u = get_global_id(0);
    float gain = unit_gain[u];
    if (gain == 0.0f) {
        colour[u] = lesion;
        label[u] = -2;
        return;
    }
    int l = -1;
    uchar4 c;
    if (kind == PANEL_MAP)
        c = map_colour(FIELD_W(weights, u, unit_base), u, box, regions,
                       region_colour, empty, &l);
    else
        c = scalar_colour(lut, lo, hi,
                          kind == PANEL_ACTIVITY ? activity[u] : threshold[u]);
    if (gain < 1.0f)
        c = (uchar4)(blend_channel(c.x, lesion.x, gain),
                     blend_channel(c.y, lesion.y, gain),
                     blend_channel(c.z, lesion.z, gain), c.w);
    colour[u] = c;
    label[u] = l;
}
