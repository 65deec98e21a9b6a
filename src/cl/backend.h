/* The OpenCL backend of the model (no OpenCL types: usable anywhere). */
#ifndef REMAP_CL_BACKEND_H
#define REMAP_CL_BACKEND_H

#include "model/model.h"

#include <stdbool.h>
#include <stdint.h>

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
} remap_cl_options;

extern const remap_backend_ops remap_cl_backend;

#endif
