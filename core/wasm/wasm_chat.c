/* The browser host's chat exports: identities and sessions live in a handle
 * table (small integers with a reuse counter, never pointers), results go to
 * one output buffer the shell copies from (pa_wasm_chat_out / _out_len) and
 * should wipe (pa_wasm_chat_out_wipe) once it holds plaintext or keys.
 *
 * Return convention: >= 0 is a handle or a byte count, < 0 is -pa_status;
 * pa_wasm_chat_error() and pa_wasm_chat_fault() then say what and why.
 * Every handle is owned by the shell, which frees it with pa_wasm_chat_free.
 *
 * The generated seam (core/wasm/README.md) wipes its copies of the inputs
 * before freeing them, and copies each output out, then wipes it.
 * seam: wipe-inputs */
#include "pa/pa_callsig.h"
#include "pa/pa_copy.h"
#include "pa/pa_crypto.h"
#include "pa/pa_devlist.h"
#include "pa/pa_group.h"
#include "pa/pa_link.h"
#include "pa/pa_ratchet.h"
#include "pa/pa_x3dh.h"

#include <emscripten.h>
#include <stdlib.h>
#include <string.h>

/* libsodium 1.0.18 asks Module.getRandomValue() for every random byte and
 * only finds `window.crypto` or Node's require(): neither exists in an ES
 * module under Node 20, nor in workers. globalThis.crypto does, everywhere. */
// clang-format off
EM_JS(void, pa_js_chat_install_random, (void), {
  if (Module.getRandomValue !== undefined) return;
  const pool = new Uint32Array(256);
  let at = pool.length;
  Module.getRandomValue = function() {
    if (at === pool.length) {
      globalThis.crypto.getRandomValues(pool);
      at = 0;
    }
    const v = pool[at];
    pool[at++] = 0;
    return v >>> 0;
  };
});
// clang-format on

/* ---- host state: the handle table, last error, output buffer */

enum { MAX_HANDLES = 256, KIND_IDENTITY = 1, KIND_SESSION = 2, KIND_AIK = 3, REUSE_SHIFT = 9 };

typedef struct entry {
  int kind;
  unsigned reuse; /* bumped on free, so stale handles miss */
  void *obj;
} entry;

static entry table[MAX_HANDLES];
static pa_error last_error;
static pa_crypto_fault last_fault;
static uint8_t *out_buf;
static size_t out_len, out_cap;
static int out_secret; /* whether the output holds plaintext or keys */
static int ready;

static int fail(pa_status st) { return -(int)st; }

static int ensure_ready(void) {
  if (ready) return 1;
  pa_js_chat_install_random();
  if (pa_crypto_init(&last_error) != PA_OK) return 0;
  ready = 1;
  return 1;
}

static int begin(void) {
  pa_error_clear(&last_error);
  last_fault = PA_FAULT_NONE;
  return ensure_ready();
}

/* Makes room for n output bytes, secret or not. A previous secret output is
 * wiped first (ciphertext and bundles are public: no need), and a large
 * buffer is given back once outputs are small again. */
static uint8_t *out_reserve(size_t n, int secret) {
  if (out_buf && out_secret) pa_crypto_wipe(out_buf, out_len);
  out_len = 0;
  out_secret = secret;
  if (n > out_cap || (out_cap > (4u << 20) && n < out_cap / 4)) {
    free(out_buf);
    out_buf = malloc(n);
    out_cap = out_buf ? n : 0;
  }
  return out_buf;
}

static int handle_new(int kind, void *obj) {
  for (int i = 0; i < MAX_HANDLES; i++)
    if (!table[i].obj) {
      table[i].kind = kind;
      table[i].obj = obj;
      return (int)(table[i].reuse << REUSE_SHIFT) | (i + 1);
    }
  return 0;
}

static void *lookup(int handle, int kind) {
  int i = (handle & ((1 << REUSE_SHIFT) - 1)) - 1;
  if (handle <= 0 || i < 0 || i >= MAX_HANDLES) return NULL;
  entry *e = &table[i];
  return e->obj && e->kind == kind && (unsigned)(handle >> REUSE_SHIFT) == e->reuse ? e->obj : NULL;
}

static int no_such(const char *what) {
  return fail(pa_error_set(&last_error, PA_ERR_ARG, "chat: no such %s", what));
}

static int keep(int kind, void *obj) {
  int h = handle_new(kind, obj);
  if (h) return h;
  if (kind == KIND_IDENTITY)
    pa_x3dh_identity_free(obj);
  else if (kind == KIND_AIK)
    pa_devlist_aik_free(obj);
  else
    pa_ratchet_free(obj);
  return fail(
      pa_error_set(&last_error, PA_ERR_TOO_LARGE, "chat: all %d handles in use", MAX_HANDLES));
}

/* ---- exports: output and errors */

EMSCRIPTEN_KEEPALIVE uint8_t *pa_wasm_chat_out(void) { return out_buf; }
EMSCRIPTEN_KEEPALIVE size_t pa_wasm_chat_out_len(void) { return out_len; }
EMSCRIPTEN_KEEPALIVE void pa_wasm_chat_out_wipe(void) {
  if (out_buf) pa_crypto_wipe(out_buf, out_len);
  out_len = 0;
  out_secret = 0;
}
/* seam: error */
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_chat_error(void) { return last_error.msg; }
/* seam: status-name */
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_chat_status_name(int code) {
  return pa_status_name((pa_status)code);
}
/* The pa_crypto_fault of the last refusal (0 = none); names via pa_wasm_chat_fault_name.
 * seam: error-fault=pa_wasm_chat_fault_name */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_fault(void) { return (int)last_fault; }
EMSCRIPTEN_KEEPALIVE const char *pa_wasm_chat_fault_name(int fault) {
  return pa_crypto_fault_name((pa_crypto_fault)fault);
}

/* Frees an identity, session or account key handle (wiping it). */
EMSCRIPTEN_KEEPALIVE void pa_wasm_chat_free(int handle) {
  void *obj;
  if ((obj = lookup(handle, KIND_IDENTITY)))
    pa_x3dh_identity_free(obj);
  else if ((obj = lookup(handle, KIND_SESSION)))
    pa_ratchet_free(obj);
  else if ((obj = lookup(handle, KIND_AIK)))
    pa_devlist_aik_free(obj);
  else
    return;
  entry *e = &table[(handle & ((1 << REUSE_SHIFT) - 1)) - 1];
  e->obj = NULL;
  e->kind = 0;
  e->reuse = (e->reuse + 1) & 0x3fffff;
}

/* ---- identities and prekeys */

/* Creates an identity; now is Unix seconds. Returns a handle. seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_identity_create(double now, int opks) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  pa_x3dh_identity *id;
  pa_status st = pa_x3dh_identity_create((int64_t)now, opks, &id, &last_error);
  return st == PA_OK ? keep(KIND_IDENTITY, id) : fail(st);
}

/* Writes the 32-byte Ed25519 identity key to the output; returns 32.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_identity_key(int handle) {
  begin();
  pa_x3dh_identity *id = lookup(handle, KIND_IDENTITY);
  if (!id) return no_such("identity");
  if (!out_reserve(32, 0)) return fail(PA_ERR_NOMEM);
  memcpy(out_buf, pa_x3dh_identity_key(id), 32);
  out_len = 32;
  return 32;
}

/* Rotates the signed prekey if it is due; returns 1 if it did, 0 if not.
 * seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_spk_rotate_if_due(int handle, double now) {
  begin();
  pa_x3dh_identity *id = lookup(handle, KIND_IDENTITY);
  if (!id) return no_such("identity");
  if (!pa_x3dh_spk_due(id, (int64_t)now)) return 0;
  pa_status st = pa_x3dh_spk_rotate(id, (int64_t)now, &last_error);
  return st == PA_OK ? 1 : fail(st);
}

/* Adds up to batch one-time prekeys when fewer than below remain; returns how many.
 * seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_opk_replenish(int handle, int below, int batch) {
  begin();
  pa_x3dh_identity *id = lookup(handle, KIND_IDENTITY);
  if (!id) return no_such("identity");
  int added;
  pa_status st = pa_x3dh_opk_replenish(id, below, batch, &added, &last_error);
  return st == PA_OK ? added : fail(st);
}

EMSCRIPTEN_KEEPALIVE double pa_wasm_chat_opk_next_id(int handle) {
  pa_x3dh_identity *id = lookup(handle, KIND_IDENTITY);
  return id ? (double)pa_x3dh_opk_next_id(id) : 0;
}

/* The bundle to publish (one-time prekeys with id >= first_opk) to the output.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_bundle(int handle, double first_opk) {
  begin();
  pa_x3dh_identity *id = lookup(handle, KIND_IDENTITY);
  if (!id) return no_such("identity");
  uint32_t first = first_opk >= 4294967295.0 ? UINT32_MAX
                   : first_opk <= 0          ? 0
                                             : (uint32_t)first_opk;
  size_t cap = pa_x3dh_bundle_size(id, first);
  if (!out_reserve(cap, 0)) return fail(PA_ERR_NOMEM);
  pa_status st = pa_x3dh_bundle_export(id, first, out_buf, cap, &out_len, &last_error);
  return st == PA_OK ? (int)out_len : fail(st);
}

/* ---- sessions */

/* Starts a session with a fetched bundle (verified here); returns its handle.
 * seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_start(int identity, const uint8_t *bundle, size_t len) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  pa_x3dh_identity *id = lookup(identity, KIND_IDENTITY);
  if (!id) return no_such("identity");
  pa_ratchet *s;
  pa_status st = pa_ratchet_initiate(id, bundle, len, &s, &last_error);
  return st == PA_OK ? keep(KIND_SESSION, s) : fail(st);
}

/* For a session-start message: the handle of the session it belongs to
 * (a resend), 0 if none does (call pa_wasm_chat_accept), or -status.
 * seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_owner(const uint8_t *msg, size_t len) {
  begin();
  pa_ratchet_info info;
  pa_status st = pa_ratchet_peek(msg, len, &info, &last_error);
  if (st != PA_OK) return fail(st);
  for (int i = 0; i < MAX_HANDLES; i++)
    if (table[i].kind == KIND_SESSION && pa_ratchet_owns(table[i].obj, &info))
      return (int)(table[i].reuse << REUSE_SHIFT) | (i + 1);
  return 0;
}

/* Accepts a session start: the plaintext goes to the output (pa_wasm_chat_out_len
 * bytes); returns the new session's handle. The identity changed (a one-time
 * prekey is spent): seal it again. The wrapper returns {value: the handle,
 * bytes: the plaintext}. seam: throws-negative bytes-at=pa_wasm_chat_out
 * length=pa_wasm_chat_out_len wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_accept(int identity, const uint8_t *msg, size_t len) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  pa_x3dh_identity *id = lookup(identity, KIND_IDENTITY);
  if (!id) return no_such("identity");
  if (!out_reserve(len ? len : 1, 1)) return fail(PA_ERR_NOMEM);
  pa_ratchet *s;
  size_t n;
  pa_status st = pa_ratchet_accept(id, msg, len, out_buf, len, &n, &s, &last_fault, &last_error);
  if (st != PA_OK) return fail(st);
  out_len = n;
  return keep(KIND_SESSION, s);
}

/* Encrypts len bytes; the message goes to the output. Returns its length.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_encrypt(int session, const uint8_t *plain, size_t len) {
  begin();
  pa_ratchet *s = lookup(session, KIND_SESSION);
  if (!s) return no_such("session");
  size_t cap = pa_ratchet_encrypted_size(s, len);
  if (!out_reserve(cap, 0)) return fail(PA_ERR_NOMEM);
  pa_status st = pa_ratchet_encrypt(s, plain, len, out_buf, cap, &out_len, &last_error);
  return st == PA_OK ? (int)out_len : fail(st);
}

/* Decrypts a message; the plaintext goes to the output. Returns its length,
 * or -status with the session unchanged and pa_wasm_chat_fault() saying why.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_decrypt(int session, const uint8_t *msg, size_t len) {
  begin();
  pa_ratchet *s = lookup(session, KIND_SESSION);
  if (!s) return no_such("session");
  if (!out_reserve(len ? len : 1, 1)) return fail(PA_ERR_NOMEM);
  pa_status st = pa_ratchet_decrypt(s, msg, len, out_buf, len, &out_len, &last_fault, &last_error);
  return st == PA_OK ? (int)out_len : fail(st);
}

/* The formatted safety number ("12345 67890 ...", NUL-terminated) to the
 * output; ids are the stable account ids (UTF-8). Returns 71.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_safety(int session, const char *own_id, const char *peer_id) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  pa_ratchet *s = lookup(session, KIND_SESSION);
  if (!s) return no_such("session");
  uint8_t own[33], peer[33];
  char digits[61];
  pa_x3dh_encode_key(pa_ratchet_own_identity(s), own);
  pa_x3dh_encode_key(pa_ratchet_peer_identity(s), peer);
  pa_status st =
      pa_safety_number(own, sizeof own, (const uint8_t *)own_id, strlen(own_id), peer, sizeof peer,
                       (const uint8_t *)peer_id, strlen(peer_id), digits, &last_error);
  if (st != PA_OK) return fail(st);
  if (!out_reserve(PA_SAFETY_FORMATTED + 1, 0)) return fail(PA_ERR_NOMEM);
  pa_safety_format(digits, (char *)out_buf);
  out_len = PA_SAFETY_FORMATTED;
  return PA_SAFETY_FORMATTED;
}

/* ---- the vault: sealed identity and session bytes */

/* Seals an identity or session under a 32-byte key; the blob goes to the output.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_seal(int handle, const uint8_t *key, double generation) {
  begin();
  pa_devlist_aik *aik = lookup(handle, KIND_AIK);
  if (aik) {
    uint8_t saved[PA_DEVLIST_AIK_SAVED];
    if (!out_reserve(pa_vault_sealed_size(sizeof saved), 0)) return fail(PA_ERR_NOMEM);
    pa_devlist_aik_save(aik, saved);
    pa_status st = pa_vault_seal(key, PA_VAULT_ACCOUNT, (uint64_t)generation, saved, sizeof saved,
                                 out_buf, out_cap, &out_len, &last_error);
    pa_crypto_wipe(saved, sizeof saved);
    return st == PA_OK ? (int)out_len : fail(st);
  }
  pa_x3dh_identity *id = lookup(handle, KIND_IDENTITY);
  pa_ratchet *s = id ? NULL : lookup(handle, KIND_SESSION);
  if (!id && !s) return no_such("identity or session");
  size_t cap = id ? pa_x3dh_identity_saved_size(id) : pa_ratchet_saved_size(s), n;
  uint8_t *plain = malloc(cap);
  if (!plain || !out_reserve(pa_vault_sealed_size(cap), 0)) {
    free(plain);
    return fail(PA_ERR_NOMEM);
  }
  pa_status st = id ? pa_x3dh_identity_save(id, plain, cap, &n, &last_error)
                    : pa_ratchet_save(s, plain, cap, &n, &last_error);
  if (st == PA_OK)
    st = pa_vault_seal(key, id ? PA_VAULT_IDENTITY : PA_VAULT_SESSION, (uint64_t)generation, plain,
                       n, out_buf, out_cap, &out_len, &last_error);
  pa_crypto_wipe(plain, cap);
  free(plain);
  return st == PA_OK ? (int)out_len : fail(st);
}

/* Opens a blob sealed by pa_wasm_chat_seal (kind 1 identity, 2 session,
 * 4 account key), refusing tampering, other versions and generations below
 * min_generation. Returns a new handle. seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_open(int kind, const uint8_t *key, double min_generation,
                                           const uint8_t *blob, size_t len) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  if (kind != PA_VAULT_IDENTITY && kind != PA_VAULT_SESSION && kind != PA_VAULT_ACCOUNT)
    return fail(pa_error_set(&last_error, PA_ERR_ARG, "chat: kind must be 1, 2 or 4"));
  uint8_t *plain = malloc(len ? len : 1);
  if (!plain) return fail(PA_ERR_NOMEM);
  size_t n = 0;
  void *obj = NULL;
  pa_status st = pa_vault_open(key, (pa_vault_kind)kind, (uint64_t)min_generation, blob, len, plain,
                               len, &n, NULL, &last_error);
  if (st == PA_OK)
    st = kind == PA_VAULT_IDENTITY
             ? pa_x3dh_identity_load(plain, n, (pa_x3dh_identity **)&obj, &last_error)
         : kind == PA_VAULT_ACCOUNT
             ? pa_devlist_aik_load(plain, n, (pa_devlist_aik **)&obj, &last_error)
             : pa_ratchet_load(plain, n, (pa_ratchet **)&obj, &last_error);
  pa_crypto_wipe(plain, len);
  free(plain);
  if (st != PA_OK) return fail(st);
  return keep(kind == PA_VAULT_IDENTITY  ? KIND_IDENTITY
              : kind == PA_VAULT_ACCOUNT ? KIND_AIK
                                         : KIND_SESSION,
              obj);
}

/* ---- attachments */

/* Encrypts an image: the output is key+header (56 bytes) then the ciphertext.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_attach_encrypt(const uint8_t *plain, size_t len) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  if (len > PA_ATTACH_MAX_BYTES)
    return fail(pa_error_set(&last_error, PA_ERR_TOO_LARGE, "attachment: over the size limit"));
  size_t cap = PA_ATTACH_KEY_BYTES + pa_attach_sealed_size(len), n;
  if (!out_reserve(cap, 1)) return fail(PA_ERR_NOMEM);
  pa_status st = pa_attach_encrypt(plain, len, out_buf, out_buf + PA_ATTACH_KEY_BYTES,
                                   cap - PA_ATTACH_KEY_BYTES, &n, &last_error);
  if (st != PA_OK) return fail(st);
  out_len = PA_ATTACH_KEY_BYTES + n;
  return (int)out_len;
}

/* Decrypts an attachment with its 56-byte key+header; the image goes to the output.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_attach_decrypt(const uint8_t *key, const uint8_t *sealed,
                                                     size_t len) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  if (!out_reserve(len ? len : 1, 1)) return fail(PA_ERR_NOMEM);
  pa_status st = pa_attach_decrypt(key, sealed, len, out_buf, len, &out_len, &last_error);
  return st == PA_OK ? (int)out_len : fail(st);
}

/* ---- groups (pa_group.h; chat.md, "Groups") */

/* Puts text (malloc'd, NULL when out of memory) into the output as a secret
 * (group names and texts are plaintext) and frees it; returns its length. */
static int out_text(char *text) {
  if (!text) return fail(pa_error_set(&last_error, PA_ERR_NOMEM, "group: out of memory"));
  size_t n = strlen(text);
  if (!out_reserve(n ? n : 1, 1)) {
    free(text);
    return fail(PA_ERR_NOMEM);
  }
  memcpy(out_buf, text, n);
  out_len = n;
  pa_crypto_wipe(text, n);
  free(text);
  return (int)n;
}

/* A group payload (JSON, from a ratchet message or about to go into one)
 * checked strictly; its canonical JSON goes to the output.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_group_parse(const uint8_t *json, size_t len) {
  begin();
  pa_group_msg m;
  pa_status st = pa_group_parse((const char *)json, len, &m, &last_error);
  if (st != PA_OK) return fail(st);
  char *text = pa_group_encode(&m);
  pa_group_msg_free(&m);
  return out_text(text);
}

/* Applies control payload msg from user sender to this device's group
 * state (its JSON; "" when the group is new here) for the device of user
 * me; the new state's JSON goes to the output. Refused: -PA_ERR_SCHEMA and
 * the reason (not an admin, wrong epoch, ...), the state unchanged.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_group_apply(const char *state, const uint8_t *msg, size_t len,
                                                  const char *sender, const char *me) {
  begin();
  pa_group_state s;
  pa_group_msg m;
  int have = state && state[0];
  if (have && pa_group_state_parse(state, strlen(state), &s, &last_error) != PA_OK)
    return fail(last_error.code);
  pa_status st = pa_group_parse((const char *)msg, len, &m, &last_error);
  if (st != PA_OK) return fail(st);
  st = pa_group_apply(have ? &s : NULL, &m, sender, me, &s, &last_error);
  pa_group_msg_free(&m);
  if (st != PA_OK) return fail(st);
  return out_text(pa_group_state_encode(&s));
}

/* ---- the account identity key and signed device lists (pa_devlist.h) */

/* Creates an account identity key (AIK); returns its handle. Seal it with
 * pa_wasm_chat_seal (vault kind 4). seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_aik_create(void) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  pa_devlist_aik *a;
  pa_status st = pa_devlist_aik_create(&a, &last_error);
  return st == PA_OK ? keep(KIND_AIK, a) : fail(st);
}

/* Writes the AIK's 32-byte Ed25519 public key to the output; returns 32.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_aik_key(int handle) {
  begin();
  pa_devlist_aik *a = lookup(handle, KIND_AIK);
  if (!a) return no_such("account key");
  if (!out_reserve(32, 0)) return fail(PA_ERR_NOMEM);
  memcpy(out_buf, pa_devlist_aik_key(a), 32);
  out_len = 32;
  return 32;
}

/* Writes the AIK's 64-byte secret (seed || public key, what linking hands a
 * new device) to the output; returns 64. A secret: the wrapper wipes it.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_aik_secret(int handle) {
  begin();
  pa_devlist_aik *a = lookup(handle, KIND_AIK);
  if (!a) return no_such("account key");
  if (!out_reserve(PA_DEVLIST_AIK_SECRET, 1)) return fail(PA_ERR_NOMEM);
  pa_devlist_aik_secret(a, out_buf);
  out_len = PA_DEVLIST_AIK_SECRET;
  return PA_DEVLIST_AIK_SECRET;
}

/* Imports a 64-byte AIK secret (from linking); returns a new handle.
 * seam: throws-negative */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_aik_import(const uint8_t *secret, size_t len) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  pa_devlist_aik *a;
  pa_status st = pa_devlist_aik_import(secret, len, &a, &last_error);
  return st == PA_OK ? keep(KIND_AIK, a) : fail(st);
}

/* Signs a device list for account: devices is count x 32 bytes of device
 * identity keys (1..PA_DEVLIST_MAX, unique); version and created_at (Unix s)
 * are whole numbers. The signed list goes to the output; returns its length.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_devlist_sign(int handle, const char *account, double version,
                                                   double created_at, const uint8_t *devices,
                                                   size_t len) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  pa_devlist_aik *a = lookup(handle, KIND_AIK);
  if (!a) return no_such("account key");
  if (len % PA_DEVLIST_DEVICE_BYTES || len > (size_t)PA_DEVLIST_MAX * PA_DEVLIST_DEVICE_BYTES + 32)
    return fail(pa_error_set(&last_error, PA_ERR_ARG, "device list: devices must be 32-byte keys"));
  if (!(version >= 0 && version <= 9007199254740991.0) ||
      !(created_at >= 0 && created_at <= 9007199254740991.0))
    return fail(
        pa_error_set(&last_error, PA_ERR_ARG, "device list: version and date are whole numbers"));
  if (!out_reserve(PA_DEVLIST_MAX_BYTES + 32, 0)) return fail(PA_ERR_NOMEM);
  pa_status st = pa_devlist_sign(a, account, (uint64_t)version, (int64_t)created_at, devices,
                                 (int)(len / PA_DEVLIST_DEVICE_BYTES), out_buf, out_cap, &out_len,
                                 &last_error);
  return st == PA_OK ? (int)out_len : fail(st);
}

/* Verifies a signed device list for account (refusing anything
 * pa_devlist_verify refuses); the output is the list's signed bytes without
 * the signature (0x01, AIK, version u64, created_at u64, count, devices),
 * which the wrapper reads into {aik, version, at, devices}. Returns its length.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_devlist_verify(const uint8_t *list, size_t len,
                                                     const char *account) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  pa_devlist l;
  pa_status st = pa_devlist_verify(list, len, account, &l, &last_error);
  if (st != PA_OK) {
    last_fault = st == PA_ERR_SCHEMA ? PA_FAULT_FORGED : PA_FAULT_MALFORMED;
    return fail(st);
  }
  if (!out_reserve(PA_DEVLIST_MAX_BYTES, 0)) return fail(PA_ERR_NOMEM);
  out_len = pa_devlist_encode_body(&l, out_buf);
  return (int)out_len;
}

/* The formatted safety number of two people over their account keys (32
 * bytes each) and account ids, NUL-terminated; returns 71.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_safety_accounts(const uint8_t *own_aik,
                                                      const uint8_t *peer_aik, const char *own_id,
                                                      const char *peer_id) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  char digits[61];
  pa_status st = pa_devlist_safety(own_aik, own_id, peer_aik, peer_id, digits, &last_error);
  if (st != PA_OK) return fail(st);
  if (!out_reserve(PA_SAFETY_FORMATTED + 1, 0)) return fail(PA_ERR_NOMEM);
  pa_safety_format(digits, (char *)out_buf);
  out_len = PA_SAFETY_FORMATTED;
  return PA_SAFETY_FORMATTED;
}

/* ---- linking a device (pa_link.h, chat.md "Linking a device") */

/* The new device: a fresh S and ephemeral key and the request naming its
 * 32-byte device identity key. Output: S (10) || ephemeral secret (32) ||
 * request (97); keep the first two in memory only, until link_finish.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_link_begin(const uint8_t *device_ik) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  size_t n = PA_LINK_SECRET_BYTES + 32 + PA_LINK_REQUEST_BYTES;
  if (!out_reserve(n, 1)) return fail(PA_ERR_NOMEM);
  pa_status st = pa_link_request_build(device_ik, out_buf, out_buf + PA_LINK_SECRET_BYTES,
                                       out_buf + PA_LINK_SECRET_BYTES + 32, &last_error);
  if (st != PA_OK) return fail(st);
  out_len = n;
  return (int)n;
}

/* The link code text for a link id ("lk_N") and S, to the output.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_link_code(const char *id, const uint8_t *secret) {
  begin();
  if (!out_reserve(PA_LINK_CODE_MAX + 1, 1)) return fail(PA_ERR_NOMEM);
  pa_status st = pa_link_code_format(id, secret, (char *)out_buf, &last_error);
  if (st != PA_OK) return fail(st);
  out_len = strlen((char *)out_buf);
  return (int)out_len;
}

/* Reads a typed link code. Output: S (10) || the link id ("lk_N").
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_link_code_parse(const char *text, size_t len) {
  begin();
  char id[PA_LINK_ID_MAX + 1];
  if (!out_reserve(PA_LINK_SECRET_BYTES + PA_LINK_ID_MAX, 1)) return fail(PA_ERR_NOMEM);
  pa_status st = pa_link_code_parse(text, len, id, out_buf, &last_error);
  if (st != PA_OK) return fail(st);
  size_t n = strlen(id);
  memcpy(out_buf + PA_LINK_SECRET_BYTES, id, n);
  out_len = PA_LINK_SECRET_BYTES + n;
  return (int)out_len;
}

/* The existing device: checks a request's MAC with S; the new device's
 * identity key (32) to the output. seam: throws-negative
 * bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_link_check(const uint8_t *req, size_t len,
                                                 const uint8_t *secret) {
  begin();
  uint8_t eph[32];
  if (!out_reserve(32, 0)) return fail(PA_ERR_NOMEM);
  pa_status st = pa_link_request_parse(req, len, secret, eph, out_buf, &last_fault, &last_error);
  if (st != PA_OK) return fail(st);
  out_len = 32;
  return 32;
}

/* The existing device: the response carrying the AIK secret (64) and the new
 * signed device list, to the output. seam: throws-negative
 * bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_link_approve(const uint8_t *req, size_t req_len,
                                                   const uint8_t *secret, const uint8_t *aik_sk,
                                                   const uint8_t *list, size_t list_len) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  size_t cap = pa_link_response_size(list_len);
  if (!out_reserve(cap, 0)) return fail(PA_ERR_NOMEM);
  pa_status st = pa_link_response_seal(req, req_len, secret, aik_sk, list, list_len, out_buf, cap,
                                       &out_len, &last_fault, &last_error);
  return st == PA_OK ? (int)out_len : fail(st);
}

/* The new device: opens the response to its request for account ("u_N").
 * Output: AIK secret (64) || the device list.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_link_finish(const uint8_t *resp, size_t len,
                                                  const uint8_t *req, size_t req_len,
                                                  const uint8_t *secret, const uint8_t *eph_sk,
                                                  const char *account) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  if (!out_reserve(PA_LINK_AIK_SK_BYTES + PA_LINK_LIST_MAX, 1)) return fail(PA_ERR_NOMEM);
  size_t n = 0;
  pa_status st = pa_link_response_open(resp, len, req, req_len, secret, eph_sk, account, out_buf,
                                       out_buf + PA_LINK_AIK_SK_BYTES, PA_LINK_LIST_MAX, &n,
                                       &last_fault, &last_error);
  if (st != PA_OK) return fail(st);
  out_len = PA_LINK_AIK_SK_BYTES + n;
  return (int)out_len;
}

/* ---- call signalling */

/* Checks a call payload (pa_callsig.h) and puts its canonical JSON in the
 * output; the shell reads the fields from that, never from the bytes it got.
 * seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_call_parse(const uint8_t *json, size_t len) {
  if (!begin()) return fail(PA_ERR_PLATFORM);
  if (!out_reserve(PA_CALLSIG_OUTPUT_MAX, 1)) return fail(PA_ERR_NOMEM);
  size_t n = 0;
  pa_status st =
      pa_callsig_parse((const char *)json, len, (char *)out_buf, out_cap, &n, NULL, &last_error);
  if (st != PA_OK) return fail(st);
  out_len = n;
  return (int)n;
}

/* ---- own-device copies (pa_copy.h) */

/* Reads a copy's plaintext (a ratchet message's) strictly, for the peer the
 * relay labelled it with (to, "u_N"); the body (the v1 payload) goes to the
 * output. seam: throws-negative bytes-at=pa_wasm_chat_out wipe=pa_wasm_chat_out_wipe */
EMSCRIPTEN_KEEPALIVE int pa_wasm_chat_copy_read(const uint8_t *json, size_t len, const char *to) {
  begin();
  char *body = NULL;
  size_t n = 0;
  pa_status st = pa_copy_parse((const char *)json, len, to, &body, &n, &last_error);
  if (st != PA_OK) return fail(st);
  if (!out_reserve(n ? n : 1, 1)) {
    pa_copy_free(body, n);
    return fail(PA_ERR_NOMEM);
  }
  memcpy(out_buf, body, n);
  out_len = n;
  pa_copy_free(body, n);
  return (int)n;
}
