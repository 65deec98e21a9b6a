/* Perturbations: the host edits that timeline events make to a model
 * (lesions, deafferentation, fused regions, enrichment, rehabilitation,
 * sleep, regional neuromodulation), and the cortical shapes they use. */
#include "model/model.h"

#include <math.h>

bool remap_shape_contains(const remap_shape *s, float x, float y)
{
    if (s->kind == REMAP_SHAPE_DISC) {
        float dx = x - s->cx, dy = y - s->cy;
        return dx * dx + dy * dy <= s->radius * s->radius;
    }
    bool inside = false;
    for (int i = 0, j = s->points - 1; i < s->points; j = i++) {
        if ((s->y[i] > y) != (s->y[j] > y) &&
            x < (s->x[j] - s->x[i]) * (y - s->y[i]) / (s->y[j] - s->y[i]) +
                    s->x[i])
            inside = !inside;
    }
    return inside;
}

/* Distance from (x, y) to the segment (ax, ay)-(bx, by). */
static float segment_distance(float x, float y, float ax, float ay, float bx,
                              float by)
{
    float vx = bx - ax, vy = by - ay;
    float len2 = vx * vx + vy * vy;
    float t = len2 > 0.0f ? ((x - ax) * vx + (y - ay) * vy) / len2 : 0.0f;
    t = t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
    float dx = x - (ax + t * vx), dy = y - (ay + t * vy);
    return sqrtf(dx * dx + dy * dy);
}

float remap_shape_distance(const remap_shape *s, float x, float y)
{
    if (remap_shape_contains(s, x, y))
        return 0.0f;
    if (s->kind == REMAP_SHAPE_DISC)
        return hypotf(x - s->cx, y - s->cy) - s->radius;
    float best = INFINITY;
    for (int i = 0, j = s->points - 1; i < s->points; j = i++) {
        float d = segment_distance(x, y, s->x[j], s->y[j], s->x[i], s->y[i]);
        if (d < best)
            best = d;
    }
    return best;
}

int remap_model_lesion(remap_model *m, const remap_shape *s,
                       float penumbra_width, float penumbra_gain,
                       uint64_t recovery)
{
    const remap_geometry *g = &m->geom;
    int killed = 0;
    for (int u = 0; u < g->units; u++) {
        float x, y;
        remap_unit_position(g, u, &x, &y);
        float d = remap_shape_distance(s, x, y);
        if (d == 0.0f) {
            if (m->unit_gain[u] > 0.0f)
                killed++;
            m->unit_gain[u] = 0.0f;
            m->gain_recovery[u] = 0.0f;
            m->activity[u] = 0.0f;
        } else if (d <= penumbra_width && m->unit_gain[u] > penumbra_gain) {
            m->unit_gain[u] = penumbra_gain;
            m->gain_recovery[u] =
                recovery ? (1.0f - penumbra_gain) / (float)recovery : 0.0f;
        }
    }
    return killed;
}

void remap_model_deafferent(remap_model *m, unsigned regions, bool silence)
{
    for (int r = 0; r < m->geom.receptors; r++)
        if (regions & (1u << m->skin_region[r]))
            m->receptor_gain[r] = silence ? 0.0f : 1.0f;
    if (silence)
        m->cond.deafferented |= (uint8_t)regions;
    else
        m->cond.deafferented &= (uint8_t)~regions;
}

void remap_model_fuse(remap_model *m, unsigned regions)
{
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        if (regions & (1u << r))
            m->cond.co_touch[r] |= (uint8_t)(regions & ~(1u << r));
}

void remap_model_enrich(remap_model *m, unsigned regions, float factor)
{
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        if (regions & (1u << r))
            m->cond.enrich[r] *= factor;
    remap_model_params_changed(m);
}

void remap_model_enrich_spot(remap_model *m, const float spot[4],
                             float factor)
{
    /* The chance p0 that a touch lands in the spot now: its region's share
     * of touches times the spot's share of the region. A share q of all
     * touches sent there makes it q + (1 - q) p0 = factor p0. */
    int region = remap_layout_region_at(m->params.layout,
                                        0.5f * (spot[0] + spot[2]),
                                        0.5f * (spot[1] + spot[3]));
    float x0, y0, x1, y1;
    remap_region_bounds(m, region, &x0, &y0, &x1, &y1);
    double below = region > 0 ? (double)m->region_cdf[region - 1] : 0.0;
    double p_region = (double)m->region_cdf[region] - below;
    double spot_area = (double)(spot[2] - spot[0]) * (double)(spot[3] - spot[1]);
    double region_area = (double)(x1 - x0) * (double)(y1 - y0);
    double p0 = p_region * spot_area / region_area;
    double q = p0 < 1.0 ? ((double)factor - 1.0) * p0 / (1.0 - p0) : 0.0;
    q = q < 0.0 ? 0.0 : q > 1.0 ? 1.0 : q;
    for (int i = 0; i < 4; i++)
        m->cond.spot[i] = spot[i];
    m->cond.spot_share = factor == 1.0f ? 0.0f : (float)q;
}

void remap_model_rehab(remap_model *m, unsigned regions, float focus,
                       float gain, bool start)
{
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        m->cond.focus[r] = start && (regions & (1u << r)) ? focus : 1.0f;
    m->cond.rehab_gain = start ? gain : 1.0f;
    remap_model_params_changed(m);
}

void remap_model_sleep(remap_model *m, const remap_sleep_params *sleep)
{
    m->cond.sleeping = sleep != NULL;
    if (sleep)
        m->cond.sleep = *sleep;
}

void remap_model_modulate(remap_model *m, const remap_shape *s, float factor)
{
    const remap_geometry *g = &m->geom;
    for (int u = 0; u < g->units; u++) {
        float x, y;
        remap_unit_position(g, u, &x, &y);
        if (remap_shape_contains(s, x, y))
            m->modulation[u] = factor;
    }
}
