/* X3DH and the Double Ratchet end to end: ordering, loss, limits, staged
 * commits (saved bytes unchanged after any refused message), replays,
 * persistence through the vault, and one-time prekeys used once. */
#include "pa/pa_ratchet.h"
#include "pa/pa_x3dh.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NOW = 1795496400 };

typedef struct msg {
  uint8_t *b;
  size_t n;
} msg;

static msg seal(pa_ratchet *s, const char *text) {
  msg m = {0};
  size_t len = strlen(text);
  m.b = malloc(pa_ratchet_encrypted_size(s, len));
  pa_error e;
  if (pa_ratchet_encrypt(s, (const uint8_t *)text, len, m.b, pa_ratchet_encrypted_size(s, len),
                         &m.n, &e) != PA_OK) {
    fprintf(stderr, "encrypt: %s\n", e.msg);
    m.n = 0;
  }
  return m;
}

/* Decrypts m and checks the text; returns the status, with *why filled. */
static pa_status open_as(pa_ratchet *s, msg m, const char *want, pa_crypto_fault *why) {
  uint8_t out[512];
  size_t n = 0;
  pa_error e;
  pa_status st = pa_ratchet_decrypt(s, m.b, m.n, out, sizeof out, &n, why, &e);
  if (st == PA_OK && want) CHECK(n == strlen(want) && memcmp(out, want, n) == 0);
  return st;
}

static int opens(pa_ratchet *s, msg m, const char *want) {
  pa_crypto_fault why;
  return open_as(s, m, want, &why) == PA_OK && why == PA_FAULT_NONE;
}

static uint8_t *saved(const pa_ratchet *s, size_t *n) {
  size_t cap = pa_ratchet_saved_size(s);
  uint8_t *b = malloc(cap);
  pa_error e;
  if (pa_ratchet_save(s, b, cap, n, &e) != PA_OK) *n = 0;
  return b;
}

/* Whether s saves to exactly the bytes `before`. */
static int unchanged(const pa_ratchet *s, const uint8_t *before, size_t n) {
  size_t m;
  uint8_t *now = saved(s, &m);
  int same = m == n && memcmp(now, before, n) == 0;
  free(now);
  return same;
}

typedef struct pair {
  pa_x3dh_identity *alice_id, *bob_id;
  pa_ratchet *alice, *bob;
} pair;

static msg bundle_of(const pa_x3dh_identity *id, uint32_t first_opk) {
  msg b = {malloc(pa_x3dh_bundle_size(id, first_opk)), 0};
  pa_error e;
  CHECK(pa_x3dh_bundle_export(id, first_opk, b.b, pa_x3dh_bundle_size(id, first_opk), &b.n, &e) ==
        PA_OK);
  return b;
}

/* Alice starts from Bob's bundle and Bob accepts her first message. */
static pair start(void) {
  pair p = {0};
  pa_error e;
  CHECK(pa_x3dh_identity_create(NOW, 0, &p.alice_id, &e) == PA_OK);
  CHECK(pa_x3dh_identity_create(NOW, 10, &p.bob_id, &e) == PA_OK);
  msg b = bundle_of(p.bob_id, 1);
  CHECK(pa_ratchet_initiate(p.alice_id, b.b, b.n, &p.alice, &e) == PA_OK);
  msg m = seal(p.alice, "hello Bob");
  uint8_t out[64];
  size_t n;
  pa_crypto_fault why;
  CHECK(pa_ratchet_accept(p.bob_id, m.b, m.n, out, sizeof out, &n, &p.bob, &why, &e) == PA_OK);
  CHECK(n == 9 && memcmp(out, "hello Bob", 9) == 0);
  free(b.b);
  free(m.b);
  return p;
}

static void finish(pair *p) {
  pa_ratchet_free(p->alice);
  pa_ratchet_free(p->bob);
  pa_x3dh_identity_free(p->alice_id);
  pa_x3dh_identity_free(p->bob_id);
}

/* ---- X3DH */

static void test_x3dh_same_sk_and_ad(void) {
  pa_x3dh_identity *a, *b;
  pa_error e;
  CHECK(pa_x3dh_identity_create(NOW, 0, &a, &e) == PA_OK);
  CHECK(pa_x3dh_identity_create(NOW, 3, &b, &e) == PA_OK);
  for (int with_opk = 1; with_opk >= 0; with_opk--) {
    msg bytes = bundle_of(b, with_opk ? 1 : UINT32_MAX);
    CHECK(bytes.n ==
          (size_t)PA_X3DH_BUNDLE_FIXED + (with_opk ? 3u : 0u) * PA_X3DH_BUNDLE_OPK_BYTES);
    pa_x3dh_bundle bundle;
    pa_x3dh_initial init;
    pa_x3dh_shared sa, sb;
    pa_crypto_fault why;
    CHECK(pa_x3dh_bundle_parse(bytes.b, bytes.n, &bundle, &e) == PA_OK);
    CHECK(bundle.opk_count == (with_opk ? 3 : 0) && bundle.spk_created == NOW);
    CHECK(pa_x3dh_initiate(a, &bundle, &init, &sa, &e) == PA_OK);
    CHECK(init.opk_id == (with_opk ? 1u : 0u) && init.spk_id == 1);
    CHECK(pa_x3dh_respond(b, &init, &sb, &why, &e) == PA_OK);
    CHECK(memcmp(sa.sk, sb.sk, 32) == 0);
    CHECK(memcmp(sa.ad, sb.ad, PA_X3DH_AD_BYTES) == 0);
    CHECK(sa.ad[0] == 0xED && memcmp(sa.ad + 1, pa_x3dh_identity_key(a), 32) == 0);
    CHECK(sa.ad[33] == 0xED && memcmp(sa.ad + 34, pa_x3dh_identity_key(b), 32) == 0);
    /* Another ephemeral key, another SK. */
    pa_x3dh_shared sc;
    CHECK(pa_x3dh_initiate(a, &bundle, &init, &sc, &e) == PA_OK);
    CHECK(memcmp(sa.sk, sc.sk, 32) != 0);
    /* A low-order ephemeral key is refused. */
    memset(init.ephemeral, 0, 32);
    CHECK(pa_x3dh_respond(b, &init, &sb, &why, &e) != PA_OK && why == PA_FAULT_BAD_KEY);
    /* Every changed byte of the bundle is refused (or, in ids, changes nothing verified). */
    int refused = 0;
    for (size_t i = 0; i < 141; i++) {
      bytes.b[i] ^= 0x01;
      refused += pa_x3dh_bundle_parse(bytes.b, bytes.n, &bundle, &e) != PA_OK;
      bytes.b[i] ^= 0x01;
    }
    CHECK(refused == 141);
    CHECK(pa_x3dh_bundle_parse(bytes.b, bytes.n - 1, &bundle, &e) != PA_OK);
    pa_crypto_wipe(&sa, sizeof sa);
    pa_crypto_wipe(&sb, sizeof sb);
    free(bytes.b);
  }
  /* The server's selection of one prekey verifies and starts the same way. */
  msg up = bundle_of(b, 1);
  uint8_t one[PA_X3DH_BUNDLE_FIXED + PA_X3DH_BUNDLE_OPK_BYTES];
  size_t n;
  pa_x3dh_bundle bundle;
  CHECK(pa_x3dh_bundle_select(up.b, up.n, 2, one, sizeof one, &n, &e) == PA_OK && n == sizeof one);
  CHECK(pa_x3dh_bundle_parse(one, n, &bundle, &e) == PA_OK && bundle.opk_id == 3);
  CHECK(pa_x3dh_bundle_select(up.b, up.n, 3, one, sizeof one, &n, &e) == PA_ERR_ARG);
  free(up.b);
  pa_x3dh_identity_free(a);
  pa_x3dh_identity_free(b);
}

static void test_one_time_prekey_used_once(void) {
  pa_x3dh_identity *alice, *bob;
  pa_error e;
  uint8_t out[64];
  size_t n;
  pa_crypto_fault why;
  CHECK(pa_x3dh_identity_create(NOW, 0, &alice, &e) == PA_OK);
  CHECK(pa_x3dh_identity_create(NOW, 3, &bob, &e) == PA_OK);
  /* The server hands the same bundle (OPK 1 first) out twice, by mistake or malice. */
  msg bundle = bundle_of(bob, 1);
  pa_ratchet *s1, *s2, *b1 = NULL, *b2 = NULL;
  CHECK(pa_ratchet_initiate(alice, bundle.b, bundle.n, &s1, &e) == PA_OK);
  CHECK(pa_ratchet_initiate(alice, bundle.b, bundle.n, &s2, &e) == PA_OK);
  msg m1 = seal(s1, "first"), m2 = seal(s2, "second");
  pa_ratchet_info info;
  CHECK(pa_ratchet_peek(m2.b, m2.n, &info, &e) == PA_OK && info.start && info.opk_id == 1);
  CHECK(pa_ratchet_accept(bob, m1.b, m1.n, out, sizeof out, &n, &b1, &why, &e) == PA_OK);
  CHECK(n == 5 && memcmp(out, "first", 5) == 0);
  CHECK(pa_x3dh_opk_count(bob) == 2 && !pa_x3dh_opk_held(bob, 1));
  /* The second start names the consumed OPK: detected, no session. */
  CHECK(pa_ratchet_accept(bob, m2.b, m2.n, out, sizeof out, &n, &b2, &why, &e) == PA_ERR_SCHEMA);
  CHECK(why == PA_FAULT_PREKEY_GONE && b2 == NULL);
  CHECK_CONTAINS(e.msg, "already used");
  /* So is a replay of the first start; its own session reads it as a replay. */
  CHECK(pa_ratchet_accept(bob, m1.b, m1.n, out, sizeof out, &n, &b2, &why, &e) == PA_ERR_SCHEMA);
  CHECK(why == PA_FAULT_PREKEY_GONE && b2 == NULL);
  CHECK(pa_ratchet_peek(m1.b, m1.n, &info, &e) == PA_OK && pa_ratchet_owns(b1, &info));
  CHECK(open_as(b1, m1, NULL, &why) == PA_ERR_SCHEMA && why == PA_FAULT_REPLAY);
  CHECK(pa_ratchet_peek(m2.b, m2.n, &info, &e) == PA_OK && !pa_ratchet_owns(b1, &info));
  CHECK(open_as(b1, m2, NULL, &why) == PA_ERR_ARG && why == PA_FAULT_WRONG_SESSION);
  CHECK(pa_x3dh_opk_consume(bob, 1, &e) == PA_ERR_SCHEMA);

  /* A forged start naming a real prekey (OPK 2) does not consume it. */
  uint8_t one[PA_X3DH_BUNDLE_FIXED + PA_X3DH_BUNDLE_OPK_BYTES];
  pa_ratchet *s3;
  CHECK(pa_x3dh_bundle_select(bundle.b, bundle.n, 1, one, sizeof one, &n, &e) == PA_OK);
  CHECK(pa_ratchet_initiate(alice, one, n, &s3, &e) == PA_OK);
  msg m3 = seal(s3, "third");
  m3.b[m3.n - 1] ^= 1;
  CHECK(pa_ratchet_accept(bob, m3.b, m3.n, out, sizeof out, &n, &b2, &why, &e) == PA_ERR_SYNTAX);
  CHECK(why == PA_FAULT_FORGED && b2 == NULL);
  CHECK(pa_x3dh_opk_count(bob) == 2 && pa_x3dh_opk_held(bob, 2));
  m3.b[m3.n - 1] ^= 1;
  CHECK(pa_ratchet_accept(bob, m3.b, m3.n, out, sizeof out, &n, &b2, &why, &e) == PA_OK);
  CHECK(!pa_x3dh_opk_held(bob, 2));
  free(bundle.b), free(m1.b), free(m2.b), free(m3.b);
  pa_ratchet_free(s1), pa_ratchet_free(s2), pa_ratchet_free(s3);
  pa_ratchet_free(b1), pa_ratchet_free(b2);
  pa_x3dh_identity_free(alice);
  pa_x3dh_identity_free(bob);
}

/* ---- the ratchet */

static void test_in_order_both_ways(void) {
  pair p = start();
  char text[64];
  for (int round = 0; round < 6; round++) {
    for (int k = 0; k < round + 1; k++) {
      snprintf(text, sizeof text, "bob %d.%d", round, k);
      msg m = seal(p.bob, text);
      CHECK(opens(p.alice, m, text));
      free(m.b);
    }
    snprintf(text, sizeof text, "alice %d", round);
    msg m = seal(p.alice, text);
    CHECK(m.n == strlen(text) + PA_RATCHET_OVERHEAD); /* start data dropped after Bob's reply */
    CHECK(opens(p.bob, m, text));
    free(m.b);
  }
  CHECK(pa_ratchet_skipped_count(p.alice) == 0 && pa_ratchet_skipped_count(p.bob) == 0);
  /* Empty messages are messages too. */
  msg m = seal(p.alice, "");
  CHECK(opens(p.bob, m, ""));
  free(m.b);
  finish(&p);
}

static void test_start_data_until_reply(void) {
  pair p = start();
  msg m1 = seal(p.alice, "again");
  CHECK(m1.n == 5 + PA_RATCHET_OVERHEAD + PA_RATCHET_PREKEY_BYTES && m1.b[0] == 0x03);
  /* Changed start data names another session; the session is untouched. */
  size_t n;
  uint8_t *before = saved(p.bob, &n);
  pa_crypto_fault why;
  for (size_t at = 1; at < 65; at += 9) {
    m1.b[at] ^= 0x10;
    CHECK(open_as(p.bob, m1, NULL, &why) == PA_ERR_ARG && why == PA_FAULT_WRONG_SESSION);
    m1.b[at] ^= 0x10;
  }
  CHECK(unchanged(p.bob, before, n));
  free(before);
  CHECK(opens(p.bob, m1, "again")); /* a start message the session owns */
  msg r = seal(p.bob, "reply");
  CHECK(r.b[0] == 0x01 && opens(p.alice, r, "reply"));
  msg m2 = seal(p.alice, "plain now");
  CHECK(m2.b[0] == 0x01 && m2.n == 9 + PA_RATCHET_OVERHEAD);
  CHECK(opens(p.bob, m2, "plain now"));
  free(m1.b), free(r.b), free(m2.b);
  finish(&p);
}

static uint8_t *identity_bytes(const pa_x3dh_identity *id, size_t *n) {
  size_t cap = pa_x3dh_identity_saved_size(id);
  uint8_t *b = malloc(cap);
  pa_error e;
  if (pa_x3dh_identity_save(id, b, cap, n, &e) != PA_OK) *n = 0;
  return b;
}

/* Start v2: every one of the 73 bytes of start data is authenticated. A
 * changed byte (any of them, the prekey ids at 65..72 included, and with
 * every bit) makes a fresh accept refuse the start, spending nothing, and
 * makes the session that owns the genuine start refuse the changed resend.
 * Bob's signed prekey has rotated once, so a changed SPK id can name the
 * previous one, which still answers; and several one-time prekeys are held,
 * so a changed OPK id can name another held one. */
static void test_every_start_byte_authenticated(void) {
  pa_x3dh_identity *alice_id, *bob_id;
  pa_ratchet *alice, *bob = NULL, *none = NULL;
  pa_error e;
  pa_crypto_fault why;
  CHECK(pa_x3dh_identity_create(NOW, 0, &alice_id, &e) == PA_OK);
  CHECK(pa_x3dh_identity_create(NOW, 8, &bob_id, &e) == PA_OK);
  CHECK(pa_x3dh_spk_rotate(bob_id, NOW + 60, &e) == PA_OK && pa_x3dh_spk_id(bob_id) == 2);
  msg b = bundle_of(bob_id, 2); /* serves OPK 2; 1 and 3.. are held too */
  CHECK(pa_ratchet_initiate(alice_id, b.b, b.n, &alice, &e) == PA_OK);
  msg m = seal(alice, "every byte");
  CHECK(m.b[0] == PA_X3DH_START_VERSION && m.b[68] == 2 && m.b[72] == 2);
  size_t idn;
  uint8_t *id_before = identity_bytes(bob_id, &idn);
  uint8_t out[64];
  size_t n;
  int refused = 0;
  for (size_t at = 0; at < PA_RATCHET_PREKEY_BYTES; at++) {
    for (int bit = 0; bit < 8; bit++) {
      m.b[at] ^= (uint8_t)(1u << bit);
      pa_status st = pa_ratchet_accept(bob_id, m.b, m.n, out, sizeof out, &n, &none, &why, &e);
      if (st != PA_OK && none == NULL && why != PA_FAULT_NONE)
        refused++;
      else
        fprintf(stderr, "  start byte %zu bit %d was accepted\n", at, bit);
      m.b[at] ^= (uint8_t)(1u << bit);
      pa_ratchet_free(none), none = NULL;
    }
  }
  CHECK(refused == PA_RATCHET_PREKEY_BYTES * 8);
  size_t now_n;
  uint8_t *id_now = identity_bytes(bob_id, &now_n);
  CHECK(now_n == idn && memcmp(id_now, id_before, idn) == 0); /* no prekey spent */
  free(id_now);
  /* The genuine start is accepted; then a resend with any start byte
   * changed is refused by the session that owns it, which stays as it was. */
  CHECK(pa_ratchet_accept(bob_id, m.b, m.n, out, sizeof out, &n, &bob, &why, &e) == PA_OK);
  CHECK(n == 10 && memcmp(out, "every byte", 10) == 0 && !pa_x3dh_opk_held(bob_id, 2));
  msg again = seal(alice, "resent");
  size_t sn;
  uint8_t *before = saved(bob, &sn);
  refused = 0;
  for (size_t at = 0; at < PA_RATCHET_PREKEY_BYTES; at++) {
    again.b[at] ^= 0x04;
    pa_status st = open_as(bob, again, NULL, &why);
    if (st != PA_OK)
      refused++;
    else
      fprintf(stderr, "  resent start byte %zu was accepted\n", at);
    if (at >= 65 && at < 73) CHECK(why == PA_FAULT_FORGED); /* the prekey ids: the tag */
    again.b[at] ^= 0x04;
  }
  CHECK(refused == PA_RATCHET_PREKEY_BYTES);
  CHECK(unchanged(bob, before, sn));
  CHECK(opens(bob, again, "resent"));
  free(before), free(id_before), free(b.b), free(m.b), free(again.b);
  pa_ratchet_free(alice), pa_ratchet_free(bob);
  pa_x3dh_identity_free(alice_id), pa_x3dh_identity_free(bob_id);
}

/* A start v1 (first byte 0x02) is refused as unsupported since start v2,
 * before any key is looked at. */
static void test_start_v1_refused(void) {
  pair p = start();
  pa_x3dh_identity *carol;
  pa_ratchet *c = NULL, *none = NULL;
  pa_error e;
  pa_crypto_fault why;
  CHECK(pa_x3dh_identity_create(NOW, 0, &carol, &e) == PA_OK);
  msg b = bundle_of(p.bob_id, 1);
  CHECK(pa_ratchet_initiate(carol, b.b, b.n, &c, &e) == PA_OK);
  msg m = seal(c, "old");
  m.b[0] = 0x02;
  uint8_t out[64];
  size_t n;
  CHECK(pa_ratchet_accept(p.bob_id, m.b, m.n, out, sizeof out, &n, &none, &why, &e) ==
            PA_ERR_UNSUPPORTED &&
        why == PA_FAULT_MALFORMED && none == NULL);
  pa_ratchet_info info;
  CHECK(pa_ratchet_peek(m.b, m.n, &info, &e) == PA_ERR_UNSUPPORTED);
  free(b.b), free(m.b);
  pa_ratchet_free(c);
  pa_x3dh_identity_free(carol);
  finish(&p);
}

static void test_out_of_order_and_lost(void) {
  pair p = start();
  msg m[8];
  char text[8][16];
  for (int i = 0; i < 8; i++) {
    snprintf(text[i], sizeof text[i], "m%d", i);
    m[i] = seal(p.alice, text[i]);
  }
  /* 5, 2, 0, 7, 1 arrive; 3, 4 are late; 6 is lost. */
  CHECK(opens(p.bob, m[5], text[5]));
  CHECK(pa_ratchet_skipped_count(p.bob) == 5);
  CHECK(opens(p.bob, m[2], text[2]));
  CHECK(opens(p.bob, m[0], text[0]));
  CHECK(opens(p.bob, m[7], text[7]));
  CHECK(opens(p.bob, m[1], text[1]));
  CHECK(pa_ratchet_skipped_count(p.bob) == 3); /* 3, 4, 6 */
  /* The conversation turns (a DH step each way) with keys still pending. */
  msg r = seal(p.bob, "bob");
  CHECK(opens(p.alice, r, "bob"));
  msg a2 = seal(p.alice, "after");
  msg a3 = seal(p.alice, "after 2");
  CHECK(opens(p.bob, a3, "after 2"));
  CHECK(opens(p.bob, m[4], text[4]));
  CHECK(opens(p.bob, a2, "after"));
  CHECK(opens(p.bob, m[3], text[3]));
  CHECK(pa_ratchet_skipped_count(p.bob) == 1); /* only the lost m6 */
  for (int i = 0; i < 8; i++) free(m[i].b);
  free(r.b), free(a2.b), free(a3.b);
  finish(&p);
}

static void test_skip_limits(void) {
  /* start() delivered message 0 of Alice's chain, so Bob's counter is 1. */
  pair p = start();
  msg keep[4] = {0};
  for (uint32_t i = 1; i <= 1 + PA_RATCHET_MAX_JUMP; i++) {
    msg m = seal(p.alice, "x");
    int k = i == 5                         ? 0
            : i == 24000                   ? 1
            : i == PA_RATCHET_MAX_JUMP     ? 2
            : i == 1 + PA_RATCHET_MAX_JUMP ? 3
                                           : -1;
    if (k >= 0)
      keep[k] = m;
    else
      free(m.b);
  }
  pa_crypto_fault why;
  size_t n;
  /* Exactly the jump limit ahead: accepted; only the newest 2,000 keys are kept. */
  CHECK(open_as(p.bob, keep[3], "x", &why) == PA_OK);
  CHECK(pa_ratchet_skipped_count(p.bob) == PA_RATCHET_MAX_SKIPPED);
  CHECK(open_as(p.bob, keep[0], NULL, &why) == PA_ERR_SCHEMA &&
        why == PA_FAULT_REPLAY);                      /* dropped */
  CHECK(open_as(p.bob, keep[1], "x", &why) == PA_OK); /* kept */
  CHECK(open_as(p.bob, keep[2], "x", &why) == PA_OK);
  CHECK(pa_ratchet_skipped_count(p.bob) == PA_RATCHET_MAX_SKIPPED - 2);
  for (int i = 0; i < 4; i++) free(keep[i].b);
  finish(&p);

  /* One more than the limit is refused, and nothing changes. */
  p = start();
  msg far = {0};
  for (uint32_t k = 1; k <= 2 + PA_RATCHET_MAX_JUMP; k++) {
    msg m = seal(p.alice, "y");
    if (k == 2 + PA_RATCHET_MAX_JUMP)
      far = m;
    else
      free(m.b);
  }
  uint8_t *before = saved(p.bob, &n);
  CHECK(open_as(p.bob, far, NULL, &why) == PA_ERR_TOO_LARGE && why == PA_FAULT_TOO_FAR);
  CHECK(unchanged(p.bob, before, n));
  free(before);
  free(far.b);
  /* Across a DH step the previous chain's gap (PN) is bounded too. */
  msg r = seal(p.bob, "turn");
  CHECK(opens(p.alice, r, "turn"));
  msg next = seal(p.alice, "z"); /* PN = 25003, Bob is at 1 in that chain */
  before = saved(p.bob, &n);
  CHECK(open_as(p.bob, next, NULL, &why) == PA_ERR_TOO_LARGE && why == PA_FAULT_TOO_FAR);
  CHECK(unchanged(p.bob, before, n));
  free(before), free(r.b), free(next.b);
  finish(&p);
}

static void test_tampering_leaves_state_unchanged(void) {
  pair p = start();
  msg r0 = seal(p.bob, "hi"); /* so Alice's messages drop the start data */
  CHECK(opens(p.alice, r0, "hi"));
  free(r0.b);
  msg warm = seal(p.alice, "warm up");
  msg gap = seal(p.alice, "skipped");
  msg m = seal(p.alice, "the real one");
  CHECK(opens(p.bob, warm, "warm up"));
  CHECK(m.n == 12 + PA_RATCHET_OVERHEAD);
  size_t n;
  uint8_t *before = saved(p.bob, &n);
  pa_crypto_fault why;
  /* header: version, DH key, PN, N; nonce; body; tag */
  size_t spots[] = {0, 1, 20, 32, 33, 36, 37, 40, 41, 50, 64, 65, 70, m.n - 16, m.n - 1};
  for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
    for (int bit = 0; bit < 8; bit += 3) {
      m.b[spots[i]] ^= (uint8_t)(1 << bit);
      pa_status st = open_as(p.bob, m, NULL, &why);
      CHECK(st != PA_OK);
      CHECK(why == PA_FAULT_FORGED || why == PA_FAULT_MALFORMED || why == PA_FAULT_TOO_FAR ||
            why == PA_FAULT_BAD_KEY || why == PA_FAULT_REPLAY);
      CHECK(unchanged(p.bob, before, n));
      m.b[spots[i]] ^= (uint8_t)(1 << bit);
    }
  }
  /* Body and tag changes are forgeries in particular. */
  m.b[m.n - 1] ^= 1;
  CHECK(open_as(p.bob, m, NULL, &why) == PA_ERR_SYNTAX && why == PA_FAULT_FORGED);
  m.b[m.n - 1] ^= 1;
  m.b[PA_RATCHET_OVERHEAD - 16] ^= 1;
  CHECK(open_as(p.bob, m, NULL, &why) == PA_ERR_SYNTAX && why == PA_FAULT_FORGED);
  m.b[PA_RATCHET_OVERHEAD - 16] ^= 1;
  /* A low-order ratchet key in the header. */
  uint8_t saved_dh[32];
  memcpy(saved_dh, m.b + 1, 32);
  memset(m.b + 1, 0, 32);
  CHECK(open_as(p.bob, m, NULL, &why) == PA_ERR_SCHEMA && why == PA_FAULT_BAD_KEY);
  memcpy(m.b + 1, saved_dh, 32);
  CHECK(unchanged(p.bob, before, n));
  /* Cut short, cut to nothing, garbage, and a wrong version. */
  for (size_t cut = 0; cut < m.n; cut += 7) {
    msg c = {m.b, cut};
    CHECK(open_as(p.bob, c, NULL, &why) != PA_OK);
  }
  uint8_t junk[200];
  for (int t = 0; t < 50; t++) {
    pa_crypto_random(junk, sizeof junk);
    junk[0] = (uint8_t)(t % 3);
    msg c = {junk, sizeof junk};
    CHECK(open_as(p.bob, c, NULL, &why) != PA_OK);
  }
  CHECK(unchanged(p.bob, before, n));
  /* After all that, the genuine messages still decrypt. */
  CHECK(opens(p.bob, m, "the real one"));
  CHECK(opens(p.bob, gap, "skipped"));
  free(before), free(warm.b), free(gap.b), free(m.b);
  finish(&p);
}

static void test_replay_refused(void) {
  pair p = start();
  msg a = seal(p.alice, "a"), b = seal(p.alice, "b"), c = seal(p.alice, "c");
  pa_crypto_fault why;
  size_t n;
  CHECK(opens(p.bob, a, "a"));
  CHECK(opens(p.bob, c, "c"));
  CHECK(opens(p.bob, b, "b")); /* from the skipped store */
  uint8_t *before = saved(p.bob, &n);
  CHECK(open_as(p.bob, a, NULL, &why) == PA_ERR_SCHEMA && why == PA_FAULT_REPLAY);
  CHECK(open_as(p.bob, b, NULL, &why) == PA_ERR_SCHEMA && why == PA_FAULT_REPLAY);
  CHECK(open_as(p.bob, c, NULL, &why) == PA_ERR_SCHEMA && why == PA_FAULT_REPLAY);
  CHECK(unchanged(p.bob, before, n));
  free(before);
  /* Replays from an earlier chain, after the ratchet has turned twice. */
  msg r = seal(p.bob, "r");
  CHECK(opens(p.alice, r, "r"));
  msg d = seal(p.alice, "d");
  CHECK(opens(p.bob, d, "d"));
  before = saved(p.bob, &n);
  CHECK(open_as(p.bob, b, NULL, &why) == PA_ERR_SCHEMA && why == PA_FAULT_REPLAY);
  CHECK(open_as(p.alice, r, NULL, &why) == PA_ERR_SCHEMA && why == PA_FAULT_REPLAY);
  CHECK(unchanged(p.bob, before, n));
  free(before), free(a.b), free(b.b), free(c.b), free(r.b), free(d.b);
  finish(&p);
}

static void test_receiver_chains_bounded(void) {
  pair p = start();
  msg lost[8];
  for (int i = 0; i < 8; i++) {
    lost[i] = seal(p.alice, "lost"); /* each chain leaves one key behind */
    msg got = seal(p.alice, "got");
    CHECK(opens(p.bob, got, "got"));
    msg r = seal(p.bob, "r");
    CHECK(opens(p.alice, r, "r"));
    free(got.b), free(r.b);
  }
  /* Keys survive only for the current chain and the four before it. */
  CHECK(pa_ratchet_skipped_count(p.bob) <= PA_RATCHET_MAX_CHAINS);
  CHECK(opens(p.bob, lost[7], "lost"));
  pa_crypto_fault why;
  size_t n;
  uint8_t *before = saved(p.bob, &n);
  CHECK(open_as(p.bob, lost[0], NULL, &why) != PA_OK);
  CHECK(unchanged(p.bob, before, n));
  free(before);
  for (int i = 0; i < 8; i++) free(lost[i].b);
  finish(&p);
}

static void test_persist_and_restore(void) {
  pair p = start();
  pa_error e;
  msg a1 = seal(p.alice, "one"), a2 = seal(p.alice, "two"), a3 = seal(p.alice, "three");
  CHECK(opens(p.bob, a2, "two")); /* a1 pending in Bob's skipped store */
  uint8_t key[32];
  pa_crypto_random(key, sizeof key);

  /* Bob persists identity and session through the vault and restarts. */
  size_t sn, in, bn, n;
  uint8_t *sb = saved(p.bob, &sn);
  uint8_t *ib = malloc(pa_x3dh_identity_saved_size(p.bob_id));
  CHECK(pa_x3dh_identity_save(p.bob_id, ib, pa_x3dh_identity_saved_size(p.bob_id), &in, &e) ==
        PA_OK);
  uint8_t *sblob = malloc(pa_vault_sealed_size(sn)), *iblob = malloc(pa_vault_sealed_size(in));
  CHECK(pa_vault_seal(key, PA_VAULT_SESSION, 1, sb, sn, sblob, pa_vault_sealed_size(sn), &bn, &e) ==
        PA_OK);
  CHECK(pa_vault_seal(key, PA_VAULT_IDENTITY, 1, ib, in, iblob, pa_vault_sealed_size(in), &n, &e) ==
        PA_OK);
  msg bundle_before = bundle_of(p.bob_id, 1);
  pa_ratchet_free(p.bob);
  pa_x3dh_identity_free(p.bob_id);

  uint8_t *back = malloc(sn > in ? sn : in);
  size_t m;
  CHECK(pa_vault_open(key, PA_VAULT_SESSION, 1, sblob, bn, back, sn, &m, NULL, &e) == PA_OK);
  CHECK(pa_ratchet_load(back, m, &p.bob, &e) == PA_OK);
  CHECK(unchanged(p.bob, sb, sn)); /* loads to the same bytes */
  CHECK(pa_vault_open(key, PA_VAULT_IDENTITY, 1, iblob, n, back, in, &m, NULL, &e) == PA_OK);
  CHECK(pa_x3dh_identity_load(back, m, &p.bob_id, &e) == PA_OK);
  msg bundle_after = bundle_of(p.bob_id, 1);
  CHECK(bundle_after.n == bundle_before.n &&
        memcmp(bundle_after.b, bundle_before.b, bundle_before.n) == 0);

  /* The conversation continues, including the message sent before the save. */
  CHECK(opens(p.bob, a3, "three"));
  CHECK(opens(p.bob, a1, "one"));
  msg r = seal(p.bob, "back again");
  CHECK(opens(p.alice, r, "back again"));
  msg a4 = seal(p.alice, "four");
  CHECK(opens(p.bob, a4, "four"));

  /* Saved-state loaders refuse other versions and damage. */
  pa_ratchet *bad = NULL;
  sb[0] = 0;
  CHECK(pa_ratchet_load(sb, sn, &bad, &e) == PA_ERR_UNSUPPORTED && !bad);
  sb[0] = PA_RATCHET_VERSION;
  CHECK(pa_ratchet_load(sb, sn - 1, &bad, &e) != PA_OK && !bad);
  sb[1] = 0xff;
  CHECK(pa_ratchet_load(sb, sn, &bad, &e) == PA_ERR_SCHEMA && !bad);
  pa_x3dh_identity *bad_id = NULL;
  ib[0] = 9;
  CHECK(pa_x3dh_identity_load(ib, in, &bad_id, &e) == PA_ERR_UNSUPPORTED && !bad_id);
  ib[0] = PA_X3DH_VERSION;
  CHECK(pa_x3dh_identity_load(ib, in + 1, &bad_id, &e) != PA_OK && !bad_id);
  pa_crypto_wipe(sb, sn);
  pa_crypto_wipe(ib, in);
  free(sb), free(ib), free(sblob), free(iblob), free(back);
  free(bundle_before.b), free(bundle_after.b);
  free(a1.b), free(a2.b), free(a3.b), free(a4.b), free(r.b);
  finish(&p);
}

static void test_prekey_maintenance(void) {
  pa_x3dh_identity *id;
  pa_error e;
  int added;
  CHECK(pa_x3dh_identity_create(NOW, 5, &id, &e) == PA_OK);
  CHECK(!pa_x3dh_spk_due(id, NOW + PA_X3DH_SPK_MAX_AGE - 1));
  CHECK(pa_x3dh_spk_due(id, NOW + PA_X3DH_SPK_MAX_AGE));
  CHECK(pa_x3dh_opk_replenish(id, 5, 20, &added, &e) == PA_OK && added == 0);
  CHECK(pa_x3dh_opk_replenish(id, 6, 20, &added, &e) == PA_OK && added == 20);
  CHECK(pa_x3dh_opk_count(id) == 25 && pa_x3dh_opk_next_id(id) == 26);
  CHECK(pa_x3dh_bundle_size(id, 6) == (size_t)PA_X3DH_BUNDLE_FIXED + 20 * PA_X3DH_BUNDLE_OPK_BYTES);
  CHECK(pa_x3dh_opk_replenish(id, 1000, 1000, &added, &e) == PA_OK &&
        pa_x3dh_opk_count(id) == PA_X3DH_MAX_OPKS);

  /* Alice fetched the old bundle; Bob rotates before her message arrives. */
  pa_x3dh_identity *alice;
  pa_ratchet *a = NULL, *b = NULL;
  CHECK(pa_x3dh_identity_create(NOW, 0, &alice, &e) == PA_OK);
  msg old = bundle_of(id, 1);
  CHECK(pa_ratchet_initiate(alice, old.b, old.n, &a, &e) == PA_OK);
  CHECK(pa_x3dh_spk_rotate(id, NOW + PA_X3DH_SPK_MAX_AGE, &e) == PA_OK);
  CHECK(pa_x3dh_spk_id(id) == 2 && !pa_x3dh_spk_due(id, NOW + PA_X3DH_SPK_MAX_AGE));
  msg m = seal(a, "in flight");
  uint8_t out[32];
  size_t n;
  pa_crypto_fault why;
  CHECK(pa_ratchet_accept(id, m.b, m.n, out, sizeof out, &n, &b, &why, &e) == PA_OK);
  pa_ratchet_free(b);
  /* A second rotation retires it. */
  CHECK(pa_x3dh_spk_rotate(id, NOW + 2 * PA_X3DH_SPK_MAX_AGE, &e) == PA_OK);
  pa_ratchet_free(a);
  CHECK(pa_ratchet_initiate(alice, old.b, old.n, &a, &e) == PA_OK);
  msg m2 = seal(a, "too late");
  b = NULL;
  CHECK(pa_ratchet_accept(id, m2.b, m2.n, out, sizeof out, &n, &b, &why, &e) == PA_ERR_SCHEMA);
  CHECK(why == PA_FAULT_PREKEY_GONE && !b);
  free(old.b), free(m.b), free(m2.b);
  pa_ratchet_free(a);
  pa_x3dh_identity_free(alice);
  pa_x3dh_identity_free(id);
}

int main(void) {
  if (pa_crypto_init(NULL) != PA_OK) return 1;
  RUN(test_x3dh_same_sk_and_ad);
  RUN(test_one_time_prekey_used_once);
  RUN(test_in_order_both_ways);
  RUN(test_start_data_until_reply);
  RUN(test_every_start_byte_authenticated);
  RUN(test_start_v1_refused);
  RUN(test_out_of_order_and_lost);
  RUN(test_skip_limits);
  RUN(test_tampering_leaves_state_unchanged);
  RUN(test_replay_refused);
  RUN(test_receiver_chains_bounded);
  RUN(test_persist_and_restore);
  RUN(test_prekey_maintenance);
  return pa_test_summary("ratchet");
}
