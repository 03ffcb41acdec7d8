/* pa_chatwoot — mirroring support conversations to a Chatwoot instance
 * (issue 23; web/README.md "Chatwoot"), through its documented Application
 * API (api_access_token header):
 *
 *   the person    → a contact, identifier "u_N" (name only, no e-mail), and
 *                   a contact inbox in PA_CHATWOOT_INBOX with our own
 *                   source_id "petamigos-u_N";
 *   a conversation → a Chatwoot conversation (custom attribute
 *                   petamigos_conversation "sc_N");
 *   the person's messages → incoming messages; the assistant's transcript
 *                   lines → private notes ("Assistant: …"), each with
 *                   source_id "petamigos-sm_N".
 *
 * Messages go through the outbox (store/chatwoot.h) drained by a worker with
 * back-off. A retry never duplicates: after a failed try it looks up before
 * it creates (the contact by identifier, the conversation by its custom
 * attribute, the message by its source_id), because a failure may have come
 * after Chatwoot created the thing. Replies and status changes come back by
 * Chatwoot's webhook (api/chatwoot.c). */
#ifndef PA_CHATWOOT_MIRROR_H
#define PA_CHATWOOT_MIRROR_H

#include "store/store.h"

#include <stddef.h>

enum {
  PA_CHATWOOT_BATCH = 16,         /* outbox items a round takes */
  PA_CHATWOOT_TICK_SECONDS = 1,   /* the worker looks at the outbox this often */
  PA_CHATWOOT_RETRY_BASE_S = 1,   /* first retry after a failure; doubles each time */
  PA_CHATWOOT_RETRY_MAX_S = 3600, /* the back-off stops growing here */
  PA_CHATWOOT_ATTEMPTS_MAX = 12,  /* tries before an item is dropped (logged) */
  PA_CHATWOOT_TIMEOUT_MS = 10000, /* one API call */
  PA_CHATWOOT_URL_MAX = 512,      /* bytes of PA_CHATWOOT_URL */
  PA_CHATWOOT_SECRET_MAX = 128,   /* bytes of a token or secret from the environment */
  PA_CHATWOOT_SKEW_S = 300,       /* a signed webhook's timestamp from our clock, at most */
  /* PA_CHATWOOT_WEBHOOK_TOKEN: bytes of [A-Za-z0-9_-]; outside, the webhook
   * is off (logged). The most is the router's longest {code} segment. */
  PA_CHATWOOT_HOOK_TOKEN_MIN = 16,
  PA_CHATWOOT_HOOK_TOKEN_MAX = 43,
};

typedef struct pa_chatwoot_config {
  char url[PA_CHATWOOT_URL_MAX + 1];            /* PA_CHATWOOT_URL, no trailing '/' */
  char token[PA_CHATWOOT_SECRET_MAX + 1];       /* PA_CHATWOOT_TOKEN (api_access_token) */
  long long account, inbox;                     /* PA_CHATWOOT_ACCOUNT, PA_CHATWOOT_INBOX */
  char hook_token[PA_CHATWOOT_SECRET_MAX + 1];  /* PA_CHATWOOT_WEBHOOK_TOKEN ("": no webhook) */
  char hook_secret[PA_CHATWOOT_SECRET_MAX + 1]; /* PA_CHATWOOT_WEBHOOK_SECRET ("": unsigned) */
} pa_chatwoot_config;

/* The configuration read from the environment once; NULL when the mirror is
 * off (one of URL, TOKEN, ACCOUNT, INBOX missing or malformed). */
const pa_chatwoot_config *pa_chatwoot_config_get(void);
/* 1 when the mirror is on. */
int pa_chatwoot_enabled(void);

/* One round of the worker at now on db (cfg: pa_chatwoot_config_get()). */
void pa_chatwoot_work(pa_store *db, const pa_chatwoot_config *cfg, long long now);
/* The worker's round (pa_worker_round_fn; ctx unused). */
void pa_chatwoot_round(pa_store *db, void *ctx);

struct pa_srv;
/* Asks the server's mirror worker for a round now (a message was queued);
 * nothing when the mirror is off. */
void pa_chatwoot_wake(const struct pa_srv *srv);

#endif
