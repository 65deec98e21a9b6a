/* Orientation-map measures: preference and selectivity by vector averaging
 * of grating responses, the sine gratings that evoke them, pinwheels,
 * hypercolumn size from the power spectrum, pinwheel density and ocular
 * dominance. Host memory only; definitions and tests: docs/orientation.md. */
#ifndef REMAP_ORIENTATION_H
#define REMAP_ORIENTATION_H

#include "core/status.h"

/* Smallest map side the map measures accept: the power spectrum needs a
 * few rings on both sides of its peak. */
#define REMAP_ORMAP_MIN_SIDE 8

/* Preference and selectivity of `units` units from their responses to
 * sine gratings at `orientations` orientations theta_k = k pi / K
 * (k = 0..K-1, evenly over [0, pi)) and `phases` phases each.
 *
 * Layout: resp[(u * orientations + k) * phases + p], the response of unit
 * u to orientation k at phase p. Per orientation the peak response over
 * phases is taken (R_k = max_p), as Topographica's measurement does, so
 * a unit that answers a grating only at its best phase still counts fully.
 *
 * V = sum_k R_k e^{2 i theta_k}; preference[u] = arg(V) / 2 in [0, pi)
 * (radians), selectivity[u] = |V| / sum_k R_k in [0, 1], and both are 0
 * for a unit whose responses are all zero.
 *
 * Errors: REMAP_EINVAL for NULL arrays, units < 1, orientations < 2,
 * phases < 1, or a response that is negative or not finite (the message
 * names the unit, orientation and phase). */
remap_status remap_orientation_from_responses(const float *resp, int units,
                                              int orientations, int phases,
                                              float *preference,
                                              float *selectivity,
                                              remap_error *err);

/* A sine grating: the stimulus the preference is measured with. */
typedef struct remap_grating {
    float orientation; /* radians: the bars run along (cos o, sin o) */
    float phase;       /* radians */
    float frequency;   /* cycles per sheet unit, across the bars */
    float amplitude;   /* half the peak-to-trough contrast */
    float offset;      /* mean value */
} remap_grating;

/* Value of grating g at sheet position (x, y):
 * offset + amplitude sin(2 pi f (-x sin o + y cos o) + phase). */
float remap_grating_value(const remap_grating *g, float x, float y);

/* Fills out[row * cols + col] with grating g sampled at the unit centres
 * of a sheet of `density` units per sheet unit whose corner is at the
 * origin: x = (col + 0.5) / density, y = (row + 0.5) / density (the
 * model's convention, see remap_receptor_position). Errors: REMAP_EINVAL
 * for NULL arguments, cols or rows < 1, or density not positive. */
remap_status remap_grating_fill(const remap_grating *g, int cols, int rows,
                                float density, float *out, remap_error *err);

/* How a map is analysed. */
typedef struct remap_ormap_options {
    /* Nonzero: the map wraps around at its edges (synthetic test maps);
     * cells across the edges are searched for pinwheels, so the area is
     * n^2. Zero (model sheets): only the (n-1)^2 cells inside the grid. */
    int periodic;
    /* Nonzero: multiply the map by a 2-D Hann window before the FFT, so
     * the jump at the edges of a non-periodic map does not leak power
     * across the spectrum. */
    int window;
} remap_ormap_options;

/* A pinwheel: where the zero contours of Re z and Im z cross. Positions
 * are in grid units, grid point (col, row) at (col, row); in a periodic
 * map they lie in [0, n). */
typedef struct remap_pinwheel {
    float x, y;
    int charge; /* +1: preference turns anticlockwise around it (the
                   angle 2 theta winds by +2 pi); -1: clockwise */
} remap_pinwheel;

/* Finds the pinwheels of an n x n map, preference[row * n + col] in
 * radians (only 2 theta matters, so any range works). The map is
 * z = e^{2 i theta}, or selectivity * e^{2 i theta} when selectivity is
 * not NULL (the zero contours are the same; the located positions move a
 * little with the weighting).
 *
 * Each grid cell (the unit square between four neighbouring grid points)
 * holds a pinwheel when the angle 2 theta winds by +-2 pi around its four
 * corners; the cells tile the map, so each pinwheel is counted once. Its
 * position is where the bilinear interpolants of Re z and Im z inside the
 * cell are both zero (the cell centre if that point is not found, which
 * happens only for degenerate cells). A pinwheel exactly on a grid line
 * or point has no well-defined cell; synthetic maps should avoid it.
 *
 * Up to `capacity` pinwheels are written to out (which may be NULL when
 * capacity is 0); *count receives how many there are, which may exceed
 * capacity. *crossings (may be NULL) receives the number of bilinear
 * zero crossings inside the cells, a cross-check that equals *count on
 * maps smooth at the grid's scale.
 *
 * Errors: REMAP_EINVAL for NULL map or count, n < REMAP_ORMAP_MIN_SIDE,
 * capacity < 0, a value that is not finite, a negative selectivity, or a
 * grid point where z is zero (a unit without preference). */
remap_status remap_pinwheels_find(const float *preference,
                                  const float *selectivity, int n,
                                  const remap_ormap_options *opt,
                                  remap_pinwheel *out, int capacity,
                                  int *count, int *crossings,
                                  remap_error *err);

/* Hypercolumn size of an n x n map (same inputs as remap_pinwheels_find).
 *
 * The mean of z is removed, the map windowed if opt->window, and
 * transformed (FFTW); |Z(k)|^2 is averaged over the rings of bins whose
 * |k| (in cycles per map side) rounds to r = 0..n/2. The peak ring
 * r* in [1, n/2] is refined by fitting a Gaussian through it and its
 * neighbours (a parabola through the logarithms of the three ring
 * powers), giving k_peak; lambda = n / k_peak in grid units.
 *
 * spectrum (may be NULL) receives the n/2 + 1 ring powers, ring 0 first.
 *
 * Errors: REMAP_EINVAL as for remap_pinwheels_find; REMAP_ENUMERIC when
 * the map is uniform (no power) or the peak lies on ring 1 or n/2, where
 * the hypercolumn is too large or too small for the grid to measure;
 * REMAP_ENOMEM when the FFT buffers cannot be allocated. FFTW's planner
 * is not thread-safe: do not call this from two threads at once. */
remap_status remap_hypercolumn_size(const float *preference,
                                    const float *selectivity, int n,
                                    const remap_ormap_options *opt,
                                    float *k_peak, float *lambda,
                                    double *spectrum, remap_error *err);

/* The measures of one orientation map. */
typedef struct remap_ormap_stats {
    int pinwheels;           /* all pinwheels */
    int positive, negative;  /* of charge +1 and -1 */
    int crossings;           /* bilinear zero crossings (cross-check) */
    float area;              /* grid units^2 searched: n^2 or (n-1)^2 */
    float k_peak;            /* spectrum peak, cycles per map side */
    float lambda;            /* hypercolumn size, grid units */
    float lambda_sheet;      /* hypercolumn size, sheet units */
    float density;           /* pinwheels / (area / lambda^2) */
} remap_ormap_stats;

/* Pinwheels, hypercolumn size and pinwheel density of an n x n map
 * sampled at `density` units per sheet unit (for lambda_sheet). out,
 * capacity as for remap_pinwheels_find. Errors: those of
 * remap_pinwheels_find and remap_hypercolumn_size, and REMAP_EINVAL for a
 * density that is not positive or a NULL stats. */
remap_status remap_ormap_measure(const float *preference,
                                 const float *selectivity, int n,
                                 float sheet_density,
                                 const remap_ormap_options *opt,
                                 remap_ormap_stats *stats,
                                 remap_pinwheel *out, int capacity,
                                 remap_error *err);

/* Ocular dominance of `units` units from their responses to the left and
 * right eye: odi[u] = (R - L) / (R + L) in [-1, 1], 0 when both are 0.
 * *mean and *spread (population standard deviation) summarise the map;
 * odi, mean and spread may each be NULL. Errors: REMAP_EINVAL for NULL
 * responses, units < 1, or a response that is negative or not finite. */
remap_status remap_ocular_dominance(const float *left, const float *right,
                                    int units, float *odi, float *mean,
                                    float *spread, remap_error *err);

#endif
