/* The viewer's window: GLFW with an OpenGL 3.3 core context (loaded
 * through libepoxy), three textured layers (the frame image, the status
 * bar, the help card) drawn by the embedded shaders, input collected into
 * a queue, and read-back of what is shown. Knows nothing of the model.
 * All functions except remap_window_wake run on the thread that created
 * the window. */
#ifndef REMAP_WINDOW_H
#define REMAP_WINDOW_H

#include "core/status.h"
#include "render/image.h"
#include "viewer/viewport.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum remap_input_kind {
    REMAP_INPUT_KEY,     /* a key: a character, '\t' or 27 (escape) */
    REMAP_INPUT_PRESS,   /* left button down at (x, y), screen coordinates */
    REMAP_INPUT_RELEASE, /* left button up at (x, y) */
    REMAP_INPUT_CLOSE    /* the window was asked to close */
} remap_input_kind;

typedef struct remap_input {
    remap_input_kind kind;
    int key;
    double x, y;
} remap_input;

typedef enum remap_layer {
    REMAP_LAYER_FRAME, /* the renderer's image, letterboxed */
    REMAP_LAYER_BAR,   /* the status bar, along the bottom, 1:1 */
    REMAP_LAYER_HELP,  /* the help card, centred over the frame, 1:1 */
    REMAP_LAYER_COUNT
} remap_layer;

typedef struct remap_window remap_window;

/* Opens a window whose framebuffer is about width x height pixels (sized
 * in screen coordinates through the framebuffer's scale on HiDPI
 * displays, and kept within the monitor's work area). When no display can
 * be opened (no X11 or Wayland server: glfwInit fails) *no_display is set
 * and the status is REMAP_EIO; a display without an OpenGL 3.3 core
 * context, or shaders that do not build, fail with REMAP_EDEVICE naming
 * the problem (and the shader log). */
remap_status remap_window_create(const char *title, int width, int height,
                                 remap_window **out, bool *no_display,
                                 remap_error *err);

/* Closes the window and ends GLFW (NULL does nothing). */
void remap_window_destroy(remap_window *w);

/* Waits up to timeout seconds for input (or remap_window_wake) and
 * collects it. */
void remap_window_wait(remap_window *w, double timeout);

/* Takes up to max collected inputs, oldest first; returns how many. */
size_t remap_window_take(remap_window *w, remap_input *out, size_t max);

/* Wakes remap_window_wait from any thread. */
void remap_window_wake(void);

/* Framebuffer pixels, window screen coordinates and the content scale
 * (1 on an ordinary display, 2 on a typical HiDPI one: for text sizes). */
void remap_window_size(remap_window *w, int *fb_w, int *fb_h, int *win_w,
                       int *win_h, float *scale);

/* Asks for a window of width x height screen coordinates and waits (up
 * to a second) until the framebuffer follows. */
void remap_window_resize(remap_window *w, int width, int height);

/* Uploads img into a layer's texture (reallocated when its size
 * changes). */
remap_status remap_window_upload(remap_window *w, remap_layer layer,
                                 const remap_image *img, remap_error *err);

/* Draws the frame into v's rectangle (nearest filtering when v is exact,
 * linear otherwise), the bar along the bottom and, when help is set, the
 * help card; clears the rest. Does not swap. */
remap_status remap_window_draw(remap_window *w, const remap_viewport *v,
                               bool help, remap_error *err);

/* Reads back the drawn (not yet swapped) framebuffer rectangle
 * [x, x+width) x [y, y+height), y from the top, into a new opaque image
 * (free it with remap_image_free). */
remap_status remap_window_read(remap_window *w, int x, int y, int width,
                               int height, remap_image *out,
                               remap_error *err);

/* Shows what was drawn. */
void remap_window_swap(remap_window *w);

#endif
