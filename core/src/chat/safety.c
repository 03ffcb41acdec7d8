/* Safety numbers as libsignal computes its numeric fingerprints (version 0):
 * each side hashes its identity 5,200 times so a collision search costs as
 * much, and both halves are shown smaller-first so both phones agree. */
#include "pa/pa_crypto.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

pa_status pa_safety_fingerprint(const uint8_t *key, size_t key_len, const uint8_t *stable_id,
                                size_t id_len, char out[31], pa_error *err) {
  if (!key || !key_len || key_len > 64 || (!stable_id && id_len) || id_len > PA_SAFETY_MAX_ID)
    return pa_error_set(err, PA_ERR_ARG, "safety: key of 1..64 bytes and id of at most %d bytes",
                        PA_SAFETY_MAX_ID);
  static const uint8_t version[2] = {0, 0};
  uint8_t hash[crypto_hash_sha512_BYTES];
  crypto_hash_sha512_state st;
  /* Round one hashes version || key || id || key; later ones hash || key. */
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, version, sizeof version);
  crypto_hash_sha512_update(&st, key, key_len);
  if (id_len) crypto_hash_sha512_update(&st, stable_id, id_len);
  crypto_hash_sha512_update(&st, key, key_len);
  crypto_hash_sha512_final(&st, hash);
  for (int i = 1; i < PA_SAFETY_ITERATIONS; i++) {
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, hash, sizeof hash);
    crypto_hash_sha512_update(&st, key, key_len);
    crypto_hash_sha512_final(&st, hash);
  }
  for (int chunk = 0; chunk < 6; chunk++) {
    const uint8_t *b = hash + chunk * 5;
    uint64_t v = (uint64_t)b[0] << 32 | (uint64_t)b[1] << 24 | (uint64_t)b[2] << 16 |
                 (uint64_t)b[3] << 8 | b[4];
    unsigned digits = (unsigned)(v % 100000u);
    for (int k = 4; k >= 0; k--) {
      out[chunk * 5 + k] = (char)('0' + digits % 10);
      digits /= 10;
    }
  }
  out[30] = '\0';
  return PA_OK;
}

pa_status pa_safety_number(const uint8_t *local_key, size_t local_key_len, const uint8_t *local_id,
                           size_t local_id_len, const uint8_t *remote_key, size_t remote_key_len,
                           const uint8_t *remote_id, size_t remote_id_len, char out[61],
                           pa_error *err) {
  char local[31], remote[31];
  pa_status st =
      pa_safety_fingerprint(local_key, local_key_len, local_id, local_id_len, local, err);
  if (st == PA_OK)
    st = pa_safety_fingerprint(remote_key, remote_key_len, remote_id, remote_id_len, remote, err);
  if (st != PA_OK) return st;
  bool local_first = strcmp(local, remote) <= 0;
  memcpy(out, local_first ? local : remote, 30);
  memcpy(out + 30, local_first ? remote : local, 30);
  out[60] = '\0';
  return PA_OK;
}

void pa_safety_format(const char digits[61], char out[72]) {
  size_t o = 0;
  for (int i = 0; i < PA_SAFETY_DIGITS; i++) {
    if (i && i % 5 == 0) out[o++] = ' ';
    out[o++] = digits[i];
  }
  out[o] = '\0';
}
