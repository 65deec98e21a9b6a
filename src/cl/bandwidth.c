/* Copy bandwidth of an OpenCL device: a float4 copy kernel built as its
 * own program, and clEnqueueCopyBuffer beside it, timed by profiling
 * events on buffers much larger than the last-level cache. */
#include "cl/bandwidth.h"
#include "cl/runtime.h"
#include "core/embedded.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Generated at build time from kernels/bandwidth.cl. */
extern const struct remap_embedded remap_bench_kernels[];

/* A value of the source pattern that no zeroed or stale buffer holds. */
#define PATTERN 1.25f

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

remap_spread remap_spread_of(double *v, int n)
{
    remap_spread s = {0, 0, 0};
    if (!v || n <= 0)
        return s;
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    s.min = v[0];
    s.max = v[n - 1];
    s.median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    return s;
}

double remap_copy_bandwidth_best(const remap_copy_bandwidth *c,
                                 const char **which)
{
    bool kernel = c->kernel.median >= c->copy_buffer.median;
    if (which)
        *which = kernel ? "kernel" : "copy_buffer";
    return kernel ? c->kernel.median : c->copy_buffer.median;
}

/* Builds the copy program into cl->program, with the build log in the
 * message when it fails. */
static remap_status build(remap_cl *cl, remap_error *err)
{
    const char *text = remap_embedded_find(remap_bench_kernels,
                                           "bandwidth.cl");
    if (!text)
        return remap_fail(err, REMAP_EINVAL,
                          "bandwidth.cl is not embedded in this build");
    const char *strings[] = {"#line 1 \"bandwidth.cl\"\n", text};
    cl_int rc = CL_SUCCESS;
    cl->program = clCreateProgramWithSource(cl->context, 2, strings, NULL,
                                            &rc);
    if (rc != CL_SUCCESS) {
        cl->program = NULL;
        return remap_cl_check(rc, "clCreateProgramWithSource(bandwidth.cl)",
                              err);
    }
    rc = clBuildProgram(cl->program, 1, &cl->device, "-cl-std=CL1.2", NULL,
                        NULL);
    if (rc == CL_SUCCESS)
        return REMAP_OK;
    char log[4096] = "";
    clGetProgramBuildInfo(cl->program, cl->device, CL_PROGRAM_BUILD_LOG,
                          sizeof log - 1, log, NULL);
    log[sizeof log - 1] = '\0';
    return remap_fail(err, REMAP_EBUILD,
                      "bandwidth.cl: build failed on %s (%s): %s (%d)\n%s",
                      cl->info.name, cl->info.platform,
                      remap_cl_error_name(rc), (int)rc, log);
}

/* Device seconds of a finished command. */
static remap_status event_seconds(cl_event ev, double *out, remap_error *err)
{
    cl_ulong start = 0, end = 0;
    cl_int rc = clWaitForEvents(1, &ev);
    if (rc == CL_SUCCESS)
        rc = clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START,
                                     sizeof start, &start, NULL);
    if (rc == CL_SUCCESS)
        rc = clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END,
                                     sizeof end, &end, NULL);
    clReleaseEvent(ev);
    if (rc != CL_SUCCESS)
        return remap_cl_check(rc, "clGetEventProfilingInfo(copy)", err);
    *out = end > start ? (double)(end - start) * 1e-9 : 0.0;
    return REMAP_OK;
}

/* Checks the start, middle and end of dst against the pattern. */
static remap_status verify(remap_cl *cl, cl_mem dst, size_t bytes,
                           const char *what, remap_error *err)
{
    float probe[1024];
    size_t n = sizeof probe < bytes ? sizeof probe : bytes;
    size_t offsets[3] = {0, (bytes / 2) & ~(size_t)15, bytes - n};
    for (int i = 0; i < 3; i++) {
        cl_int rc = clEnqueueReadBuffer(cl->queue, dst, CL_TRUE, offsets[i],
                                        n, probe, 0, NULL, NULL);
        if (rc != CL_SUCCESS)
            return remap_cl_check(rc, "clEnqueueReadBuffer(copy check)",
                                  err);
        for (size_t k = 0; k < n / sizeof(float); k++)
            if (probe[k] != PATTERN)
                return remap_fail(err, REMAP_ENUMERIC,
                                  "%s on %s: byte %zu of the copy holds %g, "
                                  "not %g",
                                  what, cl->info.name,
                                  offsets[i] + k * sizeof(float),
                                  (double)probe[k], (double)PATTERN);
    }
    return REMAP_OK;
}

/* Zeroes dst, then runs warmup + repeats copies of one kind, the timed
 * ones' rates into rate[0..repeats), and checks the result. */
static remap_status time_copies(remap_cl *cl, cl_kernel k, cl_mem src,
                                cl_mem dst, size_t bytes, int warmup,
                                int repeats, double *rate, remap_error *err)
{
    const char *what = k ? "copy kernel" : "clEnqueueCopyBuffer";
    float zero = 0.0f;
    cl_int rc = clEnqueueFillBuffer(cl->queue, dst, &zero, sizeof zero, 0,
                                    bytes, 0, NULL, NULL);
    if (rc == CL_SUCCESS)
        rc = clFinish(cl->queue);
    if (rc != CL_SUCCESS)
        return remap_cl_check(rc, "clEnqueueFillBuffer(copy destination)",
                              err);
    size_t global = bytes / 16;
    for (int i = 0; i < warmup + repeats; i++) {
        cl_event ev = NULL;
        rc = k ? clEnqueueNDRangeKernel(cl->queue, k, 1, NULL, &global, NULL,
                                        0, NULL, &ev)
               : clEnqueueCopyBuffer(cl->queue, src, dst, 0, 0, bytes, 0,
                                     NULL, &ev);
        if (rc != CL_SUCCESS)
            return remap_cl_check(rc, k ? "clEnqueueNDRangeKernel(copy_float4)"
                                        : "clEnqueueCopyBuffer",
                                  err);
        double seconds = 0.0;
        remap_status st = event_seconds(ev, &seconds, err);
        if (st)
            return st;
        if (i >= warmup)
            rate[i - warmup] = seconds > 0.0 ? 2.0 * (double)bytes / seconds
                                             : 0.0;
    }
    return verify(cl, dst, bytes, what, err);
}

remap_status remap_copy_bandwidth_measure(const char *device,
                                          uint64_t max_bytes, int warmup,
                                          int repeats,
                                          remap_copy_bandwidth *out,
                                          remap_error *err)
{
    if (!out || repeats < 1 || warmup < 0 || max_bytes < 4096)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_copy_bandwidth_measure: needs out, "
                          "repeats >= 1, warmup >= 0 and at least 4 KiB");
    memset(out, 0, sizeof *out);
    remap_cl cl;
    cl_kernel k = NULL;
    cl_mem src = NULL, dst = NULL;
    double *rates = calloc((size_t)repeats, sizeof *rates);
    if (!rates)
        return remap_fail(err, REMAP_ENOMEM, "no memory for %d repeats",
                          repeats);
    remap_status st = remap_cl_open(device, true, &cl, err);
    if (st) {
        free(rates);
        return st;
    }
    /* Two buffers must fit beside whatever else the device holds. */
    uint64_t bytes = max_bytes;
    if (bytes > cl.info.max_alloc)
        bytes = cl.info.max_alloc;
    if (bytes > cl.info.global_mem / 4)
        bytes = cl.info.global_mem / 4;
    bytes &= ~(uint64_t)4095;
    out->device = cl.info;
    out->bytes = bytes;
    out->repeats = repeats;
    if ((st = build(&cl, err)))
        goto done;
    cl_int rc = CL_SUCCESS;
    k = clCreateKernel(cl.program, "copy_float4", &rc);
    if ((st = remap_cl_check(rc, "clCreateKernel(copy_float4)", err)))
        goto done;
    if ((st = remap_cl_buffer(&cl, CL_MEM_READ_ONLY, (size_t)bytes,
                              "copy source", &src, err)) ||
        (st = remap_cl_buffer(&cl, CL_MEM_WRITE_ONLY, (size_t)bytes,
                              "copy destination", &dst, err)))
        goto done;
    float pattern = PATTERN;
    rc = clEnqueueFillBuffer(cl.queue, src, &pattern, sizeof pattern, 0,
                             (size_t)bytes, 0, NULL, NULL);
    if (rc == CL_SUCCESS)
        rc = clSetKernelArg(k, 0, sizeof src, &src);
    if (rc == CL_SUCCESS)
        rc = clSetKernelArg(k, 1, sizeof dst, &dst);
    if ((st = remap_cl_check(rc, "preparing the copy buffers", err)))
        goto done;
    if ((st = time_copies(&cl, k, src, dst, (size_t)bytes, warmup, repeats,
                          rates, err)))
        goto done;
    out->kernel = remap_spread_of(rates, repeats);
    if ((st = time_copies(&cl, NULL, src, dst, (size_t)bytes, warmup,
                          repeats, rates, err)))
        goto done;
    out->copy_buffer = remap_spread_of(rates, repeats);
done:
    if (st == REMAP_EDEVICE)
        remap_error_prefix(err, "copy bandwidth on %s", cl.info.name);
    if (src)
        clReleaseMemObject(src);
    if (dst)
        clReleaseMemObject(dst);
    if (k)
        clReleaseKernel(k);
    remap_cl_close(&cl);
    free(rates);
    return st;
}
