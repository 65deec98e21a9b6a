/* Reading a directory of PNG files into luminance images for the retina
 * (io/images.h). libpng's transforms bring every colour type to 8- or
 * 16-bit grey or RGB, which are then weighted into one channel. */
#include "io/images.h"

#include <dirent.h>
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Where libpng's error handler leaves its message before it jumps back. */
struct png_ctx {
    char msg[200];
};

static void png_error_fn(png_structp png, png_const_charp msg)
{
    struct png_ctx *ctx = png_get_error_ptr(png);
    snprintf(ctx->msg, sizeof ctx->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void png_warning_fn(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* a warning does not stop decoding; nothing prints */
}

static bool has_png_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".png") == 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The decode of one open file into im (width, height, lum). Everything
 * libpng allocates is released before returning; volatile keeps the
 * buffers' pointers valid across the longjmp. */
static remap_status decode(FILE *f, const char *path, remap_natural_image *im,
                           remap_error *err)
{
    unsigned char sig[8];
    if (fread(sig, 1, sizeof sig, f) != sizeof sig ||
        png_sig_cmp(sig, 0, sizeof sig) != 0)
        return remap_fail(err, REMAP_EFORMAT, "%s: not a PNG image", path);
    struct png_ctx ctx = {{0}};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx,
                                             png_error_fn, png_warning_fn);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", path);
    }
    unsigned char *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    float *volatile lum = NULL;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(pixels);
        free(rows);
        free(lum);
        return remap_fail(err, REMAP_EFORMAT, "%s: %s", path,
                          ctx.msg[0] ? ctx.msg : "cannot decode");
    }
    png_init_io(png, f);
    png_set_sig_bytes(png, sizeof sig);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info);
    png_uint_32 h = png_get_image_height(png, info);
    int type = png_get_color_type(png, info);
    int depth = png_get_bit_depth(png, info);
    if (type == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    /* Alpha is ignored, also the one a palette's transparency (tRNS)
     * would bring. */
    if ((type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int channels = png_get_channels(png, info);
    int bytes = png_get_bit_depth(png, info) == 16 ? 2 : 1;
    size_t rowbytes = png_get_rowbytes(png, info);
    if (w == 0 || h == 0 || w > 65536 || h > 65536 ||
        (channels != 1 && channels != 3) ||
        rowbytes != (size_t)w * (size_t)channels * (size_t)bytes)
        png_error(png, "unsupported layout");
    pixels = malloc(rowbytes * h);
    rows = malloc(h * sizeof *rows);
    lum = malloc((size_t)w * h * sizeof(float));
    if (!pixels || !rows || !lum) {
        snprintf(ctx.msg, sizeof ctx.msg, "out of memory");
        png_destroy_read_struct(&png, &info, NULL);
        free(pixels);
        free(rows);
        free(lum);
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", path);
    }
    for (png_uint_32 y = 0; y < h; y++)
        rows[y] = pixels + (size_t)y * rowbytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);

    /* 16-bit samples are stored big-endian. */
    double top = bytes == 2 ? 65535.0 : 255.0;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        double c[3];
        for (int k = 0; k < channels; k++) {
            const unsigned char *s =
                pixels + (i * (size_t)channels + (size_t)k) * (size_t)bytes;
            c[k] = (bytes == 2 ? (double)(s[0] << 8 | s[1]) : (double)s[0]) /
                   top;
        }
        lum[i] = channels == 1
                     ? (float)c[0]
                     : (float)(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]);
    }
    free(pixels);
    free(rows);
    im->width = (int)w;
    im->height = (int)h;
    im->lum = lum;
    return REMAP_OK;
}

/* The names of the PNG files in dir, sorted, into *names[*count]. */
static remap_status list_pngs(const char *dir, char ***names, int *count,
                              remap_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return remap_fail(err, REMAP_EIO, "%s: cannot open: %s", dir,
                          strerror(errno));
    char **list = NULL;
    int n = 0, cap = 0;
    remap_status st = REMAP_OK;
    for (struct dirent *e; (e = readdir(d));) {
        if (!has_png_suffix(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(list, (size_t)cap * sizeof *list);
            if (!grown) {
                st = REMAP_ENOMEM;
                break;
            }
            list = grown;
        }
        if (!(list[n] = strdup(e->d_name))) {
            st = REMAP_ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (st) {
        for (int i = 0; i < n; i++)
            free(list[i]);
        free(list);
        return remap_fail(err, st, "%s: out of memory", dir);
    }
    if (n == 0) {
        free(list);
        return remap_fail(err, REMAP_EFORMAT, "%s: has no PNG files (*.png)",
                          dir);
    }
    qsort(list, (size_t)n, sizeof *list, name_cmp);
    *names = list;
    *count = n;
    return REMAP_OK;
}

remap_status remap_images_load(const char *dir, remap_image_set **out,
                               remap_error *err)
{
    if (out)
        *out = NULL;
    if (!dir || !out)
        return remap_fail(err, REMAP_EINVAL, "remap_images_load: %s is NULL",
                          dir ? "out" : "dir");
    char **names = NULL;
    int count = 0;
    remap_status st = list_pngs(dir, &names, &count, err);
    if (st)
        return st;
    remap_image_set *set = calloc(1, sizeof *set);
    if (set)
        set->images = calloc((size_t)count, sizeof *set->images);
    if (!set || !set->images) {
        st = remap_fail(err, REMAP_ENOMEM, "%s: out of memory", dir);
        goto done;
    }
    for (int i = 0; i < count && !st; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(len);
        if (!path) {
            st = remap_fail(err, REMAP_ENOMEM, "%s: out of memory", dir);
            break;
        }
        snprintf(path, len, "%s/%s", dir, names[i]);
        remap_natural_image *im = &set->images[i];
        FILE *f = fopen(path, "rb");
        if (!f) {
            st = remap_fail(err, REMAP_EIO, "%s: cannot open: %s", path,
                            strerror(errno));
            free(path);
            break;
        }
        st = decode(f, path, im, err);
        fclose(f);
        if (st) {
            free(path);
            break;
        }
        im->name = path; /* the set owns it: messages name the file */
        set->count = i + 1;
    }
done:
    for (int i = 0; i < count; i++)
        free(names[i]);
    free(names);
    if (st) {
        remap_image_set_destroy(set);
        return st;
    }
    *out = set;
    return REMAP_OK;
}
