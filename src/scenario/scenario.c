/* Scenario loading: the public functions, and the steps of one load from
 * text to a checked remap_scenario (scenario_internal.h outlines them). */
/* realpath() is XSI, beyond the POSIX level the build asks for. */
#define _XOPEN_SOURCE 700

#include "scenario/scenario_internal.h"

#include "core/embedded.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------------
 * libcyaml's messages, and the values it leaves out.
 */

/* Keeps libcyaml's first error line for the (unexpected) case where it
 * rejects a document the walk accepted; libcyaml must not print. */
static void cyaml_capture(cyaml_log_t level, void *ctx, const char *fmt,
                          va_list args)
{
    struct scn_loader *L = ctx;
    if (level < CYAML_LOG_ERROR || L->cyaml_msg[0])
        return;
    vsnprintf(L->cyaml_msg, sizeof L->cyaml_msg, fmt, args);
    L->cyaml_msg[strcspn(L->cyaml_msg, "\n")] = '\0';
}

/* Copies defaults into every leaf the document does not give, checking on
 * the way that the schema and the parameter table agree. */
static void fill_defaults(struct scn_loader *L,
                          const cyaml_schema_field_t *fields, const char *path,
                          size_t offset, struct scn_doc *d,
                          const struct scn_doc *def)
{
    for (const cyaml_schema_field_t *f = fields; f->key; f++) {
        char child[SCN_PATH_LEN];
        remap__scn_join_path(child, path, f->key);
        size_t off = offset + f->data_offset;
        if ((f->value.flags & CYAML_FLAG_POINTER) ||
            f->value.type == CYAML_IGNORE)
            continue; /* name (defaulted by the caller), timeline, schedules */
        if (f->value.type == CYAML_MAPPING) {
            fill_defaults(L, f->value.mapping.fields, child, off, d, def);
            continue;
        }
#ifndef NDEBUG
        const remap_param_info *info = remap_param_find(child);
        if (info) {
            assert(info->offset == off - offsetof(struct scn_doc, params));
            assert(info->is_int == (f->value.type == CYAML_INT ||
                                    f->value.type == CYAML_ENUM));
            assert((info->choices != NULL) == (f->value.type == CYAML_ENUM));
        } else {
            assert(f->value.type == CYAML_BOOL ||
                   f->value.type == CYAML_STRING ||
                   remap__scn_find_setting(child));
        }
#endif
        if (!remap__scn_was_given(L, child))
            memcpy((char *)d + off, (const char *)def + off,
                   f->value.data_size);
    }
}

/* ------------------------------------------------------------------------
 * Putting it together.
 */

static void loader_free(struct scn_loader *L)
{
    if (L->have_doc)
        yaml_document_delete(&L->doc);
    remap__scn_diag_free(L);
    free(L->entries);
    for (size_t i = 0; i < L->schedule_count; i++) {
        free(L->schedules[i].at);
        free(L->schedules[i].value);
    }
    free(L->schedules);
    free(L->node_origin);
}

/* The base name of the source without its extension: the default name. */
static char *default_name(const char *source)
{
    const char *base = strrchr(source, '/');
    base = base ? base + 1 : source;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot > base ? (size_t)(dot - base) : strlen(base);
    if (len == 0) {
        base = "scenario";
        len = strlen(base);
    }
    if (len > 200)
        len = 200;
    char *name = malloc(len + 1);
    if (name) {
        memcpy(name, base, len);
        name[len] = '\0';
    }
    return name;
}

/* ------------------------------------------------------------------------
 * stimulus.images: a directory of PNG files, checked here so that a wrong
 * one is reported at its place before any run; the images themselves are
 * decoded when the model is built (io/images.h).
 */

/* Whether directory dir holds a file named *.png (any case). */
static bool holds_png(DIR *d)
{
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcasecmp(e->d_name + n - 4, ".png") == 0)
            return true;
    }
    return false;
}

/* Makes d->images absolute and checks it: a relative directory written in
 * a file is taken from the file's directory (so a scenario runs from
 * anywhere), one given with --set from the working directory. */
static remap_status resolve_images(struct scn_loader *L, struct scn_doc *d,
                                   remap_error *err)
{
    if (!d->images[0])
        return REMAP_OK;
    char msg[SCN_IMAGES_LEN + 4096 + 200];
    if (!remap_layout_is_visual(d->params.layout)) {
        snprintf(msg, sizeof msg, "stimulus.images: natural images need a "
                 "visual layout (sheets.skin.layout: retina or binocular), "
                 "not %s", remap_layout_name(d->params.layout));
        return remap__scn_place_relation(L, msg, err);
    }
    char place[700];
    remap__scn_place_text(L, "stimulus.images", place, sizeof place);
    bool from_file = strncmp(place, "--set ", 6) != 0;
    const char *slash = strrchr(L->source, '/');
    char joined[SCN_IMAGES_LEN + 4096];
    if (d->images[0] != '/' && from_file && slash)
        snprintf(joined, sizeof joined, "%.*s/%s",
                 (int)(slash - L->source), L->source, d->images);
    else
        snprintf(joined, sizeof joined, "%s", d->images);
    char *abs = realpath(joined, NULL);
    struct stat sb;
    if (!abs || stat(abs, &sb) != 0) {
        snprintf(msg, sizeof msg, "stimulus.images: %s: %s", joined,
                 strerror(errno));
        free(abs);
        return remap__scn_place_relation(L, msg, err);
    }
    DIR *dir = S_ISDIR(sb.st_mode) ? opendir(abs) : NULL;
    int open_errno = errno;
    bool any = dir && holds_png(dir);
    if (dir)
        closedir(dir);
    if (!any || strlen(abs) >= SCN_IMAGES_LEN) {
        if (!S_ISDIR(sb.st_mode))
            snprintf(msg, sizeof msg, "stimulus.images: %s is not a "
                     "directory", joined);
        else if (!dir)
            snprintf(msg, sizeof msg, "stimulus.images: %s: %s", joined,
                     strerror(open_errno));
        else if (!any)
            snprintf(msg, sizeof msg, "stimulus.images: %s has no PNG files "
                     "(*.png)", joined);
        else
            snprintf(msg, sizeof msg, "stimulus.images: %s is longer than "
                     "%d characters", abs, SCN_IMAGES_LEN - 1);
        free(abs);
        return remap__scn_place_relation(L, msg, err);
    }
    snprintf(d->images, sizeof d->images, "%s", abs);
    free(abs);
    return REMAP_OK;
}

/* ------------------------------------------------------------------------
 * Events: periods and schedules expanded, then sorted.
 */

/* An event with its sort key: `at`; then the ends of periods, the sets of
 * schedules and the timeline's events, in that order; then the rank of
 * the entry (or the schedule's index); then a schedule's iteration. */
struct keyed_event {
    remap_event ev;
    int phase; /* 0: a period's end; 1: a schedule's set; 2: an entry */
    size_t rank;
};

static int keyed_cmp(const void *pa, const void *pb)
{
    const struct keyed_event *a = pa, *b = pb;
    if (a->ev.at != b->ev.at)
        return a->ev.at < b->ev.at ? -1 : 1;
    if (a->phase != b->phase)
        return a->phase - b->phase;
    return a->rank < b->rank ? -1 : a->rank > b->rank;
}

/* The iterations of a schedule's sets: every `every` from the first point
 * to the last, and each point. Writes them to out (when not NULL) and
 * returns their count. */
static size_t schedule_times(const struct scn_schedule *s, uint64_t *out)
{
    uint64_t last = s->at[s->count - 1], g = s->at[0];
    bool grid = true;
    size_t p = 0, n = 0;
    while (grid || p < s->count) {
        uint64_t t;
        if (grid && (p >= s->count || g <= s->at[p])) {
            t = g;
            if (p < s->count && s->at[p] == g)
                p++;
            if (last - g >= s->every)
                g += s->every;
            else
                grid = false;
        } else {
            t = s->at[p++];
        }
        if (out)
            out[n] = t;
        n++;
    }
    return n;
}

/* The schedule's value at iteration t in its span: linear between the
 * points around t, in double; whole numbers for a whole parameter. */
static double schedule_value(const struct scn_schedule *s, uint64_t t,
                             bool whole)
{
    size_t k = 0;
    while (k + 1 < s->count && s->at[k + 1] <= t)
        k++;
    double v = s->value[k];
    if (t > s->at[k] && k + 1 < s->count)
        v += (s->value[k + 1] - s->value[k]) * (double)(t - s->at[k]) /
             (double)(s->at[k + 1] - s->at[k]);
    return whole ? floor(v + 0.5) : v;
}

/* The scenario's events from the entries and the schedules (all read
 * without error); NULL with count 0 when there are none. */
static remap_status expand_events(struct scn_loader *L, remap_scenario *s)
{
    size_t n = 0;
    for (size_t i = 0; i < L->entry_count; i++)
        n += L->entries[i].has_until ? 2 : 1;
    for (size_t i = 0; i < L->schedule_count; i++)
        n += schedule_times(&L->schedules[i], NULL);
    if (n == 0)
        return REMAP_OK;
    struct keyed_event *k = calloc(n, sizeof *k);
    uint64_t *times = NULL;
    if (!k)
        return REMAP_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < L->entry_count; i++) {
        const struct scn_entry *e = &L->entries[i];
        k[m++] = (struct keyed_event){e->ev, 2, e->rank};
        if (!e->has_until)
            continue;
        struct keyed_event *end = &k[m++];
        *end = (struct keyed_event){e->ev, 0, e->rank};
        end->ev.at = e->ev.until;
        end->ev.kind = remap__scn_event_kinds[e->kind].end_kind;
        if (end->ev.kind == REMAP_EVENT_MODULATE)
            end->ev.factor = 1.0f;
    }
    for (size_t i = 0; i < L->schedule_count; i++) {
        const struct scn_schedule *sc = &L->schedules[i];
        const remap_param_info *info = remap_param_find(sc->path);
        size_t count = schedule_times(sc, NULL);
        free(times);
        times = malloc(count * sizeof *times);
        if (!times) {
            free(k);
            return REMAP_ENOMEM;
        }
        schedule_times(sc, times);
        for (size_t t = 0; t < count; t++) {
            remap_event ev = {0};
            ev.at = times[t];
            ev.kind = REMAP_EVENT_SET;
            snprintf(ev.path, sizeof ev.path, "%s", sc->path);
            ev.value = schedule_value(sc, times[t], info && info->is_int);
            ev.scheduled = true;
            ev.line = sc->line;
            ev.col = sc->col;
            k[m++] = (struct keyed_event){ev, 1, i};
        }
    }
    free(times);
    assert(m == n);
    /* Equal keys (a schedule's sets) are in order already and qsort is not
     * stable: the schedule's iteration is the event's `at`, so no two
     * events share a whole key. */
    qsort(k, n, sizeof *k, keyed_cmp);
    s->events = malloc(n * sizeof *s->events);
    if (!s->events) {
        free(k);
        return REMAP_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        s->events[i] = k[i].ev;
    s->event_count = n;
    free(k);
    return REMAP_OK;
}

static remap_status build(struct scn_loader *L, struct scn_doc *d,
                          remap_scenario **out, remap_error *err)
{
    remap_scenario *s = calloc(1, sizeof *s);
    if (!s)
        goto nomem;
    s->name = strdup(d->name);
    s->source = strdup(L->source);
    if (!s->name || !s->source)
        goto nomem;
    if (d->images[0] && !(s->images = strdup(d->images)))
        goto nomem;
    s->seed = d->seed;
    s->iterations = d->iterations;
    s->params = d->params;
    s->measure_interval = d->measure.interval;
    s->checkpoint_interval = d->checkpoint.interval;
    s->write_metrics = d->outputs.metrics;
    s->write_checkpoints = d->outputs.checkpoints;
    const struct scn_doc_frames *fr = &d->outputs.frames;
    snprintf(s->frames.panels, sizeof s->frames.panels, "%s", fr->panels);
    remap__scn_place_text(L, "outputs.frames.panels", s->frames.panels_place,
                          sizeof s->frames.panels_place);
    s->frames.width = (int)fr->width;
    s->frames.height = (int)fr->height;
    s->frames.every = fr->every;
    s->frames.compression = (int)fr->compression;

    /* A sleep takes the `sleep` section's values where it gives none. */
    for (size_t i = 0; i < L->entry_count; i++) {
        struct scn_entry *e = &L->entries[i];
        if (e->ev.kind != REMAP_EVENT_SLEEP_START)
            continue;
        if (!e->sleep_given[0])
            e->ev.sleep.noise = d->params.sleep.noise;
        if (!e->sleep_given[1])
            e->ev.sleep.downscale = d->params.sleep.downscale;
        if (!e->sleep_given[2])
            e->ev.sleep.weak = d->params.sleep.weak;
    }
    if (expand_events(L, s))
        goto nomem;

    struct scn_sbuf text = {0};
    remap__scn_emit_resolved(&text, d, L->entries, L->entry_count,
                             L->schedules, L->schedule_count);
    if (text.nomem) {
        free(text.p);
        goto nomem;
    }
    s->resolved_text = text.p;
    *out = s;
    return REMAP_OK;

nomem:
    remap_scenario_destroy(s);
    return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", L->source);
}

static remap_status load(struct scn_loader *L, const char *text,
                         remap_scenario **out, remap_error *err)
{
    remap_status st = remap__scn_parse_text(L, text, err);
    if (st)
        return st;

    /* An empty file is an empty mapping: every key takes its default. */
    if (!yaml_document_get_root_node(&L->doc) &&
        !remap__scn_add_mapping(L, -1))
        return remap__scn_report(L, err);
    remap__scn_apply_overrides(L);
    remap__scn_walk(L);
    if (L->diag_count || L->nomem)
        return remap__scn_report(L, err);

    struct scn_sbuf yaml = {0};
    st = remap__scn_emit_document(L, &yaml, err);
    if (st) {
        free(yaml.p);
        return st;
    }
    cyaml_config_t config = {
        .log_fn = cyaml_capture,
        .log_ctx = L,
        .mem_fn = cyaml_mem,
        .log_level = CYAML_LOG_ERROR,
        .flags = CYAML_CFG_DEFAULT,
    };
    struct scn_doc *d = NULL;
    cyaml_err_t ce = cyaml_load_data((const uint8_t *)yaml.p, yaml.len,
                                     &config, remap__scn_top_schema(),
                                     (cyaml_data_t **)&d, NULL);
    free(yaml.p);
    if (ce != CYAML_OK)
        return remap_fail(err, ce == CYAML_ERR_OOM ? REMAP_ENOMEM
                                                   : REMAP_ESCENARIO,
                          "%s: %s%s%s", L->source, cyaml_strerror(ce),
                          L->cyaml_msg[0] ? ": " : "", L->cyaml_msg);

    struct scn_doc empty;
    struct scn_doc *use = d;
    if (!use) {
        memset(&empty, 0, sizeof empty);
        use = &empty;
    }
    struct scn_doc def;
    remap__scn_doc_defaults(&def);
    fill_defaults(L, remap__scn_top_fields(), "", 0, use, &def);
    char *fallback_name = NULL;
    if (!use->name) {
        fallback_name = default_name(L->source);
        use->name = fallback_name;
        if (!fallback_name)
            st = remap_fail(err, REMAP_ENOMEM, "%s: out of memory",
                            L->source);
    }
    if (!st) {
        remap_error verr;
        remap_error_clear(&verr);
        if (remap_params_validate(&use->params, &verr))
            st = remap__scn_place_relation(L, verr.msg, err);
    }
    if (!st)
        st = resolve_images(L, use, err);
    if (!st)
        st = build(L, use, out, err);
    if (fallback_name)
        use->name = NULL;
    free(fallback_name);
    if (d)
        cyaml_free(&config, remap__scn_top_schema(), d, 0);
    return st;
}

remap_status remap_scenario_load_text(const char *source_name,
                                      const char *text,
                                      const char *const *overrides,
                                      size_t override_count,
                                      remap_scenario **out, remap_error *err)
{
    if (out)
        *out = NULL;
    if (!text || !out)
        return remap_fail(err, REMAP_EINVAL, "remap_scenario_load_text: %s "
                          "is NULL", text ? "out" : "text");
    if (override_count && !overrides)
        return remap_fail(err, REMAP_EINVAL, "remap_scenario_load_text: "
                          "%zu overrides but overrides is NULL",
                          override_count);
    for (size_t i = 0; i < override_count; i++)
        if (!overrides[i])
            return remap_fail(err, REMAP_EINVAL, "remap_scenario_load_text: "
                              "override %zu is NULL", i);
    struct scn_loader L = {
        .source = source_name ? source_name : "(text)",
        .overrides = overrides,
        .override_count = override_count,
    };
    remap_status st = load(&L, text, out, err);
    loader_free(&L);
    if (st == REMAP_OK)
        remap_error_clear(err);
    return st;
}

remap_status remap_scenario_load_file(const char *path,
                                      const char *const *overrides,
                                      size_t override_count,
                                      remap_scenario **out, remap_error *err)
{
    if (out)
        *out = NULL;
    if (!path)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_scenario_load_file: path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f)
        return remap_fail(err, REMAP_EIO, "%s: cannot open: %s", path,
                          strerror(errno));
    struct scn_sbuf text = {0};
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        remap__scn_sb_add(&text, chunk, got);
    int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    remap_status st;
    if (read_errno)
        st = remap_fail(err, REMAP_EIO, "%s: cannot read: %s", path,
                        strerror(read_errno));
    else if (text.nomem)
        st = remap_fail(err, REMAP_ENOMEM, "%s: out of memory", path);
    else
        st = remap_scenario_load_text(path, text.p ? text.p : "", overrides,
                                      override_count, out, err);
    free(text.p);
    return st;
}

remap_status remap_scenario_load_default(const char *const *overrides,
                                         size_t override_count,
                                         remap_scenario **out,
                                         remap_error *err)
{
    if (out)
        *out = NULL;
    const char *text = remap_embedded_find(remap_scenarios, "default.yaml");
    if (!text)
        return remap_fail(err, REMAP_EIO,
                          "default.yaml is not embedded in this build");
    return remap_scenario_load_text("default.yaml (embedded)", text,
                                    overrides, override_count, out, err);
}

void remap_scenario_destroy(remap_scenario *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->images);
    free(s->source);
    free(s->events);
    free(s->resolved_text);
    free(s);
}
