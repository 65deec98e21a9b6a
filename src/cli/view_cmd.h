/* The command line of `remap view`: the live viewer's options (the rest
 * are `remap run`'s), and running the viewer in place of a headless run. */
#ifndef REMAP_VIEW_CMD_H
#define REMAP_VIEW_CMD_H

#include "run/run.h"
#include "scenario/scenario.h"

#include <stdbool.h>

typedef struct view_cli view_cli;

extern const char remap_view_help[];

/* Takes the viewer's options out of argv (a script is read and checked
 * here, so its errors come before anything runs) and leaves the others, in
 * order, in rest. Returns 0 with *out set, -1 after printing help, or the
 * exit code after printing a usage error. */
int remap_view_parse(int argc, char **argv, view_cli **out, int *rest_argc,
                     char **rest);

/* Frees what remap_view_parse made (NULL does nothing). */
void remap_view_free(view_cli *v);

/* Runs sc as `remap run` would with run, in the viewer. Prints the
 * viewer's reports (probes, lesions, screenshots) and, when no display
 * can be opened, what to do instead (*no_display set). Returns the run's
 * status, REMAP_EINTERRUPTED after Ctrl-C. */
remap_status remap_view_run(view_cli *v, const remap_scenario *sc,
                            const remap_run_options *run,
                            remap_run_summary *summary, bool *no_display,
                            remap_error *err);

#endif
