/* Model creation: geometry, initial state, the touch generator, and the
 * dispatch of steps to the backend. */
#include "model/model.h"

#include <Random123/philox.h>

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void remap_region_bounds(const remap_model *m, int region, float *x0,
                         float *y0, float *x1, float *y1)
{
    remap_layout_bounds(m->params.layout, region, x0, y0, x1, y1);
}

int remap_model_regions(const remap_model *m)
{
    return remap_layout_region_count(m->params.layout);
}

void remap_geometry_from_params(const remap_params *p, remap_geometry *g)
{
    memset(g, 0, sizeof *g);
    g->skin_core = (int)lroundf(p->skin.density);
    g->eyes = remap_layout_eyes(p->layout);
    g->channels = g->eyes > 0 ? 2 * g->eyes : 1;
    g->cortex_n = (int)lroundf(p->cortex.density);
    g->units = g->cortex_n * g->cortex_n;
    float rr = p->afferent.radius * (float)g->skin_core;
    g->structural = p->afferent.structural.max_radius > 0.0f;
    float rmax = g->structural
                     ? p->afferent.structural.max_radius * (float)g->skin_core
                     : rr;
    g->cf_r = (int)floorf(rmax);
    g->skin_pad = g->eyes > 0 ? g->cf_r : 0;
    g->skin_n = g->skin_core + 2 * g->skin_pad;
    g->plane = g->skin_n * g->skin_n;
    g->receptors = g->channels * g->plane;
    g->cf_side = 2 * g->cf_r + 1;
    g->cf_area = g->cf_side * g->cf_side;
    g->cf_len = g->channels * g->cf_area;
    g->cf_r2i = (int)floorf(rmax * rmax);
    g->init_r2i = (int)floorf(rr * rr);
    int init_r = (int)floorf(rr);
    for (int dy = -init_r; dy <= init_r; dy++)
        for (int dx = -init_r; dx <= init_r; dx++)
            if (dx * dx + dy * dy <= g->init_r2i)
                g->cf_full++;
    g->cf_rate_n = g->cf_full;
    g->cf_full *= g->channels;
    g->exc_r = (int)floorf(p->excitatory.radius * (float)g->cortex_n);
    g->inh_r = (int)floorf(p->inhibitory.radius * (float)g->cortex_n);
    const remap_lateral_params *lat[2] = {&p->excitatory, &p->inhibitory};
    int lat_r[2] = {g->exc_r, g->inh_r};
    for (int q = 0; q < 2; q++) {
        if (!lat[q]->plastic)
            continue;
        int r = lat_r[q], side = 2 * r + 1;
        g->lat_plastic[q] = 1;
        g->lat_len[q] = side * side;
        for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++)
                g->lat_full[q] += dx * dx + dy * dy <= r * r;
    }
    if (g->eyes > 0) {
        g->lgn_r = (int)ceilf(p->lgn.radius * (float)g->skin_core);
        g->retina_n = g->skin_n + 2 * g->lgn_r;
    }
}

void remap_memory_need(const remap_geometry *g, remap_memory *mem)
{
    uint64_t units = (uint64_t)g->units;
    uint64_t weights = units * (uint64_t)g->cf_len * sizeof(float);
    uint64_t kernels = ((uint64_t)(2 * g->exc_r + 1) * (uint64_t)(2 * g->exc_r + 1) +
                        (uint64_t)(2 * g->inh_r + 1) * (uint64_t)(2 * g->inh_r + 1)) *
                       sizeof(float);
    uint64_t synapses = units * (uint64_t)g->cf_len;
    /* Per unit: threshold, average, activity, afferent drive, two settling
     * buffers, the activity counter, BCM threshold, drive scale, gain,
     * gain recovery and modulation. */
    uint64_t per_unit = units * 12 * sizeof(float);
    /* Per receptor: input, trace, gain; region label and affected flag. */
    uint64_t skin = (uint64_t)g->receptors * (3 * sizeof(float) + 2);
    /* Plastic lateral weights; the retina images and their gains. */
    uint64_t lateral = units * (uint64_t)(g->lat_len[0] + g->lat_len[1]) *
                       sizeof(float);
    uint64_t retina = (uint64_t)g->eyes * (uint64_t)g->retina_n *
                      (uint64_t)g->retina_n * 2 * sizeof(float);
    mem->total = weights + synapses + kernels + per_unit + skin + lateral +
                 retina;
    mem->largest = weights;
}

/* Positions multiply by the reciprocal rather than divide, so that the
 * OpenCL kernels, where single-precision division need not be correctly
 * rounded, compute the very same values. */
void remap_unit_position(const remap_geometry *g, int u, float *x, float *y)
{
    float inv = 1.0f / (float)g->cortex_n;
    *x = ((float)(u % g->cortex_n) + 0.5f) * inv;
    *y = ((float)(u / g->cortex_n) + 0.5f) * inv;
}

void remap_receptor_position(const remap_geometry *g, int r, float *x,
                             float *y)
{
    float inv = 1.0f / (float)g->skin_core;
    int p = r % g->plane;
    *x = ((float)(p % g->skin_n - g->skin_pad) + 0.5f) * inv;
    *y = ((float)(p / g->skin_n - g->skin_pad) + 0.5f) * inv;
}

void remap_unit_centre(const remap_geometry *g, int u, int *cx, int *cy)
{
    /* floor(((i + 0.5) / cortex_n) * skin_core), in exact integer
     * arithmetic, past the margin. */
    *cx = g->skin_pad +
          (2 * (u % g->cortex_n) + 1) * g->skin_core / (2 * g->cortex_n);
    *cy = g->skin_pad +
          (2 * (u / g->cortex_n) + 1) * g->skin_core / (2 * g->cortex_n);
}

static int clamp_index(int i, int n)
{
    return i < 0 ? 0 : i >= n ? n - 1 : i;
}

int remap_skin_index(const remap_geometry *g, float x, float y)
{
    int ix = clamp_index(
        (int)floorf(x * (float)g->skin_core) + g->skin_pad, g->skin_n);
    int iy = clamp_index(
        (int)floorf(y * (float)g->skin_core) + g->skin_pad, g->skin_n);
    return iy * g->skin_n + ix;
}

bool remap_cf_in_circle(const remap_geometry *g, int k)
{
    int a = k % g->cf_area;
    int dx = a % g->cf_side - g->cf_r, dy = a / g->cf_side - g->cf_r;
    return dx * dx + dy * dy <= g->cf_r2i;
}

int remap_cf_slot_receptor(const remap_geometry *g, int unit, int k)
{
    int a = k % g->cf_area;
    int rc = remap_cf_receptor(g, unit, a % g->cf_side - g->cf_r,
                               a / g->cf_side - g->cf_r);
    return rc < 0 ? -1 : rc + k / g->cf_area * g->plane;
}

int remap_cf_receptor(const remap_geometry *g, int unit, int dx, int dy)
{
    if (dx * dx + dy * dy > g->cf_r2i)
        return -1;
    int cx, cy;
    remap_unit_centre(g, unit, &cx, &cy);
    int rx = cx + dx, ry = cy + dy;
    if (rx < 0 || ry < 0 || rx >= g->skin_n || ry >= g->skin_n)
        return -1;
    return ry * g->skin_n + rx;
}

/* Uniform float in [0, 1) from the top 24 bits, exact in float. */
static float unit_float(uint32_t u)
{
    return (float)(u >> 8) * 0x1p-24f;
}

static philox4x32_ctr_t philox(uint64_t seed, uint32_t c0, uint32_t c1,
                               uint32_t c2, uint32_t c3)
{
    philox4x32_key_t key = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    philox4x32_ctr_t ctr = {{c0, c1, c2, c3}};
    return philox4x32(ctr, key);
}

void remap_touch_draw(const remap_model *m, uint64_t iteration,
                      remap_touch *out)
{
    philox4x32_ctr_t r = philox(m->seed, (uint32_t)iteration,
                                (uint32_t)(iteration >> 32),
                                REMAP_STREAM_TOUCH, 0);
    float pick = unit_float(r.v[0]);
    int region = REMAP_REGION_COUNT - 1;
    for (int k = 0; k < REMAP_REGION_COUNT; k++) {
        if (pick < m->region_cdf[k]) {
            region = k;
            break;
        }
    }
    float x0, y0, x1, y1;
    remap_region_bounds(m, region, &x0, &y0, &x1, &y1);
    if (unit_float(r.v[3]) < m->cond.spot_share) {
        x0 = m->cond.spot[0], y0 = m->cond.spot[1];
        x1 = m->cond.spot[2], y1 = m->cond.spot[3];
        region = remap_layout_region_at(m->params.layout, 0.5f * (x0 + x1),
                                        0.5f * (y0 + y1));
    }
    out->region = region;
    out->x = x0 + unit_float(r.v[1]) * (x1 - x0);
    out->y = y0 + unit_float(r.v[2]) * (y1 - y0);
}

float remap_touch_inv2s2(const remap_params *p)
{
    return 1.0f / (2.0f * p->stimulus.sigma * p->stimulus.sigma);
}

void remap_touch_render(const remap_model *m, const remap_touch *t,
                        float *input)
{
    const remap_geometry *g = &m->geom;
    float inv2s2 = remap_touch_inv2s2(&m->params);
    /* The touch centre in each region: the touched one, and the same
     * relative place of every region fused with it. */
    float cx[REMAP_REGION_COUNT], cy[REMAP_REGION_COUNT];
    unsigned touched = (1u << t->region) | m->cond.co_touch[t->region];
    float tx0, ty0, tx1, ty1;
    remap_region_bounds(m, t->region, &tx0, &ty0, &tx1, &ty1);
    float fx = (t->x - tx0) / (tx1 - tx0), fy = (t->y - ty0) / (ty1 - ty0);
    for (int q = 0; q < REMAP_REGION_COUNT; q++) {
        if (q == t->region) {
            cx[q] = t->x, cy[q] = t->y;
        } else if (touched & (1u << q)) {
            float x0, y0, x1, y1;
            remap_region_bounds(m, q, &x0, &y0, &x1, &y1);
            cx[q] = x0 + fx * (x1 - x0);
            cy[q] = y0 + fy * (y1 - y0);
        }
    }
    for (int r = 0; r < g->receptors; r++) {
        int q = m->skin_region[r];
        if (!(touched & (1u << q))) {
            input[r] = 0.0f;
            continue;
        }
        float px, py;
        remap_receptor_position(g, r, &px, &py);
        float dx = px - cx[q], dy = py - cy[q];
        input[r] = m->params.stimulus.peak *
                   expf(-(dx * dx + dy * dy) * inv2s2) * m->receptor_gain[r];
    }
}

void remap_spontaneous_render(const remap_model *m, uint64_t t, float *input)
{
    const remap_geometry *g = &m->geom;
    philox4x32_ctr_t v = {{0, 0, 0, 0}};
    for (int r = 0; r < g->receptors; r++) {
        if (r % 4 == 0)
            v = philox(m->seed, (uint32_t)t, (uint32_t)(t >> 32),
                       REMAP_STREAM_SPONTANEOUS, (uint32_t)(r / 4));
        input[r] = m->cond.sleep.noise * unit_float(v.v[r % 4]) *
                   m->receptor_gain[r];
    }
}

float remap_sprout_draw(const remap_model *m, uint64_t t, int u, int k)
{
    philox4x32_ctr_t v =
        philox(m->seed, (uint32_t)t,
               (uint32_t)u, REMAP_STREAM_SPROUT | (uint32_t)(t >> 32) << 8,
               (uint32_t)(k / 4));
    return unit_float(v.v[k % 4]);
}

void remap_model_rates(const remap_model *m, uint64_t t, remap_rates *out)
{
    const remap_age_params *a = &m->params.age;
    double age_factor = 1.0;
    if (a->critical_period > 0.0f) {
        double age = (double)a->offset + (double)t;
        if (age < 0.0)
            age = 0.0;
        age_factor = (double)a->adult + (1.0 - (double)a->adult) *
                                            exp(-age / (double)a->critical_period);
    }
    double awake = m->cond.sleeping ? 0.0 : 1.0;
    out->learn = (float)((double)m->params.modulation *
                         (double)m->cond.rehab_gain * age_factor * awake);
    out->homeostasis = (float)(age_factor * awake);
}

void remap_model_params_changed(remap_model *m)
{
    /* Touch frequency per region: as given, or by skin area when all are
     * zero. The table is cumulative and ends at exactly 1. */
    float w[REMAP_REGION_COUNT] = {0};
    float total = 0.0f;
    for (int k = 0; k < REMAP_REGION_COUNT; k++)
        total += m->params.stimulus.frequency[k];
    if (total > 0.0f) {
        for (int k = 0; k < REMAP_REGION_COUNT; k++)
            w[k] = m->params.stimulus.frequency[k];
    } else {
        for (int r = 0; r < m->geom.receptors; r++)
            w[m->skin_region[r]] += 1.0f;
    }
    /* Enrichment and rehabilitation change how often a region is touched. */
    total = 0.0f;
    for (int k = 0; k < REMAP_REGION_COUNT; k++) {
        w[k] *= m->cond.enrich[k] * m->cond.focus[k];
        total += w[k];
    }
    float acc = 0.0f;
    for (int k = 0; k < REMAP_REGION_COUNT; k++) {
        acc += w[k];
        m->region_cdf[k] = acc / total;
    }
    m->region_cdf[REMAP_REGION_COUNT - 1] = 1.0f;
}

/* Normalised isotropic Gaussian within radius r (units), sigma in sheet
 * units on a sheet of n units per side. */
static void lateral_kernel(float *k, int r, float sigma, int n)
{
    int side = 2 * r + 1;
    float sum = 0.0f;
    float s = sigma * (float)n;
    for (int dy = -r; dy <= r; dy++) {
        for (int dx = -r; dx <= r; dx++) {
            float d2 = (float)(dx * dx + dy * dy);
            float v = d2 <= (float)(r * r) ? expf(-d2 / (2.0f * s * s)) : 0.0f;
            k[(dy + r) * side + dx + r] = v;
            sum += v;
        }
    }
    for (int i = 0; i < side * side; i++)
        k[i] /= sum;
}

static void init_weights(remap_model *m)
{
    const remap_geometry *g = &m->geom;
    float s = m->params.afferent.sigma;
    float inv2s2 = 1.0f / (2.0f * s * s);
    for (int u = 0; u < g->units; u++) {
        float *w = m->weights + (size_t)u * (size_t)g->cf_len;
        uint8_t *live = m->synapse + (size_t)u * (size_t)g->cf_len;
        float ux, uy;
        remap_unit_position(g, u, &ux, &uy);
        float sum = 0.0f;
        philox4x32_ctr_t r = {{0, 0, 0, 0}};
        for (int k = 0; k < g->cf_len; k++) {
            if (k % 4 == 0)
                r = philox(m->seed, (uint32_t)u, (uint32_t)(k / 4),
                           REMAP_STREAM_WEIGHTS, 0);
            int a = k % g->cf_area;
            int dx = a % g->cf_side - g->cf_r, dy = a / g->cf_side - g->cf_r;
            int rc = remap_cf_slot_receptor(g, u, k);
            live[k] = rc >= 0 && dx * dx + dy * dy <= g->init_r2i;
            if (!live[k]) {
                w[k] = 0.0f;
                continue;
            }
            float px, py;
            remap_receptor_position(g, rc, &px, &py);
            float d2 = (px - ux) * (px - ux) + (py - uy) * (py - uy);
            w[k] = expf(-d2 * inv2s2) * unit_float(r.v[k % 4]);
            sum += w[k];
        }
        for (int k = 0; k < g->cf_len; k++)
            w[k] /= sum;
    }
}

/* Plastic lateral weights of projection q: the kernel's Gaussian times
 * Philox uniforms (REMAP_STREAM_LATERAL), 0 outside the circle and off the
 * sheet, each unit's summing to 1. */
static void init_lateral(remap_model *m, int q, int r, float sigma)
{
    const remap_geometry *g = &m->geom;
    int n = g->cortex_n, side = 2 * r + 1, len = g->lat_len[q];
    float s = sigma * (float)n;
    for (int u = 0; u < g->units; u++) {
        float *w = m->lateral[q] + (size_t)u * (size_t)len;
        int x = u % n, y = u / n;
        float sum = 0.0f;
        philox4x32_ctr_t rnd = {{0, 0, 0, 0}};
        for (int k = 0; k < len; k++) {
            if (k % 4 == 0)
                rnd = philox(m->seed, (uint32_t)u, (uint32_t)(k / 4),
                             REMAP_STREAM_LATERAL, (uint32_t)q);
            int dx = k % side - r, dy = k / side - r;
            int col = x + dx, row = y + dy;
            float d2 = (float)(dx * dx + dy * dy);
            if (d2 > (float)(r * r) || col < 0 || col >= n || row < 0 ||
                row >= n) {
                w[k] = 0.0f;
                continue;
            }
            w[k] = expf(-d2 / (2.0f * s * s)) * unit_float(rnd.v[k % 4]);
            sum += w[k];
        }
        /* A field whose draws are all 0 (one slot, drawn 0) stays 0. */
        if (sum > 0.0f)
            for (int k = 0; k < len; k++)
                w[k] /= sum;
    }
}

/* 1-D Gaussian of sigma (sheet units) over [-r, r] pixels, summing to 1. */
static void gaussian_taps(float *taps, int r, float sigma, int density)
{
    float s = sigma * (float)density, sum = 0.0f;
    for (int d = -r; d <= r; d++) {
        taps[d + r] = expf(-(float)(d * d) / (2.0f * s * s));
        sum += taps[d + r];
    }
    for (int d = 0; d <= 2 * r; d++)
        taps[d] /= sum;
}

float remap_field_slot_value(const remap_model *m, int u, int a)
{
    const remap_geometry *g = &m->geom;
    const float *w = m->weights + (size_t)u * (size_t)g->cf_len + (size_t)a;
    if (g->eyes == 0)
        return w[0];
    float v = 0.0f;
    for (int e = 0; e < g->eyes; e++)
        v += w[(size_t)(2 * e) * (size_t)g->cf_area] -
             w[(size_t)(2 * e + 1) * (size_t)g->cf_area];
    return v;
}

void remap_afferent_responses(const remap_model *m, const float *input,
                              int n, float *out)
{
    const remap_geometry *g = &m->geom;
    int r = g->cf_r, side = g->cf_side;
    assert(n >= 1 && n <= REMAP_AFFERENT_BATCH);
    size_t stride = (size_t)n;
    for (int u = 0; u < g->units; u++) {
        const float *w = m->weights + (size_t)u * (size_t)g->cf_len;
        int cx, cy;
        remap_unit_centre(g, u, &cx, &cy);
        /* Row by row over each channel's square: the slots in increasing
         * k, as a loop over k with remap_cf_slot_receptor visits them, so
         * the sum is the same, at a fraction of the cost. Each row is
         * clipped once, to the circle (|dx| <= h, the largest h with
         * h^2 + dy^2 <= cf_r2i, stepped from the last row's) and to the
         * plane. */
        float c[REMAP_AFFERENT_BATCH] = {0};
        for (int ch = 0; ch < g->channels; ch++) {
            int h = 0;
            for (int dy = -r; dy <= r; dy++) {
                int ry = cy + dy, room = g->cf_r2i - dy * dy;
                if (ry < 0 || ry >= g->skin_n || room < 0)
                    continue;
                while (h * h > room)
                    h--;
                while ((h + 1) * (h + 1) <= room)
                    h++;
                int lo = -h > -cx ? -h : -cx;
                int hi = h < g->skin_n - 1 - cx ? h : g->skin_n - 1 - cx;
                const float *wr =
                    w + (size_t)ch * (size_t)g->cf_area + (size_t)((dy + r) * side + r);
                const float *xr =
                    input + ((size_t)ch * (size_t)g->plane +
                             (size_t)ry * (size_t)g->skin_n + (size_t)cx) *
                                stride;
                for (int dx = lo; dx <= hi; dx++) {
                    float wk = wr[dx];
                    const float *xk = xr + (ptrdiff_t)dx * (ptrdiff_t)stride;
                    for (int i = 0; i < n; i++)
                        c[i] += wk * xk[i];
                }
            }
        }
        float scale = m->params.afferent.strength * m->drive_scale[u];
        for (int i = 0; i < n; i++)
            out[(size_t)u * stride + (size_t)i] = scale * c[i];
    }
}

remap_status remap_model_create(const remap_params *params, uint64_t seed,
                                const remap_backend_ops *backend,
                                const void *backend_options,
                                remap_model **out, remap_error *err)
{
    *out = NULL;
    remap_status st = remap_params_validate(params, err);
    if (st)
        return st;
    remap_model *m = calloc(1, sizeof *m);
    if (!m)
        return remap_fail(err, REMAP_ENOMEM, "cannot allocate the model");
    m->params = *params;
    m->seed = seed;
    remap_geometry_from_params(params, &m->geom);
    const remap_geometry *g = &m->geom;

    /* The backend first: a device backend refuses a model that does not
     * fit before the host allocates the same amount. */
    m->backend = backend;
    st = backend->create(m, backend_options, &m->backend_state, err);
    if (st)
        goto fail;

    size_t units = (size_t)g->units;
    size_t exc_side = (size_t)(2 * g->exc_r + 1);
    size_t inh_side = (size_t)(2 * g->inh_r + 1);
    m->skin_region = malloc((size_t)g->receptors);
    m->region_cdf = calloc(REMAP_REGION_COUNT, sizeof(float));
    m->exc_kernel = malloc(exc_side * exc_side * sizeof(float));
    m->inh_kernel = malloc(inh_side * inh_side * sizeof(float));
    m->weights = malloc(units * (size_t)g->cf_len * sizeof(float));
    m->threshold = malloc(units * sizeof(float));
    m->avg_activity = malloc(units * sizeof(float));
    m->activity = calloc(units, sizeof(float));
    m->active_count = calloc(units, sizeof(uint32_t));
    m->input = calloc((size_t)g->receptors, sizeof(float));
    m->synapse = malloc(units * (size_t)g->cf_len);
    m->bcm_threshold = malloc(units * sizeof(float));
    m->drive_scale = malloc(units * sizeof(float));
    m->input_trace = calloc((size_t)g->receptors, sizeof(float));
    m->unit_gain = malloc(units * sizeof(float));
    m->gain_recovery = calloc(units, sizeof(float));
    m->modulation = malloc(units * sizeof(float));
    m->receptor_gain = malloc((size_t)g->receptors * sizeof(float));
    m->affected = calloc((size_t)g->receptors, 1);
    bool lat_ok = true, vis_ok = true;
    for (int q = 0; q < 2; q++) {
        if (g->lat_plastic[q]) {
            m->lateral[q] =
                malloc(units * (size_t)g->lat_len[q] * sizeof(float));
            lat_ok = lat_ok && m->lateral[q];
        }
    }
    if (g->eyes > 0) {
        size_t pixels = (size_t)g->retina_n * (size_t)g->retina_n;
        m->retina_gain = malloc((size_t)g->eyes * pixels * sizeof(float));
        vis_ok = m->retina_gain != NULL;
        for (int i = 0; i < 3; i++) {
            m->lgn_taps[i] = malloc((size_t)(2 * g->lgn_r + 1) * sizeof(float));
            vis_ok = vis_ok && m->lgn_taps[i];
        }
        for (size_t p = 0; vis_ok && p < (size_t)g->eyes * pixels; p++)
            m->retina_gain[p] = 1.0f;
    }
    if (!lat_ok || !vis_ok || !m->skin_region || !m->region_cdf || !m->exc_kernel ||
        !m->inh_kernel || !m->weights || !m->threshold || !m->avg_activity ||
        !m->activity || !m->active_count || !m->input || !m->synapse ||
        !m->bcm_threshold || !m->drive_scale || !m->input_trace ||
        !m->unit_gain || !m->gain_recovery || !m->modulation ||
        !m->receptor_gain || !m->affected) {
        remap_memory mem;
        remap_memory_need(g, &mem);
        st = remap_fail(err, REMAP_ENOMEM,
                        "cannot allocate %.1f MiB of host memory for a "
                        "%dx%d cortex",
                        (double)mem.total / 1048576.0, g->cortex_n,
                        g->cortex_n);
        goto fail;
    }
    for (int r = 0; r < g->receptors; r++) {
        float x, y;
        remap_receptor_position(g, r, &x, &y);
        /* In the visual layouts a receptor's region is its eye. */
        m->skin_region[r] =
            g->eyes > 0
                ? (uint8_t)(r / g->plane / 2)
                : (uint8_t)remap_layout_region_at(params->layout, x, y);
        m->receptor_gain[r] = 1.0f;
    }
    for (int k = 0; k < REMAP_REGION_COUNT; k++)
        m->cond.enrich[k] = m->cond.focus[k] = 1.0f;
    m->cond.rehab_gain = 1.0f;
    m->cond.sleep = params->sleep;
    remap_model_params_changed(m);
    lateral_kernel(m->exc_kernel, g->exc_r, params->excitatory.sigma,
                   g->cortex_n);
    lateral_kernel(m->inh_kernel, g->inh_r, params->inhibitory.sigma,
                   g->cortex_n);
    init_weights(m);
    if (g->lat_plastic[0])
        init_lateral(m, 0, g->exc_r, params->excitatory.sigma);
    if (g->lat_plastic[1])
        init_lateral(m, 1, g->inh_r, params->inhibitory.sigma);
    if (g->eyes > 0) {
        const remap_lgn_params *lp = &params->lgn;
        gaussian_taps(m->lgn_taps[0], g->lgn_r, lp->centre_sigma, g->skin_core);
        gaussian_taps(m->lgn_taps[1], g->lgn_r, lp->surround_sigma,
                      g->skin_core);
        gaussian_taps(m->lgn_taps[2], g->lgn_r, lp->gain_sigma, g->skin_core);
    }
    for (size_t u = 0; u < units; u++) {
        m->threshold[u] = params->homeostasis.initial_threshold;
        m->avg_activity[u] = params->homeostasis.target;
        /* BCM's threshold tracks <y^2> / mu: start it where a unit firing
         * steadily at the target rate mu would have it. */
        m->bcm_threshold[u] = params->homeostasis.target;
        m->drive_scale[u] = 1.0f;
        m->unit_gain[u] = 1.0f;
        m->modulation[u] = 1.0f;
    }
    st = remap_model_push(m, err);
    if (st)
        goto fail;
    *out = m;
    return REMAP_OK;
fail:
    remap_model_destroy(m);
    return st;
}

/* A host array of a model: the address of its pointer (read and written
 * with memcpy, whatever the element type) and its size. */
typedef struct host_array {
    void *at;
    size_t bytes;
} host_array;

static void *array_get(host_array a)
{
    void *p;
    memcpy(&p, a.at, sizeof p);
    return p;
}

static void array_set(host_array a, void *p)
{
    memcpy(a.at, &p, sizeof p);
}

#define HOST_ARRAYS_MAX 32

/* Every host array of m with its size (0 for arrays the model does not
 * have); returns the count. */
static int host_arrays(remap_model *m, host_array out[HOST_ARRAYS_MAX])
{
    const remap_geometry *g = &m->geom;
    size_t units = (size_t)g->units, rec = (size_t)g->receptors;
    size_t fields = units * (size_t)g->cf_len, f = sizeof(float);
    size_t exc_side = (size_t)(2 * g->exc_r + 1);
    size_t inh_side = (size_t)(2 * g->inh_r + 1);
    size_t pixels =
        (size_t)g->eyes * (size_t)g->retina_n * (size_t)g->retina_n;
    size_t taps = g->eyes > 0 ? (size_t)(2 * g->lgn_r + 1) : 0;
    size_t lat[2];
    for (int q = 0; q < 2; q++)
        lat[q] = g->lat_plastic[q] ? units * (size_t)g->lat_len[q] : 0;
    int n = 0;
#define ARRAY(field, size) out[n++] = (host_array){&m->field, (size)}
    ARRAY(skin_region, rec);
    ARRAY(region_cdf, REMAP_REGION_COUNT * f);
    ARRAY(exc_kernel, exc_side * exc_side * f);
    ARRAY(inh_kernel, inh_side * inh_side * f);
    ARRAY(lgn_taps[0], taps * f);
    ARRAY(lgn_taps[1], taps * f);
    ARRAY(lgn_taps[2], taps * f);
    ARRAY(weights, fields * f);
    ARRAY(threshold, units * f);
    ARRAY(avg_activity, units * f);
    ARRAY(activity, units * f);
    ARRAY(active_count, units * sizeof(uint32_t));
    ARRAY(input, rec * f);
    ARRAY(synapse, fields);
    ARRAY(bcm_threshold, units * f);
    ARRAY(drive_scale, units * f);
    ARRAY(input_trace, rec * f);
    ARRAY(lateral[0], lat[0] * f);
    ARRAY(lateral[1], lat[1] * f);
    ARRAY(unit_gain, units * f);
    ARRAY(gain_recovery, units * f);
    ARRAY(modulation, units * f);
    ARRAY(receptor_gain, rec * f);
    ARRAY(retina_gain, pixels * f);
    ARRAY(affected, rec);
#undef ARRAY
    return n;
}

size_t remap_model_snapshot_bytes(const remap_model *m)
{
    host_array a[HOST_ARRAYS_MAX] = {0};
    int n = host_arrays((remap_model *)m, a);
    size_t bytes = 0;
    for (int i = 0; i < n; i++)
        bytes += a[i].bytes;
    return bytes;
}

void remap_model_snapshot_update(remap_model *dst, const remap_model *src)
{
    host_array to[HOST_ARRAYS_MAX] = {0}, from[HOST_ARRAYS_MAX] = {0};
    int n = host_arrays(dst, to);
    host_arrays((remap_model *)src, from);
    for (int i = 0; i < n; i++)
        if (from[i].bytes)
            memcpy(array_get(to[i]), array_get(from[i]), from[i].bytes);
    dst->params = src->params;
    dst->seed = src->seed;
    dst->iteration = src->iteration;
    dst->cond = src->cond;
    dst->half_weights = src->half_weights;
}

remap_status remap_model_snapshot(const remap_model *m, remap_model **out,
                                  remap_error *err)
{
    *out = NULL;
    remap_model *c = calloc(1, sizeof *c);
    if (!c)
        return remap_fail(err, REMAP_ENOMEM, "cannot allocate a model copy");
    c->geom = m->geom;
    host_array a[HOST_ARRAYS_MAX] = {0};
    int n = host_arrays(c, a);
    for (int i = 0; i < n; i++) {
        void *p = a[i].bytes ? malloc(a[i].bytes) : NULL;
        array_set(a[i], p);
        if (a[i].bytes && !p) {
            remap_model_destroy(c);
            return remap_fail(err, REMAP_ENOMEM,
                              "cannot allocate %.1f MiB for a copy of the "
                              "model's state",
                              (double)remap_model_snapshot_bytes(m) /
                                  1048576.0);
        }
    }
    remap_model_snapshot_update(c, m);
    *out = c;
    return REMAP_OK;
}

void remap_model_destroy(remap_model *m)
{
    if (!m)
        return;
    if (m->backend && m->backend_state)
        m->backend->destroy(m->backend_state);
    free(m->affected);
    remap_image_set_destroy(m->images);
    free(m->retina_gain);
    for (int i = 0; i < 3; i++)
        free(m->lgn_taps[i]);
    free(m->lateral[0]);
    free(m->lateral[1]);
    free(m->receptor_gain);
    free(m->modulation);
    free(m->gain_recovery);
    free(m->unit_gain);
    free(m->input_trace);
    free(m->drive_scale);
    free(m->bcm_threshold);
    free(m->synapse);
    free(m->input);
    free(m->active_count);
    free(m->activity);
    free(m->avg_activity);
    free(m->threshold);
    free(m->weights);
    free(m->inh_kernel);
    free(m->exc_kernel);
    free(m->region_cdf);
    free(m->skin_region);
    free(m);
}

remap_status remap_model_step(remap_model *m, uint64_t count, remap_error *err)
{
    return m->backend->step(m->backend_state, m, count, err);
}

remap_status remap_model_pull(remap_model *m, remap_error *err)
{
    return m->backend->pull(m->backend_state, m, err);
}

remap_status remap_model_push(remap_model *m, remap_error *err)
{
    return m->backend->push(m->backend_state, m, err);
}

remap_status remap_model_colour_units(remap_model *m,
                                      const remap_render_request *rq,
                                      uint8_t (*colour)[4], int *label,
                                      remap_error *err)
{
    if (!(rq->hi > rq->lo))
        return remap_fail(err, REMAP_EINVAL,
                          "render: colour limits [%g, %g] are empty",
                          (double)rq->lo, (double)rq->hi);
    return m->backend->colour_units(m->backend_state, m, rq, colour, label,
                                    err);
}

/* Pixel column px of a panel w pixels wide shows sheet column
 * floor(px n / w), pixel row py of one h high the sheet's row
 * n - 1 - floor(py n / h) (the top row first). Columns are stepped, not
 * divided. Only the first pixel row of a sheet row can have borders
 * along its top; the second is drawn, and the rest repeat it. */
void remap_render_cells(int n, const remap_render_request *rq,
                        const uint8_t (*colour)[4], const int *label,
                        uint8_t *rgba, size_t stride)
{
    int w = rq->width, h = rq->height;
    bool borders = rq->kind == REMAP_PANEL_MAP;
    size_t row_bytes = (size_t)w * 4u;
    int inner_py = -1, inner_row = -1; /* a pixel row of sheet row
                                          inner_row below its first */
    for (int py = 0; py < h; py++) {
        int row = n - 1 - (int)((long)py * n / h);
        int top = py > 0 ? n - 1 - (int)((long)(py - 1) * n / h) : row;
        uint8_t *out = rgba + (size_t)py * stride;
        if (inner_row == row) {
            memcpy(out, rgba + (size_t)inner_py * stride, row_bytes);
            continue;
        }
        const uint8_t(*line)[4] = colour + (size_t)row * (size_t)n;
        const int *lab = label + (size_t)row * (size_t)n;
        const int *lab_top = label + (size_t)top * (size_t)n;
        int col = 0, left = 0;
        long reach = w; /* (col + 1) w: where the next column starts */
        for (int px = 0; px < w; px++) {
            while ((long)px * n >= reach) {
                col++;
                reach += w;
            }
            const uint8_t *c = line[col];
            if (borders && (lab[left] != lab[col] || lab_top[col] != lab[col]))
                c = rq->border;
            memcpy(out + 4 * (size_t)px, c, 4);
            left = col;
        }
        if (top == row) {
            inner_py = py;
            inner_row = row;
        }
    }
}

remap_status remap_model_render(remap_model *m, const remap_render_request *rq,
                                uint8_t *rgba, remap_error *err)
{
    if (rq->width < 1 || rq->height < 1)
        return remap_fail(err, REMAP_EINVAL, "render: a %dx%d panel",
                          rq->width, rq->height);
    size_t units = (size_t)m->geom.units;
    uint8_t(*colour)[4] = malloc(units * sizeof *colour);
    int *label = malloc(units * sizeof *label);
    remap_status st = REMAP_OK;
    if (!colour || !label)
        st = remap_fail(err, REMAP_ENOMEM, "render: out of memory");
    if (!st && !(st = remap_model_colour_units(m, rq, colour, label, err)))
        remap_render_cells(m->geom.cortex_n, rq,
                           (const uint8_t(*)[4])colour, label, rgba,
                           (size_t)rq->width * 4u);
    free(colour);
    free(label);
    return st;
}

float remap_half_round(float x)
{
    float a = fabsf(x);
    if (!isfinite(x) || a == 0.0f)
        return x;
    /* Halves from 65520 up round to infinity (the largest is 65504). */
    if (a >= 65520.0f)
        return copysignf(INFINITY, x);
    /* The spacing of halves near a: 2^(e - 10) for a in [2^e, 2^(e+1)),
     * and 2^-24 below 2^-14 (subnormal halves). Scaling by powers of two
     * is exact, and nearbyintf rounds ties to even in the default mode. */
    int e;
    frexpf(a, &e); /* a = f 2^e, f in [0.5, 1): a in [2^(e-1), 2^e) */
    int q = a < 0x1p-14f ? -24 : e - 1 - 10;
    return copysignf(ldexpf(nearbyintf(ldexpf(a, -q)), q), x);
}
