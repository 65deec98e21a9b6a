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

/* The variant of the OpenCL step under test (the default: fused, float
 * weights in one buffer), and the reference backend's matching options;
 * the variant tests at the end of this file set them. */
static remap_cl_options cl_variant;
static remap_ref_options ref_variant;

static pair make_pair(const remap_params *p, uint64_t seed)
{
    pair pr;
    remap_error err;
    cr_assert_eq(remap_model_create(p, seed, &remap_ref_backend, &ref_variant,
                                    &pr.ref, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_create(p, seed, &remap_cl_backend, &cl_variant,
                                    &pr.cl, &err),
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
    assert_close("BCM threshold (learn kernel)", pr->ref->bcm_threshold,
                 pr->cl->bcm_threshold, units, it);
    assert_close("drive scale (learn kernel)", pr->ref->drive_scale,
                 pr->cl->drive_scale, units, it);
    assert_close("unit gain (learn kernel)", pr->ref->unit_gain,
                 pr->cl->unit_gain, units, it);
    assert_close("gain recovery (learn kernel)", pr->ref->gain_recovery,
                 pr->cl->gain_recovery, units, it);
    assert_close("input trace (stimulus kernel)", pr->ref->input_trace,
                 pr->cl->input_trace, (size_t)g->receptors, it);
    static const char *const lateral_what[2] = {
        "plastic excitatory weights (learn_lateral kernel)",
        "plastic inhibitory weights (learn_lateral kernel)"};
    for (int q = 0; q < 2; q++)
        if (g->lat_plastic[q])
            assert_close(lateral_what[q], pr->ref->lateral[q],
                         pr->cl->lateral[q], units * (size_t)g->lat_len[q],
                         it);
    /* Synapse states are integers: exactly equal. */
    size_t slots = units * (size_t)g->cf_len;
    if (memcmp(pr->ref->synapse, pr->cl->synapse, slots) != 0) {
        size_t k = 0;
        while (pr->ref->synapse[k] == pr->cl->synapse[k])
            k++;
        cr_assert_fail("synapse states (restructure kernel) differ at "
                       "iteration %llu, unit %zu, slot %zu: reference %d, "
                       "OpenCL %d",
                       (unsigned long long)it, k / (size_t)g->cf_len,
                       k % (size_t)g->cf_len, pr->ref->synapse[k],
                       pr->cl->synapse[k]);
    }
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

static void check_full_step_over_several_iterations(void)
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

Test(backend, full_step_over_several_iterations)
{
    check_full_step_over_several_iterations();
}

static void check_push_then_step_continues_identically(void)
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

Test(backend, push_then_step_continues_identically)
{
    check_push_then_step_continues_identically();
}

/* ---- The mechanisms added to the model: each test edits both models the
 * same way on the host (as timeline events do), pushes, and compares every
 * state array after each step; each also checks that the mechanism did
 * something, so that the comparison means something. */

static void push_both(pair *pr)
{
    remap_error err;
    cr_assert_eq(remap_model_push(pr->ref, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_push(pr->cl, &err), REMAP_OK, "%s", err.msg);
}

static float *copy_floats(const float *a, size_t n)
{
    float *c = malloc(n * sizeof(float));
    cr_assert_not_null(c);
    memcpy(c, a, n * sizeof(float));
    return c;
}

static size_t weight_count(const remap_model *m)
{
    return (size_t)m->geom.units * (size_t)m->geom.cf_len;
}

/* Responses counted so far over all units (active_count). */
static uint64_t total_responses(const remap_model *m)
{
    uint64_t n = 0;
    for (int u = 0; u < m->geom.units; u++)
        n += m->active_count[u];
    return n;
}

/* Sum of the input over the receptors of region q. */
static float region_input(const remap_model *m, int q)
{
    float sum = 0.0f;
    for (int r = 0; r < m->geom.receptors; r++)
        if (m->skin_region[r] == q)
            sum += m->input[r];
    return sum;
}

Test(backend, lesion_kills_units_and_penumbra_recovers)
{
    remap_params p = small_params();
    pair pr = make_pair(&p, 17);
    step_both(&pr, 3);
    remap_model *ms[2] = {pr.ref, pr.cl};
    remap_shape disc = {.kind = REMAP_SHAPE_DISC,
                        .cx = 0.5f,
                        .cy = 0.7f,
                        .radius = 0.15f};
    int killed[2];
    for (int i = 0; i < 2; i++)
        killed[i] = remap_model_lesion(ms[i], &disc, 0.1f, 0.3f, 8);
    cr_assert_gt(killed[0], 0, "the lesion killed no unit");
    cr_assert_eq(killed[0], killed[1]);
    push_both(&pr);

    int units = pr.ref->geom.units, cf_len = pr.ref->geom.cf_len;
    int penumbra = 0;
    for (int u = 0; u < units; u++)
        penumbra += pr.ref->unit_gain[u] > 0.0f && pr.ref->unit_gain[u] < 1.0f;
    cr_assert_gt(penumbra, 0, "the lesion has no penumbra");
    float *before = copy_floats(pr.cl->weights, weight_count(pr.cl));
    int partial_seen = 0;
    for (int i = 0; i < 12; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        assert_some_active(&pr);
        for (int u = 0; u < units; u++) {
            float gain = pr.cl->unit_gain[u];
            partial_seen += gain > 0.3f && gain < 1.0f;
            if (gain != 0.0f)
                continue;
            /* Dead: silent, and its field no longer learns. */
            cr_assert_eq(pr.cl->activity[u], 0.0f, "dead unit %d responds",
                         u);
            cr_assert_eq(memcmp(pr.cl->weights + (size_t)u * (size_t)cf_len,
                                before + (size_t)u * (size_t)cf_len,
                                (size_t)cf_len * sizeof(float)),
                         0, "dead unit %d learned", u);
        }
    }
    cr_assert_gt(partial_seen, 0, "the penumbra's gain never recovered");
    /* Recovery over 8 iterations is over: every unit is dead or whole. */
    for (int u = 0; u < units; u++) {
        cr_assert(pr.cl->unit_gain[u] == 0.0f || pr.cl->unit_gain[u] == 1.0f,
                  "unit %d still has gain %g", u,
                  (double)pr.cl->unit_gain[u]);
        cr_assert_eq(pr.cl->gain_recovery[u], 0.0f);
    }
    free(before);
    destroy_pair(&pr);
}

Test(backend, deafferented_regions_get_no_input)
{
    remap_params p = small_params();
    for (int q = 0; q < REMAP_REGION_COUNT; q++)
        p.stimulus.frequency[q] = 1.0f;
    pair pr = make_pair(&p, 19);
    unsigned silenced = 1u << REMAP_REGION_D2 | 1u << REMAP_REGION_D3;
    remap_model *ms[2] = {pr.ref, pr.cl};
    for (int i = 0; i < 2; i++)
        remap_model_deafferent(ms[i], silenced, true);
    push_both(&pr);
    int on_silenced = 0, lit = 0;
    for (int i = 0; i < 15; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        for (int r = 0; r < pr.cl->geom.receptors; r++) {
            if (silenced >> pr.cl->skin_region[r] & 1u)
                cr_assert_eq(pr.cl->input[r], 0.0f,
                             "silenced receptor %d got input", r);
            else
                lit += pr.cl->input[r] > 0.0f;
        }
        remap_touch t;
        remap_touch_draw(pr.ref, pr.ref->iteration - 1, &t);
        on_silenced += (int)(silenced >> t.region & 1u);
    }
    cr_assert_gt(lit, 0, "no receptor got input");
    cr_assert_gt(on_silenced, 0, "no touch landed on a silenced region");
    /* Restored, they feel touch again. */
    for (int i = 0; i < 2; i++)
        remap_model_deafferent(ms[i], silenced, false);
    push_both(&pr);
    float restored = 0.0f;
    for (int i = 0; i < 8; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        restored += region_input(pr.cl, REMAP_REGION_D2) +
                    region_input(pr.cl, REMAP_REGION_D3);
    }
    cr_assert_gt(restored, 0.0f, "restored regions got no input");
    destroy_pair(&pr);
}

/* Every touch lands on one of the fused regions; the others get the same
 * Gaussian at the same relative place. */
static void check_fused(const remap_params *p, unsigned fused, uint64_t seed)
{
    pair pr = make_pair(p, seed);
    remap_model *ms[2] = {pr.ref, pr.cl};
    /* Fusing edits a host condition, which each step sends to the device:
     * no push needed. */
    for (int i = 0; i < 2; i++)
        remap_model_fuse(ms[i], fused);
    int partner_lit = 0;
    for (int i = 0; i < 10; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        assert_some_active(&pr);
        remap_touch t;
        remap_touch_draw(pr.ref, pr.ref->iteration - 1, &t);
        cr_assert(fused >> t.region & 1u);
        for (int q = 0; q < REMAP_REGION_COUNT; q++) {
            if (q == t.region || !(fused >> q & 1u))
                continue;
            cr_assert_gt(region_input(pr.cl, q), 0.0f,
                         "region %d is fused with touched region %d but "
                         "got no input",
                         q, t.region);
            partner_lit++;
        }
    }
    cr_assert_gt(partner_lit, 0);
    destroy_pair(&pr);
}

Test(backend, fused_digits_are_touched_together)
{
    remap_params p = small_params();
    p.stimulus.frequency[REMAP_REGION_D3] = 1.0f;
    p.stimulus.frequency[REMAP_REGION_D4] = 1.0f;
    check_fused(&p, 1u << REMAP_REGION_D3 | 1u << REMAP_REGION_D4, 23);
}

Test(backend, fused_modalities_are_touched_together)
{
    remap_params p = small_params();
    p.layout = REMAP_LAYOUT_MODALITIES;
    check_fused(&p, 3u, 29);
}

/* Enrichment and rehabilitation change the touch table and the learning
 * rate; the step refreshes both without a push. */
Test(backend, enrichment_rehabilitation_and_spot)
{
    remap_params p = small_params();
    pair pr = make_pair(&p, 31);
    remap_model *ms[2] = {pr.ref, pr.cl};
    float cdf[REMAP_REGION_COUNT];
    memcpy(cdf, pr.ref->region_cdf, sizeof cdf);
    for (int i = 0; i < 2; i++)
        remap_model_enrich(ms[i], 1u << REMAP_REGION_D2, 6.0f);
    cr_assert_neq(memcmp(cdf, pr.ref->region_cdf, sizeof cdf), 0);
    int on_d2 = 0;
    for (int i = 0; i < 10; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        remap_touch t;
        remap_touch_draw(pr.ref, pr.ref->iteration - 1, &t);
        on_d2 += t.region == REMAP_REGION_D2;
    }
    cr_assert_gt(on_d2, 0, "no touch on the enriched digit");

    for (int i = 0; i < 2; i++)
        remap_model_rehab(ms[i], 1u << REMAP_REGION_D3, 4.0f, 3.0f, true);
    step_both(&pr, 6);
    assert_state_close(&pr);

    /* The tip of D4. */
    float x0, y0, x1, y1;
    remap_region_bounds(pr.ref, REMAP_REGION_D4, &x0, &y0, &x1, &y1);
    float spot[4] = {x0, y1 - 0.25f * (y1 - y0), x1, y1};
    for (int i = 0; i < 2; i++)
        remap_model_enrich_spot(ms[i], spot, 20.0f);
    cr_assert_gt(pr.ref->cond.spot_share, 0.0f);
    int in_spot = 0;
    for (int i = 0; i < 24; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        assert_some_active(&pr);
        remap_touch t;
        remap_touch_draw(pr.ref, pr.ref->iteration - 1, &t);
        in_spot += t.region == REMAP_REGION_D4 && t.x >= spot[0] &&
                   t.y >= spot[1] && t.x < spot[2] && t.y < spot[3];
    }
    /* With D2 enriched and D3 in rehabilitation the tip of D4 gets 1.5% of
     * the touches (0.4 of 24); factor 20 makes that 30%. */
    cr_assert_geq(in_spot, 3, "only %d of 24 touches landed in the enriched "
                  "spot", in_spot);

    for (int i = 0; i < 2; i++) {
        remap_model_rehab(ms[i], 0u, 1.0f, 1.0f, false);
        remap_model_enrich_spot(ms[i], spot, 1.0f);
    }
    step_both(&pr, 4);
    assert_state_close(&pr);
    destroy_pair(&pr);
}

static void check_sleep_gives_spontaneous_input_and_downscales(void)
{
    remap_params p = small_params();
    pair pr = make_pair(&p, 37);
    step_both(&pr, 3);
    remap_model *ms[2] = {pr.ref, pr.cl};
    remap_sleep_params sleep = {.noise = 0.6f, .downscale = 0.2f,
                                .weak = 0.8f};
    for (int i = 0; i < 2; i++) {
        remap_model_deafferent(ms[i], 1u << REMAP_REGION_D1, true);
        remap_model_sleep(ms[i], &sleep);
    }
    push_both(&pr);
    int receptors = pr.ref->geom.receptors;
    size_t nw = weight_count(pr.ref);
    for (int i = 0; i < 5; i++) {
        float *before = copy_floats(pr.ref->weights, nw);
        step_both(&pr, 1);
        assert_state_close(&pr);
        assert_some_active(&pr);
        /* Noise everywhere but on the silenced digit. */
        int lit = 0;
        for (int r = 0; r < receptors; r++) {
            if (pr.cl->skin_region[r] == REMAP_REGION_D1)
                cr_assert_eq(pr.cl->input[r], 0.0f);
            else
                lit += pr.cl->input[r] > 0.0f;
        }
        cr_assert_gt(lit, receptors / 2, "no spontaneous input");
        int shrank = 0;
        for (size_t k = 0; k < nw; k++)
            shrank +=
                pr.cl->weights[k] > 0.0f && pr.cl->weights[k] < before[k];
        cr_assert_gt(shrank, 0, "no weak synapse shrank");
        free(before);
    }
    for (int i = 0; i < 2; i++)
        remap_model_sleep(ms[i], NULL);
    step_both(&pr, 3);
    assert_state_close(&pr);
    destroy_pair(&pr);
}

Test(backend, sleep_gives_spontaneous_input_and_downscales)
{
    check_sleep_gives_spontaneous_input_and_downscales();
}

static void check_bcm_rule_and_sliding_threshold(void)
{
    remap_params p = small_params();
    p.afferent.rule = REMAP_RULE_BCM;
    p.afferent.bcm_rate = 0.05f;
    p.afferent.learning_rate = 0.5f;
    pair pr = make_pair(&p, 41);
    size_t nw = weight_count(pr.ref), units = (size_t)pr.ref->geom.units;
    float *w0 = copy_floats(pr.ref->weights, nw);
    float *theta0 = copy_floats(pr.ref->bcm_threshold, units);
    for (int i = 0; i < 8; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        assert_some_active(&pr);
    }
    int moved = 0, changed = 0;
    for (size_t u = 0; u < units; u++)
        moved += pr.cl->bcm_threshold[u] != theta0[u];
    for (size_t k = 0; k < nw; k++)
        changed += pr.cl->weights[k] != w0[k];
    cr_assert_gt(moved, 0, "no BCM threshold moved");
    cr_assert_gt(changed, 0, "no weight changed");
    /* A sliding threshold far above the response depresses the synapses
     * of responding units: some reach 0 and stay there (w >= 0). */
    remap_model *ms[2] = {pr.ref, pr.cl};
    for (int i = 0; i < 2; i++)
        for (size_t u = 0; u < units; u++)
            ms[i]->bcm_threshold[u] = 10.0f;
    push_both(&pr);
    int zeroed = 0;
    for (int i = 0; i < 6; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
    }
    for (size_t k = 0; k < nw; k++)
        zeroed += pr.cl->synapse[k] && pr.cl->weights[k] == 0.0f;
    cr_assert_gt(zeroed, 0, "no weight was depressed to 0");
    /* Sleep under BCM: downscaling without normalisation. */
    remap_sleep_params sleep = {.noise = 0.5f, .downscale = 0.1f,
                                .weak = 0.7f};
    for (int i = 0; i < 2; i++)
        remap_model_sleep(ms[i], &sleep);
    step_both(&pr, 3);
    assert_state_close(&pr);
    free(w0);
    free(theta0);
    destroy_pair(&pr);
}

Test(backend, bcm_rule_and_sliding_threshold)
{
    check_bcm_rule_and_sliding_threshold();
}

Test(backend, synaptic_scaling)
{
    remap_params p = small_params();
    p.afferent.scaling.rate = 0.05f;
    pair pr = make_pair(&p, 43);
    for (int i = 0; i < 6; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        assert_some_active(&pr);
    }
    step_both(&pr, 6);
    assert_state_close(&pr);
    int units = pr.cl->geom.units;
    int scaled = 0;
    for (int u = 0; u < units; u++)
        scaled += pr.cl->drive_scale[u] != 1.0f;
    cr_assert_gt(scaled, 0, "no drive was scaled");
    /* A target far above the average activity scales every drive up to
     * the upper limit, one far below it down to the lower limit (runtime
     * parameters, as a timeline `set` changes them). */
    remap_model *ms[2] = {pr.ref, pr.cl};
    const float targets[2] = {1.0f, 1e-4f}, limits[2] = {100.0f, 0.01f};
    for (int phase = 0; phase < 2; phase++) {
        for (int i = 0; i < 2; i++) {
            ms[i]->params.afferent.scaling.rate = 1.0f;
            ms[i]->params.afferent.scaling.target = targets[phase];
        }
        for (int i = 0; i < 4; i++) {
            step_both(&pr, 1);
            assert_state_close(&pr);
        }
        int at_limit = 0;
        for (int u = 0; u < units; u++)
            at_limit += pr.cl->drive_scale[u] == limits[phase];
        cr_assert_gt(at_limit, 0, "no drive scale reached %g",
                     (double)limits[phase]);
    }
    destroy_pair(&pr);
}

Test(backend, regional_modulation)
{
    remap_params p = small_params();
    p.modulation = 1.5f;
    pair pr = make_pair(&p, 47);
    remap_model *ms[2] = {pr.ref, pr.cl};
    remap_shape off = {.kind = REMAP_SHAPE_DISC,
                       .cx = 0.3f,
                       .cy = 0.7f,
                       .radius = 0.2f};
    remap_shape up = {.kind = REMAP_SHAPE_POLYGON,
                      .points = 4,
                      .x = {0.0f, 1.0f, 1.0f, 0.0f},
                      .y = {0.0f, 0.0f, 0.4f, 0.4f}};
    for (int i = 0; i < 2; i++) {
        remap_model_modulate(ms[i], &off, 0.0f);
        remap_model_modulate(ms[i], &up, 3.0f);
    }
    push_both(&pr);
    size_t nw = weight_count(pr.ref), cf_len = (size_t)pr.ref->geom.cf_len;
    float *w0 = copy_floats(pr.cl->weights, nw);
    for (int i = 0; i < 10; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        assert_some_active(&pr);
    }
    int frozen = 0, learned = 0;
    for (int u = 0; u < pr.cl->geom.units; u++) {
        bool same = memcmp(pr.cl->weights + (size_t)u * cf_len,
                           w0 + (size_t)u * cf_len,
                           cf_len * sizeof(float)) == 0;
        if (pr.cl->modulation[u] == 0.0f) {
            cr_assert(same, "unit %d learned with modulation 0", u);
            frozen++;
        } else {
            learned += !same;
        }
    }
    cr_assert_gt(frozen, 0);
    cr_assert_gt(learned, 0, "no unit learned");
    free(w0);
    destroy_pair(&pr);
}

/* The age factor changes at every iteration, also within one step. */
Test(backend, age_curve_changes_rates_within_a_step)
{
    remap_params p = small_params();
    p.age.critical_period = 3.0f;
    p.age.adult = 0.05f;
    p.age.offset = 1.0f;
    p.afferent.learning_rate = 1.0f;
    p.homeostasis.rate = 0.2f;
    pair pr = make_pair(&p, 53);
    remap_rates first, last;
    remap_model_rates(pr.ref, 0, &first);
    remap_model_rates(pr.ref, 9, &last);
    cr_assert_lt(last.learn, 0.5f * first.learn);
    cr_assert_lt(last.homeostasis, 0.5f * first.homeostasis);
    size_t nw = weight_count(pr.ref);
    float *w0 = copy_floats(pr.ref->weights, nw);
    float *theta0 = copy_floats(pr.ref->threshold,
                                (size_t)pr.ref->geom.units);
    uint64_t responses = total_responses(pr.ref);
    step_both(&pr, 10);
    assert_state_close(&pr);
    cr_assert_gt(total_responses(pr.ref), responses, "no unit responded");
    step_both(&pr, 5);
    assert_state_close(&pr);
    int changed = 0, adapted = 0;
    for (size_t k = 0; k < nw; k++)
        changed += pr.cl->weights[k] != w0[k];
    for (int u = 0; u < pr.cl->geom.units; u++)
        adapted += pr.cl->threshold[u] != theta0[u];
    cr_assert_gt(changed, 0, "no weight changed");
    cr_assert_gt(adapted, 0, "no threshold adapted");
    free(w0);
    free(theta0);
    destroy_pair(&pr);
}

/* A larger maximal field, frequent checks and a high floor, so that
 * synapses are pruned and sprout within a few checks. */
static remap_params structural_params(int rule)
{
    remap_params p = small_params();
    p.afferent.rule = rule;
    p.afferent.structural.max_radius = 0.3f;
    p.afferent.structural.floor = 0.3f;
    p.afferent.structural.patience = 3;
    p.afferent.structural.interval = 5;
    p.afferent.structural.sprout_rate = 0.05f;
    p.afferent.structural.trace = 0.1f;
    return p;
}

static void check_structural(const remap_params *p, uint64_t seed)
{
    pair pr = make_pair(p, seed);
    cr_assert(pr.ref->geom.structural);
    /* Dead units are left alone by the checks too. */
    remap_model *ms[2] = {pr.ref, pr.cl};
    remap_shape disc = {.kind = REMAP_SHAPE_DISC,
                        .cx = 0.8f,
                        .cy = 0.2f,
                        .radius = 0.1f};
    for (int i = 0; i < 2; i++)
        cr_assert_gt(remap_model_lesion(ms[i], &disc, 0.0f, 1.0f, 0), 0);
    push_both(&pr);
    size_t slots = weight_count(pr.ref);
    uint8_t *before = malloc(slots);
    cr_assert_not_null(before);
    int pruned = 0, sprouted = 0, waiting = 0;
    for (int i = 0; i < 4; i++) {
        memcpy(before, pr.ref->synapse, slots);
        uint64_t responses = total_responses(pr.ref);
        step_both(&pr, 5); /* one check, after the fifth iteration */
        assert_state_close(&pr);
        cr_assert_gt(total_responses(pr.ref), responses,
                     "no unit responded in iterations %d to %d", 5 * i,
                     5 * i + 4);
        for (size_t k = 0; k < slots; k++) {
            pruned += before[k] && !pr.cl->synapse[k];
            sprouted += !before[k] && pr.cl->synapse[k];
            waiting += pr.cl->synapse[k] > 2;
        }
    }
    cr_assert_gt(pruned, 0, "no synapse was pruned");
    cr_assert_gt(sprouted, 0, "no synapse sprouted");
    cr_assert_gt(waiting, 0, "no synapse waited two checks below the floor");
    float trace = 0.0f;
    for (int r = 0; r < pr.cl->geom.receptors; r++)
        trace += pr.cl->input_trace[r];
    cr_assert_gt(trace, 0.0f, "the input trace stayed empty");
    /* Asleep, liveness still decides which synapses are downscaled. */
    remap_sleep_params sleep = {.noise = 0.5f, .downscale = 0.2f,
                                .weak = 0.8f};
    for (int i = 0; i < 2; i++)
        remap_model_sleep(ms[i], &sleep);
    step_both(&pr, 5);
    assert_state_close(&pr);
    free(before);
    destroy_pair(&pr);
}

Test(backend, structural_plasticity_hebbian)
{
    remap_params p = structural_params(REMAP_RULE_HEBBIAN);
    check_structural(&p, 59);
}

Test(backend, structural_plasticity_bcm)
{
    remap_params p = structural_params(REMAP_RULE_BCM);
    check_structural(&p, 61);
}

/* A touch in an enriched spot on a fused digit: the partner digit gets the
 * Gaussian at the same place relative to the region (not to the spot). */
static void check_spot_fused(const remap_params *p, int region, int partner,
                             uint64_t seed)
{
    pair pr = make_pair(p, seed);
    remap_model *ms[2] = {pr.ref, pr.cl};
    float x0, y0, x1, y1;
    remap_region_bounds(pr.ref, region, &x0, &y0, &x1, &y1);
    /* The middle third of the region, lower half. */
    float spot[4] = {x0 + (x1 - x0) / 3.0f, y0, x1 - (x1 - x0) / 3.0f,
                     y0 + 0.5f * (y1 - y0)};
    for (int i = 0; i < 2; i++) {
        remap_model_fuse(ms[i], 1u << region | 1u << partner);
        remap_model_enrich_spot(ms[i], spot, 20.0f);
    }
    push_both(&pr);
    int in_spot = 0;
    for (int i = 0; i < 12; i++) {
        step_both(&pr, 1);
        assert_state_close(&pr);
        assert_some_active(&pr);
        remap_touch t;
        remap_touch_draw(pr.ref, pr.ref->iteration - 1, &t);
        if (t.region != region || t.x < spot[0] || t.y < spot[1] ||
            t.x >= spot[2] || t.y >= spot[3])
            continue;
        in_spot++;
        cr_assert_gt(region_input(pr.cl, partner), 0.0f,
                     "the fused partner of a touch in the spot got no input");
        /* The partner's most excited receptor sits at the touch's relative
         * place in the partner's box. */
        float px0, py0, px1, py1;
        remap_region_bounds(pr.ref, partner, &px0, &py0, &px1, &py1);
        float fx = (t.x - x0) / (x1 - x0), fy = (t.y - y0) / (y1 - y0);
        int r = remap_skin_index(&pr.ref->geom, px0 + fx * (px1 - px0),
                                 py0 + fy * (py1 - py0));
        cr_assert_eq(pr.cl->skin_region[r], partner);
        cr_assert_gt(pr.cl->input[r], 0.5f * p->stimulus.peak,
                     "the partner's input is not at the relative place");
    }
    cr_assert_geq(in_spot, 4, "only %d of 12 touches landed in the spot",
                  in_spot);
    destroy_pair(&pr);
}

Test(backend, spot_on_fused_digits)
{
    remap_params p = small_params();
    check_spot_fused(&p, REMAP_REGION_D2, REMAP_REGION_D5, 67);
}

Test(backend, spot_on_fused_modalities)
{
    remap_params p = small_params();
    p.layout = REMAP_LAYOUT_MODALITIES;
    check_spot_fused(&p, 1, 0, 71);
}

/* Iteration counters past 2^32: the high word reaches the touch and
 * spontaneous counters (second word) and the sprouting counter (shifted
 * into the third word); a structural check falls on t = 2^32 + 3. */
Test(backend, iteration_counters_past_two_to_the_32)
{
    remap_params p = structural_params(REMAP_RULE_HEBBIAN);
    pair pr = make_pair(&p, 73);
    uint64_t start = (1ull << 32) - 12;
    pr.ref->iteration = pr.cl->iteration = start;
    size_t slots = weight_count(pr.ref);
    uint8_t *before = malloc(slots);
    cr_assert_not_null(before);
    memcpy(before, pr.ref->synapse, slots);
    for (int i = 0; i < 4; i++) {
        step_both(&pr, 5);
        assert_state_close(&pr);
        assert_some_active(&pr);
    }
    cr_assert_eq(pr.ref->iteration, (1ull << 32) + 8);
    int changed = 0;
    for (size_t k = 0; k < slots; k++)
        changed += (before[k] != 0) != (pr.cl->synapse[k] != 0);
    cr_assert_gt(changed, 0, "no synapse was pruned or sprouted");
    /* The touch of an iteration and of the one 2^32 later differ. */
    remap_touch a, b;
    remap_touch_draw(pr.ref, 5, &a);
    remap_touch_draw(pr.ref, (1ull << 32) + 5, &b);
    cr_assert(a.x != b.x || a.y != b.y || a.region != b.region);
    remap_sleep_params sleep = {.noise = 0.5f, .downscale = 0.2f,
                                .weak = 0.8f};
    remap_model *ms[2] = {pr.ref, pr.cl};
    for (int i = 0; i < 2; i++)
        remap_model_sleep(ms[i], &sleep);
    step_both(&pr, 3);
    assert_state_close(&pr);
    free(before);
    destroy_pair(&pr);
}

/* ---- The render kernel and the panel layout -------------------------- */

static void render_request(remap_render_request *rq, remap_panel_kind kind,
                           int width, int height)
{
    memset(rq, 0, sizeof *rq);
    rq->kind = kind;
    rq->width = width;
    rq->height = height;
    /* The colours differ from kind to kind, so that a backend that keeps
     * the colours it last wrote must notice the change. */
    for (int i = 0; i < 256; i++) {
        rq->lut[i][0] = (uint8_t)(i + 40 * (int)kind);
        rq->lut[i][1] = (uint8_t)(255 - i);
        rq->lut[i][2] = (uint8_t)(i / 2);
        rq->lut[i][3] = 255;
    }
    rq->lo = kind == REMAP_PANEL_ACTIVITY ? 0.0f : 0.1f;
    rq->hi = kind == REMAP_PANEL_ACTIVITY ? 0.6f : 0.3f;
    static const uint8_t regions[6][3] = {{204, 121, 167}, {230, 159, 0},
                                          {86, 180, 233},  {0, 158, 115},
                                          {240, 228, 66},  {0, 114, 178}};
    for (int r = 0; r < REMAP_REGION_COUNT; r++) {
        memcpy(rq->region_colour[r], regions[r], 3);
        rq->region_colour[r][1] = (uint8_t)(regions[r][1] + 7 * (int)kind);
        rq->region_colour[r][3] = 255;
    }
    memcpy(rq->lesion, (uint8_t[4]){20, 20, 20, 255}, 4);
    memcpy(rq->border, (uint8_t[4]){255, 255, 255, 255}, 4);
    memcpy(rq->empty, (uint8_t[4]){128, 128, 128, 255}, 4);
}

/* The reference takes the OpenCL state as it is, so both render the same
 * numbers and must give the same bytes. */
static void copy_state(remap_model *to, const remap_model *from)
{
    const remap_geometry *g = &from->geom;
    size_t units = (size_t)g->units;
    memcpy(to->weights, from->weights,
           units * (size_t)g->cf_len * sizeof(float));
    memcpy(to->activity, from->activity, units * sizeof(float));
    memcpy(to->threshold, from->threshold, units * sizeof(float));
    memcpy(to->unit_gain, from->unit_gain, units * sizeof(float));
}

/* The first byte where a and b differ, or n. */
static size_t first_difference(const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t at = 0;
    while (at < n && a[at] == b[at])
        at++;
    return at;
}

/* The panel's pixels by the rule of remap_render_request, pixel by pixel:
 * what remap_render_cells computes by stepping and repeating rows. */
static void cells_by_definition(int n, const remap_render_request *rq,
                                const uint8_t (*colour)[4], const int *label,
                                uint8_t *rgba, size_t stride)
{
    int w = rq->width, h = rq->height;
    for (int py = 0; py < h; py++)
        for (int px = 0; px < w; px++) {
#define CELL(x, y)                                                           \
    ((n - 1 - (int)((long)(y) * n / h)) * n + (int)((long)(x) * n / w))
            int u = CELL(px, py);
            int left = px > 0 ? CELL(px - 1, py) : u;
            int top = py > 0 ? CELL(px, py - 1) : u;
#undef CELL
            const uint8_t *c = colour[u];
            if (rq->kind == REMAP_PANEL_MAP &&
                (label[left] != label[u] || label[top] != label[u]))
                c = rq->border;
            memcpy(rgba + (size_t)py * stride + 4 * (size_t)px, c, 4);
        }
}

static void check_render_kernels_match_the_reference(void)
{
    remap_params p = small_params();
    pair pr = make_pair(&p, 23);
    step_both(&pr, 20);
    remap_shape disc = {.kind = REMAP_SHAPE_DISC,
                        .cx = 0.5f,
                        .cy = 0.6f,
                        .radius = 0.2f};
    remap_model *ms[2] = {pr.ref, pr.cl};
    for (int i = 0; i < 2; i++)
        cr_assert_gt(remap_model_lesion(ms[i], &disc, 0.1f, 0.5f, 100), 0);
    push_both(&pr);
    step_both(&pr, 2); /* a penumbra part-way recovered */
    copy_state(pr.ref, pr.cl);

    static const int sizes[][2] = {{14, 14}, {37, 23}, {100, 64}, {5, 3}};
    size_t units = (size_t)pr.ref->geom.units;
    for (int kind = 0; kind < REMAP_PANEL_KIND_COUNT; kind++) {
        /* The kernel's own output: every unit's colour and label. */
        remap_render_request urq;
        render_request(&urq, (remap_panel_kind)kind, 1, 1);
        uint8_t(*colour[2])[4];
        int *label[2];
        for (int b = 0; b < 2; b++) {
            colour[b] = malloc(units * sizeof *colour[b]);
            label[b] = malloc(units * sizeof *label[b]);
            remap_error err;
            cr_assert_eq(remap_model_colour_units(ms[b], &urq, colour[b],
                                                  label[b], &err),
                         REMAP_OK, "%s", err.msg);
        }
        int dead = 0, unlabelled = 0;
        for (size_t u = 0; u < units; u++) {
            cr_assert_arr_eq(colour[0][u], colour[1][u], 4,
                             "panel %d: unit %zu's colour differs", kind, u);
            cr_assert_eq(label[0][u], label[1][u],
                         "panel %d: unit %zu's label is %d on the "
                         "reference, %d on OpenCL",
                         kind, u, label[0][u], label[1][u]);
            dead += label[0][u] == -2;
            unlabelled += label[0][u] == -1;
        }
        cr_assert_gt(dead, 0, "the lesion left no dead unit");
        if (kind == REMAP_PANEL_MAP)
            cr_assert_lt(dead + unlabelled, (int)units,
                         "no unit of the map lies in a region");
        /* Whole panels, from either backend: the rule's layout of those
         * colours. */
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            remap_render_request rq;
            render_request(&rq, (remap_panel_kind)kind, sizes[s][0],
                           sizes[s][1]);
            size_t stride = (size_t)rq.width * 4;
            size_t bytes = stride * (size_t)rq.height;
            uint8_t *want = malloc(bytes), *got = malloc(bytes);
            cells_by_definition(pr.ref->geom.cortex_n, &rq,
                                (const uint8_t(*)[4])colour[0], label[0],
                                want, stride);
            for (int b = 0; b < 2; b++) {
                remap_error err;
                cr_assert_eq(remap_model_render(ms[b], &rq, got, &err),
                             REMAP_OK, "%s", err.msg);
                size_t at = first_difference(got, want, bytes);
                cr_assert_eq(at, bytes,
                             "%s: panel %d at %dx%d differs at pixel %zu: "
                             "%u, not %u",
                             b ? "OpenCL" : "reference", kind, rq.width,
                             rq.height, at / 4, got[at], want[at]);
            }
            free(want);
            free(got);
        }
        for (int b = 0; b < 2; b++) {
            free(colour[b]);
            free(label[b]);
        }
    }
    remap_model_destroy(pr.ref);
    remap_model_destroy(pr.cl);
}

Test(backend, render_kernels_match_the_reference)
{
    check_render_kernels_match_the_reference();
}

/* Panels wider and narrower than the sheet, of sizes that divide it and
 * sizes that do not, laid out in a larger image: every pixel is the
 * rule's, and nothing outside the panel is touched. */
Test(backend, render_cells_follow_the_rule_for_every_size)
{
    enum { N = 12 };
    uint8_t colour[N * N][4];
    int label[N * N];
    srand(7);
    for (int u = 0; u < N * N; u++) {
        for (int c = 0; c < 4; c++)
            colour[u][c] = (uint8_t)rand();
        /* Regions of a few units, a dead unit here and there. */
        label[u] = rand() % 9 == 0 ? -2 : (u % N) / 4 + 2 * ((u / N) / 5) - 1;
    }
    static const int sizes[][2] = {{12, 12}, {37, 23}, {100, 64}, {5, 3},
                                   {3, 97},  {1, 1},   {24, 25}, {13, 11}};
    for (int kind = 0; kind < REMAP_PANEL_KIND_COUNT; kind++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            remap_render_request rq;
            render_request(&rq, (remap_panel_kind)kind, sizes[s][0],
                           sizes[s][1]);
            size_t stride = (size_t)(rq.width + 3) * 4;
            size_t bytes = stride * (size_t)rq.height;
            uint8_t *got = malloc(bytes), *want = malloc(bytes);
            memset(got, 0xA5, bytes);
            memset(want, 0xA5, bytes);
            remap_render_cells(N, &rq, (const uint8_t(*)[4])colour, label,
                               got, stride);
            cells_by_definition(N, &rq, (const uint8_t(*)[4])colour, label,
                                want, stride);
            size_t at = first_difference(got, want, bytes);
            cr_assert_eq(at, bytes,
                         "panel %d at %dx%d: byte %zu (row %zu, column %zu) "
                         "is %u, not %u",
                         kind, rq.width, rq.height, at, at / stride,
                         at % stride / 4, got[at], want[at]);
            free(got);
            free(want);
        }
}

/* Known answers: a dead unit's cell is drawn in the lesion colour, a
 * healthy unit's map colour is its region's hue, and a pixel on the edge
 * between cells of different regions is a border. */
Test(backend, render_draws_lesions_regions_and_borders)
{
    remap_params p = small_params();
    remap_model *m;
    remap_error err;
    cr_assert_eq(remap_model_create(&p, 5, &remap_ref_backend, NULL, &m, &err),
                 REMAP_OK, "%s", err.msg);
    int n = m->geom.cortex_n;
    int dead = (n / 2) * n + n / 2; /* row n/2, column n/2 */
    m->unit_gain[dead] = 0.0f;
    remap_render_request rq;
    render_request(&rq, REMAP_PANEL_MAP, n * 4, n * 4);
    uint8_t *img = malloc((size_t)n * (size_t)n * 16 * 4);
    cr_assert_eq(remap_model_render(m, &rq, img, &err), REMAP_OK, "%s",
                 err.msg);
    /* The dead unit's cell: columns 4c..4c+3, rows counted from the top. */
    int col = n / 2, row = n - 1 - n / 2;
    const uint8_t *centre =
        img + ((size_t)(row * 4 + 2) * (size_t)(n * 4) + (size_t)(col * 4 + 2)) * 4;
    cr_assert_arr_eq(centre, rq.lesion, 4, "the dead unit is not drawn dead");
    /* Its cell's left edge borders a living neighbour. */
    const uint8_t *edge =
        img + ((size_t)(row * 4 + 2) * (size_t)(n * 4) + (size_t)(col * 4)) * 4;
    cr_assert_arr_eq(edge, rq.border, 4, "no border around the lesion");
    /* A unit over the palm (bottom row, middle) is drawn in the palm's
     * hue, scaled: its channels keep the palm colour's proportions. */
    const uint8_t *palm =
        img + ((size_t)(n * 4 - 2) * (size_t)(n * 4) + (size_t)(col * 4 + 2)) * 4;
    cr_assert_lt(abs(palm[0] * 121 - palm[1] * 204), 204 * 2,
                 "palm pixel %u %u %u", palm[0], palm[1], palm[2]);
    free(img);
    remap_model_destroy(m);
}

/* ---- Variants of the OpenCL step: the fused pass against separate
 * afferent and learning sweeps, weights split across buffers, and
 * half-precision weights, each against the reference backend. */

/* Every state array of two OpenCL models is bit-for-bit the same. */
static void assert_identical(const remap_model *a, const remap_model *b)
{
    const remap_geometry *g = &a->geom;
    size_t units = (size_t)g->units, slots = units * (size_t)g->cf_len;
    size_t receptors = (size_t)g->receptors;
    struct {
        const char *what;
        const void *x, *y;
        size_t bytes;
    } arrays[] = {
        {"weights", a->weights, b->weights, slots * sizeof(float)},
        {"synapse states", a->synapse, b->synapse, slots},
        {"activity", a->activity, b->activity, units * sizeof(float)},
        {"thresholds", a->threshold, b->threshold, units * sizeof(float)},
        {"average activity", a->avg_activity, b->avg_activity,
         units * sizeof(float)},
        {"activity counters", a->active_count, b->active_count,
         units * sizeof(uint32_t)},
        {"input", a->input, b->input, receptors * sizeof(float)},
        {"input traces", a->input_trace, b->input_trace,
         receptors * sizeof(float)},
    };
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        cr_assert_eq(memcmp(arrays[i].x, arrays[i].y, arrays[i].bytes), 0,
                     "%s differ at iteration %llu", arrays[i].what,
                     (unsigned long long)a->iteration);
    for (int q = 0; q < 2; q++)
        if (g->lat_plastic[q])
            cr_assert_eq(memcmp(a->lateral[q], b->lateral[q],
                                units * (size_t)g->lat_len[q] *
                                    sizeof(float)),
                         0, "plastic lateral weights %d differ at iteration "
                         "%llu", q, (unsigned long long)a->iteration);
}

/* The fused pass (learning t and responding to t + 1 in one sweep) is an
 * execution order, not a different model: it gives the same bits as the
 * separate sweeps, over steps of every length and around structural
 * checks (where it falls back to separate sweeps). */
static void check_fused_pass(const remap_params *p, uint64_t seed)
{
    remap_cl_options fused = {.field_lanes = cl_variant.field_lanes},
                     unfused = {.unfused = true,
                                .field_lanes = cl_variant.field_lanes};
    remap_model *a, *b;
    remap_error err;
    cr_assert_eq(remap_model_create(p, seed, &remap_cl_backend, &fused, &a,
                                    &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_create(p, seed, &remap_cl_backend, &unfused, &b,
                                    &err),
                 REMAP_OK, "%s", err.msg);
    static const uint64_t steps[] = {1, 7, 12, 2, 9};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        cr_assert_eq(remap_model_step(a, steps[i], &err), REMAP_OK, "%s",
                     err.msg);
        cr_assert_eq(remap_model_step(b, steps[i], &err), REMAP_OK, "%s",
                     err.msg);
        cr_assert_eq(remap_model_pull(a, &err), REMAP_OK, "%s", err.msg);
        cr_assert_eq(remap_model_pull(b, &err), REMAP_OK, "%s", err.msg);
        assert_identical(a, b);
    }
    uint64_t responses = 0;
    for (int u = 0; u < a->geom.units; u++)
        responses += a->active_count[u];
    cr_assert_gt(responses, 0, "no unit responded; nothing was learned");
    remap_model_destroy(a);
    remap_model_destroy(b);
}

Test(variants, fused_pass_gives_the_bits_of_separate_sweeps)
{
    remap_params p = small_params();
    check_fused_pass(&p, 71);
    p = structural_params(REMAP_RULE_HEBBIAN);
    check_fused_pass(&p, 73);
    p = small_params();
    p.afferent.rule = REMAP_RULE_BCM;
    p.afferent.bcm_rate = 0.05f;
    p.afferent.learning_rate = 0.5f;
    check_fused_pass(&p, 79);
}

Test(variants, unfused_step_matches_the_reference)
{
    cl_variant = (remap_cl_options){.unfused = true};
    check_full_step_over_several_iterations();
    check_sleep_gives_spontaneous_input_and_downscales();
}

/* The OpenCL backend built for p with cl_variant names the variant. */
static void assert_variant_named(const remap_params *p, const char *part)
{
    pair pr = make_pair(p, 1);
    const char *name = pr.cl->backend->device_name(pr.cl->backend_state);
    cr_assert(strstr(name, part) != NULL, "no '%s' in %s", part, name);
    destroy_pair(&pr);
}

/* A buffer cap that splits the weights of p's sheet into chunks of
 * `fields` whole fields (the last one shorter). */
static uint64_t cap_for(const remap_params *p, int fields)
{
    remap_geometry g;
    remap_geometry_from_params(p, &g);
    cr_assert_gt(g.units % fields, 0, "the last chunk should be partial");
    return (uint64_t)fields * (uint64_t)g.cf_len * sizeof(float);
}

Test(variants, weights_split_across_buffers_match_the_reference)
{
    remap_params p = small_params();
    cl_variant = (remap_cl_options){.max_buffer = cap_for(&p, 60)};
    assert_variant_named(&p, "weights in 4 buffers");
    check_full_step_over_several_iterations();
    check_push_then_step_continues_identically();
    check_sleep_gives_spontaneous_input_and_downscales();
    check_bcm_rule_and_sliding_threshold();
    check_render_kernels_match_the_reference();
    p = structural_params(REMAP_RULE_HEBBIAN);
    cl_variant = (remap_cl_options){.max_buffer = cap_for(&p, 45)};
    check_structural(&p, 83);
}

Test(variants, a_field_larger_than_the_buffer_cap_is_refused)
{
    remap_params p = small_params();
    remap_geometry g;
    remap_geometry_from_params(&p, &g);
    remap_cl_options opt = {.max_buffer =
                                (uint64_t)g.cf_len * sizeof(float) - 4};
    remap_model *m = NULL;
    remap_error err;
    cr_assert_eq(remap_model_create(&p, 1, &remap_cl_backend, &opt, &m, &err),
                 REMAP_ETOOBIG);
    cr_assert_null(m);
    cr_assert(strstr(err.msg, "allows") != NULL, "%s", err.msg);
}

/* Half storage rounds every stored weight; the reference backend rounds
 * at the same places, so the two still agree. */
Test(variants, half_weights_match_the_rounding_reference)
{
    cl_variant = (remap_cl_options){.half_weights = true};
    ref_variant = (remap_ref_options){.half_weights = true};
    check_full_step_over_several_iterations();
    check_push_then_step_continues_identically();
    check_sleep_gives_spontaneous_input_and_downscales();
    check_bcm_rule_and_sliding_threshold();
    check_render_kernels_match_the_reference();
    remap_params p = structural_params(REMAP_RULE_HEBBIAN);
    check_structural(&p, 89);

    /* Every weight the device holds is a half; float storage holds
     * weights that are not. */
    p = small_params();
    pair pr = make_pair(&p, 97);
    step_both(&pr, 10);
    size_t nw = weight_count(pr.cl);
    for (size_t k = 0; k < nw; k++)
        cr_assert_eq(pr.cl->weights[k], remap_half_round(pr.cl->weights[k]),
                     "weight %zu (%.9g) is not a half", k,
                     (double)pr.cl->weights[k]);
    destroy_pair(&pr);
    cl_variant = (remap_cl_options){0};
    ref_variant = (remap_ref_options){0};
    pr = make_pair(&p, 97);
    step_both(&pr, 10);
    size_t not_half = 0;
    for (size_t k = 0; k < nw; k++)
        not_half += pr.cl->weights[k] != remap_half_round(pr.cl->weights[k]);
    cr_assert_gt(not_half, nw / 2, "float storage looks rounded to halves");
    destroy_pair(&pr);
}

/* ---- Settling sums the lateral terms of only the non-zero part of each
 * activity row. A skipped term is k * 0, which changes no sum, so the
 * settled activity keeps the reference backend's bits exactly, whether
 * most rows are empty (a touch) or none is (spontaneous input). */

/* Rows of m's cortex with some non-zero activity. */
static int active_rows(const remap_model *m)
{
    int n = m->geom.cortex_n, rows = 0;
    for (int y = 0; y < n; y++) {
        int any = 0;
        for (int x = 0; x < n; x++)
            any |= m->activity[y * n + x] != 0.0f;
        rows += any;
    }
    return rows;
}

/* The settled activity of both backends is bit for bit the same. The
 * stimulus comes first and may differ in the last bit of a faint
 * receptor (exp on the device), which almost never reaches the activity;
 * a failure says whether it did. */
static void assert_activity_identical(const pair *pr)
{
    const remap_geometry *g = &pr->ref->geom;
    bool same_input = memcmp(pr->ref->input, pr->cl->input,
                             (size_t)g->receptors * sizeof(float)) == 0;
    for (int u = 0; u < g->units; u++)
        cr_assert_eq(memcmp(&pr->ref->activity[u], &pr->cl->activity[u],
                            sizeof(float)),
                     0,
                     "settled activity differs at iteration %llu, unit (%d, "
                     "%d): reference %a, OpenCL %a (stimulus %s)",
                     (unsigned long long)pr->ref->iteration, u % g->cortex_n,
                     u / g->cortex_n, (double)pr->ref->activity[u],
                     (double)pr->cl->activity[u],
                     same_input ? "identical" : "differs");
}

/* The default sheet and settling (16 steps, lateral kernels of
 * half-width 5 and 10 on a 48-unit cortex), with learning on. */
static void check_sparse_activity_keeps_the_reference_bits(void)
{
    remap_params p;
    remap_params_default(&p);
    pair pr = make_pair(&p, 41);
    int n = pr.ref->geom.cortex_n, mixed = 0;
    for (int i = 0; i < 8; i++) {
        step_both(&pr, 1 + (uint64_t)(i % 3));
        assert_activity_identical(&pr);
        int rows = active_rows(pr.ref);
        mixed += rows > 0 && rows < n;
    }
    cr_assert_geq(mixed, 4,
                  "only %d of 8 steps ended with some rows empty and some "
                  "not; the test does not exercise skipping",
                  mixed);
    destroy_pair(&pr);
}

Test(settle, sparse_activity_keeps_the_reference_bits)
{
    check_sparse_activity_keeps_the_reference_bits();
}

static void check_dense_activity_keeps_the_reference_bits(void)
{
    remap_params p;
    remap_params_default(&p);
    pair pr = make_pair(&p, 43);
    step_both(&pr, 2);
    remap_sleep_params sleep = {.noise = 1.0f, .downscale = 0.1f,
                                .weak = 0.5f};
    remap_model_sleep(pr.ref, &sleep);
    remap_model_sleep(pr.cl, &sleep);
    push_both(&pr);
    int n = pr.ref->geom.cortex_n;
    for (int i = 0; i < 4; i++) {
        step_both(&pr, 1 + (uint64_t)(i % 2));
        assert_activity_identical(&pr);
        int active = 0;
        for (int u = 0; u < pr.ref->geom.units; u++)
            active += pr.ref->activity[u] > 0.0f;
        /* About two units in three respond, on all rows or all but an
         * edge row or two. */
        cr_assert_geq(active_rows(pr.ref), n - 2,
                      "iteration %llu: rows are silent under spontaneous "
                      "input",
                      (unsigned long long)pr.ref->iteration);
        cr_assert_gt(active, pr.ref->geom.units / 2,
                     "iteration %llu: only %d units active under "
                     "spontaneous input",
                     (unsigned long long)pr.ref->iteration, active);
    }
    destroy_pair(&pr);
}

Test(settle, dense_activity_keeps_the_reference_bits)
{
    check_dense_activity_keeps_the_reference_bits();
}

/* The transposed layout (slot k of every field together, as GPUs
 * coalesce) runs the same kernels through other addresses: against the
 * reference, alone, split across buffers with a partial last chunk (whose
 * slot stride is still a full chunk's), and with half-precision storage. */
Test(variants, transposed_weights_match_the_reference)
{
    remap_params p = small_params();
    cl_variant = (remap_cl_options){.layout = REMAP_LAYOUT_TRANSPOSED};
    assert_variant_named(&p, "transposed weights");
    check_full_step_over_several_iterations();
    check_push_then_step_continues_identically();
    check_render_kernels_match_the_reference();

    cl_variant = (remap_cl_options){.layout = REMAP_LAYOUT_TRANSPOSED,
                                    .max_buffer = cap_for(&p, 60)};
    check_full_step_over_several_iterations();
    check_sleep_gives_spontaneous_input_and_downscales();
    check_bcm_rule_and_sliding_threshold();
    check_render_kernels_match_the_reference();
    p = structural_params(REMAP_RULE_HEBBIAN);
    cl_variant = (remap_cl_options){.layout = REMAP_LAYOUT_TRANSPOSED,
                                    .max_buffer = cap_for(&p, 45)};
    check_structural(&p, 101);

    p = small_params();
    cl_variant = (remap_cl_options){.layout = REMAP_LAYOUT_TRANSPOSED,
                                    .half_weights = true,
                                    .max_buffer = cap_for(&p, 60)};
    ref_variant = (remap_ref_options){.half_weights = true};
    check_full_step_over_several_iterations();
    check_push_then_step_continues_identically();
}

/* Two OpenCL models of p from seed, one with options oa and one with ob,
 * have identical states after each of `rounds` steps of n iterations. */
static void assert_same_bits(const remap_params *p, uint64_t seed,
                             const remap_cl_options *oa,
                             const remap_cl_options *ob, int rounds,
                             uint64_t n)
{
    remap_model *a, *b;
    remap_error err;
    cr_assert_eq(remap_model_create(p, seed, &remap_cl_backend, oa, &a, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_create(p, seed, &remap_cl_backend, ob, &b, &err),
                 REMAP_OK, "%s", err.msg);
    for (int i = 0; i < rounds; i++) {
        cr_assert_eq(remap_model_step(a, n, &err), REMAP_OK, "%s", err.msg);
        cr_assert_eq(remap_model_step(b, n, &err), REMAP_OK, "%s", err.msg);
        cr_assert_eq(remap_model_pull(a, &err), REMAP_OK, "%s", err.msg);
        cr_assert_eq(remap_model_pull(b, &err), REMAP_OK, "%s", err.msg);
        assert_identical(a, b);
    }
    remap_model_destroy(a);
    remap_model_destroy(b);
}

/* The layout is the device's business: both give the same bits. */
Test(variants, layouts_give_the_same_bits)
{
    remap_params p = small_params();
    remap_cl_options fields = {.layout = REMAP_LAYOUT_FIELDS},
                     transposed = {.layout = REMAP_LAYOUT_TRANSPOSED,
                                   .max_buffer = cap_for(&p, 60)};
    assert_same_bits(&p, 7, &fields, &transposed, 3, 6);
}

/* The ways of settling, each of which must give the reference's bits:
 * in one launch of one work-group (the default on a CPU device for small
 * sheets) or in a launch per step, and each with the device's default
 * tile of units per work-item (32 on a CPU, which covers the 14-unit rows
 * of small_params; the default sheet's 48-unit rows, a tile of 32 and one
 * of 16, are settled by visual::plastic_settling_keeps_the_reference_bits),
 * a tile of 1 (a GPU's default), one that does not divide the row (5 of
 * 14: the last tile is short) and one wider than the row. */
static const remap_cl_options settle_ways[] = {
    {.settle = REMAP_SETTLE_STEPS},
    {.settle = REMAP_SETTLE_ONE_LAUNCH},
    {.settle = REMAP_SETTLE_STEPS, .settle_tile = 1},
    {.settle = REMAP_SETTLE_ONE_LAUNCH, .settle_tile = 1},
    {.settle = REMAP_SETTLE_STEPS, .settle_tile = 5},
    {.settle = REMAP_SETTLE_ONE_LAUNCH, .settle_tile = 5},
    {.settle = REMAP_SETTLE_STEPS, .settle_tile = 64},
    {.settle = REMAP_SETTLE_ONE_LAUNCH, .settle_tile = 64},
};
#define SETTLE_WAYS (sizeof settle_ways / sizeof settle_ways[0])

Test(settle, every_way_keeps_the_reference_bits)
{
    for (size_t i = 0; i < SETTLE_WAYS; i++) {
        cl_variant = settle_ways[i];
        remap_params p = small_params();
        pair pr = make_pair(&p, 1);
        const char *name = pr.cl->backend->device_name(pr.cl->backend_state);
        bool one = cl_variant.settle == REMAP_SETTLE_ONE_LAUNCH;
        cr_assert_eq(strstr(name, "settling in one launch") != NULL, one,
                     "%s", name);
        /* A tile other than the device's default (32 on a CPU, 1 on a GPU)
         * is named, unless it covers the whole row (14 units here). */
        int tile = cl_variant.settle_tile;
        if (tile == 5 || tile == 64 || tile == 0)
            cr_assert_eq(strstr(name, "settling tiles of 5 units") != NULL,
                         tile == 5, "%s", name);
        destroy_pair(&pr);
        check_sparse_activity_keeps_the_reference_bits();
        check_dense_activity_keeps_the_reference_bits();
        check_full_step_over_several_iterations();
        check_sleep_gives_spontaneous_input_and_downscales();
    }
}

/* Infinite activity reaches the lateral sums in every way of settling
 * as in the reference: a unit whose threshold is -inf responds with +inf,
 * and its neighbours' sums take inf times every tap, the circle's zero
 * taps included (0 inf = NaN), in the reference's order. Units at the
 * sheet's left and right edges and in its top row, so that tiles, lanes
 * and the padded copy's margins all meet them. */
Test(settle, infinite_activity_keeps_the_reference_bits)
{
    for (size_t i = 0; i < SETTLE_WAYS; i++) {
        cl_variant = settle_ways[i];
        remap_params p;
        remap_params_default(&p);
        pair pr = make_pair(&p, 53), control = make_pair(&p, 53);
        step_both(&pr, 3);
        step_both(&control, 4);
        int n = pr.ref->geom.cortex_n;
        const int at[][2] = {{0, 10}, {n - 1, 30}, {20, 0}};
        for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
            int u = at[k][1] * n + at[k][0];
            pr.ref->threshold[u] = -INFINITY;
            pr.cl->threshold[u] = -INFINITY;
        }
        push_both(&pr);
        step_both(&pr, 1);
        assert_activity_identical(&pr);
        /* The infinities changed the settled activity. */
        int changed = 0;
        for (int u = 0; u < pr.ref->geom.units; u++)
            changed += memcmp(&pr.ref->activity[u], &control.ref->activity[u],
                              sizeof(float)) != 0;
        cr_assert_gt(changed, 0, "infinite activity changed nothing");
        destroy_pair(&control);
        destroy_pair(&pr);
    }
}

Test(settle, refuses_a_tile_out_of_range)
{
    remap_params p = small_params();
    remap_model *m = NULL;
    remap_error err;
    remap_cl_options o = {.settle_tile = REMAP_SETTLE_TILE_MAX + 1};
    cr_assert_eq(remap_model_create(&p, 1, &remap_cl_backend, &o, &m, &err),
                 REMAP_EINVAL);
    cr_assert(strstr(err.msg, "65 units") != NULL, "%s", err.msg);
    cr_assert_null(m);
    o.settle_tile = -1;
    cr_assert_eq(remap_model_create(&p, 1, &remap_cl_backend, &o, &m, &err),
                 REMAP_EINVAL);
}

/* ---- The visual pathway (retina and binocular layouts: an LGN of ON and
 * OFF planes with a margin, drawn on the host) and plastic lateral
 * projections (per-unit weights in settling, and their learning), each
 * against the reference backend under every variant of the step. */

/* A small V1 sheet in the shape of scenarios/v1-development.yaml: plastic
 * lateral inhibition of half-width 3 units, fields of half-width 3
 * receptors in every channel. */
static remap_params visual_params(int layout)
{
    remap_params p;
    remap_params_default(&p);
    p.layout = layout;
    p.skin.density = 12.0f;
    p.cortex.density = 14.0f;
    p.afferent.radius = 0.27f;
    p.afferent.sigma = 0.27f;
    p.inhibitory.plastic = 1;
    p.inhibitory.learning_rate = 0.3f;
    p.settle_steps = 4;
    return p;
}

/* The hand layout with both lateral projections plastic. */
static remap_params plastic_hand_params(void)
{
    remap_params p = small_params();
    p.excitatory.plastic = 1;
    p.excitatory.learning_rate = 0.2f;
    p.inhibitory.plastic = 1;
    p.inhibitory.learning_rate = 0.3f;
    return p;
}

/* Runs p on both backends over steps of several lengths (so the fused
 * pass meets step boundaries), comparing every state array after each,
 * and checks that the plastic laterals learned and that a visual layout's
 * input fills every channel. */
static void check_visual_or_plastic(const remap_params *p, uint64_t seed)
{
    pair pr = make_pair(p, seed);
    const remap_geometry *g = &pr.ref->geom;
    size_t units = (size_t)g->units;
    float *lat0[2] = {NULL, NULL};
    for (int q = 0; q < 2; q++)
        if (g->lat_plastic[q])
            lat0[q] = copy_floats(pr.ref->lateral[q],
                                  units * (size_t)g->lat_len[q]);
    static const uint64_t steps[] = {1, 3, 2, 4};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        step_both(&pr, steps[i]);
        assert_state_close(&pr);
        assert_some_active(&pr);
        if (g->eyes > 0)
            for (int c = 0; c < g->channels; c++) {
                int lit = 0;
                for (int r = 0; r < g->plane; r++)
                    lit += pr.cl->input[c * g->plane + r] > 0.0f;
                cr_assert_gt(lit, 0, "channel %d of the LGN is dark", c);
            }
    }
    for (int q = 0; q < 2; q++) {
        if (!lat0[q])
            continue;
        size_t n = units * (size_t)g->lat_len[q], changed = 0;
        for (size_t k = 0; k < n; k++)
            changed += pr.cl->lateral[q][k] != lat0[q][k];
        cr_assert_gt(changed, 0, "plastic lateral weights %d did not learn",
                     q);
        free(lat0[q]);
    }
    destroy_pair(&pr);
}

/* Sleep in a visual layout: spontaneous input on every channel instead of
 * the images, then awake again. */
static void check_visual_sleep(void)
{
    remap_params p = visual_params(REMAP_LAYOUT_RETINA);
    pair pr = make_pair(&p, 29);
    step_both(&pr, 2);
    remap_sleep_params sleep = {.noise = 0.6f, .downscale = 0.2f,
                                .weak = 0.8f};
    remap_model_sleep(pr.ref, &sleep);
    remap_model_sleep(pr.cl, &sleep);
    push_both(&pr);
    step_both(&pr, 2);
    assert_state_close(&pr);
    int lit = 0;
    for (int r = 0; r < pr.ref->geom.receptors; r++)
        lit += pr.cl->input[r] > 0.0f;
    cr_assert_gt(lit, pr.ref->geom.receptors / 2, "no spontaneous input");
    remap_model_sleep(pr.ref, NULL);
    remap_model_sleep(pr.cl, NULL);
    step_both(&pr, 3);
    assert_state_close(&pr);
    destroy_pair(&pr);
}

/* The cases of this part: one eye, two eyes, plastic laterals on the
 * hand, a pushed state, and sleep. */
static void check_visual_and_plastic_cases(void)
{
    remap_params p = visual_params(REMAP_LAYOUT_RETINA);
    check_visual_or_plastic(&p, 11);
    p = visual_params(REMAP_LAYOUT_BINOCULAR);
    p.excitatory.plastic = 1;
    p.excitatory.learning_rate = 0.2f;
    check_visual_or_plastic(&p, 17);
    p = plastic_hand_params();
    check_visual_or_plastic(&p, 19);
    check_visual_sleep();

    /* Edited lateral weights and a pushed state continue alike. */
    p = visual_params(REMAP_LAYOUT_RETINA);
    pair pr = make_pair(&p, 23);
    step_both(&pr, 3);
    const remap_geometry *g = &pr.ref->geom;
    size_t n = (size_t)g->units * (size_t)g->lat_len[1];
    for (size_t k = 0; k < n; k += 7) {
        pr.ref->lateral[1][k] *= 0.5f;
        pr.cl->lateral[1][k] = pr.ref->lateral[1][k];
    }
    push_both(&pr);
    step_both(&pr, 4);
    assert_state_close(&pr);
    destroy_pair(&pr);
}

Test(visual, layouts_and_plastic_laterals_match_the_reference)
{
    check_visual_and_plastic_cases();
}

Test(visual, unfused_step_matches_the_reference)
{
    cl_variant = (remap_cl_options){.unfused = true};
    check_visual_and_plastic_cases();
}

Test(visual, half_weights_match_the_rounding_reference)
{
    cl_variant = (remap_cl_options){.half_weights = true};
    ref_variant = (remap_ref_options){.half_weights = true};
    check_visual_and_plastic_cases();
}

Test(visual, weights_split_across_buffers_match_the_reference)
{
    remap_params p = visual_params(REMAP_LAYOUT_BINOCULAR);
    cl_variant = (remap_cl_options){.max_buffer = cap_for(&p, 45)};
    assert_variant_named(&p, "weights in 5 buffers");
    check_visual_and_plastic_cases();
}

Test(visual, transposed_weights_match_the_reference)
{
    remap_params p = visual_params(REMAP_LAYOUT_BINOCULAR);
    cl_variant = (remap_cl_options){.layout = REMAP_LAYOUT_TRANSPOSED,
                                    .max_buffer = cap_for(&p, 45)};
    check_visual_and_plastic_cases();
    cl_variant = (remap_cl_options){.layout = REMAP_LAYOUT_TRANSPOSED,
                                    .half_weights = true};
    ref_variant = (remap_ref_options){.half_weights = true};
    p = visual_params(REMAP_LAYOUT_RETINA);
    check_visual_or_plastic(&p, 31);
}

Test(visual, settling_every_way)
{
    for (size_t i = 0; i < SETTLE_WAYS; i++) {
        cl_variant = settle_ways[i];
        check_visual_and_plastic_cases();
    }
}

/* Plastic lateral weights take part in the sparse settling exactly: the
 * settled activity keeps the reference's bits on the default sheet with
 * plastic inhibition, in every way of settling. */
Test(visual, plastic_settling_keeps_the_reference_bits)
{
    for (size_t i = 0; i < SETTLE_WAYS; i++) {
        cl_variant = settle_ways[i];
        remap_params p;
        remap_params_default(&p);
        p.inhibitory.plastic = 1;
        p.inhibitory.learning_rate = 0.3f;
        pair pr = make_pair(&p, 47);
        for (int k = 0; k < 5; k++) {
            step_both(&pr, 1 + (uint64_t)(k % 2));
            assert_activity_identical(&pr);
            assert_some_active(&pr);
        }
        destroy_pair(&pr);
    }
}

/* The fused pass takes iteration t + 1's visual input before the sweep of
 * iteration t: the same bits as separate sweeps, with plastic laterals
 * too. */
Test(visual, fused_pass_gives_the_bits_of_separate_sweeps)
{
    remap_params p = visual_params(REMAP_LAYOUT_BINOCULAR);
    check_fused_pass(&p, 37);
    p = plastic_hand_params();
    check_fused_pass(&p, 39);
}

/* The response and learning sweeps walk one field per work-item (a GPU's
 * way) or eight side by side, one per vector lane (a CPU's): on the small
 * sheet's 14-unit rows groups of eight straddle rows, chunks of 60 and
 * 45 fields end in partial groups, and edge fields are clipped
 * differently in each lane. Both ways keep the reference's bits. */
static void assert_same_lanes(const remap_params *p, uint64_t seed,
                              remap_cl_options one, remap_cl_options eight)
{
    one.field_lanes = 1;
    eight.field_lanes = REMAP_FIELD_LANES_CPU;
    assert_same_bits(p, seed, &one, &eight, 4, 5);
}

Test(variants, field_lanes_give_the_same_bits)
{
    remap_params p = small_params();
    assert_same_lanes(&p, 3, (remap_cl_options){0}, (remap_cl_options){0});
    remap_cl_options split = {.max_buffer = cap_for(&p, 60)};
    assert_same_lanes(&p, 5, split, split);
    /* Chunks of three fields: every group is cut short by its chunk. */
    remap_cl_options tiny = {.max_buffer = cap_for(&p, 3)};
    assert_same_lanes(&p, 6, tiny, tiny);
    remap_cl_options unfused = {.unfused = true};
    assert_same_lanes(&p, 7, unfused, unfused);
    remap_cl_options half = {.half_weights = true};
    assert_same_lanes(&p, 9, half, half);
    remap_cl_options transposed = {.layout = REMAP_LAYOUT_TRANSPOSED,
                                   .max_buffer = cap_for(&p, 45)};
    assert_same_lanes(&p, 11, transposed, transposed);
    transposed.max_buffer = cap_for(&p, 3);
    assert_same_lanes(&p, 12, transposed, transposed);
    p = structural_params(REMAP_RULE_HEBBIAN);
    assert_same_lanes(&p, 13, (remap_cl_options){0}, (remap_cl_options){0});
    p = visual_params(REMAP_LAYOUT_BINOCULAR);
    assert_same_lanes(&p, 15, (remap_cl_options){0}, (remap_cl_options){0});
}

/* One field per work-item, as a GPU runs it, against the reference. */
Test(variants, one_field_per_work_item_matches_the_reference)
{
    cl_variant = (remap_cl_options){.field_lanes = 1};
    remap_params p = small_params();
    assert_variant_named(&p, "one field per work-item");
    check_full_step_over_several_iterations();
    check_push_then_step_continues_identically();
    check_sleep_gives_spontaneous_input_and_downscales();
    check_bcm_rule_and_sliding_threshold();
    check_fused_pass(&p, 71);
    p = structural_params(REMAP_RULE_HEBBIAN);
    check_structural(&p, 83);
    check_fused_pass(&p, 73);
    check_visual_and_plastic_cases();
}

Test(variants, refuses_field_lanes_other_than_one_or_eight)
{
    remap_params p = small_params();
    remap_model *m = NULL;
    remap_error err;
    remap_cl_options o = {.field_lanes = 4};
    cr_assert_eq(remap_model_create(&p, 1, &remap_cl_backend, &o, &m, &err),
                 REMAP_EINVAL);
    cr_assert(strstr(err.msg, "1 or 8 at a time, not 4") != NULL, "%s",
              err.msg);
    cr_assert_null(m);
}
