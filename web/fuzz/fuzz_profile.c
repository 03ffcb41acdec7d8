/* libFuzzer target: what PATCH /api/v1/me and the e-mail links take from
 * request bodies: profile links and country codes (profile.c) and a link's
 * token (pa_auth_token_hash, auth.c). The first byte picks the parser, the
 * rest is the input. Invariants: an accepted link starts with https://, is
 * at most PA_PROFILE_LINK_MAX bytes, has no userinfo, space, quote or angle
 * bracket, and its host has a dot; an accepted country is two upper-case
 * letters; an accepted token is PA_AUTH_TOKEN_TEXT - 1 characters of
 * base64url and hashes the same way twice. */
#include "auth.h"
#include "fuzz_check.h"
#include "profile.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void link_case(const char *s, size_t n) {
  if (!pa_profile_link_ok(s, n)) return;
  ASSERT(n <= PA_PROFILE_LINK_MAX && n > 8 && memcmp(s, "https://", 8) == 0);
  size_t host = strcspn(s + 8, "/?#:");
  ASSERT(host > 0 && host <= n - 8);
  ASSERT(memchr(s + 8, '.', host) != NULL);
  ASSERT(memchr(s + 8, '@', host) == NULL);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    ASSERT(c > 0x20 && c < 0x7f && c != '"' && c != '\'' && c != '<' && c != '>' && c != '\\');
  }
}

static void country_case(const char *s, size_t n) {
  if (!pa_profile_country_ok(s, n)) return;
  ASSERT(n == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z');
}

static void token_case(const char *s) {
  unsigned char h[32], again[32];
  if (pa_auth_token_hash(s, h) != 0) return;
  ASSERT(strlen(s) == PA_AUTH_TOKEN_TEXT - 1);
  ASSERT(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
         strlen(s));
  ASSERT(pa_auth_token_hash(s, again) == 0 && memcmp(h, again, sizeof h) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  if (!ready) {
    ASSERT(sodium_init() >= 0);
    ready = 1;
  }
  if (size < 1) return 0;
  char *text = malloc(size);
  if (!text) return 0;
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  switch (data[0] % 3) {
  case 0: link_case(text, size - 1); break;
  case 1: country_case(text, size - 1); break;
  default: token_case(text); break;
  }
  free(text);
  return 0;
}
