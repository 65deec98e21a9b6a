#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

remap_status remap_read_file(const char *path, char **out, size_t *len,
                             remap_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return remap_fail(err, REMAP_EIO, "%s: cannot open: %s", path,
                          strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger, cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    int e = errno;
    fclose(f);
    if (!buf)
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", path);
    if (failed) {
        free(buf);
        return remap_fail(err, REMAP_EIO, "%s: cannot read: %s", path,
                          strerror(e));
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return REMAP_OK;
}
