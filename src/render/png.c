/* PNG files through libpng: this file owns the encoding of remap_images as
 * 8-bit RGBA PNGs (written atomically through io/atomic), the decoding of
 * any PNG back to RGBA, and the frame writer thread with its bounded queue.
 *
 * libpng reports errors by longjmp to a setjmp in the function that drives
 * it; each such function here keeps everything it must free after a
 * longjmp outside its own automatic variables, so no local is clobbered. */
#include "render/png.h"

#include "io/atomic.h"

#include <errno.h>
#include <png.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- libpng plumbing ----------------------------------------------------- */

/* What libpng's callbacks share with the code that drives it: the stream,
 * the system error of a failed read or write (so the report can say "No
 * space left on device" instead of libpng's "Write Error"), libpng's own
 * message, and, when reading, the buffers to free after a longjmp. */
typedef struct png_io {
    FILE *f;
    int sys_errno;     /* errno of the failed fread/fwrite/fflush, 0 if none */
    bool out_of_memory; /* our own allocation failed (reading) */
    char msg[256];     /* libpng's error message */
    uint8_t *pixels;   /* decoded image, owned until handed to the caller */
    png_bytep *rows;   /* row pointers into pixels */
} png_io;

/* libpng must not return from its error callback: copy the message, then
 * unwind to the setjmp of whoever drives libpng. */
static _Noreturn void on_png_error(png_structp png, png_const_charp msg)
{
    png_io *io = png_get_error_ptr(png);
    snprintf(io->msg, sizeof io->msg, "%s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}

/* Library code never prints; warnings (bad ancillary chunks) change nothing
 * we return. */
static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Our own write function, so a failed fwrite keeps its errno. */
static void write_cb(png_structp png, png_bytep data, size_t len)
{
    png_io *io = png_get_io_ptr(png);
    if (fwrite(data, 1, len, io->f) != len) {
        io->sys_errno = errno ? errno : EIO;
        png_error(png, "write failed");
    }
}

static void flush_cb(png_structp png)
{
    png_io *io = png_get_io_ptr(png);
    if (fflush(io->f) != 0) {
        io->sys_errno = errno ? errno : EIO;
        png_error(png, "flush failed");
    }
}

/* Our own read function, so a short read tells a truncated file (a damaged
 * PNG) from a failing disk (an I/O error). */
static void read_cb(png_structp png, png_bytep data, size_t len)
{
    png_io *io = png_get_io_ptr(png);
    if (fread(data, 1, len, io->f) == len)
        return;
    if (ferror(io->f)) {
        io->sys_errno = errno ? errno : EIO;
        png_error(png, "read failed");
    }
    png_error(png, "file is truncated");
}

/* ---- writing ------------------------------------------------------------- */

static remap_status check_write_args(const char *path, const remap_image *img,
                                     int compression, remap_error *err)
{
    if (!path || !*path)
        return remap_fail(err, REMAP_EINVAL, "png: missing file name");
    if (compression < 0 || compression > 9)
        return remap_fail(err, REMAP_EINVAL,
                          "%s: PNG compression level %d is outside 0-9", path,
                          compression);
    if (!img || !img->rgba || img->width < 1 || img->height < 1)
        return remap_fail(err, REMAP_EINVAL, "%s: cannot write an empty image",
                          path);
    return REMAP_OK;
}

static bool is_opaque(const remap_image *img)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    for (size_t i = 0; i < n; i++)
        if (img->rgba[4 * i + 3] != 255)
            return false;
    return true;
}

/* Encodes img into io->f; rgb holds a row of 3 x width bytes, used when
 * img is opaque. Returns false after a libpng error (io says why). png and
 * info are not changed after setjmp, so they need not be volatile; rows
 * are written one at a time, so nothing else is allocated. */
static bool encode(png_io *io, const remap_image *img, uint8_t *rgb,
                   int compression)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, io,
                                              on_png_error, on_png_warning);
    if (!png) {
        snprintf(io->msg, sizeof io->msg, "out of memory");
        return false;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(io->msg, sizeof io->msg, "out of memory");
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, io, write_cb, flush_cb);
    /* Frames are opaque: written as RGB, a quarter less to compress and
     * store. */
    bool opaque = is_opaque(img);
    png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height,
                 8, opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, compression);
    /* Level 0 asks for speed; row filters only help compression. Up to
     * level 3 one filter instead of trying all five on every row, which
     * costs more than it saves: Up, since a frame's rows mostly repeat the
     * row above (a unit's cell spans many rows); it encoded 15% faster
     * than Sub and 10% smaller. */
    if (compression == 0)
        png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    else if (compression <= 3)
        png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
    /* Only IHDR, IDAT and IEND: no tIME or tEXt, so equal images give
     * equal files. */
    png_write_info(png, info);
    size_t stride = (size_t)img->width * 4u;
    for (int y = 0; y < img->height; y++) {
        const uint8_t *row = img->rgba + (size_t)y * stride;
        if (opaque) {
            /* Packing RGB here is cheaper than libpng's filler
             * transform, which took a third of the encoding. */
            for (int x = 0; x < img->width; x++)
                memcpy(rgb + 3 * x, row + 4 * x, 3);
            row = rgb;
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return true;
}

/* Closes the stream. Data still in stdio's buffer is written only now, so
 * a full disk may show up here first: a failure makes the write fail. */
static bool close_stream(png_io *io, bool ok)
{
    if (ok && fflush(io->f) != 0) {
        io->sys_errno = errno ? errno : EIO;
        ok = false;
    }
    if (fclose(io->f) != 0 && ok) {
        io->sys_errno = errno ? errno : EIO;
        ok = false;
    }
    io->f = NULL;
    return ok;
}

remap_status remap_png_write(const char *path, const remap_image *img,
                             int compression, remap_error *err)
{
    remap_status st = check_write_args(path, img, compression, err);
    if (st != REMAP_OK)
        return st;
    char tmp[4096];
    st = remap_atomic_begin(path, tmp, sizeof tmp, err);
    if (st != REMAP_OK)
        return st;
    uint8_t *rgb = malloc((size_t)img->width * 3u);
    if (!rgb) {
        remap_atomic_abort(tmp);
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", path);
    }
    png_io io = {0};
    io.f = fopen(tmp, "wb");
    if (!io.f) {
        free(rgb);
        return remap_fail(err, REMAP_EIO, "%s: cannot create %s: %s", path,
                          tmp, strerror(errno));
    }
    bool ok = close_stream(&io, encode(&io, img, rgb, compression));
    free(rgb);
    if (!ok) {
        remap_atomic_abort(tmp);
        if (io.sys_errno)
            return remap_fail(err, REMAP_EIO, "%s: cannot write: %s", path,
                              strerror(io.sys_errno));
        return remap_fail(err, REMAP_EIO, "%s: cannot encode PNG: %s", path,
                          io.msg);
    }
    return remap_atomic_commit(tmp, path, err);
}

/* ---- reading ------------------------------------------------------------- */

/* Asks libpng for 8-bit RGBA whatever the file holds. */
static void request_rgba8(png_structp png, png_infop info)
{
    png_byte type = png_get_color_type(png, info);
    png_set_expand(png); /* palette -> RGB, gray < 8 bits -> 8, tRNS -> alpha */
    png_set_strip_16(png);
    if (!(type & PNG_COLOR_MASK_COLOR))
        png_set_gray_to_rgb(png);
    if (!(type & PNG_COLOR_MASK_ALPHA) &&
        !png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
}

/* Allocates io->pixels and io->rows for a w x h RGBA image; a failure
 * unwinds through libpng like its own errors. */
static void alloc_rows(png_structp png, png_io *io, png_uint_32 w,
                       png_uint_32 h)
{
    size_t stride = (size_t)w * 4u;
    io->pixels = malloc(stride * h);
    io->rows = malloc(sizeof *io->rows * h);
    if (!io->pixels || !io->rows) {
        io->out_of_memory = true;
        png_error(png, "out of memory");
    }
    for (png_uint_32 y = 0; y < h; y++)
        io->rows[y] = io->pixels + stride * y;
}

/* Decodes the PNG after its signature. On failure returns false with the
 * cause in io; the buffers live in io, not in locals, so they survive the
 * longjmp and are freed here. */
static bool decode(png_io *io, remap_image *img)
{
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, io,
                                             on_png_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        io->out_of_memory = true;
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(io->rows);
        free(io->pixels);
        io->rows = NULL;
        io->pixels = NULL;
        return false;
    }
    png_set_read_fn(png, io, read_cb);
    png_set_sig_bytes(png, 8);
    /* Larger than any remap_image: refuse before allocating for it. */
    png_set_user_limits(png, REMAP_IMAGE_MAX_SIDE, REMAP_IMAGE_MAX_SIDE);
    png_read_info(png, info);
    request_rgba8(png, info);
    png_read_update_info(png, info);
    png_uint_32 w = png_get_image_width(png, info);
    png_uint_32 h = png_get_image_height(png, info);
    if (png_get_bit_depth(png, info) != 8 || png_get_channels(png, info) != 4 ||
        png_get_rowbytes(png, info) != (size_t)w * 4u)
        png_error(png, "cannot convert to 8-bit RGBA");
    alloc_rows(png, io, w, h);
    png_read_image(png, io->rows);
    png_read_end(png, NULL); /* checks the chunks after the image data */
    png_destroy_read_struct(&png, &info, NULL);
    free(io->rows);
    io->rows = NULL;
    img->rgba = io->pixels;
    img->width = (int)w;
    img->height = (int)h;
    io->pixels = NULL;
    return true;
}

static remap_status check_signature(png_io *io, const char *path,
                                    remap_error *err)
{
    png_byte sig[8];
    size_t got = fread(sig, 1, sizeof sig, io->f);
    if (got < sizeof sig && ferror(io->f))
        return remap_fail(err, REMAP_EIO, "%s: cannot read: %s", path,
                          strerror(errno));
    if (got < sizeof sig || png_sig_cmp(sig, 0, sizeof sig) != 0)
        return remap_fail(err, REMAP_EFORMAT, "%s: not a PNG file", path);
    return REMAP_OK;
}

remap_status remap_png_read(const char *path, remap_image *img,
                            remap_error *err)
{
    if (!path || !img)
        return remap_fail(err, REMAP_EINVAL, "png: missing file or image");
    img->rgba = NULL;
    img->width = img->height = 0;
    png_io io = {0};
    io.f = fopen(path, "rb");
    if (!io.f)
        return remap_fail(err, REMAP_EIO, "%s: cannot open: %s", path,
                          strerror(errno));
    remap_status st = check_signature(&io, path, err);
    if (st == REMAP_OK && !decode(&io, img)) {
        if (io.out_of_memory)
            st = remap_fail(err, REMAP_ENOMEM, "%s: out of memory", path);
        else if (io.sys_errno)
            st = remap_fail(err, REMAP_EIO, "%s: cannot read: %s", path,
                            strerror(io.sys_errno));
        else
            st = remap_fail(err, REMAP_EFORMAT, "%s: damaged PNG: %s", path,
                            io.msg);
    }
    fclose(io.f);
    return st;
}

/* ---- the frame writer ---------------------------------------------------- */

/* A queued frame: a private copy of the pixels and of the path, or a job
 * that draws the pixels in the writer thread. */
typedef struct frame {
    remap_image img;
    char *path;
    remap_frame_compose compose;
    void *job;
} frame;

/* One mutex guards everything below it; `first` is written only by the
 * thread, before it sets `failed` under the mutex, and read by others only
 * after they see `failed`, so it needs no lock of its own. */
struct remap_frame_writer {
    pthread_t thread;
    int compression;
    int depth;
    pthread_mutex_t lock;
    pthread_cond_t queued; /* a frame was queued, or stop was asked */
    pthread_cond_t freed;  /* a slot was freed, a frame drawn, or a write
                              failed */
    frame *slots;          /* ring of `depth` frames */
    /* Pixel buffers of written frames, kept for the next ones (all of
     * pool_bytes): a fresh frame-sized allocation costs page faults. */
    uint8_t **pool;
    int pooled;
    size_t pool_bytes;
    int head, count;       /* oldest queued frame, frames queued */
    uint64_t composed;     /* frames taken off the queue and drawn */
    remap_image canvas;    /* what jobs draw into */
    bool stop;             /* finish: write what is queued, then exit */
    bool failed;           /* a write failed; `first` says why */
    remap_frame_writer_stats stats;
    remap_error first;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void frame_free(frame *f)
{
    remap_image_free(&f->img);
    free(f->path);
    f->path = NULL;
}

/* Takes the oldest frame off the ring (called with the lock held). */
static frame dequeue(remap_frame_writer *fw)
{
    frame f = fw->slots[fw->head];
    fw->slots[fw->head] = (frame){{NULL, 0, 0}, NULL, NULL, NULL};
    fw->head = (fw->head + 1) % fw->depth;
    fw->count--;
    return f;
}

/* Keeps f's pixels for a later frame, or frees them (called with the lock
 * held); frees the path. */
static void frame_recycle(remap_frame_writer *fw, frame *f)
{
    size_t bytes = (size_t)f->img.width * (size_t)f->img.height * 4u;
    if (f->img.rgba && fw->pooled < fw->depth + 1 &&
        (fw->pooled == 0 || bytes == fw->pool_bytes)) {
        fw->pool[fw->pooled++] = f->img.rgba;
        fw->pool_bytes = bytes;
        f->img.rgba = NULL;
    }
    frame_free(f);
}

/* Draws (a job) and writes one frame outside the lock, then records the
 * outcome under it. After a failure the remaining frames are dropped,
 * not written: the run is failing anyway, and a sequence with a hole
 * would mislead. */
static void write_frame(remap_frame_writer *fw, frame *f, bool skip)
{
    double t0 = now_seconds();
    remap_status st = REMAP_OK;
    const remap_image *img = &f->img;
    if (!skip && f->compose) {
        st = f->compose(f->job, &fw->canvas, &fw->first);
        img = &fw->canvas;
    }
    double t1 = now_seconds();
    /* The job is done with (a failure to draw is known from here on). */
    pthread_mutex_lock(&fw->lock);
    fw->composed++;
    if (st != REMAP_OK)
        fw->failed = true;
    pthread_cond_broadcast(&fw->freed);
    pthread_mutex_unlock(&fw->lock);
    if (!skip && st == REMAP_OK)
        st = remap_png_write(f->path, img, fw->compression, &fw->first);
    double t2 = now_seconds();
    pthread_mutex_lock(&fw->lock);
    frame_recycle(fw, f);
    if (!skip) {
        fw->stats.compose_seconds += t1 - t0;
        fw->stats.write_seconds += t2 - t1;
        if (st == REMAP_OK) {
            fw->stats.frames++;
        } else {
            fw->failed = true;
            pthread_cond_broadcast(&fw->freed); /* waiting pushes fail now */
        }
    }
    pthread_mutex_unlock(&fw->lock);
}

static void *writer_main(void *arg)
{
    remap_frame_writer *fw = arg;
    pthread_mutex_lock(&fw->lock);
    for (;;) {
        while (fw->count == 0 && !fw->stop)
            pthread_cond_wait(&fw->queued, &fw->lock);
        if (fw->count == 0)
            break; /* stop asked and nothing left */
        frame f = dequeue(fw);
        bool skip = fw->failed;
        pthread_cond_signal(&fw->freed);
        pthread_mutex_unlock(&fw->lock);
        write_frame(fw, &f, skip);
        pthread_mutex_lock(&fw->lock);
    }
    pthread_mutex_unlock(&fw->lock);
    return NULL;
}

/* Frees the writer's memory and synchronisation objects (not the thread). */
static void writer_free(remap_frame_writer *fw)
{
    for (int i = 0; i < fw->depth; i++)
        frame_free(&fw->slots[i]);
    for (int i = 0; i < fw->pooled; i++)
        free(fw->pool[i]);
    remap_image_free(&fw->canvas);
    free(fw->pool);
    free(fw->slots);
    pthread_cond_destroy(&fw->freed);
    pthread_cond_destroy(&fw->queued);
    pthread_mutex_destroy(&fw->lock);
    free(fw);
}

/* Starts the thread with every signal blocked, so signals meant for the
 * process (an interrupt) reach the simulation's thread, and file writes in
 * this one never see EINTR. */
static int start_thread(remap_frame_writer *fw)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&fw->thread, NULL, writer_main, fw);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

static remap_status writer_alloc(int depth, int compression,
                                 remap_frame_writer **out, remap_error *err)
{
    remap_frame_writer *fw = calloc(1, sizeof *fw);
    frame *slots = calloc((size_t)depth, sizeof *slots);
    uint8_t **pool = calloc((size_t)depth + 1, sizeof *pool);
    if (!fw || !slots || !pool) {
        free(fw);
        free(slots);
        free(pool);
        return remap_fail(err, REMAP_ENOMEM,
                          "out of memory for a frame writer of depth %d",
                          depth);
    }
    fw->slots = slots;
    fw->pool = pool;
    fw->depth = depth;
    fw->compression = compression;
    remap_error_clear(&fw->first);
    if (pthread_mutex_init(&fw->lock, NULL) != 0 ||
        pthread_cond_init(&fw->queued, NULL) != 0 ||
        pthread_cond_init(&fw->freed, NULL) != 0) {
        /* glibc's init cannot fail; elsewhere, leaking the few objects
         * that did initialise beats destroying ones that did not. */
        free(pool);
        free(slots);
        free(fw);
        return remap_fail(err, REMAP_ENOMEM,
                          "cannot create the frame writer's locks");
    }
    *out = fw;
    return REMAP_OK;
}

remap_status remap_frame_writer_start(int depth, int compression,
                                      remap_frame_writer **out,
                                      remap_error *err)
{
    if (!out)
        return remap_fail(err, REMAP_EINVAL, "frame writer: missing output");
    *out = NULL;
    if (depth < 1)
        return remap_fail(err, REMAP_EINVAL,
                          "frame writer: queue depth %d is below 1", depth);
    if (compression < 0 || compression > 9)
        return remap_fail(err, REMAP_EINVAL,
                          "frame writer: PNG compression level %d is outside "
                          "0-9",
                          compression);
    remap_frame_writer *fw = NULL;
    remap_status st = writer_alloc(depth, compression, &fw, err);
    if (st != REMAP_OK)
        return st;
    int rc = start_thread(fw);
    if (rc != 0) {
        writer_free(fw);
        return remap_fail(err, REMAP_ENOMEM,
                          "cannot start the frame writer thread: %s",
                          strerror(rc));
    }
    *out = fw;
    return REMAP_OK;
}

/* Copies img and path into f, so the caller may reuse its buffer at once;
 * the pixels go into a kept buffer where there is one. */
static remap_status frame_copy(remap_frame_writer *fw, frame *f,
                               const char *path, const remap_image *img,
                               remap_error *err)
{
    size_t bytes = (size_t)img->width * (size_t)img->height * 4u;
    f->img.rgba = NULL;
    pthread_mutex_lock(&fw->lock);
    if (fw->pooled > 0 && fw->pool_bytes == bytes)
        f->img.rgba = fw->pool[--fw->pooled];
    pthread_mutex_unlock(&fw->lock);
    if (!f->img.rgba)
        f->img.rgba = malloc(bytes);
    f->path = strdup(path);
    if (!f->img.rgba || !f->path) {
        frame_free(f);
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory for the frame",
                          path);
    }
    memcpy(f->img.rgba, img->rgba, bytes);
    f->img.width = img->width;
    f->img.height = img->height;
    return REMAP_OK;
}

/* Reports the first write failure to err (called with the lock held). */
static remap_status report_first(const remap_frame_writer *fw,
                                 remap_error *err)
{
    return remap_fail(err, fw->first.status, "%s", fw->first.msg);
}

/* Queues f, waiting while the queue is full; frees f on failure. */
static remap_status enqueue(remap_frame_writer *fw, frame *f,
                            remap_error *err)
{
    remap_status st = REMAP_OK;
    pthread_mutex_lock(&fw->lock);
    if (fw->count == fw->depth && !fw->failed) {
        double t0 = now_seconds();
        while (fw->count == fw->depth && !fw->failed)
            pthread_cond_wait(&fw->freed, &fw->lock);
        fw->stats.wait_seconds += now_seconds() - t0;
    }
    if (fw->failed) {
        st = report_first(fw, err);
        pthread_mutex_unlock(&fw->lock);
        frame_free(f);
        return st;
    }
    fw->slots[(fw->head + fw->count) % fw->depth] = *f;
    fw->count++;
    pthread_cond_signal(&fw->queued);
    pthread_mutex_unlock(&fw->lock);
    return REMAP_OK;
}

remap_status remap_frame_writer_push(remap_frame_writer *fw, const char *path,
                                     const remap_image *img, remap_error *err)
{
    if (!fw || !path || !*path)
        return remap_fail(err, REMAP_EINVAL,
                          "frame writer: missing writer or file name");
    if (!img || !img->rgba || img->width < 1 || img->height < 1)
        return remap_fail(err, REMAP_EINVAL, "%s: cannot write an empty image",
                          path);
    frame f = {0};
    remap_status st = frame_copy(fw, &f, path, img, err);
    return st ? st : enqueue(fw, &f, err);
}

remap_status remap_frame_writer_push_job(remap_frame_writer *fw,
                                         const char *path,
                                         remap_frame_compose compose,
                                         void *job, remap_error *err)
{
    if (!fw || !path || !*path || !compose)
        return remap_fail(err, REMAP_EINVAL,
                          "frame writer: missing writer, file name or "
                          "drawing");
    frame f = {.compose = compose, .job = job, .path = strdup(path)};
    if (!f.path)
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory for the frame",
                          path);
    return enqueue(fw, &f, err);
}

void remap_frame_writer_wait_composed(remap_frame_writer *fw, uint64_t n)
{
    pthread_mutex_lock(&fw->lock);
    while (fw->composed < n && !fw->failed)
        pthread_cond_wait(&fw->freed, &fw->lock);
    pthread_mutex_unlock(&fw->lock);
}

remap_status remap_frame_writer_finish(remap_frame_writer *fw,
                                       remap_frame_writer_stats *stats,
                                       remap_error *err)
{
    if (stats)
        *stats = (remap_frame_writer_stats){0, 0.0, 0.0, 0.0};
    if (!fw)
        return REMAP_OK; /* like free(NULL), for cleanup paths */
    pthread_mutex_lock(&fw->lock);
    fw->stop = true;
    pthread_cond_signal(&fw->queued);
    pthread_mutex_unlock(&fw->lock);
    pthread_join(fw->thread, NULL);
    /* The thread has ended: nothing below races with it. */
    remap_status st = fw->failed ? report_first(fw, err) : REMAP_OK;
    if (stats)
        *stats = fw->stats;
    writer_free(fw);
    return st;
}
