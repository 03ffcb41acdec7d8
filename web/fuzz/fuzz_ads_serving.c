/* libFuzzer: serving's parsers of untrusted bytes (ads_serving.c). The first
 * byte picks one: even, the body of POST /ads/events (cJSON, then the shape
 * check; a parsed body's promises checked); odd, a token as any bytes
 * (nothing we did not sign reads as one; what reads round-trips). */
#include "ads_serving.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  if (!ready) {
    char err[80];
    if (sodium_init() < 0 || pa_adserve_init(err, sizeof err) != 0) abort();
    ready = 1;
  }
  if (size < 1) return 0;
  const char *s = (const char *)data + 1;
  size_t n = size - 1;
  if (data[0] % 2 == 0) {
    cJSON *j = cJSON_ParseWithLength(s, n);
    pa_adserve_event_body b;
    char err[120];
    const char *field = NULL;
    if (pa_adserve_event_parse(j, &b, err, sizeof err, &field) == 0) {
      size_t len = strlen(b.token);
      if (len < 1 || len > PA_ADSERVE_TOKEN_MAX) abort();
      if (b.kind != PA_ADSERVE_IMPRESSION && b.kind != PA_ADSERVE_CLICK) abort();
    } else if (strlen(err) >= sizeof err) {
      abort();
    }
    cJSON_Delete(j);
  } else {
    pa_adserve_token t;
    /* The key is drawn at start, so no input can carry its MAC. */
    if (pa_adserve_token_read(s, n, 0, &t) != -1) abort();
    /* A token we make reads back whatever the ids. */
    if (n >= 32) {
      pa_adserve_token m;
      memcpy(&m, data + 1, sizeof m < n ? sizeof m : n);
      m.serve = m.serve > 0 ? m.serve : 1;
      m.viewer = m.viewer > 0 ? m.viewer : 1;
      m.campaign = m.campaign > 0 ? m.campaign : 1;
      m.expires_at = m.expires_at == INT64_MIN ? 0 : m.expires_at;
      char text[PA_ADSERVE_TOKEN_TEXT];
      pa_adserve_token_make(&m, text);
      int rc = pa_adserve_token_read(text, strlen(text), m.expires_at - 1, &t);
      if (rc != 0 || t.serve != m.serve || t.viewer != m.viewer || t.campaign != m.campaign ||
          t.expires_at != m.expires_at)
        abort();
    }
  }
  return 0;
}
