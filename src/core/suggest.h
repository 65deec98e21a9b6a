/* Nearest-name suggestions for error messages ("did you mean …?"). */
#ifndef REMAP_SUGGEST_H
#define REMAP_SUGGEST_H

#include <stddef.h>

/* Edit distance (insertions, deletions, substitutions) between a and b. */
size_t remap_edit_distance(const char *a, const char *b);

/* The candidate closest to word, or NULL when none is close enough to be a
 * plausible typo (distance above a third of the longer name, at least 2). */
const char *remap_suggest(const char *word, const char *const *candidates,
                          size_t count);

#endif
