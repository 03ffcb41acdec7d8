/* pa_image_check — bounds-checked walks over GIF and BMP files, run before
 * stb_image sees the bytes (as pa_jpeg_check is for JPEG). Internal. */
#ifndef PA_IMAGE_CHECK_H
#define PA_IMAGE_CHECK_H

#include "pa/pa_status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pa_gif_scan {
  int width, height; /* logical screen: the size of every decoded frame */
  int frames;        /* image descriptors */
  unsigned metadata; /* PA_IMAGE_META_COMMENT, PA_IMAGE_META_XMP */
} pa_gif_scan;

/* Walks every block of a GIF: header, colour tables, extensions, image
 * descriptors (each inside the screen, with a colour table and an LZW code
 * size of 2-8) and their data sub-blocks, up to the trailer. Refuses more than
 * max_frames frames (PA_ERR_TOO_LARGE), a file cut inside a block
 * (PA_ERR_TRUNCATED; that includes a missing trailer byte, without which a
 * file cut between two frames would look whole) and anything malformed
 * (PA_ERR_SYNTAX). */
pa_status pa_image_gif_scan(const uint8_t *b, size_t len, int max_frames, pa_gif_scan *out,
                            pa_error *err);

/* Walks a PNG's chunks for what stb mishandles (both found by fuzz_image): a
 * chunk longer than the rest of the file (stb allocates a claimed IDAT length
 * before reading it: PA_ERR_TRUNCATED), and an empty IDAT before any data (stb
 * then offsets a NULL buffer: undefined behaviour). Sets *trns when a tRNS
 * chunk (transparency, which stb's header probe does not report) is present. */
pa_status pa_image_png_scan(const uint8_t *b, size_t len, int *trns, pa_error *err);

typedef struct pa_bmp_scan {
  int width, height; /* height positive; the file may store rows top-down */
  int channels;      /* 3 or 4, as stb will report */
} pa_bmp_scan;

/* Reads a BMP header the way stb does and checks what stb does not: header
 * size, planes, bits per pixel, compression (none or bit fields), dimensions,
 * that the pixel data lies inside the file (stb reads zeros past the end),
 * and that 1/4/8-bit pixels only use palette entries the file has (stb would
 * read uninitialised stack memory for the others). */
pa_status pa_image_bmp_scan(const uint8_t *b, size_t len, pa_bmp_scan *out, pa_error *err);

#endif
