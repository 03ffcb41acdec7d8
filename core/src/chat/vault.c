/* The vault: saved identity and session bytes sealed at rest with
 * XChaCha20-Poly1305 under a key the shell keeps. The header (magic, format
 * version, kind, generation) is the associated data, so none of it can be
 * changed without the tag failing. */
#include "pa/pa_crypto.h"

#include <sodium.h>
#include <string.h>

static const uint8_t MAGIC[3] = {'P', 'A', 'V'};

size_t pa_vault_sealed_size(size_t len) { return len + PA_VAULT_OVERHEAD; }

static void put_header(uint8_t h[PA_VAULT_HEADER_BYTES], uint8_t version, pa_vault_kind kind,
                       uint64_t generation) {
  memcpy(h, MAGIC, 3);
  h[3] = version;
  h[4] = (uint8_t)kind;
  for (int i = 0; i < 8; i++) h[5 + i] = (uint8_t)(generation >> (56 - 8 * i));
}

pa_status pa_vault_seal(const uint8_t key[32], pa_vault_kind kind, uint64_t generation,
                        const uint8_t *plain, size_t len, uint8_t *out, size_t cap, size_t *out_len,
                        pa_error *err) {
  if (!key || !out || !out_len || (!plain && len) || kind < PA_VAULT_IDENTITY ||
      kind > PA_VAULT_ACCOUNT)
    return pa_error_set(err, PA_ERR_ARG, "vault: missing key, input or output");
  if (len > PA_VAULT_MAX_PLAIN)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "vault: %zu bytes is over the %d byte limit", len,
                        PA_VAULT_MAX_PLAIN);
  if (cap < pa_vault_sealed_size(len))
    return pa_error_set(err, PA_ERR_ARG, "vault: output needs %zu bytes",
                        pa_vault_sealed_size(len));
  put_header(out, PA_VAULT_VERSION, kind, generation);
  uint8_t *nonce = out + PA_VAULT_HEADER_BYTES;
  /* A random nonce: the same key seals many generations, possibly from restored backups. */
  pa_crypto_random(nonce, PA_CRYPTO_NONCE_BYTES);
  pa_crypto_aead_seal(nonce + PA_CRYPTO_NONCE_BYTES, plain, len, out, PA_VAULT_HEADER_BYTES, nonce,
                      key);
  *out_len = pa_vault_sealed_size(len);
  return PA_OK;
}

pa_status pa_vault_open(const uint8_t key[32], pa_vault_kind kind, uint64_t min_generation,
                        const uint8_t *blob, size_t len, uint8_t *out, size_t cap, size_t *out_len,
                        uint64_t *generation, pa_error *err) {
  if (!key || !out_len || (!blob && len) || (!out && cap))
    return pa_error_set(err, PA_ERR_ARG, "vault: missing key, input or output");
  if (len < 5 || memcmp(blob, MAGIC, 3) != 0)
    return pa_error_set(err, len < 5 ? PA_ERR_TRUNCATED : PA_ERR_SYNTAX, "vault: not a vault blob");
  if (blob[3] != PA_VAULT_VERSION)
    return pa_error_set(err, PA_ERR_UNSUPPORTED,
                        "vault: format version %u is not accepted (want %d)", blob[3],
                        PA_VAULT_VERSION);
  if (blob[4] != (uint8_t)kind)
    return pa_error_set(err, PA_ERR_SCHEMA, "vault: holds kind %u, expected %d", blob[4],
                        (int)kind);
  if (len < PA_VAULT_OVERHEAD)
    return pa_error_set(err, PA_ERR_TRUNCATED, "vault: %zu bytes is shorter than its header", len);
  size_t plain_len = len - PA_VAULT_OVERHEAD;
  if (plain_len > PA_VAULT_MAX_PLAIN)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "vault: blob is over the %d byte limit",
                        PA_VAULT_MAX_PLAIN);
  if (cap < plain_len)
    return pa_error_set(err, PA_ERR_ARG, "vault: output needs %zu bytes", plain_len);
  uint64_t gen = 0;
  for (int i = 0; i < 8; i++) gen = gen << 8 | blob[5 + i];
  const uint8_t *nonce = blob + PA_VAULT_HEADER_BYTES;
  if (pa_crypto_aead_open(out, nonce + PA_CRYPTO_NONCE_BYTES,
                          len - PA_VAULT_HEADER_BYTES - PA_CRYPTO_NONCE_BYTES, blob,
                          PA_VAULT_HEADER_BYTES, nonce, key, NULL) != PA_OK)
    return pa_error_set(err, PA_ERR_SYNTAX,
                        "vault: blob was tampered with or sealed under another key");
  /* Checked after the tag, so the generation it names is authentic. */
  if (gen < min_generation) {
    sodium_memzero(out, plain_len);
    return pa_error_set(err, PA_ERR_SCHEMA,
                        "vault: generation %llu is older than %llu (rolled back?)",
                        (unsigned long long)gen, (unsigned long long)min_generation);
  }
  *out_len = plain_len;
  if (generation) *generation = gen;
  return PA_OK;
}
