#define _XOPEN_SOURCE 700 /* mkdtemp, realpath */

/* The visual layouts' events and stimuli: the scotoma (retinal lesion)
 * event from the scenario to the retina's gain, and natural images from
 * PNG files to the retina image of an iteration, with their errors. */
#include "io/images.h"
#include "model/model.h"
#include "run/run.h"
#include "scenario/scenario.h"

#include <criterion/criterion.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static remap_error err;
static char tmp[64];

static void make_tmp(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/remap-images-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void remove_tmp(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(images, .init = make_tmp, .fini = remove_tmp);

/* Writes a PNG of w x h pixels: channels 1 (grey) or 3 (RGB), depth 8 or
 * 16, samples[h][w][channels] given as whole numbers of that depth. */
static void write_png(const char *name, int w, int h, int channels, int depth,
                      const unsigned *samples)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    cr_assert(png && info);
    cr_assert_eq(setjmp(png_jmpbuf(png)), 0);
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth,
                 channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    int bytes = depth / 8;
    unsigned char *row = malloc((size_t)w * (size_t)channels * (size_t)bytes);
    for (int y = 0; y < h; y++) {
        for (int i = 0; i < w * channels; i++) {
            unsigned v = samples[(size_t)y * (size_t)w * (size_t)channels +
                                 (size_t)i];
            if (bytes == 2) {
                row[2 * i] = (unsigned char)(v >> 8);
                row[2 * i + 1] = (unsigned char)(v & 0xff);
            } else {
                row[i] = (unsigned char)v;
            }
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    fclose(f);
}

/* A 16-bit grey image whose every pixel differs: v = base + x + w y. */
static void write_unique(const char *name, int w, int h, unsigned base)
{
    unsigned *s = malloc((size_t)w * (size_t)h * sizeof *s);
    for (int i = 0; i < w * h; i++)
        s[i] = base + (unsigned)i;
    write_png(name, w, h, 1, 16, s);
    free(s);
}

static void write_text(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* A small visual model on the reference backend. */
static remap_model *visual_model(const char *layout, float image_scale)
{
    remap_params p;
    remap_params_default(&p);
    p.layout = remap_layout_from_name(layout);
    p.skin.density = 12.0f;
    p.cortex.density = 12.0f;
    p.stimulus.image_scale = image_scale;
    cr_assert_eq(remap_params_validate(&p, &err), REMAP_OK, "%s", err.msg);
    remap_model *m = NULL;
    cr_assert_eq(remap_model_create(&p, 5, &remap_ref_backend, NULL, &m, &err),
                 REMAP_OK, "%s", err.msg);
    return m;
}

static remap_scenario *load(const char *text)
{
    remap_scenario *s = NULL;
    remap_status st = remap_scenario_load_text("t.yaml", text, NULL, 0, &s,
                                               &err);
    cr_assert_eq(st, REMAP_OK, "unexpected failure: %s", err.msg);
    return s;
}

static void expect_error(const char *text, const char *msg)
{
    remap_scenario *s = NULL;
    cr_assert_eq(remap_scenario_load_text("t.yaml", text, NULL, 0, &s, &err),
                 REMAP_ESCENARIO, "accepted:\n%s", text);
    cr_assert_null(s);
    cr_assert_str_eq(err.msg, msg);
}

/* ------------------------------------------------------------------------
 * The scotoma event.
 */

Test(scotoma, parses_with_and_without_eyes)
{
    remap_scenario *s = load(
        "sheets: {skin: {layout: binocular}}\n"
        "timeline:\n"
        "  - at: 10\n"
        "    scotoma: {disc: {centre: [0.4, 0.6], radius: 0.15}, eyes: [left]}\n"
        "  - at: 20\n"
        "    scotoma: {polygon: [[0.1, 0.1], [0.3, 0.1], [0.2, 0.3]]}\n");
    cr_assert_eq(s->event_count, 2);
    const remap_event *a = &s->events[0], *b = &s->events[1];
    cr_assert_eq(a->kind, REMAP_EVENT_SCOTOMA);
    cr_assert_eq(a->at, 10);
    cr_assert_eq(a->regions, 1u); /* left is eye 0 */
    cr_assert_eq(a->shape.kind, REMAP_SHAPE_DISC);
    cr_assert_float_eq(a->shape.cx, 0.4f, 1e-6f);
    cr_assert_float_eq(a->shape.radius, 0.15f, 1e-6f);
    cr_assert_eq(b->regions, 3u); /* all eyes by default */
    cr_assert_eq(b->shape.kind, REMAP_SHAPE_POLYGON);
    cr_assert_eq(b->shape.points, 3);
    cr_assert_str_eq(remap_event_name(a->kind), "scotoma");

    /* The resolved text loads to the same events. */
    remap_scenario *again = load(s->resolved_text);
    cr_assert_eq(again->event_count, 2);
    cr_assert_eq(memcmp(&again->events[0].shape, &a->shape, sizeof a->shape),
                 0);
    cr_assert_eq(again->events[0].regions, 1u);
    cr_assert_eq(again->events[1].regions, 3u);
    cr_assert_str_eq(again->resolved_text, s->resolved_text);
    remap_scenario_destroy(again);
    remap_scenario_destroy(s);

    s = load("sheets: {skin: {layout: retina}}\n"
             "timeline:\n"
             "  - at: 0\n"
             "    scotoma: {disc: {centre: [0.5, 0.5], radius: 0.1}}\n");
    cr_assert_eq(s->events[0].regions, 1u);
    remap_scenario_destroy(s);
}

Test(scotoma, errors_are_placed)
{
    expect_error("timeline:\n"
                 "  - at: 10\n"
                 "    scotoma: {disc: {centre: [0.5, 0.5], radius: 0.1}}\n",
                 "t.yaml:3:14: timeline[0].scotoma: a retinal lesion needs a "
                 "visual layout (sheets.skin.layout: retina or binocular), "
                 "not hand");
    expect_error("sheets: {skin: {layout: binocular}}\n"
                 "timeline:\n"
                 "  - at: 10\n"
                 "    scotoma: {disc: {centre: [0.5, 0.5], radius: 0.1},"
                 " eyes: [lfet]}\n",
                 "t.yaml:4:63: timeline[0].scotoma.eyes: unknown region "
                 "'lfet' in the binocular layout (did you mean 'left'?); "
                 "one of: left, right");
    expect_error("sheets: {skin: {layout: retina}}\n"
                 "timeline:\n"
                 "  - at: 10\n"
                 "    scotoma: {eyes: eye}\n",
                 "t.yaml:4:14: timeline[0].scotoma: needs a shape: disc "
                 "(centre, radius) or polygon (a list of points)");
    expect_error("sheets: {skin: {layout: retina}}\n"
                 "timeline:\n"
                 "  - at: 10\n"
                 "    scotoma: {disc: {centre: [0.5, 0.5], radius: 0.1}, "
                 "until: 20}\n",
                 "t.yaml:4:56: unknown key 'until' in timeline[0].scotoma");
}

/* Events that change touches are refused where there is no skin. */
Test(scotoma, touch_events_need_a_skin)
{
    const char *what[3][2] = {
        {"    enrich: {regions: [eye], factor: 2}\n", "13: timeline[0].enrich"},
        {"    fuse: {regions: [eye]}\n", "11: timeline[0].fuse"},
        {"    rehab: {regions: [eye], until: 20}\n", "12: timeline[0].rehab"},
    };
    for (int i = 0; i < 3; i++) {
        char doc[256], msg[256];
        snprintf(doc, sizeof doc,
                 "sheets: {skin: {layout: retina}}\ntimeline:\n"
                 "  - at: 10\n%s",
                 what[i][0]);
        snprintf(msg, sizeof msg,
                 "t.yaml:4:%s: changes how the skin is touched, which the "
                 "retina layout has no skin for (its stimuli are drawn on "
                 "the retina)",
                 what[i][1]);
        expect_error(doc, msg);
    }
}

/* The event as the run applies it: the retina's gain is 0 inside the disc
 * in the eyes named, 1 elsewhere, and the retina images are dark there. */
Test(scotoma, zeroes_the_retina_gain_inside_the_disc)
{
    remap_scenario *s = load(
        "sheets: {skin: {layout: binocular}}\n"
        "timeline:\n"
        "  - at: 0\n"
        "    scotoma: {disc: {centre: [0.5, 0.45], radius: 0.2}, "
        "eyes: right}\n");
    remap_model *m = visual_model("binocular", 0.0f);
    const remap_event *ev = &s->events[0];
    int killed = remap_model_retinal_lesion(m, &ev->shape, ev->regions);
    const remap_geometry *g = &m->geom;
    int pixels = g->retina_n * g->retina_n, inside = 0;
    for (int p = 0; p < pixels; p++) {
        float x, y;
        remap_retina_position(g, p, &x, &y);
        bool in = hypotf(x - 0.5f, y - 0.45f) <= 0.2f;
        inside += in;
        cr_assert_eq(m->retina_gain[p], 1.0f, "left eye pixel %d", p);
        cr_assert_eq(m->retina_gain[pixels + p], in ? 0.0f : 1.0f,
                     "right eye pixel %d at (%g, %g)", p, (double)x,
                     (double)y);
    }
    /* About pi r^2 of the retina's (12 per unit)^2 pixels. */
    cr_assert_eq(killed, inside);
    cr_assert(inside > 15 && inside < 25, "%d pixels", inside);
    /* A second lesion over the same place kills nothing more. */
    cr_assert_eq(remap_model_retinal_lesion(m, &ev->shape, ev->regions), 0);

    float *img = malloc(2 * (size_t)pixels * sizeof(float));
    bool lit = false;
    for (uint64_t t = 0; t < 20; t++) {
        remap_retina_draw(m, t, img);
        for (int p = 0; p < pixels; p++) {
            if (m->retina_gain[pixels + p] == 0.0f)
                cr_assert_eq(img[pixels + p], 0.0f);
            else
                lit |= img[pixels + p] > 0.01f;
        }
    }
    cr_assert(lit, "the rest of the right eye still sees the bars");
    free(img);
    remap_model_destroy(m);
    remap_scenario_destroy(s);
}

/* ------------------------------------------------------------------------
 * Natural images.
 */

static remap_image_set *load_set(void)
{
    remap_image_set *set = NULL;
    cr_assert_eq(remap_images_load(tmp, &set, &err), REMAP_OK, "%s", err.msg);
    cr_assert_not_null(set);
    return set;
}

Test(images, reads_grey_and_rgb_at_8_and_16_bits)
{
    unsigned grey8[6] = {0, 51, 255, 128, 1, 254};
    unsigned rgb8[2 * 3] = {255, 0, 0, 10, 200, 30};
    unsigned grey16[2] = {0, 40000};
    write_png("b-grey8.png", 3, 2, 1, 8, grey8);
    write_png("a-rgb8.png", 2, 1, 3, 8, rgb8);
    write_png("c-grey16.PNG", 1, 2, 1, 16, grey16);
    write_text("notes.txt", "not an image");
    remap_image_set *set = load_set();
    cr_assert_eq(set->count, 3);
    /* Sorted by name. */
    cr_assert(strstr(set->images[0].name, "/a-rgb8.png"));
    cr_assert(strstr(set->images[1].name, "/b-grey8.png"));
    cr_assert(strstr(set->images[2].name, "/c-grey16.PNG"));
    const remap_natural_image *rgb = &set->images[0], *g8 = &set->images[1],
                              *g16 = &set->images[2];
    cr_assert_eq(rgb->width, 2);
    cr_assert_eq(rgb->height, 1);
    cr_assert_float_eq(rgb->lum[0], 0.2126f, 1e-6f);
    cr_assert_float_eq(rgb->lum[1],
                       (0.2126f * 10 + 0.7152f * 200 + 0.0722f * 30) / 255,
                       1e-6f);
    cr_assert_eq(g8->width, 3);
    cr_assert_eq(g8->height, 2);
    for (int i = 0; i < 6; i++)
        cr_assert_float_eq(g8->lum[i], (float)grey8[i] / 255.0f, 1e-7f);
    cr_assert_float_eq(g16->lum[1], 40000.0f / 65535.0f, 1e-7f);
    remap_image_set_destroy(set);
}

/* A palette image with a transparent entry (tRNS) reads as the palette's
 * luminance: the alpha that expanding the palette brings is dropped. */
Test(images, reads_a_palette_with_transparency)
{
    char path[256];
    snprintf(path, sizeof path, "%s/pal.png", tmp);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    cr_assert(png && info);
    cr_assert_eq(setjmp(png_jmpbuf(png)), 0);
    png_init_io(png, f);
    png_set_IHDR(png, info, 2, 1, 8, PNG_COLOR_TYPE_PALETTE,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_color palette[2] = {{255, 255, 255}, {0, 0, 255}};
    png_set_PLTE(png, info, palette, 2);
    png_byte alpha[1] = {0}; /* entry 0 fully transparent */
    png_set_tRNS(png, info, alpha, 1, NULL);
    png_write_info(png, info);
    png_byte row[2] = {0, 1};
    png_write_row(png, row);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(f);
    remap_image_set *set = load_set();
    cr_assert_eq(set->count, 1);
    cr_assert_float_eq(set->images[0].lum[0], 1.0f, 1e-6f);
    cr_assert_float_eq(set->images[0].lum[1], 0.0722f, 1e-6f);
    remap_image_set_destroy(set);
}

/* With image_scale 0 a retina image is a patch of the image, pixel for
 * pixel, at the place remap_retina_patch draws; every image and every
 * place in range comes up. */
Test(images, retina_image_is_the_drawn_patch)
{
    write_unique("one.png", 60, 52, 0);
    write_unique("two.png", 53, 70, 10000);
    remap_model *m = visual_model("retina", 0.0f);
    remap_image_set *set = load_set();
    cr_assert_eq(remap_model_set_images(m, set, &err), REMAP_OK, "%s",
                 err.msg);
    int n = m->geom.retina_n, side = remap_retina_patch_side(m);
    cr_assert_eq(side, n);
    float *img = malloc((size_t)n * (size_t)n * sizeof(float));
    bool seen[2] = {false, false};
    int min_x = 1000, max_x = -1;
    for (uint64_t t = 0; t < 400; t++) {
        int k, x0, y0;
        remap_retina_patch(m, t, &k, &x0, &y0);
        const remap_natural_image *im = &m->images->images[k];
        cr_assert(k == 0 || k == 1);
        cr_assert(x0 >= 0 && x0 + side <= im->width, "x0 %d", x0);
        cr_assert(y0 >= 0 && y0 + side <= im->height, "y0 %d", y0);
        seen[k] = true;
        if (k == 0) {
            min_x = x0 < min_x ? x0 : min_x;
            max_x = x0 > max_x ? x0 : max_x;
        }
        remap_retina_draw(m, t, img);
        /* The first pixel alone says which image and place were drawn,
         * since every pixel of both images differs. */
        unsigned v0 = (unsigned)lrintf(img[0] * 65535.0f);
        unsigned want0 = (k ? 10000u : 0u) + (unsigned)(x0 + im->width * y0);
        cr_assert_eq(v0, want0, "iteration %llu", (unsigned long long)t);
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                cr_assert_eq(img[j * n + i],
                             im->lum[(size_t)(y0 + j) * (size_t)im->width +
                                     (size_t)(x0 + i)],
                             "iteration %llu pixel (%d, %d)",
                             (unsigned long long)t, i, j);
    }
    cr_assert(seen[0] && seen[1]);
    cr_assert_eq(min_x, 0);
    cr_assert_eq(max_x, 60 - side);
    free(img);
    remap_model_destroy(m);
}

/* At twice the retina's density a retina pixel lies between four image
 * pixels and takes their mean (bilinear at the midpoint); with two eyes,
 * each sees the scene times its brightness. */
Test(images, scaled_patch_interpolates)
{
    write_unique("one.png", 120, 110, 0);
    remap_model *m = visual_model("binocular", 24.0f);
    cr_assert_eq(remap_model_set_images(m, load_set(), &err), REMAP_OK, "%s",
                 err.msg);
    int n = m->geom.retina_n;
    cr_assert_eq(remap_retina_patch_side(m), 2 * n);
    size_t pixels = (size_t)n * (size_t)n;
    float *img = malloc(2 * pixels * sizeof(float));
    for (uint64_t t = 0; t < 5; t++) {
        int k, x0, y0;
        remap_retina_patch(m, t, &k, &x0, &y0);
        const remap_natural_image *im = &m->images->images[k];
        remap_retina_draw(m, t, img);
        float b[2];
        for (int e = 0; e < 2; e++) {
            const float *lum = im->lum;
            size_t w = (size_t)im->width;
            size_t a = (size_t)y0 * w + (size_t)x0;
            b[e] = img[(size_t)e * pixels] / (0.25f * (lum[a] + lum[a + 1] +
                                               lum[a + w] + lum[a + w + 1]));
            cr_assert(b[e] > 0.49f && b[e] <= 1.0f, "brightness %g",
                      (double)b[e]);
        }
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                size_t w = (size_t)im->width;
                size_t a = (size_t)(y0 + 2 * j) * w + (size_t)(x0 + 2 * i);
                float want = 0.25f * (im->lum[a] + im->lum[a + 1] +
                                      im->lum[a + w] + im->lum[a + w + 1]);
                for (int e = 0; e < 2; e++)
                    cr_assert_float_eq(img[(size_t)e * pixels +
                                           (size_t)(j * n + i)],
                                       want * b[e], 2e-6f,
                                       "eye %d pixel (%d, %d)", e, i, j);
            }
    }
    free(img);
    remap_model_destroy(m);
}

Test(images, load_errors_name_the_file)
{
    remap_image_set *set = (remap_image_set *)&err; /* must become NULL */
    write_text("notes.txt", "not an image");
    cr_assert_eq(remap_images_load(tmp, &set, &err), REMAP_EFORMAT);
    cr_assert_null(set);
    char want[256];
    snprintf(want, sizeof want, "%s: has no PNG files (*.png)", tmp);
    cr_assert_str_eq(err.msg, want);

    write_unique("good.png", 4, 4, 0);
    write_text("broken.png", "this is text, not a PNG");
    cr_assert_eq(remap_images_load(tmp, &set, &err), REMAP_EFORMAT);
    snprintf(want, sizeof want, "%s/broken.png: not a PNG image", tmp);
    cr_assert_str_eq(err.msg, want);

    /* A PNG cut short after its header. */
    char path[256];
    snprintf(path, sizeof path, "%s/good.png", tmp);
    FILE *f = fopen(path, "rb");
    unsigned char head[40];
    cr_assert_eq(fread(head, 1, sizeof head, f), sizeof head);
    fclose(f);
    snprintf(path, sizeof path, "%s/broken.png", tmp);
    f = fopen(path, "wb");
    fwrite(head, 1, sizeof head, f);
    fclose(f);
    cr_assert_eq(remap_images_load(tmp, &set, &err), REMAP_EFORMAT);
    snprintf(want, sizeof want, "%s/broken.png: ", tmp);
    cr_assert(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    cr_assert_gt(strlen(err.msg), strlen(want));

    snprintf(path, sizeof path, "%s/missing", tmp);
    cr_assert_eq(remap_images_load(path, &set, &err), REMAP_EIO);
    snprintf(want, sizeof want, "%s/missing: cannot open: No such file or "
             "directory", tmp);
    cr_assert_str_eq(err.msg, want);
}

Test(images, smaller_than_the_patch_is_refused)
{
    remap_model *m = visual_model("retina", 0.0f);
    int side = remap_retina_patch_side(m);
    write_unique("big.png", side, side + 5, 0);
    write_unique("thin.png", side + 5, side - 1, 0);
    cr_assert_eq(remap_model_set_images(m, load_set(), &err), REMAP_ESCENARIO);
    char want[512];
    snprintf(want, sizeof want,
             "%s/thin.png: %d x %d pixels is smaller than the retina's patch "
             "of %d x %d pixels (%d retina pixels a side at 1 image pixels "
             "each; lower stimulus.image_scale or use larger images)",
             tmp, side + 5, side - 1, side, side, m->geom.retina_n);
    cr_assert_str_eq(err.msg, want);
    cr_assert_null(m->images);
    remap_model_destroy(m);

    m = visual_model("hand", 0.0f);
    cr_assert_eq(remap_model_set_images(m, NULL, &err), REMAP_EINVAL);
    remap_model_destroy(m);
}

Test(images, scenario_key_is_checked_where_written)
{
    char text[512], want[512];
    write_unique("a.png", 50, 50, 0);
    snprintf(text, sizeof text,
             "sheets: {skin: {layout: retina}}\n"
             "stimulus:\n"
             "  images: %s\n", tmp);
    remap_scenario *s = load(text);
    cr_assert_str_eq(s->images, tmp);
    cr_assert(strstr(s->resolved_text, tmp));
    remap_scenario_destroy(s);

    snprintf(text, sizeof text, "stimulus:\n  images: %s\n", tmp);
    expect_error(text, "t.yaml:2:11: stimulus.images: natural images need a "
                       "visual layout (sheets.skin.layout: retina or "
                       "binocular), not hand");
    snprintf(text, sizeof text,
             "sheets: {skin: {layout: retina}}\n"
             "stimulus:\n"
             "  images: %s/none\n", tmp);
    snprintf(want, sizeof want, "t.yaml:3:11: stimulus.images: %s/none: No "
             "such file or directory", tmp);
    expect_error(text, want);
    snprintf(text, sizeof text,
             "sheets: {skin: {layout: retina}}\n"
             "stimulus:\n"
             "  images: %s/a.png\n", tmp);
    snprintf(want, sizeof want, "t.yaml:3:11: stimulus.images: %s/a.png is "
             "not a directory", tmp);
    expect_error(text, want);
    char empty[128];
    snprintf(empty, sizeof empty, "%s/empty", tmp);
    cr_assert_eq(mkdir(empty, 0700), 0);
    snprintf(text, sizeof text,
             "sheets: {skin: {layout: retina}}\n"
             "stimulus:\n"
             "  images: %s\n", empty);
    snprintf(want, sizeof want, "t.yaml:3:11: stimulus.images: %s has no PNG "
             "files (*.png)", empty);
    expect_error(text, want);

    /* Given with --set, a relative directory is the working directory's. */
    cr_assert_eq(chdir(tmp), 0);
    const char *ov[] = {"sheets.skin.layout=binocular",
                        "stimulus.images=."};
    cr_assert_eq(remap_scenario_load_text("t.yaml", "", ov, 2, &s, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_str_eq(s->images, tmp);
    remap_scenario_destroy(s);
}

/* In a file, a relative directory is the file's: the test scenario finds
 * its images from any working directory, and runs with them. */
Test(images, test_scenario_runs_with_its_images)
{
    remap_scenario *s = NULL;
    cr_assert_eq(remap_scenario_load_file(REMAP_SOURCE_DIR
                                          "/tests/data/v1-images.yaml",
                                          NULL, 0, &s, &err),
                 REMAP_OK, "%s", err.msg);
    char *want = realpath(REMAP_SOURCE_DIR "/tests/data/images", NULL);
    cr_assert_str_eq(s->images, want);
    free(want);

    char out[128];
    snprintf(out, sizeof out, "%s/run", tmp);
    remap_run_options opt = {.out_dir = out, .reference = true};
    remap_run_summary sum;
    cr_assert_eq(remap_run(s, &opt, &sum, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(sum.last, 40);
    char path[256];
    snprintf(path, sizeof path, "%s/run.log", out);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    char log[16384];
    size_t len = fread(log, 1, sizeof log - 1, f);
    log[len] = '\0';
    fclose(f);
    cr_assert(strstr(log, "event at 20: scotoma in left kills "), "%s", log);
    cr_assert(strstr(log, "event at 10: deafferent right"), "%s", log);
    remap_scenario_destroy(s);

    /* Images too small for the patch stop the run before it starts. */
    const char *ov[] = {"stimulus.image_scale=200"};
    cr_assert_eq(remap_scenario_load_file(REMAP_SOURCE_DIR
                                          "/tests/data/v1-images.yaml",
                                          ov, 1, &s, &err),
                 REMAP_OK, "%s", err.msg);
    snprintf(out, sizeof out, "%s/small", tmp);
    opt.out_dir = out;
    cr_assert_eq(remap_run(s, &opt, &sum, &err), REMAP_ESCENARIO);
    cr_assert(strstr(err.msg, "/tests/data/images/gratings.png: 96 x 96 "
                              "pixels is smaller than the retina's patch"),
              "%s", err.msg);
    cr_assert_eq(access(out, F_OK), -1, "no run directory is left");
    remap_scenario_destroy(s);
}
