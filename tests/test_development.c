/* The hand-development scenario, at a smaller cortex, develops an ordered hand map
 * in which every region's cortical area tracks its share of the skin. The
 * bounds are justified in docs/results.md. */
#include "measure/measure.h"
#include "run/run.h"
#include "scenario/scenario.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TOPOGRAPHIC_BOUND 0.15f /* and at most half the initial error */
#define AREA_TOLERANCE 0.03f    /* absolute, a quarter of a digit's share */

static void develop(const char *seed)
{
    char seed_override[32];
    snprintf(seed_override, sizeof seed_override, "seed=%s", seed);
    const char *ov[] = {"sheets.cortex.density=24", seed_override};
    remap_scenario *sc = NULL;
    remap_error err;
    cr_assert_eq(remap_scenario_load_file(REMAP_SOURCE_DIR
                                          "/scenarios/hand-development.yaml",
                                          ov, 2, &sc, &err),
                 REMAP_OK, "%s", err.msg);

    /* The map before training, for comparison. */
    remap_model *m;
    cr_assert_eq(remap_model_create(&sc->params, sc->seed, &remap_ref_backend,
                                    NULL, &m, &err),
                 REMAP_OK, "%s", err.msg);
    remap_unit_maps maps;
    cr_assert_eq(remap_unit_maps_create(&m->geom, &maps, &err), REMAP_OK);
    remap_measures before;
    cr_assert_eq(remap_measure(m, 400, NULL, &maps, &before, &err), REMAP_OK);
    remap_unit_maps_destroy(&maps);
    remap_model_destroy(m);

    char dir[] = "/tmp/remap-test-dev-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char out[64];
    snprintf(out, sizeof out, "%s/run", dir);
    remap_run_options opt = {.out_dir = out, .iterations = 3000};
    remap_run_summary sum;
    cr_assert_eq(remap_run(sc, &opt, &sum, &err), REMAP_OK, "%s", err.msg);
    const remap_measures *after = &sum.measures;

    cr_assert_lt(after->topographic_error, TOPOGRAPHIC_BOUND,
                 "seed %s: topographic error %.3f", seed,
                 (double)after->topographic_error);
    cr_assert_leq(after->topographic_error, 0.5f * before.topographic_error,
                  "seed %s: topographic error %.3f, before training %.3f",
                  seed, (double)after->topographic_error,
                  (double)before.topographic_error);
    cr_assert_geq(after->coverage, 0.95f, "seed %s: coverage %.3f", seed,
                  (double)after->coverage);
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        cr_assert_leq(fabsf(after->area[r] - after->skin_share[r]),
                      AREA_TOLERANCE,
                      "seed %s: %s has %.3f of the cortex for %.3f of the skin",
                      seed, remap_region_name(r), (double)after->area[r],
                      (double)after->skin_share[r]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    remap_scenario_destroy(sc);
}

Test(development, hand_map_orders_seed_1) { develop("1"); }

Test(development, hand_map_orders_seed_2) { develop("2"); }
