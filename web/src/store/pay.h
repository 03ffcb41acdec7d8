/* pa_store_pay — subscriptions, the ledger and the webhook queue.
 *
 * The ledger is append-only (the schemas' triggers refuse UPDATE and DELETE)
 * and double-entry: pa_store_pay_ledger_record writes a movement and its entries,
 * which sum to zero per currency, or nothing when the provider's movement is
 * already there. People appear in it through parties, whose tombstone stays
 * when the account goes. */
#ifndef PA_STORE_PAY_H
#define PA_STORE_PAY_H

#include "store/store.h"

#include <stddef.h>

enum {
  PA_STORE_PAY_ID_MAX = 96,   /* provider ids and keys, with the NUL */
  PA_STORE_PAY_URL_MAX = 512, /* approval URLs, with the NUL */
  PA_STORE_PAY_PLAN_MAX = 40  /* plan ids, without the NUL */
};

typedef struct pa_store_sub {
  int64_t id, user_id, party_id;
  char plan[PA_STORE_PAY_PLAN_MAX + 1];
  char provider[16]; /* "paypal", "mercadopago" */
  char country[3], currency[4];
  int64_t amount_minor;
  int months;
  int once; /* kind 'once': paid once (an order), never renewed */
  char idem_key[PA_STORE_PAY_ID_MAX];
  char
      provider_id[PA_STORE_PAY_ID_MAX]; /* "" until the provider made it; an order's id when once */
  char approve_url[PA_STORE_PAY_URL_MAX];
  /* unreachable | pending | declined | abandoned | active | suspended | cancelled | expired */
  char status[16];
  int cancel_at_period_end;
  int64_t next_charge_at, failed_at; /* 0 when none */
  int64_t checked_at, created_at, updated_at;
  int64_t version; /* bumped by every update: see pa_store_pay_subs_update */
} pa_store_sub;

/* The party of user, made (with tombstone, a fresh random text) on first use. */
int pa_store_pay_party(pa_store *db, int64_t user, const char *tombstone, int64_t *party);

/* Locks user's row for the rest of the transaction (PostgreSQL: FOR UPDATE;
 * SQLite's write transaction holds the whole database already). Billing
 * takes it first, as account deletion does (the row, then what cascades from
 * it), so the two never wait on each other in opposite orders. ENOTFOUND
 * when the user is gone. */
int pa_store_pay_lock_user(pa_store *db, int64_t user);

/* Adds s (its id is ignored) and sets *id. */
int pa_store_pay_subs_add(pa_store *db, const pa_store_sub *s, int64_t *id);
/* PA_STORE_ENOTFOUND when there is none. */
int pa_store_pay_subs_get(pa_store *db, int64_t id, pa_store_sub *out);
int pa_store_pay_subs_by_provider_id(pa_store *db, const char *provider, const char *provider_id,
                                     pa_store_sub *out);
/* The person's subscription that Billing shows: the newest that got past
 * approval (active, suspended, cancelled, expired); ENOTFOUND when none. */
int pa_store_pay_subs_current(pa_store *db, int64_t user, pa_store_sub *out);
/* Writes s's provider_id, approve_url, status, cancel_at_period_end,
 * next_charge_at, failed_at, checked_at and updated_at, if the row is still
 * at s->version (then bumps both); PA_STORE_ECONFLICT when someone wrote it
 * since s was read (a webhook and the person acting at once): re-read,
 * redo, write again. */
int pa_store_pay_subs_update(pa_store *db, pa_store_sub *s);
/* Reads up to cap subscriptions still open (unreachable, pending, active,
 * suspended) whose checked_at is before before, oldest check first, into
 * out[0..*n); with user > 0, the open ones of that user instead. */
int pa_store_pay_subs_open(pa_store *db, int64_t user, int64_t before, pa_store_sub *out, int cap,
                           int *n);

/* ---- the ledger */

typedef struct pa_store_txn {
  const char *provider, *provider_txn, *kind; /* kind: charge | refund | chargeback */
  const char *parent_txn;                     /* refunds, chargebacks: the charge; else NULL */
  int64_t party_id, subscription_id;          /* subscription 0 for none */
  const char *plan;
  int months;
  const char *currency;
  int64_t gross_minor, fee_minor, occurred_at, recorded_at;
} pa_store_txn;

/* Records t and its balanced entries (below) in the caller's transaction;
 * *added is 0 when the provider's movement was recorded before (then nothing
 * is written). Entries: a charge debits provider:<p> with gross - fee and
 * fees:<p> with fee, and credits revenue:<plan>; a refund or chargeback
 * debits refunds:<plan> or chargebacks:<plan> and credits provider:<p>. */
int pa_store_pay_ledger_record(pa_store *db, const pa_store_txn *t, int *added);

/* The subscription a recorded movement belongs to (a refund or chargeback
 * names only its charge); ENOTFOUND when that movement is not recorded. */
int pa_store_pay_ledger_txn_sub(pa_store *db, const char *provider, const char *provider_txn,
                                int64_t *subscription);

/* What is left of charge provider_txn after its refunds and chargebacks;
 * ENOTFOUND when that charge is not recorded. */
int pa_store_pay_ledger_left(pa_store *db, const char *provider, const char *provider_txn,
                             int64_t *left);

/* Calls fn for each charge of party that no chargeback and no full refund
 * reversed: when and for how many months. */
int pa_store_pay_ledger_live_charges(pa_store *db, int64_t party,
                                     int (*fn)(void *ctx, int64_t at, int months), void *ctx);

typedef struct pa_store_receipt {
  int64_t id, at, gross_minor, fee_minor;
  const char *kind, *provider, *plan, *currency; /* valid during the callback */
} pa_store_receipt;
/* The party's movements, newest first, up to limit. */
int pa_store_pay_ledger_receipts(pa_store *db, int64_t party, int limit,
                                 int (*fn)(void *ctx, const pa_store_receipt *r), void *ctx);

/* Caches what the person's payments grant (users.plus_until, Unix seconds). */
int pa_store_pay_set_plus_until(pa_store *db, int64_t user, int64_t until);
int pa_store_pay_plus_until(pa_store *db, int64_t user, int64_t *until);
/* The people whose plus_until passed between after and upto (they lost Plus
 * then) and who have no downgrade notice since it, for that notice. */
int pa_store_pay_lapsed(pa_store *db, int64_t after, int64_t upto,
                        int (*fn)(void *ctx, int64_t user), void *ctx);

/* When the downgrade sweep last ran (0 before the first). */
int pa_store_pay_swept(pa_store *db, int64_t *at);
int pa_store_pay_set_swept(pa_store *db, int64_t at);

/* Billing notices: "renewal_failed", "downgraded". */
int pa_store_pay_notice_add(pa_store *db, int64_t user, const char *kind, int64_t at);
/* The person's notices newest first, up to limit. */
int pa_store_pay_notices(pa_store *db, int64_t user, int limit,
                         int (*fn)(void *ctx, const char *kind, int64_t at), void *ctx);

/* ---- the webhook queue */

typedef struct pa_store_pay_event {
  int64_t id;
  char provider[16];
  char event_id[PA_STORE_PAY_ID_MAX];
  unsigned char *body; /* the caller frees it (free) */
  size_t len;
  char *query; /* NULL or the caller frees it */
  int attempts;
} pa_store_pay_event;

/* Queues a verified event; *added 0 when (provider, event_id) was seen before. */
int pa_store_pay_event_add(pa_store *db, const char *provider, const char *event_id,
                           const unsigned char *body, size_t len, const char *query, int64_t now,
                           int *added);
/* The oldest event due at now, or ENOTFOUND. Allocates out->body and
 * out->query, which the caller frees. */
int pa_store_pay_event_next(pa_store *db, int64_t now, pa_store_pay_event *out);
/* Marks it applied, or due again at next_at. */
int pa_store_pay_event_done(pa_store *db, int64_t id, int64_t now);
int pa_store_pay_event_retry(pa_store *db, int64_t id, int64_t next_at);
/* Forgets applied events received before before (their ids are needed only
 * while the provider may still resend them). */
int pa_store_pay_events_prune(pa_store *db, int64_t before);
/* The queued webhooks not applied yet (the billing queue's depth). */
int pa_store_pay_events_pending(pa_store *db, int64_t *n);

#endif
