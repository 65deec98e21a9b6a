/* Colour maps and fixed colours of the renderer. */
#include "render/colour.h"

#include <math.h>

const uint8_t remap_colour_background[4] = {24, 24, 28, 255};
const uint8_t remap_colour_text[4] = {235, 235, 235, 255};
const uint8_t remap_colour_dim_text[4] = {150, 150, 160, 255};
const uint8_t remap_colour_lesion[4] = {0, 0, 0, 255};
const uint8_t remap_colour_border[4] = {250, 250, 250, 255};
const uint8_t remap_colour_empty[4] = {90, 90, 90, 255};
const uint8_t remap_colour_deafferented[4] = {70, 70, 70, 255};
const uint8_t remap_colour_cursor[4] = {250, 250, 250, 255};

/* Linear-light component to an 8-bit sRGB value. */
static uint8_t srgb(double c)
{
    c = c < 0 ? 0 : c > 1 ? 1 : c;
    double v = c <= 0.0031308 ? 12.92 * c : 1.055 * pow(c, 1 / 2.4) - 0.055;
    return (uint8_t)lround(v * 255.0);
}

/* OKLab (Ottosson 2020) to 8-bit sRGB, clipped to the gamut. */
static void oklab_to_srgb(double L, double a, double b, uint8_t out[4])
{
    double l = L + 0.3963377774 * a + 0.2158037573 * b;
    double m = L - 0.1055613458 * a - 0.0638541728 * b;
    double s = L - 0.0894841775 * a - 1.2914855480 * b;
    l = l * l * l, m = m * m * m, s = s * s * s;
    out[0] = srgb(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s);
    out[1] = srgb(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s);
    out[2] = srgb(-0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s);
    out[3] = 255;
}

void remap_colour_scalar_map(uint8_t lut[256][4])
{
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < 256; i++) {
        double t = i / 255.0;
        double L = 0.30 + 0.63 * t;
        /* Hue from blue (265 degrees) through teal and green to yellow
         * (100 degrees); chroma lower at the ends, where sRGB is narrow. */
        double h = (265.0 - 165.0 * t) * pi / 180.0;
        double C = 0.07 + 0.06 * sin(pi * t);
        oklab_to_srgb(L, C * cos(h), C * sin(h), lut[i]);
    }
}

void remap_colour_orientation(float preference, float strength,
                              uint8_t out[4])
{
    const double pi = 3.14159265358979323846;
    double s = strength < 0.0f ? 0.0 : strength > 1.0f ? 1.0 : (double)strength;
    /* Twice the angle: orientations are cyclic over pi. The offset puts
     * 0 (horizontal) at red. */
    double h = 2.0 * (double)preference + 30.0 * pi / 180.0;
    double L = 0.25 + 0.50 * s, C = 0.12 * s;
    oklab_to_srgb(L, C * cos(h), C * sin(h), out);
}

void remap_colour_ocular_map(uint8_t lut[256][4])
{
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < 256; i++) {
        double t = i / 127.5 - 1.0, a = fabs(t);
        double L = 0.93 - 0.43 * a, C = 0.12 * a;
        double h = (t < 0 ? 255.0 : 55.0) * pi / 180.0;
        oklab_to_srgb(L, C * cos(h), C * sin(h), lut[i]);
    }
}

void remap_colour_regions(int layout, uint8_t out[REMAP_REGION_COUNT][4])
{
    /* Okabe & Ito 2008: reddish purple, orange, sky blue, bluish green,
     * yellow, blue. */
    static const uint8_t hand[REMAP_REGION_COUNT][4] = {
        {204, 121, 167, 255}, {230, 159, 0, 255},  {86, 180, 233, 255},
        {0, 158, 115, 255},   {240, 228, 66, 255}, {0, 114, 178, 255}};
    /* Vision blue, touch orange. */
    static const uint8_t modalities[2][4] = {{0, 114, 178, 255},
                                             {230, 159, 0, 255}};
    for (int r = 0; r < REMAP_REGION_COUNT; r++)
        for (int c = 0; c < 4; c++)
            out[r][c] = layout == REMAP_LAYOUT_MODALITIES
                            ? (r < 2 ? modalities[r][c] : 0)
                            : hand[r][c];
}
