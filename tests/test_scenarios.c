/* The shipped scenarios reproduce the published outcomes (docs/scenarios.md)
 * on a smaller cortex (24x24 units instead of 48x48), for two seeds.
 *
 * Suite `develop` grows the developed maps that every experiment starts
 * from; suite `outcome` runs each scenario from them (`--from`) and checks
 * its outcome in metrics.csv. CTest runs `develop` first (a fixture), so
 * the experiments share one development per seed and layout, as the
 * scenarios do. The bounds sit well inside what seeds 1-3 give; the
 * measured values are in docs/scenarios.md. */
#include "io/metrics_table.h"
#include "run/run.h"
#include "scenario/scenario.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVELOPED 4000 /* the shared development's last iteration */

/* Runs scenario NAME (scenarios/NAME.yaml) with a 24x24 cortex, the
 * seed and an optional further override into REMAP_SCIENCE_DIR/seedS/OUT,
 * from the developed map in REMAP_SCIENCE_DIR/seedS/FROM when from is
 * given. */
static void run(const char *name, int seed, const char *out, const char *from,
                const char *set)
{
    char file[512], seed_set[32], dir[512], cmd[1100];
    snprintf(file, sizeof file, REMAP_SOURCE_DIR "/scenarios/%s.yaml", name);
    snprintf(seed_set, sizeof seed_set, "seed=%d", seed);
    snprintf(dir, sizeof dir, REMAP_SCIENCE_DIR "/seed%d/%s", seed, out);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir,
             REMAP_SCIENCE_DIR);
    cr_assert_eq(system(cmd), 0);
    const char *ov[] = {"sheets.cortex.density=24", seed_set, set};
    remap_scenario *sc = NULL;
    remap_error err;
    cr_assert_eq(remap_scenario_load_file(file, ov, set ? 3 : 2, &sc, &err),
                 REMAP_OK, "%s", err.msg);
    char start[600];
    if (from)
        snprintf(start, sizeof start,
                 REMAP_SCIENCE_DIR "/seed%d/%s/checkpoints/checkpoint-%08d.h5",
                 seed, from, DEVELOPED);
    remap_run_options opt = {.out_dir = dir, .from = from ? start : NULL};
    remap_run_summary sum;
    cr_assert_eq(remap_run(sc, &opt, &sum, &err), REMAP_OK, "%s: %s", name,
                 err.msg);
    remap_scenario_destroy(sc);
}

/* A finished experiment's metrics.csv. */
typedef struct outcome {
    remap_metrics_table t;
    const char *name;
    int seed;
} outcome;

static void experiment(outcome *o, const char *name, int seed, const char *dev)
{
    run(name, seed, name, dev, NULL);
    char path[600];
    snprintf(path, sizeof path, REMAP_SCIENCE_DIR "/seed%d/%s/metrics.csv",
             seed, name);
    remap_error err;
    cr_assert_eq(remap_metrics_table_read(path, &o->t, &err), REMAP_OK, "%s",
                 err.msg);
    o->name = name;
    o->seed = seed;
}

/* The value of a column at an iteration: the row before the perturbation
 * there (REMAP_ROW_FIRST) or after it (REMAP_ROW_LAST); iteration 0 means
 * the last row. */
static double at(const outcome *o, const char *column, uint64_t iteration,
                 enum remap_row_pick pick)
{
    long row = iteration ? remap_metrics_table_row_at(&o->t, iteration, pick)
                         : (long)o->t.rows - 1;
    cr_assert_geq(row, 0, "%s: no row at iteration %llu", o->name,
                  (unsigned long long)iteration);
    int col = remap_metrics_table_column(&o->t, column);
    cr_assert_geq(col, 0, "%s: no column %s", o->name, column);
    double v = remap_metrics_table_value(&o->t, (size_t)row, col);
    cr_assert(isfinite(v), "%s: %s at %llu is %g", o->name, column,
              (unsigned long long)iteration, v);
    return v;
}

static double before(const outcome *o, const char *column)
{
    return at(o, column, DEVELOPED, REMAP_ROW_FIRST);
}

static double after(const outcome *o, const char *column)
{
    return at(o, column, DEVELOPED, REMAP_ROW_LAST);
}

static double last(const outcome *o, const char *column)
{
    return at(o, column, 0, REMAP_ROW_LAST);
}

/* ---- The developed maps ------------------------------------------------ */

#define MODALITIES "sheets.skin.layout=modalities"
Test(develop, hand_seed_1) { run("hand-development", 1, "hand", NULL, NULL); }
Test(develop, hand_seed_2) { run("hand-development", 2, "hand", NULL, NULL); }
/* The cross-modal scenario's cortex: the same development on an input
 * sheet of two modalities. */
Test(develop, modalities_seed_1)
{
    run("hand-development", 1, "modalities", NULL, MODALITIES);
}
Test(develop, modalities_seed_2)
{
    run("hand-development", 2, "modalities", NULL, MODALITIES);
}

/* ---- The experiments --------------------------------------------------- */

/* Merzenich et al. 1984: the amputated digit's territory falls silent
 * and its neighbours take most of it over. */
static void amputation(int seed)
{
    outcome o;
    experiment(&o, "amputation-d3", seed, "hand");
    double d3 = before(&o, "area_d3");
    double gain = last(&o, "area_d2") + last(&o, "area_d4") -
                  before(&o, "area_d2") - before(&o, "area_d4");
    cr_expect_lt(last(&o, "area_d3"), 0.01, "seed %d: D3 keeps %.3f", seed,
                 last(&o, "area_d3"));
    cr_expect_geq(gain, 0.6 * d3,
                  "seed %d: D2 and D4 gain %.3f of D3's %.3f", seed, gain, d3);
    remap_metrics_table_free(&o.t);
}
Test(outcome, amputation_seed_1) { amputation(1); }
Test(outcome, amputation_seed_2) { amputation(2); }

/* A temporary block: the neighbours invade during it; after it the digit
 * wins back part of its territory and the neighbours retreat. */
static void nerve_block(int seed)
{
    outcome o;
    experiment(&o, "nerve-block-d3", seed, "hand");
    const uint64_t end = 8000;
    double d3 = before(&o, "area_d3");
    double blocked = at(&o, "area_d3", end, REMAP_ROW_FIRST);
    double neighbours_blocked = at(&o, "area_d2", end, REMAP_ROW_FIRST) +
                                at(&o, "area_d4", end, REMAP_ROW_FIRST);
    cr_expect_lt(blocked, 0.01, "seed %d: D3 keeps %.3f while blocked", seed,
                 blocked);
    cr_expect_geq(last(&o, "area_d3"), 0.3 * d3,
                  "seed %d: D3 regains %.3f of %.3f", seed,
                  last(&o, "area_d3"), d3);
    cr_expect_lt(last(&o, "area_d2") + last(&o, "area_d4"),
                 neighbours_blocked - 0.01,
                 "seed %d: D2 and D4 hold %.3f, %.3f at the block's end", seed,
                 last(&o, "area_d2") + last(&o, "area_d4"), neighbours_blocked);
    remap_metrics_table_free(&o.t);
}
Test(outcome, nerve_block_seed_1) { nerve_block(1); }
Test(outcome, nerve_block_seed_2) { nerve_block(2); }

/* Allard et al. 1991: fused digits gain fields spanning both. */
static void syndactyly(int seed)
{
    outcome o;
    experiment(&o, "syndactyly-d3-d4", seed, "hand");
    double was = before(&o, "multi_region_rf"), is = last(&o, "multi_region_rf");
    cr_expect_geq(is, 1.5 * was, "seed %d: multi-region fields %.3f -> %.3f",
                  seed, was, is);
    cr_expect_geq(is - was, 0.03, "seed %d: multi-region fields %.3f -> %.3f",
                  seed, was, is);
    remap_metrics_table_free(&o.t);
}
Test(outcome, syndactyly_seed_1) { syndactyly(1); }
Test(outcome, syndactyly_seed_2) { syndactyly(2); }

/* Jenkins et al. 1990: the stimulated fingertip's representation grows
 * and its fields shrink. The spot exists from the event on, so the row
 * just after it is the baseline. */
static void enrichment(int seed)
{
    outcome o;
    experiment(&o, "enrichment-d2-tip", seed, "hand");
    double was = after(&o, "spot_area"), is = last(&o, "spot_area");
    cr_expect_geq(is, 1.25 * was, "seed %d: spot area %.3f -> %.3f", seed,
                  was, is);
    double rf_was = after(&o, "spot_rf_size"), rf_is = last(&o, "spot_rf_size");
    cr_expect_leq(rf_is, 0.9 * rf_was, "seed %d: spot fields %.4f -> %.4f",
                  seed, rf_was, rf_is);
    remap_metrics_table_free(&o.t);
}
Test(outcome, enrichment_seed_1) { enrichment(1); }
Test(outcome, enrichment_seed_2) { enrichment(2); }

static double hand_area(const outcome *o, uint64_t iteration,
                        enum remap_row_pick pick)
{
    return at(o, "area_d2", iteration, pick) + at(o, "area_d3", iteration, pick) +
           at(o, "area_d4", iteration, pick);
}

/* A stroke: touches on the affected skin are mislocalised at once and
 * localised again as the surviving cortex takes over; the perilesional
 * fields grow. Without rehabilitation, spared cortex loses territory of
 * the affected digits (Nudo et al. 1996); with it (the default
 * scenario), the territory is kept. */
static void stroke(int seed)
{
    outcome none, rehab;
    experiment(&none, "stroke", seed, "hand");
    experiment(&rehab, "default", seed, "hand");

    double hit = after(&none, "affected_localised");
    cr_expect_lt(hit, 0.9, "seed %d: %.2f localised just after the lesion",
                 seed, hit);
    cr_expect_geq(last(&none, "affected_localised"), 0.95,
                  "seed %d: %.2f localised at the end", seed,
                  last(&none, "affected_localised"));
    cr_expect_lt(last(&none, "affected_decode_error"),
                 after(&none, "affected_decode_error"),
                 "seed %d: decoding error on the affected skin %.4f -> %.4f",
                 seed, after(&none, "affected_decode_error"),
                 last(&none, "affected_decode_error"));
    cr_expect_gt(last(&none, "perilesion_rf_size"),
                 1.05 * last(&none, "rf_size"),
                 "seed %d: perilesional fields %.4f, all fields %.4f", seed,
                 last(&none, "perilesion_rf_size"), last(&none, "rf_size"));

    double lesioned = hand_area(&none, DEVELOPED, REMAP_ROW_LAST);
    double end_none = hand_area(&none, 0, REMAP_ROW_LAST);
    double end_rehab = hand_area(&rehab, 0, REMAP_ROW_LAST);
    cr_expect_lt(end_none, 0.95 * lesioned,
                 "seed %d: without rehabilitation D2-D4 hold %.3f of the "
                 "cortex after the lesion, %.3f at the end",
                 seed, lesioned, end_none);
    cr_expect_geq(end_rehab, 0.98 * lesioned,
                  "seed %d: with rehabilitation D2-D4 hold %.3f after the "
                  "lesion, %.3f at the end",
                  seed, lesioned, end_rehab);
    cr_expect_geq(end_rehab - end_none, 0.02,
                  "seed %d: D2-D4 with rehabilitation %.3f, without %.3f",
                  seed, end_rehab, end_none);
    remap_metrics_table_free(&none.t);
    remap_metrics_table_free(&rehab.t);
}
Test(outcome, stroke_seed_1) { stroke(1); }
Test(outcome, stroke_seed_2) { stroke(2); }

/* The same deafferentation reorganises a young cortex more than an adult
 * one (the critical period). */
static double takeover(const outcome *o)
{
    return last(o, "area_d2") + last(o, "area_d4") - before(o, "area_d2") -
           before(o, "area_d4");
}
static void critical_period(int seed)
{
    outcome young, adult;
    experiment(&young, "critical-period-young", seed, "hand");
    experiment(&adult, "critical-period-adult", seed, "hand");
    cr_expect_geq(takeover(&young), 1.3 * takeover(&adult),
                  "seed %d: D2 and D4 gain %.3f young, %.3f adult", seed,
                  takeover(&young), takeover(&adult));
    cr_expect_gt(takeover(&adult), 0.0, "seed %d: the adult map is frozen",
                 seed);
    remap_metrics_table_free(&young.t);
    remap_metrics_table_free(&adult.t);
}
Test(outcome, critical_period_seed_1) { critical_period(1); }
Test(outcome, critical_period_seed_2) { critical_period(2); }

/* The synaptic homeostasis hypothesis: sleep shrinks weak synapses (de
 * Vivo et al. 2017: about 18%) and leaves the map as it was. */
static void sleep_block(int seed)
{
    outcome o;
    experiment(&o, "sleep", seed, "hand");
    const uint64_t woke = 5000;
    double weak = before(&o, "weak_share");
    double slept = at(&o, "weak_share", woke, REMAP_ROW_FIRST);
    cr_expect(slept <= 0.9 * weak && slept >= 0.75 * weak,
              "seed %d: weak synapses' share %.4f -> %.4f", seed, weak, slept);
    static const char *regions[] = {"palm", "d1", "d2", "d3", "d4", "d5"};
    for (int r = 0; r < 6; r++) {
        char col[32];
        snprintf(col, sizeof col, "area_%s", regions[r]);
        double a = before(&o, col), b = at(&o, col, woke, REMAP_ROW_FIRST);
        cr_expect_leq(fabs(b - a), 0.01, "seed %d: %s %.3f -> %.3f", seed,
                      col, a, b);
    }
    double err = before(&o, "decode_error");
    double err_slept = at(&o, "decode_error", woke, REMAP_ROW_FIRST);
    cr_expect_leq(err_slept, 1.1 * err, "seed %d: decoding error %.4f -> %.4f",
                  seed, err, err_slept);
    cr_expect_geq(at(&o, "coverage", woke, REMAP_ROW_FIRST), 0.99,
                  "seed %d: coverage after sleep", seed);
    remap_metrics_table_free(&o.t);
}
Test(outcome, sleep_seed_1) { sleep_block(1); }
Test(outcome, sleep_seed_2) { sleep_block(2); }

/* Cross-modal plasticity: after blindness the visual cortex is silent to
 * vision and touch takes over part of it. */
static void cross_modal(int seed)
{
    outcome o;
    experiment(&o, "cross-modal", seed, "modalities");
    cr_expect_lt(last(&o, "area_vision"), 0.01, "seed %d: vision keeps %.3f",
                 seed, last(&o, "area_vision"));
    double was = after(&o, "area_touch"), is = last(&o, "area_touch");
    cr_expect_geq(is - was, 0.05, "seed %d: touch %.3f -> %.3f", seed, was,
                  is);
    remap_metrics_table_free(&o.t);
}
Test(outcome, cross_modal_seed_1) { cross_modal(1); }
Test(outcome, cross_modal_seed_2) { cross_modal(2); }
