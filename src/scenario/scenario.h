/* Scenario files: YAML that names a run's parameters, length, outputs and
 * timeline of events, checked against a strict schema so that every error
 * names its file:line:column. Host memory only. docs/scenario.md is the
 * reference of the format. */
#ifndef REMAP_SCENARIO_H
#define REMAP_SCENARIO_H

#include "core/status.h"
#include "model/model.h"
#include "model/params.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an event does. Each timeline entry has one key naming its kind; an
 * entry with `until` (a period) becomes two events, its start and its
 * end, the end carrying the start's fields. docs/scenario.md describes
 * each. */
typedef enum remap_event_kind {
    REMAP_EVENT_SET,         /* `set: {path, value}`: change a parameter */
    REMAP_EVENT_CHECKPOINT,  /* `checkpoint: {label}`: write a checkpoint */
    REMAP_EVENT_LESION,      /* `lesion`: kill a cortical shape */
    REMAP_EVENT_DEAFFERENT,  /* `deafferent`: silence regions */
    REMAP_EVENT_RESTORE,     /* `restore`, or a deafferent's `until` */
    REMAP_EVENT_FUSE,        /* `fuse`: regions touched together */
    REMAP_EVENT_ENRICH,      /* `enrich`: factor on regions' touch frequency */
    REMAP_EVENT_REHAB_START, /* `rehab` from `at` ... */
    REMAP_EVENT_REHAB_END,   /* ... to `until` */
    REMAP_EVENT_SLEEP_START, /* `sleep` from `at` ... */
    REMAP_EVENT_SLEEP_END,   /* ... to `until` */
    REMAP_EVENT_AGE,         /* `age: {value}`: the age becomes value */
    REMAP_EVENT_MODULATE,    /* `modulate`: regional learning factor; its
                                `until` ends with a MODULATE of factor 1 */
    REMAP_EVENT_SCOTOMA,     /* `scotoma`: a retinal lesion (visual
                                layouts) */
    REMAP_EVENT_KIND_COUNT
} remap_event_kind;

/* The timeline key of a kind ("set", "lesion", "rehab" for both rehab
 * kinds …) and a short name for logs and metrics.csv ("rehab-start"). */
const char *remap_event_key(remap_event_kind kind);
const char *remap_event_name(remap_event_kind kind);

typedef struct remap_event {
    uint64_t at;           /* applied when the model has completed `at`
                            * iterations; 0 <= at <= iterations */
    remap_event_kind kind;
    char path[128];        /* set: parameter path (a runtime parameter) */
    double value;          /* set: new value; age: the age (iterations) */
    char label[64];        /* checkpoint: optional label ("" if none) */
    remap_shape shape;     /* lesion, modulate: where, cortical units;
                              scotoma: where, retina (sheet) units */
    float penumbra_width;  /* lesion: ring width, cortical units (0: none,
                              the default) */
    float penumbra_gain;   /* lesion: gain in the ring, [0, 1] (1 when no
                              penumbra is given) */
    uint64_t penumbra_recovery; /* lesion: iterations to full gain (0: never) */
    unsigned regions;      /* deafferent, restore, fuse, enrich, rehab: bit
                              r set for region r of the layout; scotoma:
                              bit e for eye e (the visual layouts' regions
                              are their eyes) */
    bool has_spot;         /* enrich: a patch of skin instead of regions */
    float spot[4];         /* enrich: the patch [x0, y0, x1, y1], skin
                              units, inside one region */
    float factor;          /* enrich: frequency factor (> 0); rehab: focus,
                              the frequency factor (> 0); modulate: the
                              learning factor (>= 0) */
    float gain;            /* rehab: factor on learning (>= 0) */
    remap_sleep_params sleep; /* sleep: its parameters (the `sleep`
                                 section's values where not given) */
    uint64_t until;        /* a period's end (0 when none); the end event
                              has it too */
    bool scheduled;        /* a `set` generated from `schedules` */
    int line, col;         /* where it was written, 1-based (for messages):
                              a period's end event and a schedule's sets
                              carry the place of their entry */
} remap_event;

typedef struct remap_scenario {
    char *name;                /* `name`, or the source's base name */
    /* `stimulus.images`: the directory of PNG files the retina sees, made
     * absolute (a relative one is taken from the scenario file's
     * directory, or from the working directory for --set), or NULL
     * (Gaussian bars). It exists and holds a *.png when loaded. */
    char *images;
    char *source;              /* file path, or "default.yaml (embedded)" */
    uint64_t seed, iterations; /* iterations >= 1 */
    remap_params params;       /* validated (remap_params_validate) */
    uint64_t measure_interval;    /* >= 1 */
    uint64_t checkpoint_interval; /* 0: only at the end */
    bool write_metrics, write_checkpoints;
    /* Sorted by `at`. At one iteration the ends of periods come first
     * (in the order of their starts), then the `set` events of schedules
     * (in the order of `schedules`), then the timeline's events in the
     * order written. */
    remap_event *events;
    size_t event_count;
    /* Frames for `remap render` (outputs.frames), the defaults of its
     * options. The panel list is checked where it is used (the renderer
     * owns the panel names); panels_place says where it was given, for
     * that message ("file:line:col"). */
    struct {
        char panels[96];
        char panels_place[600];
        int width, height;
        uint64_t every; /* 0: the run's length / 200 */
        int compression;
    } frames;
    /* The whole scenario as YAML with every value explicit (defaults filled
     * in, overrides applied, timeline sorted); loading it again gives the
     * same scenario. NUL-terminated. */
    char *resolved_text;
} remap_scenario;

/* Loads the scenario file at path. overrides[0..override_count) are
 * "dotted.path=value" strings (the CLI's --set and --seed)
 * applied to the document before it is checked, so they are validated like
 * the file; they cannot edit `timeline` or `schedules`. overrides may be NULL when
 * override_count is 0.
 *
 * On success *out holds a new scenario (free with remap_scenario_destroy).
 * On failure *out is NULL and err holds the message: REMAP_EIO when the file
 * cannot be read ("path: cannot open: <strerror>"); REMAP_ESCENARIO for any
 * problem with the content, one error per line, each placed first as
 * "file:line:col: ", "--set path=value: " (an override) or "file: ";
 * REMAP_ENOMEM; REMAP_EINVAL for bad arguments. */
remap_status remap_scenario_load_file(const char *path,
                                      const char *const *overrides,
                                      size_t override_count,
                                      remap_scenario **out, remap_error *err);

/* As remap_scenario_load_file, for a NUL-terminated text; source_name is
 * used in messages and as the default name (NULL: "(text)"). */
remap_status remap_scenario_load_text(const char *source_name,
                                      const char *text,
                                      const char *const *overrides,
                                      size_t override_count,
                                      remap_scenario **out, remap_error *err);

/* Loads scenarios/default.yaml as embedded in the binary at build time; its
 * source is "default.yaml (embedded)". */
remap_status remap_scenario_load_default(const char *const *overrides,
                                         size_t override_count,
                                         remap_scenario **out,
                                         remap_error *err);

/* Frees a scenario and everything it owns. NULL is allowed. */
void remap_scenario_destroy(remap_scenario *s);

#endif
