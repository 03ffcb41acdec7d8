/* chat-*: the E2E chat modules (pa_crypto, pa_x3dh, pa_ratchet) from the
 * shell: a scripted two-party demo, a benchmark, and small stateful commands
 * (state = PREFIX.identity and PREFIX.session, both vault blobs) that the
 * WASM interop tests drive. */
#include "cli.h"
#include "pa/pa_crypto.h"
#include "pa/pa_ratchet.h"
#include "pa/pa_x3dh.h"
#include "pa_native.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- seeded randomness for a reproducible demo (CLI only, never the app) */

typedef struct seeded_rng {
  uint8_t key[32];
  uint64_t counter;
} seeded_rng;
static seeded_rng demo_rng; /* the CLI process's one RNG when --seed is given */

static void seeded_buf(void *buf, size_t n) {
  uint8_t nonce[8];
  for (int i = 0; i < 8; i++) nonce[i] = (uint8_t)(demo_rng.counter >> (8 * i));
  demo_rng.counter++;
  crypto_stream_chacha20(buf, n, nonce, demo_rng.key);
}
static uint32_t seeded_random(void) {
  uint32_t v;
  seeded_buf(&v, sizeof v);
  return v;
}
static const char *seeded_name(void) { return "petamigos-demo-seeded"; }
static randombytes_implementation seeded_impl = {seeded_name, seeded_random, NULL,
                                                 NULL,        seeded_buf,    NULL};

/* Must run before anything initialises libsodium. */
static void use_seed(const char *seed) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, (const uint8_t *)"petamigos chat-demo seed:", 25);
  crypto_hash_sha256_update(&st, (const uint8_t *)seed, strlen(seed));
  crypto_hash_sha256_final(&st, demo_rng.key);
  randombytes_set_implementation(&seeded_impl);
}

/* ---- small helpers */

static char *to_hex(const uint8_t *b, size_t n) {
  char *s = malloc(2 * n + 1);
  if (s) sodium_bin2hex(s, 2 * n + 1, b, n);
  return s;
}

/* Decodes hex into a malloc'd buffer (the caller frees it); NULL if not hex. */
static uint8_t *from_hex(const char *hex, size_t *n) {
  size_t len = strlen(hex);
  uint8_t *b = malloc(len / 2 + 1);
  const char *end;
  if (!b || len % 2 || sodium_hex2bin(b, len / 2 + 1, hex, len, NULL, n, &end) != 0 || *end) {
    free(b);
    return NULL;
  }
  return b;
}

static const char *opt(int argc, char **argv, const char *name) {
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], name)) return argv[i + 1];
  return NULL;
}

/* The first argument that is neither an option nor an option's value. */
static const char *positional(int argc, char **argv, int which) {
  for (int i = 1; i < argc; i++) {
    if (!strncmp(argv[i], "--", 2)) {
      i++;
      continue;
    }
    if (which-- == 0) return argv[i];
  }
  return NULL;
}

static int fail_with(pa_status code, pa_crypto_fault why, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int fail_with(pa_status code, pa_crypto_fault why, const char *fmt, ...) {
  pa_error e = {code, ""};
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e.msg, sizeof e.msg, fmt, ap);
  va_end(ap);
  if (why != PA_FAULT_NONE) fprintf(stderr, "fault: %s\n", pa_crypto_fault_name(why));
  return pa_cli_fail(&e);
}

/* ---- state files: vault blobs under a 32-byte key given in hex */

typedef struct chat_state {
  char path_id[1024], path_session[1024];
  uint8_t key[32];
  uint64_t generation;
  pa_x3dh_identity *id;
  pa_ratchet *session;
} chat_state;

static void state_drop(chat_state *s) {
  pa_x3dh_identity_free(s->id);
  pa_ratchet_free(s->session);
  sodium_memzero(s, sizeof *s);
}

/* Reads and opens a vault blob into a malloc'd buffer (*plain, wiped and freed by the caller). */
static pa_status read_sealed(chat_state *s, const char *path, pa_vault_kind kind, uint8_t **plain,
                             size_t *len, pa_error *e) {
  uint8_t *blob;
  size_t n;
  *plain = NULL;
  pa_status st = pa_native_read_file(path, PA_VAULT_MAX_PLAIN + PA_VAULT_OVERHEAD, &blob, &n, e);
  if (st != PA_OK) return st;
  *plain = malloc(n ? n : 1);
  uint64_t gen = 0;
  st = *plain ? pa_vault_open(s->key, kind, 0, blob, n, *plain, n, len, &gen, e)
              : pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  if (gen > s->generation) s->generation = gen;
  free(blob);
  if (st != PA_OK) {
    free(*plain);
    *plain = NULL;
  }
  return st;
}

static pa_status write_sealed(chat_state *s, const char *path, pa_vault_kind kind,
                              const uint8_t *plain, size_t len, pa_error *e) {
  size_t cap = pa_vault_sealed_size(len), n;
  uint8_t *blob = malloc(cap);
  if (!blob) return pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  pa_status st = pa_vault_seal(s->key, kind, s->generation + 1, plain, len, blob, cap, &n, e);
  if (st == PA_OK) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(blob, 1, n, f) != n)
      st = pa_error_set(e, PA_ERR_PLATFORM, "cannot write %s", path);
    if (f && fclose(f) != 0) st = pa_error_set(e, PA_ERR_PLATFORM, "cannot write %s", path);
  }
  free(blob);
  return st;
}

static int file_exists(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f) fclose(f);
  return f != NULL;
}

/* Loads the state at prefix, creating an identity (with opks prekeys) if none exists. */
static pa_status state_load(chat_state *s, const char *prefix, const char *key_hex, int opks,
                            pa_error *e) {
  memset(s, 0, sizeof *s);
  size_t n;
  uint8_t *key = key_hex ? from_hex(key_hex, &n) : NULL;
  if (!key || n != 32) {
    free(key);
    return pa_error_set(e, PA_ERR_ARG, "--key must be 64 hex digits");
  }
  memcpy(s->key, key, 32);
  sodium_memzero(key, 32);
  free(key);
  snprintf(s->path_id, sizeof s->path_id, "%s.identity", prefix);
  snprintf(s->path_session, sizeof s->path_session, "%s.session", prefix);
  pa_status st = pa_crypto_init(e);
  if (st != PA_OK) return st;
  uint8_t *plain;
  size_t len;
  if (!file_exists(s->path_id)) {
    st = pa_x3dh_identity_create((int64_t)time(NULL), opks, &s->id, e);
  } else if ((st = read_sealed(s, s->path_id, PA_VAULT_IDENTITY, &plain, &len, e)) == PA_OK) {
    st = pa_x3dh_identity_load(plain, len, &s->id, e);
    sodium_memzero(plain, len);
    free(plain);
  }
  if (st == PA_OK && file_exists(s->path_session) &&
      (st = read_sealed(s, s->path_session, PA_VAULT_SESSION, &plain, &len, e)) == PA_OK) {
    st = pa_ratchet_load(plain, len, &s->session, e);
    sodium_memzero(plain, len);
    free(plain);
  }
  return st;
}

static pa_status state_save(chat_state *s, pa_error *e) {
  size_t cap = pa_x3dh_identity_saved_size(s->id), n;
  uint8_t *buf = malloc(cap);
  if (!buf) return pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  pa_status st = pa_x3dh_identity_save(s->id, buf, cap, &n, e);
  if (st == PA_OK) st = write_sealed(s, s->path_id, PA_VAULT_IDENTITY, buf, n, e);
  sodium_memzero(buf, cap);
  free(buf);
  if (st != PA_OK || !s->session) return st;
  cap = pa_ratchet_saved_size(s->session);
  if (!(buf = malloc(cap))) return pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  st = pa_ratchet_save(s->session, buf, cap, &n, e);
  if (st == PA_OK) st = write_sealed(s, s->path_session, PA_VAULT_SESSION, buf, n, e);
  sodium_memzero(buf, cap);
  free(buf);
  return st;
}

/* ---- chat-bundle STATE --key HEX [--opks N] */

int pa_cli_chat_bundle(int argc, char **argv) {
  const char *prefix = positional(argc, argv, 0), *opks = opt(argc, argv, "--opks");
  if (!prefix) return PA_CLI_USAGE;
  chat_state s;
  pa_error e;
  if (state_load(&s, prefix, opt(argc, argv, "--key"), opks ? atoi(opks) : 20, &e) != PA_OK ||
      state_save(&s, &e) != PA_OK) {
    state_drop(&s);
    return pa_cli_fail(&e);
  }
  size_t cap = pa_x3dh_bundle_size(s.id, 1), n;
  uint8_t *b = malloc(cap);
  char *hex = NULL;
  if (b && pa_x3dh_bundle_export(s.id, 1, b, cap, &n, &e) == PA_OK) hex = to_hex(b, n);
  if (hex) puts(hex);
  free(b), free(hex);
  state_drop(&s);
  return hex ? PA_CLI_OK : PA_CLI_HOST;
}

/* ---- chat-encrypt STATE --key HEX [--bundle HEX] TEXT */

int pa_cli_chat_encrypt(int argc, char **argv) {
  const char *prefix = positional(argc, argv, 0), *text = positional(argc, argv, 1);
  const char *bundle_hex = opt(argc, argv, "--bundle");
  if (!prefix || !text) return PA_CLI_USAGE;
  chat_state s;
  pa_error e;
  if (state_load(&s, prefix, opt(argc, argv, "--key"), 0, &e) != PA_OK) {
    state_drop(&s);
    return pa_cli_fail(&e);
  }
  if (!s.session) {
    size_t n;
    uint8_t *bundle = bundle_hex ? from_hex(bundle_hex, &n) : NULL;
    pa_status st =
        bundle ? pa_ratchet_initiate(s.id, bundle, n, &s.session, &e)
               : pa_error_set(&e, PA_ERR_ARG, "no session yet: give the peer's --bundle (hex)");
    free(bundle);
    if (st != PA_OK) {
      state_drop(&s);
      return pa_cli_fail(&e);
    }
  }
  size_t len = strlen(text), cap = pa_ratchet_encrypted_size(s.session, len), n;
  uint8_t *out = malloc(cap);
  char *hex = NULL;
  pa_status st = out ? pa_ratchet_encrypt(s.session, (const uint8_t *)text, len, out, cap, &n, &e)
                     : pa_error_set(&e, PA_ERR_NOMEM, "out of memory");
  if (st == PA_OK) st = state_save(&s, &e);
  if (st == PA_OK && (hex = to_hex(out, n))) puts(hex);
  free(out), free(hex);
  state_drop(&s);
  return st != PA_OK ? pa_cli_fail(&e) : PA_CLI_OK;
}

/* ---- chat-decrypt STATE --key HEX MESSAGE_HEX */

int pa_cli_chat_decrypt(int argc, char **argv) {
  const char *prefix = positional(argc, argv, 0), *msg_hex = positional(argc, argv, 1);
  if (!prefix || !msg_hex) return PA_CLI_USAGE;
  chat_state s;
  pa_error e;
  if (state_load(&s, prefix, opt(argc, argv, "--key"), 20, &e) != PA_OK) {
    state_drop(&s);
    return pa_cli_fail(&e);
  }
  size_t n, len = 0;
  uint8_t *msg = from_hex(msg_hex, &n);
  if (!msg) {
    state_drop(&s);
    return fail_with(PA_ERR_SYNTAX, PA_FAULT_NONE, "message: not hex");
  }
  uint8_t *plain = malloc(n + 1);
  pa_crypto_fault why = PA_FAULT_NONE;
  pa_status st = !plain ? pa_error_set(&e, PA_ERR_NOMEM, "out of memory")
                 : s.session
                     ? pa_ratchet_decrypt(s.session, msg, n, plain, n, &len, &why, &e)
                     : pa_ratchet_accept(s.id, msg, n, plain, n, &len, &s.session, &why, &e);
  if (st == PA_OK) st = state_save(&s, &e);
  if (st == PA_OK) {
    fwrite(plain, 1, len, stdout);
    putchar('\n');
  } else if (why != PA_FAULT_NONE) {
    fprintf(stderr, "fault: %s\n", pa_crypto_fault_name(why));
  }
  if (plain) sodium_memzero(plain, n);
  free(plain), free(msg);
  state_drop(&s);
  return st != PA_OK ? pa_cli_fail(&e) : PA_CLI_OK;
}

/* ---- chat-safety STATE --key HEX --me ID --peer ID */

static pa_status session_safety(const pa_ratchet *s, const char *me, const char *peer, char out[72],
                                pa_error *e) {
  uint8_t own[33], other[33];
  char digits[61];
  pa_x3dh_encode_key(pa_ratchet_own_identity(s), own);
  pa_x3dh_encode_key(pa_ratchet_peer_identity(s), other);
  pa_status st = pa_safety_number(own, sizeof own, (const uint8_t *)me, strlen(me), other,
                                  sizeof other, (const uint8_t *)peer, strlen(peer), digits, e);
  if (st == PA_OK) pa_safety_format(digits, out);
  return st;
}

int pa_cli_chat_safety(int argc, char **argv) {
  const char *prefix = positional(argc, argv, 0), *me = opt(argc, argv, "--me");
  const char *peer = opt(argc, argv, "--peer");
  if (!prefix || !me || !peer) return PA_CLI_USAGE;
  chat_state s;
  pa_error e;
  char out[72];
  pa_status st = state_load(&s, prefix, opt(argc, argv, "--key"), 0, &e);
  if (st == PA_OK && !s.session)
    st = pa_error_set(&e, PA_ERR_ARG, "no session in %s", s.path_session);
  if (st == PA_OK) st = session_safety(s.session, me, peer, out, &e);
  if (st == PA_OK) puts(out);
  state_drop(&s);
  return st != PA_OK ? pa_cli_fail(&e) : PA_CLI_OK;
}

/* ---- chat-attach encrypt IN OUT | decrypt KEY_HEX IN OUT */

int pa_cli_chat_attach(int argc, char **argv) {
  int enc = argc == 4 && !strcmp(argv[1], "encrypt"),
      dec = argc == 5 && !strcmp(argv[1], "decrypt");
  if (!enc && !dec) return PA_CLI_USAGE;
  pa_error e;
  uint8_t *in, *out = NULL, *key = NULL, fresh[PA_ATTACH_KEY_BYTES];
  size_t n, m, klen = 0;
  pa_status st = pa_crypto_init(&e);
  if (st == PA_OK)
    st = pa_native_read_file(argv[enc ? 2 : 3], pa_attach_sealed_size(PA_ATTACH_MAX_BYTES), &in, &n,
                             &e);
  if (st != PA_OK) return pa_cli_fail(&e);
  if (enc) {
    out = malloc(pa_attach_sealed_size(n));
    st = out ? pa_attach_encrypt(in, n, fresh, out, pa_attach_sealed_size(n), &m, &e)
             : pa_error_set(&e, PA_ERR_NOMEM, "out of memory");
  } else {
    key = from_hex(argv[2], &klen);
    out = malloc(n ? n : 1);
    st = !key || klen != PA_ATTACH_KEY_BYTES
             ? pa_error_set(&e, PA_ERR_ARG, "key must be 112 hex digits")
         : out ? pa_attach_decrypt(key, in, n, out, n, &m, &e)
               : pa_error_set(&e, PA_ERR_NOMEM, "out of memory");
  }
  if (st == PA_OK) {
    const char *path = argv[enc ? 3 : 4];
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(out, 1, m, f) != m)
      st = pa_error_set(&e, PA_ERR_PLATFORM, "cannot write %s", path);
    if (f && fclose(f) != 0) st = pa_error_set(&e, PA_ERR_PLATFORM, "cannot write %s", path);
  }
  if (st == PA_OK && enc) {
    char *hex = to_hex(fresh, sizeof fresh);
    if (hex) puts(hex);
    free(hex);
  }
  sodium_memzero(fresh, sizeof fresh);
  free(in), free(out), free(key);
  return st != PA_OK ? pa_cli_fail(&e) : PA_CLI_OK;
}

/* ---- chat-demo [--messages N] [--seed S] */

typedef struct demo {
  int step, failed;
  pa_x3dh_identity *alice_id, *bob_id;
  pa_ratchet *alice, *bob;
} demo;

static void say(demo *d, int ok, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void say(demo *d, int ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%2d %s", ++d->step, ok ? "" : "FAILED: ");
  vprintf(fmt, ap);
  putchar('\n');
  va_end(ap);
  d->failed += !ok;
}

typedef struct wire {
  uint8_t b[PA_RATCHET_PREKEY_BYTES + PA_RATCHET_OVERHEAD + 256];
  size_t n;
} wire;

static int post(pa_ratchet *s, const char *text, wire *w) {
  return pa_ratchet_encrypt(s, (const uint8_t *)text, strlen(text), w->b, sizeof w->b, &w->n,
                            NULL) == PA_OK;
}

/* Whether s decrypts w to text; *why says why not. */
static int reads(pa_ratchet *s, const wire *w, const char *text, pa_crypto_fault *why) {
  uint8_t out[256];
  size_t n;
  pa_crypto_fault local;
  if (!why) why = &local;
  return pa_ratchet_decrypt(s, w->b, w->n, out, sizeof out, &n, why, NULL) == PA_OK &&
         n == strlen(text) && memcmp(out, text, n) == 0;
}

/* The session's saved bytes, malloc'd (the caller wipes and frees them). */
static uint8_t *snapshot(const pa_ratchet *s, size_t *n) {
  size_t cap = pa_ratchet_saved_size(s);
  uint8_t *b = malloc(cap);
  if (b && pa_ratchet_save(s, b, cap, n, NULL) != PA_OK) *n = 0;
  return b;
}

static int same_snapshot(const pa_ratchet *s, const uint8_t *before, size_t n) {
  size_t m;
  uint8_t *now = snapshot(s, &m);
  int same = now && m == n && memcmp(now, before, n) == 0;
  if (now) sodium_memzero(now, m);
  free(now);
  return same;
}

static void short_key(const uint8_t *k, char out[17]) { sodium_bin2hex(out, 17, k, 8); }

static void demo_run(demo *d, int messages) {
  pa_error e;
  int64_t now = 1795496400;
  char ka[17], kb[17];
  pa_crypto_fault why;

  int ok = pa_x3dh_identity_create(now, 0, &d->alice_id, &e) == PA_OK &&
           pa_x3dh_identity_create(now, 5, &d->bob_id, &e) == PA_OK;
  if (!ok) {
    say(d, 0, "identities: %s", e.msg);
    return;
  }
  short_key(pa_x3dh_identity_key(d->alice_id), ka);
  short_key(pa_x3dh_identity_key(d->bob_id), kb);
  say(d, 1,
      "identities: alice %s..., bob %s... (Ed25519; X25519 by conversion); bob holds %d one-time "
      "prekeys",
      ka, kb, pa_x3dh_opk_count(d->bob_id));

  uint8_t upload[PA_X3DH_BUNDLE_MAX], fetched[PA_X3DH_BUNDLE_FIXED + PA_X3DH_BUNDLE_OPK_BYTES];
  size_t up_n = 0, fetched_n = 0;
  ok = pa_x3dh_bundle_export(d->bob_id, 1, upload, sizeof upload, &up_n, &e) == PA_OK &&
       pa_x3dh_bundle_select(upload, up_n, 0, fetched, sizeof fetched, &fetched_n, &e) == PA_OK;
  say(d, ok,
      "bundle: bob uploads %zu bytes (signed prekey %u, %d one-time prekeys); the server hands "
      "alice %zu bytes",
      up_n, pa_x3dh_spk_id(d->bob_id), pa_x3dh_opk_count(d->bob_id), fetched_n);

  pa_x3dh_bundle b;
  fetched[100] ^= 1; /* inside the signature */
  pa_status forged = pa_x3dh_bundle_parse(fetched, fetched_n, &b, &e);
  fetched[100] ^= 1;
  ok = forged != PA_OK && pa_x3dh_bundle_parse(fetched, fetched_n, &b, &e) == PA_OK;
  say(d, ok,
      "bundle verified: signature over signed prekey %u checks; a copy with one bit changed is "
      "refused (%s)",
      b.spk_id, pa_status_name(forged));

  wire first, w[3];
  uint8_t plain[256];
  size_t n;
  ok = pa_ratchet_initiate(d->alice_id, fetched, fetched_n, &d->alice, &e) == PA_OK &&
       post(d->alice, "Hi Bob! Luna says meow.", &first) &&
       pa_ratchet_accept(d->bob_id, first.b, first.n, plain, sizeof plain, &n, &d->bob, &why, &e) ==
           PA_OK;
  say(d, ok,
      "x3dh: alice's session start is %zu bytes (one-time prekey %u); bob accepts and reads "
      "\"%.*s\"; bob now holds %d",
      first.n, b.opk_id, ok ? (int)n : 0, (const char *)plain, pa_x3dh_opk_count(d->bob_id));
  if (!ok) return;

  char sa[72], sb[72];
  ok = session_safety(d->alice, "alice", "bob", sa, &e) == PA_OK &&
       session_safety(d->bob, "bob", "alice", sb, &e) == PA_OK && !strcmp(sa, sb);
  say(d, ok, "safety number: %s (same on both phones: %s)", sa, ok ? "yes" : "no");

  int good = 0;
  char text[64];
  for (int i = 0; i < messages; i++) {
    pa_ratchet *from = i % 3 == 2 ? d->bob : d->alice, *to = from == d->bob ? d->alice : d->bob;
    snprintf(text, sizeof text, "message %d from %s", i, from == d->bob ? "bob" : "alice");
    good += post(from, text, &w[0]) && reads(to, &w[0], text, NULL);
  }
  say(d, good == messages, "messages: %d of %d sent both ways decrypted", good, messages);

  ok = post(d->alice, "walk at 5?", &w[0]) && post(d->alice, "the park by the river", &w[1]) &&
       post(d->alice, "bring treats", &w[2]);
  ok = ok && reads(d->bob, &w[2], "bring treats", NULL);
  int held = pa_ratchet_skipped_count(d->bob);
  ok = ok && reads(d->bob, &w[0], "walk at 5?", NULL) &&
       reads(d->bob, &w[1], "the park by the river", NULL);
  say(d, ok && held == 2,
      "out of order: alice sends 1, 2, 3; bob reads 3 (holding %d keys), then 1 and 2 (holding %d)",
      held, pa_ratchet_skipped_count(d->bob));

  ok = post(d->bob, "sure!", &w[0]) && post(d->bob, "(lost on the way)", &w[1]) &&
       post(d->bob, "see you there", &w[2]);
  ok = ok && reads(d->alice, &w[0], "sure!", NULL) && reads(d->alice, &w[2], "see you there", NULL);
  say(d, ok && pa_ratchet_skipped_count(d->alice) == 1,
      "dropped: bob's 2nd of 3 never arrives; alice reads 1 and 3 and keeps 1 key for it");

  size_t snap_n;
  uint8_t *snap = snapshot(d->bob, &snap_n);
  ok = post(d->alice, "secret plan", &w[0]);
  w[0].b[w[0].n - 20] ^= 0x04; /* one bit of the ciphertext */
  ok = ok && !reads(d->bob, &w[0], "secret plan", &why);
  say(d, ok && why == PA_FAULT_FORGED && same_snapshot(d->bob, snap, snap_n),
      "tampered: one flipped bit is refused (%s); bob's session bytes unchanged: %s",
      pa_crypto_fault_name(why), same_snapshot(d->bob, snap, snap_n) ? "yes" : "no");
  w[0].b[w[0].n - 20] ^= 0x04;
  ok = reads(d->bob, &w[0], "secret plan", NULL) && !reads(d->bob, &w[0], "secret plan", &why);
  sodium_memzero(snap, snap_n);
  free(snap);
  snap = snapshot(d->bob, &snap_n);
  ok = ok && !reads(d->bob, &w[0], "secret plan", &why) && why == PA_FAULT_REPLAY;
  say(d, ok && same_snapshot(d->bob, snap, snap_n),
      "replay: the untouched message reads once, its second delivery is refused (%s), session "
      "unchanged",
      pa_crypto_fault_name(why));
  sodium_memzero(snap, snap_n);
  free(snap);

  /* Persist Bob mid-conversation (a message in flight), drop him, restore. */
  ok = post(d->alice, "sent while bob was away", &w[0]);
  uint8_t vault_key[32];
  randombytes_buf(vault_key, sizeof vault_key);
  size_t sn = 0, in = 0, sealed_s = 0, sealed_i = 0, out_n = 0;
  uint8_t *sbytes = snapshot(d->bob, &sn);
  uint8_t ibytes[PA_X3DH_BUNDLE_MAX + 200];
  ok = ok && sbytes && pa_x3dh_identity_save(d->bob_id, ibytes, sizeof ibytes, &in, &e) == PA_OK;
  uint8_t *sblob = malloc(pa_vault_sealed_size(sn)), *iblob = malloc(pa_vault_sealed_size(in));
  ok = ok && sblob && iblob &&
       pa_vault_seal(vault_key, PA_VAULT_SESSION, 2, sbytes, sn, sblob, pa_vault_sealed_size(sn),
                     &sealed_s, &e) == PA_OK &&
       pa_vault_seal(vault_key, PA_VAULT_IDENTITY, 2, ibytes, in, iblob, pa_vault_sealed_size(in),
                     &sealed_i, &e) == PA_OK;
  pa_ratchet_free(d->bob);
  pa_x3dh_identity_free(d->bob_id);
  d->bob = NULL, d->bob_id = NULL;
  sodium_memzero(ibytes, sizeof ibytes);
  uint8_t *back = malloc(sn > in ? sn : in);
  ok = ok && back &&
       pa_vault_open(vault_key, PA_VAULT_SESSION, 2, sblob, sealed_s, back, sn, &out_n, NULL, &e) ==
           PA_OK &&
       pa_ratchet_load(back, out_n, &d->bob, &e) == PA_OK &&
       pa_vault_open(vault_key, PA_VAULT_IDENTITY, 2, iblob, sealed_i, back, in, &out_n, NULL,
                     &e) == PA_OK &&
       pa_x3dh_identity_load(back, out_n, &d->bob_id, &e) == PA_OK;
  int identical = ok && same_snapshot(d->bob, sbytes, sn);
  pa_status tampered = PA_OK;
  if (ok) {
    sblob[sealed_s / 2] ^= 1;
    tampered =
        pa_vault_open(vault_key, PA_VAULT_SESSION, 0, sblob, sealed_s, back, sn, &out_n, NULL, &e);
  }
  say(d, ok && identical && tampered != PA_OK,
      "persist: bob's session (%zu bytes) and identity (%zu) sealed in the vault, dropped, "
      "restored: identical %s; a tampered blob is refused (%s)",
      sn, in, identical ? "yes" : "no", pa_status_name(tampered));
  if (back) sodium_memzero(back, sn > in ? sn : in);
  sodium_memzero(sbytes, sn);
  sodium_memzero(vault_key, sizeof vault_key);
  free(sbytes), free(sblob), free(iblob), free(back);
  if (!d->bob || !d->bob_id) return;

  ok = reads(d->bob, &w[0], "sent while bob was away", NULL) && post(d->bob, "back!", &w[1]) &&
       reads(d->alice, &w[1], "back!", NULL);
  say(d, ok, "after restore: bob reads the message sent while he was away; alice reads his reply");

  pa_ratchet *again = NULL;
  pa_status st =
      pa_ratchet_accept(d->bob_id, first.b, first.n, plain, sizeof plain, &n, &again, &why, &e);
  say(d, st != PA_OK && why == PA_FAULT_PREKEY_GONE,
      "session-start replay: alice's first message again is refused (%s): one-time prekey %u was "
      "used once",
      pa_crypto_fault_name(why), b.opk_id);
  pa_ratchet_free(again);
  sodium_memzero(plain, sizeof plain);
}

int pa_cli_chat_demo(int argc, char **argv) {
  const char *m = opt(argc, argv, "--messages"), *seed = opt(argc, argv, "--seed");
  int messages = m ? atoi(m) : 12;
  if (messages < 0 || messages > 100000) return PA_CLI_USAGE;
  if (seed) use_seed(seed);
  pa_error e;
  if (pa_crypto_init(&e) != PA_OK) return pa_cli_fail(&e);
  printf("chat-demo: alice and bob, %s randomness\n",
         seed ? "seeded (reproducible, demo only)" : "system");
  demo d = {0};
  demo_run(&d, messages);
  pa_ratchet_free(d.alice);
  pa_ratchet_free(d.bob);
  pa_x3dh_identity_free(d.alice_id);
  pa_x3dh_identity_free(d.bob_id);
  printf("%s: %d steps, %d failed\n", d.failed ? "FAILED" : "ok", d.step, d.failed);
  return d.failed ? PA_CLI_BAD_INPUT : PA_CLI_OK;
}

/* ---- chat-bench [--messages N] [--steps N] */

int pa_cli_chat_bench(int argc, char **argv) {
  const char *mo = opt(argc, argv, "--messages"), *so = opt(argc, argv, "--steps");
  int messages = mo ? atoi(mo) : 20000, steps = so ? atoi(so) : 2000;
  if (messages < 1 || steps < 1) return PA_CLI_USAGE;
  pa_error e;
  pa_x3dh_identity *ida = NULL, *idb = NULL;
  pa_ratchet *a = NULL, *b = NULL;
  uint8_t bundle[PA_X3DH_BUNDLE_MAX], msg[1024 + 200], plain[1024], out[1024];
  size_t bn, n, m;
  for (size_t i = 0; i < sizeof plain; i++) plain[i] = (uint8_t)i;
  pa_status st = pa_crypto_init(&e);
  if (st == PA_OK) st = pa_x3dh_identity_create(0, 1, &ida, &e);
  if (st == PA_OK) st = pa_x3dh_identity_create(0, 1, &idb, &e);
  if (st == PA_OK) st = pa_x3dh_bundle_export(idb, 1, bundle, sizeof bundle, &bn, &e);
  if (st == PA_OK) st = pa_ratchet_initiate(ida, bundle, bn, &a, &e);
  if (st == PA_OK) st = pa_ratchet_encrypt(a, plain, 16, msg, sizeof msg, &n, &e);
  if (st == PA_OK) st = pa_ratchet_accept(idb, msg, n, out, sizeof out, &m, &b, NULL, &e);
  if (st == PA_OK) st = pa_ratchet_encrypt(b, plain, 16, msg, sizeof msg, &n, &e);
  if (st == PA_OK) st = pa_ratchet_decrypt(a, msg, n, out, sizeof out, &m, NULL, &e);

  /* One direction, one chain: symmetric ratchet + AEAD only. */
  double t0 = pa_cli_now_ms();
  for (int i = 0; i < messages && st == PA_OK; i++) {
    st = pa_ratchet_encrypt(a, plain, sizeof plain, msg, sizeof msg, &n, &e);
    if (st == PA_OK) st = pa_ratchet_decrypt(b, msg, n, out, sizeof out, &m, NULL, &e);
  }
  double msg_us = (pa_cli_now_ms() - t0) * 1e3 / messages;
  /* Alternating replies: each decrypt turns the DH ratchet (2 X25519 + a key pair). */
  t0 = pa_cli_now_ms();
  for (int i = 0; i < steps && st == PA_OK; i++) {
    pa_ratchet *from = i % 2 ? b : a, *to = i % 2 ? a : b;
    st = pa_ratchet_encrypt(from, plain, 16, msg, sizeof msg, &n, &e);
    if (st == PA_OK) st = pa_ratchet_decrypt(to, msg, n, out, sizeof out, &m, NULL, &e);
  }
  double step_us = (pa_cli_now_ms() - t0) * 1e3 / steps;
  pa_ratchet_free(a), pa_ratchet_free(b);
  pa_x3dh_identity_free(ida), pa_x3dh_identity_free(idb);
  if (st != PA_OK) return pa_cli_fail(&e);
  printf("chat-bench: native, libsodium %s\n", sodium_version_string());
  printf("msg_1k_us %.3f (encrypt + decrypt of a 1 KiB message, %d messages)\n", msg_us, messages);
  printf("dh_step_us %.3f (encrypt + decrypt of a reply that turns the DH ratchet, %d replies)\n",
         step_us, steps);
  return PA_CLI_OK;
}
