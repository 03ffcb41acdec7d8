/* pa_push — the server's Web Push service: its VAPID identity, the
 * endpoint policy, the words of a push in a person's language, and the
 * worker thread that drains the durable queue (store/push.h) into the push
 * services (RFC 8030), never on a request's thread. */
#ifndef PA_PUSH_H
#define PA_PUSH_H

#include "push/crypto.h"
#include "push/sub.h"
#include "store/push.h"

#include <stddef.h>

enum {
  PA_PUSH_SUBS_MAX = 10,             /* subscriptions (devices) a person keeps */
  PA_PUSH_TTL_SECONDS = 24 * 3600,   /* how long a push service holds a push (TTL header) */
  PA_PUSH_ATTEMPTS_MAX = 6,          /* tries of one push before it is dropped */
  PA_PUSH_RETRY_BASE_SECONDS = 30,   /* first retry after 429/5xx; doubles each time */
  PA_PUSH_TICK_SECONDS = 1,          /* the worker looks at the queue this often */
  PA_PUSH_BATCH = 32,                /* pushes read from the queue per round */
  PA_PUSH_TIMEOUT_MS = 10000,        /* one POST to a push service, end to end */
  PA_PUSH_VAPID_SECONDS = 12 * 3600, /* a JWT's life (RFC 8292 allows up to 24 h) */
  PA_PUSH_TEXT_MAX = 400,            /* bytes of a push's title or body */
  PA_PUSH_PAYLOAD_MAX = 1500,        /* bytes of the JSON we encrypt */
  PA_PUSH_PAD_TO = 256, /* payloads are padded to a multiple of this (length hides kind) */
};

typedef struct pa_push pa_push;

/* The service from the environment: PA_VAPID_PRIVATE_KEY (base64url of the
 * P-256 scalar) or the key kept in data_dir/vapid-private-key (made once,
 * mode 0600); PA_VAPID_SUBJECT (mailto: or https:, the contact push
 * services see); PA_PUSH_SERVICE (the local stand-in's loopback origin).
 * site_root holds locales/<tag>.json. NULL with err on failure; freed by
 * pa_push_free. */
pa_push *pa_push_new(const char *data_dir, const char *site_root, char *err, size_t errlen);
void pa_push_free(pa_push *p);
/* The VAPID public key, base64url of the uncompressed point (the
 * applicationServerKey browsers subscribe with). */
const char *pa_push_public_key(const pa_push *p);
const pa_push_policy *pa_push_policy_get(const pa_push *p);

/* The JSON payload {title, body, url, tag} of item in locale into out (cap
 * bytes): words from the site's catalogs (en when the locale lacks them),
 * the screen to open as url. A chat push names the sender and nothing of
 * the message (the server cannot read it, and must not pretend to). */
int pa_push_payload(const pa_push *p, const pa_store_push_item *item, char *out, size_t cap);

/* One send: encrypts payload for the subscription in item, POSTs it with
 * the VAPID header; returns the push service's HTTP status, or 0 when it
 * could not be reached. */
int pa_push_send(const pa_push *p, const pa_store_push_item *item, const char *payload,
                 long long now);

/* One round of the push worker (a pa_worker, worker.h, every
 * PA_PUSH_TICK_SECONDS) on db: push is the server's pa_push. */
void pa_push_round(pa_store *db, void *push);
/* One round on db at now, for the worker and tests: sends what is due,
 * removes what was delivered or is gone, reschedules what may succeed later. */
void pa_push_work(pa_store *db, const pa_push *p, long long now);

#endif
