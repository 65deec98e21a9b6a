/* Model parameters: the numbers that define a simulation, their GCAL
 * defaults, and a table that names each one by its scenario path so that
 * timeline `set` events can change it. Host memory only; no OpenCL here. */
#ifndef REMAP_PARAMS_H
#define REMAP_PARAMS_H

#include "core/status.h"

#include <stdbool.h>
#include <stddef.h>

/* Skin regions of the hand. Labels are stored per receptor as uint8. */
enum remap_region {
    REMAP_REGION_PALM = 0,
    REMAP_REGION_D1,
    REMAP_REGION_D2,
    REMAP_REGION_D3,
    REMAP_REGION_D4,
    REMAP_REGION_D5,
    REMAP_REGION_COUNT
};

/* Scenario-facing region names: "palm", "d1" … "d5". */
const char *remap_region_name(int region);
/* Region index for a name, or -1. */
int remap_region_from_name(const char *name);

typedef struct remap_sheet_params {
    float density; /* units per unit length; the sheet spans [0,1]^2 */
} remap_sheet_params;

/* Gaussian touches on one region at a time. */
typedef struct remap_stimulus_params {
    float sigma; /* touch width, skin sheet units */
    float peak;  /* activation at the touch centre */
    /* Relative frequency with which each region is touched; all zero means
     * "proportional to the region's skin area". */
    float frequency[REMAP_REGION_COUNT];
} remap_stimulus_params;

typedef struct remap_afferent_params {
    float radius;        /* connection field radius, skin sheet units */
    float sigma;         /* Gaussian envelope of the initial weights */
    float strength;      /* gamma_A */
    float learning_rate; /* alpha_A, divided by the synapses in a full field */
} remap_afferent_params;

/* A shared isotropic lateral kernel: normalised Gaussian within a radius. */
typedef struct remap_lateral_params {
    float radius;   /* cortical sheet units */
    float sigma;    /* Gaussian width, cortical sheet units */
    float strength; /* gamma_E (> 0) or gamma_I (< 0) */
} remap_lateral_params;

typedef struct remap_homeostasis_params {
    float smoothing;         /* beta: ybar <- (1-beta) y + beta ybar */
    float rate;              /* lambda: theta <- theta + lambda (ybar - mu) */
    float target;            /* mu: target average activity */
    float initial_threshold; /* theta_0 */
} remap_homeostasis_params;

typedef struct remap_params {
    remap_sheet_params skin;
    remap_sheet_params cortex;
    remap_stimulus_params stimulus;
    remap_afferent_params afferent;
    remap_lateral_params excitatory;
    remap_lateral_params inhibitory;
    int settle_steps; /* lateral settling steps per iteration */
    remap_homeostasis_params homeostasis;
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
