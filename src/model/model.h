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
    REMAP_STREAM_TOUCH = 0,       /* per iteration: region, x, y of the touch */
    REMAP_STREAM_WEIGHTS = 1,     /* initial weights: one counter per unit */
    REMAP_STREAM_SPONTANEOUS = 2, /* sleep input: (iteration, receptor / 4) */
    REMAP_STREAM_SPROUT = 3,      /* sprouting: (iteration, unit, slot / 4) */
    REMAP_STREAM_VISUAL = 4,      /* per iteration: bar g's x, y, angle at
                                     (iteration, g); the eyes' brightness at
                                     (iteration, count). With natural
                                     images: image, x, y at (iteration, 0),
                                     brightness at (iteration, 1) */
    REMAP_STREAM_LATERAL = 5      /* initial plastic lateral weights:
                                     (unit, slot / 4, projection) */
};

/* Sizes derived from the parameters. All sheets span [0,1]^2; a unit or
 * receptor (i, j) sits at ((i + 0.5) / n, (j + 0.5) / n), i = column.
 *
 * The visual layouts' input sheet (the LGN) has `channels` planes: ON and
 * OFF cells of each eye, channel 2 e + 0 (ON) and 2 e + 1 (OFF) for eye e.
 * It reaches skin_pad receptors beyond [0,1]^2 on each side, so that no
 * afferent field is cut at the edge: receptor (i, j) of a plane sits at
 * ((i - skin_pad + 0.5) / skin_core, ...), and receptor index r is
 * channel r / plane at r % plane. A field holds the same square of slots
 * in every channel: slot k is channel k / cf_area at k % cf_area. The skin
 * is the special case of one channel and no margin. */
typedef struct remap_geometry {
    int skin_n;      /* receptors per side of a plane: skin_core + 2 pad */
    int skin_core;   /* receptors per unit length */
    int skin_pad;    /* receptors beyond [0,1] on each side */
    int channels;    /* input planes */
    int plane;       /* skin_n^2 */
    int cortex_n;    /* units per side */
    int units;       /* cortex_n^2 */
    int receptors;   /* channels * plane */
    /* The stored field is the maximal field: the initial field, or the
     * larger one synapses may sprout in under structural plasticity. */
    int cf_r;        /* stored field half-width, receptors */
    int cf_side;     /* 2 cf_r + 1 */
    int cf_area;     /* cf_side^2: slots per channel */
    int cf_len;      /* channels * cf_area: weights stored per unit */
    int cf_r2i;      /* slot (dx, dy) is in the field if dx^2+dy^2 <= cf_r2i */
    int init_r2i;    /* initially live if dx^2 + dy^2 <= init_r2i */
    int cf_full;     /* synapses in an unclipped initial circular field,
                        over all channels */
    /* The afferent rate's divisor: the synapses of one channel's full
     * field, as Topographica divides each projection's rate (GCAL's ON
     * and OFF projections each learn at alpha_A) by its own field size. */
    int cf_rate_n;
    bool structural; /* structural plasticity on: liveness is state */
    int exc_r, inh_r; /* lateral kernel half-widths, units */
    /* Plastic lateral projections (0: excitatory, 1: inhibitory): each
     * unit's weights lie in the square of its kernel, slot (dx, dy) at
     * (dy + r)(2 r + 1) + dx + r, live where dx^2 + dy^2 <= r^2 and the
     * neighbour is on the sheet. */
    int lat_plastic[2]; /* 1: per-unit weights */
    int lat_len[2];     /* (2 r + 1)^2 */
    int lat_full[2];    /* slots of a full circle (the rate's divisor) */
    /* Visual layouts: the retina, whose images feed the LGN through
     * kernels of half-width lgn_r; it reaches lgn_r pixels beyond the LGN
     * on each side, at the same density. */
    int eyes;          /* 0 for the other layouts */
    int lgn_r;
    int retina_n;      /* pixels per side: skin_n + 2 lgn_r */
} remap_geometry;

/* Natural training images (stimulus.images), host memory: greyscale
 * luminance in [0, 1], row-major, row 0 first. A set is made by a loader
 * (io/images.h) and then owned by the model it is given to. */
typedef struct remap_natural_image {
    char *name;  /* the file's name, for messages */
    int width, height;
    float *lum;  /* [height][width] */
} remap_natural_image;

typedef struct remap_image_set {
    int count;
    remap_natural_image *images; /* [count], sorted by name */
} remap_image_set;

/* Frees a set and its images. NULL does nothing. */
void remap_image_set_destroy(remap_image_set *set);

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

/* Receptor of field slot k of the unit in any channel, or -1. */
int remap_cf_slot_receptor(const remap_geometry *g, int unit, int k);

/* Receptor of channel 0 nearest to a skin position, clamped to the
 * plane. */
int remap_skin_index(const remap_geometry *g, float x, float y);

/* Host-side conditions set by events, read by both backends each step. */
typedef struct remap_conditions {
    float enrich[REMAP_REGION_COUNT]; /* lasting factors on each region's
                                         touch frequency (enrich) */
    float focus[REMAP_REGION_COUNT];  /* factors during rehabilitation */
    float rehab_gain;                 /* factor on learning during rehab */
    /* Bit q of co_touch[r]: a touch on region r also touches region q at
     * the same relative place (fuse). */
    uint8_t co_touch[REMAP_REGION_COUNT];
    uint8_t deafferented;             /* bit r: region r is silenced */
    /* Enrichment of a patch of skin (a fingertip): with probability
     * spot_share a touch lands uniformly in spot[x0, y0, x1, y1] (inside
     * one region) instead of where the region table sends it. */
    float spot[4];
    float spot_share;
    uint8_t sleeping;                 /* 1 during sleep */
    remap_sleep_params sleep;         /* the current sleep's parameters */
} remap_conditions;

/* Per-iteration factors, the same arithmetic for both backends. */
typedef struct remap_rates {
    float learn;      /* factor on the learning rate: global modulation x
                         rehabilitation gain x age, 0 during sleep */
    float homeostasis; /* factor on the threshold adaptation rate: age, 0
                          during sleep */
} remap_rates;

struct remap_model;
/* Factors for iteration t of m (computed in double, rounded once). */
void remap_model_rates(const struct remap_model *m, uint64_t t,
                       remap_rates *out);

/* What a cortical panel shows: each unit's field centre as a colour
 * (region hue, brighter towards the region's top), or a scalar through a
 * colour map. */
typedef enum remap_panel_kind {
    REMAP_PANEL_MAP,
    REMAP_PANEL_ACTIVITY,
    REMAP_PANEL_THRESHOLD,
    REMAP_PANEL_KIND_COUNT
} remap_panel_kind;

/* A cortical panel to draw: the cortex scaled to width x height pixels
 * (nearest unit, the sheet's top row at the image's top). Dead units take
 * the lesion colour, units in a penumbra blend towards it by their lost
 * gain; on the map, a pixel on the edge of a unit's cell whose neighbour
 * cell belongs to another region (or is dead) takes the border colour.
 * The backend colours the units; remap_render_cells lays out the pixels. */
typedef struct remap_render_request {
    remap_panel_kind kind;
    int width, height;
    uint8_t lut[256][4]; /* scalar colour map: lo at 0, hi at 255 */
    float lo, hi;        /* value limits (hi > lo) */
    uint8_t region_colour[REMAP_REGION_COUNT][4];
    uint8_t lesion[4], border[4], empty[4]; /* empty: a field with no weight */
} remap_render_request;

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
    remap_status (*push)(void *state, struct remap_model *m,
                         remap_error *err);
    /* Short description of where the step runs ("reference (host C)",
     * "OpenCL: NVIDIA H200 (CUDA 12.4)"). */
    const char *(*device_name)(void *state);
    /* Colours every unit of the backend's current state for a panel of
     * kind rq->kind (width and height are not used): colour[u], and
     * label[u], the region its field lies in (-1: none, -2: dead), whose
     * changes the map draws as borders. */
    remap_status (*colour_units)(void *state, const struct remap_model *m,
                                 const remap_render_request *rq,
                                 uint8_t (*colour)[4], int *label,
                                 remap_error *err);
} remap_backend_ops;

/* The reference backend: plain single-threaded C, the yardstick. */
extern const remap_backend_ops remap_ref_backend;

/* Options for the reference backend (a pointer as backend_options; NULL:
 * all off). */
typedef struct remap_ref_options {
    bool half_weights; /* round every stored weight to half precision, as
                          the OpenCL backend's half storage does */
} remap_ref_options;

/* x rounded to the nearest half-precision value (ties to even), returned
 * as a float: what storing x as a half float and loading it back gives
 * (vstore_half in round-to-nearest mode). */
float remap_half_round(float x);

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
    /* Visual layouts: the LGN's 1-D Gaussians (centre, surround, gain
     * pool), each [2 lgn_r + 1] summing to 1; NULL otherwise. */
    float *lgn_taps[3];

    /* State; authoritative in the backend, mirrored here by pull. */
    float *weights;        /* [units][cf_len] afferent weights, 0 = no synapse */
    float *threshold;      /* [units] adaptive threshold theta */
    float *avg_activity;   /* [units] smoothed activity ybar */
    float *activity;       /* [units] settled response of the last iteration */
    uint32_t *active_count; /* [units] iterations with y > 0 since reset */
    float *input;          /* [receptors] the last stimulus */
    /* [units][cf_len] synapse state: 0 absent, 1 + n live with n checks in
     * a row below the structural floor (saturating at 255). Without
     * structural plasticity a slot is live iff it is in the field. */
    uint8_t *synapse;
    float *bcm_threshold;  /* [units] BCM sliding threshold theta_M */
    float *drive_scale;    /* [units] synaptic scaling factor on the drive */
    float *input_trace;    /* [receptors] smoothed input (for sprouting) */
    /* [units][lat_len[q]] plastic lateral weights of projection q (0
     * excitatory, 1 inhibitory; NULL for a shared kernel), 0 where no
     * synapse is. */
    float *lateral[2];

    /* Perturbations; set by events on the host, then pushed. */
    float *unit_gain;      /* [units] 1 healthy, 0 dead (lesion), between:
                              penumbra; multiplies the unit's activity */
    float *gain_recovery;  /* [units] added to unit_gain each iteration,
                              which stops at 1 */
    float *modulation;     /* [units] regional neuromodulatory factor on
                              learning (1: none) */
    float *receptor_gain;  /* [receptors] 1 intact, 0 deafferented */
    float *retina_gain;    /* visual: [eyes][retina_n^2] 1 intact, 0 in a
                              retinal lesion (scotoma); NULL otherwise */
    uint8_t *affected;     /* [receptors] 1: skin whose best unit was
                              lesioned (for the recovery measures) */
    remap_conditions cond;

    /* Visual layouts: the natural images the retina sees instead of
     * Gaussian bars (remap_model_set_images); NULL: bars. */
    remap_image_set *images;

    const remap_backend_ops *backend;
    void *backend_state;
    /* The backend stores the afferent weights as half floats (set by the
     * backend as it is created; checkpoints record it, so that a resumed
     * run keeps it). */
    bool half_weights;
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

/* A host-only copy of m (pulled first): parameters, geometry, conditions
 * and every host array, with no backend and no image set, to be read
 * while m goes on (the frames' writer thread draws from one). Free it with
 * remap_model_destroy. */
remap_status remap_model_snapshot(const remap_model *m, remap_model **out,
                                  remap_error *err);

/* Refreshes a snapshot of src (taken from src or a model of the same
 * geometry) with src's current host state. */
void remap_model_snapshot_update(remap_model *dst, const remap_model *src);

/* Bytes of host state that a snapshot of m copies. */
size_t remap_model_snapshot_bytes(const remap_model *m);

/* Colours the units of the backend's current state (no pull needed) for
 * a cortical panel: colour and label hold m->geom.units entries each (see
 * remap_backend_ops.colour_units). */
remap_status remap_model_colour_units(remap_model *m,
                                      const remap_render_request *rq,
                                      uint8_t (*colour)[4], int *label,
                                      remap_error *err);

/* Lays out a cortical panel of rq->width x rq->height pixels from the
 * units' colours and labels of a cortex_n x cortex_n sheet, into rgba
 * with rows `stride` bytes apart: pixel (px, py) shows unit
 * (n - 1 - floor(py n / h)) n + floor(px n / w), and on the map it takes
 * rq->border where the unit of pixel (px - 1, py) or (px, py - 1), if
 * any, has another label. Host code for both backends: the expensive
 * part, colouring the units, is the backend's. */
void remap_render_cells(int cortex_n, const remap_render_request *rq,
                        const uint8_t (*colour)[4], const int *label,
                        uint8_t *rgba, size_t stride);

/* Draws a cortical panel of the backend's current state (no pull needed)
 * into rgba, rq->width * rq->height * 4 bytes: the two steps above. */
remap_status remap_model_render(remap_model *m, const remap_render_request *rq,
                                uint8_t *rgba, remap_error *err);

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
 * the touched region (the digits are separate pieces of skin), plus the
 * same Gaussian at the same relative place of each region fused with it
 * (cond.co_touch), times each receptor's gain (0 where deafferented). */
void remap_touch_render(const remap_model *m, const remap_touch *t,
                        float *input);

/* Spontaneous input of iteration t during sleep: each receptor draws a
 * uniform u in [0, 1) from Philox (REMAP_STREAM_SPONTANEOUS, counter
 * (t, receptor / 4), word receptor % 4) and gets noise * u * gain. */
void remap_spontaneous_render(const remap_model *m, uint64_t t,
                              float *input);

/* What a field shows at in-plane slot a (0 .. cf_area - 1) of unit u: its
 * weight on the skin; in the visual layouts the sum over the eyes of the ON
 * weight minus the OFF weight there (positive where light excites the
 * unit, negative where darkness does: the classic receptive-field map). */
float remap_field_slot_value(const remap_model *m, int u, int a);

/* ---- The visual pathway of the retina layouts (model/retina.c). Both
 * backends take the input of an iteration from here. */

/* Sheet position of pixel p of a retina image (retina_n^2 pixels; the LGN
 * plane lies lgn_r pixels in from each side). */
void remap_retina_position(const remap_geometry *g, int p, float *x,
                           float *y);

/* Draws the training images of iteration t, images[eyes][retina_n^2]:
 * stimulus.count elongated Gaussian bars (Philox, REMAP_STREAM_VISUAL),
 * combined by their maximum, or with m->images a patch of one natural image
 * (remap_retina_patch), times stimulus.peak, each eye's brightness and its
 * retina gain. */
void remap_retina_draw(const remap_model *m, uint64_t t, float *images);

/* Side, in image pixels, of the square of an image one retina image covers:
 * ceil(retina_n * k), with k = stimulus.image_scale / skin density image
 * pixels per retina pixel (k = 1 when image_scale is 0). */
int remap_retina_patch_side(const remap_model *m);

/* The patch of iteration t when m has images: the image's index and the
 * patch's top-left image pixel (x0, y0), drawn uniformly so the patch lies
 * inside the image (Philox, REMAP_STREAM_VISUAL, counter (t, 0)). Retina
 * pixel (i, j) takes the image's luminance at (x0 + (i + 0.5) k,
 * y0 + (j + 0.5) k), image pixel (a, b) having its centre at (a + 0.5,
 * b + 0.5), interpolated bilinearly (exactly pixel (x0 + i, y0 + j) when
 * k = 1). */
void remap_retina_patch(const remap_model *m, uint64_t t, int *image, int *x0,
                        int *y0);

/* Gives m (a visual layout) the natural images its retina sees from now on,
 * replacing any it had; m owns set afterwards, also on failure (when it is
 * freed). Fails with REMAP_EINVAL when m is not visual or set is empty,
 * REMAP_ESCENARIO naming the first image smaller than the patch
 * (remap_retina_patch_side) in either direction. */
remap_status remap_model_set_images(remap_model *m, remap_image_set *set,
                                    remap_error *err);

/* The LGN's ON and OFF responses to retina images[eyes][retina_n^2] into
 * input[receptors], each times gain[receptor] (the receptor gains in
 * training; NULL: 1, as a measurement with every eye open). Fails only
 * when scratch memory cannot be allocated. */
remap_status remap_lgn_respond(const remap_model *m, const float *images,
                               const float *gain, float *input,
                               remap_error *err);

/* The input of iteration t in a visual layout: draw, then respond. */
remap_status remap_visual_render(const remap_model *m, uint64_t t,
                                 float *input, remap_error *err);

/* The most inputs remap_afferent_responses takes at once. */
#define REMAP_AFFERENT_BATCH 16

/* The afferent responses gamma_A * drive_scale * sum_k w x of every unit
 * to n inputs at once (1 <= n <= REMAP_AFFERENT_BATCH; host arrays: pull
 * first): input[r n + i] is receptor r of input i, out[u n + i] unit u's
 * response to it. Each response is summed in the order of one alone, so
 * n changes no bit; the n sums share each weight read and are added side
 * by side, where one sum alone waits on each addition before the next. */
void remap_afferent_responses(const remap_model *m, const float *input,
                              int n, float *out);

/* The sprouting draw for slot k of unit u at iteration t: uniform in
 * [0, 1) from Philox (REMAP_STREAM_SPROUT, counter (t, u, k / 4), word
 * k % 4). */
float remap_sprout_draw(const remap_model *m, uint64_t t, int u, int k);

/* A region of the cortical sheet, in cortical sheet units. */
#define REMAP_SHAPE_MAX_POINTS 16
enum remap_shape_kind { REMAP_SHAPE_DISC, REMAP_SHAPE_POLYGON };
typedef struct remap_shape {
    enum remap_shape_kind kind;
    float cx, cy, radius;                  /* disc */
    int points;                            /* polygon: 3 .. MAX_POINTS */
    float x[REMAP_SHAPE_MAX_POINTS], y[REMAP_SHAPE_MAX_POINTS];
} remap_shape;

/* True when the point (x, y) lies inside the shape (a polygon by the
 * even-odd rule). */
bool remap_shape_contains(const remap_shape *s, float x, float y);

/* Distance from (x, y) to the shape (0 inside). */
float remap_shape_distance(const remap_shape *s, float x, float y);

/* ---- Perturbations: host edits made by timeline events. The caller pulls
 * the state first and pushes it afterwards. */

/* Kills the units whose positions lie in the shape (gain 0, no recovery)
 * and gives the living units within penumbra_width of it the gain
 * penumbra_gain (if lower than theirs), recovering linearly to 1 over
 * `recovery` iterations (0: it stays). Returns the number of units killed.
 * (The measure module marks the affected skin.) */
int remap_model_lesion(remap_model *m, const remap_shape *s,
                       float penumbra_width, float penumbra_gain,
                       uint64_t recovery);

/* Kills the retina pixels of the given eyes (bit mask) inside the shape
 * (sheet units; visual layouts): a scotoma. Returns the pixels killed. */
int remap_model_retinal_lesion(remap_model *m, const remap_shape *s,
                               unsigned eyes);

/* Silences (silence true) or restores the receptors of the regions in the
 * bit mask. */
void remap_model_deafferent(remap_model *m, unsigned regions, bool silence);

/* Makes every region in the bit mask co-touched with every other one. */
void remap_model_fuse(remap_model *m, unsigned regions);

/* Multiplies the touch frequency of the regions in the mask by factor. */
void remap_model_enrich(remap_model *m, unsigned regions, float factor);

/* Makes touches land in the skin rectangle spot[x0, y0, x1, y1] (inside
 * one region) `factor` times as often as they now do, by sending a share
 * of all touches there (cond.spot_share). factor 1 ends it. */
void remap_model_enrich_spot(remap_model *m, const float spot[4],
                             float factor);

/* Starts rehabilitation (touch frequency of the regions times focus,
 * learning times gain) or ends it (factors back to 1). */
void remap_model_rehab(remap_model *m, unsigned regions, float focus,
                       float gain, bool start);

/* Puts the model to sleep with the given parameters, or wakes it (NULL). */
void remap_model_sleep(remap_model *m, const remap_sleep_params *sleep);

/* Sets the regional neuromodulatory factor of the units in the shape. */
void remap_model_modulate(remap_model *m, const remap_shape *s, float factor);

/* 1 / (2 sigma^2) of the touch Gaussian. */
float remap_touch_inv2s2(const remap_params *p);

/* Receptor column and row under unit u: the centre of its field. */
void remap_unit_centre(const remap_geometry *g, int u, int *cx, int *cy);

/* Sheet position of unit u (cortex) or receptor r (skin). */
void remap_unit_position(const remap_geometry *g, int u, float *x, float *y);
void remap_receptor_position(const remap_geometry *g, int r, float *x,
                             float *y);

/* Rectangle of a region of m's layout: [x0,x1) x [y0,y1), sheet units. */
void remap_region_bounds(const remap_model *m, int region, float *x0,
                         float *y0, float *x1, float *y1);

/* Regions m's layout uses. */
int remap_model_regions(const remap_model *m);

/* True when field slot k of any unit is inside the stored field circle. */
bool remap_cf_in_circle(const remap_geometry *g, int k);

#endif
