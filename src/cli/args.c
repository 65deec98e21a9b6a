#include "cli/args.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *remap_arg_option(int argc, char **argv, int *i, const char *name,
                             bool *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return "";
    }
    return argv[++*i];
}

const char *remap_arg_split(const char *a, char *name, size_t size)
{
    const char *eq = strchr(a, '=');
    if (eq && (size_t)(eq - a) < size) {
        memcpy(name, a, (size_t)(eq - a));
        name[eq - a] = '\0';
        return eq + 1;
    }
    snprintf(name, size, "%s", a);
    return NULL;
}

bool remap_arg_u64(const char *s, uint64_t *out)
{
    /* Digits only: strtoull would take a sign or spaces (" -1" wraps). */
    if (!isdigit((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno == ERANGE || v > UINT64_MAX)
        return false;
    *out = v;
    return true;
}

bool remap_arg_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno == ERANGE || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool remap_arg_size(const char *s, int *w, int *h)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return false;
    const char *t = end + 1;
    long b = strtol(t, &end, 10);
    /* Bounded so that both fit an int; the frame size check says what is
     * too large. */
    if (end == t || *end || a <= 0 || b <= 0 || a > 1000000 || b > 1000000)
        return false;
    *w = (int)a, *h = (int)b;
    return true;
}
