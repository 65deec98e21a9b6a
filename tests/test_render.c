/* The renderer's frames: the cortical panels are the backend's images,
 * a lesion is drawn in the lesion colour where it is, captions appear in
 * the title line, frames repeat byte for byte, and bad panel lists and
 * sizes are refused. */
#include "cl/backend.h"
#include "model/model.h"
#include "render/colour.h"
#include "render/png.h"
#include "render/render.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static remap_model *model(const remap_backend_ops *backend)
{
    remap_params p;
    remap_params_default(&p);
    p.skin.density = 16.0f;
    p.cortex.density = 20.0f;
    p.afferent.radius = 0.2f;
    p.settle_steps = 4;
    remap_model *m;
    remap_error err;
    remap_cl_options cl = {0};
    cr_assert_eq(remap_model_create(&p, 3, backend,
                                    backend == &remap_ref_backend ? NULL : &cl,
                                    &m, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_step(m, 10, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_pull(m, &err), REMAP_OK, "%s", err.msg);
    return m;
}

static remap_renderer *renderer(const remap_model *m, const char *panels)
{
    remap_render_options o = {.width = 640, .height = 360, .title = "test",
                              .last = 100};
    remap_error err;
    cr_assert_eq(remap_frame_panels_parse(panels, o.panels, &o.panel_count,
                                          &err),
                 REMAP_OK, "%s", err.msg);
    remap_renderer *r;
    cr_assert_eq(remap_renderer_create(&o, m, &r, &err), REMAP_OK, "%s",
                 err.msg);
    return r;
}

static void draw(remap_renderer *r, remap_model *m, const char *captions,
                 remap_image *img)
{
    remap_frame_info info = {.phase = "development", .captions = captions};
    remap_error err;
    cr_assert_eq(remap_renderer_draw(r, m, &info, img, &err), REMAP_OK, "%s",
                 err.msg);
}

/* The map panel of a frame holds exactly the backend's map image. */
static void map_panel_is_the_kernel_image(const remap_backend_ops *backend)
{
    remap_model *m = model(backend);
    remap_renderer *r = renderer(m, "map,activity,skin,plot");
    remap_image img = {0};
    draw(r, m, "", &img);
    cr_assert_eq(img.width, 640);
    cr_assert_eq(img.height, 360);
    int x, y, w, h;
    remap_renderer_panel_area(r, 0, &x, &y, &w, &h);
    remap_render_request rq = {.kind = REMAP_PANEL_MAP, .width = w,
                               .height = h, .lo = 0.0f, .hi = 1.0f};
    remap_colour_scalar_map(rq.lut);
    remap_colour_regions(m->params.layout, rq.region_colour);
    memcpy(rq.lesion, remap_colour_lesion, 4);
    memcpy(rq.border, remap_colour_border, 4);
    memcpy(rq.empty, remap_colour_empty, 4);
    uint8_t *panel = malloc((size_t)w * (size_t)h * 4);
    remap_error err;
    cr_assert_eq(remap_model_render(m, &rq, panel, &err), REMAP_OK, "%s",
                 err.msg);
    for (int j = 0; j < h; j++)
        cr_assert_eq(memcmp(remap_image_at(&img, x, y + j),
                            panel + (size_t)j * (size_t)w * 4, (size_t)w * 4),
                     0, "map row %d differs from the kernel's", j);
    free(panel);
    remap_image_free(&img);
    remap_renderer_destroy(r);
    remap_model_destroy(m);
}

Test(render, map_panel_is_the_reference_image)
{
    map_panel_is_the_kernel_image(&remap_ref_backend);
}

Test(render, map_panel_is_the_opencl_image)
{
    map_panel_is_the_kernel_image(&remap_cl_backend);
}

/* A lesion at the sheet's centre: the centre of the map panel is drawn in
 * the lesion colour, and a corner (healthy) is not. */
Test(render, lesion_is_drawn_in_the_lesion_colour)
{
    remap_model *m = model(&remap_cl_backend);
    remap_shape disc = {.kind = REMAP_SHAPE_DISC, .cx = 0.5f, .cy = 0.5f,
                        .radius = 0.2f};
    cr_assert_gt(remap_model_lesion(m, &disc, 0.0f, 1.0f, 0), 0);
    remap_error err;
    cr_assert_eq(remap_model_push(m, &err), REMAP_OK, "%s", err.msg);
    remap_renderer *r = renderer(m, "activity,map");
    remap_image img = {0};
    draw(r, m, "lesion at 10", &img);
    for (int i = 0; i < 2; i++) {
        int x, y, w, h;
        remap_renderer_panel_area(r, i, &x, &y, &w, &h);
        cr_assert_arr_eq(remap_image_at(&img, x + w / 2, y + h / 2),
                         remap_colour_lesion, 4, "panel %d", i);
        cr_assert_arr_neq(remap_image_at(&img, x + 2, y + 2),
                          remap_colour_lesion, 4, "panel %d", i);
    }
    remap_image_free(&img);
    remap_renderer_destroy(r);
    remap_model_destroy(m);
}

/* Captions change pixels in the title line and nowhere else; the same
 * state drawn twice gives the same bytes, and they survive a PNG. */
Test(render, captions_show_and_frames_repeat)
{
    remap_model *m = model(&remap_ref_backend);
    remap_renderer *r = renderer(m, "map,threshold,fields,skin");
    remap_image a = {0}, b = {0}, c = {0};
    draw(r, m, "", &a);
    draw(r, m, "lesion at 4 000", &b);
    draw(r, m, "lesion at 4 000", &c);
    cr_assert_eq(memcmp(b.rgba, c.rgba, (size_t)b.width * (size_t)b.height * 4), 0,
                 "the same frame drawn twice differs");
    int x, y, w, h;
    remap_renderer_panel_area(r, 0, &x, &y, &w, &h);
    long changed_title = 0, changed_below = 0;
    for (int j = 0; j < a.height; j++)
        for (int i = 0; i < a.width; i++) {
            bool diff = memcmp(remap_image_at(&a, i, j),
                               remap_image_at(&b, i, j), 4) != 0;
            if (j < y - 20)
                changed_title += diff;
            else
                changed_below += diff;
        }
    cr_assert_gt(changed_title, 50, "the caption drew nothing");
    cr_assert_eq(changed_below, 0, "the caption drew outside the title");

    char dir[] = "/tmp/remap-test-render-XXXXXX", path[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f.png", dir);
    remap_error err;
    cr_assert_eq(remap_png_write(path, &b, 3, &err), REMAP_OK, "%s", err.msg);
    remap_image back = {0};
    cr_assert_eq(remap_png_read(path, &back, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(memcmp(back.rgba, b.rgba, (size_t)b.width * (size_t)b.height * 4), 0);
    remove(path);
    remove(dir);
    remap_image_free(&back);
    remap_image_free(&a);
    remap_image_free(&b);
    remap_image_free(&c);
    remap_renderer_destroy(r);
    remap_model_destroy(m);
}

/* The two ways of making m's frames of the given panels: drawn at once,
 * and captured into a copy of the state to be composed later. */
typedef struct two_ways {
    remap_renderer *drawn, *later;
    remap_frame_capture *capture;
} two_ways;

static two_ways two_ways_of(const remap_model *m, const char *panels)
{
    two_ways t = {renderer(m, panels), renderer(m, panels), NULL};
    remap_error err;
    cr_assert_eq(remap_frame_capture_create(t.later, m, &t.capture, &err),
                 REMAP_OK, "%s", err.msg);
    return t;
}

static void two_ways_destroy(two_ways *t)
{
    remap_frame_capture_destroy(t->capture);
    remap_renderer_destroy(t->drawn);
    remap_renderer_destroy(t->later);
}

/* A frame captured with a copy of the state and composed later is the
 * frame drawn at once, even after the live model has stepped on and
 * been lesioned in between; and the copy holds what the model held. */
static void captured_frame_is_the_drawn_frame(const remap_backend_ops *be)
{
    remap_model *m = model(be);
    two_ways t = two_ways_of(m, "map,activity,fields,skin,plot");
    remap_renderer *drawn = t.drawn, *later = t.later;
    remap_frame_capture *c = t.capture;
    remap_frame_info info = {.phase = "development", .captions = "x at 1"};
    remap_error err;
    cr_assert_eq(remap_renderer_capture(later, m, &info, c, &err), REMAP_OK,
                 "%s", err.msg);
    remap_image want = {0}, got = {0};
    cr_assert_eq(remap_renderer_draw(drawn, m, &info, &want, &err), REMAP_OK,
                 "%s", err.msg);

    remap_model *copy;
    cr_assert_eq(remap_model_snapshot(m, &copy, &err), REMAP_OK, "%s",
                 err.msg);
    size_t fields = (size_t)m->geom.units * (size_t)m->geom.cf_len;
    cr_assert_eq(memcmp(copy->weights, m->weights, fields * sizeof(float)), 0);
    cr_assert_eq(copy->iteration, m->iteration);
    cr_assert_null(copy->backend);

    /* The live model moves on; the capture must not see it. */
    remap_shape disc = {.kind = REMAP_SHAPE_DISC, .cx = 0.5f, .cy = 0.5f,
                        .radius = 0.3f};
    cr_assert_gt(remap_model_lesion(m, &disc, 0.0f, 0.0f, 0), 0);
    cr_assert_eq(remap_model_push(m, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_step(m, 5, &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_model_pull(m, &err), REMAP_OK, "%s", err.msg);
    cr_assert_neq(memcmp(copy->weights, m->weights, fields * sizeof(float)), 0);
    cr_assert_eq(remap_renderer_compose(later, c, &got, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_eq(memcmp(got.rgba, want.rgba,
                        (size_t)want.width * (size_t)want.height * 4),
                 0, "the composed frame differs from the drawn one");

    /* Updating the copy brings the live state over. */
    remap_model_snapshot_update(copy, m);
    cr_assert_eq(memcmp(copy->weights, m->weights, fields * sizeof(float)), 0);
    cr_assert_eq(memcmp(copy->unit_gain, m->unit_gain,
                        (size_t)m->geom.units * sizeof(float)),
                 0);
    cr_assert_eq(copy->iteration, m->iteration);

    remap_model_destroy(copy);
    remap_image_free(&want);
    remap_image_free(&got);
    two_ways_destroy(&t);
    remap_model_destroy(m);
}

Test(render, captured_frame_is_the_drawn_frame_on_the_reference)
{
    captured_frame_is_the_drawn_frame(&remap_ref_backend);
}

Test(render, captured_frame_is_the_drawn_frame_on_opencl)
{
    captured_frame_is_the_drawn_frame(&remap_cl_backend);
}

/* A capture reused frame after frame is coloured afresh each time: on
 * the OpenCL backend a capture with a copy leaves its cortical panels to
 * be coloured on the host when composed, and each frame so composed is
 * the frame drawn at once, whatever the panel. */
Test(render, a_reused_capture_is_coloured_for_each_frame)
{
    remap_model *m = model(&remap_cl_backend);
    two_ways t = two_ways_of(m, "map,activity,threshold");
    remap_frame_info info = {.phase = "development", .captions = "x at 1"};
    remap_error err;
    remap_image want = {0}, got = {0}, first = {0};
    for (int frame = 0; frame < 3; frame++) {
        cr_assert_eq(remap_model_step(m, 7, &err), REMAP_OK, "%s", err.msg);
        cr_assert_eq(remap_model_pull(m, &err), REMAP_OK, "%s", err.msg);
        cr_assert_eq(remap_renderer_capture(t.later, m, &info, t.capture,
                                            &err),
                     REMAP_OK, "%s", err.msg);
        cr_assert_eq(remap_renderer_draw(t.drawn, m, &info, &want, &err),
                     REMAP_OK, "%s", err.msg);
        cr_assert_eq(remap_renderer_compose(t.later, t.capture, &got, &err),
                     REMAP_OK, "%s", err.msg);
        size_t bytes = (size_t)want.width * (size_t)want.height * 4;
        cr_assert_eq(memcmp(got.rgba, want.rgba, bytes), 0,
                     "frame %d composed differs from the one drawn", frame);
        if (frame == 0) {
            cr_assert_eq(remap_image_create(want.width, want.height,
                                            remap_colour_background, &first,
                                            &err),
                         REMAP_OK, "%s", err.msg);
            memcpy(first.rgba, got.rgba, bytes);
        } else {
            cr_assert_neq(memcmp(got.rgba, first.rgba, bytes), 0,
                          "frame %d shows the first frame's state", frame);
        }
    }
    remap_image_free(&first);
    remap_image_free(&want);
    remap_image_free(&got);
    two_ways_destroy(&t);
    remap_model_destroy(m);
}

/* A capture is sized for its renderer's panels: another renderer refuses
 * it, and a capture never taken is not composed. */
Test(render, a_capture_belongs_to_its_renderer)
{
    remap_model *m = model(&remap_ref_backend);
    remap_renderer *a = renderer(m, "map,skin"), *b = renderer(m, "activity");
    remap_frame_capture *c;
    remap_error err;
    remap_image img = {0};
    cr_assert_eq(remap_frame_capture_create(a, m, &c, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_eq(remap_renderer_compose(a, c, &img, &err), REMAP_EINVAL);
    remap_frame_info info = {.phase = "development", .captions = ""};
    cr_assert_eq(remap_renderer_capture(b, m, &info, c, &err), REMAP_EINVAL);
    cr_assert(strstr(err.msg, "another renderer"), "%s", err.msg);
    cr_assert_eq(remap_renderer_capture(a, m, &info, c, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_eq(remap_renderer_compose(b, c, &img, &err), REMAP_EINVAL);
    cr_assert_eq(remap_renderer_compose(a, c, &img, &err), REMAP_OK, "%s",
                 err.msg);
    remap_image_free(&img);
    remap_frame_capture_destroy(c);
    remap_renderer_destroy(a);
    remap_renderer_destroy(b);
    remap_model_destroy(m);
}

Test(render, bad_panels_and_sizes_are_refused)
{
    int panels[REMAP_FRAME_MAX_PANELS], n;
    remap_error err;
    cr_assert_eq(remap_frame_panels_parse("map,actvity", panels, &n, &err),
                 REMAP_EUSAGE);
    cr_assert(strstr(err.msg, "unknown panel 'actvity' (did you mean "
                              "'activity'?)"),
              "%s", err.msg);
    cr_assert_eq(remap_frame_panels_parse("map,map", panels, &n, &err),
                 REMAP_EUSAGE);
    cr_assert(strstr(err.msg, "listed twice"), "%s", err.msg);
    cr_assert_eq(remap_frame_panels_parse("", panels, &n, &err), REMAP_EUSAGE);
    cr_assert_eq(remap_frame_size_check(641, 360, &err), REMAP_EUSAGE);
    cr_assert(strstr(err.msg, "even"), "%s", err.msg);
    cr_assert_eq(remap_frame_size_check(100, 100, &err), REMAP_EUSAGE);
    cr_assert(strstr(err.msg, "outside"), "%s", err.msg);
    cr_assert_eq(remap_frame_size_check(640, 360, &err), REMAP_OK);
}
