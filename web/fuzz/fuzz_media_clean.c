/* libFuzzer target: the metadata stripper for uploaded images
 * (pa_blob_clean_image: the JPEG segment walk, PNG chunk walk and WebP RIFF
 * walk, and the upright re-encode of turned JPEGs). Beyond "no crash", it
 * checks its promises: a stripped file is never longer than the input, still
 * sniffs as the same kind and size, and cleans again with nothing left to
 * remove; a refusal says why.
 *
 * Built by the fuzz preset (web/fuzz/CMakeLists.txt); by hand (clang, from the repo root):
 *   S=core/src; clang -g -O1 -std=c11 -D_XOPEN_SOURCE=700 \
 *     -fsanitize=fuzzer,address,undefined -Iweb/src -Icore/include -I$S -I/usr/include/stb \
 *     web/fuzz/fuzz_media_clean.c web/src/media.c web/src/stb_write_impl.c \
 *     $S/base/status.c $S/base/strbuf.c $S/media/image.c $S/media/jpeg.c $S/media/exif.c \
 *     $S/media/image_check.c $S/media/image_stb.c $S/media/resize.c $S/media/thumbhash.c \
 *     $S/media/stb_image_impl.c $S/media/upload.c $S/media/video_scrub.c -lsodium -lm -o fuzz_media_clean
 *   ./fuzz_media_clean -max_len=65536 tests/corpus/image-formats */
#include "blob.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_blob_info info, again;
  if (pa_blob_sniff(data, size, &info) != PA_BLOB_OK || pa_blob_kind_is_video(info.kind))
    return 0;
  pa_blob_info before = info;
  pa_blob_cleaning how, how2;
  unsigned char *out = NULL, *out2 = NULL;
  size_t n = 0, n2 = 0;
  char msg[256];
  int rc = pa_blob_clean_image(data, size, &info, &how, &out, &n, msg, sizeof msg);
  if (rc == PA_BLOB_EFORMAT && !msg[0]) abort();
  if (rc != PA_BLOB_OK && out) abort();
  if (rc == PA_BLOB_OK && how == PA_BLOB_KEPT && out) abort();
  if (rc == PA_BLOB_OK && how == PA_BLOB_STRIPPED) {
    if (!out || n > size || pa_blob_sniff(out, n, &again) != PA_BLOB_OK ||
        again.kind != before.kind || again.width != before.width || again.height != before.height)
      abort();
    if (pa_blob_clean_image(out, n, &again, &how2, &out2, &n2, msg, sizeof msg) != PA_BLOB_OK ||
        how2 != PA_BLOB_KEPT || out2)
      abort();
  }
  free(out);
  return 0;
}
