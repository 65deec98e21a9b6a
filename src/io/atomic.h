/* Safe file output: directories, whole-file writes that are atomic under a
 * crash (temporary name + fsync + rename), and a row-flushed CSV appender. */
#ifndef REMAP_ATOMIC_H
#define REMAP_ATOMIC_H

#include "core/status.h"

#include <stdbool.h>
#include <stddef.h>

/* Creates directory `path` and any missing parents (mode 0777 less the
 * umask). A directory that already exists is fine; anything else in the way
 * (a regular file as a component) fails with REMAP_EIO naming that
 * component. */
remap_status remap_mkdir_p(const char *path, remap_error *err);

/* Writes len bytes to `path` so that readers see either the old file or the
 * complete new one, never a part: the bytes go to "<path>.tmp.<pid>" in the
 * same directory, which is fsynced, renamed over `path`, and the directory
 * fsynced. On failure (REMAP_EIO, message naming the file and the system
 * error) the temporary file is removed and an existing `path` is left as it
 * was. The directory must exist. */
remap_status remap_write_file_atomic(const char *path, const void *data,
                                     size_t len, remap_error *err);

/* The same protocol in three steps, for writers that create the file
 * themselves (HDF5, libpng): begin fills tmp with the temporary name to
 * write to; commit fsyncs it, renames it over `path` and fsyncs the
 * directory; abort removes it. A failed commit also removes the temporary
 * file, so calling abort after it is harmless but not needed. */

/* Fills tmp (tmp_size bytes) with "<path>.tmp.<pid>". Fails with
 * REMAP_EINVAL when the name does not fit. Creates nothing. */
remap_status remap_atomic_begin(const char *path, char *tmp, size_t tmp_size,
                                remap_error *err);

/* Makes the finished temporary file `tmp` durable and moves it to `path`. */
remap_status remap_atomic_commit(const char *tmp, const char *path,
                                 remap_error *err);

/* Removes the temporary file (nothing happens if it does not exist). */
void remap_atomic_abort(const char *tmp);

/* Creates `dir` if needed and checks that a file can be created in it, so a
 * run can fail with a clear message before it has computed anything. */
remap_status remap_check_writable_dir(const char *dir, remap_error *err);

/* A CSV table written a row at a time (a metrics log). It is appended
 * progressively, not atomically: each row is flushed to the operating
 * system as it is written, so after a crash the file holds every row
 * written before it, and at most one trailing partial row, which the next
 * open in append mode cuts off. */
typedef struct remap_csv remap_csv;

/* Opens `path` for writing rows. header_line is the first line, without the
 * newline. With append true and a non-empty file already there (a resumed
 * run), its rows are kept and the header is not written again; its first
 * line must equal header_line (else REMAP_EFORMAT, so two column layouts
 * never share a file). Otherwise the file is created or truncated and the
 * header written. *out receives the table, to be closed with
 * remap_csv_close. */
remap_status remap_csv_open(const char *path, const char *header_line,
                            bool append, remap_csv **out, remap_error *err);

/* Appends one row; line has no newline. Flushed before returning. */
remap_status remap_csv_row(remap_csv *c, const char *line, remap_error *err);

/* Closes the table. NULL does nothing. */
void remap_csv_close(remap_csv *c);

#endif
