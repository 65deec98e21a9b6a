/* The reference backend: one training iteration in plain, single-threaded
 * C, written for clarity. Every OpenCL kernel is tested against it, so the
 * order of operations here is the specification: the kernels follow it. */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

typedef struct ref_state {
    float *afferent; /* [units] gamma_A * sum_i x_i w_ij for this input */
    float *next;     /* [units] settling buffer */
} ref_state;

static remap_status ref_create(remap_model *m, const void *options,
                               void **state, remap_error *err)
{
    (void)options;
    ref_state *s = calloc(1, sizeof *s);
    if (!s)
        return remap_fail(err, REMAP_ENOMEM, "reference backend: out of memory");
    s->afferent = calloc((size_t)m->geom.units, sizeof(float));
    s->next = calloc((size_t)m->geom.units, sizeof(float));
    if (!s->afferent || !s->next) {
        free(s->afferent);
        free(s->next);
        free(s);
        return remap_fail(err, REMAP_ENOMEM, "reference backend: out of memory");
    }
    *state = s;
    return REMAP_OK;
}

static void ref_destroy(void *state)
{
    ref_state *s = state;
    if (!s)
        return;
    free(s->afferent);
    free(s->next);
    free(s);
}

/* Sum of kernel k (half-width r) over the activity around unit (x, y);
 * units off the sheet contribute nothing. */
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
            if (col < 0 || col >= n)
                continue;
            sum += k[(dy + r) * side + dx + r] * y[row * n + col];
        }
    }
    return sum;
}

static void iterate(ref_state *s, remap_model *m)
{
    const remap_geometry *g = &m->geom;
    const remap_params *p = &m->params;
    int n = g->cortex_n;

    remap_touch touch;
    remap_touch_draw(m, m->iteration, &touch);
    remap_touch_render(m, &touch, m->input);

    /* Afferent response, fixed for the iteration, and the first activity. */
    for (int u = 0; u < g->units; u++) {
        const float *w = m->weights + (size_t)u * (size_t)g->cf_len;
        float c = 0.0f;
        for (int k = 0; k < g->cf_len; k++) {
            int rc = remap_cf_receptor(g, u, k % g->cf_side - g->cf_r,
                                       k / g->cf_side - g->cf_r);
            if (rc >= 0)
                c += w[k] * m->input[rc];
        }
        s->afferent[u] = p->afferent.strength * c;
        float a = s->afferent[u] - m->threshold[u];
        m->activity[u] = a > 0.0f ? a : 0.0f;
    }

    /* Settling: lateral terms use the previous step's activity. */
    for (int step = 0; step < p->settle_steps; step++) {
        for (int u = 0; u < g->units; u++) {
            int x = u % n, y = u / n;
            float e = lateral(m->activity, n, m->exc_kernel, g->exc_r, x, y);
            float i = lateral(m->activity, n, m->inh_kernel, g->inh_r, x, y);
            float a = s->afferent[u] + p->excitatory.strength * e +
                      p->inhibitory.strength * i - m->threshold[u];
            s->next[u] = a > 0.0f ? a : 0.0f;
        }
        memcpy(m->activity, s->next, (size_t)g->units * sizeof(float));
    }

    /* Homeostasis, then Hebbian learning with divisive normalisation. */
    const remap_homeostasis_params *h = &p->homeostasis;
    float rate = p->afferent.learning_rate / (float)g->cf_full;
    for (int u = 0; u < g->units; u++) {
        float y = m->activity[u];
        m->avg_activity[u] = (1.0f - h->smoothing) * y +
                             h->smoothing * m->avg_activity[u];
        m->threshold[u] += h->rate * (m->avg_activity[u] - h->target);
        if (y > 0.0f)
            m->active_count[u] += 1;
        float a = rate * y;
        if (!(a > 0.0f))
            continue;
        float *w = m->weights + (size_t)u * (size_t)g->cf_len;
        float sum = 0.0f;
        for (int k = 0; k < g->cf_len; k++) {
            int rc = remap_cf_receptor(g, u, k % g->cf_side - g->cf_r,
                                       k / g->cf_side - g->cf_r);
            if (rc >= 0) {
                w[k] += a * m->input[rc];
                sum += w[k];
            }
        }
        float inv = 1.0f / sum;
        for (int k = 0; k < g->cf_len; k++)
            w[k] *= inv;
    }
    m->iteration++;
}

static remap_status ref_step(void *state, remap_model *m, uint64_t count,
                             remap_error *err)
{
    (void)err;
    for (uint64_t i = 0; i < count; i++)
        iterate(state, m);
    return REMAP_OK;
}

/* The host arrays are the state: nothing to move. */
static remap_status ref_pull(void *state, remap_model *m, remap_error *err)
{
    (void)state, (void)m, (void)err;
    return REMAP_OK;
}

static remap_status ref_push(void *state, const remap_model *m,
                             remap_error *err)
{
    (void)state, (void)m, (void)err;
    return REMAP_OK;
}

static const char *ref_device_name(void *state)
{
    (void)state;
    return "reference (host C, single thread)";
}

const remap_backend_ops remap_ref_backend = {
    .name = "reference",
    .create = ref_create,
    .destroy = ref_destroy,
    .step = ref_step,
    .pull = ref_pull,
    .push = ref_push,
    .device_name = ref_device_name,
};
