/* Orientation and ocular-dominance maps of a model in a visual layout,
 * measured as in GCAL (Stevens et al. 2013): sine gratings on the retina,
 * through the LGN, and the afferent response of every unit (no lateral
 * settling), vector-averaged over orientations (peak over phases). Reads
 * the host arrays: pull first. Host memory only. Definitions:
 * docs/orientation.md. */
#ifndef REMAP_VISION_H
#define REMAP_VISION_H

#include "core/status.h"
#include "measure/orientation.h"
#include "model/model.h"

#include <stdbool.h>
#include <stdint.h>

/* Most orientations and phases a measurement takes (each costs one pass
 * of the LGN and of every afferent field). */
#define REMAP_VISION_MAX_STEPS 64

/* How the maps are measured (written beside the results). */
typedef struct remap_vision_settings {
    int orientations; /* evenly over [0, pi), 2 .. REMAP_VISION_MAX_STEPS */
    int phases;       /* evenly over [0, 2 pi), 1 .. REMAP_VISION_MAX_STEPS */
    float frequency;  /* cycles per sheet unit */
    float contrast;   /* grating amplitude; mean = amplitude (never < 0) */
} remap_vision_settings;

/* The defaults: 8 orientations, 8 phases, 2.4 cycles per unit (about
 * GCAL's hypercolumn at density 48), amplitude 0.5. */
void remap_vision_settings_default(remap_vision_settings *s);

/* A measured map. Arrays have m->geom.units entries, row-major like the
 * cortex; od is NULL with one eye. A dead unit (unit_gain 0) responds to
 * nothing: preference, selectivity and od 0, and it is left out of the
 * means and the spread. */
typedef struct remap_vision_map {
    uint64_t iteration; /* the model's, when measured */
    int units;
    int eyes;
    int living;         /* units with unit_gain > 0 */
    float *preference;  /* radians in [0, pi) */
    float *selectivity; /* [0, 1] */
    float *od;          /* (R - L) / (R + L) in [-1, 1], or NULL */
    float selectivity_mean; /* over the living units */
    float od_mean, od_spread; /* over the living units; 0 with one eye */
    /* Pinwheels, hypercolumn size and density of the preference map (all
     * units weighted alike, non-periodic, Hann-windowed). The pinwheels
     * are always counted (stats.pinwheels, positive, negative, crossings,
     * area); stats_ok false when the map has no measurable period (a
     * young map: REMAP_ENUMERIC from remap_hypercolumn_size) or the sheet
     * is smaller than REMAP_ORMAP_MIN_SIDE, and then k_peak, lambda,
     * lambda_sheet and density are 0 (and the pinwheels too on a sheet
     * too small). */
    bool stats_ok;
    remap_ormap_stats stats;
    remap_vision_settings settings;
} remap_vision_map;

/* Measures m's maps into out (arrays allocated here; free with
 * remap_vision_map_free; out is zeroed first, so freeing it after a
 * failure is safe). s NULL: the defaults. The stimuli pass the model's
 * retina gains (a scotoma stays blind to them) but not its receptor gains:
 * a silenced eye is opened for the measurement, as a deprived eye is in
 * an experiment. Errors: REMAP_EINVAL for a NULL model or map, a model
 * that is not in a visual layout or bad settings (naming the setting),
 * REMAP_ENOMEM. */
remap_status remap_vision_measure(const remap_model *m,
                                  const remap_vision_settings *s,
                                  remap_vision_map *out, remap_error *err);

/* Frees the arrays and zeroes the map. NULL does nothing. */
void remap_vision_map_free(remap_vision_map *map);

#endif
