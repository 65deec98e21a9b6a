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

/* "hebbian, bcm" for a choice; written into buf and returned. */
static const char *choice_list(char *buf, size_t size,
                               const cyaml_schema_value_t *v)
{
    size_t n = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < v->enumeration.count && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
                              v->enumeration.strings[i].str);
    return buf;
}

/* The last segment of a dotted path: "rule" for a choice's messages. */
static const char *last_segment(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

/* ------------------------------------------------------------------------
 * The walk: the document against the schema.
 */

static void walk_value(struct scn_loader *L, int id,
                       const cyaml_schema_value_t *schema, const char *path);

/* Numbers are checked against the parameter table or the settings table
 * (the leaf's path names the entry); timeline and schedule leaves are
 * checked by their readers. */
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

/* A choice is written as one of its names. */
static void walk_choice(struct scn_loader *L, int id,
                        const cyaml_schema_value_t *schema, const char *path)
{
    yaml_node_t *n = remap__scn_node_at(L, id);
    char found[64], list[256], hint[96];
    choice_list(list, sizeof list, schema);
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.length == 0) {
        remap__scn_diag_at(L, id, "%s: expected one of: %s, found %s", path,
                           list, describe(found, sizeof found, n));
        return;
    }
    const char *text = (const char *)n->data.scalar.value;
    const char *names[64];
    size_t count = 0;
    for (uint32_t i = 0; i < schema->enumeration.count && count < 64; i++) {
        names[count++] = schema->enumeration.strings[i].str;
        if (strcmp(text, names[count - 1]) == 0)
            return;
    }
    remap__scn_diag_at(L, id, "%s: unknown %s %s%s; one of: %s", path,
                       last_segment(path), describe(found, sizeof found, n),
                       remap__scn_suggestion(hint, sizeof hint, text, names,
                                             count),
                       list);
}

static void walk_leaf(struct scn_loader *L, int id,
                      const cyaml_schema_value_t *schema, const char *path)
{
    remap__scn_add_place(L, path, id);
    if (schema->type == CYAML_ENUM) {
        walk_choice(L, id, schema, path);
        return;
    }
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
    check_range(L, id, path, text, negative, whole, overflow, real);
}

/* Walks a mapping node against fields; returns the number of unknown keys.
 * At the top level, the values of `timeline` and `schedules` are kept for
 * their own walks. */
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
        if (f->value.type == CYAML_IGNORE) {
            if (!path[0] && strcmp(key, "timeline") == 0)
                L->timeline_node = pair.value;
            else if (!path[0] && strcmp(key, "schedules") == 0)
                L->schedules_node = pair.value;
            continue; /* read by the timeline's readers */
        }
        char child[SCN_PATH_LEN];
        remap__scn_join_path(child, path, key);
        /* A section written with nothing under it (its keys commented out)
         * is an empty section, not an error. */
        yaml_node_t *v = remap__scn_node_at(L, pair.value);
        bool empty = v->type == YAML_SCALAR_NODE &&
                     v->data.scalar.length == 0 &&
                     v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (empty && f->value.type == CYAML_MAPPING) {
            int e = remap__scn_add_mapping(L,
                                           remap__scn_node_origin(L, pair.value));
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

static void walk_value(struct scn_loader *L, int id,
                       const cyaml_schema_value_t *schema, const char *path)
{
    if (schema->type == CYAML_MAPPING)
        walk_mapping(L, id, schema->mapping.fields, path);
    else
        walk_leaf(L, id, schema, path);
}

/* ------------------------------------------------------------------------
 * Readers of values inside timeline entries (scenario_internal.h). The
 * walk has reported wrong types of the leaves it knows, so these skip
 * such values silently.
 */

/* The scalar text of node id, or NULL. */
static const char *scalar_text(struct scn_loader *L, int id)
{
    yaml_node_t *n = remap__scn_node_at(L, id);
    if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.length == 0)
        return NULL;
    return (const char *)n->data.scalar.value;
}

static void range_text(char *buf, size_t size, double min, double max,
                       bool open_min)
{
    snprintf(buf, size, "%c%g, %g]", open_min ? '(' : '[', min, max);
}

bool remap__scn_read_number(struct scn_loader *L, int map, const char *key,
                            const char *path, double min, double max,
                            bool open_min, double *out)
{
    int id = remap__scn_value_of(L, map, key);
    const char *text = id ? scalar_text(L, id) : NULL;
    double v;
    if (!text || !parse_real(text, &v))
        return false;
    if (v < min || v > max || (open_min && v == min)) {
        char range[64];
        range_text(range, sizeof range, min, max, open_min);
        remap__scn_diag_at(L, id, "%s.%s: %s is out of range %s", path, key,
                           text, range);
        return false;
    }
    *out = v;
    return true;
}

bool remap__scn_read_whole(struct scn_loader *L, int map, const char *key,
                           const char *path, uint64_t min, uint64_t max,
                           uint64_t *out)
{
    int id = remap__scn_value_of(L, map, key);
    const char *text = id ? scalar_text(L, id) : NULL;
    bool neg, over;
    uint64_t v;
    if (!text || !parse_whole(text, &neg, &v, &over))
        return false;
    if (over || (neg && v > 0) || v < min || v > max) {
        remap__scn_diag_at(L, id,
                           "%s.%s: %s is out of range [%" PRIu64 ", %" PRIu64
                           "]",
                           path, key, text, min, max);
        return false;
    }
    *out = v;
    return true;
}

bool remap__scn_read_until(struct scn_loader *L, int map, const char *path,
                           const struct scn_entry *e, uint64_t *out)
{
    int id = remap__scn_value_of(L, map, "until");
    const char *text = id ? scalar_text(L, id) : NULL;
    bool neg, over;
    uint64_t v;
    if (!text || !parse_whole(text, &neg, &v, &over))
        return false;
    if (e->at_ok && !over && (neg || v <= e->ev.at)) {
        remap__scn_diag_at(L, id, "%s.until: %s must be after at (%" PRIu64
                           ")", path, text, e->ev.at);
        return false;
    }
    if (neg || over || (L->iterations_ok && v > L->iterations)) {
        remap__scn_diag_at(L, id, "%s.until: %s is out of range [%" PRIu64
                           ", %" PRIu64 "] (after the last iteration)",
                           path, text, e->at_ok ? e->ev.at + 1 : 1,
                           L->iterations);
        return false;
    }
    *out = v;
    return true;
}

/* "palm, d1, d2, d3, d4, d5" for the layout. */
static const char *region_list(char *buf, size_t size, int layout)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int r = 0; r < remap_layout_region_count(layout) && n < size; r++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", r ? ", " : "",
                              remap_layout_region_name(layout, r));
    return buf;
}

/* One region name at node id (path names the list); -1 when wrong. */
static int read_region(struct scn_loader *L, int id, const char *path)
{
    yaml_node_t *n = remap__scn_node_at(L, id);
    char found[64], list[128], hint[64];
    int layout = L->layout;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.length == 0) {
        remap__scn_diag_at(L, id, "%s: expected a region name, found %s",
                           path, describe(found, sizeof found, n));
        return -1;
    }
    if (layout < 0)
        return -1; /* `sheets.skin.layout` is wrong: reported there */
    const char *name = (const char *)n->data.scalar.value;
    int r = remap_layout_region_from_name(layout, name);
    if (r >= 0)
        return r;
    const char *names[REMAP_REGION_COUNT];
    size_t count = (size_t)remap_layout_region_count(layout);
    for (size_t i = 0; i < count; i++)
        names[i] = remap_layout_region_name(layout, (int)i);
    remap__scn_diag_at(L, id, "%s: unknown region %s in the %s layout%s; "
                       "one of: %s",
                       path, describe(found, sizeof found, n),
                       remap_layout_name(layout),
                       remap__scn_suggestion(hint, sizeof hint, name, names,
                                             count),
                       region_list(list, sizeof list, layout));
    return -1;
}

bool remap__scn_read_regions(struct scn_loader *L, int map, const char *key,
                             const char *path, int min_count, unsigned *out)
{
    int id = remap__scn_value_of(L, map, key);
    if (!id)
        return false;
    char sub[SCN_PATH_LEN], found[64];
    remap__scn_join_path(sub, path, key);
    yaml_node_t *n = remap__scn_node_at(L, id);
    unsigned mask = 0;
    bool ok = true;
    int distinct = 0;
    if (n->type == YAML_SCALAR_NODE) {
        int r = read_region(L, id, sub);
        if (r < 0)
            return false;
        mask = 1u << r;
        distinct = 1;
    } else if (n->type == YAML_SEQUENCE_NODE) {
        long count = n->data.sequence.items.top - n->data.sequence.items.start;
        for (long i = 0; i < count; i++) {
            int item = remap__scn_node_at(L, id)->data.sequence.items.start[i];
            int r = read_region(L, item, sub);
            if (r < 0) {
                ok = false;
                continue;
            }
            if (mask & (1u << r)) {
                remap__scn_diag_at(L, item, "%s: %s is listed twice", sub,
                                   remap_layout_region_name(L->layout, r));
                ok = false;
                continue;
            }
            mask |= 1u << r;
            distinct++;
        }
        if (!ok)
            return false;
    } else {
        remap__scn_diag_at(L, id, "%s: expected a list of region names, "
                           "found %s",
                           sub, describe(found, sizeof found, n));
        return false;
    }
    if (distinct < min_count) {
        if (min_count == 1)
            remap__scn_diag_at(L, id, "%s: needs at least one region", sub);
        else
            remap__scn_diag_at(L, id, "%s: needs at least %d distinct "
                               "regions, found %d",
                               sub, min_count, distinct);
        return false;
    }
    *out = mask;
    return true;
}

/* The numbers of a sequence node of exactly count scalars, each reported
 * at its place when it is not a number. what: "[x, y]" for messages. */
static bool read_numbers(struct scn_loader *L, int id, const char *path,
                         const char *what, size_t count, double *out)
{
    yaml_node_t *n = remap__scn_node_at(L, id);
    char found[64];
    long len = n->type == YAML_SEQUENCE_NODE
                   ? n->data.sequence.items.top - n->data.sequence.items.start
                   : -1;
    if (len != (long)count) {
        if (len >= 0)
            snprintf(found, sizeof found, "%ld number%s", len,
                     len == 1 ? "" : "s");
        remap__scn_diag_at(L, id, "%s: expected %s, found %s", path, what,
                           len >= 0 ? found
                                    : describe(found, sizeof found, n));
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        int item = remap__scn_node_at(L, id)->data.sequence.items.start[i];
        const char *text = scalar_text(L, item);
        if (!text || !parse_real(text, &out[i])) {
            remap__scn_diag_at(L, item, "%s: expected a number, found %s",
                               path,
                               describe(found, sizeof found,
                                        remap__scn_node_at(L, item)));
            ok = false;
        }
    }
    return ok;
}

/* A point [x, y] of the cortical sheet at node id. */
static bool read_point(struct scn_loader *L, int id, const char *path,
                       float *x, float *y)
{
    double p[2];
    if (!read_numbers(L, id, path, "a point [x, y]", 2, p))
        return false;
    if (p[0] < 0 || p[0] > 1 || p[1] < 0 || p[1] > 1) {
        remap__scn_diag_at(L, id, "%s: (%g, %g) is outside the cortical "
                           "sheet [0, 1] x [0, 1]",
                           path, p[0], p[1]);
        return false;
    }
    *x = (float)p[0];
    *y = (float)p[1];
    return true;
}

static bool read_disc(struct scn_loader *L, int id, const char *path,
                      remap_shape *out)
{
    if (remap__scn_node_at(L, id)->type != YAML_MAPPING_NODE)
        return false;
    int centre = remap__scn_value_of(L, id, "centre");
    char sub[SCN_PATH_LEN];
    remap__scn_join_path(sub, path, "centre");
    bool ok = centre && read_point(L, centre, sub, &out->cx, &out->cy);
    double r;
    if (remap__scn_read_number(L, id, "radius", path, 0, 1, true, &r))
        out->radius = (float)r;
    else
        ok = false;
    out->kind = REMAP_SHAPE_DISC;
    return ok;
}

static bool read_polygon(struct scn_loader *L, int id, const char *path,
                         remap_shape *out)
{
    yaml_node_t *n = remap__scn_node_at(L, id);
    char found[64];
    if (n->type != YAML_SEQUENCE_NODE) {
        remap__scn_diag_at(L, id, "%s: expected a list of points [x, y], "
                           "found %s",
                           path, describe(found, sizeof found, n));
        return false;
    }
    long count = n->data.sequence.items.top - n->data.sequence.items.start;
    if (count < 3 || count > REMAP_SHAPE_MAX_POINTS) {
        remap__scn_diag_at(L, id, "%s: has %ld point%s; a polygon has 3 to "
                           "%d",
                           path, count, count == 1 ? "" : "s",
                           REMAP_SHAPE_MAX_POINTS);
        return false;
    }
    bool ok = true;
    for (long i = 0; i < count; i++) {
        int item = remap__scn_node_at(L, id)->data.sequence.items.start[i];
        char sub[SCN_PATH_LEN + 24];
        snprintf(sub, sizeof sub, "%s[%ld]", path, i);
        ok &= read_point(L, item, sub, &out->x[i], &out->y[i]);
    }
    if (!ok)
        return false;
    /* Twice the signed area (shoelace), exact enough in double for floats
     * in [0, 1]. */
    double area2 = 0;
    for (long i = 0, j = count - 1; i < count; j = i++)
        area2 += (double)out->x[j] * (double)out->y[i] -
                 (double)out->x[i] * (double)out->y[j];
    if (fabs(area2) < 1e-9) {
        remap__scn_diag_at(L, id, "%s: has zero area (its points lie on one "
                           "line)", path);
        return false;
    }
    out->kind = REMAP_SHAPE_POLYGON;
    out->points = (int)count;
    return true;
}

bool remap__scn_read_shape(struct scn_loader *L, int map, const char *path,
                           remap_shape *out)
{
    int disc = remap__scn_value_of(L, map, "disc");
    int polygon = remap__scn_value_of(L, map, "polygon");
    memset(out, 0, sizeof *out);
    if (disc && polygon) {
        remap__scn_diag_at(L, map, "%s: has both disc and polygon; give one "
                           "shape", path);
        return false;
    }
    if (!disc && !polygon) {
        remap__scn_diag_at(L, map, "%s: needs a shape: disc (centre, "
                           "radius) or polygon (a list of points)", path);
        return false;
    }
    char sub[SCN_PATH_LEN];
    remap__scn_join_path(sub, path, disc ? "disc" : "polygon");
    return disc ? read_disc(L, disc, sub, out)
                : read_polygon(L, polygon, sub, out);
}

bool remap__scn_read_spot(struct scn_loader *L, int map, const char *key,
                          const char *path, float out[4])
{
    int id = remap__scn_value_of(L, map, key);
    if (!id)
        return false;
    char sub[SCN_PATH_LEN];
    remap__scn_join_path(sub, path, key);
    double v[4];
    if (!read_numbers(L, id, sub, "[x0, y0, x1, y1]", 4, v))
        return false;
    for (int i = 0; i < 4; i++)
        if (v[i] < 0 || v[i] > 1) {
            remap__scn_diag_at(L, id, "%s: [%g, %g, %g, %g] is not inside "
                               "the skin [0, 1] x [0, 1]",
                               sub, v[0], v[1], v[2], v[3]);
            return false;
        }
    if (!(v[0] < v[2] && v[1] < v[3])) {
        remap__scn_diag_at(L, id, "%s: [%g, %g, %g, %g] is empty; a spot "
                           "[x0, y0, x1, y1] has x0 < x1 and y0 < y1",
                           sub, v[0], v[1], v[2], v[3]);
        return false;
    }
    for (int i = 0; i < 4; i++)
        out[i] = (float)v[i];
    if (L->layout < 0)
        return false;
    /* The regions whose rectangles the spot overlaps (sharing only an
     * edge is no overlap); the layouts tile the sheet, so there is one at
     * least. */
    int crossed[REMAP_REGION_COUNT], count = 0;
    for (int r = 0; r < remap_layout_region_count(L->layout); r++) {
        float x0, y0, x1, y1;
        remap_layout_bounds(L->layout, r, &x0, &y0, &x1, &y1);
        if (out[0] < x1 && out[2] > x0 && out[1] < y1 && out[3] > y0)
            crossed[count++] = r;
    }
    if (count > 1) {
        char names[128];
        size_t n = 0;
        names[0] = '\0';
        for (int i = 0; i < count && n < sizeof names; i++)
            n += (size_t)snprintf(names + n, sizeof names - n, "%s%s",
                                  i == 0             ? ""
                                  : i == count - 1 ? " and "
                                                   : ", ",
                                  remap_layout_region_name(L->layout,
                                                           crossed[i]));
        remap__scn_diag_at(L, id, "%s: [%g, %g, %g, %g] crosses %s; a spot "
                           "lies inside one region",
                           sub, v[0], v[1], v[2], v[3], names);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------------
 * `set` and `checkpoint`.
 */

/* A label becomes part of a file name: checkpoint-NNNNNNNN-LABEL.h5. */
void remap__scn_read_checkpoint(struct scn_loader *L, int id,
                                const char *path, struct scn_entry *e)
{
    int label_id = remap__scn_value_of(L, id, "label");
    if (!label_id)
        return;
    yaml_node_t *ln = remap__scn_node_at(L, label_id);
    if (ln->type != YAML_SCALAR_NODE ||
        ln->data.scalar.length >= sizeof e->ev.label)
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
    snprintf(e->ev.label, sizeof e->ev.label, "%s", label);
}

/* A runtime parameter's path at node id (what: the message's verb), or
 * NULL after reporting what is wrong. */
static const remap_param_info *read_runtime_path(struct scn_loader *L,
                                                 int id, const char *path,
                                                 const char *what)
{
    const char *target = scalar_text(L, id);
    if (!target)
        return NULL;
    const remap_param_info *info = remap_param_find(target);
    if (!info) {
        size_t count;
        const remap_param_info *table = remap_param_table(&count);
        const char *names[256];
        size_t n = 0;
        for (size_t i = 0; i < count && n < 256; i++)
            if (table[i].runtime)
                names[n++] = table[i].path;
        char hint[SCN_PATH_LEN + 32];
        remap__scn_diag_at(L, id, "%s.path: unknown parameter '%.64s'%s",
                           path, target,
                           remap__scn_suggestion(hint, sizeof hint, target,
                                                 names, n));
        return NULL;
    }
    if (!info->runtime) {
        remap__scn_diag_at(L, id, "%s.path: %s is fixed when the model is "
                           "built and cannot be %s during a run",
                           path, target, what);
        return NULL;
    }
    return info;
}

/* A value of parameter info at node id: a number, or a choice's name.
 * what: "" or "value " before the value in messages. */
static bool read_param_value(struct scn_loader *L, int id, const char *path,
                             const char *what, const remap_param_info *info,
                             double *out)
{
    yaml_node_t *n = remap__scn_node_at(L, id);
    char found[64];
    const char *text = scalar_text(L, id);
    double v;
    if (text && info && info->choices) {
        for (size_t i = 0; info->choices[i]; i++)
            if (strcmp(text, info->choices[i]) == 0) {
                *out = (double)i;
                return true;
            }
    }
    if (!text || !parse_real(text, &v)) {
        remap__scn_diag_at(L, id, "%s: expected a number, found %s", path,
                           describe(found, sizeof found, n));
        return false;
    }
    if (!info)
        return false;
    if (v < info->min || v > info->max) {
        remap__scn_diag_at(L, id, "%s: %s%s is out of range [%g, %g] for "
                           "%s",
                           path, what, text, info->min, info->max,
                           info->path);
        return false;
    }
    if (info->is_int && v != floor(v)) {
        remap__scn_diag_at(L, id, "%s: %s%s must be a whole number for %s",
                           path, what, text, info->path);
        return false;
    }
    *out = v;
    return true;
}

void remap__scn_read_set(struct scn_loader *L, int id, const char *path,
                         struct scn_entry *e)
{
    int path_id = remap__scn_value_of(L, id, "path");
    int value_id = remap__scn_value_of(L, id, "value");
    const remap_param_info *info =
        path_id ? read_runtime_path(L, path_id, path, "set") : NULL;
    if (info)
        snprintf(e->ev.path, sizeof e->ev.path, "%s", info->path);
    if (value_id) {
        char sub[SCN_PATH_LEN];
        remap__scn_join_path(sub, path, "value");
        read_param_value(L, value_id, sub, "", info, &e->ev.value);
    }
}

/* ------------------------------------------------------------------------
 * The timeline.
 */

/* `iterations` and `sheets.skin.layout` of the (overridden) document, for
 * checking `at`, `until` and region names. */
static void read_context(struct scn_loader *L)
{
    struct scn_doc def;
    remap__scn_doc_defaults(&def);
    L->iterations = def.iterations;
    L->iterations_ok = true;
    int it = remap__scn_value_of(L, 1, "iterations");
    if (it) {
        const char *text = scalar_text(L, it);
        bool neg, over;
        if (!text ||
            !parse_whole(text, &neg, &L->iterations, &over) || neg || over ||
            L->iterations == 0)
            L->iterations_ok = false; /* reported by the walk */
    }
    L->layout = def.params.layout;
    int sheets = remap__scn_value_of(L, 1, "sheets");
    int skin = sheets ? remap__scn_value_of(L, sheets, "skin") : 0;
    int layout = skin ? remap__scn_value_of(L, skin, "layout") : 0;
    if (layout) {
        const char *text = scalar_text(L, layout);
        L->layout = text ? remap_layout_from_name(text) : -1;
    }
}

/* The `at` of entry item: in [0, iterations]. */
static void read_at(struct scn_loader *L, int item, size_t index,
                    struct scn_entry *e)
{
    int id = remap__scn_value_of(L, item, "at");
    const char *text = id ? scalar_text(L, id) : NULL;
    bool neg, over;
    uint64_t at;
    if (!text || !parse_whole(text, &neg, &at, &over))
        return;
    if (!L->iterations_ok)
        return;
    bool before = neg && at > 0;
    if (over || before || at > L->iterations) {
        remap__scn_diag_at(L, id,
                           "timeline[%zu].at: %s is out of range "
                           "[0, %" PRIu64 "]%s",
                           index, text, L->iterations,
                           before ? "" : " (after the last iteration)");
        return;
    }
    e->ev.at = at;
    e->at_ok = true;
}

/* The one kind of an entry; index into remap__scn_event_kinds, or -1
 * after reporting none or several (unknown: keys the walk refused). */
static long entry_kind(struct scn_loader *L, int id, const char *path,
                       int unknown)
{
    const struct scn_event_kind *kinds = remap__scn_event_kinds;
    size_t found = 0, which = 0;
    char names[256] = "";
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
    return found == 1 ? (long)which : -1;
}

/* Whether node id is written as nothing (`timeline:` with no entries). */
static bool is_empty(struct scn_loader *L, int id)
{
    yaml_node_t *n = remap__scn_node_at(L, id);
    return n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0 &&
           n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static void walk_timeline(struct scn_loader *L)
{
    int id = L->timeline_node;
    if (!id || is_empty(L, id))
        return;
    char found[64];
    yaml_node_t *n = remap__scn_node_at(L, id);
    if (n->type != YAML_SEQUENCE_NODE) {
        remap__scn_diag_at(L, id, "timeline: expected a sequence of events, "
                           "found %s",
                           describe(found, sizeof found, n));
        return;
    }
    long count = n->data.sequence.items.top - n->data.sequence.items.start;
    if (count == 0)
        return;
    L->entries = calloc((size_t)count, sizeof *L->entries);
    if (!L->entries) {
        L->nomem = true;
        return;
    }
    L->entry_count = (size_t)count;
    for (long i = 0; i < count; i++) {
        int item = remap__scn_node_at(L, id)->data.sequence.items.start[i];
        struct scn_entry *e = &L->entries[i];
        size_t before = remap__scn_diag_total(L);
        char p[SCN_PATH_LEN];
        snprintf(p, sizeof p, "timeline[%ld]", i);
        e->item = item;
        int origin;
        remap__scn_node_place(L, item, &origin, &e->ev.line, &e->ev.col);
        int unknown = walk_mapping(L, item, remap__scn_event_fields, p);
        if (remap__scn_node_at(L, item)->type != YAML_MAPPING_NODE)
            continue;
        read_at(L, item, (size_t)i, e);
        long k = entry_kind(L, item, p, unknown);
        if (k < 0)
            continue;
        const struct scn_event_kind *kind = &remap__scn_event_kinds[k];
        e->kind = (size_t)k;
        e->ev.kind = kind->kind;
        char sub[SCN_PATH_LEN];
        remap__scn_join_path(sub, p, kind->key);
        int value = remap__scn_value_of(L, item, kind->key);
        if (remap__scn_node_at(L, value)->type == YAML_MAPPING_NODE)
            kind->read(L, value, sub, e);
        if (!e->has_until)
            e->ev.until = 0;
        e->ok = e->at_ok && remap__scn_diag_total(L) == before;
    }
}

/* ------------------------------------------------------------------------
 * The schedules.
 */

/* More `set` events than this from one schedule is a mistake (every 1 over
 * a long run). */
#define SCHEDULE_MAX_SETS 1000000u

/* The points of schedule s at node id. */
static bool read_points(struct scn_loader *L, int id, const char *path,
                        const remap_param_info *info, struct scn_schedule *s)
{
    yaml_node_t *n = remap__scn_node_at(L, id);
    char found[64];
    if (n->type != YAML_SEQUENCE_NODE) {
        remap__scn_diag_at(L, id, "%s: expected a list of points "
                           "[iteration, value], found %s",
                           path, describe(found, sizeof found, n));
        return false;
    }
    long count = n->data.sequence.items.top - n->data.sequence.items.start;
    if (count < 2) {
        remap__scn_diag_at(L, id, "%s: has %ld point%s; a schedule needs at "
                           "least two",
                           path, count, count == 1 ? "" : "s");
        return false;
    }
    s->at = calloc((size_t)count, sizeof *s->at);
    s->value = calloc((size_t)count, sizeof *s->value);
    if (!s->at || !s->value) {
        L->nomem = true;
        return false;
    }
    s->count = (size_t)count;
    bool ok = true;
    for (long i = 0; i < count; i++) {
        int item = remap__scn_node_at(L, id)->data.sequence.items.start[i];
        char sub[SCN_PATH_LEN + 24];
        snprintf(sub, sizeof sub, "%s[%ld]", path, i);
        yaml_node_t *pn = remap__scn_node_at(L, item);
        long len = pn->type == YAML_SEQUENCE_NODE
                       ? pn->data.sequence.items.top -
                             pn->data.sequence.items.start
                       : -1;
        if (len != 2) {
            remap__scn_diag_at(L, item, "%s: expected [iteration, value], "
                               "found %s",
                               sub, describe(found, sizeof found, pn));
            ok = false;
            continue;
        }
        int it_id = pn->data.sequence.items.start[0];
        int v_id = remap__scn_node_at(L, item)->data.sequence.items.start[1];
        const char *text = scalar_text(L, it_id);
        bool neg, over;
        uint64_t at;
        if (!text || !parse_whole(text, &neg, &at, &over)) {
            remap__scn_diag_at(L, it_id, "%s: expected a whole number of "
                               "iterations, found %s",
                               sub,
                               describe(found, sizeof found,
                                        remap__scn_node_at(L, it_id)));
            ok = false;
        } else if (L->iterations_ok &&
                   (over || neg || at > L->iterations)) {
            remap__scn_diag_at(L, it_id, "%s: iteration %s is out of range "
                               "[0, %" PRIu64 "]%s",
                               sub, text, L->iterations,
                               neg && at > 0 ? ""
                                             : " (after the last iteration)");
            ok = false;
        } else if (i > 0 && ok && at <= s->at[i - 1]) {
            remap__scn_diag_at(L, it_id, "%s: iteration %s does not come "
                               "after the previous point's %" PRIu64
                               "; points are in increasing order of "
                               "iteration",
                               sub, text, s->at[i - 1]);
            ok = false;
        } else {
            s->at[i] = at;
        }
        ok &= read_param_value(L, v_id, sub, "value ", info, &s->value[i]);
    }
    return ok;
}

static void walk_schedules(struct scn_loader *L)
{
    int id = L->schedules_node;
    if (!id || is_empty(L, id))
        return;
    char found[64];
    yaml_node_t *n = remap__scn_node_at(L, id);
    if (n->type != YAML_SEQUENCE_NODE) {
        remap__scn_diag_at(L, id, "schedules: expected a sequence of "
                           "schedules, found %s",
                           describe(found, sizeof found, n));
        return;
    }
    long count = n->data.sequence.items.top - n->data.sequence.items.start;
    if (count == 0)
        return;
    L->schedules = calloc((size_t)count, sizeof *L->schedules);
    if (!L->schedules) {
        L->nomem = true;
        return;
    }
    L->schedule_count = (size_t)count;
    for (long i = 0; i < count; i++) {
        int item = remap__scn_node_at(L, id)->data.sequence.items.start[i];
        struct scn_schedule *s = &L->schedules[i];
        size_t before = remap__scn_diag_total(L);
        char p[SCN_PATH_LEN];
        snprintf(p, sizeof p, "schedules[%ld]", i);
        s->item = item;
        int origin;
        remap__scn_node_place(L, item, &origin, &s->line, &s->col);
        walk_mapping(L, item, remap__scn_schedule_fields, p);
        if (remap__scn_node_at(L, item)->type != YAML_MAPPING_NODE)
            continue;
        int path_id = remap__scn_value_of(L, item, "path");
        const remap_param_info *info =
            path_id ? read_runtime_path(L, path_id, p, "scheduled") : NULL;
        if (info && info->choices) {
            remap__scn_diag_at(L, path_id, "%s.path: %s is a choice and "
                               "cannot be scheduled",
                               p, info->path);
            info = NULL;
        }
        if (info)
            snprintf(s->path, sizeof s->path, "%s", info->path);
        s->every = 100;
        remap__scn_read_whole(L, item, "every", p, 1, UINT64_MAX, &s->every);
        int points = remap__scn_value_of(L, item, "points");
        char sub[SCN_PATH_LEN];
        remap__scn_join_path(sub, p, "points");
        bool ok = points && read_points(L, points, sub, info, s);
        if (ok) {
            uint64_t span = s->at[s->count - 1] - s->at[0];
            uint64_t sets = span / s->every + 1 + s->count;
            if (sets > SCHEDULE_MAX_SETS) {
                remap__scn_diag_at(L, item, "%s: makes more than %u set "
                                   "events (every %" PRIu64 " from %" PRIu64
                                   " to %" PRIu64 "); use a larger every",
                                   p, SCHEDULE_MAX_SETS, s->every, s->at[0],
                                   s->at[s->count - 1]);
                ok = false;
            }
        }
        s->ok = ok && info && remap__scn_diag_total(L) == before;
    }
}

/* ------------------------------------------------------------------------
 * Events against each other.
 */

/* An entry's sort key: `at`, then the order written. */
struct rank_key {
    uint64_t at;
    size_t index;
};

static int rank_cmp(const void *pa, const void *pb)
{
    const struct rank_key *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Ranks the entries by `at`, keeping the written order for equal `at`;
 * returns the entries in rank order (NULL when out of memory). */
static size_t *rank_entries(struct scn_loader *L)
{
    size_t n = L->entry_count;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    struct rank_key *keys = malloc((n ? n : 1) * sizeof *keys);
    if (!order || !keys) {
        free(order);
        free(keys);
        L->nomem = true;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = (struct rank_key){L->entries[i].ev.at, i};
    /* Keys are unique, so qsort's instability does not matter. */
    qsort(keys, n, sizeof *keys, rank_cmp);
    for (size_t r = 0; r < n; r++) {
        order[r] = keys[r].index;
        L->entries[keys[r].index].rank = r;
    }
    free(keys);
    return order;
}

/* Two periods of one kind (sleep, rehab, or modulate with until) may not
 * overlap: the later one (in rank order) starts before the latest end of
 * the earlier ones. */
static void check_periods(struct scn_loader *L, const size_t *order)
{
    /* Per kind, the earlier period that ends last. */
    const struct scn_entry *last[REMAP_EVENT_KIND_COUNT] = {NULL};
    for (size_t a = 0; a < L->entry_count; a++) {
        const struct scn_entry *later = &L->entries[order[a]];
        if (!later->ok || !later->has_until ||
            later->ev.kind == REMAP_EVENT_DEAFFERENT)
            continue;
        const struct scn_entry *earlier = last[later->ev.kind];
        if (earlier && later->ev.at < earlier->ev.until) {
            const char *key = remap__scn_event_kinds[later->kind].key;
            remap__scn_diag_at(L, later->item,
                               "timeline[%zu]: %s from %" PRIu64
                               " until %" PRIu64 " overlaps the %s from %"
                               PRIu64 " until %" PRIu64 " (line %d)",
                               order[a], key, later->ev.at, later->ev.until,
                               key, earlier->ev.at, earlier->ev.until,
                               earlier->ev.line);
            continue;
        }
        if (!earlier || later->ev.until > earlier->ev.until)
            last[later->ev.kind] = later;
    }
}

/* A step of the deafferentation state: an entry's start, or a nerve
 * block's end. */
struct deaff_step {
    uint64_t at;
    int phase; /* 0: a block's end; 1: a start (ends come first) */
    size_t rank, entry;
};

static int deaff_cmp(const void *pa, const void *pb)
{
    const struct deaff_step *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if (a->phase != b->phase)
        return a->phase - b->phase;
    return a->rank < b->rank ? -1 : a->rank > b->rank;
}

/* Follows which regions are deafferented, in the order the run applies
 * the events: a region is deafferented once, and restored only when it is
 * deafferented and not under a nerve block (which restores it itself). */
static void check_deafferentation(struct scn_loader *L)
{
    size_t n = 0;
    for (size_t i = 0; i < L->entry_count; i++) {
        const struct scn_entry *e = &L->entries[i];
        if (e->ok && (e->ev.kind == REMAP_EVENT_DEAFFERENT ||
                      e->ev.kind == REMAP_EVENT_RESTORE))
            n += e->has_until ? 2 : 1;
    }
    if (n == 0)
        return;
    struct deaff_step *steps = malloc(n * sizeof *steps);
    if (!steps) {
        L->nomem = true;
        return;
    }
    n = 0;
    for (size_t i = 0; i < L->entry_count; i++) {
        const struct scn_entry *e = &L->entries[i];
        if (!e->ok || (e->ev.kind != REMAP_EVENT_DEAFFERENT &&
                       e->ev.kind != REMAP_EVENT_RESTORE))
            continue;
        steps[n++] = (struct deaff_step){e->ev.at, 1, e->rank, i};
        if (e->has_until)
            steps[n++] = (struct deaff_step){e->ev.until, 0, e->rank, i};
    }
    qsort(steps, n, sizeof *steps, deaff_cmp);
    long by[REMAP_REGION_COUNT];  /* the entry that silenced it, or -1 */
    long ended[REMAP_REGION_COUNT]; /* the entry that last restored it */
    uint64_t ended_at[REMAP_REGION_COUNT] = {0};
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        by[r] = ended[r] = -1;
    for (size_t s = 0; s < n; s++) {
        const struct scn_entry *e = &L->entries[steps[s].entry];
        size_t index = steps[s].entry;
        unsigned mask = e->ev.regions;
        if (steps[s].phase == 0) { /* a nerve block ends */
            for (int r = 0; r < REMAP_REGION_COUNT; r++)
                if ((mask & (1u << r)) && by[r] == (long)index) {
                    by[r] = -1;
                    ended[r] = (long)index;
                    ended_at[r] = e->ev.until;
                }
            continue;
        }
        bool deaff = e->ev.kind == REMAP_EVENT_DEAFFERENT;
        bool refused = false;
        for (int r = 0; r < REMAP_REGION_COUNT && !refused; r++) {
            if (!(mask & (1u << r)))
                continue;
            const char *name = remap_layout_region_name(L->layout, r);
            refused = true;
            if (deaff && by[r] >= 0)
                remap__scn_diag_at(L, e->item,
                                   "timeline[%zu]: deafferent at %" PRIu64
                                   ": %s is already deafferented then (by "
                                   "the deafferent at line %d)",
                                   index, e->ev.at, name,
                                   L->entries[by[r]].ev.line);
            else if (!deaff && by[r] < 0 && ended[r] >= 0)
                remap__scn_diag_at(L, e->item,
                                   "timeline[%zu]: restore at %" PRIu64
                                   ": %s is not deafferented then (it was "
                                   "restored at %" PRIu64 ", line %d)",
                                   index, e->ev.at, name, ended_at[r],
                                   L->entries[ended[r]].ev.line);
            else if (!deaff && by[r] < 0)
                remap__scn_diag_at(L, e->item,
                                   "timeline[%zu]: restore at %" PRIu64
                                   ": %s is not deafferented then (no "
                                   "earlier event deafferents it)",
                                   index, e->ev.at, name);
            else if (!deaff && L->entries[by[r]].has_until)
                remap__scn_diag_at(L, e->item,
                                   "timeline[%zu]: restore at %" PRIu64
                                   ": %s is under the nerve block from %"
                                   PRIu64 " until %" PRIu64 " (line %d), "
                                   "which restores it itself",
                                   index, e->ev.at, name,
                                   L->entries[by[r]].ev.at,
                                   L->entries[by[r]].ev.until,
                                   L->entries[by[r]].ev.line);
            else
                refused = false;
        }
        if (refused)
            continue;
        for (int r = 0; r < REMAP_REGION_COUNT; r++)
            if (mask & (1u << r)) {
                if (!deaff) {
                    ended[r] = (long)index;
                    ended_at[r] = e->ev.at;
                }
                by[r] = deaff ? (long)index : -1;
            }
    }
    free(steps);
}

/* A schedule's span [first point, last point]. */
static uint64_t span_first(const struct scn_schedule *s)
{
    return s->at[0];
}

static uint64_t span_last(const struct scn_schedule *s)
{
    return s->at[s->count - 1];
}

/* Schedules of one parameter may not overlap, and no `set` of it may fall
 * in a schedule's span. */
static void check_schedules(struct scn_loader *L)
{
    for (size_t j = 0; j < L->schedule_count; j++) {
        const struct scn_schedule *b = &L->schedules[j];
        if (!b->ok)
            continue;
        for (size_t i = 0; i < L->schedule_count; i++) {
            const struct scn_schedule *a = &L->schedules[i];
            /* b is the later one: it starts later, or as early and is
             * written later. */
            if (i == j || !a->ok || strcmp(a->path, b->path) != 0 ||
                span_first(a) > span_first(b) ||
                (span_first(a) == span_first(b) && i > j) ||
                span_first(b) > span_last(a))
                continue;
            remap__scn_diag_at(L, b->item,
                               "schedules[%zu]: the schedule of %s from %"
                               PRIu64 " to %" PRIu64 " overlaps the one from %"
                               PRIu64 " to %" PRIu64 " (line %d)",
                               j, b->path, span_first(b), span_last(b),
                               span_first(a), span_last(a), a->line);
            break;
        }
    }
    for (size_t i = 0; i < L->entry_count; i++) {
        const struct scn_entry *e = &L->entries[i];
        if (!e->ok || e->ev.kind != REMAP_EVENT_SET)
            continue;
        for (size_t j = 0; j < L->schedule_count; j++) {
            const struct scn_schedule *s = &L->schedules[j];
            if (!s->ok || strcmp(s->path, e->ev.path) != 0 ||
                e->ev.at < span_first(s) || e->ev.at > span_last(s))
                continue;
            remap__scn_diag_at(L, e->item,
                               "timeline[%zu]: set of %s at %" PRIu64
                               " falls in the schedule of %s from %" PRIu64
                               " to %" PRIu64 " (line %d)",
                               i, e->ev.path, e->ev.at, s->path,
                               span_first(s), span_last(s), s->line);
            break;
        }
    }
}

void remap__scn_walk(struct scn_loader *L)
{
    walk_mapping(L, 1, remap__scn_top_fields(), "");
    if (remap__scn_node_at(L, 1)->type != YAML_MAPPING_NODE || L->nomem)
        return;
    read_context(L);
    walk_timeline(L);
    if (L->nomem)
        return;
    walk_schedules(L);
    if (L->nomem)
        return;
    size_t *order = rank_entries(L);
    if (!order)
        return;
    check_periods(L, order);
    free(order);
    check_deafferentation(L);
    check_schedules(L);
}
