/* pa_api — the JSON API under /api/: the route table with its flags
 * (enforced here, in one place), sessions, CSRF and rate limits. */
#include "api/api.h"
#include "api/chat_relay.h"
#include "api/live.h"
#include "api/support.h"
#include "auth.h"
#include "blob.h"
#include "clock.h"
#include "geo.h"
#include "health_rules.h"
#include "limit.h"
#include "metrics/metrics.h"
#include "net/http.h"
#include "origin.h"
#include "pay/pay.h"
#include "respcache.h"
#include "secev.h"
#include "store/admin.h"
#include "store/sessions.h"
#include "str.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- sessions and CSRF */

static int is_loopback(const char *addr) {
  return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
         strncmp(addr, "::ffff:127.", 11) == 0;
}

/* TLS here, or a proxy on this machine that says the client used https. */
static int secure_request(pa_srv_req *rq) {
  const char *proto = pa_srv_req_header(rq, "X-Forwarded-Proto");
  return proto && strcasecmp(proto, "https") == 0 && is_loopback(rq->remote_addr);
}

int pa_api_cookie_secure(pa_srv_req *rq) { return secure_request(rq); }

void pa_api_set_session_cookie(pa_srv_req *rq, const char *token, int64_t max_age) {
  snprintf(rq->set_cookie, sizeof rq->set_cookie,
           "pa_session=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s", token,
           (long long)max_age, secure_request(rq) ? "; Secure" : "");
}

/* Fills rq->viewer from the cookie; -1 (500 sent) when the database failed.
 * The expiry slides forward at most once a day, so reads rarely write. */
static int resolve_session(pa_srv_req *rq) {
  char token[PA_AUTH_TOKEN_TEXT + 8];
  unsigned char h[32];
  pa_store_session s;
  const char *cookies = pa_srv_req_header(rq, "Cookie");
  if (!cookies || pa_http_cookie(cookies, "pa_session", token, sizeof token) <= 0 ||
      pa_auth_token_hash(token, h) != 0)
    return 0;
  int rc = pa_store_sessions_find(rq->db, h, sizeof h, &s);
  const int64_t now = pa_clock_now(), life = (int64_t)PA_AUTH_SESSION_DAYS * 86400;
  /* A suspension or ban ends its person's sessions in its own transaction;
   * one made by a sign-in that raced it ends here. */
  if (rc == PA_STORE_OK && (s.expires_at <= now || s.barred_until > now)) {
    pa_store_sessions_delete(rq->db, s.id);
  } else if (rc == PA_STORE_OK) {
    rq->session_id = s.id;
    rq->viewer = s.user_id;
    rq->plus = s.plus_until > now;
    rq->roles = s.roles;
    snprintf(rq->csrf, sizeof rq->csrf, "%s", s.csrf);
    /* The sessions list's "last seen", a few minutes coarse so reads rarely write. */
    if (now - s.last_seen_at >= PA_STORE_SESSIONS_SEEN_EVERY)
      pa_store_sessions_seen(rq->db, s.id, now);
    if (s.expires_at - now < life - 86400 &&
        pa_store_sessions_extend(rq->db, s.id, now + life) == PA_STORE_OK)
      pa_api_set_session_cookie(rq, token, life);
  } else if (rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "session");
  }
  sodium_memzero(token, sizeof token);
  return rc == PA_STORE_OK || rc == PA_STORE_ENOTFOUND ? 0 : -1;
}

const pa_origins *pa_api_origins(const pa_srv_req *rq) { return &rq->srv->origins; }

int pa_api_host_gate(pa_srv_req *rq) {
  static const char plain[] =
      "421 Misdirected Request: this server does not answer for that host\n";
  if (pa_origin_host_ok(pa_api_origins(rq), pa_srv_req_header(rq, "Host"))) return 0;
  if (strncmp(rq->path, "/api", 4) == 0 && (rq->path[4] == '\0' || rq->path[4] == '/'))
    pa_api_error(rq, 421, "misdirected", "This server does not answer for that host", NULL);
  else
    pa_srv_send(rq, 421, "text/plain; charset=utf-8", "no-store", NULL, 0, plain, sizeof plain - 1);
  return -1;
}

/* Signup and login have no session: the request must come from our own
 * page (Origin, when sent, is one of our origins; Sec-Fetch-Site is
 * same-origin). Host is checked too, for the chat socket, which is not
 * routed through pa_api_handle. */
static int same_origin(pa_srv_req *rq) {
  const pa_origins *ours = pa_api_origins(rq);
  const char *origin = pa_srv_req_header(rq, "Origin");
  const char *site = pa_srv_req_header(rq, "Sec-Fetch-Site");
  if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) return 0;
  if (!pa_origin_host_ok(ours, pa_srv_req_header(rq, "Host"))) return 0;
  return !origin || pa_origin_origin_ok(ours, origin);
}

/* For the chat socket (srv_chat.c), which is not routed here. */
int pa_api_resolve_session(pa_srv_req *rq) { return resolve_session(rq); }
int pa_api_same_origin(pa_srv_req *rq) { return same_origin(rq); }

static int csrf_ok(pa_srv_req *rq) {
  const char *sent = pa_srv_req_header(rq, "X-CSRF-Token");
  size_t n = strlen(rq->csrf);
  return sent && n > 0 && strlen(sent) == n && sodium_memcmp(sent, rq->csrf, n) == 0;
}

/* ---- the operator's routes (F_OPS) */

/* The operator's token: PA_METRICS_TOKEN, read once at start (main.c calls
 * pa_api_ops_init before serving); empty means none. */
static char ops_token[PA_API_OPS_TOKEN_MAX + 1];
static size_t ops_token_len;

int pa_api_ops_init(char *err, size_t errlen) {
  const char *t = getenv("PA_METRICS_TOKEN");
  ops_token_len = 0;
  ops_token[0] = '\0';
  if (!t || !*t) return 0;
  size_t n = strlen(t);
  if (n < PA_API_OPS_TOKEN_MIN || n > PA_API_OPS_TOKEN_MAX) {
    snprintf(err, errlen, "PA_METRICS_TOKEN must be %d..%d bytes", PA_API_OPS_TOKEN_MIN,
             PA_API_OPS_TOKEN_MAX);
    return -1;
  }
  for (size_t i = 0; i < n; i++)
    if (!pa_http_is_token68_char(t[i])) {
      snprintf(err, errlen, "PA_METRICS_TOKEN may hold only letters, digits and -._~+/=");
      return -1;
    }
  memcpy(ops_token, t, n + 1);
  ops_token_len = n;
  return 0;
}

/* 1: the request carries the operator's bearer token. The lengths are not
 * secret (the token's is fixed by its maker); the bytes are compared in
 * constant time. A person's session never does: a scraper holds the token,
 * and the console's health view (issue 19) will read the figures itself. */
static int ops_ok(pa_srv_req *rq) {
  char sent[PA_API_OPS_TOKEN_MAX + 1];
  int n = pa_http_bearer(pa_srv_req_header(rq, "Authorization"), sent, sizeof sent);
  int ok =
      n > 0 && (size_t)n == ops_token_len && sodium_memcmp(sent, ops_token, ops_token_len) == 0;
  sodium_memzero(sent, sizeof sent);
  return ok;
}

/* ---- rate limits (limit.h) */

/* What a purpose counts by unless the caller names the key: sign-in and
 * sign-up by the client's address, everything else by the user, or by the
 * address when nobody is signed in. */
static void default_key(pa_srv_req *rq, pa_limit_purpose purpose, char out[64]) {
  if (purpose != PA_LIMIT_LOGIN_ADDR && purpose != PA_LIMIT_SIGNUP_ADDR &&
      purpose != PA_LIMIT_MAIL_ADDR && rq->viewer)
    snprintf(out, 64, "u_%lld", (long long)rq->viewer);
  else
    pa_limit_addr_key(rq->client, out);
}

int pa_api_limited(pa_srv_req *rq, pa_limit_purpose purpose, const char *key) {
  char own[64], message[96];
  if (!key) {
    default_key(rq, purpose, own);
    key = own;
  }
  int wait = pa_limit_charge(purpose, key, strlen(key));
  if (!wait) return 0;
  pa_secev_limited(rq, purpose);
  snprintf(message, sizeof message, "Too many requests; try again in %d seconds", wait);
  pa_api_error_retry(rq, 429, "rate_limited", message, wait);
  return -1;
}

/* ---- routing */

/* Route flags, enforced here and in the transport, never in handlers (but for
 * F_LATE, which hands the charging of the route's limit to its handler). */
enum {
  F_AUTH = 1,    /* needs a signed-in user */
  F_ORIGIN = 2,  /* signup/login: same-origin check instead of the CSRF token */
  F_SLOW = 4,    /* CPU-heavy (Argon2id, decoding media): runs on the slow workers, so a
                    burst of them never delays a feed request */
  F_MEDIA = 8,   /* the body is an upload of up to PA_BLOB_VIDEO_BYTES */
  F_ATTACH = 16, /* the body is an encrypted chat attachment of up to PA_CHAT_ATTACH_MAX */
  F_LATE = 32,   /* the handler charges the route's limit once the request is valid */
  F_HOOK = 64,   /* a payment provider's webhook: no session and no CSRF token; the handler
                    verifies the provider's signature before trusting a byte */
  F_OPS = 128,   /* the operator's: the bearer token of PA_METRICS_TOKEN, compared in constant
                   time (ops_ok); without one configured the route does not exist (404). */
  /* Roles (store/admin.h): a route naming any needs a session (else 401) whose person holds
   * at least one of them (else 403 forbidden), checked before the handler runs. Each is its
   * PA_STORE_ROLE_* bit shifted, so the check is one AND with the session's mask. */
  F_ROLE_SHIFT = 8, /* above F_OPS */
  F_ADMIN = PA_STORE_ROLE_ADMIN << F_ROLE_SHIFT,
  F_MOD = PA_STORE_ROLE_MODERATOR << F_ROLE_SHIFT,
  F_SUPPORT = PA_STORE_ROLE_SUPPORT << F_ROLE_SHIFT,
  F_FINANCE = PA_STORE_ROLE_FINANCE << F_ROLE_SHIFT,
  F_ROLES = PA_STORE_ROLE_ALL << F_ROLE_SHIFT,
  /* A write anyone may make (the assistant's question, issue 23): signed in, it needs the
   * CSRF token like any write; signed out, the same-origin check of F_ORIGIN. */
  F_ANYONE = 1 << 16
};

/* The roles a route asks for, as a PA_STORE_ROLE_* mask (0: none). */
static int route_roles(int flags) { return (flags & F_ROLES) >> F_ROLE_SHIFT; }

/* limit: what a request of the route counts against (limit.h). A
 * state-changing route naming none counts as PA_LIMIT_WRITE; a read is limited
 * only when it names one. pa_api_handle charges it after auth and CSRF, by
 * default_key; with F_LATE the handler does, once it has validated the
 * request (so a login without a body, or a bundle of an unknown device, costs
 * no budget), and may charge more purposes there by their own keys (login:
 * per account). */
typedef struct route {
  const char *method;
  const char *pattern; /* "{u}" "{pet}" "{p}" "{c}" "{s}" "{r}" "{m}" stand for typed ids,
                          "{id}" for an id of any type, "{word}" for one lowercase word
                          (PA_API_WORD_MAX letters), "{token}" for a share link's token
                          (pa_health_token_ok), "{code}" for an affiliate's code (any
                          segment of up to PA_HEALTH_TOKEN_TEXT bytes, into rq->token) */
  void (*fn)(pa_srv_req *rq);
  int flags;
  pa_limit_purpose limit;
} route;

static const route routes[] = {
    /* Outside /api/ (srv.c sends it here): Prometheus scrapes it. */
    {"GET", "/metrics", pa_api_metrics, F_OPS, PA_LIMIT_NONE},
    /* A load balancer's health check (HAProxy's httpchk, scripts/haproxy): asked every
     * half second by each balancer, so never limited; it says nothing but yes or no. */
    {"GET", "/api/v1/ready", pa_api_ready, 0, PA_LIMIT_NONE},
    /* Outside /api/ too (srv.c sends it here): an affiliate's link, followed by anyone; a
     * click counts within its own limit (PA_AFF_CLICKS_SOURCE_DAY, aff.h), never refused. */
    {"GET", "/r/{code}", pa_api_aff_click, 0, PA_LIMIT_NONE},
    /* The affiliate program (issue 21): the viewer's own membership, no id to name another's. */
    {"GET", "/api/v1/affiliate", pa_api_affiliate_get, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/affiliate", pa_api_affiliate_join, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/affiliate/stats", pa_api_affiliate_stats, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/auth/signup", pa_api_signup, F_ORIGIN | F_SLOW | F_LATE,
     PA_LIMIT_SIGNUP_ADDR},
    {"POST", "/api/v1/auth/login", pa_api_login, F_ORIGIN | F_SLOW | F_LATE, PA_LIMIT_LOGIN_ADDR},
    {"POST", "/api/v1/auth/logout", pa_api_logout, F_AUTH, PA_LIMIT_SIGNOUT},
    {"POST", "/api/v1/auth/logout-all", pa_api_logout_all, F_AUTH, PA_LIMIT_SIGNOUT},
    {"GET", "/api/v1/auth/session", pa_api_session, 0, PA_LIMIT_NONE},
    {"POST", "/api/v1/auth/password", pa_api_password, F_AUTH | F_SLOW | F_LATE, PA_LIMIT_PASSWORD},
    {"POST", "/api/v1/auth/reset", pa_api_reset_request, F_ORIGIN | F_SLOW | F_LATE,
     PA_LIMIT_MAIL_ADDR},
    {"POST", "/api/v1/auth/reset/confirm", pa_api_reset_confirm, F_ORIGIN | F_SLOW | F_LATE,
     PA_LIMIT_MAIL_ADDR},
    {"POST", "/api/v1/auth/email/confirm", pa_api_email_confirm, F_ORIGIN, PA_LIMIT_MAIL_ADDR},
    {"POST", "/api/v1/me/email", pa_api_email_change, F_AUTH | F_SLOW | F_LATE, PA_LIMIT_PASSWORD},
    /* Two-step sign-in: the second step has no session yet (same-origin, like login); its
     * handler charges PA_LIMIT_TOTP per account once the challenge is read. */
    {"POST", "/api/v1/auth/login/totp", pa_api_login_totp, F_ORIGIN | F_LATE, PA_LIMIT_TOTP},
    {"GET", "/api/v1/auth/totp", pa_api_totp_get, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/auth/totp/setup", pa_api_totp_setup, F_AUTH | F_SLOW | F_LATE,
     PA_LIMIT_PASSWORD},
    {"POST", "/api/v1/auth/totp/enable", pa_api_totp_enable, F_AUTH | F_LATE, PA_LIMIT_TOTP},
    {"POST", "/api/v1/auth/totp/disable", pa_api_totp_disable, F_AUTH | F_SLOW | F_LATE,
     PA_LIMIT_TOTP},
    {"GET", "/api/v1/auth/sessions", pa_api_sessions_get, F_AUTH, PA_LIMIT_NONE},
    {"DELETE", "/api/v1/auth/sessions/{ses}", pa_api_session_delete, F_AUTH, PA_LIMIT_SIGNOUT},
    {"GET", "/api/v1/me/export", pa_api_export, F_AUTH, PA_LIMIT_EXPORT},
    {"GET", "/api/v1/me/export/media", pa_api_export_media, F_AUTH | F_SLOW, PA_LIMIT_EXPORT},
    {"DELETE", "/api/v1/me", pa_api_delete_me, F_AUTH | F_SLOW | F_LATE, PA_LIMIT_PASSWORD},
    {"PATCH", "/api/v1/me", pa_api_me_patch, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/billing/plans", pa_api_billing_plans, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/billing", pa_api_billing_get, F_AUTH, PA_LIMIT_NONE},
    /* These ask a provider over the network: the slow workers wait for it. */
    {"POST", "/api/v1/billing/checkout", pa_api_billing_checkout, F_AUTH | F_SLOW,
     PA_LIMIT_BILLING},
    {"GET", "/api/v1/billing/checkouts/{co}", pa_api_billing_checkout_get, F_AUTH | F_SLOW,
     PA_LIMIT_NONE},
    {"POST", "/api/v1/billing/checkouts/{co}/retry", pa_api_billing_checkout_retry, F_AUTH | F_SLOW,
     PA_LIMIT_BILLING},
    {"POST", "/api/v1/billing/checkouts/{co}/abandon", pa_api_billing_checkout_abandon,
     F_AUTH | F_SLOW, PA_LIMIT_BILLING},
    {"POST", "/api/v1/billing/cancel", pa_api_billing_cancel, F_AUTH | F_SLOW, PA_LIMIT_BILLING},
    {"POST", "/api/v1/billing/resume", pa_api_billing_resume, F_AUTH | F_SLOW, PA_LIMIT_BILLING},
    {"POST", "/api/v1/webhooks/paypal", pa_api_webhook_paypal, F_HOOK | F_SLOW, PA_LIMIT_NONE},
    {"POST", "/api/v1/webhooks/mercadopago", pa_api_webhook_mercadopago, F_HOOK | F_SLOW,
     PA_LIMIT_NONE},
    /* The Chatwoot mirror's webhook (issue 23, api/chatwoot.c): its path token is the
     * credential (a wrong one is a 404), Chatwoot's signature too when configured. */
    {"POST", "/api/v1/webhooks/chatwoot/{code}", pa_api_webhook_chatwoot, F_HOOK, PA_LIMIT_NONE},
    {"GET", "/api/v1/me/pets", pa_api_my_pets, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/notifications", pa_api_notifications_get, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/notifications/unread", pa_api_notifications_unread, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/notifications/read", pa_api_notifications_read, F_AUTH, PA_LIMIT_WRITE},
    /* Web Push (push/): the key browsers subscribe with, this session's subscription. */
    {"GET", "/api/v1/push/key", pa_api_push_key, 0, PA_LIMIT_NONE},
    {"POST", "/api/v1/push/subscriptions", pa_api_push_subscribe, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/push/subscriptions", pa_api_push_unsubscribe, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/feed", pa_api_feed, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/feed/following", pa_api_feed_following, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/feed/tag", pa_api_feed_tag, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/feed/candidates", pa_api_candidates, F_AUTH | F_LATE, PA_LIMIT_CANDIDATES},
    /* Self-serve ads' serving (issue 21): events carry the served ad's token. */
    {"POST", "/api/v1/ads/events", pa_api_ad_event, F_AUTH | F_LATE, PA_LIMIT_AD_EVENTS},
    {"GET", "/api/v1/ads/campaigns/{c}/report", pa_api_ad_report, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/posts", pa_api_post_create, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/posts", pa_api_posts_by_id, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/posts/{p}", pa_api_post_get, 0, PA_LIMIT_NONE},
    {"DELETE", "/api/v1/posts/{p}", pa_api_post_delete, F_AUTH, PA_LIMIT_WRITE},
    {"PUT", "/api/v1/posts/{p}/like", pa_api_like_put, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/posts/{p}/like", pa_api_like_delete, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/posts/{p}/comments", pa_api_comments_get, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/oembed", pa_api_oembed, 0, PA_LIMIT_NONE},
    {"POST", "/api/v1/posts/{p}/comments", pa_api_comment_create, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/comments/{c}", pa_api_comment_delete, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/pets", pa_api_pet_create, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/pets/{pet}", pa_api_pet_get, 0, PA_LIMIT_NONE},
    {"PATCH", "/api/v1/pets/{pet}", pa_api_pet_patch, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/pets/{pet}", pa_api_pet_delete, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/pets/{pet}/posts", pa_api_pet_posts, 0, PA_LIMIT_NONE},
    {"PUT", "/api/v1/pets/{pet}/follow", pa_api_pet_follow, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/pets/{pet}/follow", pa_api_pet_unfollow, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/users/{u}", pa_api_user_get, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/users/{u}/posts", pa_api_user_posts, 0, PA_LIMIT_NONE},
    {"PUT", "/api/v1/users/{u}/follow", pa_api_user_follow, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/users/{u}/follow", pa_api_user_unfollow, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/users/{u}/followers", pa_api_followers, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/pets/{pet}/followers", pa_api_pet_followers, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/users/{u}/following", pa_api_following, 0, PA_LIMIT_NONE},
    {"PUT", "/api/v1/users/{u}/block", pa_api_block_put, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/users/{u}/block", pa_api_block_delete, F_AUTH, PA_LIMIT_WRITE},
    {"PUT", "/api/v1/users/{u}/mute", pa_api_mute_put, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/users/{u}/mute", pa_api_mute_delete, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/me/blocked", pa_api_my_blocked, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/me/muted", pa_api_my_muted, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/me/follow-requests", pa_api_my_follow_requests, F_AUTH, PA_LIMIT_NONE},
    {"PUT", "/api/v1/me/follow-requests/{u}", pa_api_follow_request_accept, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/me/follow-requests/{u}", pa_api_follow_request_decline, F_AUTH,
     PA_LIMIT_WRITE},
    {"GET", "/api/v1/search", pa_api_search, F_LATE, PA_LIMIT_SEARCH},
    {"POST", "/api/v1/media", pa_api_media_upload, F_AUTH | F_SLOW | F_MEDIA, PA_LIMIT_UPLOAD},
    {"DELETE", "/api/v1/media/{m}", pa_api_media_delete, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/stories", pa_api_stories_get, 0, PA_LIMIT_NONE},
    {"POST", "/api/v1/stories", pa_api_story_create, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/stories/{s}", pa_api_story_delete, F_AUTH, PA_LIMIT_WRITE},
    {"PUT", "/api/v1/stories/{s}/seen", pa_api_story_seen, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/reels", pa_api_reels_get, 0, PA_LIMIT_NONE},
    {"POST", "/api/v1/reels", pa_api_reel_create, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/reels/{r}", pa_api_reel_delete, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/chat/devices", pa_api_chat_device_create, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/chat/devices", pa_api_chat_my_devices, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/chat/devices/{d}", pa_api_chat_device_get, F_AUTH, PA_LIMIT_NONE},
    {"DELETE", "/api/v1/chat/devices/{d}", pa_api_chat_device_delete, F_AUTH, PA_LIMIT_WRITE},
    {"PATCH", "/api/v1/chat/devices/{d}", pa_api_chat_device_rename, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/chat/links", pa_api_chat_link_create, F_AUTH | F_LATE, PA_LIMIT_CHAT_LINK},
    {"GET", "/api/v1/chat/links/{lk}", pa_api_chat_link_get, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/chat/links/{lk}/approve", pa_api_chat_link_approve, F_AUTH | F_LATE,
     PA_LIMIT_CHAT_LINK},
    {"PUT", "/api/v1/chat/devices/{d}/prekeys", pa_api_chat_prekeys_put, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/chat/devices/{d}/bundle", pa_api_chat_bundle_take, F_AUTH | F_LATE,
     PA_LIMIT_CHAT_BUNDLE},
    {"GET", "/api/v1/users/{u}/chat-devices", pa_api_chat_user_devices, F_AUTH, PA_LIMIT_NONE},
    {"PUT", "/api/v1/chat/device-list", pa_api_chat_devlist_put, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/chat/attachments", pa_api_chat_attachment_put, F_AUTH | F_ATTACH,
     PA_LIMIT_UPLOAD},
    {"GET", "/api/v1/chat/attachments", pa_api_chat_attachment_get, F_AUTH, PA_LIMIT_NONE},
    {"DELETE", "/api/v1/chat/attachments", pa_api_chat_attachment_delete, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/chat/requests", pa_api_chat_requests, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/chat/requests/{u}/accept", pa_api_chat_request_accept, F_AUTH,
     PA_LIMIT_WRITE},
    /* Calls: the media relay's credentials, and who called whom (the
     * signalling itself goes end-to-end encrypted through the relay). */
    {"POST", "/api/v1/chat/turn", pa_api_chat_turn, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/chat/calls", pa_api_chat_call_start, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/chat/calls/{call}/end", pa_api_chat_call_end, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/chat/groups", pa_api_chat_group_create, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/chat/groups", pa_api_chat_groups_mine, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/chat/groups/{g}", pa_api_chat_group_get, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/chat/groups/{g}/members", pa_api_chat_group_member_add, F_AUTH,
     PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/chat/groups/{g}/members/{u}", pa_api_chat_group_member_remove, F_AUTH,
     PA_LIMIT_WRITE},
    {"PATCH", "/api/v1/chat/groups/{g}/members/{u}", pa_api_chat_group_member_role, F_AUTH,
     PA_LIMIT_WRITE},
    /* The admin console (issue 19): its roles are checked here, never in the handlers. */
    {"GET", "/api/v1/admin/roles", pa_api_admin_holders, F_ADMIN, PA_LIMIT_NONE},
    {"GET", "/api/v1/admin/people", pa_api_admin_find, F_ADMIN, PA_LIMIT_NONE},
    {"PUT", "/api/v1/admin/users/{u}/roles/{word}", pa_api_admin_grant, F_ADMIN, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/admin/users/{u}/roles/{word}", pa_api_admin_revoke, F_ADMIN,
     PA_LIMIT_WRITE},
    {"GET", "/api/v1/admin/audit", pa_api_admin_audit, F_ADMIN, PA_LIMIT_NONE},
    /* The marketplace (issue 20): anyone signed in may sell; a listing's reads are public
     * (the store hides a blocked seller's); its writes are its seller's (the handlers check). */
    {"GET", "/api/v1/me/seller", pa_api_market_seller_get, F_AUTH, PA_LIMIT_NONE},
    {"PUT", "/api/v1/me/seller", pa_api_market_seller_put, F_AUTH, PA_LIMIT_WRITE},
    /* A Mercado Pago seller's connection: the callback is the browser's GET back from the
     * provider, so no CSRF token; the single-use state bound to the session guards it. */
    {"POST", "/api/v1/me/seller/mercadopago/connect", pa_api_market_mp_connect, F_AUTH,
     PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/me/seller/mercadopago", pa_api_market_mp_disconnect, F_AUTH,
     PA_LIMIT_WRITE},
    {"GET", "/api/v1/market/mercadopago/callback", pa_api_market_mp_callback, F_AUTH,
     PA_LIMIT_WRITE},
    {"GET", "/api/v1/me/listings", pa_api_market_my_listings, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/sellers/{u}", pa_api_market_seller_page, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/sellers/{u}/listings", pa_api_market_seller_listings, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/sellers/{u}/reviews", pa_api_seller_reviews, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/listings", pa_api_market_browse, 0, PA_LIMIT_NONE},
    {"POST", "/api/v1/listings", pa_api_market_listing_create, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/listings/{lst}", pa_api_market_listing_get, 0, PA_LIMIT_NONE},
    {"PATCH", "/api/v1/listings/{lst}", pa_api_market_listing_edit, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/listings/{lst}", pa_api_market_listing_delete, F_AUTH, PA_LIMIT_WRITE},
    /* Cart, addresses, checkout and orders: the handlers check whose order it is (its buyer
     * or its seller; anyone else gets 404). Provider calls run on the slow workers. */
    {"GET", "/api/v1/cart", pa_api_cart_get, F_AUTH, PA_LIMIT_NONE},
    {"DELETE", "/api/v1/cart", pa_api_cart_clear, F_AUTH, PA_LIMIT_WRITE},
    {"PUT", "/api/v1/cart/items", pa_api_cart_put, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/cart/items/{lst}", pa_api_cart_item_delete, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/cart/items/{lst}/{lv}", pa_api_cart_item_delete, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/me/addresses", pa_api_addresses_get, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/me/addresses", pa_api_address_create, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/me/addresses/{adr}", pa_api_address_delete, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/me/seller/balance", pa_api_seller_balance, F_AUTH, PA_LIMIT_NONE},
    /* The seller's dashboard and payouts: the viewer's own (no id to name anyone else's). */
    {"GET", "/api/v1/market/dashboard", pa_api_market_dashboard, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/market/payouts", pa_api_market_payouts, F_AUTH, PA_LIMIT_NONE},
    /* An affiliate's money (issue 21): the viewer's own, no id to name anyone else's. */
    {"PUT", "/api/v1/affiliate/payout", pa_api_affiliate_payout_put, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/affiliate/earnings", pa_api_affiliate_earnings, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/affiliate/earnings.csv", pa_api_affiliate_earnings_csv, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/checkout", pa_api_checkout, F_AUTH | F_SLOW, PA_LIMIT_BILLING},
    {"GET", "/api/v1/orders", pa_api_orders_list, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/orders/{ord}", pa_api_order_get, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/orders/{ord}/capture", pa_api_order_capture, F_AUTH | F_SLOW,
     PA_LIMIT_BILLING},
    {"POST", "/api/v1/orders/{ord}/ship", pa_api_order_ship, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/orders/{ord}/deliver", pa_api_order_deliver, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/orders/{ord}/cancel", pa_api_order_cancel, F_AUTH | F_SLOW, PA_LIMIT_BILLING},
    /* Reviews: the handlers check whose order it is (buyer reviews, seller replies). */
    {"POST", "/api/v1/orders/{ord}/review", pa_api_order_review, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/orders/{ord}/review/reply", pa_api_order_review_reply, F_AUTH,
     PA_LIMIT_WRITE},
    /* Refund requests, disputes and order messages: the handlers check whose order it is
     * (buyer asks and disputes, seller answers; a stranger gets 404). */
    {"POST", "/api/v1/orders/{ord}/refund-request", pa_api_order_refund_request, F_AUTH,
     PA_LIMIT_WRITE},
    {"POST", "/api/v1/orders/{ord}/refund-request/accept", pa_api_order_refund_accept,
     F_AUTH | F_SLOW, PA_LIMIT_BILLING},
    {"POST", "/api/v1/orders/{ord}/refund-request/decline", pa_api_order_refund_decline, F_AUTH,
     PA_LIMIT_WRITE},
    {"POST", "/api/v1/orders/{ord}/dispute", pa_api_order_dispute, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/orders/{ord}/dispute/answer", pa_api_order_dispute_answer, F_AUTH,
     PA_LIMIT_WRITE},
    {"GET", "/api/v1/orders/{ord}/messages", pa_api_order_messages, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/orders/{ord}/messages", pa_api_order_message_create, F_AUTH, PA_LIMIT_WRITE},
    /* The pet-health dashboard (issue 19): the owner's only (the handlers check the pet).
     * The share routes come before the {word} ones, which would take "shares" as a kind. */
    {"GET", "/api/v1/pets/{pet}/health", pa_api_health_get, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/pets/{pet}/health/shares", pa_api_health_shares, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/pets/{pet}/health/shares", pa_api_health_share_create, F_AUTH,
     PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/pets/{pet}/health/shares/{hs}", pa_api_health_share_revoke, F_AUTH,
     PA_LIMIT_WRITE},
    {"GET", "/api/v1/pets/{pet}/health/{word}", pa_api_health_list, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/pets/{pet}/health/{word}", pa_api_health_add, F_AUTH, PA_LIMIT_WRITE},
    {"PUT", "/api/v1/pets/{pet}/health/{word}/{hr}", pa_api_health_edit, F_AUTH, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/pets/{pet}/health/{word}/{hr}", pa_api_health_delete, F_AUTH,
     PA_LIMIT_WRITE},
    /* A vet's read-only view: the token is the credential, no session. */
    {"GET", "/api/v1/health/shared/{token}", pa_api_health_shared, 0, PA_LIMIT_SEARCH},
    /* The help center (issue 23; api/help.c): public reads, charged once valid by the search
     * limit (per person, or per address when signed out). The slug is a {code} segment: the
     * handler checks it (a malformed one is no article, 404). */
    {"GET", "/api/v1/help/articles", pa_api_help_articles, F_LATE, PA_LIMIT_SEARCH},
    {"GET", "/api/v1/help/articles/{code}", pa_api_help_article, F_LATE, PA_LIMIT_SEARCH},
    {"GET", "/api/v1/help/search", pa_api_help_search, F_LATE, PA_LIMIT_SEARCH},
    {"GET", "/api/v1/admin/outbox", pa_api_admin_outbox, F_ADMIN | F_SUPPORT, PA_LIMIT_NONE},
    {"GET", "/api/v1/admin/security", pa_api_admin_security, F_ADMIN, PA_LIMIT_NONE},
    {"GET", "/api/v1/admin/health", pa_api_admin_health, F_ADMIN, PA_LIMIT_NONE},
    /* Moderation (issue 19): anyone signed in reports; moderators act, and admins, who
     * hold every power of the console, may too. */
    {"POST", "/api/v1/reports", pa_api_report_create, F_AUTH | F_LATE, PA_LIMIT_REPORT},
    {"GET", "/api/v1/mod/queue", pa_api_mod_queue, F_MOD | F_ADMIN, PA_LIMIT_NONE},
    {"GET", "/api/v1/mod/items/{word}/{id}", pa_api_mod_item, F_MOD | F_ADMIN, PA_LIMIT_NONE},
    {"POST", "/api/v1/mod/items/{word}/{id}/actions", pa_api_mod_action, F_MOD | F_ADMIN,
     PA_LIMIT_WRITE},
    /* A moderator works through a queue: the write limit, as the item actions'. */
    {"POST", "/api/v1/mod/disputes/{ord}/decision", pa_api_mod_dispute_decide,
     F_MOD | F_ADMIN | F_SLOW, PA_LIMIT_WRITE},
    /* Self-serve ads, the advertiser's side (api/ads.c): each route is the caller's own
     * account's (another person's campaign, creative or top-up is a 404). A top-up calls a
     * provider: the billing limit, charged once the body is valid. */
    {"GET", "/api/v1/ads/account", pa_api_ads_account_get, F_AUTH, PA_LIMIT_NONE},
    {"PUT", "/api/v1/ads/account", pa_api_ads_account_put, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/ads/topups", pa_api_ads_topups, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/ads/topups", pa_api_ads_topup_create, F_AUTH | F_SLOW | F_LATE,
     PA_LIMIT_BILLING},
    {"GET", "/api/v1/ads/topups/{top}", pa_api_ads_topup_get, F_AUTH | F_SLOW, PA_LIMIT_NONE},
    {"GET", "/api/v1/ads/campaigns", pa_api_ads_campaigns, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/ads/campaigns", pa_api_ads_campaign_create, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/ads/campaigns/{c}", pa_api_ads_campaign_get, F_AUTH, PA_LIMIT_NONE},
    {"PATCH", "/api/v1/ads/campaigns/{c}", pa_api_ads_campaign_patch, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/ads/campaigns/{c}/creatives", pa_api_ads_creative_create, F_AUTH,
     PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/ads/creatives/{cr}", pa_api_ads_creative_delete, F_AUTH, PA_LIMIT_WRITE},
    /* A moderator approves or rejects an ad creative waiting in the queue (kind ad). */
    {"POST", "/api/v1/mod/ads/{cr}/review", pa_api_mod_ad_review, F_MOD | F_ADMIN, PA_LIMIT_WRITE},
    /* The assistant (issue 23, web/README.md "Assistant"): anyone asks (charged once the
     * question is valid); an ask's stream is its asker's (the handler checks the session or
     * the ask's token, anyone else 404); the account answers are the viewer's own. */
    {"POST", "/api/v1/help/ask", pa_api_help_ask, F_ANYONE | F_LATE, PA_LIMIT_HELP_ASK},
    {"GET", "/api/v1/help/asks/{ha}/stream", pa_api_help_ask_stream, 0, PA_LIMIT_NONE},
    {"GET", "/api/v1/help/me/plan", pa_api_help_me_plan, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/help/me/orders", pa_api_help_me_orders, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/help/me/hidden-posts", pa_api_help_me_hidden_posts, F_AUTH, PA_LIMIT_NONE},
    /* Support conversations (issue 23, api/support.c): a person's own (another's is a 404),
     * their writes within PA_LIMIT_SUPPORT; the agents' inbox for support and admin. */
    {"POST", "/api/v1/support/conversations", pa_api_support_create, F_AUTH, PA_LIMIT_SUPPORT},
    {"GET", "/api/v1/support/conversations", pa_api_support_mine, F_AUTH, PA_LIMIT_NONE},
    {"GET", "/api/v1/support/conversations/{sc}", pa_api_support_get, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/support/conversations/{sc}/messages", pa_api_support_message, F_AUTH,
     PA_LIMIT_SUPPORT},
    {"POST", "/api/v1/support/conversations/{sc}/rating", pa_api_support_rate, F_AUTH,
     PA_LIMIT_WRITE},
    {"GET", "/api/v1/admin/support/conversations", pa_api_support_queue, F_SUPPORT | F_ADMIN,
     PA_LIMIT_NONE},
    {"GET", "/api/v1/admin/support/conversations/{sc}", pa_api_support_agent_get,
     F_SUPPORT | F_ADMIN, PA_LIMIT_NONE},
    {"POST", "/api/v1/admin/support/conversations/{sc}/messages", pa_api_support_agent_message,
     F_SUPPORT | F_ADMIN, PA_LIMIT_WRITE},
    {"POST", "/api/v1/admin/support/conversations/{sc}/state", pa_api_support_state,
     F_SUPPORT | F_ADMIN, PA_LIMIT_WRITE},
    {"POST", "/api/v1/admin/support/conversations/{sc}/assign", pa_api_support_assign,
     F_SUPPORT | F_ADMIN, PA_LIMIT_WRITE},
    {"GET", "/api/v1/admin/support/canned", pa_api_support_canned_list, F_SUPPORT | F_ADMIN,
     PA_LIMIT_NONE},
    {"POST", "/api/v1/admin/support/canned", pa_api_support_canned_add, F_SUPPORT | F_ADMIN,
     PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/admin/support/canned/{cn}", pa_api_support_canned_delete,
     F_SUPPORT | F_ADMIN, PA_LIMIT_WRITE},
    /* Lives (issue 24, api/live.c): the broadcaster's routes answer 404 to anyone else; those
     * that call Janus (blocking, up to PA_JANUS_TIMEOUT_MS) run on the slow workers. Starts are
     * charged once valid (PA_LIMIT_LIVE_START = PA_LIVE_STARTS_PER_HOUR). */
    {"POST", "/api/v1/lives", pa_api_live_start, F_AUTH | F_SLOW | F_LATE, PA_LIMIT_LIVE_START},
    {"GET", "/api/v1/lives/{live}", pa_api_live_get, F_AUTH, PA_LIMIT_NONE},
    {"POST", "/api/v1/lives/{live}/on-air", pa_api_live_on_air, F_AUTH | F_SLOW, PA_LIMIT_WRITE},
    {"POST", "/api/v1/lives/{live}/reconnect", pa_api_live_reconnect, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/lives/{live}/watch", pa_api_live_watch, F_AUTH, PA_LIMIT_WRITE},
    {"POST", "/api/v1/lives/{live}/end", pa_api_live_end, F_AUTH | F_SLOW, PA_LIMIT_WRITE},
    {"DELETE", "/api/v1/lives/{live}/comments/{lc}", pa_api_live_comment_delete, F_AUTH,
     PA_LIMIT_WRITE},
    {"POST", "/api/v1/lives/{live}/blocks", pa_api_live_block, F_AUTH, PA_LIMIT_WRITE},
    {"GET", "/api/v1/admin/lives", pa_api_admin_lives, F_MOD | F_ADMIN, PA_LIMIT_NONE},
    {"POST", "/api/v1/admin/lives/{live}/end", pa_api_admin_live_end, F_MOD | F_ADMIN | F_SLOW,
     PA_LIMIT_WRITE},
};

enum { ROUTES = sizeof routes / sizeof routes[0] };

/* Each route's series in pa_metrics, by index in routes[]; written once by
 * pa_api_register_metrics before any worker starts. */
static int route_metric[ROUTES];

void pa_api_register_metrics(void) {
  for (size_t i = 0; i < ROUTES; i++)
    route_metric[i] = pa_metrics_route(routes[i].method, routes[i].pattern);
}

/* Matches path against pattern segment by segment, collecting ids, (word
 * not NULL) the {word} segment and (token not NULL) the {token} one. */
static int match(const char *pattern, const char *path, int64_t ids[2], char *word, char *token) {
  int n = 0;
  const char *p = pattern, *s = path;
  while (*p && *s) {
    if (*p == '{') {
      const char *close = strchr(p, '}'), *end = strchr(s, '/');
      char seg[PA_HEALTH_TOKEN_TEXT + 1], prefix[8];
      size_t plen = (size_t)(close - p - 1), slen = end ? (size_t)(end - s) : strlen(s);
      if (slen == 0 || slen >= sizeof seg || plen >= sizeof prefix || n >= 2) return 0;
      memcpy(seg, s, slen);
      seg[slen] = '\0';
      memcpy(prefix, p + 1, plen);
      prefix[plen] = '\0';
      if (strcmp(prefix, "word") == 0) {
        if (slen > PA_API_WORD_MAX || strspn(seg, "abcdefghijklmnopqrstuvwxyz") != slen) return 0;
        if (word) memcpy(word, seg, slen + 1);
        p = close + 1;
        s += slen;
        continue;
      }
      if (strcmp(prefix, "code") == 0) {
        /* An affiliate's link: any segment that fits, so a malformed code
         * still redirects (the handler checks it with pa_aff_code_ok). */
        if (token) memcpy(token, seg, slen + 1);
        p = close + 1;
        s += slen;
        continue;
      }
      if (strcmp(prefix, "token") == 0) {
        if (!pa_health_token_ok(seg)) return 0;
        if (token) memcpy(token, seg, slen + 1);
        p = close + 1;
        s += slen;
        continue;
      }
      if (strcmp(prefix, "id") == 0) {
        /* Any kind's id ("p_3", "cm_9"): the handler checks the prefix is
         * the one its {word} names (the moderation registry's items). */
        size_t lead = strspn(seg, "abcdefghijklmnopqrstuvwxyz");
        if (lead == 0 || lead >= sizeof prefix || seg[lead] != '_') return 0;
        memcpy(prefix, seg, lead);
        prefix[lead] = '\0';
      }
      if (pa_api_parse_id(seg, prefix, &ids[n++]) != 0) return 0;
      p = close + 1;
      s += slen;
      continue;
    }
    if (*p != *s) return 0;
    p++;
    s++;
  }
  return *p == '\0' && *s == '\0';
}

static int state_changing(const char *m) {
  return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 ||
         strcmp(m, "DELETE") == 0;
}

pa_net_route pa_api_route(const pa_http_head *head) {
  pa_net_route r = {PA_API_BODY_MAX, 0, 0};
  int64_t ids[2];
  const char *m = strcmp(head->method, "HEAD") == 0 ? "GET" : head->method;
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    if (strcmp(routes[i].method, m) != 0 || !match(routes[i].pattern, head->path, ids, NULL, NULL))
      continue;
    int f = routes[i].flags;
    /* An upload's limit follows its type, so an oversized image is refused
     * from its Content-Length before a byte of it is read. */
    int kind = pa_blob_type_kind(pa_http_field_get(head, "Content-Type"));
    r.body_max = f & F_HOOK     ? PA_PAY_WEBHOOK_MAX
                 : f & F_MEDIA  ? (kind >= 0 && !pa_blob_kind_is_video(kind) ? PA_BLOB_IMAGE_BYTES
                                                                             : PA_BLOB_VIDEO_BYTES)
                 : f & F_ATTACH ? PA_CHAT_ATTACH_MAX
                                : PA_API_BODY_MAX;
    r.slow = (f & F_SLOW) != 0;
    r.needs_session = (f & (F_AUTH | F_ROLES)) != 0;
    return r;
  }
  return r; /* no route: the handler answers 404 or 405 after a small body */
}

void pa_api_handle(pa_srv_req *rq) {
  char method[24], path[200], message[256], allow[64] = "";
  const route *r = NULL;
  int64_t ids[2] = {0, 0};
  char word[PA_API_WORD_MAX + 1] = "", token[PA_HEALTH_TOKEN_TEXT + 1] = "";
  int any = 0;
  const char *m = rq->head ? "GET" : rq->method;
  for (size_t i = 0; i < sizeof routes / sizeof routes[0] && !r; i++) {
    int64_t got[2] = {0, 0};
    if (!match(routes[i].pattern, rq->path, got, word, token)) continue;
    any = 1;
    if (strcmp(routes[i].method, m) == 0) {
      r = &routes[i];
      memcpy(ids, got, sizeof ids);
    }
  }
  if (!any) {
    pa_srv_printable(rq->method, method, sizeof method);
    pa_srv_printable(rq->path, path, sizeof path);
    snprintf(message, sizeof message, "No route for %s %s", method, path);
    pa_api_error(rq, 404, "not_found", message, NULL);
    return;
  }
  if (!r) {
    static const char *const order[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t k = 0; k < 5; k++)
      for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        int64_t got[2];
        if (strcmp(routes[i].method, order[k]) != 0 ||
            !match(routes[i].pattern, rq->path, got, NULL, NULL))
          continue;
        size_t len = strlen(allow);
        snprintf(allow + len, sizeof allow - len, "%s%s%s", len ? ", " : "", order[k],
                 k == 0 ? ", HEAD" : "");
        break;
      }
    pa_srv_printable(rq->method, method, sizeof method);
    pa_srv_printable(rq->path, path, sizeof path);
    snprintf(message, sizeof message, "%s is not allowed on %s", method, path);
    pa_api_error(rq, 405, "method_not_allowed", message, allow);
    return;
  }
  if (!rq->db) {
    pa_api_error(rq, 500, "internal", "Something went wrong on our side", NULL);
    return;
  }
  /* The client's address, once: the limiter's key and security events'. */
  pa_geo_client(rq->remote_addr, pa_srv_req_header(rq, "X-Forwarded-For"), rq->client);
  rq->metric = route_metric[r - routes];
  rq->route = r->pattern;
  memcpy(rq->ids, ids, sizeof ids);
  if (r->flags & F_OPS) {
    /* No session is looked at: a person's cookie never opens these. */
    static const char nothing[] = "404 Not Found\n";
    if (ops_token_len == 0) /* not configured: the route does not exist */
      pa_srv_send(rq, 404, "text/plain; charset=utf-8", "no-store", NULL, 0, nothing,
                  sizeof nothing - 1);
    else if (!ops_ok(rq))
      pa_srv_send(rq, 401, "text/plain; charset=utf-8", "no-store",
                  &(pa_srv_header){"WWW-Authenticate", "Bearer realm=\"petamigos-ops\""}, 1,
                  "401 Unauthorized\n", 17);
    else
      r->fn(rq);
    return;
  }
  snprintf(rq->word, sizeof rq->word, "%s", word);
  snprintf(rq->token, sizeof rq->token, "%s", token);
  if (resolve_session(rq) != 0) return;
  if (r->flags & F_HOOK) {
    /* Signed by the provider, checked by the handler. */
  } else if ((r->flags & F_ORIGIN) || ((r->flags & F_ANYONE) && !rq->viewer)) {
    if (!same_origin(rq)) {
      pa_api_error(rq, 403, "csrf", "Cross-site request refused", NULL);
      return;
    }
  } else if (state_changing(m) || (r->flags & (F_AUTH | F_ROLES))) {
    if (!rq->viewer) {
      pa_api_error(rq, 401, "unauthorized", "Sign in first", NULL);
      return;
    }
    if (state_changing(m) && !csrf_ok(rq)) {
      pa_api_error(rq, 403, "csrf", "Missing or wrong X-CSRF-Token", NULL);
      return;
    }
    /* The roles come with the session (store/sessions.h), read in this request. */
    if (route_roles(r->flags) && !(rq->roles & route_roles(r->flags))) {
      pa_api_error(rq, 403, "forbidden", "This needs a role you do not hold", NULL);
      return;
    }
  }
  pa_limit_purpose limit = r->limit;
  if (!limit && state_changing(m) && !(r->flags & F_HOOK)) limit = PA_LIMIT_WRITE;
  if (!(r->flags & F_LATE) && limit && pa_api_limited(rq, limit, NULL) != 0) return;
  r->fn(rq);
  /* A refused upload is a security event: its type, size, contents or the
   * day's quota (not a limiter hit, recorded as one, nor a 5xx). */
  if ((r->flags & (F_MEDIA | F_ATTACH)) && rq->status >= 400 && rq->status < 500 &&
      strcmp(rq->error_code, "rate_limited") != 0)
    pa_secev_upload_refused(rq, rq->error_code[0] ? rq->error_code : "refused");
  /* Whatever a write changed, no signed-out page kept from before shows it. */
  if (state_changing(m) && rq->status < 400) pa_respcache_bump(rq->srv->public_pages);
}
