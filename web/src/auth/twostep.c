/* pa_twostep: the keys behind two-step sign-in (see twostep.h). */
#include "auth/twostep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Written once by pa_twostep_init before any worker starts; read after. */
static uint8_t seal_key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
static uint8_t challenge_key[crypto_auth_hmacsha256_KEYBYTES];
static uint8_t pepper[crypto_generichash_KEYBYTES];
static uint8_t token_key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
/* What pa_twostep_subkey derives other modules' keys from (subkey 5). */
static uint8_t derive_key[crypto_kdf_KEYBYTES];
static int have_key, ready;

static void put64(uint8_t *p, int64_t v) {
  uint64_t u = (uint64_t)v;
  for (int i = 7; i >= 0; i--, u >>= 8) p[i] = (uint8_t)(u & 0xff);
}

static int64_t get64(const uint8_t *p) {
  uint64_t u = 0;
  for (int i = 0; i < 8; i++) u = (u << 8) | p[i];
  return (int64_t)u;
}

int pa_twostep_secrets_key(uint8_t master[crypto_kdf_KEYBYTES], char *err, size_t errlen) {
  size_t n = 0;
  const char *hex = getenv("PA_SECRETS_KEY");
  if (!hex || !*hex) return 0;
  if (strlen(hex) != PA_TWOSTEP_KEY_HEX ||
      sodium_hex2bin(master, crypto_kdf_KEYBYTES, hex, strlen(hex), NULL, &n, NULL) != 0 ||
      n != crypto_kdf_KEYBYTES) {
    sodium_memzero(master, crypto_kdf_KEYBYTES);
    snprintf(err, errlen, "PA_SECRETS_KEY must be %d hex digits", PA_TWOSTEP_KEY_HEX);
    return -1;
  }
  return 1;
}

int pa_twostep_init(char *err, size_t errlen) {
  uint8_t master[crypto_kdf_KEYBYTES];
  have_key = 0;
  int got = pa_twostep_secrets_key(master, err, errlen);
  if (got < 0) return -1;
  if (got) {
    crypto_kdf_derive_from_key(seal_key, sizeof seal_key, 1, "pa2step_", master);
    crypto_kdf_derive_from_key(challenge_key, sizeof challenge_key, 2, "pa2step_", master);
    crypto_kdf_derive_from_key(pepper, sizeof pepper, 3, "pa2step_", master);
    crypto_kdf_derive_from_key(token_key, sizeof token_key, 4, "pa2step_", master);
    crypto_kdf_derive_from_key(derive_key, sizeof derive_key, 5, "pa2step_", master);
    sodium_memzero(master, sizeof master);
    have_key = 1;
  } else {
    randombytes_buf(challenge_key, sizeof challenge_key);
    randombytes_buf(derive_key, sizeof derive_key);
    /* No secret to pepper with: a fixed one still separates these hashes
     * from any other BLAKE2b use. */
    crypto_generichash(pepper, sizeof pepper, (const uint8_t *)"petamigos recovery", 18, NULL, 0);
  }
  ready = 1;
  return 0;
}

static void ensure(void) {
  char err[80];
  if (!ready) pa_twostep_init(err, sizeof err);
}

int pa_twostep_sealing(void) {
  ensure();
  return have_key;
}

int pa_twostep_seal(int64_t user, const uint8_t *secret, uint8_t out[PA_TWOSTEP_SEALED_MAX],
                    size_t *n, int *sealed) {
  uint8_t ad[8];
  unsigned long long clen = 0;
  ensure();
  if (!have_key) {
    memcpy(out, secret, PA_TOTP_SECRET_BYTES);
    *n = PA_TOTP_SECRET_BYTES;
    *sealed = 0;
    return 0;
  }
  put64(ad, user);
  uint8_t *nonce = out, *c = out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(c, &clen, secret, PA_TOTP_SECRET_BYTES, ad,
                                                 sizeof ad, NULL, nonce, seal_key) != 0)
    return -1;
  *n = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + (size_t)clen;
  *sealed = 1;
  return 0;
}

int pa_twostep_open(int64_t user, const uint8_t *in, size_t n, int sealed,
                    uint8_t secret[PA_TOTP_SECRET_BYTES]) {
  uint8_t ad[8];
  unsigned long long mlen = 0;
  ensure();
  if (!sealed) {
    if (n != PA_TOTP_SECRET_BYTES) return -1;
    memcpy(secret, in, n);
    return 0;
  }
  if (!have_key || n != PA_TWOSTEP_SEALED_MAX) return -1;
  put64(ad, user);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          secret, &mlen, NULL, in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
          n - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, ad, sizeof ad, in, seal_key) != 0 ||
      mlen != PA_TOTP_SECRET_BYTES)
    return -1;
  return 0;
}

int pa_twostep_seal_token(int64_t user, const char *token, uint8_t out[PA_TWOSTEP_TOKEN_SEALED_MAX],
                          size_t *n) {
  uint8_t ad[8];
  unsigned long long clen = 0;
  size_t len = token ? strlen(token) : 0;
  ensure();
  *n = 0;
  if (!have_key || len == 0 || len > PA_TWOSTEP_TOKEN_MAX) return -1;
  put64(ad, user);
  uint8_t *nonce = out, *c = out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(c, &clen, (const uint8_t *)token, len, ad,
                                                 sizeof ad, NULL, nonce, token_key) != 0)
    return -1;
  *n = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + (size_t)clen;
  return 0;
}

int pa_twostep_open_token(int64_t user, const uint8_t *in, size_t n,
                          char token[PA_TWOSTEP_TOKEN_MAX + 1]) {
  uint8_t ad[8];
  unsigned long long mlen = 0;
  const size_t over =
      crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  ensure();
  token[0] = 0;
  if (!have_key || n <= over || n > PA_TWOSTEP_TOKEN_SEALED_MAX) return -1;
  put64(ad, user);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          (uint8_t *)token, &mlen, NULL, in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
          n - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, ad, sizeof ad, in, token_key) != 0 ||
      mlen > PA_TWOSTEP_TOKEN_MAX || memchr(token, 0, (size_t)mlen)) {
    sodium_memzero(token, PA_TWOSTEP_TOKEN_MAX + 1);
    return -1;
  }
  token[mlen] = 0;
  return 0;
}

void pa_twostep_subkey(uint8_t *out, size_t len, uint64_t id, const char context[8]) {
  ensure();
  crypto_kdf_derive_from_key(out, len, id, context, derive_key);
}

void pa_twostep_challenge(int64_t user, int64_t last_step, int64_t now,
                          char out[PA_TWOSTEP_CHALLENGE_TEXT]) {
  uint8_t raw[PA_TWOSTEP_CHALLENGE_BYTES];
  ensure();
  raw[0] = 1;
  put64(raw + 1, user);
  put64(raw + 9, now + PA_TWOSTEP_CHALLENGE_SECONDS);
  put64(raw + 17, last_step);
  crypto_auth_hmacsha256(raw + 25, raw, 25, challenge_key);
  sodium_bin2base64(out, PA_TWOSTEP_CHALLENGE_TEXT, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int pa_twostep_challenge_read(const char *text, int64_t now, int64_t *user, int64_t *last_step) {
  uint8_t raw[PA_TWOSTEP_CHALLENGE_BYTES];
  size_t n = 0;
  ensure();
  if (!text || strlen(text) >= PA_TWOSTEP_CHALLENGE_TEXT ||
      sodium_base642bin(raw, sizeof raw, text, strlen(text), NULL, &n, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      n != sizeof raw || raw[0] != 1 ||
      crypto_auth_hmacsha256_verify(raw + 25, raw, 25, challenge_key) != 0)
    return -1;
  if (get64(raw + 9) <= now) return -2;
  *user = get64(raw + 1);
  *last_step = get64(raw + 17);
  return 0;
}

void pa_twostep_recovery_hash(int64_t user, const char *code, uint8_t out[32]) {
  uint8_t id[8];
  crypto_generichash_state st;
  ensure();
  put64(id, user);
  crypto_generichash_init(&st, pepper, sizeof pepper, 32);
  crypto_generichash_update(&st, id, sizeof id);
  crypto_generichash_update(&st, (const uint8_t *)code, strlen(code));
  crypto_generichash_final(&st, out, 32);
}
