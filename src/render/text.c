/* Text through FreeType: opening a font file (with messages that say what
 * is missing and where to get it), decoding UTF-8, laying glyphs out along
 * a baseline in 26.6 fixed point, and blending their grayscale coverage
 * onto RGBA images. One line of text, left to right, no shaping. */
#include "render/text.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEJAVU_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define DEJAVU_PACKAGE "fonts-dejavu-core"
#define REPLACEMENT 0xFFFDu
#define PX_MIN 1
#define PX_MAX 1000

/* Each font owns its FreeType library: FreeType objects are not shared
 * across threads, so a font per thread needs no locking at all. */
struct remap_font {
    FT_Library lib;
    FT_Face face;
    int px; /* size last set on face, 0 for none */
};

const char *remap_font_default_path(void)
{
    const char *env = getenv("REMAP_FONT");
    return env && env[0] ? env : DEJAVU_PATH;
}

/* ---- opening ---------------------------------------------------------- */

/* FreeType is usually built without error strings, so fall back to the
 * code, which its fterrdef.h documents. */
static void ft_error_text(FT_Error e, char *buf, size_t n)
{
    const char *s = FT_Error_String(e);
    if (s)
        snprintf(buf, n, "%s", s);
    else
        snprintf(buf, n, "FreeType error 0x%02x", (unsigned)e);
}

/* Checks the file with the C library first: FreeType reports only "cannot
 * open resource", while errno tells a missing file from a forbidden one.
 * how says where the path came from, for the message. */
static remap_status check_readable(const char *path, const char *how,
                                   remap_error *err)
{
    FILE *fp = fopen(path, "rb");
    int e = fp ? 0 : errno;
    if (fp) {
        struct stat st;
        if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode))
            e = EISDIR;
        fclose(fp);
    }
    if (!e)
        return REMAP_OK;
    return remap_fail(err, REMAP_EIO, "%s: cannot open font: %s%s", path,
                      strerror(e), how);
}

/* Loads the face and insists on what text drawing relies on: outlines
 * (any pixel size) and a Unicode character map. */
static remap_status open_face(remap_font *f, const char *path,
                              remap_error *err)
{
    char why[64];
    FT_Error e = FT_New_Face(f->lib, path, 0, &f->face);
    if (e) {
        f->face = NULL;
        ft_error_text(e, why, sizeof why);
        if (e == FT_Err_Out_Of_Memory)
            return remap_fail(err, REMAP_ENOMEM, "%s: out of memory (%s)",
                              path, why);
        if (e == FT_Err_Cannot_Open_Resource)
            return remap_fail(err, REMAP_EIO, "%s: cannot open font (%s)",
                              path, why);
        return remap_fail(err, REMAP_EFORMAT,
                          "%s: not a font FreeType can read (%s)", path, why);
    }
    if (!FT_IS_SCALABLE(f->face))
        return remap_fail(err, REMAP_EFORMAT,
                          "%s: not a scalable (outline) font", path);
    if (FT_Select_Charmap(f->face, FT_ENCODING_UNICODE))
        return remap_fail(err, REMAP_EFORMAT,
                          "%s: the font has no Unicode character map", path);
    return REMAP_OK;
}

remap_status remap_font_open(const char *path, remap_font **out,
                             remap_error *err)
{
    *out = NULL;
    if (!path)
        path = remap_font_default_path();
    const char *how = "";
    if (strcmp(path, DEJAVU_PATH) == 0)
        how = " (the Debian package " DEJAVU_PACKAGE " provides it; "
              "REMAP_FONT may name another font file)";
    else if (path == getenv("REMAP_FONT"))
        how = " (named by REMAP_FONT)";
    remap_status s = check_readable(path, how, err);
    if (s)
        return s;
    remap_font *f = calloc(1, sizeof *f);
    if (!f)
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory for a font",
                          path);
    if (FT_Init_FreeType(&f->lib)) {
        free(f);
        return remap_fail(err, REMAP_ENOMEM,
                          "%s: cannot start the FreeType library", path);
    }
    s = open_face(f, path, err);
    if (s) {
        remap_font_close(f);
        return s;
    }
    *out = f;
    return REMAP_OK;
}

void remap_font_close(remap_font *f)
{
    if (!f)
        return;
    if (f->face)
        FT_Done_Face(f->face);
    FT_Done_FreeType(f->lib);
    free(f);
}

/* ---- UTF-8 ------------------------------------------------------------ */

/* Decodes one code point at *s and moves *s past it. Invalid input gives
 * U+FFFD for each maximal ill-formed subpart (Unicode 15, section 3.9,
 * Table 3-7: overlongs, surrogates and values above U+10FFFF are refused
 * at the second byte). A NUL is never a continuation byte, so the decoder
 * stops at the terminator and never reads past it. */
static uint32_t utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    unsigned c = p[0];
    *s += 1;
    if (c < 0x80)
        return c;
    int len;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1Fu;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0Fu, lo = c == 0xE0 ? 0xA0 : 0x80,
        hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07u, lo = c == 0xF0 ? 0x90 : 0x80,
        hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return REPLACEMENT; /* a stray continuation byte, C0, C1 or F5-FF */
    for (int i = 1; i < len; i++) {
        unsigned b = p[i];
        if (b < lo || b > hi)
            return REPLACEMENT; /* the valid prefix is consumed, b is not */
        cp = (cp << 6) | (b & 0x3Fu);
        *s += 1;
        lo = 0x80, hi = 0xBF;
    }
    return cp;
}

/* ---- layout and drawing ----------------------------------------------- */

/* Rounds a 26.6 value to whole pixels, halves up, negatives included. */
static long round_26_6(FT_Pos v)
{
    FT_Pos q = (v + 32) / 64, r = (v + 32) % 64;
    return (long)(r < 0 ? q - 1 : q);
}

static bool size_ok(int px)
{
    return px >= PX_MIN && px <= PX_MAX;
}

/* Sets the pixel size, skipping the call when it is already set. */
static bool set_size(remap_font *f, int px)
{
    if (f->px == px)
        return true;
    if (FT_Set_Pixel_Sizes(f->face, 0, (FT_UInt)px)) {
        f->px = 0;
        return false;
    }
    f->px = px;
    return true;
}

/* Where a glyph bitmap goes: its top-left pixel and the colour. Positions
 * are long so text far outside the image cannot overflow an int. */
typedef struct target {
    remap_image *img;
    long x, y;
    const uint8_t *colour;
} target;

/* Coverage 0-255 of column c of a row of a rendered glyph bitmap. Gray is
 * what FT_RENDER_MODE_NORMAL gives; mono comes from embedded bitmaps. */
static unsigned coverage(const FT_Bitmap *bm, const unsigned char *row,
                         unsigned c)
{
    if (bm->pixel_mode == FT_PIXEL_MODE_MONO) {
        unsigned bits = row[c >> 3];
        return (bits >> (7u - (c & 7u))) & 1u ? 255u : 0u;
    }
    unsigned v = row[c];
    return bm->num_grays == 256 || bm->num_grays < 2
               ? v
               : v * 255u / (unsigned)(bm->num_grays - 1);
}

/* Blends one glyph bitmap, visiting only the rows and columns that land in
 * the image (remap_image_blend clips too; this keeps the int coordinates
 * it takes in range and skips work). */
static void blit(const FT_Bitmap *bm, const target *t)
{
    if (bm->pixel_mode != FT_PIXEL_MODE_GRAY &&
        bm->pixel_mode != FT_PIXEL_MODE_MONO)
        return; /* colour (emoji) bitmaps: nothing sensible to blend */
    if (!bm->rows || !bm->width)
        return; /* spaces */
    long w = t->img->width, h = t->img->height;
    long r0 = t->y < 0 ? -t->y : 0, c0 = t->x < 0 ? -t->x : 0;
    long r1 = (long)bm->rows, c1 = (long)bm->width;
    if (r1 > h - t->y)
        r1 = h - t->y;
    if (c1 > w - t->x)
        c1 = w - t->x;
    /* With a negative pitch the rows run bottom-up from the buffer. */
    long pitch = bm->pitch;
    const unsigned char *top =
        pitch < 0 ? bm->buffer - pitch * ((long)bm->rows - 1) : bm->buffer;
    for (long r = r0; r < r1; r++) {
        const unsigned char *row = top + r * pitch;
        for (long c = c0; c < c1; c++) {
            unsigned cov = coverage(bm, row, (unsigned)c);
            if (cov)
                remap_image_blend(t->img, (int)(t->x + c), (int)(t->y + r),
                                  t->colour, cov);
        }
    }
}

/* Lays the text out from pen position 0 and returns its advance in 26.6;
 * with a target, also renders and blends each glyph at the pen position
 * rounded to a pixel (the same rounding the width uses, so drawn text
 * spans exactly the width reported). Glyphs FreeType cannot load are
 * skipped rather than failing the whole line. */
static FT_Pos layout(remap_font *f, const char *utf8, const target *t,
                     long x, long y)
{
    FT_Face face = f->face;
    FT_Int32 flags = t ? FT_LOAD_DEFAULT | FT_LOAD_RENDER : FT_LOAD_DEFAULT;
    bool kern = FT_HAS_KERNING(face);
    FT_UInt prev = 0;
    FT_Pos pen = 0;
    while (*utf8) {
        FT_UInt gi = FT_Get_Char_Index(face, utf8_next(&utf8));
        FT_Vector k;
        if (kern && prev && !FT_Get_Kerning(face, prev, gi, FT_KERNING_DEFAULT,
                                            &k))
            pen += k.x;
        if (FT_Load_Glyph(face, gi, flags))
            continue;
        FT_GlyphSlot g = face->glyph;
        if (t) {
            target gt = *t;
            gt.x = x + round_26_6(pen) + g->bitmap_left;
            gt.y = y - g->bitmap_top;
            blit(&g->bitmap, &gt);
        }
        pen += g->advance.x;
        prev = gi;
    }
    return pen;
}

static int clamp_px(long v)
{
    return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

int remap_text_width(remap_font *f, int px, const char *utf8)
{
    if (!f || !utf8 || !size_ok(px) || !set_size(f, px))
        return 0;
    return clamp_px(round_26_6(layout(f, utf8, NULL, 0, 0)));
}

void remap_text_metrics(remap_font *f, int px, int *ascent, int *descent)
{
    *ascent = *descent = 0;
    if (!f || !size_ok(px) || !set_size(f, px))
        return;
    /* Hinted fonts give whole pixels here already; rounding outwards keeps
     * a line tall enough for unhinted ones too. */
    const FT_Size_Metrics *m = &f->face->size->metrics;
    *ascent = clamp_px((m->ascender + 63) / 64);
    *descent = m->descender < 0 ? clamp_px((-m->descender + 63) / 64) : 0;
}

int remap_text_draw(remap_font *f, remap_image *img, int x, int y, int px,
                    const uint8_t colour[4], const char *utf8)
{
    if (!f || !utf8 || !size_ok(px) || !set_size(f, px))
        return 0;
    target t = {img, 0, 0, colour};
    return clamp_px(round_26_6(layout(f, utf8, &t, x, y)));
}
