/* The OpenCL backend of the model (no OpenCL types: usable anywhere). */
#ifndef REMAP_CL_BACKEND_H
#define REMAP_CL_BACKEND_H

#include "model/model.h"

#include <stdbool.h>

/* Options for remap_cl_backend (pass a pointer as backend_options). */
typedef struct remap_cl_options {
    const char *device; /* index or name substring; NULL: REMAP_DEVICE or
                           the default choice (a GPU, then a CPU) */
    bool profiling;     /* enable OpenCL profiling events */
} remap_cl_options;

extern const remap_backend_ops remap_cl_backend;

#endif
