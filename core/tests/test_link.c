/* Linking a device (pa_link.h, chat.md "Linking a device"): the whole
 * exchange, every refusal (a wrong code, each byte changed, a list for another
 * account or device, a mismatched key), and the link code's text at its
 * edges. */
#include "pa/pa_copy.h"
#include "pa/pa_crypto.h"
#include "pa/pa_link.h"
#include "pa_test.h"

#include <stdio.h>
#include <string.h>

/* A signed device list as ident's pa_devlist makes it (chat.md): built here
 * byte by byte, so the test does not trust the code it checks. */
static size_t make_list(uint8_t *out, const uint8_t aik_sk[64], const char *account,
                        uint8_t (*iks)[32], size_t count) {
  size_t n = 0;
  out[n++] = 1;
  memcpy(out + n, aik_sk + 32, 32);
  n += 32;
  static const uint8_t version_and_time[16] = {0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0x67, 0, 0, 0};
  memcpy(out + n, version_and_time, 16);
  n += 16;
  out[n++] = (uint8_t)count;
  for (size_t i = 0; i < count; i++, n += 32) memcpy(out + n, iks[i], 32);
  uint8_t msg[512];
  size_t m = 0;
  memcpy(msg, "PetAmigos DeviceList v1", 23);
  m = 23;
  memcpy(msg + m, account, strlen(account));
  m += strlen(account);
  msg[m++] = 0;
  memcpy(msg + m, out, n);
  m += n;
  pa_crypto_ed25519_sign(out + n, msg, m, aik_sk);
  return n + 64;
}

typedef struct world {
  uint8_t aik_pk[32], aik_sk[64], old_ik[32], new_ik[32], other_ik[32], sk[64];
  uint8_t secret[PA_LINK_SECRET_BYTES], eph_sk[32], req[PA_LINK_REQUEST_BYTES];
  uint8_t list[PA_LINK_LIST_MAX];
  size_t list_len;
  uint8_t resp[PA_LINK_RESPONSE_MAX];
  size_t resp_len;
} world;

static void setup(world *w) {
  uint8_t seed[32];
  pa_crypto_random(seed, 32);
  pa_crypto_ed25519_from_seed(w->aik_pk, w->aik_sk, seed);
  pa_crypto_random(seed, 32);
  pa_crypto_ed25519_from_seed(w->old_ik, w->sk, seed);
  pa_crypto_random(seed, 32);
  pa_crypto_ed25519_from_seed(w->new_ik, w->sk, seed);
  pa_crypto_random(seed, 32);
  pa_crypto_ed25519_from_seed(w->other_ik, w->sk, seed);
  CHECK(pa_link_request_build(w->new_ik, w->secret, w->eph_sk, w->req, NULL) == PA_OK);
  uint8_t iks[2][32];
  memcpy(iks[0], w->old_ik, 32);
  memcpy(iks[1], w->new_ik, 32);
  w->list_len = make_list(w->list, w->aik_sk, "u_7", iks, 2);
  pa_crypto_fault f = PA_FAULT_NONE;
  CHECK(pa_link_response_seal(w->req, sizeof w->req, w->secret, w->aik_sk, w->list, w->list_len,
                              w->resp, sizeof w->resp, &w->resp_len, &f, NULL) == PA_OK);
  CHECK(w->resp_len == pa_link_response_size(w->list_len));
}

static pa_status open_resp(world *w, const uint8_t *resp, size_t len, const char *account,
                           pa_crypto_fault *f) {
  uint8_t aik[64], list[PA_LINK_LIST_MAX];
  size_t n = 0;
  memset(aik, 0xAA, sizeof aik);
  pa_status st = pa_link_response_open(resp, len, w->req, sizeof w->req, w->secret, w->eph_sk,
                                       account, aik, list, sizeof list, &n, f, NULL);
  if (st == PA_OK) {
    CHECK(!memcmp(aik, w->aik_sk, 64));
    CHECK(n == w->list_len && !memcmp(list, w->list, n));
  } else {
    uint8_t zero[64] = {0};
    CHECK(!memcmp(aik, zero, 64)); /* nothing of a refused response is left behind */
  }
  return st;
}

static void test_link_round_trip(void) {
  world w;
  setup(&w);
  CHECK(w.req[0] == 1 && !memcmp(w.req + 33, w.new_ik, 32));
  uint8_t eph[32], ik[32];
  pa_crypto_fault f;
  CHECK(pa_link_request_parse(w.req, sizeof w.req, w.secret, eph, ik, &f, NULL) == PA_OK);
  CHECK(!memcmp(eph, w.req + 1, 32) && !memcmp(ik, w.new_ik, 32) && f == PA_FAULT_NONE);
  CHECK(w.resp_len == 57 + 64 + (50 + 64 + 64) + 16);
  CHECK(open_resp(&w, w.resp, w.resp_len, "u_7", &f) == PA_OK);
}

static void test_link_request_refusals(void) {
  world w;
  setup(&w);
  uint8_t eph[32], ik[32], bad[PA_LINK_REQUEST_BYTES + 1];
  pa_crypto_fault f;
  /* The wrong code: one bit of S. */
  uint8_t s2[PA_LINK_SECRET_BYTES];
  memcpy(s2, w.secret, sizeof s2);
  s2[9] ^= 1;
  CHECK(pa_link_request_parse(w.req, sizeof w.req, s2, eph, ik, &f, NULL) == PA_ERR_SYNTAX &&
        f == PA_FAULT_FORGED);
  /* Every byte changed, one at a time. */
  int refused = 0;
  for (size_t i = 0; i < sizeof w.req; i++) {
    memcpy(bad, w.req, sizeof w.req);
    bad[i] ^= 0x40;
    refused += pa_link_request_parse(bad, sizeof w.req, w.secret, eph, ik, &f, NULL) != PA_OK;
  }
  CHECK(refused == (int)sizeof w.req);
  /* Lengths: one short, one long. */
  memcpy(bad, w.req, sizeof w.req);
  bad[sizeof w.req] = 0;
  CHECK(pa_link_request_parse(bad, sizeof w.req - 1, w.secret, eph, ik, &f, NULL) ==
            PA_ERR_TRUNCATED &&
        f == PA_FAULT_MALFORMED);
  CHECK(pa_link_request_parse(bad, sizeof w.req + 1, w.secret, eph, ik, &f, NULL) ==
            PA_ERR_SYNTAX &&
        f == PA_FAULT_MALFORMED);
  /* A version 2 request, even correctly MACed, is refused as unsupported. */
  bad[0] = 2;
  CHECK(pa_link_request_parse(bad, sizeof w.req, w.secret, eph, ik, &f, NULL) ==
        PA_ERR_UNSUPPORTED);
  /* The sealer checks the request too, and the list it is given. */
  uint8_t out[PA_LINK_RESPONSE_MAX];
  size_t n;
  CHECK(pa_link_response_seal(w.req, sizeof w.req, s2, w.aik_sk, w.list, w.list_len, out,
                              sizeof out, &n, &f, NULL) == PA_ERR_SYNTAX &&
        f == PA_FAULT_FORGED);
  uint8_t other_list[PA_LINK_LIST_MAX];
  uint8_t iks[1][32];
  memcpy(iks[0], w.old_ik, 32);
  size_t ol = make_list(other_list, w.aik_sk, "u_7", iks, 1);
  CHECK(pa_link_response_seal(w.req, sizeof w.req, w.secret, w.aik_sk, other_list, ol, out,
                              sizeof out, &n, &f,
                              NULL) == PA_ERR_ARG); /* not naming the new device */
  CHECK(pa_link_response_seal(w.req, sizeof w.req, w.secret, w.aik_sk, w.list, w.list_len - 1, out,
                              sizeof out, &n, &f, NULL) == PA_ERR_ARG);
  CHECK(pa_link_response_seal(w.req, sizeof w.req, w.secret, w.aik_sk, w.list, w.list_len, out,
                              pa_link_response_size(w.list_len) - 1, &n, &f, NULL) == PA_ERR_ARG);
}

static void test_link_response_refusals(void) {
  world w;
  setup(&w);
  uint8_t bad[PA_LINK_RESPONSE_MAX + 1];
  pa_crypto_fault f;
  int refused = 0;
  for (size_t i = 0; i < w.resp_len; i++) {
    memcpy(bad, w.resp, w.resp_len);
    bad[i] ^= 0x01;
    refused += open_resp(&w, bad, w.resp_len, "u_7", &f) != PA_OK;
  }
  CHECK(refused == (int)w.resp_len);
  CHECK(open_resp(&w, w.resp, w.resp_len - 1, "u_7", &f) != PA_OK);
  /* The list is signed for u_7: a device of u_8 refuses it. */
  CHECK(open_resp(&w, w.resp, w.resp_len, "u_8", &f) == PA_ERR_SYNTAX && f == PA_FAULT_FORGED);
  /* A response to another request (same S) does not open. */
  uint8_t secret2[PA_LINK_SECRET_BYTES], eph2[32], req2[PA_LINK_REQUEST_BYTES];
  CHECK(pa_link_request_build(w.new_ik, secret2, eph2, req2, NULL) == PA_OK);
  uint8_t aik[64], list[PA_LINK_LIST_MAX];
  size_t n;
  CHECK(pa_link_response_open(w.resp, w.resp_len, req2, sizeof req2, secret2, eph2, "u_7", aik,
                              list, sizeof list, &n, &f, NULL) == PA_ERR_SYNTAX &&
        f == PA_FAULT_FORGED);
  /* A list whose signature is for another key than the AIK sent beside it. */
  uint8_t seed[32], pk2[32], sk2[64], out[PA_LINK_RESPONSE_MAX];
  pa_crypto_random(seed, 32);
  pa_crypto_ed25519_from_seed(pk2, sk2, seed);
  uint8_t iks[2][32];
  memcpy(iks[0], w.old_ik, 32);
  memcpy(iks[1], w.new_ik, 32);
  uint8_t l2[PA_LINK_LIST_MAX];
  size_t l2n = make_list(l2, sk2, "u_7", iks, 2);
  CHECK(pa_link_response_seal(w.req, sizeof w.req, w.secret, w.aik_sk, l2, l2n, out, sizeof out, &n,
                              &f, NULL) == PA_ERR_ARG);
  /* Five devices is the largest list; the response is then at its maximum. */
  uint8_t five[5][32];
  for (int i = 0; i < 5; i++) {
    uint8_t ignored[64];
    pa_crypto_random(seed, 32);
    pa_crypto_ed25519_from_seed(five[i], ignored, seed);
  }
  memcpy(five[4], w.new_ik, 32);
  size_t l5 = make_list(l2, w.aik_sk, "u_7", five, 5);
  CHECK(l5 == PA_LINK_LIST_MAX);
  CHECK(pa_link_response_seal(w.req, sizeof w.req, w.secret, w.aik_sk, l2, l5, out, sizeof out, &n,
                              &f, NULL) == PA_OK &&
        n == PA_LINK_RESPONSE_MAX);
  CHECK(pa_link_response_open(out, n, w.req, sizeof w.req, w.secret, w.eph_sk, "u_7", aik, list,
                              sizeof list, &n, &f, NULL) == PA_OK &&
        n == l5);
}

static void test_link_code(void) {
  uint8_t s[PA_LINK_SECRET_BYTES] = {0x00, 0x44, 0x32, 0x14, 0xC7, 0x42, 0x54, 0xB6, 0x35, 0xCF};
  char code[PA_LINK_CODE_MAX + 1], id[PA_LINK_ID_MAX + 1];
  uint8_t back[PA_LINK_SECRET_BYTES];
  /* 00000 00001 00010 ... 01111: the first 16 characters of the alphabet. */
  CHECK(pa_link_code_format("lk_12", s, code, NULL) == PA_OK);
  CHECK(!strcmp(code, "lk_12 0123-4567-89AB-CDEF"));
  CHECK(pa_link_code_parse(code, strlen(code), id, back, NULL) == PA_OK);
  CHECK(!strcmp(id, "lk_12") && !memcmp(back, s, sizeof s));
  const char *typed = " LK_12 0123 4567-89ab-cdef ";
  memset(back, 0, sizeof back);
  CHECK(pa_link_code_parse(typed, strlen(typed), id, back, NULL) == PA_OK);
  CHECK(!strcmp(id, "lk_12") && !memcmp(back, s, sizeof s));
  /* A separator after the id is required: one character short must not read
   * as lk_1 with S = "20123456789ABCDE". */
  const char *glued = "lk_120123456789abcdef";
  CHECK(pa_link_code_parse(glued, strlen(glued), id, back, NULL) == PA_ERR_SYNTAX);
  const char *dashed = "LK_12-0123456789ABCDEF";
  CHECK(pa_link_code_parse(dashed, strlen(dashed), id, back, NULL) == PA_OK &&
        !strcmp(id, "lk_12"));
  uint8_t ff[PA_LINK_SECRET_BYTES];
  memset(ff, 0xFF, sizeof ff);
  CHECK(pa_link_code_format("lk_1", ff, code, NULL) == PA_OK &&
        !strcmp(code, "lk_1 ZZZZ-ZZZZ-ZZZZ-ZZZZ"));
  /* Refused: aliases and letters outside the alphabet, the wrong count, ids. */
  const char *bad[] = {
      "lk_12 0123-4567-89AB-CDEI",  "lk_12 0123-4567-89AB-CDEL", "lk_12 O123-4567-89AB-CDEF",
      "lk_12 0123-4567-89AB-CDEU",  "lk_12 0123-4567-89AB-CDE",  "lk_ 0123-4567-89AB-CDEF",
      "lk_012 0123-4567-89AB-CDEF", "lx_12 0123-4567-89AB-CDEF", "lk12 0123-4567-89AB-CDEF",
      "lk_12 0123-4567-89AB-CDE*",  "lk_12 0123_4567-89AB-CDEF", ""};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    CHECK(pa_link_code_parse(bad[i], strlen(bad[i]), id, back, NULL) != PA_OK);
  char nul[] = "lk_12 0123-4567-89AB-CDE\0";
  CHECK(pa_link_code_parse(nul, sizeof nul - 1, id, back, NULL) != PA_OK);
  /* Id digits: 19 is the most (an int64), 20 is refused. */
  char big[64];
  snprintf(big, sizeof big, "lk_%s 0123-4567-89AB-CDEF", "9223372036854775807");
  CHECK(pa_link_code_parse(big, strlen(big), id, back, NULL) == PA_OK &&
        !strcmp(id, "lk_9223372036854775807"));
  CHECK(pa_link_code_format(id, s, code, NULL) == PA_OK && strlen(code) == PA_LINK_CODE_MAX);
  snprintf(big, sizeof big, "lk_%s 0123-4567-89AB-CDEF", "12345678901234567890");
  CHECK(pa_link_code_parse(big, strlen(big), id, back, NULL) == PA_ERR_SYNTAX);
  CHECK(pa_link_code_format("lk_12345678901234567890", s, code, NULL) == PA_ERR_ARG);
  CHECK(pa_link_code_format("lk_0", s, code, NULL) == PA_ERR_ARG);
  /* Text length: 84 bytes (spaces pad) is read, 85 is refused before reading. */
  char pad[2 * PA_LINK_CODE_MAX + 2];
  memset(pad, ' ', sizeof pad);
  memcpy(pad, "lk_12 0123-4567-89AB-CDEF", 25);
  CHECK(pa_link_code_parse(pad, 2 * PA_LINK_CODE_MAX, id, back, NULL) == PA_OK);
  CHECK(pa_link_code_parse(pad, 2 * PA_LINK_CODE_MAX + 1, id, back, NULL) == PA_ERR_TOO_LARGE);
}

/* Own-device copies (pa_copy.h): the one shape, refused otherwise. */
static void test_copy(void) {
  char *body = NULL;
  size_t n = 0;
  const char *ok = "{\"v\":2,\"kind\":\"copy\",\"peer\":\"u_12\",\"body\":\"hi \\n there\"}";
  CHECK(pa_copy_parse(ok, strlen(ok), "u_12", &body, &n, NULL) == PA_OK);
  CHECK(body && n == 10 && !strcmp(body, "hi \n there"));
  pa_copy_free(body, n);
  CHECK(pa_copy_parse(ok, strlen(ok), "u_13", &body, &n, NULL) == PA_ERR_SCHEMA && !body);
  const char *bad[] = {"{\"v\":2,\"kind\":\"copy\",\"peer\":\"u_12\"}",
                       "{\"v\":2,\"kind\":\"copy\",\"peer\":\"u_12\",\"body\":\"x\",\"more\":1}",
                       "{\"v\":1,\"kind\":\"copy\",\"peer\":\"u_12\",\"body\":\"x\"}",
                       "{\"v\":2,\"kind\":\"group\",\"peer\":\"u_12\",\"body\":\"x\"}",
                       "{\"v\":2,\"kind\":\"copy\",\"peer\":\"u_012\",\"body\":\"x\"}",
                       "{\"v\":2,\"kind\":\"copy\",\"peer\":\"u_12\",\"body\":7}",
                       "{\"v\":2,\"kind\":\"copy\",\"peer\":\"u_12\",\"body\":\"x\"} x",
                       "{\"v\":2,\"kind\":\"copy\",\"peer\":\"u_12\",\"body\":\"a\\u0000b\"}",
                       "{\"v\":2,\"kind\":\"copy\",\"peer\":\"u_12\",\"body\":\"x\"",
                       "[2,\"copy\",\"u_12\",\"x\"]",
                       ""};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    CHECK(pa_copy_parse(bad[i], strlen(bad[i]), "u_12", &body, &n, NULL) != PA_OK);
    CHECK(body == NULL);
  }
  /* An escaped backslash before "u0000" is text, not a NUL. */
  const char *esc = "{\"v\":2,\"kind\":\"copy\",\"peer\":\"u_12\",\"body\":\"\\\\u0000\"}";
  CHECK(pa_copy_parse(esc, strlen(esc), "u_12", &body, &n, NULL) == PA_OK && n == 6);
  pa_copy_free(body, n);
  /* The body's limit: 256 KiB passes, one byte more is refused. */
  static char big[PA_COPY_BODY_MAX + 128];
  for (int extra = 0; extra <= 1; extra++) {
    int m = snprintf(big, sizeof big, "{\"v\":2,\"kind\":\"copy\",\"peer\":\"u_1\",\"body\":\"");
    memset(big + m, 'a', PA_COPY_BODY_MAX + extra);
    m += PA_COPY_BODY_MAX + extra;
    m += snprintf(big + m, sizeof big - (size_t)m, "\"}");
    pa_status st = pa_copy_parse(big, (size_t)m, "u_1", &body, &n, NULL);
    CHECK(extra ? st == PA_ERR_TOO_LARGE : (st == PA_OK && n == PA_COPY_BODY_MAX));
    pa_copy_free(body, n);
  }
}

int main(void) {
  if (pa_crypto_init(NULL) != PA_OK) return 1;
  RUN(test_link_round_trip);
  RUN(test_link_request_refusals);
  RUN(test_link_response_refusals);
  RUN(test_link_code);
  RUN(test_copy);
  return pa_test_summary("link");
}
