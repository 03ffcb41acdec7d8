/* Thin, checked wrappers over libsodium, and HKDF (1.0.18 has none). */
#include "pa/pa_crypto.h"

#include <sodium.h>
#include <string.h>

const char *pa_crypto_fault_name(pa_crypto_fault fault) {
  switch (fault) {
  case PA_FAULT_NONE: return "none";
  case PA_FAULT_MALFORMED: return "malformed";
  case PA_FAULT_FORGED: return "forged";
  case PA_FAULT_REPLAY: return "replay";
  case PA_FAULT_TOO_FAR: return "too_far";
  case PA_FAULT_BAD_KEY: return "bad_key";
  case PA_FAULT_PREKEY_GONE: return "prekey_gone";
  case PA_FAULT_WRONG_SESSION: return "wrong_session";
  }
  return "unknown";
}

pa_status pa_crypto_init(pa_error *err) {
  if (sodium_init() < 0)
    return pa_error_set(err, PA_ERR_PLATFORM, "crypto: libsodium failed to start");
  return PA_OK;
}

void pa_crypto_wipe(void *p, size_t n) {
  if (p && n) sodium_memzero(p, n);
}

bool pa_crypto_equal(const void *a, const void *b, size_t n) { return sodium_memcmp(a, b, n) == 0; }

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
/* libsodium 1.0.18 fetches WASM randomness with one JS call per byte. Here
 * one call serves a whole request from a 4 KiB pool that crypto.getRandomValues
 * refills (a getRandomValues call costs ~3 us in Node 20, so per request would
 * be slower still); served bytes are zeroed in the pool. Returns -1 where
 * getRandomValues is missing, and libsodium's path is used instead. */
// clang-format off
EM_JS(int, pa_crypto_js_random, (uint8_t *buf, size_t n), {
  try {
    var pool = Module.paRandomPool;
    if (!pool) pool = Module.paRandomPool = {bytes : new Uint8Array(4096), at : 4096};
    while (n > 0) {
      if (pool.at === pool.bytes.length) {
        globalThis.crypto.getRandomValues(pool.bytes);
        pool.at = 0;
      }
      var k = Math.min(n, pool.bytes.length - pool.at);
      HEAPU8.set(pool.bytes.subarray(pool.at, pool.at + k), buf);
      pool.bytes.fill(0, pool.at, pool.at + k);
      pool.at += k;
      buf += k;
      n -= k;
    }
    return 0;
  } catch (e) {
    return -1;
  }
});
// clang-format on
#endif

void pa_crypto_random(void *buf, size_t n) {
#ifdef __EMSCRIPTEN__
  uint8_t *p = buf;
  while (n) {
    size_t k = n < 65536 ? n : 65536;
    if (pa_crypto_js_random(p, k) != 0) randombytes_buf(p, k);
    p += k;
    n -= k;
  }
#else
  randombytes_buf(buf, n);
#endif
}

/* ---- X25519 */

pa_status pa_crypto_x25519(uint8_t out[32], const uint8_t sk[32], const uint8_t pk[32],
                           pa_error *err) {
  /* libsodium returns -1 when the result is all zeros: pk was of low order. */
  if (crypto_scalarmult(out, sk, pk) != 0) {
    sodium_memzero(out, 32);
    return pa_error_set(err, PA_ERR_SCHEMA, "x25519: public key is of low order");
  }
  return PA_OK;
}

void pa_crypto_x25519_public(uint8_t pk[32], const uint8_t sk[32]) {
  crypto_scalarmult_base(pk, sk);
}

void pa_crypto_x25519_keypair(uint8_t pk[32], uint8_t sk[32]) {
  pa_crypto_random(sk, 32);
  crypto_scalarmult_base(pk, sk);
}

bool pa_crypto_x25519_valid(const uint8_t pk[32]) {
  /* Any clamped scalar is a multiple of 8, so the product is the identity
   * exactly when pk lies in the small subgroup. */
  static const uint8_t probe[32] = {1};
  uint8_t out[32];
  int rc = crypto_scalarmult(out, probe, pk);
  sodium_memzero(out, sizeof out);
  return rc == 0;
}

/* ---- Ed25519 */

void pa_crypto_ed25519_from_seed(uint8_t pk[32], uint8_t sk[64], const uint8_t seed[32]) {
  crypto_sign_seed_keypair(pk, sk, seed);
}

void pa_crypto_ed25519_sign(uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t sk[64]) {
  crypto_sign_detached(sig, NULL, msg, len, sk);
}

bool pa_crypto_ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len,
                              const uint8_t pk[32]) {
  return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}

pa_status pa_crypto_ed25519_pk_to_x25519(uint8_t x_pk[32], const uint8_t ed_pk[32], pa_error *err) {
  if (crypto_sign_ed25519_pk_to_curve25519(x_pk, ed_pk) != 0)
    return pa_error_set(err, PA_ERR_SCHEMA, "ed25519: identity key is not a valid point");
  return PA_OK;
}

void pa_crypto_ed25519_sk_to_x25519(uint8_t x_sk[32], const uint8_t ed_sk[64]) {
  crypto_sign_ed25519_sk_to_curve25519(x_sk, ed_sk);
}

/* ---- HKDF-SHA256 */

void pa_kdf_hmac(uint8_t out[32], const uint8_t *key, size_t key_len, const uint8_t *msg,
                 size_t len) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key, key_len);
  crypto_auth_hmacsha256_update(&st, msg, len);
  crypto_auth_hmacsha256_final(&st, out);
  sodium_memzero(&st, sizeof st);
}

void pa_kdf_hkdf_extract(uint8_t prk[32], const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                         size_t ikm_len) {
  /* An empty salt is HMAC's zero-padded key, i.e. the RFC's HashLen zeros. */
  static const uint8_t none[1] = {0};
  pa_kdf_hmac(prk, salt ? salt : none, salt ? salt_len : 0, ikm ? ikm : none, ikm ? ikm_len : 0);
}

pa_status pa_kdf_hkdf_expand(uint8_t *okm, size_t len, const uint8_t prk[32], const uint8_t *info,
                             size_t info_len, pa_error *err) {
  if (len > PA_KDF_MAX_OUTPUT || (!okm && len))
    return pa_error_set(err, PA_ERR_ARG, "hkdf: output of %zu bytes is over 255 blocks", len);
  uint8_t t[32];
  size_t done = 0;
  for (uint8_t i = 1; done < len; i++) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, prk, 32);
    if (i > 1) crypto_auth_hmacsha256_update(&st, t, sizeof t);
    if (info_len) crypto_auth_hmacsha256_update(&st, info, info_len);
    crypto_auth_hmacsha256_update(&st, &i, 1);
    crypto_auth_hmacsha256_final(&st, t);
    sodium_memzero(&st, sizeof st);
    size_t n = len - done < sizeof t ? len - done : sizeof t;
    memcpy(okm + done, t, n);
    done += n;
  }
  sodium_memzero(t, sizeof t);
  return PA_OK;
}

pa_status pa_kdf_hkdf(uint8_t *okm, size_t len, const uint8_t *salt, size_t salt_len,
                      const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len,
                      pa_error *err) {
  uint8_t prk[32];
  pa_kdf_hkdf_extract(prk, salt, salt_len, ikm, ikm_len);
  pa_status st = pa_kdf_hkdf_expand(okm, len, prk, info, info_len, err);
  sodium_memzero(prk, sizeof prk);
  return st;
}

/* ---- XChaCha20-Poly1305-IETF */

void pa_crypto_aead_seal(uint8_t *out, const uint8_t *plain, size_t len, const uint8_t *ad,
                         size_t ad_len, const uint8_t nonce[24], const uint8_t key[32]) {
  crypto_aead_xchacha20poly1305_ietf_encrypt(out, NULL, plain, len, ad, ad_len, NULL, nonce, key);
}

pa_status pa_crypto_aead_open(uint8_t *out, const uint8_t *sealed, size_t len, const uint8_t *ad,
                              size_t ad_len, const uint8_t nonce[24], const uint8_t key[32],
                              pa_error *err) {
  if (len < PA_CRYPTO_TAG_BYTES)
    return pa_error_set(err, PA_ERR_TRUNCATED, "aead: %zu bytes is shorter than a tag", len);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, sealed, len, ad, ad_len, nonce,
                                                 key) != 0) {
    if (len > PA_CRYPTO_TAG_BYTES) sodium_memzero(out, len - PA_CRYPTO_TAG_BYTES);
    return pa_error_set(err, PA_ERR_SYNTAX, "aead: authentication failed");
  }
  return PA_OK;
}
