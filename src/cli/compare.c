/* remap compare: reads one row of each side's metrics.csv and prints, for
 * every numeric column, A, B, the change B - A and the relative change. */
#include "cli/compare.h"

#include "io/metrics_table.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EXIT_USAGE 2

const char remap_compare_help[] =
    "usage: remap compare A B [--csv]\n"
    "\n"
    "Compares the measures of two runs, or of two points of one run: for\n"
    "every numeric column of metrics.csv it prints the value in A, in B,\n"
    "the change B - A and the relative change (B - A) / |A| (where A is not\n"
    "0). Columns that only one side has are listed as such; the events\n"
    "column is not compared. A and B are each\n"
    "  DIR              a run directory: the last row of DIR/metrics.csv\n"
    "  DIR@ITER         the row at iteration ITER; where a perturbation\n"
    "                   happened at ITER the run measured twice, and this is\n"
    "                   the row just after it (also DIR@ITER:after)\n"
    "  DIR@ITER:before  the row just before the perturbation at ITER\n"
    "DIR may also be a metrics.csv file itself.\n"
    "\n"
    "options:\n"
    "  --csv   print the comparison as CSV: measure,a,b,change,relative\n"
    "          (relative as a fraction; empty cells where not meaningful)\n";

/* One side of the comparison. */
typedef struct side {
    const char *arg;   /* as given */
    char *csv;         /* path of the metrics table */
    bool at;           /* an iteration was given */
    uint64_t iteration;
    bool before;       /* :before */
    remap_metrics_table t;
    long row;
} side;

static int fail(FILE *errs, bool usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(FILE *errs, bool usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("remap: compare: ", errs);
    vfprintf(errs, fmt, ap);
    fputc('\n', errs);
    va_end(ap);
    if (usage)
        fputs("Try 'remap help compare'.\n", errs);
    return EXIT_USAGE;
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    size_t n = a;
    if (n == 0 || p[n - 1] != '/')
        p[n++] = '/';
    memcpy(p + n, name, b + 1);
    return p;
}

/* Parses "ITER", "ITER:before" or "ITER:after". */
static bool parse_at(const char *s, uint64_t *iteration, bool *before)
{
    const char *c = s;
    while (*c >= '0' && *c <= '9')
        c++;
    if (c == s || c - s > 19)
        return false;
    *before = false;
    if (strcmp(c, ":before") == 0)
        *before = true;
    else if (*c && strcmp(c, ":after") != 0)
        return false;
    *iteration = strtoull(s, NULL, 10);
    return true;
}

/* Finds the metrics table a side names: a directory (its metrics.csv) or
 * the table itself, optionally followed by @ITER[:before]. */
static int locate(side *s, FILE *errs)
{
    struct stat sb;
    char *place = NULL;
    if (stat(s->arg, &sb) == 0) {
        place = strdup(s->arg);
    } else {
        const char *at = strrchr(s->arg, '@');
        if (!at)
            return fail(errs, false, "%s: no such run directory", s->arg);
        if (!parse_at(at + 1, &s->iteration, &s->before))
            return fail(errs, true,
                        "%s: '%s' is not an iteration: write DIR@ITER or "
                        "DIR@ITER:before",
                        s->arg, at + 1);
        s->at = true;
        place = strndup(s->arg, (size_t)(at - s->arg));
        if (place && stat(place, &sb) != 0) {
            fail(errs, false, "%s: no such run directory", place);
            free(place);
            return EXIT_USAGE;
        }
    }
    if (!place)
        return fail(errs, false, "out of memory");
    if (S_ISDIR(sb.st_mode)) {
        s->csv = join(place, "metrics.csv");
        if (s->csv && stat(s->csv, &sb) != 0 && errno == ENOENT) {
            fail(errs, false, "%s: no metrics.csv (not a run directory, or a "
                 "run without metrics)", place);
            free(place);
            return EXIT_USAGE;
        }
        free(place);
    } else {
        s->csv = place;
    }
    if (!s->csv)
        return fail(errs, false, "out of memory");
    return 0;
}

/* The distinct iterations of a table, for a message: "0, 1000, 2000". */
static void list_iterations(const remap_metrics_table *t, char *buf,
                            size_t size)
{
    size_t n = 0, shown = 0, distinct = 0;
    buf[0] = '\0';
    for (size_t r = 0; r < t->rows; r++)
        distinct += r == 0 || t->iteration[r] != t->iteration[r - 1];
    for (size_t r = 0; r < t->rows && n < size; r++) {
        if (r > 0 && t->iteration[r] == t->iteration[r - 1])
            continue;
        shown++;
        /* The first 12 and the last 4 of a long list. */
        if (distinct > 16 && shown > 12 && shown <= distinct - 4) {
            if (shown == 13)
                n += (size_t)snprintf(buf + n, size - n, ", ...");
            continue;
        }
        n += (size_t)snprintf(buf + n, size - n, "%s%llu",
                              shown > 1 ? ", " : "",
                              (unsigned long long)t->iteration[r]);
    }
    if (distinct > 16 && n < size)
        snprintf(buf + n, size - n, " (%zu in all)", distinct);
}

/* Reads the side's table and picks its row. */
static int load(side *s, FILE *errs)
{
    int rc = locate(s, errs);
    if (rc)
        return rc;
    remap_error err;
    if (remap_metrics_table_read(s->csv, &s->t, &err))
        return fail(errs, false, "%s", err.msg);
    if (s->t.rows == 0)
        return fail(errs, false, "%s: no rows (the run has measured nothing)",
                    s->csv);
    if (!s->at) {
        s->row = (long)s->t.rows - 1;
        return 0;
    }
    s->row = remap_metrics_table_row_at(
        &s->t, s->iteration, s->before ? REMAP_ROW_FIRST : REMAP_ROW_LAST);
    if (s->row < 0) {
        char list[512];
        list_iterations(&s->t, list, sizeof list);
        return fail(errs, false, "%s: no row at iteration %llu; it has %s",
                    s->csv, (unsigned long long)s->iteration, list);
    }
    return 0;
}

/* What the picked row is: "A: runs/a/metrics.csv line 7, iteration
 * 5000, after lesion@5000". A row's events column names the events applied
 * since the row before it. */
static void describe(FILE *out, const char *label, const side *s)
{
    const remap_metrics_table *t = &s->t;
    size_t row = (size_t)s->row;
    fprintf(out, "%s: %s line %zu, iteration %llu", label, s->csv,
            t->line[row], (unsigned long long)t->iteration[row]);
    int ev = remap_metrics_table_column(t, "events");
    const char *events = remap_metrics_table_text(t, row, ev);
    bool later =
        row + 1 < t->rows && t->iteration[row + 1] == t->iteration[row];
    if (*events)
        fprintf(out, ", after %s", events);
    if (later)
        fprintf(out, "%s before the events at %llu", *events ? " and" : ",",
                (unsigned long long)t->iteration[row]);
    fputc('\n', out);
}

/* Relative change, when meaningful: A finite and not 0. */
static bool relative(double a, double b, double *rel)
{
    if (!isfinite(a) || !isfinite(b) || a == 0.0)
        return false;
    *rel = (b - a) / fabs(a);
    return true;
}

static void print_value(FILE *out, const char *fmt, int width, double v,
                        bool present)
{
    if (!present)
        fprintf(out, " %*s", width, "-");
    else if (isnan(v))
        fprintf(out, " %*s", width, "nan");
    else
        fprintf(out, fmt, width, v);
}

static void compare_text(FILE *out, const side *a, const side *b)
{
    const remap_metrics_table *ta = &a->t, *tb = &b->t;
    size_t ra = (size_t)a->row, rb = (size_t)b->row;
    describe(out, "A", a);
    describe(out, "B", b);
    int width = (int)strlen("measure");
    for (int c = 0; c < ta->columns; c++)
        if ((int)strlen(ta->names[c]) > width)
            width = (int)strlen(ta->names[c]);
    const int vw = 12;
    fprintf(out, "\n%-*s %*s %*s %*s %*s\n", width, "measure", vw, "A", vw, "B",
            vw, "change", vw - 3, "relative");
    for (int c = 0; c < ta->columns; c++) {
        int cb = remap_metrics_table_column(tb, ta->names[c]);
        if (cb < 0 || !remap_metrics_table_is_number(ta, ra, c) ||
            !remap_metrics_table_is_number(tb, rb, cb))
            continue;
        double va = remap_metrics_table_value(ta, ra, c);
        double vb = remap_metrics_table_value(tb, rb, cb);
        fprintf(out, "%-*s", width, ta->names[c]);
        print_value(out, " %*.6g", vw, va, true);
        print_value(out, " %*.6g", vw, vb, true);
        double d = vb - va, rel;
        print_value(out, " %+*.6g", vw, d, isfinite(d));
        if (c > 0 && relative(va, vb, &rel))
            fprintf(out, " %+*.1f%%", vw - 4, 100.0 * rel);
        fputc('\n', out);
    }
    /* Columns of one side only. */
    const side *sides[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        const remap_metrics_table *t = &sides[k]->t;
        const remap_metrics_table *o = &sides[1 - k]->t;
        int listed = 0;
        size_t row = (size_t)sides[k]->row;
        for (int c = 0; c < t->columns; c++) {
            /* Text columns (events) are not measures. */
            if (remap_metrics_table_column(o, t->names[c]) >= 0 ||
                !remap_metrics_table_is_number(t, row, c))
                continue;
            if (listed++ == 0)
                fprintf(out, "\nonly in %s: %s", k == 0 ? "A" : "B",
                        t->names[c]);
            else
                fprintf(out, ", %s", t->names[c]);
        }
        if (listed)
            fputc('\n', out);
    }
}

static void csv_number(FILE *out, double v, bool present)
{
    fputc(',', out);
    if (present)
        fprintf(out, "%.10g", v);
}

static void compare_csv(FILE *out, const side *a, const side *b)
{
    const remap_metrics_table *ta = &a->t, *tb = &b->t;
    size_t ra = (size_t)a->row, rb = (size_t)b->row;
    fputs("measure,a,b,change,relative\n", out);
    for (int c = 0; c < ta->columns; c++) {
        int cb = remap_metrics_table_column(tb, ta->names[c]);
        bool na = remap_metrics_table_is_number(ta, ra, c);
        bool nb = cb >= 0 && remap_metrics_table_is_number(tb, rb, cb);
        if (!na || (cb >= 0 && !nb))
            continue; /* text: the events column */
        double va = remap_metrics_table_value(ta, ra, c);
        double vb =
            nb ? remap_metrics_table_value(tb, rb, cb) : (double)NAN;
        double d = vb - va, rel;
        fputs(ta->names[c], out);
        csv_number(out, va, true);
        csv_number(out, vb, nb);
        csv_number(out, d, nb && isfinite(d));
        csv_number(out, rel, nb && c > 0 && relative(va, vb, &rel));
        fputc('\n', out);
    }
    for (int c = 0; c < tb->columns; c++) {
        if (remap_metrics_table_column(ta, tb->names[c]) >= 0 ||
            !remap_metrics_table_is_number(tb, rb, c))
            continue;
        fputs(tb->names[c], out);
        csv_number(out, 0, false);
        csv_number(out, remap_metrics_table_value(tb, rb, c), true);
        fputs(",,\n", out);
    }
}

int remap_cli_compare_to(int argc, char **argv, FILE *out, FILE *errs)
{
    const char *args[2];
    int n = 0;
    bool csv = false, options = true;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (options && a[0] == '-' && a[1]) {
            if (strcmp(a, "--") == 0) {
                options = false;
            } else if (strcmp(a, "--csv") == 0) {
                csv = true;
            } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
                fputs(remap_compare_help, out);
                return 0;
            } else {
                return fail(errs, true, "unknown option '%s'", a);
            }
            continue;
        }
        if (n == 2)
            return fail(errs, true, "too many arguments ('%s'): it compares "
                        "two runs, A and B", a);
        args[n++] = a;
    }
    if (n < 2)
        return fail(errs, true, "it compares two runs, A and B; %s",
                    n ? "B is missing" : "both are missing");

    side s[2];
    memset(s, 0, sizeof s);
    int rc = 0;
    for (int k = 0; k < 2 && !rc; k++) {
        s[k].arg = args[k];
        rc = load(&s[k], errs);
    }
    if (!rc) {
        if (csv)
            compare_csv(out, &s[0], &s[1]);
        else
            compare_text(out, &s[0], &s[1]);
        fflush(out);
    }
    for (int k = 0; k < 2; k++) {
        free(s[k].csv);
        remap_metrics_table_free(&s[k].t);
    }
    return rc;
}

int remap_cli_compare(int argc, char **argv)
{
    return remap_cli_compare_to(argc, argv, stdout, stderr);
}
