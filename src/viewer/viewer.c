/* The live viewer: the worker thread that runs and renders the model, the
 * main thread that shows it, and what passes between them. */
#include "viewer/viewer.h"

#include "io/atomic.h"
#include "measure/measure.h"
#include "render/colour.h"
#include "render/png.h"
#include "render/text.h"
#include "viewer/viewport.h"
#include "viewer/window.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_COMMANDS 256
/* Automatic speed: rendering may take this share of the worker's time,
 * and frames come at most this often. */
#define RENDER_SHARE 0.04
#define MIN_FRAME_SECONDS (1.0 / 30.0)
/* A press and release closer than this (image pixels) is a click. */
#define CLICK_SLOP 3.0

/* What the main thread asks of the worker. */
typedef enum command_kind {
    CMD_PAUSE,   /* pause or resume */
    CMD_STEP,    /* one frame's iterations, then pause */
    CMD_FASTER,  /* more iterations per frame */
    CMD_SLOWER,  /* fewer */
    CMD_AUTO,    /* automatic speed */
    CMD_PANEL,   /* show or hide panel arg */
    CMD_LAYOUT,  /* the next panel layout */
    CMD_PROBE,   /* probe the cortical unit at (x, y) */
    CMD_UNPROBE, /* clear the probe */
    CMD_LESION,  /* kill a disc at (x, y) of radius r */
    CMD_SKIN,    /* silence or restore the region at skin (x, y) */
    CMD_RECORD,  /* start or stop recording frames */
    CMD_QUIT     /* stop; arg 1: with a checkpoint */
} command_kind;

typedef struct command {
    command_kind kind;
    int arg;
    float x, y, r;
} command;

/* The status the main thread shows, as the worker last set it. */
typedef struct status_line {
    uint64_t iteration, last, per_frame;
    double rate;
    bool automatic, paused, holding, recording;
    char device[256], phase[64], captions[320];
    bool probing;
    char probe[320];
    int rf_side;      /* the probed unit's field, rf_side^2 RGBA pixels */
    uint8_t *rf_rgba; /* in rf_cap bytes */
    size_t rf_cap;
} status_line;

typedef struct shown_panels {
    int count;
    int kind[REMAP_FRAME_MAX_PANELS];
    remap_panel_rect rect[REMAP_FRAME_MAX_PANELS];
} shown_panels;

/* What the threads share, under mu. */
typedef struct shared {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    command cmds[MAX_COMMANDS];
    size_t ncmd;
    remap_image img; /* the latest finished frame */
    bool fresh;      /* not yet taken by the main thread */
    shown_panels panels;
    status_line status;
    bool status_fresh;
    /* A script action for the main thread, and its completion. */
    const remap_script_action *pending;
    bool pending_done;
    bool worker_done;
} shared;

typedef struct viewer {
    const remap_viewer_options *opt;
    uint64_t last;
    shared sh;

    /* ---- The worker's own. */
    remap_run_options run;
    remap_renderer *renderer;
    remap_image back;
    int panels[REMAP_FRAME_MAX_PANELS];
    int panel_count;
    int layout; /* index into layouts; 0: the options' panels */
    uint64_t first, frame_at; /* the run's start, the last frame's */
    bool started;
    /* Events made by the window: handed to the run (pending), and all of
     * them, for the captions (history). */
    remap_event *pending;
    size_t npending, pending_cap;
    bool handed;
    remap_event *history;
    size_t nhistory, history_cap;
    bool paused, step, quit, quit_checkpoint, dirty;
    uint64_t per_frame; /* 0: automatic */
    uint64_t auto_n;
    int probe_unit; /* -1: none */
    size_t next_action;
    uint64_t control_iteration;
    bool control_seen;
    remap_frame_writer *recorder;
    bool recording;
    long recorded;
    char record_dir[4096];
    status_line st; /* the worker's copy, published into sh */
    /* Step timing, between the callbacks. */
    double t_ret, step_seconds, rate_seconds, render_ema, iter_ema;
    uint64_t it_ret, rate_iterations;
    bool timing;
    bool failed;
    remap_error *worker_err;
    remap_run_summary *summary;
    remap_status run_status;
    remap_error *run_err;

    /* ---- The main thread's own. */
    remap_window *win;
    remap_font *font;
    remap_image front, bar, help;
    shown_panels shown;
    status_line status;
    remap_viewport view;
    float scale;
    int text_px;
    bool show_help, quit_sent, failed_main;
    bool pressing;
    double press_x, press_y;
    double fps, fps_t0, shown_t0;
    long fps_frames, shown_frames;
    remap_error *main_err;
} viewer;

/* Tab cycles through these, skipping those the model's layout cannot
 * show (the visual panels of a hand). */
static const char *const layouts[] = {
    NULL,
    "map",
    "map,activity,skin,plot",
    "map,activity,threshold,fields",
    "map,fields,skin,plot",
    "map,activity,threshold,fields,skin,plot",
    "orientation,activity,fields,skin",
    "orientation,ocular,activity,fields",
};
#define LAYOUT_COUNT ((int)(sizeof layouts / sizeof *layouts))

static const uint64_t speeds[] = {1,    2,    5,    10,   20,    50,   100,
                                  200,  500,  1000, 2000, 5000,  10000};
#define SPEED_COUNT (sizeof speeds / sizeof *speeds)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void report(viewer *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void report(viewer *v, const char *fmt, ...)
{
    if (!v->opt->report)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    v->opt->report(v->opt->report_ctx, line);
}

/* Panels that draw the cortex square (clicks probe, drags lesion). */
static bool is_cortex(int panel)
{
    return panel == REMAP_FRAME_MAP || panel == REMAP_FRAME_ACTIVITY ||
           panel == REMAP_FRAME_THRESHOLD ||
           panel == REMAP_FRAME_ORIENTATION || panel == REMAP_FRAME_OCULAR;
}

/* ======================================================================
 * The worker: the run's callbacks.
 * ====================================================================== */

/* Adds the time since the last callback returned to the step timing. */
static void account_steps(viewer *v, const remap_model *m)
{
    if (!v->timing)
        return;
    v->timing = false;
    double dt = now() - v->t_ret;
    uint64_t n = m->iteration - v->it_ret;
    if (n == 0)
        return;
    v->step_seconds += dt;
    v->rate_seconds += dt;
    v->rate_iterations += n;
    double per = dt / (double)n;
    v->iter_ema = v->iter_ema > 0 ? 0.7 * v->iter_ema + 0.3 * per : per;
    if (v->rate_seconds >= 0.5) {
        v->st.rate = (double)v->rate_iterations / v->rate_seconds;
        v->rate_seconds = 0;
        v->rate_iterations = 0;
    }
}

static void start_timing(viewer *v, const remap_model *m)
{
    v->t_ret = now();
    v->it_ret = m->iteration;
    v->timing = true;
}

/* Iterations per frame that keep rendering within RENDER_SHARE of the
 * worker's time and frames at most every MIN_FRAME_SECONDS. */
static void update_auto(viewer *v)
{
    if (v->iter_ema <= 0 || v->render_ema <= 0)
        return;
    double period = v->render_ema / RENDER_SHARE;
    if (period < MIN_FRAME_SECONDS)
        period = MIN_FRAME_SECONDS;
    double n = ceil(period / v->iter_ema);
    v->auto_n = n < 1 ? 1 : n > 1e6 ? 1000000 : (uint64_t)n;
}

static bool perturbs(remap_event_kind k)
{
    return k != REMAP_EVENT_SET && k != REMAP_EVENT_CHECKPOINT;
}

static void append(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s", s);
}

/* The phase and the latest three events applied, the scenario's and the
 * window's together, as `remap render` captions its frames. */
static void caption(const viewer *v, const remap_model *m, bool applied_now,
                    char *phase, size_t phase_size, char *captions,
                    size_t captions_size)
{
    const remap_scenario *sc = v->opt->sc;
    const remap_event *shown[3];
    int count = 0;
    size_t i = sc->event_count, k = v->nhistory;
    while (count < 3) {
        /* The later of the two lists' last applied events. */
        while (i > 0) {
            const remap_event *ev = &sc->events[i - 1];
            bool applied = ev->at < m->iteration ||
                           (applied_now && ev->at == m->iteration);
            if (applied && perturbs(ev->kind))
                break;
            i--;
        }
        const remap_event *a = i > 0 ? &sc->events[i - 1] : NULL;
        const remap_event *b = k > 0 ? &v->history[k - 1] : NULL;
        if (!a && !b)
            break;
        if (b && (!a || b->at >= a->at)) {
            shown[count++] = b;
            k--;
        } else {
            shown[count++] = a;
            i--;
        }
    }
    captions[0] = '\0';
    for (int j = count; j-- > 0;) {
        char at[32], one[96];
        remap_frame_number(shown[j]->at, at, sizeof at);
        snprintf(one, sizeof one, "%s%s at %s", j == count - 1 ? "" : ";  ",
                 remap_event_name(shown[j]->kind), at);
        append(captions, captions_size, one);
    }
    if (m->cond.sleeping)
        snprintf(phase, phase_size, "sleep");
    else if (m->cond.rehab_gain != 1.0f)
        snprintf(phase, phase_size, "rehabilitation");
    else if (count)
        snprintf(phase, phase_size, "after %s",
                 remap_event_name(shown[0]->kind));
    else
        snprintf(phase, phase_size, "development");
}

/* The probed unit's numbers and field, into v->st. */
static remap_status probe(viewer *v, const remap_model *m, remap_error *err)
{
    const remap_geometry *g = &m->geom;
    int u = v->probe_unit;
    v->st.probing = true;
    size_t need = (size_t)g->cf_len * 4;
    if (v->st.rf_cap < need) {
        uint8_t *grown = realloc(v->st.rf_rgba, need);
        if (!grown)
            return remap_fail(err, REMAP_ENOMEM, "viewer: out of memory");
        v->st.rf_rgba = grown;
        v->st.rf_cap = need;
    }
    v->st.rf_side = g->cf_side;
    const float *w = m->weights + (size_t)u * (size_t)g->cf_len;
    double sum = 0, cx = 0, cy = 0;
    /* The centre of mass over every channel's weights. */
    for (int k = 0; k < g->cf_len; k++) {
        int rc = remap_cf_slot_receptor(g, u, k);
        if (rc < 0 || w[k] <= 0.0f)
            continue;
        float rx, ry;
        remap_receptor_position(g, rc, &rx, &ry);
        sum += (double)w[k];
        cx += (double)w[k] * (double)rx;
        cy += (double)w[k] * (double)ry;
    }
    /* The image as the fields panel draws it: weights, or in the visual
     * layouts ON minus OFF through the diverging map. */
    bool visual = g->eyes > 0;
    float top = 0.0f;
    for (int a = 0; a < g->cf_area; a++)
        top = fmaxf(top, fabsf(remap_field_slot_value(m, u, a)));
    uint8_t lut[256][4];
    if (visual)
        remap_colour_ocular_map(lut);
    else
        remap_colour_scalar_map(lut);
    /* Row 0 of the image is the field's top (largest dy), as the fields
     * panel draws it. */
    for (int j = 0; j < g->cf_side; j++)
        for (int i = 0; i < g->cf_side; i++) {
            int k = (g->cf_side - 1 - j) * g->cf_side + i;
            const uint8_t *px = remap_colour_background;
            if (m->unit_gain[u] == 0.0f)
                px = remap_colour_lesion;
            else if (remap_cf_in_circle(g, k) && top > 0.0f) {
                float val = remap_field_slot_value(m, u, k) / top;
                if (visual)
                    val = 0.5f * (val + 1.0f);
                int li = (int)(val * 255.0f + 0.5f);
                px = lut[li < 0 ? 0 : li > 255 ? 255 : li];
            }
            memcpy(v->st.rf_rgba + ((size_t)j * (size_t)g->cf_side + (size_t)i) * 4,
                   px, 4);
        }
    float ux, uy;
    remap_unit_position(g, u, &ux, &uy);
    char centre[96];
    if (sum > 0 && visual) {
        snprintf(centre, sizeof centre, "field centre (%.3f, %.3f)",
                 cx / sum, cy / sum);
    } else if (sum > 0) {
        int region = remap_layout_region_at(m->params.layout, (float)(cx / sum),
                                            (float)(cy / sum));
        snprintf(centre, sizeof centre, "field centre (%.3f, %.3f) in %s",
                 cx / sum, cy / sum,
                 remap_layout_region_name(m->params.layout, region));
    } else {
        snprintf(centre, sizeof centre, "no afferent weight");
    }
    snprintf(v->st.probe, sizeof v->st.probe,
             "unit %d (column %d, row %d) at (%.3f, %.3f): threshold %.3f, "
             "activity %.3f, gain %.2f, %s",
             u, u % g->cortex_n, u / g->cortex_n, (double)ux, (double)uy,
             (double)m->threshold[u], (double)m->activity[u],
             (double)m->unit_gain[u], centre);
    return REMAP_OK;
}

/* Copies the status into the shared state (under mu). */
static void copy_status(status_line *to, const status_line *from)
{
    uint8_t *rgba = to->rf_rgba;
    size_t cap = to->rf_cap;
    *to = *from;
    to->rf_rgba = rgba;
    to->rf_cap = cap;
    size_t need = (size_t)from->rf_side * (size_t)from->rf_side * 4;
    if (from->probing && need) {
        if (cap < need) {
            uint8_t *grown = realloc(rgba, need);
            if (!grown) {
                to->probing = false;
                return;
            }
            to->rf_rgba = grown;
            to->rf_cap = need;
        }
        memcpy(to->rf_rgba, from->rf_rgba, need);
    }
}

static void fill_status(viewer *v, const remap_model *m)
{
    v->st.iteration = m->iteration;
    v->st.last = v->last;
    v->st.per_frame = v->per_frame ? v->per_frame : v->auto_n;
    v->st.automatic = v->per_frame == 0;
    v->st.paused = v->paused;
    v->st.holding = m->iteration >= v->last;
    v->st.recording = v->recording;
    snprintf(v->st.device, sizeof v->st.device, "%s",
             m->backend->device_name(m->backend_state));
}

/* Publishes the status alone (after a pause, a speed change). */
static void publish_status(viewer *v, const remap_model *m)
{
    fill_status(v, m);
    pthread_mutex_lock(&v->sh.mu);
    copy_status(&v->sh.status, &v->st);
    v->sh.status_fresh = true;
    pthread_mutex_unlock(&v->sh.mu);
    remap_window_wake();
}

static remap_status make_renderer(viewer *v, const remap_model *m,
                                  remap_error *err)
{
    remap_renderer_destroy(v->renderer);
    v->renderer = NULL;
    remap_render_options ro = {.width = v->opt->width,
                               .height = v->opt->height,
                               .panel_count = v->panel_count,
                               .title = v->opt->sc->name,
                               .last = v->last,
                               .vision_every = REMAP_VIEW_VISION_EVERY};
    memcpy(ro.panels, v->panels, sizeof ro.panels);
    return remap_renderer_create(&ro, m, &v->renderer, err);
}

/* Renders the frame of m's state and hands it to the main thread (and
 * the recorder). applied_now: the events of this iteration are in it. */
static remap_status render(viewer *v, remap_model *m, bool applied_now,
                           remap_error *err)
{
    double t0 = now();
    remap_status st;
    if (!v->renderer && (st = make_renderer(v, m, err)))
        return st;
    char phase[64], captions[320];
    caption(v, m, applied_now, phase, sizeof phase, captions, sizeof captions);
    remap_frame_info info = {.phase = phase, .captions = captions};
    if ((st = remap_model_pull(m, err)) ||
        (st = remap_renderer_draw(v->renderer, m, &info, &v->back, err)))
        return st;
    snprintf(v->st.phase, sizeof v->st.phase, "%s", phase);
    snprintf(v->st.captions, sizeof v->st.captions, "%s", captions);
    v->st.probing = false;
    if (v->probe_unit >= 0 && (st = probe(v, m, err)))
        return st;
    if (v->recording) {
        char path[4200];
        snprintf(path, sizeof path, "%s/frame-%08" PRIu64 ".png",
                 v->record_dir, m->iteration);
        if ((st = remap_frame_writer_push(v->recorder, path, &v->back, err)))
            return st;
        v->recorded++;
    }
    shown_panels sp = {.count = v->panel_count};
    for (int i = 0; i < v->panel_count; i++) {
        sp.kind[i] = v->panels[i];
        remap_panel_rect *r = &sp.rect[i];
        remap_renderer_panel_area(v->renderer, i, &r->x, &r->y, &r->w, &r->h);
    }
    fill_status(v, m);
    pthread_mutex_lock(&v->sh.mu);
    remap_image t = v->sh.img;
    v->sh.img = v->back;
    v->back = t;
    v->sh.fresh = true;
    v->sh.panels = sp;
    copy_status(&v->sh.status, &v->st);
    v->sh.status_fresh = true;
    pthread_mutex_unlock(&v->sh.mu);
    remap_window_wake();
    double dt = now() - t0;
    v->render_ema = v->render_ema > 0 ? 0.7 * v->render_ema + 0.3 * dt : dt;
    update_auto(v);
    v->dirty = false;
    return REMAP_OK;
}

static remap_status on_frame(void *ctx, remap_model *m, remap_error *err)
{
    viewer *v = ctx;
    account_steps(v, m);
    if (!v->started) {
        v->started = true;
        v->first = m->iteration;
    }
    v->step = false; /* a step ends at a frame */
    v->frame_at = m->iteration;
    remap_status st = render(v, m, false, v->worker_err);
    if (st) {
        /* The first frame has nothing to keep: fail at once. Later,
         * stop at the next control call with a checkpoint. */
        if (m->iteration == v->first) {
            *err = *v->worker_err;
            return st;
        }
        v->failed = true;
    }
    start_timing(v, m);
    return REMAP_OK;
}

static uint64_t next_frame(void *ctx, uint64_t after)
{
    viewer *v = ctx;
    if (after >= v->last)
        return UINT64_MAX;
    /* Frames are spaced from the last one drawn, so that asking again
     * between frames (after each control call) gives the same answer,
     * and a new speed counts from the frame shown. */
    uint64_t n = v->per_frame ? v->per_frame : v->auto_n;
    uint64_t next = v->frame_at + n < v->frame_at ? UINT64_MAX
                                                 : v->frame_at + n;
    if (next <= after)
        next = after + 1;
    const remap_script *s = v->opt->script;
    for (size_t i = v->next_action; s && i < s->count; i++)
        if (s->actions[i].at > after) {
            if (s->actions[i].at < next)
                next = s->actions[i].at;
            break;
        }
    return next < v->last ? next : v->last;
}

/* Room for one more event in the array *a of n of *cap. */
static bool grow_events(remap_event **a, size_t n, size_t *cap)
{
    if (n < *cap)
        return true;
    size_t more = *cap ? 2 * *cap : 8;
    remap_event *grown = realloc(*a, more * sizeof *grown);
    if (!grown)
        return false;
    *a = grown;
    *cap = more;
    return true;
}

static remap_status add_event(viewer *v, const remap_event *ev,
                              remap_error *err)
{
    if (!grow_events(&v->pending, v->npending, &v->pending_cap) ||
        !grow_events(&v->history, v->nhistory, &v->history_cap))
        return remap_fail(err, REMAP_ENOMEM, "viewer: out of memory");
    v->pending[v->npending++] = *ev;
    v->history[v->nhistory++] = *ev;
    return REMAP_OK;
}

/* Panels shown after toggling panel p: the list keeps the panels' own
 * order, and at least one panel. */
static bool toggle_panel(viewer *v, int p)
{
    int kept[REMAP_FRAME_MAX_PANELS], n = 0;
    bool had = false;
    for (int i = 0; i < v->panel_count; i++) {
        if (v->panels[i] == p)
            had = true;
        else
            kept[n++] = v->panels[i];
    }
    if (had && n == 0)
        return false;
    if (!had) {
        int i = n;
        while (i > 0 && kept[i - 1] > p) {
            kept[i] = kept[i - 1];
            i--;
        }
        kept[i] = p;
        n++;
    }
    memcpy(v->panels, kept, sizeof kept);
    v->panel_count = n;
    return true;
}

static uint64_t speed_step(uint64_t now_n, bool faster)
{
    if (faster) {
        for (size_t i = 0; i < SPEED_COUNT; i++)
            if (speeds[i] > now_n)
                return speeds[i];
        return speeds[SPEED_COUNT - 1];
    }
    for (size_t i = SPEED_COUNT; i-- > 0;)
        if (speeds[i] < now_n)
            return speeds[i];
    return 1;
}

/* Carries out one command of the main thread (mu not held). */
static remap_status do_command(viewer *v, remap_model *m, const command *c,
                               remap_error *err)
{
    const remap_geometry *g = &m->geom;
    remap_status st;
    char at[32];
    remap_frame_number(m->iteration, at, sizeof at);
    switch (c->kind) {
    case CMD_PAUSE:
        v->paused = !v->paused;
        v->step = false;
        break;
    case CMD_STEP:
        v->paused = true;
        v->step = true;
        break;
    case CMD_FASTER:
    case CMD_SLOWER:
        v->per_frame = speed_step(v->per_frame ? v->per_frame : v->auto_n,
                                  c->kind == CMD_FASTER);
        break;
    case CMD_AUTO:
        v->per_frame = 0;
        break;
    case CMD_PANEL:
    case CMD_LAYOUT:
        if (c->kind == CMD_PANEL) {
            remap_error why;
            if (remap_frame_panels_check(&c->arg, 1, m->params.layout,
                                         &why)) {
                report(v, "%s", why.msg);
                break;
            }
            if (!toggle_panel(v, c->arg))
                break;
        } else {
            for (;;) {
                v->layout = (v->layout + 1) % LAYOUT_COUNT;
                if (!layouts[v->layout]) {
                    memcpy(v->panels, v->opt->panels, sizeof v->panels);
                    v->panel_count = v->opt->panel_count;
                    break;
                }
                remap_error why;
                if ((st = remap_frame_panels_parse(layouts[v->layout],
                                                   v->panels, &v->panel_count,
                                                   err)))
                    return st;
                if (!remap_frame_panels_check(v->panels, v->panel_count,
                                              m->params.layout, &why))
                    break;
            }
        }
        if ((st = make_renderer(v, m, err)))
            return st;
        v->dirty = true;
        break;
    case CMD_PROBE: {
        int col = (int)(c->x * (float)g->cortex_n);
        int row = (int)(c->y * (float)g->cortex_n);
        col = col < 0 ? 0 : col >= g->cortex_n ? g->cortex_n - 1 : col;
        row = row < 0 ? 0 : row >= g->cortex_n ? g->cortex_n - 1 : row;
        v->probe_unit = row * g->cortex_n + col;
        if ((st = remap_model_pull(m, err)) || (st = probe(v, m, err)))
            return st;
        report(v, "probe at %s: %s", at, v->st.probe);
        v->dirty = true;
        break;
    }
    case CMD_UNPROBE:
        v->probe_unit = -1;
        v->dirty = true;
        break;
    case CMD_LESION: {
        remap_event ev = {.at = m->iteration, .kind = REMAP_EVENT_LESION,
                          .penumbra_gain = 1.0f};
        ev.shape.kind = REMAP_SHAPE_DISC;
        ev.shape.cx = c->x, ev.shape.cy = c->y, ev.shape.radius = c->r;
        if ((st = add_event(v, &ev, err)))
            return st;
        report(v, "lesion at %s: disc at (%.3f, %.3f), radius %.3f", at,
               (double)c->x, (double)c->y, (double)c->r);
        break;
    }
    case CMD_SKIN: {
        int rc = remap_skin_index(g, c->x, c->y);
        int region = m->skin_region[rc];
        bool silent = ((unsigned)m->cond.deafferented >> (unsigned)region) & 1u;
        remap_event ev = {.at = m->iteration,
                          .kind = silent ? REMAP_EVENT_RESTORE
                                         : REMAP_EVENT_DEAFFERENT,
                          .regions = 1u << region};
        if ((st = add_event(v, &ev, err)))
            return st;
        report(v, "%s at %s: %s", remap_event_name(ev.kind), at,
               remap_layout_region_name(m->params.layout, region));
        break;
    }
    case CMD_RECORD:
        if (!v->recorder) {
            if ((st = remap_mkdir_p(v->record_dir, err)) ||
                (st = remap_frame_writer_start(3, 3, &v->recorder, err)))
                return st;
        }
        v->recording = !v->recording;
        if (v->recording) {
            report(v, "recording frames into %s from %s", v->record_dir, at);
            v->dirty = true; /* the frame where recording starts */
        } else {
            report(v, "recording stopped at %s: %ld frames in %s", at,
                   v->recorded, v->record_dir);
        }
        break;
    case CMD_QUIT:
        v->quit = true;
        v->quit_checkpoint |= c->arg != 0;
        break;
    }
    return REMAP_OK;
}

/* True when the scenario has events at iteration it that change what a
 * frame shows. */
static bool events_at(const remap_scenario *sc, uint64_t it)
{
    for (size_t i = 0; i < sc->event_count; i++)
        if (sc->events[i].at == it && perturbs(sc->events[i].kind))
            return true;
    return false;
}

static remap_status on_control(void *ctx, remap_model *m, remap_run_control *c,
                               remap_error *err)
{
    viewer *v = ctx;
    account_steps(v, m);
    if (v->handed) { /* the run applied them */
        v->handed = false;
        v->npending = 0;
    }
    if (!v->control_seen || v->control_iteration != m->iteration) {
        v->control_seen = true;
        v->control_iteration = m->iteration;
        /* The frame of this iteration was drawn before its events. */
        if (events_at(v->opt->sc, m->iteration))
            v->dirty = true;
    }
    const remap_script *script = v->opt->script;
    remap_status st = REMAP_OK;
    for (;;) {
        command cmds[MAX_COMMANDS];
        pthread_mutex_lock(&v->sh.mu);
        size_t n = v->sh.ncmd;
        memcpy(cmds, v->sh.cmds, n * sizeof *cmds);
        v->sh.ncmd = 0;
        pthread_mutex_unlock(&v->sh.mu);
        for (size_t i = 0; i < n && !st; i++)
            st = do_command(v, m, &cmds[i], v->worker_err);
        if (st) {
            v->failed = true;
            st = REMAP_OK;
        }
        if (n)
            publish_status(v, m);
        if (v->failed) {
            c->stop = true;
            c->checkpoint = true;
            break;
        }
        if (v->npending) {
            c->apply = v->pending;
            c->apply_count = v->npending;
            v->handed = true;
            v->dirty = true;
            break;
        }
        if (v->dirty && render(v, m, true, v->worker_err)) {
            v->failed = true;
            continue;
        }
        if (script && v->next_action < script->count &&
            script->actions[v->next_action].at <= m->iteration) {
            /* The main thread shows the frame drawn above, then carries
             * out the action; the worker waits, so the action happens at
             * its iteration exactly. */
            pthread_mutex_lock(&v->sh.mu);
            v->sh.pending = &script->actions[v->next_action];
            v->sh.pending_done = false;
            remap_window_wake();
            while (!v->sh.pending_done)
                pthread_cond_wait(&v->sh.cv, &v->sh.mu);
            v->sh.pending = NULL;
            pthread_mutex_unlock(&v->sh.mu);
            v->next_action++;
            continue;
        }
        if (v->quit) {
            /* At the last iteration the run ends as usual, with its
             * final checkpoint. */
            if (m->iteration < v->last) {
                c->stop = true;
                c->checkpoint = v->quit_checkpoint;
            }
            break;
        }
        /* A step lasts until the next frame, which may take several of
         * the run's chunks. */
        bool hold = m->iteration >= v->last || (v->paused && !v->step);
        if (!hold)
            break;
        pthread_mutex_lock(&v->sh.mu);
        while (v->sh.ncmd == 0)
            pthread_cond_wait(&v->sh.cv, &v->sh.mu);
        pthread_mutex_unlock(&v->sh.mu);
    }
    start_timing(v, m);
    (void)err;
    return REMAP_OK;
}

static void *worker(void *arg)
{
    viewer *v = arg;
    v->run_status = remap_run(v->opt->sc, &v->run, v->summary, v->run_err);
    pthread_mutex_lock(&v->sh.mu);
    v->sh.worker_done = true;
    pthread_mutex_unlock(&v->sh.mu);
    remap_window_wake();
    return NULL;
}

/* ======================================================================
 * The main thread: the window.
 * ====================================================================== */

/* Queues a command for the worker. When the queue is full (keys held
 * down during a long step) others are dropped, but the last slot is kept
 * for quitting, so the window can always be closed. */
static void send(viewer *v, command c)
{
    pthread_mutex_lock(&v->sh.mu);
    size_t room = c.kind == CMD_QUIT ? MAX_COMMANDS : MAX_COMMANDS - 1;
    if (v->sh.ncmd < room)
        v->sh.cmds[v->sh.ncmd++] = c;
    pthread_cond_broadcast(&v->sh.cv);
    pthread_mutex_unlock(&v->sh.mu);
}

static void main_fail(viewer *v, remap_error *err)
{
    if (!v->failed_main && err != v->main_err)
        *v->main_err = *err;
    v->failed_main = true;
    if (!v->quit_sent) {
        v->quit_sent = true;
        send(v, (command){.kind = CMD_QUIT, .arg = 1});
    }
}

static void quit(viewer *v, bool checkpoint)
{
    if (v->quit_sent)
        return;
    v->quit_sent = true;
    send(v, (command){.kind = CMD_QUIT, .arg = checkpoint});
}

/* The panel under image position (ix, iy), or -1. */
static int panel_at(const viewer *v, double ix, double iy, float *sx,
                    float *sy)
{
    for (int i = 0; i < v->shown.count; i++)
        if (remap_panel_to_sheet(&v->shown.rect[i], ix, iy, sx, sy))
            return i;
    return -1;
}

static void on_press(viewer *v, double wx, double wy)
{
    v->pressing = true;
    v->press_x = wx, v->press_y = wy;
}

/* A press and release: a click probes a unit or (on the skin) silences a
 * region; a drag on the cortex lesions a disc. */
static void on_release(viewer *v, double wx, double wy)
{
    if (!v->pressing)
        return;
    v->pressing = false;
    double ix, iy, jx, jy;
    remap_viewport_to_image(&v->view, v->press_x, v->press_y, &ix, &iy);
    remap_viewport_to_image(&v->view, wx, wy, &jx, &jy);
    float sx, sy;
    int i = panel_at(v, ix, iy, &sx, &sy);
    if (i < 0)
        return;
    int kind = v->shown.kind[i];
    bool click = hypot(jx - ix, jy - iy) < CLICK_SLOP;
    if (kind == REMAP_FRAME_SKIN && click) {
        send(v, (command){.kind = CMD_SKIN, .x = sx, .y = sy});
    } else if (is_cortex(kind)) {
        if (click) {
            send(v, (command){.kind = CMD_PROBE, .x = sx, .y = sy});
        } else {
            /* The radius in sheet units, from the release point mapped
             * through the same panel (it may lie outside it). */
            const remap_panel_rect *r = &v->shown.rect[i];
            double dx = (jx - ix) / r->w, dy = (jy - iy) / r->h;
            send(v, (command){.kind = CMD_LESION, .x = sx, .y = sy,
                              .r = (float)hypot(dx, dy)});
        }
    }
}

static void on_key(viewer *v, int key);

static remap_status screenshot(viewer *v, const char *path, remap_error *err);

static void on_key(viewer *v, int key)
{
    command c = {0};
    switch (key) {
    case ' ': c.kind = CMD_PAUSE; break;
    case '.':
    case 's': c.kind = CMD_STEP; break;
    case '+':
    case '=': c.kind = CMD_FASTER; break;
    case '-': c.kind = CMD_SLOWER; break;
    case 'a': c.kind = CMD_AUTO; break;
    case '\t': c.kind = CMD_LAYOUT; break;
    case 'c': c.kind = CMD_UNPROBE; break;
    case 'r': c.kind = CMD_RECORD; break;
    case 'h':
        v->show_help = !v->show_help;
        return;
    case 'p': {
        /* screenshot-00000390.png, then -2, -3 ... at the same iteration. */
        char path[4200];
        for (int k = 1; k < 1000; k++) {
            char suffix[16] = "";
            if (k > 1)
                snprintf(suffix, sizeof suffix, "-%d", k);
            snprintf(path, sizeof path, "%s/screenshot-%08" PRIu64 "%s.png",
                     v->opt->run.out_dir, v->status.iteration, suffix);
            if (access(path, F_OK) != 0)
                break;
        }
        if (screenshot(v, path, v->main_err))
            main_fail(v, v->main_err);
        return;
    }
    case 'q':
    case REMAP_KEY_ESCAPE:
        quit(v, v->opt->checkpoint_on_exit);
        return;
    default:
        if (key >= '1' && key < '1' + REMAP_FRAME_PANEL_COUNT) {
            c.kind = CMD_PANEL;
            c.arg = key - '1';
            break;
        }
        return;
    }
    send(v, c);
}

/* ---- Drawing ------------------------------------------------------------ */

static int line_height(const viewer *v)
{
    return v->text_px * 3 / 2;
}

static int bar_height(const viewer *v)
{
    return 3 * line_height(v) + v->text_px / 2;
}

static void number(uint64_t n, char *buf, size_t size)
{
    remap_frame_number(n, buf, size);
}

/* The status bar: iteration and speeds, phase and events, the probe. */
static remap_status draw_bar(viewer *v, remap_error *err)
{
    int w = v->view.fb_w, h = bar_height(v);
    if (w < 1)
        return REMAP_OK;
    static const uint8_t ground[4] = {28, 28, 34, 255};
    if (v->bar.width != w || v->bar.height != h) {
        remap_image_free(&v->bar);
        remap_status st = remap_image_create(w, h, ground, &v->bar, err);
        if (st)
            return st;
    }
    remap_image_fill(&v->bar, 0, 0, w, h, ground);
    const status_line *s = &v->status;
    int px = v->text_px, lh = line_height(v), pad = px / 2;
    char it[40], last[40], line[1024];
    number(s->iteration, it, sizeof it);
    number(s->last, last, sizeof last);
    const char *state = s->holding  ? "at the end: q quits"
                        : s->paused ? "paused"
                                    : "running";
    snprintf(line, sizeof line,
             "iteration %s of %s  \xc2\xb7  %.0f it/s  \xc2\xb7  %.1f fps  "
             "\xc2\xb7  %" PRIu64 " it/frame%s  \xc2\xb7  %s%s  \xc2\xb7  %s",
             it, last, s->paused || s->holding ? 0.0 : s->rate, v->fps,
             s->per_frame, s->automatic ? " (auto)" : "", state,
             s->recording ? ", recording" : "", s->device);
    remap_text_draw(v->font, &v->bar, pad, lh - pad / 2, px, remap_colour_text,
                    line);
    snprintf(line, sizeof line, "%s%s%s  \xc2\xb7  h: help", s->phase,
             s->captions[0] ? "  \xc2\xb7  " : "", s->captions);
    remap_text_draw(v->font, &v->bar, pad, 2 * lh - pad / 2, px,
                    remap_colour_dim_text, line);
    int rf = h - 2 * pad;
    if (s->probing) {
        remap_text_draw(v->font, &v->bar, pad, 3 * lh - pad / 2, px,
                        remap_colour_text, s->probe);
        int side = s->rf_side, x0 = w - pad - rf;
        for (int j = 0; j < rf && side > 0; j++)
            for (int i = 0; i < rf; i++) {
                int si = i * side / rf, sj = j * side / rf;
                memcpy(remap_image_at(&v->bar, x0 + i, pad + j),
                       s->rf_rgba + ((size_t)sj * (size_t)side + (size_t)si) * 4,
                       4);
            }
    } else {
        remap_text_draw(v->font, &v->bar, pad, 3 * lh - pad / 2, px,
                        remap_colour_dim_text,
                        "click the cortex to probe a unit, drag on it to "
                        "lesion, click the skin to silence a region");
    }
    return remap_window_upload(v->win, REMAP_LAYER_BAR, &v->bar, err);
}

static const char *const help_lines[] = {
    "space\tpause or resume",
    ". or s\tone frame's iterations, then pause",
    "+  /  -\tmore / fewer iterations per frame",
    "a\tautomatic iterations per frame",
    "1 to 8\tshow or hide map, activity, threshold, fields, skin, plot,",
    "\torientation, ocular (visual layouts)",
    "tab\tthe next panel layout",
    "click cortex\tprobe a unit: its numbers and field below;  c clears",
    "drag on cortex\tlesion a disc: press at its centre, release at its edge",
    "click skin\tsilence (deafferent) a region, or restore it",
    "r\tstart or stop recording frames",
    "p\tscreenshot of the image shown",
    "h\tthis help",
    "q or Esc\tquit",
};
#define HELP_LINES (sizeof help_lines / sizeof *help_lines)

static remap_status draw_help(viewer *v, remap_error *err)
{
    int px = v->text_px, lh = line_height(v);
    int key_w = 0, text_w = 0;
    for (size_t i = 0; i < HELP_LINES; i++) {
        const char *tab = strchr(help_lines[i], '\t');
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(tab - help_lines[i]),
                 help_lines[i]);
        int kw = remap_text_width(v->font, px, key);
        int tw = remap_text_width(v->font, px, tab + 1);
        key_w = kw > key_w ? kw : key_w;
        text_w = tw > text_w ? tw : text_w;
    }
    int pad = px, w = key_w + text_w + 3 * pad;
    int h = (int)HELP_LINES * lh + 2 * pad;
    static const uint8_t ground[4] = {10, 10, 14, 225};
    remap_image_free(&v->help);
    remap_status st = remap_image_create(w, h, ground, &v->help, err);
    if (st)
        return st;
    for (size_t i = 0; i < HELP_LINES; i++) {
        const char *tab = strchr(help_lines[i], '\t');
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(tab - help_lines[i]),
                 help_lines[i]);
        int y = pad + (int)(i + 1) * lh - lh / 3;
        remap_text_draw(v->font, &v->help, pad, y, px, remap_colour_text, key);
        remap_text_draw(v->font, &v->help, 2 * pad + key_w, y, px,
                        remap_colour_dim_text, tab + 1);
    }
    return remap_window_upload(v->win, REMAP_LAYER_HELP, &v->help, err);
}

/* Fits the frame to the window as it is now; true when anything changed
 * (the scale changes the text size, hence the bar and the help). */
static bool refit(viewer *v, remap_error *err, remap_status *st)
{
    int fw, fh, ww, wh;
    float scale;
    remap_window_size(v->win, &fw, &fh, &ww, &wh, &scale);
    *st = REMAP_OK;
    bool scaled = scale != v->scale;
    if (!scaled && fw == v->view.fb_w && fh == v->view.fb_h &&
        ww == v->view.win_w && wh == v->view.win_h)
        return false;
    if (scaled) {
        v->scale = scale;
        v->text_px = (int)lroundf(13.0f * scale);
        if (v->text_px < 8)
            v->text_px = 8;
        if ((*st = draw_help(v, err)))
            return true;
    }
    remap_viewport_fit(&v->view, v->opt->width, v->opt->height, fw, fh, ww,
                       wh, bar_height(v));
    return true;
}

static remap_status draw(viewer *v, remap_error *err)
{
    return remap_window_draw(v->win, &v->view, v->show_help, err);
}

/* A PNG of the image as shown: the frame's rectangle of the framebuffer,
 * help card included when it is up. */
static remap_status screenshot(viewer *v, const char *path, remap_error *err)
{
    remap_image shot = {0};
    remap_status st = draw(v, err);
    if (!st)
        st = remap_window_read(v->win, v->view.x, v->view.y, v->view.w,
                               v->view.h, &shot, err);
    if (!st)
        st = remap_png_write(path, &shot, 6, err);
    remap_image_free(&shot);
    if (st)
        return remap_error_prefix(err, "screenshot");
    char it[40];
    number(v->status.iteration, it, sizeof it);
    report(v, "screenshot at %s: %s (%dx%d)", it, path, v->view.w,
           v->view.h);
    return REMAP_OK;
}

/* Carries out a script action as if the user had done it. */
static remap_status act(viewer *v, const remap_script_action *a,
                        remap_error *err)
{
    const char *src = v->opt->script->source;
    switch (a->kind) {
    case REMAP_ACTION_KEY:
        on_key(v, a->key);
        return v->failed_main ? v->main_err->status : REMAP_OK;
    case REMAP_ACTION_CLICK:
    case REMAP_ACTION_DRAG: {
        int i = -1;
        for (int k = 0; k < v->shown.count && i < 0; k++)
            if (a->panel == REMAP_SCRIPT_CORTEX ? is_cortex(v->shown.kind[k])
                                                : v->shown.kind[k] == a->panel)
                i = k;
        if (i < 0)
            return remap_fail(err, REMAP_EUSAGE,
                              "%s:%d: no %s panel is shown", src, a->line,
                              a->panel == REMAP_SCRIPT_CORTEX
                                  ? "cortical"
                                  : remap_frame_panel_name(a->panel));
        /* Through the window's own coordinates, as the mouse would. */
        double ix, iy, wx, wy;
        remap_panel_from_sheet(&v->shown.rect[i], a->x0, a->y0, &ix, &iy);
        remap_viewport_from_image(&v->view, ix, iy, &wx, &wy);
        on_press(v, wx, wy);
        remap_panel_from_sheet(&v->shown.rect[i], a->x1, a->y1, &ix, &iy);
        remap_viewport_from_image(&v->view, ix, iy, &wx, &wy);
        on_release(v, wx, wy);
        return REMAP_OK;
    }
    case REMAP_ACTION_SCREENSHOT:
        return screenshot(v, a->path, err);
    case REMAP_ACTION_RESIZE: {
        remap_window_resize(v->win, a->width, a->height);
        remap_status st;
        refit(v, err, &st);
        return st;
    }
    case REMAP_ACTION_QUIT:
        quit(v, v->opt->checkpoint_on_exit);
        return REMAP_OK;
    }
    return REMAP_OK;
}

static void main_loop(viewer *v)
{
    remap_error *err = v->main_err;
    remap_status st;
    bool redraw = true, bar = true;
    double bar_t = 0;
    v->fps_t0 = v->shown_t0 = now();
    for (;;) {
        remap_window_wait(v->win, 0.1);
        remap_input in[64];
        size_t n;
        while ((n = remap_window_take(v->win, in, 64)) > 0)
            for (size_t i = 0; i < n; i++) {
                switch (in[i].kind) {
                case REMAP_INPUT_KEY:
                    on_key(v, in[i].key);
                    break;
                case REMAP_INPUT_PRESS:
                    on_press(v, in[i].x, in[i].y);
                    break;
                case REMAP_INPUT_RELEASE:
                    on_release(v, in[i].x, in[i].y);
                    break;
                case REMAP_INPUT_CLOSE:
                    quit(v, v->opt->checkpoint_on_exit);
                    break;
                }
                redraw = true;
            }
        if (v->opt->run.stop && *v->opt->run.stop)
            quit(v, true); /* Ctrl-C: as `remap run`, with a checkpoint */

        bool got = false, done;
        const remap_script_action *pending;
        pthread_mutex_lock(&v->sh.mu);
        if (v->sh.fresh) {
            remap_image t = v->front;
            v->front = v->sh.img;
            v->sh.img = t;
            v->sh.fresh = false;
            v->shown = v->sh.panels;
            got = true;
        }
        if (v->sh.status_fresh) {
            copy_status(&v->status, &v->sh.status);
            v->sh.status_fresh = false;
            bar = true;
        }
        pending = v->sh.pending_done ? NULL : v->sh.pending;
        done = v->sh.worker_done;
        pthread_mutex_unlock(&v->sh.mu);

        if (refit(v, err, &st))
            redraw = bar = true;
        if (st)
            main_fail(v, err);
        if (got) {
            if ((st = remap_window_upload(v->win, REMAP_LAYER_FRAME, &v->front,
                                          err)))
                main_fail(v, err);
            redraw = true;
            v->fps_frames++;
            v->shown_frames++;
        }
        double t = now();
        if (t - v->fps_t0 >= 1.0) {
            v->fps = (double)v->fps_frames / (t - v->fps_t0);
            v->fps_frames = 0;
            v->fps_t0 = t;
        }
        if (bar || t - bar_t > 0.5) {
            if ((st = draw_bar(v, err)))
                main_fail(v, err);
            bar = false;
            bar_t = t;
            redraw = true;
        }
        if (redraw && v->front.rgba) {
            if ((st = draw(v, err)))
                main_fail(v, err);
            remap_window_swap(v->win);
            redraw = false;
        }
        if (pending) {
            if (!v->failed_main && (st = act(v, pending, err)))
                main_fail(v, err);
            pthread_mutex_lock(&v->sh.mu);
            v->sh.pending_done = true;
            pthread_cond_broadcast(&v->sh.cv);
            pthread_mutex_unlock(&v->sh.mu);
            redraw = true;
        }
        if (done)
            break;
    }
}

/* ======================================================================
 * Both.
 * ====================================================================== */

static void destroy(viewer *v)
{
    remap_renderer_destroy(v->renderer);
    remap_image_free(&v->back);
    remap_image_free(&v->front);
    remap_image_free(&v->sh.img);
    remap_image_free(&v->bar);
    remap_image_free(&v->help);
    free(v->st.rf_rgba);
    free(v->sh.status.rf_rgba);
    free(v->status.rf_rgba);
    free(v->pending);
    free(v->history);
    if (v->font)
        remap_font_close(v->font);
    remap_window_destroy(v->win);
    free(v->worker_err);
    free(v->main_err);
    pthread_cond_destroy(&v->sh.cv);
    pthread_mutex_destroy(&v->sh.mu);
    free(v);
}

remap_status remap_viewer_run(const remap_viewer_options *opt,
                              remap_run_summary *summary, bool *no_display,
                              remap_error *err)
{
    *no_display = false;
    memset(summary, 0, sizeof *summary);
    if (opt->panel_count < 1 || opt->panel_count > REMAP_FRAME_MAX_PANELS)
        return remap_fail(err, REMAP_EUSAGE, "the viewer needs 1 to %d panels",
                          REMAP_FRAME_MAX_PANELS);
    remap_status st = remap_frame_size_check(opt->width, opt->height, err);
    if (st ||
        (st = remap_frame_panels_check(opt->panels, opt->panel_count,
                                       opt->sc->params.layout, err)))
        return st;
    viewer *v = calloc(1, sizeof *v);
    if (!v)
        return remap_fail(err, REMAP_ENOMEM, "viewer: out of memory");
    pthread_mutex_init(&v->sh.mu, NULL);
    pthread_cond_init(&v->sh.cv, NULL);
    v->worker_err = calloc(1, sizeof *v->worker_err);
    v->main_err = calloc(1, sizeof *v->main_err);
    if (!v->worker_err || !v->main_err) {
        destroy(v);
        return remap_fail(err, REMAP_ENOMEM, "viewer: out of memory");
    }
    v->opt = opt;
    v->summary = summary;
    v->run_err = err;
    v->last = opt->run.iterations ? opt->run.iterations : opt->sc->iterations;
    memcpy(v->panels, opt->panels, sizeof v->panels);
    v->panel_count = opt->panel_count;
    v->per_frame = opt->speed;
    v->auto_n = 1;
    v->paused = opt->paused;
    v->probe_unit = -1;
    if (opt->record_dir)
        snprintf(v->record_dir, sizeof v->record_dir, "%s", opt->record_dir);
    else
        snprintf(v->record_dir, sizeof v->record_dir, "%s/frames",
                 opt->run.out_dir);
    v->run = opt->run;
    v->run.frame = on_frame;
    v->run.next_frame = next_frame;
    v->run.frame_ctx = v;
    v->run.control = on_control;
    v->run.control_ctx = v;

    /* The window asks for a framebuffer that shows the frame 1:1 above a
     * bar of text at scale 1. */
    v->text_px = 13;
    char title[256];
    snprintf(title, sizeof title, "remap: %s", opt->sc->name);
    if ((st = remap_window_create(title, opt->width,
                                  opt->height + bar_height(v), &v->win,
                                  no_display, err)) ||
        (st = remap_font_open(NULL, &v->font, err))) {
        destroy(v);
        return st;
    }
    refit(v, err, &st);
    pthread_t thread;
    if (!st && pthread_create(&thread, NULL, worker, v) != 0)
        st = remap_fail(err, REMAP_ENOMEM, "viewer: cannot start a thread");
    if (st) {
        destroy(v);
        return st;
    }
    main_loop(v);
    pthread_join(thread, NULL);
    double shown_s = now() - v->shown_t0;
    report(v, "showed %ld frames in %.1f s (%.1f per second)",
           v->shown_frames, shown_s,
           shown_s > 0 ? (double)v->shown_frames / shown_s : 0.0);

    st = v->run_status;
    if (!st && v->failed) {
        *err = *v->worker_err;
        st = err->status;
    } else if (!st && v->failed_main) {
        *err = *v->main_err;
        st = err->status;
    }
    if (v->recorder) {
        remap_frame_writer_stats ws;
        remap_status wst = remap_frame_writer_finish(v->recorder, &ws,
                                                     v->worker_err);
        if (wst && !st) {
            *err = *v->worker_err;
            st = wst;
        } else if (!wst) {
            report(v, "recorded %ld frames in %s", ws.frames, v->record_dir);
        }
    }
    destroy(v);
    return st;
}
