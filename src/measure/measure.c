/* Map measures: field centres and sizes, area per region, coverage and
 * topographic error from probe touches. */
#include "measure/measure.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

remap_status remap_unit_maps_create(const remap_geometry *g,
                                    remap_unit_maps *maps, remap_error *err)
{
    maps->rf_centre = calloc((size_t)g->units * 2, sizeof(float));
    maps->preferred_region = calloc((size_t)g->units, sizeof(int8_t));
    if (!maps->rf_centre || !maps->preferred_region) {
        remap_unit_maps_destroy(maps);
        return remap_fail(err, REMAP_ENOMEM, "cannot allocate unit maps");
    }
    return REMAP_OK;
}

void remap_unit_maps_destroy(remap_unit_maps *maps)
{
    if (!maps)
        return;
    free(maps->rf_centre);
    free(maps->preferred_region);
    maps->rf_centre = NULL;
    maps->preferred_region = NULL;
}

/* Field geometry of one unit: its centre receptor and the receptor index
 * of field slot k, or -1 where there is no synapse. */
static int field_receptor(const remap_geometry *g, int cx, int cy, int k,
                          const uint8_t *mask)
{
    if (!mask[k])
        return -1;
    int rx = cx + k % g->cf_side - g->cf_r;
    int ry = cy + k / g->cf_side - g->cf_r;
    if (rx < 0 || ry < 0 || rx >= g->skin_n || ry >= g->skin_n)
        return -1;
    return ry * g->skin_n + rx;
}

/* Centre of mass, preferred region and half-maximum area of each field. */
static float field_maps(const remap_model *m, const uint8_t *mask,
                        remap_unit_maps *maps, float *rf_area)
{
    const remap_geometry *g = &m->geom;
    float cell = 1.0f / (float)(g->skin_n * g->skin_n);
    for (int u = 0; u < g->units; u++) {
        const float *w = m->weights + (size_t)u * (size_t)g->cf_len;
        int cx, cy;
        remap_unit_centre(g, u, &cx, &cy);
        double sum = 0, sx = 0, sy = 0;
        double by_region[REMAP_REGION_COUNT] = {0};
        float peak = 0.0f;
        for (int k = 0; k < g->cf_len; k++) {
            int rc = field_receptor(g, cx, cy, k, mask);
            if (rc < 0)
                continue;
            float px, py;
            remap_receptor_position(g, rc, &px, &py);
            sum += (double)w[k];
            sx += (double)(w[k] * px);
            sy += (double)(w[k] * py);
            by_region[m->skin_region[rc]] += (double)w[k];
            if (w[k] > peak)
                peak = w[k];
        }
        maps->rf_centre[2 * u] = sum > 0 ? (float)(sx / sum) : NAN;
        maps->rf_centre[2 * u + 1] = sum > 0 ? (float)(sy / sum) : NAN;
        int best = 0;
        for (int r = 1; r < REMAP_REGION_COUNT; r++)
            if (by_region[r] > by_region[best])
                best = r;
        maps->preferred_region[u] = sum > 0 ? (int8_t)best : (int8_t)-1;
        int above = 0;
        for (int k = 0; k < g->cf_len; k++)
            if (field_receptor(g, cx, cy, k, mask) >= 0 &&
                w[k] >= 0.5f * peak && peak > 0.0f)
                above++;
        rf_area[u] = (float)above * cell;
    }
    return cell;
}

static void field_mask(const remap_geometry *g, uint8_t *mask)
{
    for (int k = 0; k < g->cf_len; k++) {
        int dx = k % g->cf_side - g->cf_r, dy = k / g->cf_side - g->cf_r;
        mask[k] = dx * dx + dy * dy <= g->cf_r2i;
    }
}

remap_status remap_unit_maps_compute(const remap_model *m,
                                     remap_unit_maps *maps, remap_error *err)
{
    const remap_geometry *g = &m->geom;
    uint8_t *mask = malloc((size_t)g->cf_len);
    float *rf_area = malloc((size_t)g->units * sizeof(float));
    if (!mask || !rf_area) {
        free(mask), free(rf_area);
        return remap_fail(err, REMAP_ENOMEM, "unit maps: out of memory");
    }
    field_mask(g, mask);
    field_maps(m, mask, maps, rf_area);
    free(mask), free(rf_area);
    return REMAP_OK;
}

static int adjacent(int a, int b, int n)
{
    int ax = a % n, ay = a / n, bx = b % n, by = b / n;
    return abs(ax - bx) <= 1 && abs(ay - by) <= 1;
}

remap_status remap_measure(const remap_model *m, int max_probes,
                           const uint32_t *counts_before,
                           remap_unit_maps *maps, remap_measures *out,
                           remap_error *err)
{
    const remap_geometry *g = &m->geom;
    memset(out, 0, sizeof *out);
    out->iteration = m->iteration;

    uint8_t *mask = malloc((size_t)g->cf_len);
    float *rf_area = malloc((size_t)g->units * sizeof(float));
    float *input = malloc((size_t)g->receptors * sizeof(float));
    float *response = malloc((size_t)g->units * sizeof(float));
    uint8_t *responsive = calloc((size_t)g->units, 1);
    uint8_t *winner = calloc((size_t)g->units, 1);
    if (!mask || !rf_area || !input || !response || !responsive || !winner) {
        free(mask), free(rf_area), free(input), free(response);
        free(responsive), free(winner);
        return remap_fail(err, REMAP_ENOMEM, "measure: out of memory");
    }
    field_mask(g, mask);
    field_maps(m, mask, maps, rf_area);

    /* Probe grid: every stride-th receptor in each direction. */
    int stride = 1;
    while (max_probes > 0 &&
           (g->skin_n / stride) * (g->skin_n / stride) > max_probes)
        stride++;
    int probes = 0, answered = 0, disordered = 0;
    for (int ry = stride / 2; ry < g->skin_n; ry += stride) {
        for (int rx = stride / 2; rx < g->skin_n; rx += stride) {
            int rc = ry * g->skin_n + rx;
            remap_touch t;
            t.region = m->skin_region[rc];
            remap_receptor_position(g, rc, &t.x, &t.y);
            remap_touch_render(m, &t, input);
            int best = -1, second = -1;
            for (int u = 0; u < g->units; u++) {
                const float *w = m->weights + (size_t)u * (size_t)g->cf_len;
                int cx, cy;
                remap_unit_centre(g, u, &cx, &cy);
                float c = 0.0f;
                for (int k = 0; k < g->cf_len; k++) {
                    int q = field_receptor(g, cx, cy, k, mask);
                    if (q >= 0)
                        c += w[k] * input[q];
                }
                /* Rank by the afferent drive alone: the thresholds differ
                 * from unit to unit and would reorder neighbours. */
                response[u] = m->params.afferent.strength * c;
                if (response[u] > m->threshold[u])
                    responsive[u] = 1;
                if (best < 0 || response[u] > response[best]) {
                    second = best;
                    best = u;
                } else if (second < 0 || response[u] > response[second]) {
                    second = u;
                }
            }
            probes++;
            if (best >= 0 && response[best] > m->threshold[best]) {
                answered++;
                winner[best] = 1;
                if (second >= 0 && !adjacent(best, second, g->cortex_n))
                    disordered++;
            }
        }
    }

    int counted[REMAP_REGION_COUNT] = {0};
    double rf_sum = 0;
    for (int u = 0; u < g->units; u++) {
        out->mean_activity += m->avg_activity[u];
        out->mean_threshold += m->threshold[u];
        if (m->active_count[u] > (counts_before ? counts_before[u] : 0))
            out->active_units++;
        if (winner[u])
            out->distinct_winners++;
        if (!responsive[u])
            continue;
        out->responsive_units++;
        if (maps->preferred_region[u] >= 0)
            counted[maps->preferred_region[u]]++;
        rf_sum += (double)rf_area[u];
    }
    out->mean_activity /= (float)g->units;
    out->mean_threshold /= (float)g->units;
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        out->area[r] = out->responsive_units
                           ? (float)counted[r] / (float)out->responsive_units
                           : 0.0f;
    int skin_count[REMAP_REGION_COUNT] = {0};
    for (int r = 0; r < g->receptors; r++)
        skin_count[m->skin_region[r]]++;
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        out->skin_share[r] = (float)skin_count[r] / (float)g->receptors;
    out->rf_size = out->responsive_units
                       ? (float)(rf_sum / out->responsive_units)
                       : 0.0f;
    out->probes = probes;
    out->coverage = probes ? (float)answered / (float)probes : 0.0f;
    out->topographic_error = answered ? (float)disordered / (float)answered
                                      : 1.0f;
    free(mask), free(rf_area), free(input), free(response);
    free(responsive), free(winner);
    return REMAP_OK;
}

const char *remap_measures_csv_header(void)
{
    return "iteration,area_palm,area_d1,area_d2,area_d3,area_d4,area_d5,"
           "rf_size,coverage,topographic_error,mean_activity,"
           "mean_threshold,responsive_units,distinct_winners,active_units";
}

void remap_measures_csv_row(const remap_measures *ms, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%llu", (unsigned long long)ms->iteration);
    for (int r = 0; r < REMAP_REGION_COUNT && n > 0 && (size_t)n < size; r++)
        n += snprintf(buf + n, size - (size_t)n, ",%.6g", (double)ms->area[r]);
    if (n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, ",%.6g,%.6g,%.6g,%.6g,%.6g,%d,%d,%d",
                 (double)ms->rf_size, (double)ms->coverage,
                 (double)ms->topographic_error, (double)ms->mean_activity,
                 (double)ms->mean_threshold, ms->responsive_units,
                 ms->distinct_winners, ms->active_units);
}
