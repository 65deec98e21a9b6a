/* `remap bench`: parses the options, checks the OpenCL step against the
 * reference, measures the copy bandwidth, times each case of the ladder,
 * prints the table and writes the JSON record. */
#include "cli/bench_cmd.h"

#include "cli/args.h"
#include "bench/bench.h"
#include "core/suggest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2
#define MAX_CASES 32
#define MAX_OVERRIDES 64
#define MIB (1024.0 * 1024.0)

const char remap_bench_help[] =
    "usage: remap bench [options]\n"
    "\n"
    "Measures the training step: first checks that OpenCL and the reference\n"
    "backend agree, then measures the device's copy bandwidth, then times a\n"
    "ladder of sheet sizes built from the default scenario (48, 128, 256,\n"
    "512, 1024, 2048 units per side; above 48 with 441 stored weights per\n"
    "unit), and the V1 scenario's shape at 48 (retina, plastic lateral\n"
    "inhibition), stopping at the largest that fits the device and\n"
    "--max-units.\n"
    "Prints a table (progress goes to stderr); docs/bench.md explains it.\n"
    "\n"
    "options:\n"
    "  --json FILE          also write every figure as JSON\n"
    "  --quick              a tiny ladder and few repeats (a smoke test)\n"
    "  --case C:S:R[:v1]    time this case instead of the ladder: cortex\n"
    "                       density C, skin density S, afferent radius R\n"
    "                       (skin units); :v1 in the V1 scenario's shape;\n"
    "                       repeatable\n"
    "  --max-units N        largest sheet of the ladder, in units (default:\n"
    "                       1048576 on a GPU, 262144 otherwise)\n"
    "  --repeat K           timed runs per case (default 5; quick 3)\n"
    "  --iterations N       iterations per timed run (default 10; quick 3)\n"
    "  --warmup N           untimed iterations first (default 3; quick 1)\n"
    "  --seed S             random seed (default 1)\n"
    "  --set PATH=VALUE     override a scenario value in every case\n"
    "  --device D           OpenCL device: index or name substring\n"
    "  --reference          time the C reference backend too (slow)\n"
    "  --unfused            separate afferent and learning sweeps\n"
    "  --half               store the afferent weights as half floats\n"
    "  --max-buffer BYTES   split the weights into buffers of at most BYTES\n"
    "  --layout L           weight layout: fields (each unit's field\n"
    "                       contiguous), transposed (each slot of all fields\n"
    "                       contiguous) or auto (default: transposed on a\n"
    "                       GPU, fields otherwise)\n"
    "  --settle S           settling launches: steps (one per step),\n"
    "                       one-launch (all steps in one work-group) or auto\n"
    "                       (default: one launch up to 4096 units)\n"
    "  --settle-tile N      units of a row that one settling work-item sums\n"
    "                       together, 1 to 64 (default: 32 on a CPU, 1 on a\n"
    "                       GPU)\n"
    "  --field-lanes N      units whose afferent fields one work-item walks\n"
    "                       together, 1 or 8 (default: 8 on a CPU, 1 on a\n"
    "                       GPU)\n";

static const char *const bench_options[] = {
    "--json",    "--quick",  "--case",      "--max-units",  "--repeat",
    "--iterations", "--warmup", "--seed",   "--set",        "--device",
    "--reference", "--unfused", "--half",  "--max-buffer", "--layout",
    "--settle", "--settle-tile", "--field-lanes", "--help",
};

typedef struct bench_cli {
    const char *json;
    bool quick, reference, unfused, half, max_units_given;
    remap_bench_case cases[MAX_CASES];
    size_t case_count;
    const char *overrides[MAX_OVERRIDES];
    size_t override_count;
    uint64_t max_units, repeat, iterations, warmup, seed, max_buffer,
        settle_tile, field_lanes;
    remap_weight_layout layout;
    remap_settle_mode settle;
    bool repeat_given, iterations_given, warmup_given;
    const char *device;
} bench_cli;

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage(const char *fmt, ...)
{
    fprintf(stderr, "remap: bench: ");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'remap help bench'.\n");
    return EXIT_USAGE;
}

static bool is_flag(const char *name)
{
    return !strcmp(name, "--quick") || !strcmp(name, "--reference") ||
           !strcmp(name, "--unfused") || !strcmp(name, "--half");
}

/* Numeric options that may be 0. */
static bool zero_ok(const char *name)
{
    return !strcmp(name, "--warmup") || !strcmp(name, "--seed") ||
           !strcmp(name, "--max-buffer");
}

/* Returns 0, -1 after --help, or an exit code. */
static int parse(int argc, char **argv, bench_cli *c)
{
    c->seed = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(remap_bench_help, stdout);
            return -1;
        }
        if (a[0] != '-')
            return usage("unexpected argument '%s'", a);
        char name[64];
        const char *value = remap_arg_split(a, name, sizeof name);
        size_t n = sizeof bench_options / sizeof *bench_options;
        bool known = false;
        for (size_t k = 0; k < n; k++)
            known |= !strcmp(name, bench_options[k]);
        if (!known) {
            const char *near = remap_suggest(name, bench_options, n);
            if (near)
                return usage("unknown option '%s' (did you mean '%s'?)", name,
                             near);
            return usage("unknown option '%s'", name);
        }
        if (is_flag(name)) {
            if (value)
                return usage("option '%s' takes no value", name);
            if (!strcmp(name, "--quick"))
                c->quick = true;
            else if (!strcmp(name, "--reference"))
                c->reference = true;
            else if (!strcmp(name, "--unfused"))
                c->unfused = true;
            else
                c->half = true;
            continue;
        }
        if (!value) {
            if (i + 1 >= argc)
                return usage("option '%s' needs a value", name);
            value = argv[++i];
        }
        uint64_t v = 0;
        if (!strcmp(name, "--json")) {
            c->json = value;
        } else if (!strcmp(name, "--settle")) {
            if (!strcmp(value, "auto"))
                c->settle = REMAP_SETTLE_AUTO;
            else if (!strcmp(value, "steps"))
                c->settle = REMAP_SETTLE_STEPS;
            else if (!strcmp(value, "one-launch"))
                c->settle = REMAP_SETTLE_ONE_LAUNCH;
            else
                return usage("--settle needs auto, steps or one-launch, "
                             "got '%s'", value);
        } else if (!strcmp(name, "--layout")) {
            if (!strcmp(value, "auto"))
                c->layout = REMAP_LAYOUT_AUTO;
            else if (!strcmp(value, "fields"))
                c->layout = REMAP_LAYOUT_FIELDS;
            else if (!strcmp(value, "transposed"))
                c->layout = REMAP_LAYOUT_TRANSPOSED;
            else
                return usage("--layout needs auto, fields or transposed, "
                             "got '%s'", value);
        } else if (!strcmp(name, "--device")) {
            c->device = value;
        } else if (!strcmp(name, "--set")) {
            if (!strchr(value, '='))
                return usage("--set needs PATH=VALUE, got '%s'", value);
            if (c->override_count == MAX_OVERRIDES)
                return usage("too many --set options");
            c->overrides[c->override_count++] = value;
        } else if (!strcmp(name, "--case")) {
            remap_error err;
            if (c->case_count == MAX_CASES)
                return usage("too many --case options");
            if (remap_bench_case_parse(value, &c->cases[c->case_count], &err))
                return usage("--case %s: %s", value, err.msg);
            c->case_count++;
        } else if (!remap_arg_u64(value, &v) || (v == 0 && !zero_ok(name))) {
            return usage("%s needs a %s integer, got '%s'", name,
                         zero_ok(name) ? "non-negative" : "positive", value);
        } else if (!strcmp(name, "--max-units")) {
            c->max_units = v;
            c->max_units_given = true;
        } else if (!strcmp(name, "--repeat")) {
            c->repeat = v;
            c->repeat_given = true;
        } else if (!strcmp(name, "--iterations")) {
            c->iterations = v;
            c->iterations_given = true;
        } else if (!strcmp(name, "--warmup")) {
            c->warmup = v;
            c->warmup_given = true;
        } else if (!strcmp(name, "--seed")) {
            c->seed = v;
        } else if (!strcmp(name, "--max-buffer")) {
            c->max_buffer = v;
        } else if (!strcmp(name, "--settle-tile")) {
            if (v > REMAP_SETTLE_TILE_MAX)
                return usage("--settle-tile is at most %d, got '%s'",
                             REMAP_SETTLE_TILE_MAX, value);
            c->settle_tile = v;
        } else if (!strcmp(name, "--field-lanes")) {
            if (v != 1 && v != REMAP_FIELD_LANES_CPU)
                return usage("--field-lanes is 1 or %d, got '%s'",
                             REMAP_FIELD_LANES_CPU, value);
            c->field_lanes = v;
        }
    }
    if (c->repeat > 1000 || c->warmup > 1000000)
        return usage("--repeat is at most 1000 and --warmup at most "
                     "1000000");
    return 0;
}

static int report(const remap_error *err)
{
    fprintf(stderr, "remap: bench: %s\n",
            err->msg[0] ? err->msg : remap_status_message(err->status));
    return remap_status_exit_code(err->status);
}

static void print_spread_ms(const remap_spread *s)
{
    printf("%9.3f [%.3f-%.3f]", s->median * 1e3, s->min * 1e3, s->max * 1e3);
}

static void print_table(const remap_bench_report *r)
{
    const remap_device_info *d = &r->copy.device;
    char mem[32], alloc[32], buf[32];
    remap_format_bytes(d->global_mem, mem, sizeof mem);
    remap_format_bytes(d->max_alloc, alloc, sizeof alloc);
    remap_format_bytes(r->copy.bytes, buf, sizeof buf);
    printf("remap bench %s (%s), %s\n", r->version, r->revision, r->date);
    printf("device: %s (%s, %s), %u compute units at %u MHz, %s memory, "
           "%s largest allocation, %s, driver %s\n",
           d->name, d->type, d->platform, d->compute_units, d->clock_mhz, mem,
           alloc, d->device_version, d->driver_version);
    const remap_bench_options *o = r->options;
    char tile[16] = "auto", lanes[16] = "auto";
    if (o->settle_tile)
        snprintf(tile, sizeof tile, "%d", o->settle_tile);
    if (o->field_lanes)
        snprintf(lanes, sizeof lanes, "%d", o->field_lanes);
    printf("options: %s%s %s layout, settling %s, settling tile %s, "
           "field lanes %s, max-buffer %llu, %d "
           "warm-up + %d x %llu iterations per case, seed %llu\n",
           o->unfused ? "unfused," : "fused,",
           o->half_weights ? " half weights," : " float weights,",
           remap_bench_layout_name(o->layout),
           remap_bench_settle_name(o->settle), tile, lanes,
           (unsigned long long)o->max_buffer, o->warmup, o->repeats,
           (unsigned long long)o->iterations, (unsigned long long)o->seed);
    printf("check: %s\n", r->check);
    const char *best;
    remap_copy_bandwidth_best(&r->copy, &best);
    printf("copy bandwidth (read + write, %s buffers, median of %d "
           "[min-max]): kernel %.2f GB/s [%.2f-%.2f], clEnqueueCopyBuffer "
           "%.2f GB/s [%.2f-%.2f]; %%copy and the floor use the %s\n",
           buf, r->copy.repeats, r->copy.kernel.median * 1e-9,
           r->copy.kernel.min * 1e-9, r->copy.kernel.max * 1e-9,
           r->copy.copy_buffer.median * 1e-9, r->copy.copy_buffer.min * 1e-9,
           r->copy.copy_buffer.max * 1e-9,
           strcmp(best, "kernel") == 0 ? "kernel" : "clEnqueueCopyBuffer");
    printf("\n%-19s %-9s %8s %6s %6s %9s %7s %7s %27s %8s %6s %7s %7s %6s "
           "%6s\n",
           "case", "backend", "units", "cf_len", "live", "weights", "build",
           "setup", "ms/iteration [min-max]", "GB/s", "%copy", "xfloor",
           "GCUPS", "settle", "active");
    printf("%-19s %-9s %8s %6s %6s %9s %7s %7s %27s %8s %6s %7s %7s %6s "
           "%6s\n",
           "", "", "", "", "", "MiB", "s", "s", "", "model", "", "", "",
           "share", "share");
    for (size_t i = 0; i < r->result_count; i++) {
        const remap_bench_result *x = &r->results[i];
        char name[64];
        remap_bench_case_format(&x->c, name, sizeof name);
        double wmib = (double)x->geom.units * (double)x->geom.cf_len *
                      (double)x->weight_bytes / MIB;
        printf("%-19s %-9s %8d %6d %6.1f %9.1f %7.2f %7.2f ", name,
               x->reference ? "reference" : "opencl", x->geom.units,
               x->geom.cf_len, x->live_per_unit, wmib, x->build_seconds,
               x->setup_seconds);
        char t[64];
        snprintf(t, sizeof t, "%.3f [%.3f-%.3f]", x->seconds.median * 1e3,
                 x->seconds.min * 1e3, x->seconds.max * 1e3);
        printf("%27s %8.2f %6.1f %7.1f %7.3f %6.2f %6.3f\n", t,
               x->gbps.median, x->copy_share.median * 100.0,
               x->floor_ratio.median, x->gcups.median,
               x->settle_share.median, x->active_share);
    }
    printf("\ndevice time per iteration by kernel (profiling), ms: median "
           "[min-max], launches per iteration\n");
    for (size_t i = 0; i < r->result_count; i++) {
        const remap_bench_result *x = &r->results[i];
        if (!x->kernel_count)
            continue;
        char name[64];
        remap_bench_case_format(&x->c, name, sizeof name);
        for (size_t k = 0; k < x->kernel_count; k++) {
            printf("%-19s %-12s ", k ? "" : name, x->kernels[k].name);
            print_spread_ms(&x->kernels[k].seconds);
            printf("  x%g\n", x->kernels[k].launches);
        }
    }
    printf("\nmodelled traffic: %s; floor: one read and one write of every "
           "stored weight (afferent and plastic lateral) at the "
           "yardstick's bandwidth (the faster copy, above)\n",
           remap_bench_traffic_model);
    for (size_t i = 0; i < r->skipped_count; i++)
        printf("not run: %s\n", r->skipped[i]);
}

/* The command line as one string, for the record. */
static void join_command(int argc, char **argv, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "remap bench");
    for (int i = 0; i < argc && used + 1 < size; i++)
        used += (size_t)snprintf(buf + used, size - used, " %s", argv[i]);
}

int remap_bench_main(int argc, char **argv, const char *version,
                     const char *revision)
{
    bench_cli c = {0};
    int rc = parse(argc, argv, &c);
    if (rc)
        return rc < 0 ? 0 : rc;

    remap_bench_options o = {
        .device = c.device,
        .unfused = c.unfused,
        .half_weights = c.half,
        .max_buffer = c.max_buffer,
        .layout = c.layout,
        .settle = c.settle,
        .settle_tile = (int)c.settle_tile,
        .field_lanes = (int)c.field_lanes,
        .warmup = (int)(c.warmup_given ? c.warmup : c.quick ? 1 : 3),
        .repeats = (int)(c.repeat_given ? c.repeat : c.quick ? 3 : 5),
        .iterations = c.iterations_given ? c.iterations : c.quick ? 3 : 10,
        .seed = c.seed,
        .overrides = c.overrides,
        .override_count = c.override_count,
    };
    remap_error *err = calloc(1, sizeof *err);
    remap_bench_result *results = calloc(MAX_CASES * 2, sizeof *results);
    char(*skipped)[320] = calloc(MAX_CASES, sizeof *skipped);
    const char *skipped_ptr[MAX_CASES];
    if (!err || !results || !skipped) {
        free(err);
        free(results);
        free(skipped);
        fprintf(stderr, "remap: bench: out of memory\n");
        return 1;
    }
    remap_bench_report r = {
        .revision = revision,
        .version = version,
        .options = &o,
        .results = results,
        .skipped = skipped_ptr,
    };
    char command[2048];
    join_command(argc, argv, command, sizeof command);
    r.command = command;
    remap_bench_report_date(&r);

    /* The device first: a wrong --device is bad input. */
    remap_device_info dev;
    if (remap_device_choose(c.device, &dev, err)) {
        rc = report(err);
        goto done;
    }
    bool gpu = dev.type && !strcmp(dev.type, "GPU");
    r.max_units = c.max_units_given ? c.max_units
                                    : gpu ? (uint64_t)1 << 20
                                          : (uint64_t)1 << 18;

    /* The cases: those given, or the ladder up to the largest that fits. */
    remap_bench_case cases[MAX_CASES];
    size_t n = c.case_count;
    if (n)
        memcpy(cases, c.cases, n * sizeof *cases);
    else
        n = remap_bench_ladder(c.quick, cases, MAX_CASES);
    remap_bench_case run[MAX_CASES];
    size_t runs = 0;
    for (size_t i = 0; i < n; i++) {
        char name[64], why[192];
        remap_bench_case_format(&cases[i], name, sizeof name);
        remap_params p;
        if (remap_bench_case_params(&cases[i], o.overrides, o.override_count,
                                    &p, err)) {
            if (c.case_count)
                fprintf(stderr, "remap: bench: --case %s: %s\n", name,
                        err->msg);
            else
                fprintf(stderr, "remap: bench: %s\n", err->msg);
            rc = EXIT_USAGE;
            goto done;
        }
        uint64_t limit = c.case_count && !c.max_units_given ? 0 : r.max_units;
        if (!remap_bench_fits(&p, &dev, limit, why, sizeof why)) {
            snprintf(skipped[r.skipped_count], sizeof skipped[0], "%s: %s",
                     name, why);
            skipped_ptr[r.skipped_count] = skipped[r.skipped_count];
            r.skipped_count++;
            fprintf(stderr, "remap: bench: not running %s: %s\n", name, why);
            if (!c.case_count) {
                /* The ladder only grows: the rest do not fit either. */
                for (size_t k = i + 1; k < n; k++) {
                    remap_bench_case_format(&cases[k], name, sizeof name);
                    snprintf(skipped[r.skipped_count], sizeof skipped[0],
                             "%s: larger than the last", name);
                    skipped_ptr[r.skipped_count] = skipped[r.skipped_count];
                    r.skipped_count++;
                }
                break;
            }
            continue;
        }
        run[runs++] = cases[i];
    }
    if (!runs) {
        fprintf(stderr, "remap: bench: no case fits %s within the limits\n",
                dev.name);
        rc = EXIT_USAGE;
        goto done;
    }

    /* Correctness first: no numbers from a step that computes something
     * else. A small case of each field shape: the default's and a wide
     * one like the ladder's. */
    static const remap_bench_case check_cases[] = {
        {48, 24, 0.15, false},
        {32, 32, 10.4 / 32, false},
        {24, 12, 0.27, true}};
    const uint64_t check_iterations = 20;
    char check[512];
    double tol = 0.0;
    for (size_t i = 0; i < sizeof check_cases / sizeof *check_cases; i++) {
        char name[64];
        remap_bench_case_format(&check_cases[i], name, sizeof name);
        fprintf(stderr, "remap: bench: checking OpenCL against the reference "
                        "on %s (%llu iterations)\n",
                name, (unsigned long long)check_iterations);
        if (remap_bench_check(&check_cases[i], &o, check_iterations, &tol,
                              err)) {
            rc = report(err);
            if (err->status == REMAP_ENUMERIC)
                fprintf(stderr, "remap: bench: no timings: the OpenCL step "
                                "does not compute what the reference does\n");
            goto done;
        }
    }
    snprintf(check, sizeof check,
             "OpenCL matches the reference backend on 48:24:0.15, "
             "32:32:0.325 and 24:12:0.27:v1 after %llu iterations "
             "(weights, plastic lateral weights, activity, threshold "
             "within %g relative)",
             (unsigned long long)check_iterations, tol);
    r.check = check;

    fprintf(stderr, "remap: bench: measuring copy bandwidth on %s\n",
            dev.name);
    if (remap_copy_bandwidth_measure(c.device,
                                     (uint64_t)(c.quick ? 64 : 256) << 20,
                                     2, c.quick ? 3 : 7, &r.copy, err)) {
        rc = report(err);
        goto done;
    }
    o.copy_bandwidth = remap_copy_bandwidth_best(&r.copy, NULL);

    for (size_t i = 0; i < runs; i++) {
        for (int ref = 0; ref <= (c.reference ? 1 : 0); ref++) {
            char name[64];
            remap_bench_case_format(&run[i], name, sizeof name);
            fprintf(stderr, "remap: bench: %s on %s: %d + %d x %llu "
                            "iterations\n",
                    name, ref ? "the reference backend" : dev.name, o.warmup,
                    o.repeats, (unsigned long long)o.iterations);
            remap_bench_result *x = &results[r.result_count];
            if (remap_bench_run_case(&run[i], &o, ref != 0, x, err)) {
                rc = report(err);
                goto done;
            }
            r.result_count++;
            fprintf(stderr, "remap: bench: %s: %.3f ms per iteration\n",
                    name, x->seconds.median * 1e3);
        }
    }
    print_table(&r);
    if (c.json && remap_bench_write_json(c.json, &r, err)) {
        rc = report(err);
        goto done;
    }
    if (c.json)
        fprintf(stderr, "remap: bench: wrote %s\n", c.json);
    rc = 0;
done:
    free(err);
    free(results);
    free(skipped);
    return rc;
}
