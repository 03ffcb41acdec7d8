/* pa_api — Chatwoot's webhook (issue 23; web/README.md "Chatwoot"):
 * POST /api/v1/webhooks/chatwoot/{code}. The path's secret token
 * (PA_CHATWOOT_WEBHOOK_TOKEN, compared in constant time) says the sender is
 * the Chatwoot we configured: anything else is a 404, as if the route did
 * not exist. When PA_CHATWOOT_WEBHOOK_SECRET is set, Chatwoot's signature
 * is checked too (X-Chatwoot-Signature "sha256=" HMAC-SHA256 of
 * "{X-Chatwoot-Timestamp}.{body}", the timestamp within
 * PA_CHATWOOT_SKEW_S of our clock). An agent's public reply becomes an
 * agent's message to the person (applied once: Chatwoot's message id is
 * unique), a status change the conversation's state (only when newer than
 * the last applied: a late webhook changes nothing). */
#include "store/chatwoot.h"

#include "api/api.h"
#include "api/chat_relay.h"
#include "api/support.h"
#include "chatwoot/hook.h"
#include "chatwoot/mirror.h"
#include "clock.h"
#include "log.h"
#include "store/notifications.h"
#include "store/support.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HOOK_BODY_MAX = 65536 }; /* bytes of a webhook body (the route's cap) */

static int same_secret(const char *given, const char *want) {
  size_t g = strlen(given), w = strlen(want);
  /* Hash both so the comparison runs over equal lengths whatever was given. */
  unsigned char hg[crypto_generichash_BYTES], hw[crypto_generichash_BYTES];
  crypto_generichash(hg, sizeof hg, (const unsigned char *)given, g, NULL, 0);
  crypto_generichash(hw, sizeof hw, (const unsigned char *)want, w, NULL, 0);
  return w > 0 && sodium_memcmp(hg, hw, sizeof hg) == 0;
}

/* 0 when the signature headers verify body under secret. */
static int signature_ok(pa_srv_req *rq, const char *secret, const unsigned char *body, size_t len) {
  const char *sig = pa_srv_req_header(rq, "x-chatwoot-signature");
  const char *ts = pa_srv_req_header(rq, "x-chatwoot-timestamp");
  if (!sig || !ts || strncmp(sig, "sha256=", 7) != 0) return -1;
  size_t tl = strlen(ts);
  if (tl == 0 || tl > 12 || strspn(ts, "0123456789") != tl) return -1;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, tl);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
  crypto_auth_hmacsha256_update(&st, body, len);
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[2 * sizeof mac + 1], given[2 * sizeof mac + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  const char *v = sig + 7;
  if (strlen(v) != sizeof hex - 1) return -1;
  for (size_t i = 0; i < sizeof hex; i++) given[i] = (char)tolower((unsigned char)v[i]);
  if (sodium_memcmp(given, hex, sizeof hex - 1) != 0) return -1;
  /* After the HMAC, so a forged timestamp cannot probe our clock. */
  long long skew = atoll(ts) - (long long)pa_clock_now();
  return skew > PA_CHATWOOT_SKEW_S || skew < -PA_CHATWOOT_SKEW_S ? -1 : 0;
}

static void apply_reply(pa_srv_req *rq, const pa_chatwoot_hook *h, int64_t conv, int64_t person) {
  int64_t now = pa_clock_now(), id = 0;
  int created = 0;
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK)
    rc = pa_store_chatwoot_reply(rq->db, conv, h->message, h->content, now, &id, &created);
  if (rc == PA_STORE_OK && created && !pa_support_connected(rq->srv, person)) {
    char detail[64];
    snprintf(detail, sizeof detail, "{\"conversation\":\"sc_%lld\"}", (long long)conv);
    pa_store_notice_new n = {.user = person, .kind = "support_reply", .detail = detail, .at = now};
    rc = pa_store_notifications_add_notice(rq->db, &n, NULL);
  }
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "chatwoot reply"); /* 500: Chatwoot sends it again */
    return;
  }
  pa_api_ok(rq);
  if (created) pa_support_tell_reply(rq, conv, person, id);
}

static void apply_status(pa_srv_req *rq, const pa_chatwoot_hook *h, int64_t conv, int64_t person) {
  int64_t now = pa_clock_now();
  int apply = 0;
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) rc = pa_store_chatwoot_status_at(rq->db, conv, h->at, &apply);
  /* Chatwoot's snooze has its own wake-up there: here it waits at most
   * the longest snooze we allow, and a reply or a person's message opens it. */
  if (rc == PA_STORE_OK && apply)
    rc = pa_store_support_set_state(rq->db, conv, h->status,
                                    strcmp(h->status, "snoozed") == 0 ? now + 30 * 86400 : 0, now);
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc == PA_STORE_ECONFLICT) {
    /* Reopening would give the person two unresolved conversations: the
     * newer one stands; nothing to apply. */
    pa_store_rollback(rq->db);
    pa_api_ok(rq);
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "chatwoot status");
    return;
  }
  pa_api_ok(rq);
  if (apply) pa_support_tell_state(rq, conv, person, h->status);
}

void pa_api_webhook_chatwoot(pa_srv_req *rq) {
  const pa_chatwoot_config *cfg = pa_chatwoot_config_get();
  if (!cfg || !cfg->hook_token[0] || !same_secret(rq->token, cfg->hook_token)) {
    PA_NOT_FOUND(rq, "No such webhook");
    return;
  }
  unsigned char *body;
  size_t len;
  if (pa_srv_body(rq, HOOK_BODY_MAX, &body, &len) != 0) return;
  if (cfg->hook_secret[0] && signature_ok(rq, cfg->hook_secret, body, len) != 0) {
    free(body);
    pa_log_event("warn", "chatwoot", "webhook refused: the signature does not verify");
    pa_api_error(rq, 401, "bad_signature", "The signature does not verify", NULL);
    return;
  }
  pa_chatwoot_hook *h = malloc(sizeof *h);
  const char *why = NULL;
  if (!h) {
    free(body);
    pa_api_internal(rq, "chatwoot webhook");
    return;
  }
  int bad = pa_chatwoot_hook_read((const char *)body, len, h, &why);
  free(body);
  if (bad) {
    free(h);
    pa_api_error(rq, 400, "bad_request", why, NULL);
    return;
  }
  int64_t conv = 0, person = 0;
  int rc = h->kind == PA_CHATWOOT_HOOK_OTHER
               ? PA_STORE_ENOTFOUND
               : pa_store_chatwoot_find(rq->db, h->conversation, &conv, &person);
  if (rc == PA_STORE_ENOTFOUND) {
    /* Not ours to apply (another inbox's conversation, an event we do not
     * use): acknowledged, so Chatwoot does not send it again. */
    free(h);
    pa_api_ok(rq);
    return;
  }
  if (rc != PA_STORE_OK) {
    free(h);
    pa_api_internal(rq, "chatwoot webhook");
    return;
  }
  if (h->kind == PA_CHATWOOT_HOOK_REPLY)
    apply_reply(rq, h, conv, person);
  else
    apply_status(rq, h, conv, person);
  free(h);
}
