/* Units coloured for cortical panels on the host: the reference
 * backend's colour_units. */
#ifndef REMAP_REF_RENDER_H
#define REMAP_REF_RENDER_H

#include "model/model.h"

void remap_ref_colour_units(const remap_model *m,
                            const remap_render_request *rq,
                            uint8_t (*colour)[4], int *label);

#endif
