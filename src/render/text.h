/* Text drawn into RGBA images through FreeType: titles, iteration counters,
 * event captions and colour-key labels of the rendered frames. The font is
 * DejaVu Sans from Debian's fonts-dejavu-core unless REMAP_FONT names
 * another TrueType/OpenType file.
 *
 *     remap_font *f;
 *     if (remap_font_open(NULL, &f, &err)) ...;
 *     remap_text_draw(f, &img, 10, 30, 18, white, "lesion at 20 000");
 *     remap_font_close(f);
 */
#ifndef REMAP_TEXT_H
#define REMAP_TEXT_H

#include "core/status.h"
#include "render/image.h"

#include <stdint.h>

/* An open font. Each has its own FreeType library, so fonts used on
 * different threads are independent; one font must not be used by two
 * threads at once. */
typedef struct remap_font remap_font;

/* The default font file: $REMAP_FONT when set and not empty, else
 * DejaVu Sans at its Debian path. */
const char *remap_font_default_path(void);

/* Opens the font at path (NULL: remap_font_default_path()); *out is NULL
 * on failure. A missing or unreadable file (or a directory) fails with
 * REMAP_EIO naming the file (and, for the DejaVu path, the package
 * fonts-dejavu-core); a file FreeType cannot read as a font, or one
 * without outlines or a Unicode character map, fails with REMAP_EFORMAT. */
remap_status remap_font_open(const char *path, remap_font **out,
                             remap_error *err);

/* Closes the font (NULL is harmless). */
void remap_font_close(remap_font *f);

/* The functions below take pixel sizes px from 1 to 1000; outside that
 * range they draw nothing and give 0. Text is one line, left to right,
 * without shaping; characters the font lacks show as its missing-glyph
 * box. */

/* Width in pixels of UTF-8 text at a pixel size (the advance of all its
 * glyphs, kerning included). Invalid UTF-8 bytes count as U+FFFD. */
int remap_text_width(remap_font *f, int px, const char *utf8);

/* Ascent and descent (pixels, >= 0, rounded outwards) of the font at a
 * pixel size: a line of text needs ascent + descent pixels. */
void remap_text_metrics(remap_font *f, int px, int *ascent, int *descent);

/* Draws UTF-8 text at pixel size px with the left end of its baseline at
 * (x, y), blending colour (RGBA, its alpha scaling the glyph coverage)
 * over the image; what falls outside the image is clipped. Returns the
 * advance width, the same as remap_text_width. The same text, size,
 * position and image always give the same bytes (for a given FreeType
 * build: glyphs use its default hinting). */
int remap_text_draw(remap_font *f, remap_image *img, int x, int y, int px,
                    const uint8_t colour[4], const char *utf8);

#endif
