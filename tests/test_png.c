/* PNG files and the frame writer: round trips, byte-identical output,
 * atomic replacement under failures, damaged and foreign input, other PNG
 * colour types read as RGBA, and the writer thread's order, copying and
 * error reporting. */
#define _XOPEN_SOURCE 700

#include "render/png.h"

#include <criterion/criterion.h>
#include <png.h>
#include <pthread.h>

#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[256];
static char scratch[1024];

/* A path inside this test's own scratch directory (one at a time). */
static const char *at(const char *name)
{
    snprintf(scratch, sizeof scratch, "%s/%s", dir, name);
    return scratch;
}

static void make_scratch(void)
{
    snprintf(dir, sizeof dir, "/tmp/remap-test-png-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_scratch(void)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(png, .init = make_scratch, .fini = remove_scratch);
TestSuite(frames, .init = make_scratch, .fini = remove_scratch);

static int tmp_files;

static int count_tmp(const char *path, const struct stat *sb, int flag,
                     struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    if (strstr(path + ftw->base, ".tmp."))
        tmp_files++;
    return 0;
}

/* Temporary files of an atomic write left anywhere under the scratch dir. */
static int stray_tmp_files(void)
{
    tmp_files = 0;
    nftw(dir, count_tmp, 16, FTW_PHYS);
    return tmp_files;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static bool same_file(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *da = slurp(a, &na), *db = slurp(b, &nb);
    bool same = na == nb && memcmp(da, db, na) == 0;
    free(da);
    free(db);
    return same;
}

/* A w x h image whose pixels all differ, with partial alpha. */
static remap_image pattern(int w, int h)
{
    remap_image img;
    remap_error err;
    const uint8_t black[4] = {0, 0, 0, 255};
    cr_assert_eq(remap_image_create(w, h, black, &img, &err), REMAP_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = remap_image_at(&img, x, y);
            p[0] = (uint8_t)(x * 31 + y * 3);
            p[1] = (uint8_t)(y * 41 + x);
            p[2] = (uint8_t)(x * y * 7 + 5);
            p[3] = (uint8_t)((x + y) * 19 + 11);
        }
    return img;
}

static void assert_same_image(const remap_image *a, const remap_image *b)
{
    cr_assert_eq(a->width, b->width);
    cr_assert_eq(a->height, b->height);
    cr_assert_arr_eq(a->rgba, b->rgba, (size_t)a->width * (size_t)a->height * 4u);
}

static void write_ok(const char *path, const remap_image *img, int level)
{
    remap_error err;
    cr_assert_eq(remap_png_write(path, img, level, &err), REMAP_OK, "%s",
                 err.msg);
}

static remap_image read_ok(const char *path)
{
    remap_image img;
    remap_error err;
    cr_assert_eq(remap_png_read(path, &img, &err), REMAP_OK, "%s", err.msg);
    return img;
}

static void assert_msg_starts(const remap_error *err, const char *path)
{
    cr_assert(strncmp(err->msg, path, strlen(path)) == 0,
              "message '%s' does not start with '%s'", err->msg, path);
}

/* ---- round trips and determinism ---------------------------------------- */

static void round_trip(int level)
{
    remap_image img = pattern(7, 5);
    write_ok(at("rt.png"), &img, level);
    remap_image back = read_ok(at("rt.png"));
    assert_same_image(&back, &img);
    remap_image_free(&back);
    remap_image_free(&img);
    cr_assert_eq(stray_tmp_files(), 0);
}

/* An opaque image (every frame) is stored as RGB, colour type 2 in the
 * IHDR chunk, and reads back with its alpha 255; at each level. */
Test(png, opaque_image_is_stored_as_rgb)
{
    for (int level = 0; level <= 9; level += 3) {
        remap_image img = pattern(9, 6);
        for (int i = 0; i < 9 * 6; i++)
            img.rgba[4 * i + 3] = 255;
        write_ok(at("rgb.png"), &img, level);
        size_t len;
        unsigned char *bytes = slurp(at("rgb.png"), &len);
        cr_assert_gt(len, 26u);
        cr_assert_eq(bytes[25], 2, "level %d: colour type %d", level,
                     bytes[25]);
        free(bytes);
        remap_image back = read_ok(at("rgb.png"));
        assert_same_image(&back, &img);
        remap_image_free(&back);
        remap_image_free(&img);
    }
}

Test(png, round_trip_uncompressed) { round_trip(0); }

Test(png, round_trip_best_compression) { round_trip(9); }

Test(png, one_pixel_round_trip)
{
    remap_image img = pattern(1, 1);
    write_ok(at("one.png"), &img, 6);
    remap_image back = read_ok(at("one.png"));
    assert_same_image(&back, &img);
    remap_image_free(&back);
    remap_image_free(&img);
}

Test(png, same_image_gives_same_bytes)
{
    remap_image img = pattern(64, 48);
    write_ok(at("a.png"), &img, 6);
    write_ok(at("b.png"), &img, 6);
    cr_assert(same_file(at("a.png"), at("b.png")));
    /* Overwriting an existing file gives the same bytes again. */
    write_ok(at("a.png"), &img, 6);
    cr_assert(same_file(at("a.png"), at("b.png")));
    remap_image_free(&img);
}

Test(png, levels_change_size_not_pixels)
{
    remap_image img = pattern(64, 48);
    write_ok(at("l0.png"), &img, 0);
    write_ok(at("l9.png"), &img, 9);
    size_t n0, n9;
    free(slurp(at("l0.png"), &n0));
    free(slurp(at("l9.png"), &n9));
    cr_assert_gt(n0, n9, "level 0: %zu bytes, level 9: %zu", n0, n9);
    /* Stored, the pixels and a filter byte per row are all there. */
    cr_assert_gt(n0, (size_t)64 * 48 * 4);
    remap_image a = read_ok(at("l0.png")), b = read_ok(at("l9.png"));
    assert_same_image(&a, &img);
    assert_same_image(&b, &img);
    remap_image_free(&a);
    remap_image_free(&b);
    remap_image_free(&img);
}

/* ---- refusals and failures ---------------------------------------------- */

Test(png, bad_arguments_leave_the_old_file)
{
    remap_image img = pattern(7, 5);
    write_ok(at("keep.png"), &img, 6);
    write_ok(at("ref.png"), &img, 6);
    remap_image other = pattern(9, 9);
    remap_error err;
    cr_assert_eq(remap_png_write(at("keep.png"), &other, 10, &err),
                 REMAP_EINVAL);
    cr_assert(strstr(err.msg, "compression level 10"), "%s", err.msg);
    cr_assert_eq(remap_png_write(at("keep.png"), &other, -1, &err),
                 REMAP_EINVAL);
    remap_image empty = {NULL, 7, 5};
    cr_assert_eq(remap_png_write(at("keep.png"), &empty, 6, &err),
                 REMAP_EINVAL);
    remap_image flat = other;
    flat.height = 0;
    cr_assert_eq(remap_png_write(at("keep.png"), &flat, 6, &err),
                 REMAP_EINVAL);
    cr_assert_eq(remap_png_write(at("keep.png"), NULL, 6, &err),
                 REMAP_EINVAL);
    cr_assert(same_file(at("keep.png"), at("ref.png")));
    cr_assert_eq(stray_tmp_files(), 0);
    remap_image_free(&other);
    remap_image_free(&img);
}

Test(png, missing_directory_is_an_io_error)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", at("nowhere/f.png"));
    remap_image img = pattern(7, 5);
    remap_error err;
    cr_assert_eq(remap_png_write(path, &img, 6, &err), REMAP_EIO);
    assert_msg_starts(&err, path);
    cr_assert(strstr(err.msg, "No such file or directory"), "%s", err.msg);
    cr_assert_eq(stray_tmp_files(), 0);
    remap_image_free(&img);
}

Test(png, file_as_parent_is_an_io_error)
{
    /* Permission bits do not stop root; a file in the way stops everyone. */
    spit(at("plain"), "x", 1);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("plain/f.png"));
    remap_image img = pattern(7, 5);
    remap_error err;
    cr_assert_eq(remap_png_write(path, &img, 6, &err), REMAP_EIO);
    assert_msg_starts(&err, path);
    cr_assert(strstr(err.msg, "Not a directory"), "%s", err.msg);
    cr_assert_eq(stray_tmp_files(), 0);
    remap_image_free(&img);
}

/* Files written past `bytes` fail with EFBIG, as on a full disk, for root
 * too (SIGXFSZ, which would kill the process, is ignored). Each test runs
 * in its own process, so the limit ends with the test. */
static void limit_file_size(rlim_t bytes)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
    rl.rlim_cur = bytes;
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static void failed_write_keeps_old_file(rlim_t limit)
{
    remap_image small = pattern(7, 5);
    write_ok(at("keep.png"), &small, 6);
    write_ok(at("ref.png"), &small, 6);
    remap_image big = pattern(256, 256); /* 256 KiB stored */
    char path[1024];
    snprintf(path, sizeof path, "%s", at("keep.png"));
    limit_file_size(limit);
    remap_error err;
    cr_assert_eq(remap_png_write(path, &big, 0, &err), REMAP_EIO);
    limit_file_size(RLIM_INFINITY);
    assert_msg_starts(&err, path);
    cr_assert(strstr(err.msg, "File too large"), "%s", err.msg);
    cr_assert(same_file(at("keep.png"), at("ref.png")));
    cr_assert_eq(stray_tmp_files(), 0);
    remap_image_free(&big);
    remap_image_free(&small);
}

/* The limit is hit while libpng writes (the stdio buffer fills) ... */
Test(png, full_disk_mid_write_keeps_old_file)
{
    failed_write_keeps_old_file(64 * 1024);
}

/* ... or only when the last buffered bytes are flushed at close. */
Test(png, full_disk_at_close_keeps_old_file)
{
    size_t stored = 0;
    remap_image big = pattern(256, 256);
    write_ok(at("probe.png"), &big, 0);
    free(slurp(at("probe.png"), &stored));
    remap_image_free(&big);
    failed_write_keeps_old_file((rlim_t)stored - 16);
}

Test(png, read_missing_file_is_an_io_error)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", at("absent.png"));
    remap_image img;
    remap_error err;
    cr_assert_eq(remap_png_read(path, &img, &err), REMAP_EIO);
    assert_msg_starts(&err, path);
    cr_assert_null(img.rgba);
}

static void assert_format_error(const char *path)
{
    remap_image img;
    remap_error err;
    cr_assert_eq(remap_png_read(path, &img, &err), REMAP_EFORMAT, "%s",
                 err.msg);
    assert_msg_starts(&err, path);
    cr_assert_null(img.rgba);
    cr_assert_eq(img.width, 0);
}

Test(png, read_foreign_files_is_a_format_error)
{
    const char text[] = "width,height\n7,5\n";
    char path[1024];
    snprintf(path, sizeof path, "%s", at("table.csv"));
    spit(path, text, sizeof text - 1);
    assert_format_error(path);
    snprintf(path, sizeof path, "%s", at("empty.png"));
    spit(path, "", 0);
    assert_format_error(path);
    /* The signature alone. */
    snprintf(path, sizeof path, "%s", at("sig.png"));
    spit(path, "\x89PNG\r\n\x1a\n", 8);
    assert_format_error(path);
}

Test(png, read_truncated_png_is_a_format_error)
{
    remap_image img = pattern(64, 48);
    write_ok(at("whole.png"), &img, 6);
    remap_image_free(&img);
    size_t n;
    unsigned char *data = slurp(at("whole.png"), &n);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("half.png"));
    spit(path, data, n / 2);
    assert_format_error(path);
    /* Everything but IEND: the image data is complete, the file is not. */
    spit(path, data, n - 12);
    assert_format_error(path);
    free(data);
}

static void corrupt_and_read(const unsigned char *data, size_t n,
                             size_t at_byte, const char *want)
{
    unsigned char *copy = malloc(n);
    memcpy(copy, data, n);
    copy[at_byte] ^= 0x5a;
    char path[1024];
    snprintf(path, sizeof path, "%s", at("bad.png"));
    spit(path, copy, n);
    free(copy);
    remap_image img;
    remap_error err;
    cr_assert_eq(remap_png_read(path, &img, &err), REMAP_EFORMAT, "%s",
                 err.msg);
    assert_msg_starts(&err, path);
    cr_assert(strstr(err.msg, want), "%s", err.msg);
    cr_assert_null(img.rgba);
}

Test(png, read_corrupt_png_is_a_format_error)
{
    remap_image img = pattern(64, 48);
    write_ok(at("whole.png"), &img, 6);
    remap_image_free(&img);
    size_t n;
    unsigned char *data = slurp(at("whole.png"), &n);
    /* In the compressed pixels, libpng meets bad data before the CRC. */
    corrupt_and_read(data, n, n / 2, "damaged PNG");
    /* The IHDR chunk's CRC (signature 8, length and type 8, data 13). */
    corrupt_and_read(data, n, 8 + 8 + 13, "CRC");
    free(data);
}

/* ---- other PNG flavours read as RGBA ------------------------------------ */

/* Writes a PNG of any type with libpng directly; rows hold the raw samples
 * (big-endian for 16 bits). Optional palette and transparency. */
typedef struct raw_png {
    int width, height, bit_depth, color_type, interlace;
    const unsigned char *samples; /* rows of `stride` bytes */
    size_t stride;
    const png_color *palette;
    int palette_len;
    const png_byte *trans;
    int trans_len;
    const png_color_16 *trans_colour;
} raw_png;

static void write_raw(const char *path, const raw_png *r)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    cr_assert_not_null(info);
    if (setjmp(png_jmpbuf(png)))
        cr_assert_fail("libpng failed writing the test file");
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)r->width, (png_uint_32)r->height,
                 r->bit_depth, r->color_type, r->interlace,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (r->palette)
        png_set_PLTE(png, info, r->palette, r->palette_len);
    if (r->trans || r->trans_colour)
        png_set_tRNS(png, info, r->trans, r->trans_len, r->trans_colour);
    png_write_info(png, info);
    int passes = png_set_interlace_handling(png);
    for (int p = 0; p < passes; p++)
        for (int y = 0; y < r->height; y++)
            png_write_row(png, r->samples + (size_t)y * r->stride);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    cr_assert_eq(fclose(f), 0);
}

static void assert_pixel(const remap_image *img, int x, int y, int r, int g,
                         int b, int a)
{
    const uint8_t *p = remap_image_at(img, x, y);
    cr_assert(p[0] == r && p[1] == g && p[2] == b && p[3] == a,
              "(%d,%d) is %d,%d,%d,%d, want %d,%d,%d,%d", x, y, p[0], p[1],
              p[2], p[3], r, g, b, a);
}

Test(png, read_gray_8)
{
    const unsigned char s[] = {0, 100, 255, 7, 8, 9};
    raw_png r = {3, 2, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, s, 3,
                 NULL, 0, NULL, 0, NULL};
    write_raw(at("g.png"), &r);
    remap_image img = read_ok(at("g.png"));
    cr_assert_eq(img.width, 3);
    cr_assert_eq(img.height, 2);
    assert_pixel(&img, 1, 0, 100, 100, 100, 255);
    assert_pixel(&img, 2, 1, 9, 9, 9, 255);
    remap_image_free(&img);
}

Test(png, read_gray_1_bit)
{
    const unsigned char s[] = {0xa0, 0x40}; /* 1 0 1 / 0 1 0 */
    raw_png r = {3, 2, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, s, 1,
                 NULL, 0, NULL, 0, NULL};
    write_raw(at("g1.png"), &r);
    remap_image img = read_ok(at("g1.png"));
    assert_pixel(&img, 0, 0, 255, 255, 255, 255);
    assert_pixel(&img, 1, 0, 0, 0, 0, 255);
    assert_pixel(&img, 1, 1, 255, 255, 255, 255);
    remap_image_free(&img);
}

Test(png, read_rgb_16_keeps_the_high_bytes)
{
    const unsigned char s[] = {0x12, 0x34, 0xab, 0xcd, 0xff, 0xff,
                               0x00, 0x01, 0x80, 0x00, 0x7f, 0xff};
    raw_png r = {2, 1, 16, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, s, 12,
                 NULL, 0, NULL, 0, NULL};
    write_raw(at("rgb16.png"), &r);
    remap_image img = read_ok(at("rgb16.png"));
    assert_pixel(&img, 0, 0, 0x12, 0xab, 0xff, 255);
    assert_pixel(&img, 1, 0, 0x00, 0x80, 0x7f, 255);
    remap_image_free(&img);
}

Test(png, read_palette_with_transparency)
{
    const png_color pal[3] = {{10, 20, 30}, {40, 50, 60}, {70, 80, 90}};
    const png_byte trans[2] = {0, 128}; /* entry 2 is opaque */
    const unsigned char idx[] = {0x21, 0x00}; /* 4-bit indices: 2 1 / 0 0 */
    raw_png r = {2, 2, 4, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, idx, 1,
                 pal, 3, trans, 2, NULL};
    write_raw(at("pal.png"), &r);
    remap_image img = read_ok(at("pal.png"));
    assert_pixel(&img, 0, 0, 70, 80, 90, 255);
    assert_pixel(&img, 1, 0, 40, 50, 60, 128);
    assert_pixel(&img, 0, 1, 10, 20, 30, 0);
    remap_image_free(&img);
}

Test(png, read_rgb_with_transparent_colour)
{
    const unsigned char s[] = {1, 2, 3, 4, 5, 6};
    png_color_16 key = {0, 4, 5, 6, 0};
    raw_png r = {2, 1, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, s, 6,
                 NULL, 0, NULL, 0, &key};
    write_raw(at("key.png"), &r);
    remap_image img = read_ok(at("key.png"));
    assert_pixel(&img, 0, 0, 1, 2, 3, 255);
    assert_pixel(&img, 1, 0, 4, 5, 6, 0);
    remap_image_free(&img);
}

Test(png, read_interlaced_rgba)
{
    remap_image want = pattern(13, 11);
    raw_png r = {13, 11, 8, PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_ADAM7,
                 want.rgba, 13 * 4, NULL, 0, NULL, 0, NULL};
    write_raw(at("adam7.png"), &r);
    remap_image img = read_ok(at("adam7.png"));
    assert_same_image(&img, &want);
    remap_image_free(&img);
    remap_image_free(&want);
}

/* ---- the frame writer --------------------------------------------------- */

static void frame_path(char *buf, size_t size, const char *sub, int i)
{
    snprintf(buf, size, "%s/%sframe-%06d.png", dir, sub, i);
}

static void colour_of(int i, uint8_t c[4])
{
    c[0] = (uint8_t)(i * 12), c[1] = (uint8_t)(255 - i * 7);
    c[2] = (uint8_t)(i * i), c[3] = (uint8_t)(200 + i);
}

Test(frames, written_in_order_from_copies)
{
    remap_frame_writer *fw;
    remap_error err;
    cr_assert_eq(remap_frame_writer_start(2, 1, &fw, &err), REMAP_OK, "%s",
                 err.msg);
    remap_image img = pattern(33, 17);
    for (int i = 0; i < 20; i++) {
        uint8_t c[4];
        colour_of(i, c);
        /* The same buffer every time: push must have copied the last one. */
        remap_image_fill(&img, 0, 0, img.width, img.height, c);
        char path[1024];
        frame_path(path, sizeof path, "", i);
        cr_assert_eq(remap_frame_writer_push(fw, path, &img, &err), REMAP_OK,
                     "%s", err.msg);
    }
    remap_image_free(&img);
    remap_frame_writer_stats stats;
    cr_assert_eq(remap_frame_writer_finish(fw, &stats, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_eq(stats.frames, 20);
    cr_assert_gt(stats.write_seconds, 0.0);
    cr_assert_geq(stats.wait_seconds, 0.0);
    for (int i = 0; i < 20; i++) {
        char path[1024];
        frame_path(path, sizeof path, "", i);
        remap_image got = read_ok(path);
        uint8_t c[4];
        colour_of(i, c);
        cr_assert_eq(got.width, 33);
        for (int y = 0; y < got.height; y++)
            for (int x = 0; x < got.width; x++)
                assert_pixel(&got, x, y, c[0], c[1], c[2], c[3]);
        remap_image_free(&got);
    }
    cr_assert_eq(stray_tmp_files(), 0);
}

/* The writer keeps the pixel buffers of written frames for later ones:
 * frames whose size changes along the way still come out whole, each
 * with its own pixels. */
Test(frames, frames_of_changing_sizes)
{
    remap_frame_writer *fw;
    remap_error err;
    cr_assert_eq(remap_frame_writer_start(2, 1, &fw, &err), REMAP_OK, "%s",
                 err.msg);
    const int widths[] = {33, 33, 33, 12, 12, 40, 33, 33, 33, 33};
    for (int i = 0; i < 10; i++) {
        remap_image img = pattern(widths[i], 9 + i % 3);
        char path[1024];
        frame_path(path, sizeof path, "", i);
        cr_assert_eq(remap_frame_writer_push(fw, path, &img, &err), REMAP_OK,
                     "%s", err.msg);
        remap_image_free(&img);
    }
    cr_assert_eq(remap_frame_writer_finish(fw, NULL, &err), REMAP_OK, "%s",
                 err.msg);
    for (int i = 0; i < 10; i++) {
        char path[1024];
        frame_path(path, sizeof path, "", i);
        remap_image want = pattern(widths[i], 9 + i % 3);
        remap_image got = read_ok(path);
        assert_same_image(&got, &want);
        remap_image_free(&got);
        remap_image_free(&want);
    }
}

/* A job for the writer: draws a 21 x 13 frame of colour_of(index), or
 * fails when index is negative; records the thread it ran on. */
typedef struct colour_job {
    int index;
    pthread_t thread;
} colour_job;

static remap_status draw_colour(void *ctx, remap_image *img, remap_error *err)
{
    colour_job *job = ctx;
    job->thread = pthread_self();
    if (job->index < 0)
        return remap_fail(err, REMAP_ENOMEM, "job %d cannot draw", job->index);
    remap_status st;
    if (!img->rgba &&
        (st = remap_image_create(21, 13, (const uint8_t[4]){0, 0, 0, 255},
                                 img, err)))
        return st;
    uint8_t c[4];
    colour_of(job->index, c);
    remap_image_fill(img, 0, 0, img->width, img->height, c);
    return REMAP_OK;
}

/* Jobs are drawn in the writer thread, in order, between plain frames;
 * once wait_composed returns for n frames, the first n jobs are done
 * with and may be reused. */
Test(frames, jobs_are_drawn_in_the_writer_thread)
{
    remap_frame_writer *fw;
    remap_error err;
    cr_assert_eq(remap_frame_writer_start(2, 1, &fw, &err), REMAP_OK, "%s",
                 err.msg);
    colour_job jobs[3];
    remap_image img = pattern(21, 13);
    for (int i = 0; i < 12; i++) {
        char path[1024];
        frame_path(path, sizeof path, "job-", i);
        if (i % 4 == 3) {
            cr_assert_eq(remap_frame_writer_push(fw, path, &img, &err),
                         REMAP_OK, "%s", err.msg);
            continue;
        }
        /* The job of frame i - 3 must be done before its slot is reused. */
        if (i >= 3)
            remap_frame_writer_wait_composed(fw, (uint64_t)i - 2);
        colour_job *job = &jobs[i % 3];
        job->index = i;
        cr_assert_eq(remap_frame_writer_push_job(fw, path, draw_colour, job,
                                                 &err),
                     REMAP_OK, "%s", err.msg);
    }
    remap_frame_writer_stats stats;
    cr_assert_eq(remap_frame_writer_finish(fw, &stats, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_eq(stats.frames, 12);
    cr_assert_gt(stats.compose_seconds, 0.0);
    for (int k = 0; k < 3; k++)
        cr_assert(!pthread_equal(jobs[k].thread, pthread_self()));
    for (int i = 0; i < 12; i++) {
        char path[1024];
        frame_path(path, sizeof path, "job-", i);
        remap_image got = read_ok(path);
        if (i % 4 == 3) {
            assert_same_image(&got, &img);
        } else {
            uint8_t c[4];
            colour_of(i, c);
            for (int y = 0; y < got.height; y++)
                for (int x = 0; x < got.width; x++)
                    assert_pixel(&got, x, y, c[0], c[1], c[2], c[3]);
        }
        remap_image_free(&got);
    }
    remap_image_free(&img);
}

/* A job that cannot draw fails the writer like a failed write: no file,
 * and the error comes back from a later push or from finish. */
Test(frames, a_failed_job_is_reported, .timeout = 20)
{
    remap_frame_writer *fw;
    remap_error err;
    cr_assert_eq(remap_frame_writer_start(1, 1, &fw, &err), REMAP_OK, "%s",
                 err.msg);
    colour_job bad = {.index = -7}, good = {.index = 2};
    char path[1024];
    frame_path(path, sizeof path, "failed-job-", 0);
    cr_assert_eq(remap_frame_writer_push_job(fw, path, draw_colour, &bad,
                                             &err),
                 REMAP_OK, "%s", err.msg);
    remap_frame_writer_wait_composed(fw, 1);
    frame_path(path, sizeof path, "failed-job-", 1);
    cr_assert_eq(remap_frame_writer_push_job(fw, path, draw_colour, &good,
                                             &err),
                 REMAP_ENOMEM);
    cr_assert(strstr(err.msg, "job -7 cannot draw") != NULL, "%s", err.msg);
    cr_assert_eq(remap_frame_writer_finish(fw, NULL, &err), REMAP_ENOMEM);
    frame_path(path, sizeof path, "failed-job-", 0);
    cr_assert_eq(access(path, F_OK), -1);
    cr_assert_eq(stray_tmp_files(), 0);
}

/* Fills clip to the image; odd widths and a single column fill whole. */
Test(image, fill_clips_and_covers_the_rectangle)
{
    remap_image img = pattern(13, 7);
    remap_image before = pattern(13, 7);
    const uint8_t c[4] = {1, 2, 3, 4};
    remap_image_fill(&img, -3, 2, 9, 100, c);
    remap_image_fill(&img, 12, 0, 5, 1, c);
    remap_image_fill(&img, 4, 4, 0, 3, c); /* empty */
    for (int y = 0; y < 7; y++)
        for (int x = 0; x < 13; x++) {
            bool in = (x < 6 && y >= 2) || (x == 12 && y == 0);
            const uint8_t *want = in ? c : remap_image_at(&before, x, y);
            assert_pixel(&img, x, y, want[0], want[1], want[2], want[3]);
        }
    remap_image_free(&img);
    remap_image_free(&before);
}

/* Pushes frames to `sub` until a push fails (at most ~10 s); returns the
 * failing push's status, with err filled. */
static remap_status push_until_failure(remap_frame_writer *fw, const char *sub,
                                       int first, remap_error *err)
{
    remap_image img = pattern(8, 8);
    remap_status st = REMAP_OK;
    for (int i = first; i < first + 1000 && st == REMAP_OK; i++) {
        char path[1024];
        frame_path(path, sizeof path, sub, i);
        st = remap_frame_writer_push(fw, path, &img, err);
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    remap_image_free(&img);
    return st;
}

Test(frames, missing_directory_fails_push_and_finish, .timeout = 20)
{
    remap_frame_writer *fw;
    remap_error err;
    cr_assert_eq(remap_frame_writer_start(2, 6, &fw, &err), REMAP_OK);
    char first[1024];
    frame_path(first, sizeof first, "nowhere/", 0);
    cr_assert_eq(push_until_failure(fw, "nowhere/", 0, &err), REMAP_EIO);
    assert_msg_starts(&err, first);
    cr_assert(strstr(err.msg, "No such file or directory"), "%s", err.msg);
    remap_frame_writer_stats stats;
    remap_error_clear(&err);
    cr_assert_eq(remap_frame_writer_finish(fw, &stats, &err), REMAP_EIO);
    assert_msg_starts(&err, first);
    cr_assert_eq(stats.frames, 0);
    cr_assert_eq(stray_tmp_files(), 0);
}

Test(frames, finish_reports_a_failure_nobody_pushed_after, .timeout = 20)
{
    remap_frame_writer *fw;
    remap_error err;
    cr_assert_eq(remap_frame_writer_start(4, 6, &fw, &err), REMAP_OK);
    remap_image img = pattern(8, 8);
    char path[1024];
    frame_path(path, sizeof path, "nowhere/", 0);
    cr_assert_eq(remap_frame_writer_push(fw, path, &img, &err), REMAP_OK);
    remap_image_free(&img);
    cr_assert_eq(remap_frame_writer_finish(fw, NULL, &err), REMAP_EIO);
    assert_msg_starts(&err, path);
}

Test(frames, first_failure_stops_later_frames, .timeout = 20)
{
    remap_frame_writer *fw;
    remap_error err;
    cr_assert_eq(remap_frame_writer_start(1, 0, &fw, &err), REMAP_OK);
    remap_image img = pattern(8, 8);
    char path[1024];
    for (int i = 0; i < 3; i++) {
        frame_path(path, sizeof path, "", i);
        cr_assert_eq(remap_frame_writer_push(fw, path, &img, &err), REMAP_OK);
    }
    char bad[1024];
    frame_path(bad, sizeof bad, "nowhere/", 3);
    cr_assert_eq(remap_frame_writer_push(fw, bad, &img, &err), REMAP_OK);
    remap_image_free(&img);
    /* Later pushes report frame 3's failure, not their own. */
    cr_assert_eq(push_until_failure(fw, "", 4, &err), REMAP_EIO);
    assert_msg_starts(&err, bad);
    remap_frame_writer_stats stats;
    cr_assert_eq(remap_frame_writer_finish(fw, &stats, &err), REMAP_EIO);
    assert_msg_starts(&err, bad);
    cr_assert_eq(stats.frames, 3);
    frame_path(path, sizeof path, "", 2);
    cr_assert_eq(access(path, F_OK), 0);
}

Test(frames, bad_arguments)
{
    remap_frame_writer *fw = (remap_frame_writer *)&fw;
    remap_error err;
    cr_assert_eq(remap_frame_writer_start(0, 6, &fw, &err), REMAP_EINVAL);
    cr_assert_null(fw);
    cr_assert_eq(remap_frame_writer_start(2, 10, &fw, &err), REMAP_EINVAL);
    cr_assert_eq(remap_frame_writer_start(2, 6, &fw, &err), REMAP_OK);
    remap_image empty = {NULL, 0, 0};
    cr_assert_eq(remap_frame_writer_push(fw, at("e.png"), &empty, &err),
                 REMAP_EINVAL);
    remap_frame_writer_stats stats;
    cr_assert_eq(remap_frame_writer_finish(fw, &stats, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_eq(stats.frames, 0);
    cr_assert_eq(remap_frame_writer_finish(NULL, &stats, &err), REMAP_OK);
}
