/* Model parameters: the numbers that define a simulation, their GCAL
 * defaults, and a table that names each one by its scenario path so that
 * timeline `set` events can change it. Host memory only; no OpenCL here. */
#ifndef REMAP_PARAMS_H
#define REMAP_PARAMS_H

#include "core/status.h"

#include <stdbool.h>
#include <stddef.h>

/* Regions of the input sheet. Labels are stored per receptor as uint8; a
 * layout uses labels 0 .. count-1 of at most REMAP_REGION_COUNT. */
enum remap_region {
    REMAP_REGION_PALM = 0,
    REMAP_REGION_D1,
    REMAP_REGION_D2,
    REMAP_REGION_D3,
    REMAP_REGION_D4,
    REMAP_REGION_D5,
    REMAP_REGION_COUNT
};

/* How the input sheet is divided into regions (sheets.skin.layout). */
enum remap_layout {
    /* The hand: palm across the bottom 40%, five digit strips above it,
     * D1 at the left. Regions palm, d1 .. d5. */
    REMAP_LAYOUT_HAND = 0,
    /* Two input modalities side by side on one input sheet: "vision" in
     * the left half, "touch" in the right half (labels 0 and 1). */
    REMAP_LAYOUT_MODALITIES = 1,
    /* Vision (docs/model.md, "Visual pathway"): the input sheet is an LGN
     * of ON and OFF cells fed by one retina (region "eye") or by two
     * (regions "left" and "right"), each region the whole sheet. Stimuli
     * are drawn on the retina; the afferent fields span every channel. */
    REMAP_LAYOUT_RETINA = 2,
    REMAP_LAYOUT_BINOCULAR = 3,
    REMAP_LAYOUT_COUNT
};

/* Scenario names of the layouts ("hand", "modalities") and back (-1). */
const char *remap_layout_name(int layout);
int remap_layout_from_name(const char *name);

/* Regions a layout uses. */
int remap_layout_region_count(int layout);

/* True for the layouts whose input is the visual pathway. */
int remap_layout_is_visual(int layout);

/* Eyes of a visual layout (1 or 2; 0 for the others). */
int remap_layout_eyes(int layout);

/* Scenario-facing region names of a layout ("palm", "d1" … "d5";
 * "vision", "touch"); "?" outside the layout. */
const char *remap_layout_region_name(int layout, int region);
/* Region index for a name in a layout, or -1. */
int remap_layout_region_from_name(int layout, const char *name);

/* Rectangle of a region: [x0,x1) x [y0,y1), sheet units. */
void remap_layout_bounds(int layout, int region, float *x0, float *y0,
                         float *x1, float *y1);
/* Region label of the point (x, y) of the input sheet. */
int remap_layout_region_at(int layout, float x, float y);

/* Hand-layout names, kept for the frequency parameter paths. */
const char *remap_region_name(int region);
int remap_region_from_name(const char *name);

typedef struct remap_sheet_params {
    float density; /* units per unit length; the sheet spans [0,1]^2 */
} remap_sheet_params;

/* Learning rules of a plastic projection (projections.afferent.rule). */
enum remap_rule {
    /* Hebbian growth with divisive normalisation of each field (GCAL). */
    REMAP_RULE_HEBBIAN = 0,
    /* BCM: dw = alpha x y (y - theta_M), theta_M <- theta_M +
     * eta (y^2 / mu - theta_M) with mu the target rate; weights kept
     * >= 0, no normalisation. */
    REMAP_RULE_BCM = 1,
    REMAP_RULE_COUNT
};
const char *remap_rule_name(int rule);     /* "hebbian", "bcm" */
int remap_rule_from_name(const char *name); /* or -1 */

/* Gaussian touches on one region at a time. */
typedef struct remap_stimulus_params {
    float sigma; /* touch width, skin sheet units */
    float peak;  /* activation at the touch centre */
    /* Relative frequency with which each region is touched; all zero means
     * "proportional to the region's skin area". */
    float frequency[REMAP_REGION_COUNT];
    /* Visual layouts: `count` elongated Gaussians per image (sigma across,
     * aspect * sigma along), centres uniform over [-spread, 1 + spread]^2
     * of the sheet, orientations uniform, combined by their maximum. With
     * two eyes both see the same Gaussians, each eye's image scaled by
     * 1 - eye_difference * u (u uniform, drawn per eye). */
    float aspect;
    int count;
    float spread;
    float eye_difference;
    /* Visual layouts with natural images (stimulus.images): image pixels
     * per sheet unit, the scale at which a retina image samples its image;
     * 0 means the retina's density (one image pixel per retina pixel). */
    float image_scale;
} remap_stimulus_params;

/* The LGN of the visual layouts (GCAL): each ON (OFF) cell responds with
 * [strength * (DoG * retina) / (gain_constant + gain_strength *
 * (G_gain * |DoG * retina|+))]+, the DoG centre minus surround (surround
 * minus centre), every Gaussian normalised and cut at `radius`. */
typedef struct remap_lgn_params {
    float centre_sigma, surround_sigma, gain_sigma; /* sheet units */
    float radius;        /* reach of the three kernels, sheet units */
    float strength;      /* gamma_O */
    float gain_strength; /* gamma_S */
    float gain_constant; /* k */
} remap_lgn_params;

/* Structural plasticity of a projection: every `interval` iterations a
 * live synapse whose weight has stayed below floor / (synapses of a full
 * initial field) for `patience` checks in a row is pruned, and an absent
 * synapse inside the maximal field sprouts with probability sprout_rate *
 * (its receptor's input trace / the mean trace), favouring active inputs. */
typedef struct remap_structural_params {
    float max_radius;  /* maximal field radius, skin units; 0: off */
    float floor;       /* weight floor, relative to a uniform field */
    int patience;      /* checks below the floor before pruning */
    int interval;      /* iterations between checks */
    float sprout_rate; /* sprouting probability per absent synapse */
    float trace;       /* smoothing rate of each receptor's input trace */
} remap_structural_params;

/* Synaptic scaling toward a target rate: each unit's afferent drive is
 * multiplied by a scale s <- s / (1 + rate (ybar - target) / target). */
typedef struct remap_scaling_params {
    float rate;   /* beta_n; 0: off */
    float target; /* a*: target average activity */
} remap_scaling_params;

typedef struct remap_afferent_params {
    float radius;        /* connection field radius, skin sheet units */
    float sigma;         /* Gaussian envelope of the initial weights */
    float strength;      /* gamma_A */
    float learning_rate; /* alpha_A, divided by the synapses in a full field */
    int rule;            /* enum remap_rule */
    float bcm_rate;      /* BCM: eta of the sliding threshold theta_M */
    remap_scaling_params scaling;
    remap_structural_params structural;
} remap_afferent_params;

/* A lateral projection: a shared isotropic kernel (a normalised Gaussian
 * within a radius), or, when plastic, per-unit weights that start as the
 * same Gaussian times uniform noise, normalised over the units on the
 * sheet, and learn like the afferent weights (GCAL's lateral
 * inhibition). */
typedef struct remap_lateral_params {
    float radius;   /* cortical sheet units */
    float sigma;    /* Gaussian width, cortical sheet units */
    float strength; /* gamma_E (> 0) or gamma_I (< 0) */
    int plastic;    /* 0: shared kernel; 1: per-unit plastic weights */
    float learning_rate; /* alpha, divided by the synapses in a full field */
} remap_lateral_params;

typedef struct remap_homeostasis_params {
    float smoothing;         /* beta: ybar <- (1-beta) y + beta ybar */
    float rate;              /* lambda: theta <- theta + lambda (ybar - mu) */
    float target;            /* mu: target average activity */
    float initial_threshold; /* theta_0 */
} remap_homeostasis_params;

/* Age: learning and threshold adaptation are multiplied by
 * adult + (1 - adult) exp(-age / critical_period), age = offset + iteration
 * (clamped at 0). A critical period of 0 turns the curve off (factor 1). */
typedef struct remap_age_params {
    float critical_period; /* tau, iterations */
    float adult;           /* plasticity left in adulthood, [0, 1] */
    float offset;          /* age at iteration 0, iterations */
} remap_age_params;

/* Sleep: no external input; spontaneous input of amplitude `noise` at
 * each receptor; no Hebbian growth; every live synapse weaker than
 * weak * (the field's mean live weight) shrinks by the fraction
 * `downscale` per iteration before the field is normalised again. */
typedef struct remap_sleep_params {
    float noise;
    float downscale;
    float weak;
} remap_sleep_params;

typedef struct remap_params {
    int layout; /* enum remap_layout of the input sheet */
    remap_sheet_params skin;
    remap_sheet_params cortex;
    remap_stimulus_params stimulus;
    remap_lgn_params lgn;
    remap_afferent_params afferent;
    remap_lateral_params excitatory;
    remap_lateral_params inhibitory;
    int settle_steps; /* lateral settling steps per iteration */
    remap_homeostasis_params homeostasis;
    float modulation; /* global neuromodulatory factor on learning */
    remap_age_params age;
    remap_sleep_params sleep;
} remap_params;

/* Fills p with the defaults (GCAL's values where GCAL has one; MODEL.md). */
void remap_params_default(remap_params *p);

/* Checks every value against its allowed range and the relations between
 * them (a radius larger than the sheet, too few receptors per field …).
 * On failure err names the parameter path and the allowed range. */
remap_status remap_params_validate(const remap_params *p, remap_error *err);

/* One named scalar parameter. */
typedef struct remap_param_info {
    const char *path;  /* scenario path, e.g. "projections.afferent.learning_rate" */
    size_t offset;     /* byte offset of the float (or int) in remap_params */
    bool is_int;       /* stored as int rather than float */
    bool runtime;      /* may change during a run (timeline `set`) */
    double min, max;   /* allowed closed range */
    const char *doc;   /* one line for the scenario reference */
    /* For a choice (stored as int 0 .. n-1): the names, NULL-terminated,
     * that scenario files use instead of numbers; NULL for a number. */
    const char *const *choices;
} remap_param_info;

/* The table of all scalar parameters, and its length. */
const remap_param_info *remap_param_table(size_t *count);

/* Looks up a parameter by path; NULL if unknown. */
const remap_param_info *remap_param_find(const char *path);

/* Sets the parameter at path to value after checking its range. Fails with
 * REMAP_EINVAL naming the path (and the nearest known path when unknown). */
remap_status remap_param_set(remap_params *p, const char *path, double value,
                             remap_error *err);

/* Reads the parameter described by info from p. */
double remap_param_get(const remap_params *p, const remap_param_info *info);

#endif
