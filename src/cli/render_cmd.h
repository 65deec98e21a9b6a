/* The command line of `remap render` (its frame options; the rest are
 * `remap run`'s) and of `remap snapshot`. */
#ifndef REMAP_RENDER_CMD_H
#define REMAP_RENDER_CMD_H

#include "cli/frames.h"

#include <stdbool.h>

/* Options not given on the command line come from the scenario's
 * outputs.frames section. */
typedef struct render_cli {
    remap_frames_options frames;
    bool frames_given, panels_given, size_given, compression_given;
    const char *mp4;
} render_cli;

extern const char remap_render_help[];
extern const char remap_snapshot_help[];

/* Takes the frame options out of argv (render_cli gets them, with
 * defaults for the rest) and leaves the others, in order, in rest.
 * Returns 0, or the exit code after printing a usage error. */
int remap_render_parse(int argc, char **argv, render_cli *r, int *rest_argc,
                       char **rest);

/* Frames for a run of sc up to iteration last; NULL frames on error. */
remap_status remap_render_start(render_cli *r, const remap_scenario *sc,
                                uint64_t last, remap_frames **frames,
                                remap_error *err);

/* After the run: waits for the writer, prints where the frames went, the
 * share of the run's time rendering took and the ffmpeg command (running
 * it for --mp4). Returns 0 or an exit code. */
int remap_render_finish(render_cli *r, remap_frames *frames,
                        double run_seconds, remap_error *err);

/* `remap snapshot CHECKPOINT --png FILE [options]`. */
int remap_snapshot_main(int argc, char **argv);

#endif
