/* Progress output for long runs: a bar with rate and ETA on a terminal,
 * periodic plain lines otherwise (logs, CI). */
#ifndef REMAP_PROGRESS_H
#define REMAP_PROGRESS_H

#include "run/run.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct remap_progress {
    FILE *out;
    bool tty;
    bool quiet;
    double last_print; /* elapsed seconds at the last plain line */
    bool bar_shown;    /* a bar is on the line and must be ended */
} remap_progress;

void remap_progress_init(remap_progress *p, FILE *out, bool quiet);
/* The run's progress callback (ctx is a remap_progress). */
void remap_progress_update(void *ctx, const remap_run_progress *rp);
/* Ends the bar's line so later output starts on a fresh line. */
void remap_progress_finish(remap_progress *p);

#endif
