/* Orientation and ocular-dominance maps of a model in a visual layout,
 * measured as in GCAL (Stevens et al. 2013): sine gratings on the retina,
 * through the LGN, and the afferent response of every unit (no lateral
 * settling), vector-averaged over orientations (peak over phases). Reads
 * the host arrays: pull first. Host memory only. */
#ifndef REMAP_VISION_H
#define REMAP_VISION_H

#include "core/status.h"
#include "measure/orientation.h"
#include "model/model.h"

#include <stdbool.h>

/* How the maps are measured (written beside the results). */
typedef struct remap_vision_settings {
    int orientations; /* evenly over [0, pi) */
    int phases;       /* evenly over [0, 2 pi) */
    float frequency;  /* cycles per sheet unit */
    float contrast;   /* grating amplitude; mean = amplitude (never < 0) */
} remap_vision_settings;

/* The defaults: 8 orientations, 8 phases, 2.4 cycles per unit (about
 * GCAL's hypercolumn at density 48), amplitude 0.5. */
void remap_vision_settings_default(remap_vision_settings *s);

/* A measured map. Arrays have m->geom.units entries, row-major like the
 * cortex; od is NULL with one eye. */
typedef struct remap_vision_map {
    int units;
    float *preference;  /* radians in [0, pi) */
    float *selectivity; /* [0, 1] */
    float *od;          /* (R - L) / (R + L) in [-1, 1], or NULL */
    float selectivity_mean;
    float od_mean, od_spread; /* 0 with one eye */
    /* Pinwheels, hypercolumn size and density of the preference map;
     * stats_ok false when the map has no measurable period (a young map:
     * REMAP_ENUMERIC from remap_hypercolumn_size), stats then zero. */
    bool stats_ok;
    remap_ormap_stats stats;
    remap_vision_settings settings;
} remap_vision_map;

/* Measures m's maps into out (arrays allocated here; free with
 * remap_vision_map_free). Errors: REMAP_EINVAL for a model that is not in
 * a visual layout or bad settings (naming the setting), REMAP_ENOMEM. */
remap_status remap_vision_measure(const remap_model *m,
                                  const remap_vision_settings *s,
                                  remap_vision_map *out, remap_error *err);

void remap_vision_map_free(remap_vision_map *map);

#endif
