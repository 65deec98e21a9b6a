/* The benchmark: cases, traffic model, the check against the reference
 * backend, timing one case, and the JSON record. */
#include "bench/bench.h"
#include "cl/backend.h"
#include "io/atomic.h"
#include "scenario/scenario.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The default scenario's cortex density, the width the lateral kernels
 * keep in units on every sheet. */
#define DEFAULT_CORTEX_N 48.0

/* ---- Cases */

remap_status remap_bench_case_parse(const char *text, remap_bench_case *out,
                                    remap_error *err)
{
    if (!text || !out)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_bench_case_parse: needs text and out");
    const char *p = text;
    char *end;
    long v[2];
    for (int i = 0; i < 2; i++) {
        errno = 0;
        v[i] = strtol(p, &end, 10);
        if (end == p || *end != ':' || errno || v[i] < 1 || v[i] > 1 << 20)
            return remap_fail(err, REMAP_EUSAGE,
                              "'%s' is not CORTEX_N:SKIN_N:RADIUS (two "
                              "positive integers and a number, e.g. "
                              "256:128:0.08125)",
                              text);
        p = end + 1;
    }
    errno = 0;
    double r = strtod(p, &end);
    bool v1 = strcmp(end, ":v1") == 0;
    if (end == p || (*end && !v1) || errno || !(r > 0.0) || !isfinite(r))
        return remap_fail(err, REMAP_EUSAGE,
                          "'%s' is not CORTEX_N:SKIN_N:RADIUS[:v1] (the "
                          "radius must be a positive number, e.g. "
                          "256:128:0.08125 or 48:24:0.27:v1)",
                          text);
    out->cortex_n = (int)v[0];
    out->skin_n = (int)v[1];
    out->radius = r;
    out->v1 = v1;
    return REMAP_OK;
}

void remap_bench_case_format(const remap_bench_case *c, char *buf,
                             size_t size)
{
    snprintf(buf, size, "%d:%d:%.9g%s", c->cortex_n, c->skin_n, c->radius,
             c->v1 ? ":v1" : "");
}

size_t remap_bench_ladder(bool quick, remap_bench_case *out, size_t max)
{
    /* Big sheets keep 10.4 receptors of field radius: cf_r 10, 441 stored
     * weights per unit, 341 in the circle. */
    static const remap_bench_case full[] = {
        {48, 24, 0.15, false},          {48, 24, 0.27, true},
        {128, 64, 10.4 / 64, false},
        {256, 128, 10.4 / 128, false},  {512, 256, 10.4 / 256, false},
        {1024, 512, 10.4 / 512, false}, {2048, 512, 10.4 / 512, false},
    };
    static const remap_bench_case small[] = {{48, 24, 0.15, false},
                                             {64, 32, 10.4 / 32, false}};
    const remap_bench_case *src = quick ? small : full;
    size_t n = quick ? sizeof small / sizeof *small
                     : sizeof full / sizeof *full;
    for (size_t i = 0; i < n && i < max; i++)
        out[i] = src[i];
    return n < max ? n : max;
}

remap_status remap_bench_case_params(const remap_bench_case *c,
                                     const char *const *extra,
                                     size_t extra_count, remap_params *out,
                                     remap_error *err)
{
    remap_params def;
    double scale = DEFAULT_CORTEX_N / (double)c->cortex_n;
    enum { OWN = 7, V1 = 4 };
    char own[OWN][96];
    /* The V1 scenario's values that differ from the default's
     * (scenarios/v1-development.yaml), but for the layout: the default's
     * timeline names hand regions, so the retina is set after loading. */
    static const char *const v1[V1] = {
        "stimulus.sigma=0.044",
        "projections.afferent.sigma=0.27",
        "projections.lateral_inhibitory.plastic=true",
        "projections.lateral_inhibitory.learning_rate=0.3"};
    snprintf(own[0], sizeof own[0], "sheets.cortex.density=%d", c->cortex_n);
    snprintf(own[1], sizeof own[1], "sheets.skin.density=%d", c->skin_n);
    snprintf(own[2], sizeof own[2], "projections.afferent.radius=%.9g",
             c->radius);
    /* The default scenario may set the lateral kernels itself: scale what
     * it holds, read from it without overrides. */
    remap_scenario *base = NULL;
    remap_status st = remap_scenario_load_default(NULL, 0, &base, err);
    if (st)
        return st;
    def = base->params;
    remap_scenario_destroy(base);
    snprintf(own[3], sizeof own[3],
             "projections.lateral_excitatory.radius=%.9g",
             (double)def.excitatory.radius * scale);
    /* The hand scenarios widen GCAL's excitatory sigma (0.025) to 0.05;
     * the V1 shape keeps GCAL's. */
    double exc_sigma = c->v1 ? 0.025 : (double)def.excitatory.sigma;
    snprintf(own[4], sizeof own[4],
             "projections.lateral_excitatory.sigma=%.9g", exc_sigma * scale);
    snprintf(own[5], sizeof own[5],
             "projections.lateral_inhibitory.radius=%.9g",
             (double)def.inhibitory.radius * scale);
    snprintf(own[6], sizeof own[6],
             "projections.lateral_inhibitory.sigma=%.9g",
             (double)def.inhibitory.sigma * scale);
    size_t n = OWN + V1 + extra_count;
    const char **all = malloc(n * sizeof *all);
    if (!all)
        return remap_fail(err, REMAP_ENOMEM, "no memory for overrides");
    /* The default case is the scenario itself, lateral kernels included
     * (scale 1 would only round them). */
    size_t k = 0;
    for (int i = 0; i < OWN; i++)
        if (i < 3 || c->cortex_n != (int)DEFAULT_CORTEX_N ||
            (c->v1 && i == 4))
            all[k++] = own[i];
    for (int i = 0; c->v1 && i < V1; i++)
        all[k++] = v1[i];
    for (size_t i = 0; i < extra_count; i++)
        all[k++] = extra[i];
    remap_scenario *sc = NULL;
    st = remap_scenario_load_default(all, k, &sc, err);
    free(all);
    if (st)
        return st;
    *out = sc->params;
    remap_scenario_destroy(sc);
    if (c->v1) {
        out->layout = REMAP_LAYOUT_RETINA;
        return remap_params_validate(out, err);
    }
    return REMAP_OK;
}

double remap_bench_live_per_unit(const remap_geometry *g)
{
    /* A slot (dx, dy) in the circle is live for the units whose centre
     * column cx has cx + dx on the skin and whose centre row cy has
     * cy + dy on it; the centres of columns and rows are independent. */
    int n = g->cortex_n;
    int *cx = malloc((size_t)n * sizeof *cx);
    int *cy = malloc((size_t)n * sizeof *cy);
    if (!cx || !cy) {
        free(cx);
        free(cy);
        return 0.0;
    }
    for (int i = 0; i < n; i++) {
        int x, y;
        remap_unit_centre(g, i, &x, &y);
        cx[i] = x;
        remap_unit_centre(g, i * n, &x, &y);
        cy[i] = y;
    }
    double total = 0.0;
    for (int dy = -g->cf_r; dy <= g->cf_r; dy++)
        for (int dx = -g->cf_r; dx <= g->cf_r; dx++) {
            if (dx * dx + dy * dy > g->cf_r2i)
                continue;
            double cols = 0, rows = 0;
            for (int i = 0; i < n; i++) {
                cols += cx[i] + dx >= 0 && cx[i] + dx < g->skin_n;
                rows += cy[i] + dy >= 0 && cy[i] + dy < g->skin_n;
            }
            total += cols * rows;
        }
    free(cx);
    free(cy);
    return g->units > 0 ? total / (double)g->units : 0.0;
}

/* ---- Traffic model */

const char remap_bench_traffic_model[] =
    "fused (default): one sweep per iteration reads every stored weight "
    "once, learning for the units that responded and computing the next "
    "input's response, and writes the fields that learned; separate "
    "sweeps (--unfused): afferent reads every weight, learn reads and "
    "writes the responding units' fields again; state: stimulus 9 B per "
    "receptor (a visual layout's input written from the host: 4 B), "
    "afferent 20 B, each settling step 20 B and learn 36 B per unit "
    "(lateral neighbours and inputs counted once, from the cache); plastic "
    "laterals: each settling step reads every unit's lateral weights (an "
    "upper bound: only the active rows' spans are read), and the "
    "responding units' lateral fields are read and written once in "
    "learning";

void remap_bench_traffic(const remap_geometry *g, size_t weight_bytes,
                         int settle_steps, double active_share, bool fused,
                         remap_traffic *out)
{
    double weights = (double)g->units * (double)g->cf_len *
                     (double)weight_bytes;
    double units = (double)g->units, receptors = (double)g->receptors;
    out->weight_read = weights * (fused ? 1.0 : 1.0 + active_share);
    out->weight_write = weights * active_share;
    /* stimulus: region label, receptor gain, input written; afferent:
     * threshold, drive scale, gain read, drive and activity written, the
     * input read once; settle: previous activity, drive, threshold, gain
     * read, next written; learn: gain, activity, average, threshold,
     * counter, gain recovery, modulation read, average and threshold
     * written. */
    out->state = receptors * (g->eyes > 0 ? 4 : 1 + 4 + 4) + units * 20.0 +
                 receptors * 4 + units * 20.0 * settle_steps + units * 36.0;
    double lateral = 0.0; /* every unit's plastic lateral weights, bytes */
    for (int q = 0; q < 2; q++)
        if (g->lat_plastic[q])
            lateral += units * (double)g->lat_len[q] * sizeof(float);
    out->lateral = lateral * settle_steps + 2.0 * lateral * active_share;
    out->total = out->weight_read + out->weight_write + out->lateral +
                 out->state;
    out->floor = 2.0 * (weights + lateral);
}

const char *remap_bench_layout_name(remap_weight_layout l)
{
    return l == REMAP_LAYOUT_FIELDS       ? "fields"
           : l == REMAP_LAYOUT_TRANSPOSED ? "transposed"
                                          : "auto";
}

const char *remap_bench_settle_name(remap_settle_mode m)
{
    return m == REMAP_SETTLE_STEPS        ? "steps"
           : m == REMAP_SETTLE_ONE_LAUNCH ? "one-launch"
                                          : "auto";
}

/* ---- The check against the reference backend */

/* Appends a formatted line to err's message. */
static void add_line(remap_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_line(remap_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    size_t used = strlen(err->msg);
    if (used + 2 >= sizeof err->msg)
        return;
    if (used)
        err->msg[used++] = '\n';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg + used, sizeof err->msg - used, fmt, ap);
    va_end(ap);
}

/* Worst difference relative to max(1e-3, |a|) over n values (NaN counts
 * as infinitely far). */
static double worst_diff(const float *a, const float *b, size_t n,
                         size_t *where)
{
    double worst = 0.0;
    *where = 0;
    for (size_t i = 0; i < n; i++) {
        double scale = fabs((double)a[i]) > 1e-3 ? fabs((double)a[i]) : 1e-3;
        double d = fabs((double)a[i] - (double)b[i]) / scale;
        if (d != d)
            d = INFINITY;
        if (d > worst) {
            worst = d;
            *where = i;
        }
    }
    return worst;
}

remap_status remap_bench_compare(const remap_model *ref, const remap_model *cl,
                                 double tol, remap_error *err)
{
    if (!ref || !cl || ref->geom.units != cl->geom.units ||
        ref->geom.cf_len != cl->geom.cf_len)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_bench_compare: needs two models of one "
                          "geometry");
    const remap_geometry *g = &ref->geom;
    size_t units = (size_t)g->units;
    size_t cf_len = (size_t)g->cf_len;
    /* len: slots per unit of a per-slot quantity, 0 for one per unit. */
    typedef struct quantity {
        const char *what;
        const float *a, *b;
        size_t n, len;
    } quantity;
    quantity q[5] = {
        {"weights", ref->weights, cl->weights, units * cf_len, cf_len},
        {"activity", ref->activity, cl->activity, units, 0},
        {"threshold", ref->threshold, cl->threshold, units, 0},
    };
    size_t nq = 3;
    static const char *const lateral_what[2] = {
        "plastic excitatory weights", "plastic inhibitory weights"};
    for (int k = 0; k < 2; k++) {
        size_t len = (size_t)g->lat_len[k];
        if (g->lat_plastic[k] && ref->lateral[k] && cl->lateral[k])
            q[nq++] = (quantity){lateral_what[k], ref->lateral[k],
                                 cl->lateral[k], units * len, len};
    }
    if (err)
        remap_error_clear(err);
    bool differ = false;
    for (size_t i = 0; i < nq; i++) {
        size_t at;
        double d = worst_diff(q[i].a, q[i].b, q[i].n, &at);
        if (d <= tol)
            continue;
        differ = true;
        if (q[i].len)
            add_line(err,
                     "%s differ at iteration %llu, unit %zu, slot %zu: "
                     "reference %.9g, OpenCL %.9g (relative %.3g > %.3g)",
                     q[i].what, (unsigned long long)ref->iteration,
                     at / q[i].len, at % q[i].len, (double)q[i].a[at],
                     (double)q[i].b[at], d, tol);
        else
            add_line(err,
                     "%s differs at iteration %llu, unit %zu: reference "
                     "%.9g, OpenCL %.9g (relative %.3g > %.3g)",
                     q[i].what, (unsigned long long)ref->iteration, at,
                     (double)q[i].a[at], (double)q[i].b[at], d, tol);
    }
    if (!differ)
        return REMAP_OK;
    if (err)
        err->status = REMAP_ENUMERIC;
    return REMAP_ENUMERIC;
}

static const char *backend_name(const remap_model *m)
{
    const char *name = m->backend->device_name
                           ? m->backend->device_name(m->backend_state)
                           : NULL;
    return name ? name : m->backend->name;
}

static remap_cl_options cl_options(const remap_bench_options *o)
{
    remap_cl_options opt = {
        .device = o->device,
        .profiling = true,
        .unfused = o->unfused,
        .half_weights = o->half_weights,
        .max_buffer = o->max_buffer,
        .layout = o->layout,
        .settle = o->settle,
        .settle_tile = o->settle_tile,
        .field_lanes = o->field_lanes,
    };
    return opt;
}

remap_status remap_bench_check(const remap_bench_case *c,
                               const remap_bench_options *o,
                               uint64_t iterations, double *tolerance,
                               remap_error *err)
{
    remap_params p;
    remap_status st = remap_bench_case_params(c, o->overrides,
                                              o->override_count, &p, err);
    if (st)
        return st;
    remap_cl_options opt = cl_options(o);
    remap_ref_options ref_opt = {.half_weights = o->half_weights};
    remap_model *ref = NULL, *cl = NULL;
    if ((st = remap_model_create(&p, o->seed, &remap_ref_backend, &ref_opt,
                                 &ref, err)) ||
        (st = remap_model_create(&p, o->seed, &remap_cl_backend, &opt, &cl,
                                 err)) ||
        (st = remap_model_step(ref, iterations, err)) ||
        (st = remap_model_step(cl, iterations, err)) ||
        (st = remap_model_pull(cl, err)))
        goto done;
    double tol = REMAP_BENCH_TOLERANCE;
    if (tolerance)
        *tolerance = tol;
    st = remap_bench_compare(ref, cl, tol, err);
    if (st == REMAP_ENUMERIC) {
        char name[64];
        remap_bench_case_format(c, name, sizeof name);
        remap_error_prefix(err,
                           "case %s: OpenCL (%s) and the reference backend "
                           "disagree after %llu iterations from seed %llu:\n",
                           name, backend_name(cl),
                           (unsigned long long)iterations,
                           (unsigned long long)o->seed);
    }
done:
    remap_model_destroy(ref);
    remap_model_destroy(cl);
    return st;
}

/* ---- Timing */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool remap_bench_fits(const remap_params *p, const remap_device_info *d,
                      uint64_t max_units, char *why, size_t why_size)
{
    remap_geometry g;
    remap_geometry_from_params(p, &g);
    remap_memory mem;
    remap_memory_need(&g, &mem);
    char need[32], have[32];
    if (max_units && (uint64_t)g.units > max_units) {
        snprintf(why, why_size, "%d units exceed --max-units %llu", g.units,
                 (unsigned long long)max_units);
        return false;
    }
    bool cpu = d->type && strcmp(d->type, "CPU") == 0;
    uint64_t total = cpu ? 2 * mem.total : mem.total;
    if (total > d->global_mem) {
        remap_format_bytes(total, need, sizeof need);
        remap_format_bytes(d->global_mem, have, sizeof have);
        snprintf(why, why_size, "needs %s%s, the device has %s", need,
                 cpu ? " (device and host copies)" : "", have);
        return false;
    }
    /* Weights beyond the largest allocation are split across buffers. */
    if (why_size)
        why[0] = '\0';
    return true;
}

/* Spread of f(v[i]) for a monotone f: computed per run, then ordered. */
static remap_spread spread_of(const double *v, int n, double scale,
                              bool inverse)
{
    double *x = malloc((size_t)n * sizeof *x);
    if (!x) {
        remap_spread zero = {0, 0, 0};
        return zero;
    }
    for (int i = 0; i < n; i++)
        x[i] = inverse ? (v[i] > 0 ? scale / v[i] : 0.0) : scale * v[i];
    remap_spread s = remap_spread_of(x, n);
    free(x);
    return s;
}

remap_status remap_bench_run_case(const remap_bench_case *c,
                                  const remap_bench_options *o, bool reference,
                                  remap_bench_result *out, remap_error *err)
{
    if (!c || !o || !out || o->repeats < 1 || o->iterations < 1 ||
        o->warmup < 0)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_bench_run_case: needs a case, repeats >= "
                          "1, iterations >= 1 and warmup >= 0");
    memset(out, 0, sizeof *out);
    out->c = *c;
    out->reference = reference;
    out->warmup = o->warmup;
    out->repeats = o->repeats;
    out->iterations = o->iterations;
    remap_params p;
    remap_status st = remap_bench_case_params(c, o->overrides,
                                              o->override_count, &p, err);
    if (st)
        return st;
    remap_cl_options opt = cl_options(o);
    remap_model *m = NULL;
    double *seconds = calloc((size_t)o->repeats, sizeof *seconds);
    double *settle = calloc((size_t)o->repeats, sizeof *settle);
    double *ktimes = calloc((size_t)o->repeats * REMAP_BENCH_KERNELS,
                            sizeof *ktimes);
    if (!seconds || !settle || !ktimes) {
        st = remap_fail(err, REMAP_ENOMEM, "no memory for %d repeats",
                        o->repeats);
        goto done;
    }
    /* The reference follows --half too, so both rows store alike. */
    remap_ref_options ref_opt = {.half_weights = o->half_weights};
    double t0 = now();
    st = remap_model_create(&p, o->seed,
                            reference ? &remap_ref_backend : &remap_cl_backend,
                            reference ? (const void *)&ref_opt
                                      : (const void *)&opt,
                            &m, err);
    if (st)
        goto done;
    out->build_seconds = remap_cl_build_seconds(m);
    out->settle_tile = remap_cl_settle_tile(m);
    out->field_lanes = remap_cl_field_lanes(m);
    out->setup_seconds = now() - t0 - out->build_seconds;
    snprintf(out->device, sizeof out->device, "%s",
             backend_name(m));
    out->geom = m->geom;
    out->live_per_unit = remap_bench_live_per_unit(&m->geom);
    out->weight_bytes = reference ? sizeof(float) : remap_cl_weight_bytes(m);
    remap_memory mem;
    remap_memory_need(&m->geom, &mem);
    out->memory_bytes = mem.total;

    if (o->warmup > 0 && (st = remap_model_step(m, (uint64_t)o->warmup, err)))
        goto done;
    remap_kernel_time kt[REMAP_BENCH_KERNELS];
    for (int r = 0; r < o->repeats; r++) {
        remap_cl_kernel_times_reset(m);
        double start = now();
        if ((st = remap_model_step(m, o->iterations, err)))
            goto done;
        seconds[r] = (now() - start) / (double)o->iterations;
        size_t nk = remap_cl_kernel_times(m, kt, REMAP_BENCH_KERNELS);
        if (nk > REMAP_BENCH_KERNELS)
            nk = REMAP_BENCH_KERNELS;
        double all = 0.0, settling = 0.0;
        for (size_t k = 0; k < nk; k++) {
            /* Kernels keep their first-launch order, but match by name in
             * case a run launched one the first did not. */
            size_t j = 0;
            while (j < out->kernel_count &&
                   strcmp(out->kernels[j].name, kt[k].name) != 0)
                j++;
            if (j == REMAP_BENCH_KERNELS)
                continue;
            if (j == out->kernel_count) {
                memcpy(out->kernels[j].name, kt[k].name,
                       sizeof out->kernels[j].name);
                out->kernels[j].name[sizeof out->kernels[j].name - 1] = '\0';
                out->kernels[j].launches =
                    (double)kt[k].launches / (double)o->iterations;
                out->kernel_count++;
            }
            ktimes[(size_t)r * REMAP_BENCH_KERNELS + j] =
                kt[k].seconds / (double)o->iterations;
            all += kt[k].seconds;
            /* Settling: its steps (active_span and settle) or its one
             * launch (settle_all). */
            if (!strcmp(kt[k].name, "settle") ||
                !strcmp(kt[k].name, "active_span") ||
                !strcmp(kt[k].name, "settle_all"))
                settling += kt[k].seconds;
        }
        settle[r] = all > 0.0 ? settling / all : 0.0;
    }
    /* Only the fields of responding units learn: their share over the
     * whole run, from the activity counters. */
    if ((st = remap_model_pull(m, err)))
        goto done;
    double active = 0.0;
    for (int u = 0; u < m->geom.units; u++)
        active += (double)m->active_count[u];
    out->active_share = m->iteration
                            ? active / ((double)m->geom.units *
                                        (double)m->iteration)
                            : 0.0;
    remap_bench_traffic(&m->geom, out->weight_bytes, p.settle_steps,
                        out->active_share, !o->unfused, &out->traffic);

    int n = o->repeats;
    out->seconds = spread_of(seconds, n, 1.0, false);
    out->gbps = spread_of(seconds, n, out->traffic.total * 1e-9, true);
    double bw = o->copy_bandwidth;
    if (bw > 0.0) {
        out->copy_share = spread_of(seconds, n, out->traffic.total / bw, true);
        out->floor_ratio = spread_of(seconds, n, bw / out->traffic.floor,
                                     false);
    }
    out->gcups = spread_of(seconds, n,
                           (double)m->geom.units * out->live_per_unit * 1e-9,
                           true);
    out->settle_share = spread_of(settle, n, 1.0, false);
    double *col = malloc((size_t)n * sizeof *col);
    if (!col) {
        st = remap_fail(err, REMAP_ENOMEM, "no memory for kernel times");
        goto done;
    }
    for (size_t j = 0; j < out->kernel_count; j++) {
        for (int r = 0; r < n; r++)
            col[r] = ktimes[(size_t)r * REMAP_BENCH_KERNELS + j];
        out->kernels[j].seconds = remap_spread_of(col, n);
    }
    free(col);
done:
    remap_model_destroy(m);
    free(seconds);
    free(settle);
    free(ktimes);
    return st;
}

/* ---- JSON */

typedef struct json {
    char *data;
    size_t len, cap;
    bool failed;
} json;

static void put(json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(json *j, const char *fmt, ...)
{
    if (j->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = j->cap - j->len;
        int n = vsnprintf(j->data ? j->data + j->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            j->failed = true;
            return;
        }
        if ((size_t)n < room) {
            j->len += (size_t)n;
            return;
        }
        size_t cap = j->cap ? 2 * j->cap : 16384;
        while (cap - j->len <= (size_t)n)
            cap *= 2;
        char *d = realloc(j->data, cap);
        if (!d) {
            j->failed = true;
            return;
        }
        j->data = d;
        j->cap = cap;
    }
}

/* A JSON string literal of s. */
static void put_str(json *j, const char *s)
{
    put(j, "\"");
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            put(j, "\\%c", ch);
        else if (ch == '\n')
            put(j, "\\n");
        else if (ch < 0x20)
            put(j, "\\u%04x", ch);
        else
            put(j, "%c", ch);
    }
    put(j, "\"");
}

/* A number; JSON has no infinities or NaN, so those become null. */
static void put_num(json *j, double v)
{
    if (isfinite(v))
        put(j, "%.6g", v);
    else
        put(j, "null");
}

static void put_spread(json *j, const char *key, remap_spread s)
{
    put(j, "\"%s\": {\"median\": ", key);
    put_num(j, s.median);
    put(j, ", \"min\": ");
    put_num(j, s.min);
    put(j, ", \"max\": ");
    put_num(j, s.max);
    put(j, "}");
}

static void put_result(json *j, const remap_bench_result *r)
{
    char name[64];
    remap_bench_case_format(&r->c, name, sizeof name);
    const remap_geometry *g = &r->geom;
    put(j, "    {\"case\": ");
    put_str(j, name);
    put(j, ", \"backend\": \"%s\", \"device\": ",
        r->reference ? "reference" : "opencl");
    put_str(j, r->device);
    put(j,
        ",\n     \"cortex_n\": %d, \"skin_n\": %d, \"radius\": %.9g, "
        "\"units\": %d, \"receptors\": %d, \"cf_r\": %d, \"cf_len\": %d, "
        "\"live_per_unit\": %.6g, \"exc_r\": %d, \"inh_r\": %d,\n",
        g->cortex_n, g->skin_n, r->c.radius, g->units, g->receptors, g->cf_r,
        g->cf_len, r->live_per_unit, g->exc_r, g->inh_r);
    put(j,
        "     \"weight_bytes\": %zu, \"memory_bytes\": %llu, "
        "\"build_seconds\": %.6g, \"setup_seconds\": %.6g, "
        "\"settle_tile\": %d, \"field_lanes\": %d, \"warmup\": %d, "
        "\"repeats\": %d, \"iterations\": %llu, \"active_share\": %.6g,\n",
        r->weight_bytes, (unsigned long long)r->memory_bytes,
        r->build_seconds, r->setup_seconds, r->settle_tile, r->field_lanes,
        r->warmup,
        r->repeats,
        (unsigned long long)r->iterations, r->active_share);
    put(j,
        "     \"traffic\": {\"weight_read\": %.6g, \"weight_write\": %.6g, "
        "\"state\": %.6g, \"total\": %.6g, \"floor\": %.6g},\n     ",
        r->traffic.weight_read, r->traffic.weight_write, r->traffic.state,
        r->traffic.total, r->traffic.floor);
    put_spread(j, "seconds_per_iteration", r->seconds);
    put(j, ",\n     ");
    put_spread(j, "gbps", r->gbps);
    put(j, ",\n     ");
    put_spread(j, "copy_share", r->copy_share);
    put(j, ",\n     ");
    put_spread(j, "floor_ratio", r->floor_ratio);
    put(j, ",\n     ");
    put_spread(j, "gcups", r->gcups);
    put(j, ",\n     ");
    put_spread(j, "settle_share", r->settle_share);
    put(j, ",\n     \"kernels\": [");
    for (size_t k = 0; k < r->kernel_count; k++) {
        put(j, "%s\n       {\"name\": ", k ? "," : "");
        put_str(j, r->kernels[k].name);
        put(j, ", \"launches_per_iteration\": %.6g, ",
            r->kernels[k].launches);
        put_spread(j, "seconds_per_iteration", r->kernels[k].seconds);
        put(j, "}");
    }
    put(j, "]}");
}

void remap_bench_report_date(remap_bench_report *r)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(r->date, sizeof r->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

remap_status remap_bench_write_json(const char *path,
                                    const remap_bench_report *r,
                                    remap_error *err)
{
    if (!path || !r || !r->options)
        return remap_fail(err, REMAP_EINVAL,
                          "remap_bench_write_json: needs a path and a report");
    const remap_device_info *d = &r->copy.device;
    const remap_bench_options *o = r->options;
    json j = {0};
    put(&j, "{\n  \"remap_version\": ");
    put_str(&j, r->version);
    put(&j, ",\n  \"revision\": ");
    put_str(&j, r->revision);
    put(&j, ",\n  \"date\": ");
    put_str(&j, r->date);
    put(&j, ",\n  \"command\": ");
    put_str(&j, r->command);
    put(&j, ",\n  \"device\": {\"name\": ");
    put_str(&j, d->name);
    put(&j, ", \"vendor\": ");
    put_str(&j, d->vendor);
    put(&j, ", \"type\": ");
    put_str(&j, d->type);
    put(&j, ", \"platform\": ");
    put_str(&j, d->platform);
    put(&j, ", \"driver_version\": ");
    put_str(&j, d->driver_version);
    put(&j, ", \"opencl_version\": ");
    put_str(&j, d->device_version);
    put(&j, ", \"opencl_c_version\": ");
    put_str(&j, d->opencl_c_version);
    put(&j,
        ", \"compute_units\": %u, \"clock_mhz\": %u, \"global_mem\": %llu, "
        "\"max_alloc\": %llu},\n",
        d->compute_units, d->clock_mhz, (unsigned long long)d->global_mem,
        (unsigned long long)d->max_alloc);
    put(&j,
        "  \"options\": {\"unfused\": %s, \"half_weights\": %s, "
        "\"layout\": \"%s\", \"settle\": \"%s\", \"settle_tile\": %d, "
        "\"field_lanes\": %d, \"max_buffer\": %llu, \"warmup\": %d, "
        "\"repeats\": %d, "
        "\"iterations\": %llu, \"seed\": %llu, \"max_units\": %llu, "
        "\"profiling\": true, \"overrides\": [",
        o->unfused ? "true" : "false", o->half_weights ? "true" : "false",
        remap_bench_layout_name(o->layout), remap_bench_settle_name(o->settle),
        o->settle_tile, o->field_lanes, (unsigned long long)o->max_buffer,
        o->warmup, o->repeats,
        (unsigned long long)o->iterations, (unsigned long long)o->seed,
        (unsigned long long)r->max_units);
    for (size_t i = 0; i < o->override_count; i++) {
        put(&j, "%s", i ? ", " : "");
        put_str(&j, o->overrides[i]);
    }
    put(&j, "]},\n  \"copy_bandwidth\": {\"bytes\": %llu, \"repeats\": %d, ",
        (unsigned long long)r->copy.bytes, r->copy.repeats);
    remap_spread k = r->copy.kernel, c = r->copy.copy_buffer;
    k.median *= 1e-9;
    k.min *= 1e-9;
    k.max *= 1e-9;
    c.median *= 1e-9;
    c.min *= 1e-9;
    c.max *= 1e-9;
    put_spread(&j, "kernel_gbps", k);
    put(&j, ", ");
    put_spread(&j, "copy_buffer_gbps", c);
    const char *best;
    double best_bw = remap_copy_bandwidth_best(&r->copy, &best);
    put(&j, ", \"yardstick\": \"%s\", \"yardstick_gbps\": %.6g", best,
        best_bw * 1e-9);
    put(&j, "},\n  \"traffic_model\": ");
    put_str(&j, remap_bench_traffic_model);
    put(&j, ",\n  \"check\": ");
    put_str(&j, r->check);
    put(&j, ",\n  \"cases\": [\n");
    for (size_t i = 0; i < r->result_count; i++) {
        put_result(&j, &r->results[i]);
        put(&j, "%s\n", i + 1 < r->result_count ? "," : "");
    }
    put(&j, "  ],\n  \"skipped\": [");
    for (size_t i = 0; i < r->skipped_count; i++) {
        put(&j, "%s", i ? ", " : "");
        put_str(&j, r->skipped[i]);
    }
    put(&j, "]\n}\n");
    if (j.failed) {
        free(j.data);
        return remap_fail(err, REMAP_ENOMEM, "%s: no memory for the JSON",
                          path);
    }
    remap_status st = remap_write_file_atomic(path, j.data, j.len, err);
    free(j.data);
    return st;
}
