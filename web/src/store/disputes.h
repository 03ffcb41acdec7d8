/* pa_store_disputes — an order's refund request and dispute (its claim)
 * and the messages between its buyer and seller (issue 20, section 4;
 * web/README.md, "Marketplace"; schema version 28). The rules (which claim
 * state follows which, the limits) are market_order.h's; the money moves
 * in orders.c. One claim per order: a buyer asks once. */
#ifndef PA_STORE_DISPUTES_H
#define PA_STORE_DISPUTES_H

#include "market_order.h"
#include "store/store.h"

typedef struct pa_store_claim {
  int64_t order_id;
  int state; /* pa_market_claim_state */
  char reason[PA_MARKET_CAP(PA_CLAIM_TEXT_MAX)];
  char decline_reason[PA_MARKET_CAP(PA_CLAIM_TEXT_MAX)]; /* "" when none */
  char dispute_text[PA_MARKET_CAP(PA_CLAIM_TEXT_MAX)];   /* "" when none */
  char seller_answer[PA_MARKET_CAP(PA_CLAIM_TEXT_MAX)];  /* "" when none */
  char decision[8];                                      /* "refund", "release" or "" */
  char note[PA_MARKET_CAP(PA_CLAIM_NOTE_MAX)];
  int64_t decided_by; /* the moderator (0: none, or their account is gone) */
  int64_t requested_at, answered_at, disputed_at, seller_answered_at, closed_at; /* 0: not yet */
} pa_store_claim;

/* The claim of order into *c; PA_STORE_ENOTFOUND when there is none. */
int pa_store_disputes_claim_get(pa_store *db, int64_t order, pa_store_claim *c);
/* A refund request of order with reason at now; PA_STORE_ECONFLICT when the
 * order has a claim already. */
int pa_store_disputes_claim_request(pa_store *db, int64_t order, const char *reason, int64_t now);
/* The seller's decline of a requested claim; *moved 0 when it was not
 * requested any more (whoever moved it first won). */
int pa_store_disputes_claim_decline(pa_store *db, int64_t order, const char *reason, int64_t now,
                                    int *moved);
/* The buyer's dispute: from declined, or from requested when it was asked
 * at silent_before or earlier (the seller did not answer in time). */
int pa_store_disputes_claim_dispute(pa_store *db, int64_t order, const char *text, int64_t now,
                                    int64_t silent_before, int *moved);
/* The seller's one answer to a dispute; *moved 0 when it is not disputed or
 * was answered already. */
int pa_store_disputes_claim_answer(pa_store *db, int64_t order, const char *text, int64_t now,
                                   int *moved);
/* Closes a claim in state from as to (refunded or released), with the
 * moderator's decision ("refund", "release"; NULL when the seller accepted),
 * note and id (0: none). */
int pa_store_disputes_claim_close(pa_store *db, int64_t order, int from, int to,
                                  const char *decision, const char *note, int64_t by, int64_t now,
                                  int *moved);

/* ---- order messages */

typedef struct pa_store_order_message {
  int64_t id, order_id, author_id, created_at;
  const char *body; /* valid in the callback only */
} pa_store_order_message;
typedef int (*pa_store_order_message_fn)(void *ctx, const pa_store_order_message *m);

/* Adds author's message to order at now; *id its number. */
int pa_store_disputes_message_add(pa_store *db, int64_t order, int64_t author, const char *body,
                                  int64_t now, int64_t *id);
/* order's messages, newest first, paged (after NULL: from the newest). */
int pa_store_disputes_messages(pa_store *db, int64_t order, const pa_store_cursor *after, int limit,
                               pa_store_order_message_fn fn, void *ctx, pa_store_cursor *next,
                               int *more);

#endif
