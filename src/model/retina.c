/* The visual pathway: training images on the retina and the LGN's ON and
 * OFF responses with contrast-gain control (GCAL; docs/model.md). Both
 * backends take each iteration's input from here, so it runs on the host:
 * the retina and LGN are small next to the cortex (2 x 38^2 cells at
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

#define MAX_BARS 64

void remap_retina_draw(const remap_model *m, uint64_t t, float *images)
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
    float brightness[2] = {1.0f, 1.0f};
    if (g->eyes == 2) {
        philox4x32_ctr_t r = draw(m, t, (uint32_t)bars);
        for (int e = 0; e < 2; e++)
            brightness[e] = 1.0f - sp->eye_difference * unit_float(r.v[e]);
    }
    /* exp(-(along^2 / (2 (aspect sigma)^2) + across^2 / (2 sigma^2))) */
    float inv_across = 1.0f / (2.0f * sp->sigma * sp->sigma);
    float long_sigma = sp->aspect * sp->sigma;
    float inv_along = 1.0f / (2.0f * long_sigma * long_sigma);
    int pixels = g->retina_n * g->retina_n;
    for (int p = 0; p < pixels; p++) {
        float x, y;
        remap_retina_position(g, p, &x, &y);
        float v = 0.0f;
        for (int b = 0; b < bars; b++) {
            float dx = x - bx[b], dy = y - by[b];
            float along = dx * bc[b] + dy * bs[b];
            float across = -dx * bs[b] + dy * bc[b];
            float e = sp->peak * expf(-(along * along * inv_along +
                                        across * across * inv_across));
            v = e > v ? e : v;
        }
        for (int e = 0; e < g->eyes; e++)
            images[(size_t)e * (size_t)pixels + (size_t)p] =
                v * brightness[e] * m->retina_gain[(size_t)e * (size_t)pixels +
                                                   (size_t)p];
    }
}

/* out[j][i] = sum_d taps[d] in[j][i + d] for the n_out columns of rows of
 * in (width w_in = n_out + 2 r); rows of `rows`. */
static void blur_rows(const float *in, int w_in, int rows, const float *taps,
                      int r, float *out)
{
    int n_out = w_in - 2 * r;
    for (int j = 0; j < rows; j++) {
        const float *row = in + (size_t)j * (size_t)w_in;
        for (int i = 0; i < n_out; i++) {
            float s = 0.0f;
            for (int d = 0; d <= 2 * r; d++)
                s += taps[d] * row[i + d];
            out[(size_t)j * (size_t)n_out + (size_t)i] = s;
        }
    }
}

/* out[j][i] = sum_d taps[d] in[j + d][i] for the n_out rows. */
static void blur_cols(const float *in, int w, int h_in, const float *taps,
                      int r, float *out)
{
    int n_out = h_in - 2 * r;
    for (int j = 0; j < n_out; j++)
        for (int i = 0; i < w; i++) {
            float s = 0.0f;
            for (int d = 0; d <= 2 * r; d++)
                s += taps[d] * in[(size_t)(j + d) * (size_t)w + (size_t)i];
            out[(size_t)j * (size_t)w + (size_t)i] = s;
        }
}

/* The gain pool around each LGN cell: the Gaussian over the cells of the
 * plane (cells beyond it count as silent). */
static void pool(const float *act, int n, const float *taps, int r,
                 float *tmp, float *out)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            float s = 0.0f;
            for (int d = -r; d <= r; d++)
                if (i + d >= 0 && i + d < n)
                    s += taps[d + r] * act[(size_t)j * (size_t)n + (size_t)(i + d)];
            tmp[(size_t)j * (size_t)n + (size_t)i] = s;
        }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            float s = 0.0f;
            for (int d = -r; d <= r; d++)
                if (j + d >= 0 && j + d < n)
                    s += taps[d + r] * tmp[(size_t)(j + d) * (size_t)n + (size_t)i];
            out[(size_t)j * (size_t)n + (size_t)i] = s;
        }
}

remap_status remap_lgn_respond(const remap_model *m, const float *images,
                               float *input, remap_error *err)
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
            /* The raw ON (OFF) response, rectified, is both the pool's
             * activity and the numerator. */
            for (size_t i = 0; i < plane; i++) {
                float d = centre[i] - surround[i];
                float v = lp->strength * (polarity == 0 ? d : -d);
                out[i] = v > 0.0f ? v : 0.0f;
            }
            pool(out, n, m->lgn_taps[2], r, rows, gpool);
            for (size_t i = 0; i < plane; i++)
                out[i] = out[i] /
                         (lp->gain_constant + lp->gain_strength * gpool[i]) *
                         m->receptor_gain[base + i];
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
    remap_status st = remap_lgn_respond(m, images, input, err);
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
