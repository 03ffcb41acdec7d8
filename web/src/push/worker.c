/* pa_push_round and pa_push_work: a round of the push worker. */
#include "clock.h"
#include "log.h"
#include "push/push.h"
#include "store/notifications.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A due push copied out of the query, so the sends (seconds each, at worst)
 * run with no statement open. */
typedef struct due {
  pa_store_push_item it;
  char endpoint[PA_PUSH_ENDPOINT_MAX + 1], locale[PA_PUSH_LOCALE_MAX + 1], source[16], kind[32];
  char name[96], handle[40];
  char detail[PA_STORE_NOTICE_DETAIL_MAX + 1]; /* a notice's: the order it names */
} due;

typedef struct batch {
  due *d;
  int n;
} batch;

static int collect(void *ctx, const pa_store_push_item *it) {
  batch *b = ctx;
  due *d = &b->d[b->n++];
  d->it = *it;
#define COPY(dst, src) snprintf(dst, sizeof dst, "%s", src ? src : "")
  COPY(d->endpoint, it->endpoint);
  COPY(d->locale, it->locale);
  COPY(d->source, it->source);
  COPY(d->kind, it->n_kind);
  COPY(d->name, it->actor_name);
  COPY(d->handle, it->actor_handle);
  COPY(d->detail, it->detail);
#undef COPY
  d->it.endpoint = d->endpoint, d->it.locale = d->locale, d->it.source = d->source;
  d->it.n_kind = d->kind, d->it.actor_name = d->name, d->it.actor_handle = d->handle;
  d->it.detail = d->detail;
  return 0;
}

void pa_push_work(pa_store *db, const pa_push *p, long long now) {
  due *d = calloc(PA_PUSH_BATCH, sizeof *d);
  if (!d) return;
  batch b = {d, 0};
  if (pa_store_push_due(db, now, PA_PUSH_BATCH, collect, &b) != PA_STORE_OK)
    pa_log_event("error", "push", "cannot read the queue: %s", pa_store_errmsg(db));
  for (int i = 0; i < b.n; i++) {
    const pa_store_push_item *it = &d[i].it;
    char payload[PA_PUSH_PAYLOAD_MAX + 64];
    if (it->gone) { /* unliked, deleted: nothing to tell any more */
      pa_store_push_done(db, it->id);
      continue;
    }
    if (pa_push_payload(p, it, payload, sizeof payload) != PA_PUSH_OK) {
      pa_log_event("error", "push", "no words for kind %s: dropped", it->n_kind);
      pa_store_push_done(db, it->id);
      continue;
    }
    int status = pa_push_send(p, it, payload, now);
    if (status >= 200 && status < 300) {
      pa_store_push_done(db, it->id);
    } else if (status == 404 || status == 410) {
      /* RFC 8030 §7.3: the subscription expired or was unsubscribed. */
      pa_store_push_gone(db, it->subscription_id);
    } else if ((status == 0 || status == 429 || status >= 500) &&
               it->attempts + 1 < PA_PUSH_ATTEMPTS_MAX) {
      long long wait = (long long)PA_PUSH_RETRY_BASE_SECONDS << it->attempts;
      pa_store_push_retry(db, it->id, it->attempts + 1, now + wait);
    } else {
      pa_log_event("warn", "push", "push service answered %d after %lld tries: dropped", status,
                   (long long)it->attempts + 1);
      pa_store_push_done(db, it->id);
    }
  }
  free(d);
}

void pa_push_round(pa_store *db, void *push) { pa_push_work(db, push, pa_clock_now()); }
