/* libFuzzer target: the other parsers of untrusted media bytes. The first
 * byte picks one: the EXIF/TIFF parser and the JPEG/PNG metadata walks,
 * ThumbHash decoding (hashes arrive in posts from the server), base64 hash
 * text, and upload preparation end to end (decode, orient, resize, encode). */
#include "../src/media/exif.h"
#include "pa/pa_thumbhash.h"
#include "pa/pa_upload.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const uint8_t *b = data + 1;
  size_t n = size - 1;
  pa_error err;
  switch (data[0] % 4) {
  case 0: {
    pa_exif exif;
    unsigned meta = 0;
    pa_exif_parse(b, n, &exif, &err);
    pa_exif_scan_jpeg(b, n, &exif, &meta);
    pa_exif_scan_png(b, n, &meta);
    break;
  }
  case 1: {
    uint8_t px[PA_THUMBHASH_SIDE * PA_THUMBHASH_SIDE * 4], avg[4];
    char line[256];
    int w, h;
    pa_thumbhash_decode(b, n, px, &w, &h, &err);
    pa_thumbhash_average(b, n, avg, &err);
    pa_thumbhash_describe(b, n, line, sizeof line, &err);
    break;
  }
  case 2: {
    char *text = malloc(n + 1);
    uint8_t hash[PA_THUMBHASH_MAX];
    size_t len;
    if (!text) return 0;
    memcpy(text, b, n);
    text[n] = '\0';
    pa_thumbhash_from_base64(text, hash, &len, &err);
    free(text);
    break;
  }
  default: {
    pa_image_limits limits = {1u << 20, 1024, 1024, 1 << 18, 16, 1 << 20};
    pa_upload_options options = {64, 80};
    pa_upload up;
    if (pa_upload_prepare(b, n, &limits, &options, &up, &err) == PA_OK) pa_upload_free(&up);
    break;
  }
  }
  return 0;
}
