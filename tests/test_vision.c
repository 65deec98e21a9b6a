/* The maps of visual models: orientation selectivity develops, ocular
 * dominance follows the open eye, dead units and bad settings are handled,
 * checkpoints of visual models resume bit for bit and carry the maps, and a
 * visual run's metrics.csv has the map columns. The numbers behind the
 * bounds are in docs/orientation.md. */
#include "core/file.h"
#include "io/checkpoint.h"
#include "io/metrics_table.h"
#include "measure/orientation.h"
#include "measure/vision.h"
#include "run/run.h"
#include "scenario/scenario.h"

#include <criterion/criterion.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A trained map's mean selectivity must be at least this many times that
 * of its random initial weights after TRAIN iterations (measured: 3.3
 * times, 0.056 against 0.017; the initial value is sampling noise of the
 * random fields). */
#define SELECTIVITY_GAIN 3.0f
#define TRAIN 3000
/* Ocular dominance after monocular deprivation: a mean of 0.5 means the
 * open eye drives the average unit three times as strongly as the closed
 * one (measured: 0.60 after BINOCULAR iterations with both eyes and
 * DEPRIVED with the left one closed; 0.50 after 1250). With both eyes open
 * and seeing the same images neither may dominate (measured: |mean| below
 * 0.01). */
#define OD_SHIFTED 0.5f
#define OD_BALANCED 0.1f
#define BINOCULAR 1000
#define DEPRIVED 1500

static char tmp[256];

static void make_tmp(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/remap-test-vision-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void remove_tmp(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(vision, .init = make_tmp, .fini = remove_tmp);

/* scenarios/v1-development.yaml on a small sheet (cortex 24, retina 12). */
static remap_scenario *load_v1(const char *layout, const char *seed,
                               const char *const *more, size_t n_more)
{
    char lay[64], sd[32];
    snprintf(lay, sizeof lay, "sheets.skin.layout=%s", layout);
    snprintf(sd, sizeof sd, "seed=%s", seed);
    const char *ov[16] = {"sheets.cortex.density=24", "sheets.skin.density=12",
                          lay, sd};
    size_t n = 4;
    for (size_t i = 0; i < n_more && n < 16; i++)
        ov[n++] = more[i];
    remap_scenario *sc = NULL;
    remap_error err;
    cr_assert_eq(remap_scenario_load_file(REMAP_SOURCE_DIR
                                          "/scenarios/v1-development.yaml",
                                          ov, n, &sc, &err),
                 REMAP_OK, "%s", err.msg);
    return sc;
}

static remap_model *create(const remap_scenario *sc)
{
    remap_model *m;
    remap_error err;
    cr_assert_eq(remap_model_create(&sc->params, sc->seed, &remap_ref_backend,
                                    NULL, &m, &err),
                 REMAP_OK, "%s", err.msg);
    return m;
}

static void measure(const remap_model *m, remap_vision_map *map)
{
    remap_error err;
    cr_assert_eq(remap_vision_measure(m, NULL, map, &err), REMAP_OK, "%s",
                 err.msg);
}

static void step(remap_model *m, uint64_t n)
{
    remap_error err;
    cr_assert_eq(remap_model_step(m, n, &err), REMAP_OK, "%s", err.msg);
}

/* Every value of a map in its range. */
static void check_ranges(const remap_vision_map *map)
{
    for (int u = 0; u < map->units; u++) {
        cr_assert(map->preference[u] >= 0.0f &&
                      map->preference[u] < 3.14159266f,
                  "unit %d: preference %g", u, (double)map->preference[u]);
        cr_assert(map->selectivity[u] >= 0.0f && map->selectivity[u] <= 1.0f,
                  "unit %d: selectivity %g", u, (double)map->selectivity[u]);
        if (map->od)
            cr_assert(map->od[u] >= -1.0f && map->od[u] <= 1.0f,
                      "unit %d: od %g", u, (double)map->od[u]);
    }
}

static void selectivity_develops(const char *seed)
{
    remap_scenario *sc = load_v1("retina", seed, NULL, 0);
    remap_model *m = create(sc);
    remap_vision_map before, after;
    measure(m, &before);
    check_ranges(&before);
    cr_assert_null(before.od);
    cr_assert_eq(before.living, m->geom.units);
    step(m, TRAIN);
    measure(m, &after);
    check_ranges(&after);
    cr_assert_geq(after.selectivity_mean,
                  SELECTIVITY_GAIN * before.selectivity_mean,
                  "seed %s: mean selectivity %.4f after %d iterations, "
                  "%.4f before",
                  seed, (double)after.selectivity_mean, TRAIN,
                  (double)before.selectivity_mean);
    /* A developed map has a period the spectrum finds. */
    cr_assert(after.stats_ok, "seed %s: no hypercolumn size", seed);
    cr_assert_gt(after.stats.lambda_sheet, 0.0f);
    cr_assert_gt(after.stats.pinwheels, 0);
    remap_vision_map_free(&before);
    remap_vision_map_free(&after);
    remap_model_destroy(m);
    remap_scenario_destroy(sc);
}

Test(vision, selectivity_develops_seed_1) { selectivity_develops("1"); }

Test(vision, selectivity_develops_seed_2) { selectivity_develops("2"); }

Test(vision, od_follows_the_open_eye)
{
    remap_scenario *sc = load_v1("binocular", "1", NULL, 0);
    remap_model *deprived = create(sc), *normal = create(sc);
    remap_vision_map map;
    measure(deprived, &map);
    cr_assert_not_null(map.od);
    check_ranges(&map);
    cr_assert_lt(fabsf(map.od_mean), OD_BALANCED, "initial od mean %.3f",
                 (double)map.od_mean);
    cr_assert_gt(map.od_spread, 0.0f);
    remap_vision_map_free(&map);

    /* Both eyes first, so the thresholds come to the drive of two eyes;
     * then silence the left eye (region 0) while training, and open it
     * again for the measurement, as a deprivation experiment tests both
     * eyes (the measurement opens it anyway). A naive V1 with one eye
     * closed from the start stays below threshold and learns nothing. */
    remap_error err;
    step(deprived, BINOCULAR);
    step(normal, BINOCULAR + DEPRIVED);
    cr_assert_eq(remap_model_pull(deprived, &err), REMAP_OK, "%s", err.msg);
    remap_model_deafferent(deprived, 1u << 0, true);
    cr_assert_eq(remap_model_push(deprived, &err), REMAP_OK, "%s", err.msg);
    step(deprived, DEPRIVED);
    cr_assert_eq(remap_model_pull(deprived, &err), REMAP_OK, "%s", err.msg);
    remap_model_deafferent(deprived, 1u << 0, false);
    cr_assert_eq(remap_model_push(deprived, &err), REMAP_OK, "%s", err.msg);

    measure(deprived, &map);
    check_ranges(&map);
    cr_assert_gt(map.od_mean, OD_SHIFTED,
                 "od mean %.3f after the left eye was silenced",
                 (double)map.od_mean);
    remap_vision_map_free(&map);
    measure(normal, &map);
    cr_assert_lt(fabsf(map.od_mean), OD_BALANCED,
                 "od mean %.3f with both eyes open", (double)map.od_mean);
    remap_vision_map_free(&map);
    remap_model_destroy(deprived);
    remap_model_destroy(normal);
    remap_scenario_destroy(sc);
}

Test(vision, dead_units_respond_to_nothing)
{
    remap_scenario *sc = load_v1("binocular", "3", NULL, 0);
    remap_model *m = create(sc);
    step(m, 100);
    remap_shape disc = {.kind = REMAP_SHAPE_DISC, .cx = 0.5f, .cy = 0.5f,
                        .radius = 0.2f};
    int killed = remap_model_lesion(m, &disc, 0.0f, 1.0f, 0);
    cr_assert_gt(killed, 0);
    remap_vision_map map;
    measure(m, &map);
    check_ranges(&map);
    cr_assert_eq(map.living, m->geom.units - killed);
    int dead = 0;
    for (int u = 0; u < m->geom.units; u++) {
        if (m->unit_gain[u] != 0.0f)
            continue;
        dead++;
        cr_assert_eq(map.selectivity[u], 0.0f, "dead unit %d", u);
        cr_assert_eq(map.od[u], 0.0f, "dead unit %d", u);
    }
    cr_assert_eq(dead, killed);
    cr_assert_gt(map.selectivity_mean, 0.0f);
    remap_vision_map_free(&map);
    remap_model_destroy(m);
    remap_scenario_destroy(sc);
}

/* The maps as remap_vision_measure defines them, one grating to one eye at
 * a time (docs/orientation.md): every unit's responses, vector-averaged,
 * and with two eyes each eye's peak response. */
static void maps_one_at_a_time(const remap_model *m,
                               const remap_vision_settings *s, float *pref,
                               float *sel, float *od)
{
    const double pi = 3.14159265358979323846;
    const remap_geometry *g = &m->geom;
    int K = s->orientations, P = s->phases, E = g->eyes, units = g->units;
    size_t pixels = (size_t)g->retina_n * (size_t)g->retina_n;
    float *resp = calloc((size_t)units * (size_t)(K * P), sizeof(float));
    float *peak = calloc(2 * (size_t)units, sizeof(float));
    float *grating = malloc(pixels * sizeof(float));
    float *images = malloc((size_t)E * pixels * sizeof(float));
    float *input = malloc((size_t)g->receptors * sizeof(float));
    float *drive = malloc((size_t)units * sizeof(float));
    for (int k = 0; k < K; k++)
        for (int p = 0; p < P; p++) {
            remap_grating gr = {
                .orientation = (float)(pi * (double)k / (double)K),
                .phase = (float)(2.0 * pi * (double)p / (double)P),
                .frequency = s->frequency,
                .amplitude = s->contrast,
                .offset = s->contrast};
            for (size_t i = 0; i < pixels; i++) {
                float x, y;
                remap_retina_position(g, (int)i, &x, &y);
                float v = remap_grating_value(&gr, x, y);
                grating[i] = v > 0.0f ? v : 0.0f;
            }
            for (int e = 0; e < E; e++) {
                for (int ee = 0; ee < E; ee++)
                    for (size_t i = 0; i < pixels; i++)
                        images[(size_t)ee * pixels + i] =
                            ee == e ? grating[i] *
                                          m->retina_gain[(size_t)ee * pixels + i]
                                    : 0.0f;
                remap_error err;
                cr_assert_eq(remap_lgn_respond(m, images, NULL, input, &err),
                             REMAP_OK, "%s", err.msg);
                remap_afferent_responses(m, input, 1, drive);
                for (int u = 0; u < units; u++) {
                    float d = drive[u] * m->unit_gain[u];
                    float *r = &resp[((size_t)u * (size_t)K + (size_t)k) *
                                         (size_t)P + (size_t)p];
                    *r = e == 0 ? d : *r + d;
                    float *pk = &peak[(size_t)e * (size_t)units + (size_t)u];
                    *pk = d > *pk ? d : *pk;
                }
            }
        }
    remap_error err;
    cr_assert_eq(remap_orientation_from_responses(resp, units, K, P, pref,
                                                  sel, &err),
                 REMAP_OK, "%s", err.msg);
    if (E == 2) {
        float *left = malloc((size_t)units * sizeof(float));
        float *right = malloc((size_t)units * sizeof(float));
        float *odi = malloc((size_t)units * sizeof(float));
        int n = 0;
        for (int u = 0; u < units; u++)
            if (m->unit_gain[u] != 0.0f) {
                left[n] = peak[u];
                right[n] = peak[units + u];
                n++;
            }
        cr_assert_eq(remap_ocular_dominance(left, right, n, odi, NULL, NULL,
                                            &err),
                     REMAP_OK, "%s", err.msg);
        for (int u = 0, i = 0; u < units; u++)
            od[u] = m->unit_gain[u] == 0.0f ? 0.0f : odi[i++];
        free(left), free(right), free(odi);
    }
    free(resp), free(peak), free(grating), free(images), free(input);
    free(drive);
}

/* The measurement presents its gratings sixteen at a time: its maps are
 * those of one grating at a time, bit for bit, with one eye and two, for
 * numbers of presentations that fill the last batch and that do not, and
 * with dead units. */
Test(vision, maps_are_those_of_one_grating_at_a_time)
{
    static const char *const layouts[] = {"retina", "binocular"};
    static const int steps[][2] = {{8, 8}, {3, 5}};
    for (size_t l = 0; l < 2; l++) {
        remap_scenario *sc = load_v1(layouts[l], "6", NULL, 0);
        remap_model *m = create(sc);
        step(m, 60);
        remap_shape disc = {.kind = REMAP_SHAPE_DISC, .cx = 0.3f,
                            .cy = 0.3f, .radius = 0.15f};
        cr_assert_gt(remap_model_lesion(m, &disc, 0.0f, 1.0f, 0), 0);
        size_t units = (size_t)m->geom.units;
        float *pref = malloc(units * sizeof(float));
        float *sel = malloc(units * sizeof(float));
        float *od = malloc(units * sizeof(float));
        for (size_t t = 0; t < 2; t++) {
            remap_vision_settings s;
            remap_vision_settings_default(&s);
            s.orientations = steps[t][0];
            s.phases = steps[t][1];
            remap_vision_map map;
            remap_error err;
            cr_assert_eq(remap_vision_measure(m, &s, &map, &err), REMAP_OK,
                         "%s", err.msg);
            maps_one_at_a_time(m, &s, pref, sel, od);
            for (size_t u = 0; u < units; u++) {
                cr_assert_eq(memcmp(&map.preference[u], &pref[u],
                                    sizeof(float)),
                             0, "%s, %dx%d: unit %zu prefers %.9g, not %.9g",
                             layouts[l], s.orientations, s.phases, u,
                             (double)map.preference[u], (double)pref[u]);
                cr_assert_eq(memcmp(&map.selectivity[u], &sel[u],
                                    sizeof(float)),
                             0, "%s, %dx%d: unit %zu's selectivity",
                             layouts[l], s.orientations, s.phases, u);
                if (map.od)
                    cr_assert_eq(memcmp(&map.od[u], &od[u], sizeof(float)),
                                 0, "%s, %dx%d: unit %zu's ocular dominance",
                                 layouts[l], s.orientations, s.phases, u);
            }
            remap_vision_map_free(&map);
        }
        free(pref), free(sel), free(od);
        remap_model_destroy(m);
        remap_scenario_destroy(sc);
    }
}

/* The LGN's response by its definition, one cell at a time: each eye's
 * image blurred along rows and then along columns by the centre and the
 * surround Gaussians, rectified ON and OFF, divided by k plus the gain
 * pool (along rows, then columns, over the cells of the plane). */
static void lgn_by_definition(const remap_model *m, const float *images,
                              const float *gain, float *input)
{
    const remap_geometry *g = &m->geom;
    const remap_lgn_params *lp = &m->params.lgn;
    int rn = g->retina_n, n = g->skin_n, r = g->lgn_r;
    size_t plane = (size_t)g->plane;
    float *rows = malloc((size_t)rn * (size_t)n * sizeof(float));
    float *blur[2] = {malloc(plane * sizeof(float)),
                      malloc(plane * sizeof(float))};
    float *pooled = malloc(plane * sizeof(float));
    for (int e = 0; e < g->eyes; e++) {
        const float *img = images + (size_t)e * (size_t)rn * (size_t)rn;
        for (int t = 0; t < 2; t++) {
            const float *taps = m->lgn_taps[t];
            for (int j = 0; j < rn; j++)
                for (int i = 0; i < n; i++) {
                    float s = 0.0f;
                    for (int d = 0; d <= 2 * r; d++)
                        s += taps[d] * img[j * rn + i + d];
                    rows[j * n + i] = s;
                }
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++) {
                    float s = 0.0f;
                    for (int d = 0; d <= 2 * r; d++)
                        s += taps[d] * rows[(j + d) * n + i];
                    blur[t][j * n + i] = s;
                }
        }
        for (int pol = 0; pol < 2; pol++) {
            size_t base = (size_t)(2 * e + pol) * plane;
            float *out = input + base;
            for (size_t i = 0; i < plane; i++) {
                float d = blur[0][i] - blur[1][i];
                float v = lp->strength * (pol == 0 ? d : -d);
                out[i] = v > 0.0f ? v : 0.0f;
            }
            const float *taps = m->lgn_taps[2];
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++) {
                    float s = 0.0f;
                    for (int d = -r; d <= r; d++)
                        if (i + d >= 0 && i + d < n)
                            s += taps[d + r] * out[j * n + i + d];
                    pooled[j * n + i] = s;
                }
            float inv_k = 1.0f / lp->gain_constant;
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++) {
                    float s = 0.0f;
                    for (int d = -r; d <= r; d++)
                        if (j + d >= 0 && j + d < n)
                            s += taps[d + r] * pooled[(j + d) * n + i];
                    size_t c = (size_t)(j * n + i);
                    out[c] = out[c] /
                             (lp->gain_constant +
                              lp->gain_strength * (s * inv_k)) *
                             (gain ? gain[base + c] : 1.0f);
                }
        }
    }
    free(rows), free(blur[0]), free(blur[1]), free(pooled);
}

/* The LGN gives the definition's bits, with one eye and two, with
 * receptor gains and without. */
Test(vision, lgn_response_is_the_definition)
{
    static const char *const layouts[] = {"retina", "binocular"};
    for (size_t l = 0; l < 2; l++) {
        remap_scenario *sc = load_v1(layouts[l], "4", NULL, 0);
        remap_model *m = create(sc);
        const remap_geometry *g = &m->geom;
        size_t pixels = (size_t)g->eyes * (size_t)g->retina_n *
                        (size_t)g->retina_n;
        size_t rn = (size_t)g->receptors;
        float *images = malloc(pixels * sizeof(float));
        float *gain = malloc(rn * sizeof(float));
        float *got = malloc(rn * sizeof(float));
        float *want = malloc(rn * sizeof(float));
        srand(9);
        for (size_t i = 0; i < pixels; i++)
            images[i] = (float)rand() / (float)RAND_MAX;
        for (size_t i = 0; i < rn; i++)
            gain[i] = 0.5f + (float)rand() / (float)RAND_MAX;
        for (int with_gain = 0; with_gain < 2; with_gain++) {
            remap_error err;
            cr_assert_eq(remap_lgn_respond(m, images,
                                           with_gain ? gain : NULL, got,
                                           &err),
                         REMAP_OK, "%s", err.msg);
            lgn_by_definition(m, images, with_gain ? gain : NULL, want);
            int positive = 0;
            for (size_t i = 0; i < rn; i++) {
                cr_assert_eq(memcmp(&got[i], &want[i], sizeof(float)), 0,
                             "%s, gain %d: receptor %zu is %.9g, not %.9g",
                             layouts[l], with_gain, i, (double)got[i],
                             (double)want[i]);
                positive += got[i] > 0.0f;
            }
            cr_assert_gt(positive, 0, "the LGN answered nothing");
        }
        free(images), free(gain), free(got), free(want);
        remap_model_destroy(m);
        remap_scenario_destroy(sc);
    }
}

/* The afferent response of unit u to input x by its definition: every
 * slot k that has a receptor, in increasing k. */
static float response_by_definition(const remap_model *m, int u,
                                    const float *x)
{
    const remap_geometry *g = &m->geom;
    const float *w = m->weights + (size_t)u * (size_t)g->cf_len;
    float c = 0.0f;
    for (int k = 0; k < g->cf_len; k++) {
        int rc = remap_cf_slot_receptor(g, u, k);
        if (rc >= 0)
            c += w[k] * x[rc];
    }
    return m->params.afferent.strength * m->drive_scale[u] * c;
}

/* Responses to a batch of inputs, to part of it and to each input alone
 * are the same bits, and those of the definition, with one eye and two,
 * and on the hand, whose fields at the skin's edges are clipped to it;
 * inputs of either sign and zeros. */
Test(vision, afferent_responses_are_the_same_in_any_batch)
{
    static const char *const layouts[] = {"retina", "binocular", "hand"};
    for (size_t l = 0; l < 3; l++) {
        remap_scenario *sc = NULL;
        remap_model *m;
        if (l < 2) {
            sc = load_v1(layouts[l], "5", NULL, 0);
            m = create(sc);
        } else {
            remap_params p;
            remap_params_default(&p);
            p.cortex.density = 20.0f;
            p.skin.density = 16.0f;
            p.afferent.radius = 0.3f;
            remap_error err;
            cr_assert_eq(remap_model_create(&p, 5, &remap_ref_backend, NULL,
                                            &m, &err),
                         REMAP_OK, "%s", err.msg);
        }
        step(m, 50);
        const remap_geometry *g = &m->geom;
        size_t rn = (size_t)g->receptors, units = (size_t)g->units;
        /* Slots without a receptor hold 0; make them count if they were
         * ever read. */
        int off = 0;
        for (int u = 0; u < g->units; u++)
            for (int k = 0; k < g->cf_len; k++)
                if (remap_cf_slot_receptor(g, u, k) < 0) {
                    m->weights[(size_t)u * (size_t)g->cf_len + (size_t)k] =
                        1.0f;
                    off++;
                }
        cr_assert_gt(off, 0);
        enum { B = REMAP_AFFERENT_BATCH };
        float *batch = malloc(rn * B * sizeof(float));
        float *one = malloc(rn * sizeof(float));
        float *part = malloc(rn * 5 * sizeof(float));
        float *out = malloc(units * B * sizeof(float));
        float *out1 = malloc(units * sizeof(float));
        float *out5 = malloc(units * 5 * sizeof(float));
        srand(11);
        for (size_t i = 0; i < rn * B; i++)
            batch[i] = i % 7 == 0 ? 0.0f
                                  : 2.0f * (float)rand() / (float)RAND_MAX -
                                        1.0f;
        for (size_t r = 0; r < rn; r++)
            for (int i = 0; i < 5; i++)
                part[r * 5 + (size_t)i] = batch[r * B + (size_t)i + 3];
        remap_afferent_responses(m, batch, B, out);
        remap_afferent_responses(m, part, 5, out5);
        for (int i = 0; i < B; i++) {
            for (size_t r = 0; r < rn; r++)
                one[r] = batch[r * B + (size_t)i];
            remap_afferent_responses(m, one, 1, out1);
            for (size_t u = 0; u < units; u++) {
                float want = response_by_definition(m, (int)u, one);
                cr_assert_eq(memcmp(&out1[u], &want, sizeof want), 0,
                             "%s: unit %zu, input %d alone: %.9g, not %.9g",
                             layouts[l], u, i, (double)out1[u], (double)want);
                float got = out[u * B + (size_t)i];
                cr_assert_eq(memcmp(&got, &want, sizeof want), 0,
                             "%s: unit %zu, input %d of %d: %.9g, not %.9g",
                             layouts[l], u, i, B, (double)got, (double)want);
                if (i >= 3 && i < 8)
                    cr_assert_eq(memcmp(&out5[u * 5 + (size_t)i - 3], &want,
                                        sizeof want),
                                 0, "%s: unit %zu, input %d of 5", layouts[l],
                                 u, i - 3);
            }
        }
        free(batch), free(one), free(part), free(out), free(out1), free(out5);
        remap_model_destroy(m);
        if (sc)
            remap_scenario_destroy(sc);
    }
}

Test(vision, refuses_what_it_cannot_measure)
{
    remap_scenario *sc = load_v1("retina", "1", NULL, 0);
    remap_model *m = create(sc);
    remap_vision_map map;
    remap_error err;
    remap_vision_settings s;
    remap_vision_settings_default(&s);
    s.orientations = 1;
    cr_assert_eq(remap_vision_measure(m, &s, &map, &err), REMAP_EINVAL);
    cr_assert_not_null(strstr(err.msg, "orientations is 1"), "%s", err.msg);
    remap_vision_settings_default(&s);
    s.frequency = 0.0f;
    cr_assert_eq(remap_vision_measure(m, &s, &map, &err), REMAP_EINVAL);
    cr_assert_not_null(strstr(err.msg, "frequency 0"), "%s", err.msg);
    remap_vision_map_free(&map); /* zeroed: harmless */
    remap_model_destroy(m);
    remap_scenario_destroy(sc);

    const char *hand[] = {"sheets.skin.density=12",
                          "sheets.cortex.density=12"};
    cr_assert_eq(remap_scenario_load_default(hand, 2, &sc, &err), REMAP_OK,
                 "%s", err.msg);
    m = create(sc);
    cr_assert_eq(remap_vision_measure(m, NULL, &map, &err), REMAP_EINVAL);
    cr_assert_not_null(strstr(err.msg, "not in a visual layout"), "%s",
                       err.msg);
    remap_model_destroy(m);
    remap_scenario_destroy(sc);
}

/* Bitwise equality of the state a resume must reproduce. */
static void same_state(const remap_model *a, const remap_model *b)
{
    const remap_geometry *g = &a->geom;
    size_t u = (size_t)g->units, px = (size_t)g->retina_n * (size_t)g->retina_n;
    cr_assert_eq(a->iteration, b->iteration);
    cr_assert(!memcmp(a->weights, b->weights, u * (size_t)g->cf_len * 4),
              "afferent weights differ");
    for (int q = 0; q < 2; q++) {
        cr_assert_eq(g->lat_plastic[q], 1);
        cr_assert(!memcmp(a->lateral[q], b->lateral[q],
                          u * (size_t)g->lat_len[q] * 4),
                  "lateral weights %d differ", q);
    }
    cr_assert(!memcmp(a->threshold, b->threshold, u * 4), "thresholds");
    cr_assert(!memcmp(a->avg_activity, b->avg_activity, u * 4), "averages");
    cr_assert(!memcmp(a->activity, b->activity, u * 4), "activity");
    cr_assert(!memcmp(a->input, b->input, (size_t)g->receptors * 4), "input");
    cr_assert(!memcmp(a->retina_gain, b->retina_gain,
                      (size_t)g->eyes * px * 4),
              "retina gains differ");
}

/* Both lateral projections plastic, so both are state. */
static const char *const plastic[] = {
    "projections.lateral_excitatory.plastic=true",
    "projections.lateral_excitatory.learning_rate=0.2"};

Test(vision, checkpoint_resumes_bit_for_bit)
{
    remap_scenario *sc = load_v1("binocular", "4", plastic, 2);
    remap_model *a = create(sc);
    step(a, 40);
    /* A scotoma in the left eye: the retina gains are state. */
    remap_shape disc = {.kind = REMAP_SHAPE_DISC, .cx = 0.3f, .cy = 0.6f,
                        .radius = 0.15f};
    cr_assert_gt(remap_model_retinal_lesion(a, &disc, 1u), 0);
    remap_error err;
    cr_assert_eq(remap_model_push(a, &err), REMAP_OK, "%s", err.msg);
    step(a, 40);
    cr_assert_eq(remap_model_pull(a, &err), REMAP_OK, "%s", err.msg);
    char path[400];
    snprintf(path, sizeof path, "%s/a.h5", tmp);
    cr_assert_eq(remap_checkpoint_save(path, a, sc->resolved_text, NULL, NULL,
                                       NULL, &err),
                 REMAP_OK, "%s", err.msg);

    remap_model *b = create(sc);
    cr_assert_eq(remap_checkpoint_load(path, b, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_eq(remap_model_push(b, &err), REMAP_OK, "%s", err.msg);
    same_state(a, b);
    step(a, 40);
    step(b, 40);
    same_state(a, b);
    remap_model_destroy(a);
    remap_model_destroy(b);
    remap_scenario_destroy(sc);
}

/* Reads a float dataset of cortex_n^2 values from a checkpoint. */
static void read_map(const char *path, const char *name, float *out)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    cr_assert_geq(ds, 0, "no %s in %s", name, path);
    cr_assert_geq(H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL,
                          H5P_DEFAULT, out),
                  0);
    H5Dclose(ds);
    H5Fclose(f);
}

static remap_status run_into(const remap_scenario *sc, const char *sub,
                             const char *resume, uint64_t last,
                             remap_run_summary *sum, remap_error *err)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", tmp, sub);
    remap_run_options opt = {.out_dir = dir, .resume = resume,
                             .iterations = last, .reference = true};
    return remap_run(sc, &opt, sum, err);
}

static remap_model *load_state(const remap_scenario *sc, const char *path)
{
    remap_model *m = create(sc);
    remap_error err;
    cr_assert_eq(remap_checkpoint_load(path, m, &err), REMAP_OK, "%s",
                 err.msg);
    return m;
}

static const char *const short_run[] = {
    "projections.lateral_excitatory.plastic=true", "measure.interval=30",
    "checkpoint.interval=30"};

Test(vision, run_resumes_and_stores_the_maps)
{
    remap_scenario *sc = load_v1("binocular", "5", short_run, 3);
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(run_into(sc, "straight", NULL, 60, &sum, &err), REMAP_OK,
                 "%s", err.msg);
    char straight[4096];
    snprintf(straight, sizeof straight, "%s", sum.last_checkpoint);
    cr_assert(sum.measured && sum.measures.visual);
    cr_assert_eq(run_into(sc, "split", NULL, 30, &sum, &err), REMAP_OK, "%s",
                 err.msg);
    char half[600];
    snprintf(half, sizeof half, "%s/split/checkpoints/checkpoint-00000030.h5",
             tmp);
    cr_assert_eq(run_into(sc, "split", half, 60, &sum, &err), REMAP_OK, "%s",
                 err.msg);
    remap_model *a = load_state(sc, straight);
    remap_model *b = load_state(sc, sum.last_checkpoint);
    cr_assert_eq(a->iteration, 60);
    same_state(a, b);

    /* The stored maps are those of the stored state. */
    remap_vision_map map;
    measure(b, &map);
    size_t n = (size_t)b->geom.units;
    float *stored = malloc(n * sizeof(float));
    cr_assert_not_null(stored);
    const char *names[3] = {"/measures/vision/preference",
                            "/measures/vision/selectivity",
                            "/measures/vision/od"};
    const float *mine[3] = {map.preference, map.selectivity, map.od};
    for (int i = 0; i < 3; i++) {
        read_map(sum.last_checkpoint, names[i], stored);
        cr_assert(!memcmp(stored, mine[i], n * sizeof(float)),
                  "%s differs from the map of the stored state", names[i]);
    }
    free(stored);
    remap_vision_map_free(&map);
    remap_model_destroy(a);
    remap_model_destroy(b);
    remap_scenario_destroy(sc);
}

/* A checkpoint whose lateral weights hold a synapse where none can be
 * (slot 0, a corner outside the circle) is refused, naming it. */
Test(vision, lateral_weight_outside_the_circle_is_refused)
{
    remap_scenario *sc = load_v1("retina", "2", plastic, 2);
    remap_model *a = create(sc);
    char path[400];
    snprintf(path, sizeof path, "%s/bad.h5", tmp);
    remap_error err;
    a->lateral[1][0] = 0.5f; /* unit 0, slot (-r, -r) */
    cr_assert_eq(remap_checkpoint_save(path, a, sc->resolved_text, NULL, NULL,
                                       NULL, &err),
                 REMAP_OK, "%s", err.msg);
    remap_model *b = create(sc);
    cr_assert_eq(remap_checkpoint_load(path, b, &err), REMAP_EFORMAT);
    cr_assert(strstr(err.msg, "/state/lateral_inhibitory[0, 0] is 0.5 where "
                              "no synapse is"),
              "%s", err.msg);
    remap_model_destroy(a);
    remap_model_destroy(b);
    remap_scenario_destroy(sc);
}

/* A visual field's picture is ON minus OFF, summed over the eyes. */
Test(vision, field_value_is_on_minus_off)
{
    remap_scenario *sc = load_v1("binocular", "1", NULL, 0);
    remap_model *m = create(sc);
    const remap_geometry *g = &m->geom;
    int u = 7, a = g->cf_area / 2;
    float *w = m->weights + (size_t)u * (size_t)g->cf_len;
    float on_l = 0.25f, off_l = 0.5f, on_r = 2.0f, off_r = 0.125f;
    w[a] = on_l;
    w[g->cf_area + a] = off_l;
    w[2 * g->cf_area + a] = on_r;
    w[3 * g->cf_area + a] = off_r;
    cr_assert_float_eq(remap_field_slot_value(m, u, a),
                       (on_l - off_l) + (on_r - off_r), 1e-6f);
    remap_model_destroy(m);
    remap_scenario_destroy(sc);
}

/* A checkpoint written after an event at the same iteration stores the
 * maps of the state after the event, not those measured before it. */
Test(vision, checkpoint_after_an_event_has_fresh_maps)
{
    char *text = NULL;
    size_t len = 0;
    remap_error err;
    cr_assert_eq(remap_read_file(REMAP_SOURCE_DIR
                                 "/scenarios/v1-development.yaml",
                                 &text, &len, &err),
                 REMAP_OK, "%s", err.msg);
    const char *timeline =
        "\ntimeline:\n"
        "  - at: 30\n"
        "    scotoma: {disc: {centre: [0.5, 0.5], radius: 0.3}}\n"
        "  - at: 30\n"
        "    checkpoint: {label: after}\n";
    char *doc = malloc(len + strlen(timeline) + 1);
    cr_assert_not_null(doc);
    memcpy(doc, text, len);
    strcpy(doc + len, timeline);
    free(text);
    const char *ov[] = {"sheets.cortex.density=24", "sheets.skin.density=12",
                        "measure.interval=30"};
    remap_scenario *sc = NULL;
    cr_assert_eq(remap_scenario_load_text("v1.yaml", doc, ov, 3, &sc, &err),
                 REMAP_OK, "%s", err.msg);
    free(doc);
    remap_run_summary sum;
    cr_assert_eq(run_into(sc, "event", NULL, 40, &sum, &err), REMAP_OK, "%s",
                 err.msg);
    char path[600];
    snprintf(path, sizeof path,
             "%s/event/checkpoints/checkpoint-00000030-after.h5", tmp);
    remap_model *m = load_state(sc, path);
    cr_assert_eq(m->iteration, 30);
    remap_vision_map map;
    measure(m, &map);
    size_t n = (size_t)m->geom.units;
    float *stored = malloc(n * sizeof(float));
    cr_assert_not_null(stored);
    read_map(path, "/measures/vision/selectivity", stored);
    cr_assert(!memcmp(stored, map.selectivity, n * sizeof(float)),
              "the checkpoint's selectivity is not that of its state");
    free(stored);
    remap_vision_map_free(&map);
    remap_model_destroy(m);
    remap_scenario_destroy(sc);
}

/* The header of a visual run's metrics.csv: the map columns, no probe
 * columns, od_* only with two eyes; every row's selectivity in (0, 1]. */
static void check_metrics(const char *layout, bool binocular)
{
    remap_scenario *sc = load_v1(layout, "6", short_run + 1, 1);
    remap_run_summary sum;
    remap_error err;
    cr_assert_eq(run_into(sc, layout, NULL, 60, &sum, &err), REMAP_OK, "%s",
                 err.msg);
    char path[600];
    snprintf(path, sizeof path, "%s/%s/metrics.csv", tmp, layout);
    remap_metrics_table t;
    cr_assert_eq(remap_metrics_table_read(path, &t, &err), REMAP_OK, "%s",
                 err.msg);
    const char *want[] = {"selectivity_mean", "pinwheels", "pinwheel_density",
                          "hypercolumn", "mean_activity", "mean_threshold",
                          "active_units", "dead_units", "events"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_geq(remap_metrics_table_column(&t, want[i]), 0,
                      "%s: no column %s", layout, want[i]);
    cr_assert_eq(remap_metrics_table_column(&t, "od_mean") >= 0, binocular);
    cr_assert_eq(remap_metrics_table_column(&t, "od_spread") >= 0, binocular);
    cr_assert_lt(remap_metrics_table_column(&t, "topographic_error"), 0);
    cr_assert_eq(t.rows, 3); /* iterations 0, 30, 60 */
    int sel = remap_metrics_table_column(&t, "selectivity_mean");
    for (size_t r = 0; r < t.rows; r++) {
        double v = remap_metrics_table_value(&t, r, sel);
        cr_assert(v > 0.0 && v <= 1.0, "row %zu: selectivity %g", r, v);
    }
    double last = remap_metrics_table_value(&t, t.rows - 1, sel);
    cr_assert_float_eq(last, (double)sum.measures.selectivity_mean, 1e-5);
    remap_metrics_table_free(&t);
    remap_scenario_destroy(sc);
}

Test(vision, metrics_have_the_map_columns_binocular)
{
    check_metrics("binocular", true);
}

Test(vision, metrics_have_the_map_columns_retina)
{
    check_metrics("retina", false);
}
