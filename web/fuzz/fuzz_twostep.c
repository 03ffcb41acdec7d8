/* libFuzzer: two-step sign-in's parsers of untrusted text (auth/text.c,
 * auth/device.c, auth/twostep.c's challenge reader). The first byte picks
 * the parser: 0 a typed code, 1 a recovery code, 2 base32, 3 a User-Agent,
 * 4 a client address, 5 a challenge. Each result is checked for the
 * parser's own promises (a parsed code is six digits and round-trips, base32
 * re-encodes to the same text upper-cased, names are ours). */
#include "auth/device.h"
#include "auth/totp.h"
#include "auth/twostep.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  if (!ready) {
    char err[80];
    if (sodium_init() < 0 || pa_twostep_init(err, sizeof err) != 0) abort();
    ready = 1;
  }
  if (size < 1) return 0;
  const char *s = (const char *)data + 1;
  size_t n = size - 1;
  char text[600];
  switch (data[0] % 6) {
  case 0: {
    uint32_t v;
    if (pa_totp_parse_code(s, n, &v) == 0 && v > 999999) abort();
    break;
  }
  case 1: {
    char c[PA_TOTP_RECOVERY_TEXT], again[PA_TOTP_RECOVERY_TEXT];
    if (pa_totp_parse_recovery(s, n, c) == 0 &&
        (strlen(c) != 11 || pa_totp_parse_recovery(c, 11, again) != 0 || strcmp(c, again) != 0))
      abort();
    break;
  }
  case 2: {
    uint8_t out[256];
    int k = pa_totp_base32_decode(s, n, out, sizeof out);
    if (k >= 0) {
      if (pa_totp_base32_encode(out, (size_t)k, text, sizeof text) != (int)n) abort();
      for (size_t i = 0; i < n; i++) {
        char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) : s[i];
        if (text[i] != c) abort();
      }
    }
    break;
  }
  case 3: {
    pa_device d;
    pa_device_parse(s, n, &d);
    if (strlen(d.browser) > PA_DEVICE_NAME_MAX || strlen(d.os) > PA_DEVICE_NAME_MAX) abort();
    break;
  }
  case 4:
  case 5: {
    if (n >= sizeof text) return 0;
    memcpy(text, s, n);
    text[n] = '\0';
    if (data[0] % 6 == 4) {
      char a[PA_DEVICE_ADDR_TEXT];
      pa_device_coarse_addr(text, a);
      if (strlen(a) >= sizeof a) abort();
    } else {
      int64_t user, last;
      /* Nothing we did not sign reads as a challenge. */
      if (pa_twostep_challenge_read(text, 0, &user, &last) == 0) abort();
    }
    break;
  }
  }
  return 0;
}
