/* libFuzzer target: the chat parsers and decryptors over arbitrary bytes.
 * The first byte picks the target; a fixed Alice/Bob conversation is set up
 * once (with seeded randomness, so the seed corpus in tests/corpus/ratchet
 * stays valid) and Bob's state is reloaded from its saved bytes for every
 * input, so genuine messages decrypt and mutations explore the refusals.
 *
 * Invariants checked beyond "no crash": a refused message leaves the saved
 * session bytes unchanged, and every accepted saved form re-saves to itself.
 * PA_FUZZ_RATCHET_SEEDS=DIR writes the seed corpus to DIR. */
#include "pa/pa_crypto.h"
#include "pa/pa_ratchet.h"
#include "pa/pa_x3dh.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T_DECRYPT, T_SESSION, T_IDENTITY, T_BUNDLE, T_ACCEPT, T_VAULT, T_ATTACH, T_COUNT };

/* The harness's fixed world, made once in LLVMFuzzerInitialize. */
static struct {
  uint64_t counter;
  uint8_t session[8192], identity[8192], vault_key[32], attach_key[56];
  size_t session_len, identity_len;
} world;

static void rng_buf(void *buf, size_t n) {
  static const uint8_t key[32] = "petamigos fuzz_ratchet rng key!";
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
    fprintf(stderr, "fuzz_ratchet setup: %s\n", what);
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

static size_t seal_text(pa_ratchet *s, const char *text, uint8_t *out, size_t cap) {
  size_t n = 0;
  need(pa_ratchet_encrypt(s, (const uint8_t *)text, strlen(text), out, cap, &n, NULL) == PA_OK,
       "encrypt");
  return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  randombytes_set_implementation(&rng);
  need(pa_crypto_init(NULL) == PA_OK, "init");
  const char *dir = getenv("PA_FUZZ_RATCHET_SEEDS");
  pa_x3dh_identity *a, *b;
  pa_ratchet *as, *bs;
  uint8_t buf[8192], plain[256];
  size_t n, m;
  need(pa_x3dh_identity_create(1795496400, 0, &a, NULL) == PA_OK, "alice");
  need(pa_x3dh_identity_create(1795496400, 4, &b, NULL) == PA_OK, "bob");
  need(pa_x3dh_bundle_export(b, 1, buf, sizeof buf, &n, NULL) == PA_OK, "bundle");
  write_seed(dir, "bundle", T_BUNDLE, buf, n);
  need(pa_ratchet_initiate(a, buf, n, &as, NULL) == PA_OK, "initiate");
  n = seal_text(as, "first", buf, sizeof buf);
  uint8_t start[512];
  memcpy(start, buf, n);
  size_t start_len = n;
  need(pa_x3dh_identity_save(b, world.identity, sizeof world.identity, &world.identity_len, NULL) ==
           PA_OK,
       "save id");
  write_seed(dir, "identity", T_IDENTITY, world.identity, world.identity_len);
  write_seed(dir, "accept", T_ACCEPT, start, start_len);
  need(pa_ratchet_accept(b, start, start_len, plain, sizeof plain, &m, &bs, NULL, NULL) == PA_OK,
       "accept");
  /* A little history: a reply, a turn, a gap. */
  n = seal_text(bs, "reply", buf, sizeof buf);
  need(pa_ratchet_decrypt(as, buf, n, plain, sizeof plain, &m, NULL, NULL) == PA_OK, "reply");
  uint8_t lost[256];
  size_t lost_len = seal_text(as, "lost for now", lost, sizeof lost);
  n = seal_text(as, "after the gap", buf, sizeof buf);
  need(pa_ratchet_decrypt(bs, buf, n, plain, sizeof plain, &m, NULL, NULL) == PA_OK, "gap");
  need(pa_ratchet_save(bs, world.session, sizeof world.session, &world.session_len, NULL) == PA_OK,
       "save");
  write_seed(dir, "session", T_SESSION, world.session, world.session_len);
  /* Messages Bob's saved state can read: the skipped one, the next, a turn. */
  write_seed(dir, "msg-skipped", T_DECRYPT, lost, lost_len);
  n = seal_text(as, "next in order", buf, sizeof buf);
  write_seed(dir, "msg-next", T_DECRYPT, buf, n);
  n = seal_text(as, "five ahead", buf, sizeof buf);
  n = seal_text(as, "six ahead", buf, sizeof buf);
  write_seed(dir, "msg-ahead", T_DECRYPT, buf, n);
  pa_ratchet *bs2;
  need(pa_ratchet_load(world.session, world.session_len, &bs2, NULL) == PA_OK, "reload");
  n = seal_text(bs2, "from bob", buf, sizeof buf);
  need(pa_ratchet_decrypt(as, buf, n, plain, sizeof plain, &m, NULL, NULL) == PA_OK, "turn");
  n = seal_text(as, "after a turn", buf, sizeof buf);
  /* bs2 moved on; the saved Bob reads this as a new chain, with a DH step. */
  write_seed(dir, "msg-turn", T_DECRYPT, buf, n);
  write_seed(dir, "msg-start-resend", T_DECRYPT, start, start_len);
  randombytes_buf(world.vault_key, sizeof world.vault_key);
  need(pa_vault_seal(world.vault_key, PA_VAULT_SESSION, 3, world.session, world.session_len, buf,
                     sizeof buf, &n, NULL) == PA_OK,
       "vault");
  write_seed(dir, "vault", T_VAULT, buf, n);
  static uint8_t image[3 * PA_ATTACH_CHUNK / 2], sealed[3 * PA_ATTACH_CHUNK / 2 + 64];
  for (size_t i = 0; i < sizeof image; i++) image[i] = (uint8_t)(i * 7);
  need(pa_attach_encrypt(image, 300, world.attach_key, sealed, sizeof sealed, &n, NULL) == PA_OK,
       "attach");
  write_seed(dir, "attach-small", T_ATTACH, sealed, n);
  pa_ratchet_free(as), pa_ratchet_free(bs), pa_ratchet_free(bs2);
  pa_x3dh_identity_free(a), pa_x3dh_identity_free(b);
  return 0;
}

/* Aborts unless s saves to exactly (b, n). */
static void same_bytes(const pa_ratchet *s, const uint8_t *b, size_t n, const char *what) {
  static uint8_t again[1 << 18];
  size_t m;
  if (pa_ratchet_save(s, again, sizeof again, &m, NULL) != PA_OK || m != n || memcmp(again, b, n)) {
    fprintf(stderr, "invariant broken: %s\n", what);
    abort();
  }
}

static void fuzz_decrypt(const uint8_t *d, size_t n) {
  pa_ratchet *s;
  static uint8_t plain[PA_RATCHET_MAX_MESSAGE];
  size_t m;
  pa_crypto_fault why;
  pa_ratchet_info info;
  pa_ratchet_peek(d, n, &info, NULL);
  if (pa_ratchet_load(world.session, world.session_len, &s, NULL) != PA_OK) abort();
  if (pa_ratchet_decrypt(s, d, n, plain, sizeof plain, &m, &why, NULL) != PA_OK) {
    same_bytes(s, world.session, world.session_len, "refused message changed the session");
  } else {
    /* Still usable: answer, and save. */
    uint8_t out[256];
    size_t k;
    if (pa_ratchet_encrypt(s, plain, m < 64 ? m : 64, out, sizeof out, &k, NULL) != PA_OK) abort();
  }
  pa_ratchet_free(s);
}

static void fuzz_session(const uint8_t *d, size_t n) {
  pa_ratchet *s;
  if (pa_ratchet_load(d, n, &s, NULL) != PA_OK) return;
  same_bytes(s, d, n, "session does not re-save to itself");
  uint8_t out[256], plain[256];
  size_t k, m;
  if (pa_ratchet_encrypt(s, (const uint8_t *)"x", 1, out, sizeof out, &k, NULL) == PA_OK)
    pa_ratchet_decrypt(s, out, k, plain, sizeof plain, &m, NULL, NULL);
  pa_ratchet_free(s);
}

static void fuzz_identity(const uint8_t *d, size_t n) {
  pa_x3dh_identity *id;
  if (pa_x3dh_identity_load(d, n, &id, NULL) != PA_OK) return;
  static uint8_t again[16384], bundle[PA_X3DH_BUNDLE_MAX];
  size_t m, bn;
  pa_x3dh_bundle b;
  if (pa_x3dh_identity_save(id, again, sizeof again, &m, NULL) != PA_OK || m != n ||
      memcmp(again, d, n))
    abort(); /* identity does not re-save to itself */
  if (pa_x3dh_bundle_export(id, 1, bundle, sizeof bundle, &bn, NULL) != PA_OK ||
      pa_x3dh_bundle_parse(bundle, bn, &b, NULL) != PA_OK)
    abort(); /* our own bundle must verify */
  pa_x3dh_identity_free(id);
}

static void fuzz_bundle(const uint8_t *d, size_t n) {
  pa_x3dh_bundle b;
  if (pa_x3dh_bundle_parse(d, n, &b, NULL) != PA_OK) return;
  uint8_t one[PA_X3DH_BUNDLE_FIXED + PA_X3DH_BUNDLE_OPK_BYTES];
  size_t m;
  if (pa_x3dh_bundle_select(d, n, b.opk_count ? 0 : -1, one, sizeof one, &m, NULL) != PA_OK ||
      pa_x3dh_bundle_parse(one, m, &b, NULL) != PA_OK)
    abort(); /* a selection from a valid upload is valid */
}

static void fuzz_accept(const uint8_t *d, size_t n) {
  pa_x3dh_identity *id;
  pa_ratchet *s = NULL;
  static uint8_t plain[PA_RATCHET_MAX_MESSAGE];
  size_t m;
  if (pa_x3dh_identity_load(world.identity, world.identity_len, &id, NULL) != PA_OK) abort();
  int before = pa_x3dh_opk_count(id);
  pa_status st = pa_ratchet_accept(id, d, n, plain, sizeof plain, &m, &s, NULL, NULL);
  if (st != PA_OK && pa_x3dh_opk_count(id) != before) abort(); /* refused starts spend nothing */
  pa_ratchet_free(s);
  pa_x3dh_identity_free(id);
}

static void fuzz_vault(const uint8_t *d, size_t n) {
  static uint8_t plain[1 << 18];
  size_t m;
  pa_ratchet *s;
  if (n > sizeof plain) return;
  if (pa_vault_open(world.vault_key, PA_VAULT_SESSION, 0, d, n, plain, sizeof plain, &m, NULL,
                    NULL) == PA_OK &&
      pa_ratchet_load(plain, m, &s, NULL) == PA_OK)
    pa_ratchet_free(s);
}

static void fuzz_attach(const uint8_t *d, size_t n) {
  static uint8_t plain[1 << 17];
  size_t m;
  if (n <= sizeof plain) pa_attach_decrypt(world.attach_key, d, n, plain, sizeof plain, &m, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const uint8_t *d = data + 1;
  size_t n = size - 1;
  switch (data[0] % T_COUNT) {
  case T_DECRYPT: fuzz_decrypt(d, n); break;
  case T_SESSION: fuzz_session(d, n); break;
  case T_IDENTITY: fuzz_identity(d, n); break;
  case T_BUNDLE: fuzz_bundle(d, n); break;
  case T_ACCEPT: fuzz_accept(d, n); break;
  case T_VAULT: fuzz_vault(d, n); break;
  case T_ATTACH: fuzz_attach(d, n); break;
  }
  return 0;
}
