/* pa_api — accounts: signup, login, logout, the session, account deletion. */
#include "auth.h"

#include "api/api.h"
#include "api/chat_relay.h"
#include "auth/device.h"
#include "auth/twostep.h"
#include "billing/billing.h"
#include "clock.h"
#include "store/accounts.h"
#include "store/sessions.h"
#include "store/totp.h"

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
  if (n < 3 || n > PA_STORE_EMAIL_MAX || !at || strchr(at + 1, '@') || at == e || at - e > 64)
    return 0;
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

/* Whether password is the one cred's hash was made from (an unknown account,
 * cred NULL, or one without a hash is checked against a dummy, at the same
 * cost); longer than any password can be: no. */
int pa_api_password_matches(const pa_store_credentials *cred, const char *password) {
  const char *hash = cred && cred->pw_hash[0] ? cred->pw_hash : NULL;
  size_t n = strlen(password);
  int ok =
      pa_auth_verify_password(hash, password, n > PA_AUTH_PASSWORD_MAX ? PA_AUTH_PASSWORD_MAX : n);
  return ok && n <= PA_AUTH_PASSWORD_MAX;
}

_Static_assert(PA_STORE_PW_HASH_MAX + 1 == PA_AUTH_HASH_TEXT, "a stored hash fits the buffers");
_Static_assert(PA_STORE_CSRF_MAX + 1 >= PA_AUTH_TOKEN_TEXT, "a stored CSRF token is whole");

/* Adds "user": Me to root (pa_store_accounts_get's callback). */
static int add_me(void *root, const pa_store_account *a) {
  cJSON *u = cJSON_AddObjectToObject(root, "user");
  return !u || pa_api_add_id(u, "id", "u", a->person.id) || pa_api_add_roles(u, a->roles) ||
         !cJSON_AddStringToObject(u, "name", a->person.name) ||
         !cJSON_AddStringToObject(u, "handle", a->handle) ||
         !cJSON_AddStringToObject(u, "email", a->email ? a->email : "") ||
         pa_api_add_media_url(u, "avatar_url", a->person.avatar, a->person.avatar_ext) ||
         pa_api_add_time(u, "created_at", a->created_at);
}

/* {"user": Me|null, "csrf_token": ...} */
void pa_api_send_session(pa_srv_req *rq, int status, int64_t user, const char *csrf) {
  cJSON *root = cJSON_CreateObject();
  int bad = !root;
  if (!bad) {
    int rc = user ? pa_store_accounts_get(rq->db, user, add_me, root) : PA_STORE_ENOTFOUND;
    if (rc == PA_STORE_ENOTFOUND) {
      bad |= !cJSON_AddNullToObject(root, "user");
    } else if (rc == PA_STORE_EABORT) {
      bad = 1;
    } else if (rc != PA_STORE_OK) {
      cJSON_Delete(root);
      pa_api_internal(rq, "session user");
      return;
    }
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

/* Inserts a session for user (inside the caller's transaction) and sets the
 * cookie. The sessions list's device and network come from this request. */
int pa_api_new_session(pa_srv_req *rq, int64_t user, char *csrf) {
  char token[PA_AUTH_TOKEN_TEXT], addr[PA_DEVICE_ADDR_TEXT];
  unsigned char h[32], unused[32];
  const int64_t life = (int64_t)PA_AUTH_SESSION_DAYS * 86400, now = pa_clock_now();
  const char *ua = pa_srv_req_header(rq, "User-Agent");
  pa_device dev;
  pa_device_parse(ua, ua ? strlen(ua) : 0, &dev);
  pa_device_coarse_addr(rq->remote_addr, addr);
  pa_auth_new_token(token, h);
  pa_auth_new_token(csrf, unused);
  pa_store_new_session s = {user, h, sizeof h, csrf, now, now + life, dev.browser, dev.os, addr};
  int ok = pa_store_sessions_add(rq->db, &s) == PA_STORE_OK;
  if (ok) pa_api_set_session_cookie(rq, token, life);
  sodium_memzero(token, sizeof token);
  return ok ? 0 : -1;
}

/* Adds account a (its handle ignored) under a handle made from its display
 * name: lowercase ASCII letters, digits, '_'; a number is appended until one
 * is free. */
static int add_account(pa_srv_req *rq, const pa_store_new_account *a, int64_t *user) {
  char base[21], handle[31];
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)a->name; *p && n < 20; p++) {
    if (isalnum(*p))
      base[n++] = (char)tolower(*p);
    else if ((*p == ' ' || *p == '_' || *p == '-' || *p == '.') && n && base[n - 1] != '_')
      base[n++] = '_';
  }
  while (n && base[n - 1] == '_') n--;
  if (!n) memcpy(base, "pal", n = 3);
  base[n] = '\0';
  pa_store_new_account named = *a;
  named.handle = handle;
  for (int i = 1; i < 100000; i++) {
    if (i == 1)
      snprintf(handle, sizeof handle, "%s", base);
    else
      snprintf(handle, sizeof handle, "%s%d", base, i);
    int rc = pa_store_accounts_add(rq->db, &named, user);
    if (rc != PA_STORE_ECONFLICT) return rc;
  }
  return PA_STORE_ECONFLICT;
}

void pa_api_signup(pa_srv_req *rq) {
  static const char *const fields[] = {"email", "password", "display_name", NULL};
  char hash[PA_AUTH_HASH_TEXT], csrf[PA_AUTH_TOKEN_TEXT];
  const char *email, *password, *name;
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) ||
      pa_api_str(rq, body, "email", 1, 3, PA_STORE_EMAIL_MAX, 0, &email) ||
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
  int rc = pa_store_accounts_find(rq->db, email, NULL);
  if (rc == PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_field_error(rq, 409, "conflict", "An account with this email exists; sign in instead",
                       "email");
    goto out;
  }
  pa_store_new_account a = {NULL, name, email, hash, pa_clock_now()};
  int64_t user = 0;
  if (rc != PA_STORE_ENOTFOUND || add_account(rq, &a, &user) != PA_STORE_OK ||
      pa_api_new_session(rq, user, csrf) != 0 || pa_store_commit(rq->db) != PA_STORE_OK)
    goto fail;
  pa_api_send_session(rq, 201, user, csrf);
  goto out;
fail:
  pa_api_internal(rq, "signup");
  pa_store_rollback(rq->db);
  rq->set_cookie[0] = '\0';
out:
  sodium_memzero(hash, sizeof hash);
  cJSON_Delete(body);
}

void pa_api_login(pa_srv_req *rq) {
  static const char *const fields[] = {"email", "password", NULL};
  char key[260], csrf[PA_AUTH_TOKEN_TEXT];
  const char *email, *password;
  cJSON *body = NULL;
  pa_store_credentials cred = {0};
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) ||
      pa_api_str(rq, body, "email", 1, 1, PA_STORE_EMAIL_MAX, 0, &email) ||
      pa_api_str(rq, body, "password", 1, 0, 1024, 0, &password))
    goto out;
  /* The address first: one that is limited spends none of the account's. */
  account_key(email, key, sizeof key);
  if (pa_api_limited(rq, PA_LIMIT_LOGIN_ADDR, NULL) ||
      pa_api_limited(rq, PA_LIMIT_LOGIN_ACCOUNT, key))
    goto out;
  int rc = pa_store_accounts_find(rq->db, email, &cred);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "login");
    goto out;
  }
  /* Unknown email and wrong password cost the same and read the same. */
  if (!pa_api_password_matches(rc == PA_STORE_OK ? &cred : NULL, password)) {
    pa_api_error(rq, 401, "unauthorized", "Email or password is wrong", NULL);
    goto out;
  }
  /* Two-step on: the password is proved, but no session yet (api/twostep.c). */
  pa_store_totp totp;
  int trc = pa_store_totp_get(rq->db, cred.id, &totp);
  if (trc != PA_STORE_OK && trc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "login");
    goto out;
  }
  if (trc == PA_STORE_OK && totp.enabled_at) {
    pa_api_send_challenge(rq, cred.id, totp.last_step);
    sodium_memzero(&totp, sizeof totp);
    goto out;
  }
  if (pa_store_begin(rq->db) != PA_STORE_OK || pa_api_new_session(rq, cred.id, csrf) != 0 ||
      pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "login");
    pa_store_rollback(rq->db);
    rq->set_cookie[0] = '\0';
    goto out;
  }
  pa_api_send_session(rq, 200, cred.id, csrf);
out:
  sodium_memzero(&cred, sizeof cred);
  cJSON_Delete(body);
}

void pa_api_session(pa_srv_req *rq) { pa_api_send_session(rq, 200, rq->viewer, rq->csrf); }

/* After the store deleted sessions (rc), closes the chat sockets they opened
 * (user or session, the other 0): once the rows are gone, a socket that
 * reconnects is refused. */
static void end_sessions(pa_srv_req *rq, int rc, int64_t user, int64_t session) {
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "logout");
    return;
  }
  pa_chat_revoke(rq->srv, user, 0, session);
  pa_api_set_session_cookie(rq, "", 0);
  pa_api_ok(rq);
}

void pa_api_logout(pa_srv_req *rq) {
  end_sessions(rq, pa_store_sessions_delete(rq->db, rq->session_id), 0, rq->session_id);
}

void pa_api_logout_all(pa_srv_req *rq) {
  end_sessions(rq, pa_store_sessions_delete_user(rq->db, rq->viewer, 0), rq->viewer, 0);
}

/* The viewer's credentials (pw_hash "" when the account cannot sign in with
 * a password) and (key not NULL) the rate-limit key: the lowercased email,
 * as login's, so guesses here and at login share one budget.
 * 0, or -1 with 500 sent. */
int pa_api_own_credentials(pa_srv_req *rq, pa_store_credentials *cred, char *key, size_t cap) {
  int rc = pa_store_accounts_credentials(rq->db, rq->viewer, cred);
  if (rc == PA_STORE_ENOTFOUND) {
    cred->email[0] = cred->pw_hash[0] = '\0';
    rc = PA_STORE_OK;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "password");
    return -1;
  }
  if (key && cred->email[0])
    account_key(cred->email, key, cap);
  else if (key)
    snprintf(key, cap, "u_%lld", (long long)rq->viewer);
  return 0;
}

/* POST /auth/password {current_password, new_password}: the current one is
 * checked (rate limited like login, per account), the new one stored, every
 * other session of the account ends and all its chat sockets close. This
 * session stays signed in. */
void pa_api_password(pa_srv_req *rq) {
  static const char *const fields[] = {"current_password", "new_password", NULL};
  char key[260], fresh[PA_AUTH_HASH_TEXT] = "";
  const char *current, *next;
  cJSON *body = NULL;
  pa_store_credentials cred = {0};
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) ||
      pa_api_str(rq, body, "current_password", 1, 0, 1024, 0, &current) ||
      pa_api_str(rq, body, "new_password", 1, 0, 1024, 0, &next) ||
      !password_ok(rq, next, "new_password") ||
      pa_api_own_credentials(rq, &cred, key, sizeof key) ||
      pa_api_limited(rq, PA_LIMIT_LOGIN_ACCOUNT, key))
    goto out;
  if (!pa_api_password_matches(&cred, current)) {
    pa_api_field_error(rq, 403, "forbidden", "The current password is wrong", "current_password");
    goto out;
  }
  if (pa_auth_hash_password(next, strlen(next), fresh) != 0) {
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    goto out;
  }
  if (pa_store_begin(rq->db) != PA_STORE_OK ||
      pa_store_accounts_set_password(rq->db, rq->viewer, fresh) != PA_STORE_OK ||
      pa_store_sessions_delete_user(rq->db, rq->viewer, rq->session_id) != PA_STORE_OK ||
      pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "password");
    pa_store_rollback(rq->db);
    goto out;
  }
  /* Every socket of the account, this session's too: a socket carries no
   * proof of the new password, so each one signs in again. */
  pa_chat_revoke(rq->srv, rq->viewer, 0, 0);
  pa_api_ok(rq);
out:
  sodium_memzero(&cred, sizeof cred);
  sodium_memzero(fresh, sizeof fresh);
  cJSON_Delete(body);
}

void pa_api_delete_me(pa_srv_req *rq) {
  static const char *const fields[] = {"password", NULL};
  const char *password;
  cJSON *body = NULL;
  pa_store_credentials cred = {0};
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "password", 1, 0, 1024, 0, &password) ||
      pa_api_limited(rq, PA_LIMIT_PASSWORD, NULL) || pa_api_own_credentials(rq, &cred, NULL, 0))
    goto out;
  if (!pa_api_password_matches(&cred, password)) {
    pa_api_error(rq, 403, "forbidden", "The password is wrong", NULL);
    goto out;
  }
  /* A provider must never charge a deleted account: its subscriptions are
   * cancelled there first, and nothing is deleted unless all of them are. */
  int brc = pa_billing_close_account(rq->db, rq->srv->pay, rq->viewer, pa_clock_now());
  if (brc == PA_BILLING_EDB) {
    pa_api_internal(rq, "cancel subscriptions");
    goto out;
  }
  if (brc != PA_BILLING_OK) {
    pa_api_error(rq, 502, "provider_unreachable",
                 "Your subscription could not be cancelled with the payment provider, so nothing "
                 "was deleted; try again in a moment",
                 NULL);
    goto out;
  }
  /* Everything the account made hangs off users by ON DELETE CASCADE; its
   * ledger rows stay, under its party's tombstone (store/pay.h). */
  if (pa_store_begin(rq->db) != PA_STORE_OK ||
      pa_store_accounts_delete(rq->db, rq->viewer) != PA_STORE_OK ||
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
  sodium_memzero(&cred, sizeof cred);
  cJSON_Delete(body);
}
