/* Device identities, prekeys, bundles and X3DH. Formats: core/src/chat/chat.md. */
#include "pa/pa_x3dh.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t SPK_CONTEXT[16] = "PetAmigos SPK v1"; /* not NUL-terminated */
static const char X3DH_INFO[] = "PetAmigos X3DH v2";
enum { ENCODED_TYPE = 0xED, SAVED_FIXED = 127, SAVED_OPK = 36 };

typedef struct prekey {
  uint32_t id; /* 0: none */
  int64_t created;
  uint8_t pk[32], sk[32], sig[64];
} prekey;

typedef struct opk_entry {
  uint32_t id;
  uint8_t pk[32], sk[32];
} opk;

struct pa_x3dh_identity {
  uint8_t seed[32], sign_pk[32], sign_sk[64], dh_sk[32];
  prekey spk, prev; /* prev answers in-flight starts until the next rotation */
  uint32_t next_opk_id;
  int opk_count;
  opk opks[PA_X3DH_MAX_OPKS];
};

/* ---- big-endian bytes */

static uint8_t *put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
  return p + 4;
}
static uint8_t *put64(uint8_t *p, uint64_t v) {
  put32(p, (uint32_t)(v >> 32));
  return put32(p + 4, (uint32_t)v);
}
static uint8_t *putn(uint8_t *p, const void *src, size_t n) {
  memcpy(p, src, n);
  return p + n;
}
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) << 32 | get32(p + 4); }

static bool all_zero(const uint8_t *p, size_t n) { return sodium_is_zero(p, n) == 1; }

/* ---- prekeys */

static void spk_message(uint8_t m[60], uint32_t id, int64_t created, const uint8_t pk[32]) {
  uint8_t *p = putn(m, SPK_CONTEXT, sizeof SPK_CONTEXT);
  p = put32(p, id);
  p = put64(p, (uint64_t)created);
  memcpy(p, pk, 32);
}

/* Fills in the public key and signature of a prekey whose secret is set. */
static void spk_finish(const pa_x3dh_identity *id, prekey *k) {
  uint8_t m[60];
  crypto_scalarmult_base(k->pk, k->sk);
  spk_message(m, k->id, k->created, k->pk);
  crypto_sign_detached(k->sig, NULL, m, sizeof m, id->sign_sk);
}

static void identity_from_seed(pa_x3dh_identity *id) {
  crypto_sign_seed_keypair(id->sign_pk, id->sign_sk, id->seed);
  crypto_sign_ed25519_sk_to_curve25519(id->dh_sk, id->sign_sk);
}

static void add_opks(pa_x3dh_identity *id, int n) {
  for (int i = 0; i < n; i++) {
    opk *k = &id->opks[id->opk_count++];
    k->id = id->next_opk_id++;
    pa_crypto_x25519_keypair(k->pk, k->sk);
  }
}

pa_status pa_x3dh_identity_create(int64_t now, int opk_count, pa_x3dh_identity **out,
                                  pa_error *err) {
  if (!out) return pa_error_set(err, PA_ERR_ARG, "identity: no output");
  *out = NULL;
  if (opk_count < 0 || opk_count > PA_X3DH_MAX_OPKS)
    return pa_error_set(err, PA_ERR_ARG, "identity: %d one-time prekeys is outside 0..%d",
                        opk_count, PA_X3DH_MAX_OPKS);
  pa_status st = pa_crypto_init(err);
  if (st != PA_OK) return st;
  pa_x3dh_identity *id = calloc(1, sizeof *id);
  if (!id) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  pa_crypto_random(id->seed, sizeof id->seed);
  identity_from_seed(id);
  id->spk.id = 1;
  id->spk.created = now;
  pa_crypto_random(id->spk.sk, 32);
  spk_finish(id, &id->spk);
  id->next_opk_id = 1;
  add_opks(id, opk_count);
  *out = id;
  return PA_OK;
}

void pa_x3dh_identity_free(pa_x3dh_identity *id) {
  if (!id) return;
  sodium_memzero(id, sizeof *id);
  free(id);
}

const uint8_t *pa_x3dh_identity_key(const pa_x3dh_identity *id) { return id->sign_pk; }

void pa_x3dh_encode_key(const uint8_t key[32], uint8_t out[33]) {
  out[0] = ENCODED_TYPE;
  memcpy(out + 1, key, 32);
}

/* ---- saved form */

size_t pa_x3dh_identity_saved_size(const pa_x3dh_identity *id) {
  return SAVED_FIXED + (size_t)id->opk_count * SAVED_OPK;
}

static uint8_t *put_prekey(uint8_t *p, const prekey *k) {
  p = put32(p, k->id);
  p = put64(p, (uint64_t)k->created);
  return putn(p, k->sk, 32);
}

pa_status pa_x3dh_identity_save(const pa_x3dh_identity *id, uint8_t *out, size_t cap,
                                size_t *out_len, pa_error *err) {
  if (!id || !out || !out_len) return pa_error_set(err, PA_ERR_ARG, "identity: missing argument");
  size_t need = pa_x3dh_identity_saved_size(id);
  if (cap < need) return pa_error_set(err, PA_ERR_ARG, "identity: output needs %zu bytes", need);
  uint8_t *p = out;
  *p++ = PA_X3DH_VERSION;
  p = putn(p, id->seed, 32);
  p = put_prekey(p, &id->spk);
  p = put_prekey(p, &id->prev);
  p = put32(p, id->next_opk_id);
  *p++ = (uint8_t)(id->opk_count >> 8);
  *p++ = (uint8_t)id->opk_count;
  for (int i = 0; i < id->opk_count; i++) {
    p = put32(p, id->opks[i].id);
    p = putn(p, id->opks[i].sk, 32);
  }
  *out_len = (size_t)(p - out);
  return PA_OK;
}

static const uint8_t *get_prekey(const uint8_t *p, prekey *k) {
  k->id = get32(p);
  k->created = (int64_t)get64(p + 4);
  memcpy(k->sk, p + 12, 32);
  return p + 44;
}

static pa_status load_into(pa_x3dh_identity *id, const uint8_t *b, size_t len, pa_error *err) {
  if (len < 1) return pa_error_set(err, PA_ERR_TRUNCATED, "identity: empty");
  if (b[0] != PA_X3DH_VERSION)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "identity: version %u is not supported", b[0]);
  if (len < SAVED_FIXED)
    return pa_error_set(err, PA_ERR_TRUNCATED, "identity: %zu bytes is too short", len);
  const uint8_t *p = b + 1;
  memcpy(id->seed, p, 32);
  p = get_prekey(p + 32, &id->spk);
  p = get_prekey(p, &id->prev);
  id->next_opk_id = get32(p);
  int count = p[4] << 8 | p[5];
  p += 6;
  if (count > PA_X3DH_MAX_OPKS)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "identity: %d one-time prekeys is over %d", count,
                        PA_X3DH_MAX_OPKS);
  size_t want = SAVED_FIXED + (size_t)count * SAVED_OPK;
  if (len != want)
    return pa_error_set(err, len < want ? PA_ERR_TRUNCATED : PA_ERR_SYNTAX,
                        "identity: %zu bytes, but its contents need %zu", len, want);
  if (id->spk.id == 0 || id->next_opk_id == 0)
    return pa_error_set(err, PA_ERR_SCHEMA, "identity: zero prekey id");
  if (id->prev.id == 0 ? id->prev.created != 0 || !all_zero(id->prev.sk, 32)
                       : id->prev.id == id->spk.id)
    return pa_error_set(err, PA_ERR_SCHEMA, "identity: inconsistent previous signed prekey");
  for (int i = 0; i < count; i++, p += SAVED_OPK) {
    opk *k = &id->opks[i];
    k->id = get32(p);
    if (k->id == 0 || k->id >= id->next_opk_id)
      return pa_error_set(err, PA_ERR_SCHEMA, "identity: one-time prekey id %u out of range",
                          k->id);
    for (int j = 0; j < i; j++)
      if (id->opks[j].id == k->id)
        return pa_error_set(err, PA_ERR_SCHEMA, "identity: one-time prekey id %u repeats", k->id);
    memcpy(k->sk, p + 4, 32);
    crypto_scalarmult_base(k->pk, k->sk);
  }
  id->opk_count = count;
  /* Public halves and signatures are recomputed, never trusted from storage. */
  identity_from_seed(id);
  spk_finish(id, &id->spk);
  if (id->prev.id) spk_finish(id, &id->prev);
  return PA_OK;
}

pa_status pa_x3dh_identity_load(const uint8_t *bytes, size_t len, pa_x3dh_identity **out,
                                pa_error *err) {
  if (!out || (!bytes && len)) return pa_error_set(err, PA_ERR_ARG, "identity: missing argument");
  *out = NULL;
  pa_status st = pa_crypto_init(err);
  if (st != PA_OK) return st;
  pa_x3dh_identity *id = calloc(1, sizeof *id);
  if (!id) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  st = load_into(id, bytes, len, err);
  if (st != PA_OK) {
    pa_x3dh_identity_free(id);
    return st;
  }
  *out = id;
  return PA_OK;
}

/* ---- prekey maintenance */

bool pa_x3dh_spk_due(const pa_x3dh_identity *id, int64_t now) {
  return now - id->spk.created >= PA_X3DH_SPK_MAX_AGE || id->spk.created - now > 86400;
}

pa_status pa_x3dh_spk_rotate(pa_x3dh_identity *id, int64_t now, pa_error *err) {
  if (!id) return pa_error_set(err, PA_ERR_ARG, "identity: missing");
  if (id->spk.id == UINT32_MAX)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "identity: prekey ids exhausted");
  sodium_memzero(&id->prev, sizeof id->prev);
  id->prev = id->spk;
  id->spk.id = id->prev.id + 1;
  id->spk.created = now;
  pa_crypto_random(id->spk.sk, 32);
  spk_finish(id, &id->spk);
  return PA_OK;
}

uint32_t pa_x3dh_spk_id(const pa_x3dh_identity *id) { return id->spk.id; }

int pa_x3dh_opk_count(const pa_x3dh_identity *id) { return id->opk_count; }

uint32_t pa_x3dh_opk_next_id(const pa_x3dh_identity *id) { return id->next_opk_id; }

pa_status pa_x3dh_opk_replenish(pa_x3dh_identity *id, int below, int batch, int *added,
                                pa_error *err) {
  if (added) *added = 0;
  if (!id || batch < 0) return pa_error_set(err, PA_ERR_ARG, "identity: bad replenish request");
  if (id->opk_count >= below) return PA_OK;
  int room = PA_X3DH_MAX_OPKS - id->opk_count;
  int n = batch < room ? batch : room;
  if ((uint64_t)id->next_opk_id + (uint64_t)n > UINT32_MAX)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "identity: one-time prekey ids exhausted");
  add_opks(id, n);
  if (added) *added = n;
  return PA_OK;
}

static int find_opk(const pa_x3dh_identity *id, uint32_t opk_id) {
  for (int i = 0; i < id->opk_count; i++)
    if (id->opks[i].id == opk_id) return i;
  return -1;
}

bool pa_x3dh_opk_held(const pa_x3dh_identity *id, uint32_t opk_id) {
  return opk_id != 0 && find_opk(id, opk_id) >= 0;
}

pa_status pa_x3dh_opk_consume(pa_x3dh_identity *id, uint32_t opk_id, pa_error *err) {
  int i = opk_id ? find_opk(id, opk_id) : -1;
  if (i < 0)
    return pa_error_set(err, PA_ERR_SCHEMA,
                        "identity: one-time prekey %u is not held (used already?)", opk_id);
  /* Keep order (oldest first) so saved bytes stay canonical. */
  memmove(&id->opks[i], &id->opks[i + 1], sizeof id->opks[0] * (size_t)(id->opk_count - i - 1));
  id->opk_count--;
  sodium_memzero(&id->opks[id->opk_count], sizeof id->opks[0]);
  return PA_OK;
}

/* ---- bundles */

static int opks_from(const pa_x3dh_identity *id, uint32_t first) {
  int n = 0;
  for (int i = 0; i < id->opk_count; i++) n += id->opks[i].id >= first;
  return n;
}

size_t pa_x3dh_bundle_size(const pa_x3dh_identity *id, uint32_t first_opk_id) {
  return PA_X3DH_BUNDLE_FIXED + (size_t)opks_from(id, first_opk_id) * PA_X3DH_BUNDLE_OPK_BYTES;
}

static uint8_t *put_bundle_head(uint8_t *p, const uint8_t ik[32], uint32_t spk_id, int64_t created,
                                const uint8_t spk[32], const uint8_t sig[64], int count) {
  *p++ = PA_X3DH_VERSION;
  p = putn(p, ik, 32);
  p = put32(p, spk_id);
  p = put64(p, (uint64_t)created);
  p = putn(p, spk, 32);
  p = putn(p, sig, 64);
  *p++ = (uint8_t)(count >> 8);
  *p++ = (uint8_t)count;
  return p;
}

pa_status pa_x3dh_bundle_export(const pa_x3dh_identity *id, uint32_t first_opk_id, uint8_t *out,
                                size_t cap, size_t *out_len, pa_error *err) {
  if (!id || !out || !out_len) return pa_error_set(err, PA_ERR_ARG, "bundle: missing argument");
  size_t need = pa_x3dh_bundle_size(id, first_opk_id);
  if (cap < need) return pa_error_set(err, PA_ERR_ARG, "bundle: output needs %zu bytes", need);
  uint8_t *p = put_bundle_head(out, id->sign_pk, id->spk.id, id->spk.created, id->spk.pk,
                               id->spk.sig, opks_from(id, first_opk_id));
  for (int i = 0; i < id->opk_count; i++)
    if (id->opks[i].id >= first_opk_id) {
      p = put32(p, id->opks[i].id);
      p = putn(p, id->opks[i].pk, 32);
    }
  *out_len = (size_t)(p - out);
  return PA_OK;
}

static bool spk_signed(const pa_x3dh_bundle *b) {
  uint8_t m[60];
  spk_message(m, b->spk_id, b->spk_created, b->spk);
  return crypto_sign_verify_detached(b->spk_sig, m, sizeof m, b->identity) == 0;
}

pa_status pa_x3dh_bundle_parse(const uint8_t *bytes, size_t len, pa_x3dh_bundle *out,
                               pa_error *err) {
  if (!out || (!bytes && len)) return pa_error_set(err, PA_ERR_ARG, "bundle: missing argument");
  memset(out, 0, sizeof *out);
  pa_status st = pa_crypto_init(err);
  if (st != PA_OK) return st;
  if (len < 1) return pa_error_set(err, PA_ERR_TRUNCATED, "bundle: empty");
  if (bytes[0] != PA_X3DH_VERSION)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "bundle: version %u is not supported", bytes[0]);
  if (len < PA_X3DH_BUNDLE_FIXED)
    return pa_error_set(err, PA_ERR_TRUNCATED, "bundle: %zu bytes is too short", len);
  const uint8_t *p = bytes + 1;
  memcpy(out->identity, p, 32);
  out->spk_id = get32(p + 32);
  out->spk_created = (int64_t)get64(p + 36);
  memcpy(out->spk, p + 44, 32);
  memcpy(out->spk_sig, p + 76, 64);
  int count = p[140] << 8 | p[141];
  p += 142;
  if (count > PA_X3DH_MAX_OPKS)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "bundle: %d one-time prekeys is over %d", count,
                        PA_X3DH_MAX_OPKS);
  size_t want = PA_X3DH_BUNDLE_FIXED + (size_t)count * PA_X3DH_BUNDLE_OPK_BYTES;
  if (len != want)
    return pa_error_set(err, len < want ? PA_ERR_TRUNCATED : PA_ERR_SYNTAX,
                        "bundle: %zu bytes, but %d one-time prekeys need %zu", len, count, want);
  uint8_t x[32];
  if (pa_crypto_ed25519_pk_to_x25519(x, out->identity, err) != PA_OK) return PA_ERR_SCHEMA;
  if (out->spk_id == 0) return pa_error_set(err, PA_ERR_SCHEMA, "bundle: signed prekey id is 0");
  if (!spk_signed(out))
    return pa_error_set(err, PA_ERR_SCHEMA, "bundle: signed prekey signature does not verify");
  if (!pa_crypto_x25519_valid(out->spk))
    return pa_error_set(err, PA_ERR_SCHEMA, "bundle: signed prekey is of low order");
  for (int i = 0; i < count; i++) {
    const uint8_t *e = p + (size_t)i * PA_X3DH_BUNDLE_OPK_BYTES;
    uint32_t id = get32(e);
    if (id == 0) return pa_error_set(err, PA_ERR_SCHEMA, "bundle: one-time prekey %d has id 0", i);
    for (int j = 0; j < i; j++)
      if (get32(p + (size_t)j * PA_X3DH_BUNDLE_OPK_BYTES) == id)
        return pa_error_set(err, PA_ERR_SCHEMA, "bundle: one-time prekey id %u repeats", id);
    if (!pa_crypto_x25519_valid(e + 4))
      return pa_error_set(err, PA_ERR_SCHEMA, "bundle: one-time prekey %u is of low order", id);
  }
  out->opk_count = count;
  if (count) {
    out->opk_id = get32(p);
    memcpy(out->opk, p + 4, 32);
  }
  return PA_OK;
}

pa_status pa_x3dh_bundle_select(const uint8_t *upload, size_t len, int index, uint8_t *out,
                                size_t cap, size_t *out_len, pa_error *err) {
  pa_x3dh_bundle b;
  pa_status st = pa_x3dh_bundle_parse(upload, len, &b, err);
  if (st != PA_OK) return st;
  if (!out || !out_len) return pa_error_set(err, PA_ERR_ARG, "bundle: missing output");
  if (index >= b.opk_count)
    return pa_error_set(err, PA_ERR_ARG, "bundle: no one-time prekey number %d", index);
  int count = index >= 0;
  size_t need = PA_X3DH_BUNDLE_FIXED + (size_t)count * PA_X3DH_BUNDLE_OPK_BYTES;
  if (cap < need) return pa_error_set(err, PA_ERR_ARG, "bundle: output needs %zu bytes", need);
  uint8_t *p = put_bundle_head(out, b.identity, b.spk_id, b.spk_created, b.spk, b.spk_sig, count);
  if (count)
    p = putn(p, upload + PA_X3DH_BUNDLE_FIXED + (size_t)index * PA_X3DH_BUNDLE_OPK_BYTES,
             PA_X3DH_BUNDLE_OPK_BYTES);
  *out_len = (size_t)(p - out);
  return PA_OK;
}

/* ---- X3DH */

static void make_ad(uint8_t ad[PA_X3DH_AD_BYTES], const uint8_t ik_a[32], const uint8_t ik_b[32]) {
  pa_x3dh_encode_key(ik_a, ad);
  pa_x3dh_encode_key(ik_b, ad + PA_X3DH_ENCODED_KEY_BYTES);
}

/* SK = HKDF(salt = 32 zero bytes, F || DH1 || DH2 || DH3 [|| DH4],
 * info = "PetAmigos X3DH v2" || 0x03 || SPK id || OPK id): the start's version
 * byte and both prekey ids are bound to SK, so every byte of the start data
 * is authenticated (IK_A and EK_A already are, through the DHs and AD). */
static pa_status derive_sk(uint8_t sk[32], uint8_t km[5 * 32], size_t km_len, uint32_t spk_id,
                           uint32_t opk_id, pa_error *err) {
  static const uint8_t salt[32] = {0};
  uint8_t info[sizeof X3DH_INFO - 1 + 9];
  memcpy(info, X3DH_INFO, sizeof X3DH_INFO - 1);
  uint8_t *p = info + sizeof X3DH_INFO - 1;
  *p++ = PA_X3DH_START_VERSION;
  for (int i = 3; i >= 0; i--) *p++ = (uint8_t)(spk_id >> (8 * i));
  for (int i = 3; i >= 0; i--) *p++ = (uint8_t)(opk_id >> (8 * i));
  memset(km, 0xFF, 32);
  return pa_kdf_hkdf(sk, 32, salt, sizeof salt, km, km_len, info, sizeof info, err);
}

pa_status pa_x3dh_initiate(const pa_x3dh_identity *self, const pa_x3dh_bundle *peer,
                           pa_x3dh_initial *initial, pa_x3dh_shared *shared, pa_error *err) {
  if (!self || !peer || !initial || !shared)
    return pa_error_set(err, PA_ERR_ARG, "x3dh: missing argument");
  memset(initial, 0, sizeof *initial);
  memset(shared, 0, sizeof *shared);
  if (pa_crypto_equal(self->sign_pk, peer->identity, 32))
    return pa_error_set(err, PA_ERR_ARG, "x3dh: cannot start a session with this device itself");
  /* Verified again here, so no path uses an unsigned prekey. */
  if (!spk_signed(peer))
    return pa_error_set(err, PA_ERR_SCHEMA, "x3dh: signed prekey signature does not verify");
  uint8_t ik_b[32], ek_sk[32], km[5 * 32];
  pa_status st = pa_crypto_ed25519_pk_to_x25519(ik_b, peer->identity, err);
  pa_crypto_x25519_keypair(initial->ephemeral, ek_sk);
  size_t km_len = peer->opk_count ? 5 * 32 : 4 * 32;
  if (st == PA_OK) st = pa_crypto_x25519(km + 32, self->dh_sk, peer->spk, err);
  if (st == PA_OK) st = pa_crypto_x25519(km + 64, ek_sk, ik_b, err);
  if (st == PA_OK) st = pa_crypto_x25519(km + 96, ek_sk, peer->spk, err);
  if (st == PA_OK && peer->opk_count) st = pa_crypto_x25519(km + 128, ek_sk, peer->opk, err);
  if (st == PA_OK)
    st = derive_sk(shared->sk, km, km_len, peer->spk_id, peer->opk_count ? peer->opk_id : 0, err);
  sodium_memzero(ek_sk, sizeof ek_sk);
  sodium_memzero(km, sizeof km);
  if (st != PA_OK) {
    memset(initial, 0, sizeof *initial);
    sodium_memzero(shared, sizeof *shared);
    return st;
  }
  memcpy(initial->identity, self->sign_pk, 32);
  initial->spk_id = peer->spk_id;
  initial->opk_id = peer->opk_count ? peer->opk_id : 0;
  make_ad(shared->ad, self->sign_pk, peer->identity);
  memcpy(shared->spk, peer->spk, 32);
  return PA_OK;
}

pa_status pa_x3dh_respond(const pa_x3dh_identity *self, const pa_x3dh_initial *initial,
                          pa_x3dh_shared *shared, pa_crypto_fault *why, pa_error *err) {
  pa_crypto_fault local;
  if (!why) why = &local;
  *why = PA_FAULT_NONE;
  if (!self || !initial || !shared) return pa_error_set(err, PA_ERR_ARG, "x3dh: missing argument");
  memset(shared, 0, sizeof *shared);
  const prekey *spk = initial->spk_id && initial->spk_id == self->spk.id    ? &self->spk
                      : initial->spk_id && initial->spk_id == self->prev.id ? &self->prev
                                                                            : NULL;
  if (!spk) {
    *why = PA_FAULT_PREKEY_GONE;
    return pa_error_set(err, PA_ERR_SCHEMA, "x3dh: signed prekey %u is not ours (rotated out?)",
                        initial->spk_id);
  }
  int oi = initial->opk_id ? find_opk(self, initial->opk_id) : -1;
  if (initial->opk_id && oi < 0) {
    *why = PA_FAULT_PREKEY_GONE;
    return pa_error_set(err, PA_ERR_SCHEMA, "x3dh: one-time prekey %u was already used",
                        initial->opk_id);
  }
  if (pa_crypto_equal(self->sign_pk, initial->identity, 32)) {
    *why = PA_FAULT_BAD_KEY;
    return pa_error_set(err, PA_ERR_SCHEMA, "x3dh: session start from this device itself");
  }
  uint8_t ik_a[32], km[5 * 32];
  pa_status st = pa_crypto_ed25519_pk_to_x25519(ik_a, initial->identity, err);
  if (st == PA_OK) st = pa_crypto_x25519(km + 32, spk->sk, ik_a, err);
  if (st == PA_OK) st = pa_crypto_x25519(km + 64, self->dh_sk, initial->ephemeral, err);
  if (st == PA_OK) st = pa_crypto_x25519(km + 96, spk->sk, initial->ephemeral, err);
  if (st == PA_OK && oi >= 0)
    st = pa_crypto_x25519(km + 128, self->opks[oi].sk, initial->ephemeral, err);
  if (st != PA_OK) {
    *why = PA_FAULT_BAD_KEY;
  } else {
    st =
        derive_sk(shared->sk, km, oi >= 0 ? 5 * 32 : 4 * 32, initial->spk_id, initial->opk_id, err);
  }
  sodium_memzero(km, sizeof km);
  if (st != PA_OK) {
    sodium_memzero(shared, sizeof *shared);
    return st;
  }
  make_ad(shared->ad, initial->identity, self->sign_pk);
  memcpy(shared->spk, spk->pk, 32);
  memcpy(shared->spk_secret, spk->sk, 32);
  return PA_OK;
}
