/* pa_jpeg — a bounds-checked walk over a JPEG's marker segments, run before
 * stb_image sees the bytes, to refuse structures stb mishandles. Internal. */
#ifndef PA_JPEG_H
#define PA_JPEG_H

#include "pa/pa_status.h"

#include <stddef.h>
#include <stdint.h>

/* Checks every DHT (Huffman table) segment, including those between the
 * scans of a progressive JPEG: at most 256 symbols per table, and every
 * table inside its segment. Debian's stb_image (2022-09) trusts the symbol
 * count and overruns its tables otherwise. */
pa_status pa_jpeg_check(const uint8_t *b, size_t len, pa_error *err);

#endif
