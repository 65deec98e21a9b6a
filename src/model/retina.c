/* The visual pathway: training images on the retina and the LGN's ON and
 * OFF responses with contrast-gain control (GCAL; docs/model.md). Both
 * backends take each iteration's input from here, so it runs on the host:
 * the retina and LGN are small next to the cortex (2 x 36^2 cells at
 * GCAL's density against 48^2 units with 338 weights each), and the
 * Gaussians are separable. */
#include "model/model.h"

#include <Random123/philox.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float unit_float(uint32_t u)
{
    return (float)(u >> 8) * 0x1p-24f;
}

static philox4x32_ctr_t draw(const remap_model *m, uint64_t t, uint32_t c3)
{
    philox4x32_key_t key = {{(uint32_t)m->seed, (uint32_t)(m->seed >> 32)}};
    philox4x32_ctr_t ctr = {{(uint32_t)t, (uint32_t)(t >> 32),
                             REMAP_STREAM_VISUAL, c3}};
    return philox4x32(ctr, key);
}

void remap_retina_position(const remap_geometry *g, int p, float *x,
                           float *y)
{
    float inv = 1.0f / (float)g->skin_core;
    int off = g->skin_pad + g->lgn_r;
    *x = ((float)(p % g->retina_n - off) + 0.5f) * inv;
    *y = ((float)(p / g->retina_n - off) + 0.5f) * inv;
}

/* Image pixels per retina pixel. */
static double patch_step(const remap_model *m)
{
    float scale = m->params.stimulus.image_scale;
    return scale > 0.0f ? (double)scale / (double)m->geom.skin_core : 1.0;
}

int remap_retina_patch_side(const remap_model *m)
{
    /* The small tolerance keeps a product that is whole in exact
     * arithmetic (38 * 1.5) from rounding up a pixel. */
    return (int)ceil((double)m->geom.retina_n * patch_step(m) - 1e-9);
}

void remap_retina_patch(const remap_model *m, uint64_t t, int *image, int *x0,
                        int *y0)
{
    const remap_image_set *set = m->images;
    int side = remap_retina_patch_side(m);
    philox4x32_ctr_t r = draw(m, t, 0);
    int k = (int)(unit_float(r.v[0]) * (float)set->count);
    k = k < set->count ? k : set->count - 1;
    const remap_natural_image *im = &set->images[k];
    /* Offsets 0 .. size - side, each equally likely; the products stay
     * below the bound since unit_float < 1. */
    *image = k;
    *x0 = (int)(unit_float(r.v[1]) * (float)(im->width - side + 1));
    *y0 = (int)(unit_float(r.v[2]) * (float)(im->height - side + 1));
}

/* The luminance of im at continuous position (u, v), pixel (a, b) centred
 * at (a + 0.5, b + 0.5): bilinear between the four nearest centres,
 * clamped at the image's edges. */
static float sample(const remap_natural_image *im, double u, double v)
{
    double fx = u - 0.5, fy = v - 0.5;
    double ax = floor(fx), ay = floor(fy);
    float wx = (float)(fx - ax), wy = (float)(fy - ay);
    int a0 = (int)ax, b0 = (int)ay, a1 = a0 + 1, b1 = b0 + 1;
    int wmax = im->width - 1, hmax = im->height - 1;
    a0 = a0 < 0 ? 0 : a0 > wmax ? wmax : a0;
    a1 = a1 < 0 ? 0 : a1 > wmax ? wmax : a1;
    b0 = b0 < 0 ? 0 : b0 > hmax ? hmax : b0;
    b1 = b1 < 0 ? 0 : b1 > hmax ? hmax : b1;
    const float *row0 = im->lum + (size_t)b0 * (size_t)im->width;
    const float *row1 = im->lum + (size_t)b1 * (size_t)im->width;
    float top = row0[a0] + wx * (row0[a1] - row0[a0]);
    float bottom = row1[a0] + wx * (row1[a1] - row1[a0]);
    return top + wy * (bottom - top);
}

/* The retina image of iteration t from a natural image, into v[retina_n^2]
 * (before brightness and gain). */
static void draw_patch(const remap_model *m, uint64_t t, float *v)
{
    int k, x0, y0;
    remap_retina_patch(m, t, &k, &x0, &y0);
    const remap_natural_image *im = &m->images->images[k];
    double step = patch_step(m);
    int n = m->geom.retina_n;
    float peak = m->params.stimulus.peak;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            v[(size_t)j * (size_t)n + (size_t)i] =
                peak * sample(im, (double)x0 + ((double)i + 0.5) * step,
                              (double)y0 + ((double)j + 0.5) * step);
}

#define MAX_BARS 64

/* The Gaussian bars of iteration t into v[retina_n^2]; returns the counter
 * of the eyes' brightness. */
static uint32_t draw_bars(const remap_model *m, uint64_t t, float *v)
{
    const remap_geometry *g = &m->geom;
    const remap_stimulus_params *sp = &m->params.stimulus;
    int bars = sp->count < MAX_BARS ? sp->count : MAX_BARS;
    float bx[MAX_BARS], by[MAX_BARS], bc[MAX_BARS], bs[MAX_BARS];
    float span = 1.0f + 2.0f * sp->spread;
    for (int b = 0; b < bars; b++) {
        philox4x32_ctr_t r = draw(m, t, (uint32_t)b);
        bx[b] = -sp->spread + unit_float(r.v[0]) * span;
        by[b] = -sp->spread + unit_float(r.v[1]) * span;
        float angle = unit_float(r.v[2]) * 3.14159265f;
        bc[b] = cosf(angle);
        bs[b] = sinf(angle);
    }
    /* exp(-(along^2 / (2 (aspect sigma)^2) + across^2 / (2 sigma^2))) */
    float inv_across = 1.0f / (2.0f * sp->sigma * sp->sigma);
    float long_sigma = sp->aspect * sp->sigma;
    float inv_along = 1.0f / (2.0f * long_sigma * long_sigma);
    int pixels = g->retina_n * g->retina_n;
    for (int p = 0; p < pixels; p++) {
        float x, y;
        remap_retina_position(g, p, &x, &y);
        float best = 0.0f;
        for (int b = 0; b < bars; b++) {
            float dx = x - bx[b], dy = y - by[b];
            float along = dx * bc[b] + dy * bs[b];
            float across = -dx * bs[b] + dy * bc[b];
            float e = sp->peak * expf(-(along * along * inv_along +
                                        across * across * inv_across));
            best = e > best ? e : best;
        }
        v[p] = best;
    }
    return (uint32_t)bars;
}

void remap_retina_draw(const remap_model *m, uint64_t t, float *images)
{
    const remap_geometry *g = &m->geom;
    size_t pixels = (size_t)g->retina_n * (size_t)g->retina_n;
    /* The last eye's plane holds the common image until it is scaled:
     * both eyes see the same scene. */
    float *v = images + (size_t)(g->eyes - 1) * pixels;
    uint32_t counter = m->images ? (draw_patch(m, t, v), 1u)
                                 : draw_bars(m, t, v);
    float brightness[2] = {1.0f, 1.0f};
    if (g->eyes == 2) {
        philox4x32_ctr_t r = draw(m, t, counter);
        for (int e = 0; e < 2; e++)
            brightness[e] = 1.0f -
                            m->params.stimulus.eye_difference *
                                unit_float(r.v[e]);
    }
    /* Eye 0 reads the common image before the last eye's plane is
     * overwritten in place. */
    for (int e = 0; e < g->eyes; e++)
        for (size_t p = 0; p < pixels; p++)
            images[(size_t)e * pixels + p] =
                v[p] * brightness[e] * m->retina_gain[(size_t)e * pixels + p];
}

void remap_image_set_destroy(remap_image_set *set)
{
    if (!set)
        return;
    for (int i = 0; i < set->count; i++) {
        free(set->images[i].name);
        free(set->images[i].lum);
    }
    free(set->images);
    free(set);
}

remap_status remap_model_set_images(remap_model *m, remap_image_set *set,
                                    remap_error *err)
{
    if (!m || m->geom.eyes == 0) {
        remap_image_set_destroy(set);
        return remap_fail(err, REMAP_EINVAL, "natural images need a visual "
                          "layout (retina or binocular)");
    }
    if (!set || set->count < 1) {
        remap_image_set_destroy(set);
        return remap_fail(err, REMAP_EINVAL, "no natural images given");
    }
    int side = remap_retina_patch_side(m);
    for (int i = 0; i < set->count; i++) {
        const remap_natural_image *im = &set->images[i];
        if (im->width < side || im->height < side) {
            remap_status st = remap_fail(
                err, REMAP_ESCENARIO,
                "%s: %d x %d pixels is smaller than the retina's patch of %d "
                "x %d pixels (%d retina pixels a side at %g image pixels "
                "each; lower stimulus.image_scale or use larger images)",
                im->name ? im->name : "image", im->width, im->height, side,
                side, m->geom.retina_n, patch_step(m));
            remap_image_set_destroy(set);
            return st;
        }
    }
    remap_image_set_destroy(m->images);
    m->images = set;
    return REMAP_OK;
}

/* The blurs below add each output's terms in increasing d, starting from
 * 0, as a sum per output would; but with d as the outer loop, a row of
 * outputs grows together, sums side by side in vector lanes where one sum
 * alone waits on each addition. */

/* out[j][i] = sum_d taps[d] in[j][i + d] for the n_out columns of rows of
 * in (width w_in = n_out + 2 r); rows of `rows`. */
static void blur_rows(const float *in, int w_in, int rows, const float *taps,
                      int r, float *out)
{
    int n_out = w_in - 2 * r;
    for (int j = 0; j < rows; j++) {
        const float *row = in + (size_t)j * (size_t)w_in;
        float *o = out + (size_t)j * (size_t)n_out;
        for (int i = 0; i < n_out; i++)
            o[i] = 0.0f;
        for (int d = 0; d <= 2 * r; d++)
            for (int i = 0; i < n_out; i++)
                o[i] += taps[d] * row[i + d];
    }
}

/* out[j][i] = sum_d taps[d] in[j + d][i] for the n_out rows. */
static void blur_cols(const float *in, int w, int h_in, const float *taps,
                      int r, float *out)
{
    int n_out = h_in - 2 * r;
    for (int j = 0; j < n_out; j++) {
        float *o = out + (size_t)j * (size_t)w;
        for (int i = 0; i < w; i++)
            o[i] = 0.0f;
        for (int d = 0; d <= 2 * r; d++) {
            const float *row = in + (size_t)(j + d) * (size_t)w;
            for (int i = 0; i < w; i++)
                o[i] += taps[d] * row[i];
        }
    }
}

/* The gain pool around each LGN cell: the Gaussian over the cells of the
 * plane (cells beyond it count as silent, and add no term). */
static void pool(const float *act, int n, const float *taps, int r,
                 float *tmp, float *out)
{
    for (int j = 0; j < n; j++) {
        const float *row = act + (size_t)j * (size_t)n;
        float *o = tmp + (size_t)j * (size_t)n;
        for (int i = 0; i < n; i++)
            o[i] = 0.0f;
        for (int d = -r; d <= r; d++) {
            /* The outputs i with i + d on the plane. */
            int lo = d < 0 ? -d : 0, hi = d > 0 ? n - d : n;
            for (int i = lo; i < hi; i++)
                o[i] += taps[d + r] * row[i + d];
        }
    }
    for (int j = 0; j < n; j++) {
        float *o = out + (size_t)j * (size_t)n;
        for (int i = 0; i < n; i++)
            o[i] = 0.0f;
        for (int d = -r; d <= r; d++) {
            if (j + d < 0 || j + d >= n)
                continue;
            const float *row = tmp + (size_t)(j + d) * (size_t)n;
            for (int i = 0; i < n; i++)
                o[i] += taps[d + r] * row[i];
        }
    }
}

remap_status remap_lgn_respond(const remap_model *m, const float *images,
                               const float *gain, float *input,
                               remap_error *err)
{
    const remap_geometry *g = &m->geom;
    const remap_lgn_params *lp = &m->params.lgn;
    int rn = g->retina_n, n = g->skin_n, r = g->lgn_r;
    size_t plane = (size_t)g->plane, pixels = (size_t)rn * (size_t)rn;
    float *rows = malloc((size_t)rn * (size_t)n * sizeof(float));
    float *centre = malloc(plane * sizeof(float));
    float *surround = malloc(plane * sizeof(float));
    float *gpool = malloc(plane * sizeof(float));
    if (!rows || !centre || !surround || !gpool) {
        free(rows), free(centre), free(surround), free(gpool);
        return remap_fail(err, REMAP_ENOMEM, "LGN: out of memory");
    }
    for (int e = 0; e < g->eyes; e++) {
        const float *img = images + (size_t)e * pixels;
        blur_rows(img, rn, rn, m->lgn_taps[0], r, rows);
        blur_cols(rows, n, rn, m->lgn_taps[0], r, centre);
        blur_rows(img, rn, rn, m->lgn_taps[1], r, rows);
        blur_cols(rows, n, rn, m->lgn_taps[1], r, surround);
        for (int polarity = 0; polarity < 2; polarity++) {
            size_t base = (size_t)(2 * e + polarity) * plane;
            float *out = input + base;
            /* The raw ON (OFF) response, rectified: the numerator. GCAL
             * settles the LGN twice: the first step has no pooled
             * activity yet and gives raw / k, which the second step pools
             * (gain-control projection) to divide the raw response. */
            float inv_k = 1.0f / lp->gain_constant;
            for (size_t i = 0; i < plane; i++) {
                float d = centre[i] - surround[i];
                float v = lp->strength * (polarity == 0 ? d : -d);
                out[i] = v > 0.0f ? v : 0.0f;
            }
            pool(out, n, m->lgn_taps[2], r, rows, gpool);
            for (size_t i = 0; i < plane; i++)
                out[i] = out[i] /
                         (lp->gain_constant +
                          lp->gain_strength * (gpool[i] * inv_k)) *
                         (gain ? gain[base + i] : 1.0f);
        }
    }
    free(rows), free(centre), free(surround), free(gpool);
    return REMAP_OK;
}

remap_status remap_visual_render(const remap_model *m, uint64_t t,
                                 float *input, remap_error *err)
{
    const remap_geometry *g = &m->geom;
    size_t pixels = (size_t)g->retina_n * (size_t)g->retina_n;
    float *images = malloc((size_t)g->eyes * pixels * sizeof(float));
    if (!images)
        return remap_fail(err, REMAP_ENOMEM, "retina: out of memory");
    remap_retina_draw(m, t, images);
    remap_status st =
        remap_lgn_respond(m, images, m->receptor_gain, input, err);
    free(images);
    return st;
}

int remap_model_retinal_lesion(remap_model *m, const remap_shape *s,
                               unsigned eyes)
{
    const remap_geometry *g = &m->geom;
    int pixels = g->retina_n * g->retina_n, killed = 0;
    for (int e = 0; e < g->eyes; e++) {
        if (!(eyes & (1u << e)))
            continue;
        for (int p = 0; p < pixels; p++) {
            float x, y;
            remap_retina_position(g, p, &x, &y);
            float *gain = &m->retina_gain[(size_t)e * (size_t)pixels + (size_t)p];
            if (*gain != 0.0f && remap_shape_contains(s, x, y)) {
                *gain = 0.0f;
                killed++;
            }
        }
    }
    return killed;
}
