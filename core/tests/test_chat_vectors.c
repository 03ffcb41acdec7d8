/* Known answers from outside the code: core/tests/data/chat-vectors.json was
 * computed by scripts/chat-vectors.py with python3-cryptography (never run
 * here). The core's own X3DH (responder side, through the public
 * pa_x3dh_respond) and its ratchet KDFs must give the same bytes. */
#include "chat/chat_test.h"
#include "pa/pa_crypto.h"
#include "pa/pa_x3dh.h"
#include "pa_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *doc;

/* The 32 bytes of the hex string field name of o; fails the check if absent. */
static void hex32(const cJSON *o, const char *name, uint8_t out[32]) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  memset(out, 0, 32);
  CHECK(cJSON_IsString(v) && strlen(v->valuestring) == 64);
  if (!cJSON_IsString(v) || strlen(v->valuestring) != 64) return;
  for (int i = 0; i < 32; i++) {
    unsigned b;
    CHECK(sscanf(v->valuestring + 2 * i, "%2x", &b) == 1);
    out[i] = (uint8_t)b;
  }
}

static uint32_t num(const cJSON *o, const char *name) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  CHECK(cJSON_IsNumber(v));
  return cJSON_IsNumber(v) ? (uint32_t)v->valuedouble : 0;
}

static void test_x3dh(void) {
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "x3dh"), *v;
  CHECK(cJSON_GetArraySize(list) == 2);
  int with_opk = 0;
  cJSON_ArrayForEach(v, list) {
    uint8_t a_seed[32], a_ik[32], ek[32], ek_pub[32], b_seed[32], b_ik[32], spk[32], spk_pub[32],
        opk[32] = {0}, want[32];
    hex32(v, "ik_a_seed", a_seed), hex32(v, "ik_a", a_ik), hex32(v, "ek_a_secret", ek);
    hex32(v, "ek_a", ek_pub), hex32(v, "ik_b_seed", b_seed), hex32(v, "ik_b", b_ik);
    hex32(v, "spk_b_secret", spk), hex32(v, "spk_b", spk_pub), hex32(v, "sk", want);
    uint32_t spk_id = num(v, "spk_id"), opk_id = num(v, "opk_id");
    if (opk_id) hex32(v, "opk_b_secret", opk), with_opk++;

    pa_error e;
    pa_x3dh_identity *a = NULL, *b = NULL;
    static const uint8_t unused[32] = {1};
    CHECK(pa_x3dh_test_identity(a_seed, 1, unused, 0, NULL, &a, &e) == PA_OK);
    CHECK(pa_x3dh_test_identity(b_seed, spk_id, spk, opk_id, opk, &b, &e) == PA_OK);
    if (!a || !b) return;
    /* The Ed25519 public keys from the seeds, as OpenSSL computed them. */
    CHECK(memcmp(pa_x3dh_identity_key(a), a_ik, 32) == 0);
    CHECK(memcmp(pa_x3dh_identity_key(b), b_ik, 32) == 0);

    /* Bob answers Alice's start: IK_A, EK_A and the two ids. */
    pa_x3dh_initial init = {.spk_id = spk_id, .opk_id = opk_id};
    memcpy(init.identity, a_ik, 32);
    memcpy(init.ephemeral, ek_pub, 32);
    pa_x3dh_shared sh;
    pa_crypto_fault why;
    CHECK(pa_x3dh_respond(b, &init, &sh, &why, &e) == PA_OK);
    CHECK(memcmp(sh.spk, spk_pub, 32) == 0);
    CHECK(memcmp(sh.sk, want, 32) == 0);

    /* The same ids under the other vector's presence or absence of an OPK
     * must not give this SK: the ids are in the derivation. */
    if (opk_id) {
      pa_x3dh_initial other = init;
      other.opk_id = 0;
      pa_x3dh_shared sh2;
      CHECK(pa_x3dh_respond(b, &other, &sh2, &why, &e) == PA_OK);
      CHECK(memcmp(sh2.sk, want, 32) != 0);
      pa_crypto_wipe(&sh2, sizeof sh2);
    }

    /* Alice's side through the public API (a fresh EK, so no fixed SK):
     * both sides of the core agree. */
    size_t n = pa_x3dh_bundle_size(b, 1);
    uint8_t *bundle = malloc(n);
    size_t got = 0;
    CHECK(bundle && pa_x3dh_bundle_export(b, 1, bundle, n, &got, &e) == PA_OK);
    uint8_t served[141 + 2 + 36];
    size_t served_n = 0;
    CHECK(pa_x3dh_bundle_select(bundle, got, opk_id ? 0 : -1, served, sizeof served, &served_n,
                                &e) == PA_OK);
    pa_x3dh_bundle pb;
    CHECK(pa_x3dh_bundle_parse(served, served_n, &pb, &e) == PA_OK);
    pa_x3dh_initial init_a;
    pa_x3dh_shared sh_a, sh_b;
    CHECK(pa_x3dh_initiate(a, &pb, &init_a, &sh_a, &e) == PA_OK);
    CHECK(init_a.spk_id == spk_id && init_a.opk_id == opk_id);
    CHECK(pa_x3dh_respond(b, &init_a, &sh_b, &why, &e) == PA_OK);
    CHECK(memcmp(sh_a.sk, sh_b.sk, 32) == 0);
    free(bundle);
    pa_crypto_wipe(&sh, sizeof sh);
    pa_crypto_wipe(&sh_a, sizeof sh_a);
    pa_crypto_wipe(&sh_b, sizeof sh_b);
    pa_x3dh_identity_free(a);
    pa_x3dh_identity_free(b);
  }
  CHECK(with_opk == 1);
}

static void test_ratchet_kdfs(void) {
  const cJSON *steps = cJSON_GetObjectItemCaseSensitive(doc, "ratchet"), *s;
  CHECK(cJSON_GetArraySize(steps) == 3);
  uint8_t rk[32];
  hex32(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "x3dh"), 0), "sk", rk);
  int chain_steps = 0;
  cJSON_ArrayForEach(s, steps) {
    uint8_t rk_in[32], mine[32], theirs[32], want_dh[32], dh[32], ck[32], want[32];
    hex32(s, "rk", rk_in);
    CHECK(memcmp(rk, rk_in, 32) == 0); /* each step starts from the previous root key */
    hex32(s, "dh_secret", mine), hex32(s, "dh_public", theirs), hex32(s, "dh", want_dh);
    pa_error e;
    CHECK(pa_crypto_x25519(dh, mine, theirs, &e) == PA_OK);
    CHECK(memcmp(dh, want_dh, 32) == 0);
    pa_ratchet_test_kdf_rk(rk, ck, dh);
    hex32(s, "rk_out", want);
    CHECK(memcmp(rk, want, 32) == 0);
    hex32(s, "ck_out", want);
    CHECK(memcmp(ck, want, 32) == 0);
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(s, "chain")) {
      uint8_t mk[32];
      pa_ratchet_test_kdf_ck(ck, mk);
      hex32(c, "mk", want);
      CHECK(memcmp(mk, want, 32) == 0);
      hex32(c, "ck", want);
      CHECK(memcmp(ck, want, 32) == 0);
      chain_steps++;
    }
  }
  CHECK(chain_steps == 9);
}

int main(void) {
  if (pa_crypto_init(NULL) != PA_OK) return 1;
  FILE *f = fopen(PA_CHAT_VECTORS, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", PA_CHAT_VECTORS);
    return 1;
  }
  static char text[64 * 1024];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  doc = cJSON_Parse(text);
  if (!doc) {
    fprintf(stderr, "%s is not JSON\n", PA_CHAT_VECTORS);
    return 1;
  }
  RUN(test_x3dh);
  RUN(test_ratchet_kdfs);
  cJSON_Delete(doc);
  return pa_test_summary("chat_vectors");
}
