/* Opening a device, assembling and building the kernel program, buffers. */
#include "cl/runtime.h"
#include "core/embedded.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Generated from Random123 at build time, so never read from a directory. */
#define PRELUDE_NAME "philox_cl.h"

remap_status remap_cl_open(const char *spec, bool profiling, remap_cl *cl,
                           remap_error *err)
{
    if (!cl)
        return remap_fail(err, REMAP_EINVAL, "remap_cl_open: cl is required");
    memset(cl, 0, sizeof *cl);

    remap_device_info *list = NULL;
    cl_platform_id *plats = NULL;
    cl_device_id *ids = NULL;
    size_t count = 0, which = 0;
    cl_int rc = CL_SUCCESS;
    remap_status s = remap__cl_enumerate(&list, &plats, &ids, &count, err);
    if (s != REMAP_OK)
        return s;
    s = remap__cl_pick(list, count, spec, &which, err);
    if (s != REMAP_OK)
        goto fail;
    cl->info = list[which];
    cl->platform = plats[which];
    cl->device = ids[which];

    cl_context_properties props[] = {
        CL_CONTEXT_PLATFORM, (cl_context_properties)cl->platform, 0};
    cl->context = clCreateContext(props, 1, &cl->device, NULL, NULL, &rc);
    if ((s = remap_cl_check(rc, "clCreateContext", err)) != REMAP_OK)
        goto fail;
    cl_command_queue_properties qprops =
        profiling ? CL_QUEUE_PROFILING_ENABLE : 0;
    cl->queue = clCreateCommandQueue(cl->context, cl->device, qprops, &rc);
    if ((s = remap_cl_check(rc, "clCreateCommandQueue", err)) != REMAP_OK)
        goto fail;

    free(ids);
    free(plats);
    remap_devices_free(list);
    return REMAP_OK;

fail:
    if (s == REMAP_EDEVICE)
        remap_error_prefix(err, "%s (%s)", cl->info.name, cl->info.platform);
    remap_cl_close(cl);
    free(ids);
    free(plats);
    remap_devices_free(list);
    return s;
}

void remap_cl_close(remap_cl *cl)
{
    if (!cl)
        return;
    if (cl->program)
        clReleaseProgram(cl->program);
    if (cl->queue)
        clReleaseCommandQueue(cl->queue);
    if (cl->context)
        clReleaseContext(cl->context);
    memset(cl, 0, sizeof *cl);
}

/* A growing host string for the assembled program. */
typedef struct text {
    char *data;
    size_t len, cap;
} text;

static bool text_add(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (t->len + n + 1 > cap)
            cap *= 2;
        char *p = realloc(t->data, cap);
        if (!p)
            return false;
        t->data = p;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
    return true;
}

/* Reads a whole file into a new host string (free()). */
static remap_status read_file(const char *path, char **out, remap_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return remap_fail(err, REMAP_EIO,
                          "%s: cannot open kernel source (REMAP_KERNEL_DIR "
                          "is set): %s",
                          path, strerror(errno));
    text t = {0};
    char chunk[8192];
    size_t n;
    bool ok = text_add(&t, "", 0);
    while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ok = text_add(&t, chunk, n);
    int failed = ferror(f);
    fclose(f);
    if (!ok) {
        free(t.data);
        return remap_fail(err, REMAP_ENOMEM, "%s: no memory to read it",
                          path);
    }
    if (failed) {
        free(t.data);
        return remap_fail(err, REMAP_EIO, "%s: read error", path);
    }
    *out = t.data;
    return REMAP_OK;
}

remap_status remap_cl_source(char **out, remap_error *err)
{
    if (!out)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_cl_source: out is required");
    *out = NULL;
    const char *dir = getenv("REMAP_KERNEL_DIR");
    if (dir && !*dir)
        dir = NULL;

    text t = {0};
    remap_status s = REMAP_OK;
    for (const struct remap_embedded *e = remap_kernels; e->name; e++) {
        char *loaded = NULL;
        const char *body = e->text;
        if (dir && strcmp(e->name, PRELUDE_NAME) != 0) {
            size_t plen = strlen(dir) + 1 + strlen(e->name) + 1;
            char *path = malloc(plen);
            if (!path) {
                s = remap_fail(err, REMAP_ENOMEM, "no memory for a path");
                goto fail;
            }
            snprintf(path, plen, "%s/%s", dir, e->name);
            s = read_file(path, &loaded, err);
            free(path);
            if (s != REMAP_OK)
                goto fail;
            body = loaded;
        }
        /* Each file restarts the line count under its own name, so the
         * compiler's messages point into the file as it is on disk. The
         * newline after a body that lacks one keeps the next directive at
         * the start of a line. */
        char directive[256];
        int dn = snprintf(directive, sizeof directive, "#line 1 \"%s\"\n",
                          e->name);
        size_t blen = strlen(body);
        bool ok = dn > 0 && (size_t)dn < sizeof directive &&
                  text_add(&t, directive, (size_t)dn) &&
                  text_add(&t, body, blen) &&
                  (blen == 0 || body[blen - 1] == '\n' ||
                   text_add(&t, "\n", 1));
        free(loaded);
        if (!ok) {
            s = remap_fail(err, REMAP_ENOMEM,
                           "no memory to assemble the kernel sources");
            goto fail;
        }
    }
    if (!t.data && !text_add(&t, "", 0)) {
        s = remap_fail(err, REMAP_ENOMEM,
                       "no memory to assemble the kernel sources");
        goto fail;
    }
    *out = t.data;
    return REMAP_OK;

fail:
    free(t.data);
    return s;
}

/* Puts the build log into err after its header line, cutting the tail with
 * a note when the whole log does not fit. */
static void put_build_log(remap_error *err, const char *log)
{
    if (!err)
        return;
    size_t len = strlen(log);
    while (len > 0 && (log[len - 1] == '\n' || log[len - 1] == ' '))
        len--;
    size_t used = strlen(err->msg);
    size_t room = sizeof err->msg - used - 1;
    if (len <= room) {
        memcpy(err->msg + used, log, len);
        err->msg[used + len] = '\0';
        return;
    }
    char note[96];
    size_t keep = room > sizeof note ? room - sizeof note : 0;
    snprintf(note, sizeof note, "\n[build log truncated: %zu more bytes]",
             len - keep);
    memcpy(err->msg + used, log, keep);
    err->msg[used + keep] = '\0';
    strncat(err->msg, note, sizeof err->msg - used - keep - 1);
}

remap_status remap_cl_build(remap_cl *cl, const char *options,
                            remap_error *err)
{
    if (!cl || !cl->context)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_cl_build: the device is not open");
    if (cl->program) {
        clReleaseProgram(cl->program);
        cl->program = NULL;
    }
    if (!options)
        options = "";

    char *source = NULL;
    remap_status s = remap_cl_source(&source, err);
    if (s != REMAP_OK)
        return s;
    cl_int rc = CL_SUCCESS;
    const char *strings[] = {source};
    cl->program = clCreateProgramWithSource(cl->context, 1, strings, NULL,
                                            &rc);
    free(source);
    if ((s = remap_cl_check(rc, "clCreateProgramWithSource", err)) !=
        REMAP_OK) {
        cl->program = NULL;
        return remap_error_prefix(err, "%s (%s)", cl->info.name,
                                  cl->info.platform);
    }
    /* The build time is reported by the benchmark beside the set-up. */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = clBuildProgram(cl->program, 1, &cl->device, options, NULL, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cl->build_seconds = (double)(t1.tv_sec - t0.tv_sec) +
                        (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (rc == CL_SUCCESS)
        return REMAP_OK;

    /* The log is what the user needs; the error code only adds something
     * when it is not the plain compile failure the log explains. */
    size_t size = 0;
    char *log = NULL;
    if (clGetProgramBuildInfo(cl->program, cl->device, CL_PROGRAM_BUILD_LOG,
                              0, NULL, &size) == CL_SUCCESS &&
        (log = calloc(size + 1, 1)) != NULL &&
        clGetProgramBuildInfo(cl->program, cl->device, CL_PROGRAM_BUILD_LOG,
                              size, log, NULL) != CL_SUCCESS)
        log[0] = '\0';
    if (rc == CL_BUILD_PROGRAM_FAILURE)
        remap_fail(err, REMAP_EBUILD, "kernel build failed on %s (%s):\n",
                   cl->info.name, cl->info.platform);
    else
        remap_fail(err, REMAP_EBUILD,
                   "kernel build failed on %s (%s): clBuildProgram: %s (%d) "
                   "with options '%s'\n",
                   cl->info.name, cl->info.platform,
                   remap_cl_error_name(rc), (int)rc, options);
    put_build_log(err, log ? log : "(no build log)");
    free(log);
    clReleaseProgram(cl->program);
    cl->program = NULL;
    return REMAP_EBUILD;
}

remap_status remap_cl_buffer(remap_cl *cl, cl_mem_flags flags, size_t bytes,
                             const char *what, cl_mem *out, remap_error *err)
{
    if (!cl || !cl->context || !out)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_cl_buffer: needs an open device and out");
    if (!what)
        what = "buffer";
    *out = NULL;
    cl_int rc = CL_SUCCESS;
    cl_mem mem = clCreateBuffer(cl->context, flags, bytes, NULL, &rc);
    if (rc == CL_SUCCESS) {
        *out = mem;
        return REMAP_OK;
    }
    char size_s[32];
    remap_format_bytes(bytes, size_s, sizeof size_s);
    remap_fail(err, REMAP_EDEVICE, "cannot allocate %s (%s) on %s: %s (%d)",
               what, size_s, cl->info.name, remap_cl_error_name(rc),
               (int)rc);
    if (err && bytes > cl->info.max_alloc) {
        char max_s[32];
        remap_format_bytes(cl->info.max_alloc, max_s, sizeof max_s);
        size_t used = strlen(err->msg);
        snprintf(err->msg + used, sizeof err->msg - used,
                 "; the device allows at most %s in one allocation", max_s);
    }
    return REMAP_EDEVICE;
}
