/* `remap view`: a run shown live in a window, with its options. */
#include "cli/view_cmd.h"

#include "cli/args.h"
#include "render/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef REMAP_HAVE_VIEWER
#include "viewer/script.h"
#include "viewer/viewer.h"
#endif

#define EXIT_USAGE 2

const char remap_view_help[] =
    "usage: remap view [SCENARIO|CHECKPOINT] [options]\n"
    "\n"
    "Runs SCENARIO (or continues the run of CHECKPOINT) as `remap run` does\n"
    "and shows it live in a window (OpenGL 3.3). Keys: space pauses, . steps,\n"
    "+ and - change the iterations per frame, 1-6 and tab choose panels,\n"
    "h shows them all; click the cortex to probe a unit, drag on it to\n"
    "lesion, click the skin to silence a region; r records frames,\n"
    "p takes a screenshot, q quits (docs/viewer.md).\n"
    "\n"
    "viewer options:\n"
    "  --script FILE         replay viewer actions at given iterations\n"
    "  --speed N             iterations per displayed frame (default: chosen\n"
    "                        so that drawing takes a few percent of the run)\n"
    "  --paused              start paused\n"
    "  --checkpoint-on-exit  write a checkpoint when the window closes\n"
    "  --record DIR          where r records frames (default: the run\n"
    "                        directory's frames/)\n"
    "  --size WxH            frame size, even sides (default 1280x720)\n"
    "  --panels LIST         map, activity, threshold, fields, skin, plot\n"
    "                        (default map,activity,skin,plot)\n"
    "\n"
    "Every option of `remap run` applies too: --out, --seed, --iterations,\n"
    "--set, --resume, --from, --device, --reference, --quiet.\n"
    "Without a display, `remap render` writes the frames as PNG files.\n";

struct view_cli {
    const char *script_path;
    uint64_t speed;
    bool paused, checkpoint_on_exit, size_given, panels_given;
    const char *record;
    int width, height;
    int panels[REMAP_FRAME_MAX_PANELS];
    int panel_count;
#ifdef REMAP_HAVE_VIEWER
    remap_script *script;
#endif
};

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "remap: view: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'remap help view'.\n");
    return EXIT_USAGE;
}

void remap_view_free(view_cli *v)
{
    if (!v)
        return;
#ifdef REMAP_HAVE_VIEWER
    remap_script_destroy(v->script);
#endif
    free(v);
}

int remap_view_parse(int argc, char **argv, view_cli **out, int *rest_argc,
                     char **rest)
{
    *out = NULL;
    *rest_argc = 0;
    view_cli *v = calloc(1, sizeof *v);
    if (!v)
        return 1;
    remap_error err;
    int rc = 0;
    for (int i = 0; i < argc && !rc; i++) {
        bool missing = false;
        const char *a = argv[i], *val;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(remap_view_help, stdout);
            rc = -1;
        } else if (!strcmp(a, "--paused")) {
            v->paused = true;
        } else if (!strcmp(a, "--checkpoint-on-exit")) {
            v->checkpoint_on_exit = true;
        } else if ((val = remap_arg_option(argc, argv, &i, "--script",
                                           &missing))) {
            v->script_path = val;
        } else if ((val = remap_arg_option(argc, argv, &i, "--record",
                                           &missing))) {
            v->record = val;
        } else if ((val = remap_arg_option(argc, argv, &i, "--speed",
                                           &missing))) {
            char *end;
            unsigned long long n = strtoull(val, &end, 10);
            if (!missing && (*val == '-' || end == val || *end || n == 0 ||
                             n > 1000000000ull))
                rc = usage("--speed needs a positive integer (iterations "
                           "per frame), got '%s'",
                           val);
            v->speed = n;
        } else if ((val = remap_arg_option(argc, argv, &i, "--size",
                                           &missing))) {
            if (!missing && !remap_arg_size(val, &v->width, &v->height))
                rc = usage("--size needs WIDTHxHEIGHT, got '%s'", val);
            else if (!missing &&
                     remap_frame_size_check(v->width, v->height, &err))
                rc = usage("%s", err.msg);
            v->size_given = true;
        } else if ((val = remap_arg_option(argc, argv, &i, "--panels",
                                           &missing))) {
            if (!missing && remap_frame_panels_parse(val, v->panels,
                                                     &v->panel_count, &err))
                rc = usage("%s", err.msg);
            v->panels_given = true;
        } else {
            rest[(*rest_argc)++] = argv[i];
            continue;
        }
        if (missing)
            rc = usage("option '%s' needs a value", a);
    }
#ifdef REMAP_HAVE_VIEWER
    if (!rc && v->script_path) {
        remap_error *e = calloc(1, sizeof *e);
        if (!e) {
            rc = 1;
        } else if (remap_script_load(v->script_path, &v->script, e)) {
            fprintf(stderr, "remap: view: %s\n", e->msg);
            rc = EXIT_USAGE; /* a script that cannot be read is bad input */
        }
        free(e);
    }
#endif
    if (rc) {
        remap_view_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

#ifdef REMAP_HAVE_VIEWER
static void print_report(void *ctx, const char *line)
{
    (void)ctx;
    printf("remap: view: %s\n", line);
    fflush(stdout);
}
#endif

remap_status remap_view_run(view_cli *v, const remap_scenario *sc,
                            const remap_run_options *run,
                            remap_run_summary *summary, bool *no_display,
                            remap_error *err)
{
    *no_display = false;
    memset(summary, 0, sizeof *summary);
#ifndef REMAP_HAVE_VIEWER
    (void)v, (void)sc, (void)run;
    *no_display = false; /* a build without it, not a missing display */
    return remap_fail(err, REMAP_EUSAGE,
                      "this remap was built without the viewer "
                      "(REMAP_VIEWER=OFF)");
#else
    remap_viewer_options o = {
        .sc = sc,
        .run = *run,
        .width = v->size_given ? v->width : sc->frames.width,
        .height = v->size_given ? v->height : sc->frames.height,
        .speed = v->speed,
        .paused = v->paused,
        .script = v->script,
        .record_dir = v->record,
        .checkpoint_on_exit = v->checkpoint_on_exit,
        .report = print_report,
    };
    if (v->panels_given) {
        memcpy(o.panels, v->panels, sizeof o.panels);
        o.panel_count = v->panel_count;
    } else if (remap_frame_panels_parse(sc->frames.panels, o.panels,
                                        &o.panel_count, err)) {
        return remap_error_prefix(err, "%s: outputs.frames.panels",
                                  sc->frames.panels_place);
    }
    remap_status st = remap_viewer_run(&o, summary, no_display, err);
    if (st)
        return st;
    if (run->stop && *run->stop)
        return remap_fail(err, REMAP_EINTERRUPTED,
                          "interrupted at iteration %llu",
                          (unsigned long long)summary->last);
    if (summary->stopped)
        printf("remap: view: closed at iteration %llu%s\n",
               (unsigned long long)summary->last,
               v->checkpoint_on_exit
                   ? ""
                   : " without a checkpoint (--checkpoint-on-exit writes one)");
    return REMAP_OK;
#endif
}
