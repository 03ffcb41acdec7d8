/* pa_store_chat: chat devices and their keys, the relay's
 * store-and-forward queue and encrypted attachments. */
#include "store/chat.h"

#include "store/sql/sql.h"

#include <stdlib.h>
#include <string.h>

enum { KEY = PA_STORE_CHAT_KEY_BYTES, SPK = PA_STORE_CHAT_SPK_BYTES };

static int bind_blob(pa_sql_stmt *st, int i, const unsigned char *p, size_t n) {
  return pa_sq_bind_blob(st, i, p, n);
}

/* Column i when it holds exactly n bytes, else NULL. */
static const unsigned char *blob_of(pa_sql_stmt *st, int i, size_t n) {
  size_t len = 0;
  const unsigned char *p = pa_sq_blob(st, i, &len);
  return p && len == n ? p : NULL;
}

/* Steps st (bound with bind_rc) to its first row: PA_STORE_OK with the row
 * ready to read, PA_STORE_ENOTFOUND when there is none, else the error. The
 * caller then releases st (pa_sq_done). */
static int step_row(pa_store *db, pa_sql_stmt *st, int bind_rc, const char *what) {
  int rc = bind_rc == PA_SQ_OK ? pa_sq_step(st) : bind_rc;
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, what);
}

/* Column 0 of st's first row into *out (step_row's codes). Releases st. */
static int first_i64(pa_store *db, pa_sql_stmt *st, int bind_rc, const char *what, int64_t *out) {
  int res = step_row(db, st, bind_rc, what);
  if (res == PA_STORE_OK) *out = pa_sq_i64(st, 0);
  pa_sq_done(st);
  return res;
}

/* ---- devices and their keys */

int pa_store_chat_device_owner(pa_store *db, int64_t device, int64_t *user) {
  return pa_sq_scalar_i64(db, "SELECT user_id FROM chat_devices WHERE id = ?1", 1, &device, user);
}

int pa_store_chat_device_find(pa_store *db, int64_t user, const unsigned char *identity,
                              int64_t *device) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT id FROM chat_devices WHERE user_id = ?1 AND identity = ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = bind_blob(st, 2, identity, KEY);
  return first_i64(db, st, rc, "find chat device", device);
}

int pa_store_chat_device_count(pa_store *db, int64_t user, int64_t *n) {
  return pa_sq_scalar_i64(db, "SELECT count(*) FROM chat_devices WHERE user_id = ?1", 1, &user, n);
}

int pa_store_chat_device_add(pa_store *db, int64_t user, const unsigned char *identity,
                             const unsigned char *spk, int64_t spk_id, int64_t now,
                             int64_t *device) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO chat_devices (user_id, identity, spk, spk_id, created_at)"
                     " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = bind_blob(st, 2, identity, KEY);
  if (rc == PA_SQ_OK) rc = bind_blob(st, 3, spk, SPK);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, spk_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, now);
  return pa_sq_run(db, st, rc, "add chat device", device, NULL);
}

typedef struct device_walk {
  pa_store_chat_device_fn fn;
  void *ctx;
  int bad; /* a stored identity key had the wrong size */
} device_walk;

static int device_row(void *ctx, pa_sql_stmt *st) {
  device_walk *w = ctx;
  pa_store_chat_device d = {pa_sq_i64(st, 0), pa_sq_i64(st, 1), blob_of(st, 2, KEY),
                            pa_sq_null(st, 3) ? NULL : pa_sq_text(st, 3)};
  if (!d.identity) w->bad = 1;
  return w->bad || w->fn(w->ctx, &d);
}

int pa_store_chat_devices_list(pa_store *db, int64_t user, int limit, pa_store_chat_device_fn fn,
                               void *ctx) {
  int64_t one;
  int rc = pa_sq_scalar_i64(db, "SELECT 1 FROM users WHERE id = ?1", 1, &user, &one);
  if (rc != PA_STORE_OK) return rc;
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id, created_at, identity, name FROM chat_devices"
                                   " WHERE user_id = ?1 ORDER BY id LIMIT ?2");
  if (!st) return PA_STORE_EDB;
  device_walk w = {fn, ctx, 0};
  pa_store_cursor next;
  int more;
  if (pa_sq_bind_i64(st, 1, user) != PA_SQ_OK || pa_sq_bind_i64(st, 2, limit) != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "chat devices");
  }
  rc = pa_sq_page(db, st, limit, device_row, &w, 1, 0, &next, &more, "chat devices");
  return w.bad ? pa_sq_failf(db, PA_STORE_EDB, "chat devices: an identity key is not %d bytes", KEY)
               : rc;
}

int pa_store_chat_device_delete(pa_store *db, int64_t device, int64_t user) {
  int64_t a[2] = {device, user};
  int changes = 0;
  int rc =
      pa_sq_exec_i64(db, "DELETE FROM chat_devices WHERE id = ?1 AND user_id = ?2", 2, a, &changes);
  return rc == PA_STORE_OK && changes == 0 ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_chat_device_rename(pa_store *db, int64_t device, int64_t user, const char *name) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "UPDATE chat_devices SET name = ?3 WHERE id = ?1 AND user_id = ?2");
  if (!st) return PA_STORE_EDB;
  int changes = 0;
  int rc = pa_sq_bind_i64(st, 1, device);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, user);
  if (rc == PA_SQ_OK) rc = name ? pa_sq_bind_text(st, 3, name) : pa_sq_bind_null(st, 3);
  rc = pa_sq_run(db, st, rc, "rename chat device", NULL, &changes);
  return rc == PA_STORE_OK && changes == 0 ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_chat_devlist_get(pa_store *db, int64_t user, pa_store_chat_devlist *out) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT aik, version, list, updated_at FROM chat_device_lists WHERE user_id = ?1");
  if (!st) return PA_STORE_EDB;
  int res = step_row(db, st, pa_sq_bind_i64(st, 1, user), "chat device list");
  if (res == PA_STORE_OK) {
    const unsigned char *aik = blob_of(st, 0, KEY);
    size_t len = 0;
    const unsigned char *list = pa_sq_blob(st, 2, &len);
    if (!aik || !list || len > PA_STORE_CHAT_LIST_MAX) {
      res = pa_sq_failf(db, PA_STORE_EDB, "chat device list: a stored list has the wrong size");
    } else {
      memcpy(out->aik, aik, KEY);
      out->version = pa_sq_i64(st, 1);
      memcpy(out->list, list, len);
      out->len = len;
      out->updated_at = pa_sq_i64(st, 3);
    }
  }
  pa_sq_done(st);
  return res;
}

int pa_store_chat_devlist_put(pa_store *db, int64_t user, const pa_store_chat_devlist *l) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO chat_device_lists (user_id, aik, version, list, updated_at)"
          " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id) DO UPDATE SET aik = excluded.aik,"
          " version = excluded.version, list = excluded.list, updated_at = excluded.updated_at");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = bind_blob(st, 2, l->aik, KEY);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, l->version);
  if (rc == PA_SQ_OK) rc = bind_blob(st, 4, l->list, l->len);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, l->updated_at);
  return pa_sq_run(db, st, rc, "put chat device list", NULL, NULL);
}

int pa_store_chat_device_stock(pa_store *db, int64_t device, int64_t *prekeys, int64_t *spk_id) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT spk_id, (SELECT count(*) FROM chat_prekeys WHERE device_id = ?1)"
                     " FROM chat_devices WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int res = step_row(db, st, pa_sq_bind_i64(st, 1, device), "chat device");
  if (res == PA_STORE_OK) {
    *spk_id = pa_sq_i64(st, 0);
    *prekeys = pa_sq_i64(st, 1);
  }
  pa_sq_done(st);
  return res;
}

/* Adds one one-time prekey unless the device has its id; *added 1 when it did. */
static int prekey_add(pa_store *db, int64_t device, const pa_store_chat_prekey *k, int *added) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO chat_prekeys (device_id, key_id, key)"
                                   " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, device);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, k->id);
  if (rc == PA_SQ_OK) rc = bind_blob(st, 3, k->key, KEY);
  return pa_sq_run(db, st, rc, "add chat prekey", NULL, added);
}

static int spk_set(pa_store *db, int64_t device, const unsigned char *spk, int64_t spk_id,
                   int64_t opk_next) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "UPDATE chat_devices SET spk = ?2, spk_id = ?3, opk_next = ?4 WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, device);
  if (rc == PA_SQ_OK) rc = bind_blob(st, 2, spk, SPK);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, spk_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, opk_next);
  return pa_sq_run(db, st, rc, "set chat signed prekey", NULL, NULL);
}

int pa_store_chat_keys_put(pa_store *db, int64_t device, const unsigned char *spk, int64_t spk_id,
                           const pa_store_chat_prekey *opks, int n, int max_held) {
  int64_t next = 1, held = 0;
  int rc =
      pa_sq_scalar_i64(db, "SELECT opk_next FROM chat_devices WHERE id = ?1", 1, &device, &next);
  if (rc == PA_STORE_OK)
    rc = pa_sq_scalar_i64(db, "SELECT count(*) FROM chat_prekeys WHERE device_id = ?1", 1, &device,
                          &held);
  int64_t new_next = next;
  for (int i = 0; rc == PA_STORE_OK && i < n; i++) {
    int added = 0;
    if (opks[i].id < next || held >= max_held) continue;
    rc = prekey_add(db, device, &opks[i], &added);
    held += added;
    if (opks[i].id + 1 > new_next) new_next = opks[i].id + 1;
  }
  return rc == PA_STORE_OK ? spk_set(db, device, spk, spk_id, new_next) : rc;
}

int pa_store_chat_bundle_get(pa_store *db, int64_t device, int64_t *user,
                             unsigned char identity[PA_STORE_CHAT_KEY_BYTES],
                             unsigned char spk[PA_STORE_CHAT_SPK_BYTES]) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT user_id, identity, spk FROM chat_devices WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int res = step_row(db, st, pa_sq_bind_i64(st, 1, device), "chat bundle");
  if (res == PA_STORE_OK) {
    const unsigned char *ik = blob_of(st, 1, KEY), *sp = blob_of(st, 2, SPK);
    if (ik && sp) {
      *user = pa_sq_i64(st, 0);
      memcpy(identity, ik, KEY);
      memcpy(spk, sp, SPK);
    } else {
      res = pa_sq_failf(db, PA_STORE_EDB, "chat bundle: a stored key has the wrong size");
    }
  }
  pa_sq_done(st);
  return res;
}

int pa_store_chat_prekey_take(pa_store *db, int64_t device, int64_t *key_id,
                              unsigned char key[PA_STORE_CHAT_KEY_BYTES]) {
  /* One statement reads and deletes. SQLite runs it under the write lock. On
   * PostgreSQL two racing takers could pick the same lowest key; the loser
   * would find it gone and delete nothing while keys remain, so the pick locks
   * its row and skips rows another taker holds. */
  pa_sql_stmt *st =
      pa_sq_stmt(db, pa_sq_dialect(db,
                                   "DELETE FROM chat_prekeys WHERE device_id = ?1 AND key_id ="
                                   " (SELECT min(key_id) FROM chat_prekeys WHERE device_id = ?1)"
                                   " RETURNING key_id, key",
                                   "DELETE FROM chat_prekeys WHERE device_id = ?1 AND key_id ="
                                   " (SELECT key_id FROM chat_prekeys WHERE device_id = ?1"
                                   "  ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                                   " RETURNING key_id, key"));
  if (!st) return PA_STORE_EDB;
  int res = PA_STORE_ENOTFOUND, rc = pa_sq_bind_i64(st, 1, device);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    const unsigned char *k = blob_of(st, 1, KEY);
    *key_id = pa_sq_i64(st, 0);
    if (k) memcpy(key, k, KEY);
    res = k ? PA_STORE_OK : pa_sq_failf(db, PA_STORE_EDB, "chat prekey: not %d bytes", KEY);
    rc = pa_sq_step(st);
  }
  if (rc != PA_SQ_DONE) res = pa_sq_fail(db, "take chat prekey");
  pa_sq_done(st);
  return res;
}

/* ---- linking a device */

int pa_store_chat_link_add(pa_store *db, int64_t user, int64_t device,
                           const unsigned char request[PA_STORE_CHAT_LINK_REQUEST], int64_t now,
                           int64_t expired_before, int64_t *id) {
  int64_t a[2] = {user, expired_before};
  int rc = pa_sq_exec_i64(db, "DELETE FROM chat_links WHERE user_id = ?1 AND created_at < ?2", 2, a,
                          NULL);
  if (rc != PA_STORE_OK) return rc;
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO chat_links (user_id, device_id, request, created_at)"
                     " VALUES (?1, ?2, ?3, ?4) RETURNING id");
  if (!st) return PA_STORE_EDB;
  rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, device);
  if (rc == PA_SQ_OK) rc = bind_blob(st, 3, request, PA_STORE_CHAT_LINK_REQUEST);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now);
  return pa_sq_run(db, st, rc, "add chat link", id, NULL);
}

int pa_store_chat_link_get(pa_store *db, int64_t id, pa_store_chat_link *out) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT user_id, device_id, created_at, approved_at, request,"
                                   " response FROM chat_links WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int res = step_row(db, st, pa_sq_bind_i64(st, 1, id), "chat link");
  if (res == PA_STORE_OK) {
    const unsigned char *req = blob_of(st, 4, PA_STORE_CHAT_LINK_REQUEST);
    size_t rlen = 0;
    const unsigned char *resp = pa_sq_null(st, 5) ? NULL : pa_sq_blob(st, 5, &rlen);
    if (!req || (resp && (rlen < PA_STORE_CHAT_LINK_RESPONSE_MIN ||
                          rlen > PA_STORE_CHAT_LINK_RESPONSE_MAX))) {
      pa_sq_done(st);
      return pa_sq_failf(db, PA_STORE_EDB, "chat link: stored bytes of the wrong size");
    }
    out->id = id;
    out->user = pa_sq_i64(st, 0);
    out->device = pa_sq_i64(st, 1);
    out->created_at = pa_sq_i64(st, 2);
    out->approved_at = pa_sq_null(st, 3) ? 0 : pa_sq_i64(st, 3);
    memcpy(out->request, req, PA_STORE_CHAT_LINK_REQUEST);
    out->response_len = resp ? rlen : 0;
    if (resp) memcpy(out->response, resp, rlen);
  }
  pa_sq_done(st);
  return res;
}

int pa_store_chat_link_approve(pa_store *db, int64_t id, const unsigned char *response, size_t len,
                               int64_t now, int64_t not_before) {
  /* One statement: of two approvals at once, exactly one finds it waiting. */
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE chat_links SET response = ?2, approved_at = ?3"
                                   " WHERE id = ?1 AND response IS NULL AND created_at >= ?4");
  if (!st) return PA_STORE_EDB;
  int changes = 0;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = bind_blob(st, 2, response, len);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, now);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, not_before);
  rc = pa_sq_run(db, st, rc, "approve chat link", NULL, &changes);
  return rc == PA_STORE_OK && changes == 0 ? PA_STORE_ENOTFOUND : rc;
}

/* ---- the relay's queue */

/* The seq of from_device's message cid while any copy of it is held. */
static int resent_seq(pa_store *db, const pa_store_chat_outgoing *m, int64_t *seq) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT seq FROM chat_messages WHERE sender_device = ?1 AND client_id = ?2 LIMIT 1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, m->from_device);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, m->cid);
  return first_i64(db, st, rc, "chat resend", seq);
}

static int next_seq(pa_store *db, const pa_store_chat_outgoing *m, int64_t *seq) {
  if (m->group) {
    pa_sql_stmt *g = pa_sq_stmt(db, "UPDATE chat_groups SET last_seq = last_seq + 1 WHERE id = ?1"
                                    " RETURNING last_seq");
    if (!g) return PA_STORE_EDB;
    *seq = 0;
    int rc = pa_sq_run(db, g, pa_sq_bind_i64(g, 1, m->group), "group sequence", seq, NULL);
    return rc == PA_STORE_OK && !*seq ? pa_sq_failf(db, PA_STORE_ENOTFOUND, "no such group") : rc;
  }
  int64_t a[2] = {m->from_user < m->to_user ? m->from_user : m->to_user,
                  m->from_user < m->to_user ? m->to_user : m->from_user};
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO chat_convs (lo, hi, last_seq) VALUES (?1, ?2, 1)"
                     " ON CONFLICT (lo, hi) DO UPDATE SET last_seq = chat_convs.last_seq + 1"
                     " RETURNING last_seq");
  if (!st) return PA_STORE_EDB;
  return pa_sq_run(db, st, pa_sq_bind_i64s(st, 2, a), "chat sequence", seq, NULL);
}

static int envelope_add(pa_store *db, const pa_store_chat_outgoing *m,
                        const pa_store_chat_envelope *e, int64_t seq, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO chat_messages"
          " (sender_device, recipient_device, client_id, seq, body, created_at, peer_id,"
          " group_id)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, m->from_device);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, e->device);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, m->cid);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, seq);
  if (rc == PA_SQ_OK) rc = bind_blob(st, 5, e->body, e->len);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, m->now);
  if (rc == PA_SQ_OK) rc = e->copy ? pa_sq_bind_i64(st, 7, m->to_user) : pa_sq_bind_null(st, 7);
  if (rc == PA_SQ_OK) rc = m->group ? pa_sq_bind_i64(st, 8, m->group) : pa_sq_bind_null(st, 8);
  return pa_sq_run(db, st, rc, "queue chat message", id, NULL);
}

/* Remembers the sessions m's start envelopes name (a base key seen before
 * is not added again), then PA_STORE_ECONFLICT when the pair has more than
 * m->starts_max since m->starts_since (the caller then rolls back). */
static int starts_count(pa_store *db, const pa_store_chat_outgoing *m) {
  int rc = PA_STORE_OK;
  for (int i = 0; i < m->n && rc == PA_STORE_OK; i++) {
    const pa_store_chat_envelope *e = &m->env[i];
    if (!e->start) continue;
    pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO chat_starts (sender_id, recipient_id, base,"
                                     " created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING");
    if (!st) return PA_STORE_EDB;
    int b = pa_sq_bind_i64(st, 1, m->from_user);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, m->to_user);
    if (b == PA_SQ_OK) b = bind_blob(st, 3, e->start, e->start_len);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 4, m->now);
    rc = pa_sq_run(db, st, b, "chat start", NULL, NULL);
  }
  int64_t a[3] = {m->from_user, m->to_user, m->starts_since}, count = 0;
  if (rc == PA_STORE_OK)
    rc = pa_sq_scalar_i64(db,
                          "SELECT count(*) FROM chat_starts"
                          " WHERE sender_id = ?1 AND recipient_id = ?2 AND created_at > ?3",
                          3, a, &count);
  return rc == PA_STORE_OK && count > m->starts_max ? PA_STORE_ECONFLICT : rc;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* The relay sends a device the rows queued to it after the last one it sent
 * (api/chat_relay.c), so one device's rows must become visible in id order:
 * a smaller id committed after a larger one was read would be skipped until
 * the device reconnects. SQLite has one writer at a time, which gives that;
 * PostgreSQL hands out identity values before the commit, so queueing locks
 * the recipient devices' rows first (in id order: no two sends deadlock)
 * until its commit. NO KEY UPDATE leaves the foreign-key checks of other
 * inserts alone. */
static int lock_recipients(pa_store *db, const pa_store_chat_outgoing *m) {
  const char *sql =
      pa_sq_dialect(db, NULL, "SELECT id FROM chat_devices WHERE id = ?1 FOR NO KEY UPDATE");
  if (!sql || m->n <= 0) return PA_STORE_OK;
  int64_t *devs = malloc((size_t)m->n * sizeof *devs);
  if (!devs) return pa_sq_failf(db, PA_STORE_ENOMEM, "out of memory");
  for (int i = 0; i < m->n; i++) devs[i] = m->env[i].device;
  qsort(devs, (size_t)m->n, sizeof *devs, cmp_i64);
  int rc = PA_STORE_OK;
  for (int i = 0; i < m->n && rc == PA_STORE_OK; i++) {
    int64_t found = 0;
    if (i && devs[i] == devs[i - 1]) continue;
    rc = pa_sq_scalar_i64(db, sql, 1, &devs[i], &found);
    if (rc == PA_STORE_ENOTFOUND) rc = PA_STORE_OK; /* the insert's foreign key decides */
  }
  free(devs);
  return rc;
}

int pa_store_chat_queue_add(pa_store *db, const pa_store_chat_outgoing *m, int64_t ids[],
                            int64_t *seq, int *dup) {
  *seq = 0;
  *dup = 1;
  int starts = 0;
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  rc = lock_recipients(db, m);
  if (rc == PA_STORE_OK) rc = resent_seq(db, m, seq);
  if (rc == PA_STORE_ENOTFOUND) rc = next_seq(db, m, seq);
  for (int i = 0; i < m->n; i++) {
    ids[i] = 0;
    if (rc == PA_STORE_OK) rc = envelope_add(db, m, &m->env[i], *seq, &ids[i]);
    if (ids[i]) *dup = 0;
    if (m->env[i].start) starts++;
  }
  if (rc == PA_STORE_OK && starts && m->starts_max > 0) rc = starts_count(db, m);
  int end = pa_store_end(db, rc == PA_STORE_OK);
  if (rc != PA_STORE_OK) {
    *dup = 1;
    for (int i = 0; i < m->n; i++) ids[i] = 0;
  }
  return rc != PA_STORE_OK ? rc : end;
}

typedef struct message_walk {
  pa_store_chat_message_fn fn;
  void *ctx;
} message_walk;

/* (id, seq, sender user, sender device, client id, body, created_at) */
static int message_row(void *ctx, pa_sql_stmt *st) {
  message_walk *w = ctx;
  pa_store_chat_message m = {pa_sq_i64(st, 0),
                             pa_sq_i64(st, 1),
                             pa_sq_i64(st, 2),
                             pa_sq_i64(st, 3),
                             pa_sq_i64(st, 6),
                             pa_sq_text(st, 4),
                             NULL,
                             0,
                             pa_sq_null(st, 7) ? 0 : pa_sq_i64(st, 7),
                             pa_sq_null(st, 8) ? 0 : pa_sq_i64(st, 8)};
  m.body = pa_sq_blob(st, 5, &m.len);
  return w->fn(w->ctx, &m);
}

typedef struct receipt_walk {
  pa_store_chat_receipt_fn fn;
  void *ctx;
} receipt_walk;

/* (id, seq, recipient user, recipient device, sender device, client id, failed) */
static int receipt_row(void *ctx, pa_sql_stmt *st) {
  receipt_walk *w = ctx;
  pa_store_chat_receipt r = {pa_sq_i64(st, 0),     pa_sq_i64(st, 1), pa_sq_i64(st, 2),
                             pa_sq_i64(st, 3),     pa_sq_i64(st, 4), pa_sq_text(st, 5),
                             (int)pa_sq_i64(st, 6)};
  return w->fn(w->ctx, &r);
}

/* Walks sql's rows (?1 device, ?2 after, ?3 limit) through row. */
static int backlog(pa_store *db, const char *sql, int64_t device, int64_t after, int limit,
                   int (*row)(void *, pa_sql_stmt *), void *ctx, const char *what) {
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  int64_t a[3] = {device, after, limit};
  pa_store_cursor next;
  int more;
  if (pa_sq_bind_i64s(st, 3, a) != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, what);
  }
  return pa_sq_page(db, st, limit, row, ctx, 0, 0, &next, &more, what);
}

int pa_store_chat_inbox(pa_store *db, int64_t device, int64_t after, int limit,
                        pa_store_chat_message_fn fn, void *ctx) {
  static const char sql[] =
      "SELECT m.id, m.seq, d.user_id, m.sender_device, m.client_id, m.body, m.created_at,"
      " m.peer_id, m.group_id"
      " FROM chat_messages m JOIN chat_devices d ON d.id = m.sender_device"
      " WHERE m.recipient_device = ?1 AND m.body IS NOT NULL AND m.id > ?2 ORDER BY m.id LIMIT ?3";
  message_walk w = {fn, ctx};
  return backlog(db, sql, device, after, limit, message_row, &w, "chat inbox");
}

int pa_store_chat_receipts(pa_store *db, int64_t device, int64_t after, int limit,
                           pa_store_chat_receipt_fn fn, void *ctx) {
  static const char sql[] =
      "SELECT m.id, m.seq, d.user_id, m.recipient_device, m.sender_device, m.client_id, m.failed"
      " FROM chat_messages m JOIN chat_devices d ON d.id = m.recipient_device"
      " WHERE m.sender_device = ?1 AND m.delivered_at IS NOT NULL AND m.id > ?2"
      " ORDER BY m.id LIMIT ?3";
  receipt_walk w = {fn, ctx};
  return backlog(db, sql, device, after, limit, receipt_row, &w, "chat receipts");
}

/* The ack and the failure: body cleared, delivered at now, failed set. */
static int settle(pa_store *db, int64_t id, int64_t device, int64_t now, int failed,
                  pa_store_chat_receipt_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "UPDATE chat_messages SET body = NULL, delivered_at = ?3, failed = ?4"
          " WHERE id = ?1 AND recipient_device = ?2 AND body IS NOT NULL"
          " RETURNING id, seq,"
          " (SELECT d.user_id FROM chat_devices d WHERE d.id = chat_messages.recipient_device),"
          " recipient_device, sender_device, client_id, failed");
  if (!st) return PA_STORE_EDB;
  int64_t a[4] = {id, device, now, failed ? 1 : 0};
  int res = PA_STORE_ENOTFOUND, rc = pa_sq_bind_i64s(st, 4, a);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    receipt_walk w = {fn, ctx};
    res = receipt_row(&w, st) ? pa_sq_failf(db, PA_STORE_EABORT, "chat ack: stopped by callback")
                              : PA_STORE_OK;
    rc = pa_sq_step(st);
  }
  if (rc != PA_SQ_DONE) res = pa_sq_fail(db, "chat ack");
  pa_sq_done(st);
  return res;
}

int pa_store_chat_ack(pa_store *db, int64_t id, int64_t device, int64_t now,
                      pa_store_chat_receipt_fn fn, void *ctx) {
  return settle(db, id, device, now, 0, fn, ctx);
}

int pa_store_chat_fail(pa_store *db, int64_t id, int64_t device, int64_t now,
                       pa_store_chat_receipt_fn fn, void *ctx) {
  return settle(db, id, device, now, 1, fn, ctx);
}

int pa_store_chat_receipt_drop(pa_store *db, int64_t id, int64_t device) {
  int64_t a[2] = {id, device};
  return pa_sq_exec_i64(db,
                        "DELETE FROM chat_messages"
                        " WHERE id = ?1 AND sender_device = ?2 AND delivered_at IS NOT NULL",
                        2, a, NULL);
}

int pa_store_chat_starts_expire(pa_store *db, int64_t before) {
  return pa_sq_exec_i64(db, "DELETE FROM chat_starts WHERE created_at <= ?1", 1, &before, NULL);
}

int pa_store_chat_identity_gen(pa_store *db, int64_t device, int64_t user, int64_t report,
                               int64_t *highest) {
  int64_t a[3] = {device, user, report};
  /* Only ever raised, in one statement, so two reports never lower it. */
  int rc = report > 0 ? pa_sq_exec_i64(db,
                                       "UPDATE chat_devices SET identity_gen = ?3"
                                       " WHERE id = ?1 AND user_id = ?2 AND identity_gen < ?3",
                                       3, a, NULL)
                      : PA_STORE_OK;
  if (rc != PA_STORE_OK) return rc;
  return pa_sq_scalar_i64(
      db, "SELECT identity_gen FROM chat_devices WHERE id = ?1 AND user_id = ?2", 2, a, highest);
}

int pa_store_chat_session_check(pa_store *db, int64_t session, int64_t device, int64_t now) {
  int64_t a[3] = {session, now, device}, one;
  return pa_sq_scalar_i64(db,
                          "SELECT 1 FROM sessions s JOIN chat_devices d ON d.user_id = s.user_id"
                          " WHERE s.id = ?1 AND s.expires_at > ?2 AND d.id = ?3",
                          3, a, &one);
}

/* ---- encrypted attachments */

int pa_store_chat_attachment_add(pa_store *db, const char *name, int64_t owner,
                                 const unsigned char *data, size_t len, int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO chat_attachments (name, owner_id, data,"
                                   " created_at) VALUES (?1, ?2, ?3, ?4)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, owner);
  if (rc == PA_SQ_OK) rc = bind_blob(st, 3, data, len);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, now);
  return pa_sq_run(db, st, rc, "add chat attachment", NULL, NULL);
}

int pa_store_chat_attachment_owner(pa_store *db, const char *name, int64_t *owner) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT owner_id FROM chat_attachments WHERE name = ?1");
  if (!st) return PA_STORE_EDB;
  return first_i64(db, st, pa_sq_bind_text(st, 1, name), "chat attachment", owner);
}

int pa_store_chat_attachment_delete(pa_store *db, const char *name) {
  pa_sql_stmt *st = pa_sq_stmt(db, "DELETE FROM chat_attachments WHERE name = ?1");
  if (!st) return PA_STORE_EDB;
  return pa_sq_run(db, st, pa_sq_bind_text(st, 1, name), "delete chat attachment", NULL, NULL);
}

int pa_store_chat_attachment_get(pa_store *db, const char *name,
                                 int (*fn)(void *ctx, const unsigned char *data, size_t len),
                                 void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT data FROM chat_attachments WHERE name = ?1");
  if (!st) return PA_STORE_EDB;
  int res = step_row(db, st, pa_sq_bind_text(st, 1, name), "chat attachment");
  size_t len = 0;
  const unsigned char *data = res == PA_STORE_OK ? pa_sq_blob(st, 0, &len) : NULL;
  if (res == PA_STORE_OK && fn(ctx, data, len) != 0)
    res = pa_sq_failf(db, PA_STORE_EABORT, "chat attachment: stopped by callback");
  pa_sq_done(st);
  return res;
}

int pa_store_chat_attachments_expire(pa_store *db, int64_t before) {
  return pa_sq_exec_i64(db, "DELETE FROM chat_attachments WHERE created_at <= ?1", 1, &before,
                        NULL);
}

/* ---- message requests */

int pa_store_chat_accept(pa_store *db, int64_t user, int64_t peer, int64_t now) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO chat_accepts (user_id, peer_id, created_at) VALUES (?1, ?2, ?3)"
                     " ON CONFLICT (user_id, peer_id) DO NOTHING");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, peer);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, now);
  return pa_sq_run(db, st, rc, "accept chat", NULL, NULL);
}

int pa_store_chat_is_request(pa_store *db, int64_t user, int64_t peer, int *request) {
  int64_t args[2] = {user, peer}, n = 0;
  int rc = pa_sq_scalar_i64(
      db,
      "SELECT (SELECT count(*) FROM follows WHERE follower_id = ?1 AND followee_id = ?2)"
      " + (SELECT count(*) FROM chat_accepts WHERE user_id = ?1 AND peer_id = ?2)",
      2, args, &n);
  *request = rc == PA_STORE_OK && n == 0;
  return rc;
}

typedef struct request_walk {
  int (*fn)(void *ctx, const pa_store_person *p, const char *handle);
  void *ctx;
} request_walk;

static int request_row(void *ctx, pa_sql_stmt *st) {
  const request_walk *w = ctx;
  pa_store_person p;
  pa_sq_person(st, 0, &p);
  return w->fn(w->ctx, &p, pa_sq_text(st, 5));
}

int pa_store_chat_requests(pa_store *db, int64_t user, int limit,
                           int (*fn)(void *ctx, const pa_store_person *p, const char *handle),
                           void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT " PA_SQ_PERSON_COLS(
              "u", "m") ", u.handle"
                        "  FROM chat_convs c JOIN users u ON u.id = CASE WHEN c.lo = ?1 THEN c.hi "
                        "ELSE c.lo END"
                        "  LEFT JOIN media m ON m.hash = u.avatar"
                        " WHERE (c.lo = ?1 OR c.hi = ?1)"
                        "   AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ?1 AND "
                        "f.followee_id = u.id)"
                        "   AND NOT EXISTS (SELECT 1 FROM chat_accepts a WHERE a.user_id = ?1 AND "
                        "a.peer_id = u.id)"
                        "   AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ?1 AND "
                        "b.blocked_id = u.id)"
                        "                    OR (b.blocker_id = u.id AND b.blocked_id = ?1))"
                        " ORDER BY u.id LIMIT ?2");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, limit);
  request_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, request_row, &w, "chat requests");
}
