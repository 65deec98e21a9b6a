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

/* The orientation wheel: the colour of a preferred orientation (radians;
 * any value, taken modulo pi, so 0 and pi meet) at a strength in [0, 1]
 * (clamped). Hue goes once round the OKLab hue circle over [0, pi) at
 * constant chroma, so equal angles look equally different; strength runs
 * lightness linearly from 0.25 (dim grey, distinct from the lesion's
 * black) to 0.75 and chroma from 0 to 0.12 (the largest chroma that every
 * hue keeps in sRGB at that lightness). */
void remap_colour_orientation(float preference, float strength,
                              uint8_t out[4]);

/* A diverging map for ocular dominance, index 0 (-1, the left eye) to 255
 * (+1, the right eye): blue through near-white (0.93 OKLab lightness,
 * binocular) to orange, lightness falling symmetrically to 0.5 at both
 * ends; blue and orange stay apart under red-green colour blindness. */
void remap_colour_ocular_map(uint8_t lut[256][4]);

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
