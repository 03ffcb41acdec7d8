/* pa_store_market: the marketplace's sellers and listings (store/market.h). */
#include "store/market.h"

#include "search/search.h"
#include "store/moderation.h"
#include "store/sql/sql.h"
#include "store/sql/visible.h"
#include "store/textindex.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy(char *out, size_t cap, const char *s) { snprintf(out, cap, "%s", s ? s : ""); }

/* ---- sellers */

int pa_store_market_seller_get(pa_store *db, int64_t user, pa_store_market_seller *out) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT name, provider, paypal_email, mp_connected, created_at,"
                                   " updated_at FROM sellers WHERE user_id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    memset(out, 0, sizeof *out);
    out->user_id = user;
    copy(out->s.name, sizeof out->s.name, pa_sq_text(st, 0));
    const char *prov = pa_sq_text(st, 1);
    out->s.provider =
        prov && strcmp(prov, "paypal") == 0 ? PA_MARKET_PAYPAL : PA_MARKET_MERCADOPAGO;
    copy(out->s.email, sizeof out->s.email, pa_sq_text(st, 2));
    out->connected = (int)pa_sq_i64(st, 3);
    out->created_at = pa_sq_i64(st, 4);
    out->updated_at = pa_sq_i64(st, 5);
  }
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "seller");
}

int pa_store_market_seller_put(pa_store *db, int64_t user, const pa_market_seller *s, int64_t now) {
  /* The connection stays only while the payout account is the same
   * Mercado Pago one. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO sellers (user_id, name, provider, paypal_email, mp_connected, created_at,"
          " updated_at) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?5)"
          " ON CONFLICT (user_id) DO UPDATE SET name = excluded.name,"
          " provider = excluded.provider, paypal_email = excluded.paypal_email,"
          " mp_connected = CASE WHEN sellers.provider = excluded.provider"
          " AND excluded.provider = 'mercadopago' THEN sellers.mp_connected ELSE 0 END,"
          " updated_at = excluded.updated_at");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, s->name);
  if (rc == PA_SQ_OK)
    rc = pa_sq_bind_text(st, 3, s->provider == PA_MARKET_PAYPAL ? "paypal" : "mercadopago");
  if (rc == PA_SQ_OK)
    rc =
        s->provider == PA_MARKET_PAYPAL ? pa_sq_bind_text(st, 4, s->email) : pa_sq_bind_null(st, 4);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, now);
  rc = pa_sq_run(db, st, rc, "put seller", NULL, NULL);
  /* A dropped connection takes its grant: no token outlives it. */
  return rc == PA_STORE_OK ? pa_sq_exec_i64(db,
                                            "DELETE FROM mp_grants WHERE user_id = ?1 AND NOT"
                                            " EXISTS (SELECT 1 FROM sellers WHERE user_id = ?1"
                                            " AND mp_connected = 1)",
                                            1, &user, NULL)
                           : rc;
}

/* ---- Mercado Pago connection */

int pa_store_market_mp_state_put(pa_store *db, int64_t user, int64_t session,
                                 const uint8_t hash[PA_STORE_MP_STATE_HASH], int64_t expires_at) {
  int rc = pa_sq_exec_i64(db, "DELETE FROM mp_connect_states WHERE user_id = ?1", 1, &user, NULL);
  if (rc != PA_STORE_OK) return rc;
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO mp_connect_states (state_hash, user_id,"
                                   " session_id, expires_at) VALUES (?1, ?2, ?3, ?4)");
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_blob(st, 1, hash, PA_STORE_MP_STATE_HASH);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, user);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 3, session);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 4, expires_at);
  return pa_sq_run(db, st, b, "put connection state", NULL, NULL);
}

int pa_store_market_mp_state_take(pa_store *db, int64_t user, int64_t session,
                                  const uint8_t hash[PA_STORE_MP_STATE_HASH], int64_t now) {
  int64_t a[2] = {user, now};
  int rc = pa_sq_exec_i64(
      db, "DELETE FROM mp_connect_states WHERE user_id = ?1 AND expires_at <= ?2", 2, a, NULL);
  if (rc != PA_STORE_OK) return rc;
  /* One DELETE: of two callbacks with the same state, one takes it. */
  pa_sql_stmt *st = pa_sq_stmt(db, "DELETE FROM mp_connect_states WHERE state_hash = ?1"
                                   " AND user_id = ?2 AND session_id = ?3 AND expires_at > ?4");
  if (!st) return PA_STORE_EDB;
  int changed = 0, b = pa_sq_bind_blob(st, 1, hash, PA_STORE_MP_STATE_HASH);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, user);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 3, session);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 4, now);
  rc = pa_sq_run(db, st, b, "take connection state", NULL, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

static void copy_blob(pa_sql_stmt *st, int col, uint8_t *out, size_t *len) {
  size_t n = 0;
  const unsigned char *p = pa_sq_blob(st, col, &n);
  *len = p && n <= PA_STORE_MP_SEALED_MAX ? n : 0;
  if (*len) memcpy(out, p, n);
}

int pa_store_market_mp_grant_get(pa_store *db, int64_t user, pa_store_market_mp_grant *out) {
  /* Only a connected Mercado Pago seller's: a grant a provider change
   * left behind (seller_put erases it after) is never used. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT g.mp_user_id, g.access, g.refresh, g.expires_at, g.generation, g.updated_at"
          " FROM mp_grants g JOIN sellers s ON s.user_id = g.user_id AND s.mp_connected = 1"
          " AND s.provider = 'mercadopago' WHERE g.user_id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    memset(out, 0, sizeof *out);
    copy(out->mp_user_id, sizeof out->mp_user_id, pa_sq_text(st, 0));
    copy_blob(st, 1, out->access, &out->access_len);
    copy_blob(st, 2, out->refresh, &out->refresh_len);
    out->expires_at = pa_sq_i64(st, 3);
    out->generation = pa_sq_i64(st, 4);
    out->updated_at = pa_sq_i64(st, 5);
  }
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "mercado pago grant");
}

int pa_store_market_mp_seller_of(pa_store *db, const char *mp_user_id, int64_t *user) {
  /* mp_grants_mp_user (schema 28) finds the grant: every Mercado Pago
   * notification asks this. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT g.user_id FROM mp_grants g JOIN sellers s ON s.user_id = g.user_id"
          " AND s.mp_connected = 1 AND s.provider = 'mercadopago' WHERE g.mp_user_id = ?1"
          " ORDER BY g.user_id LIMIT 1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, mp_user_id);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) *user = pa_sq_i64(st, 0);
  pa_sq_done(st);
  return rc == PA_SQ_ROW    ? PA_STORE_OK
         : rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND
                            : pa_sq_fail(db, "mercado pago seller");
}

int pa_store_market_mp_grant_put(pa_store *db, int64_t user, const pa_store_market_mp_grant *g,
                                 int64_t generation, int64_t now) {
  int rc = pa_store_market_seller_connect(db, user, 1, now);
  if (rc != PA_STORE_OK) return rc;
  /* ?7: the generation the caller read (0: any). The upsert's WHERE makes
   * a stale save change nothing. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO mp_grants (user_id, mp_user_id, access, refresh, expires_at, generation,"
          " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6) ON CONFLICT (user_id) DO UPDATE SET"
          " mp_user_id = excluded.mp_user_id, access = excluded.access,"
          " refresh = excluded.refresh, expires_at = excluded.expires_at,"
          " generation = mp_grants.generation + 1, updated_at = excluded.updated_at"
          " WHERE ?7 = 0 OR mp_grants.generation = ?7");
  if (!st) return PA_STORE_EDB;
  int changed = 0, b = pa_sq_bind_i64(st, 1, user);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, g->mp_user_id);
  if (b == PA_SQ_OK) b = pa_sq_bind_blob(st, 3, g->access, g->access_len);
  if (b == PA_SQ_OK) b = pa_sq_bind_blob(st, 4, g->refresh, g->refresh_len);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 5, g->expires_at);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 6, now);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 7, generation);
  rc = pa_sq_run(db, st, b, "put mercado pago grant", NULL, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ECONFLICT : rc;
}

int pa_store_market_mp_grant_delete(pa_store *db, int64_t user, int64_t now) {
  int rc = pa_sq_exec_i64(db, "DELETE FROM mp_grants WHERE user_id = ?1", 1, &user, NULL);
  return rc == PA_STORE_OK ? pa_store_market_seller_connect(db, user, 0, now) : rc;
}

int pa_store_market_seller_connect(pa_store *db, int64_t user, int connected, int64_t now) {
  int64_t a[3] = {user, connected ? 1 : 0, now};
  int changed = 0;
  int rc = pa_sq_exec_i64(db,
                          "UPDATE sellers SET mp_connected = ?2, updated_at = ?3"
                          " WHERE user_id = ?1 AND provider = 'mercadopago'",
                          3, a, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

/* What others see of a seller's listings: shown, and active or sold out. */
#define OPEN_LISTING(l) l ".mod_state = 0 AND " l ".status IN ('active', 'sold_out')"

int pa_store_market_seller_page_get(pa_store *db, int64_t user, int64_t viewer,
                                    pa_store_market_seller_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db,
      "SELECT s.name, s.created_at, (SELECT count(*) FROM listings l WHERE l.seller_id ="
      " s.user_id AND " OPEN_LISTING(
          "l") ") FROM sellers s WHERE s.user_id = ?1 AND " PA_SQ_NOT_BLOCKED("?2", "s.user_id"));
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, user);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, viewer);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int out;
  if (rc == PA_SQ_ROW) {
    pa_store_market_seller_page p = {user, pa_sq_i64(st, 1), pa_sq_i64(st, 2), pa_sq_text(st, 0)};
    out = fn(ctx, &p) ? PA_STORE_EABORT : PA_STORE_OK;
  } else {
    out = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : pa_sq_fail(db, "seller page");
  }
  pa_sq_done(st);
  return out;
}

/* ---- listing writes */

int pa_store_market_listing_counts(pa_store *db, int64_t seller, int64_t since, int64_t *total,
                                   int64_t *recent) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT count(*), count(CASE WHEN created_at >= ?2 THEN 1 END)"
                                   " FROM listings WHERE seller_id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, seller);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, since);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW) {
    *total = pa_sq_i64(st, 0);
    *recent = pa_sq_i64(st, 1);
  }
  pa_sq_done(st);
  return rc == PA_SQ_ROW ? PA_STORE_OK : pa_sq_fail(db, "count listings");
}

/* Binds l's columns to ?2..?15 (title, description, lang, price_minor,
 * currency, stock, kind, condition, category, species, city, country,
 * shipping, city_key) and now to ?16: a statement takes at most 16
 * parameters, so the status is written by set_status. */
static int bind_listing(pa_sql_stmt *st, const pa_market_listing *l, const char *shipping,
                        int64_t now) {
  /* Browse compares cities without regard to case, in every script the fold knows. */
  char key[sizeof l->city];
  int rc =
      pa_str_fold(l->city, key, sizeof key) == 0 ? pa_sq_bind_text(st, 2, l->title) : PA_SQ_ERROR;
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, l->description);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, l->lang);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, l->price_minor);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, l->currency);
  /* With variants the listing's own stock is unused: kept 0. */
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, l->nvariants > 0 ? 0 : l->stock);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 8, pa_market_kind_name(l->kind));
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 9, pa_market_condition_name(l->condition));
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 10, pa_market_category_at(l->category)->name);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 11, (int64_t)l->species);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 12, l->city);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 13, l->country);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 14, shipping);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 15, key);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 16, now);
  return rc;
}

static int set_status(pa_store *db, int64_t id, int status) {
  pa_sql_stmt *st = pa_sq_stmt(db, "UPDATE listings SET status = ?2 WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, pa_market_status_name(status));
  return pa_sq_run(db, st, rc, "listing status", NULL, NULL);
}

/* Puts listing id's title and description into the text index in its
 * language. The analyzer reads at most PA_SEARCH_TEXT_MAX bytes: a
 * description of wide characters past that has its tail cut at a character
 * boundary (the title, first, always fits). */
static int index_listing(pa_store *db, int64_t id, const pa_market_listing *l) {
  char *text = malloc(PA_SEARCH_TEXT_MAX + 1);
  if (!text) return pa_sq_failf(db, PA_STORE_ENOMEM, "index listing: no memory");
  int n = snprintf(text, PA_SEARCH_TEXT_MAX + 1, "%s\n%s", l->title, l->description);
  if (n > PA_SEARCH_TEXT_MAX) {
    size_t cut = PA_SEARCH_TEXT_MAX;
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80) cut--;
    text[cut] = 0;
  }
  int rc = pa_store_textindex_put(db, "listing", id, l->lang, text);
  free(text);
  return rc;
}

int pa_store_market_listing_add(pa_store *db, int64_t seller, const pa_market_listing *l,
                                const char *shipping, int64_t now, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO listings (seller_id, title, description, lang, price_minor, currency,"
          " stock, kind, condition, category, species, city, country, shipping, city_key,"
          " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
          " ?13, ?14, ?15, ?16, ?16) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, seller);
  if (rc == PA_SQ_OK) rc = bind_listing(st, l, shipping, now);
  rc = pa_sq_run(db, st, rc, "add listing", id, NULL);
  if (rc == PA_STORE_OK && l->status != PA_MARKET_ACTIVE) rc = set_status(db, *id, l->status);
  return rc == PA_STORE_OK ? index_listing(db, *id, l) : rc;
}

int pa_store_market_listing_update(pa_store *db, int64_t id, const pa_market_listing *l,
                                   const char *shipping, int64_t now) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "UPDATE listings SET title = ?2, description = ?3, lang = ?4, price_minor = ?5,"
          " currency = ?6, stock = ?7, kind = ?8, condition = ?9, category = ?10, species = ?11,"
          " city = ?12, country = ?13, shipping = ?14, city_key = ?15, updated_at = ?16"
          " WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  int changed = 0;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = bind_listing(st, l, shipping, now);
  rc = pa_sq_run(db, st, rc, "change listing", NULL, &changed);
  if (rc == PA_STORE_OK && !changed) return PA_STORE_ENOTFOUND;
  if (rc == PA_STORE_OK) rc = set_status(db, id, l->status);
  return rc == PA_STORE_OK ? index_listing(db, id, l) : rc;
}

/* The index row goes by the trigger listings_unindex (schema 24), which an
 * account deletion's cascade fires too. */
int pa_store_market_listing_delete(pa_store *db, int64_t id) {
  int changed = 0;
  int rc = pa_sq_exec_i64(db, "DELETE FROM listings WHERE id = ?1", 1, &id, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}

int pa_store_market_listing_seller(pa_store *db, int64_t id, int64_t *seller) {
  return pa_sq_scalar_i64(db, "SELECT seller_id FROM listings WHERE id = ?1", 1, &id, seller);
}

int pa_store_market_photos_clear(pa_store *db, int64_t id) {
  return pa_sq_exec_i64(db, "DELETE FROM listing_photos WHERE listing_id = ?1", 1, &id, NULL);
}

int pa_store_market_photo_add(pa_store *db, int64_t id, int position, int64_t upload,
                              const char *hash) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO listing_photos (listing_id, position, upload_id,"
                                   " media) VALUES (?1, ?2, ?3, ?4)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, position);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, upload);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, hash);
  return pa_sq_run(db, st, rc, "add listing photo", NULL, NULL);
}

int pa_store_market_variants_set(pa_store *db, int64_t id, const pa_market_variant *v, int n) {
  int64_t a[2] = {id, n};
  int rc = pa_sq_exec_i64(
      db, "DELETE FROM listing_variants WHERE listing_id = ?1 AND position >= ?2", 2, a, NULL);
  for (int i = 0; rc == PA_STORE_OK && i < n; i++) {
    pa_sql_stmt *st = pa_sq_stmt(
        db, "INSERT INTO listing_variants (listing_id, position, size, colour, stock, price_minor)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (listing_id, position) DO UPDATE SET"
            " size = excluded.size, colour = excluded.colour, stock = excluded.stock,"
            " price_minor = excluded.price_minor");
    if (!st) return PA_STORE_EDB;
    int b = pa_sq_bind_i64(st, 1, id);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 2, i);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 3, v[i].size);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 4, v[i].colour);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 5, v[i].stock);
    if (b == PA_SQ_OK)
      b = v[i].price_minor > 0 ? pa_sq_bind_i64(st, 6, v[i].price_minor) : pa_sq_bind_null(st, 6);
    rc = pa_sq_run(db, st, b, "set listing variant", NULL, NULL);
  }
  return rc;
}

int pa_store_market_reserve(pa_store *db, int64_t id, int64_t variant, int64_t n, int *taken) {
  int64_t a[3] = {id, variant, n};
  *taken = 0;
  return variant
             ? pa_sq_exec_i64(db,
                              "UPDATE listing_variants SET stock = stock - ?3"
                              " WHERE id = ?2 AND listing_id = ?1 AND stock >= ?3",
                              3, a, taken)
             : pa_sq_exec_i64(db,
                              "UPDATE listings SET stock = stock - ?3 WHERE id = ?1 AND stock >= ?3"
                              " AND NOT EXISTS (SELECT 1 FROM listing_variants v"
                              " WHERE v.listing_id = ?1) AND ?2 = 0",
                              3, a, taken);
}

/* ---- listing reads */

/* The columns row() reads, of listings l joined to its seller s, its first
 * photo ph and that photo's media m. */
#define ROW_COLS                                                                                   \
  "l.id, l.seller_id, l.title, l.description, l.lang, l.price_minor, l.currency, l.stock,"         \
  " l.kind, l.condition, l.category, l.species, l.city, l.country, l.shipping, l.status,"          \
  " l.mod_state, l.created_at, l.updated_at, s.name, ph.media, m.ext,"                             \
  " COALESCE((SELECT CAST(sum(v.stock) AS BIGINT) FROM listing_variants v"                         \
  " WHERE v.listing_id = l.id), l.stock)"
#define ROW_FROM                                                                                   \
  " FROM listings l JOIN sellers s ON s.user_id = l.seller_id"                                     \
  " LEFT JOIN listing_photos ph ON ph.listing_id = l.id AND ph.position = 0"                       \
  " LEFT JOIN media m ON m.hash = ph.media"

static int find_in(int (*f)(const char *), const char *s) { return s ? f(s) : -1; }

static void row(pa_sql_stmt *st, pa_store_market_row *r) {
  pa_market_listing *l = &r->l;
  pa_market_err e;
  pa_market_listing_defaults(l);
  r->id = pa_sq_i64(st, 0);
  r->seller_id = pa_sq_i64(st, 1);
  copy(l->title, sizeof l->title, pa_sq_text(st, 2));
  copy(l->description, sizeof l->description, pa_sq_text(st, 3));
  copy(l->lang, sizeof l->lang, pa_sq_text(st, 4));
  l->price_minor = pa_sq_i64(st, 5);
  copy(l->currency, sizeof l->currency, pa_sq_text(st, 6));
  l->stock = pa_sq_i64(st, 7);
  l->kind = find_in(pa_market_kind_find, pa_sq_text(st, 8));
  l->condition = find_in(pa_market_condition_find, pa_sq_text(st, 9));
  l->category = find_in(pa_market_category_find, pa_sq_text(st, 10));
  l->species = (unsigned)pa_sq_i64(st, 11);
  copy(l->city, sizeof l->city, pa_sq_text(st, 12));
  copy(l->country, sizeof l->country, pa_sq_text(st, 13));
  copy(r->shipping, sizeof r->shipping, pa_sq_text(st, 14));
  /* Written by pa_market_shipping_json: it reads back; an unreadable one
   * would show as no shipping, never a crash. */
  if (pa_market_shipping_load(r->shipping, l, &e) != 0) l->nzones = l->narea = l->pickup = 0;
  l->status = find_in(pa_market_status_find, pa_sq_text(st, 15));
  r->mod_state = (int)pa_sq_i64(st, 16);
  r->created_at = pa_sq_i64(st, 17);
  r->updated_at = pa_sq_i64(st, 18);
  copy(r->seller_name, sizeof r->seller_name, pa_sq_text(st, 19));
  copy(r->cover_hash, sizeof r->cover_hash, pa_sq_text(st, 20));
  copy(r->cover_ext, sizeof r->cover_ext, pa_sq_text(st, 21));
  r->stock_total = pa_sq_i64(st, 22);
}

typedef struct walk {
  pa_store_market_row_fn fn;
  void *ctx;
  pa_store_market_row *r; /* large: on the heap */
} walk;

static int each_row(void *ctx, pa_sql_stmt *st) {
  walk *w = ctx;
  row(st, w->r);
  return w->fn(w->ctx, w->r);
}

static int one(pa_store *db, pa_sql_stmt *st, int rc, pa_store_market_row_fn fn, void *ctx) {
  walk w = {fn, ctx, malloc(sizeof(pa_store_market_row))};
  if (!w.r) {
    pa_sq_done(st);
    return PA_STORE_ENOMEM;
  }
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  int out;
  if (rc == PA_SQ_ROW)
    out = each_row(&w, st) ? PA_STORE_EABORT : PA_STORE_OK;
  else
    out = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : pa_sq_fail(db, "listing");
  pa_sq_done(st);
  free(w.r);
  return out;
}

int pa_store_market_listing_get(pa_store *db, int64_t id, int64_t viewer, pa_store_market_row_fn fn,
                                void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT " ROW_COLS ROW_FROM " WHERE l.id = ?1 AND (l.seller_id"
          " = ?2 OR (" OPEN_LISTING("l") " AND " PA_SQ_NOT_BLOCKED("?2", "l.seller_id") "))");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, viewer);
  return one(db, st, rc, fn, ctx);
}

int pa_store_market_listing_any(pa_store *db, int64_t id, pa_store_market_row_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT " ROW_COLS ROW_FROM " WHERE l.id = ?1");
  if (!st) return PA_STORE_EDB;
  return one(db, st, pa_sq_bind_i64(st, 1, id), fn, ctx);
}

typedef struct photo_walk {
  pa_store_market_photo_fn fn;
  void *ctx;
} photo_walk;

static int photo_row(void *ctx, pa_sql_stmt *st) {
  photo_walk *w = ctx;
  return w->fn(w->ctx, pa_sq_i64(st, 0), pa_sq_text(st, 1), pa_sq_text(st, 2));
}

int pa_store_market_photos(pa_store *db, int64_t id, pa_store_market_photo_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT ph.upload_id, ph.media, m.ext FROM listing_photos ph"
                                   " JOIN media m ON m.hash = ph.media WHERE ph.listing_id = ?1"
                                   " ORDER BY ph.position");
  if (!st) return PA_STORE_EDB;
  photo_walk w = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, id), photo_row, &w, "listing photos");
}

typedef struct variant_walk {
  pa_store_market_variant_fn fn;
  void *ctx;
} variant_walk;

static int variant_row(void *ctx, pa_sql_stmt *st) {
  variant_walk *w = ctx;
  pa_market_variant v;
  copy(v.size, sizeof v.size, pa_sq_text(st, 1));
  copy(v.colour, sizeof v.colour, pa_sq_text(st, 2));
  v.stock = pa_sq_i64(st, 3);
  v.price_minor = pa_sq_null(st, 4) ? -1 : pa_sq_i64(st, 4);
  return w->fn(w->ctx, pa_sq_i64(st, 0), &v);
}

int pa_store_market_variants(pa_store *db, int64_t id, pa_store_market_variant_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id, size, colour, stock, price_minor FROM"
                                   " listing_variants WHERE listing_id = ?1 ORDER BY position");
  if (!st) return PA_STORE_EDB;
  variant_walk w = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, id), variant_row, &w, "listing variants");
}

/* Browse's WHERE: ?1 viewer, ?2 category, ?3 condition, ?4 city, ?5
 * country, ?6 currency ("" any), ?7 species mask (0 any), ?8 ?9 the price
 * range (-1 open), ?10 ?11 the cursor, ?12 the row limit; with a text, ?13
 * its match (pa_sq_text_match). */
#define BROWSE_WHERE                                                                               \
  " WHERE l.status = 'active' AND l.mod_state = 0 AND " PA_SQ_NOT_BLOCKED(                         \
      "?1",                                                                                        \
      "l.seller_id") " AND (?2 = '' OR l.category = ?2) AND (?3 = '' OR l.condition = ?3)"         \
                     " AND (?4 = '' OR l.city_key = ?4) AND (?5 = '' OR l.country = ?5)"           \
                     " AND (?6 = '' OR l.currency = ?6) AND (?7 = 0 OR (l.species & ?7) <> 0)"     \
                     " AND (?8 < 0 OR l.price_minor >= ?8) AND (?9 < 0 OR l.price_minor <= ?9)"

/* The three orders' cursor conditions and ORDER BYs (NEWEST, PRICE_ASC,
 * PRICE_DESC). */
#define AFTER_NEWEST                                                                               \
  " AND (l.created_at < ?10 OR (l.created_at = ?10 AND l.id < ?11))"                               \
  " ORDER BY l.created_at DESC, l.id DESC LIMIT ?12"
#define AFTER_PRICE_ASC                                                                            \
  " AND (l.price_minor > ?10 OR (l.price_minor = ?10 AND l.id > ?11))"                             \
  " ORDER BY l.price_minor, l.id LIMIT ?12"
#define AFTER_PRICE_DESC                                                                           \
  " AND (l.price_minor < ?10 OR (l.price_minor = ?10 AND l.id < ?11))"                             \
  " ORDER BY l.price_minor DESC, l.id DESC LIMIT ?12"

/* A text with another order: the listings whose index row matches ?13
 * (store/sql/sql.h's fragments for pa_sq_text_match). */
#define MATCH_SQLITE                                                                               \
  " AND l.id IN (SELECT d.ref_id FROM text_fts JOIN text_docs d ON d.id = text_fts.rowid"          \
  " WHERE text_fts MATCH ?13 AND d.kind = 'listing')"
#define VECTOR PA_SQ_TEXT_VECTOR("d")
#define MATCH_PG                                                                                   \
  " AND l.id IN (SELECT d.ref_id FROM text_docs d WHERE " VECTOR " @@ CAST(?13 AS tsquery)"        \
  " AND d.kind = 'listing')"

/* Relevance: the index's rank, then the id; ?10 the offset (?11 unused).
 * The page is chosen first from the matches and the listings' own columns
 * (the filters), and only its rows then join their seller and cover: a
 * common word matches thousands, which need not all be joined. */
#define PAGE_JOINS                                                                                 \
  " JOIN listings l ON l.id = h.hit_id JOIN sellers s ON s.user_id = l.seller_id"                  \
  " LEFT JOIN listing_photos ph ON ph.listing_id = l.id AND ph.position = 0"                       \
  " LEFT JOIN media m ON m.hash = ph.media"
static const char relevance_sqlite[] =
    "SELECT " ROW_COLS " FROM (SELECT l.id AS hit_id, bm25(text_fts) AS hit_rank FROM text_fts"
    " JOIN text_docs d ON d.id = text_fts.rowid JOIN listings l ON l.id = d.ref_id" BROWSE_WHERE
    " AND text_fts MATCH ?13 AND d.kind = 'listing' AND ?11 = ?11"
    " ORDER BY hit_rank, l.id LIMIT ?12 OFFSET ?10) h" PAGE_JOINS " ORDER BY h.hit_rank, l.id";
/* ts_rank's normalization 1 as store/sql/textindex.c's (shorter first). */
static const char relevance_pg[] =
    "SELECT " ROW_COLS " FROM (SELECT l.id AS hit_id, ts_rank(" VECTOR ", CAST(?13 AS tsquery), 1)"
    " AS hit_rank FROM text_docs d JOIN listings l ON l.id = d.ref_id" BROWSE_WHERE " AND " VECTOR
    " @@ CAST(?13 AS tsquery) AND d.kind = 'listing' AND ?11 = ?11"
    " ORDER BY hit_rank DESC, l.id LIMIT ?12 OFFSET ?10) h" PAGE_JOINS
    " ORDER BY h.hit_rank DESC, l.id";

static const char *const browse_sql[] = {"SELECT " ROW_COLS ROW_FROM BROWSE_WHERE AFTER_NEWEST,
                                         "SELECT " ROW_COLS ROW_FROM BROWSE_WHERE AFTER_PRICE_ASC,
                                         "SELECT " ROW_COLS ROW_FROM BROWSE_WHERE AFTER_PRICE_DESC};
static const char *const browse_sqlite[] = {
    "SELECT " ROW_COLS ROW_FROM BROWSE_WHERE MATCH_SQLITE AFTER_NEWEST,
    "SELECT " ROW_COLS ROW_FROM BROWSE_WHERE MATCH_SQLITE AFTER_PRICE_ASC,
    "SELECT " ROW_COLS ROW_FROM BROWSE_WHERE MATCH_SQLITE AFTER_PRICE_DESC, relevance_sqlite};
static const char *const browse_pg[] = {
    "SELECT " ROW_COLS ROW_FROM BROWSE_WHERE MATCH_PG AFTER_NEWEST,
    "SELECT " ROW_COLS ROW_FROM BROWSE_WHERE MATCH_PG AFTER_PRICE_ASC,
    "SELECT " ROW_COLS ROW_FROM BROWSE_WHERE MATCH_PG AFTER_PRICE_DESC, relevance_pg};

#undef VECTOR

int pa_store_market_browse(pa_store *db, const pa_store_market_query *q, pa_store_market_row_fn fn,
                           void *ctx, pa_store_cursor *next, int *more) {
  const int text = q->text && q->text[0];
  const int sort = q->sort >= 0 && q->sort <= PA_STORE_MARKET_RELEVANCE ? q->sort : 0;
  char match[PA_SQ_TEXT_MATCH_MAX];
  int words = 0;
  next->created_at = next->id = 0;
  *more = 0;
  if (sort == PA_STORE_MARKET_RELEVANCE &&
      (!text || (q->after && (q->after->created_at < 0 ||
                              q->after->created_at > PA_STORE_TEXTINDEX_DEPTH_MAX))))
    return pa_sq_failf(db, PA_STORE_EINVAL, "browse: relevance needs a text and a cursor it wrote");
  if (text) {
    int rc = pa_sq_text_match(db, q->text_locale ? q->text_locale : "en", q->text, match, &words);
    if (rc != PA_STORE_OK) return rc;
    if (words == 0) return PA_STORE_OK; /* nothing to look for finds nothing */
  }
  pa_sql_stmt *st = pa_sq_stmt(db, text ? pa_sq_dialect(db, browse_sqlite[sort], browse_pg[sort])
                                        : browse_sql[sort]);
  if (!st) return PA_STORE_EDB;
  /* The first page starts beyond every row in the sort's direction. */
  const int64_t edge = sort == PA_STORE_MARKET_RELEVANCE   ? 0
                       : sort == PA_STORE_MARKET_PRICE_ASC ? -1
                                                           : INT64_MAX;
  int rc = pa_sq_bind_i64(st, 1, q->viewer);
  const char *texts[] = {q->category, q->condition, q->city, q->country, q->currency};
  for (int i = 0; rc == PA_SQ_OK && i < 5; i++)
    rc = pa_sq_bind_text(st, 2 + i, texts[i] ? texts[i] : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 7, (int64_t)q->species);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 8, q->price_min);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 9, q->price_max);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 10, q->after ? q->after->created_at : edge);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 11, q->after ? q->after->id : edge);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 12, q->limit + 1);
  if (rc == PA_SQ_OK && text) rc = pa_sq_bind_text(st, 13, match);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "browse listings");
  }
  walk w = {fn, ctx, malloc(sizeof(pa_store_market_row))};
  if (!w.r) {
    pa_sq_done(st);
    return PA_STORE_ENOMEM;
  }
  /* The cursor's first number: the time for newest, the price for a price
   * order; relevance's is the count listed, set below. */
  rc = pa_sq_page(db, st, q->limit, each_row, &w,
                  sort == PA_STORE_MARKET_PRICE_ASC || sort == PA_STORE_MARKET_PRICE_DESC ? 5 : 17,
                  0, next, more, "browse listings");
  free(w.r);
  if (rc == PA_STORE_OK && sort == PA_STORE_MARKET_RELEVANCE) {
    next->created_at = (q->after ? q->after->created_at : 0) + q->limit;
    next->id = 1; /* a cursor's id is at least 1 (pa_store_cursor_decode) */
    /* Paging stops at the index's depth, as the text index's own. */
    if (next->created_at > PA_STORE_TEXTINDEX_DEPTH_MAX) *more = 0;
  }
  return rc;
}

int pa_store_market_seller_listings(pa_store *db, int64_t seller, int64_t viewer, int mine,
                                    const pa_store_cursor *after, int limit,
                                    pa_store_market_row_fn fn, void *ctx, pa_store_cursor *next,
                                    int *more) {
  pa_sql_stmt *st =
      mine ? pa_sq_stmt(db, "SELECT " ROW_COLS ROW_FROM " WHERE l.seller_id = ?1 AND ?2 = ?2"
                            " AND (l.created_at < ?3 OR (l.created_at = ?3 AND l.id < ?4))"
                            " ORDER BY l.created_at DESC, l.id DESC LIMIT ?5")
           : pa_sq_stmt(
                 db,
                 "SELECT " ROW_COLS ROW_FROM
                 " WHERE l.seller_id = ?1 AND " OPEN_LISTING("l") " AND " PA_SQ_NOT_BLOCKED(
                     "?2",
                     "l.seller_id") " AND (l.created_at < ?3 OR (l.created_at = ?3 AND l.id < ?4))"
                                    " ORDER BY l.created_at DESC, l.id DESC LIMIT ?5");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, seller);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, viewer);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_page(st, 3, after, limit);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "seller listings");
  }
  walk w = {fn, ctx, malloc(sizeof(pa_store_market_row))};
  if (!w.r) {
    pa_sq_done(st);
    return PA_STORE_ENOMEM;
  }
  rc = pa_sq_page(db, st, limit, each_row, &w, 17, 0, next, more, "seller listings");
  free(w.r);
  return rc;
}

/* ---- moderation */

int pa_store_market_mod_state(pa_store *db, int64_t id, int *state) {
  int64_t s = 0;
  int rc = pa_sq_scalar_i64(db, "SELECT mod_state FROM listings WHERE id = ?1", 1, &id, &s);
  *state = (int)s;
  return rc;
}

int pa_store_market_mod_set(pa_store *db, int64_t id, int state) {
  int64_t a[2] = {id, state};
  int changed = 0;
  int rc = pa_sq_exec_i64(db, "UPDATE listings SET mod_state = ?2 WHERE id = ?1", 2, a, &changed);
  return rc == PA_STORE_OK && !changed ? PA_STORE_ENOTFOUND : rc;
}
