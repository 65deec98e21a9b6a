/* Checkpoints in HDF5: the layout of docs/checkpoint.md, written to a
 * temporary file and renamed into place, read back with every object
 * checked before the model is touched. */
#include "io/checkpoint.h"
#include "core/revision.h"

#include "io/atomic.h"

#include <hdf5.h>

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define FORMAT_NAME "remap-checkpoint"

/* Everything a helper needs to report a failure: the file as the caller
 * named it (not the temporary name) and the open HDF5 file. */
typedef struct ck {
    const char *path;
    hid_t file;
    remap_error *err;
} ck;

/* HDF5 prints its error stack unless told not to. Library code must not
 * print, so each public function silences it and restores the caller's
 * setting on the way out. */
typedef struct h5_quiet {
    H5E_auto2_t func;
    void *data;
} h5_quiet;

static void quiet_begin(h5_quiet *q)
{
    if (H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data) < 0) {
        q->func = NULL;
        q->data = NULL;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void quiet_end(const h5_quiet *q)
{
    H5Eset_auto2(H5E_DEFAULT, q->func, q->data);
}

typedef struct detail_buf {
    char *buf;
    size_t size;
} detail_buf;

static herr_t detail_walk(unsigned n, const H5E_error2_t *e, void *data)
{
    detail_buf *d = data;
    if (n != 0 || !e->desc)
        return 0;
    /* The file drivers put the system's message inside a long record of
     * offsets and descriptors; the system's message is what a user needs. */
    const char *key = "error message = '";
    const char *s = strstr(e->desc, key);
    if (s) {
        s += strlen(key);
        const char *q = strchr(s, '\'');
        int len = q ? (int)(q - s) : (int)strlen(s);
        snprintf(d->buf, d->size, "%.*s", len, s);
    } else {
        snprintf(d->buf, d->size, "%s", e->desc);
    }
    return 0;
}

/* The innermost (most specific) description on HDF5's error stack. Must be
 * called before any other HDF5 call, which would clear the stack. */
static void h5_detail(char *buf, size_t size)
{
    detail_buf d = {buf, size};
    buf[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, detail_walk, &d);
}

/* "path: cannot <what> <obj> (<HDF5's reason>)" */
static remap_status h5_fail(const ck *c, remap_status s, const char *what,
                            const char *obj)
{
    char detail[512];
    h5_detail(detail, sizeof detail);
    if (detail[0])
        return remap_fail(c->err, s, "%s: cannot %s %s (%s)", c->path, what,
                          obj, detail);
    return remap_fail(c->err, s, "%s: cannot %s %s", c->path, what, obj);
}

static void close_id(hid_t id, herr_t (*closer)(hid_t))
{
    if (id >= 0)
        closer(id);
}

/* Variable-length UTF-8 strings: h5py reads them as str. */
static hid_t string_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 ||
        H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* ---- writing ---------------------------------------------------------- */

/* A scalar attribute `name` on the object at absolute path obj. */
static remap_status put_attr(const ck *c, const char *obj, const char *name,
                             hid_t ftype, hid_t mtype, const void *value)
{
    char what[256];
    snprintf(what, sizeof what, "attribute '%s' of %s", name, obj);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5I_INVALID_HID;
    remap_status st = REMAP_OK;
    if (space < 0)
        goto fail;
    attr = H5Acreate_by_name(c->file, obj, name, ftype, space, H5P_DEFAULT,
                             H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0 || H5Awrite(attr, mtype, value) < 0)
        goto fail;
    goto done;
fail:
    st = h5_fail(c, REMAP_EIO, "write", what);
done:
    close_id(attr, H5Aclose);
    close_id(space, H5Sclose);
    return st;
}

static remap_status put_attr_str(const ck *c, const char *obj,
                                 const char *name, const char *value)
{
    hid_t t = string_type();
    if (t < 0)
        return h5_fail(c, REMAP_EIO, "create a string type for", name);
    remap_status st = put_attr(c, obj, name, t, t, &value);
    H5Tclose(t);
    return st;
}

static remap_status put_attr_int(const ck *c, const char *obj,
                                 const char *name, int value)
{
    return put_attr(c, obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, &value);
}

static remap_status put_attr_u8(const ck *c, const char *obj,
                                const char *name, uint8_t value)
{
    return put_attr(c, obj, name, H5T_STD_U8LE, H5T_NATIVE_UINT8, &value);
}

static remap_status put_attr_f32(const ck *c, const char *obj,
                                 const char *name, float value)
{
    return put_attr(c, obj, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, &value);
}

/* A one-dimensional attribute of n values. */
static remap_status put_attr_vec(const ck *c, const char *obj,
                                 const char *name, hid_t ftype, hid_t mtype,
                                 int n, const void *values)
{
    char what[256];
    snprintf(what, sizeof what, "attribute '%s' of %s", name, obj);
    hsize_t dims[1] = {(hsize_t)n};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t attr = H5I_INVALID_HID;
    remap_status st = REMAP_OK;
    if (space < 0)
        goto fail;
    attr = H5Acreate_by_name(c->file, obj, name, ftype, space, H5P_DEFAULT,
                             H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0 || H5Awrite(attr, mtype, values) < 0)
        goto fail;
    goto done;
fail:
    st = h5_fail(c, REMAP_EIO, "write", what);
done:
    close_id(attr, H5Aclose);
    close_id(space, H5Sclose);
    return st;
}

static remap_status put_attr_u64(const ck *c, const char *obj,
                                 const char *name, uint64_t value)
{
    return put_attr(c, obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

static remap_status put_group(const ck *c, const char *name)
{
    hid_t g = H5Gcreate2(c->file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return h5_fail(c, REMAP_EIO, "create group", name);
    H5Gclose(g);
    return REMAP_OK;
}

/* Chunks of about 1 MiB along the first axis, whole along the others. */
static void chunk_dims(int rank, const hsize_t *dims, size_t elem,
                       hsize_t *chunk)
{
    hsize_t row = elem;
    for (int i = 1; i < rank; i++) {
        chunk[i] = dims[i];
        row *= dims[i];
    }
    hsize_t rows = row > 0 ? ((hsize_t)1 << 20) / row : dims[0];
    if (rows < 1)
        rows = 1;
    chunk[0] = rows < dims[0] ? rows : dims[0];
}

/* Dataset `name` (absolute path) of the given shape from data. Compressed
 * datasets are chunked with shuffle, deflate level 1 (lossless: the bits
 * round-trip) and a Fletcher-32 checksum that catches a damaged file. */
static remap_status put_dataset(const ck *c, const char *name, hid_t ftype,
                                hid_t mtype, int rank, const hsize_t *dims,
                                const void *data, bool compress)
{
    hid_t space = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
    hid_t ds = H5I_INVALID_HID;
    remap_status st = REMAP_OK;
    space = H5Screate_simple(rank, dims, NULL);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (space < 0 || dcpl < 0)
        goto fail;
    if (compress && dims[0] > 0) {
        hsize_t chunk[4];
        chunk_dims(rank, dims, H5Tget_size(mtype), chunk);
        if (H5Pset_chunk(dcpl, rank, chunk) < 0 || H5Pset_shuffle(dcpl) < 0)
            goto fail;
        if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 &&
            H5Pset_deflate(dcpl, 1) < 0)
            goto fail;
        if (H5Pset_fletcher32(dcpl) < 0)
            goto fail;
    }
    ds = H5Dcreate2(c->file, name, ftype, space, H5P_DEFAULT, dcpl,
                    H5P_DEFAULT);
    if (ds < 0 || H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        goto fail;
    /* Closing writes the last chunks; its failure is a write failure. */
    herr_t closed = H5Dclose(ds);
    ds = H5I_INVALID_HID;
    if (closed < 0)
        goto fail;
    goto done;
fail:
    st = h5_fail(c, REMAP_EIO, "write", name);
done:
    close_id(ds, H5Dclose);
    close_id(dcpl, H5Pclose);
    close_id(space, H5Sclose);
    return st;
}

static remap_status put_scenario(const ck *c, const char *text)
{
    hid_t t = string_type();
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t ds = H5I_INVALID_HID;
    remap_status st = REMAP_OK;
    if (t < 0 || space < 0)
        goto fail;
    ds = H5Dcreate2(c->file, "/scenario", t, space, H5P_DEFAULT, H5P_DEFAULT,
                    H5P_DEFAULT);
    if (ds < 0 || H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0)
        goto fail;
    goto done;
fail:
    st = h5_fail(c, REMAP_EIO, "write", "/scenario");
done:
    close_id(ds, H5Dclose);
    close_id(space, H5Sclose);
    close_id(t, H5Tclose);
    return st;
}

static remap_status put_header(const ck *c, const remap_model *m,
                               const char *device)
{
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) ||
        strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(created, sizeof created, "unknown");
    remap_status st;
    if ((st = put_attr_str(c, "/", "format", FORMAT_NAME)) ||
        (st = put_attr_int(c, "/", "format_version",
                           REMAP_CHECKPOINT_VERSION)) ||
        (st = put_attr_u64(c, "/", "iteration", m->iteration)) ||
        (st = put_attr_u64(c, "/", "seed", m->seed)) ||
        (st = put_attr_str(c, "/", "device", device)) ||
        (st = put_attr_str(c, "/", "weight_storage",
                           m->half_weights ? "half" : "float")) ||
        (st = put_attr_str(c, "/", "revision", remap_revision)) ||
        (st = put_attr_str(c, "/", "created", created)))
        return st;
    return REMAP_OK;
}

static remap_status put_params(const ck *c, const remap_params *p)
{
    remap_status st = put_group(c, "/params");
    size_t count;
    const remap_param_info *table = remap_param_table(&count);
    for (size_t i = 0; st == REMAP_OK && i < count; i++) {
        double v = remap_param_get(p, &table[i]);
        st = put_attr(c, "/params", table[i].path, H5T_IEEE_F64LE,
                      H5T_NATIVE_DOUBLE, &v);
    }
    return st;
}

static remap_status put_geometry(const ck *c, const remap_geometry *g)
{
    remap_status st;
    if ((st = put_group(c, "/geometry")) ||
        (st = put_attr_int(c, "/geometry", "skin_n", g->skin_n)) ||
        (st = put_attr_int(c, "/geometry", "cortex_n", g->cortex_n)) ||
        (st = put_attr_int(c, "/geometry", "cf_r", g->cf_r)) ||
        (st = put_attr_int(c, "/geometry", "cf_side", g->cf_side)) ||
        (st = put_attr_int(c, "/geometry", "cf_len", g->cf_len)) ||
        (st = put_attr_int(c, "/geometry", "cf_r2i", g->cf_r2i)) ||
        (st = put_attr_int(c, "/geometry", "init_r2i", g->init_r2i)) ||
        (st = put_attr_int(c, "/geometry", "structural",
                           g->structural ? 1 : 0)) ||
        (st = put_attr_int(c, "/geometry", "channels", g->channels)) ||
        (st = put_attr_int(c, "/geometry", "eyes", g->eyes)) ||
        (st = put_attr_int(c, "/geometry", "retina_n", g->retina_n)) ||
        (st = put_attr_int(c, "/geometry", "lat_len_excitatory",
                           g->lat_plastic[0] ? g->lat_len[0] : 0)) ||
        (st = put_attr_int(c, "/geometry", "lat_len_inhibitory",
                           g->lat_plastic[1] ? g->lat_len[1] : 0)))
        return st;
    return REMAP_OK;
}

/* "palm,d1,d2,d3,d4,d5": the names of the layout's region labels. */
static void region_names(int layout, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int r = 0; r < remap_layout_region_count(layout) && len < size;
         r++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", r ? "," : "",
                                remap_layout_region_name(layout, r));
}

/* The plastic lateral weights of projection q (0 excitatory, 1
 * inhibitory), when it has them. */
static const char *const lateral_name[2] = {"/state/lateral_excitatory",
                                            "/state/lateral_inhibitory"};

static remap_status put_state(const ck *c, const remap_model *m)
{
    const remap_geometry *g = &m->geom;
    hsize_t w[2] = {(hsize_t)g->units, (hsize_t)g->cf_len};
    hsize_t sheet[2] = {(hsize_t)g->cortex_n, (hsize_t)g->cortex_n};
    /* The input planes (channels) stacked along the rows: one plane on
     * the skin. */
    hsize_t skin[2] = {(hsize_t)g->channels * (hsize_t)g->skin_n,
                       (hsize_t)g->skin_n};
    hid_t f32 = H5T_IEEE_F32LE, nf = H5T_NATIVE_FLOAT;
    remap_status st;
    if ((st = put_group(c, "/state")) ||
        (st = put_dataset(c, "/state/weights", f32, nf, 2, w, m->weights,
                          true)) ||
        (st = put_dataset(c, "/state/threshold", f32, nf, 2, sheet,
                          m->threshold, false)) ||
        (st = put_dataset(c, "/state/avg_activity", f32, nf, 2, sheet,
                          m->avg_activity, false)) ||
        (st = put_dataset(c, "/state/activity", f32, nf, 2, sheet,
                          m->activity, false)) ||
        (st = put_dataset(c, "/state/active_count", H5T_STD_U32LE,
                          H5T_NATIVE_UINT32, 2, sheet, m->active_count,
                          false)) ||
        (st = put_dataset(c, "/state/input", f32, nf, 2, skin, m->input,
                          false)) ||
        (st = put_dataset(c, "/state/synapse", H5T_STD_U8LE,
                          H5T_NATIVE_UINT8, 2, w, m->synapse, true)) ||
        (st = put_dataset(c, "/state/bcm_threshold", f32, nf, 2, sheet,
                          m->bcm_threshold, false)) ||
        (st = put_dataset(c, "/state/drive_scale", f32, nf, 2, sheet,
                          m->drive_scale, false)) ||
        (st = put_dataset(c, "/state/unit_gain", f32, nf, 2, sheet,
                          m->unit_gain, false)) ||
        (st = put_dataset(c, "/state/gain_recovery", f32, nf, 2, sheet,
                          m->gain_recovery, false)) ||
        (st = put_dataset(c, "/state/modulation", f32, nf, 2, sheet,
                          m->modulation, false)) ||
        (st = put_dataset(c, "/state/input_trace", f32, nf, 2, skin,
                          m->input_trace, false)) ||
        (st = put_dataset(c, "/state/receptor_gain", f32, nf, 2, skin,
                          m->receptor_gain, false)) ||
        (st = put_dataset(c, "/state/affected", H5T_STD_U8LE,
                          H5T_NATIVE_UINT8, 2, skin, m->affected, false)))
        return st;
    for (int q = 0; q < 2; q++) {
        if (!g->lat_plastic[q])
            continue;
        hsize_t lat[2] = {(hsize_t)g->units, (hsize_t)g->lat_len[q]};
        if ((st = put_dataset(c, lateral_name[q], f32, nf, 2, lat,
                              m->lateral[q], true)))
            return st;
    }
    if (g->eyes > 0) {
        hsize_t retina[2] = {(hsize_t)g->eyes * (hsize_t)g->retina_n,
                             (hsize_t)g->retina_n};
        if ((st = put_dataset(c, "/state/retina_gain", f32, nf, 2, retina,
                              m->retina_gain, false)))
            return st;
    }

    char names[128];
    region_names(m->params.layout, names, sizeof names);
    if ((st = put_group(c, "/skin")) ||
        (st = put_dataset(c, "/skin/region", H5T_STD_U8LE, H5T_NATIVE_UINT8,
                          2, skin, m->skin_region, false)) ||
        (st = put_attr_str(c, "/skin/region", "names", names)))
        return st;
    return REMAP_OK;
}

/* The host-side conditions set by events. Per-region values are stored
 * for the layout's regions only; the model's entries beyond them are never
 * set (events name regions of the layout), and a save that finds one set
 * is refused rather than dropping it. */
static remap_status put_conditions(const ck *c, const remap_model *m)
{
    const remap_conditions *k = &m->cond;
    int regions = remap_model_regions(m);
    unsigned beyond = 0xffu << regions; /* mask bits the layout lacks */
    for (int r = 0; r < REMAP_REGION_COUNT; r++) {
        bool set = r >= regions
                       ? k->enrich[r] != 1.0f || k->focus[r] != 1.0f ||
                             k->co_touch[r] != 0 ||
                             (k->deafferented & (1u << r))
                       : (k->co_touch[r] & beyond) != 0;
        if (set || (r == 0 && (k->deafferented & beyond)))
            return remap_fail(c->err, REMAP_EINVAL,
                              "%s: cannot save the conditions: they name a "
                              "region beyond the layout's %d regions",
                              c->path, regions);
    }
    char names[128];
    region_names(m->params.layout, names, sizeof names);
    const char *g = "/conditions";
    hid_t f32 = H5T_IEEE_F32LE, nf = H5T_NATIVE_FLOAT;
    remap_status st;
    if ((st = put_group(c, g)) ||
        (st = put_attr_str(c, g, "regions", names)) ||
        (st = put_attr_vec(c, g, "enrich", f32, nf, regions, k->enrich)) ||
        (st = put_attr_vec(c, g, "focus", f32, nf, regions, k->focus)) ||
        (st = put_attr_f32(c, g, "rehab_gain", k->rehab_gain)) ||
        (st = put_attr_vec(c, g, "co_touch", H5T_STD_U8LE, H5T_NATIVE_UINT8,
                           regions, k->co_touch)) ||
        (st = put_attr_u8(c, g, "deafferented", k->deafferented)) ||
        (st = put_attr_vec(c, g, "spot", f32, nf, 4, k->spot)) ||
        (st = put_attr_f32(c, g, "spot_share", k->spot_share)) ||
        (st = put_attr_u8(c, g, "sleeping", k->sleeping)) ||
        (st = put_attr_f32(c, g, "sleep.noise", k->sleep.noise)) ||
        (st = put_attr_f32(c, g, "sleep.downscale", k->sleep.downscale)) ||
        (st = put_attr_f32(c, g, "sleep.weak", k->sleep.weak)))
        return st;
    return REMAP_OK;
}

/* The maps of a visual model: arrays over the cortex, the settings they
 * were measured with and their figures as attributes of the group. */
static remap_status put_vision(const ck *c, const remap_geometry *g,
                               const remap_vision_map *v)
{
    const char *grp = "/measures/vision";
    hsize_t sheet[2] = {(hsize_t)g->cortex_n, (hsize_t)g->cortex_n};
    hid_t f32 = H5T_IEEE_F32LE, nf = H5T_NATIVE_FLOAT;
    const remap_ormap_stats *k = &v->stats;
    remap_status st;
    if ((st = put_group(c, grp)) ||
        (st = put_dataset(c, "/measures/vision/preference", f32, nf, 2, sheet,
                          v->preference, false)) ||
        (st = put_dataset(c, "/measures/vision/selectivity", f32, nf, 2,
                          sheet, v->selectivity, false)) ||
        (v->od && (st = put_dataset(c, "/measures/vision/od", f32, nf, 2,
                                    sheet, v->od, false))) ||
        (st = put_attr_u64(c, grp, "iteration", v->iteration)) ||
        (st = put_attr_int(c, grp, "orientations",
                           v->settings.orientations)) ||
        (st = put_attr_int(c, grp, "phases", v->settings.phases)) ||
        (st = put_attr_f32(c, grp, "frequency", v->settings.frequency)) ||
        (st = put_attr_f32(c, grp, "contrast", v->settings.contrast)) ||
        (st = put_attr_int(c, grp, "eyes", v->eyes)) ||
        (st = put_attr_int(c, grp, "living", v->living)) ||
        (st = put_attr_f32(c, grp, "selectivity_mean",
                           v->selectivity_mean)) ||
        (st = put_attr_f32(c, grp, "od_mean", v->od_mean)) ||
        (st = put_attr_f32(c, grp, "od_spread", v->od_spread)) ||
        (st = put_attr_u8(c, grp, "stats_ok", v->stats_ok ? 1 : 0)) ||
        (st = put_attr_int(c, grp, "pinwheels", k->pinwheels)) ||
        (st = put_attr_int(c, grp, "pinwheels_positive", k->positive)) ||
        (st = put_attr_int(c, grp, "pinwheels_negative", k->negative)) ||
        (st = put_attr_f32(c, grp, "area", k->area)) ||
        (st = put_attr_f32(c, grp, "k_peak", k->k_peak)) ||
        (st = put_attr_f32(c, grp, "hypercolumn", k->lambda_sheet)) ||
        (st = put_attr_f32(c, grp, "hypercolumn_units", k->lambda)) ||
        (st = put_attr_f32(c, grp, "pinwheel_density", k->density)))
        return st;
    return REMAP_OK;
}

static remap_status put_measures(const ck *c, const remap_geometry *g,
                                 const remap_checkpoint_measures *ms)
{
    if (!ms || (!ms->rf_centre && !ms->preferred_region && !ms->vision))
        return REMAP_OK;
    hsize_t centre[3] = {(hsize_t)g->cortex_n, (hsize_t)g->cortex_n, 2};
    hsize_t sheet[2] = {(hsize_t)g->cortex_n, (hsize_t)g->cortex_n};
    remap_status st = put_group(c, "/measures");
    if (st == REMAP_OK && ms->rf_centre)
        st = put_dataset(c, "/measures/rf_centre", H5T_IEEE_F32LE,
                         H5T_NATIVE_FLOAT, 3, centre, ms->rf_centre, false);
    if (st == REMAP_OK && ms->preferred_region)
        st = put_dataset(c, "/measures/preferred_region", H5T_STD_I8LE,
                         H5T_NATIVE_INT8, 2, sheet, ms->preferred_region,
                         false);
    if (st == REMAP_OK && ms->vision)
        st = put_vision(c, g, ms->vision);
    return st;
}

/* Reading: file systems without locks are tolerated rather than refused
 * (HDF5 1.10 otherwise fails to open on them). */
static hid_t file_access(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0)
        return fapl;
    if (H5Pset_file_locking(fapl, true, true) < 0) {
        H5Pclose(fapl);
        return H5I_INVALID_HID;
    }
    return fapl;
}

/* Bytes of the arrays before compression, plus room for metadata: the
 * in-memory file grows in steps of this size, so it is allocated once
 * rather than grown (and copied) many times. */
static size_t image_increment(const remap_model *m, const char *scenario,
                              bool measures)
{
    const remap_geometry *g = &m->geom;
    size_t units = (size_t)g->units, receptors = (size_t)g->receptors;
    /* Weights and synapse flags; nine 4-byte arrays per unit; three
     * 4-byte and two 1-byte arrays per receptor. */
    size_t bytes = units * (size_t)g->cf_len * 5 + units * 9 * 4 +
                   receptors * 14 + strlen(scenario) + ((size_t)1 << 20);
    for (int q = 0; q < 2; q++)
        if (g->lat_plastic[q])
            bytes += units * (size_t)g->lat_len[q] * 4;
    bytes += (size_t)g->eyes * (size_t)g->retina_n * (size_t)g->retina_n * 4;
    if (measures)
        bytes += units * 21; /* unit maps and the three vision maps */
    return bytes;
}

/* The file is composed in memory (HDF5's core driver) and written out by
 * remap_write_file_atomic. HDF5 itself then never meets a disk error: in
 * 1.10 a file whose flush fails on close (disk full) stays half-closed and
 * crashes the library when the process exits. The price is host memory
 * for about twice the file while saving. */
remap_status remap_checkpoint_save(const char *path, const remap_model *m,
                                   const char *scenario_text,
                                   const char *device, const float *rf_centre,
                                   const int8_t *preferred_region,
                                   remap_error *err)
{
    remap_checkpoint_measures ms = {.rf_centre = rf_centre,
                                    .preferred_region = preferred_region};
    return remap_checkpoint_save_measures(path, m, scenario_text, device, &ms,
                                          err);
}

remap_status remap_checkpoint_save_measures(const char *path,
                                            const remap_model *m,
                                            const char *scenario_text,
                                            const char *device,
                                            const remap_checkpoint_measures *ms,
                                            remap_error *err)
{
    if (!path || !*path || !m || !scenario_text)
        return remap_fail(err, REMAP_EINVAL,
                          "checkpoint save: missing path, model or scenario");
    if (ms && ms->vision &&
        (ms->vision->units != m->geom.units || !ms->vision->preference ||
         !ms->vision->selectivity))
        return remap_fail(err, REMAP_EINVAL,
                          "%s: cannot save the vision maps: they are not "
                          "maps of this model's %d units",
                          path, m->geom.units);
    h5_quiet q;
    quiet_begin(&q);
    ck c = {path, H5I_INVALID_HID, err};
    remap_status st;
    void *image = NULL;
    ssize_t size = -1;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    size_t increment = image_increment(m, scenario_text, ms != NULL);
    if (fapl < 0 || H5Pset_fapl_core(fapl, increment, false) < 0) {
        st = h5_fail(&c, REMAP_EIO, "set up", "an in-memory file");
        close_id(fapl, H5Pclose);
        goto fail;
    }
    /* With no backing store the name is only a label; nothing is created
     * on disk here. */
    c.file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (c.file < 0) {
        st = h5_fail(&c, REMAP_EIO, "create", "an in-memory file");
        H5Pclose(fapl);
        goto fail;
    }
    H5Pclose(fapl);
    if ((st = put_header(&c, m, device ? device : "unknown")) ||
        (st = put_scenario(&c, scenario_text)) ||
        (st = put_params(&c, &m->params)) ||
        (st = put_geometry(&c, &m->geom)) || (st = put_state(&c, m)) ||
        (st = put_conditions(&c, m)) ||
        (st = put_measures(&c, &m->geom, ms)))
        goto fail;
    if (H5Fflush(c.file, H5F_SCOPE_GLOBAL) < 0 ||
        (size = H5Fget_file_image(c.file, NULL, 0)) < 0) {
        st = h5_fail(&c, REMAP_EIO, "finish", "the in-memory file");
        goto fail;
    }
    image = malloc(size > 0 ? (size_t)size : 1);
    if (!image) {
        st = remap_fail(err, REMAP_ENOMEM,
                        "%s: cannot allocate %.1f MiB for the checkpoint",
                        path, (double)size / 1048576.0);
        goto fail;
    }
    if (H5Fget_file_image(c.file, image, (size_t)size) != size) {
        st = h5_fail(&c, REMAP_EIO, "copy", "the in-memory file");
        goto fail;
    }
    herr_t closed = H5Fclose(c.file);
    c.file = H5I_INVALID_HID;
    if (closed < 0) {
        st = h5_fail(&c, REMAP_EIO, "close", "the in-memory file");
        goto fail;
    }
    quiet_end(&q);
    st = remap_write_file_atomic(path, image, (size_t)size, err);
    free(image);
    return st;

fail:
    close_id(c.file, H5Fclose);
    free(image);
    quiet_end(&q);
    return st;
}

/* ---- reading ---------------------------------------------------------- */

static remap_status missing(const ck *c, const char *what)
{
    return remap_fail(c->err, REMAP_EFORMAT, "%s: checkpoint has no %s",
                      c->path, what);
}

/* Opens the attribute obj@name and checks that it holds `count` values
 * of class cls (H5T_NO_CLASS: any number). */
static remap_status open_attr_n(const ck *c, const char *obj,
                                const char *name, H5T_class_t cls, int count,
                                hid_t *out)
{
    char what[256];
    snprintf(what, sizeof what, "attribute '%s' of %s", name, obj);
    *out = H5I_INVALID_HID;
    htri_t there = H5Aexists_by_name(c->file, obj, name, H5P_DEFAULT);
    if (there < 0)
        return h5_fail(c, REMAP_EFORMAT, "read", what);
    if (there == 0)
        return missing(c, what);
    hid_t attr = H5Aopen_by_name(c->file, obj, name, H5P_DEFAULT,
                                 H5P_DEFAULT);
    if (attr < 0)
        return h5_fail(c, REMAP_EFORMAT, "read", what);
    hid_t type = H5Aget_type(attr);
    hid_t space = H5Aget_space(attr);
    H5T_class_t got = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    close_id(space, H5Sclose);
    close_id(type, H5Tclose);
    bool ok = cls == H5T_NO_CLASS ? got == H5T_INTEGER || got == H5T_FLOAT
                                  : got == cls;
    if (ok && n != count && count != 1) {
        H5Aclose(attr);
        return remap_fail(c->err, REMAP_EFORMAT,
                          "%s: %s has %lld values, expected %d", c->path,
                          what, (long long)n, count);
    }
    if (!ok || n != count) {
        H5Aclose(attr);
        return remap_fail(c->err, REMAP_EFORMAT, "%s: %s is not %s %s",
                          c->path, what, count == 1 ? "a single" : "all",
                          cls == H5T_STRING ? "string" : "number");
    }
    *out = attr;
    return REMAP_OK;
}

static remap_status open_attr(const ck *c, const char *obj, const char *name,
                              H5T_class_t cls, hid_t *out)
{
    return open_attr_n(c, obj, name, cls, 1, out);
}

/* A numeric attribute of exactly n values, converted by HDF5 to mtype. */
static remap_status get_attr_vec(const ck *c, const char *obj,
                                 const char *name, hid_t mtype, int n,
                                 void *out)
{
    hid_t attr;
    remap_status st = open_attr_n(c, obj, name, H5T_NO_CLASS, n, &attr);
    if (st != REMAP_OK)
        return st;
    if (H5Aread(attr, mtype, out) < 0) {
        char what[256];
        snprintf(what, sizeof what, "attribute '%s' of %s", name, obj);
        st = h5_fail(c, REMAP_EFORMAT, "read", what);
    }
    H5Aclose(attr);
    return st;
}

/* A numeric scalar attribute, converted by HDF5 to mtype. */
static remap_status get_attr_num(const ck *c, const char *obj,
                                 const char *name, hid_t mtype, void *out)
{
    hid_t attr;
    remap_status st = open_attr(c, obj, name, H5T_NO_CLASS, &attr);
    if (st != REMAP_OK)
        return st;
    if (H5Aread(attr, mtype, out) < 0) {
        char what[256];
        snprintf(what, sizeof what, "attribute '%s' of %s", name, obj);
        st = h5_fail(c, REMAP_EFORMAT, "read", what);
    }
    H5Aclose(attr);
    return st;
}

/* Reads a one-element string attribute or dataset into a malloc'd copy;
 * both variable- and fixed-length strings are accepted. */
static remap_status read_string(const ck *c, hid_t obj, bool is_attr,
                                const char *what, char **out)
{
    *out = NULL;
    remap_status st = REMAP_OK;
    hid_t ftype = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    hid_t space = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    hid_t mtype = H5I_INVALID_HID;
    if (ftype < 0 || space < 0)
        goto h5fail;
    if (H5Tget_class(ftype) != H5T_STRING ||
        H5Sget_simple_extent_npoints(space) != 1) {
        st = remap_fail(c->err, REMAP_EFORMAT, "%s: %s is not a string",
                        c->path, what);
        goto done;
    }
    htri_t var = H5Tis_variable_str(ftype);
    if (var < 0)
        goto h5fail;
    if (var) {
        mtype = string_type();
        if (mtype < 0 || H5Tset_cset(mtype, H5Tget_cset(ftype)) < 0)
            goto h5fail;
        char *s = NULL;
        herr_t r = is_attr ? H5Aread(obj, mtype, &s)
                           : H5Dread(obj, mtype, H5S_ALL, H5S_ALL,
                                     H5P_DEFAULT, &s);
        if (r < 0)
            goto h5fail;
        *out = strdup(s ? s : "");
        H5free_memory(s);
    } else {
        size_t n = H5Tget_size(ftype);
        mtype = H5Tcopy(ftype);
        char *s = calloc(n + 1, 1);
        if (!s) {
            st = remap_fail(c->err, REMAP_ENOMEM, "%s: out of memory reading "
                            "%s", c->path, what);
            goto done;
        }
        herr_t r = mtype < 0 ? -1
                   : is_attr ? H5Aread(obj, mtype, s)
                             : H5Dread(obj, mtype, H5S_ALL, H5S_ALL,
                                       H5P_DEFAULT, s);
        if (r < 0) {
            free(s);
            goto h5fail;
        }
        *out = s;
    }
    if (!*out)
        st = remap_fail(c->err, REMAP_ENOMEM, "%s: out of memory reading %s",
                        c->path, what);
    goto done;
h5fail:
    st = h5_fail(c, REMAP_EFORMAT, "read", what);
done:
    close_id(mtype, H5Tclose);
    close_id(space, H5Sclose);
    close_id(ftype, H5Tclose);
    return st;
}

/* A string attribute copied (and cut if need be) into buf. */
static remap_status get_attr_str(const ck *c, const char *obj,
                                 const char *name, char *buf, size_t size)
{
    char what[256];
    snprintf(what, sizeof what, "attribute '%s' of %s", name, obj);
    hid_t attr;
    remap_status st = open_attr(c, obj, name, H5T_STRING, &attr);
    if (st != REMAP_OK)
        return st;
    char *s;
    st = read_string(c, attr, true, what, &s);
    H5Aclose(attr);
    if (st == REMAP_OK) {
        snprintf(buf, size, "%s", s);
        free(s);
    }
    return st;
}

/* Opens an existing checkpoint read-only after checking that it is there
 * and is HDF5 at all, so each failure gets its own message. */
static remap_status open_file(ck *c)
{
    struct stat sb;
    if (stat(c->path, &sb) != 0)
        return remap_fail(c->err, REMAP_EIO, "%s: cannot open: %s", c->path,
                          strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return remap_fail(c->err, REMAP_EIO,
                          "%s: is a directory, not a checkpoint", c->path);
    htri_t is = H5Fis_hdf5(c->path);
    if (is < 0)
        return h5_fail(c, REMAP_EIO, "read", "the file");
    if (is == 0)
        return remap_fail(c->err, REMAP_EFORMAT,
                          "%s: not an HDF5 file, so not a remap checkpoint",
                          c->path);
    hid_t fapl = file_access();
    if (fapl < 0)
        return h5_fail(c, REMAP_EIO, "set up", "file access");
    c->file = H5Fopen(c->path, H5F_ACC_RDONLY, fapl);
    if (c->file < 0) {
        /* The reason is read before H5Pclose clears HDF5's error stack. */
        remap_status st = h5_fail(c, REMAP_EFORMAT, "open", "it as HDF5");
        H5Pclose(fapl);
        return st;
    }
    H5Pclose(fapl);
    return REMAP_OK;
}

static const char *const required[] = {
    "/scenario",       "/params",           "/geometry",
    "/state",          "/state/weights",    "/state/threshold",
    "/state/avg_activity", "/state/activity", "/state/active_count",
    "/state/input",    "/skin",             "/skin/region",
};

/* State added after the first release of format version 1. A file has all
 * of it (written by this build or a later one) or none (written before it
 * existed: the model keeps its initial values); a file with some of it is
 * damaged. */
static const char *const added[] = {
    "/state/synapse",       "/state/bcm_threshold", "/state/drive_scale",
    "/state/unit_gain",     "/state/gain_recovery", "/state/modulation",
    "/state/input_trace",   "/state/receptor_gain", "/state/affected",
    "/conditions",
};
#define ADDED_COUNT (sizeof added / sizeof added[0])

/* Checks the format name and version, then that every required object is
 * there (parents are listed before their members, so H5Lexists never meets
 * a missing intermediate group), and that the added state is there whole
 * or not at all (*has_added says which). */
static remap_status check_header(const ck *c, int *version, bool *has_added)
{
    char format[64];
    hid_t attr;
    htri_t there = H5Aexists_by_name(c->file, "/", "format", H5P_DEFAULT);
    if (there <= 0)
        return remap_fail(c->err, REMAP_EFORMAT,
                          "%s: not a remap checkpoint (no 'format' "
                          "attribute)",
                          c->path);
    remap_status st = get_attr_str(c, "/", "format", format, sizeof format);
    if (st != REMAP_OK)
        return st;
    if (strcmp(format, FORMAT_NAME) != 0)
        return remap_fail(c->err, REMAP_EFORMAT,
                          "%s: not a remap checkpoint (format is '%s')",
                          c->path, format);
    long long v;
    if ((st = open_attr(c, "/", "format_version", H5T_INTEGER, &attr)))
        return st;
    herr_t r = H5Aread(attr, H5T_NATIVE_LLONG, &v);
    H5Aclose(attr);
    if (r < 0)
        return h5_fail(c, REMAP_EFORMAT, "read", "attribute 'format_version'");
    if (v > REMAP_CHECKPOINT_VERSION)
        return remap_fail(c->err, REMAP_EFORMAT,
                          "%s: checkpoint format version %lld is newer than "
                          "this build supports (%d); upgrade remap",
                          c->path, v, REMAP_CHECKPOINT_VERSION);
    if (v < 1)
        return remap_fail(c->err, REMAP_EFORMAT,
                          "%s: unknown checkpoint format version %lld",
                          c->path, v);
    *version = (int)v;
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        htri_t e = H5Lexists(c->file, required[i], H5P_DEFAULT);
        if (e < 0)
            return h5_fail(c, REMAP_EFORMAT, "look for", required[i]);
        if (e == 0)
            return missing(c, required[i]);
    }
    int first_there = -1, first_missing = -1;
    for (size_t i = 0; i < ADDED_COUNT; i++) {
        htri_t e = H5Lexists(c->file, added[i], H5P_DEFAULT);
        if (e < 0)
            return h5_fail(c, REMAP_EFORMAT, "look for", added[i]);
        if (e > 0 && first_there < 0)
            first_there = (int)i;
        if (e == 0 && first_missing < 0)
            first_missing = (int)i;
    }
    if (first_there >= 0 && first_missing >= 0)
        return remap_fail(c->err, REMAP_EFORMAT,
                          "%s: checkpoint has %s but no %s", c->path,
                          added[first_there], added[first_missing]);
    *has_added = first_there >= 0;
    return REMAP_OK;
}

static remap_status read_info(const ck *c, remap_checkpoint_info *info)
{
    bool has_added;
    remap_status st = check_header(c, &info->format_version, &has_added);
    if (st ||
        (st = get_attr_num(c, "/", "iteration", H5T_NATIVE_UINT64,
                           &info->iteration)) ||
        (st = get_attr_num(c, "/", "seed", H5T_NATIVE_UINT64, &info->seed)) ||
        (st = get_attr_str(c, "/", "device", info->device,
                           sizeof info->device)) ||
        (st = get_attr_str(c, "/", "revision", info->revision,
                           sizeof info->revision)) ||
        (st = get_attr_str(c, "/", "created", info->created,
                           sizeof info->created)))
        return st;
    /* Checkpoints written before the storage was recorded held float
     * weights. */
    htri_t recorded =
        H5Aexists_by_name(c->file, "/", "weight_storage", H5P_DEFAULT);
    if (recorded < 0)
        return h5_fail(c, REMAP_EFORMAT, "read", "/ weight_storage");
    if (recorded > 0) {
        char ws[16];
        if ((st = get_attr_str(c, "/", "weight_storage", ws, sizeof ws)))
            return st;
        if (strcmp(ws, "half") != 0 && strcmp(ws, "float") != 0)
            return remap_fail(c->err, REMAP_EFORMAT,
                              "%s: weight_storage is '%s', not float or half",
                              c->path, ws);
        info->half_weights = strcmp(ws, "half") == 0;
    }
    hid_t ds = H5Dopen2(c->file, "/scenario", H5P_DEFAULT);
    if (ds < 0)
        return h5_fail(c, REMAP_EFORMAT, "read", "/scenario");
    st = read_string(c, ds, false, "/scenario", &info->scenario_text);
    H5Dclose(ds);
    return st;
}

remap_status remap_checkpoint_read_info(const char *path,
                                        remap_checkpoint_info *info,
                                        remap_error *err)
{
    if (!path || !info)
        return remap_fail(err, REMAP_EINVAL,
                          "checkpoint: missing path or info");
    memset(info, 0, sizeof *info);
    h5_quiet q;
    quiet_begin(&q);
    ck c = {path, H5I_INVALID_HID, err};
    remap_status st = open_file(&c);
    if (st == REMAP_OK)
        st = read_info(&c, info);
    close_id(c.file, H5Fclose);
    quiet_end(&q);
    if (st != REMAP_OK) {
        remap_checkpoint_info_free(info);
        memset(info, 0, sizeof *info);
    }
    return st;
}

void remap_checkpoint_info_free(remap_checkpoint_info *info)
{
    if (!info)
        return;
    free(info->scenario_text);
    info->scenario_text = NULL;
}

/* Opens dataset name and checks its class and shape against the model. */
static remap_status open_array(const ck *c, const char *name,
                               H5T_class_t cls, int rank, const hsize_t *dims,
                               hid_t *out)
{
    *out = H5I_INVALID_HID;
    hid_t ds = H5Dopen2(c->file, name, H5P_DEFAULT);
    if (ds < 0)
        return h5_fail(c, REMAP_EFORMAT, "open", name);
    hid_t type = H5Dget_type(ds);
    hid_t space = H5Dget_space(ds);
    H5T_class_t got = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    int got_rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hsize_t got_dims[4] = {0, 0, 0, 0};
    if (got_rank >= 1 && got_rank <= 4)
        H5Sget_simple_extent_dims(space, got_dims, NULL);
    close_id(space, H5Sclose);
    close_id(type, H5Tclose);
    remap_status st = REMAP_OK;
    bool same = got_rank == rank;
    for (int i = 0; same && i < rank; i++)
        same = got_dims[i] == dims[i];
    if (got != cls)
        st = remap_fail(c->err, REMAP_EFORMAT,
                        "%s: %s has the wrong element type (expected %s)",
                        c->path, name,
                        cls == H5T_FLOAT ? "float" : "integer");
    else if (!same) {
        char want[64], have[64];
        int w = 0, h = 0;
        for (int i = 0; i < rank; i++)
            w += snprintf(want + w, sizeof want - (size_t)w, "%s%llu",
                          i ? "x" : "", (unsigned long long)dims[i]);
        for (int i = 0; i < got_rank && i < 4; i++)
            h += snprintf(have + h, sizeof have - (size_t)h, "%s%llu",
                          i ? "x" : "", (unsigned long long)got_dims[i]);
        if (h == 0)
            snprintf(have, sizeof have, "rank %d", got_rank);
        st = remap_fail(c->err, REMAP_EFORMAT,
                        "%s: %s has shape %s, expected %s", c->path, name,
                        have, want);
    }
    if (st != REMAP_OK) {
        H5Dclose(ds);
        return st;
    }
    *out = ds;
    return REMAP_OK;
}

/* One state array: where it lives in the model and how it is stored. */
typedef struct array_spec {
    const char *name;
    H5T_class_t cls;
    hid_t mtype;
    hsize_t dims[2];
    void *dest;
} array_spec;

static remap_status read_array(const ck *c, const array_spec *a, bool read)
{
    hid_t ds;
    remap_status st = open_array(c, a->name, a->cls, 2, a->dims, &ds);
    if (st != REMAP_OK || !read) {
        close_id(ds, H5Dclose);
        return st;
    }
    if (H5Dread(ds, a->mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, a->dest) < 0)
        st = h5_fail(c, REMAP_EIO, "read", a->name);
    H5Dclose(ds);
    return st;
}

/* The geometry attributes, in the order the mismatch message lists them.
 * The last three came with the added state: a file without them was
 * written before structural plasticity, so its field was not structural
 * and its radii follow from the parameters (which are compared too). */
#define GEOMETRY_COUNT 8
#define GEOMETRY_FIRST_ADDED 5

static remap_status check_geometry(const ck *c, const remap_geometry *g,
                                   bool has_added)
{
    const char *names[GEOMETRY_COUNT] = {
        "skin_n", "cortex_n", "cf_r",     "cf_side",
        "cf_len", "cf_r2i",   "init_r2i", "structural",
    };
    const int want[GEOMETRY_COUNT] = {
        g->skin_n, g->cortex_n, g->cf_r,     g->cf_side,
        g->cf_len, g->cf_r2i,   g->init_r2i, g->structural ? 1 : 0,
    };
    int have[GEOMETRY_COUNT];
    bool known[GEOMETRY_COUNT];
    bool same = true;
    for (int i = 0; i < GEOMETRY_COUNT; i++) {
        known[i] = true;
        if (i >= GEOMETRY_FIRST_ADDED && !has_added) {
            htri_t there = H5Aexists_by_name(c->file, "/geometry", names[i],
                                             H5P_DEFAULT);
            if (there < 0)
                return h5_fail(c, REMAP_EFORMAT, "read", "/geometry");
            if (there == 0) {
                /* Written before the attribute existed: not structural,
                 * and the radii are the model's if its parameters are. */
                if (strcmp(names[i], "structural") == 0) {
                    have[i] = 0;
                } else {
                    have[i] = want[i];
                }
                known[i] = false;
            }
        }
        if (known[i]) {
            remap_status st = get_attr_num(c, "/geometry", names[i],
                                           H5T_NATIVE_INT, &have[i]);
            if (st != REMAP_OK)
                return st;
        }
        same = same && have[i] == want[i];
    }
    if (same)
        return REMAP_OK;
    char in_file[256], in_model[256];
    size_t a = 0, b = 0;
    for (int i = 0; i < GEOMETRY_COUNT; i++) {
        const char *sep = i ? ", " : "";
        if (known[i] || strcmp(names[i], "structural") == 0)
            a += (size_t)snprintf(in_file + a, sizeof in_file - a, "%s%s %d",
                                  sep, names[i], have[i]);
        else
            a += (size_t)snprintf(in_file + a, sizeof in_file - a,
                                  "%s%s unknown", sep, names[i]);
        b += (size_t)snprintf(in_model + b, sizeof in_model - b, "%s%s %d",
                              sep, names[i], want[i]);
    }
    return remap_fail(c->err, REMAP_EFORMAT,
                      "%s: checkpoint geometry (%s) does not match the model "
                      "(%s); build the model from the checkpoint's scenario",
                      c->path, in_file, in_model);
}

/* A parameter value as the scenario writes it: the name of a choice
 * ("bcm (1)"), or the number. */
static void param_text(const remap_param_info *info, double v, char *buf,
                       size_t size)
{
    if (info->choices && v >= 0 && v == (double)(int)v) {
        int n = 0;
        while (info->choices[n])
            n++;
        if ((int)v < n) {
            snprintf(buf, size, "%s (%d)", info->choices[(int)v], (int)v);
            return;
        }
    }
    snprintf(buf, size, "%g", v);
}

/* Reads /params into p (a copy of the model's). Parameters fixed for a run
 * must equal the model's: they shaped its kernels and geometry, which a
 * load does not rebuild. Choices (layout, rule) are stored as their
 * index. */
static remap_status read_params(const ck *c, remap_params *p)
{
    size_t count;
    const remap_param_info *table = remap_param_table(&count);
    for (size_t i = 0; i < count; i++) {
        const char *name = table[i].path;
        htri_t there = H5Aexists_by_name(c->file, "/params", name,
                                         H5P_DEFAULT);
        if (there < 0)
            return h5_fail(c, REMAP_EFORMAT, "read", "/params");
        if (there == 0)
            continue; /* written before this parameter existed */
        double v;
        remap_status st = get_attr_num(c, "/params", name, H5T_NATIVE_DOUBLE,
                                       &v);
        if (st != REMAP_OK)
            return st;
        double now = remap_param_get(p, &table[i]);
        if (!table[i].runtime && v != now) {
            char in_file[64], in_model[64];
            param_text(&table[i], v, in_file, sizeof in_file);
            param_text(&table[i], now, in_model, sizeof in_model);
            return remap_fail(c->err, REMAP_EFORMAT,
                              "%s: parameter %s is %s in the checkpoint but "
                              "%s in the model; build the model from the "
                              "checkpoint's scenario",
                              c->path, name, in_file, in_model);
        }
        remap_error perr;
        if (remap_param_set(p, name, v, &perr) != REMAP_OK)
            return remap_fail(c->err, REMAP_EFORMAT, "%s: /params: %s",
                              c->path, perr.msg);
    }
    return REMAP_OK;
}

/* ---- checks of loaded values ------------------------------------------ */

/* Every value of the [rows, cols] array `name` in [lo, hi] (NaN is not). */
static remap_status check_range(const ck *c, const char *name,
                                const float *v, int rows, int cols, float lo,
                                float hi)
{
    size_t n = (size_t)rows * (size_t)cols;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] >= lo && v[i] <= hi))
            return remap_fail(c->err, REMAP_EFORMAT,
                              "%s: %s[%d, %d] is %g, outside [%g, %g]",
                              c->path, name, (int)(i / (size_t)cols),
                              (int)(i % (size_t)cols), (double)v[i],
                              (double)lo, (double)hi);
    return REMAP_OK;
}

/* A synapse exists only inside the stored field circle and on the skin,
 * and an absent one has weight 0 (the drive sums every slot on the
 * skin). from_file: the synapse flags came from the file, not from the
 * model's initial field. */
static remap_status check_synapses(const ck *c, const remap_model *m,
                                   bool from_file)
{
    const remap_geometry *g = &m->geom;
    for (int u = 0; u < g->units; u++) {
        const uint8_t *syn = m->synapse + (size_t)u * (size_t)g->cf_len;
        const float *w = m->weights + (size_t)u * (size_t)g->cf_len;
        for (int k = 0; k < g->cf_len; k++) {
            int rc = remap_cf_slot_receptor(g, u, k);
            if (syn[k] && rc < 0)
                return remap_fail(c->err, REMAP_EFORMAT,
                                  "%s: /state/synapse[%d, %d] is %d, a live "
                                  "synapse outside the unit's field (beyond "
                                  "its radius or off the skin)",
                                  c->path, u, k, syn[k]);
            if (!syn[k] && w[k] != 0.0f)
                return remap_fail(c->err, REMAP_EFORMAT,
                                  "%s: /state/weights[%d, %d] is %g, but the "
                                  "synapse there is absent (%s); an absent "
                                  "synapse has weight 0",
                                  c->path, u, k, (double)w[k],
                                  from_file ? "/state/synapse is 0"
                                            : "outside the initial field");
        }
    }
    return REMAP_OK;
}

static remap_status check_state(const ck *c, const remap_model *m,
                                int regions, bool has_added)
{
    const remap_geometry *g = &m->geom;
    int n = g->cortex_n, s = g->skin_n, rows = g->channels * g->skin_n;
    for (int r = 0; r < g->receptors; r++)
        if (m->skin_region[r] >= regions)
            return remap_fail(c->err, REMAP_EFORMAT,
                              "%s: /skin/region[%d, %d] holds label %d, "
                              "beyond the last region of the layout (%d)",
                              c->path, r / s, r % s, m->skin_region[r],
                              regions - 1);
    remap_status st;
    if (has_added &&
        ((st = check_range(c, "/state/unit_gain", m->unit_gain, n, n, 0.0f,
                           1.0f)) ||
         (st = check_range(c, "/state/gain_recovery", m->gain_recovery, n, n,
                           0.0f, 1.0f)) ||
         (st = check_range(c, "/state/receptor_gain", m->receptor_gain, rows,
                           s, 0.0f, 1.0f))))
        return st;
    if (g->eyes > 0 &&
        (st = check_range(c, "/state/retina_gain", m->retina_gain,
                          g->eyes * g->retina_n, g->retina_n, 0.0f, 1.0f)))
        return st;
    for (int q = 0; q < 2; q++) {
        if (!g->lat_plastic[q])
            continue;
        const float *w = m->lateral[q];
        size_t len = (size_t)g->units * (size_t)g->lat_len[q];
        int r = q == 0 ? g->exc_r : g->inh_r, side = 2 * r + 1;
        int cn = g->cortex_n;
        for (size_t i = 0; i < len; i++) {
            int u = (int)(i / (size_t)g->lat_len[q]);
            int k = (int)(i % (size_t)g->lat_len[q]);
            if (!(w[i] >= 0.0f && w[i] <= FLT_MAX))
                return remap_fail(c->err, REMAP_EFORMAT,
                                  "%s: %s[%d, %d] is %g, not a finite "
                                  "weight >= 0",
                                  c->path, lateral_name[q], u, k,
                                  (double)w[i]);
            /* Slots outside the circle or off the sheet hold no synapse:
             * settling would read them, learning never set them. */
            int dx = k % side - r, dy = k / side - r;
            int col = u % cn + dx, row = u / cn + dy;
            bool slot = dx * dx + dy * dy <= r * r && col >= 0 && col < cn &&
                        row >= 0 && row < cn;
            if (!slot && w[i] != 0.0f)
                return remap_fail(c->err, REMAP_EFORMAT,
                                  "%s: %s[%d, %d] is %g where no synapse "
                                  "is (outside the circle or off the "
                                  "sheet); it must be 0",
                                  c->path, lateral_name[q], u, k,
                                  (double)w[i]);
        }
    }
    return check_synapses(c, m, has_added);
}

/* The input sheet's planes and the retina, stored in /geometry since the
 * visual layouts; a file without them was written for the skin (one
 * plane, no retina). */
static remap_status check_visual_geometry(const ck *c,
                                          const remap_geometry *g)
{
    const char *names[3] = {"channels", "eyes", "retina_n"};
    const int want[3] = {g->channels, g->eyes, g->retina_n};
    const int before[3] = {1, 0, 0};
    for (int i = 0; i < 3; i++) {
        htri_t there = H5Aexists_by_name(c->file, "/geometry", names[i],
                                         H5P_DEFAULT);
        if (there < 0)
            return h5_fail(c, REMAP_EFORMAT, "read", "/geometry");
        int have = before[i];
        remap_status st;
        if (there > 0 && (st = get_attr_num(c, "/geometry", names[i],
                                            H5T_NATIVE_INT, &have)))
            return st;
        if (have != want[i])
            return remap_fail(c->err, REMAP_EFORMAT,
                              "%s: checkpoint geometry (%s %d%s) does not "
                              "match the model (%s %d); build the model from "
                              "the checkpoint's scenario",
                              c->path, names[i], have,
                              there > 0 ? "" : ", written before the visual "
                                               "layouts",
                              names[i], want[i]);
    }
    return REMAP_OK;
}

/* ---- conditions --------------------------------------------------------- */

/* "entry 2 (d2)" */
static void region_label(int layout, int r, char *buf, size_t size)
{
    snprintf(buf, size, "entry %d (%s)", r,
             remap_layout_region_name(layout, r));
}

/* A factor that multiplies touch frequencies or learning: finite, >= 0. */
static remap_status check_factor(const ck *c, const char *name,
                                 const char *entry, float v)
{
    if (v >= 0.0f && v <= FLT_MAX)
        return REMAP_OK;
    return remap_fail(c->err, REMAP_EFORMAT,
                      "%s: attribute '%s' of /conditions%s%s is %g, not a "
                      "finite factor >= 0",
                      c->path, name, entry ? ": " : "", entry ? entry : "",
                      (double)v);
}

/* Bits of a region mask beyond the layout's regions. */
static remap_status check_mask(const ck *c, const char *name,
                               const char *entry, unsigned mask, int regions)
{
    for (int b = regions; b < 8; b++)
        if (mask & (1u << b))
            return remap_fail(c->err, REMAP_EFORMAT,
                              "%s: attribute '%s' of /conditions%s%s has bit "
                              "%d set, beyond the layout's %d regions",
                              c->path, name, entry ? ": " : "",
                              entry ? entry : "", b, regions);
    return REMAP_OK;
}

/* A sleep parameter: finite and >= 0; downscale, a fraction, at most 1.
 * (The same bounds the parameters of the same name have, less their
 * upper limits, which are a scenario's business.) */
static remap_status check_sleep(const ck *c, const char *name, float v,
                                float hi)
{
    if (v >= 0.0f && v <= hi)
        return REMAP_OK;
    if (hi == FLT_MAX)
        return remap_fail(c->err, REMAP_EFORMAT,
                          "%s: attribute '%s' of /conditions is %g, not a "
                          "finite value >= 0",
                          c->path, name, (double)v);
    return remap_fail(c->err, REMAP_EFORMAT,
                      "%s: attribute '%s' of /conditions is %g, outside "
                      "[0, %g]",
                      c->path, name, (double)v, (double)hi);
}

/* Reads /conditions into k (a copy of the model's) and checks it. Entries
 * beyond the layout's regions take their initial values. */
static remap_status read_conditions(const ck *c, int layout,
                                    remap_conditions *k)
{
    const char *g = "/conditions";
    int regions = remap_layout_region_count(layout);
    for (int r = regions; r < REMAP_REGION_COUNT; r++) {
        k->enrich[r] = k->focus[r] = 1.0f;
        k->co_touch[r] = 0;
    }
    remap_status st;
    if ((st = get_attr_vec(c, g, "enrich", H5T_NATIVE_FLOAT, regions,
                           k->enrich)) ||
        (st = get_attr_vec(c, g, "focus", H5T_NATIVE_FLOAT, regions,
                           k->focus)) ||
        (st = get_attr_num(c, g, "rehab_gain", H5T_NATIVE_FLOAT,
                           &k->rehab_gain)) ||
        (st = get_attr_vec(c, g, "co_touch", H5T_NATIVE_UINT8, regions,
                           k->co_touch)) ||
        (st = get_attr_num(c, g, "deafferented", H5T_NATIVE_UINT8,
                           &k->deafferented)) ||
        (st = get_attr_vec(c, g, "spot", H5T_NATIVE_FLOAT, 4, k->spot)) ||
        (st = get_attr_num(c, g, "spot_share", H5T_NATIVE_FLOAT,
                           &k->spot_share)) ||
        (st = get_attr_num(c, g, "sleeping", H5T_NATIVE_UINT8,
                           &k->sleeping)) ||
        (st = get_attr_num(c, g, "sleep.noise", H5T_NATIVE_FLOAT,
                           &k->sleep.noise)) ||
        (st = get_attr_num(c, g, "sleep.downscale", H5T_NATIVE_FLOAT,
                           &k->sleep.downscale)) ||
        (st = get_attr_num(c, g, "sleep.weak", H5T_NATIVE_FLOAT,
                           &k->sleep.weak)))
        return st;
    char entry[64];
    for (int r = 0; r < regions; r++) {
        region_label(layout, r, entry, sizeof entry);
        if ((st = check_factor(c, "enrich", entry, k->enrich[r])) ||
            (st = check_factor(c, "focus", entry, k->focus[r])) ||
            (st = check_mask(c, "co_touch", entry, k->co_touch[r], regions)))
            return st;
    }
    if ((st = check_factor(c, "rehab_gain", NULL, k->rehab_gain)) ||
        (st = check_mask(c, "deafferented", NULL, k->deafferented,
                         regions)))
        return st;
    for (int i = 0; i < 4; i++)
        if (!isfinite(k->spot[i]))
            return remap_fail(c->err, REMAP_EFORMAT,
                              "%s: attribute 'spot' of /conditions: entry %d "
                              "is %g, not a finite coordinate",
                              c->path, i, (double)k->spot[i]);
    if (!(k->spot_share >= 0.0f && k->spot_share <= 1.0f))
        return remap_fail(c->err, REMAP_EFORMAT,
                          "%s: attribute 'spot_share' of /conditions is %g, "
                          "outside [0, 1]",
                          c->path, (double)k->spot_share);
    if (k->sleeping > 1)
        return remap_fail(c->err, REMAP_EFORMAT,
                          "%s: attribute 'sleeping' of /conditions is %d, "
                          "not 0 or 1",
                          c->path, k->sleeping);
    if ((st = check_sleep(c, "sleep.noise", k->sleep.noise, FLT_MAX)) ||
        (st = check_sleep(c, "sleep.downscale", k->sleep.downscale,
                          1.0f)) ||
        (st = check_sleep(c, "sleep.weak", k->sleep.weak, FLT_MAX)))
        return st;
    return REMAP_OK;
}

/* The initial values of the added state for a file written before it
 * existed. The BCM threshold, the synapse flags and the conditions keep
 * what the model was built with. */
static void added_defaults(remap_model *m)
{
    const remap_geometry *g = &m->geom;
    for (int u = 0; u < g->units; u++) {
        m->drive_scale[u] = 1.0f;
        m->unit_gain[u] = 1.0f;
        m->gain_recovery[u] = 0.0f;
        m->modulation[u] = 1.0f;
    }
    for (int r = 0; r < g->receptors; r++) {
        m->input_trace[r] = 0.0f;
        m->receptor_gain[r] = 1.0f;
        m->affected[r] = 0;
    }
}

static remap_status load(const ck *c, remap_model *m)
{
    int version;
    bool has_added;
    remap_status st = check_header(c, &version, &has_added);
    if (st || (st = check_geometry(c, &m->geom, has_added)) ||
        (st = check_visual_geometry(c, &m->geom)))
        return st;
    remap_params p = m->params;
    uint64_t iteration, seed;
    if ((st = read_params(c, &p)) ||
        (st = get_attr_num(c, "/", "iteration", H5T_NATIVE_UINT64,
                           &iteration)) ||
        (st = get_attr_num(c, "/", "seed", H5T_NATIVE_UINT64, &seed)))
        return st;
    remap_conditions cond = m->cond;
    if (has_added && (st = read_conditions(c, p.layout, &cond)))
        return st;

    const remap_geometry *g = &m->geom;
    hsize_t units = (hsize_t)g->units, n = (hsize_t)g->cortex_n;
    hsize_t s = (hsize_t)g->skin_n, len = (hsize_t)g->cf_len;
    /* Receptor arrays: the planes stacked along the rows. */
    hsize_t rows = (hsize_t)g->channels * s;
    array_spec arrays[] = {
        {"/state/weights", H5T_FLOAT, H5T_NATIVE_FLOAT, {units, len},
         m->weights},
        {"/state/threshold", H5T_FLOAT, H5T_NATIVE_FLOAT, {n, n},
         m->threshold},
        {"/state/avg_activity", H5T_FLOAT, H5T_NATIVE_FLOAT, {n, n},
         m->avg_activity},
        {"/state/activity", H5T_FLOAT, H5T_NATIVE_FLOAT, {n, n}, m->activity},
        {"/state/active_count", H5T_INTEGER, H5T_NATIVE_UINT32, {n, n},
         m->active_count},
        {"/state/input", H5T_FLOAT, H5T_NATIVE_FLOAT, {rows, s},
         m->input},
        {"/skin/region", H5T_INTEGER, H5T_NATIVE_UINT8, {rows, s},
         m->skin_region},
        /* The added state: read only when the file has it. */
        {"/state/synapse", H5T_INTEGER, H5T_NATIVE_UINT8, {units, len},
         m->synapse},
        {"/state/bcm_threshold", H5T_FLOAT, H5T_NATIVE_FLOAT, {n, n},
         m->bcm_threshold},
        {"/state/drive_scale", H5T_FLOAT, H5T_NATIVE_FLOAT, {n, n},
         m->drive_scale},
        {"/state/unit_gain", H5T_FLOAT, H5T_NATIVE_FLOAT, {n, n},
         m->unit_gain},
        {"/state/gain_recovery", H5T_FLOAT, H5T_NATIVE_FLOAT, {n, n},
         m->gain_recovery},
        {"/state/modulation", H5T_FLOAT, H5T_NATIVE_FLOAT, {n, n},
         m->modulation},
        {"/state/input_trace", H5T_FLOAT, H5T_NATIVE_FLOAT, {rows, s},
         m->input_trace},
        {"/state/receptor_gain", H5T_FLOAT, H5T_NATIVE_FLOAT, {rows, s},
         m->receptor_gain},
        {"/state/affected", H5T_INTEGER, H5T_NATIVE_UINT8, {rows, s},
         m->affected},
        /* The visual layouts' state, where the model and the file have it
         * (entries from here on are taken only then). */
        {NULL, H5T_FLOAT, H5T_NATIVE_FLOAT, {0, 0}, NULL},
        {NULL, H5T_FLOAT, H5T_NATIVE_FLOAT, {0, 0}, NULL},
        {NULL, H5T_FLOAT, H5T_NATIVE_FLOAT, {0, 0}, NULL},
    };
    size_t fixed = sizeof arrays / sizeof arrays[0] - 3;
    size_t count = has_added ? fixed : 7;
    if (has_added) {
        for (int q = 0; q < 2; q++) {
            htri_t there = H5Lexists(c->file, lateral_name[q], H5P_DEFAULT);
            if (there < 0)
                return h5_fail(c, REMAP_EFORMAT, "look for",
                               lateral_name[q]);
            if (!g->lat_plastic[q] || there == 0)
                continue;
            arrays[count++] = (array_spec){
                lateral_name[q], H5T_FLOAT, H5T_NATIVE_FLOAT,
                {units, (hsize_t)g->lat_len[q]}, m->lateral[q]};
        }
        htri_t there = H5Lexists(c->file, "/state/retina_gain", H5P_DEFAULT);
        if (there < 0)
            return h5_fail(c, REMAP_EFORMAT, "look for",
                           "/state/retina_gain");
        if (g->eyes > 0 && there > 0)
            arrays[count++] = (array_spec){
                "/state/retina_gain", H5T_FLOAT, H5T_NATIVE_FLOAT,
                {(hsize_t)g->eyes * (hsize_t)g->retina_n,
                 (hsize_t)g->retina_n},
                m->retina_gain};
    }
    /* Every shape is checked before the first byte of m is overwritten. */
    for (size_t i = 0; i < count; i++)
        if ((st = read_array(c, &arrays[i], false)))
            return st;
    for (size_t i = 0; i < count; i++)
        if ((st = read_array(c, &arrays[i], true)))
            return st;
    if (!has_added)
        added_defaults(m);
    if ((st = check_state(c, m, remap_layout_region_count(p.layout),
                          has_added)))
        return st;
    m->params = p;
    m->iteration = iteration;
    m->seed = seed;
    m->cond = cond;
    remap_model_params_changed(m);
    return REMAP_OK;
}

remap_status remap_checkpoint_load(const char *path, remap_model *m,
                                   remap_error *err)
{
    if (!path || !m)
        return remap_fail(err, REMAP_EINVAL,
                          "checkpoint load: missing path or model");
    h5_quiet q;
    quiet_begin(&q);
    ck c = {path, H5I_INVALID_HID, err};
    remap_status st = open_file(&c);
    if (st == REMAP_OK)
        st = load(&c, m);
    close_id(c.file, H5Fclose);
    quiet_end(&q);
    return st;
}
