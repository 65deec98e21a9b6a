/* Frames of a run: the schedule, captions, the renderer and the writer
 * thread behind `remap render`. */
#include "cli/frames.h"

#include "io/atomic.h"

#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Frames waiting for the writer thread. */
#define QUEUE_DEPTH 3
/* Captures in turn: the queued ones, the one being drawn and the one
 * being taken. */
#define CAPTURES (QUEUE_DEPTH + 2)
/* The most host memory the captures' copies of the state may take; a
 * larger model's frames are drawn in the simulation's thread. */
#define CAPTURE_BUDGET ((size_t)512 << 20)

/* A frame for the writer thread to draw: the renderer, used there only
 * (after the simulation's thread made it), and a capture. */
typedef struct frame_job {
    remap_renderer *renderer;
    remap_frame_capture *capture;
} frame_job;

struct remap_frames {
    remap_frames_options opt;
    const remap_scenario *sc;
    uint64_t first, last;
    remap_renderer *renderer;
    remap_frame_writer *writer;
    bool in_writer;          /* the writer thread draws the frames */
    frame_job jobs[CAPTURES];
    uint64_t pushed;         /* frames pushed */
    remap_image img;         /* frames drawn in the simulation's thread */
    remap_frames_stats stats;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* True when dir already holds a frame-*.png. */
static bool holds_frames(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d)))
        found = strncmp(e->d_name, "frame-", 6) == 0 &&
                strstr(e->d_name, ".png") != NULL;
    closedir(d);
    return found;
}

remap_status remap_frames_start(const remap_frames_options *opt,
                                const remap_scenario *sc, uint64_t last,
                                remap_frames **out, remap_error *err)
{
    *out = NULL;
    remap_status st = remap_frame_size_check(opt->width, opt->height, err);
    if (st)
        return st;
    if (opt->compression < 0 || opt->compression > 9)
        return remap_fail(err, REMAP_EUSAGE,
                          "--compression %d is outside 0 to 9",
                          opt->compression);
    if ((st = remap_check_writable_dir(opt->dir, err)))
        return remap_error_prefix(err, "--frames");
    if (holds_frames(opt->dir))
        return remap_fail(err, REMAP_EUSAGE,
                          "%s: already holds frames; give an empty or new "
                          "directory",
                          opt->dir);
    remap_frames *f = calloc(1, sizeof *f);
    if (!f)
        return remap_fail(err, REMAP_ENOMEM, "frames: out of memory");
    f->opt = *opt;
    f->sc = sc;
    f->last = last;
    if ((st = remap_frame_writer_start(QUEUE_DEPTH, opt->compression,
                                       &f->writer, err))) {
        free(f);
        return st;
    }
    *out = f;
    return REMAP_OK;
}

uint64_t remap_frames_next(void *ctx, uint64_t after)
{
    const remap_frames *f = ctx;
    if (after >= f->last)
        return UINT64_MAX;
    if (f->opt.log_frames > 1) {
        /* Frame k of n at first + (last - first)^(k / (n - 1)), less one:
         * dense early, sparse late, as a time-lapse wants. */
        double span = (double)(f->last - f->first) + 1.0;
        for (int k = 1; k < f->opt.log_frames; k++) {
            double at = (double)f->first +
                        pow(span, (double)k / (f->opt.log_frames - 1)) - 1.0;
            uint64_t it = (uint64_t)llround(at);
            if (it > after)
                return it < f->last ? it : f->last;
        }
        return f->last;
    }
    uint64_t every = f->opt.every ? f->opt.every : 1;
    uint64_t next = (after / every + 1) * every;
    return next < f->last ? next : f->last;
}

static void append(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s", s);
}

static bool perturbs(remap_event_kind k)
{
    return k != REMAP_EVENT_SET && k != REMAP_EVENT_CHECKPOINT;
}

void remap_frames_caption(const remap_scenario *sc, const remap_model *m,
                          bool applied_at_iteration, char *phase,
                          size_t phase_size, char *captions,
                          size_t captions_size)
{
    const remap_event *latest = NULL;
    size_t shown[3];
    int count = 0;
    for (size_t i = sc->event_count; i-- > 0;) {
        const remap_event *ev = &sc->events[i];
        bool applied = ev->at < m->iteration ||
                       (applied_at_iteration && ev->at == m->iteration);
        if (!applied || !perturbs(ev->kind))
            continue;
        if (!latest)
            latest = ev;
        if (count < 3)
            shown[count++] = i;
    }
    captions[0] = '\0';
    for (int k = count; k-- > 0;) {
        const remap_event *ev = &sc->events[shown[k]];
        char at[32], one[96];
        remap_frame_number(ev->at, at, sizeof at);
        snprintf(one, sizeof one, "%s%s at %s", k == count - 1 ? "" : ";  ",
                 remap_event_name(ev->kind), at);
        append(captions, captions_size, one);
    }
    if (m->cond.sleeping)
        snprintf(phase, phase_size, "sleep");
    else if (m->cond.rehab_gain != 1.0f)
        snprintf(phase, phase_size, "rehabilitation");
    else if (latest)
        snprintf(phase, phase_size, "after %s", remap_event_name(latest->kind));
    else
        snprintf(phase, phase_size, "development");
}

static remap_status compose_job(void *ctx, remap_image *img, remap_error *err)
{
    frame_job *job = ctx;
    return remap_renderer_compose(job->renderer, job->capture, img, err);
}

/* Takes m's frame for the writer thread to draw into its capture (made
 * by capture_ready), the one used CAPTURES frames ago, once that frame is
 * drawn; adds the time spent waiting for it to *waited. */
static remap_status push_capture(remap_frames *f, remap_model *m,
                                 const remap_frame_info *info, double *waited,
                                 remap_error *err)
{
    frame_job *job = &f->jobs[f->pushed % CAPTURES];
    double t0 = now();
    if (f->pushed >= CAPTURES)
        remap_frame_writer_wait_composed(f->writer, f->pushed + 1 - CAPTURES);
    *waited += now() - t0;
    return remap_renderer_capture(f->renderer, m, info, job->capture, err);
}

/* Whether the writer thread can draw the next frame: its capture exists or
 * can be made. Without memory for another copy of the state, frames are
 * drawn in the simulation's thread from here on, once the writer has drawn
 * those it holds (the renderer is used by one thread at a time, and the
 * plot takes its points in order). */
static bool capture_ready(remap_frames *f, const remap_model *m)
{
    frame_job *job = &f->jobs[f->pushed % CAPTURES];
    if (!f->in_writer || job->capture)
        return f->in_writer;
    job->renderer = f->renderer;
    remap_error ignored;
    if (remap_frame_capture_create(f->renderer, m, &job->capture, &ignored)) {
        remap_frame_writer_wait_composed(f->writer, f->pushed);
        f->in_writer = false;
    }
    return f->in_writer;
}

remap_status remap_frames_draw(void *ctx, remap_model *m, remap_error *err)
{
    remap_frames *f = ctx;
    double t0 = now();
    remap_status st;
    if (!f->renderer) {
        f->first = m->iteration;
        remap_render_options ro = {.width = f->opt.width,
                                   .height = f->opt.height,
                                   .panel_count = f->opt.panel_count,
                                   .title = f->sc->name,
                                   .last = f->last};
        memcpy(ro.panels, f->opt.panels, sizeof ro.panels);
        if ((st = remap_renderer_create(&ro, m, &f->renderer, err)))
            return st;
        /* Copies of the state let the writer thread draw while the
         * simulation goes on, where they fit. */
        f->in_writer =
            remap_model_snapshot_bytes(m) <= CAPTURE_BUDGET / CAPTURES;
    }
    char phase[64], captions[320];
    remap_frames_caption(f->sc, m, false, phase, sizeof phase, captions,
                         sizeof captions);
    remap_frame_info info = {.phase = phase, .captions = captions};
    char path[4200];
    snprintf(path, sizeof path, "%s/frame-%08" PRIu64 ".png", f->opt.dir,
             m->iteration);
    if ((st = remap_model_pull(m, err)))
        return st;
    double waited = 0.0;
    if (capture_ready(f, m))
        st = push_capture(f, m, &info, &waited, err);
    else
        st = remap_renderer_draw(f->renderer, m, &info, &f->img, err);
    double t1 = now();
    if (!st && f->in_writer)
        st = remap_frame_writer_push_job(f->writer, path, compose_job,
                                         &f->jobs[f->pushed % CAPTURES], err);
    else if (!st)
        st = remap_frame_writer_push(f->writer, path, &f->img, err);
    double t2 = now();
    f->stats.render_seconds += t1 - t0 - waited;
    f->stats.wait_seconds += waited + t2 - t1;
    if (!st) {
        f->stats.frames++;
        f->pushed++;
    }
    return st;
}

remap_status remap_frames_finish(remap_frames *f, remap_frames_stats *stats,
                                 remap_error *err)
{
    remap_frame_writer_stats ws = {0};
    double t0 = now();
    remap_status st = remap_frame_writer_finish(f->writer, &ws, err);
    f->stats.wait_seconds += now() - t0;
    f->stats.write_seconds = ws.write_seconds;
    f->stats.compose_seconds = ws.compose_seconds;
    if (stats)
        *stats = f->stats;
    for (int i = 0; i < CAPTURES; i++)
        remap_frame_capture_destroy(f->jobs[i].capture);
    remap_renderer_destroy(f->renderer);
    remap_image_free(&f->img);
    free(f);
    return st;
}
