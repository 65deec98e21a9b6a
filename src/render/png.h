/* PNG files through libpng: atomic writes of RGBA frames, reading them
 * back (for tests and tools), and a writer thread that takes frames off
 * the simulation's path.
 *
 *     remap_frame_writer *fw;
 *     remap_frame_writer_start(3, 6, &fw, &err);
 *     for each frame: remap_frame_writer_push(fw, path, &img, &err);
 *     remap_frame_writer_finish(fw, &stats, &err);
 */
#ifndef REMAP_PNG_H
#define REMAP_PNG_H

#include "core/status.h"
#include "render/image.h"

/* Writes img as an 8-bit PNG at path (RGB when every pixel is opaque,
 * RGBA otherwise), atomically (a temporary name, fsync, rename: a crash
 * leaves the old file or none, never a part), with zlib compression level
 * 0-9. No time stamp or other varying chunk is
 * written, so the same image gives the same bytes. Fails with REMAP_EIO
 * naming the file and the system error, REMAP_EINVAL for a level outside
 * 0-9 or an empty image. */
remap_status remap_png_write(const char *path, const remap_image *img,
                             int compression, remap_error *err);

/* Reads a PNG into a new RGBA image (any colour type and bit depth is
 * converted to 8-bit RGBA); free img->rgba. Fails with REMAP_EIO (cannot
 * open or read) or REMAP_EFORMAT (not a PNG, damaged, larger than
 * REMAP_IMAGE_MAX_SIDE), naming the file, or REMAP_ENOMEM; img is then
 * left empty. */
remap_status remap_png_read(const char *path, remap_image *img,
                            remap_error *err);

typedef struct remap_frame_writer remap_frame_writer;

typedef struct remap_frame_writer_stats {
    long frames;            /* frames written */
    double compose_seconds; /* time the thread spent drawing jobs */
    double write_seconds;   /* time the thread spent encoding and writing */
    double wait_seconds;    /* time push spent waiting for a free slot */
} remap_frame_writer_stats;

/* Starts a thread that writes frames in the order pushed, with up to
 * `depth` frames (at least 1) waiting. It runs at the process's own
 * priority: at a lower one, another busy process could starve it, and the
 * simulation waiting on a full queue with it. */
remap_status remap_frame_writer_start(int depth, int compression,
                                      remap_frame_writer **out,
                                      remap_error *err);

/* Copies img and queues it for path; waits while `depth` frames are
 * already queued. Fails, queueing nothing, when an earlier write failed
 * (that error is reported) or memory runs out. After a failed write the
 * frames still queued are dropped, not written, so the files on disk are
 * the frames before the failure. */
remap_status remap_frame_writer_push(remap_frame_writer *fw, const char *path,
                                     const remap_image *img, remap_error *err);

/* Draws a frame's image in the writer thread, just before it is encoded:
 * job is what was pushed, img the writer's own image (empty at first:
 * the function allocates it; kept for later frames). */
typedef remap_status (*remap_frame_compose)(void *job, remap_image *img,
                                            remap_error *err);

/* Queues the frame that compose(job) draws, for path; waits and fails as
 * remap_frame_writer_push does. job must stay untouched until
 * remap_frame_writer_wait_composed says its frame is drawn (jobs are
 * numbered from 0 in the order pushed, frames and jobs together). A
 * failed compose fails the writer as a failed write does. */
remap_status remap_frame_writer_push_job(remap_frame_writer *fw,
                                         const char *path,
                                         remap_frame_compose compose,
                                         void *job, remap_error *err);

/* Waits until the first n frames pushed are drawn (or dropped after a
 * failure). */
void remap_frame_writer_wait_composed(remap_frame_writer *fw, uint64_t n);

/* Writes what is queued, stops the thread and frees the writer (always;
 * NULL does nothing). Returns the first write error, if any; stats may be
 * NULL. */
remap_status remap_frame_writer_finish(remap_frame_writer *fw,
                                       remap_frame_writer_stats *stats,
                                       remap_error *err);

#endif
