/* Whole runs: resume bit-exactness, determinism, health checks, interrupts
 * and the run directory. */
#include "io/checkpoint.h"
#include "run/run.h"
#include "scenario/scenario.h"

#include <criterion/criterion.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];

static void make_tmp(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/remap-test-run-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void remove_tmp(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(run, .init = make_tmp, .fini = remove_tmp);

/* A small sheet, a `set` before and after the mid-run checkpoint. */
static const char small_yaml[] =
    "name: small\n"
    "seed: 5\n"
    "iterations: 40\n"
    "sheets: {skin: {density: 12}, cortex: {density: 12}}\n"
    "projections:\n"
    "  afferent: {radius: 0.3}\n"
    "settling: {steps: 4}\n"
    "measure: {interval: 10}\n"
    "checkpoint: {interval: 20}\n"
    "timeline:\n"
    "  - at: 10\n"
    "    set: {path: homeostasis.rate, value: 0.02}\n"
    "  - at: 25\n"
    "    set: {path: projections.afferent.learning_rate, value: 0.3}\n";

static remap_scenario *load(const char *text, const char *const *ov,
                            size_t n)
{
    remap_scenario *sc = NULL;
    remap_error err;
    cr_assert_eq(remap_scenario_load_text("test.yaml", text, ov, n, &sc, &err),
                 REMAP_OK, "%s", err.msg);
    return sc;
}

static remap_status run_into(const remap_scenario *sc, const char *sub,
                             const char *resume, uint64_t last,
                             bool reference, remap_run_summary *sum,
                             remap_error *err)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", tmp, sub);
    remap_run_options opt = {
        .out_dir = dir, .resume = resume, .iterations = last,
        .reference = reference,
    };
    return remap_run(sc, &opt, sum, err);
}

/* Loads a checkpoint into a fresh model of the scenario. */
static remap_model *load_state(const remap_scenario *sc, const char *path)
{
    remap_model *m;
    remap_error err;
    cr_assert_eq(remap_model_create(&sc->params, sc->seed, &remap_ref_backend,
                                    NULL, &m, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_checkpoint_load(path, m, &err), REMAP_OK, "%s",
                 err.msg);
    return m;
}

static bool same_state(const remap_model *a, const remap_model *b)
{
    const remap_geometry *g = &a->geom;
    size_t u = (size_t)g->units;
    return a->iteration == b->iteration &&
           !memcmp(&a->params, &b->params, sizeof a->params) &&
           !memcmp(a->weights, b->weights, u * (size_t)g->cf_len * 4) &&
           !memcmp(a->threshold, b->threshold, u * 4) &&
           !memcmp(a->avg_activity, b->avg_activity, u * 4) &&
           !memcmp(a->activity, b->activity, u * 4) &&
           !memcmp(a->active_count, b->active_count, u * 4) &&
           !memcmp(a->input, b->input, (size_t)g->receptors * 4);
}

static void check_resume(bool reference)
{
    remap_scenario *sc = load(small_yaml, NULL, 0);
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(run_into(sc, "straight", NULL, 0, reference, &sum, &err),
                 REMAP_OK, "%s", err.msg);
    char straight[4096];
    snprintf(straight, sizeof straight, "%s", sum.last_checkpoint);

    cr_assert_eq(run_into(sc, "split", NULL, 20, reference, &sum, &err),
                 REMAP_OK, "%s", err.msg);
    char half[600];
    snprintf(half, sizeof half, "%s/split/checkpoints/checkpoint-00000020.h5",
             tmp);
    cr_assert_str_eq(sum.last_checkpoint, half);
    cr_assert_eq(run_into(sc, "split", half, 40, reference, &sum, &err),
                 REMAP_OK, "%s", err.msg);

    remap_model *a = load_state(sc, straight);
    remap_model *b = load_state(sc, sum.last_checkpoint);
    cr_assert_eq(a->iteration, 40);
    cr_assert(same_state(a, b),
              "resumed state differs from the straight run's");
    /* The `set` after the resume point was applied, the one before kept. */
    cr_assert_float_eq(b->params.afferent.learning_rate, 0.3f, 1e-7f);
    cr_assert_float_eq(b->params.homeostasis.rate, 0.02f, 1e-7f);
    remap_model_destroy(a);
    remap_model_destroy(b);

    /* metrics.csv continues: rows 0, 10, 20 then 30, 40. */
    char path[600];
    snprintf(path, sizeof path, "%s/split/metrics.csv", tmp);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char line[2048];
    int rows = 0;
    while (fgets(line, sizeof line, f))
        rows++;
    fclose(f);
    cr_assert_eq(rows, 1 + 5, "metrics.csv has %d lines", rows);
    remap_scenario_destroy(sc);
}

Test(run, resume_is_bit_exact_opencl) { check_resume(false); }

Test(run, resume_is_bit_exact_reference) { check_resume(true); }

/* A half-precision run resumes bit for bit only in half precision: a
 * resume that would change the weights' storage is refused, either way. */
Test(run, resume_keeps_the_weight_storage)
{
    remap_scenario *sc = load(small_yaml, NULL, 0);
    remap_run_summary sum;
    remap_error err;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/h", tmp);
    remap_run_options opt = {.out_dir = dir, .iterations = 20,
                             .reference = true, .half_weights = true};
    cr_assert_eq(remap_run(sc, &opt, &sum, &err), REMAP_OK, "%s", err.msg);
    char ck[4096];
    snprintf(ck, sizeof ck, "%s", sum.last_checkpoint);
    opt.resume = ck;
    opt.iterations = 30;
    opt.half_weights = false;
    cr_assert_eq(remap_run(sc, &opt, &sum, &err), REMAP_EUSAGE);
    cr_assert(strstr(err.msg, "stores half weights"), "%s", err.msg);
    opt.half_weights = true;
    cr_assert_eq(remap_run(sc, &opt, &sum, &err), REMAP_OK, "%s", err.msg);

    snprintf(dir, sizeof dir, "%s/f", tmp);
    remap_run_options fopt = {.out_dir = dir, .iterations = 20,
                              .reference = true};
    cr_assert_eq(remap_run(sc, &fopt, &sum, &err), REMAP_OK, "%s", err.msg);
    snprintf(ck, sizeof ck, "%s", sum.last_checkpoint);
    fopt.resume = ck;
    fopt.half_weights = true;
    cr_assert_eq(remap_run(sc, &fopt, &sum, &err), REMAP_EUSAGE);
    cr_assert(strstr(err.msg, "stores float weights"), "%s", err.msg);
    remap_scenario_destroy(sc);
}

Test(run, same_seed_same_state_other_seed_differs)
{
    remap_scenario *sc = load(small_yaml, NULL, 0);
    const char *ov[] = {"seed=6"};
    remap_scenario *other = load(small_yaml, ov, 1);
    remap_run_summary sum;
    remap_error err;
    char first[4096], second[4096];
    cr_assert_eq(run_into(sc, "a", NULL, 0, false, &sum, &err), REMAP_OK,
                 "%s", err.msg);
    snprintf(first, sizeof first, "%s", sum.last_checkpoint);
    cr_assert_eq(run_into(sc, "b", NULL, 0, false, &sum, &err), REMAP_OK,
                 "%s", err.msg);
    snprintf(second, sizeof second, "%s", sum.last_checkpoint);
    remap_model *a = load_state(sc, first), *b = load_state(sc, second);
    cr_assert(same_state(a, b), "two runs with one seed differ");
    remap_model_destroy(b);
    cr_assert_eq(run_into(other, "c", NULL, 0, false, &sum, &err), REMAP_OK,
                 "%s", err.msg);
    b = load_state(sc, sum.last_checkpoint);
    cr_assert(!same_state(a, b), "a different seed gave the same state");
    remap_model_destroy(a);
    remap_model_destroy(b);
    remap_scenario_destroy(other);
    remap_scenario_destroy(sc);
}

Test(run, non_finite_state_stops_and_keeps_last_checkpoint)
{
    /* Runaway lateral excitation from iteration 20 overflows the activity. */
    static const char yaml[] =
        "name: runaway\n"
        "iterations: 60\n"
        "sheets: {skin: {density: 12}, cortex: {density: 12}}\n"
        "measure: {interval: 10}\n"
        "checkpoint: {interval: 20}\n"
        "timeline:\n"
        "  - at: 20\n"
        "    set: {path: projections.lateral_excitatory.strength, value: 1000}\n"
        "  - at: 20\n"
        "    set: {path: projections.lateral_inhibitory.strength, value: 0}\n";
    remap_scenario *sc = load(yaml, NULL, 0);
    remap_run_summary sum;
    remap_error err;
    remap_status st = run_into(sc, "r", NULL, 0, false, &sum, &err);
    cr_assert_eq(st, REMAP_ENUMERIC, "%s", err.msg);
    cr_assert(strstr(err.msg, "iteration 30: non-finite"), "%s", err.msg);
    char good[600];
    snprintf(good, sizeof good, "%s/r/checkpoints/checkpoint-00000020.h5", tmp);
    cr_assert_str_eq(sum.last_checkpoint, good);
    remap_model *m = load_state(sc, good);
    cr_assert_eq(m->iteration, 20);
    remap_model_destroy(m);
    remap_scenario_destroy(sc);
}

Test(run, finite_check_names_quantity_and_unit)
{
    remap_scenario *sc = load(small_yaml, NULL, 0);
    remap_model *m;
    remap_error err;
    cr_assert_eq(remap_model_create(&sc->params, 1, &remap_ref_backend, NULL,
                                    &m, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_run_check_finite(m, &err), REMAP_OK);
    /* Unit (2, 1) of a 12-wide sheet. */
    m->weights[(size_t)(1 * 12 + 2) * (size_t)m->geom.cf_len + 3] = 1.0f / 0.0f;
    cr_assert_eq(remap_run_check_finite(m, &err), REMAP_ENUMERIC);
    cr_assert_str_eq(err.msg, "iteration 0: non-finite afferent weight (inf) "
                              "at unit (2, 1)");
    remap_model_destroy(m);
    remap_scenario_destroy(sc);
}

Test(run, silent_map_is_a_collapse)
{
    static const char yaml[] =
        "name: silent\n"
        "iterations: 30\n"
        "sheets: {skin: {density: 12}, cortex: {density: 12}}\n"
        "projections: {afferent: {strength: 0}}\n"
        "measure: {interval: 10}\n";
    remap_scenario *sc = load(yaml, NULL, 0);
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(run_into(sc, "s", NULL, 0, true, &sum, &err), REMAP_ECOLLAPSE);
    cr_assert_str_eq(err.msg, "iteration 10: map collapsed: no unit was "
                              "active in iterations 1 to 10");
    remap_scenario_destroy(sc);
}

/* Asleep, with spontaneous input too weak to drive any unit, the cortex
 * is silent; that is sleep, not a collapse. Awake again and still silent
 * (no afferent strength), it is. */
Test(run, silent_sleep_is_no_collapse)
{
    static const char yaml[] =
        "name: asleep\n"
        "iterations: 40\n"
        "sheets: {skin: {density: 12}, cortex: {density: 12}}\n"
        "projections: {afferent: {strength: 0}}\n"
        "measure: {interval: 10}\n"
        "timeline:\n"
        "  - at: 0\n"
        "    sleep: {until: 30, noise: 0}\n";
    remap_scenario *sc = load(yaml, NULL, 0);
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(run_into(sc, "s", NULL, 0, true, &sum, &err), REMAP_ECOLLAPSE);
    cr_assert_str_eq(err.msg, "iteration 40: map collapsed: no unit was "
                              "active in iterations 31 to 40");
    remap_scenario_destroy(sc);
}

static void stop_after_first_progress(void *ctx, const remap_run_progress *p)
{
    (void)p;
    *(volatile sig_atomic_t *)ctx = 1;
}

Test(run, interrupt_writes_a_checkpoint)
{
    remap_scenario *sc = load(small_yaml, NULL, 0);
    volatile sig_atomic_t stop = 0;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/i", tmp);
    remap_run_options opt = {
        .out_dir = dir, .stop = &stop,
        .progress = stop_after_first_progress, .progress_ctx = (void *)&stop,
    };
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(remap_run(sc, &opt, &sum, &err), REMAP_EINTERRUPTED);
    cr_assert(strstr(err.msg, "interrupted at iteration"), "%s", err.msg);
    cr_assert_neq(sum.last_checkpoint[0], '\0');
    remap_model *m = load_state(sc, sum.last_checkpoint);
    cr_assert_gt(m->iteration, 0);
    cr_assert_lt(m->iteration, 40);
    remap_model_destroy(m);
    remap_scenario_destroy(sc);
}

Test(run, refuses_a_directory_holding_a_run)
{
    remap_scenario *sc = load(small_yaml, NULL, 0);
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(run_into(sc, "d", NULL, 10, true, &sum, &err), REMAP_OK,
                 "%s", err.msg);
    cr_assert_eq(run_into(sc, "d", NULL, 10, true, &sum, &err), REMAP_EUSAGE);
    cr_assert(strstr(err.msg, "already holds a run"), "%s", err.msg);
    remap_scenario_destroy(sc);
}

Test(run, run_directory_holds_scenario_log_metrics)
{
    remap_scenario *sc = load(small_yaml, NULL, 0);
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(run_into(sc, "f", NULL, 0, true, &sum, &err), REMAP_OK, "%s",
                 err.msg);
    const char *files[] = {"scenario.yaml", "run.log", "metrics.csv",
                           "checkpoints/checkpoint-00000020.h5",
                           "checkpoints/checkpoint-00000040.h5"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[600];
        struct stat sb;
        snprintf(path, sizeof path, "%s/f/%s", tmp, files[i]);
        cr_assert_eq(stat(path, &sb), 0, "missing %s", files[i]);
    }
    /* The resolved scenario reloads to the same scenario. */
    char path[600];
    snprintf(path, sizeof path, "%s/f/scenario.yaml", tmp);
    remap_scenario *again = NULL;
    cr_assert_eq(remap_scenario_load_file(path, NULL, 0, &again, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert(!memcmp(&again->params, &sc->params, sizeof sc->params));
    cr_assert_eq(again->event_count, sc->event_count);
    remap_scenario_destroy(again);
    remap_scenario_destroy(sc);
}

/* A `set` at exactly a periodic checkpoint's iteration: the checkpoint
 * holds it, so a resume from it (into a new directory) skips it and still
 * matches the straight run. */
Test(run, resume_from_interval_checkpoint_with_event_there)
{
    static const char yaml[] =
        "name: edge\n"
        "seed: 3\n"
        "iterations: 40\n"
        "sheets: {skin: {density: 12}, cortex: {density: 12}}\n"
        "projections:\n"
        "  afferent: {radius: 0.3}\n"
        "settling: {steps: 4}\n"
        "measure: {interval: 10}\n"
        "checkpoint: {interval: 20}\n"
        "timeline:\n"
        "  - at: 20\n"
        "    set: {path: projections.afferent.learning_rate, value: 0.4}\n";
    remap_scenario *sc = load(yaml, NULL, 0);
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(run_into(sc, "straight", NULL, 0, true, &sum, &err),
                 REMAP_OK, "%s", err.msg);
    char straight[4096], mid[600];
    snprintf(straight, sizeof straight, "%s", sum.last_checkpoint);
    snprintf(mid, sizeof mid,
             "%s/straight/checkpoints/checkpoint-00000020.h5", tmp);
    remap_model *m = load_state(sc, mid);
    cr_assert_float_eq(m->params.afferent.learning_rate, 0.4f, 1e-7f,
                       "the checkpoint at 20 lacks the event at 20");
    remap_model_destroy(m);

    cr_assert_eq(run_into(sc, "resumed", mid, 0, true, &sum, &err), REMAP_OK,
                 "%s", err.msg);
    remap_model *a = load_state(sc, straight);
    remap_model *b = load_state(sc, sum.last_checkpoint);
    cr_assert(same_state(a, b), "resumed state differs from the straight run's");
    remap_model_destroy(a);
    remap_model_destroy(b);
    /* The new run directory holds the scenario it continues. */
    char path[600];
    snprintf(path, sizeof path, "%s/resumed/scenario.yaml", tmp);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0, "resumed run has no scenario.yaml");
    remap_scenario_destroy(sc);
}

/* Iterations in the first column of metrics.csv, in order. */
static int metric_iterations(const char *sub, unsigned long long *its, int max)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s/metrics.csv", tmp, sub);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char line[2048];
    int n = 0;
    cr_assert_not_null(fgets(line, sizeof line, f)); /* header */
    while (n < max && fgets(line, sizeof line, f))
        its[n++] = strtoull(line, NULL, 10);
    fclose(f);
    return n;
}

Test(run, resume_from_earlier_checkpoint_keeps_each_metrics_row_once)
{
    remap_scenario *sc = load(small_yaml, NULL, 0);
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(run_into(sc, "d", NULL, 0, true, &sum, &err), REMAP_OK, "%s",
                 err.msg);
    char mid[600];
    snprintf(mid, sizeof mid, "%s/d/checkpoints/checkpoint-00000020.h5", tmp);
    cr_assert_eq(run_into(sc, "d", mid, 0, true, &sum, &err), REMAP_OK, "%s",
                 err.msg);
    unsigned long long its[16];
    int n = metric_iterations("d", its, 16);
    cr_assert_eq(n, 5, "metrics.csv has %d rows", n);
    for (int i = 0; i < n; i++)
        cr_assert_eq(its[i], 10ull * (unsigned long long)i, "row %d is %llu",
                     i, its[i]);
    remap_scenario_destroy(sc);
}

Test(run, resume_into_another_runs_directory_is_refused)
{
    remap_scenario *sc = load(small_yaml, NULL, 0);
    const char *ov[] = {"seed=9"};
    remap_scenario *other = load(small_yaml, ov, 1);
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(run_into(sc, "a", NULL, 20, true, &sum, &err), REMAP_OK, "%s",
                 err.msg);
    char cp[4096];
    snprintf(cp, sizeof cp, "%s", sum.last_checkpoint);
    cr_assert_eq(run_into(other, "b", NULL, 10, true, &sum, &err), REMAP_OK,
                 "%s", err.msg);
    cr_assert_eq(run_into(sc, "b", cp, 0, true, &sum, &err), REMAP_EUSAGE);
    cr_assert(strstr(err.msg, "holds another run"), "%s", err.msg);
    remap_scenario_destroy(other);
    remap_scenario_destroy(sc);
}

/* A checkpoint falls between measurements: its own health check keeps a
 * broken state out of it. */
Test(run, checkpoint_refuses_non_finite_state_between_measurements)
{
    static const char yaml[] =
        "name: runaway\n"
        "iterations: 60\n"
        "sheets: {skin: {density: 12}, cortex: {density: 12}}\n"
        "measure: {interval: 25}\n"
        "checkpoint: {interval: 20}\n"
        "timeline:\n"
        "  - at: 10\n"
        "    set: {path: projections.lateral_excitatory.strength, value: 1000}\n"
        "  - at: 10\n"
        "    set: {path: projections.lateral_inhibitory.strength, value: 0}\n";
    remap_scenario *sc = load(yaml, NULL, 0);
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(run_into(sc, "r", NULL, 0, false, &sum, &err), REMAP_ENUMERIC,
                 "%s", err.msg);
    cr_assert(strstr(err.msg, "iteration 20: non-finite"), "%s", err.msg);
    cr_assert_eq(sum.last_checkpoint[0], '\0', "wrote %s",
                 sum.last_checkpoint);
    char path[600];
    struct stat sb;
    snprintf(path, sizeof path, "%s/r/checkpoints/checkpoint-00000020.h5", tmp);
    cr_assert_neq(stat(path, &sb), 0, "a non-finite checkpoint was written");
    remap_scenario_destroy(sc);
}

/* The unit maps stored with a checkpoint are those of its own weights. */
Test(run, checkpoint_unit_maps_match_its_weights)
{
    remap_scenario *sc = load(small_yaml, NULL, 0);
    remap_run_summary sum;
    remap_error err;
    /* The final checkpoint, at 25, follows no measurement (those are at
     * 10 and 20). */
    cr_assert_eq(run_into(sc, "u", NULL, 25, true, &sum, &err), REMAP_OK, "%s",
                 err.msg);
    remap_model *m = load_state(sc, sum.last_checkpoint);
    remap_unit_maps want;
    cr_assert_eq(remap_unit_maps_create(&m->geom, &want, &err), REMAP_OK);
    cr_assert_eq(remap_unit_maps_compute(m, &want, &err), REMAP_OK);
    size_t units = (size_t)m->geom.units;
    float *centre = malloc(units * 2 * sizeof(float));
    int8_t *region = malloc(units);
    hid_t f = H5Fopen(sum.last_checkpoint, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t d = H5Dopen2(f, "/measures/rf_centre", H5P_DEFAULT);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                          centre), 0);
    H5Dclose(d);
    d = H5Dopen2(f, "/measures/preferred_region", H5P_DEFAULT);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                          region), 0);
    H5Dclose(d);
    H5Fclose(f);
    int regions_seen = 0;
    bool seen[REMAP_REGION_COUNT] = {false};
    for (size_t u = 0; u < units; u++) {
        cr_assert_eq(centre[2 * u], want.rf_centre[2 * u], "unit %zu", u);
        cr_assert_eq(centre[2 * u + 1], want.rf_centre[2 * u + 1]);
        cr_assert_eq(region[u], want.preferred_region[u], "unit %zu", u);
        cr_assert(region[u] >= 0 && region[u] < REMAP_REGION_COUNT);
        if (!seen[region[u]])
            regions_seen++;
        seen[region[u]] = true;
    }
    cr_assert_gt(regions_seen, 1, "every unit prefers one region");
    free(centre);
    free(region);
    remap_unit_maps_destroy(&want);
    remap_model_destroy(m);
    remap_scenario_destroy(sc);
}

/* A scenario started from another run's checkpoint continues exactly as if
 * it had run from the start, when the two agree up to that point: the
 * events at the checkpoint's iteration happen, the scenario's parameters
 * apply. */
Test(run, from_a_checkpoint_matches_the_straight_run)
{
    static const char base[] =
        "name: base\n"
        "seed: 4\n"
        "iterations: 20\n"
        "sheets: {skin: {density: 12}, cortex: {density: 12}}\n"
        "projections:\n"
        "  afferent: {radius: 0.3}\n"
        "settling: {steps: 4}\n"
        "measure: {interval: 10}\n";
    static const char branch[] =
        "name: branch\n"
        "seed: 4\n"
        "iterations: 40\n"
        "sheets: {skin: {density: 12}, cortex: {density: 12}}\n"
        "projections:\n"
        "  afferent: {radius: 0.3}\n"
        "settling: {steps: 4}\n"
        "measure: {interval: 10}\n"
        "timeline:\n"
        "  - at: 20\n"
        "    deafferent: {regions: [d3]}\n"
        "  - at: 20\n"
        "    lesion: {disc: {centre: [0.5, 0.5], radius: 0.2}}\n";
    remap_scenario *a = load(base, NULL, 0), *b = load(branch, NULL, 0);
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(run_into(b, "straight", NULL, 0, true, &sum, &err), REMAP_OK,
                 "%s", err.msg);
    char straight[4096];
    snprintf(straight, sizeof straight, "%s", sum.last_checkpoint);
    cr_assert_eq(run_into(a, "base", NULL, 0, true, &sum, &err), REMAP_OK,
                 "%s", err.msg);
    char developed[4096], dir[512];
    snprintf(developed, sizeof developed, "%s", sum.last_checkpoint);
    snprintf(dir, sizeof dir, "%s/branch", tmp);
    remap_run_options opt = {.out_dir = dir, .from = developed,
                             .reference = true};
    cr_assert_eq(remap_run(b, &opt, &sum, &err), REMAP_OK, "%s", err.msg);
    remap_model *x = load_state(b, straight), *y = load_state(b, sum.last_checkpoint);
    cr_assert(same_state(x, y), "the branch differs from the straight run");
    int dead = 0;
    for (int u = 0; u < y->geom.units; u++)
        dead += y->unit_gain[u] == 0.0f;
    cr_assert_gt(dead, 0, "the lesion at the branch point did not happen");
    remap_model_destroy(x);
    remap_model_destroy(y);

    /* A scenario with an event before the checkpoint is refused. */
    static const char early[] =
        "name: early\n"
        "seed: 4\n"
        "iterations: 40\n"
        "sheets: {skin: {density: 12}, cortex: {density: 12}}\n"
        "projections:\n"
        "  afferent: {radius: 0.3}\n"
        "settling: {steps: 4}\n"
        "timeline:\n"
        "  - at: 10\n"
        "    deafferent: {regions: [d3]}\n";
    remap_scenario *c = load(early, NULL, 0);
    snprintf(dir, sizeof dir, "%s/early", tmp);
    opt.out_dir = dir;
    cr_assert_eq(remap_run(c, &opt, &sum, &err), REMAP_EUSAGE);
    cr_assert(strstr(err.msg, "test.yaml:9:5: deafferent at 10 comes before "
                              "iteration 20"),
              "%s", err.msg);
    remap_scenario_destroy(c);
    remap_scenario_destroy(a);
    remap_scenario_destroy(b);
}

/* The BCM rule has no normalisation; what bounds the weights is its
 * sliding threshold, which must rise with the activity the adaptive
 * threshold holds at its target. Over a real development it stays
 * finite, and its LTD narrows the fields. */
Test(run, bcm_development_stays_bounded)
{
    const char *ov[] = {"sheets.cortex.density=24",
                        "projections.afferent.rule=bcm"};
    remap_scenario *sc = NULL;
    remap_error err;
    cr_assert_eq(remap_scenario_load_file(REMAP_SOURCE_DIR
                                          "/scenarios/hand-development.yaml",
                                          ov, 2, &sc, &err),
                 REMAP_OK, "%s", err.msg);
    remap_run_summary sum;
    cr_assert_eq(run_into(sc, "bcm", NULL, 2000, false, &sum, &err), REMAP_OK,
                 "%s", err.msg);
    remap_model *m = load_state(sc, sum.last_checkpoint);
    float top = 0.0f;
    for (size_t k = 0; k < (size_t)m->geom.units * (size_t)m->geom.cf_len; k++)
        top = fmaxf(top, m->weights[k]);
    cr_assert_lt(top, 1.0f, "largest weight %g", (double)top);
    cr_assert_lt(sum.measures.rf_size, 0.017f, "mean RF size %g",
                 (double)sum.measures.rf_size);
    cr_assert_geq(sum.measures.coverage, 0.95f);
    remap_model_destroy(m);
    remap_scenario_destroy(sc);
}
