/* Map measures: field centres and sizes, area and magnification per
 * region, coverage, topographic error and population decoding from probe
 * touches, and the lesion, spot and synapse measures. Definitions and
 * reasons: docs/measures.md. */
#include "measure/measure.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

remap_status remap_unit_maps_create(const remap_geometry *g,
                                    remap_unit_maps *maps, remap_error *err)
{
    maps->rf_centre = calloc((size_t)g->units * 2, sizeof(float));
    maps->preferred_region = calloc((size_t)g->units, sizeof(int8_t));
    if (!maps->rf_centre || !maps->preferred_region) {
        remap_unit_maps_destroy(maps);
        return remap_fail(err, REMAP_ENOMEM, "cannot allocate unit maps");
    }
    return REMAP_OK;
}

void remap_unit_maps_destroy(remap_unit_maps *maps)
{
    if (!maps)
        return;
    free(maps->rf_centre);
    free(maps->preferred_region);
    maps->rf_centre = NULL;
    maps->preferred_region = NULL;
}

/* Field geometry of one unit: the receptor index of field slot k of the
 * unit whose field is centred on receptor (cx, cy), or -1 where there is
 * no synapse (outside the circle, mask[k] 0, or off the skin). */
static int field_receptor(const remap_geometry *g, int cx, int cy, int k,
                          const uint8_t *mask)
{
    if (!mask[k])
        return -1;
    /* Slot k is channel k / cf_area at k % cf_area (one channel on the
     * skin, where k < cf_area). */
    int a = k % g->cf_area;
    int rx = cx + a % g->cf_side - g->cf_r;
    int ry = cy + a / g->cf_side - g->cf_r;
    if (rx < 0 || ry < 0 || rx >= g->skin_n || ry >= g->skin_n)
        return -1;
    return ry * g->skin_n + rx + k / g->cf_area * g->plane;
}

static void field_mask(const remap_geometry *g, uint8_t *mask)
{
    for (int k = 0; k < g->cf_len; k++)
        mask[k] = remap_cf_in_circle(g, k);
}

/* Centre of mass, preferred region, half-maximum area and the share of
 * weight outside the preferred region of each field (rf_area and outside
 * may be NULL). */
static void field_maps(const remap_model *m, const uint8_t *mask,
                       remap_unit_maps *maps, float *rf_area, float *outside)
{
    const remap_geometry *g = &m->geom;
    float cell = 1.0f / (float)(g->skin_n * g->skin_n);
    for (int u = 0; u < g->units; u++) {
        const float *w = m->weights + (size_t)u * (size_t)g->cf_len;
        int cx, cy;
        remap_unit_centre(g, u, &cx, &cy);
        double sum = 0, sx = 0, sy = 0;
        double by_region[REMAP_REGION_COUNT] = {0};
        float peak = 0.0f;
        for (int k = 0; k < g->cf_len; k++) {
            int rc = field_receptor(g, cx, cy, k, mask);
            if (rc < 0)
                continue;
            float px, py;
            remap_receptor_position(g, rc, &px, &py);
            sum += (double)w[k];
            sx += (double)(w[k] * px);
            sy += (double)(w[k] * py);
            by_region[m->skin_region[rc]] += (double)w[k];
            if (w[k] > peak)
                peak = w[k];
        }
        maps->rf_centre[2 * u] = sum > 0 ? (float)(sx / sum) : NAN;
        maps->rf_centre[2 * u + 1] = sum > 0 ? (float)(sy / sum) : NAN;
        int best = 0;
        for (int r = 1; r < REMAP_REGION_COUNT; r++)
            if (by_region[r] > by_region[best])
                best = r;
        maps->preferred_region[u] = sum > 0 ? (int8_t)best : (int8_t)-1;
        if (outside)
            outside[u] = sum > 0 ? (float)(1.0 - by_region[best] / sum) : 0.0f;
        if (!rf_area)
            continue;
        int above = 0;
        for (int k = 0; k < g->cf_len; k++)
            if (field_receptor(g, cx, cy, k, mask) >= 0 &&
                w[k] >= 0.5f * peak && peak > 0.0f)
                above++;
        rf_area[u] = (float)above * cell;
    }
}

remap_status remap_unit_maps_compute(const remap_model *m,
                                     remap_unit_maps *maps, remap_error *err)
{
    const remap_geometry *g = &m->geom;
    uint8_t *mask = malloc((size_t)g->cf_len);
    if (!mask)
        return remap_fail(err, REMAP_ENOMEM, "unit maps: out of memory");
    field_mask(g, mask);
    field_maps(m, mask, maps, NULL, NULL);
    free(mask);
    return REMAP_OK;
}

static int adjacent(int a, int b, int n)
{
    int ax = a % n, ay = a / n, bx = b % n, by = b / n;
    return abs(ax - bx) <= 1 && abs(ay - by) <= 1;
}

/* Answers probe touches. The probes are rendered by the model's own touch
 * arithmetic on a copy of the model whose fusion is cleared: a probe tests
 * one place, so a fused region must not answer for it. The receptor gains
 * stay, so a deafferented region's probes are silent. */
typedef struct prober {
    const remap_model *m;
    remap_model unfused; /* shallow copy without co_touch */
    uint8_t *mask;       /* [cf_len] */
    int *half_width;     /* [cf_side] the field circle's half-width on row
                            dy + cf_r, or -1 for none */
    float *input;        /* [receptors] */
    float *response;     /* [units] */
} prober;

static void prober_free(prober *p)
{
    free(p->mask), free(p->half_width), free(p->input), free(p->response);
}

static remap_status prober_init(prober *p, const remap_model *m,
                                remap_error *err)
{
    const remap_geometry *g = &m->geom;
    p->m = m;
    p->unfused = *m;
    memset(p->unfused.cond.co_touch, 0, sizeof p->unfused.cond.co_touch);
    p->mask = malloc((size_t)g->cf_len);
    p->half_width = malloc((size_t)g->cf_side * sizeof(int));
    p->input = malloc((size_t)g->receptors * sizeof(float));
    p->response = malloc((size_t)g->units * sizeof(float));
    if (!p->mask || !p->half_width || !p->input || !p->response) {
        prober_free(p);
        return remap_fail(err, REMAP_ENOMEM, "measure: out of memory");
    }
    field_mask(g, p->mask);
    for (int row = 0; row < g->cf_side; row++) {
        int h = -1;
        for (int dx = 0; dx <= g->cf_r; dx++)
            if (p->mask[row * g->cf_side + g->cf_r + dx])
                h = dx;
        p->half_width[row] = h;
    }
    return REMAP_OK;
}

/* The afferent sum of unit u (field centre cx, cy) for an input that is 0
 * outside the receptor box [x0, x1] x [y0, y1]: the field's rows and
 * columns are clipped to the circle, the skin and the box, and the rest
 * summed in slot order. Every skipped term is w 0 = +0 (weights are
 * finite: a run stops at the first non-finite value), which leaves the
 * (non-negative) sum as the full loop over the field gives it. */
static float field_sum(const prober *p, const float *w, int cx, int cy,
                       int x0, int y0, int x1, int y1)
{
    const remap_geometry *g = &p->m->geom;
    float c = 0.0f;
    for (int dy = -g->cf_r; dy <= g->cf_r; dy++) {
        int ry = cy + dy, h = p->half_width[dy + g->cf_r];
        if (ry < y0 || ry > y1 || h < 0)
            continue;
        int lo = cx - h > x0 ? cx - h : x0;
        int hi = cx + h < x1 ? cx + h : x1;
        /* Slot of receptor rx in this row: row start + cf_r + rx - cx. */
        int base = (dy + g->cf_r) * g->cf_side + g->cf_r - cx;
        const float *xr = p->input + (size_t)ry * (size_t)g->skin_n;
        for (int rx = lo; rx <= hi; rx++)
            c += w[base + rx] * xr[rx];
    }
    return c;
}

/* The probe centred on receptor rc: fills p->response with each unit's
 * response gain[u] strength drive_scale[u] sum w x (0 for a dead unit),
 * and returns the best and second-best living units (-1 when none) and
 * the probe's position. */
static void probe(prober *p, const float *gain, int rc, int *best_out,
                  int *second_out, float *x, float *y)
{
    const remap_model *m = p->m;
    const remap_geometry *g = &m->geom;
    remap_touch t;
    t.region = m->skin_region[rc];
    remap_receptor_position(g, rc, &t.x, &t.y);
    remap_touch_render(&p->unfused, &t, p->input);
    *x = t.x, *y = t.y;
    /* The box of the receptors the probe reaches (its region's): fields
     * that miss it respond 0, and field_sum visits only what is inside. */
    int n = g->skin_n, x0 = n, y0 = n, x1 = -1, y1 = -1;
    for (int r = 0; r < g->receptors; r++) {
        if (p->input[r] == 0.0f)
            continue;
        int rx = r % n, ry = r / n;
        x0 = rx < x0 ? rx : x0, x1 = rx > x1 ? rx : x1;
        y0 = ry < y0 ? ry : y0, y1 = ry > y1 ? ry : y1;
    }
    int best = -1, second = -1;
    float strength = m->params.afferent.strength;
    for (int u = 0; u < g->units; u++) {
        if (gain[u] == 0.0f) {
            p->response[u] = 0.0f;
            continue;
        }
        const float *w = m->weights + (size_t)u * (size_t)g->cf_len;
        int cx, cy;
        remap_unit_centre(g, u, &cx, &cy);
        float c = field_sum(p, w, cx, cy, x0, y0, x1, y1);
        /* Rank by the afferent drive alone: the thresholds differ from
         * unit to unit and would reorder neighbours. */
        float r = gain[u] * (strength * m->drive_scale[u] * c);
        p->response[u] = r;
        if (best < 0 || r > p->response[best]) {
            second = best;
            best = u;
        } else if (second < 0 || r > p->response[second]) {
            second = u;
        }
    }
    *best_out = best, *second_out = second;
}

/* The part of a unit's probe response that the probe evoked: a unit whose
 * threshold has fallen below 0 (homeostasis in silenced cortex) fires
 * without input, and that spontaneous rate is not a response to the
 * probe. Positive only when the probe drives the unit past its threshold
 * and past its spontaneous rate. */
static float evoked(float response, float threshold)
{
    return response - fmaxf(threshold, 0.0f);
}

/* Population decoding of the last probe: the mean of the responding
 * units' field centres weighted by response minus threshold. Returns 0
 * when no responding unit has a field centre. */
static int decode(const prober *p, const remap_unit_maps *maps, float *dx,
                  float *dy)
{
    const remap_model *m = p->m;
    double wsum = 0, sx = 0, sy = 0;
    for (int u = 0; u < m->geom.units; u++) {
        if (m->unit_gain[u] == 0.0f)
            continue;
        double e = (double)evoked(p->response[u], m->threshold[u]);
        float cx = maps->rf_centre[2 * u], cy = maps->rf_centre[2 * u + 1];
        if (!(e > 0) || !isfinite(cx) || !isfinite(cy))
            continue;
        wsum += e;
        sx += e * (double)cx;
        sy += e * (double)cy;
    }
    if (!(wsum > 0))
        return 0;
    *dx = (float)(sx / wsum);
    *dy = (float)(sy / wsum);
    return 1;
}

/* Marks the living units within REMAP_PERILESION_RING of a dead unit
 * (distance between unit positions, inclusive). Returns whether any unit
 * is dead. */
static int perilesion_mark(const remap_model *m, uint8_t *ring)
{
    const remap_geometry *g = &m->geom;
    int n = g->cortex_n;
    float reach = REMAP_PERILESION_RING * (float)n; /* in unit spacings */
    float reach2 = reach * reach + 1e-3f;
    int w = (int)floorf(reach + 1e-3f);
    int any = 0;
    memset(ring, 0, (size_t)g->units);
    for (int u = 0; u < g->units; u++) {
        if (m->unit_gain[u] != 0.0f)
            continue;
        any = 1;
        int ux = u % n, uy = u / n;
        for (int y = uy - w; y <= uy + w; y++) {
            for (int x = ux - w; x <= ux + w; x++) {
                if (x < 0 || y < 0 || x >= n || y >= n)
                    continue;
                int dx = x - ux, dy = y - uy;
                if ((float)(dx * dx + dy * dy) <= reach2 &&
                    m->unit_gain[y * n + x] != 0.0f)
                    ring[y * n + x] = 1;
            }
        }
    }
    return any;
}

/* Probe grid: every stride-th receptor in each direction, starting at
 * stride / 2, with the smallest stride giving at most max_probes. */
static int probe_stride(const remap_geometry *g, int max_probes)
{
    int stride = 1;
    while (max_probes > 0 &&
           (g->skin_n / stride) * (g->skin_n / stride) > max_probes)
        stride++;
    return stride;
}

static float ratio(double num, double den)
{
    return den > 0 ? (float)(num / den) : 0.0f;
}

remap_status remap_measure(const remap_model *m, int max_probes,
                           const uint32_t *counts_before,
                           remap_unit_maps *maps, remap_measures *out,
                           remap_error *err)
{
    const remap_geometry *g = &m->geom;
    memset(out, 0, sizeof *out);
    out->iteration = m->iteration;
    out->regions = remap_model_regions(m);
    out->visual = g->eyes > 0;
    out->eyes = g->eyes;

    prober p;
    remap_status st = prober_init(&p, m, err);
    if (st)
        return st;
    float *rf_area = malloc((size_t)g->units * sizeof(float));
    float *outside = malloc((size_t)g->units * sizeof(float));
    uint8_t *responsive = calloc((size_t)g->units, 1);
    uint8_t *winner = calloc((size_t)g->units, 1);
    uint8_t *ring = malloc((size_t)g->units);
    float *strongest = calloc((size_t)g->units, sizeof(float));
    int8_t *driver = malloc((size_t)g->units);
    if (!rf_area || !outside || !responsive || !winner || !ring ||
        !strongest || !driver) {
        prober_free(&p);
        free(rf_area), free(outside), free(responsive), free(winner);
        free(ring), free(strongest), free(driver);
        return remap_fail(err, REMAP_ENOMEM, "measure: out of memory");
    }
    field_maps(m, p.mask, maps, rf_area, outside);

    int stride = probe_stride(g, max_probes);
    int probes = 0, answered = 0, disordered = 0, decoded = 0;
    int affected = 0, localised = 0, affected_decoded = 0;
    double decode_sum = 0, affected_sum = 0;
    float near = REMAP_LOCALISED_SIGMAS * m->params.stimulus.sigma;
    /* A touch on a retina is no stimulus: visual maps are measured with
     * gratings (measure/vision.h). */
    int probe_rows = out->visual ? 0 : g->skin_n;
    for (int ry = stride / 2; ry < probe_rows; ry += stride) {
        for (int rx = stride / 2; rx < g->skin_n; rx += stride) {
            int rc = ry * g->skin_n + rx;
            int best, second;
            float px, py;
            probe(&p, m->unit_gain, rc, &best, &second, &px, &py);
            for (int u = 0; u < g->units; u++) {
                float e = evoked(p.response[u], m->threshold[u]);
                if (m->unit_gain[u] == 0.0f || !(e > 0.0f))
                    continue;
                if (!responsive[u] || e > strongest[u]) {
                    strongest[u] = e;
                    driver[u] = (int8_t)m->skin_region[rc];
                }
                responsive[u] = 1;
            }
            probes++;
            int hit = m->affected[rc] != 0;
            affected += hit;
            if (best < 0 || !(evoked(p.response[best], m->threshold[best]) > 0))
                continue;
            answered++;
            winner[best] = 1;
            if (second >= 0 && !adjacent(best, second, g->cortex_n))
                disordered++;
            float dx, dy;
            if (!decode(&p, maps, &dx, &dy))
                continue;
            float e = hypotf(dx - px, dy - py);
            decoded++;
            decode_sum += (double)e;
            if (hit) {
                affected_decoded++;
                affected_sum += (double)e;
                localised += e <= near;
            }
        }
    }

    int dead = 0, living = 0;
    long live_syn = 0;
    double weak_share = 0;
    for (int u = 0; u < g->units; u++) {
        if (m->unit_gain[u] == 0.0f) {
            dead++;
            continue;
        }
        living++;
        const uint8_t *syn = m->synapse + (size_t)u * (size_t)g->cf_len;
        int cx, cy;
        remap_unit_centre(g, u, &cx, &cy);
        const float *w = m->weights + (size_t)u * (size_t)g->cf_len;
        double total = 0;
        int n = 0;
        for (int k = 0; k < g->cf_len; k++) {
            if (!syn[k] || field_receptor(g, cx, cy, k, p.mask) < 0)
                continue;
            n++;
            total += (double)w[k];
        }
        live_syn += n;
        if (!(total > 0))
            continue;
        double weak = (double)REMAP_WEAK_LEVEL * total / n, below = 0;
        for (int k = 0; k < g->cf_len; k++)
            if (syn[k] && field_receptor(g, cx, cy, k, p.mask) >= 0 &&
                (double)w[k] < weak)
                below += (double)w[k];
        weak_share += below / total;
    }
    int lesioned = dead > 0 && perilesion_mark(m, ring);
    const float *spot = m->cond.spot;
    int has_spot = spot[0] != 0.0f || spot[1] != 0.0f || spot[2] != 0.0f ||
                   spot[3] != 0.0f;

    int counted[REMAP_REGION_COUNT] = {0};
    int peri_counted[REMAP_REGION_COUNT] = {0};
    double region_rf[REMAP_REGION_COUNT] = {0};
    double rf_sum = 0, peri_rf = 0, spot_rf = 0;
    int multi = 0, in_spot = 0;
    for (int u = 0; u < g->units; u++) {
        out->mean_activity += m->avg_activity[u];
        out->mean_threshold += m->threshold[u];
        if (m->active_count[u] > (counts_before ? counts_before[u] : 0))
            out->active_units++;
        if (winner[u])
            out->distinct_winners++;
        if (!responsive[u])
            continue;
        out->responsive_units++;
        /* A unit belongs to the region whose touch drives it most, as in
         * an electrophysiological map: silent weights onto a deafferented
         * digit do not make its territory. */
        int pr = driver[u];
        counted[pr]++;
        region_rf[pr] += (double)rf_area[u];
        rf_sum += (double)rf_area[u];
        multi += outside[u] >= REMAP_MULTI_REGION_SHARE;
        if (lesioned && ring[u]) {
            out->perilesion_units++;
            peri_rf += (double)rf_area[u];
            peri_counted[pr]++;
        }
        float cx = maps->rf_centre[2 * u], cy = maps->rf_centre[2 * u + 1];
        if (has_spot && cx >= spot[0] && cx < spot[2] && cy >= spot[1] &&
            cy < spot[3]) {
            in_spot++;
            spot_rf += (double)rf_area[u];
        }
    }
    out->mean_activity /= (float)g->units;
    out->mean_threshold /= (float)g->units;

    int responsive_units = out->responsive_units;
    int living_units = g->units - dead;
    int skin_count[REMAP_REGION_COUNT] = {0};
    for (int r = 0; r < g->receptors; r++)
        skin_count[m->skin_region[r]]++;
    for (int r = 0; r < REMAP_REGION_COUNT; r++) {
        out->area[r] = ratio(counted[r], living_units);
        out->skin_share[r] = (float)skin_count[r] / (float)g->receptors;
        out->magnification[r] = out->skin_share[r] > 0.0f
                                    ? out->area[r] / out->skin_share[r]
                                    : 0.0f;
        out->region_rf_size[r] = ratio(region_rf[r], counted[r]);
        out->perilesion[r] = ratio(peri_counted[r], out->perilesion_units);
    }
    out->rf_size = ratio(rf_sum, responsive_units);
    out->probes = probes;
    out->coverage = ratio(answered, probes);
    out->topographic_error = answered ? (float)disordered / (float)answered
                                      : 1.0f;
    out->perilesion_rf_size = ratio(peri_rf, out->perilesion_units);
    out->multi_region_rf = ratio(multi, responsive_units);
    out->decode_error = decoded ? (float)(decode_sum / decoded) : NAN;
    out->affected_probes = affected;
    out->affected_localised = ratio(localised, affected);
    if (affected == 0)
        out->affected_decode_error = 0.0f;
    else if (affected_decoded)
        out->affected_decode_error = (float)(affected_sum / affected_decoded);
    else
        out->affected_decode_error = NAN;
    out->spot_area = ratio(in_spot, living_units);
    out->spot_rf_size = ratio(spot_rf, in_spot);
    out->live_synapses = ratio((double)live_syn, living);
    out->weak_share = ratio(weak_share, living);
    out->dead_units = dead;

    prober_free(&p);
    free(rf_area), free(outside), free(responsive), free(winner), free(ring);
    free(strongest), free(driver);
    return REMAP_OK;
}

remap_status remap_measure_affected(const remap_model *m,
                                    const float *gain_before,
                                    uint8_t *affected, int *count,
                                    remap_error *err)
{
    const remap_geometry *g = &m->geom;
    *count = 0;
    prober p;
    remap_status st = prober_init(&p, m, err);
    if (st)
        return st;
    /* Only places a newly dead unit could have answered need a probe. */
    int newly_dead = 0;
    for (int u = 0; u < g->units; u++)
        newly_dead += gain_before[u] != 0.0f && m->unit_gain[u] == 0.0f;
    for (int rc = 0; newly_dead && rc < g->receptors; rc++) {
        int best, second;
        float px, py;
        probe(&p, gain_before, rc, &best, &second, &px, &py);
        if (best < 0 || !(p.response[best] > m->threshold[best]))
            continue;
        if (m->unit_gain[best] == 0.0f) {
            affected[rc] = 1;
            (*count)++;
        }
    }
    prober_free(&p);
    return REMAP_OK;
}

/* snprintf that appends at *n and never runs past size. */
static void append(char *buf, size_t size, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
    if (*n >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *n, size - *n, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    *n += (size_t)k;
    if (*n >= size)
        *n = size;
}

/* Columns after `iteration`, in order: a name with a region placeholder
 * is repeated once per region. Row and header both follow this table. */
enum col_kind { COL_FLOAT, COL_INT, COL_REGION };
typedef struct column {
    const char *name;
    enum col_kind kind;
    size_t offset; /* of the float, int or float[REMAP_REGION_COUNT] */
} column;

#define F(field) offsetof(remap_measures, field)
static const column columns[] = {
    {"area", COL_REGION, F(area)},
    {"rf_size", COL_FLOAT, F(rf_size)},
    {"coverage", COL_FLOAT, F(coverage)},
    {"topographic_error", COL_FLOAT, F(topographic_error)},
    {"mean_activity", COL_FLOAT, F(mean_activity)},
    {"mean_threshold", COL_FLOAT, F(mean_threshold)},
    {"responsive_units", COL_INT, F(responsive_units)},
    {"distinct_winners", COL_INT, F(distinct_winners)},
    {"active_units", COL_INT, F(active_units)},
    {"probes", COL_INT, F(probes)},
    {"magnification", COL_REGION, F(magnification)},
    {"rf_size", COL_REGION, F(region_rf_size)},
    {"multi_region_rf", COL_FLOAT, F(multi_region_rf)},
    {"decode_error", COL_FLOAT, F(decode_error)},
    {"dead_units", COL_INT, F(dead_units)},
    {"live_synapses", COL_FLOAT, F(live_synapses)},
    {"weak_share", COL_FLOAT, F(weak_share)},
    {"perilesion", COL_REGION, F(perilesion)},
    {"perilesion_units", COL_INT, F(perilesion_units)},
    {"perilesion_rf_size", COL_FLOAT, F(perilesion_rf_size)},
    {"affected_probes", COL_INT, F(affected_probes)},
    {"affected_localised", COL_FLOAT, F(affected_localised)},
    {"affected_decode_error", COL_FLOAT, F(affected_decode_error)},
    {"spot_area", COL_FLOAT, F(spot_area)},
    {"spot_rf_size", COL_FLOAT, F(spot_rf_size)},
};

/* The visual layouts' columns; the od_ ones need two eyes. */
static const column visual_columns[] = {
    {"selectivity_mean", COL_FLOAT, F(selectivity_mean)},
    {"pinwheels", COL_INT, F(pinwheels)},
    {"pinwheel_density", COL_FLOAT, F(pinwheel_density)},
    {"hypercolumn", COL_FLOAT, F(hypercolumn)},
    {"od_mean", COL_FLOAT, F(od_mean)},
    {"od_spread", COL_FLOAT, F(od_spread)},
    {"mean_activity", COL_FLOAT, F(mean_activity)},
    {"mean_threshold", COL_FLOAT, F(mean_threshold)},
    {"active_units", COL_INT, F(active_units)},
    {"dead_units", COL_INT, F(dead_units)},
    {"live_synapses", COL_FLOAT, F(live_synapses)},
    {"weak_share", COL_FLOAT, F(weak_share)},
};
#undef F

/* The column table of a layout, and how many of its columns there are. */
static const column *column_table(bool visual, size_t *count)
{
    if (visual) {
        *count = sizeof visual_columns / sizeof visual_columns[0];
        return visual_columns;
    }
    *count = sizeof columns / sizeof columns[0];
    return columns;
}

/* Whether a column is written for a model with `eyes` eyes. */
static bool column_used(const column *c, int eyes)
{
    return eyes == 2 || strncmp(c->name, "od_", 3) != 0;
}

void remap_measures_csv_header(const remap_model *m, char *buf, size_t size)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    size_t n = 0;
    int regions = remap_model_regions(m);
    size_t count;
    const column *table = column_table(m->geom.eyes > 0, &count);
    append(buf, size, &n, "iteration");
    for (size_t c = 0; c < count; c++) {
        if (!column_used(&table[c], m->geom.eyes))
            continue;
        if (table[c].kind != COL_REGION) {
            append(buf, size, &n, ",%s", table[c].name);
            continue;
        }
        for (int r = 0; r < regions; r++)
            append(buf, size, &n, ",%s_%s", table[c].name,
                   remap_layout_region_name(m->params.layout, r));
    }
}

void remap_measures_csv_row(const remap_measures *ms, char *buf, size_t size)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    size_t n = 0;
    const char *base = (const char *)ms;
    append(buf, size, &n, "%llu", (unsigned long long)ms->iteration);
    size_t count;
    const column *table = column_table(ms->visual, &count);
    for (size_t c = 0; c < count; c++) {
        if (!column_used(&table[c], ms->eyes))
            continue;
        const char *at = base + table[c].offset;
        switch (table[c].kind) {
        case COL_FLOAT: {
            float v;
            memcpy(&v, at, sizeof v);
            append(buf, size, &n, ",%.6g", (double)v);
            break;
        }
        case COL_INT: {
            int v;
            memcpy(&v, at, sizeof v);
            append(buf, size, &n, ",%d", v);
            break;
        }
        case COL_REGION: {
            float v[REMAP_REGION_COUNT];
            memcpy(v, at, sizeof v);
            for (int r = 0; r < ms->regions && r < REMAP_REGION_COUNT; r++)
                append(buf, size, &n, ",%.6g", (double)v[r]);
            break;
        }
        }
    }
}
