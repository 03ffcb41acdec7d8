/* pa_totp — HOTP/TOTP over OpenSSL's HMAC-SHA1 (the parsers: text.c). */
#include "auth/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <string.h>

int pa_totp_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                      uint8_t out[20]) {
  unsigned int n = 0;
  if (key_len > (size_t)INT32_MAX) return -1;
  if (!HMAC(EVP_sha1(), key, (int)key_len, msg, msg_len, out, &n) || n != 20) return -1;
  return 0;
}

int pa_totp_hotp(const uint8_t *key, size_t key_len, uint64_t counter, int digits, uint32_t *code) {
  static const uint32_t mod[] = {1000000u, 10000000u, 100000000u};
  uint8_t msg[8], mac[20];
  if (digits < 6 || digits > 8) return -1;
  for (int i = 7; i >= 0; i--, counter >>= 8) msg[i] = (uint8_t)(counter & 0xff);
  if (pa_totp_hmac_sha1(key, key_len, msg, sizeof msg, mac) != 0) return -1;
  /* RFC 4226 §5.3: dynamic truncation. */
  int off = mac[19] & 0x0f;
  uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                 ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
  *code = bin % mod[digits - 6];
  sodium_memzero(mac, sizeof mac);
  return 0;
}

int64_t pa_totp_step(int64_t t) {
  return t >= 0 ? t / PA_TOTP_STEP_SECONDS
                : -((-t + PA_TOTP_STEP_SECONDS - 1) / PA_TOTP_STEP_SECONDS);
}

int pa_totp_check(const uint8_t *key, size_t key_len, int64_t now, uint32_t code, int64_t last_step,
                  int64_t *step) {
  const int64_t mid = pa_totp_step(now);
  int found = 0;
  int64_t at = 0;
  /* Every step in the window is computed, whatever matches, so the time
   * taken says nothing about which one did. */
  for (int64_t s = mid - PA_TOTP_WINDOW; s <= mid + PA_TOTP_WINDOW; s++) {
    uint32_t want;
    if (s < 0) continue;
    if (pa_totp_hotp(key, key_len, (uint64_t)s, PA_TOTP_DIGITS, &want) != 0) return -1;
    unsigned char a[4] = {(unsigned char)(want >> 24), (unsigned char)(want >> 16),
                          (unsigned char)(want >> 8), (unsigned char)want};
    unsigned char b[4] = {(unsigned char)(code >> 24), (unsigned char)(code >> 16),
                          (unsigned char)(code >> 8), (unsigned char)code};
    int same = sodium_memcmp(a, b, 4) == 0;
    if (same && s > last_step && !found) {
      found = 1;
      at = s;
    }
  }
  if (found) *step = at;
  return found;
}

void pa_totp_new_recovery(char out[PA_TOTP_RECOVERY_TEXT]) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  int k = 0;
  for (int i = 0; i < PA_TOTP_RECOVERY_CHARS; i++) {
    if (i == PA_TOTP_RECOVERY_CHARS / 2) out[k++] = '-';
    out[k++] = alphabet[randombytes_uniform(32)];
  }
  out[k] = '\0';
}
