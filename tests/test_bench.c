/* The benchmark: case syntax, the ladder's cases, the live-synapse count,
 * the traffic model, the profiling hook of the OpenCL backend, the copy
 * bandwidth, the check against the reference, the JSON record, and
 * `remap bench --quick` end to end. No timing is asserted. */
#include "bench/bench.h"
#include "cl/backend.h"
#include "cl/devices.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

Test(bench, case_parse_accepts_three_fields)
{
    remap_bench_case c;
    remap_error err;
    cr_assert_eq(remap_bench_case_parse("256:128:0.08125", &c, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(c.cortex_n, 256);
    cr_assert_eq(c.skin_n, 128);
    cr_assert_float_eq(c.radius, 0.08125, 1e-12);
    char buf[64];
    remap_bench_case_format(&c, buf, sizeof buf);
    cr_assert_str_eq(buf, "256:128:0.08125");
    cr_assert(!c.v1);
    cr_assert_eq(remap_bench_case_parse("48:24:0.27:v1", &c, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert(c.v1);
    remap_bench_case_format(&c, buf, sizeof buf);
    cr_assert_str_eq(buf, "48:24:0.27:v1");
}

Test(bench, case_parse_rejects_bad_text)
{
    const char *bad[] = {"48:x:1",   "48:24",    "48:24:0", "48:24:-0.1",
                         "0:24:0.1", "48:24:0.1x", "",      "48::0.1",
                         "-4:24:0.1", "48:24:nan", "48:24:0.1:v2",
                         "48:24:0.1:v1x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        remap_bench_case c;
        remap_error err;
        cr_assert_eq(remap_bench_case_parse(bad[i], &c, &err), REMAP_EUSAGE,
                     "'%s' was accepted", bad[i]);
        char quoted[64];
        snprintf(quoted, sizeof quoted, "'%s'", bad[i]);
        cr_assert(strstr(err.msg, quoted), "message does not name %s: %s",
                  quoted, err.msg);
    }
}

static remap_geometry case_geometry(const remap_bench_case *c)
{
    remap_params p;
    remap_error err;
    cr_assert_eq(remap_bench_case_params(c, NULL, 0, &p, &err), REMAP_OK,
                 "%s", err.msg);
    remap_geometry g;
    remap_geometry_from_params(&p, &g);
    return g;
}

/* The first case is the default scenario; the bigger ones have about 400
 * stored weights per unit and the default's lateral kernels in units. */
Test(bench, ladder_grows_from_the_default_scenario)
{
    remap_bench_case cases[16];
    size_t n = remap_bench_ladder(false, cases, 16);
    cr_assert_geq(n, 5);
    remap_params def;
    remap_params_default(&def);
    remap_geometry gd;
    remap_geometry_from_params(&def, &gd);
    remap_geometry g0 = case_geometry(&cases[0]);
    cr_assert_eq(g0.cortex_n, gd.cortex_n);
    cr_assert_eq(g0.skin_n, gd.skin_n);
    cr_assert_eq(g0.cf_len, gd.cf_len);
    cr_assert_eq(g0.exc_r, gd.exc_r);
    cr_assert_eq(g0.inh_r, gd.inh_r);
    int last_units = g0.units;
    bool million = false;
    int v1 = 0;
    for (size_t i = 1; i < n; i++) {
        remap_geometry g = case_geometry(&cases[i]);
        if (cases[i].v1) {
            /* The V1 scenario's shape: a retina's ON and OFF planes and
             * plastic lateral inhibition, at the default's density. */
            v1++;
            cr_assert_eq(g.units, g0.units, "case %zu", i);
            cr_assert_eq(g.eyes, 1, "case %zu", i);
            cr_assert_eq(g.channels, 2, "case %zu", i);
            cr_assert(g.lat_plastic[1] && !g.lat_plastic[0], "case %zu", i);
            continue;
        }
        cr_assert_gt(g.units, last_units, "case %zu does not grow", i);
        last_units = g.units;
        cr_assert(g.cf_len >= 350 && g.cf_len <= 450,
                  "case %zu stores %d weights per unit", i, g.cf_len);
        cr_assert_eq(g.exc_r, gd.exc_r, "case %zu: excitatory radius %d",
                     i, g.exc_r);
        cr_assert_eq(g.inh_r, gd.inh_r, "case %zu: inhibitory radius %d",
                     i, g.inh_r);
        million |= g.units >= 1000000;
    }
    cr_assert(million, "the ladder never reaches a million units");
    cr_assert_eq(v1, 1, "the ladder has %d V1 cases", v1);
    size_t q = remap_bench_ladder(true, cases, 16);
    cr_assert_eq(q, 2);
    cr_assert_lt(case_geometry(&cases[1]).units, 10000);
}

Test(bench, case_params_apply_extra_overrides)
{
    remap_bench_case c = {64, 32, 0.2, false};
    const char *extra[] = {"settling.steps=3"};
    remap_params p;
    remap_error err;
    cr_assert_eq(remap_bench_case_params(&c, extra, 1, &p, &err), REMAP_OK,
                 "%s", err.msg);
    cr_assert_eq(p.settle_steps, 3);
    cr_assert_float_eq(p.afferent.radius, 0.2f, 1e-7f);
    c.radius = 5.0;
    cr_assert_neq(remap_bench_case_params(&c, NULL, 0, &p, &err), REMAP_OK);
    cr_assert(strstr(err.msg, "projections.afferent.radius"), "%s", err.msg);
}

static double live_brute_force(const remap_geometry *g)
{
    double live = 0;
    for (int u = 0; u < g->units; u++)
        for (int dy = -g->cf_r; dy <= g->cf_r; dy++)
            for (int dx = -g->cf_r; dx <= g->cf_r; dx++)
                live += remap_cf_receptor(g, u, dx, dy) >= 0;
    return live / g->units;
}

Test(bench, live_count_matches_the_field_lookup)
{
    remap_bench_case cases[] = {{48, 24, 0.15, false},
                                {64, 32, 0.325, false},
                                {30, 17, 0.3, false},
                                {20, 40, 0.05, false}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        remap_geometry g = case_geometry(&cases[i]);
        double want = live_brute_force(&g);
        cr_assert_float_eq(remap_bench_live_per_unit(&g), want, 1e-9,
                           "case %zu: %g live, lookup says %g", i,
                           remap_bench_live_per_unit(&g), want);
        /* Fields at the edges are clipped, so fewer than a full one. */
        cr_assert_lt(want, (double)g.cf_full + 1e-9);
    }
}

/* The V1 case counts the plastic lateral weights: every unit's read in
 * each settling step, the responding units' read and written in
 * learning, and one read and write of all in the floor. */
Test(bench, traffic_counts_plastic_lateral_weights)
{
    remap_bench_case c = {24, 12, 0.27, true};
    remap_geometry g = case_geometry(&c);
    cr_assert(g.lat_plastic[1]);
    double lateral = (double)g.units * g.lat_len[1] * 4;
    double weights = (double)g.units * g.cf_len * 4;
    remap_traffic idle, busy;
    remap_bench_traffic(&g, 4, 16, 0.0, true, &idle);
    remap_bench_traffic(&g, 4, 16, 0.5, true, &busy);
    cr_assert_float_eq(idle.lateral, 16 * lateral, 1e-6);
    cr_assert_float_eq(busy.lateral, 16 * lateral + lateral, 1e-6);
    cr_assert_float_eq(busy.floor, 2 * (weights + lateral), 1e-6);
    cr_assert_float_eq(busy.total,
                       busy.weight_read + busy.weight_write + busy.lateral +
                           busy.state,
                       1e-6);
}

Test(bench, traffic_counts_weights_and_state)
{
    remap_bench_case c = {64, 32, 0.325, false};
    remap_geometry g = case_geometry(&c);
    double weights = (double)g.units * g.cf_len * 4;
    remap_traffic idle, busy, half, more_settling, fused;
    remap_bench_traffic(&g, 4, 16, 0.0, false, &idle);
    remap_bench_traffic(&g, 4, 16, 1.0, false, &busy);
    remap_bench_traffic(&g, 2, 16, 1.0, false, &half);
    remap_bench_traffic(&g, 4, 17, 0.0, false, &more_settling);
    remap_bench_traffic(&g, 4, 16, 1.0, true, &fused);
    cr_assert_float_eq(busy.lateral, 0.0, 1e-6);
    cr_assert_float_eq(idle.floor, 2 * weights, 1e-6);
    /* Without a responding unit the weights are only read, once. */
    cr_assert_float_eq(idle.weight_read, weights, 1e-6);
    cr_assert_float_eq(idle.weight_write, 0.0, 1e-6);
    /* When every unit learns, every field is read again and written. */
    cr_assert_float_eq(busy.weight_read, 2 * weights, 1e-6);
    cr_assert_float_eq(busy.weight_write, weights, 1e-6);
    cr_assert_float_eq(half.weight_read + half.weight_write,
                       0.5 * (busy.weight_read + busy.weight_write), 1e-6);
    cr_assert_float_eq(busy.total,
                       busy.weight_read + busy.weight_write + busy.state,
                       1e-6);
    /* The fused sweep reads each weight once even when all learn: the
     * floor's one read and one write. */
    cr_assert_float_eq(fused.weight_read, weights, 1e-6);
    cr_assert_float_eq(fused.weight_write, weights, 1e-6);
    cr_assert_float_eq(fused.weight_read + fused.weight_write, fused.floor,
                       1e-6);
    cr_assert_gt(more_settling.state, idle.state);
    cr_assert_float_eq(more_settling.state - idle.state, 20.0 * g.units,
                       1e-6);
}

static remap_params tiny_params(void)
{
    remap_params p;
    remap_params_default(&p);
    p.skin.density = 16.0f;
    p.cortex.density = 14.0f;
    p.afferent.radius = 0.2f;
    p.settle_steps = 4;
    return p;
}

Test(bench, profiling_times_each_kernel)
{
    remap_params p = tiny_params();
    /* Settling by steps: one launch each, after one active_span per
     * iteration (all steps in one launch is below). */
    remap_cl_options opt = {.profiling = true,
                            .settle = REMAP_SETTLE_STEPS};
    remap_model *m = NULL;
    remap_error err;
    cr_assert_eq(remap_model_create(&p, 3, &remap_cl_backend, &opt, &m, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_gt(remap_cl_build_seconds(m), 0.0);
    cr_assert_eq(remap_cl_weight_bytes(m), sizeof(float));
    remap_kernel_time kt[16];
    /* Creating the model stored its weights (import_weights). */
    cr_assert_gt(remap_cl_kernel_times(m, kt, 16), 0);
    remap_cl_kernel_times_reset(m);
    cr_assert_eq(remap_cl_kernel_times(m, kt, 16), 0);
    cr_assert_eq(remap_model_step(m, 3, &err), REMAP_OK, "%s", err.msg);
    size_t n = remap_cl_kernel_times(m, kt, 16);
    /* The fused pass: one afferent launch starts the step, and learning
     * responds to the next stimulus, drawn before it. */
    const char *names[] = {"stimulus", "afferent", "active_span", "settle",
                           "learn"};
    uint64_t launches[] = {3, 1, 3, 3 * 4, 3};
    cr_assert_eq(n, 5, "%zu kernels", n);
    for (size_t i = 0; i < 5; i++) {
        cr_assert_str_eq(kt[i].name, names[i]);
        cr_assert_eq(kt[i].launches, launches[i], "%s: %llu launches",
                     names[i], (unsigned long long)kt[i].launches);
        cr_assert_gt(kt[i].seconds, 0.0, "%s took no time", names[i]);
    }
    /* Fewer entries than kernels: the count still says how many. */
    cr_assert_eq(remap_cl_kernel_times(m, kt, 2), 5);
    /* Times accumulate over steps until reset. */
    cr_assert_eq(remap_model_step(m, 2, &err), REMAP_OK, "%s", err.msg);
    remap_cl_kernel_times(m, kt, 16);
    cr_assert_eq(kt[0].launches, 5);
    cr_assert_eq(kt[1].launches, 2);
    remap_cl_kernel_times_reset(m);
    cr_assert_eq(remap_cl_kernel_times(m, kt, 16), 0);
    cr_assert_eq(remap_model_step(m, 1, &err), REMAP_OK, "%s", err.msg);
    remap_cl_kernel_times(m, kt, 16);
    cr_assert_eq(kt[3].launches, 4);
    remap_model_destroy(m);

    /* Settling in one launch: one settle_all per iteration. */
    opt.settle = REMAP_SETTLE_ONE_LAUNCH;
    cr_assert_eq(remap_model_create(&p, 3, &remap_cl_backend, &opt, &m, &err),
                 REMAP_OK, "%s", err.msg);
    remap_cl_kernel_times_reset(m);
    cr_assert_eq(remap_model_step(m, 3, &err), REMAP_OK, "%s", err.msg);
    n = remap_cl_kernel_times(m, kt, 16);
    cr_assert_eq(n, 4, "%zu kernels", n);
    cr_assert_str_eq(kt[2].name, "settle_all");
    cr_assert_eq(kt[2].launches, 3);
    remap_model_destroy(m);
}

Test(bench, no_kernel_times_without_profiling)
{
    remap_params p = tiny_params();
    remap_cl_options opt = {0};
    remap_model *cl = NULL, *ref = NULL;
    remap_error err;
    cr_assert_eq(remap_model_create(&p, 3, &remap_cl_backend, &opt, &cl,
                                    &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_create(&p, 3, &remap_ref_backend, NULL, &ref,
                                    &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_step(cl, 2, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_step(ref, 2, &err), REMAP_OK, "%s", err.msg);
    remap_kernel_time kt[16];
    cr_assert_eq(remap_cl_kernel_times(cl, kt, 16), 0);
    cr_assert_eq(remap_cl_kernel_times(ref, kt, 16), 0);
    remap_cl_kernel_times_reset(ref); /* harmless */
    cr_assert_eq(remap_cl_weight_bytes(ref), sizeof(float));
    cr_assert_eq(remap_cl_build_seconds(ref), 0.0);
    cr_assert_eq(remap_cl_settle_tile(ref), 0);
    cr_assert_eq(remap_cl_field_lanes(ref), 0);
    remap_model_destroy(cl);
    remap_model_destroy(ref);
}

Test(bench, compare_names_what_differs)
{
    remap_params p = tiny_params();
    remap_model *a = NULL, *b = NULL;
    remap_error err;
    cr_assert_eq(remap_model_create(&p, 5, &remap_ref_backend, NULL, &a,
                                    &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_create(&p, 5, &remap_ref_backend, NULL, &b,
                                    &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_step(a, 3, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_step(b, 3, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_bench_compare(a, b, 1e-4, &err), REMAP_OK, "%s",
                 err.msg);
    int cf = a->geom.cf_len, u = 7, k = cf / 2;
    b->weights[u * cf + k] *= 1.01f;
    b->threshold[5] += 0.5f;
    cr_assert_eq(remap_bench_compare(a, b, 1e-4, &err), REMAP_ENUMERIC);
    char want[64];
    snprintf(want, sizeof want, "weights differ at iteration 3, unit %d, "
                                "slot %d",
             u, k);
    cr_assert(strstr(err.msg, want), "%s", err.msg);
    cr_assert(strstr(err.msg, "threshold differs at iteration 3, unit 5"),
              "%s", err.msg);
    cr_assert_null(strstr(err.msg, "activity"), "%s", err.msg);
    /* A looser tolerance lets the weight pass, not the threshold. */
    cr_assert_eq(remap_bench_compare(a, b, 0.02, &err), REMAP_ENUMERIC);
    cr_assert_null(strstr(err.msg, "weights"), "%s", err.msg);
    remap_model_destroy(a);
    remap_model_destroy(b);
}

Test(bench, check_passes_for_the_opencl_step)
{
    remap_bench_case c = {32, 32, 10.4 / 32, false};
    remap_bench_options o = {.seed = 2};
    remap_error err;
    double tol = 0.0;
    cr_assert_eq(remap_bench_check(&c, &o, 5, &tol, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_float_eq(tol, REMAP_BENCH_TOLERANCE, 1e-12);
    /* Each variant of the step passes it too. */
    remap_bench_options variants[] = {{.seed = 2, .unfused = true},
                                      {.seed = 2, .half_weights = true},
                                      {.seed = 2, .max_buffer = 200000}};
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        cr_assert_eq(remap_bench_check(&c, &variants[i], 5, NULL, &err),
                     REMAP_OK, "variant %zu: %s", i, err.msg);
}

Test(bench, copy_bandwidth_copies_and_times)
{
    remap_copy_bandwidth bw;
    remap_error err;
    cr_assert_eq(remap_copy_bandwidth_measure(NULL, 8u << 20, 1, 3, &bw,
                                              &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_gt(bw.bytes, 0);
    cr_assert_leq(bw.bytes, 8u << 20);
    cr_assert_eq(bw.bytes % 4096, 0);
    cr_assert_eq(bw.repeats, 3);
    cr_assert_gt(bw.kernel.min, 0.0);
    cr_assert_leq(bw.kernel.min, bw.kernel.median);
    cr_assert_leq(bw.kernel.median, bw.kernel.max);
    cr_assert_gt(bw.copy_buffer.min, 0.0);
    cr_assert(bw.device.name[0]);
    cr_assert_eq(remap_copy_bandwidth_measure(NULL, 8u << 20, 1, 0, &bw,
                                              &err),
                 REMAP_EINVAL);
}

/* The floor's yardstick is the faster copy, whichever it is. */
Test(bench, the_yardstick_is_the_faster_copy)
{
    remap_copy_bandwidth c = {.kernel = {30e9, 28e9, 31e9},
                              .copy_buffer = {20e9, 19e9, 40e9}};
    const char *which = NULL;
    cr_assert_float_eq(remap_copy_bandwidth_best(&c, &which), 30e9, 1.0);
    cr_assert_str_eq(which, "kernel");
    c.copy_buffer.median = 35e9;
    cr_assert_float_eq(remap_copy_bandwidth_best(&c, &which), 35e9, 1.0);
    cr_assert_str_eq(which, "copy_buffer");
    cr_assert_float_eq(remap_copy_bandwidth_best(&c, NULL), 35e9, 1.0);
}

Test(bench, spread_is_median_and_range)
{
    double odd[] = {5, 1, 3};
    remap_spread s = remap_spread_of(odd, 3);
    cr_assert_float_eq(s.median, 3.0, 1e-12);
    cr_assert_float_eq(s.min, 1.0, 1e-12);
    cr_assert_float_eq(s.max, 5.0, 1e-12);
    double even[] = {4, 1, 2, 10};
    s = remap_spread_of(even, 4);
    cr_assert_float_eq(s.median, 3.0, 1e-12);
}

/* ---- The JSON record and the command */

static char tmp[256];

static void make_tmp(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/remap-test-bench-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void remove_tmp(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

TestSuite(bench_out, .init = make_tmp, .fini = remove_tmp);

Test(bench_out, json_record_escapes_and_holds_every_field)
{
    remap_bench_options o = {.repeats = 2, .iterations = 3, .seed = 9};
    remap_bench_result res = {0};
    res.c = (remap_bench_case){48, 24, 0.15, false};
    snprintf(res.device, sizeof res.device, "dev \"quoted\"");
    res.kernel_count = 1;
    snprintf(res.kernels[0].name, sizeof res.kernels[0].name, "settle");
    res.kernels[0].launches = 16;
    res.seconds = (remap_spread){0.002, 0.001, 0.003};
    res.floor_ratio.median = 1.0 / 0.0; /* JSON has no infinity */
    const char *skipped[] = {"1024:512:0.0203125: too big"};
    remap_bench_report r = {.revision = "abc123", .version = "0.1.0",
                            .options = &o, .command = "remap bench",
                            .check = "ok", .results = &res,
                            .result_count = 1, .skipped = skipped,
                            .skipped_count = 1};
    remap_bench_report_date(&r);
    snprintf(r.copy.device.name, sizeof r.copy.device.name, "cpu\\0");
    char path[300];
    snprintf(path, sizeof path, "%s/b.json", tmp);
    remap_error err;
    cr_assert_eq(remap_bench_write_json(path, &r, &err), REMAP_OK, "%s",
                 err.msg);
    const char *j = slurp(path);
    const char *want[] = {"\"revision\": \"abc123\"", "\"date\": \"20",
                          "\"name\": \"cpu\\\\0\"", "\"dev \\\"quoted\\\"\"",
                          "\"seconds_per_iteration\": {\"median\": 0.002, "
                          "\"min\": 0.001, \"max\": 0.003}",
                          "\"floor_ratio\": {\"median\": null",
                          "\"name\": \"settle\", \"launches_per_iteration\": "
                          "16",
                          "\"skipped\": [\"1024:512:0.0203125: too big\"]",
                          "\"seed\": 9"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_assert(strstr(j, want[i]), "no %s in:\n%s", want[i], j);
    /* Written atomically: nothing else is left in the directory. */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 1", tmp);
    cr_assert_eq(system(cmd), 0);
}

/* Runs `remap bench ARGS` in tmp; stdout and stderr into out. */
static int bench(const char *args, char *out, size_t size)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' bench %s 2>&1", tmp,
             REMAP_BINARY, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    cr_assert(WIFEXITED(status), "remap bench %s did not exit", args);
    return WEXITSTATUS(status);
}

static char out[1 << 16];

Test(bench_out, bad_case_is_a_usage_error)
{
    cr_assert_eq(bench("--case 48:x:1", out, sizeof out), 2);
    cr_assert(strstr(out, "--case 48:x:1"), "%s", out);
    cr_assert_eq(bench("--case 48:24:5", out, sizeof out), 2);
    cr_assert(strstr(out, "--case 48:24:5"), "%s", out);
    cr_assert(strstr(out, "projections.afferent.radius"), "%s", out);
    cr_assert_eq(bench("--repeat 0", out, sizeof out), 2);
    cr_assert(strstr(out, "--repeat needs a positive integer, got '0'"),
              "%s", out);
    cr_assert_eq(bench("--settle-tile 65", out, sizeof out), 2);
    cr_assert(strstr(out, "--settle-tile is at most 64, got '65'"), "%s",
              out);
    cr_assert_eq(bench("--settle-tile 0", out, sizeof out), 2);
    cr_assert_eq(bench("--field-lanes 4", out, sizeof out), 2);
    cr_assert(strstr(out, "--field-lanes is 1 or 8, got '4'"), "%s", out);
    cr_assert_eq(bench("--quik", out, sizeof out), 2);
    cr_assert(strstr(out, "did you mean '--quick'"), "%s", out);
    cr_assert_eq(bench("--device no-such-device --quick", out, sizeof out),
                 2);
    cr_assert(strstr(out, "no-such-device"), "%s", out);
}

/* The tile a model was built with: the one asked for, at most a row, or
 * the device's default. */
Test(bench, settle_tile_is_the_one_built)
{
    remap_params p = tiny_params();
    p.cortex.density = 40.0f; /* rows wider than the CPU's tile, not 64 */
    /* The device a model is built for by default: its type sets the
     * default tile. */
    remap_device_info dev;
    remap_error derr;
    cr_assert_eq(remap_device_choose(NULL, &dev, &derr), REMAP_OK, "%s",
                 derr.msg);
    int default_tile =
        strcmp(dev.type, "CPU") == 0 ? REMAP_SETTLE_TILE_CPU : 1;
    static const int asked[] = {5, 64, 0};
    for (size_t i = 0; i < sizeof asked / sizeof *asked; i++) {
        remap_cl_options opt = {.settle_tile = asked[i]};
        remap_model *m = NULL;
        remap_error err;
        cr_assert_eq(
            remap_model_create(&p, 3, &remap_cl_backend, &opt, &m, &err),
            REMAP_OK, "%s", err.msg);
        int n = m->geom.cortex_n, tile = remap_cl_settle_tile(m);
        cr_assert_lt(REMAP_SETTLE_TILE_CPU, n,
                     "the sheet is too small for this test");
        cr_assert_lt(n, 64, "the sheet is too large for this test");
        int want = asked[i] ? asked[i] : default_tile;
        cr_assert_eq(tile, want < n ? want : n, "asked for %d", asked[i]);
        remap_model_destroy(m);
    }
}

/* The field lanes a model was built with: the ones asked for, or the
 * device's default. */
Test(bench, field_lanes_are_the_ones_built)
{
    remap_params p = tiny_params();
    remap_device_info dev;
    remap_error derr;
    cr_assert_eq(remap_device_choose(NULL, &dev, &derr), REMAP_OK, "%s",
                 derr.msg);
    int default_lanes =
        strcmp(dev.type, "CPU") == 0 ? REMAP_FIELD_LANES_CPU : 1;
    static const int asked[] = {1, REMAP_FIELD_LANES_CPU, 0};
    for (size_t i = 0; i < sizeof asked / sizeof *asked; i++) {
        remap_cl_options opt = {.field_lanes = asked[i]};
        remap_model *m = NULL;
        remap_error err;
        cr_assert_eq(
            remap_model_create(&p, 3, &remap_cl_backend, &opt, &m, &err),
            REMAP_OK, "%s", err.msg);
        cr_assert_eq(remap_cl_field_lanes(m),
                     asked[i] ? asked[i] : default_lanes, "asked for %d",
                     asked[i]);
        remap_model_destroy(m);
    }
}

Test(bench_out, quick_prints_a_table_and_writes_json)
{
    cr_assert_eq(bench("--quick --json q.json", out, sizeof out), 0, "%s",
                 out);
    cr_assert(strstr(out, "ms/iteration"), "%s", out);
    cr_assert(strstr(out, "48:24:0.15"), "%s", out);
    cr_assert(strstr(out, "check: OpenCL matches the reference"), "%s", out);
    char path[300];
    snprintf(path, sizeof path, "%s/q.json", tmp);
    const char *j = slurp(path);
    const char *want[] = {
        "\"revision\": ", "\"date\": ", "\"device\": {\"name\": ",
        "\"vendor\": ", "\"driver_version\": ", "\"opencl_version\": ",
        "\"compute_units\": ", "\"clock_mhz\": ", "\"global_mem\": ",
        "\"max_alloc\": ", "\"options\": {\"unfused\": false, "
        "\"half_weights\": false, \"layout\": \"auto\", "
        "\"settle\": \"auto\", \"settle_tile\": 0, \"field_lanes\": 0, "
        "\"max_buffer\": 0",
        "\"copy_bandwidth\": {\"bytes\": ", "\"kernel_gbps\": ",
        "\"yardstick\": \"", "\"yardstick_gbps\": ",
        "\"copy_buffer_gbps\": ", "\"case\": \"48:24:0.15\"",
        "\"case\": \"64:32:0.325\"", "\"seconds_per_iteration\": ",
        "\"gbps\": ", "\"copy_share\": ", "\"floor_ratio\": ", "\"gcups\": ",
        "\"settle_share\": ", "\"name\": \"afferent\"",
        "\"name\": \"settle_all\", \"launches_per_iteration\": 1",
        "\"build_seconds\": ", "\"setup_seconds\": ", "\"traffic\": ",
        "\"settle_tile\": ", "\"field_lanes\": "};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_assert(strstr(j, want[i]), "no %s in:\n%s", want[i], j);
    /* Every brace and bracket closes (outside strings). */
    int depth = 0;
    bool in_string = false;
    for (const char *s = j; *s; s++) {
        if (in_string) {
            if (*s == '\\')
                s++;
            else if (*s == '"')
                in_string = false;
        } else if (*s == '"') {
            in_string = true;
        } else if (*s == '{' || *s == '[') {
            depth++;
        } else if (*s == '}' || *s == ']') {
            cr_assert_gt(depth, 0, "unbalanced JSON:\n%s", j);
            depth--;
        }
    }
    cr_assert_eq(depth, 0, "unbalanced JSON:\n%s", j);
    cr_assert_not(in_string);
}
