/* `remap render` (a run that also writes PNG frames) and `remap snapshot`
 * (one frame of a checkpoint). */
#include "cli/render_cmd.h"

#include "cli/args.h"
#include "cl/backend.h"
#include "io/checkpoint.h"
#include "render/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define EXIT_USAGE 2

const char remap_render_help[] =
    "usage: remap render [SCENARIO] --frames DIR [options]\n"
    "\n"
    "Runs SCENARIO as `remap run` does and writes a PNG frame of the model\n"
    "every so often into DIR (frame-00004000.png: the iteration, zero-padded),\n"
    "then prints the ffmpeg command that makes a video of them.\n"
    "\n"
    "frame options (defaults: the scenario's outputs.frames section):\n"
    "  --frames DIR         where the frames go (new or empty)\n"
    "  --every N            a frame every N iterations (default: 200 frames\n"
    "                       over the run)\n"
    "  --log-frames K       K frames spaced logarithmically (a time-lapse)\n"
    "  --size WxH           frame size, even sides (default 1280x720)\n"
    "  --panels LIST        comma-separated: map, activity, threshold,\n"
    "                       fields, skin, plot, and for visual layouts\n"
    "                       orientation, ocular (binocular only)\n"
    "                       (default map,activity,skin,plot)\n"
    "  --compression L      PNG compression 0-9 (default 3)\n"
    "  --mp4 FILE           make the video with ffmpeg when it is installed\n"
    "\n"
    "Every option of `remap run` applies too: --out, --seed, --iterations,\n"
    "--set, --resume, --from, --device, --reference, --quiet.\n";

const char remap_snapshot_help[] =
    "usage: remap snapshot CHECKPOINT --png FILE [options]\n"
    "\n"
    "Draws one frame of the state in CHECKPOINT into FILE.\n"
    "\n"
    "options:\n"
    "  --png FILE           the PNG to write\n"
    "  --size WxH           frame size, even sides (default 1280x720)\n"
    "  --panels LIST        as for `remap render`\n"
    "  --device D           OpenCL device (default as for `remap run`)\n"
    "  --reference          draw with the reference backend\n";

static int usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "remap: %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'remap help %s'.\n", cmd);
    return EXIT_USAGE;
}

/* Takes what the command line left open from the scenario's
 * outputs.frames, checking the panel list there (with its place). */
static remap_status scenario_defaults(render_cli *r, const remap_scenario *sc,
                                      remap_error *err)
{
    if (!r->size_given) {
        r->frames.width = sc->frames.width;
        r->frames.height = sc->frames.height;
        if (remap_frame_size_check(r->frames.width, r->frames.height, err))
            return remap_error_prefix(err, "%s: outputs.frames", sc->source);
    }
    if (!r->compression_given)
        r->frames.compression = sc->frames.compression;
    if (!r->frames.every && !r->frames.log_frames)
        r->frames.every = sc->frames.every;
    if (!r->panels_given &&
        (remap_frame_panels_parse(sc->frames.panels, r->frames.panels,
                                  &r->frames.panel_count, err) ||
         remap_frame_panels_check(r->frames.panels, r->frames.panel_count,
                                  sc->params.layout, err)))
        return remap_error_prefix(err, "%s: outputs.frames.panels",
                                  sc->frames.panels_place);
    /* Panels the scenario's layout cannot show fail here, before the
     * run. */
    if (r->panels_given &&
        remap_frame_panels_check(r->frames.panels, r->frames.panel_count,
                                 sc->params.layout, err))
        return remap_error_prefix(err, "--panels (scenario %s)", sc->name);
    return REMAP_OK;
}

int remap_render_parse(int argc, char **argv, render_cli *r, int *rest_argc,
                       char **rest)
{
    memset(r, 0, sizeof *r);
    *rest_argc = 0;
    remap_error err;
    for (int i = 0; i < argc; i++) {
        bool missing = false;
        const char *v;
        if ((v = remap_arg_option(argc, argv, &i, "--frames", &missing))) {
            r->frames.dir = v;
            r->frames_given = true;
        } else if ((v = remap_arg_option(argc, argv, &i, "--every",
                                         &missing))) {
            long n = 0;
            if (!missing && !remap_arg_long(v, 1, 1L << 40, &n))
                return usage("render", "--every needs a positive integer, "
                                       "got '%s'", v);
            r->frames.every = (uint64_t)n;
        } else if ((v = remap_arg_option(argc, argv, &i, "--log-frames",
                                         &missing))) {
            long n = 0;
            if (!missing && !remap_arg_long(v, 2, 100000, &n))
                return usage("render", "--log-frames needs 2 to 100000, "
                                       "got '%s'", v);
            r->frames.log_frames = (int)n;
        } else if ((v = remap_arg_option(argc, argv, &i, "--size", &missing))) {
            if (!missing &&
                !remap_arg_size(v, &r->frames.width, &r->frames.height))
                return usage("render", "--size needs WIDTHxHEIGHT, got '%s'",
                             v);
            r->size_given = true;
        } else if ((v = remap_arg_option(argc, argv, &i, "--panels",
                                         &missing))) {
            if (!missing && remap_frame_panels_parse(v, r->frames.panels,
                                                     &r->frames.panel_count,
                                                     &err))
                return usage("render", "%s", err.msg);
            r->panels_given = true;
        } else if ((v = remap_arg_option(argc, argv, &i, "--compression",
                                         &missing))) {
            long n = 0;
            if (!missing && !remap_arg_long(v, 0, 9, &n))
                return usage("render", "--compression needs 0 to 9, got '%s'",
                             v);
            r->frames.compression = (int)n;
            r->compression_given = true;
        } else if ((v = remap_arg_option(argc, argv, &i, "--mp4", &missing))) {
            r->mp4 = v;
        } else {
            rest[(*rest_argc)++] = argv[i];
            continue;
        }
        if (missing)
            return usage("render", "option '%s' needs a value", argv[i]);
    }
    if (r->frames.every && r->frames.log_frames)
        return usage("render", "give --every or --log-frames, not both%s", "");
    return 0;
}

remap_status remap_render_start(render_cli *r, const remap_scenario *sc,
                                uint64_t last, remap_frames **frames,
                                remap_error *err)
{
    *frames = NULL;
    if (!r->frames_given)
        return remap_fail(err, REMAP_EUSAGE,
                          "render: needs --frames DIR (where the PNG frames "
                          "go)");
    remap_status st = scenario_defaults(r, sc, err);
    if (st)
        return st;
    if (!r->frames.every && !r->frames.log_frames)
        r->frames.every = last / 200 ? last / 200 : 1;
    return remap_frames_start(&r->frames, sc, last, frames, err);
}

static bool have_ffmpeg(void)
{
    return system("command -v ffmpeg >/dev/null 2>&1") == 0;
}

int remap_render_finish(render_cli *r, remap_frames *frames,
                        double run_seconds, remap_error *err)
{
    remap_frames_stats st;
    if (remap_frames_finish(frames, &st, err)) {
        fprintf(stderr, "remap: %s\n", err->msg);
        return 1;
    }
    double cost = st.render_seconds + st.wait_seconds;
    printf("  frames: %ld in %s (taking them %.1f s, waiting for the "
           "writer %.1f s: %.1f%% of the run's %.1f s; drawing %.1f s and "
           "writing %.1f s in the writer thread)\n",
           st.frames, r->frames.dir, st.render_seconds, st.wait_seconds,
           run_seconds > 0 ? 100.0 * cost / run_seconds : 0.0, run_seconds,
           st.compose_seconds, st.write_seconds);
    char cmd[8400];
    snprintf(cmd, sizeof cmd,
             "ffmpeg -y -framerate 25 -pattern_type glob -i '%s/frame-*.png' "
             "-c:v libx264 -pix_fmt yuv420p -crf 18 '%s'",
             r->frames.dir, r->mp4 ? r->mp4 : "remap.mp4");
    if (!r->mp4) {
        printf("  video: %s\n", cmd);
        return 0;
    }
    if (!have_ffmpeg()) {
        fprintf(stderr,
                "remap: render: --mp4 needs ffmpeg (Debian package ffmpeg); "
                "the frames are in %s; the command is:\n  %s\n",
                r->frames.dir, cmd);
        return 1;
    }
    char quiet[8500];
    snprintf(quiet, sizeof quiet, "%s -loglevel error", cmd);
    int rc = system(quiet);
    if (rc != 0) {
        fprintf(stderr, "remap: render: ffmpeg failed (status %d): %s\n",
                WIFEXITED(rc) ? WEXITSTATUS(rc) : rc, cmd);
        return 1;
    }
    printf("  video: %s\n", r->mp4);
    return 0;
}

/* ---- remap snapshot ---------------------------------------------------- */

typedef struct snapshot_cli {
    const char *checkpoint, *png, *device;
    bool reference;
    render_cli r;
} snapshot_cli;

static int snapshot_parse(int argc, char **argv, snapshot_cli *s)
{
    char **rest = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *rest);
    if (!rest)
        return 1;
    int n;
    int rc = remap_render_parse(argc, argv, &s->r, &n, rest);
    if (rc)
        goto done;
    if (s->r.frames_given || s->r.frames.every || s->r.frames.log_frames ||
        s->r.mp4) {
        rc = usage("snapshot", "takes --png FILE, not frame options%s", "");
        goto done;
    }
    for (int i = 0; i < n && !rc; i++) {
        bool missing = false;
        const char *v;
        if (!strcmp(rest[i], "--help") || !strcmp(rest[i], "-h")) {
            fputs(remap_snapshot_help, stdout);
            rc = -1;
        } else if (!strcmp(rest[i], "--reference")) {
            s->reference = true;
        } else if ((v = remap_arg_option(n, rest, &i, "--png", &missing))) {
            s->png = v;
        } else if ((v = remap_arg_option(n, rest, &i, "--device", &missing))) {
            s->device = v;
        } else if (rest[i][0] == '-') {
            rc = usage("snapshot", "unknown option '%s'", rest[i]);
        } else if (s->checkpoint) {
            rc = usage("snapshot", "unexpected argument '%s'", rest[i]);
        } else {
            s->checkpoint = rest[i];
        }
        if (missing)
            rc = usage("snapshot", "option '%s' needs a value", rest[i]);
    }
    if (!rc && !s->checkpoint)
        rc = usage("snapshot", "needs a checkpoint%s", "");
    if (!rc && !s->png)
        rc = usage("snapshot", "needs --png FILE%s", "");
    if (!rc && s->reference && s->device)
        rc = usage("snapshot", "--reference takes no --device%s", "");
done:
    free(rest);
    return rc;
}

/* Draws the snapshot; *bad_input tells a checkpoint that cannot be read
 * or a PNG that cannot be written (exit 2) from a failure of the device or
 * the model (exit 1). */
static remap_status snapshot(snapshot_cli *s, bool *bad_input,
                             remap_error *err)
{
    *bad_input = true;
    remap_status st;
    if (s->r.size_given &&
        (st = remap_frame_size_check(s->r.frames.width, s->r.frames.height,
                                     err)))
        return st;
    remap_checkpoint_info info;
    if ((st = remap_checkpoint_read_info(s->checkpoint, &info, err)))
        return st;
    remap_scenario *sc = NULL;
    char source[4200];
    snprintf(source, sizeof source, "%s:/scenario", s->checkpoint);
    st = remap_scenario_load_text(source, info.scenario_text, NULL, 0, &sc,
                                  err);
    remap_checkpoint_info_free(&info);
    if (!st)
        st = scenario_defaults(&s->r, sc, err);
    if (st) {
        remap_scenario_destroy(sc);
        return st;
    }
    *bad_input = false;
    remap_model *m = NULL;
    remap_cl_options cl = {.device = s->device};
    remap_renderer *r = NULL;
    remap_image img = {0};
    remap_render_options ro = {.width = s->r.frames.width,
                               .height = s->r.frames.height,
                               .panel_count = s->r.frames.panel_count,
                               .title = sc->name,
                               .last = sc->iterations};
    memcpy(ro.panels, s->r.frames.panels, sizeof ro.panels);
    st = remap_model_create(&sc->params, sc->seed,
                            s->reference ? &remap_ref_backend
                                         : &remap_cl_backend,
                            s->reference ? NULL : &cl, &m, err);
    if (!st) {
        st = remap_checkpoint_load(s->checkpoint, m, err);
        *bad_input = st != REMAP_OK;
    }
    if (!st && !(st = remap_model_push(m, err)) &&
        !(st = remap_renderer_create(&ro, m, &r, err))) {
        char phase[64], captions[320];
        remap_frames_caption(sc, m, true, phase, sizeof phase, captions,
                             sizeof captions);
        remap_frame_info fi = {.phase = phase, .captions = captions};
        if (!(st = remap_renderer_draw(r, m, &fi, &img, err))) {
            st = remap_png_write(s->png, &img, 6, err);
            *bad_input = st != REMAP_OK;
        }
    }
    remap_image_free(&img);
    remap_renderer_destroy(r);
    remap_model_destroy(m);
    remap_scenario_destroy(sc);
    return st;
}

int remap_snapshot_main(int argc, char **argv)
{
    snapshot_cli s = {0};
    int rc = snapshot_parse(argc, argv, &s);
    if (rc)
        return rc < 0 ? 0 : rc;
    remap_error *err = calloc(1, sizeof *err);
    if (!err)
        return 1;
    bool bad_input;
    remap_status st = snapshot(&s, &bad_input, err);
    if (st) {
        fprintf(stderr, "remap: snapshot: %s\n", err->msg);
        rc = bad_input ? EXIT_USAGE : remap_status_exit_code(st);
    } else {
        printf("remap: snapshot of %s in %s\n", s.checkpoint, s.png);
    }
    free(err);
    return rc;
}
