/* Orientation-map measures on maps whose answers are known: single
 * pinwheels, a pinwheel pair, a hexagonal pinwheel crystal, band-pass
 * Gaussian random fields, tuning curves with a known preference, oriented
 * filters driven by sine gratings, and ocular dominance. */
#include "measure/orientation.h"

#include <criterion/criterion.h>
#include <fftw3.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

/* ---- single pinwheels and pairs ---------------------------------------- */

/* theta = sign * atan2(y - y0, x - x0) / 2 on an n x n grid. */
static float *single_pinwheel(int n, double x0, double y0, double sign)
{
    float *pref = malloc((size_t)n * (size_t)n * sizeof *pref);
    cr_assert_not_null(pref);
    for (int row = 0; row < n; row++)
        for (int col = 0; col < n; col++)
            pref[row * n + col] =
                (float)(sign * 0.5 * atan2((double)row - y0, (double)col - x0));
    return pref;
}

Test(orientation, single_positive_pinwheel)
{
    const int n = 32;
    const double x0 = 13.3, y0 = 17.6;
    float *pref = single_pinwheel(n, x0, y0, 1.0);
    remap_ormap_options opt = {0};
    remap_pinwheel pw[4];
    int count = -1, crossings = -1;
    remap_error err;
    cr_assert_eq(remap_pinwheels_find(pref, NULL, n, &opt, pw, 4, &count,
                                      &crossings, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(count, 1);
    cr_assert_eq(crossings, 1);
    cr_assert_eq(pw[0].charge, 1);
    cr_assert_lt(fabs((double)pw[0].x - x0), 0.5, "x %g", (double)pw[0].x);
    cr_assert_lt(fabs((double)pw[0].y - y0), 0.5, "y %g", (double)pw[0].y);
    free(pref);
}

Test(orientation, single_negative_pinwheel)
{
    const int n = 24;
    const double x0 = 6.8, y0 = 9.25;
    float *pref = single_pinwheel(n, x0, y0, -1.0);
    remap_ormap_options opt = {0};
    remap_pinwheel pw[4];
    int count = -1;
    remap_error err;
    cr_assert_eq(remap_pinwheels_find(pref, NULL, n, &opt, pw, 4, &count,
                                      NULL, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(count, 1);
    cr_assert_eq(pw[0].charge, -1);
    cr_assert_lt(fabs((double)pw[0].x - x0), 0.5, "x %g", (double)pw[0].x);
    cr_assert_lt(fabs((double)pw[0].y - y0), 0.5, "y %g", (double)pw[0].y);
    free(pref);
}

/* Selectivity that grows with distance from the pinwheel does not move
 * its cell or its charge. */
Test(orientation, weighted_pinwheel_keeps_its_cell)
{
    const int n = 16;
    const double x0 = 7.4, y0 = 8.7;
    float *pref = single_pinwheel(n, x0, y0, 1.0);
    float sel[16 * 16];
    for (int row = 0; row < n; row++)
        for (int col = 0; col < n; col++)
            sel[row * n + col] = (float)(0.05 + 0.1 * hypot(col - x0, row - y0));
    remap_ormap_options opt = {0};
    remap_pinwheel pw[2];
    int count = -1;
    remap_error err;
    cr_assert_eq(remap_pinwheels_find(pref, sel, n, &opt, pw, 2, &count, NULL,
                                      &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(count, 1);
    cr_assert_eq(pw[0].charge, 1);
    cr_assert_eq((int)pw[0].x, 7);
    cr_assert_eq((int)pw[0].y, 8);
    free(pref);
}

/* z = (w - w1) conj(w - w2), w = x + i y: a +1 pinwheel at w1 and a -1
 * pinwheel at w2. */
Test(orientation, pinwheel_pair_has_opposite_charges)
{
    const int n = 40;
    const double x1 = 12.35, y1 = 20.6, x2 = 27.7, y2 = 18.15;
    float pref[40 * 40];
    for (int row = 0; row < n; row++)
        for (int col = 0; col < n; col++) {
            double ar = col - x1, ai = row - y1;
            double br = col - x2, bi = -(row - y2);
            double zr = ar * br - ai * bi, zi = ar * bi + ai * br;
            pref[row * n + col] = (float)(0.5 * atan2(zi, zr));
        }
    remap_ormap_options opt = {0};
    remap_pinwheel pw[4];
    int count = -1, crossings = -1;
    remap_error err;
    cr_assert_eq(remap_pinwheels_find(pref, NULL, n, &opt, pw, 4, &count,
                                      &crossings, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(count, 2);
    cr_assert_eq(crossings, 2);
    int plus = pw[0].charge > 0 ? 0 : 1;
    cr_assert_eq(pw[plus].charge, 1);
    cr_assert_eq(pw[1 - plus].charge, -1);
    cr_assert_lt(hypot((double)pw[plus].x - x1, (double)pw[plus].y - y1), 0.5);
    cr_assert_lt(hypot((double)pw[1 - plus].x - x2,
                       (double)pw[1 - plus].y - y2), 0.5);
}

/* A capacity below the count still reports the whole count. */
Test(orientation, count_exceeds_capacity)
{
    const int n = 40;
    float pref[40 * 40];
    for (int row = 0; row < n; row++)
        for (int col = 0; col < n; col++) {
            double ar = col - 10.3, ai = row - 10.6;
            double br = col - 29.2, bi = -(row - 30.45);
            pref[row * n + col] =
                (float)(0.5 * atan2(ar * bi + ai * br, ar * br - ai * bi));
        }
    remap_ormap_options opt = {0};
    remap_pinwheel pw[1] = {{-1.0f, -1.0f, 0}};
    int count = -1;
    remap_error err;
    cr_assert_eq(remap_pinwheels_find(pref, NULL, n, &opt, pw, 1, &count,
                                      NULL, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(count, 2);
    cr_assert_neq(pw[0].charge, 0);
    cr_assert_eq(remap_pinwheels_find(pref, NULL, n, &opt, NULL, 0, &count,
                                      NULL, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(count, 2);
}

/* ---- the hexagonal pinwheel crystal ------------------------------------ */

/* z = sum_j e^{i k_j . (x - c)} with |k_j| = 2 pi / L at angles rot,
 * rot + 120 deg, rot + 240 deg. Its zeros are where k_1 . (x - c) = a and
 * k_2 . (x - c) = b with (a, b) one of six pairs (the three terms are unit
 * vectors 120 degrees apart), so the real-space cell of area
 * 2 L^2 / sqrt(3) holds six pinwheels: density 3 sqrt(3) per L^2. */
typedef struct hex_map {
    double k[3][2];
    double cx, cy;
} hex_map;

static hex_map hex_make(double L, double rot, double cx, double cy)
{
    hex_map h = {.cx = cx, .cy = cy};
    for (int j = 0; j < 3; j++) {
        double a = rot + 2.0 * PI * j / 3.0;
        h.k[j][0] = 2.0 * PI / L * cos(a);
        h.k[j][1] = 2.0 * PI / L * sin(a);
    }
    return h;
}

/* z and its derivatives at (x, y). */
static void hex_eval(const hex_map *h, double x, double y, double z[2],
                     double dx[2], double dy[2])
{
    z[0] = z[1] = dx[0] = dx[1] = dy[0] = dy[1] = 0.0;
    for (int j = 0; j < 3; j++) {
        double ph = h->k[j][0] * (x - h->cx) + h->k[j][1] * (y - h->cy);
        double c = cos(ph), s = sin(ph);
        z[0] += c;
        z[1] += s;
        /* d/dx e^{i ph} = i k_x e^{i ph} */
        dx[0] += -h->k[j][0] * s;
        dx[1] += h->k[j][0] * c;
        dy[0] += -h->k[j][1] * s;
        dy[1] += h->k[j][1] * c;
    }
}

/* The analytic zeros inside [lo, hi]^2 with their charges (the sign of
 * the Jacobian of (Re z, Im z)); returns how many. Also reports the
 * smallest distance from any zero to the edges of the box. */
static int hex_zeros(const hex_map *h, double lo, double hi, double *zx,
                     double *zy, int *charge, int cap, double *edge)
{
    static const double pairs[6][2] = {
        {0, 2}, {0, 4}, {2, 4}, {2, 0}, {4, 0}, {4, 2}}; /* thirds of 2 pi */
    double det = h->k[0][0] * h->k[1][1] - h->k[0][1] * h->k[1][0];
    int found = 0;
    *edge = INFINITY;
    for (int m1 = -40; m1 <= 40; m1++)
        for (int m2 = -40; m2 <= 40; m2++)
            for (int p = 0; p < 6; p++) {
                double a = pairs[p][0] * PI / 3.0 + 2.0 * PI * m1;
                double b = pairs[p][1] * PI / 3.0 + 2.0 * PI * m2;
                /* Solve [k1; k2] (x - c) = (a, b). */
                double x = h->cx + (a * h->k[1][1] - b * h->k[0][1]) / det;
                double y = h->cy + (h->k[0][0] * b - h->k[1][0] * a) / det;
                double d = fmin(fmin(x - lo, hi - x), fmin(y - lo, hi - y));
                if (fabs(d) < *edge)
                    *edge = fabs(d);
                if (d < 0.0)
                    continue;
                double z[2], dx[2], dy[2];
                hex_eval(h, x, y, z, dx, dy);
                cr_assert_lt(hypot(z[0], z[1]), 1e-9, "not a zero");
                cr_assert_lt(found, cap);
                zx[found] = x;
                zy[found] = y;
                charge[found] = dx[0] * dy[1] - dx[1] * dy[0] > 0.0 ? 1 : -1;
                found++;
            }
    return found;
}

/* Matches each of `count` measured pinwheels to a distinct analytic zero
 * of the same charge within tol grid units; returns the largest distance. */
static double match_zeros(const remap_pinwheel *pw, int count,
                          const double *zx, const double *zy, const int *zc,
                          int zeros, double tol)
{
    char *used = calloc((size_t)zeros, 1);
    cr_assert_not_null(used);
    double worst = 0.0;
    for (int i = 0; i < count; i++) {
        int best = -1;
        double bd = INFINITY;
        for (int j = 0; j < zeros; j++) {
            double d = hypot((double)pw[i].x - zx[j], (double)pw[i].y - zy[j]);
            if (d < bd) {
                bd = d;
                best = j;
            }
        }
        cr_assert_lt(bd, tol, "pinwheel %d at (%g, %g) is %g from a zero", i,
                     (double)pw[i].x, (double)pw[i].y, bd);
        cr_assert_eq(used[best], 0, "two pinwheels on one zero");
        used[best] = 1;
        cr_assert_eq(pw[i].charge, zc[best]);
        worst = fmax(worst, bd);
    }
    free(used);
    return worst;
}

Test(orientation, hexagonal_crystal_count_positions_and_period)
{
    const int n = 128;
    const double L = 16.0;
    hex_map h = hex_make(L, 0.3, 2.2, 0.7);
    float *pref = malloc((size_t)n * (size_t)n * sizeof *pref);
    float *mag = malloc((size_t)n * (size_t)n * sizeof *mag);
    cr_assert(pref && mag);
    for (int row = 0; row < n; row++)
        for (int col = 0; col < n; col++) {
            double z[2], dx[2], dy[2];
            hex_eval(&h, col, row, z, dx, dy);
            pref[row * n + col] = (float)(0.5 * atan2(z[1], z[0]));
            mag[row * n + col] = (float)hypot(z[0], z[1]);
        }

    enum { CAP = 1000 };
    static double zx[CAP], zy[CAP];
    static int zc[CAP];
    double edge;
    int expect = hex_zeros(&h, 0.0, n - 1, zx, zy, zc, CAP, &edge);
    int plus = 0;
    for (int i = 0; i < expect; i++)
        plus += zc[i] > 0;
    /* The cell that holds a pinwheel depends on the corner angles alone;
     * the bilinear zero of the true field lies in that cell and within
     * 0.1 of the analytic zero (asserted below), so a zero farther than
     * that from the box edge is on the side of the edge it appears on. */
    cr_assert_gt(edge, 0.1, "a zero lies %g from the box edge", edge);

    static remap_pinwheel pw[CAP];
    remap_ormap_options opt = {.periodic = 0, .window = 1};
    remap_ormap_stats st;
    remap_error err;
    cr_assert_eq(remap_ormap_measure(pref, NULL, n, 1.0f, &opt, &st, pw, CAP,
                                     &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(st.pinwheels, expect, "measured %d, analytic %d",
                 st.pinwheels, expect);
    cr_assert_eq(st.crossings, expect);
    cr_assert_eq(st.positive, plus);
    cr_assert_eq(st.negative, expect - plus);
    /* Unit magnitude bends Re z and Im z near a pinwheel (they behave like
     * x / r there), so the bilinear zero is only good to half a unit. */
    double worst_unit = match_zeros(pw, st.pinwheels, zx, zy, zc, expect, 0.5);

    /* The three waves sit between frequency bins, so the window's leakage
     * bounds the accuracy: 3% here. */
    cr_assert_lt(fabs((double)st.lambda - L) / L, 0.03, "lambda %g",
                 (double)st.lambda);
    cr_assert_float_eq(st.lambda_sheet, st.lambda, 1e-6f);
    /* The box count is analytic; the density differs from 3 sqrt(3) by
     * the error of lambda squared (up to 6%) and the box edge (1%). */
    double hex_rho = 3.0 * sqrt(3.0);
    cr_assert_lt(fabs((double)st.density - hex_rho) / hex_rho, 0.07,
                 "density %g", (double)st.density);

    /* With the field's own magnitude, Re z and Im z are smooth and the
     * bilinear zero is close; the count and charges do not change. */
    remap_ormap_stats sw;
    cr_assert_eq(remap_ormap_measure(pref, mag, n, 1.0f, &opt, &sw, pw, CAP,
                                     &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(sw.pinwheels, expect);
    cr_assert_eq(sw.positive, plus);
    double worst_true = match_zeros(pw, sw.pinwheels, zx, zy, zc, expect, 0.1);
    cr_log_info("hex crystal: %d pinwheels (analytic %d), farthest %.3f "
                "(unit magnitude) and %.3f (true magnitude) from its zero, "
                "lambda %.3f (true 16), density %.3f (3 sqrt 3 = %.3f)",
                st.pinwheels, expect, worst_unit, worst_true,
                (double)st.lambda, (double)st.density, hex_rho);
    free(mag);
    free(pref);
}

/* The Hann window blurs the spectrum by about two bins, which pulls the
 * ring's peak inward (to longer lambda) by an amount that shrinks as the
 * ring grows: about 4% at 4 hypercolumns per side, under 0.5% at 16. */
Test(orientation, window_bias_shrinks_with_map_size)
{
    hex_map h = hex_make(16.0, 0.3, 2.2, 0.7);
    double prev = INFINITY;
    for (int n = 64; n <= 256; n *= 2) {
        float *pref = malloc((size_t)n * (size_t)n * sizeof *pref);
        cr_assert_not_null(pref);
        for (int row = 0; row < n; row++)
            for (int col = 0; col < n; col++) {
                double z[2], dx[2], dy[2];
                hex_eval(&h, col, row, z, dx, dy);
                pref[row * n + col] = (float)(0.5 * atan2(z[1], z[0]));
            }
        remap_ormap_options opt = {.periodic = 0, .window = 1};
        float k, lambda;
        remap_error err;
        cr_assert_eq(remap_hypercolumn_size(pref, NULL, n, &opt, &k, &lambda,
                                            NULL, &err),
                     REMAP_OK, "%s", err.msg);
        double bias = ((double)lambda - 16.0) / 16.0;
        cr_log_info("hex crystal, n %d, windowed: lambda %.3f (%+.1f%%)", n,
                    (double)lambda, 100.0 * bias);
        cr_assert_lt(fabs(bias), prev, "n %d: bias %g", n, bias);
        prev = fabs(bias);
        free(pref);
    }
    cr_assert_lt(prev, 0.005, "n 256: bias %g", prev);
}

/* ---- Gaussian random fields -------------------------------------------- */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double gauss(uint64_t *s)
{
    double u1 = ((double)(splitmix(s) >> 11) + 0.5) / 9007199254740992.0;
    double u2 = ((double)(splitmix(s) >> 11) + 0.5) / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * PI * u2);
}

/* A periodic n x n complex Gaussian random field: white noise filtered by
 * exp(-(|k| - k0)^2 / (2 sigma^2)) (|k| in cycles per side). Writes the
 * preference arg(z) / 2 and returns the rms wavenumber of the field's
 * power spectrum, sqrt(sum |F|^2 |k|^2 / sum |F|^2). */
static double random_field(int n, double k0, double sigma, uint64_t seed,
                           float *pref)
{
    fftw_complex *buf = fftw_malloc((size_t)n * (size_t)n * sizeof *buf);
    cr_assert_not_null(buf);
    fftw_plan plan =
        fftw_plan_dft_2d(n, n, buf, buf, FFTW_BACKWARD, FFTW_ESTIMATE);
    cr_assert_not_null(plan);
    uint64_t s = seed;
    double wk2 = 0.0, w = 0.0;
    for (int row = 0; row < n; row++) {
        int fy = row <= n / 2 ? row : row - n;
        for (int col = 0; col < n; col++) {
            int fx = col <= n / 2 ? col : col - n;
            double k = hypot(fx, fy);
            double f = exp(-(k - k0) * (k - k0) / (2.0 * sigma * sigma));
            size_t i = (size_t)row * (size_t)n + (size_t)col;
            buf[i][0] = f * gauss(&s);
            buf[i][1] = f * gauss(&s);
            wk2 += f * f * k * k;
            w += f * f;
        }
    }
    fftw_execute(plan);
    for (size_t i = 0; i < (size_t)n * (size_t)n; i++)
        pref[i] = (float)(0.5 * atan2(buf[i][1], buf[i][0]));
    fftw_destroy_plan(plan);
    fftw_free(buf);
    return sqrt(wk2 / w);
}

/* Band-pass random fields have pi pinwheels per Lambda^2 in expectation
 * when Lambda = 2 pi / k_rms (Wolf & Geisel 1998; the zero density of an
 * isotropic complex Gaussian field is k_rms^2 / 4 pi). Six 256 x 256
 * periodic fields of Lambda = 16 hold about 800 pinwheels each; pinwheel
 * counts of such fields vary by a few percent per map, so the mean over
 * six is held to 4% of pi with the exact Lambda, and to 8% with the
 * measured Lambda, whose error enters squared. Each map's Lambda is held
 * to 5%. */
Test(orientation, random_fields_have_density_pi)
{
    const int n = 256, seeds = 6;
    const double k0 = 16.0, sigma = 1.6;
    float *pref = malloc((size_t)n * (size_t)n * sizeof *pref);
    cr_assert_not_null(pref);
    double rho_exact = 0.0, rho_measured = 0.0;
    for (int i = 0; i < seeds; i++) {
        double krms = random_field(n, k0, sigma, 1234u + 77u * (uint64_t)i, pref);
        remap_ormap_options opt = {.periodic = 1, .window = 0};
        remap_ormap_stats st;
        remap_error err;
        cr_assert_eq(remap_ormap_measure(pref, NULL, n, 128.0f, &opt, &st,
                                         NULL, 0, &err),
                     REMAP_OK, "%s", err.msg);
        cr_assert_float_eq(st.area, (float)(n * n), 1e-3f);
        cr_assert_eq(st.positive + st.negative, st.pinwheels);
        /* A periodic map's charges cancel. */
        cr_assert_eq(st.positive, st.negative);
        cr_assert_lt(fabs((double)st.lambda - n / k0) / (n / k0), 0.05,
                     "seed %d: lambda %g, expected %g", i, (double)st.lambda,
                     n / k0);
        cr_assert_float_eq(st.lambda_sheet, st.lambda / 128.0f, 1e-6f);
        double lrms = n / krms;
        double exact = st.pinwheels * lrms * lrms / (double)(n * n);
        rho_exact += exact / seeds;
        rho_measured += (double)st.density / seeds;
        cr_log_info("field %d: %d pinwheels (%d crossings), lambda %.3f "
                    "(peak %.3f, rms %.3f), density %.3f, with rms lambda "
                    "%.3f",
                    i, st.pinwheels, st.crossings, (double)st.lambda, n / k0,
                    lrms, (double)st.density, exact);
    }
    cr_assert_lt(fabs(rho_exact - PI) / PI, 0.04, "density %g", rho_exact);
    cr_assert_lt(fabs(rho_measured - PI) / PI, 0.08, "density %g",
                 rho_measured);
    cr_log_info("mean density: %.3f with rms lambda, %.3f with measured",
                rho_exact, rho_measured);
    free(pref);
}

/* The window lets a random field be measured as if it were a model sheet
 * (not periodic): lambda stays within 5%. */
Test(orientation, windowed_random_field_lambda)
{
    const int n = 128;
    float *pref = malloc((size_t)n * (size_t)n * sizeof *pref);
    cr_assert_not_null(pref);
    random_field(n, 8.0, 0.8, 99u, pref);
    remap_ormap_options opt = {.periodic = 0, .window = 1};
    float k, lambda;
    double spectrum[65];
    remap_error err;
    cr_assert_eq(remap_hypercolumn_size(pref, NULL, n, &opt, &k, &lambda,
                                        spectrum, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_lt(fabs((double)lambda - 16.0) / 16.0, 0.05, "lambda %g", (double)lambda);
    cr_assert_float_eq(lambda * k, (float)n, 1e-3f);
    /* The spectrum's peak ring is the one nearest k. */
    int peak = 1;
    for (int r = 2; r <= n / 2; r++)
        if (spectrum[r] > spectrum[peak])
            peak = r;
    cr_assert_lt(fabs(k - (float)peak), 0.5f);
    cr_log_info("windowed field: lambda %.3f (peak 16)", (double)lambda);
    free(pref);
}

/* ---- vector averaging -------------------------------------------------- */

/* Responses of `units` units at K orientations and P phases: tuning(u, theta)
 * at phase 0, smaller at the other phases, so the peak over phases is the
 * tuning curve. */
typedef double (*tuning_fn)(int u, double theta);

static float *tuning_responses(int units, int K, int P, tuning_fn f)
{
    float *r = malloc((size_t)units * (size_t)K * (size_t)P * sizeof *r);
    cr_assert_not_null(r);
    for (int u = 0; u < units; u++)
        for (int k = 0; k < K; k++)
            for (int p = 0; p < P; p++) {
                double phase = 2.0 * PI * p / P;
                r[((size_t)u * (size_t)K + (size_t)k) * (size_t)P + (size_t)p] =
                    (float)(f(u, PI * k / K) * 0.5 * (1.0 + cos(phase)));
            }
    return r;
}

static const double cos2_pref[] = {0.0, 0.4, 1.3, 2.2, 3.1};

static double cos2_tuning(int u, double theta)
{
    double c = cos(theta - cos2_pref[u]);
    return 2.0 * c * c;
}

/* cos^2 (theta - theta0) = (1 + cos 2 (theta - theta0)) / 2: for K >= 3
 * evenly spaced orientations the vector average is exactly theta0 with
 * selectivity 1/2. */
Test(orientation, cos2_tuning_is_recovered)
{
    const int units = 5, K = 8, P = 4;
    float *r = tuning_responses(units, K, P, cos2_tuning);
    float pref[5], sel[5];
    remap_error err;
    cr_assert_eq(remap_orientation_from_responses(r, units, K, P, pref, sel,
                                                  &err),
                 REMAP_OK, "%s", err.msg);
    for (int u = 0; u < units; u++) {
        cr_assert_float_eq(pref[u], (float)cos2_pref[u], 1e-5f, "unit %d: %g",
                           u, (double)pref[u]);
        cr_assert_float_eq(sel[u], 0.5f, 1e-5f, "unit %d: %g", u,
                           (double)sel[u]);
        cr_assert(pref[u] >= 0.0f && pref[u] < (float)PI);
    }
    free(r);
}

static const double vm_pref[] = {0.25, 1.9, 2.95};
static const double vm_kappa = 2.0;

static double von_mises(int u, double theta)
{
    return exp(vm_kappa * cos(2.0 * (theta - vm_pref[u])));
}

/* Modified Bessel function I_nu(x) by its series. */
static double bessel_i(int nu, double x)
{
    double term = 1.0, sum = 0.0;
    for (int j = 1; j <= nu; j++)
        term *= x / 2.0 / j;
    for (int m = 0; m < 60; m++) {
        sum += term;
        term *= (x / 2.0) * (x / 2.0) / ((m + 1.0) * (m + 1.0 + nu));
    }
    return sum;
}

/* A von Mises curve exp(kappa cos 2 (theta - theta0)) averages to theta0
 * with selectivity I1(kappa) / I0(kappa); with 16 orientations the
 * sampling error is of order I15(kappa), far below float precision. */
Test(orientation, von_mises_tuning_is_recovered)
{
    const int units = 3, K = 16, P = 2;
    float *r = tuning_responses(units, K, P, von_mises);
    float pref[3], sel[3];
    remap_error err;
    cr_assert_eq(remap_orientation_from_responses(r, units, K, P, pref, sel,
                                                  &err),
                 REMAP_OK, "%s", err.msg);
    double expect = bessel_i(1, vm_kappa) / bessel_i(0, vm_kappa);
    cr_assert_float_eq(expect, 0.697775, 1e-5); /* tabulated I1(2)/I0(2) */
    for (int u = 0; u < units; u++) {
        cr_assert_float_eq(pref[u], (float)vm_pref[u], 1e-5f, "unit %d", u);
        cr_assert_float_eq(sel[u], (float)expect, 1e-5f, "unit %d: %g", u,
                           (double)sel[u]);
    }
    free(r);
}

static double flat_or_zero(int u, double theta)
{
    (void)theta;
    return u == 0 ? 0.7 : 0.0;
}

/* A flat curve has no preference (selectivity 0); all-zero responses give
 * preference and selectivity 0 rather than 0 / 0. */
Test(orientation, flat_and_silent_units_are_unselective)
{
    const int K = 12, P = 3;
    float *r = tuning_responses(2, K, P, flat_or_zero);
    float pref[2] = {-1.0f, -1.0f}, sel[2] = {-1.0f, -1.0f};
    remap_error err;
    cr_assert_eq(remap_orientation_from_responses(r, 2, K, P, pref, sel, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_lt(sel[0], 1e-6f, "flat selectivity %g", (double)sel[0]);
    cr_assert(pref[0] >= 0.0f && pref[0] < (float)PI);
    cr_assert_eq(sel[1], 0.0f);
    cr_assert_eq(pref[1], 0.0f);
    free(r);
}

/* ---- gratings ---------------------------------------------------------- */

Test(orientation, grating_values)
{
    remap_grating g = {.orientation = 0.0f, .phase = 0.3f, .frequency = 2.0f,
                       .amplitude = 0.5f, .offset = 0.5f};
    /* Orientation 0: horizontal bars, the value varies with y only. */
    for (int i = 0; i < 10; i++) {
        float y = 0.07f * (float)i;
        float expect = 0.5f + 0.5f * sinf(2.0f * (float)PI * 2.0f * y + 0.3f);
        cr_assert_float_eq(remap_grating_value(&g, 0.0f, y), expect, 1e-5f);
        cr_assert_float_eq(remap_grating_value(&g, 0.83f, y), expect, 1e-5f);
    }
    /* Any orientation: constant along the bars, periodic across them. */
    g.orientation = 0.7f;
    float c = cosf(0.7f), s = sinf(0.7f);
    for (int i = 0; i < 10; i++) {
        float x = 0.1f * (float)i, y = 0.05f * (float)i + 0.2f;
        float v = remap_grating_value(&g, x, y);
        cr_assert_float_eq(remap_grating_value(&g, x + 0.37f * c, y + 0.37f * s),
                           v, 1e-5f);
        cr_assert_float_eq(remap_grating_value(&g, x - 0.5f * s, y + 0.5f * c),
                           v, 1e-5f); /* one period: 1 / f = 0.5 across */
        cr_assert(v >= -1e-6f && v <= 1.0f + 1e-6f);
    }
    /* The sheet fill samples unit centres. */
    float img[6 * 4];
    remap_error err;
    cr_assert_eq(remap_grating_fill(&g, 6, 4, 6.0f, img, &err), REMAP_OK);
    for (int row = 0; row < 4; row++)
        for (int col = 0; col < 6; col++)
            cr_assert_float_eq(img[row * 6 + col],
                               remap_grating_value(&g, ((float)col + 0.5f) / 6.0f,
                                                   ((float)row + 0.5f) / 6.0f),
                               1e-6f);
}

/* Oriented linear filters (Gabor fields whose stripes run at theta_u)
 * driven by gratings through a rectifier: vector averaging over 16
 * orientations and 8 phases finds theta_u to within 0.03 rad. */
Test(orientation, gratings_reveal_filter_orientation)
{
    enum { SIDE = 24, K = 16, P = 8, UNITS = 6 };
    const float density = (float)SIDE, freq = 4.0f;
    static float stim[K][P][SIDE * SIDE];
    remap_error err;
    for (int k = 0; k < K; k++)
        for (int p = 0; p < P; p++) {
            remap_grating g = {.orientation = (float)(PI * k / K),
                               .phase = (float)(2.0 * PI * p / P),
                               .frequency = freq, .amplitude = 1.0f,
                               .offset = 0.0f};
            cr_assert_eq(remap_grating_fill(&g, SIDE, SIDE, density,
                                            stim[k][p], &err),
                         REMAP_OK);
        }
    static const double theta[UNITS] = {0.1, 0.6, 1.05, 1.62, 2.3, 2.9};
    static float resp[UNITS * K * P];
    for (int u = 0; u < UNITS; u++) {
        /* A Gabor at the sheet centre: cosine across stripes at theta_u. */
        static float w[SIDE * SIDE];
        for (int row = 0; row < SIDE; row++)
            for (int col = 0; col < SIDE; col++) {
                double x = (col + 0.5) / (double)density - 0.5;
                double y = (row + 0.5) / (double)density - 0.5;
                double across = -x * sin(theta[u]) + y * cos(theta[u]);
                w[row * SIDE + col] =
                    (float)(exp(-(x * x + y * y) / (2.0 * 0.15 * 0.15)) *
                            cos(2.0 * PI * (double)freq * across));
            }
        for (int k = 0; k < K; k++)
            for (int p = 0; p < P; p++) {
                double dot = 0.0;
                for (int i = 0; i < SIDE * SIDE; i++)
                    dot += (double)w[i] * (double)stim[k][p][i];
                resp[(u * K + k) * P + p] = (float)(dot > 0.0 ? dot : 0.0);
            }
    }
    float pref[UNITS], sel[UNITS];
    cr_assert_eq(remap_orientation_from_responses(resp, UNITS, K, P, pref,
                                                  sel, &err),
                 REMAP_OK, "%s", err.msg);
    for (int u = 0; u < UNITS; u++) {
        double d = fabs((double)pref[u] - theta[u]);
        d = fmin(d, PI - d);
        cr_assert_lt(d, 0.03, "unit %d: preference %g, expected %g", u,
                     (double)pref[u], theta[u]);
        cr_assert_gt(sel[u], 0.3f, "unit %d: selectivity %g", u,
                     (double)sel[u]);
    }
}

/* ---- ocular dominance -------------------------------------------------- */

Test(orientation, ocular_dominance_index)
{
    const float left[5] = {1.0f, 0.0f, 3.0f, 0.0f, 2.0f};
    const float right[5] = {0.0f, 2.0f, 1.0f, 0.0f, 2.0f};
    float odi[5], mean, spread;
    remap_error err;
    cr_assert_eq(remap_ocular_dominance(left, right, 5, odi, &mean, &spread,
                                        &err),
                 REMAP_OK, "%s", err.msg);
    const float expect[5] = {-1.0f, 1.0f, -0.5f, 0.0f, 0.0f};
    for (int u = 0; u < 5; u++)
        cr_assert_float_eq(odi[u], expect[u], 1e-6f, "unit %d", u);
    cr_assert_float_eq(mean, -0.1f, 1e-6f);
    /* Population sd of {-1, 1, -0.5, 0, 0}: sqrt(2.25 / 5 - 0.01). */
    cr_assert_float_eq(spread, sqrtf(0.44f), 1e-6f);
}

/* ---- errors ------------------------------------------------------------ */

Test(orientation, response_errors)
{
    float r[2 * 4 * 1] = {0};
    float pref[2], sel[2];
    remap_error err;
    cr_assert_eq(remap_orientation_from_responses(NULL, 2, 4, 1, pref, sel,
                                                  &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "orientation: responses, preference and "
                              "selectivity must not be NULL");
    cr_assert_eq(remap_orientation_from_responses(r, 0, 4, 1, pref, sel, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "orientation: units is 0, need at least 1");
    cr_assert_eq(remap_orientation_from_responses(r, 2, 1, 1, pref, sel, &err),
                 REMAP_EINVAL);
    cr_assert(strstr(err.msg, "orientations is 1, need at least 2"), "%s",
              err.msg);
    cr_assert_eq(remap_orientation_from_responses(r, 2, 4, 0, pref, sel, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "orientation: phases is 0, need at least 1");
    r[6] = -0.5f; /* unit 1, orientation 2 */
    cr_assert_eq(remap_orientation_from_responses(r, 2, 4, 1, pref, sel, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "orientation: unit 1, orientation 2, phase 0: "
                              "response -0.5 is not a finite non-negative "
                              "number");
    r[6] = NAN;
    cr_assert_eq(remap_orientation_from_responses(r, 2, 4, 1, pref, sel, &err),
                 REMAP_EINVAL);
    /* All zero is not an error. */
    r[6] = 0.0f;
    cr_assert_eq(remap_orientation_from_responses(r, 2, 4, 1, pref, sel, &err),
                 REMAP_OK);
    cr_assert_eq(sel[0], 0.0f);
    cr_assert_eq(sel[1], 0.0f);
}

Test(orientation, map_errors)
{
    float pref[16 * 16];
    for (int i = 0; i < 16 * 16; i++)
        pref[i] = 0.3f;
    remap_ormap_options opt = {0};
    int count;
    float k, lambda;
    remap_ormap_stats st;
    remap_error err;
    cr_assert_eq(remap_pinwheels_find(pref, NULL, 4, &opt, NULL, 0, &count,
                                      NULL, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "pinwheels: map side is 4, need at least 8");
    cr_assert_eq(remap_hypercolumn_size(pref, NULL, 7, &opt, &k, &lambda,
                                        NULL, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "hypercolumn: map side is 7, need at least 8");
    cr_assert_eq(remap_pinwheels_find(NULL, NULL, 16, &opt, NULL, 0, &count,
                                      NULL, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "pinwheels: preference map must not be NULL");
    cr_assert_eq(remap_pinwheels_find(pref, NULL, 16, &opt, NULL, 3, &count,
                                      NULL, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "pinwheels: capacity 3 with no output");
    cr_assert_eq(remap_ormap_measure(pref, NULL, 16, 0.0f, &opt, &st, NULL, 0,
                                     &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg,
                     "orientation map: density 0 is not a positive number");

    /* A uniform map has no pinwheels and no hypercolumn. */
    cr_assert_eq(remap_pinwheels_find(pref, NULL, 16, &opt, NULL, 0, &count,
                                      NULL, &err),
                 REMAP_OK);
    cr_assert_eq(count, 0);
    cr_assert_eq(remap_hypercolumn_size(pref, NULL, 16, &opt, &k, &lambda,
                                        NULL, &err),
                 REMAP_ENUMERIC);
    cr_assert_str_eq(err.msg, "hypercolumn: the map is uniform, it has no "
                              "hypercolumn size");

    /* Stripes one unit wide peak on the last ring. */
    for (int i = 0; i < 16 * 16; i++)
        pref[i] = (i % 2) ? 0.0f : (float)(PI / 2.0);
    cr_assert_eq(remap_hypercolumn_size(pref, NULL, 16, &opt, &k, &lambda,
                                        NULL, &err),
                 REMAP_ENUMERIC);
    cr_assert_str_eq(err.msg, "hypercolumn: the power spectrum peaks at ring "
                              "8 of 1..8, so the hypercolumn is too small for "
                              "a 16 x 16 map to measure");

    /* One pinwheel in the middle: power falls from ring 1 on. */
    float *one = single_pinwheel(16, 7.5 + 0.1, 7.5 - 0.2, 1.0);
    cr_assert_eq(remap_hypercolumn_size(one, NULL, 16, &opt, &k, &lambda,
                                        NULL, &err),
                 REMAP_ENUMERIC);
    cr_assert(strstr(err.msg, "peaks at ring 1 of 1..8, so the hypercolumn "
                              "is too large"),
              "%s", err.msg);
    free(one);

    pref[37] = INFINITY;
    cr_assert_eq(remap_pinwheels_find(pref, NULL, 16, &opt, NULL, 0, &count,
                                      NULL, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "pinwheels: preference at (5, 2) is not finite");
    pref[37] = 0.0f;
    float sel[16 * 16];
    for (int i = 0; i < 16 * 16; i++)
        sel[i] = 1.0f;
    sel[20] = 0.0f;
    cr_assert_eq(remap_pinwheels_find(pref, sel, 16, &opt, NULL, 0, &count,
                                      NULL, &err),
                 REMAP_EINVAL);
    cr_assert(strstr(err.msg, "pinwheels: selectivity at (4, 1) is 0"), "%s",
              err.msg);
}

Test(orientation, grating_and_dominance_errors)
{
    remap_grating g = {0};
    float out[4];
    remap_error err;
    cr_assert_eq(remap_grating_fill(&g, 0, 2, 1.0f, out, &err), REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "grating: sheet is 0 x 2, need at least 1 x 1");
    cr_assert_eq(remap_grating_fill(&g, 2, 2, -1.0f, out, &err), REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "grating: density -1 is not a positive number");
    cr_assert_eq(remap_grating_fill(NULL, 2, 2, 1.0f, out, &err),
                 REMAP_EINVAL);

    const float l[2] = {1.0f, -1.0f}, r[2] = {1.0f, 1.0f};
    cr_assert_eq(remap_ocular_dominance(l, r, 2, NULL, NULL, NULL, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "ocular dominance: unit 1: responses left -1, "
                              "right 1 are not finite non-negative numbers");
    cr_assert_eq(remap_ocular_dominance(l, r, 0, NULL, NULL, NULL, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "ocular dominance: units is 0, need at least 1");
    cr_assert_eq(remap_ocular_dominance(NULL, r, 2, NULL, NULL, NULL, &err),
                 REMAP_EINVAL);
}
