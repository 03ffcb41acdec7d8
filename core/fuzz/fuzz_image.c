/* libFuzzer target: probing and decoding arbitrary bytes as every format we
 * accept (JPEG, PNG, GIF with all its frames, BMP), EXIF orientation
 * included, and the decode worker's path (first frame, downscaled). Tight
 * limits keep the fuzzer exploring parsers rather than huge allocations. */
#include "pa/pa_image.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_image_limits limits = {1u << 20, 2048, 2048, 1 << 20, 64, 4 << 20};
  pa_image img;
  pa_image_info info;
  pa_error err;
  pa_image_probe(data, size, &info, &err);
  if (pa_image_decode(data, size, &limits, &img, &err) == PA_OK) {
    (void)pa_image_checksum(&img);
    pa_image_free(&img);
  }
  if (pa_image_decode_fit(data, size, &limits, 37, 23, &img, &err) == PA_OK) {
    (void)pa_image_checksum(&img);
    pa_image_free(&img);
  }
  return 0;
}
