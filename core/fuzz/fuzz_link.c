/* libFuzzer target: the linking parsers (pa_link.h) over arbitrary bytes.
 * The first byte picks the parser: a link request checked with a fixed S, a
 * response opened against a fixed request, a typed link code, or an
 * own-device copy's plaintext (pa_copy.h) for peer u_7. A genuine
 * request and response are made once with seeded randomness, so the seed
 * corpus in tests/corpus/link stays valid.
 *
 * Invariants beyond "no crash": an accepted code formats and parses back to
 * the same id and S; an accepted response's list is exactly the bytes sealed;
 * a refused response leaves no AIK secret behind; an accepted copy,
 * written again canonically, reads back to the same body.
 * PA_FUZZ_LINK_SEEDS=DIR writes the seed corpus to DIR. */
#include "pa/pa_copy.h"
#include "pa/pa_crypto.h"
#include "pa/pa_link.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T_REQUEST, T_RESPONSE, T_CODE, T_COPY, T_COUNT };

static struct {
  uint64_t counter;
  uint8_t secret[PA_LINK_SECRET_BYTES], eph_sk[32], req[PA_LINK_REQUEST_BYTES];
  uint8_t list[PA_LINK_LIST_MAX];
  size_t list_len;
} world;

static void rng_buf(void *buf, size_t n) {
  static const uint8_t key[32] = "petamigos fuzz_link rng key!!!!";
  uint8_t nonce[8];
  for (int i = 0; i < 8; i++) nonce[i] = (uint8_t)(world.counter >> (8 * i));
  world.counter++;
  crypto_stream_chacha20(buf, n, nonce, key);
}
static uint32_t rng_u32(void) {
  uint32_t v;
  rng_buf(&v, sizeof v);
  return v;
}
static const char *rng_name(void) { return "fuzz"; }
static randombytes_implementation rng = {rng_name, rng_u32, NULL, NULL, rng_buf, NULL};

static void need(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fuzz_link: %s\n", what);
    abort();
  }
}

static void write_seed(const char *dir, const char *name, int target, const uint8_t *b, size_t n) {
  if (!dir) return;
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  need(f != NULL, path);
  fputc(target, f);
  fwrite(b, 1, n, f);
  fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  randombytes_set_implementation(&rng);
  need(pa_crypto_init(NULL) == PA_OK, "init");
  const char *dir = getenv("PA_FUZZ_LINK_SEEDS");
  uint8_t seed[32], aik_pk[32], aik_sk[64], ik[32], sk[64];
  randombytes_buf(seed, 32);
  pa_crypto_ed25519_from_seed(aik_pk, aik_sk, seed);
  randombytes_buf(seed, 32);
  pa_crypto_ed25519_from_seed(ik, sk, seed);
  need(pa_link_request_build(ik, world.secret, world.eph_sk, world.req, NULL) == PA_OK, "request");
  write_seed(dir, "request", T_REQUEST, world.req, sizeof world.req);
  /* A one-device list naming the new device, signed for u_1 (chat.md). */
  uint8_t *l = world.list, msg[512];
  size_t n = 0;
  l[n++] = 1;
  memcpy(l + n, aik_pk, 32), n += 32;
  memset(l + n, 0, 16), l[n + 7] = 1, n += 16;
  l[n++] = 1;
  memcpy(l + n, ik, 32), n += 32;
  memcpy(msg, "PetAmigos DeviceList v1u_1", 26);
  msg[26] = 0;
  memcpy(msg + 27, l, n);
  pa_crypto_ed25519_sign(l + n, msg, 27 + n, aik_sk);
  world.list_len = n + 64;
  uint8_t resp[PA_LINK_RESPONSE_MAX];
  size_t rn;
  need(pa_link_response_seal(world.req, sizeof world.req, world.secret, aik_sk, world.list,
                             world.list_len, resp, sizeof resp, &rn, NULL, NULL) == PA_OK,
       "response");
  write_seed(dir, "response", T_RESPONSE, resp, rn);
  char code[PA_LINK_CODE_MAX + 1];
  need(pa_link_code_format("lk_42", world.secret, code, NULL) == PA_OK, "code");
  write_seed(dir, "code", T_CODE, (const uint8_t *)code, strlen(code));
  const char *typed = " lk-42 abcd efgh-jkmn-pqrs";
  write_seed(dir, "code-typed", T_CODE, (const uint8_t *)typed, strlen(typed));
  const char *copy = "{\"v\":2,\"kind\":\"copy\",\"peer\":\"u_7\",\"body\":\"{\\\"v\\\":1,"
                     "\\\"text\\\":\\\"hi\\\"}\"}";
  write_seed(dir, "copy", T_COPY, (const uint8_t *)copy, strlen(copy));
  return 0;
}

static void fuzz_code(const uint8_t *d, size_t n) {
  char id[PA_LINK_ID_MAX + 1], code[PA_LINK_CODE_MAX + 1], id2[PA_LINK_ID_MAX + 1];
  uint8_t s[PA_LINK_SECRET_BYTES], s2[PA_LINK_SECRET_BYTES];
  if (pa_link_code_parse((const char *)d, n, id, s, NULL) != PA_OK) return;
  need(pa_link_code_format(id, s, code, NULL) == PA_OK, "an accepted code formats");
  need(pa_link_code_parse(code, strlen(code), id2, s2, NULL) == PA_OK && !strcmp(id, id2) &&
           !memcmp(s, s2, sizeof s),
       "a formatted code parses back to itself");
}

static void fuzz_request(const uint8_t *d, size_t n) {
  uint8_t eph[32], ik[32];
  pa_crypto_fault f;
  if (pa_link_request_parse(d, n, world.secret, eph, ik, &f, NULL) == PA_OK)
    need(n == PA_LINK_REQUEST_BYTES && !memcmp(eph, d + 1, 32) && !memcmp(ik, d + 33, 32),
         "an accepted request is what it says");
}

static void fuzz_response(const uint8_t *d, size_t n) {
  uint8_t aik[PA_LINK_AIK_SK_BYTES], list[PA_LINK_LIST_MAX];
  size_t ln = 0;
  pa_crypto_fault f;
  memset(aik, 0x5A, sizeof aik);
  pa_status st = pa_link_response_open(d, n, world.req, sizeof world.req, world.secret,
                                       world.eph_sk, "u_1", aik, list, sizeof list, &ln, &f, NULL);
  if (st == PA_OK)
    need(ln == world.list_len && !memcmp(list, world.list, ln), "the list is the one sealed");
  else {
    /* Untouched (0x5A) or wiped (0): never a key. */
    int uniform = aik[0] == 0 || aik[0] == 0x5A;
    for (size_t i = 1; i < sizeof aik; i++) uniform &= aik[i] == aik[0];
    need(uniform, "a refused response leaves no secret");
  }
}

static void fuzz_copy(const uint8_t *d, size_t n) {
  char *body = NULL, *again = NULL;
  size_t len = 0, len2 = 0;
  if (pa_copy_parse((const char *)d, n, "u_7", &body, &len, NULL) != PA_OK) {
    need(body == NULL, "a refused copy gives no body");
    return;
  }
  /* Canonical form: cJSON writes the body back; it must read the same. */
  cJSON *o = cJSON_CreateObject();
  need(o && cJSON_AddNumberToObject(o, "v", 2) && cJSON_AddStringToObject(o, "kind", "copy") &&
           cJSON_AddStringToObject(o, "peer", "u_7") && cJSON_AddStringToObject(o, "body", body),
       "build");
  char *text = cJSON_PrintUnformatted(o);
  need(text && pa_copy_parse(text, strlen(text), "u_7", &again, &len2, NULL) == PA_OK &&
           len2 == len && !memcmp(again, body, len),
       "an accepted copy re-encodes to the same body");
  pa_copy_free(again, len2);
  need(pa_copy_parse(text, strlen(text), "u_8", &again, &len2, NULL) != PA_OK && !again,
       "a copy is only for its own peer");
  cJSON_free(text);
  cJSON_Delete(o);
  pa_copy_free(body, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  switch (data[0] % T_COUNT) {
  case T_REQUEST: fuzz_request(data + 1, size - 1); break;
  case T_RESPONSE: fuzz_response(data + 1, size - 1); break;
  case T_CODE: fuzz_code(data + 1, size - 1); break;
  case T_COPY: fuzz_copy(data + 1, size - 1); break;
  }
  return 0;
}
