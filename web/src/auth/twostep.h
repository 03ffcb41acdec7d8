/* pa_twostep — the server's keys for two-step sign-in: sealing TOTP secrets
 * at rest, signing the short-lived challenge a password sign-in hands out
 * when a second step is needed, and peppering recovery-code hashes.
 *
 * The key is PA_SECRETS_KEY (environment: 64 hex digits, 32 bytes), read once
 * by pa_twostep_init; from it three subkeys are derived (crypto_kdf). Without
 * one, TOTP secrets are stored as they are (the database is then the secret:
 * web/README.md says so), recovery hashes use a fixed pepper, and challenges
 * are signed with a key drawn when the process starts (a restart, or another
 * server process, refuses the ones it did not sign: the person types the
 * password again). With one, a secret sealed under it is unreadable without
 * it: a database copy alone gives nobody a second factor. */
#ifndef PA_TWOSTEP_H
#define PA_TWOSTEP_H

#include "auth/totp.h"

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_TWOSTEP_CHALLENGE_SECONDS = 300,              /* the password proved this long ago at most */
  PA_TWOSTEP_CHALLENGE_BYTES = 1 + 8 + 8 + 8 + 32, /* version, user, expiry, last step, MAC */
  PA_TWOSTEP_CHALLENGE_TEXT = 90, /* its base64url, no padding, and the NUL (>= 4/3 of 57) */
  PA_TWOSTEP_SEALED_MAX = PA_TOTP_SECRET_BYTES + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                          crypto_aead_xchacha20poly1305_ietf_ABYTES,
  PA_TWOSTEP_KEY_HEX = 64,
  PA_TWOSTEP_TOKEN_MAX = 255, /* bytes of a provider's token pa_twostep_seal_token takes */
  PA_TWOSTEP_TOKEN_SEALED_MAX = PA_TWOSTEP_TOKEN_MAX +
                                crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                                crypto_aead_xchacha20poly1305_ietf_ABYTES
};

/* The one reader of PA_SECRETS_KEY, for every module that derives a key of
 * its own from it (each with its own crypto_kdf context): 1 with the 32
 * bytes in master (the caller wipes them after deriving), 0 when unset
 * (master untouched), -1 with err when set but not 64 hex digits. */
int pa_twostep_secrets_key(uint8_t master[crypto_kdf_KEYBYTES], char *err, size_t errlen);

/* Reads PA_SECRETS_KEY; 0, or -1 with err when it is set but not 64 hex
 * digits (the server refuses to start). Needs sodium_init first. */
int pa_twostep_init(char *err, size_t errlen);

/* 1 when secrets are sealed (a key was configured). */
int pa_twostep_sealing(void);

/* Seals secret (PA_TOTP_SECRET_BYTES) of user into out: XChaCha20-Poly1305
 * with a random nonce and the user id as associated data (a sealed secret
 * copied to another account does not open there). Without a key, copies it.
 * *n is the length written; *sealed 1 or 0. 0, or -1. */
int pa_twostep_seal(int64_t user, const uint8_t *secret, uint8_t out[PA_TWOSTEP_SEALED_MAX],
                    size_t *n, int *sealed);

/* Opens what pa_twostep_seal wrote (sealed as it said) into secret; 0, or
 * -1 when it does not open (wrong key, altered, or sealed with no key now). */
int pa_twostep_open(int64_t user, const uint8_t *in, size_t n, int sealed,
                    uint8_t secret[PA_TOTP_SECRET_BYTES]);

/* Seals a payment provider's token of user (a seller's Mercado Pago access
 * or refresh token: 1..PA_TWOSTEP_TOKEN_MAX bytes) into out, as
 * pa_twostep_seal does with a subkey of its own (a sealed TOTP secret does
 * not open as a token, nor one user's token as another's). *n the length
 * written. 0, or -1 without a key (tokens are never kept in clear) or for a
 * token of no or too many bytes. */
int pa_twostep_seal_token(int64_t user, const char *token, uint8_t out[PA_TWOSTEP_TOKEN_SEALED_MAX],
                          size_t *n);
/* Opens what pa_twostep_seal_token wrote into token (NUL-terminated); 0, or
 * -1 when it does not open (no key, wrong key, altered, another user's). */
int pa_twostep_open_token(int64_t user, const uint8_t *in, size_t n,
                          char token[PA_TWOSTEP_TOKEN_MAX + 1]);

/* A key of len bytes (crypto_kdf_BYTES_MIN..MAX) for another module's
 * signatures (the affiliate cookie, aff.h), number id under context (8
 * characters, the module's): derived from PA_SECRETS_KEY, so every server
 * process sharing the key derives the same, and a restart keeps it; without
 * one, from a key drawn when the process started (what it signed dies with
 * it, as challenges do). */
void pa_twostep_subkey(uint8_t *out, size_t len, uint64_t id, const char context[8]);

/* A challenge for user, valid until now + PA_TWOSTEP_CHALLENGE_SECONDS, bound
 * to last_step (the account's last used TOTP step: once a code is used the
 * challenge is spent). */
void pa_twostep_challenge(int64_t user, int64_t last_step, int64_t now,
                          char out[PA_TWOSTEP_CHALLENGE_TEXT]);

/* Reads a challenge: 0 with *user and *last_step, -1 when it is not one we
 * signed (any text: fuzzed), -2 when it expired. */
int pa_twostep_challenge_read(const char *text, int64_t now, int64_t *user, int64_t *last_step);

/* The hash a recovery code (canonical form) of user is kept as: keyed
 * BLAKE2b-256 under the pepper, over the user id and the code. */
void pa_twostep_recovery_hash(int64_t user, const char *code, uint8_t out[32]);

#endif
