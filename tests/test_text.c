/* Text through FreeType: opening fonts and the messages of failures, widths
 * and metrics, where drawn pixels land, clipping at the image edges,
 * determinism and UTF-8 decoding. */
#include "render/text.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t black[4] = {0, 0, 0, 255};
static const uint8_t white[4] = {255, 255, 255, 255};

/* U+FFFD, what every invalid UTF-8 subpart stands for. */
#define FFFD "\xef\xbf\xbd"

static remap_font *font;

/* Every test but the opening ones uses DejaVu Sans, whatever the caller's
 * environment says, so the expectations below hold. */
static void open_font(void)
{
    unsetenv("REMAP_FONT");
    remap_error err;
    remap_status s = remap_font_open(NULL, &font, &err);
    cr_assert_eq(s, REMAP_OK, "%s", err.msg);
    cr_assert_not_null(font);
}

static void close_font(void)
{
    remap_font_close(font);
    font = NULL;
}

static remap_image blank(int w, int h)
{
    remap_image img;
    remap_error err;
    cr_assert_eq(remap_image_create(w, h, black, &img, &err), REMAP_OK, "%s",
                 err.msg);
    return img;
}

static bool changed(const remap_image *img, int x, int y)
{
    return memcmp(remap_image_at(img, x, y), black, 4) != 0;
}

static int count_changed(const remap_image *img)
{
    int n = 0;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            n += changed(img, x, y);
    return n;
}

/* ---- opening ---------------------------------------------------------- */

Test(font, default_path_follows_remap_font)
{
    unsetenv("REMAP_FONT");
    cr_assert_str_eq(remap_font_default_path(),
                     "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    setenv("REMAP_FONT", "", 1);
    cr_assert_str_eq(remap_font_default_path(),
                     "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    setenv("REMAP_FONT", "/somewhere/else.ttf", 1);
    cr_assert_str_eq(remap_font_default_path(), "/somewhere/else.ttf");
    unsetenv("REMAP_FONT");
}

Test(font, opens_the_default)
{
    open_font();
    close_font();
}

Test(font, missing_file_is_eio_naming_it)
{
    const char *path = "/nonexistent/remap-no-such-font.ttf";
    remap_font *f = (remap_font *)&f; /* must be reset to NULL */
    remap_error err;
    cr_assert_eq(remap_font_open(path, &f, &err), REMAP_EIO);
    cr_assert_null(f);
    cr_assert_eq(err.status, REMAP_EIO);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
    cr_assert(strstr(err.msg, "No such file"), "%s", err.msg);
    /* The package hint is for the default font only. */
    cr_assert_null(strstr(err.msg, "fonts-dejavu-core"), "%s", err.msg);
}

Test(font, directory_is_eio)
{
    remap_font *f;
    remap_error err;
    cr_assert_eq(remap_font_open("/tmp", &f, &err), REMAP_EIO);
    cr_assert(strstr(err.msg, "/tmp"), "%s", err.msg);
}

Test(font, non_font_is_eformat_naming_it)
{
    char dir[] = "/tmp/remap-test-text-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/notafont.ttf", dir);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs("this is plain text, not a TrueType font\n", fp);
    fclose(fp);

    remap_font *f;
    remap_error err;
    remap_status s = remap_font_open(path, &f, &err);
    unlink(path);
    rmdir(dir);
    cr_assert_eq(s, REMAP_EFORMAT, "%s", err.msg);
    cr_assert_null(f);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
}

Test(font, remap_font_names_the_missing_file)
{
    const char *path = "/nonexistent/from-env.otf";
    setenv("REMAP_FONT", path, 1);
    remap_font *f;
    remap_error err;
    remap_status s = remap_font_open(NULL, &f, &err);
    unsetenv("REMAP_FONT");
    cr_assert_eq(s, REMAP_EIO);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
    cr_assert(strstr(err.msg, "REMAP_FONT"), "%s", err.msg);
}

Test(font, close_null_is_harmless)
{
    remap_font_close(NULL);
}

/* ---- widths and metrics ----------------------------------------------- */

TestSuite(text, .init = open_font, .fini = close_font);

Test(text, empty_is_zero_wide)
{
    cr_assert_eq(remap_text_width(font, 18, ""), 0);
}

Test(text, narrow_letters_are_narrower)
{
    int ii = remap_text_width(font, 18, "ii");
    int ww = remap_text_width(font, 18, "WW");
    cr_assert_gt(ii, 0);
    cr_assert_lt(ii, ww, "ii %d, WW %d", ii, ww);
}

Test(text, width_grows_with_size)
{
    const char *s = "lesion at 20 000";
    int w12 = remap_text_width(font, 12, s);
    int w24 = remap_text_width(font, 24, s);
    int w48 = remap_text_width(font, 48, s);
    cr_assert(0 < w12 && w12 < w24 && w24 < w48, "%d %d %d", w12, w24, w48);
    /* Roughly proportional: hinting moves each advance by under a pixel. */
    cr_assert_leq(abs(w48 - 4 * w12), 16, "%d vs 4 x %d", w48, w12);
}

Test(text, width_adds_up_give_or_take_kerning)
{
    for (int px = 8; px <= 64; px += 7) {
        int a = remap_text_width(font, px, "A");
        int b = remap_text_width(font, px, "B");
        int ab = remap_text_width(font, px, "AB");
        cr_assert_leq(abs(ab - (a + b)), 2, "px %d: %d vs %d + %d", px, ab,
                      a, b);
    }
}

Test(text, kerning_is_applied)
{
    /* DejaVu Sans kerns "AV" tighter than its two advances. */
    int a = remap_text_width(font, 200, "A");
    int v = remap_text_width(font, 200, "V");
    int av = remap_text_width(font, 200, "AV");
    cr_assert_lt(av, a + v, "AV %d, A %d + V %d", av, a, v);
}

Test(text, metrics_are_plausible)
{
    for (int px = 6; px <= 120; px += 19) {
        int asc, desc;
        remap_text_metrics(font, px, &asc, &desc);
        cr_assert_gt(asc, 0, "px %d", px);
        cr_assert_geq(desc, 0, "px %d", px);
        cr_assert(asc + desc >= px / 2 && asc + desc <= 2 * px,
                  "px %d: ascent %d descent %d", px, asc, desc);
    }
}

Test(text, sizes_out_of_range_give_nothing)
{
    remap_image img = blank(40, 40);
    int bad[] = {0, -5, 1001, 1 << 30};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int asc = -1, desc = -1;
        remap_text_metrics(font, bad[i], &asc, &desc);
        cr_assert_eq(asc, 0);
        cr_assert_eq(desc, 0);
        cr_assert_eq(remap_text_width(font, bad[i], "abc"), 0);
        cr_assert_eq(remap_text_draw(font, &img, 5, 30, bad[i], white, "abc"),
                     0);
    }
    cr_assert_eq(count_changed(&img), 0);
    remap_image_free(&img);
}

/* ---- drawing ---------------------------------------------------------- */

Test(text, draws_inside_its_box)
{
    const char *s = "lesion at 20 000, Wjgy|";
    const int px = 18, x = 30, y = 40, slack = 2;
    remap_image img = blank(320, 70);
    int w = remap_text_draw(font, &img, x, y, px, white, s);
    cr_assert_eq(w, remap_text_width(font, px, s));
    int asc, desc;
    remap_text_metrics(font, px, &asc, &desc);
    int n = count_changed(&img);
    cr_assert_gt(n, 50, "only %d pixels drawn", n);
    for (int j = 0; j < img.height; j++)
        for (int i = 0; i < img.width; i++)
            if (changed(&img, i, j)) {
                cr_assert(i >= x - slack && i < x + w + slack, "x %d", i);
                cr_assert(j >= y - asc - slack && j < y + desc + slack,
                          "y %d", j);
            }
    remap_image_free(&img);
}

Test(text, colour_and_alpha_are_used)
{
    const uint8_t red[4] = {255, 0, 0, 255}, faint[4] = {255, 255, 255, 64};
    remap_image a = blank(60, 40), b = blank(60, 40);
    remap_text_draw(font, &a, 5, 30, 24, red, "H");
    remap_text_draw(font, &b, 5, 30, 24, faint, "H");
    unsigned max_g = 0, max_r = 0, max_b = 0;
    for (int j = 0; j < 40; j++)
        for (int i = 0; i < 60; i++) {
            const uint8_t *p = remap_image_at(&a, i, j);
            max_r = p[0] > max_r ? p[0] : max_r;
            max_g = p[1] > max_g ? p[1] : max_g;
            const uint8_t *q = remap_image_at(&b, i, j);
            max_b = q[0] > max_b ? q[0] : max_b;
        }
    cr_assert_eq(max_r, 255); /* H has fully covered stems */
    cr_assert_eq(max_g, 0);
    cr_assert(max_b > 40 && max_b < 90, "faint white peaks at %u", max_b);
    remap_image_free(&a);
    remap_image_free(&b);
}

Test(text, same_text_same_bytes)
{
    const char *s = "iteration 123 456 — é";
    remap_image a = blank(200, 40), b = blank(200, 40);
    remap_text_draw(font, &a, 3, 28, 17, white, s);
    /* Other sizes in between must not leave state behind. */
    remap_text_width(font, 40, "xyz");
    remap_text_draw(font, &b, 3, 28, 17, white, s);
    cr_assert_gt(count_changed(&a), 0);
    cr_assert_eq(memcmp(a.rgba, b.rgba, 200u * 40u * 4u), 0);
    remap_image_free(&a);
    remap_image_free(&b);
}

/* Draws s at (x, y) on a w x h image held between guard rows, and checks
 * that the guards are untouched and that every pixel equals the same text
 * drawn unclipped on a larger image: clipping must drop what falls
 * outside and nothing else. */
static void check_clipped(int w, int h, int x, int y, const char *s)
{
    const int px = 20, margin = 200, guard_rows = 4;
    size_t row = (size_t)w * 4u, size = row * (size_t)(h + 2 * guard_rows);
    uint8_t *buf = malloc(size);
    cr_assert_not_null(buf);
    memset(buf, 0xA5, size);
    remap_image img = {buf + row * (size_t)guard_rows, w, h};
    remap_image_fill(&img, 0, 0, w, h, black);
    remap_image big = blank(w + 2 * margin, h + 2 * margin);

    int wa = remap_text_draw(font, &img, x, y, px, white, s);
    int wb = remap_text_draw(font, &big, x + margin, y + margin, px, white, s);
    cr_assert_eq(wa, wb);
    for (size_t i = 0; i < row * (size_t)guard_rows; i++) {
        cr_assert_eq(buf[i], 0xA5, "guard above touched at %zu", i);
        cr_assert_eq(buf[size - 1 - i], 0xA5, "guard below touched");
    }
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++)
            cr_assert_eq(memcmp(remap_image_at(&img, i, j),
                                remap_image_at(&big, i + margin, j + margin),
                                4),
                         0, "(%d, %d) drawn at (%d, %d)", i, j, x, y);
    free(buf);
    remap_image_free(&big);
}

Test(text, clips_at_every_edge)
{
    const char *s = "Wide WWW text";
    check_clipped(60, 30, -25, 20, s);  /* off the left */
    check_clipped(60, 30, 40, 20, s);   /* off the right */
    check_clipped(60, 30, 5, 6, s);     /* off the top */
    check_clipped(60, 30, 5, 36, s);    /* off the bottom */
    check_clipped(60, 30, -500, 20, s); /* wholly outside */
    check_clipped(60, 30, 500, 20, s);
    check_clipped(3, 3, -10, 10, s); /* a tiny image */
}

Test(text, clipping_survives_far_positions)
{
    remap_image img = blank(20, 20);
    int w = remap_text_width(font, 30, "far");
    cr_assert_eq(remap_text_draw(font, &img, 2147483000, 10, 30, white, "far"),
                 w);
    cr_assert_eq(remap_text_draw(font, &img, -2147483000, -2147483000, 30,
                                 white, "far"),
                 w);
    cr_assert_eq(count_changed(&img), 0);
    remap_image_free(&img);
}

/* ---- UTF-8 ------------------------------------------------------------ */

Test(text, e_acute_draws)
{
    remap_image img = blank(40, 40);
    int w = remap_text_draw(font, &img, 5, 30, 24, white, "\xc3\xa9");
    cr_assert_gt(w, 0);
    cr_assert_gt(count_changed(&img), 10);
    /* It is not the replacement glyph: é is narrower than U+FFFD. */
    cr_assert_neq(w, remap_text_width(font, 24, FFFD));
    /* The accent reaches above the x-height of a plain e. */
    remap_image e = blank(40, 40);
    remap_text_draw(font, &e, 5, 30, 24, white, "e");
    int top_acute = 40, top_e = 40;
    for (int j = 39; j >= 0; j--)
        for (int i = 0; i < 40; i++) {
            if (changed(&img, i, j))
                top_acute = j;
            if (changed(&e, i, j))
                top_e = j;
        }
    cr_assert_lt(top_acute, top_e);
    remap_image_free(&img);
    remap_image_free(&e);
}

/* Width of s copied into a buffer exactly its size, so that a decoder
 * reading past the NUL trips AddressSanitizer. */
static int exact_width(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    cr_assert_not_null(copy);
    memcpy(copy, s, n);
    int w = remap_text_width(font, 20, copy);
    free(copy);
    return w;
}

Test(text, invalid_bytes_are_replacement_glyphs)
{
    int r = exact_width(FFFD);
    cr_assert_gt(r, 0);
    int w = exact_width("\xff\xfe");
    cr_assert_gt(w, 0);
    cr_assert_eq(w, 2 * r, "\\xff\\xfe %d, U+FFFD %d", w, r);

    remap_image img = blank(60, 40);
    cr_assert_eq(remap_text_draw(font, &img, 2, 30, 20, white, "\xff\xfe"),
                 2 * r);
    cr_assert_gt(count_changed(&img), 0);
    remap_image_free(&img);
}

Test(text, utf8_decoding_follows_maximal_subparts)
{
    int r = exact_width(FFFD), a = exact_width("A");
    /* Each case: the text and how many U+FFFD it holds besides "A"s. */
    struct {
        const char *s;
        int n_fffd, n_a;
    } cases[] = {
        {"\x80", 1, 0},             /* stray continuation */
        {"\xc0\xaf", 2, 0},         /* overlong '/': C0 never leads */
        {"\xe0\x80\xaf", 3, 0},     /* overlong 3-byte */
        {"\xed\xa0\x80", 3, 0},     /* surrogate U+D800 */
        {"\xf4\x90\x80\x80", 4, 0}, /* above U+10FFFF */
        {"\xe2\x82" "A", 1, 1},     /* truncated €, then A */
        {"A\xe2\x82", 1, 1},        /* truncated at the NUL */
        {"A\xf0\x9f\x98", 1, 1},    /* truncated 4-byte at the NUL */
        {"\xc3", 1, 0},             /* lone lead at the NUL */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int want = cases[i].n_fffd * r + cases[i].n_a * a;
        int got = exact_width(cases[i].s);
        cr_assert_leq(abs(got - want), 2, "case %zu: %d, want %d", i, got,
                      want);
    }
    /* Valid sequences of every length decode to one glyph each. */
    cr_assert_neq(exact_width("\xe2\x82\xac"), 3 * r); /* € */
    cr_assert_neq(exact_width("\xc3\xa9"), 2 * r);
}
