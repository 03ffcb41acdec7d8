/* pa_srv — accounts: signup, login, logout, the session, account deletion. */
#include "auth.h"

#include "api/api.h"
#include "api/chat_relay.h"
#include "clock.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Lowercased ASCII copy of an email for the per-account bucket. */
static void account_key(const char *email, char *out, size_t cap) {
  size_t i = 0;
  for (; email[i] && i + 1 < cap; i++) out[i] = (char)tolower((unsigned char)email[i]);
  out[i] = '\0';
}

/* Plain address check: printable ASCII, one '@', a dot in the domain. */
static int email_ok(const char *e) {
  const char *at = strchr(e, '@');
  size_t n = strlen(e);
  if (n < 3 || n > 254 || !at || strchr(at + 1, '@') || at == e || at - e > 64) return 0;
  for (const char *p = e; *p; p++)
    if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '"' || *p == ',') return 0;
  const char *dot = strchr(at + 1, '.');
  return dot && dot != at + 1 && e[n - 1] != '.';
}

/* A new password's length; field names the member it came in. */
static int password_ok(pa_srv_req *rq, const char *pw, const char *field) {
  char msg[96];
  size_t n = strlen(pw);
  if (n < PA_AUTH_PASSWORD_MIN || n > PA_AUTH_PASSWORD_MAX) {
    snprintf(msg, sizeof msg, "%s must be %d to %d bytes long", field, PA_AUTH_PASSWORD_MIN,
             PA_AUTH_PASSWORD_MAX);
    pa_api_field_error(rq, 400, "bad_request", msg, field);
    return 0;
  }
  return 1;
}

/* Whether password is the one hash was made from (a NULL hash is checked
 * against a dummy, at the same cost); longer than any password can be: no. */
static int password_matches(const char *hash, const char *password) {
  size_t n = strlen(password);
  int ok =
      pa_auth_verify_password(hash, password, n > PA_AUTH_PASSWORD_MAX ? PA_AUTH_PASSWORD_MAX : n);
  return ok && n <= PA_AUTH_PASSWORD_MAX;
}

static const char me_sql[] =
    "SELECT u.id, u.name, u.handle, u.email, u.avatar, m.ext, u.created_at"
    "  FROM users u LEFT JOIN media m ON m.hash = u.avatar WHERE u.id = ?1";

/* {"user": Me|null, "csrf_token": ...} */
static void send_session(pa_srv_req *rq, int status, int64_t user, const char *csrf) {
  cJSON *root = cJSON_CreateObject();
  int bad = !root;
  if (!bad && user) {
    sqlite3_stmt *st = pa_sq_stmt(rq->db, me_sql);
    int rc = st ? sqlite3_bind_int64(st, 1, user) : SQLITE_ERROR;
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      cJSON *u = cJSON_AddObjectToObject(root, "user");
      const char *email = (const char *)sqlite3_column_text(st, 3);
      const char *ext = (const char *)sqlite3_column_text(st, 5);
      bad |= !u || pa_api_add_id(u, "id", "u", sqlite3_column_int64(st, 0)) ||
             !cJSON_AddStringToObject(u, "name", (const char *)sqlite3_column_text(st, 1)) ||
             !cJSON_AddStringToObject(u, "handle", (const char *)sqlite3_column_text(st, 2)) ||
             !cJSON_AddStringToObject(u, "email", email ? email : "") ||
             pa_api_add_media_url(u, "avatar_url",
                                  ext ? (const char *)sqlite3_column_text(st, 4) : NULL, ext) ||
             pa_api_add_time(u, "created_at", sqlite3_column_int64(st, 6));
    } else {
      bad |= !cJSON_AddNullToObject(root, "user");
    }
    pa_sq_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      cJSON_Delete(root);
      pa_api_internal(rq, "session user");
      return;
    }
  } else if (!bad) {
    bad |= !cJSON_AddNullToObject(root, "user");
  }
  if (!bad)
    bad |= csrf && *csrf ? !cJSON_AddStringToObject(root, "csrf_token", csrf)
                         : !cJSON_AddNullToObject(root, "csrf_token");
  if (bad) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, status, root);
}

/* Inserts a session for user (inside the caller's transaction) and sets the cookie. */
static int new_session(pa_srv_req *rq, int64_t user, char csrf[PA_AUTH_TOKEN_TEXT]) {
  char token[PA_AUTH_TOKEN_TEXT];
  unsigned char h[32], unused[32];
  const int64_t life = (int64_t)PA_AUTH_SESSION_DAYS * 86400, now = pa_clock_now();
  pa_auth_new_token(token, h);
  pa_auth_new_token(csrf, unused);
  sqlite3_stmt *st =
      pa_sq_stmt(rq->db, "INSERT INTO sessions (user_id, token_hash, csrf, created_at,"
                         " expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  int rc = st ? sqlite3_bind_int64(st, 1, user) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_blob(st, 2, h, sizeof h, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 3, csrf, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 4, now);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, now + life);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) pa_sq_fail(rq->db, "new session");
  pa_sq_done(st);
  if (rc != SQLITE_DONE) return -1;
  pa_api_set_session_cookie(rq, token, life);
  sodium_memzero(token, sizeof token);
  return 0;
}

/* A handle from the display name: lowercase ASCII letters, digits, '_';
 * a number is appended until it is free. */
static int pick_handle(pa_srv_req *rq, const char *name, char out[31]) {
  char base[21];
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)name; *p && n < 20; p++) {
    if (isalnum(*p))
      base[n++] = (char)tolower(*p);
    else if ((*p == ' ' || *p == '_' || *p == '-' || *p == '.') && n && base[n - 1] != '_')
      base[n++] = '_';
  }
  while (n && base[n - 1] == '_') n--;
  if (!n) memcpy(base, "pal", n = 3);
  base[n] = '\0';
  for (int i = 1; i < 100000; i++) {
    if (i == 1)
      snprintf(out, 31, "%s", base);
    else
      snprintf(out, 31, "%s%d", base, i);
    sqlite3_stmt *st = pa_sq_stmt(rq->db, "SELECT 1 FROM users WHERE handle = ?1");
    int rc = st ? sqlite3_bind_text(st, 1, out, -1, SQLITE_TRANSIENT) : SQLITE_ERROR;
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    pa_sq_done(st);
    if (rc == SQLITE_DONE) return 0;
    if (rc != SQLITE_ROW) return -1;
  }
  return -1;
}

void pa_api_signup(pa_srv_req *rq) {
  static const char *const fields[] = {"email", "password", "display_name", NULL};
  char hash[PA_AUTH_HASH_TEXT], handle[31], csrf[PA_AUTH_TOKEN_TEXT];
  const char *email, *password, *name;
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "email", 1, 3, 254, 0, &email) ||
      pa_api_str(rq, body, "password", 1, 1, 256, 0, &password) ||
      pa_api_str(rq, body, "display_name", 1, 1, 80, 0, &name))
    goto out;
  if (!email_ok(email)) {
    pa_api_field_error(rq, 400, "bad_request", "email is not an email address", "email");
    goto out;
  }
  if (!password_ok(rq, password, "password") || pa_api_limited(rq, PA_LIMIT_SIGNUP_ADDR, NULL))
    goto out;
  if (pa_auth_hash_password(password, strlen(password), hash) != 0) {
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    goto out;
  }
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "signup");
    goto out;
  }
  sqlite3_stmt *st = pa_sq_stmt(rq->db, "SELECT 1 FROM users WHERE email = ?1 COLLATE NOCASE");
  int rc = st ? sqlite3_bind_text(st, 1, email, -1, SQLITE_TRANSIENT) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  pa_sq_done(st);
  if (rc == SQLITE_ROW) {
    pa_store_rollback(rq->db);
    pa_api_field_error(rq, 409, "conflict", "An account with this email exists; sign in instead",
                       "email");
    goto out;
  }
  int64_t user = 0;
  if (rc != SQLITE_DONE || pick_handle(rq, name, handle) != 0) goto fail;
  st = pa_sq_stmt(rq->db, "INSERT INTO users (handle, name, email, pw_hash, created_at)"
                          " VALUES (?1, ?2, ?3, ?4, ?5)");
  rc = st ? sqlite3_bind_text(st, 1, handle, -1, SQLITE_TRANSIENT) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 3, email, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 4, hash, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, pa_clock_now());
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) pa_sq_fail(rq->db, "add user");
  pa_sq_done(st);
  user = sqlite3_last_insert_rowid(pa_sq_handle(rq->db));
  if (rc != SQLITE_DONE || new_session(rq, user, csrf) != 0 ||
      pa_store_commit(rq->db) != PA_STORE_OK)
    goto fail;
  send_session(rq, 201, user, csrf);
  goto out;
fail:
  pa_api_internal(rq, "signup");
  pa_store_rollback(rq->db);
  rq->set_cookie[0] = '\0';
out:
  sodium_memzero(hash, sizeof hash);
  cJSON_Delete(body);
}

/* The stored hash for an email (copied into out), *user 0 when unknown. */
static int lookup_password(pa_srv_req *rq, const char *email, int64_t *user,
                           char out[PA_AUTH_HASH_TEXT], int *has_hash) {
  sqlite3_stmt *st =
      pa_sq_stmt(rq->db, "SELECT id, pw_hash FROM users WHERE email = ?1 COLLATE NOCASE");
  int rc = st ? sqlite3_bind_text(st, 1, email, -1, SQLITE_TRANSIENT) : SQLITE_ERROR;
  *user = 0;
  *has_hash = 0;
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const char *h = (const char *)sqlite3_column_text(st, 1);
    *user = sqlite3_column_int64(st, 0);
    if (h && strlen(h) < PA_AUTH_HASH_TEXT) {
      memcpy(out, h, strlen(h) + 1);
      *has_hash = 1;
    }
  }
  pa_sq_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

void pa_api_login(pa_srv_req *rq) {
  static const char *const fields[] = {"email", "password", NULL};
  char key[260], hash[PA_AUTH_HASH_TEXT], csrf[PA_AUTH_TOKEN_TEXT];
  const char *email, *password;
  cJSON *body = NULL;
  int has_hash = 0;
  int64_t user = 0;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "email", 1, 1, 254, 0, &email) ||
      pa_api_str(rq, body, "password", 1, 0, 1024, 0, &password))
    goto out;
  /* The address first: one that is limited spends none of the account's. */
  account_key(email, key, sizeof key);
  if (pa_api_limited(rq, PA_LIMIT_LOGIN_ADDR, NULL) ||
      pa_api_limited(rq, PA_LIMIT_LOGIN_ACCOUNT, key))
    goto out;
  if (lookup_password(rq, email, &user, hash, &has_hash) != 0) {
    pa_api_internal(rq, "login");
    goto out;
  }
  /* Unknown email and wrong password cost the same and read the same. */
  if (!password_matches(has_hash ? hash : NULL, password)) {
    pa_api_error(rq, 401, "unauthorized", "Email or password is wrong", NULL);
    goto out;
  }
  if (pa_store_begin(rq->db) != PA_STORE_OK || new_session(rq, user, csrf) != 0 ||
      pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "login");
    pa_store_rollback(rq->db);
    rq->set_cookie[0] = '\0';
    goto out;
  }
  send_session(rq, 200, user, csrf);
out:
  sodium_memzero(hash, sizeof hash);
  cJSON_Delete(body);
}

void pa_api_session(pa_srv_req *rq) { send_session(rq, 200, rq->viewer, rq->csrf); }

/* Deletes the sessions sql names by id, then closes the chat sockets they
 * opened (user or session, the other 0): once the rows are gone, a socket
 * that reconnects is refused. */
static void end_sessions(pa_srv_req *rq, const char *sql, int64_t id, int64_t user,
                         int64_t session) {
  if (pa_sq_exec_i64(rq->db, sql, 1, &id, NULL) != PA_STORE_OK) {
    pa_api_internal(rq, "logout");
    return;
  }
  pa_chat_revoke(rq->srv, user, 0, session);
  pa_api_set_session_cookie(rq, "", 0);
  pa_api_ok(rq);
}

void pa_api_logout(pa_srv_req *rq) {
  end_sessions(rq, "DELETE FROM sessions WHERE id = ?1", rq->session_id, 0, rq->session_id);
}

void pa_api_logout_all(pa_srv_req *rq) {
  end_sessions(rq, "DELETE FROM sessions WHERE user_id = ?1", rq->viewer, rq->viewer, 0);
}

/* The viewer's password hash, and (key not NULL) the rate-limit key: the
 * lowercased email, as login's, so guesses here and at login share one
 * budget. has_hash 0 when the account cannot sign in with a password.
 * 0, or -1 with 500 sent. */
static int own_password(pa_srv_req *rq, char hash[PA_AUTH_HASH_TEXT], int *has_hash, char *key,
                        size_t cap) {
  sqlite3_stmt *st = pa_sq_stmt(rq->db, "SELECT pw_hash, email FROM users WHERE id = ?1");
  int rc = st ? sqlite3_bind_int64(st, 1, rq->viewer) : SQLITE_ERROR;
  *has_hash = 0;
  if (key) snprintf(key, cap, "u_%lld", (long long)rq->viewer);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const char *h = (const char *)sqlite3_column_text(st, 0);
    const char *email = (const char *)sqlite3_column_text(st, 1);
    if (h && strlen(h) < PA_AUTH_HASH_TEXT) {
      memcpy(hash, h, strlen(h) + 1);
      *has_hash = 1;
    }
    if (email && key) account_key(email, key, cap);
  }
  pa_sq_done(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    pa_api_internal(rq, "password");
    return -1;
  }
  return 0;
}

/* POST /auth/password {current_password, new_password}: the current one is
 * checked (rate limited like login, per account), the new one stored, every
 * other session of the account ends and all its chat sockets close. This
 * session stays signed in. */
void pa_api_password(pa_srv_req *rq) {
  static const char *const fields[] = {"current_password", "new_password", NULL};
  char key[260], hash[PA_AUTH_HASH_TEXT] = "", fresh[PA_AUTH_HASH_TEXT] = "";
  const char *current, *next;
  cJSON *body = NULL;
  int has_hash = 0;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) ||
      pa_api_str(rq, body, "current_password", 1, 0, 1024, 0, &current) ||
      pa_api_str(rq, body, "new_password", 1, 0, 1024, 0, &next) ||
      !password_ok(rq, next, "new_password") ||
      own_password(rq, hash, &has_hash, key, sizeof key) ||
      pa_api_limited(rq, PA_LIMIT_LOGIN_ACCOUNT, key))
    goto out;
  if (!password_matches(has_hash ? hash : NULL, current)) {
    pa_api_field_error(rq, 403, "forbidden", "The current password is wrong", "current_password");
    goto out;
  }
  if (pa_auth_hash_password(next, strlen(next), fresh) != 0) {
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    goto out;
  }
  sqlite3_stmt *st = NULL;
  int64_t others[2] = {rq->viewer, rq->session_id};
  if (pa_store_begin(rq->db) != PA_STORE_OK ||
      !(st = pa_sq_stmt(rq->db, "UPDATE users SET pw_hash = ?2 WHERE id = ?1")))
    goto fail;
  int rc = sqlite3_bind_int64(st, 1, rq->viewer);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 2, fresh, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  pa_sq_done(st);
  if (rc != SQLITE_DONE ||
      pa_sq_exec_i64(rq->db, "DELETE FROM sessions WHERE user_id = ?1 AND id <> ?2", 2, others,
                     NULL) != PA_STORE_OK ||
      pa_store_commit(rq->db) != PA_STORE_OK)
    goto fail;
  /* Every socket of the account, this session's too: a socket carries no
   * proof of the new password, so each one signs in again. */
  pa_chat_revoke(rq->srv, rq->viewer, 0, 0);
  pa_api_ok(rq);
  goto out;
fail:
  pa_api_internal(rq, "password");
  pa_store_rollback(rq->db);
out:
  sodium_memzero(hash, sizeof hash);
  sodium_memzero(fresh, sizeof fresh);
  cJSON_Delete(body);
}

void pa_api_delete_me(pa_srv_req *rq) {
  static const char *const fields[] = {"password", NULL};
  char hash[PA_AUTH_HASH_TEXT] = "";
  const char *password;
  cJSON *body = NULL;
  int has_hash = 0;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "password", 1, 0, 1024, 0, &password) ||
      pa_api_limited(rq, PA_LIMIT_PASSWORD, NULL) || own_password(rq, hash, &has_hash, NULL, 0))
    goto out;
  if (!password_matches(has_hash ? hash : NULL, password)) {
    pa_api_error(rq, 403, "forbidden", "The password is wrong", NULL);
    goto out;
  }
  /* Everything the account made hangs off users by ON DELETE CASCADE. */
  if (pa_store_begin(rq->db) != PA_STORE_OK ||
      pa_sq_exec_i64(rq->db, "DELETE FROM users WHERE id = ?1", 1, &rq->viewer, NULL) !=
          PA_STORE_OK ||
      pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "delete account");
    pa_store_rollback(rq->db);
    goto out;
  }
  pa_chat_revoke(rq->srv, rq->viewer, 0, 0);
  pa_api_media_gc(rq->db, rq->srv->media_dir);
  pa_api_set_session_cookie(rq, "", 0);
  pa_api_ok(rq);
out:
  sodium_memzero(hash, sizeof hash);
  cJSON_Delete(body);
}
