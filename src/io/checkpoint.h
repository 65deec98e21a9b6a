/* Checkpoints: a model's parameters and state in one HDF5 file, written
 * atomically (temporary name + rename). The layout is in docs/checkpoint.md.
 * Host memory only: callers pull the state from the backend before saving
 * and push it back after loading. */
#ifndef REMAP_CHECKPOINT_H
#define REMAP_CHECKPOINT_H

#include "core/status.h"
#include "measure/vision.h"
#include "model/model.h"

#include <stdint.h>

/* The layout version this build writes and the newest it reads. */
#define REMAP_CHECKPOINT_VERSION 1

/* A checkpoint's header: enough to rebuild the model before loading state. */
typedef struct remap_checkpoint_info {
    int format_version;
    uint64_t iteration; /* iterations completed when saved */
    uint64_t seed;
    char *scenario_text; /* malloc'd; freed by remap_checkpoint_info_free */
    char device[256];    /* where the run was computed */
    char revision[64];   /* build revision that wrote the file */
    bool half_weights;   /* the weights were stored as half floats */
    char created[32];    /* ISO-8601 UTC, "2024-05-01T12:00:00Z" */
} remap_checkpoint_info;

/* Writes m's parameters and host state to `path`, replacing any file there
 * only once the new one is complete. scenario_text is the resolved scenario
 * YAML; device says where the run was computed (NULL: "unknown").
 * rf_centre ([units][2], x then y in skin sheet units) and
 * preferred_region ([units], region index or -1) are optional measures,
 * written only when non-NULL. Fails with REMAP_EIO naming the file and the
 * HDF5 object; on failure the previous file at `path`, if any, is intact
 * and no temporary file is left. */
remap_status remap_checkpoint_save(const char *path, const remap_model *m,
                                   const char *scenario_text,
                                   const char *device, const float *rf_centre,
                                   const int8_t *preferred_region,
                                   remap_error *err);

/* The measures a checkpoint may carry beside the state, each optional
 * (NULL: not written). */
typedef struct remap_checkpoint_measures {
    const float *rf_centre;         /* [units][2], skin sheet units */
    const int8_t *preferred_region; /* [units], region index or -1 */
    /* Visual layouts: the measured maps, written to /measures/vision with
     * their settings and figures as attributes (docs/checkpoint.md). */
    const remap_vision_map *vision;
} remap_checkpoint_measures;

/* As remap_checkpoint_save, with the measures in ms (may be NULL). A
 * vision map must be of m's geometry (else REMAP_EINVAL). */
remap_status remap_checkpoint_save_measures(const char *path,
                                            const remap_model *m,
                                            const char *scenario_text,
                                            const char *device,
                                            const remap_checkpoint_measures *ms,
                                            remap_error *err);

/* Reads the header and the scenario text (to rebuild the model before
 * loading its state). Fails with REMAP_EIO when the file cannot be read and
 * REMAP_EFORMAT when it is not HDF5, not a remap checkpoint, of a format
 * version newer than REMAP_CHECKPOINT_VERSION or unknown, or lacks a
 * required object. On failure info holds nothing to free. */
remap_status remap_checkpoint_read_info(const char *path,
                                        remap_checkpoint_info *info,
                                        remap_error *err);

/* Frees the scenario text. NULL and an already freed info do nothing. */
void remap_checkpoint_info_free(remap_checkpoint_info *info);

/* Loads parameters, seed, iteration, the skin region labels, all state
 * arrays (the plastic lateral weights and the retina gains of the visual
 * layouts included) and the conditions into m, which must have the checkpoint's
 * geometry, structural plasticity included (else REMAP_EFORMAT naming both
 * geometries, and m is unchanged). Parameters the file lacks keep m's
 * value; unknown ones are ignored. A file written before the synapse
 * flags, gains, traces and conditions existed loads with those at their
 * initial values (docs/checkpoint.md), m being freshly created; so does a
 * file without the plastic lateral weights or the retina gains the model
 * has (one written by a scenario with shared lateral kernels, for a run
 * started from it). The touch table is recomputed from the loaded
 * parameters and conditions. The
 * backend is not touched: call remap_model_push afterwards. Values are
 * checked after reading (gains in [0, 1], synapses consistent with the
 * weights and the field, region bits within the layout); a file that
 * fails a check is refused with REMAP_EFORMAT naming the object and the
 * first bad index. If reading or those checks fail after the shapes were
 * checked, m's state is partly overwritten: destroy it. */
remap_status remap_checkpoint_load(const char *path, remap_model *m,
                                   remap_error *err);

#endif
