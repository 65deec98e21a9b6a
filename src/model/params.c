/* Parameter defaults, ranges and the path table used by `set` events. */
#include "model/params.h"

#include "core/suggest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const region_names[REMAP_REGION_COUNT] = {
    "palm", "d1", "d2", "d3", "d4", "d5",
};

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
}

#define F(field) offsetof(remap_params, field), false
#define I(field) offsetof(remap_params, field), true

static const remap_param_info param_table[] = {
    {"sheets.skin.density", F(skin.density), false, 4, 512,
     "receptors per unit length of skin (the skin spans [0,1]^2)"},
    {"sheets.cortex.density", F(cortex.density), false, 4, 4096,
     "cortical units per unit length (the cortex spans [0,1]^2)"},
    {"stimulus.sigma", F(stimulus.sigma), true, 0.005, 1,
     "width (sigma) of a Gaussian touch, skin units"},
    {"stimulus.peak", F(stimulus.peak), true, 0, 100,
     "activation of the receptor under the touch centre"},
    {"stimulus.frequency.palm", F(stimulus.frequency[0]), true, 0, 1e6,
     "relative touch frequency of the palm (all zero: by area)"},
    {"stimulus.frequency.d1", F(stimulus.frequency[1]), true, 0, 1e6,
     "relative touch frequency of digit 1"},
    {"stimulus.frequency.d2", F(stimulus.frequency[2]), true, 0, 1e6,
     "relative touch frequency of digit 2"},
    {"stimulus.frequency.d3", F(stimulus.frequency[3]), true, 0, 1e6,
     "relative touch frequency of digit 3"},
    {"stimulus.frequency.d4", F(stimulus.frequency[4]), true, 0, 1e6,
     "relative touch frequency of digit 4"},
    {"stimulus.frequency.d5", F(stimulus.frequency[5]), true, 0, 1e6,
     "relative touch frequency of digit 5"},
    {"projections.afferent.radius", F(afferent.radius), false, 0.01, 1,
     "afferent connection field radius, skin units"},
    {"projections.afferent.sigma", F(afferent.sigma), false, 0.005, 10,
     "Gaussian envelope (sigma) of the initial afferent weights"},
    {"projections.afferent.strength", F(afferent.strength), true, 0, 100,
     "afferent gain gamma_A"},
    {"projections.afferent.learning_rate", F(afferent.learning_rate), true, 0,
     100, "Hebbian rate alpha_A (per field: divided by its synapse count)"},
    {"projections.lateral_excitatory.radius", F(excitatory.radius), false, 0,
     1, "lateral excitatory kernel radius, cortical units"},
    {"projections.lateral_excitatory.sigma", F(excitatory.sigma), false, 0.001,
     10, "lateral excitatory Gaussian sigma, cortical units"},
    {"projections.lateral_excitatory.strength", F(excitatory.strength), true,
     0, 1000, "lateral excitatory gain gamma_E"},
    {"projections.lateral_inhibitory.radius", F(inhibitory.radius), false, 0,
     1, "lateral inhibitory kernel radius, cortical units"},
    {"projections.lateral_inhibitory.sigma", F(inhibitory.sigma), false, 0.001,
     10, "lateral inhibitory Gaussian sigma, cortical units"},
    {"projections.lateral_inhibitory.strength", F(inhibitory.strength), true,
     -1000, 0, "lateral inhibitory gain gamma_I (negative)"},
    {"settling.steps", I(settle_steps), false, 0, 64,
     "lateral settling steps per iteration"},
    {"homeostasis.smoothing", F(homeostasis.smoothing), true, 0, 0.99999,
     "beta: smoothing of the average activity"},
    {"homeostasis.rate", F(homeostasis.rate), true, 0, 1,
     "lambda: threshold adaptation rate"},
    {"homeostasis.target", F(homeostasis.target), true, 0, 1,
     "mu: target average activity"},
    {"homeostasis.initial_threshold", F(homeostasis.initial_threshold), false,
     -10, 10, "theta_0: initial threshold"},
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
    if (p->excitatory.radius > p->inhibitory.radius)
        return remap_fail(err, REMAP_EINVAL,
                          "projections.lateral_excitatory.radius: %g exceeds "
                          "the inhibitory radius %g",
                          (double)p->excitatory.radius,
                          (double)p->inhibitory.radius);
    return REMAP_OK;
}
