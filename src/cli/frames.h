/* Frames of a run for `remap render`: when to draw, what the captions
 * say, the renderer and the PNG writer thread, and how much of the run's
 * time they took. */
#ifndef REMAP_FRAMES_H
#define REMAP_FRAMES_H

#include "render/png.h"
#include "render/render.h"
#include "scenario/scenario.h"

typedef struct remap_frames_options {
    const char *dir;     /* where frame-NNNNNNNN.png go */
    uint64_t every;      /* a frame every this many iterations, or ... */
    int log_frames;      /* ... this many frames spaced logarithmically */
    int width, height;
    int panels[REMAP_FRAME_MAX_PANELS];
    int panel_count;
    int compression;     /* zlib level 0-9 */
} remap_frames_options;

typedef struct remap_frames remap_frames;

/* Prepares frames of sc's run up to iteration last: checks the options,
 * creates the frame directory (refusing one that already holds frames)
 * and starts the writer. The renderer is made at the first frame, when
 * the model exists; that frame's iteration is where the run starts. */
remap_status remap_frames_start(const remap_frames_options *opt,
                                const remap_scenario *sc, uint64_t last,
                                remap_frames **out, remap_error *err);

/* For remap_run_options.frame and .next_frame, with the frames as ctx. */
remap_status remap_frames_draw(void *ctx, remap_model *m, remap_error *err);
uint64_t remap_frames_next(void *ctx, uint64_t after);

typedef struct remap_frames_stats {
    long frames;
    double render_seconds;  /* the simulation's thread: pulling, colouring
                               the cortical panels' units and copying the
                               state (or, for a model too large to copy,
                               drawing) */
    double wait_seconds;    /* the simulation's thread, waiting for the
                               writer */
    double compose_seconds; /* the writer thread's drawing */
    double write_seconds;   /* the writer thread's encoding and writing */
} remap_frames_stats;

/* Waits for the writer, frees everything, and returns the first error. */
remap_status remap_frames_finish(remap_frames *f, remap_frames_stats *stats,
                                 remap_error *err);

/* The phase and captions of a frame of m: the latest events applied
 * ("lesion at 4 000"), and the phase ("development", "sleep",
 * "rehabilitation", "after lesion"). A frame during a run comes before
 * the events of its own iteration (they happen as the next one begins);
 * a checkpoint holds them already (applied_at_iteration). */
void remap_frames_caption(const remap_scenario *sc, const remap_model *m,
                          bool applied_at_iteration, char *phase,
                          size_t phase_size, char *captions,
                          size_t captions_size);

#endif
