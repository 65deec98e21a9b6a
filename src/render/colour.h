/* The renderer's colours: a perceptually even, colour-blind safe colour
 * map for scalar panels, categorical region colours, and the fixed colours
 * of lesions, borders and text (docs/render.md). */
#ifndef REMAP_COLOUR_H
#define REMAP_COLOUR_H

#include "model/params.h"

#include <stdint.h>

/* 256 colours from dark blue through teal and green to pale yellow, with
 * OKLab lightness rising linearly (0.30 to 0.93), so equal steps of a
 * value look equally different; the blue-yellow axis is the one that
 * red-green colour blindness keeps. */
void remap_colour_scalar_map(uint8_t lut[256][4]);

/* Region colours of a layout, from the Okabe-Ito palette (distinguishable
 * under the common colour-vision deficiencies). */
void remap_colour_regions(int layout, uint8_t out[REMAP_REGION_COUNT][4]);

extern const uint8_t remap_colour_background[4]; /* frame and panel ground */
extern const uint8_t remap_colour_text[4];
extern const uint8_t remap_colour_dim_text[4];
extern const uint8_t remap_colour_lesion[4];       /* dead cortex */
extern const uint8_t remap_colour_border[4];       /* region borders */
extern const uint8_t remap_colour_empty[4];        /* a field with no weight */
extern const uint8_t remap_colour_deafferented[4]; /* silenced skin */
extern const uint8_t remap_colour_cursor[4];       /* the plot's time cursor */

#endif
