/* The OpenCL backend of the model (no OpenCL types: usable anywhere). */
#ifndef REMAP_CL_BACKEND_H
#define REMAP_CL_BACKEND_H

#include "model/model.h"

#include <stdbool.h>
#include <stdint.h>

/* How the afferent weights are laid out on the device. */
typedef enum remap_weight_layout {
    REMAP_LAYOUT_AUTO,      /* transposed on a GPU, fields otherwise */
    REMAP_LAYOUT_FIELDS,    /* each unit's field contiguous (CPUs) */
    REMAP_LAYOUT_TRANSPOSED /* each slot of all fields contiguous (GPUs) */
} remap_weight_layout;

/* How settling is launched. */
typedef enum remap_settle_mode {
    REMAP_SETTLE_AUTO,       /* one launch on a CPU device for sheets of
                                at most REMAP_SETTLE_ONE_LAUNCH_UNITS,
                                steps otherwise */
    REMAP_SETTLE_STEPS,      /* a launch per step, over the device */
    REMAP_SETTLE_ONE_LAUNCH  /* every step in one launch of one
                                work-group */
} remap_settle_mode;
#define REMAP_SETTLE_ONE_LAUNCH_UNITS 4096

/* Units of a cortical row that one settling work-item sums together, on a
 * CPU device by default (each active column is read once for the tile
 * and its terms spread over the tile in vector lanes); a GPU takes one
 * unit per work-item. */
#define REMAP_SETTLE_TILE_CPU 32
#define REMAP_SETTLE_TILE_MAX 64

/* Units whose afferent fields one work-item of the response and learning
 * sweeps walks together on a CPU device, one per vector lane: each field's
 * sum is a chain of additions, and eight chains side by side keep a core
 * busy where one leaves it waiting. A GPU takes one unit per work-item. */
#define REMAP_FIELD_LANES_CPU 8

/* Options for remap_cl_backend (pass a pointer as backend_options). */
typedef struct remap_cl_options {
    const char *device; /* index or name substring; NULL: REMAP_DEVICE or
                           the default choice (a GPU, then a CPU) */
    bool profiling;     /* enable OpenCL profiling events */
    /* Variants of the step, all checked against the reference backend. */
    bool unfused;       /* separate afferent and learning sweeps instead of
                           the fused one (learn t, respond to t + 1) */
    bool half_weights;  /* store afferent weights as half floats */
    uint64_t max_buffer; /* split the weights across buffers of at most
                            this many bytes (0: the device's largest
                            allocation) */
    remap_weight_layout layout;
    remap_settle_mode settle;
    int settle_tile;    /* units per settling work-item, 1 to
                           REMAP_SETTLE_TILE_MAX; 0: REMAP_SETTLE_TILE_CPU
                           on a CPU device, 1 otherwise */
    int field_lanes;    /* units whose afferent fields one work-item walks
                           together, 1 or REMAP_FIELD_LANES_CPU; 0: the
                           latter on a CPU device, 1 otherwise */
} remap_cl_options;

extern const remap_backend_ops remap_cl_backend;

/* Device time of one kernel: its launches and their summed duration
 * (CL_PROFILING_COMMAND_START to END), seconds. */
typedef struct remap_kernel_time {
    char name[32];
    uint64_t launches;
    double seconds;
} remap_kernel_time;

/* Device time per kernel accumulated since the model was created or the
 * last reset (remap_cl_options.profiling must be on), in the order the
 * kernels were first launched; fills at most max entries of out and
 * returns the number of kernels (which may exceed max). Launches still in
 * flight are waited for. 0 when profiling is off or the model is not on
 * the OpenCL backend. */
size_t remap_cl_kernel_times(const remap_model *m, remap_kernel_time *out,
                             size_t max);

/* Forgets the accumulated kernel times (nothing when profiling is off or
 * the model is not on the OpenCL backend). */
void remap_cl_kernel_times_reset(remap_model *m);

/* Bytes stored per afferent weight by the model's OpenCL backend (4, or 2
 * with half weights); the host arrays' sizeof(float) for a model on
 * another backend. */
size_t remap_cl_weight_bytes(const remap_model *m);

/* Wall time of the OpenCL program build when the model was created,
 * seconds; 0 for a model on another backend. */
double remap_cl_build_seconds(const remap_model *m);

/* Units per settling work-item the model's OpenCL program was built with
 * (the one asked for or the device's default, at most a row); 0 for a
 * model on another backend. */
int remap_cl_settle_tile(const remap_model *m);

/* Units per work-item of the model's afferent sweeps, as built (0 when
 * the model is not on the OpenCL backend). */
int remap_cl_field_lanes(const remap_model *m);

#endif
