/* Parameter defaults, ranges and the path table used by `set` events. */
#include "model/params.h"

#include "core/suggest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const region_names[REMAP_REGION_COUNT] = {
    "palm", "d1", "d2", "d3", "d4", "d5",
};

static const char *const layout_names[] = {"hand", "modalities", "retina",
                                           "binocular", NULL};
static const char *const modality_names[] = {"vision", "touch"};
static const char *const eye_names[] = {"left", "right"};
static const char *const bool_names[] = {"false", "true", NULL};
static const char *const rule_names[] = {"hebbian", "bcm", NULL};

const char *remap_layout_name(int layout)
{
    return layout >= 0 && layout < REMAP_LAYOUT_COUNT ? layout_names[layout]
                                                       : "?";
}

int remap_layout_from_name(const char *name)
{
    for (int i = 0; i < REMAP_LAYOUT_COUNT; i++)
        if (strcmp(name, layout_names[i]) == 0)
            return i;
    return -1;
}

const char *remap_rule_name(int rule)
{
    return rule >= 0 && rule < REMAP_RULE_COUNT ? rule_names[rule] : "?";
}

int remap_rule_from_name(const char *name)
{
    for (int i = 0; i < REMAP_RULE_COUNT; i++)
        if (strcmp(name, rule_names[i]) == 0)
            return i;
    return -1;
}

int remap_layout_is_visual(int layout)
{
    return layout == REMAP_LAYOUT_RETINA || layout == REMAP_LAYOUT_BINOCULAR;
}

int remap_layout_eyes(int layout)
{
    return layout == REMAP_LAYOUT_RETINA      ? 1
           : layout == REMAP_LAYOUT_BINOCULAR ? 2
                                              : 0;
}

int remap_layout_region_count(int layout)
{
    switch (layout) {
    case REMAP_LAYOUT_MODALITIES:
    case REMAP_LAYOUT_BINOCULAR:
        return 2;
    case REMAP_LAYOUT_RETINA:
        return 1;
    default:
        return REMAP_REGION_COUNT;
    }
}

const char *remap_layout_region_name(int layout, int region)
{
    if (region < 0 || region >= remap_layout_region_count(layout))
        return "?";
    switch (layout) {
    case REMAP_LAYOUT_MODALITIES:
        return modality_names[region];
    case REMAP_LAYOUT_RETINA:
        return "eye";
    case REMAP_LAYOUT_BINOCULAR:
        return eye_names[region];
    default:
        return region_names[region];
    }
}

int remap_layout_region_from_name(int layout, const char *name)
{
    for (int r = 0; r < remap_layout_region_count(layout); r++)
        if (strcmp(name, remap_layout_region_name(layout, r)) == 0)
            return r;
    return -1;
}

/* The hand: the palm across the bottom 40% of the skin, the five digits as
 * vertical strips above it, D1 at the left. */
#define PALM_TOP 0.4f

void remap_layout_bounds(int layout, int region, float *x0, float *y0,
                         float *x1, float *y1)
{
    if (remap_layout_is_visual(layout)) {
        /* Each eye sees the whole sheet. */
        *x0 = 0.0f, *y0 = 0.0f, *x1 = 1.0f, *y1 = 1.0f;
        return;
    }
    if (layout == REMAP_LAYOUT_MODALITIES) {
        *x0 = region == 0 ? 0.0f : 0.5f;
        *x1 = region == 0 ? 0.5f : 1.0f;
        *y0 = 0.0f, *y1 = 1.0f;
        return;
    }
    if (region == REMAP_REGION_PALM) {
        *x0 = 0.0f, *y0 = 0.0f, *x1 = 1.0f, *y1 = PALM_TOP;
        return;
    }
    int k = region - REMAP_REGION_D1;
    *x0 = (float)k / 5.0f;
    *x1 = (float)(k + 1) / 5.0f;
    *y0 = PALM_TOP;
    *y1 = 1.0f;
}

int remap_layout_region_at(int layout, float x, float y)
{
    if (remap_layout_is_visual(layout))
        return 0; /* the eye of a position is its channel's, not its place's */
    if (layout == REMAP_LAYOUT_MODALITIES)
        return x < 0.5f ? 0 : 1;
    if (y < PALM_TOP)
        return REMAP_REGION_PALM;
    int k = (int)(x * 5.0f);
    if (k > 4)
        k = 4;
    return REMAP_REGION_D1 + k;
}

const char *remap_region_name(int region)
{
    if (region < 0 || region >= REMAP_REGION_COUNT)
        return "?";
    return region_names[region];
}

int remap_region_from_name(const char *name)
{
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        if (strcmp(name, region_names[r]) == 0)
            return r;
    return -1;
}

void remap_params_default(remap_params *p)
{
    memset(p, 0, sizeof *p);
    /* GCAL's LGN density for the input sheet; the cortex at half GCAL's V1
     * density (98) so the default runs in minutes on a CPU. */
    p->skin.density = 24.0f;
    p->cortex.density = 48.0f;
    p->stimulus.sigma = 0.06f;
    p->stimulus.peak = 1.0f;
    /* GCAL: gamma_A 1.5, alpha_A 0.1. GCAL's afferent radius (0.27) spans
     * two digits of the hand and breaks a touch into several patches of
     * activity; a field of 0.15 gives one patch per touch (docs/model.md). */
    p->afferent.radius = 0.15f;
    p->afferent.sigma = 0.1f;
    p->afferent.strength = 1.5f;
    p->afferent.learning_rate = 0.1f;
    /* GCAL lateral kernels: Gaussian "size" 0.05 and 0.15, i.e. sigma
     * 0.025 and 0.075, within radii 0.104 and 0.229. */
    p->excitatory.radius = 0.104f;
    p->excitatory.sigma = 0.025f;
    p->excitatory.strength = 1.7f;
    p->inhibitory.radius = 0.229f;
    p->inhibitory.sigma = 0.075f;
    p->inhibitory.strength = -1.4f;
    p->settle_steps = 16;
    p->homeostasis.smoothing = 0.991f;
    p->homeostasis.rate = 0.01f;
    p->homeostasis.target = 0.024f;
    p->homeostasis.initial_threshold = 0.2f;
    p->layout = REMAP_LAYOUT_HAND;
    p->afferent.rule = REMAP_RULE_HEBBIAN;
    p->afferent.bcm_rate = 0.01f;
    p->afferent.scaling.rate = 0.0f;
    p->afferent.scaling.target = 0.024f;
    p->afferent.structural.max_radius = 0.0f;
    p->afferent.structural.floor = 0.1f;
    p->afferent.structural.patience = 5;
    p->afferent.structural.interval = 100;
    p->afferent.structural.sprout_rate = 0.02f;
    p->afferent.structural.trace = 0.01f;
    /* The visual pathway (used by the retina layouts): GCAL's values
     * (MODEL.md); Topographica's Gaussian "size" 0.088 is a sigma of
     * 0.044 across the bar. */
    p->stimulus.aspect = 4.66667f;
    p->stimulus.count = 2;
    p->stimulus.spread = 0.25f;
    p->stimulus.eye_difference = 0.5f;
    p->stimulus.image_scale = 0.0f;
    p->lgn.centre_sigma = 0.037f;
    p->lgn.surround_sigma = 0.15f;
    p->lgn.gain_sigma = 0.125f;
    p->lgn.radius = 0.375f;
    p->lgn.strength = 14.0f;
    p->lgn.gain_strength = 0.6f;
    p->lgn.gain_constant = 0.11f;
    p->excitatory.learning_rate = 0.0f;
    p->inhibitory.learning_rate = 0.3f;
    p->modulation = 1.0f;
    p->age.critical_period = 0.0f;
    p->age.adult = 0.2f;
    p->age.offset = 0.0f;
    p->sleep.noise = 0.1f;
    p->sleep.downscale = 0.0002f;
    p->sleep.weak = 0.5f;
}

#define F(field) offsetof(remap_params, field), false
#define I(field) offsetof(remap_params, field), true

static const remap_param_info param_table[] = {
    {"sheets.skin.layout", I(layout), false, 0, REMAP_LAYOUT_COUNT - 1,
     "regions of the input sheet: hand (palm, d1..d5) or modalities "
     "(vision, touch), retina (one eye through an LGN) or binocular (two)",
     layout_names},
    {"sheets.skin.density", F(skin.density), false, 4, 512,
     "receptors per unit length of skin (the skin spans [0,1]^2)", NULL},
    {"sheets.cortex.density", F(cortex.density), false, 4, 4096,
     "cortical units per unit length (the cortex spans [0,1]^2)", NULL},
    {"stimulus.sigma", F(stimulus.sigma), true, 0.005, 1,
     "width (sigma) of a Gaussian touch, skin units", NULL},
    {"stimulus.peak", F(stimulus.peak), true, 0, 100,
     "activation of the receptor under the touch centre", NULL},
    {"stimulus.frequency.palm", F(stimulus.frequency[0]), true, 0, 1e6,
     "relative touch frequency of the palm (all zero: by area)", NULL},
    {"stimulus.frequency.d1", F(stimulus.frequency[1]), true, 0, 1e6,
     "relative touch frequency of digit 1", NULL},
    {"stimulus.frequency.d2", F(stimulus.frequency[2]), true, 0, 1e6,
     "relative touch frequency of digit 2", NULL},
    {"stimulus.frequency.d3", F(stimulus.frequency[3]), true, 0, 1e6,
     "relative touch frequency of digit 3", NULL},
    {"stimulus.frequency.d4", F(stimulus.frequency[4]), true, 0, 1e6,
     "relative touch frequency of digit 4", NULL},
    {"stimulus.frequency.d5", F(stimulus.frequency[5]), true, 0, 1e6,
     "relative touch frequency of digit 5", NULL},
    {"stimulus.aspect", F(stimulus.aspect), true, 1, 100,
     "visual: length of a Gaussian bar over its width (sigma)", NULL},
    {"stimulus.count", I(stimulus.count), true, 1, 64,
     "visual: Gaussian bars per image", NULL},
    {"stimulus.spread", F(stimulus.spread), true, 0, 2,
     "visual: bar centres lie in [-spread, 1 + spread]^2", NULL},
    {"stimulus.eye_difference", F(stimulus.eye_difference), true, 0, 1,
     "binocular: each eye's brightness is 1 - eye_difference * uniform", NULL},
    {"stimulus.image_scale", F(stimulus.image_scale), false, 0, 4096,
     "visual, with stimulus.images: image pixels per sheet unit (0: one per "
     "retina pixel)", NULL},
    {"lgn.centre_sigma", F(lgn.centre_sigma), false, 0.001, 1,
     "visual: sigma of the LGN centre Gaussian, sheet units", NULL},
    {"lgn.surround_sigma", F(lgn.surround_sigma), false, 0.001, 1,
     "visual: sigma of the LGN surround Gaussian, sheet units", NULL},
    {"lgn.gain_sigma", F(lgn.gain_sigma), false, 0.001, 1,
     "visual: sigma of the LGN contrast-gain pool, sheet units", NULL},
    {"lgn.radius", F(lgn.radius), false, 0.01, 1,
     "visual: reach of the LGN kernels, sheet units", NULL},
    {"lgn.strength", F(lgn.strength), true, 0, 1000,
     "visual: LGN gain gamma_O", NULL},
    {"lgn.gain_strength", F(lgn.gain_strength), true, 0, 1000,
     "visual: strength gamma_S of the contrast-gain pool", NULL},
    {"lgn.gain_constant", F(lgn.gain_constant), true, 1e-6, 1000,
     "visual: constant k of the contrast-gain divisor", NULL},
    {"projections.afferent.radius", F(afferent.radius), false, 0.01, 1,
     "afferent connection field radius, skin units", NULL},
    {"projections.afferent.sigma", F(afferent.sigma), false, 0.005, 10,
     "Gaussian envelope (sigma) of the initial afferent weights", NULL},
    {"projections.afferent.strength", F(afferent.strength), true, 0, 100,
     "afferent gain gamma_A", NULL},
    {"projections.afferent.learning_rate", F(afferent.learning_rate), true, 0,
     100, "Hebbian rate alpha_A (per field: divided by its synapse count)", NULL},
    {"projections.afferent.rule", I(afferent.rule), false, 0,
     REMAP_RULE_COUNT - 1,
     "learning rule: hebbian (with normalisation) or bcm", rule_names},
    {"projections.afferent.bcm_rate", F(afferent.bcm_rate), true, 0, 1,
     "BCM: rate of the sliding threshold theta_M", NULL},
    {"projections.afferent.scaling.rate", F(afferent.scaling.rate), true, 0, 1,
     "synaptic scaling rate beta_n (0: off)", NULL},
    {"projections.afferent.scaling.target", F(afferent.scaling.target), true,
     1e-6, 1, "synaptic scaling target rate a*", NULL},
    {"projections.afferent.structural.max_radius",
     F(afferent.structural.max_radius), false, 0, 1,
     "structural plasticity: maximal field radius, skin units (0: off)", NULL},
    {"projections.afferent.structural.floor", F(afferent.structural.floor),
     true, 0, 1, "structural plasticity: weight floor relative to a uniform "
     "field", NULL},
    {"projections.afferent.structural.patience",
     I(afferent.structural.patience), true, 1, 255,
     "structural plasticity: checks below the floor before pruning", NULL},
    {"projections.afferent.structural.interval",
     I(afferent.structural.interval), true, 1, 1000000,
     "structural plasticity: iterations between checks", NULL},
    {"projections.afferent.structural.sprout_rate",
     F(afferent.structural.sprout_rate), true, 0, 1,
     "structural plasticity: sprouting probability per absent synapse", NULL},
    {"projections.afferent.structural.trace", F(afferent.structural.trace),
     true, 1e-6, 1,
     "structural plasticity: smoothing rate of the receptor input trace", NULL},
    {"projections.lateral_excitatory.radius", F(excitatory.radius), false, 0,
     1, "lateral excitatory kernel radius, cortical units", NULL},
    {"projections.lateral_excitatory.sigma", F(excitatory.sigma), false, 0.001,
     10, "lateral excitatory Gaussian sigma, cortical units", NULL},
    {"projections.lateral_excitatory.strength", F(excitatory.strength), true,
     0, 1000, "lateral excitatory gain gamma_E", NULL},
    {"projections.lateral_excitatory.plastic", I(excitatory.plastic), false, 0,
     1, "per-unit plastic weights (true) or a shared kernel (false)",
     bool_names},
    {"projections.lateral_excitatory.learning_rate",
     F(excitatory.learning_rate), true, 0, 100,
     "Hebbian rate alpha_E of plastic weights (per field)", NULL},
    {"projections.lateral_inhibitory.radius", F(inhibitory.radius), false, 0,
     1, "lateral inhibitory kernel radius, cortical units", NULL},
    {"projections.lateral_inhibitory.sigma", F(inhibitory.sigma), false, 0.001,
     10, "lateral inhibitory Gaussian sigma, cortical units", NULL},
    {"projections.lateral_inhibitory.strength", F(inhibitory.strength), true,
     -1000, 0, "lateral inhibitory gain gamma_I (negative)", NULL},
    {"projections.lateral_inhibitory.plastic", I(inhibitory.plastic), false, 0,
     1, "per-unit plastic weights (true) or a shared kernel (false)",
     bool_names},
    {"projections.lateral_inhibitory.learning_rate",
     F(inhibitory.learning_rate), true, 0, 100,
     "Hebbian rate alpha_I of plastic weights (per field)", NULL},
    {"settling.steps", I(settle_steps), false, 0, 64,
     "lateral settling steps per iteration", NULL},
    {"homeostasis.smoothing", F(homeostasis.smoothing), true, 0, 0.99999,
     "beta: smoothing of the average activity", NULL},
    {"homeostasis.rate", F(homeostasis.rate), true, 0, 1,
     "lambda: threshold adaptation rate", NULL},
    {"homeostasis.target", F(homeostasis.target), true, 0, 1,
     "mu: target average activity", NULL},
    {"homeostasis.initial_threshold", F(homeostasis.initial_threshold), false,
     -10, 10, "theta_0: initial threshold", NULL},
    {"plasticity.modulation", F(modulation), true, 0, 100,
     "global neuromodulatory factor on learning (three-factor rule)", NULL},
    {"age.critical_period", F(age.critical_period), true, 0, 1e9,
     "iterations over which plasticity falls to its adult level (0: off)", NULL},
    {"age.adult", F(age.adult), true, 0, 1,
     "plasticity left in adulthood, as a fraction", NULL},
    {"age.offset", F(age.offset), true, -1e12, 1e12,
     "age at iteration 0, in iterations", NULL},
    {"sleep.noise", F(sleep.noise), true, 0, 10,
     "amplitude of spontaneous input during sleep", NULL},
    {"sleep.downscale", F(sleep.downscale), true, 0, 1,
     "fraction by which weak synapses shrink per iteration of sleep", NULL},
    {"sleep.weak", F(sleep.weak), true, 0, 10,
     "a synapse is weak below this fraction of its field's mean weight", NULL},
};

#undef F
#undef I

#define PARAM_COUNT (sizeof param_table / sizeof param_table[0])

const remap_param_info *remap_param_table(size_t *count)
{
    *count = PARAM_COUNT;
    return param_table;
}

const remap_param_info *remap_param_find(const char *path)
{
    for (size_t i = 0; i < PARAM_COUNT; i++)
        if (strcmp(param_table[i].path, path) == 0)
            return &param_table[i];
    return NULL;
}

double remap_param_get(const remap_params *p, const remap_param_info *info)
{
    const char *base = (const char *)p + info->offset;
    if (info->is_int)
        return *(const int *)(const void *)base;
    return *(const float *)(const void *)base;
}

static void param_store(remap_params *p, const remap_param_info *info,
                        double value)
{
    char *base = (char *)p + info->offset;
    if (info->is_int)
        *(int *)(void *)base = (int)value;
    else
        *(float *)(void *)base = (float)value;
}

remap_status remap_param_set(remap_params *p, const char *path, double value,
                             remap_error *err)
{
    const remap_param_info *info = remap_param_find(path);
    if (!info) {
        const char *names[PARAM_COUNT];
        for (size_t i = 0; i < PARAM_COUNT; i++)
            names[i] = param_table[i].path;
        const char *near = remap_suggest(path, names, PARAM_COUNT);
        if (near)
            return remap_fail(err, REMAP_EINVAL,
                              "unknown parameter '%s' (did you mean '%s'?)",
                              path, near);
        return remap_fail(err, REMAP_EINVAL, "unknown parameter '%s'", path);
    }
    if (!isfinite(value) || value < info->min || value > info->max)
        return remap_fail(err, REMAP_EINVAL,
                          "%s: value %g is out of range [%g, %g]", path, value,
                          info->min, info->max);
    if (info->is_int && value != floor(value))
        return remap_fail(err, REMAP_EINVAL,
                          "%s: value %g must be a whole number", path, value);
    param_store(p, info, value);
    return REMAP_OK;
}

remap_status remap_params_validate(const remap_params *p, remap_error *err)
{
    for (size_t i = 0; i < PARAM_COUNT; i++) {
        const remap_param_info *info = &param_table[i];
        double v = remap_param_get(p, info);
        /* A float holds the bound as written only to float precision. */
        double lo = info->is_int ? info->min : (double)(float)info->min;
        double hi = info->is_int ? info->max : (double)(float)info->max;
        if (!isfinite(v) || v < lo || v > hi)
            return remap_fail(err, REMAP_EINVAL,
                              "%s: value %g is out of range [%g, %g]",
                              param_table[i].path, v, param_table[i].min,
                              param_table[i].max);
    }
    /* Relations between values. */
    if (p->afferent.radius * p->skin.density < 1.0f)
        return remap_fail(err, REMAP_EINVAL,
                          "projections.afferent.radius: %g reaches less than "
                          "one receptor at skin density %g (allowed range "
                          "[%g, 1])",
                          (double)p->afferent.radius, (double)p->skin.density,
                          1.0 / (double)p->skin.density);
    if (p->afferent.structural.max_radius > 0.0f &&
        p->afferent.structural.max_radius < p->afferent.radius)
        return remap_fail(err, REMAP_EINVAL,
                          "projections.afferent.structural.max_radius: %g is "
                          "smaller than the field radius %g (0 turns "
                          "structural plasticity off)",
                          (double)p->afferent.structural.max_radius,
                          (double)p->afferent.radius);
    if (remap_layout_is_visual(p->layout)) {
        if (p->afferent.rule != REMAP_RULE_HEBBIAN)
            return remap_fail(err, REMAP_EINVAL,
                              "projections.afferent.rule: the visual layouts "
                              "learn with the Hebbian rule only");
        if (p->afferent.structural.max_radius > 0.0f)
            return remap_fail(err, REMAP_EINVAL,
                              "projections.afferent.structural.max_radius: "
                              "structural plasticity is not available in "
                              "the visual layouts (give 0)");
        if (!(p->lgn.centre_sigma < p->lgn.surround_sigma))
            return remap_fail(err, REMAP_EINVAL,
                              "lgn.centre_sigma: %g must be smaller than "
                              "lgn.surround_sigma %g",
                              (double)p->lgn.centre_sigma,
                              (double)p->lgn.surround_sigma);
        /* The DoG and the gain pool (when it acts) are cut at lgn.radius:
         * within two sigmas of the wider Gaussian, much of its surround
         * would be missing and the cells would no longer balance ON and
         * OFF. */
        bool pool = p->lgn.gain_strength > 0.0f &&
                    p->lgn.gain_sigma > p->lgn.surround_sigma;
        float wide = pool ? p->lgn.gain_sigma : p->lgn.surround_sigma;
        if (p->lgn.radius < 2.0f * wide)
            return remap_fail(err, REMAP_EINVAL,
                              "lgn.radius: %g cuts the LGN's Gaussians "
                              "(lgn.%s %g) within two sigmas; give at least "
                              "%g",
                              (double)p->lgn.radius,
                              pool ? "gain_sigma" : "surround_sigma",
                              (double)wide, (double)(2.0f * wide));
    }
    if (p->excitatory.radius > p->inhibitory.radius)
        return remap_fail(err, REMAP_EINVAL,
                          "projections.lateral_excitatory.radius: %g exceeds "
                          "the inhibitory radius %g",
                          (double)p->excitatory.radius,
                          (double)p->inhibitory.radius);
    return REMAP_OK;
}
