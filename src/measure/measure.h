/* Map measures computed from the host copy of the model state: receptive
 * field centres and sizes, cortical area and magnification per region,
 * skin coverage, topographic order, population decoding, and the measures
 * of lesions (perilesional cortex, affected skin), of an enriched spot and
 * of structural plasticity. The caller pulls the state from the backend
 * first. Definitions and reasons: docs/measures.md. */
#ifndef REMAP_MEASURE_H
#define REMAP_MEASURE_H

#include "model/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Distance (cortical sheet units) from a dead unit within which living
 * units count as perilesional. */
#define REMAP_PERILESION_RING 0.1f

/* A responsive unit's field is multi-region when at least this share of
 * its weight lies outside its preferred region. */
#define REMAP_MULTI_REGION_SHARE 0.25f

/* Synapses below this fraction of their field's mean live weight are
 * weak (the weak_share measure; sleep downscales such synapses). */
#define REMAP_WEAK_LEVEL 0.5f

/* An affected probe counts as localised when decoded within this many
 * stimulus sigmas of its true position. */
#define REMAP_LOCALISED_SIGMAS 2.0f

/* Per-region arrays hold REMAP_REGION_COUNT entries, of which the first
 * `regions` (the layout's) are used; the rest are 0. A measure with nothing
 * to count (no dead unit, no spot, no affected skin) is 0; a mean decode
 * error over no answered probe, when there were probes, is NaN. */
typedef struct remap_measures {
    uint64_t iteration;
    int regions; /* regions of the model's layout */
    /* Fraction of the living cortex that each region drives most (a
     * unit's region is that of the probe evoking its strongest response;
     * units no probe drives count for no region), and each region's share
     * of the skin, for comparison. */
    float area[REMAP_REGION_COUNT];
    float skin_share[REMAP_REGION_COUNT];
    float magnification[REMAP_REGION_COUNT]; /* area / skin_share */
    float region_rf_size[REMAP_REGION_COUNT]; /* mean rf area of the units
                                                 the region drives most */
    float rf_size;           /* mean receptive-field area, skin units^2 */
    float coverage;          /* fraction of probe touches that evoke a response */
    float topographic_error; /* fraction of answered probes whose best and
                                second-best units are not neighbours */
    float mean_activity;     /* mean smoothed activity ybar */
    float mean_threshold;    /* mean adaptive threshold */
    int probes;              /* probe touches used */
    int responsive_units;    /* units answering at least one probe */
    int distinct_winners;    /* units that are the best for some probe */
    int active_units;        /* units active in some iteration since the
                                counts passed as counts_before */

    /* Perilesional cortex: living responsive units within
     * REMAP_PERILESION_RING of a dead unit. */
    float perilesion[REMAP_REGION_COUNT]; /* fraction each region drives */
    float perilesion_rf_size;             /* their mean rf area */
    int perilesion_units;                 /* their count */

    float multi_region_rf; /* fraction of responsive units with at least
                              REMAP_MULTI_REGION_SHARE of field weight
                              outside the preferred region */
    float decode_error;    /* mean distance, skin units, between an answered
                              probe and its population-decoded position */

    /* Skin marked affected by remap_measure_affected. */
    int affected_probes;         /* probes centred on affected receptors */
    float affected_localised;    /* fraction of them answered and decoded
                                    within REMAP_LOCALISED_SIGMAS sigma */
    float affected_decode_error; /* mean decode error of the answered ones */

    /* The enriched spot (cond.spot), once one was set. */
    float spot_area;    /* fraction of the living cortex whose responsive
                           units have their field centre in it */
    float spot_rf_size; /* their mean rf area */

    float live_synapses; /* mean live synapses per living unit */
    float weak_share;    /* mean share of a living unit's field weight held
                            by weak synapses (below REMAP_WEAK_LEVEL times
                            the field's mean live weight) */
    int dead_units;      /* units with gain 0 */

    /* Visual layouts (visual true): probe touches mean nothing on a
     * retina, so the probe measures above stay 0 (topographic_error 1,
     * decode_error NaN) and the maps' measures (measure/vision.h) are
     * filled in by the caller that measures them (the run). */
    bool visual;
    int eyes;               /* 1 or 2; 0 outside the visual layouts */
    float selectivity_mean; /* mean orientation selectivity */
    int pinwheels;          /* pinwheels of the preference map */
    float pinwheel_density; /* per hypercolumn area; NaN when the map has
                               no measurable period */
    float hypercolumn;      /* hypercolumn size, sheet units; NaN likewise */
    float od_mean, od_spread; /* ocular dominance (two eyes; else 0) */
} remap_measures;

/* Per-unit results, kept in checkpoints. A unit with no afferent weight
 * left has centre NaN and preferred region -1. The maps read the weights
 * only: a dead unit keeps the field its weights encode. */
typedef struct remap_unit_maps {
    float *rf_centre;         /* [units][2] field centre of mass, skin units */
    int8_t *preferred_region; /* [units] region holding most field weight */
} remap_unit_maps;

/* Allocates maps for a model's geometry. */
remap_status remap_unit_maps_create(const remap_geometry *g,
                                    remap_unit_maps *maps, remap_error *err);
void remap_unit_maps_destroy(remap_unit_maps *maps);

/* Fills maps from the host weights of m (remap_measure does this too). */
remap_status remap_unit_maps_compute(const remap_model *m,
                                     remap_unit_maps *maps, remap_error *err);

/* Measures the host state of m. In a visual layout only the measures
 * that need no probe are taken (out->visual set; the caller adds the map
 * measures). Probe touches (the stimulus shape, centred
 * on a grid of receptors inside each region, at most about max_probes of
 * them; 0: every receptor) are answered by the afferent drive, without
 * settling, so a measurement does not disturb the state. A probe touches
 * one place: it is rendered without fusion (cond.co_touch), with each
 * receptor's gain (a deafferented region's probes are silent). The
 * response of unit u is unit_gain[u] strength drive_scale[u] sum w x; a
 * dead unit (gain 0) never responds. counts_before ([units] activity
 * counters at an earlier point, or NULL for the start of the run) sets the
 * span over which active_units counts. */
remap_status remap_measure(const remap_model *m, int max_probes,
                           const uint32_t *counts_before,
                           remap_unit_maps *maps, remap_measures *out,
                           remap_error *err);

/* Marks the skin a lesion deprived of its best unit. Every receptor is a
 * probe place: a probe touch there is answered with the unit gains
 * gain_before ([units], the gains before the lesion); when it was answered
 * and its best unit is dead now (m->unit_gain 0), affected[receptor] is set
 * to 1. Marks are OR-ed into affected ([receptors]), so a second lesion
 * adds to the first. *count receives the places this call marked (already
 * marked ones included). The weights must be those of the lesion's
 * iteration (a lesion does not change them). */
remap_status remap_measure_affected(const remap_model *m,
                                    const float *gain_before,
                                    uint8_t *affected, int *count,
                                    remap_error *err);

/* The metrics.csv header line for m's layout, without the newline (region
 * columns named after its regions: area_palm ... area_d5, or area_vision,
 * area_touch; in the visual layouts the map columns instead of the probe
 * ones, docs/measures.md), and one row matching it (no newline),
 * iteration first.
 * Output that does not fit in size bytes is cut off (always terminated). */
void remap_measures_csv_header(const remap_model *m, char *buf, size_t size);
void remap_measures_csv_row(const remap_measures *ms, char *buf, size_t size);

#endif
