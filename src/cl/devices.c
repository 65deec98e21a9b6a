/* Device listing and choice over all OpenCL platforms, byte sizes for
 * people, and the check that a model fits a device's memory. */
#include "cl/devices.h"
#include "cl/runtime.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The ICD loader's answer when no vendor driver is installed (cl_ext.h). */
#define PLATFORM_NOT_FOUND_KHR (-1001)

/* Appends printf-style text to err's message, cutting it at the end of the
 * buffer; for messages built from lists. */
__attribute__((format(printf, 2, 3)))
static void append(remap_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    size_t used = strlen(err->msg);
    if (used + 1 >= sizeof err->msg)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg + used, sizeof err->msg - used, fmt, ap);
    va_end(ap);
}

/* Copies an OpenCL string into buf without the leading and trailing blanks
 * some drivers pad names with. */
static void copy_trimmed(char *buf, size_t size, const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
}

/* Strings are queried for their length first: a fixed buffer that is too
 * small makes the call fail rather than truncate. */
static cl_int platform_string(cl_platform_id p, cl_platform_info what,
                              char *buf, size_t size)
{
    size_t n = 0;
    cl_int rc = clGetPlatformInfo(p, what, 0, NULL, &n);
    if (rc != CL_SUCCESS)
        return rc;
    char *tmp = calloc(n + 1, 1);
    if (!tmp)
        return CL_OUT_OF_HOST_MEMORY;
    rc = clGetPlatformInfo(p, what, n, tmp, NULL);
    if (rc == CL_SUCCESS)
        copy_trimmed(buf, size, tmp);
    free(tmp);
    return rc;
}

static cl_int device_string(cl_device_id d, cl_device_info what, char *buf,
                            size_t size)
{
    size_t n = 0;
    cl_int rc = clGetDeviceInfo(d, what, 0, NULL, &n);
    if (rc != CL_SUCCESS)
        return rc;
    char *tmp = calloc(n + 1, 1);
    if (!tmp)
        return CL_OUT_OF_HOST_MEMORY;
    rc = clGetDeviceInfo(d, what, n, tmp, NULL);
    if (rc == CL_SUCCESS)
        copy_trimmed(buf, size, tmp);
    free(tmp);
    return rc;
}

static const char *type_name(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU)
        return "GPU";
    if (t & CL_DEVICE_TYPE_CPU)
        return "CPU";
    if (t & CL_DEVICE_TYPE_ACCELERATOR)
        return "accelerator";
    return "other";
}

static remap_status no_platform(remap_error *err)
{
    remap_fail(err, REMAP_ENOPLATFORM,
               "no OpenCL platform found: install your GPU vendor's OpenCL "
               "driver, or for the CPU Debian's pocl-opencl-icd (with "
               "ocl-icd-libopencl1); OCL_ICD_VENDORS can point the loader "
               "at a directory of .icd files");
    const char *dir = getenv("OCL_ICD_VENDORS");
    if (dir && *dir)
        append(err, " (it is set to '%s' now)", dir);
    return REMAP_ENOPLATFORM;
}

#define QUERY(call, what)                                                    \
    do {                                                                     \
        cl_int rc_ = (call);                                                 \
        if (rc_ != CL_SUCCESS) {                                             \
            s = remap_cl_check(rc_, what, err);                              \
            remap_error_prefix(err, "platform %u, device %u", pi, di);       \
            goto fail;                                                       \
        }                                                                    \
    } while (0)

/* Fills one entry; pi and di name the device in messages. */
static remap_status describe(cl_platform_id p, cl_device_id d, unsigned pi,
                             unsigned di, remap_device_info *info,
                             remap_error *err)
{
    remap_status s = REMAP_OK;
    cl_device_type type = 0;
    cl_uint units = 0, clock = 0;
    cl_ulong global = 0, alloc = 0, local = 0;
    size_t wg = 0;

    info->platform_index = (int)pi;
    QUERY(platform_string(p, CL_PLATFORM_NAME, info->platform,
                          sizeof info->platform),
          "clGetPlatformInfo(CL_PLATFORM_NAME)");
    QUERY(platform_string(p, CL_PLATFORM_VERSION, info->platform_version,
                          sizeof info->platform_version),
          "clGetPlatformInfo(CL_PLATFORM_VERSION)");
    QUERY(device_string(d, CL_DEVICE_NAME, info->name, sizeof info->name),
          "clGetDeviceInfo(CL_DEVICE_NAME)");
    QUERY(device_string(d, CL_DEVICE_VENDOR, info->vendor,
                        sizeof info->vendor),
          "clGetDeviceInfo(CL_DEVICE_VENDOR)");
    QUERY(device_string(d, CL_DRIVER_VERSION, info->driver_version,
                        sizeof info->driver_version),
          "clGetDeviceInfo(CL_DRIVER_VERSION)");
    QUERY(device_string(d, CL_DEVICE_VERSION, info->device_version,
                        sizeof info->device_version),
          "clGetDeviceInfo(CL_DEVICE_VERSION)");
    /* OpenCL 1.0 devices lack this query and speak OpenCL C 1.0. */
    if (device_string(d, CL_DEVICE_OPENCL_C_VERSION, info->opencl_c_version,
                      sizeof info->opencl_c_version) != CL_SUCCESS)
        snprintf(info->opencl_c_version, sizeof info->opencl_c_version,
                 "OpenCL C 1.0");
    QUERY(clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof type, &type, NULL),
          "clGetDeviceInfo(CL_DEVICE_TYPE)");
    QUERY(clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units,
                          &units, NULL),
          "clGetDeviceInfo(CL_DEVICE_MAX_COMPUTE_UNITS)");
    QUERY(clGetDeviceInfo(d, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof clock,
                          &clock, NULL),
          "clGetDeviceInfo(CL_DEVICE_MAX_CLOCK_FREQUENCY)");
    QUERY(clGetDeviceInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof global,
                          &global, NULL),
          "clGetDeviceInfo(CL_DEVICE_GLOBAL_MEM_SIZE)");
    QUERY(clGetDeviceInfo(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof alloc,
                          &alloc, NULL),
          "clGetDeviceInfo(CL_DEVICE_MAX_MEM_ALLOC_SIZE)");
    QUERY(clGetDeviceInfo(d, CL_DEVICE_LOCAL_MEM_SIZE, sizeof local, &local,
                          NULL),
          "clGetDeviceInfo(CL_DEVICE_LOCAL_MEM_SIZE)");
    QUERY(clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg,
                          NULL),
          "clGetDeviceInfo(CL_DEVICE_MAX_WORK_GROUP_SIZE)");
    info->type = type_name(type);
    info->compute_units = units;
    info->clock_mhz = clock;
    info->global_mem = global;
    info->max_alloc = alloc;
    info->local_mem = local;
    info->max_work_group = wg;
fail:
    return s;
}

#undef QUERY

remap_status remap__cl_enumerate(remap_device_info **infos,
                                 cl_platform_id **platforms,
                                 cl_device_id **devices, size_t *count,
                                 remap_error *err)
{
    remap_status s = REMAP_OK;
    cl_platform_id *plats = NULL;
    remap_device_info *list = NULL;
    cl_platform_id *owner = NULL;
    cl_device_id *ids = NULL;
    size_t n = 0;

    *infos = NULL;
    *count = 0;
    if (platforms)
        *platforms = NULL;
    if (devices)
        *devices = NULL;

    cl_uint np = 0;
    cl_int rc = clGetPlatformIDs(0, NULL, &np);
    if (rc == PLATFORM_NOT_FOUND_KHR || (rc == CL_SUCCESS && np == 0))
        return no_platform(err);
    if ((s = remap_cl_check(rc, "clGetPlatformIDs", err)) != REMAP_OK)
        return s;
    plats = calloc(np, sizeof *plats);
    if (!plats) {
        s = remap_fail(err, REMAP_ENOMEM, "no memory for %u platforms", np);
        goto fail;
    }
    rc = clGetPlatformIDs(np, plats, NULL);
    if ((s = remap_cl_check(rc, "clGetPlatformIDs", err)) != REMAP_OK)
        goto fail;

    /* Count first, so the arrays are allocated once. A platform whose
     * device query fails is left out: another may still work, and when
     * none does the message below says what each one answered. */
    cl_uint *per = calloc(np, sizeof *per);
    cl_int *why = calloc(np, sizeof *why);
    if (!per || !why) {
        free(per);
        free(why);
        s = remap_fail(err, REMAP_ENOMEM, "no memory for %u platforms", np);
        goto fail;
    }
    for (cl_uint p = 0; p < np; p++) {
        why[p] = clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 0, NULL,
                                &per[p]);
        if (why[p] != CL_SUCCESS)
            per[p] = 0;
        n += per[p];
    }
    if (n == 0) {
        s = remap_fail(err, REMAP_ENODEVICE,
                       "no OpenCL device found on %u platform%s:", np,
                       np == 1 ? "" : "s");
        for (cl_uint p = 0; p < np; p++) {
            char name[128] = "?";
            platform_string(plats[p], CL_PLATFORM_NAME, name, sizeof name);
            append(err, "\n  %s: %s", name,
                   why[p] == CL_SUCCESS ? "no devices"
                                        : remap_cl_error_name(why[p]));
        }
        free(per);
        free(why);
        goto fail;
    }

    list = calloc(n, sizeof *list);
    owner = calloc(n, sizeof *owner);
    ids = calloc(n, sizeof *ids);
    if (!list || !owner || !ids) {
        free(per);
        free(why);
        s = remap_fail(err, REMAP_ENOMEM, "no memory for %zu devices", n);
        goto fail;
    }
    size_t k = 0;
    for (cl_uint p = 0; p < np && s == REMAP_OK; p++) {
        if (per[p] == 0)
            continue;
        rc = clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, per[p], ids + k,
                            NULL);
        s = remap_cl_check(rc, "clGetDeviceIDs", err);
        for (cl_uint d = 0; d < per[p] && s == REMAP_OK; d++, k++) {
            owner[k] = plats[p];
            list[k].index = (int)k;
            s = describe(plats[p], ids[k], p, d, &list[k], err);
        }
    }
    free(per);
    free(why);
    if (s != REMAP_OK)
        goto fail;

    free(plats);
    *infos = list;
    *count = n;
    if (platforms)
        *platforms = owner;
    else
        free(owner);
    if (devices)
        *devices = ids;
    else
        free(ids);
    return REMAP_OK;

fail:
    free(ids);
    free(owner);
    free(list);
    free(plats);
    return s;
}

remap_status remap_devices_list(remap_device_info **out, size_t *count,
                                remap_error *err)
{
    if (!out || !count)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_devices_list: out and count are required");
    return remap__cl_enumerate(out, NULL, NULL, count, err);
}

void remap_devices_free(remap_device_info *list)
{
    free(list);
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) ==
                   tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

static void append_devices(const remap_device_info *list, size_t count,
                           remap_error *err)
{
    for (size_t i = 0; i < count; i++)
        append(err, "\n  %d: %s (%s, %s)", list[i].index, list[i].name,
               list[i].type, list[i].platform);
}

remap_status remap__cl_pick(const remap_device_info *list, size_t count,
                            const char *spec, size_t *which,
                            remap_error *err)
{
    const char *origin = "";
    if (!spec || !*spec) {
        const char *env = getenv("REMAP_DEVICE");
        if (env && *env) {
            spec = env;
            origin = " (from the environment variable REMAP_DEVICE)";
        } else {
            spec = NULL;
        }
    }
    if (count == 0)
        return remap_fail(err, REMAP_ENODEVICE, "no OpenCL device found");

    if (!spec) {
        static const char *const preference[] = {"GPU", "CPU"};
        for (size_t p = 0; p < 2; p++)
            for (size_t i = 0; i < count; i++)
                if (strcmp(list[i].type, preference[p]) == 0) {
                    *which = i;
                    return REMAP_OK;
                }
        *which = 0;
        return REMAP_OK;
    }

    size_t digits = strspn(spec, "0123456789");
    if (spec[digits] == '\0') {
        errno = 0;
        unsigned long long index = strtoull(spec, NULL, 10);
        if (errno == 0 && index < count) {
            *which = (size_t)index;
            return REMAP_OK;
        }
        remap_fail(err, REMAP_ENODEVICE,
                   "no OpenCL device has index %s%s; the devices are:", spec,
                   origin);
        append_devices(list, count, err);
        return REMAP_ENODEVICE;
    }

    /* A match on the device name wins over one on the platform name, so
     * "intel" picks an Intel GPU before the first device of an Intel
     * platform. */
    for (size_t i = 0; i < count; i++)
        if (contains_nocase(list[i].name, spec)) {
            *which = i;
            return REMAP_OK;
        }
    for (size_t i = 0; i < count; i++)
        if (contains_nocase(list[i].platform, spec)) {
            *which = i;
            return REMAP_OK;
        }
    remap_fail(err, REMAP_ENODEVICE,
               "no OpenCL device matches '%s'%s; the devices are:", spec,
               origin);
    append_devices(list, count, err);
    return REMAP_ENODEVICE;
}

remap_status remap_device_choose(const char *spec, remap_device_info *chosen,
                                 remap_error *err)
{
    if (!chosen)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_device_choose: chosen is required");
    remap_device_info *list = NULL;
    size_t count = 0, which = 0;
    remap_status s = remap__cl_enumerate(&list, NULL, NULL, &count, err);
    if (s != REMAP_OK)
        return s;
    s = remap__cl_pick(list, count, spec, &which, err);
    if (s == REMAP_OK)
        *chosen = list[which];
    remap_devices_free(list);
    return s;
}

void remap_format_bytes(uint64_t bytes, char *buf, size_t size)
{
    static const char *const units[] = {"B",   "KiB", "MiB", "GiB",
                                        "TiB", "PiB", "EiB"};
    if (!buf || size == 0)
        return;
    if (bytes < 1024) {
        snprintf(buf, size, "%u B", (unsigned)bytes);
        return;
    }
    double v = (double)bytes;
    size_t u = 0;
    /* Moving up at 1023.95 rather than 1024 keeps "1024.0 KiB" from
     * appearing where one decimal rounds up. */
    while (v >= 1023.95 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    double tenths = round(v * 10.0);
    if (fmod(tenths, 10.0) == 0.0)
        snprintf(buf, size, "%.0f %s", tenths / 10.0, units[u]);
    else
        snprintf(buf, size, "%.1f %s", tenths / 10.0, units[u]);
}

static bool fits(const remap_device_info *dev, uint64_t total,
                 uint64_t largest)
{
    return total <= dev->global_mem && largest <= dev->max_alloc;
}

remap_status remap_device_check_fit(const remap_device_info *dev,
                                    float density, remap_need_fn need,
                                    const void *ctx, remap_error *err)
{
    if (!dev || !need)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_device_check_fit: device and need function "
                          "are required");
    if (!isfinite(density) || density <= 0.0f)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_device_check_fit: cortex density %g is not "
                          "a positive number",
                          (double)density);

    uint64_t total = 0, largest = 0;
    need(density, ctx, &total, &largest);
    if (fits(dev, total, largest))
        return REMAP_OK;

    /* Binary search over whole densities: `lo` fits, `hi` does not. Needs
     * grow with density, so every density from `density` up fails too. */
    const long min_density = 4;
    long lo = 0;
    uint64_t t = 0, l = 0;
    need((float)min_density, ctx, &t, &l);
    if ((double)density > (double)min_density && fits(dev, t, l)) {
        lo = min_density;
        long hi = (long)ceil((double)density);
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            need((float)mid, ctx, &t, &l);
            if (fits(dev, t, l))
                lo = mid;
            else
                hi = mid;
        }
    }

    char need_s[32], largest_s[32], global_s[32], alloc_s[32];
    remap_format_bytes(total, need_s, sizeof need_s);
    remap_format_bytes(largest, largest_s, sizeof largest_s);
    remap_format_bytes(dev->global_mem, global_s, sizeof global_s);
    remap_format_bytes(dev->max_alloc, alloc_s, sizeof alloc_s);
    remap_fail(err, REMAP_ETOOBIG,
               "cortex density %g needs %s (largest buffer %s) but %s has %s "
               "global memory and allows %s in one allocation; ",
               (double)density, need_s, largest_s, dev->name, global_s,
               alloc_s);
    if (lo > 0)
        append(err, "the largest cortex density that fits is %ld", lo);
    else
        append(err, "not even cortex density %ld fits", min_density);
    return REMAP_ETOOBIG;
}
