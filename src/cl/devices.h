/* OpenCL devices in plain C types: listing, choosing one, and checking that a
 * model fits its memory. Usable without CL/cl.h (the CLI and model use it). */
#ifndef REMAP_DEVICES_H
#define REMAP_DEVICES_H

#include "core/status.h"

#include <stddef.h>
#include <stdint.h>

/* What remap knows about one device. Strings are truncated to fit. */
typedef struct remap_device_info {
    int index;          /* global index over all platforms (--device INDEX) */
    int platform_index; /* position of its platform in the ICD's list */
    char platform[128], platform_version[128];
    char name[256], vendor[128], driver_version[128], device_version[128];
    char opencl_c_version[128];
    const char *type;   /* "GPU", "CPU", "accelerator", "other" (static) */
    unsigned compute_units, clock_mhz;
    uint64_t global_mem; /* bytes */
    uint64_t max_alloc;  /* bytes in one buffer */
    uint64_t local_mem;  /* bytes per work-group */
    size_t max_work_group;
} remap_device_info;

/* Lists all devices of all platforms into a new host array (*out, *count),
 * indexed as remap_device_info.index; free it with remap_devices_free.
 * Errors: REMAP_ENOPLATFORM when no OpenCL platform is installed (the message
 * says what to install), REMAP_ENODEVICE when platforms exist but offer no
 * device, REMAP_EDEVICE when a query fails, REMAP_ENOMEM. */
remap_status remap_devices_list(remap_device_info **out, size_t *count,
                                remap_error *err);
/* Frees a list from remap_devices_list; NULL is allowed. */
void remap_devices_free(remap_device_info *list);

/* Chooses a device into *chosen. spec selects it:
 *   NULL or ""  the environment variable REMAP_DEVICE when set and non-empty,
 *               else the first GPU, then the first CPU, then any device;
 *   "3"         (all digits) the device with that global index;
 *   other       the first device whose name, or failing that whose platform
 *               name, contains spec, ignoring case.
 * Errors: REMAP_ENODEVICE naming the spec and listing the devices there are,
 * and the errors of remap_devices_list. */
remap_status remap_device_choose(const char *spec, remap_device_info *chosen,
                                 remap_error *err);

/* Writes a human-readable size ("512 B", "1.5 GiB", "2 GiB") into buf. */
void remap_format_bytes(uint64_t bytes, char *buf, size_t size);

/* Bytes a model needs at a given cortex density: *total over all device
 * buffers and *largest for its largest single buffer. ctx is passed through.
 * Needs must not decrease as the density grows. */
typedef void (*remap_need_fn)(float density, const void *ctx, uint64_t *total,
                              uint64_t *largest);

/* Checks that the model described by need() at `density` fits dev: total no
 * more than global_mem and largest no more than max_alloc. When it does not,
 * fails with REMAP_ETOOBIG and one sentence giving the needed and available
 * sizes and the largest whole cortex density, searched between 4 and
 * `density`, that would fit. REMAP_EINVAL for bad arguments. */
remap_status remap_device_check_fit(const remap_device_info *dev,
                                    float density, remap_need_fn need,
                                    const void *ctx, remap_error *err);

#endif
