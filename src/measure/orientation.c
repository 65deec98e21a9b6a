/* Orientation-map measures: vector-averaged preference, sine gratings,
 * pinwheels by winding number, hypercolumn size from the ring of the power
 * spectrum, pinwheel density and ocular dominance. */
#include "measure/orientation.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>

#define PI 3.14159265358979323846

remap_status remap_orientation_from_responses(const float *resp, int units,
                                              int orientations, int phases,
                                              float *preference,
                                              float *selectivity,
                                              remap_error *err)
{
    if (!resp || !preference || !selectivity)
        return remap_fail(err, REMAP_EINVAL,
                          "orientation: responses, preference and "
                          "selectivity must not be NULL");
    if (units < 1)
        return remap_fail(err, REMAP_EINVAL,
                          "orientation: units is %d, need at least 1", units);
    if (orientations < 2)
        return remap_fail(err, REMAP_EINVAL,
                          "orientation: orientations is %d, need at least 2 "
                          "(one orientation has no preference)",
                          orientations);
    if (phases < 1)
        return remap_fail(err, REMAP_EINVAL,
                          "orientation: phases is %d, need at least 1",
                          phases);

    for (int u = 0; u < units; u++) {
        double vr = 0.0, vi = 0.0, sum = 0.0;
        for (int k = 0; k < orientations; k++) {
            const float *r =
                resp + ((size_t)u * (size_t)orientations + (size_t)k) *
                           (size_t)phases;
            float peak = 0.0f;
            for (int p = 0; p < phases; p++) {
                /* Negative responses would let the vector sum exceed the
                 * plain sum and make selectivity meaningless. */
                if (!isfinite(r[p]) || r[p] < 0.0f)
                    return remap_fail(err, REMAP_EINVAL,
                                      "orientation: unit %d, orientation %d, "
                                      "phase %d: response %g is not a finite "
                                      "non-negative number",
                                      u, k, p, (double)r[p]);
                if (r[p] > peak)
                    peak = r[p];
            }
            double angle = 2.0 * PI * (double)k / (double)orientations;
            vr += (double)peak * cos(angle);
            vi += (double)peak * sin(angle);
            sum += (double)peak;
        }
        if (sum <= 0.0) {
            preference[u] = 0.0f;
            selectivity[u] = 0.0f;
            continue;
        }
        double pref = 0.5 * atan2(vi, vr);
        if (pref < 0.0)
            pref += PI;
        /* Rounding can land exactly on pi; the range is [0, pi). */
        float pf = (float)pref;
        if (pf >= (float)PI)
            pf = 0.0f;
        preference[u] = pf;
        double sel = sqrt(vr * vr + vi * vi) / sum;
        selectivity[u] = (float)(sel > 1.0 ? 1.0 : sel);
    }
    return REMAP_OK;
}

float remap_grating_value(const remap_grating *g, float x, float y)
{
    double o = (double)g->orientation;
    /* Distance across the bars: along the normal (-sin o, cos o). */
    double across = -(double)x * sin(o) + (double)y * cos(o);
    return (float)((double)g->offset +
                   (double)g->amplitude *
                       sin(2.0 * PI * (double)g->frequency * across +
                           (double)g->phase));
}

remap_status remap_grating_fill(const remap_grating *g, int cols, int rows,
                                float density, float *out, remap_error *err)
{
    if (!g || !out)
        return remap_fail(err, REMAP_EINVAL,
                          "grating: grating and output must not be NULL");
    if (cols < 1 || rows < 1)
        return remap_fail(err, REMAP_EINVAL,
                          "grating: sheet is %d x %d, need at least 1 x 1",
                          cols, rows);
    if (!(density > 0.0f) || !isfinite(density))
        return remap_fail(err, REMAP_EINVAL,
                          "grating: density %g is not a positive number",
                          (double)density);
    for (int row = 0; row < rows; row++) {
        float y = ((float)row + 0.5f) / density;
        for (int col = 0; col < cols; col++) {
            float x = ((float)col + 0.5f) / density;
            out[(size_t)row * (size_t)cols + (size_t)col] =
                remap_grating_value(g, x, y);
        }
    }
    return REMAP_OK;
}

/* Checks the map arguments shared by the pinwheel and spectrum measures. */
static remap_status check_map(const char *what, const float *preference,
                              const float *selectivity, int n,
                              remap_error *err)
{
    if (!preference)
        return remap_fail(err, REMAP_EINVAL,
                          "%s: preference map must not be NULL", what);
    if (n < REMAP_ORMAP_MIN_SIDE)
        return remap_fail(err, REMAP_EINVAL,
                          "%s: map side is %d, need at least %d", what, n,
                          REMAP_ORMAP_MIN_SIDE);
    size_t cells = (size_t)n * (size_t)n;
    for (size_t i = 0; i < cells; i++) {
        int col = (int)(i % (size_t)n), row = (int)(i / (size_t)n);
        if (!isfinite(preference[i]))
            return remap_fail(err, REMAP_EINVAL,
                              "%s: preference at (%d, %d) is not finite",
                              what, col, row);
        if (selectivity &&
            (!isfinite(selectivity[i]) || !(selectivity[i] > 0.0f)))
            return remap_fail(err, REMAP_EINVAL,
                              "%s: selectivity at (%d, %d) is %g; the map "
                              "needs a positive selectivity everywhere (pass "
                              "none to weight all units alike)",
                              what, col, row, (double)selectivity[i]);
    }
    return REMAP_OK;
}

/* z = s e^{2 i theta} at flat index i. */
static void map_value(const float *preference, const float *selectivity,
                      size_t i, double *re, double *im)
{
    double a = 2.0 * (double)preference[i];
    double s = selectivity ? (double)selectivity[i] : 1.0;
    *re = s * cos(a);
    *im = s * sin(a);
}

/* Angle difference wrapped into (-pi, pi]. */
static double wrap_angle(double d)
{
    d = fmod(d, 2.0 * PI);
    if (d > PI)
        d -= 2.0 * PI;
    else if (d <= -PI)
        d += 2.0 * PI;
    return d;
}

/* Zeros of the bilinear interpolants of Re z and Im z inside a cell with
 * corners z00 (u = 0, v = 0), z10 (u = 1), z01 (v = 1), z11. Each is
 * a0 + a1 u + a2 v + a3 u v; eliminating v from Re = 0 and Im = 0 leaves
 * a quadratic in u. Writes up to two solutions (u, v) in [-tol, 1 + tol]^2
 * and returns how many. */
static int bilinear_zeros(const double re[4], const double im[4], double tol,
                          double u_out[2], double v_out[2])
{
    /* Corner order: 00, 10, 01, 11. */
    double a0 = re[0], a1 = re[1] - re[0], a2 = re[2] - re[0],
           a3 = re[0] - re[1] - re[2] + re[3];
    double b0 = im[0], b1 = im[1] - im[0], b2 = im[2] - im[0],
           b3 = im[0] - im[1] - im[2] + im[3];
    /* (b0 + b1 u)(a2 + a3 u) - (b2 + b3 u)(a0 + a1 u) = 0 */
    double c2 = b1 * a3 - b3 * a1;
    double c1 = b0 * a3 + b1 * a2 - b2 * a1 - b3 * a0;
    double c0 = b0 * a2 - b2 * a0;
    double roots[2];
    int nr = 0;
    double scale = fabs(c0) + fabs(c1) + fabs(c2);
    if (scale == 0.0)
        return 0;
    if (fabs(c2) <= 1e-12 * scale) {
        if (fabs(c1) > 1e-12 * scale)
            roots[nr++] = -c0 / c1;
    } else {
        double disc = c1 * c1 - 4.0 * c2 * c0;
        if (disc < 0.0) {
            /* A grazing double root rounds to a slightly negative
             * discriminant; keep it. */
            if (disc < -1e-12 * c1 * c1)
                return 0;
            disc = 0.0;
        }
        /* The stable form avoids cancellation in the smaller root. */
        double q = -0.5 * (c1 + copysign(sqrt(disc), c1));
        roots[nr++] = q / c2;
        if (q != 0.0)
            roots[nr++] = c0 / q;
    }
    int found = 0;
    for (int i = 0; i < nr; i++) {
        double u = roots[i];
        if (!(u >= -tol && u <= 1.0 + tol))
            continue;
        double da = a2 + a3 * u, db = b2 + b3 * u;
        double v;
        if (fabs(da) >= fabs(db)) {
            if (da == 0.0)
                continue;
            v = -(a0 + a1 * u) / da;
        } else {
            v = -(b0 + b1 * u) / db;
        }
        if (!(v >= -tol && v <= 1.0 + tol))
            continue;
        u_out[found] = u;
        v_out[found] = v;
        found++;
    }
    return found;
}

remap_status remap_pinwheels_find(const float *preference,
                                  const float *selectivity, int n,
                                  const remap_ormap_options *opt,
                                  remap_pinwheel *out, int capacity,
                                  int *count, int *crossings,
                                  remap_error *err)
{
    remap_status s = check_map("pinwheels", preference, selectivity, n, err);
    if (s != REMAP_OK)
        return s;
    if (!opt || !count)
        return remap_fail(err, REMAP_EINVAL,
                          "pinwheels: options and count must not be NULL");
    if (capacity < 0 || (capacity > 0 && !out))
        return remap_fail(err, REMAP_EINVAL,
                          "pinwheels: capacity %d with %s output", capacity,
                          out ? "an" : "no");

    int cells = opt->periodic ? n : n - 1;
    int found = 0, cross = 0;
    for (int row = 0; row < cells; row++) {
        for (int col = 0; col < cells; col++) {
            int c1 = (col + 1) % n, r1 = (row + 1) % n;
            /* Corners 00, 10, 01, 11 as (col, row). */
            size_t idx[4] = {
                (size_t)row * (size_t)n + (size_t)col,
                (size_t)row * (size_t)n + (size_t)c1,
                (size_t)r1 * (size_t)n + (size_t)col,
                (size_t)r1 * (size_t)n + (size_t)c1,
            };
            double re[4], im[4];
            for (int c = 0; c < 4; c++)
                map_value(preference, selectivity, idx[c], &re[c], &im[c]);

            /* Around the cell anticlockwise in (x = col, y = row): the
             * angle 2 theta changes by less than pi along each edge of a
             * smooth map, so the wrapped steps add up to its winding. */
            static const int loop[5] = {0, 1, 3, 2, 0};
            double turn = 0.0;
            for (int e = 0; e < 4; e++) {
                size_t ia = idx[loop[e]], ib = idx[loop[e + 1]];
                turn += wrap_angle(2.0 * ((double)preference[ib] -
                                          (double)preference[ia]));
            }
            int charge = (int)lround(turn / (2.0 * PI));

            double u[2], v[2];
            int nz = bilinear_zeros(re, im, 1e-9, u, v);
            /* Crossings count once per cell: [0, 1) on both axes. */
            for (int z = 0; z < nz; z++)
                if (u[z] >= 0.0 && u[z] < 1.0 && v[z] >= 0.0 && v[z] < 1.0)
                    cross++;
            if (charge == 0)
                continue;
            double px = 0.5, py = 0.5, best = INFINITY;
            for (int z = 0; z < nz; z++) {
                double d = (u[z] - 0.5) * (u[z] - 0.5) +
                           (v[z] - 0.5) * (v[z] - 0.5);
                if (d < best) {
                    best = d;
                    px = u[z] < 0.0 ? 0.0 : u[z] > 1.0 ? 1.0 : u[z];
                    py = v[z] < 0.0 ? 0.0 : v[z] > 1.0 ? 1.0 : v[z];
                }
            }
            if (found < capacity) {
                out[found].x = (float)((double)col + px);
                out[found].y = (float)((double)row + py);
                out[found].charge = charge > 0 ? 1 : -1;
            }
            found++;
        }
    }
    *count = found;
    if (crossings)
        *crossings = cross;
    return REMAP_OK;
}

/* Hann window value at sample i of n, positive at every sample. */
static double hann(int i, int n)
{
    return 0.5 - 0.5 * cos(2.0 * PI * ((double)i + 0.5) / (double)n);
}

remap_status remap_hypercolumn_size(const float *preference,
                                    const float *selectivity, int n,
                                    const remap_ormap_options *opt,
                                    float *k_peak, float *lambda,
                                    double *spectrum, remap_error *err)
{
    remap_status s =
        check_map("hypercolumn", preference, selectivity, n, err);
    if (s != REMAP_OK)
        return s;
    if (!opt || !k_peak || !lambda)
        return remap_fail(err, REMAP_EINVAL,
                          "hypercolumn: options, k_peak and lambda must not "
                          "be NULL");

    size_t cells = (size_t)n * (size_t)n;
    int rings = n / 2 + 1;
    fftw_complex *buf = fftw_malloc(cells * sizeof *buf);
    double *power = calloc((size_t)rings, sizeof *power);
    int *bins = calloc((size_t)rings, sizeof *bins);
    fftw_plan plan = NULL;
    if (!buf || !power || !bins) {
        s = remap_fail(err, REMAP_ENOMEM,
                       "hypercolumn: no memory for a %d x %d transform", n,
                       n);
        goto done;
    }
    /* FFTW_ESTIMATE plans without timing runs, so the result does not
     * depend on what the planner measured. It may overwrite buf, which
     * is filled afterwards. */
    plan = fftw_plan_dft_2d(n, n, buf, buf, FFTW_FORWARD, FFTW_ESTIMATE);
    if (!plan) {
        s = remap_fail(err, REMAP_ENOMEM,
                       "hypercolumn: FFTW could not plan a %d x %d transform",
                       n, n);
        goto done;
    }

    double mean_re = 0.0, mean_im = 0.0, norm = 0.0;
    for (size_t i = 0; i < cells; i++) {
        map_value(preference, selectivity, i, &buf[i][0], &buf[i][1]);
        mean_re += buf[i][0];
        mean_im += buf[i][1];
        norm += buf[i][0] * buf[i][0] + buf[i][1] * buf[i][1];
    }
    mean_re /= (double)cells;
    mean_im /= (double)cells;
    double var = 0.0;
    for (size_t i = 0; i < cells; i++) {
        buf[i][0] -= mean_re;
        buf[i][1] -= mean_im;
        var += buf[i][0] * buf[i][0] + buf[i][1] * buf[i][1];
    }
    /* A uniform map leaves only rounding noise after the mean is gone. */
    if (!(var > 1e-12 * norm)) {
        s = remap_fail(err, REMAP_ENUMERIC,
                       "hypercolumn: the map is uniform, it has no "
                       "hypercolumn size");
        goto done;
    }
    if (opt->window) {
        for (int row = 0; row < n; row++) {
            double wr = hann(row, n);
            for (int col = 0; col < n; col++) {
                double w = wr * hann(col, n);
                size_t i = (size_t)row * (size_t)n + (size_t)col;
                buf[i][0] *= w;
                buf[i][1] *= w;
            }
        }
    }
    fftw_execute(plan);

    /* Ring r holds the bins with round(|k|) = r, |k| in cycles per map
     * side; corners beyond n/2 have incomplete rings and are left out. */
    for (int row = 0; row < n; row++) {
        int fy = row <= n / 2 ? row : row - n;
        for (int col = 0; col < n; col++) {
            int fx = col <= n / 2 ? col : col - n;
            long r = lround(sqrt((double)(fx * fx + fy * fy)));
            if (r >= rings)
                continue;
            size_t i = (size_t)row * (size_t)n + (size_t)col;
            power[r] += buf[i][0] * buf[i][0] + buf[i][1] * buf[i][1];
            bins[r]++;
        }
    }
    for (int r = 0; r < rings; r++)
        power[r] = bins[r] ? power[r] / (double)bins[r] : 0.0;
    if (spectrum)
        for (int r = 0; r < rings; r++)
            spectrum[r] = power[r];

    int peak = 1;
    for (int r = 2; r < rings; r++)
        if (power[r] > power[peak])
            peak = r;
    if (peak == 1 || peak == rings - 1) {
        s = remap_fail(err, REMAP_ENUMERIC,
                       "hypercolumn: the power spectrum peaks at ring %d of "
                       "1..%d, so the hypercolumn is too %s for a %d x %d "
                       "map to measure",
                       peak, rings - 1, peak == 1 ? "large" : "small", n,
                       n);
        goto done;
    }
    /* A Gaussian through the peak ring and its neighbours: a parabola in
     * log power. Without positive neighbours, a parabola in power. */
    double pm = power[peak - 1], p0 = power[peak], pp = power[peak + 1];
    double shift = 0.0;
    if (pm > 0.0 && pp > 0.0) {
        double lm = log(pm), l0 = log(p0), lp = log(pp);
        double den = lm - 2.0 * l0 + lp;
        if (den < 0.0)
            shift = 0.5 * (lm - lp) / den;
    } else {
        double den = pm - 2.0 * p0 + pp;
        if (den < 0.0)
            shift = 0.5 * (pm - pp) / den;
    }
    double k = (double)peak + shift;
    *k_peak = (float)k;
    *lambda = (float)((double)n / k);

done:
    if (plan)
        fftw_destroy_plan(plan);
    free(bins);
    free(power);
    fftw_free(buf);
    return s;
}

remap_status remap_ormap_measure(const float *preference,
                                 const float *selectivity, int n,
                                 float sheet_density,
                                 const remap_ormap_options *opt,
                                 remap_ormap_stats *stats,
                                 remap_pinwheel *out, int capacity,
                                 remap_error *err)
{
    if (!stats)
        return remap_fail(err, REMAP_EINVAL,
                          "orientation map: stats must not be NULL");
    if (!(sheet_density > 0.0f) || !isfinite(sheet_density))
        return remap_fail(err, REMAP_EINVAL,
                          "orientation map: density %g is not a positive "
                          "number",
                          (double)sheet_density);
    remap_ormap_stats st = {0};
    remap_status s = remap_hypercolumn_size(preference, selectivity, n, opt,
                                            &st.k_peak, &st.lambda, NULL,
                                            err);
    if (s != REMAP_OK)
        return s;
    /* The caller's array may hold fewer pinwheels than there are, so the
     * charges are counted from a private list of them all. */
    int total = 0;
    s = remap_pinwheels_find(preference, selectivity, n, opt, NULL, 0, &total,
                             &st.crossings, err);
    if (s != REMAP_OK)
        return s;
    remap_pinwheel *all = NULL;
    if (total > 0) {
        all = malloc((size_t)total * sizeof *all);
        if (!all)
            return remap_fail(err, REMAP_ENOMEM,
                              "orientation map: no memory for %d pinwheels",
                              total);
        s = remap_pinwheels_find(preference, selectivity, n, opt, all, total,
                                 &st.pinwheels, NULL, err);
        if (s != REMAP_OK) {
            free(all);
            return s;
        }
    }
    for (int i = 0; i < st.pinwheels; i++) {
        if (all[i].charge > 0)
            st.positive++;
        else
            st.negative++;
        if (i < capacity && out)
            out[i] = all[i];
    }
    free(all);
    double side = opt->periodic ? (double)n : (double)(n - 1);
    st.area = (float)(side * side);
    st.lambda_sheet = st.lambda / sheet_density;
    st.density = (float)((double)st.pinwheels * (double)st.lambda *
                         (double)st.lambda / (side * side));
    *stats = st;
    return REMAP_OK;
}

remap_status remap_ocular_dominance(const float *left, const float *right,
                                    int units, float *odi, float *mean,
                                    float *spread, remap_error *err)
{
    if (!left || !right)
        return remap_fail(err, REMAP_EINVAL,
                          "ocular dominance: responses must not be NULL");
    if (units < 1)
        return remap_fail(err, REMAP_EINVAL,
                          "ocular dominance: units is %d, need at least 1",
                          units);
    for (int u = 0; u < units; u++) {
        if (!isfinite(left[u]) || left[u] < 0.0f || !isfinite(right[u]) ||
            right[u] < 0.0f)
            return remap_fail(err, REMAP_EINVAL,
                              "ocular dominance: unit %d: responses left %g, "
                              "right %g are not finite non-negative numbers",
                              u, (double)left[u], (double)right[u]);
    }
    double sum = 0.0, sum2 = 0.0;
    for (int u = 0; u < units; u++) {
        double l = (double)left[u], r = (double)right[u];
        double d = l + r > 0.0 ? (r - l) / (r + l) : 0.0;
        if (odi)
            odi[u] = (float)d;
        sum += d;
        sum2 += d * d;
    }
    double m = sum / (double)units;
    double var = sum2 / (double)units - m * m;
    if (mean)
        *mean = (float)m;
    if (spread)
        *spread = (float)sqrt(var > 0.0 ? var : 0.0);
    return REMAP_OK;
}
