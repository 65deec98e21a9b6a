/* The command line of `remap bench`: options, the table on stdout and the
 * progress on stderr, exit codes. */
#ifndef REMAP_BENCH_CMD_H
#define REMAP_BENCH_CMD_H

extern const char remap_bench_help[];

/* `remap bench [options]`; revision and version are the build's. Returns
 * the exit code: 0, 1 (a failed measurement, or OpenCL disagreeing with
 * the reference), 2 (bad usage or input). */
int remap_bench_main(int argc, char **argv, const char *version,
                     const char *revision);

#endif
