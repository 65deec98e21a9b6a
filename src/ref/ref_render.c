/* The reference twin of kernels/render.cl: the units of cortical panels
 * coloured from the host state in plain C, with the kernel's arithmetic
 * step for step (the backend tests compare the two byte for byte). */
#include "ref/ref_render.h"

#include <math.h>

/* Region whose box holds (x, y), or -1. */
static int region_at(const remap_model *m, float x, float y)
{
    for (int r = 0; r < remap_model_regions(m); r++) {
        float x0, y0, x1, y1;
        remap_region_bounds(m, r, &x0, &y0, &x1, &y1);
        if (x >= x0 && x < x1 && y >= y0 && y < y1)
            return r;
    }
    return -1;
}

static uint8_t scale(uint8_t c, float f)
{
    return (uint8_t)((float)c * f + 0.5f);
}

/* The map colour of unit u: its field's centre of mass, coloured by the
 * region it falls in and brightened towards the region's top. Sets
 * *label to the region, or -1 for a field without weight. */
static void map_colour(const remap_model *m, const remap_render_request *rq,
                       int u, uint8_t out[4], int *label)
{
    const remap_geometry *g = &m->geom;
    const float *w = m->weights + (size_t)u * (size_t)g->cf_len;
    int cx, cy;
    remap_unit_centre(g, u, &cx, &cy);
    float sw = 0.0f, sx = 0.0f, sy = 0.0f;
    /* Every channel's slots, at their place in the plane. */
    for (int k = 0; k < g->cf_len; k++) {
        int a = k % g->cf_area;
        int dx = a % g->cf_side - g->cf_r, dy = a / g->cf_side - g->cf_r;
        int rx = cx + dx, ry = cy + dy;
        if (dx * dx + dy * dy > g->cf_r2i || rx < 0 || ry < 0 ||
            rx >= g->skin_n || ry >= g->skin_n)
            continue;
        sw += w[k];
        sx += w[k] * (float)rx;
        sy += w[k] * (float)ry;
    }
    *label = -1;
    for (int c = 0; c < 4; c++)
        out[c] = rq->empty[c];
    if (!(sw > 0.0f))
        return;
    float inv = 1.0f / (float)g->skin_core;
    float pad = (float)g->skin_pad;
    float x = (sx / sw - pad + 0.5f) * inv, y = (sy / sw - pad + 0.5f) * inv;
    int r = region_at(m, x, y);
    if (r < 0)
        return;
    float x0, y0, x1, y1;
    remap_region_bounds(m, r, &x0, &y0, &x1, &y1);
    float f = (y - y0) / (y1 - y0);
    f = f < 0.0f ? 0.0f : f > 1.0f ? 1.0f : f;
    float bright = 0.55f + 0.45f * f;
    for (int c = 0; c < 3; c++)
        out[c] = scale(rq->region_colour[r][c], bright);
    out[3] = rq->region_colour[r][3];
    *label = r;
}

static void scalar_colour(const remap_render_request *rq, float v,
                          uint8_t out[4])
{
    float t = (v - rq->lo) / (rq->hi - rq->lo) * 255.0f + 0.5f;
    int i = isnan(t) ? 0 : t < 0.0f ? 0 : t > 255.0f ? 255 : (int)t;
    for (int c = 0; c < 4; c++)
        out[c] = rq->lut[i][c];
}

/* Colour and label of unit u; dead units are labelled -2. */
static void unit_colour(const remap_model *m, const remap_render_request *rq,
                        int u, uint8_t out[4], int *label)
{
    float gain = m->unit_gain[u];
    if (gain == 0.0f) {
        for (int c = 0; c < 4; c++)
            out[c] = rq->lesion[c];
        *label = -2;
        return;
    }
    *label = -1;
    if (rq->kind == REMAP_PANEL_MAP)
        map_colour(m, rq, u, out, label);
    else
        scalar_colour(rq,
                      rq->kind == REMAP_PANEL_ACTIVITY ? m->activity[u]
                                                       : m->threshold[u],
                      out);
    if (gain < 1.0f)
        for (int c = 0; c < 3; c++)
            out[c] = (uint8_t)((float)out[c] * gain +
                               (float)rq->lesion[c] * (1.0f - gain) + 0.5f);
}

void remap_ref_colour_units(const remap_model *m,
                            const remap_render_request *rq,
                            uint8_t (*colour)[4], int *label)
{
    for (int u = 0; u < m->geom.units; u++)
        unit_colour(m, rq, u, colour[u], &label[u]);
}
