/* Web Push (web/src/push/): RFC 8291's appendix A example byte for byte,
 * round trips at the plaintext limit, VAPID JWTs verified with OpenSSL the
 * way a push service does, the endpoint policy (what SSRF would try) and the
 * subscribe body at their limits, and the payload's words. */
#include "pa_test.h"
#include "push/crypto.h"
#include "push/push.h"
#include "push/sub.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t b64(const char *s, uint8_t *out, size_t cap) {
  size_t n = 0;
  CHECK(pa_push_b64url_decode(s, strlen(s), out, cap, &n) == PA_PUSH_OK);
  return n;
}

/* RFC 8291 section 5 and appendix A. */
static const char plain[] = "When I grow up, I want to be a watermelon";
static const char as_priv_b[] = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
static const char as_pub_b[] =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
static const char ua_priv_b[] = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
static const char ua_pub_b[] =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
static const char salt_b[] = "DGv6ra1nlYgDCS1FRnbzlw";
static const char auth_b[] = "BTBZMqHH6r4Tts7J_aSIgg";
static const char body_b[] =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6"
    "TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulc"
    "y4a-fN";

static void rfc8291_appendix_a(void) {
  uint8_t as_priv[32], as_pub[65], ua_priv[32], ua_pub[65], salt[16], auth[16], want[200];
  CHECK(b64(as_priv_b, as_priv, sizeof as_priv) == 32);
  CHECK(b64(as_pub_b, as_pub, sizeof as_pub) == 65);
  CHECK(b64(ua_priv_b, ua_priv, sizeof ua_priv) == 32);
  CHECK(b64(ua_pub_b, ua_pub, sizeof ua_pub) == 65);
  CHECK(b64(salt_b, salt, sizeof salt) == 16);
  CHECK(b64(auth_b, auth, sizeof auth) == 16);
  size_t wn = b64(body_b, want, sizeof want);
  CHECK(wn == 144);
  uint8_t pub[65];
  CHECK(pa_push_pubkey(as_priv, pub) == PA_PUSH_OK && memcmp(pub, as_pub, 65) == 0);
  uint8_t out[PA_PUSH_BODY_MAX];
  size_t n = 0;
  CHECK(pa_push_encrypt_with((const uint8_t *)plain, strlen(plain), ua_pub, auth, as_priv, as_pub,
                             salt, 0, out, sizeof out, &n) == PA_PUSH_OK);
  CHECK(n == wn && memcmp(out, want, n) == 0);
  char text[300];
  CHECK(pa_push_b64url_encode(out, n, text, sizeof text) == PA_PUSH_OK);
  CHECK(strcmp(text, body_b) == 0);
  /* and the receiving side opens it */
  uint8_t back[200];
  size_t bn = 0;
  CHECK(pa_push_decrypt(want, wn, ua_priv, ua_pub, auth, back, sizeof back, &bn) == PA_PUSH_OK);
  CHECK(bn == strlen(plain) && memcmp(back, plain, bn) == 0);
  /* one flipped bit anywhere in the ciphertext or tag is refused */
  for (size_t i = PA_PUSH_HEADER_LEN; i < wn; i += 7) {
    want[i] ^= 1;
    CHECK(pa_push_decrypt(want, wn, ua_priv, ua_pub, auth, back, sizeof back, &bn) ==
          PA_PUSH_EINVAL);
    want[i] ^= 1;
  }
  /* a wrong auth secret too */
  auth[0] ^= 1;
  CHECK(pa_push_decrypt(want, wn, ua_priv, ua_pub, auth, back, sizeof back, &bn) == PA_PUSH_EINVAL);
}

static void round_trip_at_the_limit(void) {
  uint8_t ua_priv[32], ua_pub[65], auth[16] = {1, 2, 3};
  CHECK(pa_push_keygen(ua_priv, ua_pub) == PA_PUSH_OK);
  CHECK(pa_push_point_ok(ua_pub));
  static uint8_t msg[PA_PUSH_PLAIN_MAX + 1], out[PA_PUSH_BODY_MAX + 64], back[PA_PUSH_BODY_MAX];
  for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)('a' + i % 26);
  size_t n = 0, bn = 0;
  /* the largest plaintext makes a 4096-byte body, what RFC 8030 lets services refuse beyond */
  CHECK(pa_push_encrypt(msg, PA_PUSH_PLAIN_MAX, ua_pub, auth, 0, out, sizeof out, &n) ==
        PA_PUSH_OK);
  CHECK(n == PA_PUSH_BODY_MAX);
  CHECK(pa_push_decrypt(out, n, ua_priv, ua_pub, auth, back, sizeof back, &bn) == PA_PUSH_OK);
  CHECK(bn == PA_PUSH_PLAIN_MAX && memcmp(back, msg, bn) == 0);
  CHECK(pa_push_encrypt(msg, PA_PUSH_PLAIN_MAX + 1, ua_pub, auth, 0, out, sizeof out, &n) ==
        PA_PUSH_EINVAL);
  /* padding up to the limit, and one byte past it */
  CHECK(pa_push_encrypt(msg, 10, ua_pub, auth, PA_PUSH_PLAIN_MAX - 10, out, sizeof out, &n) ==
        PA_PUSH_OK);
  CHECK(n == PA_PUSH_BODY_MAX);
  CHECK(pa_push_decrypt(out, n, ua_priv, ua_pub, auth, back, sizeof back, &bn) == PA_PUSH_OK);
  CHECK(bn == 10);
  CHECK(pa_push_encrypt(msg, 10, ua_pub, auth, PA_PUSH_PLAIN_MAX - 9, out, sizeof out, &n) ==
        PA_PUSH_EINVAL);
  /* a point off the curve is refused before any ECDH */
  uint8_t bad[65];
  memcpy(bad, ua_pub, 65);
  bad[64] ^= 1;
  CHECK(!pa_push_point_ok(bad));
  CHECK(pa_push_encrypt(msg, 10, bad, auth, 0, out, sizeof out, &n) == PA_PUSH_EINVAL);
}

/* Verifies a JWT as a push service would (RFC 8292 §2, RFC 7515): ES256
 * over header.claims with the raw r||s signature; returns its claims. */
static int verify_jwt(const char *jwt, const uint8_t pub[65], char *claims, size_t cap) {
  const char *dot1 = strchr(jwt, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
  if (!dot2) return 0;
  uint8_t sig[80];
  size_t sn = 0, cn = 0;
  if (pa_push_b64url_decode(dot2 + 1, strlen(dot2 + 1), sig, sizeof sig, &sn) || sn != 64) return 0;
  if (pa_push_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), (uint8_t *)claims, cap - 1, &cn))
    return 0;
  claims[cn] = 0;
  ECDSA_SIG *es = ECDSA_SIG_new();
  ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
  uint8_t *der = NULL;
  int dlen = i2d_ECDSA_SIG(es, &der);
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 65);
  OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  EVP_PKEY *key = NULL;
  EVP_PKEY_fromdata_init(kc);
  EVP_PKEY_fromdata(kc, &key, EVP_PKEY_PUBLIC_KEY, params);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  int ok = key && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
           EVP_DigestVerify(md, der, (size_t)dlen, (const uint8_t *)jwt, (size_t)(dot2 - jwt)) == 1;
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(key);
  EVP_PKEY_CTX_free(kc);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  OPENSSL_free(der);
  ECDSA_SIG_free(es);
  return ok;
}

static void vapid_jwt(void) {
  uint8_t priv[32], pub[65], other_priv[32], other_pub[65];
  CHECK(pa_push_keygen(priv, pub) == PA_PUSH_OK);
  CHECK(pa_push_keygen(other_priv, other_pub) == PA_PUSH_OK);
  char jwt[PA_PUSH_JWT_MAX], claims[600];
  CHECK(pa_push_vapid_jwt(priv, "https://fcm.googleapis.com", 1700000000, "mailto:ops@example.org",
                          jwt, sizeof jwt) == PA_PUSH_OK);
  CHECK(strncmp(jwt, "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.", 37) == 0);
  CHECK(verify_jwt(jwt, pub, claims, sizeof claims));
  CHECK(strcmp(claims, "{\"aud\":\"https://fcm.googleapis.com\",\"exp\":1700000000,\"sub\":"
                       "\"mailto:ops@example.org\"}") == 0);
  CHECK(!verify_jwt(jwt, other_pub, claims, sizeof claims)); /* another key's JWT is refused */
  jwt[40] = jwt[40] == 'A' ? 'B' : 'A';                      /* so is a changed claim */
  CHECK(!verify_jwt(jwt, pub, claims, sizeof claims));
  /* our own strings only: a quote would break the JSON */
  CHECK(pa_push_vapid_jwt(priv, "https://a\"b", 1, "mailto:x", jwt, sizeof jwt) == PA_PUSH_EINVAL);
  CHECK(pa_push_vapid_jwt(priv, "https://a", 1, "mailto:x", jwt, 100) == PA_PUSH_ESPACE);
}

static int allowed(const pa_push_policy *p, const char *url) {
  char origin[PA_PUSH_ORIGIN_MAX + 1];
  return pa_push_endpoint_ok(url, p, origin, sizeof origin);
}

static void endpoint_policy(void) {
  pa_push_policy p;
  pa_push_policy_default(&p);
  char origin[PA_PUSH_ORIGIN_MAX + 1];
  CHECK(pa_push_endpoint_ok("https://fcm.googleapis.com/fcm/send/abc", &p, origin, sizeof origin));
  CHECK(strcmp(origin, "https://fcm.googleapis.com") == 0);
  CHECK(allowed(&p, "https://updates.push.services.mozilla.com/wpush/v2/gAAA"));
  CHECK(allowed(&p, "https://web.push.apple.com/QGuQ"));
  CHECK(allowed(&p, "https://wns2-by3p.notify.windows.com/w/?token=x"));
  /* what a person might send to reach something else */
  CHECK(!allowed(&p, "http://fcm.googleapis.com/fcm/send/abc"));    /* not https */
  CHECK(!allowed(&p, "https://evilfcm.googleapis.com/x"));          /* not a subdomain */
  CHECK(!allowed(&p, "https://fcm.googleapis.com.evil.example/x")); /* a suffix of theirs */
  CHECK(!allowed(&p, "https://fcm.googleapis.com:8443/x"));         /* another port */
  CHECK(!allowed(&p, "https://user@fcm.googleapis.com/x"));         /* user info */
  CHECK(!allowed(&p, "https://evil.example@fcm.googleapis.com/x"));
  CHECK(!allowed(&p, "https://127.0.0.1/x")); /* an address */
  CHECK(!allowed(&p, "https://[::1]/x"));
  CHECK(!allowed(&p, "https://FCM.googleapis.com/x"));   /* case games */
  CHECK(!allowed(&p, "https://fcm.googleapis.com"));     /* no path */
  CHECK(!allowed(&p, "https://fcm.googleapis.com/a b")); /* a space */
  CHECK(!allowed(&p, "https://fcm.googleapis.com/a\\@evil"));
  CHECK(!allowed(&p, "https://a..fcm.googleapis.com/x"));
  CHECK(!allowed(&p, "http://127.0.0.1:9000/push/x")); /* no stand-in configured */
  /* the stand-in: loopback http only, that origin only */
  CHECK(pa_push_policy_standin(&p, "http://10.0.0.1:9000") == PA_PUSH_EINVAL);
  CHECK(pa_push_policy_standin(&p, "https://127.0.0.1:9000") == PA_PUSH_EINVAL);
  CHECK(pa_push_policy_standin(&p, "http://127.0.0.1") == PA_PUSH_EINVAL);
  CHECK(pa_push_policy_standin(&p, "http://127.0.0.1:9000") == PA_PUSH_OK);
  CHECK(allowed(&p, "http://127.0.0.1:9000/push/x"));
  CHECK(!allowed(&p, "http://127.0.0.1:90001/push/x"));
  CHECK(!allowed(&p, "http://127.0.0.1:9000@evil.example/push/x"));
  CHECK(!allowed(&p, "http://127.0.0.1:9001/push/x"));
  CHECK(!allowed(&p, "http://127.0.0.1:9000"));
  /* an endpoint of PA_PUSH_ENDPOINT_MAX bytes passes, one more does not */
  char url[PA_PUSH_ENDPOINT_MAX + 2];
  int k = snprintf(url, sizeof url, "https://fcm.googleapis.com/");
  memset(url + k, 'a', sizeof url - (size_t)k - 1);
  url[PA_PUSH_ENDPOINT_MAX] = 0;
  CHECK(allowed(&p, url));
  url[PA_PUSH_ENDPOINT_MAX] = 'a';
  url[PA_PUSH_ENDPOINT_MAX + 1] = 0;
  CHECK(!allowed(&p, url));
}

static void subscribe_body(void) {
  pa_push_policy p;
  pa_push_policy_default(&p);
  uint8_t priv[32], pub[65], auth[16] = {9};
  CHECK(pa_push_keygen(priv, pub) == PA_PUSH_OK);
  char k[100], a[40], body[PA_PUSH_SUB_BODY_MAX + 100], err[32];
  CHECK(pa_push_b64url_encode(pub, 65, k, sizeof k) == PA_PUSH_OK);
  CHECK(pa_push_b64url_encode(auth, 16, a, sizeof a) == PA_PUSH_OK);
  pa_push_sub s;
#define BODY(ep, kk, aa, extra)                                                                    \
  snprintf(body, sizeof body,                                                                      \
           "{\"endpoint\":\"%s\",\"keys\":{\"p256dh\":\"%s\",\"auth\":\"%s\"}%s}", ep, kk, aa,     \
           extra)
  BODY("https://fcm.googleapis.com/fcm/send/x", k, a, ",\"locale\":\"pt-BR\"");
  CHECK(pa_push_sub_parse(body, strlen(body), &p, &s, err, sizeof err) == PA_PUSH_OK);
  CHECK(memcmp(s.p256dh, pub, 65) == 0 && memcmp(s.auth, auth, 16) == 0);
  CHECK(strcmp(s.locale, "pt-BR") == 0);
  BODY("https://fcm.googleapis.com/fcm/send/x", k, a, "");
  CHECK(pa_push_sub_parse(body, strlen(body), &p, &s, err, sizeof err) == PA_PUSH_OK);
  CHECK(strcmp(s.locale, "en") == 0);
  BODY("http://169.254.169.254/latest/meta-data", k, a, "");
  CHECK(pa_push_sub_parse(body, strlen(body), &p, &s, err, sizeof err) == PA_PUSH_EINVAL);
  CHECK(strcmp(err, "endpoint") == 0);
  BODY("https://fcm.googleapis.com/x", a, a, ""); /* 16 bytes where 65 go */
  CHECK(pa_push_sub_parse(body, strlen(body), &p, &s, err, sizeof err) == PA_PUSH_EINVAL);
  CHECK(strcmp(err, "keys.p256dh") == 0);
  pub[64] ^= 1; /* off the curve */
  char bad[100];
  CHECK(pa_push_b64url_encode(pub, 65, bad, sizeof bad) == PA_PUSH_OK);
  BODY("https://fcm.googleapis.com/x", bad, a, "");
  CHECK(pa_push_sub_parse(body, strlen(body), &p, &s, err, sizeof err) == PA_PUSH_EINVAL);
  CHECK(strcmp(err, "keys.p256dh") == 0);
  BODY("https://fcm.googleapis.com/x", k, "AAAA", "");
  CHECK(pa_push_sub_parse(body, strlen(body), &p, &s, err, sizeof err) == PA_PUSH_EINVAL);
  CHECK(strcmp(err, "keys.auth") == 0);
  BODY("https://fcm.googleapis.com/x", k, a, ",\"locale\":\"../../etc\"");
  CHECK(pa_push_sub_parse(body, strlen(body), &p, &s, err, sizeof err) == PA_PUSH_EINVAL);
  CHECK(strcmp(err, "locale") == 0);
  /* a locale of PA_PUSH_LOCALE_MAX bytes passes, one more does not */
  char loc[64];
  snprintf(loc, sizeof loc, ",\"locale\":\"%.*s\"", PA_PUSH_LOCALE_MAX,
           "abcdefghijklmnopqrstuvwxyz");
  BODY("https://fcm.googleapis.com/x", k, a, loc);
  CHECK(pa_push_sub_parse(body, strlen(body), &p, &s, err, sizeof err) == PA_PUSH_OK);
  snprintf(loc, sizeof loc, ",\"locale\":\"%.*s\"", PA_PUSH_LOCALE_MAX + 1,
           "abcdefghijklmnopqrstuvwxyz");
  BODY("https://fcm.googleapis.com/x", k, a, loc);
  CHECK(pa_push_sub_parse(body, strlen(body), &p, &s, err, sizeof err) == PA_PUSH_EINVAL);
  CHECK(pa_push_sub_parse("[]", 2, &p, &s, err, sizeof err) == PA_PUSH_EINVAL);
  CHECK(pa_push_sub_parse("{", 1, &p, &s, err, sizeof err) == PA_PUSH_EINVAL);
  /* a body of PA_PUSH_SUB_BODY_MAX + 1 bytes is refused before parsing */
  memset(body, ' ', sizeof body);
  CHECK(pa_push_sub_parse(body, PA_PUSH_SUB_BODY_MAX + 1, &p, &s, err, sizeof err) ==
        PA_PUSH_EINVAL);
  CHECK(strcmp(err, "body") == 0);
#undef BODY
}

static void payload_words(void) {
  setenv("PA_VAPID_PRIVATE_KEY", as_priv_b, 1);
  char err[200];
  pa_push *p = pa_push_new("/nonexistent", "/nonexistent", err, sizeof err);
  CHECK(p != NULL);
  CHECK(strcmp(pa_push_public_key(p), as_pub_b) == 0);
  pa_store_push_item it = {.source = "chat",
                           .n_kind = "chat",
                           .actor_name = "Ana",
                           .actor_handle = "ana",
                           .actor_id = 7,
                           .locale = "en"};
  char out[PA_PUSH_PAYLOAD_MAX + 64];
  CHECK(pa_push_payload(p, &it, out, sizeof out) == PA_PUSH_OK);
  /* no catalogs here: the keys stand in for the words */
  CHECK(strcmp(out, "{\"title\":\"push.chat\",\"body\":\"push.chat.body\",\"url\":\"/chat/u_7\","
                    "\"tag\":\"chat\",\"kind\":\"chat\"}") == 0);
  it.n_kind = "like", it.post_id = 12;
  CHECK(pa_push_payload(p, &it, out, sizeof out) == PA_PUSH_OK);
  CHECK_CONTAINS(out, "\"url\":\"/posts/p_12\"");
  /* An order's notice opens the order it names, and only a well-formed id. */
  it.source = "notice", it.n_kind = "order";
  it.detail = "{\"step\":\"paid\",\"order\":\"ord_42\",\"role\":\"seller\"}";
  CHECK(pa_push_payload(p, &it, out, sizeof out) == PA_PUSH_OK);
  CHECK_CONTAINS(out, "\"url\":\"/orders/ord_42\"");
  const char *bad[] = {"{}",
                       "{\"order\":\"ord_0\"}",
                       "{\"order\":\"ord_4/../x\"}",
                       "{\"order\":42}",
                       "{\"order\":\"ord_1234567890123456789\"}",
                       "not json",
                       NULL};
  for (int i = 0; bad[i]; i++) {
    it.detail = bad[i];
    CHECK(pa_push_payload(p, &it, out, sizeof out) == PA_PUSH_OK);
    CHECK_CONTAINS(out, "\"url\":\"/notifications\"");
  }
  it.detail = NULL;
  CHECK(pa_push_payload(p, &it, out, sizeof out) == PA_PUSH_OK);
  CHECK_CONTAINS(out, "\"url\":\"/notifications\"");
  /* A live (issue 24): "<name> is live", the pet's name and the title as the
   * body, the live's screen; the name or the title alone when one is empty. */
  it.n_kind = "live";
  it.detail = "{\"live\":\"live_9\",\"pet\":\"Rex\",\"title\":\"Walk\"}";
  CHECK(pa_push_payload(p, &it, out, sizeof out) == PA_PUSH_OK);
  CHECK(strcmp(out,
               "{\"title\":\"push.live\",\"body\":\"Rex \u00b7 Walk\",\"url\":\"/live/live_9\","
               "\"tag\":\"live\",\"kind\":\"live\"}") == 0);
  it.detail = "{\"live\":\"live_9\",\"pet\":\"Rex\",\"title\":\"\"}";
  CHECK(pa_push_payload(p, &it, out, sizeof out) == PA_PUSH_OK);
  CHECK_CONTAINS(out, "\"body\":\"Rex\"");
  it.detail = "{\"live\":\"live_0\"}";
  CHECK(pa_push_payload(p, &it, out, sizeof out) == PA_PUSH_OK);
  CHECK_CONTAINS(out, "\"url\":\"/notifications\"");
  CHECK_CONTAINS(out, "\"body\":\"push.open\"");
  it.n_kind = "live_replay";
  it.detail = "{\"live\":\"live_9\",\"reel\":\"r_3\",\"state\":\"ready\"}";
  CHECK(pa_push_payload(p, &it, out, sizeof out) == PA_PUSH_OK);
  CHECK(strcmp(out,
               "{\"title\":\"push.liveReplay\",\"body\":\"push.open\",\"url\":\"/live/live_9\","
               "\"tag\":\"live\",\"kind\":\"live_replay\"}") == 0);
  it.n_kind = "no_such_kind";
  CHECK(pa_push_payload(p, &it, out, sizeof out) == PA_PUSH_EINVAL);
  pa_push_free(p);
  setenv("PA_VAPID_PRIVATE_KEY", "not-a-key", 1);
  CHECK(pa_push_new("/nonexistent", "/nonexistent", err, sizeof err) == NULL);
  CHECK_CONTAINS(err, "PA_VAPID_PRIVATE_KEY");
  unsetenv("PA_VAPID_PRIVATE_KEY");
}

int main(void) {
  RUN(rfc8291_appendix_a);
  RUN(round_trip_at_the_limit);
  RUN(vapid_jwt);
  RUN(endpoint_policy);
  RUN(subscribe_body);
  RUN(payload_words);
  return pa_test_summary("push");
}
