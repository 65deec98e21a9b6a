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

static void emit_fields(struct scn_sbuf *b, const cyaml_schema_field_t *fields,
                        const char *base, int indent, const size_t *order);

static void emit_events(struct scn_sbuf *b, const struct scn_doc_event *events,
                        unsigned count, int indent, const size_t *order)
{
    for (unsigned i = 0; i < count; i++) {
        struct scn_sbuf one = {0};
        emit_fields(&one, remap__scn_event_fields,
                    (const char *)&events[order ? order[i] : i], indent + 4,
                    NULL);
        if (one.nomem) {
            b->nomem = true;
            return;
        }
        /* The entry's first line starts with "- " instead of spaces. */
        remap__scn_sb_printf(b, "%*s- ", indent + 2, "");
        remap__scn_sb_add(b, one.p + indent + 4, one.len - (size_t)indent - 4);
        free(one.p);
    }
}

static void emit_fields(struct scn_sbuf *b, const cyaml_schema_field_t *fields,
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
            struct scn_sbuf sub = {0};
            emit_fields(&sub, v->mapping.fields, p, indent + 2, order);
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
        if (v->type == CYAML_SEQUENCE) {
            unsigned count;
            memcpy(&count, base + f->count_offset, sizeof count);
            const struct scn_doc_event *events =
                *(const struct scn_doc_event *const *)(const void *)p;
            if (count == 0) {
                remap__scn_sb_printf(b, "%*s%s: []\n", indent, "", f->key);
            } else {
                remap__scn_sb_printf(b, "%*s%s:\n", indent, "", f->key);
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
            remap__scn_sb_printf(b, "%*s%s: %s\n", indent, "", f->key, num);
            break;
        case CYAML_INT: {
            int x;
            memcpy(&x, p, sizeof x);
            remap__scn_sb_printf(b, "%*s%s: %d\n", indent, "", f->key, x);
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
                              const size_t *order)
{
    remap__scn_sb_printf(b, "# Resolved scenario: every value explicit "
                         "(defaults filled in, overrides\n# applied, "
                         "timeline sorted).\n");
    emit_fields(b, remap__scn_top_fields, (const char *)d, 0, order);
}
