/* Pieces of command-line parsing shared by the subcommands. */
#ifndef REMAP_CLI_ARGS_H
#define REMAP_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value of option `name` at argv[*i], given as "--name=value" or
 * "--name value" (then *i moves past the value); NULL when argv[*i] is
 * not that option. A value missing at the end of argv sets *missing and
 * gives "". */
const char *remap_arg_option(int argc, char **argv, int *i, const char *name,
                             bool *missing);

/* Splits argument a, "--name=value" or "--name", into its name (in
 * name, at most size - 1 bytes) and returns the value after '=', or NULL
 * when there is none. */
const char *remap_arg_split(const char *a, char *name, size_t size);

/* A whole decimal number (digits only, within 64 bits) into *out; false
 * otherwise. */
bool remap_arg_u64(const char *s, uint64_t *out);

/* A whole decimal number in [lo, hi] into *out; false otherwise. */
bool remap_arg_long(const char *s, long lo, long hi, long *out);

/* "WIDTHxHEIGHT" with both sides positive (sizes are checked further by
 * their users); false otherwise. */
bool remap_arg_size(const char *s, int *w, int *h);

#endif
