/* libFuzzer target: the live.* frames a client sends over the chat socket
 * (web/src/live_frame.c) on untrusted bytes. Invariants: an accepted frame is
 * one of the four kinds with a live id; an accepted comment's text is trimmed,
 * valid UTF-8 without control characters, 1..PA_LIVE_FRAME_TEXT_MAX characters,
 * and its nonce empty or 1..PA_LIVE_NONCE_MAX characters; a refused frame
 * always says why with a known code; the answer does not change when the same
 * bytes are read again. */
#include "fuzz_check.h"
#include "live_frame.h"
#include "str.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static pa_live_in in, again;
  const char *code = NULL, *why = NULL, *code2 = NULL, *why2 = NULL;
  int rc = pa_live_frame_parse((const char *)data, size, &in, &code, &why);
  TERMINATED(in.text);
  TERMINATED(in.nonce);
  if (rc == 0) {
    ASSERT(in.kind >= PA_LIVE_IN_JOIN && in.kind <= PA_LIVE_IN_HEART);
    ASSERT(in.live > 0);
    if (in.kind == PA_LIVE_IN_COMMENT) {
      size_t n = strlen(in.text);
      ASSERT(n > 0 && !space(in.text[0]) && !space(in.text[n - 1]));
      long chars = pa_str_utf8_len(in.text, n, 0);
      ASSERT(chars >= 1 && chars <= PA_LIVE_FRAME_TEXT_MAX);
      size_t m = strlen(in.nonce);
      ASSERT(m == 0 || (pa_str_utf8_len(in.nonce, m, 0) >= 1 &&
                        pa_str_utf8_len(in.nonce, m, 0) <= PA_LIVE_NONCE_MAX));
    } else {
      ASSERT(in.text[0] == '\0' && in.nonce[0] == '\0');
    }
  } else {
    ASSERT(rc == -1 && in.kind == 0 && why && why[0]);
    ASSERT(code && (strcmp(code, "bad_request") == 0 || strcmp(code, "too_long") == 0));
  }
  int rc2 = pa_live_frame_parse((const char *)data, size, &again, &code2, &why2);
  ASSERT(rc2 == rc && again.kind == in.kind && again.live == in.live);
  ASSERT(strcmp(again.text, in.text) == 0 && strcmp(again.nonce, in.nonce) == 0);
  return 0;
}
