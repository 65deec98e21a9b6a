/* The live viewer: a run in a worker thread, drawn in a window as it
 * goes. The worker steps the model and, between steps, renders the frame
 * image (the same renderer as `remap render`), applies what the window
 * asked for (pause, step, speed, panels, a probe, a lesion, a silenced
 * region, recording) and replays a script's actions at their iterations;
 * the main thread handles the window's input and shows the latest
 * finished image with a status bar and a help card. docs/viewer.md. */
#ifndef REMAP_VIEWER_H
#define REMAP_VIEWER_H

#include "render/render.h"
#include "run/run.h"
#include "scenario/scenario.h"
#include "viewer/script.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct remap_viewer_options {
    const remap_scenario *sc;
    /* The run as `remap run` would make it (out_dir, resume, from,
     * iterations, reference, device, stop); the viewer sets its frame and
     * control callbacks. A stop request (Ctrl-C) ends the run with a
     * checkpoint, as `remap run` does. */
    remap_run_options run;
    int width, height; /* frame image size, pixels */
    int panels[REMAP_FRAME_MAX_PANELS];
    int panel_count;
    uint64_t speed;    /* iterations per displayed frame; 0: automatic */
    bool paused;       /* start paused */
    const remap_script *script; /* or NULL */
    const char *record_dir;     /* where `r` records frames (NULL: the
                                   run directory's frames/) */
    bool checkpoint_on_exit;    /* quitting writes a checkpoint */
    /* Lines for the terminal (probes, lesions, screenshots, recording),
     * called from either thread; may be NULL. */
    void (*report)(void *ctx, const char *line);
    void *report_ctx;
} remap_viewer_options;

/* Opens the window and runs until the user quits (or a script does), the
 * run fails or the window cannot go on. At the run's last iteration the
 * viewer holds (as if paused) until it is told to quit; the run then
 * finishes as `remap run` does.
 *
 * *no_display is set (status REMAP_EIO) when no display could be opened.
 * A failure of the window (drawing, a screenshot that cannot be written)
 * stops the run with a checkpoint and is returned; a failure of the run
 * itself is returned as remap_run gives it. summary is the run's. */
remap_status remap_viewer_run(const remap_viewer_options *opt,
                              remap_run_summary *summary, bool *no_display,
                              remap_error *err);

#endif
