/* Reading a whole (small) file. */
#ifndef REMAP_FILE_H
#define REMAP_FILE_H

#include "core/status.h"

#include <stddef.h>

/* Reads the file at path into a new NUL-terminated buffer (*out, free()),
 * its length in *len (may be NULL). Errors: REMAP_EIO naming the path and
 * the system's reason, REMAP_ENOMEM. */
remap_status remap_read_file(const char *path, char **out, size_t *len,
                             remap_error *err);

#endif
