/* RGBA images: allocation, rectangles and blending. */
#include "render/image.h"

#include <stdlib.h>
#include <string.h>

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
    if (x0 >= x1 || y0 >= y1)
        return;
    /* One pixel, doubled along the first row, then the row copied down:
     * whole frames are filled every frame, so this is worth being fast. */
    uint8_t *first = remap_image_at(img, x0, y0);
    size_t row = (size_t)(x1 - x0) * 4u;
    memcpy(first, colour, 4);
    for (size_t done = 4; done < row; done *= 2)
        memcpy(first + done, first, done < row - done ? done : row - done);
    for (int j = y0 + 1; j < y1; j++)
        memcpy(remap_image_at(img, x0, j), first, row);
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
