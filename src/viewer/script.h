/* Viewer scripts: a timed list of viewer actions (key presses, clicks and
 * drags in sheet units, screenshots, window sizes, quitting) replayed at
 * given iterations, for reproducible demonstrations and tests. The format
 * is in docs/viewer.md:
 *
 *     # comment
 *     at 200 key space
 *     at 300 drag cortex 0.5 0.6 0.6 0.6
 *     at 300 click cortex 0.3 0.4
 *     at 400 screenshot out.png
 *     at 500 quit
 */
#ifndef REMAP_SCRIPT_H
#define REMAP_SCRIPT_H

#include "core/status.h"

#include <stddef.h>
#include <stdint.h>

typedef enum remap_action_kind {
    REMAP_ACTION_KEY,        /* a key press */
    REMAP_ACTION_CLICK,      /* press and release at one point of a panel */
    REMAP_ACTION_DRAG,       /* press at (x0, y0), release at (x1, y1) */
    REMAP_ACTION_SCREENSHOT, /* a PNG of the image shown */
    REMAP_ACTION_RESIZE,     /* the window's size, screen coordinates */
    REMAP_ACTION_QUIT        /* as closing the window */
} remap_action_kind;

/* A click or drag on whichever cortical panel (map, activity, threshold,
 * orientation, ocular) comes first on screen; otherwise a
 * remap_frame_panel. */
#define REMAP_SCRIPT_CORTEX (-1)

/* Keys are characters: ' ' (space), '\t' (tab), 27 (escape) and the
 * printable ones the viewer knows. */
#define REMAP_KEY_ESCAPE 27

typedef struct remap_script_action {
    uint64_t at; /* the iteration at which it happens */
    remap_action_kind kind;
    int key;              /* KEY */
    int panel;            /* CLICK, DRAG */
    float x0, y0, x1, y1; /* CLICK (x0, y0), DRAG: sheet units, y up */
    int width, height;    /* RESIZE */
    char *path;           /* SCREENSHOT */
    int line;             /* where it was written */
} remap_script_action;

typedef struct remap_script {
    char *source; /* the file name, for messages */
    remap_script_action *actions; /* in the order written (at never falls) */
    size_t count;
} remap_script;

/* Parses a script's text; source names it in messages. Errors are
 * REMAP_EUSAGE with "source:line:column: what" (an unknown action or key,
 * a missing or extra word, a coordinate outside [0, 1], an iteration
 * before the previous line's); REMAP_ENOMEM. *out is NULL on failure. */
remap_status remap_script_parse(const char *source, const char *text,
                                remap_script **out, remap_error *err);

/* Reads and parses the file at path; REMAP_EIO naming it when it cannot
 * be read. */
remap_status remap_script_load(const char *path, remap_script **out,
                               remap_error *err);

/* Frees the script (NULL does nothing). */
void remap_script_destroy(remap_script *s);

/* True when the viewer has a binding for key. */
int remap_script_key_known(int key);

#endif
