/* pa_api — accounts: signup, login, logout, the session, account deletion,
 * the password (changed, or reset by e-mail) and the e-mail address (changed
 * with a confirmation link). */
#include "auth.h"

#include "api/api.h"
#include "api/chat_relay.h"
#include "auth/device.h"
#include "auth/twostep.h"
#include "billing/billing.h"
#include "clock.h"
#include "commission.h"
#include "mail/mail.h"
#include "secev.h"
#include "store/accounts.h"
#include "store/ads.h"
#include "store/commission.h"
#include "store/email.h"
#include "store/moderation.h"
#include "store/notifications.h"
#include "store/orders.h"
#include "store/payouts.h"
#include "store/people.h"
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
         pa_api_add_time(u, "created_at", a->created_at) ||
         !cJSON_AddStringToObject(u, "bio", a->bio ? a->bio : "") ||
         pa_api_add_links(u, a->links) ||
         !(a->country ? cJSON_AddStringToObject(u, "country", a->country)
                      : cJSON_AddNullToObject(u, "country")) ||
         !cJSON_AddStringToObject(u, "locale", a->locale ? a->locale : "");
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
int pa_api_new_session(pa_srv_req *rq, int64_t user, char *csrf, int *new_device) {
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
  int known = 1, first = 0;
  int ok = pa_store_sessions_add(rq->db, &s) == PA_STORE_OK &&
           pa_store_sessions_device_seen(rq->db, user, dev.browser, dev.os, now, &known, &first) ==
               PA_STORE_OK &&
           (known || first ||
            pa_api_security_notice(rq, user, "new_device", dev.browser, dev.os) == PA_STORE_OK);
  if (new_device) *new_device = ok && !known && !first;
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
  /* When the person asked: the affiliate window is judged by it, not by
   * when the password's hash was done. */
  const int64_t asked = pa_clock_now();
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
  int new_device = 0;
  /* The first-touch cookie of an affiliate's link (api/affiliate.c) decides
   * in the same transaction: no account without its decision. */
  if (rc != PA_STORE_ENOTFOUND || add_account(rq, &a, &user) != PA_STORE_OK ||
      pa_api_aff_attribute(rq, user, email, asked) != 0 ||
      pa_api_new_session(rq, user, csrf, &new_device) != 0 ||
      pa_store_commit(rq->db) != PA_STORE_OK)
    goto fail;
  pa_secev_signin(rq, user, new_device);
  pa_api_send_session(rq, 201, user, csrf);
  goto out;
fail:
  pa_api_internal(rq, "signup");
  pa_store_rollback(rq->db);
  rq->set_cookie[0] = '\0';
  rq->set_cookie2[0] = '\0';
out:
  sodium_memzero(hash, sizeof hash);
  cJSON_Delete(body);
}

/* A moderator's suspension or ban (store/moderation.h) refuses sign-in with
 * a clear message, after the password: the refusal says nothing about an
 * account to someone who does not know its password. 0 when the person may
 * sign in, else -1 with 403 (or 500) sent. */
static int refused_by_moderation(pa_srv_req *rq, int64_t user) {
  pa_store_moderation_person_state s;
  char msg[160], when[32];
  int rc = pa_store_moderation_person_get(rq->db, user, &s);
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "login");
    return -1;
  }
  if (s.banned_at) {
    pa_api_error(rq, 403, "banned",
                 "This account is banned for breaking the community rules; it cannot sign in",
                 NULL);
    return -1;
  }
  if (s.suspended_until > pa_clock_now()) {
    pa_api_format_time(s.suspended_until, when);
    snprintf(msg, sizeof msg, "This account is suspended until %s", when);
    pa_api_error(rq, 403, "suspended", msg, NULL);
    return -1;
  }
  return 0;
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
    pa_secev_login_failed(rq, rc == PA_STORE_OK ? cred.id : 0);
    pa_api_error(rq, 401, "unauthorized", "Email or password is wrong", NULL);
    goto out;
  }
  if (refused_by_moderation(rq, cred.id)) goto out;
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
  int new_device = 0;
  if (pa_store_begin(rq->db) != PA_STORE_OK ||
      pa_api_new_session(rq, cred.id, csrf, &new_device) != 0 ||
      pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "login");
    pa_store_rollback(rq->db);
    rq->set_cookie[0] = '\0';
    goto out;
  }
  pa_secev_signin(rq, cred.id, new_device);
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

/* What is still owed to the seller, or on its way to them (payouts in
 * flight may come back to their balance). */
static int sum_balance(void *ctx, const char *currency, int64_t pending, int64_t available,
                       int64_t in_flight, int64_t paid_out) {
  (void)currency, (void)paid_out;
  *(int64_t *)ctx += pending + available + in_flight;
  return 0;
}

/* 1 when the viewer has open orders, 2 when a seller balance is not paid
 * out, 0 when neither, -1 with the error sent. */
static int account_has_orders(pa_srv_req *rq) {
  int64_t open = 0, owed = 0;
  if (pa_store_orders_open(rq->db, rq->viewer, &open) != PA_STORE_OK ||
      pa_store_payouts_balance(rq->db, rq->viewer, sum_balance, &owed) != PA_STORE_OK) {
    pa_api_internal(rq, "open orders");
    return -1;
  }
  return open ? 1 : owed ? 2 : 0;
}

/* 1: an ad top-up of the viewer's is pending; 2: their ad balance holds a
 * whole minor unit or more; 0: neither (their campaigns are ended); -1 with
 * 500 sent. */
static int account_ad_money(pa_srv_req *rq) {
  pa_store_advertiser a;
  int64_t balance = 0, spent = 0, paid = 0, pending = 0;
  int rc = pa_store_ads_advertiser_of(rq->db, rq->viewer, &a);
  if (rc == PA_STORE_ENOTFOUND) return 0;
  if (rc == PA_STORE_OK) rc = pa_store_ads_topup_counts(rq->db, a.id, &paid, &pending);
  if (rc == PA_STORE_OK) rc = pa_store_ads_balance(rq->db, a.id, &balance, &spent);
  if (rc == PA_STORE_OK && !pending && balance < PA_ADS_MILLI)
    rc = pa_store_ads_campaigns_end(rq->db, a.id, pa_clock_now());
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "ad account");
    return -1;
  }
  return pending ? 1 : balance >= PA_ADS_MILLI ? 2 : 0;
}

/* What the affiliate is still owed: commissions pending in their hold or
 * approved and not paid out, per currency, at today's rate. */
static int sum_commissions(void *ctx, const char *currency, int64_t pending, int64_t approved,
                           int64_t paid, int64_t carried) {
  (void)currency, (void)paid, (void)carried;
  if (pending > 0 || approved > 0) *(int *)ctx = 1;
  return 0;
}

/* 1: the viewer's commissions are pending or approved and unpaid above
 * zero; 2: an affiliate payout item of theirs is in flight; 0: neither (or
 * not an affiliate); -1 with 500 sent. The affiliates row (and its payout
 * email) cascades away with the account, so money owed must go first. */
static int account_affiliate_money(pa_srv_req *rq) {
  int64_t joined = 0, in_flight = 0, active = 0;
  int owed = 0, rate_bp = 0, next_at = 0;
  const int64_t now = pa_clock_now();
  int rc = pa_store_commission_is_affiliate(rq->db, rq->viewer, &joined);
  if (rc == PA_STORE_OK && !joined) return 0;
  if (rc == PA_STORE_OK) rc = pa_store_commission_payouts_in_flight(rq->db, rq->viewer, &in_flight);
  if (rc == PA_STORE_OK)
    rc = pa_commission_tier(rq->db, rq->viewer, now, &rate_bp, &active, &next_at);
  if (rc == PA_STORE_OK)
    rc = pa_store_commission_balances(rq->db, rq->viewer, rate_bp, now, sum_commissions, &owed);
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "affiliate balance");
    return -1;
  }
  return in_flight ? 2 : owed ? 1 : 0;
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
  /* Money or goods still owed keep the account, each check answering 1 or
   * 2 for its two reasons (see each function): the marketplace (its orders
   * name both people), self-serve ads (a top-up pending, or an unspent
   * balance; otherwise the campaigns end and the advertiser row outlives the
   * person) and affiliates (commissions owed, or a payout on its way; the
   * payout e-mail goes with the account). */
  static const struct {
    int (*check)(pa_srv_req *rq);
    const char *code[2], *message[2];
  } owed[] = {
      {account_has_orders,
       {"open_orders", "unpaid_balance"},
       {"You have orders still open as a buyer or a seller; finish or cancel them before "
        "deleting your account",
        "Your seller balance has not been paid out yet; nothing was deleted"}},
      {account_ad_money,
       {"ad_topup_pending", "ad_balance"},
       {"An ad top-up is still pending at its provider; wait for it to end before deleting "
        "your account",
        "Your ad balance still holds money; spend it on your campaigns or ask support for a "
        "refund before deleting your account"}},
      {account_affiliate_money,
       {"affiliate_balance", "affiliate_payout_in_flight"},
       {"Your affiliate commissions have not been paid out yet; nothing was deleted",
        "An affiliate payout to you is still on its way; wait for it to arrive before "
        "deleting your account"}},
  };
  for (size_t i = 0; i < sizeof owed / sizeof owed[0]; i++) {
    int why = owed[i].check(rq);
    if (why < 0) goto out;
    if (why) {
      pa_api_error(rq, 409, owed[i].code[why - 1], owed[i].message[why - 1], NULL);
      goto out;
    }
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
  pa_api_media_gc(rq->db, rq->srv->media);
  pa_api_set_session_cookie(rq, "", 0);
  pa_api_ok(rq);
out:
  sodium_memzero(&cred, sizeof cred);
  cJSON_Delete(body);
}

/* ---- e-mailed links: password reset, change of address */

int pa_api_security_notice(pa_srv_req *rq, int64_t user, const char *event, const char *browser,
                           const char *os) {
  /* Our words and auth/device.h's names only, so no escaping is needed;
   * the bound is far above the longest (an event word and two names). */
  char detail[160];
  if (browser)
    snprintf(detail, sizeof detail, "{\"event\":\"%s\",\"browser\":\"%s\",\"os\":\"%s\"}", event,
             browser, os ? os : "");
  else
    snprintf(detail, sizeof detail, "{\"event\":\"%s\"}", event);
  pa_store_notice_new n = {user, "security", 0, 0, 0, detail, pa_clock_now()};
  return pa_store_notifications_add_notice(rq->db, &n, NULL);
}

/* Words a message of kind for an account (its locale, else the request's)
 * and delivers it to `to`. 0, or -1 with 500 sent. */
static int send_mail(pa_srv_req *rq, pa_mail_kind kind, const char *to, const char *locale,
                     const pa_mail_args *a) {
  char tag[16], subject[PA_MAIL_SUBJECT_MAX + 1], body[PA_MAIL_BODY_MAX + 1];
  if (locale && *locale)
    snprintf(tag, sizeof tag, "%s", locale);
  else
    pa_srv_locale(rq, tag);
  int rc = pa_mail_compose(rq->srv->root, tag, kind, a, subject, body) == 0
               ? pa_mail_send(rq->srv->mail, rq->db, kind, to, subject, body, pa_clock_now())
               : PA_MAIL_EINVAL;
  sodium_memzero(body, sizeof body); /* it held the link */
  if (rc != PA_MAIL_OK) {
    pa_api_internal(rq, "send mail");
    return -1;
  }
  return 0;
}

/* A link to a shell screen with a new token in its fragment (which browsers
 * never send to a server, so it stays out of logs and Referer headers):
 * into link; the token's hash into h. */
static void mail_link(pa_srv_req *rq, const char *screen, char *link, size_t cap,
                      unsigned char h[32]) {
  char token[PA_AUTH_TOKEN_TEXT];
  pa_auth_new_token(token, h);
  snprintf(link, cap, "%s/%s#token=%s", pa_origin_base(pa_api_origins(rq)), screen, token);
  sodium_memzero(token, sizeof token);
}

/* The hash of the token member of body; else 400 sent (field "token"). A
 * malformed token reads like a spent one. */
static int token_member(pa_srv_req *rq, const cJSON *body, unsigned char h[32]) {
  const char *token;
  if (pa_api_str(rq, body, "token", 1, 1, PA_AUTH_TOKEN_SENT_MAX, 0, &token)) return -1;
  if (pa_auth_token_hash(token, h) != 0) {
    pa_api_field_error(rq, 400, "invalid_token",
                       "This link is not valid any more; ask for a new one", "token");
    return -1;
  }
  return 0;
}

/* POST /auth/reset {email}: always {"ok":true} for a well-formed address,
 * whether an account has it or not; when one does, a reset link goes to the
 * address the account holds. Limited per client address, then per address
 * asked for (known or not, so the limit tells nothing either). */
void pa_api_reset_request(pa_srv_req *rq) {
  static const char *const fields[] = {"email", NULL};
  char key[260], link[PA_ORIGIN_URL_MAX + 96];
  const char *email;
  unsigned char h[32];
  cJSON *body = NULL;
  pa_store_credentials cred = {0};
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) ||
      pa_api_str(rq, body, "email", 1, 3, PA_STORE_EMAIL_MAX, 0, &email))
    goto out;
  if (!email_ok(email)) {
    pa_api_field_error(rq, 400, "bad_request", "email is not an email address", "email");
    goto out;
  }
  account_key(email, key, sizeof key);
  if (pa_api_limited(rq, PA_LIMIT_MAIL_ADDR, NULL) ||
      pa_api_limited(rq, PA_LIMIT_MAIL_ACCOUNT, key))
    goto out;
  int rc = pa_store_accounts_find(rq->db, email, &cred);
  if (rc == PA_STORE_ENOTFOUND || (rc == PA_STORE_OK && !cred.email[0])) {
    pa_api_ok(rq);
    goto out;
  }
  const int64_t now = pa_clock_now();
  mail_link(rq, "reset", link, sizeof link, h);
  if (rc != PA_STORE_OK || pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "reset");
    goto out;
  }
  /* Only the newest link works. */
  if (pa_store_email_tokens_void(rq->db, cred.id, PA_STORE_TOKEN_RESET, now) != PA_STORE_OK ||
      pa_store_email_token_add(rq->db, cred.id, h, PA_STORE_TOKEN_RESET, NULL, now,
                               now + PA_AUTH_RESET_TTL) != PA_STORE_OK ||
      pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "reset");
    goto out;
  }
  pa_mail_args a = {link, cred.email, NULL};
  if (send_mail(rq, PA_MAIL_RESET, cred.email, cred.locale, &a) == 0) pa_api_ok(rq);
out:
  sodium_memzero(link, sizeof link);
  sodium_memzero(&cred, sizeof cred);
  cJSON_Delete(body);
}

/* POST /auth/reset/confirm {token, password}: spends the token, sets the
 * password, ends every session of the account (and its chat sockets) and
 * signs this browser in with a new one. */
void pa_api_reset_confirm(pa_srv_req *rq) {
  static const char *const fields[] = {"token", "password", NULL};
  char hash[PA_AUTH_HASH_TEXT] = "", csrf[PA_AUTH_TOKEN_TEXT];
  const char *password;
  unsigned char h[32];
  int64_t user = 0;
  int new_device = 0;
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "password", 1, 0, 1024, 0, &password) ||
      !password_ok(rq, password, "password") || pa_api_limited(rq, PA_LIMIT_MAIL_ADDR, NULL) ||
      token_member(rq, body, h))
    goto out;
  if (pa_auth_hash_password(password, strlen(password), hash) != 0) {
    pa_api_error(rq, 500, "internal", "Out of memory", NULL);
    goto out;
  }
  const int64_t now = pa_clock_now();
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "reset");
    goto out;
  }
  int rc = pa_store_email_token_take(rq->db, h, PA_STORE_TOKEN_RESET, now, &user, NULL, 0);
  if (rc == PA_STORE_ENOTFOUND) {
    pa_store_rollback(rq->db);
    pa_api_field_error(rq, 400, "invalid_token",
                       "This link is not valid any more; ask for a new one", "token");
    goto out;
  }
  if (rc != PA_STORE_OK || pa_store_accounts_set_password(rq->db, user, hash) != PA_STORE_OK ||
      pa_store_email_tokens_void(rq->db, user, PA_STORE_TOKEN_RESET, now) != PA_STORE_OK ||
      pa_store_sessions_delete_user(rq->db, user, 0) != PA_STORE_OK ||
      pa_api_security_notice(rq, user, "password_reset", NULL, NULL) != PA_STORE_OK ||
      pa_api_new_session(rq, user, csrf, &new_device) != 0 ||
      pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    rq->set_cookie[0] = '\0';
    pa_api_internal(rq, "reset");
    goto out;
  }
  pa_secev_signin(rq, user, new_device);
  pa_chat_revoke(rq->srv, user, 0, 0);
  pa_api_send_session(rq, 200, user, csrf);
out:
  sodium_memzero(hash, sizeof hash);
  cJSON_Delete(body);
}

/* POST /me/email {email, password}: the password checked as a password
 * change checks it; a confirmation link goes to the new address and a
 * notice to the old one. Nothing changes until the link is used. */
void pa_api_email_change(pa_srv_req *rq) {
  static const char *const fields[] = {"email", "password", NULL};
  char key[260], to_key[260], link[PA_ORIGIN_URL_MAX + 96];
  const char *email, *password;
  unsigned char h[32];
  cJSON *body = NULL;
  pa_store_credentials cred = {0};
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) ||
      pa_api_str(rq, body, "email", 1, 3, PA_STORE_EMAIL_MAX, 0, &email) ||
      pa_api_str(rq, body, "password", 1, 0, 1024, 0, &password))
    goto out;
  if (!email_ok(email)) {
    pa_api_field_error(rq, 400, "bad_request", "email is not an email address", "email");
    goto out;
  }
  if (pa_api_own_credentials(rq, &cred, key, sizeof key) ||
      pa_api_limited(rq, PA_LIMIT_LOGIN_ACCOUNT, key))
    goto out;
  if (!pa_api_password_matches(&cred, password)) {
    pa_api_field_error(rq, 403, "forbidden", "The password is wrong", "password");
    goto out;
  }
  account_key(email, to_key, sizeof to_key);
  if (strcmp(key, to_key) == 0) {
    pa_api_field_error(rq, 400, "bad_request", "This is already your address", "email");
    goto out;
  }
  int rc = pa_store_accounts_find(rq->db, email, NULL);
  if (rc == PA_STORE_OK) {
    pa_api_field_error(rq, 409, "conflict", "Another account has this address", "email");
    goto out;
  }
  if (rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "change email");
    goto out;
  }
  if (pa_api_limited(rq, PA_LIMIT_MAIL_ACCOUNT, to_key)) goto out;
  const int64_t now = pa_clock_now();
  mail_link(rq, "confirm-email", link, sizeof link, h);
  if (pa_store_begin(rq->db) != PA_STORE_OK ||
      pa_store_email_tokens_void(rq->db, rq->viewer, PA_STORE_TOKEN_CHANGE, now) != PA_STORE_OK ||
      pa_store_email_token_add(rq->db, rq->viewer, h, PA_STORE_TOKEN_CHANGE, email, now,
                               now + PA_AUTH_EMAIL_TTL) != PA_STORE_OK ||
      pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "change email");
    goto out;
  }
  pa_mail_args confirm = {link, email, NULL}, notice = {NULL, email, NULL};
  if (send_mail(rq, PA_MAIL_CHANGE_CONFIRM, email, cred.locale, &confirm) == 0 &&
      (!cred.email[0] ||
       send_mail(rq, PA_MAIL_CHANGE_NOTICE, cred.email, cred.locale, &notice) == 0))
    pa_api_ok(rq);
out:
  sodium_memzero(link, sizeof link);
  sodium_memzero(&cred, sizeof cred);
  cJSON_Delete(body);
}

/* POST /auth/email/confirm {token}: the address the token was made for
 * becomes the account's (409 when another account took it meanwhile: the
 * token then stays unspent). No session needed: the link may be opened on
 * another device; the token is the proof. */
void pa_api_email_confirm(pa_srv_req *rq) {
  static const char *const fields[] = {"token", NULL};
  char email[PA_STORE_EMAIL_MAX + 1] = "";
  unsigned char h[32];
  int64_t user = 0;
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || token_member(rq, body, h)) goto out;
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "confirm email");
    goto out;
  }
  int rc = pa_store_email_token_take(rq->db, h, PA_STORE_TOKEN_CHANGE, pa_clock_now(), &user, email,
                                     sizeof email);
  if (rc == PA_STORE_ENOTFOUND) {
    pa_store_rollback(rq->db);
    pa_api_field_error(rq, 400, "invalid_token",
                       "This link is not valid any more; ask for a new one", "token");
    goto out;
  }
  if (rc == PA_STORE_OK) rc = pa_store_accounts_set_email(rq->db, user, email);
  if (rc == PA_STORE_ECONFLICT) {
    pa_store_rollback(rq->db);
    pa_api_field_error(rq, 409, "conflict", "Another account has this address now", "token");
    goto out;
  }
  if (rc == PA_STORE_OK) rc = pa_api_security_notice(rq, user, "email_changed", NULL, NULL);
  if (rc != PA_STORE_OK || pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "confirm email");
    goto out;
  }
  cJSON *root = cJSON_CreateObject();
  if (root && !cJSON_AddStringToObject(root, "email", email)) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
out:
  cJSON_Delete(body);
}
