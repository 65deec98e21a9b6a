/* Where the frame image lies in the window: letterboxed into the area
 * above the status bar with its aspect kept, in framebuffer pixels (which
 * differ from the window's screen coordinates on HiDPI displays), and the
 * mappings between cursor positions, image pixels and sheet units that
 * clicks and scripts use. Pure arithmetic: no window is needed. */
#ifndef REMAP_VIEWPORT_H
#define REMAP_VIEWPORT_H

#include <stdbool.h>

typedef struct remap_viewport {
    int fb_w, fb_h;   /* framebuffer, pixels */
    int win_w, win_h; /* window, screen coordinates */
    int img_w, img_h; /* the frame image, pixels */
    int bar_h;        /* status bar along the bottom, framebuffer pixels */
    /* The image's rectangle, framebuffer pixels from the top left. */
    int x, y, w, h;
    /* True when w and h are the image's sides times one whole number:
     * every image pixel then covers whole framebuffer pixels, and nearest
     * filtering shows it exactly. */
    bool exact;
} remap_viewport;

/* Fits an img_w x img_h image into a framebuffer of fb_w x fb_h pixels,
 * showing a window of win_w x win_h screen coordinates, above a bar of
 * bar_h pixels: the largest rectangle of the image's aspect that fits,
 * centred. A framebuffer too small for anything gives a 1x1 rectangle. */
void remap_viewport_fit(remap_viewport *v, int img_w, int img_h, int fb_w,
                        int fb_h, int win_w, int win_h, int bar_h);

/* A cursor position (screen coordinates, as GLFW reports it) as an image
 * position in pixels (fractional: pixel i spans [i, i+1)). False when it
 * falls outside the image. */
bool remap_viewport_to_image(const remap_viewport *v, double wx, double wy,
                             double *ix, double *iy);

/* The cursor position that shows image position (ix, iy). */
void remap_viewport_from_image(const remap_viewport *v, double ix, double iy,
                               double *wx, double *wy);

/* A panel's content rectangle in the image, pixels (as
 * remap_renderer_panel_area gives it). */
typedef struct remap_panel_rect {
    int x, y, w, h;
} remap_panel_rect;

/* Image position -> sheet position (x right, y up, [0, 1) inside the
 * panel); false when outside the panel. */
bool remap_panel_to_sheet(const remap_panel_rect *r, double ix, double iy,
                          float *sx, float *sy);

/* Sheet position (in [0, 1]) -> image position inside the panel. */
void remap_panel_from_sheet(const remap_panel_rect *r, float sx, float sy,
                            double *ix, double *iy);

#endif
