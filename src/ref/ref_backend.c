/* The reference backend: one training iteration in plain, single-threaded
 * C, written for clarity. Every OpenCL kernel is tested against it, so the
 * order of operations here is the specification: the kernels follow it. */
#include "model/model.h"
#include "ref/ref_render.h"

#include <stdlib.h>
#include <string.h>

typedef struct ref_state {
    float *afferent;   /* [units] gamma_A * sum_i x_i w_ij for this input */
    float *next;       /* [units] settling buffer */
    /* Divisive normalisation knows the new sum of a field in advance: the
     * sum of its live weights (kept up to date by every change of the
     * weights, recomputed on push) plus the Hebbian increment's, which is
     * the rate times the sum of the field's input (from the afferent
     * response). So learning is a single sweep over the weights. */
    float *weight_sum; /* [units] sum of the live weights */
    float *input_sum;  /* [units] sum of this input over the live synapses */
    bool half;         /* weights are stored at half precision */
} ref_state;

static void ref_destroy(void *state)
{
    ref_state *s = state;
    if (!s)
        return;
    free(s->afferent);
    free(s->next);
    free(s->weight_sum);
    free(s->input_sum);
    free(s);
}

static remap_status ref_create(remap_model *m, const void *options,
                               void **state, remap_error *err)
{
    const remap_ref_options *opt = options;
    ref_state *s = calloc(1, sizeof *s);
    if (!s)
        return remap_fail(err, REMAP_ENOMEM, "reference backend: out of memory");
    size_t units = (size_t)m->geom.units;
    s->afferent = calloc(units, sizeof(float));
    s->next = calloc(units, sizeof(float));
    s->weight_sum = calloc(units, sizeof(float));
    s->input_sum = calloc(units, sizeof(float));
    s->half = opt && opt->half_weights;
    m->half_weights = s->half;
    if (!s->afferent || !s->next || !s->weight_sum || !s->input_sum) {
        ref_destroy(s);
        return remap_fail(err, REMAP_ENOMEM, "reference backend: out of memory");
    }
    *state = s;
    return REMAP_OK;
}

/* A weight as stored: rounded to half precision when the storage is. */
static float stored(const ref_state *s, float w)
{
    return s->half ? remap_half_round(w) : w;
}

/* Sum of the live weights of a field, in slot order. */
static float live_sum(const remap_geometry *g, const float *w,
                      const uint8_t *live)
{
    float sum = 0.0f;
    for (int k = 0; k < g->cf_len; k++)
        if (live[k])
            sum += w[k];
    return sum;
}

/* Sum of kernel k (half-width r) over the activity around unit (x, y);
 * units off the sheet contribute nothing. Silent units are skipped: their
 * terms are +0 (weights and activity are >= 0), so the sum is the same. */
static float lateral(const float *y, int n, const float *k, int r, int x,
                     int yy)
{
    int side = 2 * r + 1;
    float sum = 0.0f;
    for (int dy = -r; dy <= r; dy++) {
        int row = yy + dy;
        if (row < 0 || row >= n)
            continue;
        for (int dx = -r; dx <= r; dx++) {
            int col = x + dx;
            if (col < 0 || col >= n || y[row * n + col] == 0.0f)
                continue;
            sum += k[(dy + r) * side + dx + r] * y[row * n + col];
        }
    }
    return sum;
}

/* Stimulus of iteration t: a touch, or spontaneous input during sleep.
 * Under structural plasticity each receptor's input trace follows it. */
static remap_status stimulus(remap_model *m, uint64_t t, remap_error *err)
{
    const remap_geometry *g = &m->geom;
    if (m->cond.sleeping) {
        remap_spontaneous_render(m, t, m->input);
    } else if (g->eyes > 0) {
        remap_status st = remap_visual_render(m, t, m->input, err);
        if (st)
            return st;
    } else {
        remap_touch touch;
        remap_touch_draw(m, t, &touch);
        remap_touch_render(m, &touch, m->input);
    }
    if (g->structural) {
        float tau = m->params.afferent.structural.trace;
        for (int r = 0; r < g->receptors; r++)
            m->input_trace[r] =
                (1.0f - tau) * m->input_trace[r] + tau * m->input[r];
    }
    return REMAP_OK;
}

/* Sleep: live synapses weaker than `weak` times the field's mean live
 * weight shrink by the fraction `downscale`. */
static void downscale(const ref_state *s, const remap_model *m, float *w,
                      const uint8_t *live)
{
    const remap_geometry *g = &m->geom;
    float sum = 0.0f;
    int n = 0;
    for (int k = 0; k < g->cf_len; k++) {
        if (live[k]) {
            sum += w[k];
            n++;
        }
    }
    if (n == 0)
        return;
    float weak = m->cond.sleep.weak * (sum / (float)n);
    float keep = 1.0f - m->cond.sleep.downscale;
    for (int k = 0; k < g->cf_len; k++)
        if (live[k] && w[k] < weak)
            w[k] = stored(s, w[k] * keep);
}

/* Divides the live weights by their sum, as GCAL's normalisation. */
static void normalise(const ref_state *s, const remap_geometry *g, float *w,
                      const uint8_t *live)
{
    float sum = live_sum(g, w, live);
    if (!(sum > 0.0f))
        return;
    float inv = 1.0f / sum;
    for (int k = 0; k < g->cf_len; k++)
        w[k] = stored(s, w[k] * inv);
}

/* Receptor of live slot k of the field around (cx, cy). */
static int slot_receptor(const remap_geometry *g, int cx, int cy, int k)
{
    int a = k % g->cf_area;
    return k / g->cf_area * g->plane +
           (cy + a / g->cf_side - g->cf_r) * g->skin_n + cx +
           a % g->cf_side - g->cf_r;
}

/* Hebbian learning of unit u's plastic lateral weights w (half-width r)
 * with its response y and the settled activity around it, divided by the
 * field's new sum (computed first: lateral fields are small). */
static void learn_lateral(const remap_model *m, float *w, int r, int u,
                          float a)
{
    int n = m->geom.cortex_n, side = 2 * r + 1, x = u % n, y = u / n;
    const float *act = m->activity;
    float total = 0.0f;
    for (int dy = -r; dy <= r; dy++) {
        int row = y + dy;
        if (row < 0 || row >= n)
            continue;
        for (int dx = -r; dx <= r; dx++) {
            int col = x + dx, k = (dy + r) * side + dx + r;
            if (col < 0 || col >= n || dx * dx + dy * dy > r * r)
                continue;
            total += w[k] + a * act[row * n + col];
        }
    }
    if (!(total > 0.0f))
        return;
    float inv = 1.0f / total;
    for (int dy = -r; dy <= r; dy++) {
        int row = y + dy;
        if (row < 0 || row >= n)
            continue;
        for (int dx = -r; dx <= r; dx++) {
            int col = x + dx, k = (dy + r) * side + dx + r;
            if (col < 0 || col >= n || dx * dx + dy * dy > r * r)
                continue;
            w[k] = (w[k] + a * act[row * n + col]) * inv;
        }
    }
}

/* Learning of unit u with response y and factor `rate` (per synapse). */
static void learn(ref_state *s, remap_model *m, int u, float y, float rate)
{
    const remap_geometry *g = &m->geom;
    const remap_params *p = &m->params;
    float *w = m->weights + (size_t)u * (size_t)g->cf_len;
    const uint8_t *live = m->synapse + (size_t)u * (size_t)g->cf_len;
    int cx, cy;
    remap_unit_centre(g, u, &cx, &cy);
    bool bcm = p->afferent.rule == REMAP_RULE_BCM;

    if (m->cond.sleeping) {
        downscale(s, m, w, live);
        if (!bcm)
            normalise(s, g, w, live);
        s->weight_sum[u] = live_sum(g, w, live);
    } else if (bcm) {
        float a = rate * y * (y - m->bcm_threshold[u]);
        if (a != 0.0f) {
            for (int k = 0; k < g->cf_len; k++) {
                if (!live[k])
                    continue;
                float v = w[k] + a * m->input[slot_receptor(g, cx, cy, k)];
                w[k] = stored(s, v > 0.0f ? v : 0.0f);
            }
            s->weight_sum[u] = live_sum(g, w, live);
        }
    } else {
        /* Hebbian growth divided by the field's new sum, known before the
         * sweep. A field whose synapses are all pruned has nothing to
         * normalise. */
        float a = rate * y;
        float total = s->weight_sum[u] + a * s->input_sum[u];
        if (a > 0.0f && total > 0.0f) {
            float inv = 1.0f / total;
            float sum = 0.0f;
            for (int k = 0; k < g->cf_len; k++) {
                if (!live[k])
                    continue;
                w[k] = stored(s, (w[k] + a * m->input[slot_receptor(
                                                g, cx, cy, k)]) *
                                     inv);
                sum += w[k];
            }
            s->weight_sum[u] = sum;
        }
    }
    if (bcm)
        m->bcm_threshold[u] +=
            p->afferent.bcm_rate *
            (y * y / p->homeostasis.target - m->bcm_threshold[u]);
}

/* Structural plasticity after iteration t: prune live synapses that stayed
 * below the floor for `patience` checks, sprout absent ones favouring
 * receptors with a high input trace, then normalise (Hebbian rule). */
static void restructure(ref_state *s, remap_model *m, uint64_t t)
{
    const remap_geometry *g = &m->geom;
    const remap_structural_params *sp = &m->params.afferent.structural;
    float floor_w = sp->floor / (float)g->cf_full;
    float mean_trace = 0.0f;
    for (int r = 0; r < g->receptors; r++)
        mean_trace += m->input_trace[r];
    mean_trace /= (float)g->receptors;
    for (int u = 0; u < g->units; u++) {
        if (m->unit_gain[u] == 0.0f)
            continue;
        float *w = m->weights + (size_t)u * (size_t)g->cf_len;
        uint8_t *syn = m->synapse + (size_t)u * (size_t)g->cf_len;
        for (int k = 0; k < g->cf_len; k++) {
            int rc = remap_cf_slot_receptor(g, u, k);
            if (rc < 0)
                continue;
            if (syn[k]) {
                if (!(w[k] < floor_w)) {
                    syn[k] = 1;
                } else if (syn[k] >= sp->patience) {
                    /* syn = 1 + checks below the floor so far; this is
                     * one more. */
                    syn[k] = 0;
                    w[k] = 0.0f;
                } else {
                    syn[k]++;
                }
            } else {
                float p = mean_trace > 0.0f
                              ? sp->sprout_rate * (m->input_trace[rc] / mean_trace)
                              : sp->sprout_rate;
                if (remap_sprout_draw(m, t, u, k) < p) {
                    syn[k] = 1;
                    w[k] = stored(s, floor_w);
                }
            }
        }
        if (m->params.afferent.rule == REMAP_RULE_HEBBIAN)
            normalise(s, g, w, syn);
        s->weight_sum[u] = live_sum(g, w, syn);
    }
}

static remap_status iterate(ref_state *s, remap_model *m, remap_error *err)
{
    const remap_geometry *g = &m->geom;
    const remap_params *p = &m->params;
    int n = g->cortex_n;
    uint64_t t = m->iteration;
    remap_rates rates;
    remap_model_rates(m, t, &rates);

    remap_status st = stimulus(m, t, err);
    if (st)
        return st;

    /* Afferent response, fixed for the iteration, and the first activity;
     * the input's sum over each field's live synapses, for learning. */
    for (int u = 0; u < g->units; u++) {
        const float *w = m->weights + (size_t)u * (size_t)g->cf_len;
        const uint8_t *live = m->synapse + (size_t)u * (size_t)g->cf_len;
        float c = 0.0f, xs = 0.0f;
        for (int k = 0; k < g->cf_len; k++) {
            int rc = remap_cf_slot_receptor(g, u, k);
            if (rc < 0)
                continue;
            c += w[k] * m->input[rc];
            if (live[k])
                xs += m->input[rc];
        }
        s->input_sum[u] = xs;
        s->afferent[u] = p->afferent.strength * m->drive_scale[u] * c;
        float a = s->afferent[u] - m->threshold[u];
        m->activity[u] = m->unit_gain[u] * (a > 0.0f ? a : 0.0f);
    }

    /* Settling: lateral terms use the previous step's activity. */
    for (int step = 0; step < p->settle_steps; step++) {
        for (int u = 0; u < g->units; u++) {
            int x = u % n, y = u / n;
            /* A plastic projection's weights lie like the kernel. */
            const float *ke =
                g->lat_plastic[0]
                    ? m->lateral[0] + (size_t)u * (size_t)g->lat_len[0]
                    : m->exc_kernel;
            const float *ki =
                g->lat_plastic[1]
                    ? m->lateral[1] + (size_t)u * (size_t)g->lat_len[1]
                    : m->inh_kernel;
            float e = lateral(m->activity, n, ke, g->exc_r, x, y);
            float i = lateral(m->activity, n, ki, g->inh_r, x, y);
            float a = s->afferent[u] + p->excitatory.strength * e +
                      p->inhibitory.strength * i - m->threshold[u];
            s->next[u] = m->unit_gain[u] * (a > 0.0f ? a : 0.0f);
        }
        memcpy(m->activity, s->next, (size_t)g->units * sizeof(float));
    }

    /* Homeostasis, scaling, penumbra recovery, then learning. Dead units
     * (gain 0) change no more. */
    const remap_homeostasis_params *h = &p->homeostasis;
    const remap_scaling_params *sc = &p->afferent.scaling;
    float hrate = h->rate * rates.homeostasis;
    float rate = p->afferent.learning_rate / (float)g->cf_rate_n * rates.learn;
    for (int u = 0; u < g->units; u++) {
        if (m->unit_gain[u] == 0.0f)
            continue;
        float y = m->activity[u];
        m->avg_activity[u] = (1.0f - h->smoothing) * y +
                             h->smoothing * m->avg_activity[u];
        m->threshold[u] += hrate * (m->avg_activity[u] - h->target);
        if (y > 0.0f)
            m->active_count[u] += 1;
        if (sc->rate > 0.0f) {
            float d = m->drive_scale[u] /
                      (1.0f + sc->rate * (m->avg_activity[u] - sc->target) /
                                  sc->target);
            m->drive_scale[u] = d < 0.01f ? 0.01f : d > 100.0f ? 100.0f : d;
        }
        if (m->gain_recovery[u] > 0.0f) {
            float gn = m->unit_gain[u] + m->gain_recovery[u];
            if (gn >= 1.0f) {
                gn = 1.0f;
                m->gain_recovery[u] = 0.0f;
            }
            m->unit_gain[u] = gn;
        }
        learn(s, m, u, y, rate * m->modulation[u]);
        /* Plastic laterals learn from the same settled activity. */
        int lat_r[2] = {g->exc_r, g->inh_r};
        const remap_lateral_params *lp[2] = {&p->excitatory, &p->inhibitory};
        for (int q = 0; q < 2; q++) {
            if (!g->lat_plastic[q])
                continue;
            float a = lp[q]->learning_rate / (float)g->lat_full[q] *
                      rates.learn * m->modulation[u] * y;
            if (a > 0.0f)
                learn_lateral(m, m->lateral[q] + (size_t)u *
                                                     (size_t)g->lat_len[q],
                              lat_r[q], u, a);
        }
    }
    if (g->structural &&
        (t + 1) % (uint64_t)p->afferent.structural.interval == 0)
        restructure(s, m, t);
    m->iteration++;
    return REMAP_OK;
}

static remap_status ref_step(void *state, remap_model *m, uint64_t count,
                             remap_error *err)
{
    for (uint64_t i = 0; i < count; i++) {
        remap_status st = iterate(state, m, err);
        if (st)
            return st;
    }
    return REMAP_OK;
}

/* The host arrays are the state: nothing to move. */
static remap_status ref_pull(void *state, remap_model *m, remap_error *err)
{
    (void)state, (void)m, (void)err;
    return REMAP_OK;
}

/* The host arrays are the state, but edited weights must take the storage
 * precision, and the field sums follow them. */
static remap_status ref_push(void *state, remap_model *m, remap_error *err)
{
    (void)err;
    ref_state *s = state;
    const remap_geometry *g = &m->geom;
    size_t len = (size_t)g->cf_len;
    for (int u = 0; u < g->units; u++) {
        float *w = m->weights + (size_t)u * len;
        if (s->half)
            for (size_t k = 0; k < len; k++)
                w[k] = remap_half_round(w[k]);
        s->weight_sum[u] = live_sum(g, w, m->synapse + (size_t)u * len);
    }
    return REMAP_OK;
}

static const char *ref_device_name(void *state)
{
    return ((ref_state *)state)->half
               ? "reference (host C, single thread, half-precision weights)"
               : "reference (host C, single thread)";
}

static remap_status ref_colour_units(void *state, const remap_model *m,
                                     const remap_render_request *rq,
                                     uint8_t (*colour)[4], int *label,
                                     remap_error *err)
{
    (void)state;
    (void)err;
    remap_ref_colour_units(m, rq, colour, label);
    return REMAP_OK;
}

const remap_backend_ops remap_ref_backend = {
    .name = "reference",
    .create = ref_create,
    .destroy = ref_destroy,
    .step = ref_step,
    .pull = ref_pull,
    .push = ref_push,
    .device_name = ref_device_name,
    .colour_units = ref_colour_units,
};
