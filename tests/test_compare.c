/* `remap compare` on hand-written run directories, and the metrics table
 * reader it stands on. */
#include "cli/compare.h"
#include "io/metrics_table.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[64];

static void setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/remap-compare-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(compare, .init = setup, .fini = teardown);
TestSuite(metrics_table, .init = setup, .fini = teardown);

/* Writes text to tmp/name, creating tmp/dir first when dir is given. */
static const char *write_file(const char *dir, const char *name,
                              const char *text)
{
    static char path[256];
    if (dir) {
        snprintf(path, sizeof path, "%s/%s", tmp, dir);
        mkdir(path, 0777);
        snprintf(path, sizeof path, "%s/%s/%s", tmp, dir, name);
    } else {
        snprintf(path, sizeof path, "%s/%s", tmp, name);
    }
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A run with a lesion at 2000: two rows there, before and after. */
static const char run_a[] =
    "iteration,area_palm,area_d1,rf_size,decode_error,responsive_units,events\n"
    "0,0.4,0.1,0.002,0.05,100,\n"
    "1000,0.42,0.1,0.0015,0.04,120,\n"
    "2000,0.44,0.1,0.0014,0.03,130,\n"
    "2000,0.3,0.2,0.0014,0.06,90,lesion@2000\n"
    "3000,0.35,0.15,0.0013,nan,100,\n";

static const char run_b[] =
    "iteration,area_palm,area_d1,rf_size,decode_error,responsive_units,"
    "spot_area,events\n"
    "0,0.4,0.1,0.002,0.05,100,0,\n"
    "3000,0.5,0,0.001,0.02,150,0.25,\n";

/* Output and error text of one call, and its exit code. */
typedef struct result {
    int rc;
    char out[16384];
    char err[4096];
} result;

static void slurp(FILE *f, char *buf, size_t size)
{
    rewind(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static result *compare(int argc, const char *const *args)
{
    static result r;
    char *argv[8];
    char paths[8][256];
    for (int i = 0; i < argc; i++) {
        /* Arguments naming a run are relative to tmp; options are not. */
        if (args[i][0] == '-')
            snprintf(paths[i], sizeof paths[i], "%s", args[i]);
        else
            snprintf(paths[i], sizeof paths[i], "%s/%s", tmp, args[i]);
        argv[i] = paths[i];
    }
    FILE *out = tmpfile(), *errs = tmpfile();
    cr_assert(out && errs);
    r.rc = remap_cli_compare_to(argc, argv, out, errs);
    slurp(out, r.out, sizeof r.out);
    slurp(errs, r.err, sizeof r.err);
    return &r;
}

#define COMPARE(...)                                                         \
    compare((int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *)), \
            (const char *const[]){__VA_ARGS__})

static void two_runs(void)
{
    write_file("a", "metrics.csv", run_a);
    write_file("b", "metrics.csv", run_b);
}

Test(compare, last_rows_as_csv)
{
    two_runs();
    result *r = COMPARE("a", "b", "--csv");
    cr_assert_eq(r->rc, 0, "%s", r->err);
    cr_assert_str_empty(r->err);
    cr_assert_str_eq(r->out,
                     "measure,a,b,change,relative\n"
                     "iteration,3000,3000,0,\n"
                     "area_palm,0.35,0.5,0.15,0.4285714286\n"
                     "area_d1,0.15,0,-0.15,-1\n"
                     "rf_size,0.0013,0.001,-0.0003,-0.2307692308\n"
                     "decode_error,nan,0.02,,\n"
                     "responsive_units,100,150,50,0.5\n"
                     "spot_area,,0.25,,\n");
}

Test(compare, text_table)
{
    two_runs();
    result *r = COMPARE("a", "b");
    cr_assert_eq(r->rc, 0, "%s", r->err);
    cr_assert(strstr(r->out, "A: ") == r->out, "%s", r->out);
    cr_assert(strstr(r->out, "a/metrics.csv line 6, iteration 3000\n"),
              "%s", r->out);
    cr_assert(strstr(r->out, "B: "), "%s", r->out);
    cr_assert(strstr(r->out, "measure"), "%s", r->out);
    /* area_palm: 0.35 -> 0.5, +0.15, +42.9% */
    const char *line = strstr(r->out, "\narea_palm ");
    cr_assert_not_null(line, "%s", r->out);
    char name[64];
    double a, b, change, rel;
    cr_assert_eq(sscanf(line + 1, "%63s %lf %lf %lf %lf%%", name, &a, &b,
                        &change, &rel), 5, "%s", line);
    cr_assert_float_eq(a, 0.35, 1e-9);
    cr_assert_float_eq(b, 0.5, 1e-9);
    cr_assert_float_eq(change, 0.15, 1e-9);
    cr_assert_float_eq(rel, 42.9, 1e-9);
    /* A relative change from 0 is not meaningful; nan has no change. */
    line = strstr(r->out, "\ndecode_error ");
    cr_assert_not_null(line);
    cr_assert_eq(sscanf(line + 1, "%63s nan %lf -", name, &b), 2, "%s", line);
    cr_assert(strstr(r->out, "\nonly in B: spot_area\n"), "%s", r->out);
    cr_assert_null(strstr(r->out, "only in A"), "%s", r->out);
    cr_assert_null(strstr(r->out, "\nevents"), "%s", r->out);
}

Test(compare, one_sided_columns_and_text_columns)
{
    /* An older run without the events column and with a measure the newer
     * one lacks: the measure is listed, the text column is not. */
    write_file("a", "metrics.csv", run_a);
    write_file("old", "metrics.csv",
               "iteration,area_palm,old_measure,responsive_units\n"
               "0,0.4,7,100\n");
    result *r = COMPARE("old", "a");
    cr_assert_eq(r->rc, 0, "%s", r->err);
    cr_assert(strstr(r->out, "\nonly in A: old_measure\n"), "%s", r->out);
    cr_assert(strstr(r->out, "\nonly in B: area_d1, rf_size, decode_error\n"),
              "%s", r->out);
    cr_assert_null(strstr(r->out, "events"), "%s", r->out);
    r = COMPARE("old", "a", "--csv");
    cr_assert_eq(r->rc, 0, "%s", r->err);
    cr_assert_str_eq(r->out,
                     "measure,a,b,change,relative\n"
                     "iteration,0,3000,3000,\n"
                     "area_palm,0.4,0.35,-0.05,-0.125\n"
                     "old_measure,7,,,\n"
                     "responsive_units,100,100,0,0\n"
                     "area_d1,,0.15,,\n"
                     "rf_size,,0.0013,,\n"
                     "decode_error,,nan,,\n");
}

Test(compare, at_iteration_picks_the_row_after_events)
{
    two_runs();
    result *r = COMPARE("a@2000", "a@2000:before", "--csv");
    cr_assert_eq(r->rc, 0, "%s", r->err);
    cr_assert(strstr(r->out, "\narea_palm,0.3,0.44,"), "%s", r->out);
    cr_assert(strstr(r->out, "\nresponsive_units,90,130,40,"), "%s", r->out);
    r = COMPARE("a@2000:after", "a@1000", "--csv");
    cr_assert_eq(r->rc, 0, "%s", r->err);
    cr_assert(strstr(r->out, "\nresponsive_units,90,120,30,"), "%s", r->out);
    r = COMPARE("a@2000:before", "a@2000");
    cr_assert_eq(r->rc, 0, "%s", r->err);
    cr_assert(strstr(r->out, "A: "), "%s", r->out);
    cr_assert(strstr(r->out, "line 4, iteration 2000, before the events at "
                             "2000\n"), "%s", r->out);
    cr_assert(strstr(r->out, "line 5, iteration 2000, after lesion@2000\n"),
              "%s", r->out);
}

Test(compare, a_table_file_itself)
{
    two_runs();
    result *r = COMPARE("a/metrics.csv@0", "b/metrics.csv", "--csv");
    cr_assert_eq(r->rc, 0, "%s", r->err);
    cr_assert(strstr(r->out, "\narea_palm,0.4,0.5,"), "%s", r->out);
}

Test(compare, help)
{
    result *r = COMPARE("--help");
    cr_assert_eq(r->rc, 0);
    cr_assert_str_eq(r->out, remap_compare_help);
}

Test(compare, wrong_argument_count)
{
    two_runs();
    result *r = compare(0, NULL);
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "two runs"), "%s", r->err);
    cr_assert(strstr(r->err, "remap help compare"), "%s", r->err);
    r = COMPARE("a");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "B is missing"), "%s", r->err);
    r = COMPARE("a", "b", "a");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "too many"), "%s", r->err);
    r = COMPARE("a", "b", "--bogus");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "unknown option '--bogus'"), "%s", r->err);
    cr_assert_str_empty(r->out);
}

Test(compare, missing_directory)
{
    two_runs();
    result *r = COMPARE("a", "nothing");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "nothing: no such run directory"), "%s", r->err);
    cr_assert_str_empty(r->out);
    r = COMPARE("nothing@100", "a");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "nothing: no such run directory"), "%s", r->err);
}

Test(compare, directory_without_metrics)
{
    two_runs();
    write_file("empty", "run.log", "");
    result *r = COMPARE("a", "empty");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "empty: no metrics.csv"), "%s", r->err);
}

Test(compare, malformed_table_names_the_line)
{
    two_runs();
    write_file("bad", "metrics.csv",
               "iteration,area_palm,events\n0,0.4,\n1000,0.5\n");
    result *r = COMPARE("a", "bad");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "bad/metrics.csv:3: 2 cells, but the header "
                             "has 3 columns"), "%s", r->err);
    write_file("bad", "metrics.csv", "iteration,x\n0,1\nlater,2\n");
    r = COMPARE("bad", "a");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "bad/metrics.csv:3: iteration 'later' is not"),
              "%s", r->err);
    write_file("bad", "metrics.csv", "");
    r = COMPARE("bad", "a");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "bad/metrics.csv: empty file"), "%s", r->err);
    write_file("bad", "metrics.csv", "iteration,x\n");
    r = COMPARE("bad", "a");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "bad/metrics.csv: no rows"), "%s", r->err);
}

Test(compare, unknown_iteration_lists_the_known_ones)
{
    two_runs();
    result *r = COMPARE("a@1500", "b");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "a/metrics.csv: no row at iteration 1500; it "
                             "has 0, 1000, 2000, 3000\n"), "%s", r->err);
    r = COMPARE("a", "b@abc");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "'abc' is not an iteration"), "%s", r->err);
    r = COMPARE("a", "b@100:later");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "'100:later' is not an iteration"), "%s",
              r->err);
}

Test(compare, long_iteration_lists_are_shortened)
{
    char text[4096] = "iteration,x\n";
    for (int i = 0; i < 40; i++) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, "%d,%d\n", i * 10, i);
    }
    write_file("long", "metrics.csv", text);
    result *r = COMPARE("long@5", "long");
    cr_assert_eq(r->rc, 2);
    cr_assert(strstr(r->err, "it has 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, "
                             "100, 110, ..., 360, 370, 380, 390 (40 in all)"),
              "%s", r->err);
}

/* ---- The table reader. */

static remap_metrics_table read_ok(const char *path)
{
    remap_metrics_table t;
    remap_error err;
    cr_assert_eq(remap_metrics_table_read(path, &t, &err), REMAP_OK, "%s",
                 err.msg);
    return t;
}

Test(metrics_table, reads_names_numbers_and_text)
{
    const char *path = write_file(NULL, "m.csv", run_a);
    remap_metrics_table t = read_ok(path);
    cr_assert_eq(t.columns, 7);
    cr_assert_eq(t.rows, 5);
    cr_assert_str_eq(t.names[0], "iteration");
    cr_assert_str_eq(t.path, path);
    int area = remap_metrics_table_column(&t, "area_palm");
    int events = remap_metrics_table_column(&t, "events");
    int decode = remap_metrics_table_column(&t, "decode_error");
    cr_assert_eq(area, 1);
    cr_assert_eq(events, 6);
    cr_assert_eq(remap_metrics_table_column(&t, "area_d9"), -1);
    cr_assert_float_eq(remap_metrics_table_value(&t, 1, area), 0.42, 1e-12);
    cr_assert(remap_metrics_table_is_number(&t, 1, area));
    /* Text and empty cells: NaN, kept as written. */
    cr_assert(isnan(remap_metrics_table_value(&t, 3, events)));
    cr_assert(!remap_metrics_table_is_number(&t, 3, events));
    cr_assert_str_eq(remap_metrics_table_text(&t, 3, events), "lesion@2000");
    cr_assert_str_eq(remap_metrics_table_text(&t, 0, events), "");
    cr_assert(!remap_metrics_table_is_number(&t, 0, events));
    /* "nan" is a number: the measure was undefined. */
    cr_assert(remap_metrics_table_is_number(&t, 4, decode));
    cr_assert(isnan(remap_metrics_table_value(&t, 4, decode)));
    /* Outside the table. */
    cr_assert(isnan(remap_metrics_table_value(&t, 5, area)));
    cr_assert(isnan(remap_metrics_table_value(&t, 0, 7)));
    cr_assert_str_eq(remap_metrics_table_text(&t, 9, 0), "");
    cr_assert_eq(t.iteration[4], 3000);
    cr_assert_eq(t.line[4], 6);
    remap_metrics_table_free(&t);
    remap_metrics_table_free(&t); /* harmless */
}

Test(metrics_table, rows_at_an_iteration)
{
    remap_metrics_table t = read_ok(write_file(NULL, "m.csv", run_a));
    cr_assert_eq(remap_metrics_table_row_at(&t, 2000, REMAP_ROW_FIRST), 2);
    cr_assert_eq(remap_metrics_table_row_at(&t, 2000, REMAP_ROW_LAST), 3);
    cr_assert_eq(remap_metrics_table_row_at(&t, 0, REMAP_ROW_FIRST), 0);
    cr_assert_eq(remap_metrics_table_row_at(&t, 0, REMAP_ROW_LAST), 0);
    cr_assert_eq(remap_metrics_table_row_at(&t, 1500, REMAP_ROW_LAST), -1);
    remap_metrics_table_free(&t);
}

Test(metrics_table, blank_lines_and_crlf)
{
    remap_metrics_table t = read_ok(write_file(
        NULL, "m.csv", "\niteration,x,events\r\n0,1.5,\r\n\r\n10,2,a@3\r\n"));
    cr_assert_eq(t.rows, 2);
    cr_assert_str_eq(t.names[2], "events");
    cr_assert_float_eq(remap_metrics_table_value(&t, 1, 1), 2.0, 0.0);
    cr_assert_str_eq(remap_metrics_table_text(&t, 1, 2), "a@3");
    cr_assert_eq(t.line[1], 5);
    remap_metrics_table_free(&t);
}

Test(metrics_table, last_line_without_newline)
{
    remap_metrics_table t =
        read_ok(write_file(NULL, "m.csv", "iteration,x\n0,1\n10,2"));
    cr_assert_eq(t.rows, 2);
    cr_assert_eq(t.iteration[1], 10);
    remap_metrics_table_free(&t);
}

static void read_fails(const char *text, remap_status want, const char *msg)
{
    const char *path = write_file(NULL, "m.csv", text);
    remap_metrics_table t;
    remap_error err;
    cr_assert_eq(remap_metrics_table_read(path, &t, &err), want, "%s",
                 text);
    cr_assert(strstr(err.msg, msg), "'%s' lacks '%s'", err.msg, msg);
    cr_assert_eq(t.rows, 0);
    cr_assert_null(t.names);
    remap_metrics_table_free(&t);
}

Test(metrics_table, refuses_malformed_tables)
{
    read_fails("", REMAP_EFORMAT, "m.csv: empty file");
    read_fails("\n\n", REMAP_EFORMAT, "m.csv: empty file");
    read_fails("iteration,x,x\n", REMAP_EFORMAT,
               "m.csv:1: column 'x' appears twice (columns 2 and 3)");
    read_fails("iteration,,x\n", REMAP_EFORMAT,
               "m.csv:1: column 2 of the header has no name");
    read_fails("step,x\n", REMAP_EFORMAT,
               "m.csv:1: the first column is 'step', not 'iteration'");
    read_fails("iteration,x\n0,1\n-5,2\n", REMAP_EFORMAT,
               "m.csv:3: iteration '-5' is not a whole number");
    read_fails("iteration,x\n0,1,2\n", REMAP_EFORMAT,
               "m.csv:2: 3 cells, but the header has 2 columns");
}

Test(metrics_table, missing_file)
{
    char path[128];
    snprintf(path, sizeof path, "%s/none.csv", tmp);
    remap_metrics_table t;
    remap_error err;
    cr_assert_eq(remap_metrics_table_read(path, &t, &err), REMAP_EIO);
    cr_assert(strstr(err.msg, "none.csv: cannot open"), "%s", err.msg);
}
