/* The benchmark behind `remap bench`: a ladder of sheet sizes built from the
 * default scenario, the modelled memory traffic of an iteration and its
 * floor, a check of the OpenCL step against the reference backend, the
 * timing of one case, and the JSON record of a whole run. Host memory; no
 * OpenCL types (the device side is in cl/backend.h and cl/bandwidth.h). */
#ifndef REMAP_BENCH_H
#define REMAP_BENCH_H

#include "cl/backend.h"
#include "cl/bandwidth.h"
#include "cl/devices.h"
#include "core/status.h"
#include "model/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One sheet size: the default scenario with these values; with v1, in
 * the shape of scenarios/v1-development.yaml (a retina's LGN of ON and OFF
 * planes, elongated bars, plastic lateral inhibition). */
typedef struct remap_bench_case {
    int cortex_n;  /* sheets.cortex.density */
    int skin_n;    /* sheets.skin.density (the retina's with v1) */
    double radius; /* projections.afferent.radius, skin sheet units */
    bool v1;       /* the V1 scenario's shape */
} remap_bench_case;

/* Parses "CORTEX_N:SKIN_N:RADIUS" (e.g. "256:128:0.08125"), with ":v1"
 * after it for the V1 shape, into *out.
 * Errors: REMAP_EUSAGE saying what is wrong with text (the caller names
 * the option). The values are checked against the scenario's ranges when
 * the case is built (remap_bench_case_params). */
remap_status remap_bench_case_parse(const char *text, remap_bench_case *out,
                                    remap_error *err);

/* Writes the case as "CORTEX_N:SKIN_N:RADIUS" (then ":v1") into buf. */
void remap_bench_case_format(const remap_bench_case *c, char *buf,
                             size_t size);

/* The default ladder into out (at most max entries); returns its length.
 * The first case is the default scenario's own size, the second the V1
 * scenario's (48:24:0.27:v1, plastic lateral inhibition); the others keep
 * the skin at half the cortex's density with a field radius of 10.4
 * receptors (cf_len 441 stored weights, 341 in the circle). quick: the
 * default case and one small bigger case, for a smoke test. */
size_t remap_bench_ladder(bool quick, remap_bench_case *out, size_t max);

/* The parameters of a case: the embedded default scenario loaded with
 * overrides, as `remap run --set` applies them (sheets.cortex.density,
 * sheets.skin.density, projections.afferent.radius, for v1 the V1
 * scenario's layout, bars, afferent sigma and plastic inhibition, then
 * `extra`). The
 * lateral kernels keep the default's width in cortical units (their radii
 * and sigmas scaled by 48 / cortex_n), so their cost per unit does not
 * grow with the sheet. The scenario's timeline is dropped: the cases
 * measure steady training. Errors: those of remap_scenario_load_default
 * (REMAP_ESCENARIO naming the override). */
remap_status remap_bench_case_params(const remap_bench_case *c,
                                     const char *const *extra,
                                     size_t extra_count, remap_params *out,
                                     remap_error *err);

/* Mean synapses per unit inside the field circle and on the skin (as
 * remap_cf_receptor finds them), counted separably by rows and columns. */
double remap_bench_live_per_unit(const remap_geometry *g);

/* Modelled memory traffic of one iteration, bytes. */
typedef struct remap_traffic {
    double weight_read;  /* afferent weights read */
    double weight_write; /* afferent weights written */
    double lateral;      /* plastic lateral weights read and written */
    double state;        /* per-unit and per-receptor state */
    double total;        /* the sum of the four */
    /* One read and one write of every stored weight (afferent and plastic
     * lateral): the traffic of the ideal step (DESIGN.md, "Performance
     * shape"). */
    double floor;
} remap_traffic;

/* The passes counted by remap_bench_traffic, for reports. */
extern const char remap_bench_traffic_model[];

/* Models the memory traffic of an iteration of the OpenCL step as its
 * kernels now are (keep it in step with them; remap_bench_traffic_model
 * says what it counts): geometry g, weight_bytes per stored weight,
 * settle_steps, active_share, the fraction of units that respond in an
 * iteration (only their fields learn), and whether learning and the next
 * response share one sweep (fused) or take two. */
void remap_bench_traffic(const remap_geometry *g, size_t weight_bytes,
                         int settle_steps, double active_share, bool fused,
                         remap_traffic *out);

/* Settings of a benchmark run shared by all its cases. */
typedef struct remap_bench_options {
    const char *device;  /* NULL: the default choice */
    bool unfused;        /* remap_cl_options */
    bool half_weights;
    uint64_t max_buffer;
    remap_weight_layout layout;
    remap_settle_mode settle;
    int settle_tile;     /* 0: the device's default */
    int field_lanes;     /* 0: the device's default */
    int warmup;          /* untimed iterations after creation */
    int repeats;         /* timed runs (>= 1) */
    uint64_t iterations; /* iterations per timed run (>= 1) */
    uint64_t seed;
    double copy_bandwidth; /* bytes/s (median) for the shares; 0: unknown */
    const char *const *overrides; /* extra --set PATH=VALUE for every case */
    size_t override_count;
} remap_bench_options;

/* "auto", "fields" or "transposed". */
const char *remap_bench_layout_name(remap_weight_layout l);

/* "auto", "steps" or "one-launch". */
const char *remap_bench_settle_name(remap_settle_mode m);

/* Relative tolerance of the check, that of tests/test_backend.c. With
 * half-float weights the reference backend rounds them at the same places
 * (remap_ref_options.half_weights), so the tolerance stays. */
#define REMAP_BENCH_TOLERANCE 1e-4

/* Compares the OpenCL model cl (pulled) with the reference model ref:
 * weights (plastic lateral ones too), activity and thresholds, each value
 * relative to max(1e-3, |reference|). REMAP_OK when all are within tol; otherwise
 * REMAP_ENUMERIC with one line per quantity that differs, naming the
 * worst index and both values. */
remap_status remap_bench_compare(const remap_model *ref, const remap_model *cl,
                                 double tol, remap_error *err);

/* The correctness check before timing: `iterations` iterations of case c
 * from the same seed on the reference backend and on OpenCL with o's
 * options (the reference rounding weights to halves when the OpenCL
 * step stores them so), then remap_bench_compare with
 * REMAP_BENCH_TOLERANCE (into *tolerance, may be NULL).
 * Errors: those of model creation and
 * stepping; REMAP_ENUMERIC (prefixed with the case) when they differ. */
remap_status remap_bench_check(const remap_bench_case *c,
                               const remap_bench_options *o,
                               uint64_t iterations, double *tolerance,
                               remap_error *err);

#define REMAP_BENCH_KERNELS 16

/* Device time of one kernel over the timed runs. */
typedef struct remap_bench_kernel {
    char name[32];
    double launches;      /* per iteration */
    remap_spread seconds; /* device seconds per iteration */
} remap_bench_kernel;

/* Everything measured for one case on one backend. Spreads are over the
 * timed runs; those of rates come from the same runs as the times. */
typedef struct remap_bench_result {
    remap_bench_case c;
    bool reference;         /* the C reference backend, not OpenCL */
    char device[512];       /* where it ran (the backend's description) */
    remap_geometry geom;
    double live_per_unit;   /* synapses per unit in the circle */
    size_t weight_bytes;    /* per stored weight */
    uint64_t memory_bytes;  /* remap_memory_need: all state */
    double build_seconds;   /* OpenCL program build at creation */
    int settle_tile;        /* units per settling work-item, as built (0 on
                               the reference backend) */
    int field_lanes;        /* units per work-item of the afferent sweeps,
                               as built (0 on the reference backend) */
    double setup_seconds;   /* the rest of the creation */
    int warmup, repeats;
    uint64_t iterations;    /* per timed run */
    double active_share;    /* units responding per iteration, mean */
    remap_traffic traffic;  /* modelled bytes per iteration */
    remap_spread seconds;   /* wall time per iteration */
    remap_spread gbps;      /* traffic.total / time, 1e9 bytes/s */
    remap_spread copy_share; /* gbps / copy bandwidth (0 when unknown) */
    remap_spread floor_ratio; /* time / (traffic.floor / copy bandwidth) */
    remap_spread gcups;     /* units x live weights / time / 1e9 */
    remap_spread settle_share; /* settle / all kernels, device time */
    remap_bench_kernel kernels[REMAP_BENCH_KERNELS];
    size_t kernel_count;    /* 0 on the reference backend */
} remap_bench_result;

/* Times case c: creates the model (program build and the rest of the set-up
 * timed apart), runs o->warmup iterations, then o->repeats runs of
 * o->iterations iterations, each timed with a monotonic clock around
 * remap_model_step, on OpenCL with profiling on (kernel times) or, with
 * reference, on the reference backend. Errors: those of model creation and
 * stepping, REMAP_EINVAL for bad options. */
remap_status remap_bench_run_case(const remap_bench_case *c,
                                  const remap_bench_options *o, bool reference,
                                  remap_bench_result *out, remap_error *err);

/* Whether case params p fit device d: all state within its global memory
 * (twice, for a CPU device, whose memory also holds the host copy; the
 * weights are split across buffers when one allocation cannot hold them)
 * and at most max_units units (0: no limit). When not, why says so in one phrase. */
bool remap_bench_fits(const remap_params *p, const remap_device_info *d,
                      uint64_t max_units, char *why, size_t why_size);

/* A whole run, as recorded in the JSON file. */
typedef struct remap_bench_report {
    const char *revision; /* the build's (git describe) */
    const char *version;
    char date[32];        /* UTC, ISO 8601 */
    const remap_bench_options *options;
    uint64_t max_units;
    const char *command;  /* the command line */
    remap_copy_bandwidth copy;
    const char *check;    /* what the check compared and found */
    const remap_bench_result *results;
    size_t result_count;
    const char *const *skipped; /* "case: why" for cases not run */
    size_t skipped_count;
} remap_bench_report;

/* Fills r->date with the current UTC time. */
void remap_bench_report_date(remap_bench_report *r);

/* Writes the report as JSON to path, atomically. Errors: REMAP_EIO naming
 * the file, REMAP_ENOMEM. */
remap_status remap_bench_write_json(const char *path,
                                    const remap_bench_report *r,
                                    remap_error *err);

#endif
