/* `remap compare A B`: the change in every measure of metrics.csv between
 * two runs, or two points of one run. */
#ifndef REMAP_CLI_COMPARE_H
#define REMAP_CLI_COMPARE_H

#include <stdio.h>

/* The text of `remap help compare`. */
extern const char remap_compare_help[];

/* Runs the command with its arguments (those after "compare"): prints the
 * comparison on stdout, messages on stderr. Returns the exit code: 0, or
 * 2 for bad usage or bad input (a missing directory or metrics.csv, a
 * malformed table, an iteration the table does not have). */
int remap_cli_compare(int argc, char **argv);

/* The same, printing to out and errs (for tests). */
int remap_cli_compare_to(int argc, char **argv, FILE *out, FILE *errs);

#endif
