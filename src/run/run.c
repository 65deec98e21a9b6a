/* The run loop: events, stepping in chunks, measurement, health checks,
 * checkpoints and the run directory. */
#include "run/run.h"

#include "cl/backend.h"
#include "core/file.h"
#include "io/atomic.h"
#include "io/checkpoint.h"
#include "io/images.h"
#include "measure/vision.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_PROBES 400
#define PATH_MAX_LEN 4096

typedef struct runner {
    const remap_scenario *sc;
    const remap_run_options *opt;
    remap_model *m;
    remap_unit_maps maps;
    /* Visual layouts: the maps last measured (vision.iteration says when;
     * no arrays before the first measurement). */
    remap_vision_map vision;
    remap_csv *csv;
    FILE *log;
    uint32_t *counts_before; /* active_count at the last measurement */
    uint64_t measured_at;    /* iteration of the last measurement */
    /* Whether the model stepped awake since the last measurement: a
     * cortex asleep (no touches) may fall silent without collapsing. */
    bool stepped_awake;
    /* Events applied since the last row of metrics.csv, for its `events`
     * column: "lesion@5000;rehab-start@5000". */
    char marks[1024];
    remap_run_summary *sum;
    char dir[PATH_MAX_LEN - 256];
} runner;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void logf_(runner *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void logf_(runner *r, const char *fmt, ...)
{
    if (!r->log)
        return;
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(r->log, "%s ", stamp);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->log, fmt, ap);
    va_end(ap);
    fputc('\n', r->log);
    fflush(r->log);
}

remap_status remap_run_check_finite(const remap_model *m, remap_error *err)
{
    const remap_geometry *g = &m->geom;
    struct {
        const char *name;
        const float *v;
        size_t n, per_unit;
    } q[] = {
        {"threshold", m->threshold, (size_t)g->units, 1},
        {"average activity", m->avg_activity, (size_t)g->units, 1},
        {"activity", m->activity, (size_t)g->units, 1},
        {"afferent weight", m->weights, (size_t)g->units * (size_t)g->cf_len,
         (size_t)g->cf_len},
        {"BCM threshold", m->bcm_threshold, (size_t)g->units, 1},
        {"drive scale", m->drive_scale, (size_t)g->units, 1},
        {"unit gain", m->unit_gain, (size_t)g->units, 1},
        {"gain recovery", m->gain_recovery, (size_t)g->units, 1},
        {"modulation", m->modulation, (size_t)g->units, 1},
        {"input trace", m->input_trace, (size_t)g->receptors, 0},
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        for (size_t k = 0; k < q[i].n; k++) {
            if (!isfinite(q[i].v[k])) {
                /* per_unit 0: a receptor array, plane by plane. */
                size_t side = q[i].per_unit ? (size_t)g->cortex_n
                                            : (size_t)g->skin_n;
                size_t u = q[i].per_unit ? k / q[i].per_unit
                                         : k % (size_t)g->plane;
                char where[64] = "";
                if (!q[i].per_unit && g->channels > 1)
                    snprintf(where, sizeof where, " of channel %zu",
                             k / (size_t)g->plane);
                return remap_fail(err, REMAP_ENUMERIC,
                                  "iteration %llu: non-finite %s (%g) at "
                                  "%s (%zu, %zu)%s",
                                  (unsigned long long)m->iteration, q[i].name,
                                  (double)q[i].v[k],
                                  q[i].per_unit ? "unit" : "receptor",
                                  u % side, u / side, where);
            }
        }
    }
    return REMAP_OK;
}

/* Visual layouts: measures the maps of the host state; unless `again`,
 * maps measured at this iteration already are kept (a checkpoint right
 * after a measurement; a measurement after events measures again). */
static remap_status measure_vision(runner *r, bool again, remap_error *err)
{
    remap_model *m = r->m;
    if (m->geom.eyes < 1 || (!again && r->vision.preference &&
                             r->vision.iteration == m->iteration))
        return REMAP_OK;
    remap_vision_map_free(&r->vision);
    return remap_vision_measure(m, NULL, &r->vision, err);
}

/* Copies the map measures into the row's measures. A map without a
 * measurable period has no hypercolumn size or pinwheel density. */
static void vision_figures(const remap_vision_map *v, remap_measures *ms)
{
    ms->selectivity_mean = v->selectivity_mean;
    ms->pinwheels = v->stats.pinwheels;
    ms->pinwheel_density = v->stats_ok ? v->stats.density : NAN;
    ms->hypercolumn = v->stats_ok ? v->stats.lambda_sheet : NAN;
    ms->od_mean = v->od_mean;
    ms->od_spread = v->od_spread;
}

/* Writes a checkpoint of the current state, after checking its health,
 * with the unit maps computed from the same weights. */
static remap_status save_checkpoint(runner *r, const char *label,
                                    remap_error *err)
{
    remap_status st = remap_model_pull(r->m, err);
    if (st)
        return st;
    if ((st = remap_run_check_finite(r->m, err)) ||
        (st = remap_unit_maps_compute(r->m, &r->maps, err)) ||
        (st = measure_vision(r, false, err)))
        return st;
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "%s/checkpoints/checkpoint-%08llu%s%s.h5",
             r->dir, (unsigned long long)r->m->iteration, *label ? "-" : "",
             label);
    remap_checkpoint_measures ms = {
        .rf_centre = r->maps.rf_centre,
        .preferred_region = r->maps.preferred_region,
        .vision = r->m->geom.eyes > 0 ? &r->vision : NULL,
    };
    st = remap_checkpoint_save_measures(path, r->m, r->sc->resolved_text,
                                        r->sum->device, &ms, err);
    if (st)
        return st;
    snprintf(r->sum->last_checkpoint, sizeof r->sum->last_checkpoint, "%s",
             path);
    logf_(r, "checkpoint %s", path);
    return REMAP_OK;
}

/* Pulls the state, checks its health, measures it and writes a row. */
static remap_status measure(runner *r, remap_error *err)
{
    remap_model *m = r->m;
    remap_status st = remap_model_pull(m, err);
    if (st)
        return st;
    if ((st = remap_run_check_finite(m, err)))
        return st;
    remap_measures *ms = &r->sum->measures;
    if ((st = remap_measure(m, MAX_PROBES, r->counts_before, &r->maps, ms,
                            err)))
        return st;
    if (ms->visual) {
        if ((st = measure_vision(r, true, err)))
            return st;
        vision_figures(&r->vision, ms);
    }
    r->sum->measured = true;
    memcpy(r->counts_before, m->active_count,
           (size_t)m->geom.units * sizeof(uint32_t));
    int active = ms->active_units;
    uint64_t since = r->measured_at;
    r->measured_at = m->iteration;

    if (r->csv) {
        char row[4096];
        remap_measures_csv_row(ms, row, sizeof row);
        size_t len = strlen(row);
        snprintf(row + len, sizeof row - len, ",%s", r->marks);
        if ((st = remap_csv_row(r->csv, row, err)))
            return st;
    }
    r->marks[0] = '\0';
    if (ms->visual)
        logf_(r,
              "measure iteration %llu: selectivity %.3f, %d pinwheels, "
              "pinwheel density %.2f, hypercolumn %.3f, od mean %.3f "
              "(spread %.3f), mean activity %.4f, mean threshold %.3f",
              (unsigned long long)m->iteration,
              (double)ms->selectivity_mean, ms->pinwheels,
              (double)ms->pinwheel_density, (double)ms->hypercolumn,
              (double)ms->od_mean, (double)ms->od_spread,
              (double)ms->mean_activity, (double)ms->mean_threshold);
    else
        logf_(r,
              "measure iteration %llu: topographic error %.3f, coverage "
              "%.3f, rf size %.4f, mean activity %.4f, mean threshold %.3f",
              (unsigned long long)m->iteration,
              (double)ms->topographic_error, (double)ms->coverage,
              (double)ms->rf_size, (double)ms->mean_activity,
              (double)ms->mean_threshold);

    bool awake = r->stepped_awake;
    r->stepped_awake = false;
    if (m->iteration > since && active == 0 && awake)
        return remap_fail(err, REMAP_ECOLLAPSE,
                          "iteration %llu: map collapsed: no unit was active "
                          "in iterations %llu to %llu",
                          (unsigned long long)m->iteration,
                          (unsigned long long)since + 1,
                          (unsigned long long)m->iteration);
    if (ms->distinct_winners == 1 && ms->probes > 1 &&
        ms->coverage * (float)ms->probes > 1.0f)
        return remap_fail(err, REMAP_ECOLLAPSE,
                          "iteration %llu: map collapsed: one unit wins every "
                          "probe touch",
                          (unsigned long long)m->iteration);
    return REMAP_OK;
}

/* Notes an applied event for the next row of metrics.csv. */
static void mark(runner *r, const remap_event *ev)
{
    size_t len = strlen(r->marks);
    snprintf(r->marks + len, sizeof r->marks - len, "%s%s@%llu",
             len ? ";" : "", remap_event_name(ev->kind),
             (unsigned long long)ev->at);
}

/* Region names of a bit mask, for the log: "d2+d3". */
static const char *region_list(const remap_model *m, unsigned regions,
                               char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int q = 0; q < remap_model_regions(m) && n < size; q++)
        if (regions & (1u << q))
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "+" : "",
                                  remap_layout_region_name(m->params.layout, q));
    return buf;
}

/* Edits the model's state as a perturbation event says. The caller
 * brings the host state up to date first and pushes it afterwards. */
static remap_status perturb(runner *r, const remap_event *ev,
                            remap_error *err)
{
    remap_model *m = r->m;
    char regions[128];
    region_list(m, ev->regions, regions, sizeof regions);
    switch (ev->kind) {
    case REMAP_EVENT_LESION: {
        size_t units = (size_t)m->geom.units;
        float *before = malloc(units * sizeof(float));
        if (!before)
            return remap_fail(err, REMAP_ENOMEM, "lesion: out of memory");
        memcpy(before, m->unit_gain, units * sizeof(float));
        int killed = remap_model_lesion(m, &ev->shape, ev->penumbra_width,
                                        ev->penumbra_gain,
                                        ev->penumbra_recovery);
        int affected = 0;
        remap_status st =
            remap_measure_affected(m, before, m->affected, &affected, err);
        free(before);
        if (st)
            return st;
        logf_(r, "event at %llu: lesion kills %d units; %d probe places "
              "lose their best unit",
              (unsigned long long)ev->at, killed, affected);
        return REMAP_OK;
    }
    case REMAP_EVENT_DEAFFERENT:
    case REMAP_EVENT_RESTORE:
        remap_model_deafferent(m, ev->regions,
                               ev->kind == REMAP_EVENT_DEAFFERENT);
        break;
    case REMAP_EVENT_FUSE:
        remap_model_fuse(m, ev->regions);
        break;
    case REMAP_EVENT_ENRICH:
        if (ev->has_spot)
            remap_model_enrich_spot(m, ev->spot, ev->factor);
        else
            remap_model_enrich(m, ev->regions, ev->factor);
        break;
    case REMAP_EVENT_REHAB_START:
    case REMAP_EVENT_REHAB_END:
        remap_model_rehab(m, ev->regions, ev->factor, ev->gain,
                          ev->kind == REMAP_EVENT_REHAB_START);
        break;
    case REMAP_EVENT_SLEEP_START:
        remap_model_sleep(m, &ev->sleep);
        break;
    case REMAP_EVENT_SLEEP_END:
        remap_model_sleep(m, NULL);
        break;
    case REMAP_EVENT_AGE:
        /* age = offset + iteration */
        m->params.age.offset = (float)(ev->value - (double)ev->at);
        break;
    case REMAP_EVENT_MODULATE:
        remap_model_modulate(m, &ev->shape, ev->factor);
        break;
    case REMAP_EVENT_SCOTOMA: {
        int killed = remap_model_retinal_lesion(m, &ev->shape, ev->regions);
        logf_(r, "event at %llu: scotoma in %s kills %d retina pixels",
              (unsigned long long)ev->at, regions, killed);
        return REMAP_OK;
    }
    default:
        return remap_fail(err, REMAP_EINVAL, "unknown event kind %d",
                          (int)ev->kind);
    }
    logf_(r, "event at %llu: %s%s%s", (unsigned long long)ev->at,
          remap_event_name(ev->kind), *regions ? " " : "", regions);
    return REMAP_OK;
}

static remap_status apply_event(runner *r, const remap_event *ev,
                                remap_error *err)
{
    remap_status st;
    /* Every event but a checkpoint may change what the maps measure, so
     * maps measured at this iteration before it are stale. */
    if (ev->kind != REMAP_EVENT_CHECKPOINT)
        remap_vision_map_free(&r->vision);
    switch (ev->kind) {
    case REMAP_EVENT_SET:
        st = remap_param_set(&r->m->params, ev->path, ev->value, err);
        if (st)
            return remap_error_prefix(err, "%s:%d:%d", r->sc->source, ev->line,
                                      ev->col);
        remap_model_params_changed(r->m);
        if (!ev->scheduled) {
            logf_(r, "event at %llu: set %s = %g", (unsigned long long)ev->at,
                  ev->path, ev->value);
            mark(r, ev);
        }
        return REMAP_OK;
    case REMAP_EVENT_CHECKPOINT:
        logf_(r, "event at %llu: checkpoint%s%s", (unsigned long long)ev->at,
              *ev->label ? " " : "", ev->label);
        return save_checkpoint(r, ev->label, err);
    default:
        if ((st = remap_model_pull(r->m, err)) || (st = perturb(r, ev, err)) ||
            (st = remap_model_push(r->m, err)))
            return st;
        mark(r, ev);
        return REMAP_OK;
    }
}

/* Writes the resolved timeline into run.log, one line an event (a
 * schedule's generated `set` events once per schedule point). */
static void log_timeline(runner *r)
{
    const remap_scenario *sc = r->sc;
    logf_(r, "timeline: %zu events", sc->event_count);
    for (size_t i = 0; i < sc->event_count; i++) {
        const remap_event *ev = &sc->events[i];
        char regions[128], what[256];
        region_list(r->m, ev->regions, regions, sizeof regions);
        if (ev->kind == REMAP_EVENT_SET)
            snprintf(what, sizeof what, "%s %s = %g%s", remap_event_name(ev->kind),
                     ev->path, ev->value, ev->scheduled ? " (schedule)" : "");
        else
            snprintf(what, sizeof what, "%s%s%s", remap_event_name(ev->kind),
                     *regions ? " " : "", regions);
        if (ev->until && ev->until != ev->at &&
            ev->kind != REMAP_EVENT_REHAB_END &&
            ev->kind != REMAP_EVENT_SLEEP_END &&
            ev->kind != REMAP_EVENT_RESTORE) {
            size_t n = strlen(what);
            snprintf(what + n, sizeof what - n, " until %llu",
                     (unsigned long long)ev->until);
        }
        logf_(r, "timeline: at %llu: %s", (unsigned long long)ev->at, what);
    }
}

/* Applies events of the model's iteration. Around perturbations the map
 * is measured twice, so metrics.csv holds a row just before and one just
 * after them. */
static remap_status apply_events(runner *r, const remap_event *evs, size_t n,
                                 remap_error *err)
{
    const remap_scenario *sc = r->sc;
    bool perturbs = false;
    for (size_t i = 0; i < n; i++)
        perturbs |= evs[i].kind != REMAP_EVENT_SET &&
                    evs[i].kind != REMAP_EVENT_CHECKPOINT;
    remap_status st;
    if (perturbs && sc->write_metrics && r->measured_at != r->m->iteration &&
        (st = measure(r, err)))
        return st;
    for (size_t i = 0; i < n; i++)
        if ((st = apply_event(r, &evs[i], err)))
            return st;
    if (perturbs && sc->write_metrics && (st = measure(r, err)))
        return st;
    return REMAP_OK;
}

/* Applies the scenario's events due at the model's iteration. */
static remap_status apply_due_events(runner *r, size_t *ev, remap_error *err)
{
    const remap_scenario *sc = r->sc;
    size_t n = 0;
    while (*ev + n < sc->event_count &&
           sc->events[*ev + n].at == r->m->iteration)
        n++;
    remap_status st = apply_events(r, sc->events + *ev, n, err);
    *ev += n;
    return st;
}

/* A resumed run that has not stepped yet: its checkpoint already exists
 * and is left as it is. */
static bool at_resume_point(const runner *r)
{
    return r->opt->resume && r->m->iteration == r->sum->first;
}

static uint64_t next_multiple(uint64_t it, uint64_t every)
{
    return every ? (it / every + 1) * every : UINT64_MAX;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* A run directory must not already hold a run, unless resuming that run
 * into it; a resume into a new directory starts it with the scenario. */
static remap_status prepare_dir(runner *r, remap_error *err)
{
    remap_status st = remap_mkdir_p(r->dir, err);
    if (st)
        return st;
    char path[PATH_MAX_LEN + 64];
    snprintf(path, sizeof path, "%s/scenario.yaml", r->dir);
    /* The run already there, if any (unreadable counts as none). */
    char *held = NULL;
    remap_read_file(path, &held, NULL, NULL);
    bool same = held && strcmp(held, r->sc->resolved_text) == 0;
    free(held);
    if (held && !r->opt->resume)
        return remap_fail(err, REMAP_EUSAGE,
                          "%s: already holds a run; choose another --out or "
                          "continue it with --resume",
                          r->dir);
    if (held && !same)
        return remap_fail(err, REMAP_EUSAGE,
                          "%s: holds another run (its scenario.yaml differs "
                          "from the checkpoint's scenario); choose another "
                          "--out",
                          r->dir);
    if ((st = remap_check_writable_dir(r->dir, err)))
        return st;
    if (!held && (st = remap_write_file_atomic(path, r->sc->resolved_text,
                                               strlen(r->sc->resolved_text),
                                               err)))
        return st;
    snprintf(path, sizeof path, "%s/checkpoints", r->dir);
    if ((st = remap_mkdir_p(path, err)))
        return st;
    snprintf(path, sizeof path, "%s/run.log", r->dir);
    r->log = fopen(path, "a");
    if (!r->log)
        return remap_fail(err, REMAP_EIO, "%s: %s", path, strerror(errno));
    return REMAP_OK;
}

/* A resume from an earlier checkpoint runs its iterations again: the rows
 * measured after it are dropped, so metrics.csv holds each iteration once. */
static remap_status trim_metrics(const char *path, uint64_t resume_at,
                                 remap_error *err)
{
    char *text = NULL;
    if (remap_read_file(path, &text, NULL, NULL) != REMAP_OK)
        return REMAP_OK;
    char *line = strchr(text, '\n');
    char *keep_end = line ? line + 1 : text + strlen(text);
    bool dropped = false;
    while (line && line[1]) {
        char *row = line + 1;
        line = strchr(row, '\n');
        char *end;
        unsigned long long it = strtoull(row, &end, 10);
        if (end == row || *end != ',' || it > resume_at) {
            dropped = true;
            continue;
        }
        if (dropped) /* keep rows in place: move this one up */
            memmove(keep_end, row, line ? (size_t)(line + 1 - row)
                                        : strlen(row));
        keep_end += line ? (size_t)(line + 1 - row) : strlen(row);
    }
    remap_status st = REMAP_OK;
    if (dropped)
        st = remap_write_file_atomic(path, text, (size_t)(keep_end - text),
                                     err);
    free(text);
    return st;
}

static remap_status create_model(runner *r, remap_error *err)
{
    remap_cl_options clo = {.device = r->opt->device,
                            .half_weights = r->opt->half_weights};
    remap_ref_options refo = {.half_weights = r->opt->half_weights};
    const remap_backend_ops *ops =
        r->opt->reference ? &remap_ref_backend : &remap_cl_backend;
    remap_status st = remap_model_create(&r->sc->params, r->sc->seed, ops,
                                         r->opt->reference
                                             ? (const void *)&refo
                                             : (const void *)&clo,
                                         &r->m, err);
    if (st)
        return st;
    snprintf(r->sum->device, sizeof r->sum->device, "%s",
             ops->device_name(r->m->backend_state));
    /* Natural images are read again on every start, a resume included. */
    remap_image_set *images = NULL;
    if (r->sc->images &&
        ((st = remap_images_load(r->sc->images, &images, err)) ||
         (st = remap_model_set_images(r->m, images, err))))
        return st;
    const char *state = r->opt->resume ? r->opt->resume : r->opt->from;
    if (r->opt->resume) {
        /* A resumed run continues as it was, in the weights' storage too
         * (a new run --from a checkpoint chooses its own). */
        remap_checkpoint_info info;
        if ((st = remap_checkpoint_read_info(state, &info, err)))
            return st;
        remap_checkpoint_info_free(&info);
        if (info.half_weights != r->m->half_weights)
            return remap_fail(err, REMAP_EUSAGE,
                              "%s stores %s weights; a resumed run must too "
                              "(--half-weights %s)",
                              state, info.half_weights ? "half" : "float",
                              info.half_weights ? "is needed" : "is not");
    }
    if (state) {
        if ((st = remap_checkpoint_load(state, r->m, err)))
            return st;
        if (r->opt->from) {
            r->m->params = r->sc->params;
            r->m->seed = r->sc->seed;
            remap_model_params_changed(r->m);
        }
        if ((st = remap_model_push(r->m, err)))
            return st;
    }
    return remap_unit_maps_create(&r->m->geom, &r->maps, err);
}

/* A scenario started from another run's checkpoint at iteration k must
 * have no events before k: nothing would apply them. */
static remap_status check_from(const runner *r, remap_error *err)
{
    const remap_scenario *sc = r->sc;
    for (size_t i = 0; i < sc->event_count; i++) {
        const remap_event *ev = &sc->events[i];
        if (ev->at < r->m->iteration && ev->kind != REMAP_EVENT_CHECKPOINT)
            return remap_fail(err, REMAP_EUSAGE,
                              "%s:%d:%d: %s at %llu comes before iteration "
                              "%llu of %s, where this run starts; it would "
                              "never happen",
                              sc->source, ev->line, ev->col,
                              remap_event_name(ev->kind),
                              (unsigned long long)ev->at,
                              (unsigned long long)r->m->iteration,
                              r->opt->from);
    }
    return REMAP_OK;
}

static remap_status loop(runner *r, remap_error *err)
{
    remap_model *m = r->m;
    const remap_scenario *sc = r->sc;
    uint64_t last = r->sum->last;
    remap_status st;

    /* Events at or before a resume point are already in the checkpoint;
     * a run from another run's checkpoint skips only checkpoint events
     * before it. */
    size_t ev = 0;
    while (ev < sc->event_count &&
           ((r->opt->resume && sc->events[ev].at <= m->iteration) ||
            (r->opt->from && sc->events[ev].at < m->iteration)))
        ev++;

    if (sc->write_metrics && !r->opt->resume) {
        /* The state before this run's training, as the first row. */
        if ((st = measure(r, err)))
            return st;
    }
    const remap_run_options *opt = r->opt;
    uint64_t next_frame = UINT64_MAX;
    if (opt->frame) {
        if ((st = opt->frame(opt->frame_ctx, m, err)))
            return st;
        next_frame = opt->next_frame(opt->frame_ctx, m->iteration);
    }
    double start = now(), chunk_start = start;
    uint64_t chunk = 1;
    double rate = 0;
    for (;;) {
        if ((st = apply_due_events(r, &ev, err)))
            return st;
        if (opt->control) {
            remap_run_control c = {0};
            /* Time the control holds the run (a pause) is not stepping
             * time. */
            double t_hold = now();
            st = opt->control(opt->control_ctx, m, &c, err);
            double held = now() - t_hold;
            start += held;
            chunk_start += held;
            if (st)
                return st;
            if (c.stop) {
                logf_(r, "stopped at iteration %llu",
                      (unsigned long long)m->iteration);
                if (c.checkpoint && !at_resume_point(r) &&
                    (st = save_checkpoint(r, "", err)))
                    return st;
                r->sum->stopped = true;
                r->sum->last = m->iteration;
                r->sum->seconds = now() - start;
                return REMAP_OK;
            }
            if (c.apply_count) {
                if ((st = apply_events(r, c.apply, c.apply_count, err)))
                    return st;
                continue;
            }
            /* The control may have changed when frames come. */
            if (opt->frame)
                next_frame = opt->next_frame(opt->frame_ctx, m->iteration);
        }
        if (m->iteration >= last)
            break;
        /* A periodic checkpoint holds the events of its iteration, as a
         * resume skips them. */
        if (sc->write_checkpoints && sc->checkpoint_interval &&
            m->iteration % sc->checkpoint_interval == 0 &&
            m->iteration > r->sum->first && (st = save_checkpoint(r, "", err)))
            return st;
        if (r->opt->stop && *r->opt->stop) {
            logf_(r, "interrupted at iteration %llu",
                  (unsigned long long)m->iteration);
            if (sc->write_checkpoints && !at_resume_point(r) &&
                (st = save_checkpoint(r, "", err)))
                return st;
            return remap_fail(err, REMAP_EINTERRUPTED,
                              "interrupted at iteration %llu",
                              (unsigned long long)m->iteration);
        }
        uint64_t until = min_u64(last, m->iteration + chunk);
        if (ev < sc->event_count)
            until = min_u64(until, sc->events[ev].at);
        until = min_u64(until, next_multiple(m->iteration, sc->measure_interval));
        until = min_u64(until, next_frame);
        if (sc->write_checkpoints)
            until = min_u64(until,
                            next_multiple(m->iteration, sc->checkpoint_interval));
        uint64_t n = until - m->iteration;
        r->stepped_awake |= !m->cond.sleeping;
        if ((st = remap_model_step(m, n, err)))
            return st;

        /* Chunks last about a quarter of a second, for progress and
         * a prompt response to Ctrl-C. */
        double t = now();
        double dt = t - chunk_start;
        chunk_start = t;
        if (dt > 0)
            rate = (double)n / dt;
        if (n == chunk)
            chunk = dt < 0.25 ? chunk * 2 : (chunk > 1 ? chunk / 2 : 1);

        bool measured = false;
        if (sc->measure_interval && m->iteration % sc->measure_interval == 0) {
            if ((st = measure(r, err)))
                return st;
            measured = true;
        }
        if (m->iteration == next_frame) {
            if ((st = opt->frame(opt->frame_ctx, m, err)))
                return st;
            next_frame = opt->next_frame(opt->frame_ctx, m->iteration);
        }
        if (r->opt->progress) {
            remap_run_progress p = {
                .iteration = m->iteration,
                .first = r->sum->first,
                .last = last,
                .elapsed = t - start,
                .rate = rate,
                .measures = measured ? &r->sum->measures : NULL,
            };
            r->opt->progress(r->opt->progress_ctx, &p);
        }
    }
    r->sum->seconds = now() - start;
    if (r->measured_at != m->iteration && (st = measure(r, err)))
        return st;
    if (sc->write_checkpoints && !at_resume_point(r) &&
        (st = save_checkpoint(r, "", err)))
        return st;
    return REMAP_OK;
}

remap_status remap_run(const remap_scenario *sc, const remap_run_options *opt,
                       remap_run_summary *summary, remap_error *err)
{
    runner r = {.sc = sc, .opt = opt, .sum = summary};
    memset(summary, 0, sizeof *summary);
    if (!opt->out_dir || !*opt->out_dir)
        return remap_fail(err, REMAP_EINVAL, "no run directory given");
    snprintf(r.dir, sizeof r.dir, "%s", opt->out_dir);

    /* The model first: a scenario the device cannot hold, or a checkpoint
     * that does not load, leaves no run directory behind. */
    double t0 = now();
    remap_status st = create_model(&r, err);
    if (st)
        goto done;
    summary->setup_seconds = now() - t0;
    if (opt->from && opt->resume) {
        st = remap_fail(err, REMAP_EUSAGE,
                        "a run either resumes a checkpoint or starts from "
                        "one, not both");
        goto done;
    }
    if (opt->from && (st = check_from(&r, err)))
        goto done;
    if ((st = prepare_dir(&r, err)))
        goto done;
    summary->first = r.m->iteration;
    summary->last = opt->iterations ? opt->iterations : sc->iterations;
    if (summary->last < summary->first) {
        st = remap_fail(err, REMAP_EUSAGE,
                        "the checkpoint is at iteration %llu, past the "
                        "requested last iteration %llu",
                        (unsigned long long)summary->first,
                        (unsigned long long)summary->last);
        goto done;
    }
    r.measured_at = r.m->iteration;
    r.counts_before = calloc((size_t)r.m->geom.units, sizeof(uint32_t));
    if (!r.counts_before) {
        st = remap_fail(err, REMAP_ENOMEM, "run: out of memory");
        goto done;
    }
    memcpy(r.counts_before, r.m->active_count,
           (size_t)r.m->geom.units * sizeof(uint32_t));
    if (sc->write_metrics) {
        char path[PATH_MAX_LEN + 32];
        snprintf(path, sizeof path, "%s/metrics.csv", r.dir);
        if (opt->resume && (st = trim_metrics(path, summary->first, err)))
            goto done;
        char header[4096];
        remap_measures_csv_header(r.m, header, sizeof header);
        size_t hl = strlen(header);
        snprintf(header + hl, sizeof header - hl, ",events");
        if ((st = remap_csv_open(path, header,
                                 opt->resume != NULL, &r.csv, err)))
            goto done;
    }
    if (opt->from)
        logf_(&r, "the state at iteration %llu comes from %s",
              (unsigned long long)summary->first, opt->from);
    logf_(&r, "%s %s from iteration %llu to %llu on %s (seed %llu)",
          opt->resume ? "resume" : "start", sc->name,
          (unsigned long long)summary->first,
          (unsigned long long)summary->last, summary->device,
          (unsigned long long)sc->seed);
    if (!opt->resume)
        log_timeline(&r);
    st = loop(&r, err);
    if (st == REMAP_OK)
        logf_(&r, "finished at iteration %llu in %.1f s",
              (unsigned long long)r.m->iteration, summary->seconds);
done:
    if (st != REMAP_OK && r.log)
        logf_(&r, "failed: %s", err ? err->msg : remap_status_message(st));
    free(r.counts_before);
    remap_csv_close(r.csv);
    remap_unit_maps_destroy(&r.maps);
    remap_vision_map_free(&r.vision);
    remap_model_destroy(r.m);
    if (r.log)
        fclose(r.log);
    return st;
}
