/* The scenario document's schema: the libcyaml tables that load it, the
 * ranges of its other settings, its defaults and its kinds of event. */
#include "scenario/scenario_internal.h"

#include "core/suggest.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * The libcyaml schema of struct scn_doc (scenario_internal.h).
 */

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
    CYAML_FIELD_UINT("interval", OPT, struct scn_doc_interval, interval),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t outputs_fields[] = {
    CYAML_FIELD_BOOL("metrics", OPT, struct scn_doc_outputs, metrics),
    CYAML_FIELD_BOOL("checkpoints", OPT, struct scn_doc_outputs, checkpoints),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t set_fields[] = {
    CYAML_FIELD_STRING("path", CYAML_FLAG_DEFAULT, struct scn_doc_set, path, 1),
    CYAML_FIELD_FLOAT("value", CYAML_FLAG_DEFAULT, struct scn_doc_set, value),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t checkpoint_fields[] = {
    CYAML_FIELD_STRING("label", OPT, struct scn_doc_checkpoint, label, 0),
    CYAML_FIELD_END,
};

/* A timeline entry: `at` plus one optional key per event kind (listed again
 * in remap__scn_event_kinds below, which says what each kind means). */
const cyaml_schema_field_t remap__scn_event_fields[] = {
    CYAML_FIELD_UINT("at", CYAML_FLAG_DEFAULT, struct scn_doc_event, at),
    CYAML_FIELD_MAPPING_PTR("set", OPT, struct scn_doc_event, set, set_fields),
    CYAML_FIELD_MAPPING_PTR("checkpoint", OPT, struct scn_doc_event,
                            checkpoint, checkpoint_fields),
    CYAML_FIELD_END,
};

const cyaml_schema_value_t remap__scn_event_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct scn_doc_event,
                        remap__scn_event_fields),
};

const cyaml_schema_field_t remap__scn_top_fields[] = {
    CYAML_FIELD_STRING_PTR("name", OPT, struct scn_doc, name, 1, 200),
    CYAML_FIELD_UINT("seed", OPT, struct scn_doc, seed),
    CYAML_FIELD_UINT("iterations", OPT, struct scn_doc, iterations),
    MAPPING_AT("sheets", offsetof(struct scn_doc, params.skin),
               sheets_fields),
    MAPPING_AT("stimulus", offsetof(struct scn_doc, params.stimulus),
               stimulus_fields),
    MAPPING_AT("projections", offsetof(struct scn_doc, params.afferent),
               projections_fields),
    MAPPING_AT("settling", offsetof(struct scn_doc, params.settle_steps),
               settling_fields),
    MAPPING_AT("homeostasis", offsetof(struct scn_doc, params.homeostasis),
               homeostasis_fields),
    CYAML_FIELD_MAPPING("measure", OPT, struct scn_doc, measure,
                        interval_fields),
    CYAML_FIELD_MAPPING("checkpoint", OPT, struct scn_doc, checkpoint,
                        interval_fields),
    CYAML_FIELD_MAPPING("outputs", OPT, struct scn_doc, outputs,
                        outputs_fields),
    CYAML_FIELD_SEQUENCE_COUNT("timeline", OPT | CYAML_FLAG_POINTER,
                               struct scn_doc, timeline, timeline_count,
                               &remap__scn_event_schema, 0, CYAML_UNLIMITED),
    CYAML_FIELD_END,
};

const cyaml_schema_value_t remap__scn_top_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct scn_doc,
                        remap__scn_top_fields),
};

#undef FIELD_AT
#undef FLOAT_AT
#undef MAPPING_AT
#undef PARAM_REL
#undef FREQ_AT
#undef OPT

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

const char *remap__scn_key_suggestion(char *buf, size_t size,
                                      const char *word,
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
 * Event kinds. Each is checked by the walk (walk.c) and converted here.
 */

static void convert_set(const struct scn_doc_event *d, remap_event *ev)
{
    snprintf(ev->path, sizeof ev->path, "%s", d->set->path);
    ev->value = d->set->value;
}

static void convert_checkpoint(const struct scn_doc_event *d,
                               remap_event *ev)
{
    snprintf(ev->label, sizeof ev->label, "%s", d->checkpoint->label);
}

const struct scn_event_kind remap__scn_event_kinds[] = {
    {"set", REMAP_EVENT_SET, remap__scn_check_set, convert_set},
    {"checkpoint", REMAP_EVENT_CHECKPOINT, remap__scn_check_checkpoint,
     convert_checkpoint},
};
const size_t remap__scn_event_kind_count =
    sizeof remap__scn_event_kinds / sizeof remap__scn_event_kinds[0];

const void *remap__scn_event_data(const struct scn_doc_event *d, size_t k)
{
    const cyaml_schema_field_t *f = remap__scn_find_field(
        remap__scn_event_fields, remap__scn_event_kinds[k].key);
    assert(f && (f->value.flags & CYAML_FLAG_POINTER));
    return *(void *const *)(const void *)((const char *)d + f->data_offset);
}
