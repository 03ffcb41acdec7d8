/* pa_push_crypto: P-256 with EVP (OpenSSL 3's non-deprecated interfaces),
 * HKDF written out with HMAC-SHA-256 because RFC 8291 §3.4 chains it twice
 * with infos of its own and one output block is all it ever needs. */
#include "push/crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

const char *pa_push_strerror(int rc) {
  switch (rc) {
  case PA_PUSH_OK: return "ok";
  case PA_PUSH_EINVAL: return "malformed key, secret or message";
  case PA_PUSH_ECRYPTO: return "the cryptographic library failed";
  case PA_PUSH_ESPACE: return "buffer too small";
  default: return "unknown push error";
  }
}

/* An EVP_PKEY on P-256 from a private scalar (may be NULL) and a public
 * point; the caller frees it. */
static EVP_PKEY *key_from(const uint8_t *priv, const uint8_t pub[PA_PUSH_PUB_LEN]) {
  EVP_PKEY *pkey = NULL;
  BIGNUM *d = NULL;
  OSSL_PARAM *params = NULL;
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  if (!bld || !ctx) goto done;
  if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0)) goto done;
  if (!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, PA_PUSH_PUB_LEN))
    goto done;
  if (priv) {
    d = BN_bin2bn(priv, PA_PUSH_PRIV_LEN, NULL);
    if (!d || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)) goto done;
  }
  params = OSSL_PARAM_BLD_to_param(bld);
  if (!params || EVP_PKEY_fromdata_init(ctx) <= 0) goto done;
  if (EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
    pkey = NULL;
done:
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_clear_free(d);
  EVP_PKEY_CTX_free(ctx);
  return pkey;
}

/* fromdata does not check that a point is on the curve; ECDH with a point
 * off it leaks key bits, so every public key from outside is checked. */
int pa_push_point_ok(const uint8_t pub[PA_PUSH_PUB_LEN]) {
  if (pub[0] != 0x04) return 0;
  EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  EC_POINT *p = g ? EC_POINT_new(g) : NULL;
  int ok = p && EC_POINT_oct2point(g, p, pub, PA_PUSH_PUB_LEN, NULL) == 1 &&
           EC_POINT_is_on_curve(g, p, NULL) == 1 && !EC_POINT_is_at_infinity(g, p);
  EC_POINT_free(p);
  EC_GROUP_free(g);
  return ok;
}

int pa_push_pubkey(const uint8_t priv[PA_PUSH_PRIV_LEN], uint8_t pub[PA_PUSH_PUB_LEN]) {
  int rc = PA_PUSH_ECRYPTO;
  EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  EC_POINT *p = g ? EC_POINT_new(g) : NULL;
  BIGNUM *d = BN_bin2bn(priv, PA_PUSH_PRIV_LEN, NULL);
  if (!p || !d) goto done;
  if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(g)) >= 0) {
    rc = PA_PUSH_EINVAL;
    goto done;
  }
  if (EC_POINT_mul(g, p, d, NULL, NULL, NULL) != 1) goto done;
  if (EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, pub, PA_PUSH_PUB_LEN, NULL) !=
      PA_PUSH_PUB_LEN)
    goto done;
  rc = PA_PUSH_OK;
done:
  BN_clear_free(d);
  EC_POINT_free(p);
  EC_GROUP_free(g);
  return rc;
}

int pa_push_keygen(uint8_t priv[PA_PUSH_PRIV_LEN], uint8_t pub[PA_PUSH_PUB_LEN]) {
  for (int tries = 0; tries < 8; tries++) {
    if (RAND_priv_bytes(priv, PA_PUSH_PRIV_LEN) != 1) return PA_PUSH_ECRYPTO;
    int rc = pa_push_pubkey(priv, pub);
    if (rc != PA_PUSH_EINVAL) return rc; /* a scalar >= n: about 2^-32, draw again */
  }
  return PA_PUSH_ECRYPTO;
}

static int ecdh(const uint8_t priv[PA_PUSH_PRIV_LEN], const uint8_t mine[PA_PUSH_PUB_LEN],
                const uint8_t peer[PA_PUSH_PUB_LEN], uint8_t secret[32]) {
  if (!pa_push_point_ok(peer)) return PA_PUSH_EINVAL;
  int rc = PA_PUSH_ECRYPTO;
  EVP_PKEY *me = key_from(priv, mine), *them = key_from(NULL, peer);
  EVP_PKEY_CTX *ctx = me ? EVP_PKEY_CTX_new_from_pkey(NULL, me, NULL) : NULL;
  size_t n = 32;
  if (ctx && them && EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_derive_set_peer(ctx, them) > 0 &&
      EVP_PKEY_derive(ctx, secret, &n) > 0 && n == 32)
    rc = PA_PUSH_OK;
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(me);
  EVP_PKEY_free(them);
  return rc;
}

static int hmac(const uint8_t *key, size_t klen, const uint8_t *msg, size_t mlen, uint8_t out[32]) {
  unsigned n = 32;
  return HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &n) && n == 32 ? PA_PUSH_OK
                                                                           : PA_PUSH_ECRYPTO;
}

/* HKDF-Expand for one block: HMAC(prk, info || 0x01). */
static int expand1(const uint8_t prk[32], const uint8_t *info, size_t ilen, uint8_t out[32]) {
  uint8_t m[256];
  if (ilen + 1 > sizeof m) return PA_PUSH_EINVAL;
  memcpy(m, info, ilen);
  m[ilen] = 1;
  return hmac(prk, 32, m, ilen + 1, out);
}

/* The content encryption key and nonce of RFC 8291 §3.4 + RFC 8188 §2.2. */
static int derive(const uint8_t ecdh_secret[32], const uint8_t auth[PA_PUSH_AUTH_LEN],
                  const uint8_t ua_pub[PA_PUSH_PUB_LEN], const uint8_t as_pub[PA_PUSH_PUB_LEN],
                  const uint8_t salt[PA_PUSH_SALT_LEN], uint8_t cek[16], uint8_t nonce[12]) {
  static const char key_label[] = "WebPush: info"; /* then 0x00 */
  static const char cek_info[] = "Content-Encoding: aes128gcm";
  static const char nonce_info[] = "Content-Encoding: nonce";
  uint8_t info[sizeof key_label + 2 * PA_PUSH_PUB_LEN], prk_key[32], ikm[32], prk[32], t[32];
  size_t n = sizeof key_label; /* the label and its NUL */
  memcpy(info, key_label, n);
  memcpy(info + n, ua_pub, PA_PUSH_PUB_LEN);
  memcpy(info + n + PA_PUSH_PUB_LEN, as_pub, PA_PUSH_PUB_LEN);
  n += 2 * PA_PUSH_PUB_LEN;
  int rc = hmac(auth, PA_PUSH_AUTH_LEN, ecdh_secret, 32, prk_key);
  if (!rc) rc = expand1(prk_key, info, n, ikm);
  if (!rc) rc = hmac(salt, PA_PUSH_SALT_LEN, ikm, 32, prk);
  if (!rc) rc = expand1(prk, (const uint8_t *)cek_info, sizeof cek_info, t);
  if (!rc) memcpy(cek, t, 16);
  if (!rc) rc = expand1(prk, (const uint8_t *)nonce_info, sizeof nonce_info, t);
  if (!rc) memcpy(nonce, t, 12);
  OPENSSL_cleanse(prk_key, sizeof prk_key);
  OPENSSL_cleanse(ikm, sizeof ikm);
  OPENSSL_cleanse(prk, sizeof prk);
  OPENSSL_cleanse(t, sizeof t);
  return rc;
}

/* AES-128-GCM in one call; enc = 1 seals (tag appended), 0 opens. */
static int gcm(int enc, const uint8_t key[16], const uint8_t nonce[12], const uint8_t *in, size_t n,
               uint8_t *out, uint8_t tag[16]) {
  int rc = PA_PUSH_ECRYPTO, len = 0;
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  if (!c || EVP_CipherInit_ex(c, EVP_aes_128_gcm(), NULL, key, nonce, enc) != 1) goto done;
  if (n && EVP_CipherUpdate(c, out, &len, in, (int)n) != 1) goto done;
  if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1) goto done;
  if (EVP_CipherFinal_ex(c, out + len, &len) != 1) {
    rc = enc ? PA_PUSH_ECRYPTO : PA_PUSH_EINVAL; /* a wrong tag is a bad message */
    goto done;
  }
  if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1) goto done;
  rc = PA_PUSH_OK;
done:
  EVP_CIPHER_CTX_free(c);
  return rc;
}

int pa_push_encrypt_with(const uint8_t *plain, size_t plain_len,
                         const uint8_t ua_pub[PA_PUSH_PUB_LEN],
                         const uint8_t auth[PA_PUSH_AUTH_LEN],
                         const uint8_t as_priv[PA_PUSH_PRIV_LEN],
                         const uint8_t as_pub[PA_PUSH_PUB_LEN],
                         const uint8_t salt[PA_PUSH_SALT_LEN], size_t pad, uint8_t *out, size_t cap,
                         size_t *out_len) {
  if (plain_len > PA_PUSH_PLAIN_MAX || pad > PA_PUSH_PLAIN_MAX - plain_len) return PA_PUSH_EINVAL;
  size_t rec = plain_len + 1 + pad; /* plaintext, the last record's 0x02, zeros */
  size_t total = PA_PUSH_HEADER_LEN + rec + PA_PUSH_TAG_LEN;
  if (total > cap) return PA_PUSH_ESPACE;
  uint8_t secret[32], cek[16], nonce[12], buf[PA_PUSH_BODY_MAX];
  int rc = ecdh(as_priv, as_pub, ua_pub, secret);
  if (!rc) rc = derive(secret, auth, ua_pub, as_pub, salt, cek, nonce);
  if (!rc) {
    memcpy(buf, plain, plain_len);
    buf[plain_len] = 2;
    memset(buf + plain_len + 1, 0, pad);
    /* RFC 8188 §2: salt, rs (4096: the whole message is one record), idlen, keyid. */
    memcpy(out, salt, PA_PUSH_SALT_LEN);
    out[16] = 0, out[17] = 0, out[18] = 0x10, out[19] = 0;
    out[20] = PA_PUSH_PUB_LEN;
    memcpy(out + 21, as_pub, PA_PUSH_PUB_LEN);
    rc = gcm(1, cek, nonce, buf, rec, out + PA_PUSH_HEADER_LEN, out + PA_PUSH_HEADER_LEN + rec);
  }
  if (!rc) *out_len = total;
  OPENSSL_cleanse(secret, sizeof secret);
  OPENSSL_cleanse(cek, sizeof cek);
  OPENSSL_cleanse(buf, sizeof buf);
  return rc;
}

int pa_push_encrypt(const uint8_t *plain, size_t plain_len, const uint8_t ua_pub[PA_PUSH_PUB_LEN],
                    const uint8_t auth[PA_PUSH_AUTH_LEN], size_t pad, uint8_t *out, size_t cap,
                    size_t *out_len) {
  uint8_t as_priv[PA_PUSH_PRIV_LEN], as_pub[PA_PUSH_PUB_LEN], salt[PA_PUSH_SALT_LEN];
  int rc = pa_push_keygen(as_priv, as_pub);
  if (!rc && RAND_bytes(salt, sizeof salt) != 1) rc = PA_PUSH_ECRYPTO;
  if (!rc)
    rc = pa_push_encrypt_with(plain, plain_len, ua_pub, auth, as_priv, as_pub, salt, pad, out, cap,
                              out_len);
  OPENSSL_cleanse(as_priv, sizeof as_priv);
  return rc;
}

int pa_push_decrypt(const uint8_t *body, size_t body_len, const uint8_t ua_priv[PA_PUSH_PRIV_LEN],
                    const uint8_t ua_pub[PA_PUSH_PUB_LEN], const uint8_t auth[PA_PUSH_AUTH_LEN],
                    uint8_t *out, size_t cap, size_t *out_len) {
  if (body_len < PA_PUSH_HEADER_LEN + PA_PUSH_TAG_LEN + 1 || body_len > PA_PUSH_BODY_MAX)
    return PA_PUSH_EINVAL;
  uint32_t rs =
      (uint32_t)body[16] << 24 | (uint32_t)body[17] << 16 | (uint32_t)body[18] << 8 | body[19];
  size_t ct = body_len - PA_PUSH_HEADER_LEN; /* one record: ciphertext and tag */
  if (body[20] != PA_PUSH_PUB_LEN || rs < 18 || ct > rs) return PA_PUSH_EINVAL;
  uint8_t secret[32], cek[16], nonce[12], buf[PA_PUSH_BODY_MAX], tag[16];
  const uint8_t *as_pub = body + 21;
  int rc = ecdh(ua_priv, ua_pub, as_pub, secret);
  if (!rc) rc = derive(secret, auth, ua_pub, as_pub, body, cek, nonce);
  size_t n = ct - PA_PUSH_TAG_LEN;
  if (!rc) {
    memcpy(tag, body + body_len - PA_PUSH_TAG_LEN, 16);
    rc = gcm(0, cek, nonce, body + PA_PUSH_HEADER_LEN, n, buf, tag);
  }
  if (!rc) { /* strip the padding back to the last record's delimiter */
    while (n > 0 && buf[n - 1] == 0) n--;
    if (n == 0 || buf[n - 1] != 2)
      rc = PA_PUSH_EINVAL;
    else if (n - 1 > cap)
      rc = PA_PUSH_ESPACE;
    else {
      memcpy(out, buf, n - 1);
      *out_len = n - 1;
    }
  }
  OPENSSL_cleanse(secret, sizeof secret);
  OPENSSL_cleanse(cek, sizeof cek);
  OPENSSL_cleanse(buf, sizeof buf);
  return rc;
}

int pa_push_b64url_encode(const uint8_t *in, size_t n, char *out, size_t cap) {
  static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t need = n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0) + 1, o = 0;
  if (need > cap) return PA_PUSH_ESPACE;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
                 (i + 2 < n ? in[i + 2] : 0);
    out[o++] = a[v >> 18 & 63];
    out[o++] = a[v >> 12 & 63];
    if (i + 1 < n) out[o++] = a[v >> 6 & 63];
    if (i + 2 < n) out[o++] = a[v & 63];
  }
  out[o] = 0;
  return PA_PUSH_OK;
}

static int b64val(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-' || c == '+')
    return 62; /* browsers hand out base64url; tolerate the other alphabet */
  if (c == '_' || c == '/') return 63;
  return -1;
}

int pa_push_b64url_decode(const char *in, size_t in_len, uint8_t *out, size_t cap, size_t *n) {
  while (in_len > 0 && in[in_len - 1] == '=') in_len--;
  if (in_len % 4 == 1) return PA_PUSH_EINVAL;
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < in_len; i++) {
    int v = b64val(in[i]);
    if (v < 0) return PA_PUSH_EINVAL;
    acc = acc << 6 | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o >= cap) return PA_PUSH_ESPACE;
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  *n = o;
  return PA_PUSH_OK;
}

int pa_push_vapid_jwt(const uint8_t priv[PA_PUSH_PRIV_LEN], const char *aud, long long exp,
                      const char *sub, char *out, size_t cap) {
  uint8_t pub[PA_PUSH_PUB_LEN];
  char claims[600], part[800];
  if (strlen(aud) > 256 || strlen(sub) > 256) return PA_PUSH_EINVAL;
  int rc = pa_push_pubkey(priv, pub);
  if (rc) return rc;
  /* aud and sub are the server's own (an origin it parsed, its configured
   * contact), never a person's text, so no JSON escaping is needed; a quote
   * or backslash in them is refused all the same. */
  if (strpbrk(aud, "\"\\") || strpbrk(sub, "\"\\")) return PA_PUSH_EINVAL;
  snprintf(claims, sizeof claims, "{\"aud\":\"%s\",\"exp\":%lld,\"sub\":\"%s\"}", aud, exp, sub);
  /* {"typ":"JWT","alg":"ES256"} */
  static const char head[] = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9";
  if (pa_push_b64url_encode((const uint8_t *)claims, strlen(claims), part, sizeof part))
    return PA_PUSH_ESPACE;
  int n = snprintf(out, cap, "%s.%s", head, part);
  if (n < 0 || (size_t)n + 1 + 87 > cap) return PA_PUSH_ESPACE;
  rc = PA_PUSH_ECRYPTO;
  EVP_PKEY *key = key_from(priv, pub);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  uint8_t der[80], raw[64];
  size_t dlen = sizeof der;
  ECDSA_SIG *sig = NULL;
  if (!key || !md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1) goto done;
  if (EVP_DigestSign(md, der, &dlen, (const uint8_t *)out, (size_t)n) != 1) goto done;
  /* JWS (RFC 7518 §3.4) wants r || s, 32 bytes each, not DER. */
  const uint8_t *p = der;
  sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
  if (!sig) goto done;
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32) != 32)
    goto done;
  out[n] = '.';
  rc = pa_push_b64url_encode(raw, 64, out + n + 1, cap - (size_t)n - 1);
done:
  ECDSA_SIG_free(sig);
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(key);
  return rc;
}
