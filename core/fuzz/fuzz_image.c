/* libFuzzer target: image probing and decoding over arbitrary bytes, with
 * tight limits so the fuzzer explores parsing rather than huge allocations. */
#include <stddef.h>
#include <stdint.h>

#include "pa/pa_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_image_limits limits = {1u << 20, 2048, 2048, 1 << 20};
  pa_image img;
  pa_image_info info;
  pa_error err;
  pa_image_probe(data, size, &info, &err);
  if (pa_image_decode(data, size, &limits, &img, &err) == PA_OK) {
    (void)pa_image_checksum(&img);
    pa_image_free(&img);
  }
  return 0;
}
