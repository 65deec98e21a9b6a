/* Atomic writes, directories, CSV appending and HDF5 checkpoints: round
 * trips, refusals with their messages, and injected write failures. */
#define _XOPEN_SOURCE 700

#include "io/atomic.h"
#include "io/checkpoint.h"
#include "model/model.h"

#include <criterion/criterion.h>
#include <hdf5.h>

#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];
static char scratch[1024];

/* A path inside this test's own scratch directory. */
static const char *at(const char *name)
{
    snprintf(scratch, sizeof scratch, "%s/%s", dir, name);
    return scratch;
}

static void make_scratch(void)
{
    snprintf(dir, sizeof dir, "/tmp/remap-test-io-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_scratch(void)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(io, .init = make_scratch, .fini = remove_scratch);
TestSuite(checkpoint, .init = make_scratch, .fini = remove_scratch);

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static int count_entries(const char *d)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", d);
    FILE *p = popen(cmd, "r");
    int n = -1;
    cr_assert_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

/* Files written past `bytes` fail with EFBIG (the signal that would
 * otherwise kill the process is ignored): a disk filling up mid-write, and
 * it works for root, whom permission bits do not stop. Each test runs in
 * its own process, so the limit ends with the test. */
static void limit_file_size(rlim_t bytes)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
    rl.rlim_cur = bytes;
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

/* ---- directories and atomic writes ------------------------------------ */

Test(io, mkdir_p_creates_parents)
{
    remap_error err;
    cr_assert_eq(remap_mkdir_p(at("a/b/c/"), &err), REMAP_OK, "%s", err.msg);
    struct stat sb;
    cr_assert_eq(stat(at("a/b/c"), &sb), 0);
    cr_assert(S_ISDIR(sb.st_mode));
    /* Already there is fine. */
    cr_assert_eq(remap_mkdir_p(at("a/b/c"), &err), REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_mkdir_p(at("a//b/d"), &err), REMAP_OK, "%s", err.msg);
    cr_assert(exists(at("a/b/d")));
}

Test(io, mkdir_p_names_a_file_in_the_way)
{
    spit(at("file"), "x");
    remap_error err;
    cr_assert_eq(remap_mkdir_p(at("file/sub"), &err), REMAP_EIO);
    char want[1024];
    snprintf(want, sizeof want, "%s/file: exists and is not a directory",
             dir);
    cr_assert_str_eq(err.msg, want);
    cr_assert_eq(remap_mkdir_p("", &err), REMAP_EINVAL);
}

Test(io, check_writable_dir)
{
    remap_error err;
    cr_assert_eq(remap_check_writable_dir(at("out/run1"), &err), REMAP_OK,
                 "%s", err.msg);
    cr_assert(exists(at("out/run1")));
    cr_assert_eq(count_entries(at("out/run1")), 0, "probe file left behind");
    spit(at("plain"), "x");
    cr_assert_eq(remap_check_writable_dir(at("plain"), &err), REMAP_EIO);
    cr_assert(strstr(err.msg, "plain: exists and is not a directory"),
              "%s", err.msg);
}

Test(io, atomic_write_replaces_content)
{
    remap_error err;
    const char *path = at("f.txt");
    cr_assert_eq(remap_write_file_atomic(path, "first version", 13, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_write_file_atomic(path, "second", 6, &err), REMAP_OK,
                 "%s", err.msg);
    char *got = slurp(at("f.txt"), NULL);
    cr_assert_str_eq(got, "second");
    free(got);
    cr_assert_eq(count_entries(dir), 1, "temporary file left behind");
    cr_assert_eq(remap_write_file_atomic(at("empty"), NULL, 0, &err),
                 REMAP_OK, "%s", err.msg);
    got = slurp(at("empty"), NULL);
    cr_assert_str_eq(got, "");
    free(got);
}

Test(io, atomic_write_into_missing_directory_fails)
{
    remap_error err;
    char path[1024];
    snprintf(path, sizeof path, "%s/nowhere/f.txt", dir);
    cr_assert_eq(remap_write_file_atomic(path, "x", 1, &err), REMAP_EIO);
    char want[4096];
    snprintf(want, sizeof want,
             "%s: cannot create %s.tmp.%ld: No such file or directory", path,
             path, (long)getpid());
    cr_assert_str_eq(err.msg, want);
}

Test(io, failed_atomic_write_keeps_old_file)
{
    remap_error err;
    char path[1024];
    snprintf(path, sizeof path, "%s", at("keep.txt"));
    cr_assert_eq(remap_write_file_atomic(path, "old", 3, &err), REMAP_OK);
    size_t big = 1 << 20;
    char *data = malloc(big);
    memset(data, 'n', big);
    limit_file_size(64 * 1024);
    cr_assert_eq(remap_write_file_atomic(path, data, big, &err), REMAP_EIO);
    free(data);
    cr_assert(strncmp(err.msg, path, strlen(path)) == 0, "%s", err.msg);
    cr_assert(strstr(err.msg, "File too large"), "%s", err.msg);
    char *got = slurp(path, NULL);
    cr_assert_str_eq(got, "old");
    free(got);
    cr_assert_eq(count_entries(dir), 1, "temporary file left behind");
}

Test(io, atomic_begin_commit_abort)
{
    remap_error err;
    char tmp[64];
    cr_assert_eq(remap_atomic_begin(at("x"), tmp, 8, &err), REMAP_EINVAL);
    cr_assert(strstr(err.msg, "too long"), "%s", err.msg);

    char name[1024];
    snprintf(name, sizeof name, "%s", at("x"));
    char t[1100];
    cr_assert_eq(remap_atomic_begin(name, t, sizeof t, &err), REMAP_OK);
    char want[1100];
    snprintf(want, sizeof want, "%s.tmp.%ld", name, (long)getpid());
    cr_assert_str_eq(t, want);
    cr_assert(!exists(t), "begin must not create the file");
    spit(t, "done");
    cr_assert_eq(remap_atomic_commit(t, name, &err), REMAP_OK, "%s", err.msg);
    char *got = slurp(name, NULL);
    cr_assert_str_eq(got, "done");
    free(got);
    cr_assert(!exists(t));

    spit(t, "half");
    remap_atomic_abort(t);
    cr_assert(!exists(t));
    got = slurp(name, NULL);
    cr_assert_str_eq(got, "done");
    free(got);
}

/* ---- CSV ---------------------------------------------------------------- */

Test(io, csv_append_keeps_earlier_rows)
{
    remap_error err;
    char path[1024];
    snprintf(path, sizeof path, "%s", at("metrics.csv"));
    remap_csv *c;
    cr_assert_eq(remap_csv_open(path, "iteration,area", true, &c, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_csv_row(c, "0,1.5", &err), REMAP_OK);
    /* Flushed per row: visible before close. */
    char *got = slurp(path, NULL);
    cr_assert_str_eq(got, "iteration,area\n0,1.5\n");
    free(got);
    cr_assert_eq(remap_csv_row(c, "100,1.75", &err), REMAP_OK);
    remap_csv_close(c);

    cr_assert_eq(remap_csv_open(path, "iteration,area", true, &c, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_eq(remap_csv_row(c, "200,2", &err), REMAP_OK);
    cr_assert_eq(remap_csv_row(c, "bad\nrow", &err), REMAP_EINVAL);
    cr_assert(strstr(err.msg, "must not contain a newline"), "%s", err.msg);
    remap_csv_close(c);
    got = slurp(path, NULL);
    cr_assert_str_eq(got, "iteration,area\n0,1.5\n100,1.75\n200,2\n");
    free(got);

    /* Without append the table starts over. */
    cr_assert_eq(remap_csv_open(path, "iteration,area", false, &c, &err),
                 REMAP_OK);
    remap_csv_close(c);
    got = slurp(path, NULL);
    cr_assert_str_eq(got, "iteration,area\n");
    free(got);
    remap_csv_close(NULL);
}

Test(io, csv_append_cuts_a_partial_row)
{
    remap_error err;
    char path[1024];
    snprintf(path, sizeof path, "%s", at("m.csv"));
    spit(path, "t,v\n1,2\n3,");
    remap_csv *c;
    cr_assert_eq(remap_csv_open(path, "t,v", true, &c, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_eq(remap_csv_row(c, "3,4", &err), REMAP_OK);
    remap_csv_close(c);
    char *got = slurp(path, NULL);
    cr_assert_str_eq(got, "t,v\n1,2\n3,4\n");
    free(got);

    /* Only part of the header: start again. */
    spit(path, "t,");
    cr_assert_eq(remap_csv_open(path, "t,v", true, &c, &err), REMAP_OK);
    remap_csv_close(c);
    got = slurp(path, NULL);
    cr_assert_str_eq(got, "t,v\n");
    free(got);
}

Test(io, csv_append_refuses_other_columns)
{
    remap_error err;
    char path[1024];
    snprintf(path, sizeof path, "%s", at("m.csv"));
    spit(path, "t,v\n1,2\n");
    remap_csv *c = (remap_csv *)1;
    cr_assert_eq(remap_csv_open(path, "t,v,w", true, &c, &err),
                 REMAP_EFORMAT);
    cr_assert_null(c);
    char want[2048];
    snprintf(want, sizeof want,
             "%s: existing header 't,v' differs from 't,v,w'; cannot append "
             "rows with other columns",
             path);
    cr_assert_str_eq(err.msg, want);
    char *got = slurp(path, NULL);
    cr_assert_str_eq(got, "t,v\n1,2\n");
    free(got);
}

/* ---- checkpoints -------------------------------------------------------- */

static const char scenario_yaml[] =
    "name: io test\nsheets:\n  cortex: {density: 16}\nseed: 7\n";

static void small_params(remap_params *p)
{
    remap_params_default(p);
    p->cortex.density = 16.0f;
}

static remap_model *make_model(const remap_params *p, uint64_t seed)
{
    remap_model *m;
    remap_error err;
    cr_assert_eq(remap_model_create(p, seed, &remap_ref_backend, NULL, &m,
                                    &err),
                 REMAP_OK, "%s", err.msg);
    return m;
}

static uint32_t xorshift(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Arbitrary bit patterns, with the awkward ones first: the file must carry
 * bits, not just values. */
static void fill_bits(void *dst, size_t n, uint32_t *s)
{
    static const uint32_t special[] = {
        0x80000000u, /* -0.0 */
        0x00000001u, /* smallest subnormal */
        0x7fc01234u, /* NaN with a payload */
        0x7f800000u, /* +inf */
        0xff7fffffu, /* most negative finite */
    };
    uint32_t *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = i < 5 ? special[i] : xorshift(s);
}

/* Values in [0, 1] (gains), the awkward ones first. */
static void fill_unit(float *d, size_t n, uint32_t *s)
{
    static const float special[] = {-0.0f, 0x1p-149f, 1.0f, 0.0f};
    for (size_t i = 0; i < n; i++)
        d[i] = i < 4 ? special[i] : (float)(xorshift(s) >> 8) * 0x1p-24f;
}

/* Weights and synapse flags: arbitrary bits on the live synapses of the
 * field, about one in eight of them pruned (weight 0) and some with
 * counters above 1; absent synapses keep weight 0. */
static void scramble_synapses(remap_model *m, uint32_t *s)
{
    const remap_geometry *g = &m->geom;
    size_t len = (size_t)g->units * (size_t)g->cf_len;
    float *bits = calloc(len, sizeof(float));
    fill_bits(bits, len, s);
    size_t next = 0;
    for (size_t i = 0; i < len; i++) {
        if (!m->synapse[i]) {
            m->weights[i] = 0.0f;
            continue;
        }
        uint32_t r = xorshift(s);
        if (r % 8 == 0) {
            m->synapse[i] = 0;
            m->weights[i] = 0.0f;
        } else {
            m->synapse[i] = (uint8_t)(1 + (r >> 8) % 255);
            m->weights[i] = bits[next++];
        }
    }
    free(bits);
}

/* Sets every piece of state and some runtime parameters away from what a
 * fresh model would hold. */
static void scramble(remap_model *m)
{
    const remap_geometry *g = &m->geom;
    uint32_t s = 0x1234567u;
    size_t units = (size_t)g->units, receptors = (size_t)g->receptors;
    scramble_synapses(m, &s);
    fill_bits(m->threshold, units, &s);
    fill_bits(m->avg_activity, units, &s);
    fill_bits(m->activity, units, &s);
    fill_bits(m->active_count, units, &s);
    fill_bits(m->input, receptors, &s);
    fill_bits(m->bcm_threshold, units, &s);
    fill_bits(m->drive_scale, units, &s);
    fill_bits(m->modulation, units, &s);
    fill_bits(m->input_trace, receptors, &s);
    fill_unit(m->unit_gain, units, &s);
    fill_unit(m->gain_recovery, units, &s);
    fill_unit(m->receptor_gain, receptors, &s);
    for (size_t r = 0; r < receptors; r++)
        m->affected[r] = (uint8_t)(xorshift(&s) % 2);
    for (int r = 0; r < g->receptors; r++)
        m->skin_region[r] = (uint8_t)(xorshift(&s) % REMAP_REGION_COUNT);
    for (int r = 0; r < REMAP_REGION_COUNT; r++) {
        m->cond.enrich[r] = 1.0f + 0.25f * (float)r;
        m->cond.focus[r] = 0.5f + (float)r;
        m->cond.co_touch[r] = (uint8_t)(xorshift(&s) % 64 & ~(1u << r));
    }
    m->cond.rehab_gain = 1.75f;
    m->cond.deafferented = 0x2a;
    m->cond.spot[0] = 0.21f, m->cond.spot[1] = 0.61f;
    m->cond.spot[2] = 0.29f, m->cond.spot[3] = 0.79f;
    m->cond.spot_share = 0.125f;
    m->cond.sleeping = 1;
    m->cond.sleep.noise = 0.3f;
    m->cond.sleep.downscale = 0.05f;
    m->cond.sleep.weak = 0.75f;
    m->iteration = 123456789012ull;
    remap_error err;
    cr_assert_eq(remap_param_set(&m->params, "stimulus.peak", 0.75, &err),
                 REMAP_OK);
    cr_assert_eq(remap_param_set(&m->params,
                                 "projections.afferent.learning_rate", 0.037,
                                 &err),
                 REMAP_OK);
    cr_assert_eq(remap_param_set(&m->params, "stimulus.frequency.d3", 2.5,
                                 &err),
                 REMAP_OK);
    remap_model_params_changed(m);
}

static void save(const char *path, const remap_model *m)
{
    remap_error err;
    cr_assert_eq(remap_checkpoint_save(path, m, scenario_yaml, "test device",
                                       NULL, NULL, &err),
                 REMAP_OK, "%s", err.msg);
}

static void assert_no_open_hdf5(void)
{
    cr_assert_eq(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0,
                 "HDF5 handles left open");
}

static void assert_same_bits(const void *a, const void *b, size_t bytes,
                             const char *what)
{
    cr_assert(memcmp(a, b, bytes) == 0, "%s differs after the round trip",
              what);
}

/* The conditions, field by field (the struct may have padding). */
static void assert_same_conditions(const remap_conditions *a,
                                   const remap_conditions *b)
{
    size_t regions = REMAP_REGION_COUNT;
    assert_same_bits(a->enrich, b->enrich, regions * sizeof(float),
                     "cond.enrich");
    assert_same_bits(a->focus, b->focus, regions * sizeof(float),
                     "cond.focus");
    assert_same_bits(&a->rehab_gain, &b->rehab_gain, sizeof(float),
                     "cond.rehab_gain");
    assert_same_bits(a->co_touch, b->co_touch, regions, "cond.co_touch");
    cr_assert_eq(a->deafferented, b->deafferented, "cond.deafferented");
    assert_same_bits(a->spot, b->spot, sizeof a->spot, "cond.spot");
    assert_same_bits(&a->spot_share, &b->spot_share, sizeof(float),
                     "cond.spot_share");
    cr_assert_eq(a->sleeping, b->sleeping, "cond.sleeping");
    assert_same_bits(&a->sleep.noise, &b->sleep.noise, sizeof(float),
                     "cond.sleep.noise");
    assert_same_bits(&a->sleep.downscale, &b->sleep.downscale, sizeof(float),
                     "cond.sleep.downscale");
    assert_same_bits(&a->sleep.weak, &b->sleep.weak, sizeof(float),
                     "cond.sleep.weak");
}

/* Every parameter, state array and condition of two models, bit for
 * bit. */
static void assert_same_model(const remap_model *a, const remap_model *b)
{
    const remap_geometry *g = &a->geom;
    size_t units = (size_t)g->units, receptors = (size_t)g->receptors;
    size_t len = units * (size_t)g->cf_len;
    cr_assert_eq(b->iteration, a->iteration);
    cr_assert_eq(b->seed, a->seed);
    size_t count;
    const remap_param_info *table = remap_param_table(&count);
    for (size_t i = 0; i < count; i++) {
        double va = remap_param_get(&a->params, &table[i]);
        double vb = remap_param_get(&b->params, &table[i]);
        cr_assert(memcmp(&va, &vb, sizeof va) == 0, "%s: %g != %g",
                  table[i].path, va, vb);
    }
    assert_same_bits(a->weights, b->weights, len * sizeof(float), "weights");
    assert_same_bits(a->synapse, b->synapse, len, "synapse");
    assert_same_bits(a->threshold, b->threshold, units * sizeof(float),
                     "threshold");
    assert_same_bits(a->avg_activity, b->avg_activity, units * sizeof(float),
                     "avg_activity");
    assert_same_bits(a->activity, b->activity, units * sizeof(float),
                     "activity");
    assert_same_bits(a->active_count, b->active_count,
                     units * sizeof(uint32_t), "active_count");
    assert_same_bits(a->bcm_threshold, b->bcm_threshold,
                     units * sizeof(float), "bcm_threshold");
    assert_same_bits(a->drive_scale, b->drive_scale, units * sizeof(float),
                     "drive_scale");
    assert_same_bits(a->unit_gain, b->unit_gain, units * sizeof(float),
                     "unit_gain");
    assert_same_bits(a->gain_recovery, b->gain_recovery,
                     units * sizeof(float), "gain_recovery");
    assert_same_bits(a->modulation, b->modulation, units * sizeof(float),
                     "modulation");
    assert_same_bits(a->input, b->input, receptors * sizeof(float), "input");
    assert_same_bits(a->input_trace, b->input_trace,
                     receptors * sizeof(float), "input_trace");
    assert_same_bits(a->receptor_gain, b->receptor_gain,
                     receptors * sizeof(float), "receptor_gain");
    assert_same_bits(a->affected, b->affected, receptors, "affected");
    assert_same_bits(a->skin_region, b->skin_region, receptors,
                     "skin_region");
    assert_same_conditions(&a->cond, &b->cond);
    /* The touch table follows the loaded frequencies and conditions. */
    assert_same_bits(a->region_cdf, b->region_cdf,
                     REMAP_REGION_COUNT * sizeof(float), "region_cdf");
}

Test(checkpoint, round_trip_is_bit_exact)
{
    remap_params p;
    small_params(&p);
    remap_model *a = make_model(&p, 7);
    scramble(a);
    const remap_geometry *g = &a->geom;
    size_t units = (size_t)g->units;
    float *centre = malloc(units * 2 * sizeof(float));
    int8_t *pref = malloc(units);
    for (size_t u = 0; u < units; u++) {
        centre[2 * u] = (float)u / 7.0f;
        centre[2 * u + 1] = -(float)u;
        pref[u] = (int8_t)((int)(u % 7) - 1);
    }
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    remap_error err;
    cr_assert_eq(remap_checkpoint_save(path, a, scenario_yaml, "test device",
                                       centre, pref, &err),
                 REMAP_OK, "%s", err.msg);
    assert_no_open_hdf5();
    cr_assert_eq(count_entries(dir), 1, "temporary file left behind");

    remap_model *b = make_model(&p, 99);
    cr_assert_eq(remap_checkpoint_load(path, b, &err), REMAP_OK, "%s",
                 err.msg);
    assert_no_open_hdf5();
    cr_assert_eq(b->seed, 7);
    assert_same_model(a, b);

    /* The optional measures are there, in the documented layout. */
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    float *c2 = malloc(units * 2 * sizeof(float));
    int8_t *p2 = malloc(units);
    hid_t ds = H5Dopen2(f, "/measures/rf_centre", H5P_DEFAULT);
    cr_assert_geq(H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL,
                          H5P_DEFAULT, c2),
                  0);
    H5Dclose(ds);
    ds = H5Dopen2(f, "/measures/preferred_region", H5P_DEFAULT);
    cr_assert_geq(H5Dread(ds, H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                          p2),
                  0);
    H5Dclose(ds);
    H5Fclose(f);
    assert_same_bits(centre, c2, units * 2 * sizeof(float), "rf_centre");
    assert_same_bits(pref, p2, units, "preferred_region");
    free(c2);
    free(p2);
    free(centre);
    free(pref);
    remap_model_destroy(a);
    remap_model_destroy(b);
}

Test(checkpoint, measures_are_optional)
{
    remap_params p;
    small_params(&p);
    remap_model *m = make_model(&p, 1);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, m);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_eq(H5Lexists(f, "/measures", H5P_DEFAULT), 0);
    H5Fclose(f);
    remap_model_destroy(m);
}

Test(checkpoint, read_info_returns_header_and_scenario)
{
    remap_params p;
    small_params(&p);
    remap_model *m = make_model(&p, 42);
    m->iteration = 5000;
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, m);
    remap_checkpoint_info info;
    remap_error err;
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err), REMAP_OK,
                 "%s", err.msg);
    assert_no_open_hdf5();
    cr_assert_eq(info.format_version, 1);
    cr_assert_eq(info.iteration, 5000);
    cr_assert_eq(info.seed, 42);
    cr_assert_str_eq(info.scenario_text, scenario_yaml);
    cr_assert_str_eq(info.device, "test device");
    cr_assert_neq(info.revision[0], '\0');
    /* ISO-8601 UTC: 2024-05-01T12:00:00Z */
    cr_assert_eq(strlen(info.created), 20, "%s", info.created);
    cr_assert_eq(info.created[10], 'T');
    cr_assert_eq(info.created[19], 'Z');
    remap_checkpoint_info_free(&info);
    cr_assert_null(info.scenario_text);
    remap_checkpoint_info_free(&info);
    remap_checkpoint_info_free(NULL);
    remap_model_destroy(m);
}

/* The weights' storage is recorded: float from a float model, half from a
 * model whose backend stores half floats; a file without the record
 * (written before it existed) reads as float, and an unknown value is
 * refused. */
Test(checkpoint, weight_storage_is_recorded)
{
    remap_params p;
    small_params(&p);
    remap_error err;
    remap_checkpoint_info info;
    const char *path = at("ws.h5");
    for (int half = 0; half < 2; half++) {
        remap_ref_options o = {.half_weights = half};
        remap_model *m;
        cr_assert_eq(remap_model_create(&p, 3, &remap_ref_backend, &o, &m,
                                        &err),
                     REMAP_OK, "%s", err.msg);
        cr_assert_eq(m->half_weights, (bool)half);
        save(path, m);
        cr_assert_eq(remap_checkpoint_read_info(path, &info, &err), REMAP_OK,
                     "%s", err.msg);
        cr_assert_eq(info.half_weights, (bool)half);
        remap_checkpoint_info_free(&info);
        remap_model_destroy(m);
    }
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    cr_assert_geq(H5Adelete(f, "weight_storage"), 0);
    H5Fclose(f);
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err), REMAP_OK,
                 "%s", err.msg);
    cr_assert_not(info.half_weights);
    remap_checkpoint_info_free(&info);

    f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 7);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, "weight_storage", t, space, H5P_DEFAULT,
                         H5P_DEFAULT);
    cr_assert_geq(a, 0);
    cr_assert_geq(H5Awrite(a, t, "double"), 0);
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(t);
    H5Fclose(f);
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err),
                 REMAP_EFORMAT);
    cr_assert(strstr(err.msg, "weight_storage is 'double'"), "%s", err.msg);
    assert_no_open_hdf5();
}

/* Rewrites one scalar integer attribute of the root group. */
static void set_root_int(const char *path, const char *name, int value)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    cr_assert_geq(a, 0);
    cr_assert_geq(H5Awrite(a, H5T_NATIVE_INT, &value), 0);
    H5Aclose(a);
    H5Fclose(f);
}

Test(checkpoint, newer_format_version_is_refused)
{
    remap_params p;
    small_params(&p);
    remap_model *m = make_model(&p, 1);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, m);
    set_root_int(path, "format_version", 2);

    remap_checkpoint_info info;
    remap_error err;
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err),
                 REMAP_EFORMAT);
    cr_assert_null(info.scenario_text);
    char want[2048];
    snprintf(want, sizeof want,
             "%s: checkpoint format version 2 is newer than this build "
             "supports (1); upgrade remap",
             path);
    cr_assert_str_eq(err.msg, want);
    cr_assert_eq(remap_checkpoint_load(path, m, &err), REMAP_EFORMAT);
    cr_assert_str_eq(err.msg, want);
    assert_no_open_hdf5();

    set_root_int(path, "format_version", 0);
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err),
                 REMAP_EFORMAT);
    snprintf(want, sizeof want, "%s: unknown checkpoint format version 0",
             path);
    cr_assert_str_eq(err.msg, want);
    remap_model_destroy(m);
}

Test(checkpoint, non_checkpoint_files_are_refused)
{
    remap_checkpoint_info info;
    remap_error err;
    char want[2048];
    char path[1024];

    snprintf(path, sizeof path, "%s", at("notes.txt"));
    spit(path, "iteration: 5\n");
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err),
                 REMAP_EFORMAT);
    snprintf(want, sizeof want,
             "%s: not an HDF5 file, so not a remap checkpoint", path);
    cr_assert_str_eq(err.msg, want);

    snprintf(path, sizeof path, "%s", at("absent.h5"));
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err), REMAP_EIO);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory",
             path);
    cr_assert_str_eq(err.msg, want);

    /* HDF5, but someone else's. */
    snprintf(path, sizeof path, "%s", at("other.h5"));
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err),
                 REMAP_EFORMAT);
    snprintf(want, sizeof want,
             "%s: not a remap checkpoint (no 'format' attribute)", path);
    cr_assert_str_eq(err.msg, want);
    assert_no_open_hdf5();
}

Test(checkpoint, truncated_file_is_refused)
{
    remap_params p;
    small_params(&p);
    remap_model *m = make_model(&p, 1);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, m);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(truncate(path, sb.st_size / 2), 0);
    remap_checkpoint_info info;
    remap_error err;
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err),
                 REMAP_EFORMAT);
    char want[2048];
    snprintf(want, sizeof want, "%s: cannot open it as HDF5 (", path);
    cr_assert(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    cr_assert(strstr(err.msg, "truncated"), "%s", err.msg);
    assert_no_open_hdf5();
    remap_model_destroy(m);
}

Test(checkpoint, missing_dataset_is_refused)
{
    remap_params p;
    small_params(&p);
    remap_model *m = make_model(&p, 1);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, m);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(H5Ldelete(f, "/state/input", H5P_DEFAULT), 0);
    H5Fclose(f);
    remap_checkpoint_info info;
    remap_error err;
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err),
                 REMAP_EFORMAT);
    char want[2048];
    snprintf(want, sizeof want, "%s: checkpoint has no /state/input", path);
    cr_assert_str_eq(err.msg, want);
    cr_assert_eq(remap_checkpoint_load(path, m, &err), REMAP_EFORMAT);
    cr_assert_str_eq(err.msg, want);
    assert_no_open_hdf5();
    remap_model_destroy(m);
}

Test(checkpoint, wrong_shape_is_refused_before_anything_changes)
{
    remap_params p;
    small_params(&p);
    remap_model *m = make_model(&p, 1);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, m);
    /* Replace /state/activity by a dataset of the wrong shape. */
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(H5Ldelete(f, "/state/activity", H5P_DEFAULT), 0);
    hsize_t dims[2] = {3, 5};
    float zeros[15] = {0};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t ds = H5Dcreate2(f, "/state/activity", H5T_IEEE_F32LE, sp,
                          H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(f);

    size_t wbytes = (size_t)m->geom.units * (size_t)m->geom.cf_len *
                    sizeof(float);
    float *before = malloc(wbytes);
    memcpy(before, m->weights, wbytes);
    m->weights[0] = 12.5f;
    before[0] = 12.5f;
    remap_error err;
    cr_assert_eq(remap_checkpoint_load(path, m, &err), REMAP_EFORMAT);
    char want[2048];
    snprintf(want, sizeof want,
             "%s: /state/activity has shape 3x5, expected 16x16", path);
    cr_assert_str_eq(err.msg, want);
    cr_assert(memcmp(before, m->weights, wbytes) == 0,
              "weights were overwritten by a refused load");
    free(before);
    assert_no_open_hdf5();
    remap_model_destroy(m);
}

Test(checkpoint, geometry_mismatch_is_refused)
{
    remap_params p;
    small_params(&p);
    remap_model *a = make_model(&p, 1);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, a);

    p.cortex.density = 20.0f;
    remap_model *b = make_model(&p, 1);
    remap_error err;
    cr_assert_eq(remap_checkpoint_load(path, b, &err), REMAP_EFORMAT);
    char want[2048];
    snprintf(want, sizeof want,
             "%s: checkpoint geometry (skin_n %d, cortex_n 16, cf_r %d, "
             "cf_side %d, cf_len %d, cf_r2i %d, init_r2i %d, structural 0) "
             "does not match the model (skin_n %d, cortex_n 20, cf_r %d, "
             "cf_side %d, cf_len %d, cf_r2i %d, init_r2i %d, structural 0); "
             "build the model from the checkpoint's scenario",
             path, a->geom.skin_n, a->geom.cf_r, a->geom.cf_side,
             a->geom.cf_len, a->geom.cf_r2i, a->geom.init_r2i,
             b->geom.skin_n, b->geom.cf_r, b->geom.cf_side, b->geom.cf_len,
             b->geom.cf_r2i, b->geom.init_r2i);
    cr_assert_str_eq(err.msg, want);
    cr_assert_eq(b->iteration, 0);
    assert_no_open_hdf5();
    remap_model_destroy(a);
    remap_model_destroy(b);
}

Test(checkpoint, fixed_parameter_mismatch_is_refused)
{
    remap_params p;
    small_params(&p);
    remap_model *a = make_model(&p, 1);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, a);
    p.excitatory.sigma = 0.03f;
    remap_model *b = make_model(&p, 1);
    remap_error err;
    cr_assert_eq(remap_checkpoint_load(path, b, &err), REMAP_EFORMAT);
    char want[2048];
    snprintf(want, sizeof want,
             "%s: parameter projections.lateral_excitatory.sigma is %g in "
             "the checkpoint but %g in the model; build the model from the "
             "checkpoint's scenario",
             path, (double)0.025f, (double)0.03f);
    cr_assert_str_eq(err.msg, want);
    remap_model_destroy(a);
    remap_model_destroy(b);
}

Test(checkpoint, failed_save_keeps_previous_checkpoint)
{
    remap_params p;
    small_params(&p);
    remap_model *m = make_model(&p, 1);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    m->iteration = 100;
    save(path, m);
    size_t old_len;
    char *old = slurp(path, &old_len);

    /* Random weights do not compress, so the new file outgrows the limit
     * halfway through. */
    scramble(m);
    cr_assert_gt(old_len, 4096);
    limit_file_size((rlim_t)old_len / 2);
    remap_error err;
    cr_assert_eq(remap_checkpoint_save(path, m, scenario_yaml, "test device",
                                       NULL, NULL, &err),
                 REMAP_EIO);
    cr_assert(strncmp(err.msg, path, strlen(path)) == 0, "%s", err.msg);
    cr_assert(strstr(err.msg, ": cannot "), "%s", err.msg);
    cr_assert(strstr(err.msg, "File too large"), "%s", err.msg);
    assert_no_open_hdf5();

    size_t now_len;
    char *now = slurp(path, &now_len);
    cr_assert_eq(now_len, old_len);
    cr_assert(memcmp(old, now, old_len) == 0, "previous checkpoint changed");
    cr_assert_eq(count_entries(dir), 1, "temporary file left behind");
    free(old);
    free(now);

    remap_checkpoint_info info;
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err), REMAP_OK,
                 "%s", err.msg);
    cr_assert_eq(info.iteration, 100);
    remap_checkpoint_info_free(&info);

    /* With room again the same save replaces the old checkpoint. */
    limit_file_size(RLIM_INFINITY);
    save(path, m);
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err), REMAP_OK,
                 "%s", err.msg);
    cr_assert_eq(info.iteration, m->iteration);
    remap_checkpoint_info_free(&info);
    cr_assert_eq(count_entries(dir), 1);
    remap_model_destroy(m);
}

Test(checkpoint, save_into_missing_directory_fails)
{
    remap_params p;
    small_params(&p);
    remap_model *m = make_model(&p, 1);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("no/such/dir/ck.h5"));
    remap_error err;
    cr_assert_eq(remap_checkpoint_save(path, m, scenario_yaml, NULL, NULL,
                                       NULL, &err),
                 REMAP_EIO);
    char want[4096];
    snprintf(want, sizeof want, "%s: cannot create %s.tmp.%ld", path, path,
             (long)getpid());
    cr_assert(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    assert_no_open_hdf5();
    cr_assert_eq(count_entries(dir), 0);
    remap_model_destroy(m);
}

/* ---- the perturbation state, the conditions and older files ------------- */

static void structural_params(remap_params *p)
{
    small_params(p);
    p->afferent.structural.max_radius = 0.25f;
    p->afferent.structural.interval = 5;
    p->afferent.structural.patience = 2;
    p->afferent.scaling.rate = 0.01f;
}

static remap_shape disc(float x, float y, float r)
{
    remap_shape s;
    memset(&s, 0, sizeof s);
    s.kind = REMAP_SHAPE_DISC;
    s.cx = x, s.cy = y, s.radius = r;
    return s;
}

static void step(remap_model *m, uint64_t n)
{
    remap_error err;
    cr_assert_eq(remap_model_step(m, n, &err), REMAP_OK, "%s", err.msg);
}

/* Every kind of event a timeline can apply, on the hand layout. */
static void perturb_hand(remap_model *m)
{
    remap_shape lesion = disc(0.5f, 0.5f, 0.15f);
    cr_assert_gt(remap_model_lesion(m, &lesion, 0.1f, 0.4f, 50), 0);
    remap_model_deafferent(m, 1u << REMAP_REGION_D2, true);
    remap_model_fuse(m, (1u << REMAP_REGION_D3) | (1u << REMAP_REGION_D4));
    remap_model_enrich(m, 1u << REMAP_REGION_D1, 3.0f);
    const float spot[4] = {0.0f, 0.8f, 0.2f, 1.0f};
    remap_model_enrich_spot(m, spot, 4.0f);
    remap_model_rehab(m, 1u << REMAP_REGION_PALM, 2.0f, 1.5f, true);
    remap_shape mod = disc(0.2f, 0.2f, 0.2f);
    remap_model_modulate(m, &mod, 2.5f);
    const remap_sleep_params sleep = {0.2f, 0.02f, 0.4f};
    remap_model_sleep(m, &sleep);
    for (int r = 0; r < m->geom.receptors; r += 3)
        m->affected[r] = 1;
}

/* Prunes the centre synapse of unit u (weight zeroed). */
static void prune_centre(remap_model *m, int u)
{
    const remap_geometry *g = &m->geom;
    size_t k = (size_t)u * (size_t)g->cf_len +
               (size_t)(g->cf_r * g->cf_side + g->cf_r);
    cr_assert_neq(m->synapse[k], 0);
    m->synapse[k] = 0;
    m->weights[k] = 0.0f;
}

Test(checkpoint, perturbed_structural_run_resumes_bit_for_bit)
{
    remap_params p;
    structural_params(&p);
    remap_model *a = make_model(&p, 3);
    const remap_geometry *g = &a->geom;
    cr_assert(g->structural);
    cr_assert_gt(g->cf_r2i, g->init_r2i);
    step(a, 12);
    perturb_hand(a);
    prune_centre(a, 40);
    /* A synapse sprouted beyond the initial field. */
    size_t k = 60 * (size_t)g->cf_len + (size_t)(g->cf_r * g->cf_side +
                                                 g->cf_r + 5);
    cr_assert(remap_cf_in_circle(g, (int)(k % (size_t)g->cf_len)));
    a->synapse[k] = 3;
    a->weights[k] = 0.001f;
    for (int u = 0; u < g->units; u++)
        a->bcm_threshold[u] = 0.001f * (float)u;
    step(a, 3);

    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, a);
    remap_model *b = make_model(&p, 99);
    remap_error err;
    cr_assert_eq(remap_checkpoint_load(path, b, &err), REMAP_OK, "%s",
                 err.msg);
    assert_no_open_hdf5();
    assert_same_model(a, b);

    /* Both continue the same way: asleep, then awake. */
    step(a, 10);
    step(b, 10);
    remap_model_sleep(a, NULL);
    remap_model_sleep(b, NULL);
    step(a, 15);
    step(b, 15);
    assert_same_model(a, b);

    /* The documented layout. */
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = H5Dopen2(f, "/state/synapse", H5P_DEFAULT);
    hid_t dcpl = H5Dget_create_plist(ds);
    cr_assert_eq(H5Pget_layout(dcpl), H5D_CHUNKED);
    cr_assert_geq(H5Pget_nfilters(dcpl), 2);
    H5Pclose(dcpl);
    H5Dclose(ds);
    int structural = -1;
    hid_t at_ = H5Aopen_by_name(f, "/geometry", "structural", H5P_DEFAULT,
                                H5P_DEFAULT);
    H5Aread(at_, H5T_NATIVE_INT, &structural);
    H5Aclose(at_);
    cr_assert_eq(structural, 1);
    H5Fclose(f);
    remap_model_destroy(a);
    remap_model_destroy(b);
}

static void delete_objects(const char *path, const char *const *names,
                           size_t n)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    for (size_t i = 0; i < n; i++)
        cr_assert_geq(H5Ldelete(f, names[i], H5P_DEFAULT), 0, "%s",
                      names[i]);
    H5Fclose(f);
}

static void delete_attrs(const char *path, const char *obj,
                         const char *const *names, size_t n)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    for (size_t i = 0; i < n; i++)
        cr_assert_geq(H5Adelete_by_name(f, obj, names[i], H5P_DEFAULT), 0,
                      "%s", names[i]);
    H5Fclose(f);
}

static const char *const added_objects[] = {
    "/state/synapse",       "/state/bcm_threshold", "/state/drive_scale",
    "/state/unit_gain",     "/state/gain_recovery", "/state/modulation",
    "/state/input_trace",   "/state/receptor_gain", "/state/affected",
    "/conditions",
};
#define ADDED_OBJECTS (sizeof added_objects / sizeof added_objects[0])

/* Makes the file look like one written before the added state: no added
 * objects, geometry attributes or newer parameters. */
static void make_old_style(const char *path)
{
    delete_objects(path, added_objects, ADDED_OBJECTS);
    static const char *const geometry[] = {"cf_r2i", "init_r2i",
                                           "structural"};
    delete_attrs(path, "/geometry", geometry, 3);
    static const char *const params[] = {
        "sheets.skin.layout",
        "projections.afferent.rule",
        "projections.afferent.bcm_rate",
        "projections.afferent.structural.max_radius",
        "projections.afferent.scaling.rate",
        "plasticity.modulation",
        "sleep.noise",
    };
    delete_attrs(path, "/params", params, sizeof params / sizeof params[0]);
}

Test(checkpoint, old_checkpoint_loads_with_initial_values)
{
    remap_params p;
    small_params(&p);
    remap_model *a = make_model(&p, 5);
    step(a, 4);
    perturb_hand(a);
    a->iteration = 777;
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, a);
    make_old_style(path);

    remap_checkpoint_info info;
    remap_error err;
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err), REMAP_OK,
                 "%s", err.msg);
    cr_assert_eq(info.format_version, 1);
    cr_assert_eq(info.iteration, 777);
    remap_checkpoint_info_free(&info);

    remap_model *fresh = make_model(&p, 99);
    remap_model *b = make_model(&p, 99);
    const remap_geometry *g = &b->geom;
    size_t units = (size_t)g->units, receptors = (size_t)g->receptors;
    /* Values a load must reset, not keep. */
    b->unit_gain[3] = 0.0f;
    b->gain_recovery[4] = 0.5f;
    b->modulation[5] = 3.0f;
    b->drive_scale[6] = 2.0f;
    b->input_trace[7] = 0.25f;
    b->receptor_gain[8] = 0.0f;
    b->affected[9] = 1;
    cr_assert_eq(remap_checkpoint_load(path, b, &err), REMAP_OK, "%s",
                 err.msg);
    assert_no_open_hdf5();

    cr_assert_eq(b->iteration, 777);
    cr_assert_eq(b->seed, 5);
    assert_same_bits(a->weights, b->weights,
                     units * (size_t)g->cf_len * sizeof(float), "weights");
    assert_same_bits(a->threshold, b->threshold, units * sizeof(float),
                     "threshold");
    assert_same_bits(a->activity, b->activity, units * sizeof(float),
                     "activity");
    for (size_t u = 0; u < units; u++) {
        cr_assert_eq(b->unit_gain[u], 1.0f);
        cr_assert_eq(b->gain_recovery[u], 0.0f);
        cr_assert_eq(b->modulation[u], 1.0f);
        cr_assert_eq(b->drive_scale[u], 1.0f);
    }
    for (size_t r = 0; r < receptors; r++) {
        cr_assert_eq(b->input_trace[r], 0.0f);
        cr_assert_eq(b->receptor_gain[r], 1.0f);
        cr_assert_eq(b->affected[r], 0);
    }
    /* What the model was built with. */
    assert_same_bits(fresh->bcm_threshold, b->bcm_threshold,
                     units * sizeof(float), "bcm_threshold");
    assert_same_bits(fresh->synapse, b->synapse,
                     units * (size_t)g->cf_len, "synapse");
    assert_same_conditions(&fresh->cond, &b->cond);
    /* Parameters the file lacks keep the model's value. */
    cr_assert_eq(b->params.layout, REMAP_LAYOUT_HAND);
    cr_assert_eq(b->params.sleep.noise, p.sleep.noise);
    remap_model_destroy(fresh);
    remap_model_destroy(a);
    remap_model_destroy(b);
}

Test(checkpoint, old_checkpoint_refuses_a_structural_model)
{
    remap_params p;
    small_params(&p);
    p.afferent.structural.max_radius = p.afferent.radius;
    remap_model *a = make_model(&p, 1);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, a);
    remap_model_destroy(a);
    small_params(&p);
    a = make_model(&p, 1);
    save(path, a);
    make_old_style(path);
    p.afferent.structural.max_radius = p.afferent.radius;
    remap_model *b = make_model(&p, 1);
    const remap_geometry *g = &b->geom;
    remap_error err;
    cr_assert_eq(remap_checkpoint_load(path, b, &err), REMAP_EFORMAT);
    char want[2048];
    snprintf(want, sizeof want,
             "%s: checkpoint geometry (skin_n %d, cortex_n %d, cf_r %d, "
             "cf_side %d, cf_len %d, cf_r2i unknown, init_r2i unknown, "
             "structural 0) does not match the model (skin_n %d, cortex_n "
             "%d, cf_r %d, cf_side %d, cf_len %d, cf_r2i %d, init_r2i %d, "
             "structural 1); build the model from the checkpoint's scenario",
             path, g->skin_n, g->cortex_n, g->cf_r, g->cf_side, g->cf_len,
             g->skin_n, g->cortex_n, g->cf_r, g->cf_side, g->cf_len,
             g->cf_r2i, g->init_r2i);
    cr_assert_str_eq(err.msg, want);
    remap_model_destroy(a);
    remap_model_destroy(b);
}

Test(checkpoint, structural_and_plain_models_do_not_mix)
{
    /* A maximal field equal to the initial one: the same sizes, only the
     * structural flag differs. */
    remap_params plain, structural;
    small_params(&plain);
    small_params(&structural);
    structural.afferent.structural.max_radius = structural.afferent.radius;
    remap_model *a = make_model(&plain, 1);
    remap_model *b = make_model(&structural, 1);
    const remap_geometry *g = &a->geom;
    cr_assert_eq(g->cf_len, b->geom.cf_len);
    char pa[1024], pb[1024];
    snprintf(pa, sizeof pa, "%s", at("plain.h5"));
    snprintf(pb, sizeof pb, "%s", at("structural.h5"));
    save(pa, a);
    save(pb, b);
    char sizes[256];
    snprintf(sizes, sizeof sizes,
             "skin_n %d, cortex_n %d, cf_r %d, cf_side %d, cf_len %d, "
             "cf_r2i %d, init_r2i %d",
             g->skin_n, g->cortex_n, g->cf_r, g->cf_side, g->cf_len,
             g->cf_r2i, g->init_r2i);
    remap_error err;
    char want[2048];
    cr_assert_eq(remap_checkpoint_load(pb, a, &err), REMAP_EFORMAT);
    snprintf(want, sizeof want,
             "%s: checkpoint geometry (%s, structural 1) does not match the "
             "model (%s, structural 0); build the model from the "
             "checkpoint's scenario",
             pb, sizes, sizes);
    cr_assert_str_eq(err.msg, want);
    cr_assert_eq(remap_checkpoint_load(pa, b, &err), REMAP_EFORMAT);
    snprintf(want, sizeof want,
             "%s: checkpoint geometry (%s, structural 0) does not match the "
             "model (%s, structural 1); build the model from the "
             "checkpoint's scenario",
             pa, sizes, sizes);
    cr_assert_str_eq(err.msg, want);
    remap_model_destroy(a);
    remap_model_destroy(b);
}

Test(checkpoint, partial_added_state_is_refused)
{
    remap_params p;
    small_params(&p);
    remap_model *m = make_model(&p, 1);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, m);
    static const char *const gone[] = {"/state/unit_gain"};
    delete_objects(path, gone, 1);
    char want[2048];
    snprintf(want, sizeof want,
             "%s: checkpoint has /state/synapse but no /state/unit_gain",
             path);
    remap_checkpoint_info info;
    remap_error err;
    cr_assert_eq(remap_checkpoint_read_info(path, &info, &err),
                 REMAP_EFORMAT);
    cr_assert_str_eq(err.msg, want);
    cr_assert_eq(remap_checkpoint_load(path, m, &err), REMAP_EFORMAT);
    cr_assert_str_eq(err.msg, want);

    save(path, m);
    static const char *const geometry[] = {"structural"};
    delete_attrs(path, "/geometry", geometry, 1);
    cr_assert_eq(remap_checkpoint_load(path, m, &err), REMAP_EFORMAT);
    snprintf(want, sizeof want,
             "%s: checkpoint has no attribute 'structural' of /geometry",
             path);
    cr_assert_str_eq(err.msg, want);
    assert_no_open_hdf5();
    remap_model_destroy(m);
}

/* Overwrites element [row, col] of a 2-D dataset. */
static void poke(const char *path, const char *name, hsize_t row,
                 hsize_t col, hid_t mtype, const void *value)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    cr_assert_geq(ds, 0, "%s", name);
    hid_t fs = H5Dget_space(ds);
    hsize_t start[2] = {row, col}, one[2] = {1, 1};
    cr_assert_geq(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, one,
                                      NULL),
                  0);
    hid_t ms = H5Screate_simple(2, one, NULL);
    cr_assert_geq(H5Dwrite(ds, mtype, ms, fs, H5P_DEFAULT, value), 0);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(ds);
    H5Fclose(f);
}

static void poke_f32(const char *path, const char *name, hsize_t row,
                     hsize_t col, float v)
{
    poke(path, name, row, col, H5T_NATIVE_FLOAT, &v);
}

static void poke_u8(const char *path, const char *name, hsize_t row,
                    hsize_t col, uint8_t v)
{
    poke(path, name, row, col, H5T_NATIVE_UINT8, &v);
}

/* Overwrites entry i of the attribute obj@name, read and written as
 * mtype. The object is opened first: HDF5 1.10 cannot write an attribute
 * opened with H5Aopen_by_name once it has closed the object again. */
static void poke_attr(const char *path, const char *obj, const char *name,
                      hid_t mtype, size_t i, const void *value)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t o = H5Oopen(f, obj, H5P_DEFAULT);
    cr_assert_geq(o, 0, "%s", obj);
    hid_t a = H5Aopen(o, name, H5P_DEFAULT);
    cr_assert_geq(a, 0, "%s", name);
    unsigned char buf[256];
    size_t size = H5Tget_size(mtype);
    cr_assert_geq(H5Aread(a, mtype, buf), 0);
    memcpy(buf + i * size, value, size);
    cr_assert_geq(H5Awrite(a, mtype, buf), 0);
    H5Aclose(a);
    H5Oclose(o);
    H5Fclose(f);
}

/* Loading `path` into m fails with exactly "<path>: <rest>". */
static void assert_refused(const char *path, remap_model *m, const char *rest)
{
    remap_error err;
    cr_assert_eq(remap_checkpoint_load(path, m, &err), REMAP_EFORMAT,
                 "accepted a file that should be refused: %s", rest);
    char want[2048];
    snprintf(want, sizeof want, "%s: %s", path, rest);
    cr_assert_str_eq(err.msg, want);
    assert_no_open_hdf5();
}

Test(checkpoint, damaged_values_are_refused)
{
    remap_params p;
    small_params(&p);
    remap_model *a = make_model(&p, 1);
    remap_model *m = make_model(&p, 2);
    const remap_geometry *g = &a->geom;
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    char rest[1024];

    save(path, a);
    poke_f32(path, "/state/unit_gain", 2, 3, 1.5f);
    assert_refused(path, m, "/state/unit_gain[2, 3] is 1.5, outside [0, 1]");
    save(path, a);
    poke_f32(path, "/state/unit_gain", 0, 0, NAN);
    assert_refused(path, m, "/state/unit_gain[0, 0] is nan, outside [0, 1]");
    save(path, a);
    poke_f32(path, "/state/gain_recovery", 4, 1, -0.25f);
    assert_refused(path, m,
                   "/state/gain_recovery[4, 1] is -0.25, outside [0, 1]");
    save(path, a);
    poke_f32(path, "/state/receptor_gain", 5, 6, 2.0f);
    assert_refused(path, m, "/state/receptor_gain[5, 6] is 2, outside [0, 1]");

    /* A live synapse in the corner of the square, outside the circle. */
    save(path, a);
    poke_u8(path, "/state/synapse", 7, 0, 1);
    assert_refused(path, m,
                   "/state/synapse[7, 0] is 1, a live synapse outside the "
                   "unit's field (beyond its radius or off the skin)");
    /* Unit 0 sits at the skin's corner: one receptor to its left is off
     * the skin. */
    save(path, a);
    int left = g->cf_r * g->cf_side + g->cf_r - 1;
    cr_assert_lt(remap_cf_receptor(g, 0, -1, 0), 0);
    poke_u8(path, "/state/synapse", 0, (hsize_t)left, 2);
    snprintf(rest, sizeof rest,
             "/state/synapse[0, %d] is 2, a live synapse outside the unit's "
             "field (beyond its radius or off the skin)",
             left);
    assert_refused(path, m, rest);
    /* An absent synapse with a weight. */
    save(path, a);
    int centre = g->cf_r * g->cf_side + g->cf_r;
    poke_u8(path, "/state/synapse", 17, (hsize_t)centre, 0);
    snprintf(rest, sizeof rest,
             "/state/weights[17, %d] is %g, but the synapse there is absent "
             "(/state/synapse is 0); an absent synapse has weight 0",
             centre,
             (double)a->weights[17 * (size_t)g->cf_len + (size_t)centre]);
    assert_refused(path, m, rest);

    /* Region bits beyond the hand's six regions. */
    save(path, a);
    uint8_t bits = 0x40;
    poke_attr(path, "/conditions", "deafferented", H5T_NATIVE_UINT8, 0,
              &bits);
    assert_refused(path, m,
                   "attribute 'deafferented' of /conditions has bit 6 set, "
                   "beyond the layout's 6 regions");
    save(path, a);
    bits = 0x81;
    poke_attr(path, "/conditions", "co_touch", H5T_NATIVE_UINT8, 2, &bits);
    assert_refused(path, m,
                   "attribute 'co_touch' of /conditions: entry 2 (d2) has "
                   "bit 7 set, beyond the layout's 6 regions");
    save(path, a);
    float v = -1.0f;
    poke_attr(path, "/conditions", "enrich", H5T_NATIVE_FLOAT, 1, &v);
    assert_refused(path, m,
                   "attribute 'enrich' of /conditions: entry 1 (d1) is -1, "
                   "not a finite factor >= 0");
    save(path, a);
    v = INFINITY;
    poke_attr(path, "/conditions", "rehab_gain", H5T_NATIVE_FLOAT, 0, &v);
    assert_refused(path, m,
                   "attribute 'rehab_gain' of /conditions is inf, not a "
                   "finite factor >= 0");
    save(path, a);
    bits = 2;
    poke_attr(path, "/conditions", "sleeping", H5T_NATIVE_UINT8, 0, &bits);
    assert_refused(path, m,
                   "attribute 'sleeping' of /conditions is 2, not 0 or 1");
    save(path, a);
    v = 1.5f;
    poke_attr(path, "/conditions", "sleep.downscale", H5T_NATIVE_FLOAT, 0,
              &v);
    assert_refused(path, m,
                   "attribute 'sleep.downscale' of /conditions is 1.5, "
                   "outside [0, 1]");
    save(path, a);
    v = -0.5f;
    poke_attr(path, "/conditions", "sleep.noise", H5T_NATIVE_FLOAT, 0, &v);
    assert_refused(path, m,
                   "attribute 'sleep.noise' of /conditions is -0.5, not a "
                   "finite value >= 0");

    /* A per-region attribute of the wrong length. */
    save(path, a);
    static const char *const focus[] = {"focus"};
    delete_attrs(path, "/conditions", focus, 1);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hsize_t three = 3;
    hid_t sp = H5Screate_simple(1, &three, NULL);
    hid_t at_ = H5Acreate_by_name(f, "/conditions", "focus", H5T_IEEE_F32LE,
                                  sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const float ones[3] = {1.0f, 1.0f, 1.0f};
    H5Awrite(at_, H5T_NATIVE_FLOAT, ones);
    H5Aclose(at_);
    H5Sclose(sp);
    H5Fclose(f);
    assert_refused(path, m,
                   "attribute 'focus' of /conditions has 3 values, expected "
                   "6");

    /* The intact file still loads. */
    save(path, a);
    remap_error err;
    cr_assert_eq(remap_checkpoint_load(path, m, &err), REMAP_OK, "%s",
                 err.msg);
    remap_model_destroy(a);
    remap_model_destroy(m);
}

/* Reads a string attribute (variable length). */
static char *attr_text(hid_t f, const char *obj, const char *name)
{
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(a, 0, "%s", name);
    hid_t t = H5Aget_type(a);
    char *s = NULL;
    cr_assert_geq(H5Aread(a, t, &s), 0);
    char *copy = strdup(s);
    H5free_memory(s);
    H5Tclose(t);
    H5Aclose(a);
    return copy;
}

Test(checkpoint, choices_and_the_modalities_layout)
{
    remap_params p;
    small_params(&p);
    p.layout = REMAP_LAYOUT_MODALITIES;
    p.afferent.rule = REMAP_RULE_BCM;
    remap_model *a = make_model(&p, 4);
    step(a, 3);
    remap_model_fuse(a, 3u);
    remap_model_deafferent(a, 1u << 1, true);
    remap_model_enrich(a, 1u << 0, 2.0f);
    char path[1024];
    snprintf(path, sizeof path, "%s", at("ck.h5"));
    save(path, a);

    remap_model *b = make_model(&p, 8);
    remap_error err;
    cr_assert_eq(remap_checkpoint_load(path, b, &err), REMAP_OK, "%s",
                 err.msg);
    assert_same_model(a, b);
    step(a, 5);
    step(b, 5);
    assert_same_model(a, b);

    /* Region names and per-region conditions follow the layout; choices
     * are stored as their index. */
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char *names = attr_text(f, "/skin/region", "names");
    cr_assert_str_eq(names, "vision,touch");
    free(names);
    names = attr_text(f, "/conditions", "regions");
    cr_assert_str_eq(names, "vision,touch");
    free(names);
    hid_t at_ = H5Aopen_by_name(f, "/conditions", "enrich", H5P_DEFAULT,
                                H5P_DEFAULT);
    hid_t sp = H5Aget_space(at_);
    cr_assert_eq(H5Sget_simple_extent_npoints(sp), 2);
    float enrich[2];
    H5Aread(at_, H5T_NATIVE_FLOAT, enrich);
    cr_assert_eq(enrich[0], 2.0f);
    cr_assert_eq(enrich[1], 1.0f);
    H5Sclose(sp);
    H5Aclose(at_);
    double layout = -1;
    at_ = H5Aopen_by_name(f, "/params", "sheets.skin.layout", H5P_DEFAULT,
                          H5P_DEFAULT);
    H5Aread(at_, H5T_NATIVE_DOUBLE, &layout);
    H5Aclose(at_);
    cr_assert_eq(layout, 1.0);
    H5Fclose(f);

    /* Choices that differ are named. */
    remap_params hand = p;
    hand.layout = REMAP_LAYOUT_HAND;
    remap_model *c = make_model(&hand, 4);
    assert_refused(path, c,
                   "parameter sheets.skin.layout is modalities (1) in the "
                   "checkpoint but hand (0) in the model; build the model "
                   "from the checkpoint's scenario");
    remap_model_destroy(c);
    remap_params hebbian = p;
    hebbian.afferent.rule = REMAP_RULE_HEBBIAN;
    c = make_model(&hebbian, 4);
    assert_refused(path, c,
                   "parameter projections.afferent.rule is bcm (1) in the "
                   "checkpoint but hebbian (0) in the model; build the model "
                   "from the checkpoint's scenario");
    remap_model_destroy(c);

    /* Bits of regions the layout does not have. */
    uint8_t bits = 0x04;
    poke_attr(path, "/conditions", "co_touch", H5T_NATIVE_UINT8, 0, &bits);
    assert_refused(path, b,
                   "attribute 'co_touch' of /conditions: entry 0 (vision) "
                   "has bit 2 set, beyond the layout's 2 regions");

    /* Conditions on a region the layout lacks cannot be stored. */
    a->cond.enrich[4] = 2.0f;
    cr_assert_eq(remap_checkpoint_save(path, a, scenario_yaml, NULL, NULL,
                                       NULL, &err),
                 REMAP_EINVAL);
    char want[2048];
    snprintf(want, sizeof want,
             "%s: cannot save the conditions: they name a region beyond "
             "the layout's 2 regions",
             path);
    cr_assert_str_eq(err.msg, want);
    a->cond.enrich[4] = 1.0f;
    a->cond.co_touch[1] = 0x05;
    cr_assert_eq(remap_checkpoint_save(path, a, scenario_yaml, NULL, NULL,
                                       NULL, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, want);
    a->cond.co_touch[1] = 0x01;
    a->cond.deafferented = 0x80;
    cr_assert_eq(remap_checkpoint_save(path, a, scenario_yaml, NULL, NULL,
                                       NULL, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, want);
    assert_no_open_hdf5();
    remap_model_destroy(a);
    remap_model_destroy(b);
}
