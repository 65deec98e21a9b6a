/* Diagnostics of a scenario load: every error is kept with its place, then
 * all are sorted (overrides first, then by line) and joined one per line. */
#include "scenario/scenario_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIAGS 200

struct scn_diag {
    int origin;      /* override index, or -1 for the file */
    int line, col;   /* 1-based; 0 when the error has no place in the file */
    size_t seq;      /* order found, to keep the sort stable */
    char *text;
};

/* A leaf value seen in the document: where it was written, so that later
 * checks (relations between values, defaults) know it is there. */
struct scn_place {
    char path[SCN_PATH_LEN];
    int origin, line, col;
};

static void add_diag_v(struct scn_loader *L, int origin, int line, int col,
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
    L->diags[L->diag_count] = (struct scn_diag){origin, line, col,
                                                L->diag_count, copy};
    L->diag_count++;
}

void remap__scn_diag_at(struct scn_loader *L, int id, const char *fmt, ...)
{
    int origin, line, col;
    remap__scn_node_place(L, id, &origin, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    add_diag_v(L, origin, line, col, fmt, ap);
    va_end(ap);
}

void remap__scn_diag_override(struct scn_loader *L, size_t index,
                              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag_v(L, (int)index, 0, 0, fmt, ap);
    va_end(ap);
}

size_t remap__scn_diag_total(const struct scn_loader *L)
{
    return L->diag_count + L->diags_dropped;
}

static int diag_cmp(const void *pa, const void *pb)
{
    const struct scn_diag *a = pa, *b = pb;
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
                        const struct scn_loader *L, const struct scn_diag *d)
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

remap_status remap__scn_report(struct scn_loader *L, remap_error *err)
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

const char *remap__scn_in_clause(char *buf, size_t size, const char *path)
{
    if (path[0])
        snprintf(buf, size, " in %s", path);
    else
        buf[0] = '\0';
    return buf;
}

/* ------------------------------------------------------------------------
 * Places of the values seen.
 */

static const struct scn_place *find_place(const struct scn_loader *L,
                                          const char *path)
{
    for (size_t i = 0; i < L->place_count; i++)
        if (strcmp(L->places[i].path, path) == 0)
            return &L->places[i];
    return NULL;
}

void remap__scn_add_place(struct scn_loader *L, const char *path, int id)
{
    if (L->place_count == L->place_cap) {
        size_t cap = L->place_cap ? 2 * L->place_cap : 64;
        struct scn_place *p = realloc(L->places, cap * sizeof *p);
        if (!p) {
            L->nomem = true;
            return;
        }
        L->places = p;
        L->place_cap = cap;
    }
    struct scn_place *pl = &L->places[L->place_count++];
    snprintf(pl->path, sizeof pl->path, "%s", path);
    remap__scn_node_place(L, id, &pl->origin, &pl->line, &pl->col);
}

bool remap__scn_was_given(const struct scn_loader *L, const char *path)
{
    return find_place(L, path) != NULL;
}

void remap__scn_place_text(const struct scn_loader *L, const char *path,
                           char *buf, size_t size)
{
    const struct scn_place *pl = find_place(L, path);
    if (pl && pl->origin >= 0)
        snprintf(buf, size, "--set %s", L->overrides[pl->origin]);
    else if (pl)
        snprintf(buf, size, "%s:%d:%d", L->source, pl->line, pl->col);
    else
        snprintf(buf, size, "%s", L->source);
}

remap_status remap__scn_place_relation(struct scn_loader *L, const char *msg,
                                       remap_error *err)
{
    char path[SCN_PATH_LEN] = "";
    const char *colon = strstr(msg, ": ");
    if (colon && (size_t)(colon - msg) < sizeof path) {
        memcpy(path, msg, (size_t)(colon - msg));
        path[colon - msg] = '\0';
    }
    const struct scn_place *pl = path[0] ? find_place(L, path) : NULL;
    if (pl && pl->origin >= 0)
        return remap_fail(err, REMAP_ESCENARIO, "--set %s: %s",
                          L->overrides[pl->origin], msg);
    if (pl)
        return remap_fail(err, REMAP_ESCENARIO, "%s:%d:%d: %s", L->source,
                          pl->line, pl->col, msg);
    return remap_fail(err, REMAP_ESCENARIO, "%s: %s", L->source, msg);
}

void remap__scn_diag_free(struct scn_loader *L)
{
    for (size_t i = 0; i < L->diag_count; i++)
        free(L->diags[i].text);
    free(L->diags);
    free(L->places);
}
