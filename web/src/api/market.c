/* pa_api — the marketplace's sellers and listings (issue 20; web/README.md,
 * "Marketplace"). Bodies are read by market_rules.c's strict readers (the
 * ones the fuzz target drives); what others may see is the store's to decide
 * (a block hides a seller's listings both ways). */
#include "store/market.h"

#include "api/api.h"
#include "clock.h"
#include "pay/money.h"
#include "profile.h"
#include "srv_internal.h"
#include "store/accounts.h"
#include "store/moderation.h"
#include "store/textindex.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors */

static const char *or_empty(const char *s) { return s ? s : ""; }

static void send_err(pa_srv_req *rq, const pa_market_err *e) {
  if (e->field[0])
    pa_api_field_error(rq, e->status, e->code, e->message, e->field);
  else
    pa_api_error(rq, e->status, e->code, e->message, NULL);
}

/* ---- sellers */

static cJSON *seller_json(const pa_store_market_seller *s) {
  cJSON *o = cJSON_CreateObject(), *p = o ? cJSON_AddObjectToObject(o, "payout") : NULL;
  int bad = !p || pa_api_add_id(o, "user", "u", s->user_id) ||
            !cJSON_AddStringToObject(o, "name", s->s.name) ||
            pa_api_add_time(o, "since", s->created_at);
  if (!bad && s->s.provider == PA_MARKET_PAYPAL)
    bad = !cJSON_AddStringToObject(p, "provider", "paypal") ||
          !cJSON_AddStringToObject(p, "email", s->s.email);
  else if (!bad)
    bad = !cJSON_AddStringToObject(p, "provider", "mercadopago") ||
          !cJSON_AddBoolToObject(p, "connected", s->connected);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static void send_seller(pa_srv_req *rq, int status) {
  pa_store_market_seller s;
  int rc = pa_store_market_seller_get(rq->db, rq->viewer, &s);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "You do not sell yet: PUT a seller profile first");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "seller");
  else
    pa_api_json(rq, status, seller_json(&s));
}

void pa_api_market_seller_get(pa_srv_req *rq) { send_seller(rq, 200); }

void pa_api_market_seller_put(pa_srv_req *rq) {
  cJSON *body = NULL;
  pa_market_seller s;
  pa_market_err e;
  pa_store_market_seller old;
  if (pa_api_body(rq, &body) != 0) return;
  int bad = pa_market_seller_parse(body, &s, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  int rc = pa_store_market_seller_get(rq->db, rq->viewer, &old);
  int created = rc == PA_STORE_ENOTFOUND;
  if ((rc != PA_STORE_OK && !created) ||
      pa_store_market_seller_put(rq->db, rq->viewer, &s, pa_clock_now()) != PA_STORE_OK) {
    pa_api_internal(rq, "put seller");
    return;
  }
  send_seller(rq, created ? 201 : 200);
}

static int page_json(void *ctx, const pa_store_market_seller_page *p) {
  cJSON *o = ctx;
  return pa_api_add_id(o, "user", "u", p->user_id) ||
                 !cJSON_AddStringToObject(o, "name", p->name) ||
                 pa_api_add_time(o, "since", p->since) ||
                 !cJSON_AddNumberToObject(o, "listings", (double)p->listings)
             ? -1
             : 0;
}

void pa_api_market_seller_page(pa_srv_req *rq) {
  cJSON *o = cJSON_CreateObject();
  int rc = o ? pa_store_market_seller_page_get(rq->db, rq->ids[0], rq->viewer, page_json, o)
             : PA_STORE_ENOMEM;
  if (rc == PA_STORE_OK && pa_api_add_review_summary(rq->db, o, "reviews", rq->ids[0]))
    rc = PA_STORE_EDB;
  if (rc == PA_STORE_OK) {
    pa_api_json(rq, 200, o);
    return;
  }
  cJSON_Delete(o);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such seller");
  else
    pa_api_internal(rq, "seller page");
}

/* ---- listing JSON */

static const char *status_name(const pa_store_market_row *r) {
  return r->mod_state == PA_STORE_MOD_REMOVED ? "removed" : pa_market_status_name(r->l.status);
}

static const char *moderation_name(int state) {
  return state == PA_STORE_MOD_HIDDEN    ? "hidden"
         : state == PA_STORE_MOD_REMOVED ? "removed"
                                         : "shown";
}

static int add_species(cJSON *o, unsigned mask) {
  cJSON *a = cJSON_AddArrayToObject(o, "species");
  for (int i = 0; a && i < PA_MARKET_SPECIES; i++) {
    if (!(mask & (1u << i))) continue;
    cJSON *s = cJSON_CreateString(pa_market_species_name(i));
    if (!s || !cJSON_AddItemToArray(a, s)) {
      cJSON_Delete(s);
      return -1;
    }
  }
  return a ? 0 : -1;
}

/* The members a listing shows in lists and on its own page. */
static cJSON *summary_json(const pa_store_market_row *r) {
  const pa_market_listing *l = &r->l;
  cJSON *o = cJSON_CreateObject(), *seller = o ? cJSON_AddObjectToObject(o, "seller") : NULL,
        *loc = o ? cJSON_AddObjectToObject(o, "location") : NULL;
  const pa_market_category *cat = pa_market_category_at(l->category);
  int bad =
      !seller || !loc || pa_api_add_id(o, "id", "lst", r->id) ||
      pa_api_add_id(seller, "id", "u", r->seller_id) ||
      !cJSON_AddStringToObject(seller, "name", r->seller_name) ||
      !cJSON_AddStringToObject(o, "title", l->title) ||
      !cJSON_AddStringToObject(o, "lang", l->lang) ||
      !cJSON_AddNumberToObject(o, "price_minor", (double)l->price_minor) ||
      !cJSON_AddStringToObject(o, "currency", l->currency) ||
      !cJSON_AddNumberToObject(o, "stock", (double)r->stock_total) ||
      !cJSON_AddStringToObject(o, "kind", or_empty(pa_market_kind_name(l->kind))) ||
      !cJSON_AddStringToObject(o, "condition", or_empty(pa_market_condition_name(l->condition))) ||
      !cJSON_AddStringToObject(o, "category", cat ? cat->name : "") || add_species(o, l->species) ||
      !cJSON_AddStringToObject(loc, "city", l->city) ||
      !cJSON_AddStringToObject(loc, "country", l->country) ||
      !cJSON_AddStringToObject(o, "status", or_empty(status_name(r))) ||
      (r->cover_hash[0] ? pa_api_add_media_url(o, "cover_url", r->cover_hash, r->cover_ext)
                        : !cJSON_AddNullToObject(o, "cover_url")) ||
      pa_api_add_time(o, "created_at", r->created_at) ||
      pa_api_add_time(o, "updated_at", r->updated_at);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static int add_photo(void *ctx, int64_t upload, const char *hash, const char *ext) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return pa_api_add_id(o, "id", "m", upload) || pa_api_add_media_url(o, "url", hash, ext) ? -1 : 0;
}

static int add_variant(void *ctx, int64_t id, const pa_market_variant *v) {
  cJSON *o = pa_api_array_add_object(ctx);
  if (!o) return -1;
  return pa_api_add_id(o, "id", "lv", id) || !cJSON_AddStringToObject(o, "size", v->size) ||
                 !cJSON_AddStringToObject(o, "colour", v->colour) ||
                 !cJSON_AddNumberToObject(o, "stock", (double)v->stock) ||
                 !(v->price_minor > 0
                       ? cJSON_AddNumberToObject(o, "price_minor", (double)v->price_minor)
                       : cJSON_AddNullToObject(o, "price_minor"))
             ? -1
             : 0;
}

typedef struct detail_ctx {
  pa_store *db;
  int64_t viewer;
  cJSON *out;
  int64_t seller;
} detail_ctx;

static int keep_detail(void *ctx, const pa_store_market_row *r) {
  detail_ctx *d = ctx;
  const pa_market_category *cat = pa_market_category_at(r->l.category);
  cJSON *o = summary_json(r), *photos = o ? cJSON_AddArrayToObject(o, "photos") : NULL,
        *variants = o ? cJSON_AddArrayToObject(o, "variants") : NULL,
        *ship = cJSON_Parse(r->shipping);
  d->seller = r->seller_id;
  int bad = !photos || !variants || !ship ||
            !cJSON_AddStringToObject(o, "description", r->l.description) ||
            !cJSON_AddNumberToObject(o, "fee_bps", cat ? cat->fee_bps : 0) ||
            pa_store_market_photos(d->db, r->id, add_photo, photos) != PA_STORE_OK ||
            pa_store_market_variants(d->db, r->id, add_variant, variants) != PA_STORE_OK;
  if (!bad) {
    cJSON_AddItemToObject(o, "shipping", ship);
    ship = NULL;
  }
  /* The seller sees what moderators did to their listing. */
  if (!bad && r->seller_id == d->viewer)
    bad = !cJSON_AddStringToObject(o, "moderation", moderation_name(r->mod_state));
  cJSON_Delete(ship);
  if (bad) {
    cJSON_Delete(o);
    return -1;
  }
  d->out = o;
  return 0;
}

/* Sends listing id as the viewer sees it with status. */
static void send_listing(pa_srv_req *rq, int status, int64_t id) {
  detail_ctx d = {rq->db, rq->viewer, NULL, 0};
  int rc = pa_store_market_listing_get(rq->db, id, rq->viewer, keep_detail, &d);
  /* The seller's review summary beside their name: one indexed count. */
  if (rc == PA_STORE_OK &&
      pa_api_add_review_summary(rq->db, cJSON_GetObjectItemCaseSensitive(d.out, "seller"),
                                "reviews", d.seller)) {
    cJSON_Delete(d.out);
    rc = PA_STORE_EDB;
  }
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such listing");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "listing");
  else
    pa_api_json(rq, status, d.out);
}

void pa_api_market_listing_get(pa_srv_req *rq) { send_listing(rq, 200, rq->ids[0]); }

/* ---- writes */

/* The language a new listing takes when its body names none: the seller's
 * locale when it is one of the catalogs, else English. */
static void default_lang(pa_srv_req *rq, pa_market_listing *l) {
  pa_store_credentials c;
  if (l->lang[0]) return;
  if (pa_store_accounts_credentials(rq->db, rq->viewer, &c) == PA_STORE_OK &&
      pa_market_lang_ok(c.locale))
    snprintf(l->lang, sizeof l->lang, "%s", c.locale);
  else
    snprintf(l->lang, sizeof l->lang, "en");
}

/* Writes l's photos (when sent) and variants (when sent) for listing id,
 * attaching each upload: inside the caller's transaction. 0, or -1 with the
 * error sent. */
static int write_parts(pa_srv_req *rq, int64_t id, const pa_market_listing *l) {
  char what[32], hash[65], ext[8];
  if (l->nphotos >= 0) {
    if (pa_store_market_photos_clear(rq->db, id) != PA_STORE_OK) goto fail;
    for (int i = 0; i < l->nphotos; i++) {
      snprintf(what, sizeof what, "photos[%d]", i);
      if (pa_api_own_media(rq, l->photos[i], "image", what, what, hash, ext) != 0) return -1;
      if (pa_store_market_photo_add(rq->db, id, i, l->photos[i], hash) != PA_STORE_OK) goto fail;
    }
  }
  if (l->variants_sent &&
      pa_store_market_variants_set(rq->db, id, l->variants, l->nvariants) != PA_STORE_OK)
    goto fail;
  return 0;
fail:
  pa_api_internal(rq, "listing parts");
  return -1;
}

void pa_api_market_listing_create(pa_srv_req *rq) {
  pa_market_listing *l = malloc(sizeof *l);
  pa_market_err e;
  pa_store_market_seller s;
  cJSON *body = NULL;
  char *shipping = NULL, msg[160];
  int64_t id = 0, total = 0, recent = 0;
  const int64_t now = pa_clock_now();
  if (!l) {
    pa_api_internal(rq, "new listing");
    return;
  }
  pa_market_listing_defaults(l);
  if (pa_api_body(rq, &body) != 0) goto out;
  if (pa_market_listing_parse(body, 1, l, &e) != 0) {
    send_err(rq, &e);
    goto out;
  }
  int rc = pa_store_market_seller_get(rq->db, rq->viewer, &s);
  if (rc == PA_STORE_ENOTFOUND) {
    pa_api_error(rq, 409, "not_a_seller",
                 "Set up your seller profile (PUT /api/v1/me/seller) before listing", NULL);
    goto out;
  }
  default_lang(rq, l);
  if (rc != PA_STORE_OK || !(shipping = pa_market_shipping_json(l)) ||
      pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "new listing");
    goto out;
  }
  /* The counts and the insert in one write transaction, so two creations
   * at once cannot both take the last place. */
  rc = pa_store_market_listing_counts(rq->db, rq->viewer, now - 3600, &total, &recent);
  if (rc == PA_STORE_OK && total >= PA_MARKET_LISTINGS_MAX) {
    snprintf(msg, sizeof msg, "A seller keeps at most %d listings; delete old ones first",
             PA_MARKET_LISTINGS_MAX);
    pa_api_error(rq, 409, "too_many_listings", msg, NULL);
    goto undo;
  }
  if (rc == PA_STORE_OK && recent >= PA_MARKET_CREATES_PER_HOUR) {
    snprintf(msg, sizeof msg, "A seller creates at most %d listings an hour; try again later",
             PA_MARKET_CREATES_PER_HOUR);
    pa_api_error_retry(rq, 429, "rate_limited", msg, 3600);
    goto undo;
  }
  if (rc == PA_STORE_OK)
    rc = pa_store_market_listing_add(rq->db, rq->viewer, l, shipping, now, &id);
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "new listing");
    goto undo;
  }
  if (write_parts(rq, id, l) != 0) goto undo;
  if (pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "new listing");
    goto undo;
  }
  send_listing(rq, 201, id);
  goto out;
undo:
  pa_store_rollback(rq->db);
out:
  cJSON_free(shipping);
  cJSON_Delete(body);
  free(l);
}

static int keep_row(void *ctx, const pa_store_market_row *r) {
  memcpy(ctx, r, sizeof *r);
  return 0;
}

static int keep_variant(void *ctx, int64_t id, const pa_market_variant *v) {
  pa_market_listing *l = ctx;
  (void)id;
  if (l->nvariants >= PA_MARKET_VARIANTS_MAX) return 0;
  l->variants[l->nvariants++] = *v;
  return 0;
}

/* The path's listing into *r when it is the viewer's: 0, or -1 with 404 (no
 * such listing, or one they may not see) or 403 (someone else's) sent. */
static int my_listing(pa_srv_req *rq, pa_store_market_row *r) {
  int rc = pa_store_market_listing_get(rq->db, rq->ids[0], rq->viewer, keep_row, r);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such listing");
    return -1;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "listing");
    return -1;
  }
  if (r->seller_id != rq->viewer) {
    PA_FORBIDDEN(rq, "Only the seller may change or delete a listing");
    return -1;
  }
  return 0;
}

void pa_api_market_listing_edit(pa_srv_req *rq) {
  pa_store_market_row *r = malloc(sizeof *r);
  pa_market_err e;
  cJSON *body = NULL;
  char *shipping = NULL;
  if (!r) {
    pa_api_internal(rq, "change listing");
    return;
  }
  if (my_listing(rq, r) != 0 || pa_api_body(rq, &body) != 0) goto out;
  pa_market_listing *l = &r->l;
  if (pa_store_market_variants(rq->db, r->id, keep_variant, l) != PA_STORE_OK) {
    pa_api_internal(rq, "change listing");
    goto out;
  }
  if (l->nvariants > 0) l->stock = 0;
  if (pa_market_listing_parse(body, 0, l, &e) != 0) {
    send_err(rq, &e);
    goto out;
  }
  if (!(shipping = pa_market_shipping_json(l)) || pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "change listing");
    goto out;
  }
  if (pa_store_market_listing_update(rq->db, r->id, l, shipping, pa_clock_now()) != PA_STORE_OK) {
    pa_api_internal(rq, "change listing");
    pa_store_rollback(rq->db);
    goto out;
  }
  if (write_parts(rq, r->id, l) != 0) {
    pa_store_rollback(rq->db);
    goto out;
  }
  if (pa_store_commit(rq->db) != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "change listing");
    goto out;
  }
  /* Photos taken out leave their files for the collector. */
  if (l->nphotos >= 0) pa_api_media_gc(rq->db, rq->srv->media);
  send_listing(rq, 200, r->id);
out:
  cJSON_free(shipping);
  cJSON_Delete(body);
  free(r);
}

void pa_api_market_listing_delete(pa_srv_req *rq) {
  pa_store_market_row *r = malloc(sizeof *r);
  if (!r) {
    pa_api_internal(rq, "delete listing");
    return;
  }
  if (my_listing(rq, r) == 0) {
    if (pa_store_market_listing_delete(rq->db, r->id) != PA_STORE_OK) {
      pa_api_internal(rq, "delete listing");
    } else {
      pa_api_media_gc(rq->db, rq->srv->media);
      pa_api_ok(rq);
    }
  }
  free(r);
}

/* ---- lists */

static int append_summary(void *ctx, const pa_store_market_row *r) {
  cJSON *o = summary_json(r);
  if (o && cJSON_AddItemToArray(ctx, o)) return 0;
  cJSON_Delete(o);
  return -1;
}

/* Sends {"listings": [...], "next_cursor"} of seller (mine: all of them). */
static void seller_list(pa_srv_req *rq, int64_t seller, int mine) {
  int limit, has_cursor, more = 0;
  pa_store_cursor after, next = {0, 0};
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor) != 0)
    return;
  cJSON *root = cJSON_CreateObject(),
        *list = root ? cJSON_AddArrayToObject(root, "listings") : NULL;
  if (!list ||
      pa_store_market_seller_listings(rq->db, seller, rq->viewer, mine, has_cursor ? &after : NULL,
                                      limit, append_summary, list, &next, &more) != PA_STORE_OK ||
      pa_api_add_cursor(root, more, &next)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "seller listings");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_market_my_listings(pa_srv_req *rq) { seller_list(rq, rq->viewer, 1); }

static int nothing(void *ctx, const pa_store_market_seller_page *p) {
  (void)ctx;
  (void)p;
  return 0;
}

void pa_api_market_seller_listings(pa_srv_req *rq) {
  /* A seller the viewer may not see (or nobody who sells) is 404, not an
   * empty list. */
  int rc = pa_store_market_seller_page_get(rq->db, rq->ids[0], rq->viewer, nothing, NULL);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such seller");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "seller listings");
  else
    seller_list(rq, rq->ids[0], rq->ids[0] == rq->viewer);
}

/* A query word checked by find (the registries); "" when absent; -1 with
 * 400 sent when it names nothing. */
static int query_word(pa_srv_req *rq, const char *name, int (*find)(const char *), char *out,
                      size_t cap) {
  int rc = pa_api_query(rq, name, out, cap);
  if (rc < 0) return -1;
  if (rc == 1) {
    out[0] = '\0';
    return 0;
  }
  if (find && find(out) < 0) {
    char msg[96];
    snprintf(msg, sizeof msg, "?%s= names no known value", name);
    pa_api_field_error(rq, 400, "bad_request", msg, name);
    return -1;
  }
  return 0;
}

static int country_find(const char *s) { return pa_profile_country_ok(s, strlen(s)) ? 0 : -1; }
static int currency_find(const char *s) { return pa_money_exponent(s) >= 0 ? 0 : -1; }
static int sort_find(const char *s) {
  return strcmp(s, "newest") == 0       ? PA_STORE_MARKET_NEWEST
         : strcmp(s, "price_asc") == 0  ? PA_STORE_MARKET_PRICE_ASC
         : strcmp(s, "price_desc") == 0 ? PA_STORE_MARKET_PRICE_DESC
         : strcmp(s, "relevance") == 0  ? PA_STORE_MARKET_RELEVANCE
                                        : -1;
}

/* The locale a search is analyzed in (the searcher's, whatever the
 * listings' own): ?lang= when it names one of the app's languages (those a
 * listing may be written in: 400 for another), else the signed-in person's
 * account locale, else the request's Accept-Language (pa_srv_locale, as the
 * pages negotiate: "en" at the end). 0, or -1 with 400 sent. */
static int search_locale(pa_srv_req *rq, char out[16]) {
  char lang[16];
  int rc = pa_api_query(rq, "lang", lang, sizeof lang);
  if (rc < 0) return -1;
  if (rc == 0) {
    if (!pa_market_lang_ok(lang)) {
      pa_api_field_error(rq, 400, "bad_request",
                         "?lang= must be one of the app's languages (\"en\", \"es\", \"pt\", …)",
                         "lang");
      return -1;
    }
    snprintf(out, 16, "%s", lang);
    return 0;
  }
  pa_store_credentials c;
  if (rq->viewer && pa_store_accounts_credentials(rq->db, rq->viewer, &c) == PA_STORE_OK &&
      pa_market_lang_ok(c.locale)) {
    /* A catalog's tag (pa_srv_locale_ok) is shorter than out. */
    size_t n = strnlen(c.locale, 15);
    memcpy(out, c.locale, n);
    out[n] = 0;
    return 0;
  }
  pa_srv_locale(rq, out);
  return 0;
}

/* ?name= a whole number of minor units into *out (-1 absent); -1 with 400 sent. */
static int query_price(pa_srv_req *rq, const char *name, int64_t *out) {
  char buf[24], msg[96];
  int rc = pa_api_query(rq, name, buf, sizeof buf);
  *out = -1;
  if (rc != 0) return rc < 0 ? -1 : 0;
  size_t n = strlen(buf);
  if (n == 0 || n > 16 || strspn(buf, "0123456789") != n) {
    snprintf(msg, sizeof msg, "?%s= is a whole number of minor units", name);
    pa_api_field_error(rq, 400, "bad_request", msg, name);
    return -1;
  }
  *out = strtoll(buf, NULL, 10);
  return 0;
}

/* ?q= into out ("" when absent): what someone typed, at most
 * PA_STORE_TEXTINDEX_QUERY_MAX bytes (the words' limit is the store's, once
 * analyzed). 0, or -1 with 400 sent. */
static int query_text(pa_srv_req *rq, char *out, size_t cap) {
  char msg[96];
  int n = pa_http_query_var(rq->query, "q", out, cap);
  out[n >= 0 ? (size_t)n : 0] = 0;
  if (n >= -1) return 0;
  snprintf(msg, sizeof msg, "?q= is at most %d bytes, %%-escaped well",
           PA_STORE_TEXTINDEX_QUERY_MAX);
  pa_api_field_error(rq, 400, "bad_request", msg, "q");
  return -1;
}

void pa_api_market_browse(pa_srv_req *rq) {
  char category[24], condition[16], city[PA_MARKET_CAP(PA_MARKET_CITY_MAX)], country[4],
      currency[8], species[24], sort[16], text[PA_STORE_TEXTINDEX_QUERY_MAX + 1], locale[16];
  int limit, has_cursor, more = 0;
  pa_store_cursor after, next = {0, 0};
  pa_store_market_query q = {.viewer = rq->viewer};
  if (query_word(rq, "category", pa_market_category_find, category, sizeof category) ||
      query_word(rq, "condition", pa_market_condition_find, condition, sizeof condition) ||
      query_word(rq, "city", NULL, city, sizeof city) ||
      query_word(rq, "country", country_find, country, sizeof country) ||
      query_word(rq, "currency", currency_find, currency, sizeof currency) ||
      query_word(rq, "species", pa_market_species_find, species, sizeof species) ||
      query_word(rq, "sort", sort_find, sort, sizeof sort) || query_text(rq, text, sizeof text) ||
      query_price(rq, "price_min", &q.price_min) || query_price(rq, "price_max", &q.price_max) ||
      pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor) != 0)
    return;
  /* A search is ranked by default; relevance means nothing without one. */
  q.sort = sort[0] ? sort_find(sort) : text[0] ? PA_STORE_MARKET_RELEVANCE : PA_STORE_MARKET_NEWEST;
  if (q.sort == PA_STORE_MARKET_RELEVANCE && !text[0]) {
    pa_api_field_error(rq, 400, "bad_request", "?sort=relevance needs ?q= (what to look for)",
                       "sort");
    return;
  }
  if (text[0]) {
    if (search_locale(rq, locale) != 0) return;
    q.text = text;
    q.text_locale = locale;
  }
  /* Prices compare only within one currency. */
  if (!currency[0] &&
      (q.price_min >= 0 || q.price_max >= 0 || q.sort == PA_STORE_MARKET_PRICE_ASC ||
       q.sort == PA_STORE_MARKET_PRICE_DESC)) {
    pa_api_field_error(rq, 400, "bad_request",
                       "A price filter or price order needs ?currency= (prices compare within one)",
                       "currency");
    return;
  }
  q.category = category;
  q.condition = condition;
  /* Cities are kept case-folded beside their text (pa_str_fold). */
  char city_key[sizeof city];
  if (pa_str_fold(city, city_key, sizeof city_key) != 0) {
    pa_api_field_error(rq, 400, "bad_request", "?city= must be UTF-8 text", "city");
    return;
  }
  q.city = city_key;
  q.country = country;
  q.currency = currency;
  q.species = species[0] ? 1u << pa_market_species_find(species) : 0;
  /* Relevance pages by how many were listed (store/market.h): another
   * order's cursor holds a time or a price, never that. */
  if (has_cursor && q.sort == PA_STORE_MARKET_RELEVANCE &&
      (after.created_at < 0 || after.created_at > PA_STORE_TEXTINDEX_DEPTH_MAX || after.id != 1)) {
    PA_BAD(rq, "cursor is not valid; use next_cursor from the previous page");
    return;
  }
  q.after = has_cursor ? &after : NULL;
  q.limit = limit;
  cJSON *root = cJSON_CreateObject(),
        *list = root ? cJSON_AddArrayToObject(root, "listings") : NULL;
  int rc = list ? pa_store_market_browse(rq->db, &q, append_summary, list, &next, &more)
                : PA_STORE_ENOMEM;
  if (rc == PA_STORE_EINVAL) {
    /* The text index refused the words (the cursor was checked above). */
    char msg[160];
    cJSON_Delete(root);
    snprintf(msg, sizeof msg,
             "?q= is at most %d bytes of UTF-8 text and %d words; operators and quotes are"
             " read as text",
             PA_STORE_TEXTINDEX_QUERY_MAX, PA_STORE_TEXTINDEX_QUERY_WORDS);
    pa_api_field_error(rq, 400, "bad_request", msg, "q");
    return;
  }
  if (rc != PA_STORE_OK || pa_api_add_cursor(root, more, &next)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "browse listings");
    return;
  }
  pa_api_json(rq, 200, root);
}
