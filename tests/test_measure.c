/* Map measures on maps whose answers are known: an exact topographic map,
 * a shuffled one, a silent one, lesioned, deafferented, fused and enriched
 * ones, fields spread over two regions or two receptors. */
#include "measure/measure.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static remap_model *m;
static remap_unit_maps maps;

/* Skin and cortex of equal density: unit u sits over receptor u. */
static void setup(void)
{
    remap_params p;
    remap_params_default(&p);
    p.skin.density = 20.0f;
    p.cortex.density = 20.0f;
    remap_error err;
    cr_assert_eq(remap_model_create(&p, 1, &remap_ref_backend, NULL, &m, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_unit_maps_create(&m->geom, &maps, &err), REMAP_OK);
}

static void teardown(void)
{
    remap_unit_maps_destroy(&maps);
    remap_model_destroy(m);
}

TestSuite(measure, .init = setup, .fini = teardown);

/* Every field a single synapse on the receptor under its unit. */
static void exact_map(void)
{
    const remap_geometry *g = &m->geom;
    int centre = g->cf_r * g->cf_side + g->cf_r;
    memset(m->weights, 0, (size_t)g->units * (size_t)g->cf_len * sizeof(float));
    for (int u = 0; u < g->units; u++) {
        m->weights[(size_t)u * (size_t)g->cf_len + (size_t)centre] = 1.0f;
        m->threshold[u] = 0.1f;
    }
}

Test(measure, exact_map_has_no_topographic_error)
{
    exact_map();
    remap_measures ms;
    remap_error err;
    cr_assert_eq(remap_measure(m, 100, NULL, &maps, &ms, &err), REMAP_OK);
    cr_assert_float_eq(ms.topographic_error, 0.0f, 1e-6f);
    cr_assert_float_eq(ms.coverage, 1.0f, 1e-6f);
    cr_assert_eq(ms.probes, 100); /* 20x20 receptors, stride 2 */
    cr_assert_eq(ms.distinct_winners, ms.probes);
    /* Each field's centre is its receptor; its region is the receptor's. */
    for (int u = 0; u < m->geom.units; u++) {
        float x, y;
        remap_receptor_position(&m->geom, u, &x, &y);
        cr_assert_float_eq(maps.rf_centre[2 * u], x, 1e-6f);
        cr_assert_float_eq(maps.rf_centre[2 * u + 1], y, 1e-6f);
        cr_assert_eq(maps.preferred_region[u], m->skin_region[u]);
    }
}

Test(measure, exact_map_area_equals_skin_share)
{
    exact_map();
    remap_measures ms;
    remap_error err;
    cr_assert_eq(remap_measure(m, 0, NULL, &maps, &ms, &err), REMAP_OK);
    cr_assert_eq(ms.probes, 400); /* no limit: every receptor */
    cr_assert_eq(ms.responsive_units, m->geom.units);
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        cr_assert_float_eq(ms.area[r], ms.skin_share[r], 1e-6f, "region %d", r);
    cr_assert_float_eq(ms.skin_share[REMAP_REGION_PALM], 0.4f, 1e-6f);
    /* One synapse: the half-maximum area is one receptor. */
    cr_assert_float_eq(ms.rf_size, 1.0f / 400.0f, 1e-7f);
}

Test(measure, random_fields_are_disordered)
{
    /* Fields with weights on random slots: neighbours share nothing. */
    const remap_geometry *g = &m->geom;
    size_t len = (size_t)g->cf_len;
    memset(m->weights, 0, (size_t)g->units * len * sizeof(float));
    srand(5);
    for (int u = 0; u < g->units; u++) {
        m->weights[(size_t)u * len + (size_t)(rand() % g->cf_len)] = 1.0f;
        m->threshold[u] = -1.0f; /* every unit responds */
    }
    remap_measures ms;
    remap_error err;
    cr_assert_eq(remap_measure(m, 400, NULL, &maps, &ms, &err), REMAP_OK);
    cr_assert_gt(ms.topographic_error, 0.5f, "%.3f",
                 (double)ms.topographic_error);
}

Test(measure, silent_map_covers_nothing)
{
    exact_map();
    for (int u = 0; u < m->geom.units; u++)
        m->threshold[u] = 100.0f;
    remap_measures ms;
    remap_error err;
    cr_assert_eq(remap_measure(m, 400, NULL, &maps, &ms, &err), REMAP_OK);
    cr_assert_float_eq(ms.coverage, 0.0f, 1e-6f);
    cr_assert_eq(ms.responsive_units, 0);
    cr_assert_eq(ms.distinct_winners, 0);
}

Test(measure, active_units_counts_since_baseline)
{
    size_t units = (size_t)m->geom.units;
    uint32_t *before = calloc(units, sizeof(uint32_t));
    for (size_t u = 0; u < units; u++)
        before[u] = m->active_count[u] = 7;
    m->active_count[5] = 9;
    m->active_count[11] = 8;
    remap_measures ms;
    remap_error err;
    cr_assert_eq(remap_measure(m, 10, before, &maps, &ms, &err), REMAP_OK);
    cr_assert_eq(ms.active_units, 2);
    cr_assert_eq(remap_measure(m, 10, NULL, &maps, &ms, &err), REMAP_OK);
    cr_assert_eq(ms.active_units, (int)units);
    free(before);
}

/* Field slot of offset (dx, dy) from the field centre. */
static size_t slot(int dx, int dy)
{
    const remap_geometry *g = &m->geom;
    return (size_t)((dy + g->cf_r) * g->cf_side + dx + g->cf_r);
}

static float *field(int u)
{
    return m->weights + (size_t)u * (size_t)m->geom.cf_len;
}

static void set_thresholds(float theta)
{
    for (int u = 0; u < m->geom.units; u++)
        m->threshold[u] = theta;
}

/* strength 1.5 x peak 1: the unit over the probe gets 1.5, a neighbour one
 * receptor (0.05) away 1.5 exp(-0.05^2 / (2 0.06^2)) = 1.06: with
 * thresholds 1.2 only the unit under a probe answers it. */
#define SINGLE 1.2f

static int unit_at(int col, int row)
{
    return row * m->geom.cortex_n + col;
}

static remap_measures measure_all(void)
{
    remap_measures ms;
    remap_error err;
    cr_assert_eq(remap_measure(m, 0, NULL, &maps, &ms, &err), REMAP_OK, "%s",
                 err.msg);
    return ms;
}

Test(measure, exact_map_new_measures_have_their_rest_values)
{
    exact_map();
    remap_measures ms = measure_all();
    cr_assert_eq(ms.regions, REMAP_REGION_COUNT);
    for (int r = 0; r < REMAP_REGION_COUNT; r++) {
        cr_assert_float_eq(ms.magnification[r], 1.0f, 1e-5f, "region %d", r);
        cr_assert_float_eq(ms.region_rf_size[r], 1.0f / 400.0f, 1e-7f);
        cr_assert_float_eq(ms.perilesion[r], 0.0f, 0.0f);
    }
    cr_assert_float_eq(ms.multi_region_rf, 0.0f, 0.0f);
    cr_assert_eq(ms.dead_units, 0);
    cr_assert_eq(ms.perilesion_units, 0);
    cr_assert_float_eq(ms.perilesion_rf_size, 0.0f, 0.0f);
    cr_assert_eq(ms.affected_probes, 0);
    cr_assert_float_eq(ms.affected_localised, 0.0f, 0.0f);
    cr_assert_float_eq(ms.affected_decode_error, 0.0f, 0.0f);
    cr_assert_float_eq(ms.spot_area, 0.0f, 0.0f);
    cr_assert_float_eq(ms.spot_rf_size, 0.0f, 0.0f);
    cr_assert(isfinite(ms.decode_error));
    /* Responses within a region are symmetric about an inner probe, so
     * decoding errs only where a region's edge cuts the population. */
    cr_assert_lt(ms.decode_error, 0.5f * m->params.stimulus.sigma, "%g",
                 (double)ms.decode_error);
}

Test(measure, single_responders_decode_exactly)
{
    exact_map();
    set_thresholds(SINGLE);
    remap_measures ms = measure_all();
    cr_assert_float_eq(ms.coverage, 1.0f, 1e-6f);
    cr_assert_float_eq(ms.decode_error, 0.0f, 1e-6f);
}

Test(measure, decoding_reads_the_field_centres)
{
    /* Weight 0.75 on the receptor under the unit and 0.25 one to its
     * right: the centre lies a quarter receptor (0.0125) right of the
     * probe that only this unit answers (1.5 (0.75 + 0.25 x 0.707) = 1.39;
     * its left neighbour gets 1.17, its right one 0.89). Where the right
     * receptor lies in another region or off the skin the probe misses it
     * and the unit gets 1.125 < 1.3: the probes at each region's right
     * edge (8 palm rows x column 19, 12 digit rows x 5 columns) go
     * unanswered. */
    exact_map();
    const remap_geometry *g = &m->geom;
    for (int u = 0; u < g->units; u++) {
        field(u)[slot(0, 0)] = 0.75f;
        if (u % g->cortex_n < g->cortex_n - 1)
            field(u)[slot(1, 0)] = 0.25f;
    }
    set_thresholds(1.3f);
    remap_measures ms = measure_all();
    cr_assert_float_eq(ms.coverage, (400.0f - 68.0f) / 400.0f, 1e-6f);
    cr_assert_float_eq(ms.decode_error, 0.25f / 20.0f, 1e-5f, "%g",
                       (double)ms.decode_error);
}

Test(measure, gain_and_drive_scale_multiply_the_response)
{
    exact_map();
    set_thresholds(SINGLE);
    m->unit_gain[unit_at(3, 3)] = 0.5f;   /* 0.75 < 1.2 */
    m->drive_scale[unit_at(9, 9)] = 0.5f; /* 0.75 < 1.2 */
    m->drive_scale[unit_at(12, 12)] = 2.0f;
    remap_measures ms = measure_all();
    cr_assert_eq(ms.responsive_units, 398);
    cr_assert_float_eq(ms.coverage, 398.0f / 400.0f, 1e-6f);
    m->unit_gain[unit_at(3, 3)] = 0.9f;   /* 1.35 > 1.2 */
    m->drive_scale[unit_at(9, 9)] = 1.0f;
    ms = measure_all();
    cr_assert_eq(ms.responsive_units, 400);
}

Test(measure, dead_units_never_respond_or_win)
{
    exact_map();
    set_thresholds(-1.0f); /* every living unit responds to every probe */
    int u = unit_at(10, 3);
    m->unit_gain[u] = 0.0f;
    remap_measures ms = measure_all();
    cr_assert_eq(ms.dead_units, 1);
    cr_assert_eq(ms.responsive_units, 399);
    /* The dead unit's probe is won by a living neighbour, which also wins
     * its own. */
    cr_assert_eq(ms.distinct_winners, 399);
    cr_assert_float_eq(ms.coverage, 1.0f, 1e-6f);
}

/* Kills the units in a disc (no penumbra) and marks the affected skin. */
static int lesion(float cx, float cy, float radius, int *count)
{
    size_t units = (size_t)m->geom.units;
    float *before = malloc(units * sizeof(float));
    memcpy(before, m->unit_gain, units * sizeof(float));
    remap_shape s = {.kind = REMAP_SHAPE_DISC, .cx = cx, .cy = cy,
                     .radius = radius};
    int killed = remap_model_lesion(m, &s, 0.0f, 0.0f, 0);
    remap_error err;
    cr_assert_eq(remap_measure_affected(m, before, m->affected, count, &err),
                 REMAP_OK);
    free(before);
    return killed;
}

Test(measure, lesion_marks_the_skin_its_units_answered)
{
    exact_map();
    set_thresholds(SINGLE);
    int count;
    int killed = lesion(0.5f, 0.7f, 0.15f, &count);
    cr_assert_gt(killed, 20);
    /* Unit u is the best unit of receptor u: exactly the dead units' skin
     * is affected. */
    cr_assert_eq(count, killed);
    for (int r = 0; r < m->geom.receptors; r++)
        cr_assert_eq(m->affected[r], m->unit_gain[r] == 0.0f, "receptor %d",
                     r);
    /* A second lesion adds its skin; the first stays marked. */
    int count2;
    int killed2 = lesion(0.2f, 0.2f, 0.1f, &count2);
    cr_assert_gt(killed2, 5);
    cr_assert_eq(count2, killed2);
    int marked = 0;
    for (int r = 0; r < m->geom.receptors; r++) {
        cr_assert_eq(m->affected[r], m->unit_gain[r] == 0.0f);
        marked += m->affected[r];
    }
    cr_assert_eq(marked, killed + killed2);
    /* The same lesion again kills nothing new and marks nothing. */
    int count3;
    cr_assert_eq(lesion(0.2f, 0.2f, 0.1f, &count3), 0);
    cr_assert_eq(count3, 0);
}

Test(measure, affected_skin_without_neighbours_cannot_be_localised)
{
    exact_map();
    set_thresholds(SINGLE);
    int count;
    int killed = lesion(0.5f, 0.7f, 0.15f, &count);
    remap_measures ms = measure_all();
    cr_assert_eq(ms.dead_units, killed);
    cr_assert_eq(ms.affected_probes, killed);
    cr_assert_float_eq(ms.affected_localised, 0.0f, 0.0f);
    cr_assert(isnan(ms.affected_decode_error));
    cr_assert_float_eq(ms.coverage, (float)(400 - killed) / 400.0f, 1e-6f);
    cr_assert_eq(ms.responsive_units, 400 - killed);
    cr_assert_float_eq(ms.decode_error, 0.0f, 1e-6f);
}

Test(measure, small_lesion_in_a_redundant_map_is_localised)
{
    /* Thresholds 0.1: about 25 units answer each probe. One dead unit in
     * the middle of the palm leaves a symmetric ring that decodes its
     * probe in place. */
    exact_map();
    int count;
    cr_assert_eq(lesion(10.5f / 20.0f, 3.5f / 20.0f, 0.01f, &count), 1);
    cr_assert_eq(count, 1);
    cr_assert_eq(m->affected[unit_at(10, 3)], 1);
    remap_measures ms = measure_all();
    cr_assert_eq(ms.affected_probes, 1);
    cr_assert_float_eq(ms.affected_localised, 1.0f, 0.0f);
    cr_assert_float_eq(ms.affected_decode_error, 0.0f, 1e-5f);
}

Test(measure, perilesional_cortex_is_the_living_ring)
{
    exact_map();
    set_thresholds(SINGLE);
    int count;
    lesion(0.5f, 0.7f, 0.15f, &count);
    /* Brute force: living units within 0.1 of a dead one. */
    const remap_geometry *g = &m->geom;
    int ring = 0, by_region[REMAP_REGION_COUNT] = {0};
    for (int u = 0; u < g->units; u++) {
        if (m->unit_gain[u] == 0.0f)
            continue;
        float ux, uy;
        remap_unit_position(g, u, &ux, &uy);
        for (int v = 0; v < g->units; v++) {
            float vx, vy;
            remap_unit_position(g, v, &vx, &vy);
            if (m->unit_gain[v] == 0.0f &&
                hypotf(ux - vx, uy - vy) <= 0.1f + 1e-5f) {
                ring++;
                by_region[m->skin_region[u]]++;
                break;
            }
        }
    }
    remap_measures ms = measure_all();
    cr_assert_gt(ring, 0);
    cr_assert_eq(ms.perilesion_units, ring);
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        cr_assert_float_eq(ms.perilesion[r], (float)by_region[r] / (float)ring,
                           1e-6f, "region %d", r);
    cr_assert_float_eq(ms.perilesion_rf_size, 1.0f / 400.0f, 1e-7f);
    /* A ring two units wide around a disc of radius 0.15 (3 units). */
    cr_assert_gt(by_region[REMAP_REGION_D3], 0);
}

Test(measure, deafferented_region_cannot_be_localised)
{
    exact_map();
    set_thresholds(SINGLE);
    remap_model_deafferent(m, 1u << REMAP_REGION_D3, true);
    remap_measures ms = measure_all();
    /* d3: 4 columns x 12 rows of the 20x20 skin. */
    cr_assert_float_eq(ms.skin_share[REMAP_REGION_D3], 48.0f / 400.0f, 1e-6f);
    cr_assert_float_eq(ms.coverage, 1.0f - 48.0f / 400.0f, 1e-6f);
    cr_assert_eq(ms.responsive_units, 400 - 48);
    cr_assert_float_eq(ms.area[REMAP_REGION_D3], 0.0f, 0.0f);
    cr_assert_float_eq(ms.magnification[REMAP_REGION_D3], 0.0f, 0.0f);
    cr_assert_float_eq(ms.decode_error, 0.0f, 1e-6f);
}

Test(measure, probes_ignore_fusion)
{
    exact_map();
    remap_measures a = measure_all();
    remap_model_fuse(m, (1u << REMAP_REGION_D2) | (1u << REMAP_REGION_D3));
    remap_measures b = measure_all();
    cr_assert_float_eq(a.coverage, b.coverage, 0.0f);
    cr_assert_float_eq(a.topographic_error, b.topographic_error, 0.0f);
    cr_assert_float_eq(a.decode_error, b.decode_error, 0.0f);
    cr_assert_eq(a.responsive_units, b.responsive_units);
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        cr_assert_float_eq(a.area[r], b.area[r], 0.0f);
}

Test(measure, spot_counts_units_centred_in_it)
{
    exact_map();
    set_thresholds(SINGLE);
    /* The d2 tip: columns 4-7, rows 16-19 (16 receptors). */
    const float spot[4] = {0.2f, 0.8f, 0.4f, 1.0f};
    remap_model_enrich_spot(m, spot, 4.0f);
    cr_assert_gt(m->cond.spot_share, 0.0f);
    remap_measures ms = measure_all();
    cr_assert_float_eq(ms.spot_area, 16.0f / 400.0f, 1e-6f);
    cr_assert_float_eq(ms.spot_rf_size, 1.0f / 400.0f, 1e-7f);
    /* The spot stays recorded after the enrichment ends. */
    remap_model_enrich_spot(m, spot, 1.0f);
    cr_assert_float_eq(m->cond.spot_share, 0.0f, 0.0f);
    ms = measure_all();
    cr_assert_float_eq(ms.spot_area, 16.0f / 400.0f, 1e-6f);
}

Test(measure, multi_region_fields)
{
    exact_map();
    set_thresholds(-1.0f);
    /* Row 8 is the first digit row; row 7 is palm. */
    int a = unit_at(10, 8), b = unit_at(2, 8);
    field(a)[slot(0, 0)] = 0.7f, field(a)[slot(0, -1)] = 0.3f;
    field(b)[slot(0, 0)] = 0.8f, field(b)[slot(0, -1)] = 0.2f;
    remap_measures ms = measure_all();
    cr_assert_eq(maps.preferred_region[a], REMAP_REGION_D3);
    cr_assert_eq(maps.preferred_region[b], REMAP_REGION_D1);
    cr_assert_float_eq(ms.multi_region_rf, 1.0f / 400.0f, 1e-7f);
}

Test(measure, rf_size_per_region)
{
    exact_map();
    set_thresholds(-1.0f);
    const remap_geometry *g = &m->geom;
    int d2 = 0;
    for (int u = 0; u < g->units; u++) {
        if (m->skin_region[u] != REMAP_REGION_D2)
            continue;
        /* Two equal synapses inside d2: twice the half-maximum area. */
        int row = u / g->cortex_n;
        field(u)[slot(0, 0)] = 0.5f;
        field(u)[slot(0, row < g->skin_n - 1 ? 1 : -1)] = 0.5f;
        d2++;
    }
    cr_assert_eq(d2, 48);
    remap_measures ms = measure_all();
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        cr_assert_float_eq(ms.region_rf_size[r],
                           (r == REMAP_REGION_D2 ? 2.0f : 1.0f) / 400.0f, 1e-7f,
                           "region %d", r);
    cr_assert_float_eq(ms.rf_size, (352.0f + 2.0f * 48.0f) / 400.0f / 400.0f,
                       1e-7f);
}

Test(measure, live_synapses_per_living_unit)
{
    exact_map();
    const remap_geometry *g = &m->geom;
    memset(m->synapse, 0, (size_t)g->units * (size_t)g->cf_len);
    for (int u = 0; u < g->units; u++) {
        m->synapse[(size_t)u * (size_t)g->cf_len + slot(0, 0)] = 1;
        if (u < 100)
            m->synapse[(size_t)u * (size_t)g->cf_len + slot(0, 1)] = 3;
    }
    /* A slot off the skin is no synapse, whatever it holds. */
    m->synapse[slot(-1, -1)] = 1;
    remap_measures ms = measure_all();
    cr_assert_float_eq(ms.live_synapses, 1.25f, 1e-6f);
    for (int u = 0; u < 100; u++)
        m->unit_gain[u] = 0.0f;
    ms = measure_all();
    cr_assert_eq(ms.dead_units, 100);
    cr_assert_float_eq(ms.live_synapses, 1.0f, 1e-6f);
}

static int count_char(const char *s, char c)
{
    int n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

/* True when the comma-separated line has the column `name`. */
static bool has_column(const char *line, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = line; p; p = strchr(p, ',')) {
        if (*p == ',')
            p++;
        if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\0'))
            return true;
    }
    return false;
}

Test(measure, csv_row_matches_header)
{
    remap_measures ms;
    remap_error err;
    cr_assert_eq(remap_measure(m, 50, NULL, &maps, &ms, &err), REMAP_OK);
    char row[4096], header[4096];
    remap_measures_csv_row(&ms, row, sizeof row);
    remap_measures_csv_header(m, header, sizeof header);
    cr_assert_eq(count_char(row, ','), count_char(header, ','), "%s\n%s",
                 header, row);
    cr_assert_eq(strncmp(row, "0,", 2), 0, "%s", row);
    cr_assert_eq(strncmp(header, "iteration,", 10), 0, "%s", header);
    const char *names[] = {
        "area_palm", "area_d1", "area_d5", "rf_size", "coverage",
        "topographic_error", "mean_activity", "mean_threshold",
        "responsive_units", "distinct_winners", "active_units",
        "magnification_palm", "magnification_d5", "rf_size_palm",
        "rf_size_d3", "perilesion_palm", "perilesion_d5",
        "perilesion_units", "perilesion_rf_size", "multi_region_rf",
        "decode_error", "affected_probes", "affected_localised",
        "affected_decode_error", "spot_area", "spot_rf_size",
        "live_synapses", "dead_units"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_assert(has_column(header, names[i]), "%s missing: %s", names[i],
                  header);
    cr_assert(!has_column(header, "events"));
    cr_assert(!has_column(header, "area_vision"));
}

Test(measure, csv_names_the_layout_regions)
{
    remap_params p;
    remap_params_default(&p);
    p.layout = REMAP_LAYOUT_MODALITIES;
    p.skin.density = 20.0f;
    p.cortex.density = 20.0f;
    remap_model *mm;
    remap_error err;
    cr_assert_eq(remap_model_create(&p, 1, &remap_ref_backend, NULL, &mm, &err),
                 REMAP_OK, "%s", err.msg);
    remap_unit_maps mmaps;
    cr_assert_eq(remap_unit_maps_create(&mm->geom, &mmaps, &err), REMAP_OK);
    remap_measures ms;
    cr_assert_eq(remap_measure(mm, 100, NULL, &mmaps, &ms, &err), REMAP_OK);
    cr_assert_eq(ms.regions, 2);
    cr_assert_float_eq(ms.skin_share[0] + ms.skin_share[1], 1.0f, 1e-6f);
    char row[4096], header[4096];
    remap_measures_csv_header(mm, header, sizeof header);
    remap_measures_csv_row(&ms, row, sizeof row);
    cr_assert_eq(count_char(row, ','), count_char(header, ','), "%s\n%s",
                 header, row);
    cr_assert(has_column(header, "area_vision"), "%s", header);
    cr_assert(has_column(header, "area_touch"));
    cr_assert(has_column(header, "rf_size_touch"));
    cr_assert(has_column(header, "magnification_vision"));
    cr_assert(has_column(header, "perilesion_touch"));
    cr_assert(!has_column(header, "area_palm"));
    cr_assert(!has_column(header, "area_d1"));
    remap_unit_maps_destroy(&mmaps);
    remap_model_destroy(mm);
}

Test(measure, csv_cuts_off_safely)
{
    remap_measures ms = measure_all();
    char small[16];
    memset(small, 'x', sizeof small);
    remap_measures_csv_row(&ms, small, sizeof small);
    cr_assert_lt(strlen(small), sizeof small);
    remap_measures_csv_header(m, small, sizeof small);
    cr_assert_str_eq(small, "iteration,area_");
}

Test(measure, silent_map_decodes_nothing)
{
    exact_map();
    set_thresholds(100.0f);
    remap_measures ms = measure_all();
    cr_assert(isnan(ms.decode_error));
    char row[4096];
    remap_measures_csv_row(&ms, row, sizeof row);
    cr_assert(strstr(row, ",nan,") != NULL, "%s", row);
}

/* A unit over d3 with a fifth of its field on the d2 receptor to its
 * left: its weights place it in d3, but once d3 is silenced only d2
 * drives it, and a map made by probing gives it to d2. */
Test(measure, area_follows_the_region_that_drives_a_unit)
{
    exact_map();
    set_thresholds(SINGLE);
    const remap_geometry *g = &m->geom;
    int u = -1;
    for (int r = 0; r < g->receptors && u < 0; r++)
        if (r % g->skin_n > 0 && m->skin_region[r] == REMAP_REGION_D3 &&
            m->skin_region[r - 1] == REMAP_REGION_D2)
            u = r;
    cr_assert_geq(u, 0);
    field(u)[slot(0, 0)] = 0.8f;
    field(u)[slot(-1, 0)] = 0.2f;
    m->threshold[u] = 0.1f;
    remap_model_deafferent(m, 1u << REMAP_REGION_D3, true);
    remap_measures ms = measure_all();
    cr_assert_eq(maps.preferred_region[u], REMAP_REGION_D3);
    cr_assert_eq(ms.responsive_units, 400 - 48 + 1);
    cr_assert_float_eq(ms.area[REMAP_REGION_D3], 0.0f, 0.0f);
    cr_assert_float_eq(ms.area[REMAP_REGION_D2],
                       ms.skin_share[REMAP_REGION_D2] + 1.0f / 400.0f, 1e-6f);
}

/* Homeostasis drives the thresholds of silenced units below 0, and they
 * fire without input; that is not an answer to a probe. */
Test(measure, spontaneous_firing_is_no_response)
{
    exact_map();
    set_thresholds(SINGLE);
    remap_model_deafferent(m, 1u << REMAP_REGION_D3, true);
    for (int u = 0; u < m->geom.units; u++)
        if (m->skin_region[u] == REMAP_REGION_D3)
            m->threshold[u] = -0.05f;
    remap_measures ms = measure_all();
    cr_assert_eq(ms.responsive_units, 400 - 48);
    cr_assert_float_eq(ms.coverage, 1.0f - 48.0f / 400.0f, 1e-6f);
    cr_assert_float_eq(ms.area[REMAP_REGION_D3], 0.0f, 0.0f);
    cr_assert_float_eq(ms.decode_error, 0.0f, 1e-6f);
}

/* One interior field gets four weak synapses beside its strong one. */
Test(measure, weak_share_is_the_weight_of_weak_synapses)
{
    exact_map();
    remap_measures ms = measure_all();
    cr_assert_float_eq(ms.weak_share, 0.0f, 0.0f);
    int u = unit_at(10, 10);
    field(u)[slot(1, 0)] = field(u)[slot(-1, 0)] = 0.01f;
    field(u)[slot(0, 1)] = field(u)[slot(0, -1)] = 0.01f;
    ms = measure_all();
    cr_assert_float_eq(ms.weak_share, (0.04f / 1.04f) / 400.0f, 1e-7f);
}
