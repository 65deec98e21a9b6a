/* Lookup in the tables of embedded files. */
#include "core/embedded.h"

#include <string.h>

const char *remap_embedded_find(const struct remap_embedded *table,
                                const char *name)
{
    for (; table->name; table++)
        if (strcmp(table->name, name) == 0)
            return table->text;
    return NULL;
}
