/* RGBA images, the currency of the renderer: panels, text and plots are
 * drawn into them, the PNG writer and the viewer take them. */
#ifndef REMAP_IMAGE_H
#define REMAP_IMAGE_H

#include "core/status.h"

#include <stdint.h>

/* 8 bits per channel, RGBA order, rows of 4*width bytes, top row first. */
typedef struct remap_image {
    uint8_t *rgba;
    int width, height;
} remap_image;

/* Allocates a width x height image filled with colour. Fails with
 * REMAP_EINVAL for a size below 1 or above REMAP_IMAGE_MAX_SIDE, and
 * REMAP_ENOMEM. */
#define REMAP_IMAGE_MAX_SIDE 16384
remap_status remap_image_create(int width, int height, const uint8_t colour[4],
                                remap_image *img, remap_error *err);

/* Frees the pixels and leaves the image empty (harmless when empty). */
void remap_image_free(remap_image *img);

/* The pixel at (x, y), which must lie in the image. */
static inline uint8_t *remap_image_at(const remap_image *img, int x, int y)
{
    return img->rgba + ((size_t)y * (size_t)img->width + (size_t)x) * 4u;
}

/* Fills the rectangle [x, x+w) x [y, y+h), clipped to the image. */
void remap_image_fill(remap_image *img, int x, int y, int w, int h,
                      const uint8_t colour[4]);

/* Blends colour over the pixel at (x, y) with coverage 0-255 times the
 * colour's alpha; outside the image nothing happens. Integer arithmetic,
 * so the result is the same everywhere. */
void remap_image_blend(remap_image *img, int x, int y, const uint8_t colour[4],
                       unsigned coverage);

#endif
