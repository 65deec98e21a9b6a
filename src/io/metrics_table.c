/* Reading metrics.csv back into a table of names, numbers and text. The
 * whole file is read into one buffer; cells are split in place and the
 * table points into it. */
#include "io/metrics_table.h"

#include "core/file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void remap_metrics_table_free(remap_metrics_table *t)
{
    if (!t)
        return;
    free(t->path);
    free(t->data);
    free(t->names);
    free(t->values);
    free(t->text);
    free(t->iteration);
    free(t->line);
    memset(t, 0, sizeof *t);
}

/* Cuts the next line off *p (without '\r\n'); NULL at the end. */
static char *next_line(char **p)
{
    if (!**p)
        return NULL;
    char *line = *p;
    char *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r')
        line[len - 1] = '\0';
    return line;
}

static int count_cells(const char *line)
{
    int n = 1;
    for (; *line; line++)
        n += *line == ',';
    return n;
}

/* Splits line in place into cells (exactly n of them). */
static void split(char *line, char **cells, int n)
{
    for (int i = 0; i < n; i++) {
        cells[i] = line;
        char *comma = strchr(line, ',');
        if (comma) {
            *comma = '\0';
            line = comma + 1;
        }
    }
}

static bool parse_number(const char *s, double *v)
{
    if (!*s || *s == ' ' || *s == '\t')
        return false;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *end == '\0';
}

static bool parse_iteration(const char *s, uint64_t *v)
{
    if (!*s)
        return false;
    for (const char *c = s; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    errno = 0;
    unsigned long long x = strtoull(s, NULL, 10);
    if (errno == ERANGE)
        return false;
    *v = (uint64_t)x;
    return true;
}

remap_status remap_metrics_table_read(const char *path, remap_metrics_table *t,
                                      remap_error *err)
{
    memset(t, 0, sizeof *t);
    char *data = NULL;
    remap_status st = remap_read_file(path, &data, NULL, err);
    if (st)
        return st;
    t->data = data;
    size_t plen = strlen(path);
    t->path = malloc(plen + 1);
    if (!t->path) {
        remap_metrics_table_free(t);
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", path);
    }
    memcpy(t->path, path, plen + 1);

    /* Lines that are not blank, with their numbers. */
    size_t lines = 1;
    for (const char *c = data; *c; c++)
        lines += *c == '\n';
    char *p = data, *line;
    size_t number = 0, header_line = 0;
    char *header = NULL;
    while ((line = next_line(&p)) != NULL) {
        number++;
        if (*line) {
            header = line, header_line = number;
            break;
        }
    }
    if (!header) {
        st = remap_fail(err, REMAP_EFORMAT, "%s: empty file, no header line",
                        path);
        goto fail;
    }
    t->columns = count_cells(header);
    t->names = malloc((size_t)t->columns * sizeof(char *));
    size_t cap_rows = lines;
    t->values = malloc(cap_rows * (size_t)t->columns * sizeof(double));
    t->text = malloc(cap_rows * (size_t)t->columns * sizeof(char *));
    t->iteration = malloc(cap_rows * sizeof(uint64_t));
    t->line = malloc(cap_rows * sizeof(size_t));
    if (!t->names || !t->values || !t->text || !t->iteration || !t->line) {
        st = remap_fail(err, REMAP_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    split(header, t->names, t->columns);
    for (int c = 0; c < t->columns; c++) {
        if (!*t->names[c]) {
            st = remap_fail(err, REMAP_EFORMAT,
                            "%s:%zu: column %d of the header has no name",
                            path, header_line, c + 1);
            goto fail;
        }
        for (int d = 0; d < c; d++) {
            if (strcmp(t->names[c], t->names[d]) == 0) {
                st = remap_fail(err, REMAP_EFORMAT,
                                "%s:%zu: column '%s' appears twice (columns "
                                "%d and %d)",
                                path, header_line, t->names[c], d + 1, c + 1);
                goto fail;
            }
        }
    }
    if (strcmp(t->names[0], "iteration") != 0) {
        st = remap_fail(err, REMAP_EFORMAT,
                        "%s:%zu: the first column is '%s', not 'iteration': "
                        "not a metrics table",
                        path, header_line, t->names[0]);
        goto fail;
    }

    while ((line = next_line(&p)) != NULL) {
        number++;
        if (!*line)
            continue;
        int n = count_cells(line);
        if (n != t->columns) {
            st = remap_fail(err, REMAP_EFORMAT,
                            "%s:%zu: %d cells, but the header has %d columns",
                            path, number, n, t->columns);
            goto fail;
        }
        size_t r = t->rows;
        char **cells = t->text + r * (size_t)t->columns;
        double *values = t->values + r * (size_t)t->columns;
        split(line, cells, n);
        if (!parse_iteration(cells[0], &t->iteration[r])) {
            st = remap_fail(err, REMAP_EFORMAT,
                            "%s:%zu: iteration '%s' is not a whole number",
                            path, number, cells[0]);
            goto fail;
        }
        for (int c = 0; c < n; c++)
            if (!parse_number(cells[c], &values[c]))
                values[c] = (double)NAN;
        t->line[r] = number;
        t->rows++;
    }
    return REMAP_OK;
fail:
    remap_metrics_table_free(t);
    return st;
}

int remap_metrics_table_column(const remap_metrics_table *t, const char *name)
{
    for (int c = 0; c < t->columns; c++)
        if (strcmp(t->names[c], name) == 0)
            return c;
    return -1;
}

static bool inside(const remap_metrics_table *t, size_t row, int column)
{
    return row < t->rows && column >= 0 && column < t->columns;
}

double remap_metrics_table_value(const remap_metrics_table *t, size_t row,
                                 int column)
{
    return inside(t, row, column)
               ? t->values[row * (size_t)t->columns + (size_t)column]
               : (double)NAN;
}

bool remap_metrics_table_is_number(const remap_metrics_table *t, size_t row,
                                   int column)
{
    double v;
    return inside(t, row, column) &&
           parse_number(t->text[row * (size_t)t->columns + (size_t)column],
                        &v);
}

const char *remap_metrics_table_text(const remap_metrics_table *t, size_t row,
                                     int column)
{
    return inside(t, row, column)
               ? t->text[row * (size_t)t->columns + (size_t)column]
               : "";
}

long remap_metrics_table_row_at(const remap_metrics_table *t,
                                uint64_t iteration, enum remap_row_pick pick)
{
    long found = -1;
    for (size_t r = 0; r < t->rows; r++) {
        if (t->iteration[r] != iteration)
            continue;
        found = (long)r;
        if (pick == REMAP_ROW_FIRST)
            break;
    }
    return found;
}
