/* Natural training images for the visual layouts (stimulus.images): a
 * directory of PNG files read into a remap_image_set. Host memory only. */
#ifndef REMAP_IMAGES_H
#define REMAP_IMAGES_H

#include "core/status.h"
#include "model/model.h"

/* Reads every file of directory dir whose name ends in ".png" (any case),
 * in the order of their names, as luminance in [0, 1]: greyscale as it is,
 * RGB as 0.2126 R + 0.7152 G + 0.0722 B of the stored values (no gamma
 * decoding), alpha ignored, palettes expanded, 8 or 16 bits (and 1, 2, 4
 * bit greyscale) scaled by the largest value of the depth.
 *
 * On success *out holds a new set (free with remap_image_set_destroy, or
 * give it to remap_model_set_images). On failure *out is NULL and err
 * says: REMAP_EIO "DIR: cannot open: <strerror>"; REMAP_EFORMAT "DIR: has
 * no PNG files" or "DIR/NAME: not a PNG image" / "DIR/NAME: <libpng's
 * message>" for a file that does not decode; REMAP_ENOMEM; REMAP_EINVAL
 * for NULL arguments. */
remap_status remap_images_load(const char *dir, remap_image_set **out,
                               remap_error *err);

#endif
