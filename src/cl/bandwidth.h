/* Copy bandwidth of an OpenCL device, the yardstick of the benchmark: how
 * fast the device reads and writes a buffer much larger than its caches.
 * No OpenCL types (the benchmark and the CLI use it). */
#ifndef REMAP_CL_BANDWIDTH_H
#define REMAP_CL_BANDWIDTH_H

#include "cl/devices.h"
#include "core/status.h"

#include <stdint.h>

/* Median, least and greatest of a set of measurements. */
typedef struct remap_spread {
    double median, min, max;
} remap_spread;

/* Sorts v[0..n) and returns its spread (all zero when n is 0). */
remap_spread remap_spread_of(double *v, int n);

typedef struct remap_copy_bandwidth {
    remap_device_info device;
    uint64_t bytes; /* size of the source (and of the destination) buffer */
    int repeats;    /* timed copies of each kind */
    /* Bytes read plus bytes written per second (2 x bytes / device time
     * from the profiling events), over the timed copies: */
    remap_spread kernel;      /* the float4 copy kernel (bandwidth.cl) */
    remap_spread copy_buffer; /* clEnqueueCopyBuffer, for comparison */
} remap_copy_bandwidth;

/* The floor's yardstick: the faster of the two copies' medians, bytes/s.
 * The copy kernel is the reference (on some PoCL builds the built-in copy
 * runs at half its speed), but where clEnqueueCopyBuffer is faster, a
 * floor from the kernel would flatter every case. *which (if which is not
 * NULL) names it: "kernel" or "copy_buffer". */
double remap_copy_bandwidth_best(const remap_copy_bandwidth *c,
                                 const char **which);

/* Measures the copy bandwidth of the device chosen by `device` (see
 * remap_device_choose) on two buffers of max_bytes each, or less where the
 * device's largest allocation or a quarter of its memory is smaller: after
 * `warmup` untimed copies, `repeats` (>= 1) timed ones of each kind. The
 * destination is checked against the source, so a copy that does nothing
 * fails. Errors: those of remap_cl_open, REMAP_EBUILD with the build log,
 * REMAP_EDEVICE, REMAP_EINVAL for bad arguments, REMAP_ENUMERIC when the
 * copy is wrong. */
remap_status remap_copy_bandwidth_measure(const char *device,
                                          uint64_t max_bytes, int warmup,
                                          int repeats,
                                          remap_copy_bandwidth *out,
                                          remap_error *err);

#endif
