/* libFuzzer: the affiliate program's parsers of untrusted text (aff.c): the
 * first-touch cookie a browser sends back, a link's code, ?to= and the
 * e-mail form of the self-referral check, a client address's source, the
 * request headers that say a visit is a robot's or a prefetch. The first
 * byte picks one: 0 a cookie, 1 a code (made into a cookie and read back),
 * 2 a ?to=, 3 an e-mail, 4 an address, 5 a User-Agent and Purpose. Each is
 * checked for its own promises: nothing we did not sign reads as a cookie, a
 * code's cookie reads back as that code and time, an accepted ?to= is a path
 * on this site, the e-mail form is no longer than the address and holds no
 * capital, a source is 32 lowercase hex digits. */
#include "aff.h"
#include "auth/twostep.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  if (!ready) {
    char err[96];
    if (sodium_init() < 0 || pa_twostep_init(err, sizeof err) != 0 ||
        pa_aff_init(err, sizeof err) != 0)
      abort();
    ready = 1;
  }
  if (size < 1) return 0;
  char text[PA_AFF_TO_MAX + 64];
  size_t n = size - 1;
  if (n >= sizeof text) return 0;
  memcpy(text, data + 1, n);
  text[n] = '\0';
  switch (data[0] % 6) {
  case 0: {
    char code[PA_AFF_CODE_MAX + 1];
    int64_t at;
    if (pa_aff_cookie_read(text, code, &at) == 0) abort();
    break;
  }
  case 1: {
    char cookie[PA_AFF_COOKIE_TEXT], code[PA_AFF_CODE_MAX + 1];
    int64_t at = 0;
    if (!pa_aff_code_ok(text)) break;
    pa_aff_cookie_make(text, 1700000000 + (int64_t)n, cookie);
    if (pa_aff_cookie_read(cookie, code, &at) != 0 || strcmp(code, text) != 0 ||
        at != 1700000000 + (int64_t)n)
      abort();
    /* One byte changed anywhere and it no longer reads. */
    size_t i = n % strlen(cookie);
    cookie[i] = cookie[i] == 'a' ? 'b' : 'a';
    if (pa_aff_cookie_read(cookie, code, &at) == 0) abort();
    break;
  }
  case 2:
    if (pa_aff_to_ok(text) &&
        (text[0] != '/' || text[1] == '/' || text[1] == '\\' || strlen(text) > PA_AFF_TO_MAX ||
         strpbrk(text, " \t\r\n\\\"<>") != NULL))
      abort();
    break;
  case 3: {
    char out[300];
    pa_aff_email_norm(text, out, sizeof out);
    if (strlen(out) > n) abort();
    for (const char *p = out; *p; p++)
      if (*p >= 'A' && *p <= 'Z') abort();
    break;
  }
  case 4: {
    char out[PA_AFF_SOURCE_HEX + 1];
    pa_aff_source(text, out);
    if (strlen(out) != PA_AFF_SOURCE_HEX || strspn(out, "0123456789abcdef") != PA_AFF_SOURCE_HEX)
      abort();
    break;
  }
  case 5: {
    /* The text split at its first newline: a User-Agent, then a Purpose. */
    char *nl = strchr(text, '\n');
    const char *purpose = NULL;
    if (nl) {
      *nl = '\0';
      purpose = nl + 1;
    }
    pa_aff_visit v = pa_aff_visit_kind("GET", purpose, NULL, NULL, NULL, text);
    if (v != PA_AFF_PERSON && v != PA_AFF_PREFETCH && v != PA_AFF_ROBOT) abort();
    if (pa_aff_visit_kind("HEAD", purpose, NULL, NULL, NULL, text) != PA_AFF_ROBOT) abort();
    break;
  }
  }
  return 0;
}
