/* The live viewer: its script parser and coordinate mappings in process,
 * and `remap view` end to end under a virtual X server (Xvfb): a scripted
 * session whose screenshots are checked against the renderer's images and
 * whose lesion is checked in the checkpoint written on exit; the message
 * without a display. */
#include "io/checkpoint.h"
#include "render/png.h"
#include "scenario/scenario.h"
#include "viewer/script.h"
#include "viewer/viewport.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char out[65536];
static char tmp[256];

static void make_tmp(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/remap-test-viewer-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void remove_tmp(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(viewer, .init = make_tmp, .fini = remove_tmp);

#define ASSERT_OUT(text) \
    cr_assert(strstr(out, text), "expected '%s' in:\n%s", text, out)

/* Runs `PREFIX remap ARGS` in tmp with stderr joined to stdout; returns
 * the exit code. */
static int remap(const char *prefix, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && %s '%s' %s 2>&1", tmp,
             prefix ? prefix : "", REMAP_BINARY, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    cr_assert(WIFEXITED(status), "remap %s did not exit", args);
    return WEXITSTATUS(status);
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static remap_error err;

/* ---- The script parser -------------------------------------------------- */

static void parse_fails(const char *text, const char *message)
{
    remap_script *s = NULL;
    cr_assert_neq(remap_script_parse("demo.txt", text, &s, &err), REMAP_OK,
                  "'%s' parsed", text);
    cr_assert_null(s);
    cr_assert_eq(err.status, REMAP_EUSAGE);
    cr_assert(strstr(err.msg, message), "expected '%s' in '%s'", message,
              err.msg);
}

Test(viewer, script_parses_every_action)
{
    remap_script *s = NULL;
    const char *text = "# a demonstration\n"
                       "\n"
                       "at 0 key r\n"
                       "at 200 key space   # pause\n"
                       "at 200 key .\n"
                       "at 300 drag cortex 0.5 0.6 0.6 0.6\n"
                       "at 300 click skin 0.1 0.9\n"
                       "at 400 screenshot out.png\n"
                       "at 400 resize 800 600\n"
                       "at 500 quit\n";
    cr_assert_eq(remap_script_parse("demo.txt", text, &s, &err), REMAP_OK,
                 "%s", err.msg);
    cr_assert_eq(s->count, 8u);
    const remap_script_action *a = s->actions;
    cr_assert_eq(a[0].kind, REMAP_ACTION_KEY);
    cr_assert_eq(a[0].key, 'r');
    cr_assert_eq(a[0].line, 3);
    cr_assert_eq(a[1].key, ' ');
    cr_assert_eq(a[1].at, 200u);
    cr_assert_eq(a[2].key, '.');
    cr_assert_eq(a[3].kind, REMAP_ACTION_DRAG);
    cr_assert_eq(a[3].panel, REMAP_SCRIPT_CORTEX);
    cr_assert_float_eq(a[3].x0, 0.5f, 1e-6f);
    cr_assert_float_eq(a[3].y0, 0.6f, 1e-6f);
    cr_assert_float_eq(a[3].x1, 0.6f, 1e-6f);
    cr_assert_eq(a[4].kind, REMAP_ACTION_CLICK);
    cr_assert_eq(a[4].panel, 4); /* REMAP_FRAME_SKIN */
    cr_assert_float_eq(a[4].y0, 0.9f, 1e-6f);
    cr_assert_eq(a[5].kind, REMAP_ACTION_SCREENSHOT);
    cr_assert_str_eq(a[5].path, "out.png");
    cr_assert_eq(a[6].kind, REMAP_ACTION_RESIZE);
    cr_assert_eq(a[6].width, 800);
    cr_assert_eq(a[6].height, 600);
    cr_assert_eq(a[7].kind, REMAP_ACTION_QUIT);
    cr_assert_eq(a[7].at, 500u);
    remap_script_destroy(s);
}

Test(viewer, script_errors_name_file_line_and_column)
{
    parse_fails("at 10 key space\nat 5 quit\n",
                "demo.txt:2:4: iteration 5 comes before the previous "
                "line's 10");
    parse_fails("at 10 jump\n",
                "demo.txt:1:7: unknown action 'jump'; the actions are key, "
                "click, drag, screenshot, resize, quit");
    parse_fails("\n\nat 10 key F5\n", "demo.txt:3:11: unknown key 'F5'");
    parse_fails("at ten key space\n",
                "demo.txt:1:4: expected an iteration, got ten");
    parse_fails("at -3 quit\n", "demo.txt:1:4: expected an iteration");
    parse_fails("after 10 quit\n",
                "demo.txt:1:1: a line starts with 'at ITERATION', got "
                "'after'");
    parse_fails("at 10 click cortex 0.5\n",
                "demo.txt:1:20: missing words; the form is 'at N click "
                "PANEL X Y'");
    parse_fails("at 10 quit now\n",
                "demo.txt:1:12: too many words; the form is 'at N quit'");
    parse_fails("at 10 click cortex 0.5 1.5\n",
                "demo.txt:1:24: sheet coordinates lie in [0, 1], got 1.5");
    parse_fails("at 10 drag plot 0.1 0.1 0.2 0.2\n",
                "demo.txt:1:12: unknown panel 'plot'");
    parse_fails("at 10 click cortex 0.5 x\n",
                "demo.txt:1:24: expected a number, got x");
    parse_fails("at 10 resize 10 600\n",
                "demo.txt:1:14: expected a window side of 64 to 16384");
    parse_fails("at 10\n", "demo.txt:1:4: missing words");
}

/* ---- Window, image and sheet coordinates -------------------------------- */

Test(viewer, letterbox_keeps_the_aspect)
{
    remap_viewport v;
    /* 1:1: the image fills the area above the bar exactly. */
    remap_viewport_fit(&v, 640, 360, 640, 423, 640, 423, 63);
    cr_assert_eq(v.x, 0);
    cr_assert_eq(v.y, 0);
    cr_assert_eq(v.w, 640);
    cr_assert_eq(v.h, 360);
    cr_assert(v.exact);
    /* A tall window: bars above and below, the width sets the scale. */
    remap_viewport_fit(&v, 640, 360, 640, 763, 640, 763, 63);
    cr_assert_eq(v.w, 640);
    cr_assert_eq(v.h, 360);
    cr_assert_eq(v.y, (700 - 360) / 2);
    /* A wide one: bars left and right; 1.5 times is not exact. */
    remap_viewport_fit(&v, 640, 360, 1600, 603, 1600, 603, 63);
    cr_assert_eq(v.h, 540);
    cr_assert_eq(v.w, 960);
    cr_assert_eq(v.x, (1600 - 960) / 2);
    cr_assert_eq(v.y, 0);
    cr_assert(!v.exact);
    /* Nothing left above the bar. */
    remap_viewport_fit(&v, 640, 360, 640, 40, 640, 40, 63);
    cr_assert_eq(v.w, 1);
    cr_assert_eq(v.h, 1);
}

Test(viewer, hidpi_cursor_maps_through_the_framebuffer_scale)
{
    /* A window of 700 x 450 screen coordinates with a framebuffer twice
     * as large, as on a 2x display, and a bar of 180 pixels: the image
     * shows at 2x (exact), centred across. */
    remap_viewport v;
    remap_viewport_fit(&v, 640, 360, 1400, 900, 700, 450, 180);
    cr_assert_eq(v.w, 1280);
    cr_assert_eq(v.h, 720);
    cr_assert(v.exact);
    cr_assert_eq(v.x, 60);
    cr_assert_eq(v.y, 0);
    double ix, iy;
    /* The cursor at screen (40, 20) is framebuffer (80, 40), image
     * ((80 - 60) / 2, 40 / 2). */
    cr_assert(remap_viewport_to_image(&v, 40.0, 20.0, &ix, &iy));
    cr_assert_float_eq(ix, 10.0, 1e-9);
    cr_assert_float_eq(iy, 20.0, 1e-9);
    /* In the letterbox: outside the image. */
    cr_assert(!remap_viewport_to_image(&v, 10.0, 100.0, &ix, &iy));
    cr_assert(!remap_viewport_to_image(&v, 200.0, 400.0, &ix, &iy));
    /* And back. */
    double wx, wy;
    remap_viewport_from_image(&v, 10.0, 20.0, &wx, &wy);
    cr_assert_float_eq(wx, 40.0, 1e-9);
    cr_assert_float_eq(wy, 20.0, 1e-9);
    /* Treating screen coordinates as pixels would land elsewhere. */
    cr_assert(remap_viewport_to_image(&v, 80.0, 40.0, &ix, &iy));
    cr_assert(fabs(ix - 10.0) > 5.0);
}

Test(viewer, panels_map_to_sheet_units_with_y_up)
{
    remap_panel_rect r = {100, 50, 200, 200};
    float sx, sy;
    cr_assert(remap_panel_to_sheet(&r, 150.0, 100.0, &sx, &sy));
    cr_assert_float_eq(sx, 0.25f, 1e-6f);
    cr_assert_float_eq(sy, 0.75f, 1e-6f);
    cr_assert(!remap_panel_to_sheet(&r, 99.9, 100.0, &sx, &sy));
    cr_assert(!remap_panel_to_sheet(&r, 300.0, 100.0, &sx, &sy));
    double ix, iy;
    remap_panel_from_sheet(&r, 0.25f, 0.75f, &ix, &iy);
    cr_assert_float_eq(ix, 150.0, 1e-9);
    cr_assert_float_eq(iy, 100.0, 1e-9);
    /* The edges stay inside the panel. */
    remap_panel_from_sheet(&r, 1.0f, 0.0f, &ix, &iy);
    cr_assert(remap_panel_to_sheet(&r, ix, iy, &sx, &sy));
    cr_assert(sx > 0.99f && sy < 0.01f);
}

/* ---- `remap view` ------------------------------------------------------- */

#define SMALL "--quiet --set sheets.cortex.density=24 " \
              "--set sheets.skin.density=16 --size 640x360 " \
              "--panels map,activity,fields,skin "
/* xvfb-run -a picks a free display number, starts Xvfb there with its own
 * authority file, and stops it when the command ends. */
#define XVFB_RUN "xvfb-run -a -s '-screen 0 1600x1200x24 -nolisten tcp'"
#if defined(__SANITIZE_ADDRESS__)
/* Under AddressSanitizer, Mesa's software renderer (llvmpipe) leaves what
 * LeakSanitizer cannot attribute: allocations of the GL driver, which is
 * unloaded before the leak check runs (an unknown module), and its
 * threads' exits fail ASan's alternate-stack unmapping. Neither is
 * remap's; leak checking of the commands that open a window is off. */
#define XVFB "ASAN_OPTIONS=use_sigaltstack=0:detect_leaks=0 " XVFB_RUN
#else
#define XVFB XVFB_RUN
#endif

Test(viewer, bad_script_is_refused_before_anything_runs)
{
    write_file("bad.txt", "at 10 key space\nat 20 drag cortex 0.5 0.5 0.6\n");
    cr_assert_eq(remap("env -u DISPLAY -u WAYLAND_DISPLAY",
                       "view --script bad.txt --out r " SMALL),
                 2);
    ASSERT_OUT("bad.txt:2:");
    ASSERT_OUT("missing words; the form is 'at N drag PANEL X0 Y0 X1 Y1'");
    cr_assert_eq(remap(NULL, "view --script missing.txt --out r " SMALL), 2);
    ASSERT_OUT("missing.txt: cannot open");
    cr_assert_eq(remap(NULL, "view --speed 0 --out r " SMALL), 2);
    ASSERT_OUT("--speed needs a positive integer");
    char path[512];
    snprintf(path, sizeof path, "%s/r", tmp);
    cr_assert_neq(access(path, F_OK), 0, "a run directory was made");
}

Test(viewer, no_display_suggests_render)
{
    cr_assert_eq(remap("env -u DISPLAY -u WAYLAND_DISPLAY",
                       "view --out r " SMALL),
                 1);
    ASSERT_OUT("no display to open a window on");
    ASSERT_OUT("remap render --frames frames");
    char path[512];
    snprintf(path, sizeof path, "%s/r", tmp);
    cr_assert_neq(access(path, F_OK), 0, "a run directory was made");
}

static void load_png(const char *rel, remap_image *img)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    cr_assert_eq(remap_png_read(path, img, &err), REMAP_OK, "%s", err.msg);
}

/* The largest channel difference between a and b over rows [y0, h) after
 * scaling b up by `scale` (nearest). */
static int max_difference(const remap_image *a, const remap_image *b,
                          int scale, int y0)
{
    cr_assert_eq(a->width, b->width * scale);
    cr_assert_eq(a->height, b->height * scale);
    int worst = 0;
    for (int y = y0 * scale; y < a->height; y++)
        for (int x = 0; x < a->width; x++) {
            const uint8_t *p = remap_image_at(a, x, y);
            const uint8_t *q = remap_image_at(b, x / scale, y / scale);
            for (int c = 0; c < 4; c++) {
                int d = abs((int)p[c] - (int)q[c]);
                worst = d > worst ? d : worst;
            }
        }
    return worst;
}

/* The model of a checkpoint, on the reference backend. */
static remap_model *load_checkpoint(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    remap_checkpoint_info info;
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err), REMAP_OK,
                 "%s", err.msg);
    remap_scenario *sc = NULL;
    cr_assert_eq(remap_scenario_load_text("checkpoint", info.scenario_text,
                                          NULL, 0, &sc, &err),
                 REMAP_OK, "%s", err.msg);
    remap_checkpoint_info_free(&info);
    remap_model *m = NULL;
    cr_assert_eq(remap_model_create(&sc->params, sc->seed, &remap_ref_backend,
                                    NULL, &m, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_checkpoint_load(path, m, &err), REMAP_OK, "%s",
                 err.msg);
    remap_scenario_destroy(sc);
    return m;
}

static bool file_has(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strstr(buf, text) != NULL;
}

/* A scripted session: record frames, pause, step, resume, lesion by a
 * drag, probe by a click, screenshots at 1:1 and (after a resize) at 2x,
 * quit with a checkpoint. */
Test(viewer, scripted_session_under_xvfb, .timeout = 120)
{
    write_file("demo.txt",
               "at 0 key r\n"
               "at 100 key space\n"
               "at 100 key s\n"
               "at 110 key space\n"
               "at 150 drag cortex 0.5 0.5 0.65 0.5\n"
               "at 150 click cortex 0.3 0.4\n"
               "at 200 screenshot one.png\n"
               /* The window at twice the frame (and the bar): the frame
                * shows at exactly 2x. */
               "at 200 resize 1280 846\n"
               "at 200 screenshot two.png\n"
               "at 200 click cortex 0.3 0.4\n"
               "at 200 quit\n");
    int rc = remap(XVFB, "view --script demo.txt --out run --speed 10 "
                         "--checkpoint-on-exit " SMALL);
    cr_assert_eq(rc, 0, "%s", out);
    /* The click maps through window and image to the unit under sheet
     * (0.3, 0.4) of a 24-unit cortex: column 7, row 9, before and after
     * the resize. */
    ASSERT_OUT("probe at 150: unit 223 (column 7, row 9)");
    ASSERT_OUT("probe at 200: unit 223 (column 7, row 9)");
    ASSERT_OUT("lesion at 150: disc at (0.500, 0.500), radius 0.150");
    ASSERT_OUT("screenshot at 200: one.png (640x360)");
    ASSERT_OUT("screenshot at 200: two.png (1280x720)");
    ASSERT_OUT("closed at iteration 200");

    /* Pause at 100, one step of 10, resume: frames every 10 iterations. */
    cr_assert(file_has("run/frames/frame-00000110.png", "PNG"));

    /* The screenshot is the renderer's image of iteration 200 (the frame
     * recorded there), read back from the window: uploaded 1:1 and drawn
     * with nearest filtering, every byte must come through unchanged, so
     * the tolerance is 0; at 2x each pixel becomes a 2x2 block. */
    remap_image shot = {0}, shot2 = {0}, frame = {0}, snap = {0};
    load_png("one.png", &shot);
    load_png("two.png", &shot2);
    load_png("run/frames/frame-00000200.png", &frame);
    cr_assert_eq(max_difference(&shot, &frame, 1, 0), 0);
    cr_assert_eq(max_difference(&shot2, &frame, 2, 0), 0);

    /* Against an image drawn in another process from the checkpoint
     * written on exit: the same state gives the same panels. Only the
     * title line differs (a snapshot does not know the lesion made in
     * the window, so its caption does not name it): compare below it. */
    cr_assert_eq(remap(NULL, "snapshot run/checkpoints/checkpoint-00000200.h5 "
                             "--png snap.png --size 640x360 "
                             "--panels map,activity,fields,skin"),
                 0, "%s", out);
    load_png("snap.png", &snap);
    int title = 360 / 12 < 28 ? 28 : 360 / 12;
    cr_assert_eq(max_difference(&shot, &snap, 1, title), 0);
    bool title_differs = max_difference(&shot, &snap, 1, 0) > 0;
    cr_assert(title_differs, "the caption should name the lesion");

    /* The lesion is in the model: exactly the units inside the dragged
     * disc are dead. */
    remap_model *m = load_checkpoint("run/checkpoints/checkpoint-00000200.h5");
    cr_assert_eq(m->iteration, 200u);
    int dead = 0;
    for (int u = 0; u < m->geom.units; u++) {
        float x, y;
        remap_unit_position(&m->geom, u, &x, &y);
        bool inside = hypotf(x - 0.5f, y - 0.5f) <= 0.15f;
        cr_assert_eq(m->unit_gain[u] == 0.0f, inside,
                     "unit %d at (%g, %g): gain %g", u, (double)x, (double)y,
                     (double)m->unit_gain[u]);
        dead += inside;
    }
    cr_assert_gt(dead, 40);
    remap_model_destroy(m);
    /* ... logged as a timeline event. */
    cr_assert(file_has("run/run.log", "event at 150: lesion kills"));
    cr_assert(file_has("run/metrics.csv", "lesion@150"));
    remap_image_free(&shot);
    remap_image_free(&shot2);
    remap_image_free(&frame);
    remap_image_free(&snap);
}

/* Quitting without --checkpoint-on-exit writes none; run.log says where
 * the run stopped. The help card comes and goes with h. */
Test(viewer, quit_without_checkpoint_on_exit_writes_none, .timeout = 120)
{
    write_file("quit.txt", "at 0 key h\n"
                           "at 0 key tab\n"
                           "at 30 screenshot help.png\n"
                           "at 30 key h\n"
                           "at 30 screenshot plain.png\n"
                           "at 40 quit\n");
    int rc = remap(XVFB, "view --script quit.txt --out run --speed 10 "
                         "--set checkpoint.interval=0 " SMALL);
    cr_assert_eq(rc, 0, "%s", out);
    ASSERT_OUT("closed at iteration 40 without a checkpoint");
    char path[512];
    snprintf(path, sizeof path, "%s/run/checkpoints/checkpoint-00000040.h5",
             tmp);
    cr_assert_neq(access(path, F_OK), 0, "a checkpoint was written");
    cr_assert(file_has("run/run.log", "stopped at iteration 40"));
    /* The help card is drawn over the middle of the frame and nowhere
     * else. */
    remap_image help = {0}, plain = {0};
    load_png("help.png", &help);
    load_png("plain.png", &plain);
    cr_assert_eq(help.width, 640);
    cr_assert_eq(plain.width, 640);
    cr_assert_neq(memcmp(remap_image_at(&help, 320, 180),
                         remap_image_at(&plain, 320, 180), 4),
                  0);
    cr_assert_eq(memcmp(remap_image_at(&help, 2, 2),
                        remap_image_at(&plain, 2, 2), 4),
                 0);
    cr_assert_eq(memcmp(remap_image_at(&help, 637, 357),
                        remap_image_at(&plain, 637, 357), 4),
                 0);
    remap_image_free(&help);
    remap_image_free(&plain);
}
