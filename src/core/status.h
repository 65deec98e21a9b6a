/* Status codes and the error context that carries a formatted message from
 * the library to whoever reports it (the CLI). Library code never prints. */
#ifndef REMAP_STATUS_H
#define REMAP_STATUS_H

#include <stddef.h>

/* One table gives both the names and the messages, so they cannot drift. */
#define REMAP_STATUS_MAP(X)                                                  \
    X(OK, "success")                                                         \
    X(EINVAL, "invalid argument")                                            \
    X(EUSAGE, "bad command-line usage")                                      \
    X(ENOMEM, "out of host memory")                                          \
    X(EIO, "input/output error")                                             \
    X(ESCENARIO, "invalid scenario")                                         \
    X(EFORMAT, "unsupported file format")                                    \
    X(ENOPLATFORM, "no OpenCL platform")                                     \
    X(ENODEVICE, "no such OpenCL device")                                    \
    X(EDEVICE, "OpenCL call failed")                                         \
    X(EBUILD, "kernel build failed")                                         \
    X(ETOOBIG, "model does not fit")                                         \
    X(ENUMERIC, "numerical failure")                                         \
    X(ECOLLAPSE, "map collapsed")                                            \
    X(EINTERRUPTED, "interrupted")

typedef enum remap_status {
#define REMAP__STATUS_ENUM(name, msg) REMAP_##name,
    REMAP_STATUS_MAP(REMAP__STATUS_ENUM)
#undef REMAP__STATUS_ENUM
    REMAP_STATUS_COUNT
} remap_status;

/* "REMAP_EINVAL" etc.; "REMAP_UNKNOWN" for out-of-range values. */
const char *remap_status_name(remap_status s);
/* Short English description of a status. */
const char *remap_status_message(remap_status s);

/* Room for a whole kernel build log or a scenario error list. */
#define REMAP_ERROR_MAX 32768

/* Error context: the status of the last failure and its detailed message.
 * Messages put the place first: "file:line:col: what went wrong". */
typedef struct remap_error {
    remap_status status;
    char msg[REMAP_ERROR_MAX];
} remap_error;

/* Clears the context to REMAP_OK and an empty message. NULL is allowed. */
void remap_error_clear(remap_error *err);

/* Records status s with a printf-style message in err (which may be NULL)
 * and returns s, so callers can write `return remap_fail(err, ...)`. */
remap_status remap_fail(remap_error *err, remap_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to the message already in err (context for callers
 * higher up, e.g. the file being loaded). Returns err->status. */
remap_status remap_error_prefix(remap_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Process exit code for a status: 0 ok, 2 bad usage or bad input (a
 * scenario, a device that does not exist, a model too big for the device),
 * 1 for a failed run. */
int remap_status_exit_code(remap_status s);

#endif
