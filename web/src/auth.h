/* pa_auth — passwords and session tokens (attempt limits: limit.h).
 *
 * Passwords are hashed with Argon2id (crypto_pwhash_str, OPSLIMIT and
 * MEMLIMIT_INTERACTIVE: 2 passes over 64 MiB). The routes that hash run on
 * the transport's slow workers (PA_NET_SLOW_WORKERS); at most PA_AUTH_HASHERS
 * hashes run at once (128 MiB, and no more CPU than the machine has).
 * Call pa_auth_init once (after sodium_init) before anything else here. */
#ifndef PA_AUTH_H
#define PA_AUTH_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_AUTH_HASHERS = 2,
  PA_AUTH_PASSWORD_MIN = 10,  /* bytes */
  PA_AUTH_PASSWORD_MAX = 256, /* bytes */
  PA_AUTH_TOKEN_BYTES = 32,
  PA_AUTH_TOKEN_TEXT = 44, /* base64url without padding, and the NUL */
  PA_AUTH_HASH_TEXT = crypto_pwhash_STRBYTES,
  PA_AUTH_SESSION_DAYS = 30,
  /* How long an e-mailed link works: a reset is meant to be used at once
   * (whoever reads the inbox later should not find a live one); a new
   * address may be confirmed from another device the next day. */
  PA_AUTH_RESET_TTL = 3600,   /* seconds */
  PA_AUTH_EMAIL_TTL = 86400,  /* seconds */
  PA_AUTH_TOKEN_SENT_MAX = 64 /* bytes of a token member we look at (a real one is 43) */
};

/* 0, or -1 when the dummy hash for unknown accounts could not be made. */
int pa_auth_init(void);

/* Hashes password (len bytes) into out; 0 or -1 (out of memory). */
int pa_auth_hash_password(const char *password, size_t len, char out[PA_AUTH_HASH_TEXT]);

/* 1 when password matches hash. A NULL hash (unknown account, or one that
 * cannot sign in) is checked against a dummy so the time taken is the same. */
int pa_auth_verify_password(const char *hash, const char *password, size_t len);

/* A new random token as text (for the cookie) and the BLAKE2b-256 of its
 * bytes (what the database keeps). */
void pa_auth_new_token(char text[PA_AUTH_TOKEN_TEXT], unsigned char hash[32]);

/* The BLAKE2b-256 of a token's bytes; -1 when text is not a token we made. */
int pa_auth_token_hash(const char *text, unsigned char hash[32]);

#endif
