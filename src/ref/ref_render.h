/* Cortical panels drawn on the host: the reference backend's render. */
#ifndef REMAP_REF_RENDER_H
#define REMAP_REF_RENDER_H

#include "model/model.h"

remap_status remap_ref_render(const remap_model *m,
                              const remap_render_request *rq, uint8_t *rgba,
                              remap_error *err);

#endif
