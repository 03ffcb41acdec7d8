/* pa_store_reviews — reviews of marketplace orders and their sellers'
 * replies (issue 20, item 6; web/README.md, "Marketplace"; schema version
 * 27). The rules (who, when, the limits) are the handler's and
 * market_order.h's; this keeps them. */
#ifndef PA_STORE_REVIEWS_H
#define PA_STORE_REVIEWS_H

#include "store/store.h"

typedef struct pa_store_review {
  int64_t id, order_id, seller_id, buyer_id;
  int rating, mod_state; /* mod_state: PA_STORE_MOD_SHOWN, _HIDDEN or _REMOVED */
  int has_reply;
  int64_t created_at, replied_at;
  const char *text, *reply; /* valid in the callback only; reply "" when none */
  const char *buyer_name;   /* "" when the account is gone */
} pa_store_review;
typedef int (*pa_store_review_fn)(void *ctx, const pa_store_review *r);

/* Adds the review of order (its seller and buyer copied) at now; *id its
 * number. PA_STORE_ECONFLICT when the order has one already. */
int pa_store_reviews_add(pa_store *db, int64_t order, int64_t seller, int64_t buyer, int rating,
                         const char *text, int64_t now, int64_t *id);
/* The review of order into fn; PA_STORE_ENOTFOUND when none. */
int pa_store_reviews_of_order(pa_store *db, int64_t order, pa_store_review_fn fn, void *ctx);
/* Review id into fn whatever its state; PA_STORE_ENOTFOUND when none. */
int pa_store_reviews_get(pa_store *db, int64_t id, pa_store_review_fn fn, void *ctx);
/* Sets the reply of order's review at now, once: PA_STORE_ECONFLICT when it
 * has one, PA_STORE_ENOTFOUND when there is no review. */
int pa_store_reviews_reply(pa_store *db, int64_t order, const char *reply, int64_t now);
/* A moderator's state for review id; PA_STORE_ENOTFOUND when none. */
int pa_store_reviews_mod_set(pa_store *db, int64_t id, int state);
/* seller's shown reviews: how many and the sum of their ratings. */
int pa_store_reviews_summary(pa_store *db, int64_t seller, int64_t *count, int64_t *sum);
/* seller's shown reviews as viewer sees them (none by a person in a block
 * with viewer, either way), newest first, paged. */
int pa_store_reviews_list(pa_store *db, int64_t seller, int64_t viewer,
                          const pa_store_cursor *after, int limit, pa_store_review_fn fn, void *ctx,
                          pa_store_cursor *next, int *more);

#endif
