/* The walk of a scenario document: its node tree checked against the schema
 * (keys, types, ranges, event rules), every error kept with its place. */
#include "scenario/scenario_internal.h"

#include "core/suggest.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Reading scalars, and describing nodes in messages.
 */

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

/* ------------------------------------------------------------------------
 * The walk: the document against the schema.
 */

static void walk_value(struct scn_loader *L, int id,
                       const cyaml_schema_value_t *schema, const char *path);

/* Numbers are checked against the parameter table or the settings table
 * (the leaf's path names the entry); timeline leaves are checked by their
 * event's own rules. */
static void check_range(struct scn_loader *L, int id, const char *path,
                        const char *text, bool negative, uint64_t whole,
                        bool overflow, double real)
{
    const remap_param_info *info = remap_param_find(path);
    if (info) {
        if (real < info->min || real > info->max)
            remap__scn_diag_at(L, id, "%s: %s is out of range [%g, %g]",
                               path, text, info->min, info->max);
        return;
    }
    const struct scn_setting *s = remap__scn_find_setting(path);
    if (s && (overflow || (negative && whole > 0) || whole < s->min ||
              whole > s->max))
        remap__scn_diag_at(L, id,
                           "%s: %s is out of range [%" PRIu64 ", %" PRIu64
                           "]",
                           path, text, s->min, s->max);
}

static void walk_leaf(struct scn_loader *L, int id,
                      const cyaml_schema_value_t *schema, const char *path)
{
    remap__scn_add_place(L, path, id);
    yaml_node_t *n = remap__scn_node_at(L, id);
    char found[64];
    /* An empty plain value is YAML's null; an empty quoted string is a
     * string, allowed where the schema allows empty strings. */
    bool empty_ok = schema->type == CYAML_STRING && schema->string.min == 0 &&
                    n->type == YAML_SCALAR_NODE &&
                    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    if (n->type != YAML_SCALAR_NODE ||
        (n->data.scalar.length == 0 && !empty_ok)) {
        remap__scn_diag_at(L, id, "%s: expected %s, found %s", path,
                           expected_word(schema),
                           describe(found, sizeof found, n));
        return;
    }
    const char *text = (const char *)n->data.scalar.value;
    bool negative = false, overflow = false;
    uint64_t whole = 0;
    double real = 0;
    switch (schema->type) {
    case CYAML_FLOAT:
        if (!parse_real(text, &real)) {
            remap__scn_diag_at(L, id, "%s: expected a number, found %s",
                               path, describe(found, sizeof found, n));
            return;
        }
        break;
    case CYAML_INT:
    case CYAML_UINT:
        if (!parse_whole(text, &negative, &whole, &overflow)) {
            remap__scn_diag_at(L, id,
                               "%s: expected a whole number, found %s", path,
                               describe(found, sizeof found, n));
            return;
        }
        real = overflow ? HUGE_VAL : (double)whole;
        if (negative)
            real = -real;
        break;
    case CYAML_BOOL:
        if (!parse_bool(text))
            remap__scn_diag_at(L, id, "%s: expected true or false, found %s",
                               path, describe(found, sizeof found, n));
        return;
    case CYAML_STRING:
        if (n->data.scalar.length > schema->string.max)
            remap__scn_diag_at(L, id,
                               "%s: %s is longer than %" PRIu32 " characters",
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
static int walk_mapping(struct scn_loader *L, int id,
                        const cyaml_schema_field_t *fields, const char *path)
{
    char found[64], in[SCN_PATH_LEN + 8], hint[SCN_PATH_LEN + 32];
    yaml_node_t *n = remap__scn_node_at(L, id);
    if (n->type != YAML_MAPPING_NODE) {
        if (path[0])
            remap__scn_diag_at(L, id, "%s: expected a mapping, found %s",
                               path, describe(found, sizeof found, n));
        else
            remap__scn_diag_at(L, id, "expected a mapping at the top level, "
                               "found %s",
                               describe(found, sizeof found, n));
        return 0;
    }
    int unknown = 0;
    long count = n->data.mapping.pairs.top - n->data.mapping.pairs.start;
    for (long i = 0; i < count; i++) {
        yaml_node_pair_t pair =
            remap__scn_node_at(L, id)->data.mapping.pairs.start[i];
        yaml_node_t *k = remap__scn_node_at(L, pair.key);
        if (k->type != YAML_SCALAR_NODE) {
            remap__scn_diag_at(L, pair.key, "expected a key name%s, found %s",
                               remap__scn_in_clause(in, sizeof in, path),
                               describe(found, sizeof found, k));
            unknown++;
            continue;
        }
        const char *key = (const char *)k->data.scalar.value;
        long first = remap__scn_find_pair(L, id, key);
        if (first < i) {
            int first_key =
                remap__scn_node_at(L, id)->data.mapping.pairs.start[first].key;
            /* Overrides replace values in place, so both are in the file. */
            int o, line, col;
            remap__scn_node_place(L, first_key, &o, &line, &col);
            remap__scn_diag_at(L, pair.key, "duplicate key '%.64s'%s (first "
                               "given at line %d)", key,
                               remap__scn_in_clause(in, sizeof in, path),
                               line);
            continue;
        }
        const cyaml_schema_field_t *f = remap__scn_find_field(fields, key);
        if (!f) {
            remap__scn_diag_at(L, pair.key, "unknown key '%.64s'%s%s", key,
                               remap__scn_in_clause(in, sizeof in, path),
                               remap__scn_key_suggestion(hint, sizeof hint,
                                                         key, fields));
            unknown++;
            continue;
        }
        char child[SCN_PATH_LEN];
        remap__scn_join_path(child, path, key);
        /* A section written with nothing under it (its keys commented out)
         * is an empty section, not an error. */
        yaml_node_t *v = remap__scn_node_at(L, pair.value);
        bool empty = v->type == YAML_SCALAR_NODE &&
                     v->data.scalar.length == 0 &&
                     v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (empty && (f->value.type == CYAML_MAPPING ||
                      f->value.type == CYAML_SEQUENCE)) {
            int origin = remap__scn_node_origin(L, pair.value);
            int e = f->value.type == CYAML_MAPPING
                        ? remap__scn_add_mapping(L, origin)
                        : remap__scn_add_sequence(L, origin);
            if (!e)
                return unknown;
            remap__scn_set_pair_value(L, id, i, e);
            pair.value = e;
        }
        walk_value(L, pair.value, &f->value, child);
    }
    for (const cyaml_schema_field_t *f = fields; f->key; f++)
        if (!(f->value.flags & CYAML_FLAG_OPTIONAL) &&
            remap__scn_find_pair(L, id, f->key) < 0)
            remap__scn_diag_at(L, id, "%s: missing key '%s'", path, f->key);
    return unknown;
}

/* A label becomes part of a file name: checkpoint-NNNNNNNN-LABEL.h5. */
void remap__scn_check_checkpoint(struct scn_loader *L, int id,
                                 const char *path)
{
    if (remap__scn_node_at(L, id)->type != YAML_MAPPING_NODE)
        return;
    long li = remap__scn_find_pair(L, id, "label");
    if (li < 0)
        return;
    int label_id = remap__scn_pair_value(L, id, li);
    yaml_node_t *ln = remap__scn_node_at(L, label_id);
    if (ln->type != YAML_SCALAR_NODE)
        return;
    const char *label = (const char *)ln->data.scalar.value;
    for (const char *c = label; *c; c++) {
        if (!isalnum((unsigned char)*c) && !strchr("._-", *c)) {
            remap__scn_diag_at(L, label_id, "%s.label: '%.64s' has '%c'; a "
                               "label is part of a file name and may hold "
                               "only letters, digits, '.', '_' and '-'",
                               path, label, *c);
            return;
        }
    }
}

void remap__scn_check_set(struct scn_loader *L, int id, const char *path)
{
    if (remap__scn_node_at(L, id)->type != YAML_MAPPING_NODE)
        return;
    long pi = remap__scn_find_pair(L, id, "path");
    long vi = remap__scn_find_pair(L, id, "value");
    if (pi < 0)
        return;
    int path_id = remap__scn_pair_value(L, id, pi);
    yaml_node_t *pn = remap__scn_node_at(L, path_id);
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
        char hint[SCN_PATH_LEN + 32] = "";
        if (near)
            snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
        remap__scn_diag_at(L, path_id, "%s.path: unknown parameter "
                           "'%.64s'%s", path, target, hint);
        return;
    }
    if (!info->runtime) {
        remap__scn_diag_at(L, path_id, "%s.path: %s is fixed when the model "
                           "is built and cannot be set during a run", path,
                           target);
        return;
    }
    if (vi < 0)
        return;
    int value_id = remap__scn_pair_value(L, id, vi);
    yaml_node_t *vn = remap__scn_node_at(L, value_id);
    double v;
    if (vn->type != YAML_SCALAR_NODE ||
        !parse_real((const char *)vn->data.scalar.value, &v))
        return;
    const char *vt = (const char *)vn->data.scalar.value;
    if (v < info->min || v > info->max)
        remap__scn_diag_at(L, value_id, "%s.value: %s is out of range "
                           "[%g, %g] for %s", path, vt, info->min, info->max,
                           target);
    else if (info->is_int && v != floor(v))
        remap__scn_diag_at(L, value_id, "%s.value: %s must be a whole "
                           "number for %s", path, vt, target);
}

static void check_event(struct scn_loader *L, int id, const char *path,
                        int unknown)
{
    if (remap__scn_node_at(L, id)->type != YAML_MAPPING_NODE)
        return;
    const struct scn_event_kind *kinds = remap__scn_event_kinds;
    size_t found = 0, which = 0;
    char names[128] = "";
    for (size_t k = 0; k < remap__scn_event_kind_count; k++) {
        size_t len = strlen(names);
        snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "",
                 kinds[k].key);
        if (remap__scn_find_pair(L, id, kinds[k].key) >= 0) {
            found++;
            which = k;
        }
    }
    if (found == 0 && unknown == 0)
        remap__scn_diag_at(L, id, "%s: an event needs one of: %s", path,
                           names);
    else if (found > 1)
        remap__scn_diag_at(L, id, "%s: an event has exactly one of: %s "
                           "(write one entry per event)", path, names);
    else if (found == 1 && kinds[which].check) {
        char sub[SCN_PATH_LEN];
        remap__scn_join_path(sub, path, kinds[which].key);
        long at = remap__scn_find_pair(L, id, kinds[which].key);
        kinds[which].check(L, remap__scn_pair_value(L, id, at), sub);
    }
}

static void walk_timeline(struct scn_loader *L, int id,
                          const cyaml_schema_value_t *schema,
                          const char *path)
{
    char found[64];
    yaml_node_t *n = remap__scn_node_at(L, id);
    if (n->type != YAML_SEQUENCE_NODE) {
        remap__scn_diag_at(L, id, "%s: expected a sequence of events, "
                           "found %s",
                           path, describe(found, sizeof found, n));
        return;
    }
    assert(schema->sequence.entry == &remap__scn_event_schema);
    long count = n->data.sequence.items.top - n->data.sequence.items.start;
    for (long i = 0; i < count; i++) {
        int item = remap__scn_node_at(L, id)->data.sequence.items.start[i];
        char p[SCN_PATH_LEN + 24];
        snprintf(p, sizeof p, "%s[%ld]", path, i);
        int unknown = walk_mapping(L, item,
                                   schema->sequence.entry->mapping.fields, p);
        check_event(L, item, p, unknown);
        if (L->event_count == L->event_cap) {
            size_t cap = L->event_cap ? 2 * L->event_cap : 16;
            struct scn_seen_event *e = realloc(L->events, cap * sizeof *e);
            if (!e) {
                L->nomem = true;
                return;
            }
            L->events = e;
            L->event_cap = cap;
        }
        struct scn_seen_event *ev = &L->events[L->event_count++];
        int origin;
        remap__scn_node_place(L, item, &origin, &ev->line, &ev->col);
        long at = remap__scn_node_at(L, item)->type == YAML_MAPPING_NODE
                      ? remap__scn_find_pair(L, item, "at")
                      : -1;
        ev->at_node = at >= 0 ? remap__scn_pair_value(L, item, at) : 0;
    }
}

static void walk_value(struct scn_loader *L, int id,
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
static void check_event_times(struct scn_loader *L)
{
    struct scn_doc def;
    remap__scn_doc_defaults(&def);
    uint64_t iterations = def.iterations;
    int root = 1;
    long it = remap__scn_find_pair(L, root, "iterations");
    if (it >= 0) {
        yaml_node_t *n =
            remap__scn_node_at(L, remap__scn_pair_value(L, root, it));
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
        yaml_node_t *n = remap__scn_node_at(L, id);
        bool neg, over;
        uint64_t at;
        if (n->type != YAML_SCALAR_NODE)
            continue;
        const char *text = (const char *)n->data.scalar.value;
        if (!parse_whole(text, &neg, &at, &over))
            continue;
        bool before = neg && at > 0;
        if (over || before || at > iterations)
            remap__scn_diag_at(L, id,
                               "timeline[%zu].at: %s is out of range "
                               "[0, %" PRIu64 "]%s",
                               i, text, iterations,
                               before ? "" : " (after the last iteration)");
    }
}

void remap__scn_walk(struct scn_loader *L)
{
    walk_mapping(L, 1, remap__scn_top_fields, "");
    if (remap__scn_node_at(L, 1)->type == YAML_MAPPING_NODE && !L->nomem)
        check_event_times(L);
}
