/* The remap command: argument parsing and the subcommands run, check and
 * devices. Only here are messages printed and exit codes chosen. */
#include "cli/args.h"
#include "cl/devices.h"
#include "cli/bench_cmd.h"
#include "cli/compare.h"
#include "cli/progress.h"
#include "cli/render_cmd.h"
#include "cli/view_cmd.h"
#include "core/revision.h"
#include "core/suggest.h"
#include "io/checkpoint.h"
#include "run/run.h"
#include "scenario/scenario.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130
#define MAX_OVERRIDES 256

static const char usage_text[] =
    "usage: remap <command> [options]\n"
    "\n"
    "commands:\n"
    "  run [SCENARIO]     run a scenario (the embedded default without one)\n"
    "  render [SCENARIO|CHECKPOINT] --frames DIR\n"
    "                     run it and write PNG frames for an animation\n"
    "  view [SCENARIO|CHECKPOINT]\n"
    "                     run it live in a window\n"
    "  snapshot CHECKPOINT --png FILE\n"
    "                     one frame of a checkpoint\n"
    "  check SCENARIO     validate a scenario file without running it\n"
    "  compare A B        the change in every measure between two runs\n"
    "  bench              time the training step against the device's\n"
    "                     copy bandwidth\n"
    "  devices            list OpenCL platforms and devices\n"
    "  help [COMMAND]     show help\n"
    "  version            show the version\n";

static const char run_help[] =
    "usage: remap run [SCENARIO] [options]\n"
    "\n"
    "Runs SCENARIO (YAML), or the embedded default scenario, and writes a run\n"
    "directory with scenario.yaml, metrics.csv, run.log and checkpoints/.\n"
    "\n"
    "options:\n"
    "  --out DIR            run directory (default: runs/NAME-TIMESTAMP)\n"
    "  --seed S             random seed (overrides the scenario's)\n"
    "  --iterations N       last iteration to run to\n"
    "  --set PATH=VALUE     override a scenario value, e.g.\n"
    "                       --set projections.afferent.learning_rate=0.05\n"
    "  --resume CHECKPOINT  continue a run from one of its checkpoints\n"
    "  --from CHECKPOINT    start this scenario from another run's state (a\n"
    "                       developed map); its events before the\n"
    "                       checkpoint's iteration are refused\n"
    "  --device D           OpenCL device: index or name substring\n"
    "                       (default: $REMAP_DEVICE, else a GPU, else a CPU)\n"
    "  --reference          run on the plain C reference backend\n"
    "  --half-weights       store the afferent weights as half floats (half\n"
    "                       the memory and traffic; docs/bench.md); --resume\n"
    "                       keeps the storage its checkpoint records\n"
    "  --quiet              no progress output\n";

static const char check_help[] =
    "usage: remap check SCENARIO [--set PATH=VALUE]...\n"
    "\n"
    "Validates SCENARIO and prints a summary; errors name file:line:column.\n";

static const char devices_help[] =
    "usage: remap devices\n"
    "\n"
    "Lists every OpenCL platform and device with its type, compute units,\n"
    "global memory, largest single allocation and OpenCL C version.\n";

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "remap: %s%s", cmd ? cmd : "", cmd ? ": " : "");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'remap help%s%s'.\n", cmd ? " " : "",
            cmd ? cmd : "");
    return EXIT_USAGE;
}

static int report(const remap_error *err)
{
    fprintf(stderr, "remap: %s\n", err->msg[0] ? err->msg
                                               : remap_status_message(err->status));
    if (err->status == REMAP_EINTERRUPTED)
        return EXIT_INTERRUPTED;
    return remap_status_exit_code(err->status);
}

/* Command-line options of run and check. */
typedef struct cli {
    const char *file;
    const char *out;
    const char *resume;
    const char *from;
    const char *device;
    const char *overrides[MAX_OVERRIDES];
    size_t override_count;
    char owned[2][64]; /* "seed=…" and "iterations=…" */
    uint64_t iterations;
    bool reference, quiet, half_weights;
} cli;

static const char *const run_options[] = {
    "--out", "--seed", "--iterations", "--set", "--resume", "--from",
    "--device", "--reference", "--half-weights", "--quiet", "--help",
};

/* Parses options for `run` (all) or `check` (--set only). */
static int parse_options(const char *cmd, int argc, char **argv, cli *c,
                         bool is_run)
{
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            if (c->file)
                return usage_error(cmd, "unexpected argument '%s'", a);
            c->file = a;
            continue;
        }
        /* --name=value or --name value */
        char name[64];
        const char *value = remap_arg_split(a, name, sizeof name);
        bool flag = !strcmp(name, "--reference") || !strcmp(name, "--quiet") ||
                    !strcmp(name, "--half-weights") ||
                    !strcmp(name, "--help") || !strcmp(name, "-h");
        bool known = false;
        for (size_t k = 0; k < sizeof run_options / sizeof *run_options; k++)
            if (!strcmp(name, run_options[k]) &&
                (is_run || !strcmp(name, "--set") || !strcmp(name, "--help")))
                known = true;
        if (!strcmp(name, "-h"))
            known = true;
        if (!known) {
            const char *near = remap_suggest(name, run_options,
                                             sizeof run_options /
                                                 sizeof *run_options);
            if (near && is_run) {
                fprintf(stderr,
                        "remap: %s: unknown option '%s' (did you mean "
                        "'%s'?)\nTry 'remap help %s'.\n",
                        cmd, name, near, cmd);
                return EXIT_USAGE;
            }
            return usage_error(cmd, "unknown option '%s'", name);
        }
        if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
            fputs(is_run ? run_help : check_help, stdout);
            return -1;
        }
        if (flag) {
            if (value)
                return usage_error(cmd, "option '%s' takes no value", name);
            if (!strcmp(name, "--reference"))
                c->reference = true;
            else if (!strcmp(name, "--half-weights"))
                c->half_weights = true;
            else
                c->quiet = true;
            continue;
        }
        if (!value) {
            if (i + 1 >= argc)
                return usage_error(cmd, "option '%s' needs a value", name);
            value = argv[++i];
        }
        if (!strcmp(name, "--out")) {
            c->out = value;
        } else if (!strcmp(name, "--resume")) {
            c->resume = value;
        } else if (!strcmp(name, "--from")) {
            c->from = value;
        } else if (!strcmp(name, "--device")) {
            c->device = value;
        } else if (!strcmp(name, "--set")) {
            if (c->override_count >= MAX_OVERRIDES)
                return usage_error(cmd, "too many --set options%s", "");
            if (!strchr(value, '='))
                return usage_error(cmd, "--set needs PATH=VALUE, got '%s'",
                                   value);
            c->overrides[c->override_count++] = value;
        } else if (!strcmp(name, "--seed")) {
            uint64_t s;
            if (!remap_arg_u64(value, &s))
                return usage_error(cmd,
                                   "--seed needs a non-negative integer, got "
                                   "'%s'",
                                   value);
            if (c->override_count >= MAX_OVERRIDES)
                return usage_error(cmd, "too many --set options%s", "");
            snprintf(c->owned[0], sizeof c->owned[0], "seed=%s", value);
            c->overrides[c->override_count++] = c->owned[0];
        } else if (!strcmp(name, "--iterations")) {
            if (!remap_arg_u64(value, &c->iterations) || c->iterations == 0)
                return usage_error(cmd,
                                   "--iterations needs a positive integer, "
                                   "got '%s'",
                                   value);
        }
    }
    return 0;
}

static remap_status load_scenario(const cli *c, remap_scenario **sc,
                                  remap_error *err)
{
    if (c->file)
        return remap_scenario_load_file(c->file, c->overrides,
                                        c->override_count, sc, err);
    return remap_scenario_load_default(c->overrides, c->override_count, sc,
                                       err);
}

static volatile sig_atomic_t stop_requested;

static void on_interrupt(int sig)
{
    (void)sig;
    stop_requested = 1;
    /* A second Ctrl-C ends the process at once. */
    signal(SIGINT, SIG_DFL);
}

/* runs/NAME-YYYYmmdd-HHMMSS */
static void default_out_dir(const char *name, char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    /* The name is free text; the directory keeps only safe characters. */
    char safe[64];
    size_t n = 0;
    for (const char *s = name; *s && n + 1 < sizeof safe; s++)
        safe[n++] = isalnum((unsigned char)*s) || strchr("._-", *s) ? *s : '_';
    safe[n] = '\0';
    snprintf(buf, size, "runs/%s-%s", n ? safe : "run", stamp);
}

/* The run directory holding a checkpoint: DIR/checkpoints/FILE -> DIR. */
static bool run_dir_of(const char *checkpoint, char *buf, size_t size)
{
    snprintf(buf, size, "%s", checkpoint);
    char *slash = strrchr(buf, '/');
    if (!slash)
        return false;
    *slash = '\0';
    slash = strrchr(buf, '/');
    const char *last = slash ? slash + 1 : buf;
    if (strcmp(last, "checkpoints") != 0)
        return false;
    if (slash)
        *slash = '\0';
    else
        snprintf(buf, size, ".");
    return true;
}

static void print_summary(const remap_scenario *sc, const remap_run_summary *s,
                          const char *dir)
{
    uint64_t n = s->last - s->first;
    printf("remap: %s: %llu iterations in %.1f s (%.1f it/s, setup %.1f s) "
           "on %s\n",
           sc->name, (unsigned long long)n, s->seconds,
           s->seconds > 0 ? (double)n / s->seconds : 0.0, s->setup_seconds,
           s->device);
    if (s->measured && s->measures.visual) {
        const remap_measures *m = &s->measures;
        printf("  orientation selectivity %.3f, %d pinwheels, pinwheel "
               "density %.2f per hypercolumn^2, hypercolumn %.3f\n",
               (double)m->selectivity_mean, m->pinwheels,
               (double)m->pinwheel_density, (double)m->hypercolumn);
        if (m->eyes == 2)
            printf("  ocular dominance %.3f (spread %.3f), ",
                   (double)m->od_mean, (double)m->od_spread);
        else
            printf("  ");
        printf("mean activity %.4f, mean threshold %.3f\n",
               (double)m->mean_activity, (double)m->mean_threshold);
    } else if (s->measured) {
        const remap_measures *m = &s->measures;
        printf("  topographic error %.3f, skin coverage %.3f, mean RF size "
               "%.4f, mean activity %.4f, mean threshold %.3f\n",
               (double)m->topographic_error, (double)m->coverage,
               (double)m->rf_size, (double)m->mean_activity,
               (double)m->mean_threshold);
        printf("  cortical area (skin share):");
        for (int r = 0; r < m->regions; r++)
            printf(" %s %.3f (%.3f)",
                   remap_layout_region_name(sc->params.layout, r),
                   (double)m->area[r], (double)m->skin_share[r]);
        printf("\n");
    }
    printf("  run directory: %s\n", dir);
    if (s->last_checkpoint[0])
        printf("  last checkpoint: %s\n", s->last_checkpoint);
}

static bool ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), m = strlen(end);
    return n >= m && strcmp(s + n - m, end) == 0;
}

/* `remap run`, `remap render` when r is given (the same run, with
 * frames) and `remap view` when v is given (the run in a window). */
static int run_command(const char *cmd, int argc, char **argv, render_cli *r,
                       view_cli *v)
{
    cli c = {0};
    int rc = parse_options(cmd, argc, argv, &c, true);
    if (rc)
        return rc < 0 ? 0 : rc;
    /* `remap render CHECKPOINT` continues that run, drawing it. */
    if ((r || v) && c.file && ends_with(c.file, ".h5")) {
        if (c.resume)
            return usage_error(cmd, "give a checkpoint or --resume, not "
                                    "both%s", "");
        c.resume = c.file;
        c.file = NULL;
    }
    if (c.resume && c.from)
        return usage_error(cmd,
                           "--resume continues a run; --from starts a new "
                           "one from a checkpoint: give one of them%s",
                           "");
    if (c.reference && c.device)
        return usage_error(cmd,
                           "--reference runs on the host; it takes no "
                           "--device%s",
                           "");
    remap_error *err = calloc(1, sizeof *err);
    if (!err)
        return 1;
    remap_scenario *sc = NULL;
    remap_status st;
    char dir[3072];
    if (c.resume) {
        if (c.file || c.override_count) {
            free(err);
            return usage_error(cmd,
                               "--resume continues a run as it was; it takes "
                               "no scenario file, --set or --seed%s",
                               "");
        }
        remap_checkpoint_info info;
        st = remap_checkpoint_read_info(c.resume, &info, err);
        /* A resumed run keeps the weight storage it had. */
        if (!st && c.half_weights && !info.half_weights) {
            remap_checkpoint_info_free(&info);
            st = remap_fail(err, REMAP_EUSAGE,
                            "%s stores float weights: --resume continues "
                            "the run as it was, so it takes no "
                            "--half-weights",
                            c.resume);
        } else if (!st) {
            c.half_weights = info.half_weights;
            char source[4200];
            snprintf(source, sizeof source, "%s:/scenario", c.resume);
            st = remap_scenario_load_text(source, info.scenario_text, NULL, 0,
                                          &sc, err);
            remap_checkpoint_info_free(&info);
        }
        if (!st && !c.out && !run_dir_of(c.resume, dir, sizeof dir))
            st = remap_fail(err, REMAP_EUSAGE,
                            "%s: not inside a run directory's checkpoints/; "
                            "give --out",
                            c.resume);
    } else {
        st = load_scenario(&c, &sc, err);
        if (!st && !c.out)
            default_out_dir(sc->name, dir, sizeof dir);
    }
    if (st) {
        /* A scenario or checkpoint that cannot be read is bad input. */
        report(err);
        rc = EXIT_USAGE;
        goto done;
    }
    if (c.out)
        snprintf(dir, sizeof dir, "%s", c.out);

    remap_frames *frames = NULL;
    if (r && (st = remap_render_start(r, sc,
                                      c.iterations ? c.iterations
                                                   : sc->iterations,
                                      &frames, err))) {
        report(err);
        rc = EXIT_USAGE;
        goto done;
    }
    remap_progress prog;
    remap_progress_init(&prog, stderr, c.quiet);
    signal(SIGINT, on_interrupt);
    remap_run_options opt = {
        .out_dir = dir,
        .resume = c.resume,
        .from = c.from,
        .iterations = c.iterations,
        .reference = c.reference,
        .half_weights = c.half_weights,
        .device = c.device,
        .stop = &stop_requested,
        .progress = remap_progress_update,
        .progress_ctx = &prog,
        .frame = frames ? remap_frames_draw : NULL,
        .next_frame = remap_frames_next,
        .frame_ctx = frames,
    };
    if (!c.quiet)
        fprintf(stderr, "remap: running %s into %s\n", sc->name, dir);
    remap_run_summary summary;
    bool no_display = false;
    st = v ? remap_view_run(v, sc, &opt, &summary, &no_display, err)
           : remap_run(sc, &opt, &summary, err);
    remap_progress_finish(&prog);
    signal(SIGINT, SIG_DFL);
    if (st && no_display) {
        fprintf(stderr,
                "remap: view: %s\n"
                "remap: view: no display to open a window on (neither "
                "DISPLAY nor WAYLAND_DISPLAY works here); to see the run, "
                "write its frames as PNG files instead:\n"
                "  remap render%s%s --frames frames\n",
                err->msg, c.file ? " " : "", c.file ? c.file : "");
        rc = 1;
        goto done;
    }
    if (st) {
        if (frames) {
            remap_error *ferr = calloc(1, sizeof *ferr);
            if (ferr && remap_frames_finish(frames, NULL, ferr))
                fprintf(stderr, "remap: %s\n", ferr->msg);
            free(ferr);
        }
        rc = report(err);
        if (summary.last_checkpoint[0])
            fprintf(stderr, "remap: last good checkpoint: %s\n",
                    summary.last_checkpoint);
        goto done;
    }
    print_summary(sc, &summary, dir);
    rc = frames ? remap_render_finish(r, frames,
                                      summary.seconds + summary.setup_seconds,
                                      err)
                : 0;
done:
    remap_scenario_destroy(sc);
    free(err);
    return rc;
}

static int cmd_run(int argc, char **argv)
{
    return run_command("run", argc, argv, NULL, NULL);
}

static int cmd_view(int argc, char **argv)
{
    char **rest = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *rest);
    if (!rest)
        return 1;
    view_cli *v;
    int n, rc = remap_view_parse(argc, argv, &v, &n, rest);
    if (!rc)
        rc = run_command("view", n, rest, NULL, v);
    remap_view_free(v);
    free(rest);
    return rc < 0 ? 0 : rc;
}

static int cmd_render(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(remap_render_help, stdout);
            return 0;
        }
    char **rest = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *rest);
    if (!rest)
        return 1;
    render_cli r;
    int n, rc = remap_render_parse(argc, argv, &r, &n, rest);
    if (!rc)
        rc = run_command("render", n, rest, &r, NULL);
    free(rest);
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    cli c = {0};
    int rc = parse_options("check", argc, argv, &c, false);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!c.file)
        return usage_error("check", "needs a scenario file%s", "");
    remap_error *err = calloc(1, sizeof *err);
    if (!err)
        return 1;
    remap_scenario *sc = NULL;
    if (load_scenario(&c, &sc, err)) {
        report(err);
        rc = EXIT_USAGE;
    } else {
        remap_geometry g;
        remap_geometry_from_params(&sc->params, &g);
        remap_memory mem;
        remap_memory_need(&g, &mem);
        char bytes[32];
        remap_format_bytes(mem.total, bytes, sizeof bytes);
        char input[64];
        if (g.eyes > 0)
            snprintf(input, sizeof input, "%dx%d LGN (%d channels)", g.skin_n,
                     g.skin_n, g.channels);
        else
            snprintf(input, sizeof input, "%dx%d skin", g.skin_n, g.skin_n);
        printf("%s: ok: '%s', %llu iterations, %dx%d cortex on a %s, "
               "%d synapses per field, %zu timeline events, needs %s\n",
               c.file, sc->name, (unsigned long long)sc->iterations,
               g.cortex_n, g.cortex_n, input, g.cf_full, sc->event_count,
               bytes);
        rc = 0;
    }
    remap_scenario_destroy(sc);
    free(err);
    return rc;
}

static int cmd_devices(int argc, char **argv)
{
    if (argc > 0) {
        if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
            fputs(devices_help, stdout);
            return 0;
        }
        return usage_error("devices", "unexpected argument '%s'", argv[0]);
    }
    remap_error *err = calloc(1, sizeof *err);
    if (!err)
        return 1;
    remap_device_info *list = NULL;
    size_t count = 0;
    int rc = 0;
    if (remap_devices_list(&list, &count, err)) {
        rc = report(err);
    } else {
        int platform = -1;
        for (size_t i = 0; i < count; i++) {
            const remap_device_info *d = &list[i];
            if (d->platform_index != platform) {
                platform = d->platform_index;
                printf("platform %d: %s (%s)\n", platform, d->platform,
                       d->platform_version);
            }
            char mem[32], alloc[32];
            remap_format_bytes(d->global_mem, mem, sizeof mem);
            remap_format_bytes(d->max_alloc, alloc, sizeof alloc);
            printf("  device %d: %s\n", d->index, d->name);
            printf("    type %s, %u compute units at %u MHz, global memory "
                   "%s, largest allocation %s, %s, driver %s\n",
                   d->type, d->compute_units, d->clock_mhz, mem, alloc,
                   d->opencl_c_version, d->driver_version);
        }
    }
    remap_devices_free(list);
    free(err);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "check"))
        return cmd_check(argc - 2, argv + 2);
    if (!strcmp(cmd, "render"))
        return cmd_render(argc - 2, argv + 2);
    if (!strcmp(cmd, "snapshot"))
        return remap_snapshot_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "view"))
        return cmd_view(argc - 2, argv + 2);
    if (!strcmp(cmd, "devices"))
        return cmd_devices(argc - 2, argv + 2);
    if (!strcmp(cmd, "compare"))
        return remap_cli_compare(argc - 2, argv + 2);
    if (!strcmp(cmd, "bench"))
        return remap_bench_main(argc - 2, argv + 2, REMAP_VERSION,
                                remap_revision);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("remap %s (%s)\n", REMAP_VERSION, remap_revision);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        const char *topic = argc > 2 ? argv[2] : NULL;
        if (!topic)
            fputs(usage_text, stdout);
        else if (!strcmp(topic, "run"))
            fputs(run_help, stdout);
        else if (!strcmp(topic, "check"))
            fputs(check_help, stdout);
        else if (!strcmp(topic, "devices"))
            fputs(devices_help, stdout);
        else if (!strcmp(topic, "compare"))
            fputs(remap_compare_help, stdout);
        else if (!strcmp(topic, "render"))
            fputs(remap_render_help, stdout);
        else if (!strcmp(topic, "snapshot"))
            fputs(remap_snapshot_help, stdout);
        else if (!strcmp(topic, "bench"))
            fputs(remap_bench_help, stdout);
        else if (!strcmp(topic, "view"))
            fputs(remap_view_help, stdout);
        else
            return usage_error(NULL, "no help for unknown command '%s'", topic);
        return 0;
    }
    const char *const commands[] = {"run",     "render",  "snapshot",
                                    "view",    "check",   "compare",
                                    "bench",
                                    "devices", "help",    "version"};
    const char *near = remap_suggest(cmd, commands,
                                     sizeof commands / sizeof *commands);
    if (near) {
        fprintf(stderr,
                "remap: unknown command '%s' (did you mean '%s'?)\nTry 'remap "
                "help'.\n",
                cmd, near);
        return EXIT_USAGE;
    }
    return usage_error(NULL, "unknown command '%s'", cmd);
}
