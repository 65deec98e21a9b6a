/* Map measures computed from the host copy of the model state: receptive
 * field centres and sizes, cortical area per region, skin coverage and
 * topographic order. The caller pulls the state from the backend first. */
#ifndef REMAP_MEASURE_H
#define REMAP_MEASURE_H

#include "model/model.h"

#include <stdint.h>

typedef struct remap_measures {
    uint64_t iteration;
    /* Fraction of responsive units whose field weight lies mostly in each
     * region, and each region's share of the skin, for comparison. */
    float area[REMAP_REGION_COUNT];
    float skin_share[REMAP_REGION_COUNT];
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
} remap_measures;

/* Per-unit results, kept in checkpoints. A unit with no afferent weight
 * left has centre NaN and preferred region -1. */
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

/* Measures the host state of m. Probe touches (the stimulus shape, centred
 * on a grid of receptors inside each region, at most about max_probes of
 * them) are answered by the afferent drive, without settling, so a
 * measurement does not disturb the state. counts_before ([units] activity
 * counters at an earlier point, or NULL for the start of the run) sets the
 * span over which active_units counts. */
remap_status remap_measure(const remap_model *m, int max_probes,
                           const uint32_t *counts_before,
                           remap_unit_maps *maps, remap_measures *out,
                           remap_error *err);

/* The metrics.csv header line and one row (no newline). */
const char *remap_measures_csv_header(void);
void remap_measures_csv_row(const remap_measures *ms, char *buf, size_t size);

#endif
