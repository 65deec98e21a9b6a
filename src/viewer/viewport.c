/* The frame's place in the window and the mappings between cursor, image
 * and sheet coordinates. */
#include "viewer/viewport.h"

#include <math.h>

void remap_viewport_fit(remap_viewport *v, int img_w, int img_h, int fb_w,
                        int fb_h, int win_w, int win_h, int bar_h)
{
    v->fb_w = fb_w, v->fb_h = fb_h;
    v->win_w = win_w > 0 ? win_w : 1, v->win_h = win_h > 0 ? win_h : 1;
    v->img_w = img_w, v->img_h = img_h;
    v->bar_h = bar_h;
    int aw = fb_w, ah = fb_h - bar_h;
    if (aw < 1 || ah < 1 || img_w < 1 || img_h < 1) {
        v->x = v->y = 0;
        v->w = v->h = 1;
        v->exact = false;
        return;
    }
    /* Compare aw / img_w with ah / img_h in integers: the narrower one
     * sets the scale, and the other side follows it rounded. */
    if ((long long)aw * img_h <= (long long)ah * img_w) {
        v->w = aw;
        v->h = (int)(((long long)aw * img_h + img_w / 2) / img_w);
    } else {
        v->h = ah;
        v->w = (int)(((long long)ah * img_w + img_h / 2) / img_h);
    }
    if (v->w < 1)
        v->w = 1;
    if (v->h < 1)
        v->h = 1;
    v->x = (aw - v->w) / 2;
    v->y = (ah - v->h) / 2;
    v->exact = v->w % img_w == 0 && v->h % img_h == 0 &&
               v->w / img_w == v->h / img_h;
}

bool remap_viewport_to_image(const remap_viewport *v, double wx, double wy,
                             double *ix, double *iy)
{
    /* Screen coordinates to framebuffer pixels: on a HiDPI display one
     * screen unit spans fb / win pixels. */
    double fx = wx * (double)v->fb_w / (double)v->win_w;
    double fy = wy * (double)v->fb_h / (double)v->win_h;
    *ix = (fx - v->x) * (double)v->img_w / (double)v->w;
    *iy = (fy - v->y) * (double)v->img_h / (double)v->h;
    return *ix >= 0 && *iy >= 0 && *ix < v->img_w && *iy < v->img_h;
}

void remap_viewport_from_image(const remap_viewport *v, double ix, double iy,
                               double *wx, double *wy)
{
    double fx = v->x + ix * (double)v->w / (double)v->img_w;
    double fy = v->y + iy * (double)v->h / (double)v->img_h;
    *wx = fx * (double)v->win_w / (double)v->fb_w;
    *wy = fy * (double)v->win_h / (double)v->fb_h;
}

bool remap_panel_to_sheet(const remap_panel_rect *r, double ix, double iy,
                          float *sx, float *sy)
{
    if (ix < r->x || iy < r->y || ix >= r->x + r->w || iy >= r->y + r->h)
        return false;
    /* The sheet's top row is drawn at the panel's top. */
    *sx = (float)((ix - r->x) / r->w);
    *sy = (float)(1.0 - (iy - r->y) / r->h);
    return true;
}

void remap_panel_from_sheet(const remap_panel_rect *r, float sx, float sy,
                            double *ix, double *iy)
{
    /* Keep inside the half-open panel: sheet x 1 (and y 0) land on the
     * last pixel. */
    double x = r->x + (double)sx * r->w, y = r->y + (1.0 - (double)sy) * r->h;
    *ix = fmin(x, r->x + r->w - 0.5);
    *iy = fmin(y, r->y + r->h - 0.5);
}
