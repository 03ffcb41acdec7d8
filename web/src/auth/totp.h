/* pa_totp — two-step sign-in codes: RFC 4226 HOTP and RFC 6238 TOTP over
 * HMAC-SHA1 (OpenSSL's libcrypto, which the server already links for the
 * payment providers), base32 secrets (RFC 4648), recovery codes, and the
 * text parsers for what people type. The parsers (pa_totp_parse_*,
 * pa_totp_base32_*) touch no library and are fuzzed (web/fuzz/fuzz_twostep.c). */
#ifndef PA_TOTP_H
#define PA_TOTP_H

#include <stddef.h>
#include <stdint.h>

enum {
  PA_TOTP_SECRET_BYTES = 20,   /* 160 bits: RFC 4226's recommended length for SHA-1 */
  PA_TOTP_SECRET_TEXT = 33,    /* its base32 (32 letters, no padding) and the NUL */
  PA_TOTP_STEP_SECONDS = 30,   /* RFC 6238's default: what every authenticator app uses */
  PA_TOTP_DIGITS = 6,          /* what every authenticator app shows */
  PA_TOTP_WINDOW = 1,          /* steps either side: a phone's clock a little off, a slow typist */
  PA_TOTP_CODE_INPUT_MAX = 16, /* bytes of a typed code, spaces and dashes included */
  PA_TOTP_RECOVERY_CODES = 10, /* handed out at once, each single-use */
  PA_TOTP_RECOVERY_CHARS = 10, /* base32 letters of one: 50 bits */
  PA_TOTP_RECOVERY_TEXT = 12,  /* shown as XXXXX-XXXXX, and the NUL */
  PA_TOTP_RECOVERY_INPUT_MAX = 32 /* bytes of a typed recovery code */
};

/* HMAC-SHA1 (RFC 2104) of msg under key into out; 0, or -1 when libcrypto failed. */
int pa_totp_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                      uint8_t out[20]);

/* RFC 4226's HOTP value of counter with digits (6..8) digits; 0 or -1. */
int pa_totp_hotp(const uint8_t *key, size_t key_len, uint64_t counter, int digits, uint32_t *code);

/* The TOTP step of unix time t (RFC 6238, T0 = 0). */
int64_t pa_totp_step(int64_t t);

/* Finds the step within PA_TOTP_WINDOW of now's whose 6-digit code is code and
 * which is later than last_step (a step once used is never accepted again,
 * RFC 6238 §5.2). 1 with *step set, 0 when none, -1 when libcrypto failed.
 * Every candidate is computed and compared in constant time. */
int pa_totp_check(const uint8_t *key, size_t key_len, int64_t now, uint32_t code, int64_t last_step,
                  int64_t *step);

/* Base32 (RFC 4648, upper case, no padding) of n bytes into out (cap bytes
 * with the NUL); the length written, or -1 when it does not fit. */
int pa_totp_base32_encode(const uint8_t *in, size_t n, char *out, size_t cap);

/* Decodes base32 text (either case, no padding, no spaces) into out; the
 * byte count, or -1 for a character outside the alphabet, leftover bits
 * that are not zero, or more than cap bytes. */
int pa_totp_base32_decode(const char *text, size_t len, uint8_t *out, size_t cap);

/* A code as people type it ("123456", "123 456", "123-456"): exactly
 * PA_TOTP_DIGITS digits, single spaces or dashes between them allowed, at
 * most PA_TOTP_CODE_INPUT_MAX bytes. 0 with *code, or -1. */
int pa_totp_parse_code(const char *s, size_t len, uint32_t *code);

/* A recovery code as people type it: PA_TOTP_RECOVERY_CHARS base32 letters in
 * either case, with spaces or dashes anywhere between; the digits 0, 1 and 8
 * are read as O, I and B (they are not in the alphabet, and people misread
 * them). Writes the canonical XXXXX-XXXXX form into out; 0, or -1. */
int pa_totp_parse_recovery(const char *s, size_t len, char out[PA_TOTP_RECOVERY_TEXT]);

/* A new random recovery code in its canonical form (libsodium's randomness;
 * sodium_init first). */
void pa_totp_new_recovery(char out[PA_TOTP_RECOVERY_TEXT]);

#endif
