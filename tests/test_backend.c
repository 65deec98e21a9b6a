/* Every kernel of the OpenCL backend against the reference backend, on the
 * same state and stimulus, over several iterations. */
#include "cl/backend.h"
#include "model/model.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A small sheet that still has clipped fields at the edges, several
 * settling steps and every region. */
static remap_params small_params(void)
{
    remap_params p;
    remap_params_default(&p);
    p.skin.density = 16.0f;
    p.cortex.density = 14.0f;
    p.afferent.radius = 0.2f;
    p.settle_steps = 4;
    return p;
}

typedef struct pair {
    remap_model *ref, *cl;
} pair;

static pair make_pair(const remap_params *p, uint64_t seed)
{
    pair pr;
    remap_error err;
    remap_cl_options opt = {0};
    cr_assert_eq(remap_model_create(p, seed, &remap_ref_backend, NULL, &pr.ref,
                                    &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_create(p, seed, &remap_cl_backend, &opt, &pr.cl,
                                    &err),
                 REMAP_OK, "%s", err.msg);
    return pr;
}

static void step_both(pair *pr, uint64_t n)
{
    remap_error err;
    cr_assert_eq(remap_model_step(pr->ref, n, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_step(pr->cl, n, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_pull(pr->cl, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(pr->ref->iteration, pr->cl->iteration);
}

/* Largest difference relative to max(1e-3, |reference|) over n values. */
static double max_rel_diff(const float *a, const float *b, size_t n,
                           size_t *where)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double scale = fabs((double)a[i]) > 1e-3 ? fabs((double)a[i]) : 1e-3;
        double d = fabs((double)a[i] - (double)b[i]) / scale;
        if (!(d <= worst)) {
            worst = d;
            *where = i;
        }
    }
    return worst;
}

/* exp() and the order of summation may differ by a few ulps per step;
 * 1e-4 relative (1e-7 absolute near zero) is far below any difference a
 * wrong index or missing term would make, which is of order one. */
#define TOL 1e-4

static void assert_close(const char *what, const float *a, const float *b,
                         size_t n, uint64_t it)
{
    size_t at = 0;
    double d = max_rel_diff(a, b, n, &at);
    cr_assert(d <= TOL,
              "%s differs at iteration %llu, index %zu: reference %.9g, "
              "OpenCL %.9g (relative %.3g)",
              what, (unsigned long long)it, at, (double)a[at], (double)b[at],
              d);
}

static void assert_state_close(pair *pr)
{
    const remap_geometry *g = &pr->ref->geom;
    size_t units = (size_t)g->units;
    uint64_t it = pr->ref->iteration;
    assert_close("input (stimulus kernel)", pr->ref->input, pr->cl->input,
                 (size_t)g->receptors, it);
    assert_close("activity (afferent and settle kernels)", pr->ref->activity,
                 pr->cl->activity, units, it);
    assert_close("threshold (learn kernel)", pr->ref->threshold,
                 pr->cl->threshold, units, it);
    assert_close("average activity (learn kernel)", pr->ref->avg_activity,
                 pr->cl->avg_activity, units, it);
    assert_close("weights (learn kernel)", pr->ref->weights, pr->cl->weights,
                 units * (size_t)g->cf_len, it);
    cr_assert_eq(memcmp(pr->ref->active_count, pr->cl->active_count,
                        units * sizeof(uint32_t)),
                 0, "activity counters differ at iteration %llu",
                 (unsigned long long)it);
}

/* A comparison of responses means something only if some unit responded. */
static void assert_some_active(const pair *pr)
{
    int active = 0;
    for (int u = 0; u < pr->ref->geom.units; u++)
        active += pr->ref->activity[u] > 0.0f;
    cr_assert_gt(active, 0, "iteration %llu: no unit responded; the test "
                 "compares nothing",
                 (unsigned long long)pr->ref->iteration);
}

static void destroy_pair(pair *pr)
{
    remap_model_destroy(pr->ref);
    remap_model_destroy(pr->cl);
}

Test(backend, stimulus_matches_every_iteration)
{
    remap_params p = small_params();
    pair pr = make_pair(&p, 7);
    for (int i = 0; i < 20; i++) {
        step_both(&pr, 1);
        assert_close("input (stimulus kernel)", pr.ref->input, pr.cl->input,
                     (size_t)pr.ref->geom.receptors, pr.ref->iteration);
        remap_touch t;
        remap_touch_draw(pr.ref, pr.ref->iteration - 1, &t);
        /* The touch lands on its region: the receptor under it is lit. */
        int r = remap_skin_index(&pr.ref->geom, t.x, t.y);
        if (pr.ref->skin_region[r] == t.region)
            cr_assert_gt(pr.cl->input[r], 0.0f);
    }
    destroy_pair(&pr);
}

/* The learn kernel still runs with a zero learning rate (threshold and
 * average updates, normalisation), but leaves the weights as drawn, so a
 * difference in the response is the response kernels' own. */
Test(backend, afferent_response_without_settling)
{
    remap_params p = small_params();
    p.settle_steps = 0;
    p.afferent.learning_rate = 0.0f;
    pair pr = make_pair(&p, 3);
    for (int i = 0; i < 5; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        assert_some_active(&pr);
    }
    destroy_pair(&pr);
}

Test(backend, settling_without_learning)
{
    remap_params p = small_params();
    p.afferent.learning_rate = 0.0f;
    pair pr = make_pair(&p, 5);
    for (int i = 0; i < 5; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        assert_some_active(&pr);
    }
    destroy_pair(&pr);
}

Test(backend, full_step_over_several_iterations)
{
    remap_params p = small_params();
    pair pr = make_pair(&p, 11);
    int any_active = 0;
    for (int i = 0; i < 8; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        for (int u = 0; u < pr.ref->geom.units; u++)
            any_active |= pr.ref->activity[u] > 0.0f;
    }
    /* The comparison means something only if units fired and learned. */
    cr_assert(any_active, "no unit was active; the test compares nothing");
    step_both(&pr, 12);
    assert_state_close(&pr);
    destroy_pair(&pr);
}

Test(backend, push_then_step_continues_identically)
{
    remap_params p = small_params();
    pair pr = make_pair(&p, 13);
    step_both(&pr, 3);
    /* Copy the reference state into the OpenCL model and continue: both
     * must follow the same path from the same state. */
    const remap_geometry *g = &pr.ref->geom;
    size_t units = (size_t)g->units;
    memcpy(pr.cl->weights, pr.ref->weights,
           units * (size_t)g->cf_len * sizeof(float));
    memcpy(pr.cl->threshold, pr.ref->threshold, units * sizeof(float));
    memcpy(pr.cl->avg_activity, pr.ref->avg_activity, units * sizeof(float));
    remap_error err;
    cr_assert_eq(remap_model_push(pr.cl, &err), REMAP_OK, "%s", err.msg);
    step_both(&pr, 4);
    assert_state_close(&pr);
    destroy_pair(&pr);
}
