/* pa_srv — E2E chat over HTTP: devices publish prekey bundles, peers take
 * one bundle per device, each one-time prekey handed out exactly once.
 * Bundle bytes are core/src/chat.md's format; the server checks their shape
 * and the signed prekey's signature, so it never stores a bundle a client
 * would refuse. */
#include "api/chat_relay.h"
#include "clock.h"

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

/* {"id","prekeys","spk_id"} of one of the viewer's devices. */
static void send_device(pa_srv_req *rq, int status, int64_t device) {
  int64_t count = 0, spk_id = 0;
  int found = 0;
  if (pa_sq_scalar_found(rq->db, "SELECT count(*) FROM chat_prekeys WHERE device_id = ?1", 1,
                         &device, &count, &found) != PA_STORE_OK ||
      pa_sq_scalar_found(rq->db, "SELECT spk_id FROM chat_devices WHERE id = ?1", 1, &device,
                         &spk_id, &found) != PA_STORE_OK) {
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

/* Stores b for device (0: the viewer's device with b's identity, created
 * when new). The signed prekey is replaced; one-time prekeys are added by id,
 * only ids above every id seen before (so a spent one never comes back), and
 * never beyond PA_CHAT_MAX_OPKS held. Returns the device id, 0 with an error
 * sent. */
static int64_t store_bundle(pa_srv_req *rq, int64_t device, const bundle *b, int *created) {
  static const char find_sql[] =
      "SELECT id, opk_next FROM chat_devices WHERE user_id = ?1 AND identity = ?2";
  static const char add_sql[] =
      "INSERT INTO chat_devices (user_id, identity, spk, spk_id, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5)";
  static const char spk_sql[] =
      "UPDATE chat_devices SET spk = ?2, spk_id = ?3, opk_next = ?4 WHERE id = ?1";
  static const char opk_sql[] =
      "INSERT OR IGNORE INTO chat_prekeys (device_id, key_id, key) VALUES (?1, ?2, ?3)";
  sqlite3 *h = pa_sq_handle(rq->db);
  int64_t found_id = 0, next = 1, held = 0;
  int rc = SQLITE_OK, found = 0;
  *created = 0;
  if (pa_store_begin(rq->db) != PA_STORE_OK) goto fail;
  sqlite3_stmt *st = pa_sq_stmt(rq->db, find_sql);
  if (!st) goto fail;
  sqlite3_bind_int64(st, 1, rq->viewer);
  sqlite3_bind_blob(st, 2, bundle_ik(b), 32, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    found_id = sqlite3_column_int64(st, 0);
    next = sqlite3_column_int64(st, 1);
  }
  pa_sq_done(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) goto fail;
  if (device && found_id != device) {
    pa_store_rollback(rq->db);
    pa_api_field_error(rq, 409, "conflict", "bundle: its identity key is not this device's",
                       "bundle");
    return 0;
  }
  if (!found_id) {
    /* Past the cap a new device is refused, never made room for: which one
     * could go is the person's call (Settings lists them). */
    int64_t owned = 0;
    if (pa_sq_scalar_found(rq->db, "SELECT count(*) FROM chat_devices WHERE user_id = ?1", 1,
                           &rq->viewer, &owned, &found) != PA_STORE_OK)
      goto fail;
    if (owned >= PA_CHAT_MAX_DEVICES) {
      char msg[96];
      pa_store_rollback(rq->db);
      snprintf(msg, sizeof msg, "You have %d chat devices; remove one in Settings first",
               PA_CHAT_MAX_DEVICES);
      pa_api_error(rq, 409, "conflict", msg, NULL);
      return 0;
    }
    if (!(st = pa_sq_stmt(rq->db, add_sql))) goto fail;
    sqlite3_bind_int64(st, 1, rq->viewer);
    sqlite3_bind_blob(st, 2, bundle_ik(b), 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, bundle_spk(b), PA_CHAT_SPK_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, get32(bundle_spk(b)));
    sqlite3_bind_int64(st, 5, pa_clock_now());
    rc = sqlite3_step(st);
    pa_sq_done(st);
    if (rc != SQLITE_DONE) goto fail;
    found_id = sqlite3_last_insert_rowid(h);
    *created = 1;
  }
  if (pa_sq_scalar_found(rq->db, "SELECT count(*) FROM chat_prekeys WHERE device_id = ?1", 1,
                         &found_id, &held, &found) != PA_STORE_OK)
    goto fail;
  int64_t new_next = next;
  for (int i = 0; i < b->count; i++) {
    int64_t id = get32(bundle_opk(b, i));
    if (id < next || held >= PA_CHAT_MAX_OPKS) continue;
    if (!(st = pa_sq_stmt(rq->db, opk_sql))) goto fail;
    sqlite3_bind_int64(st, 1, found_id);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_blob(st, 3, bundle_opk(b, i) + 4, 32, SQLITE_STATIC);
    rc = sqlite3_step(st);
    pa_sq_done(st);
    if (rc != SQLITE_DONE) goto fail;
    held += sqlite3_changes(h);
    if (id + 1 > new_next) new_next = id + 1;
  }
  if (!(st = pa_sq_stmt(rq->db, spk_sql))) goto fail;
  sqlite3_bind_int64(st, 1, found_id);
  sqlite3_bind_blob(st, 2, bundle_spk(b), PA_CHAT_SPK_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, get32(bundle_spk(b)));
  sqlite3_bind_int64(st, 4, new_next);
  rc = sqlite3_step(st);
  pa_sq_done(st);
  if (rc != SQLITE_DONE || pa_store_commit(rq->db) != PA_STORE_OK) goto fail;
  return found_id;
fail:
  pa_api_internal(rq, "chat bundle");
  pa_store_rollback(rq->db);
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
  int found = 0;
  if (pa_sq_scalar_found(rq->db, "SELECT user_id FROM chat_devices WHERE id = ?1", 1, &device,
                         &owner, &found) != PA_STORE_OK) {
    pa_api_internal(rq, "chat device");
    return -1;
  }
  if (!found || owner != rq->viewer) {
    PA_NOT_FOUND(rq, "No such device of yours");
    return -1;
  }
  return 0;
}

void pa_api_chat_device_get(pa_srv_req *rq) {
  if (own_device(rq, rq->ids[0]) == 0) send_device(rq, 200, rq->ids[0]);
}

/* Removes one of the viewer's devices: its prekeys and the messages queued
 * to or from it go with it (ON DELETE CASCADE), and its sockets close. */
void pa_api_chat_device_delete(pa_srv_req *rq) {
  int64_t args[2] = {rq->ids[0], rq->viewer};
  if (own_device(rq, rq->ids[0]) != 0) return;
  if (pa_sq_exec_i64(rq->db, "DELETE FROM chat_devices WHERE id = ?1 AND user_id = ?2", 2, args,
                     NULL) != PA_STORE_OK) {
    pa_api_internal(rq, "chat device");
    return;
  }
  pa_chat_revoke(rq->srv, 0, rq->ids[0], 0);
  pa_api_ok(rq);
}

/* The viewer's devices, oldest first: {"devices":[{"id","created_at"}]}. */
void pa_api_chat_my_devices(pa_srv_req *rq) {
  static const char sql[] =
      "SELECT id, created_at FROM chat_devices WHERE user_id = ?1 ORDER BY id LIMIT ?2";
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "devices");
  sqlite3_stmt *st = list ? pa_sq_stmt(rq->db, sql) : NULL;
  int rc = SQLITE_ERROR, bad = !st;
  if (st) {
    sqlite3_bind_int64(st, 1, rq->viewer);
    sqlite3_bind_int(st, 2, PA_API_LIST_MAX);
    while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
      cJSON *d = cJSON_CreateObject();
      bad = !d || !cJSON_AddItemToArray(list, d) ||
            pa_api_add_id(d, "id", "d", sqlite3_column_int64(st, 0)) ||
            pa_api_add_time(d, "created_at", sqlite3_column_int64(st, 1));
    }
    pa_sq_done(st);
  }
  if (bad || rc != SQLITE_DONE) {
    cJSON_Delete(root);
    pa_api_internal(rq, "chat devices");
    return;
  }
  pa_api_json(rq, 200, root);
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

void pa_api_chat_user_devices(pa_srv_req *rq) {
  static const char sql[] =
      "SELECT id, identity FROM chat_devices WHERE user_id = ?1 ORDER BY id LIMIT 100";
  int64_t v;
  int found = 0;
  if (pa_sq_scalar_found(rq->db, "SELECT 1 FROM users WHERE id = ?1", 1, &rq->ids[0], &v, &found) !=
      PA_STORE_OK) {
    pa_api_internal(rq, "chat devices");
    return;
  }
  if (!found) {
    PA_NOT_FOUND(rq, "No such user");
    return;
  }
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "devices");
  sqlite3_stmt *st = list ? pa_sq_stmt(rq->db, sql) : NULL;
  int rc = SQLITE_ERROR, bad = !st;
  if (st) {
    sqlite3_bind_int64(st, 1, rq->ids[0]);
    while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
      cJSON *d = cJSON_CreateObject();
      bad = !d || !cJSON_AddItemToArray(list, d) ||
            pa_api_add_id(d, "id", "d", sqlite3_column_int64(st, 0)) ||
            sqlite3_column_bytes(st, 1) != 32 ||
            pa_chat_add_b64(d, "identity_key", sqlite3_column_blob(st, 1), 32);
    }
    pa_sq_done(st);
  }
  if (bad || rc != SQLITE_DONE) {
    cJSON_Delete(root);
    pa_api_internal(rq, "chat devices");
    return;
  }
  if (pa_api_add_id(root, "user", "u", rq->ids[0])) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

/* Hands out the device's bundle with one one-time prekey, deleted in the
 * same statement that reads it: two requests never get the same one. */
void pa_api_chat_bundle_take(pa_srv_req *rq) {
  static const char dev_sql[] = "SELECT user_id, identity, spk FROM chat_devices WHERE id = ?1";
  static const char take_sql[] =
      "DELETE FROM chat_prekeys WHERE device_id = ?1 AND key_id ="
      " (SELECT min(key_id) FROM chat_prekeys WHERE device_id = ?1) RETURNING key_id, key";
  int64_t device = rq->ids[0], user = 0;
  uint8_t out[PA_CHAT_BUNDLE_FIXED + PA_CHAT_OPK_BYTES];
  size_t len = PA_CHAT_BUNDLE_FIXED;
  sqlite3_stmt *st = pa_sq_stmt(rq->db, dev_sql);
  int rc = SQLITE_ERROR;
  if (st) {
    sqlite3_bind_int64(st, 1, device);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32 &&
        sqlite3_column_bytes(st, 2) == PA_CHAT_SPK_BYTES) {
      user = sqlite3_column_int64(st, 0);
      out[0] = 1;
      memcpy(out + 1, sqlite3_column_blob(st, 1), 32);
      memcpy(out + 33, sqlite3_column_blob(st, 2), PA_CHAT_SPK_BYTES);
      out[141] = out[142] = 0;
    }
    pa_sq_done(st);
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    pa_api_internal(rq, "chat bundle");
    return;
  }
  if (!user) {
    PA_NOT_FOUND(rq, "No such device");
    return;
  }
  /* Only now, for a device that exists: made-up device numbers cost nothing
   * and reach no table. One account takes at most a few prekeys a minute. */
  if (pa_api_limited(rq, PA_LIMIT_CHAT_BUNDLE, NULL) != 0) return;
  if (!(st = pa_sq_stmt(rq->db, take_sql))) {
    pa_api_internal(rq, "chat bundle");
    return;
  }
  sqlite3_bind_int64(st, 1, device);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
    uint32_t id = (uint32_t)sqlite3_column_int64(st, 0);
    uint8_t *e = out + PA_CHAT_BUNDLE_FIXED;
    e[0] = (uint8_t)(id >> 24), e[1] = (uint8_t)(id >> 16), e[2] = (uint8_t)(id >> 8);
    e[3] = (uint8_t)id;
    memcpy(e + 4, sqlite3_column_blob(st, 1), 32);
    out[142] = 1;
    len += PA_CHAT_OPK_BYTES;
    rc = sqlite3_step(st);
  }
  pa_sq_done(st);
  if (rc != SQLITE_DONE) {
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
  static const char sql[] =
      "INSERT INTO chat_attachments (name, owner_id, data, created_at) VALUES (?1, ?2, ?3, ?4)";
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
  sqlite3_stmt *st = pa_sq_stmt(rq->db, sql);
  int rc = SQLITE_ERROR;
  if (st) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, rq->viewer);
    sqlite3_bind_blob(st, 3, data, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, pa_clock_now());
    rc = sqlite3_step(st);
    pa_sq_done(st);
  }
  free(data);
  if (rc != SQLITE_DONE) {
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
  if (attachment_name(rq, name) != 0) return;
  sqlite3_stmt *st = pa_sq_stmt(rq->db, "SELECT owner_id FROM chat_attachments WHERE name = ?1");
  int rc = st ? sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  int64_t owner = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  pa_sq_done(st);
  if (rc == SQLITE_DONE) {
    PA_NOT_FOUND(rq, "No such attachment");
    return;
  }
  if (rc == SQLITE_ROW && owner != rq->viewer) {
    PA_FORBIDDEN(rq, "Only the sender may delete an attachment");
    return;
  }
  st = rc == SQLITE_ROW ? pa_sq_stmt(rq->db, "DELETE FROM chat_attachments WHERE name = ?1") : NULL;
  rc = st ? sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  pa_sq_done(st);
  if (rc != SQLITE_DONE) {
    pa_sq_fail(rq->db, "delete chat attachment");
    pa_api_internal(rq, "chat attachment");
    return;
  }
  pa_api_ok(rq);
}

void pa_api_chat_attachment_get(pa_srv_req *rq) {
  static const char sql[] = "SELECT data FROM chat_attachments WHERE name = ?1";
  char name[40];
  if (attachment_name(rq, name) != 0) return;
  sqlite3_stmt *st = pa_sq_stmt(rq->db, sql);
  if (!st) {
    pa_api_internal(rq, "chat attachment");
    return;
  }
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  cJSON *root = NULL;
  if (rc == SQLITE_ROW) {
    root = cJSON_CreateObject();
    if (root && pa_chat_add_b64(root, "data", sqlite3_column_blob(st, 0),
                                (size_t)sqlite3_column_bytes(st, 0))) {
      cJSON_Delete(root);
      root = cJSON_CreateObject(); /* out of memory: answered below */
      rc = SQLITE_NOMEM;
    }
  }
  pa_sq_done(st);
  if (rc == SQLITE_DONE) {
    PA_NOT_FOUND(rq, "No such attachment");
  } else if (rc != SQLITE_ROW) {
    cJSON_Delete(root);
    pa_api_internal(rq, "chat attachment");
  } else {
    pa_api_json(rq, 200, root);
  }
}
