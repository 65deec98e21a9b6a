/* Scenario loading: libyaml parses the text into a node tree (which keeps a
 * line and column for every node), command-line overrides edit that tree,
 * a walk checks it against the libcyaml schema (keys, types, ranges, event
 * rules) and collects every error with its place, and only a document that
 * passes is handed to libcyaml, whose own messages carry no line numbers. */
#include "scenario/scenario.h"

#include "core/embedded.h"
#include "core/suggest.h"

#include <cyaml/cyaml.h>
#include <yaml.h>

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * The document as libcyaml loads it. Model parameters load straight into a
 * remap_params: the YAML groups (sheets, projections, …) map onto runs of
 * consecutive members, so the schema offsets below are offsets into it.
 */

struct doc_set {
    char path[128];
    double value;
};

struct doc_checkpoint {
    char label[64];
};

/* One pointer per event kind; exactly one is set in a loaded event. */
struct doc_event {
    uint64_t at;
    struct doc_set *set;
    struct doc_checkpoint *checkpoint;
};

struct doc_interval {
    uint64_t interval;
};

struct doc_outputs {
    bool metrics;
    bool checkpoints;
};

struct doc {
    char *name;
    uint64_t seed;
    uint64_t iterations;
    remap_params params;
    struct doc_interval measure;
    struct doc_interval checkpoint;
    struct doc_outputs outputs;
    struct doc_event *timeline;
    unsigned timeline_count;
};

#define OPT CYAML_FLAG_OPTIONAL

/* A field at an explicit offset, for members grouped differently in YAML
 * and in C (the libcyaml helpers take one struct member each). */
#define FIELD_AT(key_, type_, size_, offset_)                                \
    {                                                                        \
        .key = key_, .data_offset = (uint32_t)(offset_),                     \
        .value = {.type = type_, .flags = OPT, .data_size = (size_)},       \
    }
#define FLOAT_AT(key, offset) FIELD_AT(key, CYAML_FLOAT, sizeof(float), offset)
#define MAPPING_AT(key_, offset_, fields_)                                   \
    {                                                                        \
        .key = key_, .data_offset = (uint32_t)(offset_),                     \
        .value = {.type = CYAML_MAPPING, .flags = OPT, .data_size = 0,       \
                  .mapping = {.fields = fields_}},                           \
    }
/* Offset of a remap_params member from the first member of its group. */
#define PARAM_REL(member, first)                                             \
    (offsetof(remap_params, member) - offsetof(remap_params, first))
#define FREQ_AT(r)                                                           \
    (offsetof(remap_stimulus_params, frequency[r]) -                         \
     offsetof(remap_stimulus_params, frequency))

static const cyaml_schema_field_t sheet_fields[] = {
    FLOAT_AT("density", offsetof(remap_sheet_params, density)),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t sheets_fields[] = {
    MAPPING_AT("skin", PARAM_REL(skin, skin), sheet_fields),
    MAPPING_AT("cortex", PARAM_REL(cortex, skin), sheet_fields),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t frequency_fields[] = {
    FLOAT_AT("palm", FREQ_AT(REMAP_REGION_PALM)),
    FLOAT_AT("d1", FREQ_AT(REMAP_REGION_D1)),
    FLOAT_AT("d2", FREQ_AT(REMAP_REGION_D2)),
    FLOAT_AT("d3", FREQ_AT(REMAP_REGION_D3)),
    FLOAT_AT("d4", FREQ_AT(REMAP_REGION_D4)),
    FLOAT_AT("d5", FREQ_AT(REMAP_REGION_D5)),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t stimulus_fields[] = {
    FLOAT_AT("sigma", offsetof(remap_stimulus_params, sigma)),
    FLOAT_AT("peak", offsetof(remap_stimulus_params, peak)),
    MAPPING_AT("frequency", offsetof(remap_stimulus_params, frequency),
               frequency_fields),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t afferent_fields[] = {
    FLOAT_AT("radius", offsetof(remap_afferent_params, radius)),
    FLOAT_AT("sigma", offsetof(remap_afferent_params, sigma)),
    FLOAT_AT("strength", offsetof(remap_afferent_params, strength)),
    FLOAT_AT("learning_rate", offsetof(remap_afferent_params, learning_rate)),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t lateral_fields[] = {
    FLOAT_AT("radius", offsetof(remap_lateral_params, radius)),
    FLOAT_AT("sigma", offsetof(remap_lateral_params, sigma)),
    FLOAT_AT("strength", offsetof(remap_lateral_params, strength)),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t projections_fields[] = {
    MAPPING_AT("afferent", PARAM_REL(afferent, afferent), afferent_fields),
    MAPPING_AT("lateral_excitatory", PARAM_REL(excitatory, afferent),
               lateral_fields),
    MAPPING_AT("lateral_inhibitory", PARAM_REL(inhibitory, afferent),
               lateral_fields),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t settling_fields[] = {
    FIELD_AT("steps", CYAML_INT, sizeof(int), 0),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t homeostasis_fields[] = {
    FLOAT_AT("smoothing", offsetof(remap_homeostasis_params, smoothing)),
    FLOAT_AT("rate", offsetof(remap_homeostasis_params, rate)),
    FLOAT_AT("target", offsetof(remap_homeostasis_params, target)),
    FLOAT_AT("initial_threshold",
             offsetof(remap_homeostasis_params, initial_threshold)),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t interval_fields[] = {
    CYAML_FIELD_UINT("interval", OPT, struct doc_interval, interval),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t outputs_fields[] = {
    CYAML_FIELD_BOOL("metrics", OPT, struct doc_outputs, metrics),
    CYAML_FIELD_BOOL("checkpoints", OPT, struct doc_outputs, checkpoints),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t set_fields[] = {
    CYAML_FIELD_STRING("path", CYAML_FLAG_DEFAULT, struct doc_set, path, 1),
    CYAML_FIELD_FLOAT("value", CYAML_FLAG_DEFAULT, struct doc_set, value),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t checkpoint_fields[] = {
    CYAML_FIELD_STRING("label", OPT, struct doc_checkpoint, label, 0),
    CYAML_FIELD_END,
};

/* A timeline entry: `at` plus one optional key per event kind (listed again
 * in event_kinds below, which says what each kind means). */
static const cyaml_schema_field_t event_fields[] = {
    CYAML_FIELD_UINT("at", CYAML_FLAG_DEFAULT, struct doc_event, at),
    CYAML_FIELD_MAPPING_PTR("set", OPT, struct doc_event, set, set_fields),
    CYAML_FIELD_MAPPING_PTR("checkpoint", OPT, struct doc_event, checkpoint,
                            checkpoint_fields),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t event_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct doc_event, event_fields),
};

static const cyaml_schema_field_t top_fields[] = {
    CYAML_FIELD_STRING_PTR("name", OPT, struct doc, name, 1, 200),
    CYAML_FIELD_UINT("seed", OPT, struct doc, seed),
    CYAML_FIELD_UINT("iterations", OPT, struct doc, iterations),
    MAPPING_AT("sheets", offsetof(struct doc, params.skin), sheets_fields),
    MAPPING_AT("stimulus", offsetof(struct doc, params.stimulus),
               stimulus_fields),
    MAPPING_AT("projections", offsetof(struct doc, params.afferent),
               projections_fields),
    MAPPING_AT("settling", offsetof(struct doc, params.settle_steps),
               settling_fields),
    MAPPING_AT("homeostasis", offsetof(struct doc, params.homeostasis),
               homeostasis_fields),
    CYAML_FIELD_MAPPING("measure", OPT, struct doc, measure, interval_fields),
    CYAML_FIELD_MAPPING("checkpoint", OPT, struct doc, checkpoint,
                        interval_fields),
    CYAML_FIELD_MAPPING("outputs", OPT, struct doc, outputs, outputs_fields),
    CYAML_FIELD_SEQUENCE_COUNT("timeline", OPT | CYAML_FLAG_POINTER,
                               struct doc, timeline, timeline_count,
                               &event_schema, 0, CYAML_UNLIMITED),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t top_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct doc, top_fields),
};

#undef FIELD_AT
#undef FLOAT_AT
#undef MAPPING_AT
#undef PARAM_REL
#undef FREQ_AT
#undef OPT

/* Ranges of the numbers that are not model parameters (those have theirs in
 * the parameter table). Timeline `at` is checked against `iterations`. */
static const struct setting {
    const char *path;
    uint64_t min, max;
} settings[] = {
    {"seed", 0, UINT64_MAX},
    {"iterations", 1, UINT64_MAX},
    {"measure.interval", 1, UINT64_MAX},
    {"checkpoint.interval", 0, UINT64_MAX},
};

static const struct setting *find_setting(const char *path)
{
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (strcmp(settings[i].path, path) == 0)
            return &settings[i];
    return NULL;
}

/* Values of keys left out of a file. */
static void doc_defaults(struct doc *d)
{
    memset(d, 0, sizeof *d);
    d->seed = 1;
    d->iterations = 20000;
    remap_params_default(&d->params);
    d->measure.interval = 1000;
    d->checkpoint.interval = 0;
    d->outputs.metrics = true;
    d->outputs.checkpoints = true;
}

/* ------------------------------------------------------------------------
 * Diagnostics. Every error found is kept with its place, then all are
 * sorted (overrides first, then by line) and joined one per line.
 */

#define MAX_DIAGS 200
#define PATH_LEN 128

struct diag {
    int origin;      /* override index, or -1 for the file */
    int line, col;   /* 1-based; 0 when the error has no place in the file */
    size_t seq;      /* order found, to keep the sort stable */
    char *text;
};

/* A leaf value seen in the document: where it was written, so that later
 * checks (relations between values, defaults) know it is there. */
struct place {
    char path[PATH_LEN];
    int origin, line, col;
};

/* A timeline entry seen by the walk. */
struct seen_event {
    int line, col;
    int at_node; /* node id of the `at` value, 0 if absent */
};

struct loader {
    const char *source;
    const char *const *overrides;
    size_t override_count;

    yaml_document_t doc;
    bool have_doc;
    int *node_origin; /* [node id - 1]: override index, -1 for the file */
    size_t node_origin_len;

    struct diag *diags;
    size_t diag_count, diags_dropped;
    struct place *places;
    size_t place_count, place_cap;
    struct seen_event *events;
    size_t event_count, event_cap;

    bool nomem;
    char cyaml_msg[256];
};

static void add_diag_v(struct loader *L, int origin, int line, int col,
                       const char *fmt, va_list ap)
{
    if (L->diag_count == MAX_DIAGS) {
        L->diags_dropped++;
        return;
    }
    if (!L->diags) {
        L->diags = calloc(MAX_DIAGS, sizeof *L->diags);
        if (!L->diags) {
            L->nomem = true;
            return;
        }
    }
    char text[1024];
    vsnprintf(text, sizeof text, fmt, ap);
    char *copy = strdup(text);
    if (!copy) {
        L->nomem = true;
        return;
    }
    L->diags[L->diag_count] = (struct diag){origin, line, col,
                                            L->diag_count, copy};
    L->diag_count++;
}

static yaml_node_t *node_at(struct loader *L, int id)
{
    return yaml_document_get_node(&L->doc, id);
}

static int node_origin(const struct loader *L, int id)
{
    size_t i = (size_t)id - 1;
    return i < L->node_origin_len ? L->node_origin[i] : -1;
}

static void node_place(struct loader *L, int id, int *origin, int *line,
                       int *col)
{
    yaml_node_t *n = node_at(L, id);
    *origin = node_origin(L, id);
    *line = *origin < 0 && n ? (int)n->start_mark.line + 1 : 0;
    *col = *origin < 0 && n ? (int)n->start_mark.column + 1 : 0;
}

/* An error at a node of the document (or at the override that made it). */
__attribute__((format(printf, 3, 4)))
static void diag_at(struct loader *L, int id, const char *fmt, ...)
{
    int origin, line, col;
    node_place(L, id, &origin, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    add_diag_v(L, origin, line, col, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 3, 4)))
static void diag_override(struct loader *L, size_t index, const char *fmt,
                          ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag_v(L, (int)index, 0, 0, fmt, ap);
    va_end(ap);
}

static int diag_cmp(const void *pa, const void *pb)
{
    const struct diag *a = pa, *b = pb;
    int ka = a->origin >= 0 ? 0 : 1, kb = b->origin >= 0 ? 0 : 1;
    if (ka != kb)
        return ka - kb;
    if (a->origin != b->origin)
        return a->origin < b->origin ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Writes "place: text" for one diagnostic at buf[*len], within size. */
static void append_diag(char *buf, size_t size, size_t *len,
                        const struct loader *L, const struct diag *d)
{
    int n;
    if (d->origin >= 0)
        n = snprintf(buf + *len, size - *len, "%s--set %s: %s",
                     *len ? "\n" : "", L->overrides[d->origin], d->text);
    else if (d->line > 0)
        n = snprintf(buf + *len, size - *len, "%s%s:%d:%d: %s",
                     *len ? "\n" : "", L->source, d->line, d->col, d->text);
    else
        n = snprintf(buf + *len, size - *len, "%s%s: %s", *len ? "\n" : "",
                     L->source, d->text);
    if (n > 0)
        *len += (size_t)n < size - *len ? (size_t)n : size - *len - 1;
}

static remap_status report(struct loader *L, remap_error *err)
{
    if (L->nomem)
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", L->source);
    qsort(L->diags, L->diag_count, sizeof *L->diags, diag_cmp);
    if (!err)
        return REMAP_ESCENARIO;
    /* Leave room for the closing count line. */
    size_t room = sizeof err->msg - 64, len = 0;
    size_t shown = 0;
    err->msg[0] = '\0';
    for (; shown < L->diag_count; shown++) {
        size_t before = len;
        append_diag(err->msg, room, &len, L, &L->diags[shown]);
        if (len + 1 >= room) {
            len = before;
            err->msg[len] = '\0';
            break;
        }
    }
    size_t more = L->diag_count - shown + L->diags_dropped;
    if (more)
        snprintf(err->msg + len, sizeof err->msg - len,
                 "\n%s: %zu more error%s not shown", L->source, more,
                 more == 1 ? "" : "s");
    err->status = REMAP_ESCENARIO;
    return REMAP_ESCENARIO;
}

/* ------------------------------------------------------------------------
 * Small helpers.
 */

/* out = parent.key (or key at the top level), cut to PATH_LEN - 1
 * characters. Paths are built from schema keys only (unknown keys are never
 * descended into), so the cut never happens in practice. */
static void join_path(char *out, const char *parent, const char *key)
{
    size_t n = 0;
    for (const char *c = parent; *c && n < PATH_LEN - 1; c++)
        out[n++] = *c;
    if (parent[0] && n < PATH_LEN - 1)
        out[n++] = '.';
    for (const char *c = key; *c && n < PATH_LEN - 1; c++)
        out[n++] = *c;
    out[n] = '\0';
}

/* " in projections.afferent", or "" at the top level. */
static const char *in_clause(char *buf, size_t size, const char *path)
{
    if (path[0])
        snprintf(buf, size, " in %s", path);
    else
        buf[0] = '\0';
    return buf;
}

static const cyaml_schema_field_t *find_field(const cyaml_schema_field_t *f,
                                              const char *key)
{
    for (; f->key; f++)
        if (strcmp(f->key, key) == 0)
            return f;
    return NULL;
}

/* " (did you mean 'x'?)" for the nearest key of a mapping, or "". */
static const char *key_suggestion(char *buf, size_t size, const char *word,
                                  const cyaml_schema_field_t *fields)
{
    const char *names[32];
    size_t n = 0;
    for (const cyaml_schema_field_t *f = fields; f->key && n < 32; f++)
        names[n++] = f->key;
    const char *near = remap_suggest(word, names, n);
    if (near)
        snprintf(buf, size, " (did you mean '%s'?)", near);
    else
        buf[0] = '\0';
    return buf;
}

/* How a node looks, for "found …" in messages. */
static const char *describe(char *buf, size_t size, const yaml_node_t *n)
{
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE)
        return "a sequence";
    const char *s = (const char *)n->data.scalar.value;
    if (n->data.scalar.length == 0)
        return "nothing";
    if (n->data.scalar.length > 40)
        snprintf(buf, size, "'%.37s...'", s);
    else
        snprintf(buf, size, "'%s'", s);
    return buf;
}

/* A decimal whole number as libcyaml reads it: libcyaml's strtoll takes a
 * leading 0 as octal and stops silently at a '.', so only plain decimal
 * digits are accepted here. */
static bool parse_whole(const char *s, bool *negative, uint64_t *value,
                        bool *overflow)
{
    *negative = *s == '-';
    if (*s == '+' || *s == '-')
        s++;
    if (!isdigit((unsigned char)*s) || (s[0] == '0' && s[1]))
        return false;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    errno = 0;
    *value = strtoull(s, NULL, 10);
    *overflow = errno == ERANGE;
    return true;
}

static bool parse_real(const char *s, double *value)
{
    if (!*s || isspace((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    *value = strtod(s, &end);
    return *end == '\0' && isfinite(*value);
}

static bool parse_bool(const char *s)
{
    static const char *const words[] = {"true", "false", "yes",
                                        "no",   "on",    "off"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t k = 0;
        while (words[i][k] && tolower((unsigned char)s[k]) == words[i][k])
            k++;
        if (!words[i][k] && !s[k])
            return true;
    }
    return false;
}

static const char *expected_word(const cyaml_schema_value_t *v)
{
    switch (v->type) {
    case CYAML_FLOAT:
        return "a number";
    case CYAML_INT:
    case CYAML_UINT:
        return "a whole number";
    case CYAML_BOOL:
        return "true or false";
    case CYAML_STRING:
        return "a string";
    case CYAML_MAPPING:
        return "a mapping";
    case CYAML_SEQUENCE:
        return "a sequence";
    default:
        return "a value";
    }
}

static struct place *find_place(struct loader *L, const char *path)
{
    for (size_t i = 0; i < L->place_count; i++)
        if (strcmp(L->places[i].path, path) == 0)
            return &L->places[i];
    return NULL;
}

static void add_place(struct loader *L, const char *path, int id)
{
    if (L->place_count == L->place_cap) {
        size_t cap = L->place_cap ? 2 * L->place_cap : 64;
        struct place *p = realloc(L->places, cap * sizeof *p);
        if (!p) {
            L->nomem = true;
            return;
        }
        L->places = p;
        L->place_cap = cap;
    }
    struct place *pl = &L->places[L->place_count++];
    snprintf(pl->path, sizeof pl->path, "%s", path);
    node_place(L, id, &pl->origin, &pl->line, &pl->col);
}

/* ------------------------------------------------------------------------
 * Editing the node tree (overrides, empty sections). Adding a node may move
 * the node array, so code holds node ids, never node pointers, across these.
 */

static bool note_origin(struct loader *L, int id, int origin)
{
    if (id <= 0) {
        L->nomem = true;
        return false;
    }
    size_t need = (size_t)id;
    if (need > L->node_origin_len) {
        size_t len = need + 16;
        int *o = realloc(L->node_origin, len * sizeof *o);
        if (!o) {
            L->nomem = true;
            return false;
        }
        for (size_t i = L->node_origin_len; i < len; i++)
            o[i] = -1;
        L->node_origin = o;
        L->node_origin_len = len;
    }
    L->node_origin[id - 1] = origin;
    return true;
}

static int add_scalar(struct loader *L, const char *text, int origin)
{
    int id = yaml_document_add_scalar(&L->doc, NULL,
                                      (yaml_char_t *)(uintptr_t)text,
                                      (int)strlen(text), YAML_ANY_SCALAR_STYLE);
    return note_origin(L, id, origin) ? id : 0;
}

static int add_mapping(struct loader *L, int origin)
{
    int id = yaml_document_add_mapping(&L->doc, NULL,
                                       YAML_BLOCK_MAPPING_STYLE);
    return note_origin(L, id, origin) ? id : 0;
}

static int add_sequence(struct loader *L, int origin)
{
    int id = yaml_document_add_sequence(&L->doc, NULL,
                                        YAML_BLOCK_SEQUENCE_STYLE);
    return note_origin(L, id, origin) ? id : 0;
}

/* Index of the first pair of mapping `map` whose key is the scalar `key`,
 * or -1. */
static long find_pair(struct loader *L, int map, const char *key)
{
    yaml_node_t *n = node_at(L, map);
    yaml_node_pair_t *pairs = n->data.mapping.pairs.start;
    long count = n->data.mapping.pairs.top - pairs;
    for (long i = 0; i < count; i++) {
        yaml_node_t *k = node_at(L, pairs[i].key);
        if (k && k->type == YAML_SCALAR_NODE &&
            strcmp((const char *)k->data.scalar.value, key) == 0)
            return i;
    }
    return -1;
}

static int pair_value(struct loader *L, int map, long index)
{
    return node_at(L, map)->data.mapping.pairs.start[index].value;
}

static void set_pair_value(struct loader *L, int map, long index, int value)
{
    node_at(L, map)->data.mapping.pairs.start[index].value = value;
}

/* How many mapping values and sequence items refer to node id (more than
 * one when YAML aliases share it). */
static int references(struct loader *L, int id)
{
    int refs = 0;
    for (yaml_node_t *n = L->doc.nodes.start; n < L->doc.nodes.top; n++) {
        if (n->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
                 p < n->data.mapping.pairs.top; p++)
                refs += p->value == id;
        } else if (n->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = n->data.sequence.items.start;
                 it < n->data.sequence.items.top; it++)
                refs += *it == id;
        }
    }
    return refs;
}

/* A mapping holding the same pairs as map, so that an override can edit a
 * mapping that an alias shares without editing the other use. */
static int copy_mapping(struct loader *L, int map, int origin)
{
    int copy = add_mapping(L, origin);
    if (!copy)
        return 0;
    yaml_node_t *n = node_at(L, map);
    long count = n->data.mapping.pairs.top - n->data.mapping.pairs.start;
    for (long i = 0; i < count; i++) {
        yaml_node_pair_t p = node_at(L, map)->data.mapping.pairs.start[i];
        if (!yaml_document_append_mapping_pair(&L->doc, copy, p.key,
                                               p.value)) {
            L->nomem = true;
            return 0;
        }
    }
    return copy;
}

/* ------------------------------------------------------------------------
 * Overrides: "dotted.path=value", checked against the schema, then written
 * into the tree (replacing the scalar there, creating missing mappings).
 */

static void apply_override(struct loader *L, size_t index, char *path,
                           const char *value)
{
    int origin = (int)index;
    int root = 1; /* the root node is always node 1 */
    int cur = root;
    if (node_at(L, cur)->type != YAML_MAPPING_NODE)
        return; /* the walk reports the top level */
    char *save = NULL;
    char *seg = strtok_r(path, ".", &save);
    while (seg) {
        char *next = strtok_r(NULL, ".", &save);
        long at = find_pair(L, cur, seg);
        if (!next) {
            int v = add_scalar(L, value, origin);
            if (!v)
                return;
            if (at >= 0) {
                set_pair_value(L, cur, at, v);
            } else {
                int k = add_scalar(L, seg, origin);
                if (!k || !yaml_document_append_mapping_pair(&L->doc, cur, k,
                                                             v))
                    L->nomem = true;
            }
            return;
        }
        int child;
        if (at < 0) {
            int k = add_scalar(L, seg, origin);
            child = add_mapping(L, origin);
            if (!k || !child ||
                !yaml_document_append_mapping_pair(&L->doc, cur, k, child)) {
                L->nomem = true;
                return;
            }
        } else {
            child = pair_value(L, cur, at);
            if (node_at(L, child)->type != YAML_MAPPING_NODE)
                return; /* the walk reports that this is not a mapping */
            if (references(L, child) > 1) {
                child = copy_mapping(L, child, origin);
                if (!child)
                    return;
                set_pair_value(L, cur, at, child);
            }
        }
        cur = child;
        seg = next;
    }
}

static void check_override(struct loader *L, size_t index)
{
    const char *text = L->overrides[index];
    const char *eq = strchr(text, '=');
    size_t klen = eq ? (size_t)(eq - text) : 0;
    char path[PATH_LEN], walk[PATH_LEN], done[PATH_LEN] = "";
    if (klen > 0 && klen < PATH_LEN) {
        memcpy(path, text, klen);
        path[klen] = '\0';
    }
    /* Every segment of the path must be named: no "a..b", ".a" or "a.". */
    if (!eq || klen == 0 || klen >= PATH_LEN || !eq[1] || path[0] == '.' ||
        path[klen - 1] == '.' || strstr(path, "..")) {
        diag_override(L, index,
                      "expected path=value, for example "
                      "projections.afferent.learning_rate=0.05");
        return;
    }
    memcpy(walk, path, klen + 1);

    const cyaml_schema_field_t *fields = top_fields;
    char *save = NULL;
    for (char *seg = strtok_r(walk, ".", &save); seg;) {
        char *next = strtok_r(NULL, ".", &save);
        char in[PATH_LEN + 8], hint[PATH_LEN + 32];
        const cyaml_schema_field_t *f = find_field(fields, seg);
        if (!f) {
            diag_override(L, index, "unknown key '%s'%s%s", seg,
                          in_clause(in, sizeof in, done),
                          key_suggestion(hint, sizeof hint, seg, fields));
            return;
        }
        char here[PATH_LEN];
        join_path(here, done, seg);
        memcpy(done, here, sizeof done);
        if (f->value.type == CYAML_SEQUENCE) {
            diag_override(L, index,
                          "%s cannot be overridden; edit it in the file",
                          done);
            return;
        }
        if (f->value.type == CYAML_MAPPING) {
            if (!next) {
                diag_override(L, index,
                              "%s is a group of settings, not a value; "
                              "name one of its keys",
                              done);
                return;
            }
            fields = f->value.mapping.fields;
        } else if (next) {
            diag_override(L, index, "%s is a value and has no key '%s'", done,
                          next);
            return;
        }
        seg = next;
    }
    apply_override(L, index, path, eq + 1);
}

/* ------------------------------------------------------------------------
 * The walk: the document against the schema.
 */

static void walk_value(struct loader *L, int id,
                       const cyaml_schema_value_t *schema, const char *path);

/* Numbers are checked against the parameter table or the settings table
 * (the leaf's path names the entry); timeline leaves are checked by their
 * event's own rules. */
static void check_range(struct loader *L, int id, const char *path,
                        const char *text, bool negative, uint64_t whole,
                        bool overflow, double real)
{
    const remap_param_info *info = remap_param_find(path);
    if (info) {
        if (real < info->min || real > info->max)
            diag_at(L, id, "%s: %s is out of range [%g, %g]", path, text,
                    info->min, info->max);
        return;
    }
    const struct setting *s = find_setting(path);
    if (s && (overflow || (negative && whole > 0) || whole < s->min ||
              whole > s->max))
        diag_at(L, id, "%s: %s is out of range [%" PRIu64 ", %" PRIu64 "]",
                path, text, s->min, s->max);
}

static void walk_leaf(struct loader *L, int id,
                      const cyaml_schema_value_t *schema, const char *path)
{
    add_place(L, path, id);
    yaml_node_t *n = node_at(L, id);
    char found[64];
    /* An empty plain value is YAML's null; an empty quoted string is a
     * string, allowed where the schema allows empty strings. */
    bool empty_ok = schema->type == CYAML_STRING && schema->string.min == 0 &&
                    n->type == YAML_SCALAR_NODE &&
                    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    if (n->type != YAML_SCALAR_NODE ||
        (n->data.scalar.length == 0 && !empty_ok)) {
        diag_at(L, id, "%s: expected %s, found %s", path,
                expected_word(schema), describe(found, sizeof found, n));
        return;
    }
    const char *text = (const char *)n->data.scalar.value;
    bool negative = false, overflow = false;
    uint64_t whole = 0;
    double real = 0;
    switch (schema->type) {
    case CYAML_FLOAT:
        if (!parse_real(text, &real)) {
            diag_at(L, id, "%s: expected a number, found %s", path,
                    describe(found, sizeof found, n));
            return;
        }
        break;
    case CYAML_INT:
    case CYAML_UINT:
        if (!parse_whole(text, &negative, &whole, &overflow)) {
            diag_at(L, id, "%s: expected a whole number, found %s", path,
                    describe(found, sizeof found, n));
            return;
        }
        real = overflow ? HUGE_VAL : (double)whole;
        if (negative)
            real = -real;
        break;
    case CYAML_BOOL:
        if (!parse_bool(text))
            diag_at(L, id, "%s: expected true or false, found %s", path,
                    describe(found, sizeof found, n));
        return;
    case CYAML_STRING:
        if (n->data.scalar.length > schema->string.max)
            diag_at(L, id, "%s: %s is longer than %" PRIu32 " characters",
                    path, describe(found, sizeof found, n),
                    schema->string.max);
        return;
    default:
        assert(!"leaf type missing from the walk");
        return;
    }
    if (strncmp(path, "timeline", 8) != 0)
        check_range(L, id, path, text, negative, whole, overflow, real);
}

/* Walks a mapping node against fields; returns the number of unknown keys. */
static int walk_mapping(struct loader *L, int id,
                        const cyaml_schema_field_t *fields, const char *path)
{
    char found[64], in[PATH_LEN + 8], hint[PATH_LEN + 32];
    yaml_node_t *n = node_at(L, id);
    if (n->type != YAML_MAPPING_NODE) {
        if (path[0])
            diag_at(L, id, "%s: expected a mapping, found %s", path,
                    describe(found, sizeof found, n));
        else
            diag_at(L, id, "expected a mapping at the top level, found %s",
                    describe(found, sizeof found, n));
        return 0;
    }
    int unknown = 0;
    long count = n->data.mapping.pairs.top - n->data.mapping.pairs.start;
    for (long i = 0; i < count; i++) {
        yaml_node_pair_t pair = node_at(L, id)->data.mapping.pairs.start[i];
        yaml_node_t *k = node_at(L, pair.key);
        if (k->type != YAML_SCALAR_NODE) {
            diag_at(L, pair.key, "expected a key name%s, found %s",
                    in_clause(in, sizeof in, path),
                    describe(found, sizeof found, k));
            unknown++;
            continue;
        }
        const char *key = (const char *)k->data.scalar.value;
        long first = find_pair(L, id, key);
        if (first < i) {
            int first_key = node_at(L, id)->data.mapping.pairs.start[first].key;
            /* Overrides replace values in place, so both are in the file. */
            int o, line, col;
            node_place(L, first_key, &o, &line, &col);
            diag_at(L, pair.key, "duplicate key '%.64s'%s (first given at "
                    "line %d)", key, in_clause(in, sizeof in, path), line);
            continue;
        }
        const cyaml_schema_field_t *f = find_field(fields, key);
        if (!f) {
            diag_at(L, pair.key, "unknown key '%.64s'%s%s", key,
                    in_clause(in, sizeof in, path),
                    key_suggestion(hint, sizeof hint, key, fields));
            unknown++;
            continue;
        }
        char child[PATH_LEN];
        join_path(child, path, key);
        /* A section written with nothing under it (its keys commented out)
         * is an empty section, not an error. */
        yaml_node_t *v = node_at(L, pair.value);
        bool empty = v->type == YAML_SCALAR_NODE &&
                     v->data.scalar.length == 0 &&
                     v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (empty && (f->value.type == CYAML_MAPPING ||
                      f->value.type == CYAML_SEQUENCE)) {
            int origin = node_origin(L, pair.value);
            int e = f->value.type == CYAML_MAPPING ? add_mapping(L, origin)
                                                   : add_sequence(L, origin);
            if (!e)
                return unknown;
            set_pair_value(L, id, i, e);
            pair.value = e;
        }
        walk_value(L, pair.value, &f->value, child);
    }
    for (const cyaml_schema_field_t *f = fields; f->key; f++)
        if (!(f->value.flags & CYAML_FLAG_OPTIONAL) &&
            find_pair(L, id, f->key) < 0)
            diag_at(L, id, "%s: missing key '%s'", path, f->key);
    return unknown;
}

/* Event kinds: the key that introduces each in a timeline entry, the check
 * of its fields beyond the schema, and its conversion to a remap_event. */
struct event_kind {
    const char *key;
    remap_event_kind kind;
    void (*check)(struct loader *L, int id, const char *path);
    void (*convert)(const struct doc_event *d, remap_event *ev);
};

static void check_set(struct loader *L, int id, const char *path)
{
    if (node_at(L, id)->type != YAML_MAPPING_NODE)
        return;
    long pi = find_pair(L, id, "path"), vi = find_pair(L, id, "value");
    if (pi < 0)
        return;
    yaml_node_t *pn = node_at(L, pair_value(L, id, pi));
    if (pn->type != YAML_SCALAR_NODE || pn->data.scalar.length == 0)
        return;
    const char *target = (const char *)pn->data.scalar.value;
    const remap_param_info *info = remap_param_find(target);
    if (!info) {
        size_t count;
        const remap_param_info *table = remap_param_table(&count);
        const char *names[64];
        size_t n = 0;
        for (size_t i = 0; i < count && n < 64; i++)
            if (table[i].runtime)
                names[n++] = table[i].path;
        const char *near = remap_suggest(target, names, n);
        char hint[PATH_LEN + 32] = "";
        if (near)
            snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
        diag_at(L, pair_value(L, id, pi), "%s.path: unknown parameter "
                "'%.64s'%s", path, target, hint);
        return;
    }
    if (!info->runtime) {
        diag_at(L, pair_value(L, id, pi), "%s.path: %s is fixed when the "
                "model is built and cannot be set during a run", path,
                target);
        return;
    }
    if (vi < 0)
        return;
    yaml_node_t *vn = node_at(L, pair_value(L, id, vi));
    double v;
    if (vn->type != YAML_SCALAR_NODE ||
        !parse_real((const char *)vn->data.scalar.value, &v))
        return;
    const char *vt = (const char *)vn->data.scalar.value;
    if (v < info->min || v > info->max)
        diag_at(L, pair_value(L, id, vi), "%s.value: %s is out of range "
                "[%g, %g] for %s", path, vt, info->min, info->max, target);
    else if (info->is_int && v != floor(v))
        diag_at(L, pair_value(L, id, vi), "%s.value: %s must be a whole "
                "number for %s", path, vt, target);
}

static void convert_set(const struct doc_event *d, remap_event *ev)
{
    snprintf(ev->path, sizeof ev->path, "%s", d->set->path);
    ev->value = d->set->value;
}

static void convert_checkpoint(const struct doc_event *d, remap_event *ev)
{
    snprintf(ev->label, sizeof ev->label, "%s", d->checkpoint->label);
}

static const struct event_kind event_kinds[] = {
    {"set", REMAP_EVENT_SET, check_set, convert_set},
    {"checkpoint", REMAP_EVENT_CHECKPOINT, NULL, convert_checkpoint},
};
#define EVENT_KIND_COUNT (sizeof event_kinds / sizeof event_kinds[0])

/* The loaded data of kind k in event d (NULL when d is of another kind). */
static const void *event_data(const struct doc_event *d, size_t k)
{
    const cyaml_schema_field_t *f = find_field(event_fields,
                                               event_kinds[k].key);
    assert(f && (f->value.flags & CYAML_FLAG_POINTER));
    return *(void *const *)(const void *)((const char *)d + f->data_offset);
}

static void check_event(struct loader *L, int id, const char *path,
                        int unknown)
{
    if (node_at(L, id)->type != YAML_MAPPING_NODE)
        return;
    size_t found = 0, which = 0;
    char names[128] = "";
    for (size_t k = 0; k < EVENT_KIND_COUNT; k++) {
        size_t len = strlen(names);
        snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "",
                 event_kinds[k].key);
        if (find_pair(L, id, event_kinds[k].key) >= 0) {
            found++;
            which = k;
        }
    }
    if (found == 0 && unknown == 0)
        diag_at(L, id, "%s: an event needs one of: %s", path, names);
    else if (found > 1)
        diag_at(L, id, "%s: an event has exactly one of: %s (write one "
                "entry per event)", path, names);
    else if (found == 1 && event_kinds[which].check) {
        char sub[PATH_LEN];
        join_path(sub, path, event_kinds[which].key);
        event_kinds[which].check(
            L, pair_value(L, id, find_pair(L, id, event_kinds[which].key)),
            sub);
    }
}

static void walk_timeline(struct loader *L, int id,
                          const cyaml_schema_value_t *schema,
                          const char *path)
{
    char found[64];
    yaml_node_t *n = node_at(L, id);
    if (n->type != YAML_SEQUENCE_NODE) {
        diag_at(L, id, "%s: expected a sequence of events, found %s", path,
                describe(found, sizeof found, n));
        return;
    }
    assert(schema->sequence.entry == &event_schema);
    long count = n->data.sequence.items.top - n->data.sequence.items.start;
    for (long i = 0; i < count; i++) {
        int item = node_at(L, id)->data.sequence.items.start[i];
        char p[PATH_LEN + 24];
        snprintf(p, sizeof p, "%s[%ld]", path, i);
        int unknown = walk_mapping(L, item,
                                   schema->sequence.entry->mapping.fields, p);
        check_event(L, item, p, unknown);
        if (L->event_count == L->event_cap) {
            size_t cap = L->event_cap ? 2 * L->event_cap : 16;
            struct seen_event *e = realloc(L->events, cap * sizeof *e);
            if (!e) {
                L->nomem = true;
                return;
            }
            L->events = e;
            L->event_cap = cap;
        }
        struct seen_event *ev = &L->events[L->event_count++];
        int origin;
        node_place(L, item, &origin, &ev->line, &ev->col);
        long at = node_at(L, item)->type == YAML_MAPPING_NODE
                      ? find_pair(L, item, "at")
                      : -1;
        ev->at_node = at >= 0 ? pair_value(L, item, at) : 0;
    }
}

static void walk_value(struct loader *L, int id,
                       const cyaml_schema_value_t *schema, const char *path)
{
    if (schema->type == CYAML_MAPPING)
        walk_mapping(L, id, schema->mapping.fields, path);
    else if (schema->type == CYAML_SEQUENCE)
        walk_timeline(L, id, schema, path);
    else
        walk_leaf(L, id, schema, path);
}

/* Events may not come after the last iteration. */
static void check_event_times(struct loader *L)
{
    struct doc def;
    doc_defaults(&def);
    uint64_t iterations = def.iterations;
    int root = 1;
    long it = find_pair(L, root, "iterations");
    if (it >= 0) {
        yaml_node_t *n = node_at(L, pair_value(L, root, it));
        bool neg, over;
        if (n->type != YAML_SCALAR_NODE ||
            !parse_whole((const char *)n->data.scalar.value, &neg,
                         &iterations, &over) ||
            neg || over || iterations == 0)
            return; /* reported by the walk */
    }
    for (size_t i = 0; i < L->event_count; i++) {
        int id = L->events[i].at_node;
        if (!id)
            continue;
        yaml_node_t *n = node_at(L, id);
        bool neg, over;
        uint64_t at;
        if (n->type != YAML_SCALAR_NODE)
            continue;
        const char *text = (const char *)n->data.scalar.value;
        if (!parse_whole(text, &neg, &at, &over))
            continue;
        bool before = neg && at > 0;
        if (over || before || at > iterations)
            diag_at(L, id, "timeline[%zu].at: %s is out of range [0, %" PRIu64
                    "]%s", i, text, iterations,
                    before ? "" : " (after the last iteration)");
    }
}

/* ------------------------------------------------------------------------
 * Parsing, emitting and loading with libcyaml.
 */

/* The character at a 0-based line and column (columns count characters,
 * not bytes), or '\0'. */
static char char_at(const char *text, size_t line, size_t column)
{
    const char *p = text;
    for (size_t l = 0; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return '\0';
    for (size_t c = 0; c < column && *p && *p != '\n'; c++) {
        p++;
        while (((unsigned char)*p & 0xc0) == 0x80)
            p++;
    }
    return *p;
}

static remap_status parse_text(struct loader *L, const char *text,
                               remap_error *err)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", L->source);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text,
                                 strlen(text));
    remap_status st = REMAP_OK;
    yaml_document_t extra;
    bool ok = yaml_parser_load(&parser, &L->doc);
    if (ok) {
        L->have_doc = true;
        ok = yaml_parser_load(&parser, &extra);
        if (ok) {
            yaml_node_t *root = yaml_document_get_root_node(&extra);
            if (root)
                st = remap_fail(err, REMAP_ESCENARIO,
                                "%s:%zu:%zu: a scenario file holds one YAML "
                                "document; found a second one here",
                                L->source, root->start_mark.line + 1,
                                root->start_mark.column + 1);
            yaml_document_delete(&extra);
        }
    }
    if (!ok) {
        if (parser.error == YAML_MEMORY_ERROR)
            st = remap_fail(err, REMAP_ENOMEM, "%s: out of memory",
                            L->source);
        else if (parser.error == YAML_READER_ERROR)
            st = remap_fail(err, REMAP_ESCENARIO, "%s: %s at byte %zu",
                            L->source, parser.problem, parser.problem_offset);
        else if (char_at(text, parser.problem_mark.line,
                         parser.problem_mark.column) == '\t')
            st = remap_fail(err, REMAP_ESCENARIO,
                            "%s:%zu:%zu: %s (a tab: YAML indents with "
                            "spaces only)",
                            L->source, parser.problem_mark.line + 1,
                            parser.problem_mark.column + 1, parser.problem);
        else if (parser.context)
            st = remap_fail(err, REMAP_ESCENARIO,
                            "%s:%zu:%zu: %s (%s at line %zu, column %zu)",
                            L->source, parser.problem_mark.line + 1,
                            parser.problem_mark.column + 1, parser.problem,
                            parser.context, parser.context_mark.line + 1,
                            parser.context_mark.column + 1);
        else
            st = remap_fail(err, REMAP_ESCENARIO, "%s:%zu:%zu: %s", L->source,
                            parser.problem_mark.line + 1,
                            parser.problem_mark.column + 1,
                            parser.problem ? parser.problem : "syntax error");
    }
    yaml_parser_delete(&parser);
    return st;
}

struct sbuf {
    char *p;
    size_t len, cap;
    bool nomem;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->nomem)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->nomem = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        sb_add(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->nomem = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, big, (size_t)n);
    free(big);
}

static int emit_to_sbuf(void *data, unsigned char *buffer, size_t size)
{
    struct sbuf *b = data;
    sb_add(b, (const char *)buffer, size);
    return !b->nomem;
}

/* Serialises the (edited) tree for libcyaml. The emitter frees the
 * document, so the loader no longer holds one afterwards. */
static remap_status emit_document(struct loader *L, struct sbuf *out,
                                  remap_error *err)
{
    yaml_emitter_t em;
    if (!yaml_emitter_initialize(&em))
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", L->source);
    yaml_emitter_set_output(&em, emit_to_sbuf, out);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1);
    L->have_doc = false;
    bool ok = yaml_emitter_open(&em);
    if (ok)
        ok = yaml_emitter_dump(&em, &L->doc) && yaml_emitter_close(&em) &&
             yaml_emitter_flush(&em);
    else
        yaml_document_delete(&L->doc);
    const char *problem = em.problem;
    yaml_emitter_delete(&em);
    if (out->nomem)
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", L->source);
    if (!ok)
        return remap_fail(err, REMAP_ESCENARIO, "%s: cannot re-emit the "
                          "document: %s", L->source,
                          problem ? problem : "unknown emitter error");
    return REMAP_OK;
}

/* Keeps libcyaml's first error line for the (unexpected) case where it
 * rejects a document the walk accepted; libcyaml must not print. */
static void cyaml_capture(cyaml_log_t level, void *ctx, const char *fmt,
                          va_list args)
{
    struct loader *L = ctx;
    if (level < CYAML_LOG_ERROR || L->cyaml_msg[0])
        return;
    vsnprintf(L->cyaml_msg, sizeof L->cyaml_msg, fmt, args);
    L->cyaml_msg[strcspn(L->cyaml_msg, "\n")] = '\0';
}

/* Copies defaults into every leaf the document does not give, checking on
 * the way that the schema and the parameter table agree. */
static void fill_defaults(struct loader *L, const cyaml_schema_field_t *fields,
                          const char *path, size_t offset, struct doc *d,
                          const struct doc *def)
{
    for (const cyaml_schema_field_t *f = fields; f->key; f++) {
        char child[PATH_LEN];
        join_path(child, path, f->key);
        size_t off = offset + f->data_offset;
        if (f->value.flags & CYAML_FLAG_POINTER)
            continue; /* name (defaulted by the caller) and the timeline */
        if (f->value.type == CYAML_MAPPING) {
            fill_defaults(L, f->value.mapping.fields, child, off, d, def);
            continue;
        }
#ifndef NDEBUG
        const remap_param_info *info = remap_param_find(child);
        if (info) {
            assert(info->offset == off - offsetof(struct doc, params));
            assert(info->is_int == (f->value.type == CYAML_INT));
        } else {
            assert(f->value.type == CYAML_BOOL || find_setting(child));
        }
#endif
        if (!find_place(L, child))
            memcpy((char *)d + off, (const char *)def + off,
                   f->value.data_size);
    }
}

/* Places a message from remap_params_validate ("path: …") at the line of
 * the value it names, or at the override that set it, or at the file. */
static remap_status place_relation(struct loader *L, const char *msg,
                                   remap_error *err)
{
    char path[PATH_LEN] = "";
    const char *colon = strstr(msg, ": ");
    if (colon && (size_t)(colon - msg) < sizeof path) {
        memcpy(path, msg, (size_t)(colon - msg));
        path[colon - msg] = '\0';
    }
    const struct place *pl = path[0] ? find_place(L, path) : NULL;
    if (pl && pl->origin >= 0)
        return remap_fail(err, REMAP_ESCENARIO, "--set %s: %s",
                          L->overrides[pl->origin], msg);
    if (pl)
        return remap_fail(err, REMAP_ESCENARIO, "%s:%d:%d: %s", L->source,
                          pl->line, pl->col, msg);
    return remap_fail(err, REMAP_ESCENARIO, "%s: %s", L->source, msg);
}

/* ------------------------------------------------------------------------
 * The resolved text: the loaded values written back with the schema, every
 * key explicit, numbers in the shortest form that reads back exactly.
 */

static bool reads_back(const char *text, double v, bool single)
{
    if (single)
        return strtof(text, NULL) == (float)v &&
               (float)strtod(text, NULL) == (float)v;
    return strtod(text, NULL) == v;
}

/* The shortest "%g" text that reads back to exactly v (as a float when
 * single). "%g" turns to an exponent once the decimal exponent reaches the
 * precision, so whole numbers get enough digits to stay plain: 20 rather
 * than 2e+01. */
static void format_number(char *buf, size_t size, double v, bool single)
{
    int max = single ? 9 : 17, prec = 1;
    for (; prec < max; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (reads_back(buf, v, single))
            break;
    }
    snprintf(buf, size, "%.*g", prec, v);
    double mag = fabs(v);
    if (mag >= 1 && mag < 1e15) {
        int digits = (int)floor(log10(mag)) + 1;
        if (digits > prec) {
            char plain[64];
            snprintf(plain, sizeof plain, "%.*g", digits, v);
            if (reads_back(plain, v, single))
                snprintf(buf, size, "%s", plain);
        }
    }
}

static void emit_quoted(struct sbuf *b, const char *s)
{
    sb_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            sb_add(b, esc, 2);
        } else if (c == '\n') {
            sb_add(b, "\\n", 2);
        } else if (c == '\t') {
            sb_add(b, "\\t", 2);
        } else if (c < 0x20 || c == 0x7f) {
            sb_printf(b, "\\x%02x", c);
        } else {
            sb_add(b, (const char *)&c, 1);
        }
    }
    sb_add(b, "\"", 1);
}

static void emit_fields(struct sbuf *b, const cyaml_schema_field_t *fields,
                        const char *base, int indent, const size_t *order);

static void emit_events(struct sbuf *b, const struct doc_event *events,
                        unsigned count, int indent, const size_t *order)
{
    for (unsigned i = 0; i < count; i++) {
        struct sbuf one = {0};
        emit_fields(&one, event_fields,
                    (const char *)&events[order ? order[i] : i], indent + 4,
                    NULL);
        if (one.nomem) {
            b->nomem = true;
            return;
        }
        /* The entry's first line starts with "- " instead of spaces. */
        sb_printf(b, "%*s- ", indent + 2, "");
        sb_add(b, one.p + indent + 4, one.len - (size_t)indent - 4);
        free(one.p);
    }
}

static void emit_fields(struct sbuf *b, const cyaml_schema_field_t *fields,
                        const char *base, int indent, const size_t *order)
{
    char num[64];
    for (const cyaml_schema_field_t *f = fields; f->key; f++) {
        const char *p = base + f->data_offset;
        const cyaml_schema_value_t *v = &f->value;
        if (v->type == CYAML_MAPPING) {
            if (v->flags & CYAML_FLAG_POINTER) {
                p = *(const char *const *)(const void *)p;
                if (!p)
                    continue;
            }
            struct sbuf sub = {0};
            emit_fields(&sub, v->mapping.fields, p, indent + 2, order);
            if (sub.nomem)
                b->nomem = true;
            if (sub.len) {
                sb_printf(b, "%*s%s:\n", indent, "", f->key);
                sb_add(b, sub.p, sub.len);
            } else {
                sb_printf(b, "%*s%s: {}\n", indent, "", f->key);
            }
            free(sub.p);
            continue;
        }
        if (v->type == CYAML_SEQUENCE) {
            unsigned count;
            memcpy(&count, base + f->count_offset, sizeof count);
            const struct doc_event *events =
                *(const struct doc_event *const *)(const void *)p;
            if (count == 0) {
                sb_printf(b, "%*s%s: []\n", indent, "", f->key);
            } else {
                sb_printf(b, "%*s%s:\n", indent, "", f->key);
                emit_events(b, events, count, indent, order);
            }
            continue;
        }
        const char *s;
        switch (v->type) {
        case CYAML_FLOAT:
            if (v->data_size == sizeof(float)) {
                float x;
                memcpy(&x, p, sizeof x);
                format_number(num, sizeof num, (double)x, true);
            } else {
                double x;
                memcpy(&x, p, sizeof x);
                format_number(num, sizeof num, x, false);
            }
            sb_printf(b, "%*s%s: %s\n", indent, "", f->key, num);
            break;
        case CYAML_INT: {
            int x;
            memcpy(&x, p, sizeof x);
            sb_printf(b, "%*s%s: %d\n", indent, "", f->key, x);
            break;
        }
        case CYAML_UINT: {
            uint64_t x;
            memcpy(&x, p, sizeof x);
            sb_printf(b, "%*s%s: %" PRIu64 "\n", indent, "", f->key, x);
            break;
        }
        case CYAML_BOOL:
            sb_printf(b, "%*s%s: %s\n", indent, "", f->key,
                      *(const bool *)(const void *)p ? "true" : "false");
            break;
        case CYAML_STRING:
            s = v->flags & CYAML_FLAG_POINTER
                    ? *(const char *const *)(const void *)p
                    : p;
            if (!s || (!s[0] && (v->flags & CYAML_FLAG_OPTIONAL)))
                break;
            sb_printf(b, "%*s%s: ", indent, "", f->key);
            emit_quoted(b, s);
            sb_add(b, "\n", 1);
            break;
        default:
            assert(!"field type missing from the resolved text");
            break;
        }
    }
}

/* ------------------------------------------------------------------------
 * Putting it together.
 */

static void loader_free(struct loader *L)
{
    if (L->have_doc)
        yaml_document_delete(&L->doc);
    for (size_t i = 0; i < L->diag_count; i++)
        free(L->diags[i].text);
    free(L->diags);
    free(L->places);
    free(L->events);
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

/* Stable by construction: an event moves only past later events. */
static void sort_events(remap_event *ev, size_t *order, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        remap_event e = ev[i];
        size_t o = order[i];
        size_t j = i;
        for (; j > 0 && ev[j - 1].at > e.at; j--) {
            ev[j] = ev[j - 1];
            order[j] = order[j - 1];
        }
        ev[j] = e;
        order[j] = o;
    }
}

static remap_status build(struct loader *L, struct doc *d,
                          remap_scenario **out, remap_error *err)
{
    remap_scenario *s = calloc(1, sizeof *s);
    size_t *order = NULL;
    if (!s)
        goto nomem;
    s->name = strdup(d->name);
    s->source = strdup(L->source);
    if (!s->name || !s->source)
        goto nomem;
    s->seed = d->seed;
    s->iterations = d->iterations;
    s->params = d->params;
    s->measure_interval = d->measure.interval;
    s->checkpoint_interval = d->checkpoint.interval;
    s->write_metrics = d->outputs.metrics;
    s->write_checkpoints = d->outputs.checkpoints;

    size_t n = d->timeline_count;
    assert(n == L->event_count);
    if (n) {
        s->events = calloc(n, sizeof *s->events);
        order = malloc(n * sizeof *order);
        if (!s->events || !order)
            goto nomem;
    }
    for (size_t i = 0; i < n; i++) {
        remap_event *ev = &s->events[i];
        ev->at = d->timeline[i].at;
        ev->line = L->events[i].line;
        ev->col = L->events[i].col;
        for (size_t k = 0; k < EVENT_KIND_COUNT; k++)
            if (event_data(&d->timeline[i], k)) {
                ev->kind = event_kinds[k].kind;
                event_kinds[k].convert(&d->timeline[i], ev);
            }
        order[i] = i;
    }
    s->event_count = n;
    sort_events(s->events, order, n);

    struct sbuf text = {0};
    sb_printf(&text, "# Resolved scenario: every value explicit (defaults "
              "filled in, overrides\n# applied, timeline sorted).\n");
    emit_fields(&text, top_fields, (const char *)d, 0, order);
    if (text.nomem) {
        free(text.p);
        goto nomem;
    }
    s->resolved_text = text.p;
    free(order);
    *out = s;
    return REMAP_OK;

nomem:
    free(order);
    remap_scenario_destroy(s);
    return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", L->source);
}

static remap_status load(struct loader *L, const char *text,
                         remap_scenario **out, remap_error *err)
{
    remap_status st = parse_text(L, text, err);
    if (st)
        return st;

    /* An empty file is an empty mapping: every key takes its default. */
    if (!yaml_document_get_root_node(&L->doc) && !add_mapping(L, -1))
        return report(L, err);
    for (size_t i = 0; i < L->override_count; i++)
        check_override(L, i);
    walk_mapping(L, 1, top_fields, "");
    if (node_at(L, 1)->type == YAML_MAPPING_NODE && !L->nomem)
        check_event_times(L);
    if (L->diag_count || L->nomem)
        return report(L, err);

    struct sbuf yaml = {0};
    st = emit_document(L, &yaml, err);
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
    struct doc *d = NULL;
    cyaml_err_t ce = cyaml_load_data((const uint8_t *)yaml.p, yaml.len,
                                     &config, &top_schema,
                                     (cyaml_data_t **)&d, NULL);
    free(yaml.p);
    if (ce != CYAML_OK)
        return remap_fail(err, ce == CYAML_ERR_OOM ? REMAP_ENOMEM
                                                   : REMAP_ESCENARIO,
                          "%s: %s%s%s", L->source, cyaml_strerror(ce),
                          L->cyaml_msg[0] ? ": " : "", L->cyaml_msg);

    struct doc empty;
    struct doc *use = d;
    if (!use) {
        memset(&empty, 0, sizeof empty);
        use = &empty;
    }
    struct doc def;
    doc_defaults(&def);
    fill_defaults(L, top_fields, "", 0, use, &def);
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
            st = place_relation(L, verr.msg, err);
    }
    if (!st)
        st = build(L, use, out, err);
    if (fallback_name)
        use->name = NULL;
    free(fallback_name);
    if (d)
        cyaml_free(&config, &top_schema, d, 0);
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
    struct loader L = {
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
    struct sbuf text = {0};
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_add(&text, chunk, got);
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
    free(s->source);
    free(s->events);
    free(s->resolved_text);
    free(s);
}
