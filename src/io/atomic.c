/* Directories, crash-safe whole-file writes (temporary name, fsync, rename,
 * fsync of the directory) and the row-flushed CSV appender. */
#include "io/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Copies the directory part of path into dir ("." when there is none). */
static remap_status dir_of(const char *path, char *dir, size_t dir_size,
                           remap_error *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return snprintf(dir, dir_size, ".") < (int)dir_size
                   ? REMAP_OK
                   : remap_fail(err, REMAP_EINVAL, "%s: path too long", path);
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n + 1 > dir_size)
        return remap_fail(err, REMAP_EINVAL, "%s: path too long", path);
    memcpy(dir, path, n);
    dir[n] = '\0';
    return REMAP_OK;
}

/* fsync of a directory makes a rename in it durable. Some file systems
 * cannot sync directories at all (EINVAL); there is nothing more to do. */
static remap_status sync_dir(const char *dir, remap_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return remap_fail(err, REMAP_EIO, "%s: cannot open directory: %s",
                          dir, strerror(errno));
    if (fsync(fd) != 0 && errno != EINVAL && errno != ENOTSUP) {
        int e = errno;
        close(fd);
        return remap_fail(err, REMAP_EIO, "%s: cannot sync directory: %s",
                          dir, strerror(e));
    }
    close(fd);
    return REMAP_OK;
}

remap_status remap_mkdir_p(const char *path, remap_error *err)
{
    if (!path || !*path)
        return remap_fail(err, REMAP_EINVAL, "mkdir: empty directory path");
    size_t len = strlen(path);
    char *buf = malloc(len + 1);
    if (!buf)
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", path);
    memcpy(buf, path, len + 1);
    while (len > 1 && buf[len - 1] == '/')
        buf[--len] = '\0';

    remap_status st = REMAP_OK;
    /* Each prefix ending before a '/' is a parent; the whole path is last. */
    for (size_t i = 1; i <= len; i++) {
        if (i < len && buf[i] != '/')
            continue;
        if (i < len && buf[i - 1] == '/')
            continue; /* "a//b" */
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0) {
            int e = errno;
            struct stat sb;
            if (e == EEXIST || e == EROFS || e == EACCES) {
                /* Something is there already (or we may not create it but
                 * it may exist): fine only if it is a directory. */
                if (stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode)) {
                    buf[i] = saved;
                    continue;
                }
                if (e == EEXIST || stat(buf, &sb) == 0) {
                    st = remap_fail(err, REMAP_EIO,
                                    "%s: exists and is not a directory", buf);
                    goto done;
                }
            }
            st = remap_fail(err, REMAP_EIO, "%s: cannot create directory: %s",
                            buf, strerror(e));
            goto done;
        }
        buf[i] = saved;
    }
done:
    free(buf);
    return st;
}

remap_status remap_atomic_begin(const char *path, char *tmp, size_t tmp_size,
                                remap_error *err)
{
    if (!path || !*path || !tmp || tmp_size == 0)
        return remap_fail(err, REMAP_EINVAL,
                          "atomic write: missing path or buffer");
    int n = snprintf(tmp, tmp_size, "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= tmp_size)
        return remap_fail(err, REMAP_EINVAL,
                          "%s: path too long for a temporary name", path);
    return REMAP_OK;
}

void remap_atomic_abort(const char *tmp)
{
    if (tmp && *tmp)
        unlink(tmp);
}

/* fsync of the file's contents, through a fresh descriptor: the writer
 * (HDF5, libpng) has closed its own. */
static remap_status sync_file(const char *tmp, remap_error *err)
{
    int fd = open(tmp, O_RDONLY);
    if (fd < 0)
        return remap_fail(err, REMAP_EIO, "%s: cannot open: %s", tmp,
                          strerror(errno));
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        return remap_fail(err, REMAP_EIO, "%s: cannot sync: %s", tmp,
                          strerror(e));
    }
    close(fd);
    return REMAP_OK;
}

remap_status remap_atomic_commit(const char *tmp, const char *path,
                                 remap_error *err)
{
    if (!tmp || !path)
        return remap_fail(err, REMAP_EINVAL,
                          "atomic write: missing path or temporary name");
    char dir[4096];
    remap_status st = dir_of(path, dir, sizeof dir, err);
    if (st == REMAP_OK)
        st = sync_file(tmp, err);
    if (st != REMAP_OK) {
        remap_atomic_abort(tmp);
        return st;
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        remap_atomic_abort(tmp);
        return remap_fail(err, REMAP_EIO, "%s: cannot rename %s over it: %s",
                          path, tmp, strerror(e));
    }
    /* The new file is in place; this only makes the rename durable. */
    return sync_dir(dir, err);
}

/* write(2) until everything is written or a real error happens. */
static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

remap_status remap_write_file_atomic(const char *path, const void *data,
                                     size_t len, remap_error *err)
{
    if (!data && len > 0)
        return remap_fail(err, REMAP_EINVAL, "%s: no data to write",
                          path ? path : "(null)");
    char tmp[4096];
    remap_status st = remap_atomic_begin(path, tmp, sizeof tmp, err);
    if (st != REMAP_OK)
        return st;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0)
        return remap_fail(err, REMAP_EIO, "%s: cannot create %s: %s", path,
                          tmp, strerror(errno));
    if (write_all(fd, data, len) != 0) {
        int e = errno;
        close(fd);
        remap_atomic_abort(tmp);
        return remap_fail(err, REMAP_EIO, "%s: cannot write %s: %s", path,
                          tmp, strerror(e));
    }
    /* close(2) can report a deferred write error (NFS, quotas); commit
     * then fsyncs the file before renaming it. */
    if (close(fd) != 0) {
        int e = errno;
        remap_atomic_abort(tmp);
        return remap_fail(err, REMAP_EIO, "%s: cannot close %s: %s", path,
                          tmp, strerror(e));
    }
    return remap_atomic_commit(tmp, path, err);
}

remap_status remap_check_writable_dir(const char *dir, remap_error *err)
{
    remap_status st = remap_mkdir_p(dir, err);
    if (st != REMAP_OK)
        return st;
    char probe[4096];
    int n = snprintf(probe, sizeof probe, "%s/.remap-write-check.%ld", dir,
                     (long)getpid());
    if (n < 0 || (size_t)n >= sizeof probe)
        return remap_fail(err, REMAP_EINVAL, "%s: path too long", dir);
    int fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0)
        return remap_fail(err, REMAP_EIO,
                          "%s: cannot create files in this directory: %s",
                          dir, strerror(errno));
    close(fd);
    unlink(probe);
    return REMAP_OK;
}

struct remap_csv {
    FILE *f;
    char path[]; /* for messages */
};

/* Offset just past the last newline in the file, 0 if there is none. */
static int last_line_end(int fd, off_t size, off_t *end)
{
    char block[4096];
    off_t pos = size;
    while (pos > 0) {
        size_t n = pos < (off_t)sizeof block ? (size_t)pos : sizeof block;
        pos -= (off_t)n;
        ssize_t got = pread(fd, block, n, pos);
        if (got != (ssize_t)n)
            return -1;
        for (size_t i = n; i > 0; i--)
            if (block[i - 1] == '\n') {
                *end = pos + (off_t)i;
                return 0;
            }
    }
    *end = 0;
    return 0;
}

/* Prepares an existing file for appending: checks that its first line is
 * header (else the file is left untouched) and cuts off a trailing partial
 * row left by a crash. Sets *need_header when nothing whole remains. */
static remap_status csv_prepare_append(int fd, const char *path,
                                       const char *header, bool *need_header,
                                       remap_error *err)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return remap_fail(err, REMAP_EIO, "%s: cannot stat: %s", path,
                          strerror(errno));
    off_t end;
    if (last_line_end(fd, sb.st_size, &end) != 0)
        return remap_fail(err, REMAP_EIO, "%s: cannot read: %s", path,
                          strerror(errno));
    *need_header = end == 0;
    if (end > 0) {
        size_t hl = strlen(header);
        char *first = malloc(hl + 2);
        if (!first)
            return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", path);
        ssize_t got = pread(fd, first, hl + 1, 0);
        if (got < 0) {
            int e = errno;
            free(first);
            return remap_fail(err, REMAP_EIO, "%s: cannot read: %s", path,
                              strerror(e));
        }
        first[got] = '\0';
        bool same = (size_t)got == hl + 1 && memcmp(first, header, hl) == 0 &&
                    first[hl] == '\n';
        if (!same) {
            char *nl = strchr(first, '\n');
            if (nl)
                *nl = '\0';
            remap_fail(err, REMAP_EFORMAT,
                       "%s: existing header '%s' differs from '%s'; cannot "
                       "append rows with other columns",
                       path, first, header);
            free(first);
            return REMAP_EFORMAT;
        }
        free(first);
    }
    if (end < sb.st_size && ftruncate(fd, end) != 0)
        return remap_fail(err, REMAP_EIO,
                          "%s: cannot cut off a partial last row: %s", path,
                          strerror(errno));
    return REMAP_OK;
}

remap_status remap_csv_open(const char *path, const char *header_line,
                            bool append, remap_csv **out, remap_error *err)
{
    if (!path || !header_line || !out)
        return remap_fail(err, REMAP_EINVAL,
                          "csv: missing path, header or output");
    *out = NULL;
    size_t plen = strlen(path);
    remap_csv *c = malloc(sizeof *c + plen + 1);
    if (!c)
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", path);
    memcpy(c->path, path, plen + 1);
    c->f = NULL;

    remap_status st;
    bool need_header = true;
    int flags = O_RDWR | O_CREAT | O_APPEND | (append ? 0 : O_TRUNC);
    int fd = open(path, flags, 0666);
    if (fd < 0) {
        st = remap_fail(err, REMAP_EIO, "%s: cannot open: %s", path,
                        strerror(errno));
        goto fail;
    }
    if (append) {
        st = csv_prepare_append(fd, path, header_line, &need_header, err);
        if (st != REMAP_OK) {
            close(fd);
            goto fail;
        }
    }
    c->f = fdopen(fd, "a");
    if (!c->f) {
        st = remap_fail(err, REMAP_EIO, "%s: cannot open: %s", path,
                        strerror(errno));
        close(fd);
        goto fail;
    }
    if (need_header) {
        st = remap_csv_row(c, header_line, err);
        if (st != REMAP_OK)
            goto fail;
    }
    *out = c;
    return REMAP_OK;

fail:
    if (c->f)
        fclose(c->f);
    free(c);
    return st;
}

remap_status remap_csv_row(remap_csv *c, const char *line, remap_error *err)
{
    if (!c || !line)
        return remap_fail(err, REMAP_EINVAL, "csv: missing table or row");
    if (strchr(line, '\n'))
        return remap_fail(err, REMAP_EINVAL,
                          "%s: a row must not contain a newline", c->path);
    if (fputs(line, c->f) == EOF || fputc('\n', c->f) == EOF ||
        fflush(c->f) != 0) {
        int e = errno;
        clearerr(c->f);
        return remap_fail(err, REMAP_EIO, "%s: cannot write row: %s", c->path,
                          strerror(e));
    }
    return REMAP_OK;
}

void remap_csv_close(remap_csv *c)
{
    if (!c)
        return;
    fclose(c->f);
    free(c);
}
