/* pa_auth — Argon2id passwords and session tokens. */
#include "auth.h"

#include <pthread.h>
#include <string.h>

static pthread_mutex_t hash_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hash_free = PTHREAD_COND_INITIALIZER;
static int hashing; /* hashes running, under hash_lock */

/* Made once at startup; verified against when an account has no hash. */
static char dummy_hash[PA_AUTH_HASH_TEXT];

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

int pa_auth_init(void) {
  unsigned char r[16];
  randombytes_buf(r, sizeof r);
  return pa_auth_hash_password((const char *)r, sizeof r, dummy_hash);
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
