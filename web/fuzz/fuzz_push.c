/* libFuzzer target: Web Push's parsers of untrusted bytes. The first byte
 * picks what the rest is:
 * - 0: a subscribe body (pa_push_sub_parse) under a policy with the
 *   stand-in configured; an accepted one has an endpoint the policy allows,
 *   a point on the curve and a NUL-terminated locale;
 * - 1: an aes128gcm body (RFC 8188 header, record) opened with a fixed key
 *   (pa_push_decrypt), which must never read past it;
 * - 2: base64url text (pa_push_b64url_decode), which must re-encode to the
 *   same bytes' encoding. */
#include "fuzz_check.h"
#include "push/crypto.h"
#include "push/sub.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* RFC 8291 appendix A's user agent key. */
static const uint8_t ua_priv[32] = {
    0xab, 0x57, 0x57, 0xa7, 0x0d, 0xd4, 0xa5, 0x3e, 0x55, 0x3a, 0x6b, 0xbf, 0x71, 0xff, 0xef, 0xea,
    0x28, 0x74, 0xec, 0x07, 0xa6, 0xb3, 0x79, 0xe3, 0xc4, 0x8f, 0x89, 0x5a, 0x02, 0xdc, 0x33, 0xde};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const uint8_t *rest = data + 1;
  size_t n = size - 1;
  if (data[0] == 0) {
    pa_push_policy p;
    pa_push_policy_default(&p);
    ASSERT(pa_push_policy_standin(&p, "http://127.0.0.1:8999") == PA_PUSH_OK);
    pa_push_sub s;
    char err[32], origin[PA_PUSH_ORIGIN_MAX + 1];
    if (pa_push_sub_parse((const char *)rest, n, &p, &s, err, sizeof err) == PA_PUSH_OK) {
      ASSERT(memchr(s.endpoint, 0, sizeof s.endpoint) && memchr(s.locale, 0, sizeof s.locale));
      ASSERT(pa_push_endpoint_ok(s.endpoint, &p, origin, sizeof origin));
      ASSERT(pa_push_point_ok(s.p256dh));
    } else {
      ASSERT(memchr(err, 0, sizeof err));
    }
  } else if (data[0] == 1) {
    static uint8_t pub[PA_PUSH_PUB_LEN];
    static int ready;
    if (!ready) {
      ASSERT(pa_push_pubkey(ua_priv, pub) == PA_PUSH_OK);
      ready = 1;
    }
    uint8_t auth[16] = {0}, out[PA_PUSH_BODY_MAX];
    size_t got = 0;
    if (pa_push_decrypt(rest, n, ua_priv, pub, auth, out, sizeof out, &got) == PA_PUSH_OK)
      ASSERT(got < n);
  } else if (data[0] == 2) {
    uint8_t out[512];
    size_t got = 0;
    if (n < 600 &&
        pa_push_b64url_decode((const char *)rest, n, out, sizeof out, &got) == PA_PUSH_OK) {
      char again[800];
      ASSERT(pa_push_b64url_encode(out, got, again, sizeof again) == PA_PUSH_OK);
      ASSERT(strlen(again) <= n);
    }
  }
  return 0;
}
