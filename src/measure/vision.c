/* The orientation and ocular-dominance maps of a visual model: every unit's
 * afferent response to full-field sine gratings on the retina, vector-
 * averaged over orientation (peak over phase), and the pinwheel statistics
 * of the preference map. docs/orientation.md has the definitions. */
#include "measure/vision.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

void remap_vision_settings_default(remap_vision_settings *s)
{
    s->orientations = 8;
    s->phases = 8;
    s->frequency = 2.4f;
    s->contrast = 0.5f;
}

void remap_vision_map_free(remap_vision_map *map)
{
    if (!map)
        return;
    free(map->preference);
    free(map->selectivity);
    free(map->od);
    memset(map, 0, sizeof *map);
}

static remap_status check_settings(const remap_vision_settings *s,
                                   remap_error *err)
{
    if (s->orientations < 2 || s->orientations > REMAP_VISION_MAX_STEPS)
        return remap_fail(err, REMAP_EINVAL,
                          "vision measure: orientations is %d, need 2 to %d",
                          s->orientations, REMAP_VISION_MAX_STEPS);
    if (s->phases < 1 || s->phases > REMAP_VISION_MAX_STEPS)
        return remap_fail(err, REMAP_EINVAL,
                          "vision measure: phases is %d, need 1 to %d",
                          s->phases, REMAP_VISION_MAX_STEPS);
    if (!(s->frequency > 0.0f) || !isfinite(s->frequency))
        return remap_fail(err, REMAP_EINVAL,
                          "vision measure: frequency %g is not a positive "
                          "number of cycles per sheet unit",
                          (double)s->frequency);
    if (!(s->contrast > 0.0f) || !isfinite(s->contrast))
        return remap_fail(err, REMAP_EINVAL,
                          "vision measure: contrast %g is not a positive "
                          "number",
                          (double)s->contrast);
    return REMAP_OK;
}

/* Scratch space of one measurement: presentations are made
 * REMAP_AFFERENT_BATCH at a time, their LGN inputs side by side, and the
 * afferent responses to a batch taken together. */
typedef struct bench {
    const remap_model *m;
    const remap_vision_settings *s;
    size_t pixels;
    float *grating; /* [pixels] */
    float *images;  /* [eyes][pixels] */
    float *input;   /* [receptors] */
    float *batch;   /* [receptors][REMAP_AFFERENT_BATCH] */
    float *drive;   /* [units][REMAP_AFFERENT_BATCH] */
} bench;

/* The LGN's response to grating (k, p) shown to the eyes in the mask (the
 * others see black), into column `column` of b->batch (of n). */
static remap_status present(bench *b, int k, int p, unsigned eyes,
                            int column, int n, remap_error *err)
{
    const remap_model *m = b->m;
    const remap_geometry *g = &m->geom;
    remap_grating gr = {
        .orientation = (float)(PI * (double)k / (double)b->s->orientations),
        .phase = (float)(2.0 * PI * (double)p / (double)b->s->phases),
        .frequency = b->s->frequency,
        .amplitude = b->s->contrast,
        .offset = b->s->contrast,
    };
    for (size_t i = 0; i < b->pixels; i++) {
        float x, y;
        remap_retina_position(g, (int)i, &x, &y);
        float v = remap_grating_value(&gr, x, y);
        /* sin can round a hair past -1; the retina is never negative. */
        b->grating[i] = v > 0.0f ? v : 0.0f;
    }
    for (int e = 0; e < g->eyes; e++) {
        float *img = b->images + (size_t)e * b->pixels;
        const float *gain = m->retina_gain + (size_t)e * b->pixels;
        bool shown = (eyes >> e) & 1u;
        for (size_t i = 0; i < b->pixels; i++)
            img[i] = shown ? b->grating[i] * gain[i] : 0.0f;
    }
    /* A closed (deafferented) eye is opened for the measurement, as an
     * experimenter opens a sutured eye: the maps show what the weights
     * have become. A scotoma stays: that retina is damaged. */
    remap_status st = remap_lgn_respond(m, b->images, NULL, b->input, err);
    if (st)
        return st;
    for (int r = 0; r < g->receptors; r++)
        b->batch[(size_t)r * (size_t)n + (size_t)column] = b->input[r];
    return REMAP_OK;
}

/* Every unit's response to every grating, resp[(u K + k) P + p], with
 * both eyes seeing it, and with two eyes each eye's strongest response
 * over all gratings, the other eye seeing black, into peak[eye][unit]
 * (NULL with one eye). With two eyes each grating is shown to one eye at
 * a time and the two responses are added: the LGN treats the eyes apart
 * and the afferent response is linear in its input, so the sum is the
 * response to both, and no grating is presented three times. */
static remap_status grating_responses(bench *b, float *resp, float *peak,
                                      remap_error *err)
{
    const remap_geometry *g = &b->m->geom;
    size_t units = (size_t)g->units;
    int K = b->s->orientations, P = b->s->phases, E = g->eyes;
    size_t stride = (size_t)K * (size_t)P;
    /* Presentation q is grating (k, p) = (q / E / P, q / E % P), to eye
     * q % E alone with two eyes, to the one eye otherwise. */
    int count = K * P * E;
    for (int first = 0; first < count; first += REMAP_AFFERENT_BATCH) {
        int n = count - first < REMAP_AFFERENT_BATCH ? count - first
                                                     : REMAP_AFFERENT_BATCH;
        for (int i = 0; i < n; i++) {
            int q = first + i, e = q % E;
            remap_status st = present(b, q / E / P, q / E % P,
                                      E == 1 ? 1u : 1u << e, i, n, err);
            if (st)
                return st;
        }
        remap_afferent_responses(b->m, b->batch, n, b->drive);
        /* In presentation order, each response times the unit's gain, so
         * a dead unit answers 0. */
        for (int i = 0; i < n; i++) {
            int q = first + i, e = q % E;
            float *r = resp + (size_t)(q / E);
            float *pk = peak ? peak + (size_t)e * units : NULL;
            for (size_t u = 0; u < units; u++) {
                float d = b->drive[u * (size_t)n + (size_t)i] *
                          b->m->unit_gain[u];
                r[u * stride] = e == 0 ? d : r[u * stride] + d;
                if (pk)
                    pk[u] = d > pk[u] ? d : pk[u];
            }
        }
    }
    return REMAP_OK;
}

/* The ocular dominance of the living units from each eye's peak
 * response (dead units 0). */
static remap_status od_map(const remap_model *m, const float *peak,
                           remap_vision_map *out, remap_error *err)
{
    size_t units = (size_t)m->geom.units;
    float *left = malloc(units * sizeof(float));
    float *right = malloc(units * sizeof(float));
    float *odi = malloc(units * sizeof(float));
    remap_status st = REMAP_OK;
    if (!left || !right || !odi) {
        st = remap_fail(err, REMAP_ENOMEM, "vision measure: out of memory");
        goto done;
    }
    /* The means and spread are over the living units only. */
    int n = 0;
    for (size_t u = 0; u < units; u++) {
        if (m->unit_gain[u] == 0.0f)
            continue;
        left[n] = peak[u];
        right[n] = peak[units + u];
        n++;
    }
    if (n > 0 &&
        (st = remap_ocular_dominance(left, right, n, odi, &out->od_mean,
                                     &out->od_spread, err)))
        goto done;
    for (size_t u = 0, i = 0; u < units; u++)
        out->od[u] = m->unit_gain[u] == 0.0f ? 0.0f : odi[i++];
done:
    free(left), free(right), free(odi);
    return st;
}

/* Pinwheels, hypercolumn size and density; a map without a measurable
 * period still has its pinwheels counted. */
static remap_status map_stats(const remap_model *m, remap_vision_map *out,
                              remap_error *err)
{
    int n = m->geom.cortex_n;
    if (n < REMAP_ORMAP_MIN_SIDE)
        return REMAP_OK;
    remap_ormap_options opt = {.periodic = 0, .window = 1};
    /* The sheet spans one unit: cortex_n units per sheet unit. */
    remap_error inner;
    remap_status st = remap_ormap_measure(out->preference, NULL, n, (float)n,
                                          &opt, &out->stats, NULL, 0, &inner);
    if (st == REMAP_OK) {
        out->stats_ok = true;
        return REMAP_OK;
    }
    if (st != REMAP_ENUMERIC) {
        if (err)
            *err = inner;
        return st;
    }
    remap_ormap_stats s = {0};
    remap_pinwheel *all = NULL;
    int total = 0;
    if ((st = remap_pinwheels_find(out->preference, NULL, n, &opt, NULL, 0,
                                   &total, &s.crossings, err)))
        return st;
    if (total > 0 && !(all = malloc((size_t)total * sizeof *all)))
        return remap_fail(err, REMAP_ENOMEM, "vision measure: out of memory");
    if (total > 0 &&
        (st = remap_pinwheels_find(out->preference, NULL, n, &opt, all, total,
                                   &s.pinwheels, NULL, err))) {
        free(all);
        return st;
    }
    for (int i = 0; i < s.pinwheels; i++) {
        s.positive += all[i].charge > 0;
        s.negative += all[i].charge < 0;
    }
    free(all);
    s.area = (float)((n - 1) * (n - 1));
    out->stats = s;
    return REMAP_OK;
}

remap_status remap_vision_measure(const remap_model *m,
                                  const remap_vision_settings *s,
                                  remap_vision_map *out, remap_error *err)
{
    if (!m || !out)
        return remap_fail(err, REMAP_EINVAL,
                          "vision measure: model and map must not be NULL");
    memset(out, 0, sizeof *out);
    const remap_geometry *g = &m->geom;
    if (g->eyes < 1)
        return remap_fail(err, REMAP_EINVAL,
                          "vision measure: the model is not in a visual "
                          "layout (sheets.skin.layout: retina or "
                          "binocular)");
    remap_vision_settings defaults;
    remap_vision_settings_default(&defaults);
    if (!s)
        s = &defaults;
    remap_status st = check_settings(s, err);
    if (st)
        return st;

    size_t units = (size_t)g->units;
    float *resp = NULL, *peak = NULL;
    bench b = {.m = m, .s = s,
               .pixels = (size_t)g->retina_n * (size_t)g->retina_n};
    b.grating = malloc(b.pixels * sizeof(float));
    b.images = malloc((size_t)g->eyes * b.pixels * sizeof(float));
    b.input = malloc((size_t)g->receptors * sizeof(float));
    b.batch = malloc((size_t)g->receptors * REMAP_AFFERENT_BATCH *
                     sizeof(float));
    b.drive = malloc(units * REMAP_AFFERENT_BATCH * sizeof(float));
    out->iteration = m->iteration;
    out->units = g->units;
    out->eyes = g->eyes;
    out->settings = *s;
    out->preference = malloc(units * sizeof(float));
    out->selectivity = malloc(units * sizeof(float));
    if (g->eyes == 2)
        out->od = calloc(units, sizeof(float));
    if (!b.grating || !b.images || !b.input || !b.batch || !b.drive ||
        !out->preference ||
        !out->selectivity || (g->eyes == 2 && !out->od)) {
        st = remap_fail(err, REMAP_ENOMEM, "vision measure: out of memory");
        goto done;
    }
    size_t grid = (size_t)s->orientations * (size_t)s->phases;
    resp = malloc(units * grid * sizeof(float));
    if (g->eyes == 2)
        peak = calloc(2 * units, sizeof(float));
    if (!resp || (g->eyes == 2 && !peak)) {
        st = remap_fail(err, REMAP_ENOMEM, "vision measure: out of memory");
        goto done;
    }
    if ((st = grating_responses(&b, resp, peak, err)) ||
        (st = remap_orientation_from_responses(
             resp, g->units, s->orientations, s->phases, out->preference,
             out->selectivity, err)))
        goto done;
    double sel = 0.0;
    for (size_t u = 0; u < units; u++) {
        if (m->unit_gain[u] == 0.0f)
            continue;
        out->living++;
        sel += (double)out->selectivity[u];
    }
    out->selectivity_mean =
        out->living ? (float)(sel / (double)out->living) : 0.0f;
    if (g->eyes == 2 && (st = od_map(m, peak, out, err)))
        goto done;
    st = map_stats(m, out, err);
done:
    free(b.grating), free(b.images), free(b.input), free(b.batch);
    free(b.drive);
    free(resp), free(peak);
    if (st)
        remap_vision_map_free(out);
    return st;
}
