/* pa_srv — E2E chat over HTTP: devices publish prekey bundles, peers take
 * one bundle per device, each one-time prekey handed out exactly once.
 * Bundle bytes are core/src/chat/chat.md's format; the server checks their shape
 * and the signed prekey's signature, so it never stores a bundle a client
 * would refuse. */
#include "api/chat_relay.h"
#include "chat_devlist.h"
#include "clock.h"
#include "pa/pa_devlist.h"
#include "store/safety.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pa_chat_add_b64(cJSON *obj, const char *key, const uint8_t *bytes, size_t n) {
  size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
  char *text = malloc(cap);
  if (!text) return -1;
  sodium_bin2base64(text, cap, bytes, n, sodium_base64_VARIANT_ORIGINAL);
  int rc = cJSON_AddStringToObject(obj, key, text) ? 0 : -1;
  free(text);
  return rc;
}

int pa_chat_b64_decode(const char *text, uint8_t *out, size_t cap, size_t *len) {
  const char *end = NULL;
  size_t n = strlen(text);
  if (sodium_base642bin(out, cap, text, n, NULL, len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text + n)
    return -1;
  return 0;
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A parsed upload: IK, the 108 SPK bytes and the one-time prekeys. */
typedef struct bundle {
  uint8_t bytes[PA_CHAT_BUNDLE_FIXED + PA_CHAT_MAX_OPKS * PA_CHAT_OPK_BYTES];
  size_t len;
  int count;
} bundle;

static const uint8_t *bundle_ik(const bundle *b) { return b->bytes + 1; }
static const uint8_t *bundle_spk(const bundle *b) { return b->bytes + 33; }
static const uint8_t *bundle_opk(const bundle *b, int i) {
  return b->bytes + PA_CHAT_BUNDLE_FIXED + (size_t)i * PA_CHAT_OPK_BYTES;
}

/* Reads {"bundle": base64}; 0, or -1 with 400 sent. */
static int read_bundle(pa_srv_req *rq, bundle *b) {
  static const char *const names[] = {"bundle", NULL};
  static const char spk_label[16] = "PetAmigos SPK v1";
  cJSON *body;
  if (pa_api_body(rq, &body) != 0) return -1;
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "bundle");
  const char *why = NULL;
  if (pa_api_only(rq, body, names) != 0) {
    cJSON_Delete(body);
    return -1;
  }
  if (!cJSON_IsString(v) || pa_chat_b64_decode(v->valuestring, b->bytes, sizeof b->bytes, &b->len))
    why = "bundle must be base64 of at most 7,343 bytes";
  else if (b->len < PA_CHAT_BUNDLE_FIXED || b->bytes[0] != 1)
    why = "bundle is not a version 1 bundle";
  cJSON_Delete(body);
  if (!why) {
    b->count = b->bytes[141] << 8 | b->bytes[142];
    uint8_t msg[16 + 44];
    memcpy(msg, spk_label, 16);
    memcpy(msg + 16, bundle_spk(b), 44); /* spk id, created_at, key */
    if (b->count > PA_CHAT_MAX_OPKS ||
        b->len != PA_CHAT_BUNDLE_FIXED + (size_t)b->count * PA_CHAT_OPK_BYTES)
      why = "bundle length does not match its one-time prekey count";
    else if (get32(bundle_spk(b)) == 0)
      why = "bundle: signed prekey id is 0";
    else if (crypto_sign_verify_detached(bundle_spk(b) + 44, msg, sizeof msg, bundle_ik(b)) != 0)
      why = "bundle: the signed prekey's signature does not verify";
  }
  for (int i = 0; !why && i < b->count; i++) {
    uint32_t id = get32(bundle_opk(b, i));
    if (id == 0) why = "bundle: a one-time prekey has id 0";
    for (int j = 0; !why && j < i; j++)
      if (get32(bundle_opk(b, j)) == id) why = "bundle: one-time prekey ids repeat";
  }
  if (why) {
    pa_api_field_error(rq, 400, "bad_request", why, "bundle");
    return -1;
  }
  return 0;
}

/* {"id","prekeys","spk_id"} of one of the viewer's devices (zeros for one
 * removed meanwhile). */
static void send_device(pa_srv_req *rq, int status, int64_t device) {
  int64_t count = 0, spk_id = 0;
  int rc = pa_store_chat_device_stock(rq->db, device, &count, &spk_id);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "chat device");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (!root || pa_api_add_id(root, "id", "d", device) ||
      !cJSON_AddNumberToObject(root, "prekeys", (double)count) ||
      !cJSON_AddNumberToObject(root, "spk_id", (double)spk_id)) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, status, root);
}

enum { REFUSED = 1 }; /* a bundle refused, its answer sent */

/* In store_bundle's transaction: the viewer's device with b's identity into
 * *id, added when new (*created 1) unless that would pass the cap. A store
 * code, or REFUSED. */
static int bundle_device(pa_srv_req *rq, int64_t device, const bundle *b, int64_t *id,
                         int *created) {
  int64_t owned = 0;
  int rc = pa_store_chat_device_find(rq->db, rq->viewer, bundle_ik(b), id);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) return rc;
  if (device && *id != device) {
    pa_api_field_error(rq, 409, "conflict", "bundle: its identity key is not this device's",
                       "bundle");
    return REFUSED;
  }
  if (*id) return PA_STORE_OK;
  /* Past the cap a new device is refused, never made room for: which one
   * could go is the person's call (Settings lists them). */
  if ((rc = pa_store_chat_device_count(rq->db, rq->viewer, &owned)) != PA_STORE_OK) return rc;
  if (owned >= PA_CHAT_MAX_DEVICES) {
    char msg[96];
    snprintf(msg, sizeof msg, "You have %d devices; remove one in Settings first",
             PA_CHAT_MAX_DEVICES);
    pa_api_error(rq, 409, "too_many_devices", msg, NULL);
    return REFUSED;
  }
  rc = pa_store_chat_device_add(rq->db, rq->viewer, bundle_ik(b), bundle_spk(b),
                                get32(bundle_spk(b)), pa_clock_now(), id);
  *created = rc == PA_STORE_OK;
  return rc;
}

/* Stores b for device (0: the viewer's device with b's identity, created
 * when new), in one transaction. The signed prekey is replaced; one-time
 * prekeys are added by id, only ids above every id seen before (so a spent
 * one never comes back), and never beyond PA_CHAT_MAX_OPKS held. Returns the
 * device id, 0 with an error sent. */
static int64_t store_bundle(pa_srv_req *rq, int64_t device, const bundle *b, int *created) {
  pa_store_chat_prekey opks[PA_CHAT_MAX_OPKS];
  int64_t id = 0;
  *created = 0;
  for (int i = 0; i < b->count; i++)
    opks[i] = (pa_store_chat_prekey){get32(bundle_opk(b, i)), bundle_opk(b, i) + 4};
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) {
    rc = bundle_device(rq, device, b, &id, created);
    if (rc == PA_STORE_OK)
      rc = pa_store_chat_keys_put(rq->db, id, bundle_spk(b), get32(bundle_spk(b)), opks, b->count,
                                  PA_CHAT_MAX_OPKS);
    if (pa_store_end(rq->db, rc == PA_STORE_OK) == PA_STORE_OK) return id;
  }
  if (rc != REFUSED) pa_api_internal(rq, "chat bundle");
  return 0;
}

void pa_api_chat_device_create(pa_srv_req *rq) {
  bundle *b = malloc(sizeof *b);
  int created;
  if (!b) {
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    return;
  }
  int64_t device = read_bundle(rq, b) == 0 ? store_bundle(rq, 0, b, &created) : 0;
  free(b);
  if (device) send_device(rq, created ? 201 : 200, device);
}

/* 0 when device is one of the viewer's; else 404 sent. */
static int own_device(pa_srv_req *rq, int64_t device) {
  int64_t owner = 0;
  int rc = pa_store_chat_device_owner(rq->db, device, &owner);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "chat device");
    return -1;
  }
  if (rc == PA_STORE_ENOTFOUND || owner != rq->viewer) {
    PA_NOT_FOUND(rq, "No such device of yours");
    return -1;
  }
  return 0;
}

void pa_api_chat_device_get(pa_srv_req *rq) {
  if (own_device(rq, rq->ids[0]) == 0) send_device(rq, 200, rq->ids[0]);
}

/* Removes one of the viewer's devices: its prekeys and the messages queued
 * to or from it go with it, and its sockets close. */
void pa_api_chat_device_delete(pa_srv_req *rq) {
  int rc = pa_store_chat_device_delete(rq->db, rq->ids[0], rq->viewer);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such device of yours");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "chat device");
    return;
  }
  pa_chat_revoke(rq->srv, 0, rq->ids[0], 0);
  pa_api_ok(rq);
}

/* Appends {"id","created_at"} (the viewer's own list) or {"id",
 * "identity_key"} (anyone's, for peers) of d to the array ctx. */
static int add_my_device(void *ctx, const pa_store_chat_device *d) {
  cJSON *o = cJSON_CreateObject();
  return !o || !cJSON_AddItemToArray(ctx, o) || pa_api_add_id(o, "id", "d", d->id) ||
         pa_api_add_time(o, "created_at", d->created_at);
}

/* identity_key is the older name of identity, kept for clients of before
 * issue 22; name stays null until devices can be named. */
static int add_peer_device(void *ctx, const pa_store_chat_device *d) {
  cJSON *o = cJSON_CreateObject();
  return !o || !cJSON_AddItemToArray(ctx, o) || pa_api_add_id(o, "id", "d", d->id) ||
         pa_chat_add_b64(o, "identity", d->identity, PA_STORE_CHAT_KEY_BYTES) ||
         pa_chat_add_b64(o, "identity_key", d->identity, PA_STORE_CHAT_KEY_BYTES) ||
         !cJSON_AddNullToObject(o, "name") || pa_api_add_time(o, "created_at", d->created_at);
}

/* {"devices":[...]} of user, built by add; NULL with an error sent. */
static cJSON *device_list(pa_srv_req *rq, int64_t user, pa_store_chat_device_fn add) {
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "devices");
  int rc =
      list ? pa_store_chat_devices_list(rq->db, user, PA_API_LIST_MAX, add, list) : PA_STORE_ENOMEM;
  if (rc == PA_STORE_OK) return root;
  cJSON_Delete(root);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such user");
  else
    pa_api_internal(rq, "chat devices");
  return NULL;
}

/* The viewer's devices, oldest first: {"devices":[{"id","created_at"}]}. */
void pa_api_chat_my_devices(pa_srv_req *rq) {
  cJSON *root = device_list(rq, rq->viewer, add_my_device);
  if (root) pa_api_json(rq, 200, root);
}

void pa_api_chat_prekeys_put(pa_srv_req *rq) {
  if (own_device(rq, rq->ids[0]) != 0) return;
  bundle *b = malloc(sizeof *b);
  int created;
  if (!b) {
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    return;
  }
  int64_t device = read_bundle(rq, b) == 0 ? store_bundle(rq, rq->ids[0], b, &created) : 0;
  free(b);
  if (device) send_device(rq, 200, device);
}

/* A person's devices for peers: {"user","devices":[{"id","identity_key"}]}. */
/* Whether the viewer and person are in a block, either way: 1 with 404
 * sent (the other is absent to them, their devices too), -1 with 500 sent,
 * or 0. The relay refuses their messages as well (chat_relay.c). */
static int blocked(pa_srv_req *rq, int64_t person, const char *missing) {
  int rel = 0, found = pa_api_standing(rq, person, &rel);
  if (found < 0) return -1;
  if (rel & (PA_STORE_REL_BLOCKS | PA_STORE_REL_BLOCKED_BY)) {
    PA_NOT_FOUND(rq, missing);
    return 1;
  }
  return 0;
}

/* A person's devices for peers, and their signed device list (null until
 * they publish one): {"user","devices":[{"id","identity","name",
 * "created_at"}],"device_list"}. Clients encrypt only to the devices the list
 * names; the others are "pending" to them. */
void pa_api_chat_user_devices(pa_srv_req *rq) {
  if (blocked(rq, rq->ids[0], "No such user") != 0) return;
  cJSON *root = device_list(rq, rq->ids[0], add_peer_device);
  if (!root) return;
  pa_store_chat_devlist l;
  int rc = pa_store_chat_devlist_get(rq->db, rq->ids[0], &l);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    cJSON_Delete(root);
    pa_api_internal(rq, "chat device list");
    return;
  }
  if (pa_api_add_id(root, "user", "u", rq->ids[0]) ||
      (rc == PA_STORE_OK ? pa_chat_add_b64(root, "device_list", l.list, l.len)
                         : !cJSON_AddNullToObject(root, "device_list"))) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

/* ---- the account's signed device list (core/src/chat/chat.md) */

enum { LIST_REFUSED = 1 }; /* a list refused, its answer sent */

/* In the PUT's transaction: every device l names is one of the viewer's, the
 * version is above the stored one, and the AIK is the stored one unless no
 * device of the stored list exists any more (a reset). A store code, or
 * LIST_REFUSED. */
static int devlist_check(pa_srv_req *rq, const pa_devlist *l) {
  int64_t id = 0;
  for (int i = 0; i < l->count; i++) {
    int rc = pa_store_chat_device_find(rq->db, rq->viewer, l->devices[i], &id);
    if (rc == PA_STORE_ENOTFOUND) {
      char msg[96];
      snprintf(msg, sizeof msg, "Device %d of the list is not one of your registered devices",
               i + 1);
      pa_api_field_error(rq, 400, "bad_list", msg, "list");
      return LIST_REFUSED;
    }
    if (rc != PA_STORE_OK) return rc;
  }
  pa_store_chat_devlist stored;
  int rc = pa_store_chat_devlist_get(rq->db, rq->viewer, &stored);
  if (rc == PA_STORE_ENOTFOUND) return PA_STORE_OK;
  if (rc != PA_STORE_OK) return rc;
  if ((uint64_t)stored.version >= l->version) {
    pa_api_error(rq, 409, "stale_version",
                 "A device list with this version or a newer one is already published", NULL);
    return LIST_REFUSED;
  }
  if (pa_crypto_equal(stored.aik, l->aik, 32)) return PA_STORE_OK;
  /* A new AIK only replaces a list none of whose devices exists any more:
   * the account was reset. The stored list verified when it was stored. */
  pa_devlist old;
  char account[32];
  pa_error err;
  snprintf(account, sizeof account, "u_%lld", (long long)rq->viewer);
  if (pa_devlist_verify(stored.list, stored.len, account, &old, &err) != PA_OK) return PA_STORE_EDB;
  for (int i = 0; i < old.count; i++) {
    rc = pa_store_chat_device_find(rq->db, rq->viewer, old.devices[i], &id);
    if (rc == PA_STORE_OK) {
      pa_api_error(rq, 409, "identity_mismatch",
                   "The list is signed by another account key than your devices use; link this "
                   "device from one of them",
                   NULL);
      return LIST_REFUSED;
    }
    if (rc != PA_STORE_ENOTFOUND) return rc;
  }
  return PA_STORE_OK;
}

/* PUT /api/v1/chat/device-list {"list","device"}: a signed-in device of the
 * viewer publishes the account's device list. The server verifies it like
 * any client would (signature for this account, format), then the rules of
 * devlist_check, and keeps it as the one peers are served. */
void pa_api_chat_devlist_put(pa_srv_req *rq) {
  cJSON *body;
  if (pa_api_body(rq, &body) != 0) return;
  pa_chat_devlist_req req;
  const char *why, *field;
  int bad = pa_chat_devlist_read(body, &req, &why, &field);
  if (bad) pa_api_field_error(rq, 400, "bad_request", why, field); /* field lives in body */
  cJSON_Delete(body);
  if (bad) return;
  if (own_device(rq, req.device) != 0) return;
  char account[32];
  snprintf(account, sizeof account, "u_%lld", (long long)rq->viewer);
  pa_devlist l;
  pa_error err;
  if (pa_devlist_verify(req.list, req.len, account, &l, &err) != PA_OK) {
    pa_api_field_error(rq, 400, "bad_list", err.msg, "list");
    return;
  }
  if (l.version > INT64_MAX) {
    pa_api_field_error(rq, 400, "bad_list", "The list's version is above 2^63 - 1", "list");
    return;
  }
  uint8_t ik[PA_STORE_CHAT_KEY_BYTES], spk[PA_STORE_CHAT_SPK_BYTES];
  int64_t owner = 0;
  int rc = pa_store_chat_bundle_get(rq->db, req.device, &owner, ik, spk);
  if (rc == PA_STORE_OK && !pa_devlist_has(&l, ik)) {
    pa_api_field_error(rq, 400, "bad_list", "The list must name the device that publishes it",
                       "list");
    return;
  }
  if (rc == PA_STORE_OK) rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) {
    rc = devlist_check(rq, &l);
    if (rc == PA_STORE_OK) {
      pa_store_chat_devlist row = {
          .version = (int64_t)l.version, .updated_at = pa_clock_now(), .len = req.len};
      memcpy(row.aik, l.aik, 32);
      memcpy(row.list, req.list, req.len);
      rc = pa_store_chat_devlist_put(rq->db, rq->viewer, &row);
    }
    if (pa_store_end(rq->db, rc == PA_STORE_OK) == PA_STORE_OK && rc == PA_STORE_OK) {
      cJSON *root = cJSON_CreateObject();
      if (!root || !cJSON_AddNumberToObject(root, "version", (double)l.version) ||
          !cJSON_AddNumberToObject(root, "devices", l.count)) {
        cJSON_Delete(root);
        root = NULL;
      }
      pa_api_json(rq, 200, root);
      return;
    }
  }
  if (rc != LIST_REFUSED) pa_api_internal(rq, "chat device list");
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* Hands out the device's bundle with one one-time prekey, taken by the
 * store atomically: two requests never get the same one. */
void pa_api_chat_bundle_take(pa_srv_req *rq) {
  int64_t device = rq->ids[0], user = 0, key_id = 0;
  uint8_t out[PA_CHAT_BUNDLE_FIXED + PA_CHAT_OPK_BYTES] = {1}; /* version 1, no prekey yet */
  size_t len = PA_CHAT_BUNDLE_FIXED;
  int rc = pa_store_chat_bundle_get(rq->db, device, &user, out + 1, out + 33);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such device");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "chat bundle");
    return;
  }
  if (blocked(rq, user, "No such device") != 0) return;
  /* Only now, for a device that exists: made-up device numbers cost nothing
   * and reach no table. One account takes at most a few prekeys a minute. */
  if (pa_api_limited(rq, PA_LIMIT_CHAT_BUNDLE, NULL) != 0) return;
  rc = pa_store_chat_prekey_take(rq->db, device, &key_id, out + PA_CHAT_BUNDLE_FIXED + 4);
  if (rc == PA_STORE_OK) {
    put32(out + PA_CHAT_BUNDLE_FIXED, (uint32_t)key_id);
    out[142] = 1;
    len += PA_CHAT_OPK_BYTES;
  } else if (rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "chat bundle");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (!root || pa_api_add_id(root, "device", "d", device) ||
      pa_api_add_id(root, "user", "u", user) || pa_chat_add_b64(root, "bundle", out, len)) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

/* ---- encrypted attachments: stored and served as opaque bytes (base64 in
 * JSON), under a random 128-bit name so they cannot be listed. */

void pa_api_chat_attachment_put(pa_srv_req *rq) {
  const char *type = pa_srv_req_header(rq, "Content-Type");
  if (!type || strcmp(type, "application/octet-stream") != 0) {
    pa_api_error(rq, 415, "unsupported_media_type",
                 "Send the encrypted bytes as application/octet-stream", NULL);
    return;
  }
  unsigned char *data;
  size_t len;
  if (pa_srv_body(rq, PA_CHAT_ATTACH_MAX, &data, &len) != 0) return;
  int64_t day;
  if (len < PA_CHAT_ATTACH_MIN) {
    free(data);
    PA_BAD(rq, "An encrypted attachment has at least 17 bytes");
    return;
  }
  /* Chat photos count against the daily upload quota like any upload. */
  if (pa_api_media_charge(rq, (int64_t)len, &day) != 0) {
    free(data);
    return;
  }
  uint8_t raw[16];
  char name[33];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(name, sizeof name, raw, sizeof raw);
  int rc = pa_store_chat_attachment_add(rq->db, name, rq->viewer, data, len, pa_clock_now());
  free(data);
  if (rc != PA_STORE_OK) {
    pa_api_media_refund(rq, (int64_t)len, day);
    pa_api_internal(rq, "chat attachment");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (!root || !cJSON_AddStringToObject(root, "id", name) ||
      !cJSON_AddNumberToObject(root, "bytes", (double)len)) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 201, root);
}

/* ?id=, an attachment's name: 0, or -1 with 400 sent. */
static int attachment_name(pa_srv_req *rq, char name[40]) {
  int q = pa_api_query(rq, "id", name, 40);
  if (q < 0) return -1;
  size_t n = q == 0 ? strlen(name) : 0;
  int ok = n == 32;
  for (size_t i = 0; ok && i < n; i++)
    ok = (name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f');
  if (!ok) {
    PA_BAD(rq, "id must be an attachment id (32 hex digits)");
    return -1;
  }
  return 0;
}

/* The sender deletes a photo before its 30 days are up: from then on 404. */
void pa_api_chat_attachment_delete(pa_srv_req *rq) {
  char name[40];
  int64_t owner = 0;
  if (attachment_name(rq, name) != 0) return;
  int rc = pa_store_chat_attachment_owner(rq->db, name, &owner);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such attachment");
    return;
  }
  if (rc == PA_STORE_OK && owner != rq->viewer) {
    PA_FORBIDDEN(rq, "Only the sender may delete an attachment");
    return;
  }
  if (rc == PA_STORE_OK) rc = pa_store_chat_attachment_delete(rq->db, name);
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "chat attachment");
    return;
  }
  pa_api_ok(rq);
}

static int add_data(void *root, const unsigned char *data, size_t len) {
  return pa_chat_add_b64(root, "data", data, len);
}

void pa_api_chat_attachment_get(pa_srv_req *rq) {
  char name[40];
  if (attachment_name(rq, name) != 0) return;
  cJSON *root = cJSON_CreateObject();
  int rc = root ? pa_store_chat_attachment_get(rq->db, name, add_data, root) : PA_STORE_ENOMEM;
  if (rc == PA_STORE_OK) {
    pa_api_json(rq, 200, root);
    return;
  }
  cJSON_Delete(root);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such attachment");
  else
    pa_api_internal(rq, "chat attachment");
}
