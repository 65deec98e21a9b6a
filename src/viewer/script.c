/* Viewer scripts: parsing the line format of timed viewer actions. */
#include "viewer/script.h"

#include "core/file.h"
#include "render/render.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The keys the viewer binds (docs/viewer.md lists what they do). */
static const char known_keys[] = " .s+=-a12345678\thcrpq\x1b";

int remap_script_key_known(int key)
{
    return key > 0 && key < 128 && strchr(known_keys, key) != NULL;
}

/* A line split into words, each with its column. */
#define MAX_WORDS 8
typedef struct words {
    char *w[MAX_WORDS];
    int col[MAX_WORDS];
    int n;
} words;

typedef struct parser {
    const char *source;
    int line;
    remap_error *err;
} parser;

static remap_status fail_at(const parser *p, int col, const char *what,
                            const char *detail)
{
    return remap_fail(p->err, REMAP_EUSAGE, "%s:%d:%d: %s%s", p->source,
                      p->line, col, what, detail);
}

static int key_of(const char *name)
{
    static const struct {
        const char *name;
        int key;
    } named[] = {{"space", ' '},   {"tab", '\t'},   {"escape", 27},
                 {"esc", 27},      {"plus", '+'},   {"minus", '-'},
                 {"period", '.'},  {"equal", '='}};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (!strcmp(name, named[i].name))
            return named[i].key;
    if (name[0] && !name[1] && remap_script_key_known(name[0]))
        return name[0];
    return 0;
}

static remap_status number(const parser *p, const words *ws, int i,
                           float *out)
{
    char *end;
    errno = 0;
    double v = strtod(ws->w[i], &end);
    if (end == ws->w[i] || *end || errno)
        return fail_at(p, ws->col[i], "expected a number, got ", ws->w[i]);
    if (v < 0.0 || v > 1.0)
        return fail_at(p, ws->col[i],
                       "sheet coordinates lie in [0, 1], got ", ws->w[i]);
    *out = (float)v;
    return REMAP_OK;
}

static remap_status panel_of(const parser *p, const words *ws, int i,
                             int *out)
{
    const char *s = ws->w[i];
    if (!strcmp(s, "cortex")) {
        *out = REMAP_SCRIPT_CORTEX;
        return REMAP_OK;
    }
    const int clickable[] = {REMAP_FRAME_MAP,         REMAP_FRAME_ACTIVITY,
                             REMAP_FRAME_THRESHOLD,   REMAP_FRAME_SKIN,
                             REMAP_FRAME_ORIENTATION, REMAP_FRAME_OCULAR};
    for (size_t k = 0; k < sizeof clickable / sizeof *clickable; k++)
        if (!strcmp(s, remap_frame_panel_name(clickable[k]))) {
            *out = clickable[k];
            return REMAP_OK;
        }
    return remap_fail(p->err, REMAP_EUSAGE,
                      "%s:%d:%d: unknown panel '%s'; clicks and drags go to "
                      "cortex, map, activity, threshold, orientation, ocular "
                      "or skin",
                      p->source, p->line, ws->col[i], s);
}

static remap_status arity(const parser *p, const words *ws, int want,
                          const char *usage)
{
    if (ws->n == want)
        return REMAP_OK;
    int col = ws->n > want ? ws->col[want] : ws->col[ws->n - 1];
    return remap_fail(p->err, REMAP_EUSAGE, "%s:%d:%d: %s; the form is 'at N %s'",
                      p->source, p->line, col,
                      ws->n > want ? "too many words" : "missing words", usage);
}

static remap_status parse_line(parser *p, words *ws, uint64_t prev,
                               remap_script_action *a)
{
    memset(a, 0, sizeof *a);
    a->line = p->line;
    if (strcmp(ws->w[0], "at"))
        return remap_fail(p->err, REMAP_EUSAGE,
                          "%s:%d:%d: a line starts with 'at ITERATION', got "
                          "'%s'",
                          p->source, p->line, ws->col[0], ws->w[0]);
    if (ws->n < 3)
        return remap_fail(p->err, REMAP_EUSAGE,
                          "%s:%d:%d: missing words; the form is 'at "
                          "ITERATION ACTION ...'",
                          p->source, p->line, ws->col[ws->n - 1]);
    char *end;
    errno = 0;
    const char *n = ws->w[1];
    unsigned long long at = strtoull(n, &end, 10);
    if (*n == '-' || end == n || *end || errno)
        return fail_at(p, ws->col[1], "expected an iteration, got ", n);
    if (at < prev)
        return remap_fail(p->err, REMAP_EUSAGE,
                          "%s:%d:%d: iteration %llu comes before the "
                          "previous line's %llu; keep the lines in order",
                          p->source, p->line, ws->col[1], at,
                          (unsigned long long)prev);
    a->at = at;
    const char *act = ws->w[2];
    remap_status st;
    if (!strcmp(act, "key")) {
        if ((st = arity(p, ws, 4, "key NAME")))
            return st;
        a->kind = REMAP_ACTION_KEY;
        a->key = key_of(ws->w[3]);
        if (!a->key)
            return remap_fail(p->err, REMAP_EUSAGE,
                              "%s:%d:%d: unknown key '%s'; the keys are space, "
                              "tab, escape, '.', s, '+', '-', a, 1-8, h, c, "
                              "r, p, q",
                              p->source, p->line, ws->col[3], ws->w[3]);
    } else if (!strcmp(act, "click")) {
        if ((st = arity(p, ws, 6, "click PANEL X Y")) ||
            (st = panel_of(p, ws, 3, &a->panel)) ||
            (st = number(p, ws, 4, &a->x0)) || (st = number(p, ws, 5, &a->y0)))
            return st;
        a->kind = REMAP_ACTION_CLICK;
        a->x1 = a->x0, a->y1 = a->y0;
    } else if (!strcmp(act, "drag")) {
        if ((st = arity(p, ws, 8, "drag PANEL X0 Y0 X1 Y1")) ||
            (st = panel_of(p, ws, 3, &a->panel)) ||
            (st = number(p, ws, 4, &a->x0)) ||
            (st = number(p, ws, 5, &a->y0)) ||
            (st = number(p, ws, 6, &a->x1)) || (st = number(p, ws, 7, &a->y1)))
            return st;
        a->kind = REMAP_ACTION_DRAG;
    } else if (!strcmp(act, "screenshot")) {
        if ((st = arity(p, ws, 4, "screenshot FILE")))
            return st;
        a->kind = REMAP_ACTION_SCREENSHOT;
        a->path = strdup(ws->w[3]);
        if (!a->path)
            return remap_fail(p->err, REMAP_ENOMEM, "script: out of memory");
    } else if (!strcmp(act, "resize")) {
        if ((st = arity(p, ws, 5, "resize WIDTH HEIGHT")))
            return st;
        for (int i = 0; i < 2; i++) {
            long v = strtol(ws->w[3 + i], &end, 10);
            if (end == ws->w[3 + i] || *end || v < 64 || v > 16384)
                return fail_at(p, ws->col[3 + i],
                               "expected a window side of 64 to 16384, got ",
                               ws->w[3 + i]);
            *(i ? &a->height : &a->width) = (int)v;
        }
        a->kind = REMAP_ACTION_RESIZE;
    } else if (!strcmp(act, "quit")) {
        if ((st = arity(p, ws, 3, "quit")))
            return st;
        a->kind = REMAP_ACTION_QUIT;
    } else {
        return remap_fail(p->err, REMAP_EUSAGE,
                          "%s:%d:%d: unknown action '%s'; the actions are "
                          "key, click, drag, screenshot, resize, quit",
                          p->source, p->line, ws->col[2], act);
    }
    return REMAP_OK;
}

void remap_script_destroy(remap_script *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++)
        free(s->actions[i].path);
    free(s->actions);
    free(s->source);
    free(s);
}

remap_status remap_script_parse(const char *source, const char *text,
                                remap_script **out, remap_error *err)
{
    *out = NULL;
    remap_script *s = calloc(1, sizeof *s);
    char *copy = strdup(text);
    if (s)
        s->source = strdup(source);
    if (!s || !copy || !s->source) {
        free(copy);
        remap_script_destroy(s);
        return remap_fail(err, REMAP_ENOMEM, "script: out of memory");
    }
    parser p = {.source = source, .err = err};
    size_t cap = 0;
    uint64_t prev = 0;
    remap_status st = REMAP_OK;
    char *line = copy;
    while (line && !st) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        p.line++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        words ws = {.n = 0};
        char *c = line;
        for (;;) {
            while (*c == ' ' || *c == '\t' || *c == '\r')
                c++;
            if (!*c)
                break;
            if (ws.n == MAX_WORDS) {
                st = remap_fail(err, REMAP_EUSAGE,
                                "%s:%d:%d: too many words", source, p.line,
                                (int)(c - line) + 1);
                break;
            }
            ws.col[ws.n] = (int)(c - line) + 1;
            ws.w[ws.n++] = c;
            while (*c && *c != ' ' && *c != '\t' && *c != '\r')
                c++;
            if (*c)
                *c++ = '\0';
        }
        line = next;
        if (st || ws.n == 0)
            continue;
        if (s->count == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            remap_script_action *grown =
                realloc(s->actions, ncap * sizeof *grown);
            if (!grown) {
                st = remap_fail(err, REMAP_ENOMEM, "script: out of memory");
                break;
            }
            s->actions = grown;
            cap = ncap;
        }
        remap_script_action *a = &s->actions[s->count];
        if ((st = parse_line(&p, &ws, prev, a)))
            break;
        s->count++;
        prev = a->at;
    }
    free(copy);
    if (st) {
        remap_script_destroy(s);
        return st;
    }
    *out = s;
    return REMAP_OK;
}

remap_status remap_script_load(const char *path, remap_script **out,
                               remap_error *err)
{
    *out = NULL;
    char *buf;
    size_t len;
    remap_status st = remap_read_file(path, &buf, &len, err);
    if (st)
        return st;
    if (strlen(buf) != len) {
        free(buf);
        return remap_fail(err, REMAP_EUSAGE, "%s: not a text file", path);
    }
    st = remap_script_parse(path, buf, out, err);
    free(buf);
    return st;
}
