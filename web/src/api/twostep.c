/* pa_api — two-step sign-in with TOTP (RFC 6238) and the sessions list.
 *
 * Setup (password) → a pending secret and its otpauth:// URI; enable (a code
 * from the app) → on, with PA_TOTP_RECOVERY_CODES recovery codes shown once;
 * disable (password and a code or recovery code) → off. With two-step on,
 * POST /auth/login answers a signed challenge instead of a session, and POST
 * /auth/login/totp {challenge, code | recovery_code} makes the session. Every
 * code checked is charged to the account's PA_LIMIT_TOTP bucket first; a
 * step once used is refused (store/totp.h decides it in one UPDATE). */
#include "auth/twostep.h"

#include "api/api.h"
#include "api/chat_relay.h"
#include "auth.h"
#include "auth/qr.h"
#include "auth/totp.h"
#include "clock.h"
#include "secev.h"
#include "store/accounts.h"
#include "store/sessions.h"
#include "store/totp.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum { ISSUER_URI_MAX = 512 }; /* bytes of an otpauth:// URI (an email is at most 254) */
_Static_assert(ISSUER_URI_MAX - 1 <= PA_QR_TEXT_MAX, "every setup URI fits a QR code");

static const char issuer[] = "PetAmigos";

void pa_api_send_challenge(pa_srv_req *rq, int64_t user, int64_t last_step) {
  char token[PA_TWOSTEP_CHALLENGE_TEXT];
  pa_twostep_challenge(user, last_step, pa_clock_now(), token);
  cJSON *root = cJSON_CreateObject();
  if (root && (!cJSON_AddStringToObject(root, "second_step", "totp") ||
               !cJSON_AddStringToObject(root, "challenge", token) ||
               !cJSON_AddNumberToObject(root, "expires_in", PA_TWOSTEP_CHALLENGE_SECONDS))) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

/* The account's per-account limit key, shared by every code check. */
static int totp_limited(pa_srv_req *rq, int64_t user) {
  char key[32];
  snprintf(key, sizeof key, "u_%lld", (long long)user);
  return pa_api_limited(rq, PA_LIMIT_TOTP, key);
}

/* Percent-encodes s for a URI's path or query (RFC 3986 unreserved kept). */
static void uri_escape(const char *s, char *out, size_t cap) {
  static const char hex[] = "0123456789ABCDEF";
  size_t k = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p && k + 4 < cap; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
        *p == '-' || *p == '.' || *p == '_' || *p == '~') {
      out[k++] = (char)*p;
    } else {
      out[k++] = '%';
      out[k++] = hex[*p >> 4];
      out[k++] = hex[*p & 15];
    }
  }
  out[k] = '\0';
}

/* Adds {size, rows: ["0101…", …]} of uri's QR code to o as name (1 dark,
 * 0 light; qr.h). 0, or -1 when it could not be made or added. */
static int add_qr(cJSON *o, const char *name, const char *uri) {
  char cells[PA_QR_CELLS_MAX], row[PA_QR_SIZE_MAX + 1];
  int size = pa_qr_matrix(uri, strlen(uri), cells, sizeof cells);
  cJSON *qr = size > 0 ? cJSON_AddObjectToObject(o, name) : NULL;
  cJSON *rows =
      qr && cJSON_AddNumberToObject(qr, "size", size) ? cJSON_AddArrayToObject(qr, "rows") : NULL;
  int bad = !rows;
  for (int y = 0; !bad && y < size; y++) {
    memcpy(row, cells + (size_t)y * (size_t)size, (size_t)size);
    row[size] = '\0';
    cJSON *s = cJSON_CreateString(row);
    bad = !s || !cJSON_AddItemToArray(rows, s);
    if (s && bad) cJSON_Delete(s);
  }
  /* The modules are the secret too: leave no copy on the stack. */
  sodium_memzero(cells, sizeof cells);
  sodium_memzero(row, sizeof row);
  return bad ? -1 : 0;
}

/* Checks the viewer's password from body member name (limited per user like
 * DELETE /me); 0 when it matches, else -1 with the answer sent. */
static int check_password(pa_srv_req *rq, const cJSON *body, const char *name) {
  const char *password;
  pa_store_credentials cred = {0};
  int ok = -1;
  if (pa_api_str(rq, body, name, 1, 0, 1024, 0, &password) ||
      pa_api_limited(rq, PA_LIMIT_PASSWORD, NULL) || pa_api_own_credentials(rq, &cred, NULL, 0))
    goto out;
  if (!pa_api_password_matches(&cred, password)) {
    pa_api_field_error(rq, 403, "forbidden", "The password is wrong", name);
    goto out;
  }
  ok = 0;
out:
  sodium_memzero(&cred, sizeof cred);
  return ok;
}

/* user's secret, opened; 0, PA_STORE_ENOTFOUND (nothing sent), or -1 with
 * 500 sent. */
static int load_secret(pa_srv_req *rq, int64_t user, pa_store_totp *t,
                       uint8_t secret[PA_TOTP_SECRET_BYTES]) {
  int rc = pa_store_totp_get(rq->db, user, t);
  if (rc == PA_STORE_ENOTFOUND) return rc;
  if (rc != PA_STORE_OK ||
      pa_twostep_open(user, t->secret, t->secret_len, t->sealed, secret) != 0) {
    /* A sealed secret that no longer opens means PA_SECRETS_KEY changed. */
    pa_api_internal(rq, "two-step secret");
    return -1;
  }
  return 0;
}

/* What a person proves with: a code (6 digits) or a recovery code. Checks it
 * against user's two-step, spending the step or the recovery code.
 * 1 proved, 0 wrong (nothing answered), -1 answered (500). */
static int prove(pa_srv_req *rq, int64_t user, const char *code, const char *recovery) {
  pa_store_totp t;
  uint8_t secret[PA_TOTP_SECRET_BYTES];
  int res = 0;
  if (recovery) {
    char canon[PA_TOTP_RECOVERY_TEXT];
    uint8_t h[32];
    if (pa_totp_parse_recovery(recovery, strlen(recovery), canon) != 0) return 0;
    pa_twostep_recovery_hash(user, canon, h);
    int rc = pa_store_totp_recovery_use(rq->db, user, h, pa_clock_now());
    if (rc == PA_STORE_OK) return 1;
    if (rc == PA_STORE_ENOTFOUND) return 0;
    pa_api_internal(rq, "recovery code");
    return -1;
  }
  uint32_t value;
  int64_t step = 0;
  if (!code || pa_totp_parse_code(code, strlen(code), &value) != 0) return 0;
  int rc = load_secret(rq, user, &t, secret);
  if (rc == PA_STORE_ENOTFOUND) return 0;
  if (rc != 0) return -1;
  int hit = pa_totp_check(secret, sizeof secret, pa_clock_now(), value, t.last_step, &step);
  sodium_memzero(secret, sizeof secret);
  sodium_memzero(&t, sizeof t);
  if (hit < 0) {
    pa_api_internal(rq, "two-step code");
    return -1;
  }
  if (!hit) return 0;
  rc = pa_store_totp_use_step(rq->db, user, step);
  if (rc == PA_STORE_OK)
    res = 1;
  else if (rc == PA_STORE_ECONFLICT)
    res = 0; /* used meanwhile by another request */
  else {
    pa_api_internal(rq, "two-step code");
    res = -1;
  }
  return res;
}

static void wrong_code(pa_srv_req *rq, const char *field) {
  pa_api_field_error(rq, 403, "forbidden", "That code is wrong or was already used", field);
}

/* GET /auth/totp: {enabled, recovery_codes_left}. */
void pa_api_totp_get(pa_srv_req *rq) {
  pa_store_totp t;
  int64_t left = 0;
  int rc = pa_store_totp_get(rq->db, rq->viewer, &t);
  int on = rc == PA_STORE_OK && t.enabled_at;
  sodium_memzero(&t, sizeof t);
  if ((rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) ||
      (on && pa_store_totp_recovery_left(rq->db, rq->viewer, &left) != PA_STORE_OK)) {
    pa_api_internal(rq, "two-step");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (root && (!cJSON_AddBoolToObject(root, "enabled", on) ||
               !cJSON_AddNumberToObject(root, "recovery_codes_left", (double)left))) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

/* POST /auth/totp/setup {password}: a new secret, not yet on. */
void pa_api_totp_setup(pa_srv_req *rq) {
  static const char *const fields[] = {"password", NULL};
  uint8_t secret[PA_TOTP_SECRET_BYTES], sealed_buf[PA_TWOSTEP_SEALED_MAX];
  char text[PA_TOTP_SECRET_TEXT], uri[ISSUER_URI_MAX], label[300];
  size_t n = 0;
  int sealed = 0;
  cJSON *body = NULL;
  pa_store_credentials cred = {0};
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || check_password(rq, body, "password")) goto out;
  randombytes_buf(secret, sizeof secret);
  if (pa_twostep_seal(rq->viewer, secret, sealed_buf, &n, &sealed) != 0 ||
      pa_totp_base32_encode(secret, sizeof secret, text, sizeof text) < 0 ||
      pa_store_accounts_credentials(rq->db, rq->viewer, &cred) != PA_STORE_OK) {
    pa_api_internal(rq, "two-step setup");
    goto out;
  }
  int rc = pa_store_totp_setup(rq->db, rq->viewer, sealed_buf, n, sealed, pa_clock_now());
  if (rc == PA_STORE_ECONFLICT) {
    pa_api_error(rq, 409, "conflict", "Two-step sign-in is already on; turn it off first", NULL);
    goto out;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "two-step setup");
    goto out;
  }
  /* Key URI Format (Google Authenticator's): label "Issuer:account". */
  uri_escape(cred.email[0] ? cred.email : "account", label, sizeof label);
  snprintf(uri, sizeof uri,
           "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d", issuer,
           label, text, issuer, PA_TOTP_DIGITS, PA_TOTP_STEP_SECONDS);
  cJSON *root = cJSON_CreateObject();
  if (root && (!cJSON_AddStringToObject(root, "secret", text) ||
               !cJSON_AddStringToObject(root, "otpauth_uri", uri) ||
               !cJSON_AddNumberToObject(root, "digits", PA_TOTP_DIGITS) ||
               !cJSON_AddNumberToObject(root, "period", PA_TOTP_STEP_SECONDS) ||
               add_qr(root, "otpauth_qr", uri))) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
out:
  sodium_memzero(secret, sizeof secret);
  sodium_memzero(text, sizeof text);
  sodium_memzero(uri, sizeof uri);
  sodium_memzero(&cred, sizeof cred);
  cJSON_Delete(body);
}

/* POST /auth/totp/enable {code}: on, with fresh recovery codes shown once. */
void pa_api_totp_enable(pa_srv_req *rq) {
  static const char *const fields[] = {"code", NULL};
  const char *code;
  char codes[PA_TOTP_RECOVERY_CODES][PA_TOTP_RECOVERY_TEXT];
  unsigned char hashes[PA_TOTP_RECOVERY_CODES][32];
  uint8_t secret[PA_TOTP_SECRET_BYTES];
  pa_store_totp t = {0};
  uint32_t value = 0;
  int64_t step = 0;
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "code", 1, 0, 64, 0, &code)) goto out;
  int rc = load_secret(rq, rq->viewer, &t, secret);
  if (rc != 0 && rc != PA_STORE_ENOTFOUND) goto out;
  if (rc == PA_STORE_ENOTFOUND || t.enabled_at) {
    pa_api_error(rq, 409, "conflict",
                 rc == PA_STORE_ENOTFOUND ? "Set two-step sign-in up first"
                                          : "Two-step sign-in is already on",
                 NULL);
    goto out;
  }
  if (totp_limited(rq, rq->viewer)) goto out;
  int hit = pa_totp_parse_code(code, strlen(code), &value) == 0
                ? pa_totp_check(secret, sizeof secret, pa_clock_now(), value, t.last_step, &step)
                : 0;
  if (hit < 0) {
    pa_api_internal(rq, "two-step enable");
    goto out;
  }
  if (!hit) {
    wrong_code(rq, "code");
    goto out;
  }
  for (int i = 0; i < PA_TOTP_RECOVERY_CODES; i++) {
    pa_totp_new_recovery(codes[i]);
    pa_twostep_recovery_hash(rq->viewer, codes[i], hashes[i]);
  }
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "two-step enable");
    goto out;
  }
  rc = pa_store_totp_enable(rq->db, rq->viewer, step, pa_clock_now());
  if (rc == PA_STORE_OK)
    rc = pa_store_totp_recovery_set(rq->db, rq->viewer, (const unsigned char(*)[32])hashes,
                                    PA_TOTP_RECOVERY_CODES);
  if (rc == PA_STORE_OK) rc = pa_api_security_notice(rq, rq->viewer, "totp_on", NULL, NULL);
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    if (rc == PA_STORE_ECONFLICT)
      wrong_code(rq, "code");
    else
      pa_api_internal(rq, "two-step enable");
    goto out;
  }
  cJSON *root = cJSON_CreateObject(),
        *list = root ? cJSON_AddArrayToObject(root, "recovery_codes") : NULL;
  for (int i = 0; list && i < PA_TOTP_RECOVERY_CODES; i++)
    if (!cJSON_AddItemToArray(list, cJSON_CreateString(codes[i]))) list = NULL;
  if (!list) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
out:
  sodium_memzero(codes, sizeof codes);
  sodium_memzero(secret, sizeof secret);
  sodium_memzero(&t, sizeof t);
  cJSON_Delete(body);
}

/* POST /auth/totp/disable {password, code | recovery_code}: off. */
void pa_api_totp_disable(pa_srv_req *rq) {
  static const char *const fields[] = {"password", "code", "recovery_code", NULL};
  const char *code = NULL, *recovery = NULL;
  pa_store_totp t;
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "code", 0, 0, 64, 0, &code) ||
      pa_api_str(rq, body, "recovery_code", 0, 0, 64, 0, &recovery))
    goto out;
  if (!code == !recovery) {
    pa_api_field_error(rq, 400, "bad_request", "Send code or recovery_code (one of them)", "code");
    goto out;
  }
  int rc = pa_store_totp_get(rq->db, rq->viewer, &t);
  int on = rc == PA_STORE_OK && t.enabled_at;
  sodium_memzero(&t, sizeof t);
  if (rc == PA_STORE_ENOTFOUND || (rc == PA_STORE_OK && !on)) {
    pa_api_error(rq, 409, "conflict", "Two-step sign-in is not on", NULL);
    goto out;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "two-step disable");
    goto out;
  }
  if (check_password(rq, body, "password") || totp_limited(rq, rq->viewer)) goto out;
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "two-step disable");
    goto out;
  }
  int ok = prove(rq, rq->viewer, code, recovery);
  if (ok <= 0) {
    pa_store_rollback(rq->db);
    if (ok == 0) wrong_code(rq, code ? "code" : "recovery_code");
    goto out;
  }
  if (pa_store_totp_delete(rq->db, rq->viewer) != PA_STORE_OK ||
      pa_api_security_notice(rq, rq->viewer, "totp_off", NULL, NULL) != PA_STORE_OK ||
      pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "two-step disable");
    goto out;
  }
  pa_api_ok(rq);
out:
  cJSON_Delete(body);
}

/* POST /auth/login/totp {challenge, code | recovery_code}: the second step. */
void pa_api_login_totp(pa_srv_req *rq) {
  static const char *const fields[] = {"challenge", "code", "recovery_code", NULL};
  const char *challenge, *code = NULL, *recovery = NULL;
  char csrf[PA_AUTH_TOKEN_TEXT];
  int64_t user = 0, issued_step = 0;
  pa_store_totp t = {0};
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) ||
      pa_api_str(rq, body, "challenge", 1, 1, PA_TWOSTEP_CHALLENGE_TEXT, 0, &challenge) ||
      pa_api_str(rq, body, "code", 0, 0, 64, 0, &code) ||
      pa_api_str(rq, body, "recovery_code", 0, 0, 64, 0, &recovery))
    goto out;
  if (!code == !recovery) {
    pa_api_field_error(rq, 400, "bad_request", "Send code or recovery_code (one of them)", "code");
    goto out;
  }
  int crc = pa_twostep_challenge_read(challenge, pa_clock_now(), &user, &issued_step);
  if (crc != 0) {
    pa_api_field_error(rq, 401, "unauthorized",
                       crc == -2 ? "This sign-in took too long; enter your password again"
                                 : "Sign in with your password first",
                       "challenge");
    goto out;
  }
  int rc = pa_store_totp_get(rq->db, user, &t);
  int64_t last = t.last_step, on = rc == PA_STORE_OK ? t.enabled_at : 0;
  sodium_memzero(&t, sizeof t);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "login");
    goto out;
  }
  /* Off since, or a code was used since the challenge was made (this one's
   * own success, most likely): spent. */
  if (!on || last != issued_step) {
    pa_api_field_error(rq, 401, "unauthorized", "Sign in with your password first", "challenge");
    goto out;
  }
  /* The account's bucket: guesses from every address count together. A
   * spent or forged challenge never reaches it (it proves no password). */
  if (totp_limited(rq, user)) goto out;
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "login");
    goto out;
  }
  int ok = prove(rq, user, code, recovery);
  if (ok <= 0) {
    pa_store_rollback(rq->db);
    if (ok == 0) wrong_code(rq, code ? "code" : "recovery_code");
    goto out;
  }
  /* A recovery code is the fallback for a lost phone: say it was used. */
  int new_device = 0;
  if ((recovery && pa_api_security_notice(rq, user, "recovery_used", NULL, NULL) != PA_STORE_OK) ||
      pa_api_new_session(rq, user, csrf, &new_device) != 0 ||
      pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "login");
    pa_store_rollback(rq->db);
    rq->set_cookie[0] = '\0';
    goto out;
  }
  pa_secev_signin(rq, user, new_device);
  pa_api_send_session(rq, 200, user, csrf);
out:
  cJSON_Delete(body);
}

typedef struct list_ctx {
  cJSON *list;
  int64_t current;
} list_ctx;

static int add_session(void *c, const pa_store_session_info *s) {
  list_ctx *l = c;
  cJSON *o = cJSON_CreateObject();
  if (!o || !cJSON_AddItemToArray(l->list, o)) {
    cJSON_Delete(o);
    return 1;
  }
  return pa_api_add_id(o, "id", "ses", s->id) || pa_api_add_time(o, "created_at", s->created_at) ||
         pa_api_add_time(o, "last_seen_at", s->last_seen_at) ||
         !cJSON_AddStringToObject(o, "browser", s->browser) ||
         !cJSON_AddStringToObject(o, "os", s->os) ||
         !cJSON_AddStringToObject(o, "network", s->addr) ||
         !cJSON_AddBoolToObject(o, "current", s->id == l->current);
}

/* GET /auth/sessions: the viewer's sessions, this one marked. */
void pa_api_sessions_get(pa_srv_req *rq) {
  cJSON *root = cJSON_CreateObject();
  list_ctx l = {root ? cJSON_AddArrayToObject(root, "sessions") : NULL, rq->session_id};
  if (!l.list) {
    cJSON_Delete(root);
    pa_api_json(rq, 200, NULL);
    return;
  }
  int rc = pa_store_sessions_list(rq->db, rq->viewer, pa_clock_now(), add_session, &l);
  if (rc == PA_STORE_EABORT) {
    cJSON_Delete(root);
    pa_api_json(rq, 200, NULL);
    return;
  }
  if (rc != PA_STORE_OK) {
    cJSON_Delete(root);
    pa_api_internal(rq, "sessions");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* DELETE /auth/sessions/{ses}: signs that session out (the viewer's only:
 * anyone else's id is 404, as one that never was). Its chat sockets close. */
void pa_api_session_delete(pa_srv_req *rq) {
  int64_t id = rq->ids[0];
  int rc = pa_store_sessions_delete_own(rq->db, rq->viewer, id);
  if (rc == PA_STORE_ENOTFOUND) {
    pa_api_error(rq, 404, "not_found", "No such session", NULL);
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "session");
    return;
  }
  pa_chat_revoke(rq->srv, 0, 0, id);
  if (id == rq->session_id) pa_api_set_session_cookie(rq, "", 0);
  pa_api_ok(rq);
}
