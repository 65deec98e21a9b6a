/* The scenario document's schema: the libcyaml tables that load it (the
 * parameters' part built from the parameter table), the keys of timeline
 * and schedule entries, the ranges of the other settings, the defaults, and
 * the kinds of event with their readers. */
#include "scenario/scenario_internal.h"

#include "core/suggest.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * The libcyaml schema of struct scn_doc (scenario_internal.h).
 */

#define OPT CYAML_FLAG_OPTIONAL
#define REQ CYAML_FLAG_DEFAULT

static const cyaml_schema_field_t interval_fields[] = {
    CYAML_FIELD_UINT("interval", OPT, struct scn_doc_interval, interval),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t frames_fields[] = {
    CYAML_FIELD_STRING("panels", OPT, struct scn_doc_frames, panels, 1),
    CYAML_FIELD_UINT("width", OPT, struct scn_doc_frames, width),
    CYAML_FIELD_UINT("height", OPT, struct scn_doc_frames, height),
    CYAML_FIELD_UINT("every", OPT, struct scn_doc_frames, every),
    CYAML_FIELD_UINT("compression", OPT, struct scn_doc_frames, compression),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t outputs_fields[] = {
    CYAML_FIELD_BOOL("metrics", OPT, struct scn_doc_outputs, metrics),
    CYAML_FIELD_BOOL("checkpoints", OPT, struct scn_doc_outputs, checkpoints),
    CYAML_FIELD_MAPPING("frames", OPT, struct scn_doc_outputs, frames,
                        frames_fields),
    CYAML_FIELD_END,
};

/* The document's keys before and after the model parameters. */
static const cyaml_schema_field_t head_fields[] = {
    CYAML_FIELD_STRING_PTR("name", OPT, struct scn_doc, name, 1, 200),
    CYAML_FIELD_UINT("seed", OPT, struct scn_doc, seed),
    CYAML_FIELD_UINT("iterations", OPT, struct scn_doc, iterations),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t tail_fields[] = {
    CYAML_FIELD_MAPPING("measure", OPT, struct scn_doc, measure,
                        interval_fields),
    CYAML_FIELD_MAPPING("checkpoint", OPT, struct scn_doc, checkpoint,
                        interval_fields),
    CYAML_FIELD_MAPPING("outputs", OPT, struct scn_doc, outputs,
                        outputs_fields),
    CYAML_FIELD_IGNORE("schedules", OPT),
    CYAML_FIELD_IGNORE("timeline", OPT),
    CYAML_FIELD_END,
};

/* The parameters' schema is built once from the parameter table: each
 * dotted path is a chain of groups (mappings) ending in a leaf. Groups and
 * leaves keep the table's order of first appearance. Every group loads at
 * the same base, the start of remap_params, so a leaf's offset is its
 * table offset. */
#define MAX_GROUPS 64
#define MAX_FIELDS 256
#define MAX_CHOICES 64

struct group {
    char key[32];
    int parent; /* -1: the top level */
};

static struct group groups[MAX_GROUPS];
static int group_count;
static int leaf_group[MAX_FIELDS]; /* [parameter]: its innermost group */
static cyaml_schema_field_t field_pool[MAX_FIELDS];
static size_t field_used;
static cyaml_strval_t choice_pool[MAX_CHOICES];
static size_t choice_used;
static const cyaml_schema_field_t *top_fields;
static cyaml_schema_value_t top_schema;
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

static int find_group(int parent, const char *key, size_t len)
{
    for (int g = 0; g < group_count; g++)
        if (groups[g].parent == parent && strlen(groups[g].key) == len &&
            strncmp(groups[g].key, key, len) == 0)
            return g;
    assert(group_count < MAX_GROUPS && len < sizeof groups[0].key);
    memcpy(groups[group_count].key, key, len);
    groups[group_count].key[len] = '\0';
    groups[group_count].parent = parent;
    return group_count++;
}

/* The child of group g (-1: the top level) on the way to group leaf, or
 * -2 when leaf is not below g. */
static int child_toward(int g, int leaf)
{
    for (int c = leaf; c >= 0; c = groups[c].parent)
        if (groups[c].parent == g)
            return c;
    return -2;
}

static cyaml_schema_field_t *take_fields(size_t n)
{
    assert(field_used + n <= MAX_FIELDS);
    cyaml_schema_field_t *f = &field_pool[field_used];
    field_used += n;
    return f;
}

static cyaml_schema_field_t leaf_field(const remap_param_info *info,
                                       size_t base)
{
    const char *dot = strrchr(info->path, '.');
    cyaml_schema_field_t f = {
        .key = dot ? dot + 1 : info->path,
        .data_offset = (uint32_t)(base + info->offset),
    };
    if (info->choices) {
        size_t n = 0;
        while (info->choices[n])
            n++;
        assert(info->is_int && choice_used + n <= MAX_CHOICES);
        cyaml_strval_t *s = &choice_pool[choice_used];
        for (size_t i = 0; i < n; i++)
            s[i] = (cyaml_strval_t){info->choices[i], (int64_t)i};
        choice_used += n;
        f.value = (cyaml_schema_value_t){
            .type = CYAML_ENUM,
            .flags = OPT | CYAML_FLAG_STRICT,
            .data_size = sizeof(int),
            .enumeration = {.strings = s, .count = (uint32_t)n},
        };
    } else {
        f.value = (cyaml_schema_value_t){
            .type = info->is_int ? CYAML_INT : CYAML_FLOAT,
            .flags = OPT,
            .data_size = info->is_int ? sizeof(int) : sizeof(float),
        };
    }
    return f;
}

/* Keys of parameter groups that are not numbers in the parameter table:
 * `stimulus.images` (a directory of PNG files). Their fields are written
 * after the group's parameters. */
static size_t extra_fields(int g, cyaml_schema_field_t *out)
{
    if (g < 0 || groups[g].parent != -1 ||
        strcmp(groups[g].key, "stimulus") != 0)
        return 0;
    if (out)
        out[0] = (cyaml_schema_field_t){
            .key = "images",
            .data_offset = (uint32_t)(offsetof(struct scn_doc, images) -
                                      offsetof(struct scn_doc, params)),
            .value = {.type = CYAML_STRING, .flags = CYAML_FLAG_OPTIONAL,
                      .data_size = 1,
                      .string = {.min = 1, .max = SCN_IMAGES_LEN - 1}},
        };
    return 1;
}

/* Writes the fields of group g (-1: the parameters at the top level) into
 * out, which has room; base is the offset of remap_params from the
 * mapping that holds them. Returns the count written. */
static size_t group_fields(int g, cyaml_schema_field_t *out, size_t base)
{
    size_t count;
    const remap_param_info *t = remap_param_table(&count);
    bool seen[MAX_GROUPS] = {false};
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (leaf_group[i] == g) {
            out[n++] = leaf_field(&t[i], base);
            continue;
        }
        int c = child_toward(g, leaf_group[i]);
        if (c < 0 || seen[c])
            continue;
        seen[c] = true;
        /* Count the child's own fields first. */
        size_t kids = extra_fields(c, NULL);
        bool kid_seen[MAX_GROUPS] = {false};
        for (size_t j = 0; j < count; j++) {
            if (leaf_group[j] == c) {
                kids++;
                continue;
            }
            int cc = child_toward(c, leaf_group[j]);
            if (cc >= 0 && !kid_seen[cc]) {
                kid_seen[cc] = true;
                kids++;
            }
        }
        cyaml_schema_field_t *sub = take_fields(kids + 1);
        size_t wrote = group_fields(c, sub, 0);
        assert(wrote == kids);
        sub[wrote] = (cyaml_schema_field_t)CYAML_FIELD_END;
        out[n++] = (cyaml_schema_field_t){
            .key = groups[c].key,
            .data_offset = (uint32_t)base,
            .value = {.type = CYAML_MAPPING, .flags = OPT, .data_size = 0,
                      .mapping = {.fields = sub}},
        };
    }
    /* Extra fields are relative to remap_params like the leaves; groups
     * below the top level are written with base 0. */
    assert(g < 0 || base == 0);
    n += extra_fields(g, out + n);
    return n;
}

static void build_schema(void)
{
    size_t count;
    const remap_param_info *t = remap_param_table(&count);
    assert(count <= MAX_FIELDS);
    for (size_t i = 0; i < count; i++) {
        int g = -1;
        const char *seg = t[i].path;
        for (const char *dot; (dot = strchr(seg, '.')); seg = dot + 1)
            g = find_group(g, seg, (size_t)(dot - seg));
        leaf_group[i] = g;
    }
    size_t head = sizeof head_fields / sizeof head_fields[0] - 1;
    size_t tail = sizeof tail_fields / sizeof tail_fields[0];
    /* The top level holds at most one field per parameter. */
    cyaml_schema_field_t scratch[MAX_FIELDS];
    size_t params = group_fields(-1, scratch, offsetof(struct scn_doc,
                                                       params));
    cyaml_schema_field_t *top = take_fields(head + params + tail);
    memcpy(top, head_fields, head * sizeof *top);
    memcpy(top + head, scratch, params * sizeof *top);
    memcpy(top + head + params, tail_fields, tail * sizeof *top);
    top_fields = top;
    top_schema = (cyaml_schema_value_t){
        CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct scn_doc, top),
    };
}

const cyaml_schema_field_t *remap__scn_top_fields(void)
{
    pthread_once(&schema_once, build_schema);
    return top_fields;
}

const cyaml_schema_value_t *remap__scn_top_schema(void)
{
    pthread_once(&schema_once, build_schema);
    return &top_schema;
}

/* ------------------------------------------------------------------------
 * The keys of timeline and schedule entries, for the walk (libcyaml does
 * not load these; offsets are unused). CYAML_IGNORE: read by the event's
 * reader, which checks the value's type itself.
 */

#define K_NUM(k, flags_)                                                     \
    {.key = k, .value = {.type = CYAML_FLOAT, .flags = flags_,              \
                         .data_size = sizeof(double)}}
#define K_WHOLE(k, flags_)                                                   \
    {.key = k, .value = {.type = CYAML_UINT, .flags = flags_,               \
                         .data_size = sizeof(uint64_t)}}
#define K_STR(k, flags_, lo, hi)                                             \
    {.key = k, .value = {.type = CYAML_STRING, .flags = flags_,             \
                         .data_size = 1, .string = {.min = lo, .max = hi}}}
#define K_ANY(k, flags_) {.key = k, .value = {.type = CYAML_IGNORE, .flags = flags_}}
#define K_MAP(k, flags_, fields_)                                            \
    {.key = k, .value = {.type = CYAML_MAPPING, .flags = flags_,            \
                         .mapping = {.fields = fields_}}}

static const cyaml_schema_field_t set_keys[] = {
    K_STR("path", REQ, 1, 127),
    K_ANY("value", REQ),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t checkpoint_keys[] = {
    K_STR("label", OPT, 0, 63),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t disc_keys[] = {
    K_ANY("centre", REQ),
    K_NUM("radius", REQ),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t penumbra_keys[] = {
    K_NUM("width", REQ),
    K_NUM("gain", REQ),
    K_WHOLE("recovery", OPT),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t lesion_keys[] = {
    K_MAP("disc", OPT, disc_keys),
    K_ANY("polygon", OPT),
    K_MAP("penumbra", OPT, penumbra_keys),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t deafferent_keys[] = {
    K_ANY("regions", REQ),
    K_WHOLE("until", OPT),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t regions_keys[] = {
    K_ANY("regions", REQ),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t enrich_keys[] = {
    K_ANY("regions", OPT),
    K_ANY("spot", OPT),
    K_NUM("factor", REQ),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t rehab_keys[] = {
    K_ANY("regions", REQ),
    K_WHOLE("until", REQ),
    K_NUM("focus", OPT),
    K_NUM("gain", OPT),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t sleep_keys[] = {
    K_WHOLE("until", REQ),
    K_NUM("noise", OPT),
    K_NUM("downscale", OPT),
    K_NUM("weak", OPT),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t age_keys[] = {
    K_NUM("value", REQ),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t modulate_keys[] = {
    K_MAP("disc", OPT, disc_keys),
    K_ANY("polygon", OPT),
    K_NUM("factor", REQ),
    K_WHOLE("until", OPT),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t scotoma_keys[] = {
    K_MAP("disc", OPT, disc_keys),
    K_ANY("polygon", OPT),
    K_ANY("eyes", OPT),
    CYAML_FIELD_END,
};

/* A timeline entry: `at` plus one optional key per event kind (in the
 * order of remap__scn_event_kinds below, which says what each means). */
const cyaml_schema_field_t remap__scn_event_fields[] = {
    K_WHOLE("at", REQ),
    K_MAP("set", OPT, set_keys),
    K_MAP("checkpoint", OPT, checkpoint_keys),
    K_MAP("lesion", OPT, lesion_keys),
    K_MAP("deafferent", OPT, deafferent_keys),
    K_MAP("restore", OPT, regions_keys),
    K_MAP("fuse", OPT, regions_keys),
    K_MAP("enrich", OPT, enrich_keys),
    K_MAP("rehab", OPT, rehab_keys),
    K_MAP("sleep", OPT, sleep_keys),
    K_MAP("age", OPT, age_keys),
    K_MAP("modulate", OPT, modulate_keys),
    K_MAP("scotoma", OPT, scotoma_keys),
    CYAML_FIELD_END,
};

const cyaml_schema_field_t remap__scn_schedule_fields[] = {
    K_STR("path", REQ, 1, 127),
    K_WHOLE("every", OPT),
    K_ANY("points", REQ),
    CYAML_FIELD_END,
};

#undef K_NUM
#undef K_WHOLE
#undef K_STR
#undef K_ANY
#undef K_MAP
#undef OPT
#undef REQ

/* ------------------------------------------------------------------------
 * The other settings, and the defaults.
 */

/* Ranges of the numbers that are not model parameters (those have theirs in
 * the parameter table). Timeline `at` is checked against `iterations`. */
static const struct scn_setting settings[] = {
    {"seed", 0, UINT64_MAX},
    {"iterations", 1, UINT64_MAX},
    {"measure.interval", 1, UINT64_MAX},
    {"checkpoint.interval", 0, UINT64_MAX},
    {"outputs.frames.width", 320, 8192},
    {"outputs.frames.height", 240, 8192},
    {"outputs.frames.every", 0, UINT64_MAX},
    {"outputs.frames.compression", 0, 9},
};

const struct scn_setting *remap__scn_find_setting(const char *path)
{
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (strcmp(settings[i].path, path) == 0)
            return &settings[i];
    return NULL;
}

/* Values of keys left out of a file. */
void remap__scn_doc_defaults(struct scn_doc *d)
{
    memset(d, 0, sizeof *d);
    d->seed = 1;
    d->iterations = 20000;
    remap_params_default(&d->params);
    d->measure.interval = 1000;
    d->checkpoint.interval = 0;
    d->outputs.metrics = true;
    d->outputs.checkpoints = true;
    snprintf(d->outputs.frames.panels, sizeof d->outputs.frames.panels, "%s",
             "map,activity,skin,plot");
    d->outputs.frames.width = 1280;
    d->outputs.frames.height = 720;
    d->outputs.frames.every = 0;
    d->outputs.frames.compression = 3;
}

/* ------------------------------------------------------------------------
 * Looking keys up in the schema.
 */

const cyaml_schema_field_t *remap__scn_find_field(
    const cyaml_schema_field_t *f, const char *key)
{
    for (; f->key; f++)
        if (strcmp(f->key, key) == 0)
            return f;
    return NULL;
}

const char *remap__scn_suggestion(char *buf, size_t size, const char *word,
                                  const char *const *names, size_t count)
{
    const char *near = remap_suggest(word, names, count);
    if (near)
        snprintf(buf, size, " (did you mean '%s'?)", near);
    else
        buf[0] = '\0';
    return buf;
}

const char *remap__scn_key_suggestion(char *buf, size_t size,
                                      const char *word,
                                      const cyaml_schema_field_t *fields)
{
    const char *names[64];
    size_t n = 0;
    for (const cyaml_schema_field_t *f = fields; f->key && n < 64; f++)
        names[n++] = f->key;
    return remap__scn_suggestion(buf, size, word, names, n);
}

/* Paths are built from schema keys only (unknown keys are never descended
 * into), so the cut never happens in practice. */
void remap__scn_join_path(char *out, const char *parent, const char *key)
{
    size_t n = 0;
    for (const char *c = parent; *c && n < SCN_PATH_LEN - 1; c++)
        out[n++] = *c;
    if (parent[0] && n < SCN_PATH_LEN - 1)
        out[n++] = '.';
    for (const char *c = key; *c && n < SCN_PATH_LEN - 1; c++)
        out[n++] = *c;
    out[n] = '\0';
}

/* ------------------------------------------------------------------------
 * Event kinds. The walk checks an entry's keys and types (walk.c); each
 * kind's reader checks its values and fills the event.
 */

/* Learning factors share plasticity.modulation's range; frequency
 * factors (enrich, rehab focus) are positive up to 1000. */
#define FACTOR_MAX 1000.0
#define LEARN_MAX 100.0
#define AGE_MAX 1e12

static void read_lesion(struct scn_loader *L, int id, const char *path,
                        struct scn_entry *e)
{
    remap__scn_read_shape(L, id, path, &e->ev.shape);
    e->ev.penumbra_width = 0.0f;
    e->ev.penumbra_gain = 1.0f;
    e->ev.penumbra_recovery = 0;
    int pen = remap__scn_value_of(L, id, "penumbra");
    if (!pen)
        return;
    char sub[SCN_PATH_LEN];
    remap__scn_join_path(sub, path, "penumbra");
    double v;
    uint64_t r;
    if (remap__scn_read_number(L, pen, "width", sub, 0, 1, false, &v))
        e->ev.penumbra_width = (float)v;
    if (remap__scn_read_number(L, pen, "gain", sub, 0, 1, false, &v))
        e->ev.penumbra_gain = (float)v;
    if (remap__scn_read_whole(L, pen, "recovery", sub, 0, UINT64_MAX, &r))
        e->ev.penumbra_recovery = r;
}

static void read_deafferent(struct scn_loader *L, int id, const char *path,
                            struct scn_entry *e)
{
    remap__scn_read_regions(L, id, "regions", path, 1, &e->ev.regions);
    e->has_until = remap__scn_value_of(L, id, "until") != 0;
    if (e->has_until)
        remap__scn_read_until(L, id, path, e, &e->ev.until);
}

static void read_restore(struct scn_loader *L, int id, const char *path,
                         struct scn_entry *e)
{
    remap__scn_read_regions(L, id, "regions", path, 1, &e->ev.regions);
}

/* True (after a message) when the layout is visual: touches are drawn on
 * the skin only, so an event that changes touches would do nothing. */
static bool touch_only(struct scn_loader *L, int id, const char *path)
{
    if (L->layout < 0 || !remap_layout_is_visual(L->layout))
        return false;
    remap__scn_diag_at(L, id, "%s: changes how the skin is touched, which "
                       "the %s layout has no skin for (its stimuli are "
                       "drawn on the retina)",
                       path, remap_layout_name(L->layout));
    return true;
}

static void read_fuse(struct scn_loader *L, int id, const char *path,
                      struct scn_entry *e)
{
    if (touch_only(L, id, path))
        return;
    remap__scn_read_regions(L, id, "regions", path, 2, &e->ev.regions);
}

static void read_enrich(struct scn_loader *L, int id, const char *path,
                        struct scn_entry *e)
{
    if (touch_only(L, id, path))
        return;
    bool regions = remap__scn_value_of(L, id, "regions") != 0;
    bool spot = remap__scn_value_of(L, id, "spot") != 0;
    if (regions && spot)
        remap__scn_diag_at(L, id, "%s: has both regions and spot; enrich "
                           "either regions or one spot", path);
    else if (!regions && !spot)
        remap__scn_diag_at(L, id, "%s: needs regions (a list of region "
                           "names) or spot ([x0, y0, x1, y1])", path);
    else if (regions)
        remap__scn_read_regions(L, id, "regions", path, 1, &e->ev.regions);
    else
        e->ev.has_spot =
            remap__scn_read_spot(L, id, "spot", path, e->ev.spot);
    double v;
    if (remap__scn_read_number(L, id, "factor", path, 0, FACTOR_MAX, true,
                               &v))
        e->ev.factor = (float)v;
}

static void read_rehab(struct scn_loader *L, int id, const char *path,
                       struct scn_entry *e)
{
    if (touch_only(L, id, path))
        return;
    remap__scn_read_regions(L, id, "regions", path, 1, &e->ev.regions);
    e->has_until = true;
    remap__scn_read_until(L, id, path, e, &e->ev.until);
    double v;
    e->ev.factor = 4.0f;
    e->ev.gain = 2.0f;
    if (remap__scn_read_number(L, id, "focus", path, 0, FACTOR_MAX, true,
                               &v))
        e->ev.factor = (float)v;
    if (remap__scn_read_number(L, id, "gain", path, 0, LEARN_MAX, false, &v))
        e->ev.gain = (float)v;
}

static void read_sleep(struct scn_loader *L, int id, const char *path,
                       struct scn_entry *e)
{
    static const char *const keys[3] = {"noise", "downscale", "weak"};
    e->has_until = true;
    remap__scn_read_until(L, id, path, e, &e->ev.until);
    float *dst[3] = {&e->ev.sleep.noise, &e->ev.sleep.downscale,
                     &e->ev.sleep.weak};
    for (int i = 0; i < 3; i++) {
        char param[32];
        snprintf(param, sizeof param, "sleep.%s", keys[i]);
        const remap_param_info *info = remap_param_find(param);
        assert(info);
        double v;
        if (remap__scn_read_number(L, id, keys[i], path, info->min,
                                   info->max, false, &v)) {
            *dst[i] = (float)v;
            e->sleep_given[i] = true;
        }
    }
}

static void read_age(struct scn_loader *L, int id, const char *path,
                     struct scn_entry *e)
{
    double v;
    if (remap__scn_read_number(L, id, "value", path, 0, AGE_MAX, false, &v))
        e->ev.value = v;
}

static void read_modulate(struct scn_loader *L, int id, const char *path,
                          struct scn_entry *e)
{
    remap__scn_read_shape(L, id, path, &e->ev.shape);
    double v;
    if (remap__scn_read_number(L, id, "factor", path, 0, LEARN_MAX, false,
                               &v))
        e->ev.factor = (float)v;
    e->has_until = remap__scn_value_of(L, id, "until") != 0;
    if (e->has_until)
        remap__scn_read_until(L, id, path, e, &e->ev.until);
}

/* A retinal lesion: a shape of the visual field (the sheet's coordinates,
 * which the retina shares with the cortex) and the eyes it blinds, all by
 * default. */
static void read_scotoma(struct scn_loader *L, int id, const char *path,
                         struct scn_entry *e)
{
    if (L->layout >= 0 && !remap_layout_is_visual(L->layout)) {
        remap__scn_diag_at(L, id, "%s: a retinal lesion needs a visual "
                           "layout (sheets.skin.layout: retina or "
                           "binocular), not %s",
                           path, remap_layout_name(L->layout));
        return;
    }
    remap__scn_read_shape(L, id, path, &e->ev.shape);
    if (L->layout < 0)
        return;
    if (remap__scn_value_of(L, id, "eyes"))
        remap__scn_read_regions(L, id, "eyes", path, 1, &e->ev.regions);
    else
        e->ev.regions = (1u << remap_layout_eyes(L->layout)) - 1u;
}

#define NO_END REMAP_EVENT_KIND_COUNT

const struct scn_event_kind remap__scn_event_kinds[] = {
    {"set", REMAP_EVENT_SET, NO_END, remap__scn_read_set},
    {"checkpoint", REMAP_EVENT_CHECKPOINT, NO_END,
     remap__scn_read_checkpoint},
    {"lesion", REMAP_EVENT_LESION, NO_END, read_lesion},
    {"deafferent", REMAP_EVENT_DEAFFERENT, REMAP_EVENT_RESTORE,
     read_deafferent},
    {"restore", REMAP_EVENT_RESTORE, NO_END, read_restore},
    {"fuse", REMAP_EVENT_FUSE, NO_END, read_fuse},
    {"enrich", REMAP_EVENT_ENRICH, NO_END, read_enrich},
    {"rehab", REMAP_EVENT_REHAB_START, REMAP_EVENT_REHAB_END, read_rehab},
    {"sleep", REMAP_EVENT_SLEEP_START, REMAP_EVENT_SLEEP_END, read_sleep},
    {"age", REMAP_EVENT_AGE, NO_END, read_age},
    {"modulate", REMAP_EVENT_MODULATE, REMAP_EVENT_MODULATE, read_modulate},
    {"scotoma", REMAP_EVENT_SCOTOMA, NO_END, read_scotoma},
};
const size_t remap__scn_event_kind_count =
    sizeof remap__scn_event_kinds / sizeof remap__scn_event_kinds[0];

#undef NO_END

/* ------------------------------------------------------------------------
 * Names of event kinds.
 */

const char *remap_event_key(remap_event_kind kind)
{
    switch (kind) {
    case REMAP_EVENT_SET:
        return "set";
    case REMAP_EVENT_CHECKPOINT:
        return "checkpoint";
    case REMAP_EVENT_LESION:
        return "lesion";
    case REMAP_EVENT_DEAFFERENT:
        return "deafferent";
    case REMAP_EVENT_RESTORE:
        return "restore";
    case REMAP_EVENT_FUSE:
        return "fuse";
    case REMAP_EVENT_ENRICH:
        return "enrich";
    case REMAP_EVENT_REHAB_START:
    case REMAP_EVENT_REHAB_END:
        return "rehab";
    case REMAP_EVENT_SLEEP_START:
    case REMAP_EVENT_SLEEP_END:
        return "sleep";
    case REMAP_EVENT_AGE:
        return "age";
    case REMAP_EVENT_MODULATE:
        return "modulate";
    case REMAP_EVENT_SCOTOMA:
        return "scotoma";
    default:
        return "?";
    }
}

const char *remap_event_name(remap_event_kind kind)
{
    switch (kind) {
    case REMAP_EVENT_REHAB_START:
        return "rehab-start";
    case REMAP_EVENT_REHAB_END:
        return "rehab-end";
    case REMAP_EVENT_SLEEP_START:
        return "sleep-start";
    case REMAP_EVENT_SLEEP_END:
        return "sleep-end";
    default:
        return remap_event_key(kind);
    }
}
