/* The renderer: frame layout, the cortical panels laid out from the units
 * the backend colours, the host-drawn panels (skin, receptive fields,
 * plot), colour keys and text. */
#include "render/render.h"

#include "core/suggest.h"
#include "measure/measure.h"
#include "measure/vision.h"
#include "render/colour.h"
#include "render/text.h"
#include "ref/ref_render.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const panel_names[REMAP_FRAME_PANEL_COUNT] = {
    "map",  "activity", "threshold",   "fields",
    "skin", "plot",     "orientation", "ocular"};

static const char *const panel_titles[REMAP_FRAME_PANEL_COUNT] = {
    "map: receptive-field centres",
    "activity",
    "adaptive threshold",
    "receptive fields",
    "skin and touch",
    "cortical area per region",
    "orientation (brightness: selectivity)",
    "ocular dominance"};


/* A panel's title; the skin and plot panels show other things in the
 * visual layouts. */
static const char *panel_title(const remap_model *m, int panel)
{
    if (remap_layout_is_visual(m->params.layout)) {
        if (panel == REMAP_FRAME_SKIN)
            return m->geom.eyes == 2 ? "LGN ON cells (left eye)"
                                     : "LGN ON cells";
        if (panel == REMAP_FRAME_PLOT)
            return "mean orientation selectivity";
    }
    return panel_titles[panel];
}

/* Fixed colour limits, so that frames of a sequence compare. */
#define ACTIVITY_HI 1.0f
#define THRESHOLD_LO 0.0f
#define THRESHOLD_HI 0.6f
#define PLOT_AREA_HI 0.6f /* the plot's y axis: share of the cortex */
#define PLOT_PROBES 64
#define PLOT_MAX_POINTS 4096
/* The plot measures the map at most this many times over the run's time
 * axis (each measurement probes the map 64 times on the host, which would
 * otherwise cost more than the rest of a frame). */
#define PLOT_SAMPLES 48
#define FIELDS_GRID 5 /* units per side of the receptive-field inset */

const char *remap_frame_panel_name(remap_frame_panel p)
{
    return p >= 0 && p < REMAP_FRAME_PANEL_COUNT ? panel_names[p] : "?";
}

remap_status remap_frame_panels_parse(const char *list, int *panels,
                                      int *count, remap_error *err)
{
    *count = 0;
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(len < 31 ? len : 31), p);
        int found = -1;
        for (int i = 0; i < REMAP_FRAME_PANEL_COUNT; i++)
            if (len == strlen(panel_names[i]) &&
                strncmp(p, panel_names[i], len) == 0)
                found = i;
        if (found < 0) {
            const char *near =
                remap_suggest(name, panel_names, REMAP_FRAME_PANEL_COUNT);
            char hint[64] = "";
            if (near)
                snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
            return remap_fail(err, REMAP_EUSAGE,
                              "unknown panel '%s'%s; the panels are map, "
                              "activity, threshold, fields, skin, plot, "
                              "orientation, ocular",
                              name, hint);
        }
        for (int i = 0; i < *count; i++)
            if (panels[i] == found)
                return remap_fail(err, REMAP_EUSAGE,
                                  "panel '%s' is listed twice", name);
        panels[(*count)++] = found;
        if (!p[len])
            return REMAP_OK;
        p += len + 1;
    }
}

remap_status remap_frame_panels_check(const int *panels, int count,
                                      int layout, remap_error *err)
{
    for (int i = 0; i < count; i++) {
        int p = panels[i];
        if (p == REMAP_FRAME_ORIENTATION && !remap_layout_is_visual(layout))
            return remap_fail(err, REMAP_EUSAGE,
                              "panel 'orientation' needs a visual layout "
                              "(sheets.skin.layout: retina or binocular), "
                              "not '%s'",
                              remap_layout_name(layout));
        if (p == REMAP_FRAME_OCULAR && layout != REMAP_LAYOUT_BINOCULAR)
            return remap_fail(err, REMAP_EUSAGE,
                              "panel 'ocular' needs the binocular layout "
                              "(sheets.skin.layout: binocular), not '%s'",
                              remap_layout_name(layout));
    }
    return REMAP_OK;
}

remap_status remap_frame_size_check(int width, int height, remap_error *err)
{
    if (width < REMAP_FRAME_MIN_WIDTH || height < REMAP_FRAME_MIN_HEIGHT ||
        width > REMAP_FRAME_MAX_SIDE || height > REMAP_FRAME_MAX_SIDE)
        return remap_fail(err, REMAP_EUSAGE,
                          "frame size %dx%d is outside %dx%d to %dx%d", width,
                          height, REMAP_FRAME_MIN_WIDTH,
                          REMAP_FRAME_MIN_HEIGHT, REMAP_FRAME_MAX_SIDE,
                          REMAP_FRAME_MAX_SIDE);
    if (width % 2 || height % 2)
        return remap_fail(err, REMAP_EUSAGE,
                          "frame size %dx%d: both sides must be even (video "
                          "encoders need it)",
                          width, height);
    return REMAP_OK;
}

typedef struct rect {
    int x, y, w, h;
} rect;

/* A point of the plot: each region's cortical area, or in the visual
 * layouts (one curve) the mean orientation selectivity. */
typedef struct plot_point {
    uint64_t iteration;
    float area[REMAP_REGION_COUNT];
} plot_point;

struct remap_renderer {
    remap_render_options opt;
    remap_font *font;
    remap_render_request rq; /* colours shared by the cortical panels */
    int units;               /* the model's units: what captures hold */
    uint8_t lut[256][4];
    uint8_t regions[REMAP_REGION_COUNT][4];
    int region_count;
    int title_px, label_px;
    rect title;
    rect cells[REMAP_FRAME_MAX_PANELS];
    remap_frame_capture *own; /* remap_renderer_draw's capture */
    uint8_t *skin_rgba;  /* each receptor's colour in the skin panel */
    int *skin_cols;      /* the receptor column of each pixel column */
    remap_unit_maps maps;
    plot_point *points;
    size_t point_count;
    /* The visual maps, measured for vision_iteration when vision_ok. */
    uint8_t od_lut[256][4];
    remap_vision_map vision;
    uint64_t vision_iteration;
    bool vision_ok;
};

static remap_status capture_alloc(const remap_renderer *r,
                                  const remap_model *m,
                                  remap_frame_capture **out,
                                  remap_error *err);

/* ---- Layout ------------------------------------------------------------- */

static void layout(remap_renderer *r)
{
    int w = r->opt.width, h = r->opt.height, n = r->opt.panel_count;
    int bar = h / 12 < 28 ? 28 : h / 12;
    r->title = (rect){0, 0, w, bar};
    r->title_px = bar * 2 / 5;
    r->label_px = bar * 3 / 10 < 11 ? 11 : bar * 3 / 10;
    int cols = 1;
    while (cols * cols < n)
        cols++;
    int rows = (n + cols - 1) / cols;
    /* Prefer more columns on wide frames: 4 panels on 16:9 as 2x2 still. */
    int cw = w / cols, ch = (h - bar) / rows;
    for (int i = 0; i < n; i++)
        r->cells[i] = (rect){(i % cols) * cw, bar + (i / cols) * ch, cw, ch};
}

/* The content area of a cell: below its label, inside a margin, and
 * leaving key_w pixels on the right for a colour key. */
static rect content(const remap_renderer *r, rect cell, int key_w, bool square)
{
    int margin = cell.w / 40 < 4 ? 4 : cell.w / 40;
    int label = r->label_px * 2;
    rect c = {cell.x + margin, cell.y + label, cell.w - 2 * margin - key_w,
              cell.h - label - margin};
    if (square) {
        int side = c.w < c.h ? c.w : c.h;
        c.x += (c.w - side) / 2;
        c.y += (c.h - side) / 2;
        c.w = c.h = side;
    }
    if (c.w < 1)
        c.w = 1;
    if (c.h < 1)
        c.h = 1;
    return c;
}

/* ---- Text --------------------------------------------------------------- */

static void text(remap_renderer *r, remap_image *img, int x, int y, int px,
                 const uint8_t colour[4], const char *s)
{
    remap_text_draw(r->font, img, x, y, px, colour, s);
}

static void text_right(remap_renderer *r, remap_image *img, int right, int y,
                       int px, const uint8_t colour[4], const char *s)
{
    text(r, img, right - remap_text_width(r->font, px, s), y, px, colour, s);
}

void remap_frame_number(uint64_t v, char *out, size_t size)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%" PRIu64, v);
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n && o + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            out[o++] = ' ';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

static void draw_title(remap_renderer *r, remap_image *img, uint64_t it,
                       const remap_frame_info *info)
{
    int px = r->title_px, base = r->title.y + r->title.h / 2 + px / 3;
    int pad = px;
    text(r, img, pad, base, px, remap_colour_text, r->opt.title);
    char num[40], line[96];
    remap_frame_number(it, num, sizeof num);
    snprintf(line, sizeof line, "iteration %s", num);
    text_right(r, img, r->title.w - pad, base, px, remap_colour_text, line);
    /* Phase and captions centred between the two. */
    char mid[512];
    snprintf(mid, sizeof mid, "%s%s%s", info->phase,
             info->captions[0] ? "  \xc2\xb7  " : "", info->captions);
    int cpx = px * 4 / 5;
    int mw = remap_text_width(r->font, cpx, mid);
    text(r, img, (r->title.w - mw) / 2, base, cpx, remap_colour_dim_text, mid);
}

/* ---- Colour key --------------------------------------------------------- */

/* A vertical bar of lut beside content c, labelled at its top and
 * bottom. */
static void key_bar(remap_renderer *r, remap_image *img, rect c,
                    const uint8_t lut[256][4], const char *top,
                    const char *bottom)
{
    int bar_w = r->label_px, x = c.x + c.w + r->label_px / 2;
    for (int j = 0; j < c.h; j++) {
        int i = (int)((long)(c.h - 1 - j) * 255 / (c.h > 1 ? c.h - 1 : 1));
        remap_image_fill(img, x, c.y + j, bar_w, 1, lut[i]);
    }
    int px = r->label_px * 4 / 5;
    text(r, img, x + bar_w + 2, c.y + px, px, remap_colour_dim_text, top);
    text(r, img, x + bar_w + 2, c.y + c.h, px, remap_colour_dim_text, bottom);
}

static void colour_key(remap_renderer *r, remap_image *img, rect c, float lo,
                       float hi)
{
    char a[32], b[32];
    snprintf(a, sizeof a, "%g", (double)hi);
    snprintf(b, sizeof b, "%g", (double)lo);
    key_bar(r, img, c, r->lut, a, b);
}

/* Room the orientation key takes beside its panel. */
static int orientation_key_width(const remap_renderer *r)
{
    return r->label_px * 9;
}

/* The orientation key: a half-disc beside content c, each direction from
 * its centre (0 to the right, 90 degrees up) in the colour of that
 * orientation, brightness growing with the radius as selectivity does up
 * to REMAP_FRAME_SELECTIVITY_HI at the rim; angles labelled. */
static void orientation_key(remap_renderer *r, remap_image *img, rect c)
{
    const double pi = 3.14159265358979323846;
    int px = r->label_px * 4 / 5;
    int label_w = remap_text_width(r->font, px, "135\xc2\xb0");
    int x0 = c.x + c.w + r->label_px / 2;
    int kw = c.x + c.w + orientation_key_width(r) - x0;
    int radius = (kw - 2 * label_w - 4) / 2;
    if (radius > c.h / 3)
        radius = c.h / 3;
    if (radius < 4)
        return;
    int cx = x0 + kw / 2, cy = c.y + c.h / 2;
    for (int dy = -radius; dy <= 0; dy++)
        for (int dx = -radius; dx <= radius; dx++) {
            double d = sqrt((double)(dx * dx + dy * dy));
            if (d > radius)
                continue;
            /* The rim row at full brightness; the centre dark. */
            double s = d / (radius - 1);
            double a = atan2((double)-dy, (double)dx);
            uint8_t col[4];
            remap_colour_orientation((float)a, (float)(s > 1 ? 1 : s), col);
            memcpy(remap_image_at(img, cx + dx, cy + dy), col, 4);
        }
    static const char *const labels[4] = {"0\xc2\xb0", "45\xc2\xb0",
                                          "90\xc2\xb0", "135\xc2\xb0"};
    for (int k = 0; k < 4; k++) {
        double a = k * pi / 4;
        int lx = cx + (int)lround((radius + 3) * cos(a));
        int ly = cy - (int)lround((radius + 3) * sin(a));
        int w = remap_text_width(r->font, px, labels[k]);
        /* Anchored by the side that faces the disc. */
        int tx = k == 0 ? lx : k == 1 ? lx : k == 2 ? lx - w / 2 : lx - w;
        int ty = k == 0 ? ly + px / 3 : ly;
        text(r, img, tx, ty, px, remap_colour_dim_text, labels[k]);
    }
    char s[48];
    snprintf(s, sizeof s, "0 to %g", (double)REMAP_FRAME_SELECTIVITY_HI);
    int w = remap_text_width(r->font, px, "selectivity");
    text(r, img, cx - w / 2, cy + px + 4, px, remap_colour_dim_text,
         "selectivity");
    w = remap_text_width(r->font, px, s);
    text(r, img, cx - w / 2, cy + 2 * px + 7, px, remap_colour_dim_text, s);
}

/* ---- Cortical panels (units coloured by the backend) ------------------- */

/* A request holding the colours that r's cortical panels share (set at
 * creation, read by any thread). */
static void fixed_colours(const remap_renderer *r, remap_render_request *rq)
{
    memset(rq, 0, sizeof *rq);
    memcpy(rq->lut, r->lut, sizeof r->lut);
    memcpy(rq->region_colour, r->regions, sizeof r->regions);
    memcpy(rq->lesion, remap_colour_lesion, 4);
    memcpy(rq->border, remap_colour_border, 4);
    memcpy(rq->empty, remap_colour_empty, 4);
}

/* Sets the kind of a request and its colour map's limits. */
static void request_kind(remap_render_request *rq, remap_panel_kind kind)
{
    rq->kind = kind;
    rq->lo = kind == REMAP_PANEL_THRESHOLD ? THRESHOLD_LO : 0.0f;
    rq->hi = kind == REMAP_PANEL_THRESHOLD ? THRESHOLD_HI : ACTIVITY_HI;
}

/* The units of the cortical panel of the given kind, coloured by the
 * backend from its current state. */
static remap_status colour_units(remap_renderer *r, remap_model *m,
                                 remap_panel_kind kind, uint8_t (*colour)[4],
                                 int *label, remap_error *err)
{
    request_kind(&r->rq, kind);
    return remap_model_colour_units(m, &r->rq, colour, label, err);
}

/* The units of a copy of the state, coloured on the host as the reference
 * backend colours them (a copy has no device; the backend tests hold a
 * device's colouring equal to it byte for byte). The request is built
 * from the renderer's fixed colours, not from r->rq, which the
 * simulation's thread may be setting meanwhile. */
static void colour_copy(const remap_renderer *r, const remap_model *copy,
                        remap_panel_kind kind, uint8_t (*colour)[4],
                        int *label)
{
    remap_render_request rq;
    fixed_colours(r, &rq);
    request_kind(&rq, kind);
    remap_ref_colour_units(copy, &rq, colour, label);
}

/* Lays out a cortical panel of the given kind in content c of img. Only
 * the kind, size and border colour of a request are read here, so this
 * runs beside the thread that colours the next frame's units in r->rq. */
static void cortex_panel(remap_image *img, rect c, remap_panel_kind kind,
                         int cortex_n, const uint8_t (*colour)[4],
                         const int *label)
{
    remap_render_request rq = {.kind = kind, .width = c.w, .height = c.h};
    memcpy(rq.border, remap_colour_border, 4);
    remap_render_cells(cortex_n, &rq, colour, label,
                       remap_image_at(img, c.x, c.y),
                       (size_t)img->width * 4u);
}

/* ---- Visual maps ------------------------------------------------------ */

/* Measures the visual maps of m unless those of its iteration are kept:
 * a measurement costs as much as tens of iterations, and the frames of
 * one iteration (a paused viewer) show the same maps. */
static remap_status measure_vision(remap_renderer *r, const remap_model *m,
                                   remap_error *err)
{
    uint64_t every = r->opt.vision_every ? r->opt.vision_every : 1;
    if (r->vision_ok && m->iteration >= r->vision_iteration &&
        m->iteration - r->vision_iteration < every)
        return REMAP_OK;
    if (r->vision_ok)
        remap_vision_map_free(&r->vision);
    r->vision_ok = false;
    memset(&r->vision, 0, sizeof r->vision);
    remap_vision_settings vs;
    remap_vision_settings_default(&vs);
    remap_status st = remap_vision_measure(m, &vs, &r->vision, err);
    if (st)
        return remap_error_prefix(err, "render: measuring the visual maps");
    r->vision_ok = true;
    r->vision_iteration = m->iteration;
    return REMAP_OK;
}

/* Colour of unit u: dead units in the lesion colour, a penumbra blended
 * towards it by its lost gain, as the cortical kernels draw them. */
static void unit_gain_blend(const remap_model *m, int u, uint8_t col[4])
{
    float gain = m->unit_gain[u];
    if (gain <= 0.0f) {
        memcpy(col, remap_colour_lesion, 4);
    } else if (gain < 1.0f) {
        for (int c = 0; c < 3; c++)
            col[c] = (uint8_t)((float)col[c] * gain +
                               (float)remap_colour_lesion[c] * (1.0f - gain) +
                               0.5f);
    }
}

/* A map of per-unit colours scaled to content c, nearest unit, the
 * sheet's top row at the top, as the cortical kernels scale the cortex. */
static void unit_panel(const remap_model *m, remap_image *img, rect c,
                       const uint8_t (*colour)[4])
{
    int n = m->geom.cortex_n;
    for (int j = 0; j < c.h; j++) {
        int row = n - 1 - (int)((long)j * n / c.h);
        for (int i = 0; i < c.w; i++) {
            int col = (int)((long)i * n / c.w);
            memcpy(remap_image_at(img, c.x + i, c.y + j),
                   colour[row * n + col], 4);
        }
    }
}

static remap_status vision_panel(remap_renderer *r, const remap_model *m,
                                 remap_image *img, int panel, rect c,
                                 remap_error *err)
{
    remap_status st = measure_vision(r, m, err);
    if (st)
        return st;
    const remap_vision_map *v = &r->vision;
    if (panel == REMAP_FRAME_OCULAR && !v->od)
        return remap_fail(err, REMAP_EINVAL,
                          "render: the ocular panel needs a map of two eyes");
    int units = m->geom.units;
    uint8_t(*colour)[4] = malloc((size_t)units * sizeof *colour);
    if (!colour)
        return remap_fail(err, REMAP_ENOMEM, "render: out of memory");
    for (int u = 0; u < units; u++) {
        if (panel == REMAP_FRAME_ORIENTATION) {
            remap_colour_orientation(
                v->preference[u],
                v->selectivity[u] / REMAP_FRAME_SELECTIVITY_HI, colour[u]);
        } else {
            float t = (v->od[u] + 1.0f) * 0.5f * 255.0f + 0.5f;
            int i = t < 0.0f ? 0 : t > 255.0f ? 255 : (int)t;
            memcpy(colour[u], r->od_lut[i], 4);
        }
        unit_gain_blend(m, u, colour[u]);
    }
    unit_panel(m, img, c, (const uint8_t(*)[4])colour);
    free(colour);
    return REMAP_OK;
}

/* ---- Skin --------------------------------------------------------------- */

static uint8_t mix(uint8_t a, uint8_t b, float t)
{
    return (uint8_t)((float)a + ((float)b - (float)a) * t + 0.5f);
}

/* The skin: regions in dim colours, the current input brightening them
 * to full colour and white, silenced skin hatched, region borders. */
static void skin_panel(remap_renderer *r, const remap_model *m,
                       remap_image *img, rect c)
{
    const remap_geometry *g = &m->geom;
    int n = g->skin_n;
    /* Each receptor's colour once, then each pixel looks its receptor up:
     * a panel has far more pixels than the skin has receptors. */
    for (int rc = 0; rc < n * n; rc++) {
        const uint8_t *colour = r->regions[m->skin_region[rc]];
        uint8_t *px = r->skin_rgba + 4 * rc;
        float x = m->input[rc];
        x = x < 0.0f ? 0.0f : x > 1.0f ? 1.0f : x;
        for (int k = 0; k < 3; k++) {
            uint8_t dim = (uint8_t)(colour[k] * 2 / 5);
            px[k] = x < 0.5f ? mix(dim, colour[k], 2.0f * x)
                             : mix(colour[k], 255, 2.0f * x - 1.0f);
        }
        px[3] = 255;
    }
    int *cols = r->skin_cols;
    for (int i = 0; i < c.w; i++)
        cols[i] = (int)((long)i * n / c.w);
    for (int j = 0; j < c.h; j++) {
        int row = n - 1 - (int)((long)j * n / c.h);
        int trow = n - 1 - (int)((long)(j - 1) * n / c.h);
        uint8_t *out = remap_image_at(img, c.x, c.y + j);
        for (int i = 0; i < c.w; i++, out += 4) {
            int col = cols[i], rc = row * n + col;
            int reg = m->skin_region[rc];
            const uint8_t *px = r->skin_rgba + 4 * rc;
            if (m->receptor_gain[rc] == 0.0f)
                px = ((i + j) / 3) % 2 == 0 ? remap_colour_deafferented
                                            : remap_colour_background;
            if ((i > 0 && m->skin_region[row * n + cols[i - 1]] != reg) ||
                (j > 0 && m->skin_region[trow * n + col] != reg))
                px = remap_colour_border;
            memcpy(out, px, 4);
        }
    }
}

/* ---- Receptive fields --------------------------------------------------- */

/* A FIELDS_GRID x FIELDS_GRID grid of units spread over the cortex, each
 * drawn as its afferent field through the colour map (weight over the
 * field's largest), dead units in the lesion colour. */
static void fields_panel(remap_renderer *r, const remap_model *m,
                         remap_image *img, rect c)
{
    const remap_geometry *g = &m->geom;
    int cells = FIELDS_GRID, gap = c.w / 60 + 1;
    int side = (c.w - (cells - 1) * gap) / cells;
    if (side < 1)
        return;
    for (int gy = 0; gy < cells; gy++) {
        for (int gx = 0; gx < cells; gx++) {
            /* Grid row 0 at the top shows the sheet's top. */
            int col = (2 * gx + 1) * g->cortex_n / (2 * cells);
            int row = g->cortex_n - 1 - (2 * gy + 1) * g->cortex_n / (2 * cells);
            int u = row * g->cortex_n + col;
            int x0 = c.x + gx * (side + gap), y0 = c.y + gy * (side + gap);
            if (m->unit_gain[u] == 0.0f) {
                remap_image_fill(img, x0, y0, side, side, remap_colour_lesion);
                continue;
            }
            /* Weights through the scalar map; in the visual layouts ON
             * minus OFF through the diverging map, 0 in its middle. */
            bool visual = g->eyes > 0;
            float top = 0.0f;
            for (int a = 0; a < g->cf_area; a++)
                top = fmaxf(top, fabsf(remap_field_slot_value(m, u, a)));
            for (int j = 0; j < side; j++) {
                int ky = g->cf_side - 1 - j * g->cf_side / side;
                for (int i = 0; i < side; i++) {
                    int kx = i * g->cf_side / side;
                    int k = ky * g->cf_side + kx;
                    const uint8_t *px = remap_colour_background;
                    if (remap_cf_in_circle(g, k) && top > 0.0f) {
                        float v = remap_field_slot_value(m, u, k) / top;
                        if (visual)
                            v = 0.5f * (v + 1.0f);
                        int li = (int)(v * 255.0f + 0.5f);
                        li = li < 0 ? 0 : li > 255 ? 255 : li;
                        px = visual ? r->od_lut[li] : r->lut[li];
                    }
                    memcpy(remap_image_at(img, x0 + i, y0 + j), px, 4);
                }
            }
        }
    }
}

/* ---- Plot --------------------------------------------------------------- */

static remap_status record_point(remap_renderer *r, const remap_model *m,
                                 remap_error *err)
{
    if (r->point_count) {
        /* One point per iteration, spaced out but always the last. */
        uint64_t prev = r->points[r->point_count - 1].iteration;
        uint64_t spacing = r->opt.last / PLOT_SAMPLES;
        if (prev >= m->iteration ||
            (prev + spacing > m->iteration && m->iteration != r->opt.last))
            return REMAP_OK;
    }
    if (r->point_count == PLOT_MAX_POINTS) {
        /* Keep every other point: the curve stays, the memory bounded. */
        for (size_t i = 0; i < PLOT_MAX_POINTS / 2; i++)
            r->points[i] = r->points[2 * i];
        r->point_count = PLOT_MAX_POINTS / 2;
    }
    plot_point *p = &r->points[r->point_count];
    p->iteration = m->iteration;
    if (remap_layout_is_visual(m->params.layout)) {
        /* The maps the orientation panel shows, measured once per
         * iteration for both. */
        remap_status st = measure_vision(r, m, err);
        if (st)
            return st;
        memset(p->area, 0, sizeof p->area);
        p->area[0] = r->vision.selectivity_mean;
    } else {
        remap_measures ms;
        remap_status st =
            remap_measure(m, PLOT_PROBES, NULL, &r->maps, &ms, err);
        if (st)
            return st;
        memcpy(p->area, ms.area, sizeof p->area);
    }
    r->point_count++;
    return REMAP_OK;
}

/* The regions' names in their colours, one per line from (x, top). */
static void region_key(remap_renderer *r, const remap_model *m,
                       remap_image *img, int x, int top)
{
    int px = r->label_px * 4 / 5;
    for (int reg = 0; reg < r->region_count; reg++)
        text(r, img, x, top + px + reg * (px + 3), px, r->regions[reg],
             remap_layout_region_name(m->params.layout, reg));
}

static void line(remap_image *img, int x0, int y0, int x1, int y1,
                 const uint8_t colour[4])
{
    int dx = abs(x1 - x0), dy = -abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, e = dx + dy;
    for (;;) {
        remap_image_blend(img, x0, y0, colour, 255);
        remap_image_blend(img, x0, y0 + 1, colour, 255);
        if (x0 == x1 && y0 == y1)
            return;
        int e2 = 2 * e;
        if (e2 >= dy)
            e += dy, x0 += sx;
        if (e2 <= dx)
            e += dx, y0 += sy;
    }
}

static void plot_panel(remap_renderer *r, const remap_model *m,
                       remap_image *img, rect c)
{
    int px = r->label_px * 4 / 5;
    rect a = {c.x + px * 3, c.y + px / 2, c.w - px * 3 - px * 4,
              c.h - px * 3};
    if (a.w < 4 || a.h < 4)
        return;
    const uint8_t axis[4] = {110, 110, 120, 255};
    remap_image_fill(img, a.x, a.y + a.h, a.w, 1, axis);
    remap_image_fill(img, a.x - 1, a.y, 1, a.h + 1, axis);
    bool visual = remap_layout_is_visual(m->params.layout);
    float hi = visual ? REMAP_FRAME_SELECTIVITY_HI : PLOT_AREA_HI;
    int curves = visual ? 1 : r->region_count;
    char s[48];
    snprintf(s, sizeof s, "%g", (double)hi);
    text_right(r, img, a.x - 3, a.y + px, px, remap_colour_dim_text, s);
    text_right(r, img, a.x - 3, a.y + a.h, px, remap_colour_dim_text, "0");
    uint64_t last = r->opt.last ? r->opt.last : 1;
    remap_frame_number(last, s, sizeof s);
    text_right(r, img, a.x + a.w, a.y + a.h + px + 2, px,
               remap_colour_dim_text, s);
    text(r, img, a.x, a.y + a.h + px + 2, px, remap_colour_dim_text,
         "0 iterations");
    /* One line per region, then a legend down the right. */
    for (int reg = 0; reg < curves; reg++) {
        int ox = -1, oy = -1;
        for (size_t i = 0; i < r->point_count; i++) {
            const plot_point *p = &r->points[i];
            double fx = (double)p->iteration / (double)last;
            double fy = (double)p->area[reg] / (double)hi;
            fx = fx > 1 ? 1 : fx;
            fy = fy > 1 ? 1 : fy < 0 ? 0 : fy;
            int x = a.x + (int)lround(fx * (a.w - 1));
            int y = a.y + a.h - 1 - (int)lround(fy * (a.h - 1));
            if (ox >= 0)
                line(img, ox, oy, x, y, r->regions[reg]);
            else if (r->point_count == 1) /* a snapshot: one point */
                remap_image_fill(img, x - 2, y - 2, 5, 5, r->regions[reg]);
            ox = x, oy = y;
        }
    }
    if (!visual)
        region_key(r, m, img, a.x + a.w + 4, a.y);
    double fx = (double)m->iteration / (double)last;
    int cx = a.x + (int)lround((fx > 1 ? 1 : fx) * (a.w - 1));
    for (int j = a.y; j < a.y + a.h; j += 2)
        remap_image_blend(img, cx, j, remap_colour_cursor, 160);
}

/* ---- The renderer ------------------------------------------------------- */

remap_status remap_renderer_create(const remap_render_options *opt,
                                   const remap_model *m, remap_renderer **out,
                                   remap_error *err)
{
    *out = NULL;
    remap_status st = remap_frame_size_check(opt->width, opt->height, err);
    if (st)
        return st;
    if (opt->panel_count < 1 || opt->panel_count > REMAP_FRAME_MAX_PANELS)
        return remap_fail(err, REMAP_EUSAGE, "a frame needs 1 to %d panels",
                          REMAP_FRAME_MAX_PANELS);
    if ((st = remap_frame_panels_check(opt->panels, opt->panel_count,
                                       m->params.layout, err)))
        return st;
    remap_renderer *r = calloc(1, sizeof *r);
    if (!r)
        return remap_fail(err, REMAP_ENOMEM, "render: out of memory");
    r->opt = *opt;
    r->points = malloc(PLOT_MAX_POINTS * sizeof *r->points);
    r->skin_rgba = malloc((size_t)m->geom.receptors * 4);
    r->skin_cols = malloc((size_t)opt->width * sizeof *r->skin_cols);
    if (!r->points || !r->skin_rgba || !r->skin_cols) {
        remap_renderer_destroy(r);
        return remap_fail(err, REMAP_ENOMEM, "render: out of memory");
    }
    if ((st = remap_unit_maps_create(&m->geom, &r->maps, err)) ||
        (st = remap_font_open(NULL, &r->font, err))) {
        remap_renderer_destroy(r);
        return st;
    }
    remap_colour_scalar_map(r->lut);
    remap_colour_ocular_map(r->od_lut);
    remap_colour_regions(m->params.layout, r->regions);
    r->region_count = remap_model_regions(m);
    r->units = m->geom.units;
    fixed_colours(r, &r->rq);
    layout(r);
    if ((st = capture_alloc(r, NULL, &r->own, err))) {
        remap_renderer_destroy(r);
        return st;
    }
    *out = r;
    return REMAP_OK;
}

void remap_renderer_destroy(remap_renderer *r)
{
    if (!r)
        return;
    if (r->font)
        remap_font_close(r->font);
    if (r->maps.rf_centre)
        remap_unit_maps_destroy(&r->maps);
    if (r->vision_ok)
        remap_vision_map_free(&r->vision);
    remap_frame_capture_destroy(r->own);
    free(r->skin_rgba);
    free(r->skin_cols);
    free(r->points);
    free(r);
}

static rect panel_content(const remap_renderer *r, int i)
{
    int p = r->opt.panels[i];
    int key_w = p == REMAP_FRAME_SKIN || p == REMAP_FRAME_PLOT ? 0
                : p == REMAP_FRAME_ORIENTATION ? orientation_key_width(r)
                                                : r->label_px * 4;
    return content(r, r->cells[i], key_w, p != REMAP_FRAME_PLOT);
}

void remap_renderer_panel_area(const remap_renderer *r, int i, int *x, int *y,
                               int *w, int *h)
{
    rect c = panel_content(r, i);
    *x = c.x, *y = c.y, *w = c.w, *h = c.h;
}

/* ---- Capturing and composing ------------------------------------------ */

struct remap_frame_capture {
    const remap_renderer *owner; /* whose layout the panels are sized for */
    remap_model *copy;        /* the host state's copy; NULL: state is live */
    const remap_model *state; /* what the host panels are drawn from; NULL
                                 until the first capture */
    /* The cortical panels' units: colours, and labels for the borders;
     * coloured when the frame is taken from a live state, and when it is
     * composed from a copy (off the simulation's thread: no device round
     * trip there). */
    uint8_t (*colour[REMAP_FRAME_MAX_PANELS])[4];
    int *label[REMAP_FRAME_MAX_PANELS];
    bool coloured;
    char phase[64], captions[320];
};

static bool is_cortical(int panel)
{
    return panel == REMAP_FRAME_MAP || panel == REMAP_FRAME_ACTIVITY ||
           panel == REMAP_FRAME_THRESHOLD;
}

static remap_panel_kind cortical_kind(int panel)
{
    return panel == REMAP_FRAME_MAP        ? REMAP_PANEL_MAP
           : panel == REMAP_FRAME_ACTIVITY ? REMAP_PANEL_ACTIVITY
                                           : REMAP_PANEL_THRESHOLD;
}

/* A capture with a buffer for each cortical panel of r, and with a copy
 * of m's host state unless m is NULL (the capture then draws from the
 * live model it is given). */
static remap_status capture_alloc(const remap_renderer *r,
                                  const remap_model *m,
                                  remap_frame_capture **out, remap_error *err)
{
    *out = NULL;
    remap_frame_capture *c = calloc(1, sizeof *c);
    if (!c)
        return remap_fail(err, REMAP_ENOMEM, "render: out of memory");
    c->owner = r;
    for (int i = 0; i < r->opt.panel_count; i++) {
        if (!is_cortical(r->opt.panels[i]))
            continue;
        size_t units = (size_t)r->units;
        c->colour[i] = malloc(units * sizeof *c->colour[i]);
        c->label[i] = malloc(units * sizeof *c->label[i]);
        if (!c->colour[i] || !c->label[i]) {
            remap_frame_capture_destroy(c);
            return remap_fail(err, REMAP_ENOMEM, "render: out of memory");
        }
    }
    remap_status st;
    if (m && (st = remap_model_snapshot(m, &c->copy, err))) {
        remap_frame_capture_destroy(c);
        return st;
    }
    *out = c;
    return REMAP_OK;
}

remap_status remap_frame_capture_create(const remap_renderer *r,
                                        const remap_model *m,
                                        remap_frame_capture **out,
                                        remap_error *err)
{
    return capture_alloc(r, m, out, err);
}

void remap_frame_capture_destroy(remap_frame_capture *c)
{
    if (!c)
        return;
    for (int i = 0; i < REMAP_FRAME_MAX_PANELS; i++) {
        free(c->colour[i]);
        free(c->label[i]);
    }
    remap_model_destroy(c->copy);
    free(c);
}

remap_status remap_renderer_capture(remap_renderer *r, remap_model *m,
                                    const remap_frame_info *info,
                                    remap_frame_capture *c, remap_error *err)
{
    if (c->owner != r || m->geom.units != r->units)
        return remap_fail(err, REMAP_EINVAL,
                          "render: a capture made for another renderer, or "
                          "a model of another size");
    for (int i = 0; !c->copy && i < r->opt.panel_count; i++) {
        int p = r->opt.panels[i];
        remap_status st;
        if (is_cortical(p) &&
            (st = colour_units(r, m, cortical_kind(p), c->colour[i],
                               c->label[i], err)))
            return st;
    }
    if (c->copy)
        remap_model_snapshot_update(c->copy, m);
    c->coloured = !c->copy;
    c->state = c->copy ? c->copy : m;
    snprintf(c->phase, sizeof c->phase, "%s", info->phase);
    snprintf(c->captions, sizeof c->captions, "%s", info->captions);
    return REMAP_OK;
}

remap_status remap_renderer_compose(remap_renderer *r,
                                    remap_frame_capture *cap,
                                    remap_image *img, remap_error *err)
{
    remap_status st;
    const remap_model *m = cap->state;
    if (cap->owner != r || !m)
        return remap_fail(err, REMAP_EINVAL,
                          "render: a capture made for another renderer, or "
                          "never taken");
    for (int i = 0; !cap->coloured && i < r->opt.panel_count; i++) {
        int p = r->opt.panels[i];
        if (is_cortical(p))
            colour_copy(r, m, cortical_kind(p), cap->colour[i],
                        cap->label[i]);
    }
    cap->coloured = true;
    if (!img->rgba &&
        (st = remap_image_create(r->opt.width, r->opt.height,
                                 remap_colour_background, img, err)))
        return st;
    remap_image_fill(img, 0, 0, img->width, img->height,
                     remap_colour_background);
    remap_frame_info info = {.phase = cap->phase, .captions = cap->captions};
    draw_title(r, img, m->iteration, &info);
    for (int i = 0; i < r->opt.panel_count; i++) {
        int p = r->opt.panels[i];
        rect cell = r->cells[i];
        text(r, img, cell.x + cell.w / 40 + 4, cell.y + r->label_px * 3 / 2,
             r->label_px, remap_colour_dim_text, panel_title(m, p));
        rect c = panel_content(r, i);
        st = REMAP_OK;
        switch (p) {
        case REMAP_FRAME_MAP:
            cortex_panel(img, c, REMAP_PANEL_MAP, m->geom.cortex_n,
                         (const uint8_t(*)[4])cap->colour[i], cap->label[i]);
            region_key(r, m, img, c.x + c.w + r->label_px / 2, c.y);
            break;
        case REMAP_FRAME_ACTIVITY:
            cortex_panel(img, c, REMAP_PANEL_ACTIVITY, m->geom.cortex_n,
                         (const uint8_t(*)[4])cap->colour[i], cap->label[i]);
            colour_key(r, img, c, 0.0f, ACTIVITY_HI);
            break;
        case REMAP_FRAME_THRESHOLD:
            cortex_panel(img, c, REMAP_PANEL_THRESHOLD, m->geom.cortex_n,
                         (const uint8_t(*)[4])cap->colour[i], cap->label[i]);
            colour_key(r, img, c, THRESHOLD_LO, THRESHOLD_HI);
            break;
        case REMAP_FRAME_FIELDS:
            fields_panel(r, m, img, c);
            colour_key(r, img, c, 0.0f, 1.0f);
            break;
        case REMAP_FRAME_SKIN:
            skin_panel(r, m, img, c);
            break;
        case REMAP_FRAME_ORIENTATION:
            st = vision_panel(r, m, img, p, c, err);
            if (!st)
                orientation_key(r, img, c);
            break;
        case REMAP_FRAME_OCULAR:
            st = vision_panel(r, m, img, p, c, err);
            if (!st)
                key_bar(r, img, c, r->od_lut, "right", "left");
            break;
        default:
            st = record_point(r, m, err);
            if (!st)
                plot_panel(r, m, img, c);
            break;
        }
        if (st)
            return st;
    }
    return REMAP_OK;
}

remap_status remap_renderer_draw(remap_renderer *r, remap_model *m,
                                 const remap_frame_info *info,
                                 remap_image *img, remap_error *err)
{
    remap_status st = remap_renderer_capture(r, m, info, r->own, err);
    return st ? st : remap_renderer_compose(r, r->own, img, err);
}
