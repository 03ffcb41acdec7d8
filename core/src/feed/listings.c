/* The marketplace's listings page (pa_listings.h) through the strict-JSON
 * toolkit the feed uses (jv.h): the fields the browse grid draws and
 * mirrors are checked; the rest of a ListingSummary is the API's business
 * and is not kept. */
#include "jv.h"
#include "pa/pa_listings.h"

#include <stdlib.h>
#include <string.h>

struct pa_listings {
  pa_jv_arena arena;
  pa_listing *items;
  int count;
  const char *next_cursor;
};

static pa_status parse_seller(pa_jv *v, const cJSON *o, pa_listing *l) {
  return pa_jv_string(v, o, "name", PA_JV_TEXT, PA_LISTINGS_MAX_NAME, false, &l->seller);
}

static pa_status parse_location(pa_jv *v, const cJSON *o, pa_listing *l) {
  return pa_jv_string(v, o, "city", PA_JV_TEXT, PA_LISTINGS_MAX_NAME, false, &l->city);
}

static pa_status parse_listing(pa_jv *v, const cJSON *o, pa_listing *l) {
  const char *currency;
  if (!cJSON_IsObject(o)) return pa_jv_fail(v, PA_ERR_SCHEMA, "", "expected an object");
  PA_JV_TRY(pa_jv_string(v, o, "id", PA_JV_ID, 64, false, &l->id));
  PA_JV_TRY(pa_jv_string(v, o, "title", PA_JV_TEXT, PA_LISTINGS_MAX_TITLE, false, &l->title));
  if (!l->title[0]) return pa_jv_fail(v, PA_ERR_SCHEMA, "title", "must not be empty");
  PA_JV_TRY(pa_jv_int(v, o, "price_minor", 0, PA_LISTINGS_MAX_PRICE, &l->price_minor));
  PA_JV_TRY(pa_jv_string(v, o, "currency", PA_JV_TEXT, 3, false, &currency));
  if (strlen(currency) != 3 || strspn(currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
    return pa_jv_fail(v, PA_ERR_SCHEMA, "currency", "expected an ISO 4217 code like EUR");
  memcpy(l->currency, currency, 4);
  PA_JV_TRY(pa_jv_string(v, o, "cover_url", PA_JV_URL, 2048, true, &l->cover_url));
  PA_JV_NESTED(v, o, "seller", parse_seller, l);
  PA_JV_NESTED(v, o, "location", parse_location, l);
  return PA_OK;
}

pa_status pa_listings_parse(const char *json, size_t len, pa_listings **out, pa_error *err) {
  pa_error local;
  pa_error *e = err ? err : &local;
  cJSON *root;
  int n;
  *out = NULL;
  PA_JV_TRY(pa_jv_document(json, len, 4 * 1024 * 1024, "listings", &root, e));
  pa_listings *p = calloc(1, sizeof *p);
  pa_jv v = {.arena = p ? &p->arena : NULL, .err = e, .path = ""};
  pa_status st = p ? PA_OK : pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  const cJSON *a =
      st == PA_OK ? pa_jv_array(&v, root, "listings", 0, PA_LISTINGS_MAX_PAGE, &n) : NULL;
  if (st == PA_OK && !a) st = e->code;
  if (st == PA_OK && !(p->items = pa_jv_alloc(&p->arena, sizeof *p->items * (size_t)(n + 1))))
    st = pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  for (int i = 0; st == PA_OK && i < n; i++) {
    size_t mark = pa_jv_push(&v, "listings[%d]", i);
    memset(&p->items[i], 0, sizeof p->items[i]);
    st = parse_listing(&v, cJSON_GetArrayItem(a, i), &p->items[i]);
    pa_jv_pop(&v, mark);
    p->count = i + 1;
  }
  if (st == PA_OK)
    st = pa_jv_string(&v, root, "next_cursor", PA_JV_ID, PA_LISTINGS_MAX_CURSOR, true,
                      &p->next_cursor);
  cJSON_Delete(root);
  if (st != PA_OK) {
    pa_listings_free(p);
    return st;
  }
  *out = p;
  return PA_OK;
}

void pa_listings_free(pa_listings *p) {
  if (!p) return;
  pa_jv_arena_free(&p->arena);
  free(p);
}

int pa_listings_count(const pa_listings *p) { return p ? p->count : 0; }

const pa_listing *pa_listings_at(const pa_listings *p, int i) {
  return p && i >= 0 && i < p->count ? &p->items[i] : NULL;
}

const char *pa_listings_next_cursor(const pa_listings *p) { return p ? p->next_cursor : NULL; }
