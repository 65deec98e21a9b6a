/* RGBA images: allocation, rectangles and blending. */
#include "render/image.h"

#include <stdlib.h>

remap_status remap_image_create(int width, int height, const uint8_t colour[4],
                                remap_image *img, remap_error *err)
{
    img->rgba = NULL;
    img->width = img->height = 0;
    if (width < 1 || height < 1 || width > REMAP_IMAGE_MAX_SIDE ||
        height > REMAP_IMAGE_MAX_SIDE)
        return remap_fail(err, REMAP_EINVAL,
                          "image size %dx%d is outside 1x1 to %dx%d", width,
                          height, REMAP_IMAGE_MAX_SIDE, REMAP_IMAGE_MAX_SIDE);
    img->rgba = malloc((size_t)width * (size_t)height * 4u);
    if (!img->rgba)
        return remap_fail(err, REMAP_ENOMEM,
                          "out of memory for a %dx%d image", width, height);
    img->width = width;
    img->height = height;
    remap_image_fill(img, 0, 0, width, height, colour);
    return REMAP_OK;
}

void remap_image_free(remap_image *img)
{
    free(img->rgba);
    img->rgba = NULL;
    img->width = img->height = 0;
}

void remap_image_fill(remap_image *img, int x, int y, int w, int h,
                      const uint8_t colour[4])
{
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + w > img->width ? img->width : x + w;
    int y1 = y + h > img->height ? img->height : y + h;
    for (int j = y0; j < y1; j++)
        for (int i = x0; i < x1; i++) {
            uint8_t *p = remap_image_at(img, i, j);
            p[0] = colour[0], p[1] = colour[1], p[2] = colour[2];
            p[3] = colour[3];
        }
}

void remap_image_blend(remap_image *img, int x, int y, const uint8_t colour[4],
                       unsigned coverage)
{
    if (x < 0 || y < 0 || x >= img->width || y >= img->height)
        return;
    unsigned a = (coverage > 255u ? 255u : coverage) * colour[3]; /* 0..65025 */
    uint8_t *p = remap_image_at(img, x, y);
    for (int c = 0; c < 3; c++)
        p[c] = (uint8_t)((p[c] * (65025u - a) + colour[c] * a + 32512u) /
                         65025u);
    p[3] = (uint8_t)(p[3] + ((255u - p[3]) * a + 32512u) / 65025u);
}
