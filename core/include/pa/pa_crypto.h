/* pa_crypto — the building blocks of end-to-end encrypted chat, on libsodium
 * 1.0.18: X25519, Ed25519, HKDF-SHA256 (pa_kdf_), XChaCha20-Poly1305, safety
 * numbers (pa_safety_), the at-rest vault (pa_vault_) and attachment
 * encryption (pa_attach_). X3DH and the Double Ratchet are in pa_x3dh.h and
 * pa_ratchet.h; wire formats are specified in core/src/chat/chat.md.
 *
 * Call pa_crypto_init once before anything here (the object constructors in
 * pa_x3dh.h and pa_ratchet.h call it too). Every key is caller-owned; wipe it
 * with pa_crypto_wipe when done. */
#ifndef PA_CRYPTO_H
#define PA_CRYPTO_H

#include "pa/pa_status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_CRYPTO_KEY_BYTES = 32, /* X25519 keys, Ed25519 public keys, symmetric keys */
  PA_CRYPTO_SIGN_SK_BYTES = 64,
  PA_CRYPTO_SIG_BYTES = 64,
  PA_CRYPTO_NONCE_BYTES = 24, /* XChaCha20 */
  PA_CRYPTO_TAG_BYTES = 16,   /* Poly1305 */
  PA_KDF_HASH_BYTES = 32,     /* SHA-256 */
  PA_KDF_MAX_OUTPUT = 255 * 32
};

/* Why peer bytes were refused, finer than pa_status: the decrypt paths report
 * it so the shell can tell a replay from a forgery. */
typedef enum pa_crypto_fault {
  PA_FAULT_NONE = 0,
  PA_FAULT_MALFORMED,    /* not one of our messages: length, kind or version wrong */
  PA_FAULT_FORGED,       /* authentication failed: tampered, cut, or not for this key */
  PA_FAULT_REPLAY,       /* its message key was already used or deleted */
  PA_FAULT_TOO_FAR,      /* it would skip past the ratchet's limits */
  PA_FAULT_BAD_KEY,      /* a low-order point or an invalid signature */
  PA_FAULT_PREKEY_GONE,  /* names a one-time prekey already consumed, or an unknown signed prekey */
  PA_FAULT_WRONG_SESSION /* a session-start message that belongs to another session */
} pa_crypto_fault;

/* Short stable name of a fault ("replay", "forged", ...). */
const char *pa_crypto_fault_name(pa_crypto_fault fault);

/* Initialises libsodium; safe to call again. PA_ERR_PLATFORM if it cannot. */
pa_status pa_crypto_init(pa_error *err);

/* Zeroes n bytes in a way the compiler keeps. */
void pa_crypto_wipe(void *p, size_t n);

/* Constant-time equality of two n-byte buffers. */
bool pa_crypto_equal(const void *a, const void *b, size_t n);

/* Fills buf with n bytes from the platform's CSPRNG. */
void pa_crypto_random(void *buf, size_t n);

/* ---- X25519 (RFC 7748) */

/* out = X25519(sk, pk). Refuses (PA_ERR_SCHEMA) a low-order pk, whose result
 * would be all zeros and contribute nothing secret. */
pa_status pa_crypto_x25519(uint8_t out[32], const uint8_t sk[32], const uint8_t pk[32],
                           pa_error *err);
/* pk = X25519(sk, 9). */
void pa_crypto_x25519_public(uint8_t pk[32], const uint8_t sk[32]);
/* A fresh random key pair. */
void pa_crypto_x25519_keypair(uint8_t pk[32], uint8_t sk[32]);
/* Whether pk is acceptable as a peer's public key (not of low order). */
bool pa_crypto_x25519_valid(const uint8_t pk[32]);

/* ---- Ed25519 (RFC 8032) */

/* Derives the key pair for a 32-byte secret seed (RFC 8032's "secret key"). */
void pa_crypto_ed25519_from_seed(uint8_t pk[32], uint8_t sk[64], const uint8_t seed[32]);
void pa_crypto_ed25519_sign(uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t sk[64]);
/* Whether sig is pk's signature of msg; false for low-order or non-canonical inputs. */
bool pa_crypto_ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len,
                              const uint8_t pk[32]);
/* The X25519 forms of an Ed25519 key pair (birational map); the public one
 * fails (PA_ERR_SCHEMA) for points that are invalid or of low order. */
pa_status pa_crypto_ed25519_pk_to_x25519(uint8_t x_pk[32], const uint8_t ed_pk[32], pa_error *err);
void pa_crypto_ed25519_sk_to_x25519(uint8_t x_sk[32], const uint8_t ed_sk[64]);

/* ---- HKDF-SHA256 (RFC 5869), built on libsodium's HMAC-SHA256 */

void pa_kdf_hkdf_extract(uint8_t prk[32], const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                         size_t ikm_len);
/* Fills okm[0..len) from prk; len is at most PA_KDF_MAX_OUTPUT. */
pa_status pa_kdf_hkdf_expand(uint8_t *okm, size_t len, const uint8_t prk[32], const uint8_t *info,
                             size_t info_len, pa_error *err);
/* Extract then expand. */
pa_status pa_kdf_hkdf(uint8_t *okm, size_t len, const uint8_t *salt, size_t salt_len,
                      const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len,
                      pa_error *err);
/* out = HMAC-SHA256(key, msg). */
void pa_kdf_hmac(uint8_t out[32], const uint8_t *key, size_t key_len, const uint8_t *msg,
                 size_t len);

/* ---- XChaCha20-Poly1305-IETF */

/* Writes len + PA_CRYPTO_TAG_BYTES bytes (ciphertext then tag) to out. */
void pa_crypto_aead_seal(uint8_t *out, const uint8_t *plain, size_t len, const uint8_t *ad,
                         size_t ad_len, const uint8_t nonce[24], const uint8_t key[32]);
/* Verifies and decrypts len bytes (ciphertext then tag) into out[len - 16];
 * PA_ERR_SYNTAX if the tag does not verify, and out is then zeroed. */
pa_status pa_crypto_aead_open(uint8_t *out, const uint8_t *sealed, size_t len, const uint8_t *ad,
                              size_t ad_len, const uint8_t nonce[24], const uint8_t key[32],
                              pa_error *err);

/* ---- Safety numbers (libsignal's numeric fingerprint, version 0) */

enum {
  PA_SAFETY_ITERATIONS = 5200,
  PA_SAFETY_DIGITS = 60,
  PA_SAFETY_FORMATTED = 71, /* 12 groups of 5 digits, single spaces */
  PA_SAFETY_MAX_ID = 256    /* bytes of a stable identifier */
};

/* One side's 30 digits: SHA-512 iterated over version || key || stable_id. */
pa_status pa_safety_fingerprint(const uint8_t *key, size_t key_len, const uint8_t *stable_id,
                                size_t id_len, char out[31], pa_error *err);
/* The 60 digits both sides see: the two halves, the smaller first. */
pa_status pa_safety_number(const uint8_t *local_key, size_t local_key_len, const uint8_t *local_id,
                           size_t local_id_len, const uint8_t *remote_key, size_t remote_key_len,
                           const uint8_t *remote_id, size_t remote_id_len, char out[61],
                           pa_error *err);
/* "12345 67890 ..." from 60 digits; out holds PA_SAFETY_FORMATTED + 1 bytes. */
void pa_safety_format(const char digits[61], char out[72]);

/* ---- Vault: state sealed at rest under a key the shell keeps */

enum {
  PA_VAULT_VERSION = 1,
  PA_VAULT_KEY_BYTES = 32,
  PA_VAULT_HEADER_BYTES = 13, /* "PAV", version, kind, generation (u64) */
  PA_VAULT_OVERHEAD = 13 + 24 + 16,
  PA_VAULT_MAX_PLAIN = 4 * 1024 * 1024
};

typedef enum pa_vault_kind {
  PA_VAULT_IDENTITY = 1, /* pa_x3dh_identity_save bytes */
  PA_VAULT_SESSION = 2,  /* pa_ratchet_save bytes */
  PA_VAULT_OTHER = 3,    /* anything else the shell wants sealed */
  PA_VAULT_ACCOUNT = 4   /* pa_devlist_aik_save bytes: the account identity key */
} pa_vault_kind;

/* Seals len bytes into out (pa_vault_sealed_size(len) bytes). generation is
 * stored authenticated so the shell can refuse a rolled-back blob. */
size_t pa_vault_sealed_size(size_t len);
pa_status pa_vault_seal(const uint8_t key[32], pa_vault_kind kind, uint64_t generation,
                        const uint8_t *plain, size_t len, uint8_t *out, size_t cap, size_t *out_len,
                        pa_error *err);
/* Opens a blob of the given kind into out (len - PA_VAULT_OVERHEAD bytes).
 * Refuses other format versions (PA_ERR_UNSUPPORTED), another kind, any
 * tampering (PA_ERR_SYNTAX) and generations below min_generation (PA_ERR_SCHEMA).
 * generation may be NULL. */
pa_status pa_vault_open(const uint8_t key[32], pa_vault_kind kind, uint64_t min_generation,
                        const uint8_t *blob, size_t len, uint8_t *out, size_t cap, size_t *out_len,
                        uint64_t *generation, pa_error *err);

/* ---- Attachments: crypto_secretstream_xchacha20poly1305 in 64 KiB chunks */

enum {
  PA_ATTACH_KEY_BYTES =
      56, /* secretstream key (32) || header (24): goes inside a ratchet message */
  PA_ATTACH_CHUNK = 65536,
  PA_ATTACH_CHUNK_OVERHEAD = 17,
  PA_ATTACH_MAX_BYTES = 32 * 1024 * 1024
};

/* Encrypted size of len plaintext bytes (at least one chunk). */
size_t pa_attach_sealed_size(size_t len);
/* Encrypts under a fresh key, written to key_out, into out. */
pa_status pa_attach_encrypt(const uint8_t *plain, size_t len, uint8_t key_out[56], uint8_t *out,
                            size_t cap, size_t *out_len, pa_error *err);
/* Decrypts into out (at most len bytes needed). Refuses a stream without its
 * final chunk (PA_ERR_TRUNCATED), data after it, and any chunk that fails to
 * authenticate, which is what tampering or reordering looks like (PA_ERR_SYNTAX). */
pa_status pa_attach_decrypt(const uint8_t key[56], const uint8_t *sealed, size_t len, uint8_t *out,
                            size_t cap, size_t *out_len, pa_error *err);

#endif
