/* The visual panels: the orientation panel shows each unit's measured
 * preference in the wheel's hue at a brightness set by its selectivity,
 * the ocular panel its eye preference through the diverging map, both
 * beside their keys; lesions stay black; and a hand model asking for them
 * is refused, by the library and by `remap render` (exit 2). */
#include "measure/vision.h"
#include "model/model.h"
#include "render/colour.h"
#include "render/png.h"
#include "render/render.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const double pi = 3.14159265358979323846;

/* A small visual model on the reference backend, a few iterations in. */
static remap_model *visual_model(int layout)
{
    remap_params p;
    remap_params_default(&p);
    p.layout = layout;
    p.skin.density = 12.0f;
    p.cortex.density = 16.0f;
    p.afferent.radius = 0.27f;
    p.afferent.sigma = 0.27f;
    p.settle_steps = 2;
    remap_model *m;
    remap_error err;
    cr_assert_eq(remap_model_create(&p, 5, &remap_ref_backend, NULL, &m, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_step(m, 3, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_pull(m, &err), REMAP_OK, "%s", err.msg);
    return m;
}

static remap_renderer *renderer_every(const remap_model *m,
                                      const char *panels, uint64_t every)
{
    remap_render_options o = {.width = 800, .height = 400, .title = "test",
                              .last = 10, .vision_every = every};
    remap_error err;
    cr_assert_eq(remap_frame_panels_parse(panels, o.panels, &o.panel_count,
                                          &err),
                 REMAP_OK, "%s", err.msg);
    remap_renderer *r;
    cr_assert_eq(remap_renderer_create(&o, m, &r, &err), REMAP_OK, "%s",
                 err.msg);
    return r;
}

static remap_renderer *renderer(const remap_model *m, const char *panels)
{
    return renderer_every(m, panels, 0);
}

/* Draws a frame and passes it through a PNG file and libpng, so what is
 * checked is what a frame file holds. */
static void draw_decoded(remap_renderer *r, remap_model *m, remap_image *out)
{
    remap_image img = {0};
    remap_frame_info info = {.phase = "development", .captions = ""};
    remap_error err;
    cr_assert_eq(remap_renderer_draw(r, m, &info, &img, &err), REMAP_OK, "%s",
                 err.msg);
    char dir[] = "/tmp/remap-test-vision-XXXXXX", path[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f.png", dir);
    cr_assert_eq(remap_png_write(path, &img, 3, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_png_read(path, out, &err), REMAP_OK, "%s", err.msg);
    remove(path);
    remove(dir);
    remap_image_free(&img);
}

/* The pixel at the centre of unit u's cell in panel i. */
static const uint8_t *unit_pixel(const remap_renderer *r, const remap_image *img,
                                 const remap_model *m, int i, int u)
{
    int x, y, w, h, n = m->geom.cortex_n;
    remap_renderer_panel_area(r, i, &x, &y, &w, &h);
    int col = u % n, row = u / n;
    int px = (int)((col + 0.5) * w / n), py = (int)((n - 1 - row + 0.5) * h / n);
    return remap_image_at(img, x + px, y + py);
}

static remap_vision_map measure(const remap_model *m)
{
    remap_vision_settings s;
    remap_vision_settings_default(&s);
    remap_vision_map map;
    remap_error err;
    cr_assert_eq(remap_vision_measure(m, &s, &map, &err), REMAP_OK, "%s",
                 err.msg);
    return map;
}

static int max_channel_diff(const uint8_t *a, const uint8_t *b)
{
    int d = 0;
    for (int c = 0; c < 3; c++)
        d = abs(a[c] - b[c]) > d ? abs(a[c] - b[c]) : d;
    return d;
}

Test(vision_render, orientation_panel_shows_the_measured_preference)
{
    remap_model *m = visual_model(REMAP_LAYOUT_RETINA);
    remap_vision_map map = measure(m);
    remap_renderer *r = renderer(m, "map,orientation");
    remap_image img = {0};
    draw_decoded(r, m, &img);
    /* Every unit's cell holds the wheel's colour for its preference,
     * scaled by its selectivity against the fixed limit. */
    int units = m->geom.units, hue_differs = 0, brightest = 0, dimmest = 0;
    for (int u = 0; u < units; u++) {
        uint8_t want[4];
        remap_colour_orientation(map.preference[u],
                                 map.selectivity[u] /
                                     REMAP_FRAME_SELECTIVITY_HI,
                                 want);
        cr_assert_arr_eq(unit_pixel(r, &img, m, 1, u), want, 4,
                         "unit %d: preference %g, selectivity %g", u,
                         (double)map.preference[u],
                         (double)map.selectivity[u]);
        if (map.selectivity[u] > map.selectivity[brightest])
            brightest = u;
        if (map.selectivity[u] < map.selectivity[dimmest])
            dimmest = u;
        /* Preferences a quarter turn apart show apart. */
        double d = fabs(map.preference[u] - map.preference[0]);
        if (d > pi / 4 && d < 3 * pi / 4)
            hue_differs++;
    }
    cr_assert_gt(hue_differs, 0, "the map has a single preference");
    /* More selective units are drawn brighter. */
    const uint8_t *hi = unit_pixel(r, &img, m, 1, brightest),
                  *lo = unit_pixel(r, &img, m, 1, dimmest);
    cr_assert_gt(map.selectivity[brightest], map.selectivity[dimmest]);
    cr_assert_gt(hi[0] + hi[1] + hi[2], lo[0] + lo[1] + lo[2]);
    remap_image_free(&img);
    remap_renderer_destroy(r);
    remap_vision_map_free(&map);
    remap_model_destroy(m);
}

/* The wheel itself: opposite ends of [0, pi) meet, quarter turns differ
 * widely, strength 0 is dim grey (not the lesion's black). */
Test(vision_render, orientation_wheel_is_cyclic)
{
    uint8_t a[4], b[4], c[4], z[4];
    remap_colour_orientation(0.0f, 1.0f, a);
    remap_colour_orientation((float)pi, 1.0f, b);
    remap_colour_orientation((float)(pi / 2), 1.0f, c);
    remap_colour_orientation(1.0f, 0.0f, z);
    cr_assert_leq(max_channel_diff(a, b), 1);
    cr_assert_gt(max_channel_diff(a, c), 60);
    cr_assert_eq(z[0], z[1]);
    cr_assert_eq(z[1], z[2]);
    cr_assert_gt(z[0], remap_colour_lesion[0] + 10);
}

/* The key beside the orientation panel shows the full-strength colour of
 * each labelled angle, and its labels. */
Test(vision_render, orientation_key_is_drawn)
{
    remap_model *m = visual_model(REMAP_LAYOUT_RETINA);
    remap_renderer *r = renderer(m, "orientation");
    remap_image img = {0};
    draw_decoded(r, m, &img);
    int x, y, w, h;
    remap_renderer_panel_area(r, 0, &x, &y, &w, &h);
    for (int k = 0; k < 4; k++) {
        uint8_t want[4];
        remap_colour_orientation((float)(k * pi / 4), 1.0f, want);
        int best = 255;
        for (int j = y; j < y + h; j++)
            for (int i = x + w; i < img.width; i++) {
                int d = max_channel_diff(remap_image_at(&img, i, j), want);
                best = d < best ? d : best;
            }
        /* The rim's pixels lie within a degree or two of each angle. */
        cr_assert_leq(best, 3, "no key colour for %d degrees", k * 45);
    }
    long label = 0;
    for (int j = y; j < y + h; j++)
        for (int i = x + w; i < img.width; i++)
            label += memcmp(remap_image_at(&img, i, j), remap_colour_dim_text,
                            3) == 0;
    cr_assert_gt(label, 20, "the key has no labels");
    remap_image_free(&img);
    remap_renderer_destroy(r);
    remap_model_destroy(m);
}

/* A lesion shows in the lesion colour on the orientation panel, and the
 * maps are measured once per iteration: a second frame of the same state
 * gives the same bytes. */
Test(vision_render, lesion_is_black_and_frames_repeat)
{
    remap_model *m = visual_model(REMAP_LAYOUT_RETINA);
    remap_shape disc = {.kind = REMAP_SHAPE_DISC, .cx = 0.5f, .cy = 0.5f,
                        .radius = 0.2f};
    cr_assert_gt(remap_model_lesion(m, &disc, 0.0f, 1.0f, 0), 0);
    remap_error err;
    cr_assert_eq(remap_model_push(m, &err), REMAP_OK, "%s", err.msg);
    remap_renderer *r = renderer(m, "orientation");
    remap_image a = {0}, b = {0};
    draw_decoded(r, m, &a);
    draw_decoded(r, m, &b);
    cr_assert_eq(memcmp(a.rgba, b.rgba, (size_t)a.width * (size_t)a.height * 4),
                 0);
    int n = m->geom.cortex_n;
    int centre = (n / 2) * n + n / 2;
    cr_assert_arr_eq(unit_pixel(r, &a, m, 0, centre), remap_colour_lesion, 3);
    cr_assert_arr_neq(unit_pixel(r, &a, m, 0, 0), remap_colour_lesion, 3);
    remap_image_free(&a);
    remap_image_free(&b);
    remap_renderer_destroy(r);
    remap_model_destroy(m);
}

/* Units of the sheet's left half see only the right eye, those of the
 * right half only the left: their weights from the other eye's ON and
 * OFF planes (channels 2e, 2e+1) are cut. */
static void split_eyes(remap_model *m)
{
    const remap_geometry *g = &m->geom;
    for (int u = 0; u < g->units; u++) {
        int cut = u % g->cortex_n < g->cortex_n / 2 ? 0 : 1;
        float *w = m->weights + (size_t)u * (size_t)g->cf_len;
        for (int k = 0; k < g->cf_len; k++)
            if (k / g->cf_area / 2 == cut)
                w[k] = 0.0f;
    }
    remap_error err;
    cr_assert_eq(remap_model_push(m, &err), REMAP_OK, "%s", err.msg);
}

Test(vision_render, ocular_panel_shows_eye_preference)
{
    remap_model *m = visual_model(REMAP_LAYOUT_BINOCULAR);
    split_eyes(m);
    remap_vision_map map = measure(m);
    cr_assert_not_null(map.od);
    remap_renderer *r = renderer(m, "ocular,orientation");
    remap_image img = {0};
    draw_decoded(r, m, &img);
    uint8_t lut[256][4];
    remap_colour_ocular_map(lut);
    int left = 0, right = 0;
    for (int u = 0; u < m->geom.units; u++) {
        float t = (map.od[u] + 1.0f) * 0.5f * 255.0f + 0.5f;
        int i = t < 0.0f ? 0 : t > 255.0f ? 255 : (int)t;
        const uint8_t *px = unit_pixel(r, &img, m, 0, u);
        cr_assert_arr_eq(px, lut[i], 4, "unit %d: od %g", u,
                         (double)map.od[u]);
        /* Right-eyed units (the left half) orange, left-eyed ones blue. */
        if (u % m->geom.cortex_n < m->geom.cortex_n / 2) {
            cr_assert_gt(map.od[u], 0.9f, "unit %d", u);
            cr_assert_gt(px[0], px[2] + 60, "unit %d", u);
            right++;
        } else {
            cr_assert_lt(map.od[u], -0.9f, "unit %d", u);
            cr_assert_gt(px[2], px[0] + 60, "unit %d", u);
            left++;
        }
    }
    cr_assert_gt(left, 0);
    cr_assert_gt(right, 0);
    /* The bar beside it runs from the left eye's colour at its foot to
     * the right eye's at its head. */
    int x, y, w, h;
    remap_renderer_panel_area(r, 0, &x, &y, &w, &h);
    int kx = x + w + 11 / 2 + 2;
    cr_assert_leq(max_channel_diff(remap_image_at(&img, kx, y), lut[255]), 0);
    cr_assert_leq(max_channel_diff(remap_image_at(&img, kx, y + h - 1), lut[0]),
                  0);
    remap_image_free(&img);
    remap_renderer_destroy(r);
    remap_vision_map_free(&map);
    remap_model_destroy(m);
}

Test(vision_render, visual_panels_need_a_visual_layout)
{
    int panels[REMAP_FRAME_MAX_PANELS], n;
    remap_error err;
    cr_assert_eq(remap_frame_panels_parse("map,orientation,ocular", panels, &n,
                                          &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(n, 3);
    cr_assert_eq(remap_frame_panels_check(panels, n, REMAP_LAYOUT_HAND, &err),
                 REMAP_EUSAGE);
    cr_assert(strstr(err.msg, "'orientation'") && strstr(err.msg, "'hand'"),
              "%s", err.msg);
    cr_assert_eq(remap_frame_panels_check(panels, n, REMAP_LAYOUT_RETINA, &err),
                 REMAP_EUSAGE);
    cr_assert(strstr(err.msg, "'ocular'") && strstr(err.msg, "'retina'"),
              "%s", err.msg);
    cr_assert_eq(remap_frame_panels_check(panels, n, REMAP_LAYOUT_BINOCULAR,
                                          &err),
                 REMAP_OK);
    cr_assert_eq(remap_frame_panels_parse("map,orientaton", panels, &n, &err),
                 REMAP_EUSAGE);
    cr_assert(strstr(err.msg, "did you mean 'orientation'"), "%s", err.msg);

    /* The renderer refuses them too. */
    remap_params p;
    remap_params_default(&p);
    p.skin.density = 10.0f;
    p.cortex.density = 10.0f;
    remap_model *m;
    cr_assert_eq(remap_model_create(&p, 1, &remap_ref_backend, NULL, &m, &err),
                 REMAP_OK, "%s", err.msg);
    remap_render_options o = {.width = 640, .height = 360, .title = "t",
                              .panel_count = 2,
                              .panels = {REMAP_FRAME_MAP,
                                         REMAP_FRAME_ORIENTATION}};
    remap_renderer *r = NULL;
    cr_assert_eq(remap_renderer_create(&o, m, &r, &err), REMAP_EUSAGE);
    cr_assert_null(r);
    cr_assert(strstr(err.msg, "'orientation'"), "%s", err.msg);
    remap_model_destroy(m);
}

/* Runs the remap binary in dir with stderr joined; returns the exit code
 * and leaves the output in out. */
static int remap_cli(const char *dir, const char *args, char *out, size_t size)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s 2>&1", dir, REMAP_BINARY,
             args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    cr_assert(WIFEXITED(status), "remap %s did not exit", args);
    return WEXITSTATUS(status);
}

/* `remap render` refuses visual panels of a hand scenario, from the
 * command line or the scenario, before running: exit 2, no run
 * directory, the panel and the layout named. */
Test(vision_render, render_command_refuses_them_before_the_run)
{
    char dir[] = "/tmp/remap-test-vision-cli-XXXXXX", out[8192];
    cr_assert_not_null(mkdtemp(dir));
    int rc = remap_cli(dir,
                       "render --frames f --out r --panels map,orientation "
                       "--iterations 5 --quiet",
                       out, sizeof out);
    cr_assert_eq(rc, 2, "%s", out);
    cr_assert(strstr(out, "'orientation'") && strstr(out, "'hand'"), "%s",
              out);
    char path[128];
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("name: eye\niterations: 5\nsheets:\n  skin: {layout: retina}\n"
          "outputs:\n  frames: {panels: \"map,ocular\"}\n",
          f);
    fclose(f);
    rc = remap_cli(dir, "render s.yaml --frames g --out q --quiet", out,
                   sizeof out);
    cr_assert_eq(rc, 2, "%s", out);
    cr_assert(strstr(out, "'ocular'") && strstr(out, "'retina'") &&
                  strstr(out, "outputs.frames.panels"),
              "%s", out);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "test ! -e '%s/r' && test ! -e '%s/q'", dir,
             dir);
    cr_assert_eq(system(cmd), 0, "a run directory was made");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* A renderer with vision_every `every` keeps its maps while they are
 * younger than that (0: within the iteration), even when the weights
 * changed meanwhile (only steps change them in a run), and measures again
 * once they are as old: a frame of `every` iterations later (1 for 0)
 * shows the zeroed weights. */
static void maps_kept_while_young(uint64_t every)
{
    remap_model *m = visual_model(REMAP_LAYOUT_RETINA);
    remap_renderer *r = renderer_every(m, "orientation", every);
    uint64_t young = every ? every - 1 : 0;
    remap_image a = {0}, b = {0}, c = {0};
    draw_decoded(r, m, &a);
    size_t bytes = (size_t)m->geom.units * (size_t)m->geom.cf_len;
    memset(m->weights, 0, bytes * sizeof *m->weights);
    m->iteration += young;
    draw_decoded(r, m, &b);
    if (young == 0) {
        size_t frame = (size_t)a.width * (size_t)a.height * 4;
        cr_assert_eq(memcmp(a.rgba, b.rgba, frame), 0,
                     "the same iteration was measured again");
    }
    /* The panel, not the title: that names the iteration. */
    for (int u = 0; u < m->geom.units; u++)
        cr_assert_arr_eq(unit_pixel(r, &b, m, 0, u),
                         unit_pixel(r, &a, m, 0, u), 4,
                         "unit %d: maps %llu iterations old were measured "
                         "again",
                         u, (unsigned long long)young);
    m->iteration += 1;
    draw_decoded(r, m, &c);
    /* No weights: no response, selectivity 0, every unit dim grey. */
    uint8_t grey[4];
    remap_colour_orientation(0.0f, 0.0f, grey);
    for (int u = 0; u < m->geom.units; u++)
        cr_assert_arr_eq(unit_pixel(r, &c, m, 0, u), grey, 3, "unit %d", u);
    remap_image_free(&a);
    remap_image_free(&b);
    remap_image_free(&c);
    remap_renderer_destroy(r);
    remap_model_destroy(m);
}

/* Frames of `remap render`: once per iteration. */
Test(vision_render, maps_are_measured_once_per_iteration)
{
    maps_kept_while_young(0);
}

/* A live view's: until the maps are 3 iterations old. */
Test(vision_render, live_maps_are_kept_until_they_are_old)
{
    maps_kept_while_young(3);
}
