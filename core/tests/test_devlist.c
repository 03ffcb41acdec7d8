/* Account identity keys and signed device lists (pa_devlist.h): round trips,
 * every refusal of the parser, the account binding, the count at its edges,
 * the saved and secret forms, and the account safety number. */
#include "pa/pa_devlist.h"
#include "pa/pa_x3dh.h"
#include "pa_test.h"

#include <stdio.h>
#include <string.h>

static pa_error e;

/* n distinct valid device keys (real identities' Ed25519 keys). */
static void device_keys(uint8_t *out, int n) {
  for (int i = 0; i < n; i++) {
    pa_x3dh_identity *id;
    CHECK(pa_x3dh_identity_create(1700000000, 0, &id, &e) == PA_OK);
    memcpy(out + 32 * i, pa_x3dh_identity_key(id), 32);
    pa_x3dh_identity_free(id);
  }
}

static size_t sign(const pa_devlist_aik *a, const char *acct, uint64_t version, const uint8_t *devs,
                   int n, uint8_t *out) {
  size_t len = 0;
  CHECK(pa_devlist_sign(a, acct, version, 1765000000, devs, n, out, PA_DEVLIST_MAX_BYTES, &len,
                        &e) == PA_OK);
  return len;
}

static void test_round_trip(void) {
  pa_devlist_aik *a;
  CHECK(pa_devlist_aik_create(&a, &e) == PA_OK);
  uint8_t devs[32 * (PA_DEVLIST_MAX + 1)], bytes[PA_DEVLIST_MAX_BYTES + 64],
      body[PA_DEVLIST_MAX_BYTES];
  device_keys(devs, PA_DEVLIST_MAX + 1);
  for (int n = 1; n <= PA_DEVLIST_MAX; n++) {
    size_t len = sign(a, "u_7", 9, devs, n, bytes);
    CHECK(len == pa_devlist_size(n));
    CHECK(len == (size_t)(50 + 32 * n + 64));
    pa_devlist l;
    CHECK(pa_devlist_verify(bytes, len, "u_7", &l, &e) == PA_OK);
    CHECK(l.count == n && l.version == 9 && l.created_at == 1765000000);
    CHECK(!memcmp(l.aik, pa_devlist_aik_key(a), 32));
    CHECK(pa_devlist_has(&l, devs) && pa_devlist_has(&l, devs + 32 * (n - 1)));
    CHECK(!pa_devlist_has(&l, devs + 32 * n));
    /* The canonical body is the signed bytes. */
    CHECK(pa_devlist_encode_body(&l, body) == len - 64 && !memcmp(body, bytes, len - 64));
  }
  /* Fixed layout: version byte, AIK, version and created_at big-endian, count. */
  size_t len = sign(a, "u_7", 0x0102030405060708ull, devs, 2, bytes);
  CHECK(bytes[0] == 1 && !memcmp(bytes + 1, pa_devlist_aik_key(a), 32));
  CHECK(bytes[33] == 1 && bytes[40] == 8 && bytes[49] == 2 && len == 50 + 64 + 64);
  CHECK(!memcmp(bytes + 50, devs, 64));
  pa_devlist_aik_free(a);
}

static void test_count_edges(void) {
  pa_devlist_aik *a;
  CHECK(pa_devlist_aik_create(&a, &e) == PA_OK);
  uint8_t devs[32 * (PA_DEVLIST_MAX + 1)], bytes[PA_DEVLIST_MAX_BYTES + 64];
  device_keys(devs, PA_DEVLIST_MAX + 1);
  size_t len;
  /* Signing: 0 and PA_DEVLIST_MAX + 1 refused, PA_DEVLIST_MAX allowed. */
  CHECK(pa_devlist_sign(a, "u_1", 1, 0, devs, 0, bytes, sizeof bytes, &len, &e) == PA_ERR_SYNTAX);
  CHECK(pa_devlist_sign(a, "u_1", 1, 0, devs, PA_DEVLIST_MAX + 1, bytes, sizeof bytes, &len, &e) ==
        PA_ERR_TOO_LARGE);
  CHECK(pa_devlist_sign(a, "u_1", 1, 0, devs, PA_DEVLIST_MAX, bytes, sizeof bytes, &len, &e) ==
        PA_OK);
  /* Parsing: a count byte of 0 or 6 refused whatever follows. */
  pa_devlist l;
  uint8_t copy[sizeof bytes];
  memcpy(copy, bytes, len);
  copy[49] = 0;
  CHECK(pa_devlist_verify(copy, 50 + 64, "u_1", &l, &e) == PA_ERR_SYNTAX);
  copy[49] = PA_DEVLIST_MAX + 1;
  CHECK(pa_devlist_verify(copy, pa_devlist_size(PA_DEVLIST_MAX + 1), "u_1", &l, &e) ==
        PA_ERR_TOO_LARGE);
  /* A repeated device refused when signing and parsing. */
  memcpy(devs + 32, devs, 32);
  CHECK(pa_devlist_sign(a, "u_1", 1, 0, devs, 2, bytes, sizeof bytes, &len, &e) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "twice");
  pa_devlist_aik_free(a);
}

static void test_refusals(void) {
  pa_devlist_aik *a, *b;
  CHECK(pa_devlist_aik_create(&a, &e) == PA_OK);
  CHECK(pa_devlist_aik_create(&b, &e) == PA_OK);
  uint8_t devs[64], bytes[PA_DEVLIST_MAX_BYTES], copy[PA_DEVLIST_MAX_BYTES + 1];
  device_keys(devs, 2);
  size_t len = sign(a, "u_12", 3, devs, 2, bytes);
  pa_devlist l;
  /* Another account's id, even a prefix or an extension of it. */
  CHECK(pa_devlist_verify(bytes, len, "u_1", &l, &e) == PA_ERR_SCHEMA);
  CHECK(pa_devlist_verify(bytes, len, "u_123", &l, &e) == PA_ERR_SCHEMA);
  CHECK(pa_devlist_verify(bytes, len, "", &l, &e) == PA_ERR_ARG);
  CHECK(pa_devlist_verify(bytes, len, NULL, &l, &e) == PA_ERR_ARG);
  char long_id[PA_DEVLIST_MAX_ACCOUNT + 2];
  memset(long_id, 'x', sizeof long_id - 1);
  long_id[PA_DEVLIST_MAX_ACCOUNT + 1] = 0;
  CHECK(pa_devlist_verify(bytes, len, long_id, &l, &e) == PA_ERR_ARG);
  long_id[PA_DEVLIST_MAX_ACCOUNT] = 0; /* the longest id allowed */
  size_t n2;
  CHECK(pa_devlist_sign(a, long_id, 1, 0, devs, 1, copy, sizeof copy, &n2, &e) == PA_OK);
  CHECK(pa_devlist_verify(copy, n2, long_id, &l, &e) == PA_OK);
  /* Every single-bit change is refused (signature, fields, keys). */
  int refused = 0;
  for (size_t i = 0; i < len; i++) {
    memcpy(copy, bytes, len);
    copy[i] ^= 0x01;
    refused += pa_devlist_verify(copy, len, "u_12", &l, &e) != PA_OK;
  }
  CHECK(refused == (int)len);
  /* Version, empty, truncated, one byte more. */
  memcpy(copy, bytes, len);
  copy[0] = 2;
  CHECK(pa_devlist_verify(copy, len, "u_12", &l, &e) == PA_ERR_UNSUPPORTED);
  CHECK(pa_devlist_verify(bytes, 0, "u_12", &l, &e) == PA_ERR_TRUNCATED);
  CHECK(pa_devlist_verify(bytes, 49, "u_12", &l, &e) == PA_ERR_TRUNCATED);
  CHECK(pa_devlist_verify(bytes, len - 1, "u_12", &l, &e) == PA_ERR_TRUNCATED);
  memcpy(copy, bytes, len);
  copy[len] = 0;
  CHECK(pa_devlist_verify(copy, len + 1, "u_12", &l, &e) == PA_ERR_SYNTAX);
  /* Signed by another key but naming a's: refused. */
  size_t lb = sign(b, "u_12", 3, devs, 2, copy);
  memcpy(copy + 1, pa_devlist_aik_key(a), 32);
  CHECK(pa_devlist_verify(copy, lb, "u_12", &l, &e) == PA_ERR_SCHEMA);
  /* A device key that is not a valid point (all zero, low order). */
  uint8_t bad[64];
  memcpy(bad, devs, 64);
  memset(bad + 32, 0, 32);
  CHECK(pa_devlist_sign(a, "u_12", 3, 0, bad, 2, copy, sizeof copy, &lb, &e) == PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "not a valid key");
  /* Output too small. */
  CHECK(pa_devlist_sign(a, "u_12", 3, 0, devs, 2, copy, pa_devlist_size(2) - 1, &lb, &e) ==
        PA_ERR_ARG);
  pa_devlist_aik_free(a);
  pa_devlist_aik_free(b);
}

static void test_saved_and_secret(void) {
  pa_devlist_aik *a, *b, *c;
  CHECK(pa_devlist_aik_create(&a, &e) == PA_OK);
  uint8_t saved[PA_DEVLIST_AIK_SAVED + 1], secret[PA_DEVLIST_AIK_SECRET + 1];
  pa_devlist_aik_save(a, saved);
  CHECK(saved[0] == 1);
  CHECK(pa_devlist_aik_load(saved, PA_DEVLIST_AIK_SAVED, &b, &e) == PA_OK);
  CHECK(!memcmp(pa_devlist_aik_key(a), pa_devlist_aik_key(b), 32));
  CHECK(pa_devlist_aik_load(saved, PA_DEVLIST_AIK_SAVED - 1, &c, &e) == PA_ERR_TRUNCATED);
  CHECK(pa_devlist_aik_load(saved, PA_DEVLIST_AIK_SAVED + 1, &c, &e) == PA_ERR_SYNTAX);
  CHECK(pa_devlist_aik_load(saved, 0, &c, &e) == PA_ERR_TRUNCATED);
  saved[0] = 2;
  CHECK(pa_devlist_aik_load(saved, PA_DEVLIST_AIK_SAVED, &c, &e) == PA_ERR_UNSUPPORTED);
  pa_devlist_aik_free(b);
  /* The secret a linked device receives imports to the same key... */
  pa_devlist_aik_secret(a, secret);
  CHECK(pa_devlist_aik_import(secret, PA_DEVLIST_AIK_SECRET, &b, &e) == PA_OK);
  CHECK(!memcmp(pa_devlist_aik_key(a), pa_devlist_aik_key(b), 32));
  pa_devlist_aik_free(b);
  /* ...but not with a public half that is not the seed's, nor at another length. */
  secret[40] ^= 1;
  CHECK(pa_devlist_aik_import(secret, PA_DEVLIST_AIK_SECRET, &c, &e) == PA_ERR_SCHEMA);
  CHECK(pa_devlist_aik_import(secret, PA_DEVLIST_AIK_SECRET - 1, &c, &e) == PA_ERR_TRUNCATED);
  CHECK(pa_devlist_aik_import(secret, PA_DEVLIST_AIK_SECRET + 1, &c, &e) == PA_ERR_SYNTAX);
  /* Sealed at rest as vault kind 4; opening it as another kind is refused. */
  uint8_t key[32] = {1}, blob[PA_DEVLIST_AIK_SAVED + PA_VAULT_OVERHEAD], back[64];
  size_t n, m;
  pa_devlist_aik_save(a, saved);
  CHECK(pa_vault_seal(key, PA_VAULT_ACCOUNT, 1, saved, PA_DEVLIST_AIK_SAVED, blob, sizeof blob, &n,
                      &e) == PA_OK);
  CHECK(blob[4] == 4);
  CHECK(pa_vault_open(key, PA_VAULT_ACCOUNT, 1, blob, n, back, sizeof back, &m, NULL, &e) == PA_OK);
  CHECK(m == PA_DEVLIST_AIK_SAVED && !memcmp(back, saved, m));
  CHECK(pa_vault_open(key, PA_VAULT_IDENTITY, 1, blob, n, back, sizeof back, &m, NULL, &e) ==
        PA_ERR_SCHEMA);
  CHECK(pa_vault_seal(key, (pa_vault_kind)5, 1, saved, 33, blob, sizeof blob, &n, &e) ==
        PA_ERR_ARG);
  pa_devlist_aik_free(a);
}

static void test_safety(void) {
  pa_devlist_aik *a, *b, *a2;
  CHECK(pa_devlist_aik_create(&a, &e) == PA_OK);
  CHECK(pa_devlist_aik_create(&b, &e) == PA_OK);
  CHECK(pa_devlist_aik_create(&a2, &e) == PA_OK);
  char ab[61], ba[61], changed[61], direct[61];
  CHECK(pa_devlist_safety(pa_devlist_aik_key(a), "u_1", pa_devlist_aik_key(b), "u_2", ab, &e) ==
        PA_OK);
  CHECK(pa_devlist_safety(pa_devlist_aik_key(b), "u_2", pa_devlist_aik_key(a), "u_1", ba, &e) ==
        PA_OK);
  CHECK(!strcmp(ab, ba) && strlen(ab) == 60);
  /* It is pa_safety_number over Encode(AIK) with the account ids. */
  uint8_t ea[33] = {0xED}, eb[33] = {0xED};
  memcpy(ea + 1, pa_devlist_aik_key(a), 32);
  memcpy(eb + 1, pa_devlist_aik_key(b), 32);
  CHECK(pa_safety_number(ea, 33, (const uint8_t *)"u_1", 3, eb, 33, (const uint8_t *)"u_2", 3,
                         direct, &e) == PA_OK);
  CHECK(!strcmp(direct, ab));
  /* A new AIK for u_1 changes it; another account id does too. */
  CHECK(pa_devlist_safety(pa_devlist_aik_key(a2), "u_1", pa_devlist_aik_key(b), "u_2", changed,
                          &e) == PA_OK);
  CHECK(strcmp(changed, ab) != 0);
  CHECK(pa_devlist_safety(pa_devlist_aik_key(a), "u_3", pa_devlist_aik_key(b), "u_2", changed,
                          &e) == PA_OK);
  CHECK(strcmp(changed, ab) != 0);
  CHECK(pa_devlist_safety(pa_devlist_aik_key(a), "", pa_devlist_aik_key(b), "u_2", changed, &e) ==
        PA_ERR_ARG);
  pa_devlist_aik_free(a);
  pa_devlist_aik_free(b);
  pa_devlist_aik_free(a2);
}

int main(void) {
  RUN(test_round_trip);
  RUN(test_count_edges);
  RUN(test_refusals);
  RUN(test_saved_and_secret);
  RUN(test_safety);
  return pa_test_summary("devlist");
}
