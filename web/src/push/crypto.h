/* pa_push_crypto — the cryptography of Web Push over OpenSSL's libcrypto:
 * the server's VAPID identity (RFC 8292: an ES256 JWT per push service
 * origin) and the payload encryption of RFC 8291 (aes128gcm content coding,
 * RFC 8188, one record). Pure functions over caller-owned buffers. */
#ifndef PA_PUSH_CRYPTO_H
#define PA_PUSH_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

enum {
  PA_PUSH_OK = 0,
  PA_PUSH_EINVAL = -1,  /* a key, secret or size is not what the RFCs say */
  PA_PUSH_ECRYPTO = -2, /* libcrypto refused (out of memory, bad point) */
  PA_PUSH_ESPACE = -3,  /* the caller's buffer is too small */
};

enum {
  PA_PUSH_PUB_LEN = 65,                 /* an uncompressed P-256 point: 0x04 || X || Y */
  PA_PUSH_PRIV_LEN = 32,                /* a P-256 private scalar */
  PA_PUSH_AUTH_LEN = 16,                /* the subscription's auth secret (RFC 8291 §3.2) */
  PA_PUSH_SALT_LEN = 16,                /* RFC 8188's salt */
  PA_PUSH_HEADER_LEN = 16 + 4 + 1 + 65, /* salt, rs, idlen, keyid */
  PA_PUSH_TAG_LEN = 16,                 /* AES-GCM's tag */
  /* The largest plaintext we send: push services must accept 4096 bytes of
   * body (RFC 8030 §7.2), header and tag and the delimiter taken off. */
  PA_PUSH_PLAIN_MAX = 4096 - PA_PUSH_HEADER_LEN - PA_PUSH_TAG_LEN - 1,
  /* A body's size: header, plaintext, delimiter, padding, tag. */
  PA_PUSH_BODY_MAX = 4096,
  PA_PUSH_JWT_MAX = 1024,            /* header.claims.signature in base64url */
  PA_PUSH_VAPID_TTL_MAX = 24 * 3600, /* RFC 8292 §2: exp at most 24 h ahead */
};

const char *pa_push_strerror(int rc);

/* Makes a new P-256 key pair: priv (32 bytes) and pub (65, uncompressed). */
int pa_push_keygen(uint8_t priv[PA_PUSH_PRIV_LEN], uint8_t pub[PA_PUSH_PUB_LEN]);
/* The public point of priv; PA_PUSH_EINVAL when priv is not a valid scalar. */
int pa_push_pubkey(const uint8_t priv[PA_PUSH_PRIV_LEN], uint8_t pub[PA_PUSH_PUB_LEN]);

/* Whether pub is an uncompressed point on P-256 (not the point at infinity). */
int pa_push_point_ok(const uint8_t pub[PA_PUSH_PUB_LEN]);

/* RFC 8291 encryption of plain (plain_len <= PA_PUSH_PLAIN_MAX) for the
 * subscription (ua_pub, auth) with the sender's ephemeral key (as_priv,
 * as_pub) and salt, padded with pad zero bytes, into out (cap bytes); *out_len
 * is the body's size. Tests fix the keys and salt (RFC 8291 appendix A);
 * pa_push_encrypt makes them fresh. */
int pa_push_encrypt_with(const uint8_t *plain, size_t plain_len,
                         const uint8_t ua_pub[PA_PUSH_PUB_LEN],
                         const uint8_t auth[PA_PUSH_AUTH_LEN],
                         const uint8_t as_priv[PA_PUSH_PRIV_LEN],
                         const uint8_t as_pub[PA_PUSH_PUB_LEN],
                         const uint8_t salt[PA_PUSH_SALT_LEN], size_t pad, uint8_t *out, size_t cap,
                         size_t *out_len);
int pa_push_encrypt(const uint8_t *plain, size_t plain_len, const uint8_t ua_pub[PA_PUSH_PUB_LEN],
                    const uint8_t auth[PA_PUSH_AUTH_LEN], size_t pad, uint8_t *out, size_t cap,
                    size_t *out_len);
/* The receiving side (what a browser does), for tests and the fuzzer:
 * decrypts body with the subscription's private key and auth secret into
 * out (cap bytes), padding removed. PA_PUSH_EINVAL for any malformed body. */
int pa_push_decrypt(const uint8_t *body, size_t body_len, const uint8_t ua_priv[PA_PUSH_PRIV_LEN],
                    const uint8_t ua_pub[PA_PUSH_PUB_LEN], const uint8_t auth[PA_PUSH_AUTH_LEN],
                    uint8_t *out, size_t cap, size_t *out_len);

/* The VAPID JWT (RFC 8292 §2) for a push service's origin aud ("https://
 * host[:port]"), expiring at exp, with contact sub ("mailto:" or "https:"),
 * signed ES256 with priv into out (NUL-terminated, cap >= PA_PUSH_JWT_MAX). */
int pa_push_vapid_jwt(const uint8_t priv[PA_PUSH_PRIV_LEN], const char *aud, long long exp,
                      const char *sub, char *out, size_t cap);

/* base64url without padding: encodes n bytes into out (cap includes the
 * NUL); decodes a string (padding tolerated) into out, *n its length.
 * Both return PA_PUSH_ESPACE or PA_PUSH_EINVAL on failure. */
int pa_push_b64url_encode(const uint8_t *in, size_t n, char *out, size_t cap);
int pa_push_b64url_decode(const char *in, size_t in_len, uint8_t *out, size_t cap, size_t *n);

#endif
