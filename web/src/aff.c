/* pa_aff: the affiliate program's rules that need no database (see aff.h). */
#include "aff.h"

#include "auth/twostep.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Written once by pa_aff_init before any worker starts; read after. */
static uint8_t cookie_key[crypto_auth_hmacsha256_KEYBYTES];
static uint8_t source_key[crypto_generichash_KEYBYTES];
static int64_t window_days = PA_AFF_WINDOW_DAYS;
static int ready;

enum { COOKIE_MAC_TEXT = 43, AT_DIGITS_MAX = 12 };

int pa_aff_init(char *err, size_t errlen) {
  const char *v = getenv("PA_AFF_WINDOW_DAYS");
  window_days = PA_AFF_WINDOW_DAYS;
  if (v && *v) {
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (*end || v[0] < '1' || v[0] > '9' || n < 1 || n > PA_AFF_WINDOW_DAYS_MAX) {
      snprintf(err, errlen, "PA_AFF_WINDOW_DAYS must be a whole number of days, 1..%d",
               PA_AFF_WINDOW_DAYS_MAX);
      return -1;
    }
    window_days = n;
  }
  pa_twostep_subkey(cookie_key, sizeof cookie_key, 1, "pa_aff__");
  pa_twostep_subkey(source_key, sizeof source_key, 2, "pa_aff__");
  ready = 1;
  return 0;
}

static void ensure(void) {
  char err[96];
  if (!ready && pa_aff_init(err, sizeof err) != 0) {
    /* A malformed variable outside the server (tools, fuzzers): the default. */
    window_days = PA_AFF_WINDOW_DAYS;
    pa_twostep_subkey(cookie_key, sizeof cookie_key, 1, "pa_aff__");
    pa_twostep_subkey(source_key, sizeof source_key, 2, "pa_aff__");
    ready = 1;
  }
}

int64_t pa_aff_window_seconds(void) {
  ensure();
  return window_days * 86400;
}

static int code_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

int pa_aff_code_ok(const char *s) {
  size_t n = 0;
  if (!s) return 0;
  for (; s[n]; n++)
    if (n >= PA_AFF_CODE_MAX || !code_char(s[n])) return 0;
  return n >= PA_AFF_CODE_MIN;
}

void pa_aff_code_new(char out[PA_AFF_CODE_LEN + 1]) {
  static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
  for (int i = 0; i < PA_AFF_CODE_LEN; i++)
    out[i] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
  out[PA_AFF_CODE_LEN] = '\0';
}

/* The MAC of code and at: HMAC-SHA256 over "pa_aff1|code|at". */
static void cookie_mac(const char *code, const char *at_text, uint8_t mac[32]) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, cookie_key, sizeof cookie_key);
  crypto_auth_hmacsha256_update(&st, (const uint8_t *)"pa_aff1|", 8);
  crypto_auth_hmacsha256_update(&st, (const uint8_t *)code, strlen(code));
  crypto_auth_hmacsha256_update(&st, (const uint8_t *)"|", 1);
  crypto_auth_hmacsha256_update(&st, (const uint8_t *)at_text, strlen(at_text));
  crypto_auth_hmacsha256_final(&st, mac);
}

void pa_aff_cookie_make(const char *code, int64_t at, char out[PA_AFF_COOKIE_TEXT]) {
  char at_text[24], mac_text[COOKIE_MAC_TEXT + 1];
  uint8_t mac[32];
  ensure();
  snprintf(at_text, sizeof at_text, "%lld", (long long)at);
  cookie_mac(code, at_text, mac);
  sodium_bin2base64(mac_text, sizeof mac_text, mac, sizeof mac,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  snprintf(out, PA_AFF_COOKIE_TEXT, "%s.%s.%s", code, at_text, mac_text);
}

int pa_aff_cookie_read(const char *text, char code[PA_AFF_CODE_MAX + 1], int64_t *at) {
  char at_text[AT_DIGITS_MAX + 1];
  uint8_t mac[32], want[32];
  size_t n = 0;
  ensure();
  if (!text) return -1;
  const char *dot1 = strchr(text, '.');
  const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
  if (!dot2) return -1;
  size_t code_len = (size_t)(dot1 - text), at_len = (size_t)(dot2 - dot1 - 1);
  const char *mac_text = dot2 + 1;
  if (code_len < PA_AFF_CODE_MIN || code_len > PA_AFF_CODE_MAX || at_len == 0 ||
      at_len > AT_DIGITS_MAX || strlen(mac_text) != COOKIE_MAC_TEXT)
    return -1;
  memcpy(code, text, code_len);
  code[code_len] = '\0';
  memcpy(at_text, dot1 + 1, at_len);
  at_text[at_len] = '\0';
  if (!pa_aff_code_ok(code) || at_text[0] < '1' || at_text[0] > '9' ||
      strspn(at_text, "0123456789") != at_len)
    return -1;
  if (sodium_base642bin(mac, sizeof mac, mac_text, COOKIE_MAC_TEXT, NULL, &n, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      n != sizeof mac)
    return -1;
  cookie_mac(code, at_text, want);
  if (sodium_memcmp(mac, want, sizeof mac) != 0) return -1;
  *at = strtoll(at_text, NULL, 10);
  return 0;
}

void pa_aff_source(const char *addr, char out[PA_AFF_SOURCE_HEX + 1]) {
  uint8_t prefix[17] = {0}, h[PA_AFF_SOURCE_HEX / 2];
  size_t n;
  ensure();
  if (!addr) addr = "";
  if (inet_pton(AF_INET, addr, prefix + 1) == 1) {
    prefix[0] = 4;
    prefix[4] = 0; /* the /24 */
    n = 5;
  } else if (inet_pton(AF_INET6, addr, prefix + 1) == 1) {
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(prefix + 1, mapped, sizeof mapped) == 0) {
      memmove(prefix + 1, prefix + 13, 4);
      prefix[0] = 4;
      prefix[4] = 0;
      n = 5;
    } else {
      prefix[0] = 6;
      n = 1 + 6; /* the /48 */
    }
  } else {
    crypto_generichash(h, sizeof h, (const uint8_t *)addr, strlen(addr), source_key,
                       sizeof source_key);
    sodium_bin2hex(out, PA_AFF_SOURCE_HEX + 1, h, sizeof h);
    return;
  }
  crypto_generichash(h, sizeof h, prefix, n, source_key, sizeof source_key);
  sodium_bin2hex(out, PA_AFF_SOURCE_HEX + 1, h, sizeof h);
}

int pa_aff_to_ok(const char *to) {
  static const char url_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789-._~!$&'()*+,;=:@/?%#";
  if (!to || to[0] != '/' || to[1] == '/' || to[1] == '\\') return 0;
  size_t n = strlen(to);
  return n <= PA_AFF_TO_MAX && strspn(to, url_chars) == n;
}

void pa_aff_email_norm(const char *email, char *out, size_t cap) {
  size_t o = 0;
  int local = 1, tag = 0;
  if (!cap) return;
  for (const char *p = email ? email : ""; *p && o + 1 < cap; p++) {
    char c = *p;
    if (c == '@')
      local = tag = 0;
    else if (local && c == '+')
      tag = 1;
    if (tag) continue;
    out[o++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
  }
  out[o] = '\0';
}

/* Case-insensitive: whether s holds word. */
static int has_word(const char *s, const char *word) {
  size_t n = strlen(word);
  for (; s && *s; s++)
    if (strncasecmp(s, word, n) == 0) return 1;
  return 0;
}

pa_aff_visit pa_aff_visit_kind(const char *method, const char *purpose, const char *sec_purpose,
                               const char *x_purpose, const char *x_moz, const char *user_agent) {
  /* Link previewers and crawlers as they name themselves; a person's browser does not. */
  static const char *const robots[] = {
      "bot",   "crawler", "spider",         "preview", "slurp", "embedly", "facebookexternalhit",
      "curl/", "wget/",   "python-requests"};
  if (method && strcmp(method, "HEAD") == 0) return PA_AFF_ROBOT;
  for (size_t i = 0; i < sizeof robots / sizeof robots[0]; i++)
    if (has_word(user_agent, robots[i])) return PA_AFF_ROBOT;
  if (has_word(purpose, "prefetch") || has_word(sec_purpose, "prefetch") ||
      has_word(x_purpose, "prefetch") || has_word(x_purpose, "preview") ||
      has_word(x_moz, "prefetch"))
    return PA_AFF_PREFETCH;
  return PA_AFF_PERSON;
}
