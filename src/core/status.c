/* Status names, messages and the error context. */
#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[] = {
#define REMAP__STATUS_NAME(name, msg) "REMAP_" #name,
    REMAP_STATUS_MAP(REMAP__STATUS_NAME)
#undef REMAP__STATUS_NAME
};

static const char *const status_messages[] = {
#define REMAP__STATUS_MSG(name, msg) msg,
    REMAP_STATUS_MAP(REMAP__STATUS_MSG)
#undef REMAP__STATUS_MSG
};

const char *remap_status_name(remap_status s)
{
    if ((unsigned)s >= REMAP_STATUS_COUNT)
        return "REMAP_UNKNOWN";
    return status_names[s];
}

const char *remap_status_message(remap_status s)
{
    if ((unsigned)s >= REMAP_STATUS_COUNT)
        return "unknown status";
    return status_messages[s];
}

void remap_error_clear(remap_error *err)
{
    if (!err)
        return;
    err->status = REMAP_OK;
    err->msg[0] = '\0';
}

remap_status remap_fail(remap_error *err, remap_status s, const char *fmt, ...)
{
    if (!err)
        return s;
    err->status = s;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return s;
}

remap_status remap_error_prefix(remap_error *err, const char *fmt, ...)
{
    if (!err)
        return REMAP_OK;
    char prefix[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t plen = strlen(prefix);
    size_t mlen = strlen(err->msg);
    if (plen + 2 + mlen + 1 > sizeof err->msg)
        mlen = sizeof err->msg - plen - 3;
    memmove(err->msg + plen + 2, err->msg, mlen);
    memcpy(err->msg, prefix, plen);
    err->msg[plen] = ':';
    err->msg[plen + 1] = ' ';
    err->msg[plen + 2 + mlen] = '\0';
    return err->status;
}

int remap_status_exit_code(remap_status s)
{
    switch (s) {
    case REMAP_OK:
        return 0;
    case REMAP_EUSAGE:
    case REMAP_EINVAL:
    case REMAP_ESCENARIO:
    case REMAP_EFORMAT:
    case REMAP_ENODEVICE:
    case REMAP_ETOOBIG:
        return 2;
    default:
        return 1;
    }
}
