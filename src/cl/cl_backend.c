/* The OpenCL backend: device buffers for the model state and the kernels
 * of one iteration (stimulus, afferent, settling, learn_lateral when a
 * lateral projection is plastic, learn, and under structural plasticity
 * mean_trace and restructure every interval iterations), enqueued without
 * host synchronisation until a step's iterations are all queued. Settling
 * is active_span and settle per step, or settle_all for all steps in one
 * work-group (small sheets on a CPU); it reads a plastic projection's
 * per-unit weights where a shared kernel's would be. In a visual layout
 * the input of each iteration is computed on the host
 * (remap_visual_render) and written without waiting, in place of the
 * stimulus kernel, which still draws sleep's spontaneous input. The
 * geometry, with its channels and margin, is compiled in.
 *
 * By default the learning sweep of iteration t also computes the afferent
 * response to iteration t + 1's stimulus (drawn before it), so each weight
 * is read and written once per iteration; the last iteration of a step and
 * a structural check end with learning alone, since an event or the check
 * may change what t + 1 sees. The afferent weights (and synapse states)
 * live in chunks of whole fields no larger than the device's largest
 * allocation (or options.max_buffer), stored as float or half, field by
 * field or transposed (options.layout). */
#include "cl/backend.h"
#include "cl/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A chunk of whole fields: their weights (in the storage precision and
 * layout) and synapse states, from unit unit_base on. */
typedef struct chunk {
    cl_mem weights, synapse;
    cl_int unit_base;
    size_t units;
} chunk;

typedef struct cl_state {
    remap_cl cl;
    char device_name[512];
    cl_kernel k_stimulus, k_afferent, k_settle, k_learn, k_mean_trace,
        k_restructure, k_import, k_export, k_unit_colour,
        k_active_span, k_settle_all, k_learn_lateral;
    bool fused, half, transposed;
    size_t settle_group; /* work-items of settle_all; 0: settle by steps */
    int settle_tile;     /* units per settling work-item, as built */
    int field_lanes;     /* units per work-item of the afferent sweeps */
    size_t settle_items; /* work-items of settle: tiles of settle_tile
                            units, cortex_n x ceil(cortex_n / tile) */
    /* Fixed tables, and the host conditions refreshed at each step (touch
     * table, fused regions). */
    cl_mem region_cdf, region_box, skin_region, exc_kernel, inh_kernel,
        co_touch;
    /* State. input[t % 2] holds iteration t's stimulus. */
    chunk *chunks;
    size_t chunk_count, chunk_units;
    /* A float copy of up to staging_units fields, field by field: weights
     * pass through it, piece by piece, between the host and their storage
     * (push, pull). */
    cl_mem staging;
    size_t staging_units;
    cl_mem weight_sum, input_sum, threshold, avg_activity, active_count,
        input[2], bcm_threshold, drive_scale, input_trace;
    /* Plastic lateral weights of projection q ([units][lat_len[q]]), NULL
     * for a shared kernel. */
    cl_mem lateral[2];
    /* Visual layouts: the host computes each iteration's input into
     * visual[t % 2] and writes it to input[t % 2] without waiting; the
     * host copy is reused once its write (visual_write) has completed. */
    float *visual[2];
    cl_event visual_write[2];
    bool eyes;
    /* Perturbations (host edits, pushed). */
    cl_mem unit_gain, gain_recovery, modulation, receptor_gain;
    /* Per-iteration scratch: afferent drive and the two settling buffers;
     * after settling the activity is in act[settled]. Each row's non-zero
     * span of the activity a settling step reads, and its first and last
     * non-empty rows (two pairs, used in turn). The mean input trace of a
     * structural check. */
    cl_mem drive, act[2], act_span[3], act_pad[2], act_rows[3], mean_trace;
    int settled;
    /* Rendering: the colour map, region colours, each unit's colour and
     * label. */
    cl_mem lut, region_colour, unit_rgba, unit_label;
    /* The colours last written to lut and region_colour: frames use the
     * same ones, so they are written again only when they change. */
    uint8_t lut_written[256][4];
    uint8_t regions_written[REMAP_REGION_COUNT][4];
    bool colours_written;
    size_t units, receptors;
    struct cl_profile *profile; /* launch events (end of file) */
} cl_state;

static remap_status check(cl_int rc, const char *what, remap_error *err)
{
    return remap_cl_check(rc, what, err);
}

static void release(cl_mem *m)
{
    if (*m)
        clReleaseMemObject(*m);
    *m = NULL;
}

struct cl_profile;
static void profile_destroy(struct cl_profile *p);
static remap_status profile_keep(cl_state *s, const char *name, cl_event ev,
                                 remap_error *err);
static remap_status profile_collect(cl_state *s, remap_error *err);
static remap_status profile_on(cl_state *s, bool *on, remap_error *err);

static void cl_destroy(void *state)
{
    cl_state *s = state;
    if (!s)
        return;
    cl_kernel *ks[] = {&s->k_stimulus,    &s->k_afferent,  &s->k_settle,
                       &s->k_learn,       &s->k_mean_trace, &s->k_restructure,
                       &s->k_import,      &s->k_export,    &s->k_unit_colour,
                       &s->k_active_span,
                       &s->k_settle_all,  &s->k_learn_lateral};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
        if (*ks[i])
            clReleaseKernel(*ks[i]);
    for (size_t c = 0; s->chunks && c < s->chunk_count; c++) {
        release(&s->chunks[c].weights);
        release(&s->chunks[c].synapse);
    }
    free(s->chunks);
    release(&s->staging);
    cl_mem *ms[] = {&s->region_cdf,    &s->region_box,    &s->skin_region,
                    &s->exc_kernel,    &s->inh_kernel,    &s->co_touch,
                    &s->weight_sum,    &s->input_sum,     &s->threshold,
                    &s->avg_activity,  &s->active_count,  &s->input[0],
                    &s->input[1],      &s->bcm_threshold, &s->drive_scale,
                    &s->input_trace,   &s->unit_gain,     &s->gain_recovery,
                    &s->modulation,    &s->receptor_gain, &s->drive,
                    &s->act[0],        &s->act[1],        &s->mean_trace,
                    &s->lut,           &s->region_colour, &s->unit_rgba,
                    &s->unit_label,    &s->act_span[0],   &s->act_span[1],
                    &s->act_span[2],   &s->act_pad[0],    &s->act_pad[1],
                    &s->act_rows[0],   &s->act_rows[1],   &s->act_rows[2],
                    &s->lateral[0],
                    &s->lateral[1]};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
        release(ms[i]);
    for (int e = 0; e < 2; e++) {
        if (s->visual_write[e])
            clReleaseEvent(s->visual_write[e]);
        free(s->visual[e]);
    }
    profile_destroy(s->profile);
    remap_cl_close(&s->cl);
    free(s);
}

/* Units per weight chunk: as many whole fields of weight_bytes per weight
 * as fit in `cap` bytes; 0 when not even one does. */
static uint64_t chunk_units_for(const remap_geometry *g, uint64_t cap,
                                uint64_t weight_bytes)
{
    uint64_t field = (uint64_t)g->cf_len * weight_bytes;
    uint64_t n = cap / field;
    return n < (uint64_t)g->units ? n : (uint64_t)g->units;
}

/* Fields per piece of the staging buffer: at most STAGING_BYTES of float
 * fields and at most a quarter of a chunk, so that the buffer stays small
 * beside the weights (at least one field). */
#define STAGING_BYTES (64u << 20)
static uint64_t staging_units_for(const remap_geometry *g,
                                  uint64_t chunk_units)
{
    uint64_t n = STAGING_BYTES / ((uint64_t)g->cf_len * sizeof(float));
    uint64_t quarter = chunk_units / 4;
    n = n < quarter ? n : quarter;
    return n ? n : 1;
}

/* What the fit check needs to know besides the density. */
typedef struct fit_ctx {
    const remap_params *params;
    uint64_t weight_bytes; /* 4 or 2 */
    uint64_t cap;          /* largest chunk, bytes */
    bool transposed;       /* every chunk has room for a full one */
} fit_ctx;

/* Device memory for a cortex density: the model's state with the weights
 * at their storage size, the per-unit sums and the second input, the
 * staging buffer, and the two padded copies of the activity that a CPU
 * settles from (counted for the widest tile); the largest buffer is a
 * chunk (at most cap). */
static void need_for_density(float density, const void *ctx, uint64_t *total,
                             uint64_t *largest)
{
    const fit_ctx *f = ctx;
    remap_params p = *f->params;
    p.cortex.density = density;
    remap_geometry g;
    remap_geometry_from_params(&p, &g);
    remap_memory mem;
    remap_memory_need(&g, &mem);
    uint64_t slots = (uint64_t)g.units * (uint64_t)g.cf_len;
    uint64_t chunk_units = chunk_units_for(&g, f->cap, f->weight_bytes);
    uint64_t staging = staging_units_for(&g, chunk_units) *
                       (uint64_t)g.cf_len * sizeof(float);
    uint64_t stored = slots;
    if (f->transposed && chunk_units)
        stored = (((uint64_t)g.units + chunk_units - 1) / chunk_units) *
                 chunk_units * (uint64_t)g.cf_len;
    int lat_r = g.exc_r > g.inh_r ? g.exc_r : g.inh_r;
    uint64_t pads = 2 * (uint64_t)g.cortex_n *
                    (uint64_t)(g.cortex_n + 2 * lat_r + REMAP_SETTLE_TILE_MAX) *
                    sizeof(float);
    *total = mem.total - slots * sizeof(float) + stored * f->weight_bytes +
             2 * (uint64_t)g.units * sizeof(float) +
             (uint64_t)g.receptors * sizeof(float) + staging + pads;
    /* A field that does not fit in one allocation cannot run at all. */
    *largest = chunk_units ? chunk_units * (uint64_t)g.cf_len *
                                 f->weight_bytes
                           : UINT64_MAX;
    uint64_t per_unit = (uint64_t)g.units * sizeof(float);
    if (per_unit > *largest)
        *largest = per_unit;
    /* Plastic lateral weights are one buffer per projection. */
    for (int q = 0; q < 2; q++) {
        uint64_t lateral =
            (uint64_t)g.units * (uint64_t)g.lat_len[q] * sizeof(float);
        if (lateral > *largest)
            *largest = lateral;
    }
}

static remap_status make_buffer(cl_state *s, size_t bytes, const char *what,
                                cl_mem *out, remap_error *err)
{
    return remap_cl_buffer(&s->cl, CL_MEM_READ_WRITE, bytes, what, out, err);
}

static remap_status create_kernels(cl_state *s, remap_error *err)
{
    struct {
        const char *name;
        cl_kernel *k;
    } table[] = {{"stimulus", &s->k_stimulus},
                 {"afferent", &s->k_afferent},
                 {"settle", &s->k_settle},
                 {"learn", &s->k_learn},
                 {"mean_trace", &s->k_mean_trace},
                 {"restructure", &s->k_restructure},
                 {"import_weights", &s->k_import},
                 {"export_weights", &s->k_export},
                 {"unit_colour", &s->k_unit_colour},
                 {"active_span", &s->k_active_span},
                 {"settle_all", &s->k_settle_all},
                 {"learn_lateral", &s->k_learn_lateral}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        cl_int rc;
        *table[i].k = clCreateKernel(s->cl.program, table[i].name, &rc);
        char what[64];
        snprintf(what, sizeof what, "clCreateKernel(%s)", table[i].name);
        if (check(rc, what, err))
            return err ? err->status : REMAP_EDEVICE;
    }
    return REMAP_OK;
}

/* The chunks of s->chunk_units fields each (the last may hold fewer; a
 * transposed chunk still has room for all, its slot stride). */
static remap_status make_chunks(cl_state *s, const remap_geometry *g,
                                remap_error *err)
{
    size_t per = s->chunk_units;
    s->chunk_count = (s->units + per - 1) / per;
    s->chunks = calloc(s->chunk_count, sizeof *s->chunks);
    if (!s->chunks)
        return remap_fail(err, REMAP_ENOMEM, "OpenCL backend: out of memory");
    size_t wbytes = s->half ? 2 : sizeof(float);
    for (size_t c = 0; c < s->chunk_count; c++) {
        chunk *ch = &s->chunks[c];
        size_t base = c * per;
        ch->unit_base = (cl_int)base;
        ch->units = s->units - base < per ? s->units - base : per;
        size_t slots = ch->units * (size_t)g->cf_len;
        size_t room = (s->transposed ? per : ch->units) * (size_t)g->cf_len;
        remap_status st;
        if ((st = make_buffer(s, room * wbytes, "afferent weights",
                              &ch->weights, err)) ||
            (st = make_buffer(s, slots, "synapse states", &ch->synapse, err)))
            return st;
    }
    return REMAP_OK;
}

static remap_status cl_create(remap_model *m, const void *options,
                              void **state, remap_error *err)
{
    const remap_cl_options *opt = options;
    const remap_geometry *g = &m->geom;
    cl_state *s = calloc(1, sizeof *s);
    if (!s)
        return remap_fail(err, REMAP_ENOMEM, "OpenCL backend: out of memory");
    s->units = (size_t)g->units;
    s->receptors = (size_t)g->receptors;
    s->fused = !(opt && opt->unfused);
    s->half = opt && opt->half_weights;
    m->half_weights = s->half;
    remap_status st = remap_cl_open(opt ? opt->device : NULL,
                                    opt && opt->profiling, &s->cl, err);
    if (st)
        goto fail;
    snprintf(s->device_name, sizeof s->device_name, "%s (%s, %s)",
             s->cl.info.name, s->cl.info.type, s->cl.info.platform);

    uint64_t cap = s->cl.info.max_alloc;
    if (opt && opt->max_buffer && opt->max_buffer < cap)
        cap = opt->max_buffer;
    remap_weight_layout layout = opt ? opt->layout : REMAP_LAYOUT_AUTO;
    s->transposed = layout == REMAP_LAYOUT_TRANSPOSED ||
                    (layout == REMAP_LAYOUT_AUTO && s->cl.info.type &&
                     strcmp(s->cl.info.type, "GPU") == 0);
    fit_ctx fit = {&m->params, s->half ? 2 : sizeof(float), cap,
                   s->transposed};
    st = remap_device_check_fit(&s->cl.info, m->params.cortex.density,
                                need_for_density, &fit, err);
    if (st)
        goto fail;

    /* Geometry is fixed for a model, so it is compiled in (with whether
     * synapse liveness is state: structural plasticity, and the weights'
     * storage). Correctly rounded division keeps the normalisation equal
     * to the reference backend's where the device offers it. */
    cl_device_fp_config fp = 0;
    clGetDeviceInfo(s->cl.device, CL_DEVICE_SINGLE_FP_CONFIG, sizeof fp, &fp,
                    NULL);
    /* The fit check has made sure one field fits in an allocation. */
    s->chunk_units = (size_t)chunk_units_for(g, cap, s->half ? 2 : 4);
    bool cpu = s->cl.info.type && strcmp(s->cl.info.type, "CPU") == 0;
    int tile = opt && opt->settle_tile ? opt->settle_tile
               : cpu                    ? REMAP_SETTLE_TILE_CPU
                                        : 1;
    if (tile < 1 || tile > REMAP_SETTLE_TILE_MAX) {
        st = remap_fail(err, REMAP_EINVAL,
                        "OpenCL backend: a settling tile of %d units is "
                        "outside 1 to %d",
                        tile, REMAP_SETTLE_TILE_MAX);
        goto fail;
    }
    if (tile > g->cortex_n)
        tile = g->cortex_n;
    int lanes = opt && opt->field_lanes ? opt->field_lanes
                : cpu                   ? REMAP_FIELD_LANES_CPU
                                        : 1;
    if (lanes != 1 && lanes != REMAP_FIELD_LANES_CPU) {
        st = remap_fail(err, REMAP_EINVAL,
                        "OpenCL backend: fields are walked 1 or %d at a "
                        "time, not %d",
                        REMAP_FIELD_LANES_CPU, lanes);
        goto fail;
    }
    s->field_lanes = lanes;
    s->settle_tile = tile;
    s->settle_items = (size_t)g->cortex_n *
                      (size_t)((g->cortex_n + tile - 1) / tile);
    char opts[1024];
    snprintf(opts, sizeof opts,
             "-cl-std=CL1.2 -DSKIN_N=%d -DSKIN_CORE=%d -DSKIN_PAD=%d "
             "-DCHANNELS=%d -DPLANE=%d -DCORTEX_N=%d -DCF_R=%d "
             "-DCF_SIDE=%d -DCF_AREA=%d -DCF_LEN=%d -DCF_R2I=%d -DEXC_R=%d "
             "-DINH_R=%d -DEXC_PLASTIC=%d -DINH_PLASTIC=%d -DEXC_LEN=%d "
             "-DINH_LEN=%d -DSTRUCTURAL=%d -DHALF_WEIGHTS=%d -DTRANSPOSED=%d "
             "-DCHUNK_UNITS=%zu -DSETTLE_TILE=%d -DFIELD_LANES=%d%s",
             g->skin_n, g->skin_core, g->skin_pad, g->channels, g->plane,
             g->cortex_n, g->cf_r, g->cf_side, g->cf_area, g->cf_len,
             g->cf_r2i, g->exc_r, g->inh_r, g->lat_plastic[0] ? 1 : 0,
             g->lat_plastic[1] ? 1 : 0, g->lat_len[0], g->lat_len[1],
             g->structural ? 1 : 0,
             s->half ? 1 : 0, s->transposed ? 1 : 0, s->chunk_units, tile,
             lanes,
             (fp & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT)
                 ? " -cl-fp32-correctly-rounded-divide-sqrt"
                 : "");
    st = remap_cl_build(&s->cl, opts, err);
    if (st)
        goto fail;
    st = create_kernels(s, err);
    if (st)
        goto fail;
    /* Settling in one launch: one work-group as large as the kernel
     * allows, up to 256 work-items (the units of a small sheet are shared
     * among them). On PoCL it beats 32 launches on small sheets (docs/
     * bench.md); on a GPU one work-group leaves most of the device idle,
     * so there it is left to remap bench --settle to show. */
    remap_settle_mode settle = opt ? opt->settle : REMAP_SETTLE_AUTO;
    if (settle == REMAP_SETTLE_ONE_LAUNCH ||
        (settle == REMAP_SETTLE_AUTO && cpu &&
         g->units <= REMAP_SETTLE_ONE_LAUNCH_UNITS)) {
        size_t most = 0;
        cl_int rc = clGetKernelWorkGroupInfo(
            s->k_settle_all, s->cl.device, CL_KERNEL_WORK_GROUP_SIZE,
            sizeof most, &most, NULL);
        if ((st = check(rc, "clGetKernelWorkGroupInfo(settle_all)", err)))
            goto fail;
        s->settle_group = most < 256 ? most : 256;
    }
    st = make_chunks(s, g, err);
    s->staging_units = (size_t)staging_units_for(g, s->chunk_units);
    if (!st)
        st = make_buffer(s, s->staging_units * (size_t)g->cf_len *
                                sizeof(float),
                         "weight staging", &s->staging, err);
    if (st)
        goto fail;
    /* The name tells how the step runs when it is not the default. */
    size_t len = strlen(s->device_name);
    char variant[128] = "";
    snprintf(variant, sizeof variant, "%s%s%s%s",
             s->fused ? "" : ", separate sweeps",
             s->half ? ", half-precision weights" : "",
             s->transposed ? ", transposed weights" : "",
             s->settle_group ? ", settling in one launch" : "");
    if (s->field_lanes != (cpu ? REMAP_FIELD_LANES_CPU : 1))
        snprintf(variant + strlen(variant), sizeof variant - strlen(variant),
                 s->field_lanes == 1 ? ", one field per work-item"
                                     : ", %d fields per work-item",
                 s->field_lanes);
    if (tile != (cpu ? REMAP_SETTLE_TILE_CPU : 1) && tile < g->cortex_n)
        snprintf(variant + strlen(variant), sizeof variant - strlen(variant),
                 ", settling tiles of %d units", tile);
    if (s->chunk_count > 1)
        snprintf(variant + strlen(variant), sizeof variant - strlen(variant),
                 ", weights in %zu buffers", s->chunk_count);
    if (variant[0])
        snprintf(s->device_name + len, sizeof s->device_name - len, " [%s]",
                 variant + 2);

    size_t units = s->units, exc_side = (size_t)(2 * g->exc_r + 1),
           inh_side = (size_t)(2 * g->inh_r + 1);
    /* Settling by tiles reads a copy of the activity with zero margins
     * (PAD_W in kernels/response.cl); one unit per work-item reads none. */
    int lat_r = g->exc_r > g->inh_r ? g->exc_r : g->inh_r;
    int pad_lanes = (s->settle_tile + 7) / 8 * 8; /* whole LANES (8) */
    size_t pad_width = (size_t)(g->cortex_n + 2 * lat_r + pad_lanes);
    size_t pad_floats =
        s->settle_tile > 1 ? (size_t)g->cortex_n * pad_width : 1;
    struct {
        size_t bytes;
        const char *what;
        cl_mem *out;
    } buffers[] = {
        {REMAP_REGION_COUNT * sizeof(float), "region table", &s->region_cdf},
        {REMAP_REGION_COUNT * 4 * sizeof(float), "region boxes",
         &s->region_box},
        {s->receptors, "skin regions", &s->skin_region},
        {exc_side * exc_side * sizeof(float), "excitatory kernel",
         &s->exc_kernel},
        {inh_side * inh_side * sizeof(float), "inhibitory kernel",
         &s->inh_kernel},
        {REMAP_REGION_COUNT, "fused regions", &s->co_touch},
        {units * sizeof(float), "field weight sums", &s->weight_sum},
        {units * sizeof(float), "field input sums", &s->input_sum},
        {units * sizeof(float), "thresholds", &s->threshold},
        {units * sizeof(float), "average activity", &s->avg_activity},
        {units * sizeof(uint32_t), "activity counters", &s->active_count},
        {s->receptors * sizeof(float), "input", &s->input[0]},
        {s->receptors * sizeof(float), "next input", &s->input[1]},
        {units * sizeof(float), "BCM thresholds", &s->bcm_threshold},
        {units * sizeof(float), "drive scales", &s->drive_scale},
        {s->receptors * sizeof(float), "input traces", &s->input_trace},
        {units * sizeof(float), "unit gains", &s->unit_gain},
        {units * sizeof(float), "gain recovery", &s->gain_recovery},
        {units * sizeof(float), "modulation", &s->modulation},
        {s->receptors * sizeof(float), "receptor gains", &s->receptor_gain},
        {units * sizeof(float), "afferent drive", &s->drive},
        {units * sizeof(float), "activity", &s->act[0]},
        {units * sizeof(float), "settling activity", &s->act[1]},
        {(size_t)g->cortex_n * sizeof(cl_int2), "active spans",
         &s->act_span[0]},
        {(size_t)g->cortex_n * sizeof(cl_int2), "active spans",
         &s->act_span[1]},
        {(size_t)g->cortex_n * sizeof(cl_int2), "active spans",
         &s->act_span[2]},
        {pad_floats * sizeof(float), "padded activity", &s->act_pad[0]},
        {pad_floats * sizeof(float), "padded activity", &s->act_pad[1]},
        {2 * sizeof(cl_int), "active rows", &s->act_rows[0]},
        {2 * sizeof(cl_int), "active rows", &s->act_rows[1]},
        {2 * sizeof(cl_int), "active rows", &s->act_rows[2]},
        {sizeof(float), "mean input trace", &s->mean_trace},
        {256 * 4, "colour map", &s->lut},
        {REMAP_REGION_COUNT * 4, "region colours", &s->region_colour},
        {units * 4, "unit colours", &s->unit_rgba},
        {units * sizeof(cl_int), "unit labels", &s->unit_label},
    };
    for (size_t i = 0; i < sizeof buffers / sizeof buffers[0]; i++) {
        st = make_buffer(s, buffers[i].bytes, buffers[i].what, buffers[i].out,
                         err);
        if (st)
            goto fail;
    }
    float zero = 0.0f;
    for (int i = 0; i < 2; i++) {
        cl_int rc = clEnqueueFillBuffer(s->cl.queue, s->act_pad[i], &zero,
                                        sizeof zero, 0,
                                        pad_floats * sizeof zero, 0, NULL,
                                        NULL);
        if ((st = check(rc, "clEnqueueFillBuffer(padded activity)", err)))
            goto fail;
    }
    static const char *const lateral_what[2] = {
        "plastic excitatory weights", "plastic inhibitory weights"};
    for (int q = 0; q < 2; q++) {
        if (g->lat_plastic[q] &&
            (st = make_buffer(s, units * (size_t)g->lat_len[q] * sizeof(float),
                              lateral_what[q], &s->lateral[q], err)))
            goto fail;
    }
    s->eyes = g->eyes > 0;
    for (int e = 0; s->eyes && e < 2; e++) {
        s->visual[e] = malloc(s->receptors * sizeof(float));
        if (!s->visual[e]) {
            st = remap_fail(err, REMAP_ENOMEM,
                            "OpenCL backend: no memory for visual input");
            goto fail;
        }
    }
    *state = s;
    return REMAP_OK;
fail:
    cl_destroy(s);
    return st;
}

static remap_status write_at(cl_state *s, cl_mem buf, size_t offset,
                             size_t bytes, const void *src, const char *what,
                             remap_error *err)
{
    cl_int rc = clEnqueueWriteBuffer(s->cl.queue, buf, CL_TRUE, offset, bytes,
                                     src, 0, NULL, NULL);
    return check(rc, what, err);
}

static remap_status write(cl_state *s, cl_mem buf, size_t bytes,
                          const void *src, const char *what, remap_error *err)
{
    return write_at(s, buf, 0, bytes, src, what, err);
}

static remap_status read(cl_state *s, cl_mem buf, size_t bytes, void *dst,
                         const char *what, remap_error *err)
{
    cl_int rc = clEnqueueReadBuffer(s->cl.queue, buf, CL_TRUE, 0, bytes, dst,
                                    0, NULL, NULL);
    return check(rc, what, err);
}

/* A read that completes by the queue's next clFinish: a pull queues all
 * of its reads and waits once, instead of once per buffer. */
static remap_status read_queued(cl_state *s, cl_mem buf, size_t bytes,
                                void *dst, const char *what, remap_error *err)
{
    cl_int rc = clEnqueueReadBuffer(s->cl.queue, buf, CL_FALSE, 0, bytes, dst,
                                    0, NULL, NULL);
    return check(rc, what, err);
}

/* Sets consecutive kernel arguments from (size, pointer) pairs, from
 * argument `first` on. */
typedef struct arg {
    size_t size;
    const void *value;
} arg;

static remap_status set_args_from(cl_kernel k, const char *name, cl_uint first,
                                  const arg *args, size_t n, remap_error *err)
{
    for (size_t i = 0; i < n; i++) {
        cl_int rc = clSetKernelArg(k, first + (cl_uint)i, args[i].size,
                                   args[i].value);
        if (rc != CL_SUCCESS) {
            char what[96];
            snprintf(what, sizeof what, "clSetKernelArg(%s, %zu)", name,
                     (size_t)first + i);
            return check(rc, what, err);
        }
    }
    return REMAP_OK;
}

static remap_status set_args(cl_kernel k, const char *name, const arg *args,
                             size_t n, remap_error *err)
{
    return set_args_from(k, name, 0, args, n, err);
}

#define ARG(x) {sizeof(x), &(x)}
#define NARGS(a) (sizeof(a) / sizeof((a)[0]))

/* Launches `global` work-items with ids from `offset` on, in work-groups
 * of `local` (0: the device's choice). With profiling on, each launch's
 * event is kept until the end of the step (profile_collect). */
static remap_status launch(cl_state *s, cl_kernel k, size_t offset,
                           size_t global, size_t local, const char *name,
                           remap_error *err)
{
    bool profiling = false;
    remap_status st = profile_on(s, &profiling, err);
    if (st)
        return st;
    cl_event ev = NULL;
    cl_int rc = clEnqueueNDRangeKernel(s->cl.queue, k, 1,
                                       offset ? &offset : NULL, &global,
                                       local ? &local : NULL, 0, NULL,
                                       profiling ? &ev : NULL);
    if (rc == CL_SUCCESS)
        return profiling ? profile_keep(s, name, ev, err) : REMAP_OK;
    char what[96];
    snprintf(what, sizeof what, "clEnqueueNDRangeKernel(%s)", name);
    return check(rc, what, err);
}

static remap_status enqueue_at(cl_state *s, cl_kernel k, size_t offset,
                               size_t global, const char *name,
                               remap_error *err)
{
    return launch(s, k, offset, global, 0, name, err);
}

static remap_status enqueue(cl_state *s, cl_kernel k, size_t global,
                            const char *name, remap_error *err)
{
    return enqueue_at(s, k, 0, global, name, err);
}

/* Launches a kernel whose first three arguments are a chunk's weights,
 * synapse states and first unit, once per chunk over its units, `lanes`
 * units per work-item (unit_group in kernels/common.h). */
static remap_status enqueue_chunks(cl_state *s, cl_kernel k, size_t lanes,
                                   const char *name, remap_error *err)
{
    for (size_t c = 0; c < s->chunk_count; c++) {
        chunk *ch = &s->chunks[c];
        arg a[] = {ARG(ch->weights), ARG(ch->synapse), ARG(ch->unit_base)};
        remap_status st;
        if ((st = set_args(k, name, a, NARGS(a), err)) ||
            (st = enqueue_at(s, k, (size_t)ch->unit_base,
                             (ch->units + lanes - 1) / lanes, name, err)))
            return st;
    }
    return REMAP_OK;
}

/* Host weights and synapse states into the chunks: the float weights go
 * through the staging buffer, a piece of at most staging_units fields at a
 * time, into the storage precision, and the field sums are taken from
 * what was stored. */
static remap_status push_weights(cl_state *s, const remap_model *m,
                                 remap_error *err)
{
    size_t len = (size_t)m->geom.cf_len;
    remap_status st = REMAP_OK;
    for (size_t c = 0; !st && c < s->chunk_count; c++) {
        chunk *ch = &s->chunks[c];
        size_t first = (size_t)ch->unit_base * len;
        if ((st = write(s, ch->synapse, ch->units * len, m->synapse + first,
                        "write synapse states", err)))
            break;
        for (size_t done = 0; !st && done < ch->units;
             done += s->staging_units) {
            size_t n = ch->units - done < s->staging_units
                           ? ch->units - done
                           : s->staging_units;
            cl_int base = ch->unit_base + (cl_int)done;
            arg a[] = {ARG(s->staging),  ARG(base),
                       ARG(ch->weights), ARG(ch->synapse),
                       ARG(ch->unit_base), ARG(s->weight_sum)};
            if ((st = write(s, s->staging, n * len * sizeof(float),
                            m->weights + (size_t)base * len, "write weights",
                            err)) ||
                (st = set_args(s->k_import, "import_weights", a, NARGS(a),
                               err)) ||
                (st = enqueue_at(s, s->k_import, (size_t)base, n,
                                 "import_weights", err)))
                break;
            /* The staging buffer is reused by the next piece. */
            st = check(clFinish(s->cl.queue), "clFinish", err);
        }
    }
    return st;
}

static remap_status pull_weights(cl_state *s, remap_model *m,
                                 remap_error *err)
{
    size_t len = (size_t)m->geom.cf_len;
    /* Weights stored as floats field by field are read as they are; any
     * other storage goes through export_weights and the staging buffer. */
    bool as_stored = !s->half && !s->transposed;
    remap_status st = REMAP_OK;
    for (size_t c = 0; !st && c < s->chunk_count; c++) {
        chunk *ch = &s->chunks[c];
        size_t first = (size_t)ch->unit_base * len;
        if (as_stored) {
            st = read_queued(s, ch->weights, ch->units * len * sizeof(float),
                             m->weights + first, "read weights", err);
        }
        for (size_t done = 0; !as_stored && !st && done < ch->units;
             done += s->staging_units) {
            size_t n = ch->units - done < s->staging_units
                           ? ch->units - done
                           : s->staging_units;
            cl_int base = ch->unit_base + (cl_int)done;
            arg a[] = {ARG(ch->weights), ARG(ch->unit_base), ARG(s->staging),
                       ARG(base)};
            if ((st = set_args(s->k_export, "export_weights", a, NARGS(a),
                               err)) ||
                (st = enqueue_at(s, s->k_export, (size_t)base, n,
                                 "export_weights", err)))
                break;
            st = read(s, s->staging, n * len * sizeof(float),
                      m->weights + (size_t)base * len, "read weights", err);
        }
        if (!st)
            st = read_queued(s, ch->synapse, ch->units * len,
                             m->synapse + first, "read synapse states", err);
    }
    return st;
}

/* The input buffer of iteration t's stimulus. */
static cl_mem input_of(const cl_state *s, uint64_t t)
{
    return s->input[t % 2];
}

static remap_status cl_push(void *state, remap_model *m, remap_error *err)
{
    cl_state *s = state;
    const remap_geometry *g = &m->geom;
    size_t units = s->units, exc_side = (size_t)(2 * g->exc_r + 1),
           inh_side = (size_t)(2 * g->inh_r + 1);
    float boxes[REMAP_REGION_COUNT * 4];
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        remap_region_bounds(m, r, &boxes[4 * r], &boxes[4 * r + 1],
                            &boxes[4 * r + 2], &boxes[4 * r + 3]);
    /* The last stimulus belongs to the iteration before this one. */
    cl_mem last_input = input_of(s, m->iteration + 1);
    remap_status st;
    if ((st = write(s, s->region_cdf, REMAP_REGION_COUNT * sizeof(float),
                    m->region_cdf, "write region table", err)) ||
        (st = write(s, s->region_box, sizeof boxes, boxes,
                    "write region boxes", err)) ||
        (st = write(s, s->skin_region, s->receptors, m->skin_region,
                    "write skin regions", err)) ||
        (st = write(s, s->exc_kernel, exc_side * exc_side * sizeof(float),
                    m->exc_kernel, "write excitatory kernel", err)) ||
        (st = write(s, s->inh_kernel, inh_side * inh_side * sizeof(float),
                    m->inh_kernel, "write inhibitory kernel", err)) ||
        (st = push_weights(s, m, err)) ||
        (st = write(s, s->threshold, units * sizeof(float), m->threshold,
                    "write thresholds", err)) ||
        (st = write(s, s->avg_activity, units * sizeof(float),
                    m->avg_activity, "write average activity", err)) ||
        (st = write(s, s->active_count, units * sizeof(uint32_t),
                    m->active_count, "write activity counters", err)) ||
        (st = write(s, last_input, s->receptors * sizeof(float), m->input,
                    "write input", err)) ||
        (st = write(s, s->bcm_threshold, units * sizeof(float),
                    m->bcm_threshold, "write BCM thresholds", err)) ||
        (st = write(s, s->drive_scale, units * sizeof(float),
                    m->drive_scale, "write drive scales", err)) ||
        (st = write(s, s->input_trace, s->receptors * sizeof(float),
                    m->input_trace, "write input traces", err)) ||
        (st = write(s, s->unit_gain, units * sizeof(float), m->unit_gain,
                    "write unit gains", err)) ||
        (st = write(s, s->gain_recovery, units * sizeof(float),
                    m->gain_recovery, "write gain recovery", err)) ||
        (st = write(s, s->modulation, units * sizeof(float), m->modulation,
                    "write modulation", err)) ||
        (st = write(s, s->receptor_gain, s->receptors * sizeof(float),
                    m->receptor_gain, "write receptor gains", err)) ||
        (st = write(s, s->co_touch, REMAP_REGION_COUNT, m->cond.co_touch,
                    "write fused regions", err)))
        return st;
    for (int q = 0; q < 2; q++)
        if (s->lateral[q] &&
            (st = write(s, s->lateral[q],
                        units * (size_t)g->lat_len[q] * sizeof(float),
                        m->lateral[q], "write plastic lateral weights",
                        err)))
            return st;
    s->settled = 0;
    return write(s, s->act[0], units * sizeof(float), m->activity,
                 "write activity", err);
}

/* Queues the reads of the whole state into m (cl_pull waits for them). */
static remap_status pull_state(cl_state *s, remap_model *m, remap_error *err)
{
    size_t units = s->units, floats = units * sizeof(float);
    remap_status st;
    if ((st = pull_weights(s, m, err)) ||
        (st = read_queued(s, s->threshold, floats, m->threshold,
                          "read thresholds", err)) ||
        (st = read_queued(s, s->avg_activity, floats, m->avg_activity,
                          "read average activity", err)) ||
        (st = read_queued(s, s->active_count, units * sizeof(uint32_t),
                          m->active_count, "read activity counters", err)) ||
        (st = read_queued(s, input_of(s, m->iteration + 1),
                          s->receptors * sizeof(float), m->input,
                          "read input", err)) ||
        (st = read_queued(s, s->bcm_threshold, floats, m->bcm_threshold,
                          "read BCM thresholds", err)) ||
        (st = read_queued(s, s->drive_scale, floats, m->drive_scale,
                          "read drive scales", err)) ||
        (st = read_queued(s, s->unit_gain, floats, m->unit_gain,
                          "read unit gains", err)) ||
        (st = read_queued(s, s->gain_recovery, floats, m->gain_recovery,
                          "read gain recovery", err)) ||
        (st = read_queued(s, s->input_trace, s->receptors * sizeof(float),
                          m->input_trace, "read input traces", err)))
        return st;
    for (int q = 0; q < 2; q++)
        if (s->lateral[q] &&
            (st = read_queued(s, s->lateral[q],
                              floats * (size_t)m->geom.lat_len[q],
                              m->lateral[q], "read plastic lateral weights",
                              err)))
            return st;
    return read_queued(s, s->act[s->settled], floats, m->activity,
                       "read activity", err);
}

static remap_status cl_pull(void *state, remap_model *m, remap_error *err)
{
    cl_state *s = state;
    remap_status st = pull_state(s, m, err);
    /* Every read queued so far lands before the model's arrays are used
     * (or, after a failure, before they are freed). */
    cl_int rc = clFinish(s->cl.queue);
    return st ? st : check(rc, "clFinish", err);
}

/* The arguments of one iteration that stay fixed through a step. */
typedef struct step_args {
    cl_uint seed_lo, seed_hi;
    float inv_skin_n, inv2s2, peak;
    cl_float4 spot;
    float spot_share;
    cl_int spot_region, sleeping;
    float noise, trace_rate, strength, exc, inh;
} step_args;

/* Waits for the write from host copy e of the visual input, if one is
 * pending, and forgets it. */
static remap_status visual_wait(cl_state *s, int e, remap_error *err)
{
    if (!s->visual_write[e])
        return REMAP_OK;
    cl_int rc = clWaitForEvents(1, &s->visual_write[e]);
    clReleaseEvent(s->visual_write[e]);
    s->visual_write[e] = NULL;
    return check(rc, "clWaitForEvents(visual input)", err);
}

/* A visual layout's input of iteration t, computed on the host
 * (remap_visual_render) into host copy t % 2 once its last write is done,
 * and written to t's input buffer without waiting. */
static remap_status write_visual(cl_state *s, const remap_model *m,
                                 uint64_t t, remap_error *err)
{
    int e = (int)(t % 2);
    remap_status st = visual_wait(s, e, err);
    if (st || (st = remap_visual_render(m, t, s->visual[e], err)))
        return st;
    cl_int rc = clEnqueueWriteBuffer(s->cl.queue, input_of(s, t), CL_FALSE, 0,
                                     s->receptors * sizeof(float),
                                     s->visual[e], 0, NULL,
                                     &s->visual_write[e]);
    return check(rc, "write visual input", err);
}

/* Draws iteration t's stimulus into its input buffer; in a visual layout
 * awake, writes the host's instead (the visual layouts have no structural
 * plasticity, so no input trace to follow). */
static remap_status enqueue_stimulus(cl_state *s, const remap_model *m,
                                     step_args *sa, uint64_t t,
                                     remap_error *err)
{
    cl_uint it_lo = (cl_uint)t, it_hi = (cl_uint)(t >> 32);
    cl_mem input = input_of(s, t);
    if (s->eyes && !sa->sleeping)
        return write_visual(s, m, t, err);
    arg a[] = {ARG(sa->seed_lo),     ARG(sa->seed_hi),
               ARG(it_lo),           ARG(it_hi),
               ARG(s->region_cdf),   ARG(s->region_box),
               ARG(s->skin_region),  ARG(s->co_touch),
               ARG(sa->spot),        ARG(sa->spot_share),
               ARG(sa->spot_region), ARG(sa->inv_skin_n),
               ARG(sa->inv2s2),      ARG(sa->peak),
               ARG(sa->sleeping),    ARG(sa->noise),
               ARG(s->receptor_gain), ARG(sa->trace_rate),
               ARG(s->input_trace),  ARG(input)};
    remap_status st = set_args(s->k_stimulus, "stimulus", a, NARGS(a), err);
    return st ? st : enqueue(s, s->k_stimulus, s->receptors, "stimulus", err);
}

/* The afferent response to iteration t's stimulus (its first activity in
 * act[0]). */
static remap_status enqueue_afferent(cl_state *s, step_args *sa, uint64_t t,
                                     remap_error *err)
{
    cl_mem input = input_of(s, t);
    arg a[] = {ARG(input),          ARG(s->threshold), ARG(sa->strength),
               ARG(s->drive_scale), ARG(s->unit_gain), ARG(s->drive),
               ARG(s->input_sum),   ARG(s->act[0])};
    remap_status st = set_args_from(s->k_afferent, "afferent", 3, a, NARGS(a),
                                    err);
    return st ? st : enqueue_chunks(s, s->k_afferent, (size_t)s->field_lanes,
                                    "afferent", err);
}

static remap_status cl_step(void *state, remap_model *m, uint64_t count,
                            remap_error *err)
{
    cl_state *s = state;
    const remap_params *p = &m->params;
    const remap_geometry *g = &m->geom;
    const remap_conditions *c = &m->cond;
    remap_status st;

    /* Runtime parameters and host conditions may have changed between
     * steps (timeline events): refresh the touch table, the fused regions
     * and every argument once per step. */
    if ((st = write(s, s->region_cdf, REMAP_REGION_COUNT * sizeof(float),
                    m->region_cdf, "write region table", err)) ||
        (st = write(s, s->co_touch, REMAP_REGION_COUNT, c->co_touch,
                    "write fused regions", err)))
        return st;
    step_args sa = {
        .seed_lo = (cl_uint)m->seed,
        .seed_hi = (cl_uint)(m->seed >> 32),
        .inv_skin_n = 1.0f / (float)g->skin_n,
        .inv2s2 = remap_touch_inv2s2(p),
        .peak = p->stimulus.peak,
        .spot = {{c->spot[0], c->spot[1], c->spot[2], c->spot[3]}},
        .spot_share = c->spot_share,
        /* The region of the enriched spot, as remap_touch_draw finds it. */
        .spot_region = (cl_int)remap_layout_region_at(
            p->layout, 0.5f * (c->spot[0] + c->spot[2]),
            0.5f * (c->spot[1] + c->spot[3])),
        .sleeping = c->sleeping ? 1 : 0,
        .noise = c->sleep.noise,
        .trace_rate = p->afferent.structural.trace,
        .strength = p->afferent.strength,
        .exc = p->excitatory.strength,
        .inh = p->inhibitory.strength,
    };
    const remap_homeostasis_params *h = &p->homeostasis;
    float smoothing = h->smoothing, target = h->target;
    float scaling_rate = p->afferent.scaling.rate;
    float scaling_target = p->afferent.scaling.target;
    cl_int bcm = p->afferent.rule == REMAP_RULE_BCM;
    cl_int hebbian = p->afferent.rule == REMAP_RULE_HEBBIAN;
    float bcm_rate = p->afferent.bcm_rate;
    float sleep_weak = c->sleep.weak;
    float sleep_keep = 1.0f - c->sleep.downscale;
    const remap_structural_params *sp = &p->afferent.structural;
    float floor_w = sp->floor / (float)g->cf_full;
    cl_int patience = sp->patience;
    float sprout_rate = sp->sprout_rate;
    uint64_t interval = sp->interval > 0 ? (uint64_t)sp->interval : 1;
    int settled = p->settle_steps % 2;

    /* Settling by steps: active_span finds where an iteration's first
     * activity is non-zero, and each settle launch where its own result
     * is, for the launch after. Launch number k of these writes spans
     * and rows of slot k % 3 and the padded activity k % 2, and resets
     * slot (k + 1) % 3 for the launch after it; the first launch finds
     * its rows reset here. */
    cl_int no_rows[2] = {g->cortex_n, -1};
    uint64_t spans = 0;
    if (p->settle_steps > 0 &&
        (st = write(s, s->act_rows[0], sizeof no_rows, no_rows,
                    "write active rows", err)))
        return st;

    /* Settling reads a plastic projection's weights in place of its
     * kernel. */
    cl_mem exc_w = s->lateral[0] ? s->lateral[0] : s->exc_kernel;
    cl_mem inh_w = s->lateral[1] ? s->lateral[1] : s->inh_kernel;
    bool lateral_learns = s->lateral[0] || s->lateral[1];

    arg a_mean[] = {ARG(s->input_trace), ARG(s->mean_trace)};
    if ((st = set_args(s->k_mean_trace, "mean_trace", a_mean, NARGS(a_mean),
                       err)))
        return st;

    bool responded = false; /* this iteration's response is computed */
    for (uint64_t t = 0; t < count; t++) {
        uint64_t it = m->iteration + t;
        if (!responded &&
            ((st = enqueue_stimulus(s, m, &sa, it, err)) ||
             (st = enqueue_afferent(s, &sa, it, err))))
            return st;
        /* Settling ping-pongs between act[0] and act[1]. Each step knows
         * where the activity it reads is non-zero, so that it sums only
         * the lateral terms that are not zero: in one launch for all
         * steps, or one launch per step after one active_span. */
        if (s->settle_group && p->settle_steps > 0) {
            cl_int steps = p->settle_steps;
            arg a_all[] = {ARG(s->act[0]),    ARG(s->act[1]),
                           ARG(s->act_pad[0]), ARG(s->act_span[0]),
                           ARG(steps),
                           ARG(s->drive),     ARG(s->threshold),
                           ARG(exc_w),        ARG(inh_w),
                           ARG(sa.exc),       ARG(sa.inh),
                           ARG(s->unit_gain)};
            if ((st = set_args(s->k_settle_all, "settle_all", a_all,
                               NARGS(a_all), err)) ||
                (st = launch(s, s->k_settle_all, 0, s->settle_group,
                             s->settle_group, "settle_all", err)))
                return st;
        }
        if (!s->settle_group && p->settle_steps > 0) {
            arg a_span[] = {ARG(s->act[0]),
                            ARG(s->act_pad[spans % 2]),
                            ARG(s->act_span[spans % 3]),
                            ARG(s->act_rows[spans % 3]),
                            ARG(s->act_span[(spans + 1) % 3]),
                            ARG(s->act_rows[(spans + 1) % 3])};
            if ((st = set_args(s->k_active_span, "active_span", a_span,
                               NARGS(a_span), err)) ||
                (st = enqueue(s, s->k_active_span, (size_t)g->cortex_n,
                              "active_span", err)))
                return st;
            spans++;
        }
        for (int step = 0; !s->settle_group && step < p->settle_steps;
             step++, spans++) {
            uint64_t k = spans;
            arg a_settle[] = {ARG(s->act[step % 2]),
                              ARG(s->act_pad[(k - 1) % 2]),
                              ARG(s->act_span[(k - 1) % 3]),
                              ARG(s->act_rows[(k - 1) % 3]),
                              ARG(s->drive),
                              ARG(s->threshold),
                              ARG(exc_w),
                              ARG(inh_w),
                              ARG(sa.exc),
                              ARG(sa.inh),
                              ARG(s->unit_gain),
                              ARG(s->act[1 - step % 2]),
                              ARG(s->act_pad[k % 2]),
                              ARG(s->act_span[k % 3]),
                              ARG(s->act_rows[k % 3]),
                              ARG(s->act_span[(k + 1) % 3]),
                              ARG(s->act_rows[(k + 1) % 3])};
            if ((st = set_args(s->k_settle, "settle", a_settle,
                               NARGS(a_settle), err)) ||
                (st = enqueue(s, s->k_settle, s->settle_items, "settle",
                              err)))
                return st;
        }
        bool check_due = g->structural && (it + 1) % interval == 0;
        cl_int respond = s->fused && t + 1 < count && !check_due;
        if (respond && (st = enqueue_stimulus(s, m, &sa, it + 1, err)))
            return st;
        /* Age, modulation, rehabilitation and sleep factors of this
         * iteration, in the reference backend's arithmetic. */
        remap_rates rates;
        remap_model_rates(m, it, &rates);
        float hrate = h->rate * rates.homeostasis;
        float rate = p->afferent.learning_rate / (float)g->cf_rate_n *
                     rates.learn;
        cl_mem input = input_of(s, it), next = input_of(s, it + 1);
        /* Plastic laterals learn from the settled activity before learn
         * may overwrite it with the next response. */
        if (lateral_learns) {
            float exc_rate = g->lat_plastic[0]
                                 ? p->excitatory.learning_rate /
                                       (float)g->lat_full[0] * rates.learn
                                 : 0.0f;
            float inh_rate = g->lat_plastic[1]
                                 ? p->inhibitory.learning_rate /
                                       (float)g->lat_full[1] * rates.learn
                                 : 0.0f;
            arg a_lat[] = {ARG(exc_w),         ARG(inh_w),
                           ARG(s->act[settled]), ARG(s->unit_gain),
                           ARG(s->modulation), ARG(exc_rate),
                           ARG(inh_rate)};
            if ((st = set_args(s->k_learn_lateral, "learn_lateral", a_lat,
                               NARGS(a_lat), err)) ||
                (st = enqueue(s, s->k_learn_lateral, s->units,
                              "learn_lateral", err)))
                return st;
        }
        arg a_learn[] = {ARG(input),            ARG(s->weight_sum),
                         ARG(s->input_sum),     ARG(s->act[settled]),
                         ARG(s->avg_activity),  ARG(s->threshold),
                         ARG(s->active_count),  ARG(s->bcm_threshold),
                         ARG(s->drive_scale),   ARG(s->unit_gain),
                         ARG(s->gain_recovery), ARG(s->modulation),
                         ARG(smoothing),        ARG(hrate),
                         ARG(target),           ARG(scaling_rate),
                         ARG(scaling_target),   ARG(rate),
                         ARG(bcm),              ARG(bcm_rate),
                         ARG(sa.sleeping),      ARG(sleep_weak),
                         ARG(sleep_keep),       ARG(respond),
                         ARG(next),             ARG(sa.strength),
                         ARG(s->drive),         ARG(s->act[0])};
        if ((st = set_args_from(s->k_learn, "learn", 3, a_learn,
                                NARGS(a_learn), err)) ||
            (st = enqueue_chunks(s, s->k_learn, (size_t)s->field_lanes,
                                 "learn", err)))
            return st;
        responded = respond;
        if (check_due) {
            cl_uint it_lo = (cl_uint)it, it_hi = (cl_uint)(it >> 32);
            arg a_restr[] = {ARG(s->weight_sum),  ARG(s->input_trace),
                             ARG(s->mean_trace),  ARG(s->unit_gain),
                             ARG(sa.seed_lo),     ARG(sa.seed_hi),
                             ARG(it_lo),          ARG(it_hi),
                             ARG(floor_w),        ARG(patience),
                             ARG(sprout_rate),    ARG(hebbian)};
            if ((st = set_args_from(s->k_restructure, "restructure", 3,
                                    a_restr, NARGS(a_restr), err)) ||
                (st = enqueue(s, s->k_mean_trace, 1, "mean_trace", err)) ||
                (st = enqueue_chunks(s, s->k_restructure, 1, "restructure",
                                     err)))
                return st;
        }
    }
    if ((st = check(clFinish(s->cl.queue), "clFinish", err)) ||
        (st = profile_collect(s, err)))
        return st;
    s->settled = settled;
    m->iteration += count;
    return REMAP_OK;
}

static remap_status cl_colour_units(void *state, const remap_model *m,
                                    const remap_render_request *rq,
                                    uint8_t (*colour)[4], int *label,
                                    remap_error *err)
{
    cl_state *s = state;
    remap_status st;
    if (!s->colours_written ||
        memcmp(s->lut_written, rq->lut, sizeof rq->lut) != 0 ||
        memcmp(s->regions_written, rq->region_colour,
               sizeof rq->region_colour) != 0) {
        s->colours_written = false;
        if ((st = write(s, s->lut, sizeof rq->lut, rq->lut,
                        "write colour map", err)) ||
            (st = write(s, s->region_colour, sizeof rq->region_colour,
                        rq->region_colour, "write region colours", err)))
            return st;
        memcpy(s->lut_written, rq->lut, sizeof rq->lut);
        memcpy(s->regions_written, rq->region_colour,
               sizeof rq->region_colour);
        s->colours_written = true;
    }
    cl_int regions = remap_model_regions(m), kind = (cl_int)rq->kind;
    cl_uchar4 lesion, empty;
    memcpy(lesion.s, rq->lesion, 4);
    memcpy(empty.s, rq->empty, 4);
    float lo = rq->lo, hi = rq->hi;
    arg a_unit[] = {ARG(s->act[s->settled]), ARG(s->threshold),
                    ARG(s->unit_gain),       ARG(s->region_box),
                    ARG(regions),            ARG(kind),
                    ARG(s->lut),             ARG(lo),
                    ARG(hi),                 ARG(s->region_colour),
                    ARG(lesion),             ARG(empty),
                    ARG(s->unit_rgba),       ARG(s->unit_label)};
    if ((st = set_args_from(s->k_unit_colour, "unit_colour", 2, a_unit,
                            NARGS(a_unit), err)))
        return st;
    /* unit_colour takes a chunk's weights and first unit (no synapses). */
    for (size_t c = 0; c < s->chunk_count; c++) {
        chunk *ch = &s->chunks[c];
        arg a[] = {ARG(ch->weights), ARG(ch->unit_base)};
        if ((st = set_args(s->k_unit_colour, "unit_colour", a, NARGS(a),
                           err)) ||
            (st = enqueue_at(s, s->k_unit_colour, (size_t)ch->unit_base,
                             ch->units, "unit_colour", err)))
            return st;
    }
    size_t units = (size_t)m->geom.units;
    if ((st = read(s, s->unit_rgba, units * 4, colour, "read unit colours",
                   err)))
        return st;
    return read(s, s->unit_label, units * sizeof(cl_int), label,
                "read unit labels", err);
}

static const char *cl_device_name(void *state)
{
    return ((cl_state *)state)->device_name;
}

const remap_backend_ops remap_cl_backend = {
    .name = "opencl",
    .create = cl_create,
    .destroy = cl_destroy,
    .step = cl_step,
    .pull = cl_pull,
    .push = cl_push,
    .device_name = cl_device_name,
    .colour_units = cl_colour_units,
};

/* ---- Profiling (remap_cl_options.profiling): the events of the launches
 * are kept, read after the step's clFinish and released; their device
 * times add up per kernel name. */

#define PROFILE_KERNELS 32
/* Events kept at most before they are read early (waiting for them), so a
 * long step holds a bounded number. */
#define PROFILE_PENDING_MAX 8192

typedef struct cl_profile {
    bool on; /* the queue was created with CL_QUEUE_PROFILING_ENABLE */
    cl_event *events;
    const char **names; /* kernel name of each event (static strings) */
    size_t pending, cap;
    remap_kernel_time times[PROFILE_KERNELS];
    size_t kernels;
} cl_profile;

static void profile_destroy(cl_profile *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->pending; i++)
        clReleaseEvent(p->events[i]);
    free(p->events);
    free(p->names);
    free(p);
}

/* Whether the queue profiles, asked once and remembered. */
static remap_status profile_on(cl_state *s, bool *on, remap_error *err)
{
    if (!s->profile) {
        cl_command_queue_properties props = 0;
        cl_int rc = clGetCommandQueueInfo(s->cl.queue, CL_QUEUE_PROPERTIES,
                                          sizeof props, &props, NULL);
        if (rc != CL_SUCCESS)
            return check(rc, "clGetCommandQueueInfo(CL_QUEUE_PROPERTIES)",
                         err);
        s->profile = calloc(1, sizeof *s->profile);
        if (!s->profile)
            return remap_fail(err, REMAP_ENOMEM,
                              "OpenCL backend: no memory for profiling");
        s->profile->on = (props & CL_QUEUE_PROFILING_ENABLE) != 0;
    }
    *on = s->profile->on;
    return REMAP_OK;
}

static remap_status profile_keep(cl_state *s, const char *name, cl_event ev,
                                 remap_error *err)
{
    cl_profile *p = s->profile;
    remap_status st;
    if (p->pending == PROFILE_PENDING_MAX &&
        (st = profile_collect(s, err)) != REMAP_OK) {
        clReleaseEvent(ev);
        return st;
    }
    if (p->pending == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        cl_event *events = realloc(p->events, cap * sizeof *events);
        if (events)
            p->events = events;
        const char **names = realloc(p->names, cap * sizeof *names);
        if (names)
            p->names = names;
        if (!events || !names) {
            clReleaseEvent(ev);
            return remap_fail(err, REMAP_ENOMEM,
                              "OpenCL backend: no memory for profiling "
                              "events");
        }
        p->cap = cap;
    }
    p->events[p->pending] = ev;
    p->names[p->pending] = name;
    p->pending++;
    return REMAP_OK;
}

/* Waits for the kept events, adds their device times to their kernels'
 * and releases them. */
static remap_status profile_collect(cl_state *s, remap_error *err)
{
    cl_profile *p = s->profile;
    if (!p || !p->pending)
        return REMAP_OK;
    cl_int rc = clWaitForEvents((cl_uint)p->pending, p->events);
    remap_status st = check(rc, "clWaitForEvents(profiling)", err);
    for (size_t i = 0; i < p->pending; i++) {
        cl_ulong start = 0, end = 0;
        if (!st) {
            rc = clGetEventProfilingInfo(p->events[i],
                                         CL_PROFILING_COMMAND_START,
                                         sizeof start, &start, NULL);
            if (rc == CL_SUCCESS)
                rc = clGetEventProfilingInfo(p->events[i],
                                             CL_PROFILING_COMMAND_END,
                                             sizeof end, &end, NULL);
            st = check(rc, "clGetEventProfilingInfo", err);
        }
        clReleaseEvent(p->events[i]);
        if (st)
            continue;
        size_t k = 0;
        while (k < p->kernels && strcmp(p->times[k].name, p->names[i]) != 0)
            k++;
        if (k == p->kernels) {
            if (k == PROFILE_KERNELS)
                continue; /* more kernel names than the table holds */
            snprintf(p->times[k].name, sizeof p->times[k].name, "%s",
                     p->names[i]);
            p->kernels++;
        }
        p->times[k].launches++;
        p->times[k].seconds += end > start ? (double)(end - start) * 1e-9
                                           : 0.0;
    }
    p->pending = 0;
    return st;
}

/* The backend state of m when it runs on OpenCL, else NULL. */
static cl_state *cl_state_of(const remap_model *m)
{
    return m && m->backend == &remap_cl_backend ? m->backend_state : NULL;
}

size_t remap_cl_kernel_times(const remap_model *m, remap_kernel_time *out,
                             size_t max)
{
    cl_state *s = cl_state_of(m);
    if (!s || !s->profile || !s->profile->on)
        return 0;
    /* Launches outside a step (rendering) are read here; an error reading
     * them leaves them uncounted. */
    profile_collect(s, NULL);
    cl_profile *p = s->profile;
    for (size_t k = 0; k < p->kernels && k < max; k++)
        out[k] = p->times[k];
    return p->kernels;
}

void remap_cl_kernel_times_reset(remap_model *m)
{
    cl_state *s = cl_state_of(m);
    if (!s || !s->profile)
        return;
    profile_collect(s, NULL);
    s->profile->kernels = 0;
    memset(s->profile->times, 0, sizeof s->profile->times);
}

size_t remap_cl_weight_bytes(const remap_model *m)
{
    cl_state *s = cl_state_of(m);
    return s && s->half ? 2 : sizeof(float);
}

double remap_cl_build_seconds(const remap_model *m)
{
    cl_state *s = cl_state_of(m);
    return s ? s->cl.build_seconds : 0.0;
}

int remap_cl_settle_tile(const remap_model *m)
{
    cl_state *s = cl_state_of(m);
    return s ? s->settle_tile : 0;
}

int remap_cl_field_lanes(const remap_model *m)
{
    cl_state *s = cl_state_of(m);
    return s ? s->field_lanes : 0;
}
