/* The renderer: one frame of the model as an RGBA image, with a title
 * line (name, iteration, phase, event captions) over a grid of panels.
 * The cortical panels (map, activity, threshold) are laid out from each
 * unit's colour, which the backend's render kernel gives from its own
 * state; the skin, the receptive-field inset, the plot, the colour keys
 * and the text are drawn here over the pulled host state.
 * The orientation and ocular-dominance panels of a visual model come from
 * remap_vision_measure, measured at most once per iteration drawn.
 * The PNG writer and the viewer both take its images (docs/render.md).
 *
 *     remap_renderer *r;
 *     remap_renderer_create(&opt, m, &r, &err);
 *     remap_model_pull(m, &err);
 *     remap_renderer_draw(r, m, &info, &img, &err);
 *     remap_renderer_destroy(r);
 */
#ifndef REMAP_RENDER_H
#define REMAP_RENDER_H

#include "model/model.h"
#include "render/image.h"

typedef enum remap_frame_panel {
    REMAP_FRAME_MAP,       /* field centres: region hue, brighter distally */
    REMAP_FRAME_ACTIVITY,  /* settled activity y */
    REMAP_FRAME_THRESHOLD, /* adaptive threshold theta */
    REMAP_FRAME_FIELDS,    /* receptive fields of a grid of units */
    REMAP_FRAME_SKIN,      /* the skin, its regions and the current touch */
    REMAP_FRAME_PLOT,      /* cortical area per region over time */
    /* Visual layouts only: */
    REMAP_FRAME_ORIENTATION, /* preferred orientation, by selectivity */
    REMAP_FRAME_OCULAR,      /* ocular dominance (binocular layout) */
    REMAP_FRAME_PANEL_COUNT
} remap_frame_panel;

/* Every panel at once. */
#define REMAP_FRAME_MAX_PANELS REMAP_FRAME_PANEL_COUNT
/* The orientation panel's fixed brightness limit: a unit of this
 * selectivity or more is drawn at full brightness, in every frame. */
#define REMAP_FRAME_SELECTIVITY_HI 0.12f
#define REMAP_FRAME_MIN_WIDTH 320
#define REMAP_FRAME_MIN_HEIGHT 240
#define REMAP_FRAME_MAX_SIDE 8192

/* Panel names as written on the command line and in scenarios:
 * "map", "activity", "threshold", "fields", "skin", "plot",
 * "orientation", "ocular". */
const char *remap_frame_panel_name(remap_frame_panel p);

/* Parses a comma-separated panel list ("map,activity,skin") into panels
 * (at most REMAP_FRAME_MAX_PANELS, no repeats). Unknown names are
 * REMAP_EUSAGE errors naming the panel, the nearest name and the choices. */
remap_status remap_frame_panels_parse(const char *list, int *panels,
                                      int *count, remap_error *err);

/* Checks that a model of the given layout (enum remap_layout) can show
 * the panels: "orientation" needs a visual layout (retina or binocular),
 * "ocular" the binocular one. REMAP_EUSAGE naming the panel and the
 * layout otherwise. */
remap_status remap_frame_panels_check(const int *panels, int count,
                                      int layout, remap_error *err);

typedef struct remap_render_options {
    int width, height; /* even, within the MIN and MAX above */
    int panels[REMAP_FRAME_MAX_PANELS];
    int panel_count;
    const char *title; /* the scenario's name */
    uint64_t last;     /* the run's last iteration: the plot's time axis */
    /* The visual maps (orientation, ocular, the plot's selectivity) are
     * measured again once they are this many iterations old; 0: at every
     * new iteration (frames then depend on their iteration alone). A live
     * view uses REMAP_VIEW_VISION_EVERY, as measuring costs tens to
     * hundreds of milliseconds. */
    uint64_t vision_every;
} remap_render_options;

/* How old the live viewer lets its visual maps grow, iterations. */
#define REMAP_VIEW_VISION_EVERY 500

/* v with its thousands apart, as captions write iterations: "12 345 678". */
void remap_frame_number(uint64_t v, char *out, size_t size);

/* Checks a frame size: both sides even (video encoders need it) and
 * within the limits; REMAP_EUSAGE naming the problem otherwise. */
remap_status remap_frame_size_check(int width, int height, remap_error *err);

typedef struct remap_frame_info {
    const char *phase;    /* "development", "sleep", "rehabilitation" ... */
    const char *captions; /* "lesion at 4 000" ..., or "" */
} remap_frame_info;

typedef struct remap_renderer remap_renderer;

/* Opens the font and prepares the colour maps and layout for frames of
 * m's geometry; panels m's layout cannot show are refused as by
 * remap_frame_panels_check. */
remap_status remap_renderer_create(const remap_render_options *opt,
                                   const remap_model *m, remap_renderer **out,
                                   remap_error *err);

void remap_renderer_destroy(remap_renderer *r);

/* Where panel i (in the order given) draws its content in the frame:
 * the rectangle [x, x+w) x [y, y+h), for tests and for the viewer's
 * mouse (which unit was clicked). */
void remap_renderer_panel_area(const remap_renderer *r, int i, int *x, int *y,
                               int *w, int *h);

/* A frame taken on the simulation's thread to be drawn on another: the
 * cortical panels' unit colours, which the backend gives from its own
 * state, and a copy of the host state (remap_model_snapshot) for the
 * other panels. Drawing
 * then needs nothing of the live model, so a writer thread can draw and
 * encode while the simulation goes on. */
typedef struct remap_frame_capture remap_frame_capture;

/* A capture for r's frames of m (reused frame after frame; it holds a
 * copy of m's host state, remap_model_snapshot_bytes). */
remap_status remap_frame_capture_create(const remap_renderer *r,
                                        const remap_model *m,
                                        remap_frame_capture **out,
                                        remap_error *err);
void remap_frame_capture_destroy(remap_frame_capture *c);

/* Takes the frame of m's current state into c: the pulled host state
 * (copied, where c holds a copy) and info; the cortical panels' units are
 * coloured through the backend when c holds no copy, else by compose. */
remap_status remap_renderer_capture(remap_renderer *r, remap_model *m,
                                    const remap_frame_info *info,
                                    remap_frame_capture *c, remap_error *err);

/* Draws the frame c holds into img (allocated on the first call, reused
 * after). The plot and the visual panels measure c's state as
 * remap_renderer_draw says; only one thread at a time may compose or
 * draw with r. */
remap_status remap_renderer_compose(remap_renderer *r,
                                    remap_frame_capture *c,
                                    remap_image *img, remap_error *err);

/* Draws the frame of m's current state into img (allocated on the first
 * call, reused after): a capture without a copy, composed at once. The
 * host state must be pulled; the plot panel measures the map and keeps
 * the values for later frames; the orientation
 * and ocular panels measure the visual maps once per iteration (frames of
 * the same iteration reuse them: state changes between frames come from
 * steps). */
remap_status remap_renderer_draw(remap_renderer *r, remap_model *m,
                                 const remap_frame_info *info,
                                 remap_image *img, remap_error *err);

#endif
