/* libFuzzer target: the video metadata scrubber (MP4 box walk, WebM/EBML
 * element walk) on a writable copy of the input. Beyond "no crash", it checks
 * the promises of pa_upload_scrub_video: the length never changes, a refused
 * file is left byte for byte as it came, and a scrubbed file scrubs again
 * cleanly with nothing left to clear. The duration read on the way is
 * within [0, PA_UPLOAD_VIDEO_MAX_MS] or unknown with a printable reason, and
 * scrubbing (which only zeroes metadata) does not change it. */
#include "pa/pa_upload.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *b = malloc(size ? size : 1);
  if (!b) return 0;
  memcpy(b, data, size);
  pa_upload_scrub rep;
  pa_error err;
  pa_status st = pa_upload_scrub_video(b, size, &rep, &err);
  if (st != PA_OK) {
    if (memcmp(b, data, size) != 0 || err.code != st || !err.msg[0]) abort();
  } else {
    char line[256];
    if (rep.container == PA_UPLOAD_VIDEO_NONE ||
        pa_upload_scrub_describe(&rep, line, sizeof line) == 0)
      abort();
    if (!rep.cleared && !rep.pointers && memcmp(b, data, size) != 0) abort();
    int64_t ms = rep.duration_ms;
    if (ms == PA_UPLOAD_DURATION_UNKNOWN
            ? !rep.duration_unknown || !rep.duration_unknown[0]
            : ms < 0 || ms > PA_UPLOAD_VIDEO_MAX_MS || rep.duration_unknown)
      abort();
    if (pa_upload_scrub_video(b, size, &rep, &err) != PA_OK || rep.cleared || rep.pointers) abort();
    if (rep.duration_ms != ms) abort();
  }
  free(b);
  return 0;
}
