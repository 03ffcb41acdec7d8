/* pa_store_push — Web Push subscriptions (one per browser, tied to the
 * session that made it, so signing out ends it) and the durable queue of
 * pushes to send. The queue is filled by the database itself (schema 13
 * triggers on notifications, notices and chat_messages), in the same
 * transaction as what it tells; the push worker (push/worker.h) drains it. */
#ifndef PA_STORE_PUSH_H
#define PA_STORE_PUSH_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_STORE_PUSH_ENDPOINT_MAX = 1024, /* bytes of an endpoint URL (the schema's CHECK) */
  PA_STORE_PUSH_LOCALE_MAX = 15,     /* bytes of a locale tag ("zh-Hans", "en-XA") */
};

/* Adds (or takes over, when another session had the same endpoint: a
 * browser has one) the subscription of session for user, then removes the
 * user's oldest ones beyond max (a person's devices, oldest first, are
 * forgotten: a new phone should work without cleaning up the lost one).
 * *id (optional) gets its id. Runs in its own transaction. */
int pa_store_push_subscribe(pa_store *db, int64_t user, int64_t session, const char *endpoint,
                            const uint8_t p256dh[65], const uint8_t auth[16], const char *locale,
                            int64_t now, int max, int64_t *id);
/* Removes session's subscriptions; *removed (optional) counts them. */
int pa_store_push_unsubscribe(pa_store *db, int64_t session, int *removed);

/* A due push, with what it tells. Strings valid during the callback. */
typedef struct pa_store_push_item {
  int64_t id, subscription_id, attempts;
  const char *endpoint, *locale;
  uint8_t p256dh[65], auth[16];
  /* "notification": n_kind like|comment|reply|follow|pet_follow; "notice":
   * the notice's kind; "chat": n_kind "chat". */
  const char *source, *n_kind;
  const char *actor_name, *actor_handle; /* "" when the row names nobody */
  int64_t post_id, actor_id;             /* 0 when none */
  const char *detail; /* a notice's detail JSON ("{}" for the others): an order's id */
  int gone;           /* the row it tells of no longer exists (an unlike, a deletion) */
} pa_store_push_item;

typedef int (*pa_store_push_fn)(void *ctx, const pa_store_push_item *it);
/* The pushes due at now, oldest first, at most limit. */
int pa_store_push_due(pa_store *db, int64_t now, int limit, pa_store_push_fn fn, void *ctx);
/* A push was delivered or will never be: removed from the queue. */
int pa_store_push_done(pa_store *db, int64_t id);
/* A push to try again at next_at, after attempts tries. */
int pa_store_push_retry(pa_store *db, int64_t id, int64_t attempts, int64_t next_at);
/* The push service said the subscription is gone (404/410): removed with its queue. */
int pa_store_push_gone(pa_store *db, int64_t subscription_id);

#endif
