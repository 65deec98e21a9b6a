/* The model: sheet geometry derived from the parameters, the host copy of
 * all state, and the backend that performs a training step. The model
 * knows nothing of OpenCL: backends are reached through remap_backend_ops.
 * Host memory only. */
#ifndef REMAP_MODEL_H
#define REMAP_MODEL_H

#include "core/status.h"
#include "model/params.h"

#include <stdbool.h>
#include <stdint.h>

/* Counter-based random streams (the second Philox counter word). */
enum remap_stream {
    REMAP_STREAM_TOUCH = 0,  /* per iteration: region, x, y of the touch */
    REMAP_STREAM_WEIGHTS = 1 /* initial weights: one counter per unit */
};

/* Sizes derived from the parameters. All sheets span [0,1]^2; a unit or
 * receptor (i, j) sits at ((i + 0.5) / n, (j + 0.5) / n), i = column. */
typedef struct remap_geometry {
    int skin_n;      /* receptors per side */
    int cortex_n;    /* units per side */
    int units;       /* cortex_n^2 */
    int receptors;   /* skin_n^2 */
    int cf_r;        /* afferent field half-width, receptors */
    int cf_side;     /* 2 cf_r + 1 */
    int cf_len;      /* cf_side^2: weights stored per unit (masked square) */
    int cf_full;     /* synapses in an unclipped circular field */
    int cf_r2i;      /* synapse (dx, dy) exists if dx^2 + dy^2 <= cf_r2i */
    int exc_r, inh_r; /* lateral kernel half-widths, units */
} remap_geometry;

/* Bytes the model needs, for fit checks before anything is allocated. */
typedef struct remap_memory {
    uint64_t total;   /* all state buffers together */
    uint64_t largest; /* the largest single buffer (the afferent weights) */
} remap_memory;

/* Derives the geometry from validated parameters. */
void remap_geometry_from_params(const remap_params *p, remap_geometry *g);

/* Memory needed for the given geometry (the same on host and device). */
void remap_memory_need(const remap_geometry *g, remap_memory *m);

/* Receptor index in the unit's field square at field offset (dx, dy) in
 * [-cf_r, cf_r], or -1 when that synapse does not exist (outside the circle
 * or off the skin). The afferent field of unit (ux, uy) is centred on the
 * receptor under the unit's position. */
int remap_cf_receptor(const remap_geometry *g, int unit, int dx, int dy);

/* Receptor nearest to a skin position, clamped to the sheet. */
int remap_skin_index(const remap_geometry *g, float x, float y);

struct remap_model;

/* A backend performs training steps on the model's state. The reference
 * backend works on the host arrays directly; a device backend keeps its own
 * copy and moves it with pull/push. */
typedef struct remap_backend_ops {
    const char *name;
    /* Creates backend state for m's geometry and parameters (before the
     * host state exists; push fills it). */
    remap_status (*create)(struct remap_model *m, const void *options,
                           void **state, remap_error *err);
    void (*destroy)(void *state);
    /* Runs `count` iterations from m->iteration, reading the runtime
     * parameters from m->params, and advances m->iteration. */
    remap_status (*step)(void *state, struct remap_model *m, uint64_t count,
                         remap_error *err);
    /* Copies backend state into the host arrays (weights, threshold,
     * average activity, activity, counters, last input). */
    remap_status (*pull)(void *state, struct remap_model *m, remap_error *err);
    /* Copies the host arrays into the backend (after a resume or an event
     * that edited host state). */
    remap_status (*push)(void *state, const struct remap_model *m,
                         remap_error *err);
    /* Short description of where the step runs ("reference (host C)",
     * "OpenCL: NVIDIA H200 (CUDA 12.4)"). */
    const char *(*device_name)(void *state);
} remap_backend_ops;

/* The reference backend: plain single-threaded C, the yardstick. */
extern const remap_backend_ops remap_ref_backend;

typedef struct remap_model {
    remap_params params; /* current values (timeline `set` changes them) */
    remap_geometry geom;
    uint64_t seed;
    uint64_t iteration; /* iterations completed */

    /* Fixed after creation. */
    uint8_t *skin_region; /* [receptors] region label of each receptor */
    float *region_cdf;    /* [REMAP_REGION_COUNT] cumulative touch weights */
    float *exc_kernel;    /* [(2 exc_r + 1)^2] normalised, row-major */
    float *inh_kernel;    /* [(2 inh_r + 1)^2] normalised, row-major */

    /* State; authoritative in the backend, mirrored here by pull. */
    float *weights;        /* [units][cf_len] afferent weights, 0 = no synapse */
    float *threshold;      /* [units] adaptive threshold theta */
    float *avg_activity;   /* [units] smoothed activity ybar */
    float *activity;       /* [units] settled response of the last iteration */
    uint32_t *active_count; /* [units] iterations with y > 0 since reset */
    float *input;          /* [receptors] the last stimulus */

    const remap_backend_ops *backend;
    void *backend_state;
} remap_model;

/* Creates a model: derives the geometry, creates the backend with
 * backend_options (backend-specific, may be NULL; a device backend checks
 * that the model fits before allocating anything), allocates and
 * initialises the host state (weights: Philox uniforms under a Gaussian
 * envelope, normalised; thresholds; lateral kernels) from params and seed,
 * and pushes it to the backend. On failure nothing is left allocated. */
remap_status remap_model_create(const remap_params *params, uint64_t seed,
                                const remap_backend_ops *backend,
                                const void *backend_options,
                                remap_model **out, remap_error *err);

/* Releases the model and its backend. NULL does nothing. */
void remap_model_destroy(remap_model *m);

/* Runs count iterations through the backend. */
remap_status remap_model_step(remap_model *m, uint64_t count,
                              remap_error *err);

/* Brings the backend state into the host arrays. */
remap_status remap_model_pull(remap_model *m, remap_error *err);

/* Sends the host arrays to the backend. */
remap_status remap_model_push(remap_model *m, remap_error *err);

/* Recomputes the derived touch table after stimulus parameters change. */
void remap_model_params_changed(remap_model *m);

/* The touch drawn at iteration t: region, centre (skin sheet units). Both
 * backends use this arithmetic (the OpenCL kernel mirrors it). */
typedef struct remap_touch {
    int region;
    float x, y;
} remap_touch;
void remap_touch_draw(const remap_model *m, uint64_t iteration,
                      remap_touch *out);

/* Writes the receptor activations of a touch into input[receptors]: a
 * Gaussian of the stimulus sigma and peak, restricted to the receptors of
 * the touched region (the digits are separate pieces of skin). */
void remap_touch_render(const remap_model *m, const remap_touch *t,
                        float *input);

/* 1 / (2 sigma^2) of the touch Gaussian. */
float remap_touch_inv2s2(const remap_params *p);

/* Receptor column and row under unit u: the centre of its field. */
void remap_unit_centre(const remap_geometry *g, int u, int *cx, int *cy);

/* Sheet position of unit u (cortex) or receptor r (skin). */
void remap_unit_position(const remap_geometry *g, int u, float *x, float *y);
void remap_receptor_position(const remap_geometry *g, int r, float *x,
                             float *y);

/* Rectangle of a region on the skin: [x0,x1) x [y0,y1), sheet units. */
void remap_region_bounds(int region, float *x0, float *y0, float *x1,
                         float *y1);

#endif
