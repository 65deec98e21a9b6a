/* Atomic writes, directories, CSV appending and HDF5 checkpoints: round
 * trips, refusals with their messages, and injected write failures. */
#define _XOPEN_SOURCE 700

#include "io/atomic.h"
#include "io/checkpoint.h"
#include "model/model.h"

#include <criterion/criterion.h>
#include <hdf5.h>

#include <ftw.h>
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

/* Sets every piece of state and some runtime parameters away from what a
 * fresh model would hold. */
static void scramble(remap_model *m)
{
    const remap_geometry *g = &m->geom;
    uint32_t s = 0x1234567u;
    size_t units = (size_t)g->units;
    fill_bits(m->weights, units * (size_t)g->cf_len, &s);
    fill_bits(m->threshold, units, &s);
    fill_bits(m->avg_activity, units, &s);
    fill_bits(m->activity, units, &s);
    fill_bits(m->active_count, units, &s);
    fill_bits(m->input, (size_t)g->receptors, &s);
    for (int r = 0; r < g->receptors; r++)
        m->skin_region[r] = (uint8_t)(xorshift(&s) % REMAP_REGION_COUNT);
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

    cr_assert_eq(b->iteration, a->iteration);
    cr_assert_eq(b->seed, 7);
    size_t count;
    const remap_param_info *table = remap_param_table(&count);
    for (size_t i = 0; i < count; i++) {
        double va = remap_param_get(&a->params, &table[i]);
        double vb = remap_param_get(&b->params, &table[i]);
        cr_assert(memcmp(&va, &vb, sizeof va) == 0, "%s: %g != %g",
                  table[i].path, va, vb);
    }
    assert_same_bits(a->weights, b->weights,
                     units * (size_t)g->cf_len * sizeof(float), "weights");
    assert_same_bits(a->threshold, b->threshold, units * sizeof(float),
                     "threshold");
    assert_same_bits(a->avg_activity, b->avg_activity, units * sizeof(float),
                     "avg_activity");
    assert_same_bits(a->activity, b->activity, units * sizeof(float),
                     "activity");
    assert_same_bits(a->active_count, b->active_count,
                     units * sizeof(uint32_t), "active_count");
    assert_same_bits(a->input, b->input, (size_t)g->receptors * sizeof(float),
                     "input");
    assert_same_bits(a->skin_region, b->skin_region, (size_t)g->receptors,
                     "skin_region");
    /* The touch table follows the loaded frequencies. */
    assert_same_bits(a->region_cdf, b->region_cdf,
                     REMAP_REGION_COUNT * sizeof(float), "region_cdf");

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
             "cf_side %d, cf_len %d) does not match the model (skin_n %d, "
             "cortex_n 20, cf_r %d, cf_side %d, cf_len %d); build the model "
             "from the checkpoint's scenario",
             path, a->geom.skin_n, a->geom.cf_r, a->geom.cf_side,
             a->geom.cf_len, b->geom.skin_n, b->geom.cf_r, b->geom.cf_side,
             b->geom.cf_len);
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
