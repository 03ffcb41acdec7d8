/* Webhook verification for both providers, then pa_pay's parsers.
 *
 * PayPal signs "<transmission id>|<time>|<webhook id>|<crc32 of the body>"
 * with RSA-SHA256 under a certificate it names by URL; we fetch that only
 * from configured URL prefixes (PayPal's API hosts, over TLS), so the TLS
 * check of the host stands in for a certificate chain. Mercado Pago signs
 * "id:<data.id>;request-id:<x-request-id>;ts:<ts>;" with HMAC-SHA256 under
 * the webhook secret. */
#include "clock.h"
#include "pay/parse.h"
#include "pay/pay_internal.h"
#include "pay/webhook_internal.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How far a Mercado Pago signature's ts may be from our clock, in seconds.
 * MP's docs suggest comparing ts to now to refuse replays; a retry of the
 * same notification is signed again with a new ts. */
#define PA_PAY_MP_TS_SKEW 300
#define PA_PAY_SIG_MAX    1024  /* decoded bytes of a PayPal signature (RSA-8192 fits) */
#define PA_PAY_CERT_MAX   65536 /* bytes of a PEM certificate we accept */

static const char *header(const pa_pay_webhook *wh, const char *name) {
  return wh->header ? wh->header(wh->ctx, name) : NULL;
}

/* ---- the certificate cache */

void pa_pay_certs_free(pa_pay *pay) {
  for (int i = 0; i < PA_PAY_CERT_CACHE_MAX; i++) {
    X509_free(pay->certs[i].x509);
    pay->certs[i].x509 = NULL;
    pay->certs[i].url[0] = 0;
  }
}

/* Stores x (consumed) under url, evicting the least recently used entry
 * when full. */
static void cache_put(pa_pay *pay, const char *url, X509 *x) {
  pthread_mutex_lock(&pay->cert_lock);
  int slot = 0;
  for (int i = 0; i < PA_PAY_CERT_CACHE_MAX; i++) {
    if (strcmp(pay->certs[i].url, url) == 0) {
      slot = i;
      break;
    }
    if (pay->certs[i].used < pay->certs[slot].used) slot = i;
  }
  pa_pay_cert_entry *e = &pay->certs[slot];
  X509_free(e->x509);
  e->x509 = x;
  pa_pay_copy(e->url, sizeof e->url, url);
  e->used = ++pay->cert_tick;
  pthread_mutex_unlock(&pay->cert_lock);
}

/* The cached certificate of url with a reference for the caller, or NULL. */
static X509 *cache_get(pa_pay *pay, const char *url) {
  X509 *x = NULL;
  pthread_mutex_lock(&pay->cert_lock);
  for (int i = 0; i < PA_PAY_CERT_CACHE_MAX; i++) {
    pa_pay_cert_entry *e = &pay->certs[i];
    if (e->x509 && strcmp(e->url, url) == 0) {
      if (X509_up_ref(e->x509)) x = e->x509;
      e->used = ++pay->cert_tick;
      break;
    }
  }
  pthread_mutex_unlock(&pay->cert_lock);
  return x;
}

static X509 *pem_cert(const char *pem, size_t len) {
  if (!pem || len == 0 || len > PA_PAY_CERT_MAX) return NULL;
  BIO *b = BIO_new_mem_buf(pem, (int)len);
  X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
  BIO_free(b);
  return x;
}

int pa_pay_cert_seed(pa_pay *pay, const char *url, const char *pem, size_t len) {
  X509 *x = pem_cert(pem, len);
  if (!x || strlen(url) >= PA_PAY_URL_MAX) {
    X509_free(x);
    return -1;
  }
  cache_put(pay, url, x);
  return 0;
}

/* The certificate at url: cached, or fetched (only ever called after the
 * allow-list accepted url). NULL with rc and err. */
static X509 *cert_for(pa_pay *pay, const char *url, int *rc, char err[PA_PAY_ERR_MAX]) {
  X509 *x = cache_get(pay, url);
  if (x) return x;
  pa_payhttp_resp r;
  *rc = pa_payhttp_request("GET", url, NULL, 0, NULL, 0, pay->cfg.timeout_ms, &r, err);
  if (*rc != PA_PAY_OK) return NULL;
  if (r.status != 200) {
    /* No certificate now (PayPal down, a 404): unknown, so the provider
     * should retry rather than be told the signature is bad. */
    pa_pay_fail(err, PA_PAY_EUNREACHABLE, "certificate fetch answered HTTP %ld", r.status);
    pa_payhttp_resp_free(&r);
    *rc = PA_PAY_EUNREACHABLE;
    return NULL;
  }
  x = pem_cert(r.body, r.len);
  pa_payhttp_resp_free(&r);
  if (!x) {
    *rc = pa_pay_fail(err, PA_PAY_EVERIFY, "the certificate URL did not serve a PEM certificate");
    return NULL;
  }
  if (!X509_up_ref(x)) {
    X509_free(x);
    *rc = pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
    return NULL;
  }
  cache_put(pay, url, x); /* the cache keeps one reference, we use the other */
  return x;
}

/* RSA-SHA256 of msg under x's public key against the base64 sig: 1 good. */
static int rsa_ok(X509 *x, const char *msg, size_t len, const char *sig_b64) {
  unsigned char sig[PA_PAY_SIG_MAX];
  size_t sig_len = 0;
  if (sodium_base642bin(sig, sizeof sig, sig_b64, strlen(sig_b64), " \t\r\n", &sig_len, NULL,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      sig_len == 0)
    return 0;
  EVP_PKEY *key = X509_get0_pubkey(x);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  int ok = key && md && EVP_PKEY_base_id(key) == EVP_PKEY_RSA &&
           EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
           EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)msg, len) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

static int paypal_open(pa_pay *pay, const pa_pay_webhook *wh, pa_pay_event *out,
                       char err[PA_PAY_ERR_MAX]) {
  const char *id = header(wh, "PAYPAL-TRANSMISSION-ID"),
             *time = header(wh, "PAYPAL-TRANSMISSION-TIME"),
             *sig = header(wh, "PAYPAL-TRANSMISSION-SIG"), *url = header(wh, "PAYPAL-CERT-URL"),
             *algo = header(wh, "PAYPAL-AUTH-ALGO");
  if (!pay->cfg.paypal_webhook_id[0])
    return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "PA_PAYPAL_WEBHOOK_ID is not set");
  if (!id || !*id || !time || !*time || !sig || !*sig || !url || !algo)
    return pa_pay_fail(err, PA_PAY_EVERIFY, "missing PAYPAL-* signature headers");
  if (strcmp(algo, "SHA256withRSA") != 0)
    return pa_pay_fail(err, PA_PAY_EVERIFY, "unsupported PAYPAL-AUTH-ALGO");
  if (!pa_pay_cert_url_allowed(pay->cfg.paypal_cert_prefixes, url))
    return pa_pay_fail(err, PA_PAY_EVERIFY, "PAYPAL-CERT-URL outside the allowed prefixes");
  if (!wh->body || wh->len == 0 || wh->len > PA_PAY_WEBHOOK_MAX)
    return pa_pay_fail(err, PA_PAY_EBADANSWER, "empty or oversized body");
  char msg[3 * PA_PAY_URL_MAX];
  int n = snprintf(msg, sizeof msg, "%s|%s|%s|%lu", id, time, pay->cfg.paypal_webhook_id,
                   (unsigned long)pa_pay_crc32(wh->body, wh->len));
  if (n < 0 || (size_t)n >= sizeof msg)
    return pa_pay_fail(err, PA_PAY_EVERIFY, "signature headers too long");
  int rc = PA_PAY_OK;
  X509 *x = cert_for(pay, url, &rc, err);
  if (!x) return rc;
  time_t now = (time_t)pa_clock_now();
  int valid = X509_cmp_time(X509_get0_notBefore(x), &now) < 0 &&
              X509_cmp_time(X509_get0_notAfter(x), &now) > 0;
  int good = valid && rsa_ok(x, msg, (size_t)n, sig);
  X509_free(x);
  if (!valid) return pa_pay_fail(err, PA_PAY_EVERIFY, "the signing certificate is not valid now");
  if (!good) return pa_pay_fail(err, PA_PAY_EVERIFY, "PayPal signature does not verify");
  return pa_pay_paypal_event(wh->body, wh->len, out, err);
}

static int mp_open(pa_pay *pay, const pa_pay_webhook *wh, pa_pay_event *out,
                   char err[PA_PAY_ERR_MAX]) {
  const char *secret = pay->cfg.mp_webhook_secret;
  if (!secret[0]) return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "PA_MP_WEBHOOK_SECRET is not set");
  const char *xs = header(wh, "x-signature"), *rid = header(wh, "x-request-id");
  char ts[24], v1[72], data_id[PA_PAY_ID_MAX];
  if (!xs || !rid || !*rid || strlen(rid) >= PA_PAY_ID_MAX || pa_pay_mp_signature(xs, ts, v1))
    return pa_pay_fail(err, PA_PAY_EVERIFY, "missing or malformed x-signature / x-request-id");
  if (pa_pay_mp_data_id(wh->query, data_id))
    return pa_pay_fail(err, PA_PAY_EVERIFY, "missing or malformed data.id in the query");
  long long t = 0;
  for (const char *p = ts; *p; p++) {
    if (*p < '0' || *p > '9' || t > 100000000000000LL)
      return pa_pay_fail(err, PA_PAY_EVERIFY, "malformed ts");
    t = t * 10 + (*p - '0');
  }
  char manifest[3 * PA_PAY_ID_MAX + 64];
  int n = snprintf(manifest, sizeof manifest, "id:%s;request-id:%s;ts:%s;", data_id, rid, ts);
  if (n < 0 || (size_t)n >= sizeof manifest)
    return pa_pay_fail(err, PA_PAY_EVERIFY, "signature fields too long");
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)manifest, (size_t)n);
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[2 * crypto_auth_hmacsha256_BYTES + 1], given[sizeof hex];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  size_t gl = strlen(v1);
  for (size_t i = 0; i < gl && i < sizeof given; i++)
    given[i] = (char)tolower((unsigned char)v1[i]);
  if (gl != sizeof hex - 1 || sodium_memcmp(given, hex, sizeof hex - 1) != 0)
    return pa_pay_fail(err, PA_PAY_EVERIFY, "Mercado Pago signature does not verify");
  /* ts is in seconds in MP's docs; accept milliseconds too. Checked after
   * the HMAC so a forged ts cannot probe our clock. */
  if (t > 100000000000LL) t /= 1000;
  long long skew = t - (long long)pa_clock_now();
  if (skew > PA_PAY_MP_TS_SKEW || skew < -PA_PAY_MP_TS_SKEW)
    return pa_pay_fail(err, PA_PAY_EVERIFY, "x-signature ts is %lld s from our clock", skew);
  return pa_pay_mp_event(wh->body, wh->len, wh->query, rid, out, err);
}

int pa_pay_webhook_open(pa_pay *pay, const pa_pay_webhook *wh, pa_pay_event *out,
                        char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  err[0] = 0;
  out->provider = wh->provider;
  if (wh->provider == PA_PAY_PAYPAL) return paypal_open(pay, wh, out, err);
  if (wh->provider == PA_PAY_MERCADOPAGO) return mp_open(pay, wh, out, err);
  return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "unknown provider");
}
