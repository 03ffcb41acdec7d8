/* The account identity key and the signed device list (pa_devlist.h). The
 * list is fixed-width, so parsing is a length check and field reads; the
 * account id is signed but not carried, so a list verifies only for the
 * account it was made for. Format: core/src/chat/chat.md. */
#include "pa/pa_devlist.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char DOMAIN[] = "PetAmigos DeviceList v1"; /* signed without its NUL */

struct pa_devlist_aik {
  uint8_t seed[32], pk[32], sk[64];
};

static uint8_t *put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (56 - 8 * i));
  return p + 8;
}
static uint64_t get64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | p[i];
  return v;
}

static pa_status aik_from_seed(const uint8_t seed[32], pa_devlist_aik **out, pa_error *err) {
  if (pa_crypto_init(err) != PA_OK) return PA_ERR_PLATFORM;
  pa_devlist_aik *a = calloc(1, sizeof *a);
  if (!a) return pa_error_set(err, PA_ERR_NOMEM, "devlist: out of memory");
  memcpy(a->seed, seed, 32);
  pa_crypto_ed25519_from_seed(a->pk, a->sk, a->seed);
  *out = a;
  return PA_OK;
}

pa_status pa_devlist_aik_create(pa_devlist_aik **out, pa_error *err) {
  if (!out) return pa_error_set(err, PA_ERR_ARG, "devlist: no output");
  if (pa_crypto_init(err) != PA_OK) return PA_ERR_PLATFORM;
  uint8_t seed[32];
  pa_crypto_random(seed, sizeof seed);
  pa_status st = aik_from_seed(seed, out, err);
  pa_crypto_wipe(seed, sizeof seed);
  return st;
}

void pa_devlist_aik_free(pa_devlist_aik *aik) {
  if (!aik) return;
  pa_crypto_wipe(aik, sizeof *aik);
  free(aik);
}

const uint8_t *pa_devlist_aik_key(const pa_devlist_aik *aik) { return aik->pk; }

void pa_devlist_aik_save(const pa_devlist_aik *aik, uint8_t out[PA_DEVLIST_AIK_SAVED]) {
  out[0] = PA_DEVLIST_VERSION;
  memcpy(out + 1, aik->seed, 32);
}

pa_status pa_devlist_aik_load(const uint8_t *bytes, size_t len, pa_devlist_aik **out,
                              pa_error *err) {
  if (!out || (!bytes && len)) return pa_error_set(err, PA_ERR_ARG, "devlist: no input or output");
  if (len < 1) return pa_error_set(err, PA_ERR_TRUNCATED, "account key: empty");
  if (bytes[0] != PA_DEVLIST_VERSION)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "account key: version %u is not accepted",
                        bytes[0]);
  if (len != PA_DEVLIST_AIK_SAVED)
    return pa_error_set(err, len < PA_DEVLIST_AIK_SAVED ? PA_ERR_TRUNCATED : PA_ERR_SYNTAX,
                        "account key: %zu bytes, want %d", len, PA_DEVLIST_AIK_SAVED);
  return aik_from_seed(bytes + 1, out, err);
}

void pa_devlist_aik_secret(const pa_devlist_aik *aik, uint8_t out[PA_DEVLIST_AIK_SECRET]) {
  memcpy(out, aik->sk, 64);
}

pa_status pa_devlist_aik_import(const uint8_t *secret, size_t len, pa_devlist_aik **out,
                                pa_error *err) {
  if (!out || (!secret && len)) return pa_error_set(err, PA_ERR_ARG, "devlist: no input or output");
  if (len != PA_DEVLIST_AIK_SECRET)
    return pa_error_set(err, len < PA_DEVLIST_AIK_SECRET ? PA_ERR_TRUNCATED : PA_ERR_SYNTAX,
                        "account key: secret of %zu bytes, want %d", len, PA_DEVLIST_AIK_SECRET);
  pa_devlist_aik *a = NULL;
  pa_status st = aik_from_seed(secret, &a, err);
  if (st != PA_OK) return st;
  /* A secret whose halves disagree would sign for a key nobody pinned. */
  if (!pa_crypto_equal(a->pk, secret + 32, 32)) {
    pa_devlist_aik_free(a);
    return pa_error_set(err, PA_ERR_SCHEMA, "account key: public half does not match the seed");
  }
  *out = a;
  return PA_OK;
}

size_t pa_devlist_size(int count) {
  return PA_DEVLIST_FIXED + (size_t)count * PA_DEVLIST_DEVICE_BYTES + PA_CRYPTO_SIG_BYTES;
}

static pa_status check_account(const char *account, size_t *n, pa_error *err) {
  *n = account ? strlen(account) : 0;
  if (!*n || *n > PA_DEVLIST_MAX_ACCOUNT)
    return pa_error_set(err, PA_ERR_ARG, "device list: account id of 1..%d bytes",
                        PA_DEVLIST_MAX_ACCOUNT);
  return PA_OK;
}

/* The signed message: domain || account || 0x00 || body. The NUL ends the
 * account id, so "u_1" + a body starting "2..." cannot read as "u_12". */
static size_t signed_message(uint8_t *m, const char *account, size_t account_len,
                             const uint8_t *body, size_t body_len) {
  size_t o = 0;
  memcpy(m, DOMAIN, sizeof DOMAIN - 1);
  o += sizeof DOMAIN - 1;
  memcpy(m + o, account, account_len);
  o += account_len;
  m[o++] = 0;
  memcpy(m + o, body, body_len);
  return o + body_len;
}

enum { MESSAGE_MAX = sizeof DOMAIN - 1 + PA_DEVLIST_MAX_ACCOUNT + 1 + PA_DEVLIST_MAX_BYTES };

/* Checks count and the device keys: valid points of large order, no repeats. */
static pa_status check_devices(const uint8_t *devices, int count, pa_error *err) {
  if (count < 1 || count > PA_DEVLIST_MAX)
    return pa_error_set(err, count < 1 ? PA_ERR_SYNTAX : PA_ERR_TOO_LARGE,
                        "device list: %d devices, want 1..%d", count, PA_DEVLIST_MAX);
  for (int i = 0; i < count; i++) {
    uint8_t x[32];
    if (pa_crypto_ed25519_pk_to_x25519(x, devices + 32 * i, err) != PA_OK)
      return pa_error_set(err, PA_ERR_SCHEMA, "device list: device %d is not a valid key", i);
    for (int j = 0; j < i; j++)
      if (!memcmp(devices + 32 * i, devices + 32 * j, 32))
        return pa_error_set(err, PA_ERR_SCHEMA, "device list: device %d is listed twice", i);
  }
  return PA_OK;
}

pa_status pa_devlist_sign(const pa_devlist_aik *aik, const char *account, uint64_t version,
                          int64_t created_at, const uint8_t *devices, int count, uint8_t *out,
                          size_t cap, size_t *out_len, pa_error *err) {
  size_t account_len;
  if (!aik || !out || !out_len || (!devices && count))
    return pa_error_set(err, PA_ERR_ARG, "device list: missing key, input or output");
  pa_status st = check_account(account, &account_len, err);
  if (st == PA_OK) st = check_devices(devices, count, err);
  if (st != PA_OK) return st;
  if (cap < pa_devlist_size(count))
    return pa_error_set(err, PA_ERR_ARG, "device list: output needs %zu bytes",
                        pa_devlist_size(count));
  uint8_t *p = out;
  *p++ = PA_DEVLIST_VERSION;
  memcpy(p, aik->pk, 32);
  p = put64(p + 32, version);
  p = put64(p, (uint64_t)created_at);
  *p++ = (uint8_t)count;
  memcpy(p, devices, (size_t)count * 32);
  p += (size_t)count * 32;
  size_t body = (size_t)(p - out);
  uint8_t m[MESSAGE_MAX];
  size_t mlen = signed_message(m, account, account_len, out, body);
  pa_crypto_ed25519_sign(p, m, mlen, aik->sk);
  *out_len = body + PA_CRYPTO_SIG_BYTES;
  return PA_OK;
}

pa_status pa_devlist_verify(const uint8_t *bytes, size_t len, const char *account, pa_devlist *out,
                            pa_error *err) {
  size_t account_len;
  if (!out || (!bytes && len)) return pa_error_set(err, PA_ERR_ARG, "device list: no input");
  pa_status st = check_account(account, &account_len, err);
  if (st != PA_OK) return st;
  if (pa_crypto_init(err) != PA_OK) return PA_ERR_PLATFORM;
  if (len < 1) return pa_error_set(err, PA_ERR_TRUNCATED, "device list: empty");
  if (bytes[0] != PA_DEVLIST_VERSION)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "device list: version %u is not accepted",
                        bytes[0]);
  if (len < PA_DEVLIST_FIXED)
    return pa_error_set(err, PA_ERR_TRUNCATED, "device list: %zu bytes is shorter than its header",
                        len);
  int count = bytes[PA_DEVLIST_FIXED - 1];
  if (count < 1 || count > PA_DEVLIST_MAX)
    return pa_error_set(err, count < 1 ? PA_ERR_SYNTAX : PA_ERR_TOO_LARGE,
                        "device list: %d devices, want 1..%d", count, PA_DEVLIST_MAX);
  if (len != pa_devlist_size(count))
    return pa_error_set(err, len < pa_devlist_size(count) ? PA_ERR_TRUNCATED : PA_ERR_SYNTAX,
                        "device list: %zu bytes, %d devices take %zu", len, count,
                        pa_devlist_size(count));
  const uint8_t *devices = bytes + PA_DEVLIST_FIXED;
  st = check_devices(devices, count, err);
  if (st != PA_OK) return st;
  size_t body = len - PA_CRYPTO_SIG_BYTES;
  uint8_t m[MESSAGE_MAX];
  size_t mlen = signed_message(m, account, account_len, bytes, body);
  /* libsodium's verify refuses low-order and non-canonical keys and signatures. */
  if (!pa_crypto_ed25519_verify(bytes + body, m, mlen, bytes + 1))
    return pa_error_set(err, PA_ERR_SCHEMA,
                        "device list: the signature does not verify for account %s", account);
  memset(out, 0, sizeof *out);
  memcpy(out->aik, bytes + 1, 32);
  out->version = get64(bytes + 33);
  out->created_at = (int64_t)get64(bytes + 41);
  out->count = count;
  memcpy(out->devices, devices, (size_t)count * 32);
  return PA_OK;
}

size_t pa_devlist_encode_body(const pa_devlist *list, uint8_t out[PA_DEVLIST_MAX_BYTES]) {
  uint8_t *p = out;
  *p++ = PA_DEVLIST_VERSION;
  memcpy(p, list->aik, 32);
  p = put64(p + 32, list->version);
  p = put64(p, (uint64_t)list->created_at);
  *p++ = (uint8_t)list->count;
  memcpy(p, list->devices, (size_t)list->count * 32);
  return PA_DEVLIST_FIXED + (size_t)list->count * 32;
}

bool pa_devlist_has(const pa_devlist *list, const uint8_t key[32]) {
  for (int i = 0; i < list->count; i++)
    if (!memcmp(list->devices[i], key, 32)) return true;
  return false;
}

pa_status pa_devlist_safety(const uint8_t own_aik[32], const char *own_account,
                            const uint8_t peer_aik[32], const char *peer_account, char out[61],
                            pa_error *err) {
  size_t own_len, peer_len;
  if (!own_aik || !peer_aik || !out)
    return pa_error_set(err, PA_ERR_ARG, "safety: missing key or output");
  pa_status st = check_account(own_account, &own_len, err);
  if (st == PA_OK) st = check_account(peer_account, &peer_len, err);
  if (st != PA_OK) return st;
  uint8_t own[33] = {0xED}, peer[33] = {0xED};
  memcpy(own + 1, own_aik, 32);
  memcpy(peer + 1, peer_aik, 32);
  return pa_safety_number(own, sizeof own, (const uint8_t *)own_account, own_len, peer, sizeof peer,
                          (const uint8_t *)peer_account, peer_len, out, err);
}
