/* Reading a run's metrics.csv back: the header's column names and every
 * row's cells, as numbers where they are numbers (the measures) and as
 * text otherwise (the `events` column). Used by `remap compare` and by
 * tests that check what a run measured.
 *
 *     remap_metrics_table t;
 *     if (remap_metrics_table_read("runs/x/metrics.csv", &t, &err))
 *         ...;
 *     long row = remap_metrics_table_row_at(&t, 5000, REMAP_ROW_LAST);
 *     int col = remap_metrics_table_column(&t, "area_d3");
 *     double v = remap_metrics_table_value(&t, row, col);
 *     remap_metrics_table_free(&t);
 *
 * The format is the one remap writes: a header line of unique column
 * names, the first of them `iteration`, then one line per measurement
 * with as many comma-separated cells; no quoting. Cells are numbers as
 * strtod reads them ("nan" included), text, or empty. */
#ifndef REMAP_METRICS_TABLE_H
#define REMAP_METRICS_TABLE_H

#include "core/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct remap_metrics_table {
    char *path;          /* the file read, for messages */
    int columns;
    char **names;        /* [columns] header names */
    size_t rows;
    double *values;      /* [rows][columns]: NaN where the cell is text or
                            empty */
    char **text;         /* [rows][columns]: each cell as written */
    uint64_t *iteration; /* [rows] the `iteration` column */
    size_t *line;        /* [rows] line number of each row in the file */
    char *data;          /* private: the file's text, which the names and
                            cells point into */
} remap_metrics_table;

/* Reads the CSV at path into t. Fails with REMAP_EIO (cannot open or
 * read, naming the file and the system error) or REMAP_EFORMAT with
 * "path:LINE: what is wrong" (no header, a repeated or empty column name,
 * no `iteration` column first, a row with the wrong number of cells, an
 * iteration that is not a whole number). Blank lines and a '\r' before
 * each newline are ignored. On failure t is left empty (free is
 * harmless). */
remap_status remap_metrics_table_read(const char *path, remap_metrics_table *t,
                                      remap_error *err);

/* Releases the table and leaves it empty. */
void remap_metrics_table_free(remap_metrics_table *t);

/* Index of the column called name, or -1. */
int remap_metrics_table_column(const remap_metrics_table *t, const char *name);

/* The number in a cell (NaN for text, an empty cell or a cell outside
 * the table). */
double remap_metrics_table_value(const remap_metrics_table *t, size_t row,
                                 int column);

/* True when the cell holds a number (a "nan" cell does too). */
bool remap_metrics_table_is_number(const remap_metrics_table *t, size_t row,
                                   int column);

/* The cell as written ("" outside the table). */
const char *remap_metrics_table_text(const remap_metrics_table *t, size_t row,
                                     int column);

/* The row measured at an iteration: a run writes two rows at an iteration
 * where a perturbation happens, one just before it and one just after. */
enum remap_row_pick {
    REMAP_ROW_FIRST, /* the first row at the iteration (before) */
    REMAP_ROW_LAST   /* the last row at the iteration (after) */
};
/* Index of the first or last row at iteration, or -1 when none. */
long remap_metrics_table_row_at(const remap_metrics_table *t,
                                uint64_t iteration, enum remap_row_pick pick);

#endif
