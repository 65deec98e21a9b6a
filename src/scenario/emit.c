/* Text written by a scenario load: the edited node tree serialised for
 * libcyaml, and the resolved text written back from the loaded values. */
#include "scenario/scenario_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * The string buffer.
 */

void remap__scn_sb_add(struct scn_sbuf *b, const char *s, size_t n)
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

void remap__scn_sb_printf(struct scn_sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        remap__scn_sb_add(b, tmp, (size_t)n);
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
    remap__scn_sb_add(b, big, (size_t)n);
    free(big);
}

/* ------------------------------------------------------------------------
 * The node tree, for libcyaml.
 */

static int emit_to_sbuf(void *data, unsigned char *buffer, size_t size)
{
    struct scn_sbuf *b = data;
    remap__scn_sb_add(b, (const char *)buffer, size);
    return !b->nomem;
}

remap_status remap__scn_emit_document(struct scn_loader *L,
                                      struct scn_sbuf *out, remap_error *err)
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

static void emit_quoted(struct scn_sbuf *b, const char *s)
{
    remap__scn_sb_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            remap__scn_sb_add(b, esc, 2);
        } else if (c == '\n') {
            remap__scn_sb_add(b, "\\n", 2);
        } else if (c == '\t') {
            remap__scn_sb_add(b, "\\t", 2);
        } else if (c < 0x20 || c == 0x7f) {
            remap__scn_sb_printf(b, "\\x%02x", c);
        } else {
            remap__scn_sb_add(b, (const char *)&c, 1);
        }
    }
    remap__scn_sb_add(b, "\"", 1);
}

/* What the resolved text writes besides the loaded document. */
struct emit_ctx {
    const struct scn_doc *d;
    const struct scn_entry *entries;
    size_t entry_count;
    const struct scn_schedule *schedules;
    size_t schedule_count;
};

static void emit_float(struct scn_sbuf *b, float v)
{
    char num[64];
    format_number(num, sizeof num, (double)v, true);
    remap__scn_sb_add(b, num, strlen(num));
}

static void emit_double(struct scn_sbuf *b, double v)
{
    char num[64];
    format_number(num, sizeof num, v, false);
    remap__scn_sb_add(b, num, strlen(num));
}

/* "key: <float>\n" at indent. */
static void emit_float_key(struct scn_sbuf *b, int indent, const char *key,
                           float v)
{
    remap__scn_sb_printf(b, "%*s%s: ", indent, "", key);
    emit_float(b, v);
    remap__scn_sb_add(b, "\n", 1);
}

static void emit_point(struct scn_sbuf *b, float x, float y)
{
    remap__scn_sb_add(b, "[", 1);
    emit_float(b, x);
    remap__scn_sb_add(b, ", ", 2);
    emit_float(b, y);
    remap__scn_sb_add(b, "]", 1);
}

static void emit_shape(struct scn_sbuf *b, int indent, const remap_shape *s)
{
    if (s->kind == REMAP_SHAPE_DISC) {
        remap__scn_sb_printf(b, "%*sdisc:\n%*scentre: ", indent, "",
                             indent + 2, "");
        emit_point(b, s->cx, s->cy);
        remap__scn_sb_add(b, "\n", 1);
        emit_float_key(b, indent + 2, "radius", s->radius);
        return;
    }
    remap__scn_sb_printf(b, "%*spolygon: [", indent, "");
    for (int i = 0; i < s->points; i++) {
        if (i)
            remap__scn_sb_add(b, ", ", 2);
        emit_point(b, s->x[i], s->y[i]);
    }
    remap__scn_sb_add(b, "]\n", 2);
}

static void emit_region_key(struct scn_sbuf *b, int indent, const char *key,
                            unsigned regions, int layout)
{
    remap__scn_sb_printf(b, "%*s%s: [", indent, "", key);
    bool first = true;
    for (int r = 0; r < remap_layout_region_count(layout); r++)
        if (regions & (1u << r)) {
            remap__scn_sb_printf(b, "%s%s", first ? "" : ", ",
                                 remap_layout_region_name(layout, r));
            first = false;
        }
    remap__scn_sb_add(b, "]\n", 2);
}

static void emit_regions(struct scn_sbuf *b, int indent, unsigned regions,
                         int layout)
{
    emit_region_key(b, indent, "regions", regions, layout);
}

static void emit_until(struct scn_sbuf *b, int indent,
                       const struct scn_entry *e)
{
    if (e->has_until)
        remap__scn_sb_printf(b, "%*suntil: %" PRIu64 "\n", indent, "",
                             e->ev.until);
}

/* The value of a `set`: a choice by its name, other values as numbers. */
static void emit_set_value(struct scn_sbuf *b, const remap_event *ev)
{
    const remap_param_info *info = remap_param_find(ev->path);
    if (info && info->choices) {
        size_t n = 0;
        while (info->choices[n])
            n++;
        if (ev->value >= 0 && ev->value < (double)n) {
            const char *name = info->choices[(size_t)ev->value];
            remap__scn_sb_add(b, name, strlen(name));
            return;
        }
    }
    emit_double(b, ev->value);
}

/* One timeline entry, each period once with its `until`. */
static void emit_entry(struct scn_sbuf *b, const struct scn_entry *e,
                       int layout)
{
    const remap_event *ev = &e->ev;
    const char *key = remap__scn_event_kinds[e->kind].key;
    int in = 6;
    remap__scn_sb_printf(b, "  - at: %" PRIu64 "\n", ev->at);
    if (ev->kind == REMAP_EVENT_CHECKPOINT && !ev->label[0]) {
        remap__scn_sb_printf(b, "    %s: {}\n", key);
        return;
    }
    remap__scn_sb_printf(b, "    %s:\n", key);
    switch (ev->kind) {
    case REMAP_EVENT_SET:
        remap__scn_sb_printf(b, "%*spath: ", in, "");
        emit_quoted(b, ev->path);
        remap__scn_sb_printf(b, "\n%*svalue: ", in, "");
        emit_set_value(b, ev);
        remap__scn_sb_add(b, "\n", 1);
        break;
    case REMAP_EVENT_CHECKPOINT:
        remap__scn_sb_printf(b, "%*slabel: ", in, "");
        emit_quoted(b, ev->label);
        remap__scn_sb_add(b, "\n", 1);
        break;
    case REMAP_EVENT_LESION:
        emit_shape(b, in, &ev->shape);
        remap__scn_sb_printf(b, "%*spenumbra:\n", in, "");
        emit_float_key(b, in + 2, "width", ev->penumbra_width);
        emit_float_key(b, in + 2, "gain", ev->penumbra_gain);
        remap__scn_sb_printf(b, "%*srecovery: %" PRIu64 "\n", in + 2, "",
                             ev->penumbra_recovery);
        break;
    case REMAP_EVENT_DEAFFERENT:
        emit_regions(b, in, ev->regions, layout);
        emit_until(b, in, e);
        break;
    case REMAP_EVENT_RESTORE:
    case REMAP_EVENT_FUSE:
        emit_regions(b, in, ev->regions, layout);
        break;
    case REMAP_EVENT_ENRICH:
        if (ev->has_spot) {
            remap__scn_sb_printf(b, "%*sspot: [", in, "");
            for (int i = 0; i < 4; i++) {
                if (i)
                    remap__scn_sb_add(b, ", ", 2);
                emit_float(b, ev->spot[i]);
            }
            remap__scn_sb_add(b, "]\n", 2);
        } else {
            emit_regions(b, in, ev->regions, layout);
        }
        emit_float_key(b, in, "factor", ev->factor);
        break;
    case REMAP_EVENT_REHAB_START:
        emit_regions(b, in, ev->regions, layout);
        emit_until(b, in, e);
        emit_float_key(b, in, "focus", ev->factor);
        emit_float_key(b, in, "gain", ev->gain);
        break;
    case REMAP_EVENT_SLEEP_START:
        emit_until(b, in, e);
        emit_float_key(b, in, "noise", ev->sleep.noise);
        emit_float_key(b, in, "downscale", ev->sleep.downscale);
        emit_float_key(b, in, "weak", ev->sleep.weak);
        break;
    case REMAP_EVENT_AGE:
        remap__scn_sb_printf(b, "%*svalue: ", in, "");
        emit_double(b, ev->value);
        remap__scn_sb_add(b, "\n", 1);
        break;
    case REMAP_EVENT_MODULATE:
        emit_shape(b, in, &ev->shape);
        emit_float_key(b, in, "factor", ev->factor);
        emit_until(b, in, e);
        break;
    case REMAP_EVENT_SCOTOMA:
        emit_shape(b, in, &ev->shape);
        emit_region_key(b, in, "eyes", ev->regions, layout);
        break;
    default:
        assert(!"event kind missing from the resolved text");
        break;
    }
}

static void emit_timeline(struct scn_sbuf *b, const struct emit_ctx *c)
{
    if (c->entry_count == 0) {
        remap__scn_sb_printf(b, "timeline: []\n");
        return;
    }
    size_t *order = malloc(c->entry_count * sizeof *order);
    if (!order) {
        b->nomem = true;
        return;
    }
    for (size_t i = 0; i < c->entry_count; i++)
        order[c->entries[i].rank] = i;
    remap__scn_sb_printf(b, "timeline:\n");
    for (size_t r = 0; r < c->entry_count; r++)
        emit_entry(b, &c->entries[order[r]], c->d->params.layout);
    free(order);
}

static void emit_schedules(struct scn_sbuf *b, const struct emit_ctx *c)
{
    if (c->schedule_count == 0) {
        remap__scn_sb_printf(b, "schedules: []\n");
        return;
    }
    remap__scn_sb_printf(b, "schedules:\n");
    for (size_t i = 0; i < c->schedule_count; i++) {
        const struct scn_schedule *s = &c->schedules[i];
        remap__scn_sb_printf(b, "  - path: ");
        emit_quoted(b, s->path);
        remap__scn_sb_printf(b, "\n    every: %" PRIu64 "\n    points: [",
                             s->every);
        for (size_t p = 0; p < s->count; p++) {
            remap__scn_sb_printf(b, "%s[%" PRIu64 ", ", p ? ", " : "",
                                 s->at[p]);
            emit_double(b, s->value[p]);
            remap__scn_sb_add(b, "]", 1);
        }
        remap__scn_sb_add(b, "]\n", 2);
    }
}

static void emit_fields(struct scn_sbuf *b, const cyaml_schema_field_t *fields,
                        const char *base, int indent,
                        const struct emit_ctx *c)
{
    char num[64];
    for (const cyaml_schema_field_t *f = fields; f->key; f++) {
        const char *p = base + f->data_offset;
        const cyaml_schema_value_t *v = &f->value;
        if (v->type == CYAML_MAPPING) {
            struct scn_sbuf sub = {0};
            emit_fields(&sub, v->mapping.fields, p, indent + 2, c);
            if (sub.nomem)
                b->nomem = true;
            if (sub.len) {
                remap__scn_sb_printf(b, "%*s%s:\n", indent, "", f->key);
                remap__scn_sb_add(b, sub.p, sub.len);
            } else {
                remap__scn_sb_printf(b, "%*s%s: {}\n", indent, "", f->key);
            }
            free(sub.p);
            continue;
        }
        if (v->type == CYAML_IGNORE) {
            /* The top level's timeline and schedules. */
            assert(indent == 0);
            if (strcmp(f->key, "timeline") == 0)
                emit_timeline(b, c);
            else
                emit_schedules(b, c);
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
            remap__scn_sb_printf(b, "%*s%s: %s\n", indent, "", f->key, num);
            break;
        case CYAML_INT: {
            int x;
            memcpy(&x, p, sizeof x);
            remap__scn_sb_printf(b, "%*s%s: %d\n", indent, "", f->key, x);
            break;
        }
        case CYAML_ENUM: {
            int x;
            memcpy(&x, p, sizeof x);
            const char *name = "?";
            for (uint32_t i = 0; i < v->enumeration.count; i++)
                if (v->enumeration.strings[i].val == x)
                    name = v->enumeration.strings[i].str;
            remap__scn_sb_printf(b, "%*s%s: %s\n", indent, "", f->key, name);
            break;
        }
        case CYAML_UINT: {
            uint64_t x;
            memcpy(&x, p, sizeof x);
            remap__scn_sb_printf(b, "%*s%s: %" PRIu64 "\n", indent, "",
                                 f->key, x);
            break;
        }
        case CYAML_BOOL:
            remap__scn_sb_printf(b, "%*s%s: %s\n", indent, "", f->key,
                                 *(const bool *)(const void *)p ? "true"
                                                                : "false");
            break;
        case CYAML_STRING:
            s = v->flags & CYAML_FLAG_POINTER
                    ? *(const char *const *)(const void *)p
                    : p;
            if (!s || (!s[0] && (v->flags & CYAML_FLAG_OPTIONAL)))
                break;
            remap__scn_sb_printf(b, "%*s%s: ", indent, "", f->key);
            emit_quoted(b, s);
            remap__scn_sb_add(b, "\n", 1);
            break;
        default:
            assert(!"field type missing from the resolved text");
            break;
        }
    }
}

void remap__scn_emit_resolved(struct scn_sbuf *b, const struct scn_doc *d,
                              const struct scn_entry *entries,
                              size_t entry_count,
                              const struct scn_schedule *schedules,
                              size_t schedule_count)
{
    struct emit_ctx c = {d, entries, entry_count, schedules, schedule_count};
    remap__scn_sb_printf(b, "# Resolved scenario: every value explicit "
                         "(defaults filled in, overrides\n# applied, "
                         "timeline sorted).\n");
    emit_fields(b, remap__scn_top_fields(), (const char *)d, 0, &c);
}
