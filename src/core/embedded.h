/* Text files embedded into the binary at build time (kernels, scenarios). */
#ifndef REMAP_EMBEDDED_H
#define REMAP_EMBEDDED_H

struct remap_embedded {
    const char *name; /* file name without directories */
    const char *text; /* whole file contents */
};

/* Tables end with a {NULL, NULL} entry. */
extern const struct remap_embedded remap_kernels[];
extern const struct remap_embedded remap_scenarios[];

/* Looks up a file by name in a table; NULL when absent. */
const char *remap_embedded_find(const struct remap_embedded *table,
                                const char *name);

#endif
