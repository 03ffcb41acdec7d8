/* pa_store_market — the marketplace's sellers and listings (issue 20;
 * web/README.md, "Marketplace"; schema version 20). What a listing holds and
 * the rules it obeys are market_rules.h's; this is where it is kept. Checkout
 * (next) builds on it: listings and variants have integer ids, a price in
 * minor units with its currency, and stock a single UPDATE can reserve
 * (pa_store_market_reserve). Every read that shows a listing to someone
 * takes the viewer, so a block between them hides it. */
#ifndef PA_STORE_MARKET_H
#define PA_STORE_MARKET_H

#include "market_rules.h"
#include "store/store.h"

/* ---- sellers */

typedef struct pa_store_market_seller {
  int64_t user_id, created_at, updated_at;
  pa_market_seller s;
  int connected; /* Mercado Pago: the OAuth connection is made (0 until the payments lane does) */
} pa_store_market_seller;

/* The seller profile of user into *out; PA_STORE_ENOTFOUND when they do not sell. */
int pa_store_market_seller_get(pa_store *db, int64_t user, pa_store_market_seller *out);
/* Creates or replaces user's seller profile at now. A change of payout
 * provider drops a Mercado Pago connection and erases its grant. */
int pa_store_market_seller_put(pa_store *db, int64_t user, const pa_market_seller *s, int64_t now);
/* Marks user's Mercado Pago payout account connected (1) or not (0), for the
 * OAuth flow; PA_STORE_ENOTFOUND when user is no Mercado Pago seller. */
int pa_store_market_seller_connect(pa_store *db, int64_t user, int connected, int64_t now);

/* ---- sellers' Mercado Pago connection (OAuth; api/market_mp.c) */

enum {
  PA_STORE_MP_STATE_HASH = 32,  /* bytes of a connection state's hash */
  PA_STORE_MP_SEALED_MAX = 512, /* bytes of a sealed token (schema 24 CHECK) */
  PA_STORE_MP_USER_MAX = 63     /* bytes of Mercado Pago's user id */
};

/* Records a pending connection of user's session: the state's hash, until
 * expires_at; user's earlier pending ones go (one at a time). */
int pa_store_market_mp_state_put(pa_store *db, int64_t user, int64_t session,
                                 const uint8_t hash[PA_STORE_MP_STATE_HASH], int64_t expires_at);
/* Takes (deletes) the pending connection hash if it is user's, of session,
 * and not expired at now: PA_STORE_OK once, PA_STORE_ENOTFOUND after (or
 * for another person's, another session's, an expired or unknown one:
 * those stay as they are, but expired ones of user go). */
int pa_store_market_mp_state_take(pa_store *db, int64_t user, int64_t session,
                                  const uint8_t hash[PA_STORE_MP_STATE_HASH], int64_t now);

/* A seller's grant as kept: the tokens sealed (auth/twostep.h). */
typedef struct pa_store_market_mp_grant {
  char mp_user_id[PA_STORE_MP_USER_MAX + 1];
  uint8_t access[PA_STORE_MP_SEALED_MAX], refresh[PA_STORE_MP_SEALED_MAX];
  size_t access_len, refresh_len;
  int64_t expires_at, generation, updated_at;
} pa_store_market_mp_grant;

/* user's grant into *out; PA_STORE_ENOTFOUND when none. */
int pa_store_market_mp_grant_get(pa_store *db, int64_t user, pa_store_market_mp_grant *out);
/* The connected Mercado Pago seller whose grant is of Mercado Pago user
 * mp_user_id into *user (a notification's user_id names the collector of a
 * split payment); PA_STORE_ENOTFOUND when none. */
int pa_store_market_mp_seller_of(pa_store *db, const char *mp_user_id, int64_t *user);
/* Stores g (its generation ignored) as user's grant at now and marks the
 * seller connected; with generation > 0 only over that generation
 * (PA_STORE_ECONFLICT when another save came first: a refresh that lost
 * the race), with 0 whatever was there. PA_STORE_ENOTFOUND when user is no
 * Mercado Pago seller. Run inside a transaction (two writes). */
int pa_store_market_mp_grant_put(pa_store *db, int64_t user, const pa_store_market_mp_grant *g,
                                 int64_t generation, int64_t now);
/* Erases user's grant and marks the seller not connected;
 * PA_STORE_ENOTFOUND when user is no Mercado Pago seller. Run inside a
 * transaction (two writes). */
int pa_store_market_mp_grant_delete(pa_store *db, int64_t user, int64_t now);

/* A seller's public page: their seller name, when they became one, how many
 * of their listings others see, and their account's name. */
typedef struct pa_store_market_seller_page {
  int64_t user_id, since, listings;
  const char *name; /* valid in the callback only */
} pa_store_market_seller_page;
typedef int (*pa_store_market_seller_fn)(void *ctx, const pa_store_market_seller_page *p);
/* user's page as viewer sees it into fn; PA_STORE_ENOTFOUND when user does
 * not sell or a block stands between them. */
int pa_store_market_seller_page_get(pa_store *db, int64_t user, int64_t viewer,
                                    pa_store_market_seller_fn fn, void *ctx);

/* ---- listings: writes (the handler checks the seller first) */

/* How many listings seller keeps, and how many they created at or after since. */
int pa_store_market_listing_counts(pa_store *db, int64_t seller, int64_t since, int64_t *total,
                                   int64_t *recent);
/* Inserts l (its photos and variants apart: see below) for seller with
 * shipping (the JSON pa_market_shipping_json wrote) at now; *id the new id.
 * Its title and description go into the text index (store/textindex.h) in
 * l->lang by the same call, so run both in the caller's transaction; the
 * index row goes with the listing (a trigger, whatever deletes it). */
int pa_store_market_listing_add(pa_store *db, int64_t seller, const pa_market_listing *l,
                                const char *shipping, int64_t now, int64_t *id);
/* Replaces listing id's columns with l and shipping at now, and its text
 * in the index (as pa_store_market_listing_add). */
int pa_store_market_listing_update(pa_store *db, int64_t id, const pa_market_listing *l,
                                   const char *shipping, int64_t now);
/* Deletes listing id with its photos (queued for collection) and variants. */
int pa_store_market_listing_delete(pa_store *db, int64_t id);
/* The seller of listing id (a pa_api_owner_fn); PA_STORE_ENOTFOUND when none. */
int pa_store_market_listing_seller(pa_store *db, int64_t id, int64_t *seller);
/* Drops listing id's photos, then (call once per photo, in order) adds
 * upload's file hash at position. */
int pa_store_market_photos_clear(pa_store *db, int64_t id);
int pa_store_market_photo_add(pa_store *db, int64_t id, int position, int64_t upload,
                              const char *hash);
/* Makes listing id's variants v[0..n-1]: position i keeps its id (a cart's
 * reference stays valid while the variant is at its place), positions from
 * n on go. */
int pa_store_market_variants_set(pa_store *db, int64_t id, const pa_market_variant *v, int n);
/* Takes n units of listing id's stock (variant 0: the listing's own, else
 * that variant of it) if at least n are left: *taken 1 then, else 0 (none
 * is taken). One UPDATE, so two checkouts racing for the last unit cannot
 * both get it. */
int pa_store_market_reserve(pa_store *db, int64_t id, int64_t variant, int64_t n, int *taken);

/* ---- listings: reads */

/* A listing as read back; the strings are copied into l. */
typedef struct pa_store_market_row {
  int64_t id, seller_id, created_at, updated_at;
  int mod_state; /* PA_STORE_MOD_* (store/moderation.h) */
  char seller_name[PA_MARKET_CAP(PA_MARKET_SELLER_NAME_MAX)];
  char shipping[16000];              /* the stored JSON */
  char cover_hash[65], cover_ext[8]; /* the first photo ("" when it has none) */
  int64_t stock_total;               /* the listing's stock, or its variants' summed */
  pa_market_listing l;               /* photos and variants not filled: see below */
} pa_store_market_row;
typedef int (*pa_store_market_row_fn)(void *ctx, const pa_store_market_row *r);

/* Listing id as viewer may see it into fn: the seller sees their own in any
 * state but removed-by-moderation is still theirs to see; anyone else only
 * an active or sold-out one no moderator hid or removed, of a seller with no
 * block between them. PA_STORE_ENOTFOUND otherwise. */
int pa_store_market_listing_get(pa_store *db, int64_t id, int64_t viewer, pa_store_market_row_fn fn,
                                void *ctx);
/* The same without a viewer's rules, for moderators. */
int pa_store_market_listing_any(pa_store *db, int64_t id, pa_store_market_row_fn fn, void *ctx);

typedef int (*pa_store_market_photo_fn)(void *ctx, int64_t upload, const char *hash,
                                        const char *ext);
typedef int (*pa_store_market_variant_fn)(void *ctx, int64_t variant_id,
                                          const pa_market_variant *v);
/* Listing id's photos and variants, by position. */
int pa_store_market_photos(pa_store *db, int64_t id, pa_store_market_photo_fn fn, void *ctx);
int pa_store_market_variants(pa_store *db, int64_t id, pa_store_market_variant_fn fn, void *ctx);

enum {
  PA_STORE_MARKET_NEWEST = 0,
  PA_STORE_MARKET_PRICE_ASC,
  PA_STORE_MARKET_PRICE_DESC,
  PA_STORE_MARKET_RELEVANCE /* best match first: only with a text */
};

/* Browse's filters ("" or -1: any) and page. The cursor of a price sort
 * holds (price_minor, id) in (created_at, id); relevance's holds the number
 * of listings already listed in created_at and 1 in id (offset paging, as the text
 * index's: at most PA_STORE_TEXTINDEX_DEPTH_MAX). text (NULL or "": none)
 * is what someone typed, analyzed in text_locale (the searcher's) and
 * matched against the index as store/textindex.h says. */
typedef struct pa_store_market_query {
  int64_t viewer;
  const char *category, *condition, *city, *country, *currency;
  unsigned species; /* 0: any; else listings suiting any of these */
  int64_t price_min, price_max;
  const char *text, *text_locale;
  int sort;
  const pa_store_cursor *after; /* NULL: the first page */
  int limit;
} pa_store_market_query;

/* The active listings q selects, no moderator hid, of sellers with no block
 * with the viewer, in q->sort's order; *next and *more say where the next page starts and
 * whether there is one.
 * PA_STORE_EINVAL (message recorded) for a text the index refuses (over
 * PA_STORE_TEXTINDEX_QUERY_MAX bytes or PA_STORE_TEXTINDEX_QUERY_WORDS
 * words, not UTF-8), for relevance without a text, or a relevance cursor
 * past PA_STORE_TEXTINDEX_DEPTH_MAX; a text with no words finds nothing. */
int pa_store_market_browse(pa_store *db, const pa_store_market_query *q, pa_store_market_row_fn fn,
                           void *ctx, pa_store_cursor *next, int *more);
/* seller's listings, newest first: all of them when mine (drafts, paused,
 * hidden and removed ones too), else those others see (as
 * pa_store_market_listing_get) — none when a block stands between them. */
int pa_store_market_seller_listings(pa_store *db, int64_t seller, int64_t viewer, int mine,
                                    const pa_store_cursor *after, int limit,
                                    pa_store_market_row_fn fn, void *ctx, pa_store_cursor *next,
                                    int *more);

/* ---- moderation */

/* Listing id's moderation state; PA_STORE_ENOTFOUND when none. */
int pa_store_market_mod_state(pa_store *db, int64_t id, int *state);
int pa_store_market_mod_set(pa_store *db, int64_t id, int state);

#endif
