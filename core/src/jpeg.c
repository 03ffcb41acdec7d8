#include "jpeg.h"

/* Checks the tables of one DHT segment: n bytes declared, avail present.
 * stb reads zeros past the end of input, so a cut-short segment is checked
 * the same way rather than waved through. */
static pa_status check_dht(const uint8_t *seg, size_t n, size_t avail, pa_error *err) {
  size_t at = 0;
#define BYTE(i) ((i) < avail ? seg[i] : 0)
  while (at < n) {
    if (n - at < 17) return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG Huffman table cut short");
    if ((BYTE(at) >> 4) > 1 || (BYTE(at) & 15) > 3)
      return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG Huffman table has a bad class or slot");
    size_t symbols = 0;
    for (size_t i = 1; i <= 16; i++) symbols += BYTE(at + i);
    if (symbols > 256)
      return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG Huffman table claims %zu symbols", symbols);
    at += 17;
    if (n - at < symbols)
      return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG Huffman table overruns its segment");
    at += symbols;
  }
#undef BYTE
  return PA_OK;
}

pa_status pa_jpeg_check(const uint8_t *b, size_t len, pa_error *err) {
  size_t at = 2; /* after SOI */
  while (at + 4 <= len) {
    if (b[at] != 0xff) {
      at++; /* entropy-coded data after a scan: look for the next marker */
      continue;
    }
    uint8_t m = b[at + 1];
    if (m == 0xff) {
      at++; /* fill byte */
      continue;
    }
    if (m == 0x00 || (m >= 0xd0 && m <= 0xd7) || m == 0x01) {
      at += 2; /* stuffed zero, restart marker, TEM: no length */
      continue;
    }
    if (m == 0xd9) return PA_OK; /* EOI */
    size_t seglen = (size_t)b[at + 2] << 8 | b[at + 3];
    if (seglen < 2) return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG segment length %zu", seglen);
    if (m == 0xc4) {
      pa_status st = check_dht(b + at + 4, seglen - 2, len - at - 4, err);
      if (st != PA_OK) return st;
    }
    if (at + 2 + seglen > len) return PA_OK; /* cut short: stb reports it */
    at += 2 + seglen;
  }
  return PA_OK;
}
