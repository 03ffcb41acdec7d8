/* pa_auth — Argon2id passwords and session tokens. */
#include "auth.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t hash_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hash_free = PTHREAD_COND_INITIALIZER;
static int hashing; /* hashes running, under hash_lock */

/* Verified against when an account has no hash (made once at startup). */
static char dummy_hash[PA_AUTH_HASH_TEXT];

/* Argon2id's salt and digest sizes in libsodium's hash strings. */
enum { DUMMY_SALT_BYTES = crypto_pwhash_argon2id_SALTBYTES, DUMMY_DIGEST_BYTES = 32 };

static void enter(void) {
  pthread_mutex_lock(&hash_lock);
  while (hashing >= PA_AUTH_HASHERS) pthread_cond_wait(&hash_free, &hash_lock);
  hashing++;
  pthread_mutex_unlock(&hash_lock);
}

static void leave(void) {
  pthread_mutex_lock(&hash_lock);
  hashing--;
  pthread_cond_signal(&hash_free);
  pthread_mutex_unlock(&hash_lock);
}

int pa_auth_hash_password(const char *password, size_t len, char out[PA_AUTH_HASH_TEXT]) {
  enter();
  int rc = crypto_pwhash_str(out, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE);
  leave();
  return rc == 0 ? 0 : -1;
}

/* The dummy is a hash string with our parameters and a random salt and
 * digest, not the hash of anything: checking a password against it runs
 * Argon2id in full, as against a real hash, so an unknown account takes as
 * long as a known one. Hashing a password here instead cost every start
 * (each test server's too) an Argon2id run and its 64 MiB. */
int pa_auth_init(void) {
  unsigned char salt[DUMMY_SALT_BYTES], digest[DUMMY_DIGEST_BYTES];
  char salt64[sodium_base64_ENCODED_LEN(DUMMY_SALT_BYTES,
                                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
  char digest64[sodium_base64_ENCODED_LEN(DUMMY_DIGEST_BYTES,
                                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
  randombytes_buf(salt, sizeof salt);
  randombytes_buf(digest, sizeof digest);
  sodium_bin2base64(salt64, sizeof salt64, salt, sizeof salt,
                    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  sodium_bin2base64(digest64, sizeof digest64, digest, sizeof digest,
                    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  /* v=19: Argon2 version 1.3, the one libsodium writes. */
  int n = snprintf(dummy_hash, sizeof dummy_hash, "%sv=19$m=%zu,t=%llu,p=1$%s$%s",
                   crypto_pwhash_argon2id_STRPREFIX,
                   (size_t)(crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024),
                   (unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE, salt64, digest64);
  /* libsodium parses it as a hash of ours, or the build's libsodium writes
   * another format and this must change. */
  if (n < 0 || (size_t)n >= sizeof dummy_hash ||
      crypto_pwhash_str_needs_rehash(dummy_hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                     crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return -1;
  return 0;
}

int pa_auth_verify_password(const char *hash, const char *password, size_t len) {
  enter();
  int ok = crypto_pwhash_str_verify(hash ? hash : dummy_hash, password, len) == 0;
  leave();
  return hash ? ok : 0;
}

void pa_auth_new_token(char text[PA_AUTH_TOKEN_TEXT], unsigned char hash[32]) {
  unsigned char raw[PA_AUTH_TOKEN_BYTES];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(text, PA_AUTH_TOKEN_TEXT, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  crypto_generichash(hash, 32, raw, sizeof raw, NULL, 0);
  sodium_memzero(raw, sizeof raw);
}

int pa_auth_token_hash(const char *text, unsigned char hash[32]) {
  unsigned char raw[PA_AUTH_TOKEN_BYTES];
  size_t n = 0;
  /* libsodium 1.0.18 decodes some bytes above 0x7f as if they were base64
   * characters (fuzz_profile found one), so a token could be spelled more
   * than one way: only the 64 characters of base64url are taken. */
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  if (!text || strlen(text) != PA_AUTH_TOKEN_TEXT - 1 ||
      strspn(text, alphabet) != PA_AUTH_TOKEN_TEXT - 1 ||
      sodium_base642bin(raw, sizeof raw, text, PA_AUTH_TOKEN_TEXT - 1, NULL, &n, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      n != sizeof raw)
    return -1;
  crypto_generichash(hash, 32, raw, sizeof raw, NULL, 0);
  sodium_memzero(raw, sizeof raw);
  return 0;
}
