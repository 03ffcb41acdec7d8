/* The Double Ratchet (Signal spec rev. 1, section 3), with the bounded
 * skipped-key store of section 6 and staged commits: decryption runs on a
 * copy (`stage`) and only a verified tag lets it replace the session. */
#include "pa/pa_ratchet.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char ROOT_INFO[] = "PetAmigos Ratchet v1";

enum {
  KIND_MESSAGE = 0x01,                /* also the header's version byte */
  KIND_START = PA_X3DH_START_VERSION, /* 0x03: start v2 */
  KIND_START_V1 = 0x02,               /* refused since start v2 (chat.md) */
  OLD_CHAINS = PA_RATCHET_MAX_CHAINS - 1,
  SAVED_FIXED = 281, /* through the skipped-key count, with no old chains */
  SAVED_CHAIN = 36,
  SAVED_KEY = 68,
  AD_MAX = PA_X3DH_AD_BYTES + PA_RATCHET_PREKEY_BYTES + PA_RATCHET_HEADER_BYTES
};

enum { F_INITIATOR = 1, F_DHR = 2, F_CKS = 4, F_CKR = 8, F_PENDING = 16 };

typedef struct chain { /* an earlier receiving chain: keys n < end may still be stored */
  uint8_t dh[32];
  uint32_t end;
} chain;

typedef struct skipped {
  uint8_t dh[32];
  uint32_t n;
  uint8_t mk[32];
} skipped;

/* Everything but the skipped keys: small enough to copy for each decrypt. */
typedef struct state {
  bool initiator, has_dhr, has_cks, has_ckr, pending;
  uint8_t own_ik[32], peer_ik[32]; /* Ed25519 identity keys */
  uint8_t rk[32], dhs_pk[32], dhs_sk[32], dhr[32], cks[32], ckr[32];
  uint32_t ns, nr, pn;
  uint8_t base_key[32];    /* EK_A: names the session */
  uint32_t spk_id, opk_id; /* while pending: what the start data names */
  int old_count;
  chain old[OLD_CHAINS]; /* newest first */
} state;

struct pa_ratchet {
  state st;
  skipped *keys; /* oldest first; room for PA_RATCHET_MAX_SKIPPED once allocated */
  int count;
};

/* ---- bytes */

static uint8_t *put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
  return p + 4;
}
static uint8_t *putn(uint8_t *p, const void *src, size_t n) {
  memcpy(p, src, n);
  return p + n;
}
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static bool same(const uint8_t a[32], const uint8_t b[32]) { return sodium_memcmp(a, b, 32) == 0; }
static bool zero(const uint8_t *p, size_t n) { return sodium_is_zero(p, n) == 1; }

static pa_status refuse(pa_crypto_fault *why, pa_crypto_fault fault, pa_error *err, pa_status code,
                        const char *msg) {
  *why = fault;
  return pa_error_set(err, code, "ratchet: %s (%s)", msg, pa_crypto_fault_name(fault));
}

/* ---- KDFs */

static void kdf_rk(uint8_t rk[32], uint8_t ck[32], const uint8_t dh_out[32]) {
  uint8_t okm[64];
  pa_kdf_hkdf(okm, sizeof okm, rk, 32, dh_out, 32, (const uint8_t *)ROOT_INFO, sizeof ROOT_INFO - 1,
              NULL);
  memcpy(rk, okm, 32);
  memcpy(ck, okm + 32, 32);
  sodium_memzero(okm, sizeof okm);
}

static void kdf_ck(uint8_t ck[32], uint8_t mk[32]) {
  static const uint8_t one = 0x01, two = 0x02;
  uint8_t next[32];
  pa_kdf_hmac(mk, ck, 32, &one, 1);
  pa_kdf_hmac(next, ck, 32, &two, 1);
  memcpy(ck, next, 32);
  sodium_memzero(next, sizeof next);
}

/* AD [|| start data] || header: the associated data of every message. A
 * start message's 73 bytes of start data are in it, so a resent start whose
 * bytes were changed (the prekey ids too, which the owning session does not
 * otherwise look at) fails its tag. */
static size_t message_ad(const state *s, const uint8_t *start,
                         const uint8_t header[PA_RATCHET_HEADER_BYTES], uint8_t out[AD_MAX]) {
  pa_x3dh_encode_key(s->initiator ? s->own_ik : s->peer_ik, out);
  pa_x3dh_encode_key(s->initiator ? s->peer_ik : s->own_ik, out + PA_X3DH_ENCODED_KEY_BYTES);
  size_t n = PA_X3DH_AD_BYTES;
  if (start) memcpy(out + n, start, PA_RATCHET_PREKEY_BYTES), n += PA_RATCHET_PREKEY_BYTES;
  memcpy(out + n, header, PA_RATCHET_HEADER_BYTES);
  return n + PA_RATCHET_HEADER_BYTES;
}

/* ---- wire parsing */

typedef struct parsed {
  bool start;
  pa_x3dh_initial init;
  const uint8_t *start_data; /* start only: its PA_RATCHET_PREKEY_BYTES */
  const uint8_t *header;     /* PA_RATCHET_HEADER_BYTES */
  uint8_t dh[32];
  uint32_t pn, n;
  const uint8_t *nonce, *body; /* body: ciphertext || tag */
  size_t body_len;
} parsed;

static pa_status parse(const uint8_t *msg, size_t len, parsed *m, pa_crypto_fault *why,
                       pa_error *err) {
  memset(m, 0, sizeof *m);
  if (!msg || len < 1)
    return refuse(why, PA_FAULT_MALFORMED, err, PA_ERR_TRUNCATED, "empty message");
  if (len > PA_RATCHET_MAX_MESSAGE)
    return refuse(why, PA_FAULT_MALFORMED, err, PA_ERR_TOO_LARGE, "message is over the size limit");
  if (msg[0] == KIND_START_V1)
    return refuse(why, PA_FAULT_MALFORMED, err, PA_ERR_UNSUPPORTED,
                  "session start v1 (0x02) is no longer accepted");
  if (msg[0] == KIND_START) {
    if (len < PA_RATCHET_PREKEY_BYTES + PA_RATCHET_OVERHEAD)
      return refuse(why, PA_FAULT_MALFORMED, err, PA_ERR_TRUNCATED, "session start is cut short");
    m->start = true;
    m->start_data = msg;
    memcpy(m->init.identity, msg + 1, 32);
    memcpy(m->init.ephemeral, msg + 33, 32);
    m->init.spk_id = get32(msg + 65);
    m->init.opk_id = get32(msg + 69);
    msg += PA_RATCHET_PREKEY_BYTES;
    len -= PA_RATCHET_PREKEY_BYTES;
  } else if (msg[0] != KIND_MESSAGE) {
    return refuse(why, PA_FAULT_MALFORMED, err, PA_ERR_UNSUPPORTED,
                  "unknown message kind or version");
  }
  if (msg[0] != KIND_MESSAGE)
    return refuse(why, PA_FAULT_MALFORMED, err, PA_ERR_UNSUPPORTED, "unknown header version");
  if (len < PA_RATCHET_OVERHEAD)
    return refuse(why, PA_FAULT_MALFORMED, err, PA_ERR_TRUNCATED, "message is cut short");
  m->header = msg;
  memcpy(m->dh, msg + 1, 32);
  m->pn = get32(msg + 33);
  m->n = get32(msg + 37);
  /* n + 1 must fit: the receiving counter moves past it. */
  if (m->n == UINT32_MAX)
    return refuse(why, PA_FAULT_MALFORMED, err, PA_ERR_SCHEMA, "message number out of range");
  m->nonce = msg + PA_RATCHET_HEADER_BYTES;
  m->body = m->nonce + PA_CRYPTO_NONCE_BYTES;
  m->body_len = len - PA_RATCHET_HEADER_BYTES - PA_CRYPTO_NONCE_BYTES;
  return PA_OK;
}

/* ---- staged decryption */

typedef struct stage {
  state st;
  skipped *fresh; /* ring of the newest keys skipped on the way */
  int fresh_cap, fresh_count, fresh_head;
  int used; /* index of the stored key this message consumed, or -1 */
  bool ratcheted;
} stage;

static void stage_drop(stage *g) {
  if (g->fresh) {
    sodium_memzero(g->fresh, sizeof *g->fresh * (size_t)g->fresh_cap);
    free(g->fresh);
  }
  sodium_memzero(g, sizeof *g);
}

static void keep_fresh(stage *g, const uint8_t dh[32], uint32_t n, const uint8_t mk[32]) {
  int at;
  if (g->fresh_count < g->fresh_cap) {
    at = (g->fresh_head + g->fresh_count++) % g->fresh_cap;
  } else { /* full: the oldest skipped key makes room, as the store would drop it anyway */
    at = g->fresh_head;
    g->fresh_head = (g->fresh_head + 1) % g->fresh_cap;
  }
  memcpy(g->fresh[at].dh, dh, 32);
  g->fresh[at].n = n;
  memcpy(g->fresh[at].mk, mk, 32);
}

static void skip_until(stage *g, uint32_t until) {
  state *s = &g->st;
  if (!s->has_ckr) return;
  while (s->nr < until) {
    uint8_t mk[32];
    kdf_ck(s->ckr, mk);
    keep_fresh(g, s->dhr, s->nr, mk);
    sodium_memzero(mk, sizeof mk);
    s->nr++;
  }
}

static pa_status dh_ratchet(stage *g, const uint8_t dh[32], pa_error *err) {
  state *s = &g->st;
  if (s->has_dhr && s->has_ckr) { /* remember the chain we leave, newest first */
    memmove(&s->old[1], &s->old[0], sizeof s->old[0] * (OLD_CHAINS - 1));
    memcpy(s->old[0].dh, s->dhr, 32);
    s->old[0].end = s->nr;
    if (s->old_count < OLD_CHAINS) s->old_count++;
  }
  s->pn = s->ns;
  s->ns = 0;
  s->nr = 0;
  memcpy(s->dhr, dh, 32);
  s->has_dhr = true;
  uint8_t out[32];
  if (pa_crypto_x25519(out, s->dhs_sk, s->dhr, err) != PA_OK) return PA_ERR_SCHEMA;
  kdf_rk(s->rk, s->ckr, out);
  s->has_ckr = true;
  pa_crypto_x25519_keypair(s->dhs_pk, s->dhs_sk);
  pa_crypto_x25519(out, s->dhs_sk, s->dhr, NULL); /* dhr is known good by now */
  kdf_rk(s->rk, s->cks, out);
  s->has_cks = true;
  sodium_memzero(out, sizeof out);
  g->ratcheted = true;
  return PA_OK;
}

static int find_key(const pa_ratchet *s, const uint8_t dh[32], uint32_t n) {
  for (int i = 0; i < s->count; i++)
    if (s->keys[i].n == n && same(s->keys[i].dh, dh)) return i;
  return -1;
}

static const chain *find_old(const state *st, const uint8_t dh[32]) {
  for (int i = 0; i < st->old_count; i++)
    if (same(st->old[i].dh, dh)) return &st->old[i];
  return NULL;
}

static bool chain_known(const state *st, const uint8_t dh[32]) {
  return (st->has_dhr && same(st->dhr, dh)) || find_old(st, dh);
}

/* Applies a verified stage; cannot fail (room was reserved beforehand). */
static void commit(pa_ratchet *s, stage *g) {
  g->st.pending = false; /* the peer answered: stop sending the start data */
  g->st.spk_id = g->st.opk_id = 0;
  s->st = g->st;
  if ((g->used >= 0 || g->ratcheted) && s->count) {
    int w = 0;
    for (int r = 0; r < s->count; r++) {
      if (r == g->used || (g->ratcheted && !chain_known(&s->st, s->keys[r].dh))) continue;
      if (w != r) s->keys[w] = s->keys[r];
      w++;
    }
    sodium_memzero(s->keys + w, sizeof *s->keys * (size_t)(s->count - w));
    s->count = w;
  }
  if (g->fresh_count) {
    int drop = s->count + g->fresh_count - PA_RATCHET_MAX_SKIPPED;
    if (drop > 0) { /* oldest first out; the appends below overwrite the vacated tail */
      sodium_memzero(s->keys, sizeof *s->keys * (size_t)drop);
      memmove(s->keys, s->keys + drop, sizeof *s->keys * (size_t)(s->count - drop));
      s->count -= drop;
    }
    for (int i = 0; i < g->fresh_count; i++)
      s->keys[s->count++] = g->fresh[(g->fresh_head + i) % g->fresh_cap];
  }
}

static pa_status open_message(pa_ratchet *s, const parsed *m, uint8_t *plain, size_t cap,
                              size_t *plain_len, pa_crypto_fault *why, pa_error *err) {
  if (m->body_len < PA_CRYPTO_TAG_BYTES)
    return refuse(why, PA_FAULT_MALFORMED, err, PA_ERR_TRUNCATED, "message is cut short");
  size_t out_len = m->body_len - PA_CRYPTO_TAG_BYTES;
  if (!plain_len || (!plain && out_len) || cap < out_len)
    return pa_error_set(err, PA_ERR_ARG, "ratchet: plaintext needs %zu bytes", out_len);

  stage g = {.st = s->st, .used = -1};
  uint8_t mk[32];
  uint64_t to_skip = 0;
  int idx = s->count ? find_key(s, m->dh, m->n) : -1;
  const chain *old;
  /* Only a chain we have received on is "current": until then the peer's
   * signed prekey sits in dhr with no chain key behind it. */
  bool current = s->st.has_ckr && same(m->dh, s->st.dhr);
  if (idx >= 0) {
    memcpy(mk, s->keys[idx].mk, 32);
    g.used = idx;
  } else if (current && m->n < s->st.nr) {
    stage_drop(&g);
    return refuse(why, PA_FAULT_REPLAY, err, PA_ERR_SCHEMA,
                  "message key was already used or deleted");
  } else if (!current && (old = find_old(&s->st, m->dh))) {
    bool replay = m->n < old->end;
    stage_drop(&g);
    return replay ? refuse(why, PA_FAULT_REPLAY, err, PA_ERR_SCHEMA,
                           "message key was already used or deleted")
                  : refuse(why, PA_FAULT_FORGED, err, PA_ERR_SYNTAX,
                           "names a message its chain never had");
  } else {
    uint64_t behind = current ? 0 : s->st.has_ckr && m->pn > s->st.nr ? m->pn - s->st.nr : 0;
    uint64_t ahead = current ? (uint64_t)m->n - s->st.nr : m->n;
    if (behind > PA_RATCHET_MAX_JUMP || ahead > PA_RATCHET_MAX_JUMP) {
      stage_drop(&g);
      return refuse(why, PA_FAULT_TOO_FAR, err, PA_ERR_TOO_LARGE,
                    "message is too far ahead of its chain");
    }
    to_skip = behind + ahead;
    if (to_skip) {
      g.fresh_cap = to_skip < PA_RATCHET_MAX_SKIPPED ? (int)to_skip : PA_RATCHET_MAX_SKIPPED;
      g.fresh = malloc(sizeof *g.fresh * (size_t)g.fresh_cap);
      if (!g.fresh) {
        stage_drop(&g);
        return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
      }
    }
    if (!current) {
      skip_until(&g, m->pn);
      if (dh_ratchet(&g, m->dh, err) != PA_OK) {
        stage_drop(&g);
        return refuse(why, PA_FAULT_BAD_KEY, err, PA_ERR_SCHEMA, "ratchet key is of low order");
      }
    }
    skip_until(&g, m->n);
    kdf_ck(g.st.ckr, mk);
    g.st.nr++;
  }
  if (g.fresh_count && !s->keys) { /* reserve now, so commit cannot fail */
    s->keys = calloc(PA_RATCHET_MAX_SKIPPED, sizeof *s->keys);
    if (!s->keys) {
      sodium_memzero(mk, sizeof mk);
      stage_drop(&g);
      return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
    }
  }
  uint8_t ad[AD_MAX];
  size_t ad_len = message_ad(&s->st, m->start_data, m->header, ad);
  pa_status st = pa_crypto_aead_open(plain, m->body, m->body_len, ad, ad_len, m->nonce, mk, NULL);
  sodium_memzero(mk, sizeof mk);
  if (st != PA_OK) {
    stage_drop(&g);
    return refuse(why, PA_FAULT_FORGED, err, PA_ERR_SYNTAX,
                  "message failed authentication; session unchanged");
  }
  commit(s, &g);
  stage_drop(&g);
  *plain_len = out_len;
  *why = PA_FAULT_NONE;
  return PA_OK;
}

pa_status pa_ratchet_decrypt(pa_ratchet *s, const uint8_t *msg, size_t len, uint8_t *plain,
                             size_t cap, size_t *plain_len, pa_crypto_fault *why, pa_error *err) {
  pa_crypto_fault local;
  if (!why) why = &local;
  *why = PA_FAULT_NONE;
  if (!s) return pa_error_set(err, PA_ERR_ARG, "ratchet: no session");
  parsed m;
  pa_status st = parse(msg, len, &m, why, err);
  if (st != PA_OK) return st;
  if (m.start) {
    pa_ratchet_info info = {.start = true};
    memcpy(info.identity, m.init.identity, 32);
    memcpy(info.base_key, m.init.ephemeral, 32);
    if (!pa_ratchet_owns(s, &info))
      return refuse(why, PA_FAULT_WRONG_SESSION, err, PA_ERR_ARG,
                    "session start belongs to another session");
  }
  return open_message(s, &m, plain, cap, plain_len, why, err);
}

/* ---- starting sessions */

static pa_ratchet *session_new(const uint8_t own[32], const uint8_t peer[32], bool initiator) {
  pa_ratchet *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->st.initiator = initiator;
  memcpy(s->st.own_ik, own, 32);
  memcpy(s->st.peer_ik, peer, 32);
  return s;
}

pa_status pa_ratchet_initiate(const pa_x3dh_identity *self, const uint8_t *bundle, size_t len,
                              pa_ratchet **out, pa_error *err) {
  if (!self || !out) return pa_error_set(err, PA_ERR_ARG, "ratchet: missing argument");
  *out = NULL;
  pa_x3dh_bundle b;
  pa_x3dh_initial init;
  pa_x3dh_shared sh;
  pa_status st = pa_x3dh_bundle_parse(bundle, len, &b, err);
  if (st == PA_OK) st = pa_x3dh_initiate(self, &b, &init, &sh, err);
  if (st != PA_OK) return st;
  pa_ratchet *s = session_new(pa_x3dh_identity_key(self), b.identity, true);
  if (!s) {
    sodium_memzero(&sh, sizeof sh);
    return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  }
  /* RatchetInitAlice: the responder's signed prekey is its first ratchet key. */
  state *t = &s->st;
  uint8_t dh_out[32];
  pa_crypto_x25519_keypair(t->dhs_pk, t->dhs_sk);
  memcpy(t->dhr, sh.spk, 32);
  t->has_dhr = true;
  memcpy(t->rk, sh.sk, 32);
  st = pa_crypto_x25519(dh_out, t->dhs_sk, t->dhr, err); /* checked by the bundle parse too */
  kdf_rk(t->rk, t->cks, dh_out);
  t->has_cks = true;
  t->pending = true;
  memcpy(t->base_key, init.ephemeral, 32);
  t->spk_id = init.spk_id;
  t->opk_id = init.opk_id;
  sodium_memzero(dh_out, sizeof dh_out);
  sodium_memzero(&sh, sizeof sh);
  if (st != PA_OK) {
    pa_ratchet_free(s);
    return st;
  }
  *out = s;
  return PA_OK;
}

pa_status pa_ratchet_accept(pa_x3dh_identity *self, const uint8_t *msg, size_t len, uint8_t *plain,
                            size_t cap, size_t *plain_len, pa_ratchet **out, pa_crypto_fault *why,
                            pa_error *err) {
  pa_crypto_fault local;
  if (!why) why = &local;
  *why = PA_FAULT_NONE;
  if (!self || !out) return pa_error_set(err, PA_ERR_ARG, "ratchet: missing argument");
  *out = NULL;
  parsed m;
  pa_status st = parse(msg, len, &m, why, err);
  if (st != PA_OK) return st;
  if (!m.start)
    return refuse(why, PA_FAULT_MALFORMED, err, PA_ERR_ARG, "not a session start message");
  pa_x3dh_shared sh;
  st = pa_x3dh_respond(self, &m.init, &sh, why, err);
  if (st != PA_OK) return st;
  pa_ratchet *s = session_new(pa_x3dh_identity_key(self), m.init.identity, false);
  if (!s) {
    sodium_memzero(&sh, sizeof sh);
    return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  }
  /* RatchetInitBob: the signed prekey pair is the first sending key. */
  memcpy(s->st.dhs_sk, sh.spk_secret, 32);
  memcpy(s->st.dhs_pk, sh.spk, 32);
  memcpy(s->st.rk, sh.sk, 32);
  memcpy(s->st.base_key, m.init.ephemeral, 32);
  sodium_memzero(&sh, sizeof sh);
  st = open_message(s, &m, plain, cap, plain_len, why, err);
  if (st == PA_OK && m.init.opk_id) st = pa_x3dh_opk_consume(self, m.init.opk_id, err);
  if (st != PA_OK) {
    pa_ratchet_free(s);
    return st;
  }
  *out = s;
  return PA_OK;
}

/* ---- encryption */

size_t pa_ratchet_encrypted_size(const pa_ratchet *s, size_t len) {
  return (s && s->st.pending ? PA_RATCHET_PREKEY_BYTES : 0) + PA_RATCHET_OVERHEAD + len;
}

pa_status pa_ratchet_encrypt(pa_ratchet *s, const uint8_t *plain, size_t len, uint8_t *out,
                             size_t cap, size_t *out_len, pa_error *err) {
  if (!s || !out || !out_len || (!plain && len))
    return pa_error_set(err, PA_ERR_ARG, "ratchet: missing argument");
  if (len > PA_RATCHET_MAX_PLAINTEXT)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "ratchet: %zu bytes is over the %d byte limit", len,
                        PA_RATCHET_MAX_PLAINTEXT);
  size_t need = pa_ratchet_encrypted_size(s, len);
  if (cap < need) return pa_error_set(err, PA_ERR_ARG, "ratchet: output needs %zu bytes", need);
  state *t = &s->st;
  if (!t->has_cks) return pa_error_set(err, PA_ERR_ARG, "ratchet: session cannot send yet");
  if (t->ns == UINT32_MAX)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "ratchet: sending chain exhausted");
  uint8_t *p = out;
  const uint8_t *start = t->pending ? out : NULL;
  if (t->pending) {
    *p++ = KIND_START;
    p = putn(p, t->own_ik, 32);
    p = putn(p, t->base_key, 32);
    p = put32(p, t->spk_id);
    p = put32(p, t->opk_id);
  }
  uint8_t *header = p;
  *p++ = KIND_MESSAGE;
  p = putn(p, t->dhs_pk, 32);
  p = put32(p, t->pn);
  p = put32(p, t->ns);
  uint8_t mk[32], ad[AD_MAX];
  kdf_ck(t->cks, mk);
  t->ns++;
  /* Random, not derived: a session restored from an old backup must not repeat a nonce. */
  pa_crypto_random(p, PA_CRYPTO_NONCE_BYTES);
  size_t ad_len = message_ad(t, start, header, ad);
  pa_crypto_aead_seal(p + PA_CRYPTO_NONCE_BYTES, plain, len, ad, ad_len, p, mk);
  sodium_memzero(mk, sizeof mk);
  *out_len = need;
  return PA_OK;
}

/* ---- inspection */

pa_status pa_ratchet_peek(const uint8_t *msg, size_t len, pa_ratchet_info *info, pa_error *err) {
  pa_crypto_fault why;
  parsed m;
  if (!info) return pa_error_set(err, PA_ERR_ARG, "ratchet: no output");
  memset(info, 0, sizeof *info);
  pa_status st = parse(msg, len, &m, &why, err);
  if (st != PA_OK) return st;
  info->start = m.start;
  memcpy(info->identity, m.init.identity, 32);
  memcpy(info->base_key, m.init.ephemeral, 32);
  info->spk_id = m.init.spk_id;
  info->opk_id = m.init.opk_id;
  memcpy(info->ratchet_key, m.dh, 32);
  info->pn = m.pn;
  info->n = m.n;
  return PA_OK;
}

bool pa_ratchet_owns(const pa_ratchet *s, const pa_ratchet_info *info) {
  return s && info && info->start && !s->st.initiator && same(s->st.base_key, info->base_key) &&
         same(s->st.peer_ik, info->identity);
}

const uint8_t *pa_ratchet_own_identity(const pa_ratchet *s) { return s->st.own_ik; }
const uint8_t *pa_ratchet_peer_identity(const pa_ratchet *s) { return s->st.peer_ik; }
int pa_ratchet_skipped_count(const pa_ratchet *s) { return s ? s->count : 0; }

/* ---- saved form */

size_t pa_ratchet_saved_size(const pa_ratchet *s) {
  return SAVED_FIXED + (size_t)s->st.old_count * SAVED_CHAIN + (size_t)s->count * SAVED_KEY;
}

pa_status pa_ratchet_save(const pa_ratchet *s, uint8_t *out, size_t cap, size_t *out_len,
                          pa_error *err) {
  if (!s || !out || !out_len) return pa_error_set(err, PA_ERR_ARG, "ratchet: missing argument");
  size_t need = pa_ratchet_saved_size(s);
  if (cap < need) return pa_error_set(err, PA_ERR_ARG, "ratchet: output needs %zu bytes", need);
  const state *t = &s->st;
  uint8_t *p = out;
  *p++ = PA_RATCHET_VERSION;
  *p++ =
      (uint8_t)((t->initiator ? F_INITIATOR : 0) | (t->has_dhr ? F_DHR : 0) |
                (t->has_cks ? F_CKS : 0) | (t->has_ckr ? F_CKR : 0) | (t->pending ? F_PENDING : 0));
  p = putn(p, t->own_ik, 32);
  p = putn(p, t->peer_ik, 32);
  p = putn(p, t->rk, 32);
  p = putn(p, t->dhs_sk, 32);
  p = putn(p, t->dhr, 32);
  p = putn(p, t->cks, 32);
  p = putn(p, t->ckr, 32);
  p = put32(p, t->ns);
  p = put32(p, t->nr);
  p = put32(p, t->pn);
  p = putn(p, t->base_key, 32);
  p = put32(p, t->spk_id);
  p = put32(p, t->opk_id);
  *p++ = (uint8_t)t->old_count;
  for (int i = 0; i < t->old_count; i++) {
    p = putn(p, t->old[i].dh, 32);
    p = put32(p, t->old[i].end);
  }
  *p++ = (uint8_t)(s->count >> 8);
  *p++ = (uint8_t)s->count;
  for (int i = 0; i < s->count; i++) {
    p = putn(p, s->keys[i].dh, 32);
    p = put32(p, s->keys[i].n);
    p = putn(p, s->keys[i].mk, 32);
  }
  *out_len = (size_t)(p - out);
  return PA_OK;
}

static pa_status load_into(pa_ratchet *s, const uint8_t *b, size_t len, pa_error *err) {
  if (len < 1) return pa_error_set(err, PA_ERR_TRUNCATED, "session: empty");
  if (b[0] != PA_RATCHET_VERSION)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "session: version %u is not supported", b[0]);
  if (len < SAVED_FIXED)
    return pa_error_set(err, PA_ERR_TRUNCATED, "session: %zu bytes is too short", len);
  state *t = &s->st;
  uint8_t flags = b[1];
  if (flags & ~(F_INITIATOR | F_DHR | F_CKS | F_CKR | F_PENDING))
    return pa_error_set(err, PA_ERR_SCHEMA, "session: unknown flags %#x", flags);
  t->initiator = flags & F_INITIATOR, t->has_dhr = flags & F_DHR, t->has_cks = flags & F_CKS;
  t->has_ckr = flags & F_CKR, t->pending = flags & F_PENDING;
  const uint8_t *p = b + 2;
  memcpy(t->own_ik, p, 32), p += 32;
  memcpy(t->peer_ik, p, 32), p += 32;
  memcpy(t->rk, p, 32), p += 32;
  memcpy(t->dhs_sk, p, 32), p += 32;
  memcpy(t->dhr, p, 32), p += 32;
  memcpy(t->cks, p, 32), p += 32;
  memcpy(t->ckr, p, 32), p += 32;
  t->ns = get32(p), t->nr = get32(p + 4), t->pn = get32(p + 8), p += 12;
  memcpy(t->base_key, p, 32), p += 32;
  t->spk_id = get32(p), t->opk_id = get32(p + 4), p += 8;
  t->old_count = *p++;
  /* Absent parts must be zeros, so equal sessions always save equal bytes. */
  if ((!t->has_dhr && !zero(t->dhr, 32)) || (!t->has_cks && !zero(t->cks, 32)) ||
      (!t->has_ckr && !zero(t->ckr, 32)) || (t->has_ckr && !t->has_dhr) ||
      (t->pending && !t->initiator) || (!t->pending && (t->spk_id || t->opk_id)))
    return pa_error_set(err, PA_ERR_SCHEMA, "session: inconsistent state");
  if (t->old_count > OLD_CHAINS)
    return pa_error_set(err, PA_ERR_SCHEMA, "session: %d earlier chains is over %d", t->old_count,
                        OLD_CHAINS);
  size_t at_keys = SAVED_FIXED - 2 + (size_t)t->old_count * SAVED_CHAIN;
  if (len < at_keys + 2) return pa_error_set(err, PA_ERR_TRUNCATED, "session: cut short");
  for (int i = 0; i < t->old_count; i++, p += SAVED_CHAIN) {
    memcpy(t->old[i].dh, p, 32);
    t->old[i].end = get32(p + 32);
  }
  int count = p[0] << 8 | p[1];
  p += 2;
  if (count > PA_RATCHET_MAX_SKIPPED)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "session: %d stored keys is over %d", count,
                        PA_RATCHET_MAX_SKIPPED);
  size_t want = at_keys + 2 + (size_t)count * SAVED_KEY;
  if (len != want)
    return pa_error_set(err, len < want ? PA_ERR_TRUNCATED : PA_ERR_SYNTAX,
                        "session: %zu bytes, but its contents need %zu", len, want);
  if (count) {
    s->keys = calloc(PA_RATCHET_MAX_SKIPPED, sizeof *s->keys);
    if (!s->keys) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  }
  for (int i = 0; i < count; i++, p += SAVED_KEY) {
    memcpy(s->keys[i].dh, p, 32);
    s->keys[i].n = get32(p + 32);
    memcpy(s->keys[i].mk, p + 36, 32);
    if (!chain_known(t, s->keys[i].dh))
      return pa_error_set(err, PA_ERR_SCHEMA, "session: stored key %d is for an unknown chain", i);
  }
  s->count = count;
  crypto_scalarmult_base(t->dhs_pk, t->dhs_sk);
  return PA_OK;
}

pa_status pa_ratchet_load(const uint8_t *bytes, size_t len, pa_ratchet **out, pa_error *err) {
  if (!out || (!bytes && len)) return pa_error_set(err, PA_ERR_ARG, "session: missing argument");
  *out = NULL;
  pa_status st = pa_crypto_init(err);
  if (st != PA_OK) return st;
  pa_ratchet *s = calloc(1, sizeof *s);
  if (!s) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  st = load_into(s, bytes, len, err);
  if (st != PA_OK) {
    pa_ratchet_free(s);
    return st;
  }
  *out = s;
  return PA_OK;
}

void pa_ratchet_free(pa_ratchet *s) {
  if (!s) return;
  if (s->keys) {
    sodium_memzero(s->keys, sizeof *s->keys * PA_RATCHET_MAX_SKIPPED);
    free(s->keys);
  }
  sodium_memzero(s, sizeof *s);
  free(s);
}
