/* pa_store_reviews: reviews of orders and their replies (store/reviews.h). */
#include "store/reviews.h"

#include "store/sql/sql.h"
#include "store/sql/visible.h"

/* The columns review_row reads, for market_reviews aliased r and the
 * buyer's users row aliased u (LEFT JOIN). */
#define REVIEW_COLS                                                                                \
  "r.id, r.order_id, r.seller_id, r.buyer_id, r.rating, r.mod_state, r.text, r.reply,"             \
  " r.replied_at, r.created_at, u.name"
#define REVIEW_FROM " FROM market_reviews r LEFT JOIN users u ON u.id = r.buyer_id"

static void review_row(pa_sql_stmt *st, pa_store_review *r) {
  const char *reply = pa_sq_text(st, 7), *name = pa_sq_text(st, 10), *text = pa_sq_text(st, 6);
  r->id = pa_sq_i64(st, 0);
  r->order_id = pa_sq_i64(st, 1);
  r->seller_id = pa_sq_i64(st, 2);
  r->buyer_id = pa_sq_i64(st, 3);
  r->rating = (int)pa_sq_i64(st, 4);
  r->mod_state = (int)pa_sq_i64(st, 5);
  r->text = text ? text : "";
  r->has_reply = !pa_sq_null(st, 7);
  r->reply = reply ? reply : "";
  r->replied_at = pa_sq_i64(st, 8);
  r->created_at = pa_sq_i64(st, 9);
  r->buyer_name = name ? name : "";
}

typedef struct row_ctx {
  pa_store_review_fn fn;
  void *ctx;
} row_ctx;

static int each_row(void *ctx, pa_sql_stmt *st) {
  row_ctx *c = ctx;
  pa_store_review r;
  review_row(st, &r);
  return c->fn(c->ctx, &r);
}

int pa_store_reviews_add(pa_store *db, int64_t order, int64_t seller, int64_t buyer, int rating,
                         const char *text, int64_t now, int64_t *id) {
  int64_t found = 0;
  /* The unique index has the last word; this only names the refusal. */
  int rc =
      pa_sq_scalar_i64(db, "SELECT id FROM market_reviews WHERE order_id = ?1", 1, &order, &found);
  if (rc == PA_STORE_OK) return PA_STORE_ECONFLICT;
  if (rc != PA_STORE_ENOTFOUND) return rc;
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO market_reviews (order_id, seller_id, buyer_id, rating, text,"
                     " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_i64(st, 1, order);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, seller);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 3, buyer);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 4, rating);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 5, text);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 6, now);
  return pa_sq_run(db, st, b, "add review", id, NULL);
}

static int one(pa_store *db, const char *sql, int64_t arg, pa_store_review_fn fn, void *ctx,
               const char *what) {
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, arg);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int out;
  if (rc == PA_SQ_ROW) {
    pa_store_review r;
    review_row(st, &r);
    out = fn(ctx, &r) ? PA_STORE_EABORT : PA_STORE_OK;
  } else {
    out = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : pa_sq_fail(db, what);
  }
  pa_sq_done(st);
  return out;
}

int pa_store_reviews_of_order(pa_store *db, int64_t order, pa_store_review_fn fn, void *ctx) {
  return one(db, "SELECT " REVIEW_COLS REVIEW_FROM " WHERE r.order_id = ?1", order, fn, ctx,
             "review of order");
}

int pa_store_reviews_get(pa_store *db, int64_t id, pa_store_review_fn fn, void *ctx) {
  return one(db, "SELECT " REVIEW_COLS REVIEW_FROM " WHERE r.id = ?1", id, fn, ctx, "review");
}

int pa_store_reviews_reply(pa_store *db, int64_t order, const char *reply, int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE market_reviews SET reply = ?2, replied_at = ?3"
                                   " WHERE order_id = ?1 AND reply IS NULL");
  if (!st) return PA_STORE_EDB;
  int changed = 0;
  int b = pa_sq_bind_i64(st, 1, order);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, reply);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 3, now);
  int rc = pa_sq_run(db, st, b, "reply to review", NULL, &changed);
  if (rc != PA_STORE_OK || changed) return rc;
  /* Nothing changed: no review, or one answered already (the first reply stays). */
  int64_t found;
  rc = pa_sq_scalar_i64(db, "SELECT id FROM market_reviews WHERE order_id = ?1", 1, &order, &found);
  return rc == PA_STORE_OK ? PA_STORE_ECONFLICT : rc;
}

int pa_store_reviews_mod_set(pa_store *db, int64_t id, int state) {
  int64_t a[2] = {id, state};
  int changed = 0;
  int rc =
      pa_sq_exec_i64(db, "UPDATE market_reviews SET mod_state = ?2 WHERE id = ?1", 2, a, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_reviews_summary(pa_store *db, int64_t seller, int64_t *count, int64_t *sum) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT count(*), coalesce(sum(rating), 0) FROM market_reviews"
                                   " WHERE seller_id = ?1 AND mod_state = 0");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, seller);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    *count = pa_sq_i64(st, 0);
    *sum = pa_sq_i64(st, 1);
  }
  pa_sq_done(st);
  return rc == PA_SQ_ROW ? PA_STORE_OK : pa_sq_fail(db, "review summary");
}

int pa_store_reviews_list(pa_store *db, int64_t seller, int64_t viewer,
                          const pa_store_cursor *after, int limit, pa_store_review_fn fn, void *ctx,
                          pa_store_cursor *next, int *more) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT " REVIEW_COLS REVIEW_FROM " WHERE r.seller_id = ?1 AND r.mod_state = 0"
                     " AND (r.created_at, r.id) < (?2, ?3) AND " PA_SQ_NOT_BLOCKED(
                         "?5", "r.buyer_id") " ORDER BY r.created_at DESC, r.id DESC LIMIT ?4");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, seller);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_page(st, 2, after, limit);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, viewer);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "reviews");
  }
  row_ctx c = {fn, ctx};
  return pa_sq_page(db, st, limit, each_row, &c, 9, 0, next, more, "reviews");
}
