/* pa_totp's parsers of typed and stored text: pure, no library (fuzzed). */
#include "auth/totp.h"

#include <string.h>

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int pa_totp_base32_encode(const uint8_t *in, size_t n, char *out, size_t cap) {
  size_t need = (n * 8 + 4) / 5;
  if (need + 1 > cap) return -1;
  size_t k = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    acc = (acc << 8) | in[i];
    bits += 8;
    while (bits >= 5) {
      out[k++] = b32[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out[k++] = b32[(acc << (5 - bits)) & 31];
  out[k] = '\0';
  return (int)k;
}

static int b32_value(char c) {
  if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

int pa_totp_base32_decode(const char *text, size_t len, uint8_t *out, size_t cap) {
  size_t k = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    int v = b32_value(text[i]);
    if (v < 0) return -1;
    acc = ((acc << 5) | (uint32_t)v) & 0xffffu;
    bits += 5;
    if (bits >= 8) {
      if (k >= cap) return -1;
      out[k++] = (uint8_t)(acc >> (bits - 8));
      bits -= 8;
    }
  }
  /* Leftover bits must be the zero padding an encoder writes. */
  if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) return -1;
  return (int)k;
}

int pa_totp_parse_code(const char *s, size_t len, uint32_t *code) {
  uint32_t v = 0;
  int digits = 0, sep = 0;
  if (len > PA_TOTP_CODE_INPUT_MAX) return -1;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      if (++digits > PA_TOTP_DIGITS) return -1;
      v = v * 10 + (uint32_t)(c - '0');
      sep = 0;
    } else if ((c == ' ' || c == '-') && digits > 0 && !sep) {
      sep = 1; /* one separator between digits, never leading or doubled */
    } else {
      return -1;
    }
  }
  if (digits != PA_TOTP_DIGITS || sep) return -1;
  *code = v;
  return 0;
}

int pa_totp_parse_recovery(const char *s, size_t len, char out[PA_TOTP_RECOVERY_TEXT]) {
  char got[PA_TOTP_RECOVERY_CHARS];
  int n = 0;
  if (len > PA_TOTP_RECOVERY_INPUT_MAX) return -1;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == ' ' || c == '-') continue;
    if (c == '0') c = 'O';
    if (c == '1') c = 'I';
    if (c == '8') c = 'B';
    int v = b32_value(c);
    if (v < 0 || n >= PA_TOTP_RECOVERY_CHARS) return -1;
    got[n++] = b32[v];
  }
  if (n != PA_TOTP_RECOVERY_CHARS) return -1;
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (i == n / 2) out[k++] = '-';
    out[k++] = got[i];
  }
  out[k] = '\0';
  return 0;
}
