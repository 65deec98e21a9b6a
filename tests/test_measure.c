/* Map measures on maps whose answers are known: an exact topographic map,
 * a shuffled one, a silent one. */
#include "measure/measure.h"

#include <criterion/criterion.h>
#include <math.h>
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

Test(measure, csv_row_matches_header)
{
    remap_measures ms;
    remap_error err;
    cr_assert_eq(remap_measure(m, 50, NULL, &maps, &ms, &err), REMAP_OK);
    char row[1024];
    remap_measures_csv_row(&ms, row, sizeof row);
    int commas_row = 0, commas_header = 0;
    for (const char *c = row; *c; c++)
        commas_row += *c == ',';
    for (const char *c = remap_measures_csv_header(); *c; c++)
        commas_header += *c == ',';
    cr_assert_eq(commas_row, commas_header);
    cr_assert_eq(strncmp(row, "0,", 2), 0, "%s", row);
}
