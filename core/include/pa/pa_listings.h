/* pa_listings — strict parsing of a page of the marketplace's listings
 * (GET /api/v1/listings, the API's ListingPage), for the browse grid the
 * core draws (app_grid.c). Same rules as pa_feed: the server is untrusted,
 * every field the grid uses is type- and range-checked, strings are valid
 * UTF-8 without control characters, and the limits below hold before
 * anything is kept. A parsed page is immutable and owns all its strings. */
#ifndef PA_LISTINGS_H
#define PA_LISTINGS_H

#include "pa/pa_status.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_LISTINGS_MAX_PAGE = 100,  /* listings in one page (the API's ListLimit) */
  PA_LISTINGS_MAX_TITLE = 120, /* code points (the server's PA_MARKET_TITLE_MAX) */
  PA_LISTINGS_MAX_NAME = 80,   /* code points of a seller's or a city's name */
  PA_LISTINGS_MAX_CURSOR = 512 /* bytes of next_cursor */
};
/* The largest price in minor units (the API's ListingPrice); exact in a
 * JSON number (below 2^53). */
#define PA_LISTINGS_MAX_PRICE INT64_C(1000000000000000)

typedef struct pa_listing {
  const char *id, *title;
  int64_t price_minor;   /* integer minor units of currency, never a float */
  char currency[4];      /* ISO 4217: three capital letters */
  const char *cover_url; /* the first photo, or NULL when the listing has none */
  const char *seller;    /* the seller's shop name */
  const char *city;
} pa_listing;

typedef struct pa_listings pa_listings;

/* Parses len bytes of JSON into a new page. On success *out owns everything;
 * the caller frees it with pa_listings_free. On failure *out is NULL and err
 * names the field ("listings[1].price_minor: ..."). */
pa_status pa_listings_parse(const char *json, size_t len, pa_listings **out, pa_error *err);
void pa_listings_free(pa_listings *page);

int pa_listings_count(const pa_listings *page);
const pa_listing *pa_listings_at(const pa_listings *page, int index);
/* Cursor for the next page, or NULL on the last page. */
const char *pa_listings_next_cursor(const pa_listings *page);

#endif
