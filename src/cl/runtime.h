/* The OpenCL runtime under the OpenCL backend: error names, opening a device,
 * building the embedded kernels, buffers. Internal to src/cl. */
#ifndef REMAP_CL_RUNTIME_H
#define REMAP_CL_RUNTIME_H

#include "cl/devices.h"
#include "core/status.h"

#include <CL/cl.h>
#include <stdbool.h>
#include <stddef.h>

/* The name of an OpenCL error code ("CL_OUT_OF_RESOURCES"), covering every
 * OpenCL 1.2 code and a few later or extension ones; "unknown OpenCL error"
 * otherwise, so callers print the number beside it. Static storage. */
const char *remap_cl_error_name(cl_int code);

/* Returns REMAP_OK when rc is CL_SUCCESS; otherwise fills err with
 * REMAP_EDEVICE and "<what>: CL_INVALID_VALUE (-30)" and returns that. */
remap_status remap_cl_check(cl_int rc, const char *what, remap_error *err);

/* An opened device. Owns context, queue and program (device memory handles
 * only; host memory is just the struct). Zero it before remap_cl_open. */
typedef struct remap_cl {
    remap_device_info info;
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue; /* in-order */
    cl_program program;     /* NULL until remap_cl_build */
    double build_seconds;   /* wall time of the last remap_cl_build */
} remap_cl;

/* Opens the device chosen by spec (see remap_device_choose), creating a
 * context and an in-order queue, with CL_QUEUE_PROFILING_ENABLE when
 * `profiling`. On failure *cl is left zeroed. Errors: those of
 * remap_device_choose, REMAP_EDEVICE. */
remap_status remap_cl_open(const char *spec, bool profiling, remap_cl *cl,
                           remap_error *err);

/* Assembles the kernel program text into a new host string (*out, free()):
 * the embedded sources in table order, each preceded by `#line 1 "<name>"`
 * so compiler messages name the file and line. When the environment
 * variable REMAP_KERNEL_DIR is set and non-empty, every source but the
 * generated philox_cl.h is read from the file of the same name there.
 * Errors: REMAP_EIO naming a file that cannot be read, REMAP_ENOMEM. */
remap_status remap_cl_source(char **out, remap_error *err);

/* Builds cl->program from remap_cl_source's text with extra build `options`
 * (NULL or e.g. "-DCF_LEN=169 -cl-std=CL1.2"), replacing any program built
 * before. Errors: REMAP_EBUILD with "kernel build failed on <device>
 * (<platform>):" and the whole build log (its tail cut with a note when it
 * does not fit), the program released; those of remap_cl_source;
 * REMAP_EDEVICE. */
remap_status remap_cl_build(remap_cl *cl, const char *options,
                            remap_error *err);

/* Releases program, queue and context and zeroes *cl. Safe on NULL, on a
 * zeroed struct and on a half-opened one. */
void remap_cl_close(remap_cl *cl);

/* Creates a device buffer of `bytes` with `flags` (no host pointer) into
 * *out; release it with clReleaseMemObject. On failure the message names
 * the buffer (`what`), its size and the OpenCL error: REMAP_EDEVICE. */
remap_status remap_cl_buffer(remap_cl *cl, cl_mem_flags flags, size_t bytes,
                             const char *what, cl_mem *out, remap_error *err);

/* Internal to src/cl: the device list with the handles behind it, in
 * parallel host arrays (free each with free()), and the choice among them
 * that remap_device_choose makes. */
remap_status remap__cl_enumerate(remap_device_info **infos,
                                 cl_platform_id **platforms,
                                 cl_device_id **devices, size_t *count,
                                 remap_error *err);
remap_status remap__cl_pick(const remap_device_info *list, size_t count,
                            const char *spec, size_t *which,
                            remap_error *err);

#endif
