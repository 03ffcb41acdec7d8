/* Linking a new device (pa_link.h; the format is in chat.md, "Linking a
 * device"). Everything here is about bytes the server carries between the two
 * devices, so every parser is strict and fails closed. */
#include "pa/pa_devlist.h"
#include "pa/pa_link.h"

#include <stdlib.h>
#include <string.h>

static const char K_S_INFO[] = "PetAmigos Link v1";
static const char K_INFO[] = "PetAmigos Link key v1";
/* Crockford's base32 alphabet: no I, L, O, U. */
static const char CROCKFORD[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

enum { ID_DIGITS_MAX = 19 };

static pa_status refuse(pa_crypto_fault *fault, pa_crypto_fault why, pa_error *err, pa_status st,
                        const char *msg) {
  if (fault) *fault = why;
  return pa_error_set(err, st, "link: %s", msg);
}

/* K_S = HKDF-SHA256(salt = none, IKM = S, info = "PetAmigos Link v1", 32). */
static pa_status mac_key(uint8_t k[32], const uint8_t secret[PA_LINK_SECRET_BYTES], pa_error *err) {
  return pa_kdf_hkdf(k, 32, NULL, 0, secret, PA_LINK_SECRET_BYTES, (const uint8_t *)K_S_INFO,
                     sizeof K_S_INFO - 1, err);
}

pa_status pa_link_request_build(const uint8_t device_ik[32], uint8_t secret[PA_LINK_SECRET_BYTES],
                                uint8_t eph_sk[32], uint8_t out[PA_LINK_REQUEST_BYTES],
                                pa_error *err) {
  uint8_t k[32], x[32];
  if (pa_crypto_ed25519_pk_to_x25519(x, device_ik, err) != PA_OK)
    return pa_error_set(err, PA_ERR_ARG, "link: the device key is not a valid identity key");
  pa_crypto_random(secret, PA_LINK_SECRET_BYTES);
  out[0] = PA_LINK_VERSION;
  pa_crypto_x25519_keypair(out + 1, eph_sk);
  memcpy(out + 33, device_ik, 32);
  pa_status st = mac_key(k, secret, err);
  if (st == PA_OK) pa_kdf_hmac(out + PA_LINK_REQUEST_MACED, k, 32, out, PA_LINK_REQUEST_MACED);
  pa_crypto_wipe(k, sizeof k);
  return st;
}

pa_status pa_link_request_parse(const uint8_t *req, size_t len,
                                const uint8_t secret[PA_LINK_SECRET_BYTES], uint8_t eph_pk[32],
                                uint8_t device_ik[32], pa_crypto_fault *fault, pa_error *err) {
  if (fault) *fault = PA_FAULT_NONE;
  if (!req || len != PA_LINK_REQUEST_BYTES)
    return refuse(fault, PA_FAULT_MALFORMED, err,
                  len < PA_LINK_REQUEST_BYTES ? PA_ERR_TRUNCATED : PA_ERR_SYNTAX,
                  "a request is 97 bytes");
  if (req[0] != PA_LINK_VERSION)
    return refuse(fault, PA_FAULT_MALFORMED, err, PA_ERR_UNSUPPORTED, "unknown request version");
  /* The MAC first: without S nothing else about the request is worth reporting. */
  uint8_t k[32], mac[32];
  pa_status st = mac_key(k, secret, err);
  if (st != PA_OK) return st;
  pa_kdf_hmac(mac, k, 32, req, PA_LINK_REQUEST_MACED);
  pa_crypto_wipe(k, sizeof k);
  if (!pa_crypto_equal(mac, req + PA_LINK_REQUEST_MACED, 32))
    return refuse(fault, PA_FAULT_FORGED, err, PA_ERR_SYNTAX,
                  "the request does not match this code");
  uint8_t x[32];
  if (!pa_crypto_x25519_valid(req + 1) ||
      pa_crypto_ed25519_pk_to_x25519(x, req + 33, NULL) != PA_OK)
    return refuse(fault, PA_FAULT_BAD_KEY, err, PA_ERR_SCHEMA, "a key of the request is invalid");
  memcpy(eph_pk, req + 1, 32);
  memcpy(device_ik, req + 33, 32);
  return PA_OK;
}

/* K = HKDF-SHA256(salt = none, IKM = X25519(own eph, peer eph) || S,
 * info = "PetAmigos Link key v1", 32). */
static pa_status box_key(uint8_t k[32], const uint8_t eph_sk[32], const uint8_t peer_pk[32],
                         const uint8_t secret[PA_LINK_SECRET_BYTES], pa_error *err) {
  uint8_t ikm[32 + PA_LINK_SECRET_BYTES];
  pa_status st = pa_crypto_x25519(ikm, eph_sk, peer_pk, err);
  if (st == PA_OK) {
    memcpy(ikm + 32, secret, PA_LINK_SECRET_BYTES);
    st = pa_kdf_hkdf(k, 32, NULL, 0, ikm, sizeof ikm, (const uint8_t *)K_INFO, sizeof K_INFO - 1,
                     err);
  }
  pa_crypto_wipe(ikm, sizeof ikm);
  return st;
}

/* The response's associated data: the whole request, then the response's
 * first 57 bytes; so a response answers exactly one request. */
static void response_ad(uint8_t ad[PA_LINK_REQUEST_BYTES + PA_LINK_RESPONSE_HEAD],
                        const uint8_t *req, const uint8_t *head) {
  memcpy(ad, req, PA_LINK_REQUEST_BYTES);
  memcpy(ad + PA_LINK_REQUEST_BYTES, head, PA_LINK_RESPONSE_HEAD);
}

static int list_count_ok(size_t len, size_t *count) {
  if (len < PA_LINK_LIST_MIN || len > PA_LINK_LIST_MAX) return 0;
  size_t keys = len - PA_LINK_LIST_FIXED - 64;
  if (keys % 32) return 0;
  *count = keys / 32;
  return 1;
}

/* The device list's shape (ident's format, chat.md "Signed device list"):
 * version, count agreeing with the length, unique keys. */
static int list_shape_ok(const uint8_t *list, size_t len, size_t *count) {
  if (!list_count_ok(len, count) || list[0] != 0x01 || list[49] != *count) return 0;
  for (size_t i = 0; i < *count; i++)
    for (size_t j = i + 1; j < *count; j++)
      if (!memcmp(list + 50 + 32 * i, list + 50 + 32 * j, 32)) return 0;
  return 1;
}

size_t pa_link_response_size(size_t list_len) {
  return PA_LINK_RESPONSE_HEAD + PA_LINK_AIK_SK_BYTES + list_len + PA_CRYPTO_TAG_BYTES;
}

pa_status pa_link_response_seal(const uint8_t *req, size_t req_len,
                                const uint8_t secret[PA_LINK_SECRET_BYTES],
                                const uint8_t aik_sk[PA_LINK_AIK_SK_BYTES], const uint8_t *list,
                                size_t list_len, uint8_t *out, size_t cap, size_t *out_len,
                                pa_crypto_fault *fault, pa_error *err) {
  uint8_t peer_eph[32], device_ik[32];
  pa_status st = pa_link_request_parse(req, req_len, secret, peer_eph, device_ik, fault, err);
  if (st != PA_OK) return st;
  size_t count;
  if (!list || !list_shape_ok(list, list_len, &count))
    return pa_error_set(err, PA_ERR_ARG, "link: the device list is not well formed");
  int named = 0;
  for (size_t i = 0; i < count; i++) named |= !memcmp(list + 50 + 32 * i, device_ik, 32);
  if (!named || memcmp(list + 1, aik_sk + 32, 32))
    return pa_error_set(err, PA_ERR_ARG,
                        "link: the list must be the AIK's and name the new device");
  size_t n = pa_link_response_size(list_len);
  if (cap < n) return pa_error_set(err, PA_ERR_ARG, "link: the output needs %zu bytes", n);
  uint8_t eph_sk[32], k[32], ad[PA_LINK_REQUEST_BYTES + PA_LINK_RESPONSE_HEAD];
  uint8_t plain[PA_LINK_AIK_SK_BYTES + PA_LINK_LIST_MAX];
  out[0] = PA_LINK_VERSION;
  pa_crypto_x25519_keypair(out + 1, eph_sk);
  pa_crypto_random(out + 33, PA_CRYPTO_NONCE_BYTES);
  st = box_key(k, eph_sk, peer_eph, secret, err);
  pa_crypto_wipe(eph_sk, sizeof eph_sk);
  if (st != PA_OK) return st;
  memcpy(plain, aik_sk, PA_LINK_AIK_SK_BYTES);
  memcpy(plain + PA_LINK_AIK_SK_BYTES, list, list_len);
  response_ad(ad, req, out);
  pa_crypto_aead_seal(out + PA_LINK_RESPONSE_HEAD, plain, PA_LINK_AIK_SK_BYTES + list_len, ad,
                      sizeof ad, out + 33, k);
  pa_crypto_wipe(plain, sizeof plain);
  pa_crypto_wipe(k, sizeof k);
  *out_len = n;
  return PA_OK;
}

pa_status pa_link_response_open(const uint8_t *resp, size_t len, const uint8_t *req, size_t req_len,
                                const uint8_t secret[PA_LINK_SECRET_BYTES],
                                const uint8_t eph_sk[32], const char *account,
                                uint8_t aik_sk[PA_LINK_AIK_SK_BYTES], uint8_t *list,
                                size_t list_cap, size_t *list_len, pa_crypto_fault *fault,
                                pa_error *err) {
  if (fault) *fault = PA_FAULT_NONE;
  if (aik_sk) pa_crypto_wipe(aik_sk, PA_LINK_AIK_SK_BYTES); /* nothing stale on any failure */
  size_t acc_len = account ? strlen(account) : 0;
  if (!acc_len || acc_len > PA_LINK_ACCOUNT_MAX || !req || req_len != PA_LINK_REQUEST_BYTES)
    return pa_error_set(err, PA_ERR_ARG, "link: an account id and the own request are needed");
  if (!resp || len < PA_LINK_RESPONSE_MIN || len > PA_LINK_RESPONSE_MAX)
    return refuse(fault, PA_FAULT_MALFORMED, err,
                  len < PA_LINK_RESPONSE_MIN ? PA_ERR_TRUNCATED : PA_ERR_TOO_LARGE,
                  "a response is 283..411 bytes");
  if (resp[0] != PA_LINK_VERSION)
    return refuse(fault, PA_FAULT_MALFORMED, err, PA_ERR_UNSUPPORTED, "unknown response version");
  size_t plain_len = len - PA_LINK_RESPONSE_HEAD - PA_CRYPTO_TAG_BYTES;
  size_t n = plain_len - PA_LINK_AIK_SK_BYTES, count;
  if (!list_count_ok(n, &count))
    return refuse(fault, PA_FAULT_MALFORMED, err, PA_ERR_SYNTAX, "no whole device list");
  if (list_cap < n) return pa_error_set(err, PA_ERR_ARG, "link: the list needs %zu bytes", n);
  if (!pa_crypto_x25519_valid(resp + 1))
    return refuse(fault, PA_FAULT_BAD_KEY, err, PA_ERR_SCHEMA, "a low-order ephemeral key");
  uint8_t k[32], ad[PA_LINK_REQUEST_BYTES + PA_LINK_RESPONSE_HEAD];
  uint8_t plain[PA_LINK_AIK_SK_BYTES + PA_LINK_LIST_MAX];
  pa_status st = box_key(k, eph_sk, resp + 1, secret, err);
  if (st != PA_OK) return st;
  response_ad(ad, req, resp);
  st = pa_crypto_aead_open(plain, resp + PA_LINK_RESPONSE_HEAD, len - PA_LINK_RESPONSE_HEAD, ad,
                           sizeof ad, resp + 33, k, NULL);
  pa_crypto_wipe(k, sizeof k);
  if (st != PA_OK)
    return refuse(fault, PA_FAULT_FORGED, err, PA_ERR_SYNTAX, "the response does not open");
  const uint8_t *lb = plain + PA_LINK_AIK_SK_BYTES;
  /* The AIK secret must be a consistent pair (import derives the public half
   * again), and the list must verify for this account under that very key
   * and name this device: the same checks ident's code makes of any list. */
  pa_devlist_aik *aik = NULL;
  pa_devlist *dl = malloc(sizeof *dl);
  st = PA_OK;
  if (!dl) {
    st = pa_error_set(err, PA_ERR_NOMEM, "link: out of memory");
  } else if (pa_devlist_aik_import(plain, PA_LINK_AIK_SK_BYTES, &aik, NULL) != PA_OK) {
    st = refuse(fault, PA_FAULT_MALFORMED, err, PA_ERR_SCHEMA, "the account key is not a key pair");
  } else if (pa_devlist_verify(lb, n, account, dl, NULL) != PA_OK) {
    st = refuse(fault, PA_FAULT_FORGED, err, PA_ERR_SYNTAX,
                "the device list does not verify for this account");
  } else if (!pa_crypto_equal(dl->aik, pa_devlist_aik_key(aik), 32)) {
    st = refuse(fault, PA_FAULT_FORGED, err, PA_ERR_SYNTAX,
                "the device list is not signed by the key sent with it");
  } else {
    int named = 0;
    for (int i = 0; i < dl->count; i++) named |= !memcmp(dl->devices[i], req + 33, 32);
    if (!named)
      st = refuse(fault, PA_FAULT_MALFORMED, err, PA_ERR_SCHEMA,
                  "the list does not name this device");
  }
  pa_devlist_aik_free(aik);
  free(dl);
  if (st == PA_OK) {
    memcpy(aik_sk, plain, PA_LINK_AIK_SK_BYTES);
    memcpy(list, lb, n);
    *list_len = n;
  } else {
    pa_crypto_wipe(aik_sk, PA_LINK_AIK_SK_BYTES);
  }
  pa_crypto_wipe(plain, sizeof plain);
  return st;
}

/* ---- the link code */

static int id_ok(const char *id, size_t len) {
  if (len < 4 || len > 3 + ID_DIGITS_MAX || memcmp(id, "lk_", 3) || id[3] == '0') return 0;
  for (size_t i = 3; i < len; i++)
    if (id[i] < '0' || id[i] > '9') return 0;
  return 1;
}

pa_status pa_link_code_format(const char *id, const uint8_t secret[PA_LINK_SECRET_BYTES],
                              char out[PA_LINK_CODE_MAX + 1], pa_error *err) {
  size_t n = id ? strlen(id) : 0;
  if (!id_ok(id ? id : "", n)) return pa_error_set(err, PA_ERR_ARG, "link: not a link id");
  memcpy(out, id, n);
  out[n++] = ' ';
  /* 80 bits, 5 at a time from the most significant. */
  for (int c = 0; c < PA_LINK_SECRET_CHARS; c++) {
    unsigned v = 0;
    for (int b = 0; b < 5; b++) {
      int bit = c * 5 + b;
      v = (v << 1) | ((secret[bit / 8] >> (7 - bit % 8)) & 1u);
    }
    if (c && c % 4 == 0) out[n++] = '-';
    out[n++] = CROCKFORD[v];
  }
  out[n] = 0;
  return PA_OK;
}

pa_status pa_link_code_parse(const char *text, size_t len, char id[PA_LINK_ID_MAX + 1],
                             uint8_t secret[PA_LINK_SECRET_BYTES], pa_error *err) {
  if (!text) return pa_error_set(err, PA_ERR_ARG, "link: no code");
  if (len > 2 * PA_LINK_CODE_MAX) return pa_error_set(err, PA_ERR_TOO_LARGE, "link: code too long");
  size_t i = 0, n = 0;
  while (i < len && (text[i] == ' ' || text[i] == '-')) i++;
  /* The id: "lk_" and digits, up to the first space or dash. Requiring the
   * separator keeps a code with a character too few from being read as
   * another link's id with a digit lent to the secret. */
  char idb[PA_LINK_ID_MAX + 1] = {0}; /* gcc -O2 cannot see id_ok reads only idb[0..n) */
  while (i < len && text[i] != ' ' && text[i] != '-') {
    if (n == PA_LINK_ID_MAX) return pa_error_set(err, PA_ERR_SYNTAX, "link: not a link code");
    char ch = text[i++];
    idb[n] = n < 2 && ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
    n++;
  }
  if (!id_ok(idb, n)) return pa_error_set(err, PA_ERR_SYNTAX, "link: not a link code");
  idb[n] = 0;
  uint8_t out[PA_LINK_SECRET_BYTES] = {0};
  int c = 0;
  for (; i < len; i++) {
    char ch = text[i];
    if (ch == ' ' || ch == '-') continue;
    if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
    const char *at = ch ? strchr(CROCKFORD, ch) : NULL;
    if (!at || c == PA_LINK_SECRET_CHARS) {
      pa_crypto_wipe(out, sizeof out);
      return pa_error_set(err, PA_ERR_SYNTAX,
                          at ? "link: the secret is 16 characters"
                             : "link: a character outside the code's alphabet");
    }
    unsigned v = (unsigned)(at - CROCKFORD);
    for (int b = 0; b < 5; b++) {
      int bit = c * 5 + b;
      if ((v >> (4 - b)) & 1u) out[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
    }
    c++;
  }
  if (c != PA_LINK_SECRET_CHARS) {
    pa_crypto_wipe(out, sizeof out);
    return pa_error_set(err, PA_ERR_SYNTAX, "link: the secret is 16 characters");
  }
  memcpy(id, idb, n + 1);
  memcpy(secret, out, sizeof out);
  pa_crypto_wipe(out, sizeof out);
  return PA_OK;
}
