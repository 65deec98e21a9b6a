/* A run: drives a scenario through the model to its last iteration,
 * applying timeline events, writing metrics, checkpoints and a log into a
 * run directory, and stopping on numerical failure or a collapsed map.
 * Reports progress through a callback; never prints. */
#ifndef REMAP_RUN_H
#define REMAP_RUN_H

#include "core/status.h"
#include "measure/measure.h"
#include "scenario/scenario.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct remap_run_progress {
    uint64_t iteration; /* completed */
    uint64_t first;     /* where this run started (0, or the resume point) */
    uint64_t last;      /* the iteration the run ends at */
    double elapsed;     /* seconds since the first step */
    double rate;        /* recent iterations per second */
    const remap_measures *measures; /* non-NULL right after a measurement */
} remap_run_progress;

/* What a control callback asks of the run (remap_run_options.control). */
typedef struct remap_run_control {
    /* Events to apply now, at the model's iteration, as timeline events
     * are applied: logged in run.log, noted in metrics.csv's events column
     * and measured around. The run then calls the callback again before
     * any step, so it sees their effect. The array is the callback's and
     * must live until that next call. */
    const remap_event *apply;
    size_t apply_count;
    bool stop;       /* end the run here (summary.stopped) ... */
    bool checkpoint; /* ... writing a checkpoint of this iteration first */
} remap_run_control;

typedef struct remap_run_options {
    const char *out_dir;   /* run directory; created, must not hold a run */
    const char *resume;    /* checkpoint to continue from, or NULL */
    /* Checkpoint whose state (a developed map) this scenario starts from,
     * or NULL: the scenario's parameters and seed apply from there on, its
     * events at the checkpoint's iteration and later happen, and it may
     * have none before (they would be lost). Not with resume. */
    const char *from;
    uint64_t iterations;   /* last iteration; 0: the scenario's */
    bool reference;        /* run on the reference backend, not OpenCL */
    bool half_weights;     /* store the afferent weights as half floats
                              (either backend: the reference rounds them) */
    const char *device;    /* OpenCL device spec, or NULL for the default */
    /* Set asynchronously (Ctrl-C): the run checkpoints and stops. */
    volatile sig_atomic_t *stop;
    void (*progress)(void *ctx, const remap_run_progress *p);
    void *progress_ctx;
    /* Frames (rendering): when frame is set, it is called with the model
     * once before the first step and then at every iteration next_frame
     * names (the first frame iteration after `after`, UINT64_MAX for no
     * more); the run stops stepping there. The host state is not pulled:
     * frame does what it needs. An error from it ends the run. */
    remap_status (*frame)(void *ctx, remap_model *m, remap_error *err);
    uint64_t (*next_frame)(void *ctx, uint64_t after);
    void *frame_ctx;
    /* Control (the viewer), or NULL: called after the events due at an
     * iteration are applied and before each chunk of steps, the last
     * iteration included (where returning without stop ends the run as
     * usual). It may block (a pause), hand over events to apply, or stop
     * the run; while it blocks the run holds still. After it returns,
     * next_frame is asked again with the current iteration, so it may
     * move the next frame. An error from it ends the run. */
    remap_status (*control)(void *ctx, remap_model *m, remap_run_control *c,
                            remap_error *err);
    void *control_ctx;
} remap_run_options;

typedef struct remap_run_summary {
    uint64_t first, last;     /* iterations run: (first, last] */
    double seconds;           /* stepping time, without setup */
    double setup_seconds;     /* model creation, kernel build, upload */
    remap_measures measures;  /* the final measurement */
    bool measured;
    bool stopped;             /* the control callback ended the run at last */
    char device[512];
    char last_checkpoint[4096]; /* "" when none was written */
} remap_run_summary;

/* Runs sc as opt says. On failure err says what and where, and the run
 * directory keeps its log, metrics and the last good checkpoint. A stop
 * request ends with REMAP_EINTERRUPTED after writing a checkpoint. */
remap_status remap_run(const remap_scenario *sc, const remap_run_options *opt,
                       remap_run_summary *summary, remap_error *err);

/* Checks the state for non-finite values (weights, thresholds, averages,
 * activity); names the first quantity and unit found. */
remap_status remap_run_check_finite(const remap_model *m, remap_error *err);

#endif
