/* pa_market: the marketplace's pure rules and strict body readers (market_rules.h). */
#include "market_rules.h"

#include "body.h"
#include "pay/money.h"
#include "profile.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

/* ---- registries */

/* Fees in basis points: goods 10 %, food and health goods 8 % (thin
 * margins), services 12 % (the platform finds the customer). */
static const pa_market_category categories[] = {
    {"food", 800, 0, 1},     {"toys", 1000, 0, 1},        {"beds", 1000, 0, 1},
    {"health", 800, 0, 1},   {"grooming", 1000, 1, 1},    {"accessories", 1000, 0, 1},
    {"walking", 1200, 1, 0}, {"pet_sitting", 1200, 1, 0}, {"training", 1200, 1, 1},
    {"other", 1000, 1, 1},
};
enum { CATEGORIES = sizeof categories / sizeof categories[0] };

int pa_market_categories(void) { return CATEGORIES; }

const pa_market_category *pa_market_category_at(int i) {
  return i >= 0 && i < CATEGORIES ? &categories[i] : NULL;
}

int pa_market_category_find(const char *name) {
  for (int i = 0; name && i < CATEGORIES; i++)
    if (strcmp(name, categories[i].name) == 0) return i;
  return -1;
}

static const char *const species[PA_MARKET_SPECIES] = {
    "dog", "cat", "rabbit", "hamster", "guinea pig", "parrot", "fish", "turtle", "horse"};
static const char *const kinds[PA_MARKET_KINDS] = {"product", "service"};
static const char *const conditions[PA_MARKET_CONDITIONS] = {"new", "like_new", "used", "n/a"};
static const char *const statuses[PA_MARKET_STATUSES] = {"active", "paused", "sold_out"};
/* The catalogs in locales/ but the pseudo-locale en-XA. */
static const char *const langs[] = {"ar", "bn", "de", "en", "es", "fr",     "hi",
                                    "id", "it", "ja", "ko", "nl", "pl",     "pt",
                                    "ru", "th", "tr", "uk", "vi", "zh-Hans"};

static int find(const char *const *list, int n, const char *s) {
  for (int i = 0; s && i < n; i++)
    if (strcmp(s, list[i]) == 0) return i;
  return -1;
}

const char *pa_market_species_name(int i) {
  return i >= 0 && i < PA_MARKET_SPECIES ? species[i] : NULL;
}
int pa_market_species_find(const char *s) { return find(species, PA_MARKET_SPECIES, s); }
const char *pa_market_kind_name(int i) { return i >= 0 && i < PA_MARKET_KINDS ? kinds[i] : NULL; }
const char *pa_market_condition_name(int i) {
  return i >= 0 && i < PA_MARKET_CONDITIONS ? conditions[i] : NULL;
}
const char *pa_market_status_name(int i) {
  return i >= 0 && i < PA_MARKET_STATUSES ? statuses[i] : NULL;
}
int pa_market_kind_find(const char *s) { return find(kinds, PA_MARKET_KINDS, s); }
int pa_market_condition_find(const char *s) { return find(conditions, PA_MARKET_CONDITIONS, s); }
int pa_market_status_find(const char *s) { return find(statuses, PA_MARKET_STATUSES, s); }
int pa_market_lang_ok(const char *s) {
  return find(langs, (int)(sizeof langs / sizeof langs[0]), s) >= 0;
}

/* ---- the live-animal rule */

const char PA_MARKET_LIVE_ANIMALS_POLICY[] =
    "Live animals cannot be sold on PetAmigos. To find a home for an animal, write an adoption "
    "post instead: adoption is free and never a sale.";

/* Words that name animals themselves, as a category or a kind. */
static const char *const animal_words[] = {
    "animal", "animals", "live_animal", "live_animals", "pet",     "pets", "puppy",    "puppies",
    "kitten", "kittens", "livestock",   "breeding",     "breeder", "stud", "adoption", "rehoming"};

/* 1 when w (ASCII-folded, at most 40 bytes, '-' and ' ' read as '_') is an
 * animal word or a species' name, singular or plural. */
static int animal_word(const char *w) {
  char f[48];
  size_t n = 0;
  for (; w[n] && n < sizeof f - 1; n++) {
    char c = w[n];
    f[n] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c == '-' || c == ' ' ? '_' : c;
  }
  if (w[n]) return 0; /* longer than any animal word */
  f[n] = '\0';
  for (size_t i = 0; i < sizeof animal_words / sizeof animal_words[0]; i++)
    if (strcmp(f, animal_words[i]) == 0) return 1;
  for (int i = 0; i < PA_MARKET_SPECIES; i++) {
    char sp[24], plural[28];
    size_t k = 0;
    for (; species[i][k]; k++) sp[k] = species[i][k] == ' ' ? '_' : species[i][k];
    sp[k] = '\0';
    snprintf(plural, sizeof plural, "%s%s", sp, strcmp(sp, "fish") == 0 ? "es" : "s");
    if (strcmp(f, sp) == 0 || strcmp(f, plural) == 0) return 1;
  }
  return 0;
}

int pa_market_sells_animal(const char *category, const char *kind) {
  if (category && animal_word(category)) return 1;
  /* A kind is product or service; any other kind that names animals is an
   * attempt to sell one (an unknown kind is a plain 400). */
  return kind && pa_market_kind_find(kind) < 0 && animal_word(kind);
}

/* ---- the reader */

#define BAD(e, field, ...) pa_body_fail((e), 400, "bad_request", (field), __VA_ARGS__)

/* Members that would place a listing on a map: refused by name. */
static int is_coordinate(const char *s) {
  static const char *const names[] = {"lat",       "lng",         "lon", "long", "latitude",
                                      "longitude", "coordinates", "geo", "gps"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(s, names[i]) == 0) return 1;
  return 0;
}

/* The marketplace's own refusal: a member that would place a listing on a map. */
static int refuse_coordinate(pa_market_err *e, const char *field, const char *name) {
  if (is_coordinate(name))
    return BAD(e, field, "%s: a listing shows its city, never a position on a map", field);
  return 0;
}

static int only(pa_market_err *e, const cJSON *obj, const char *prefix, const char *const *names) {
  return pa_body_only(e, obj, prefix, names, refuse_coordinate);
}

/* A string member (its field name in field) of min..max code points into
 * out; absent: 1 (out untouched). A wrong length is a malformed body here. */
static int text(pa_market_err *e, const cJSON *v, const char *field, long min, long max,
                int multiline, char *out, size_t cap) {
  return pa_body_text(e, v, field, min, max, multiline, out, cap, 400, "bad_request");
}

/* A whole number in min..max into *out; absent: 1. */
static int whole(pa_market_err *e, const cJSON *v, const char *field, int64_t min, int64_t max,
                 int64_t *out) {
  if (!v) return 1;
  /* Never rounded: 4.5 units or 4.99 as minor units is refused. */
  if (!cJSON_IsNumber(v) || !(v->valuedouble >= (double)min && v->valuedouble <= (double)max) ||
      v->valuedouble != (double)(int64_t)v->valuedouble)
    return BAD(e, field, "%s must be a whole number from %lld to %lld", field, (long long)min,
               (long long)max);
  *out = (int64_t)v->valuedouble;
  return 0;
}

/* One word of list (n names) into *out; absent: 1. */
static int word(pa_market_err *e, const cJSON *v, const char *field, int (*find_fn)(const char *),
                int *out) {
  if (!v) return 1;
  int i = cJSON_IsString(v) ? find_fn(v->valuestring) : -1;
  if (i < 0) return BAD(e, field, "%s is not one of the known values", field);
  *out = i;
  return 0;
}

/* An "m_12" upload id into *out. */
static int upload_id(const char *s, int64_t *out) {
  if (!s || strncmp(s, "m_", 2) != 0 || s[2] < '1' || s[2] > '9') return -1;
  int64_t v = 0;
  for (const char *p = s + 2; *p; p++) {
    if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10) return -1;
    v = v * 10 + (*p - '0');
  }
  *out = v;
  return 0;
}

#define ITEM(o, name) cJSON_GetObjectItemCaseSensitive((o), (name))
/* A reader's result: -1 refused, 0 read, 1 absent. */
#define TRY(x)                                                                                     \
  do {                                                                                             \
    if ((x) < 0) return -1;                                                                        \
  } while (0)

static int read_photos(pa_market_err *e, const cJSON *v, pa_market_listing *l) {
  if (!cJSON_IsArray(v)) return BAD(e, "photos", "photos must be an array of upload ids");
  int n = cJSON_GetArraySize(v);
  if (n < PA_MARKET_PHOTOS_MIN || n > PA_MARKET_PHOTOS_MAX)
    return pa_body_fail(e, 422, "too_many_photos", "photos", "A listing shows %d to %d photos",
                        PA_MARKET_PHOTOS_MIN, PA_MARKET_PHOTOS_MAX);
  int i = 0;
  for (const cJSON *c = v->child; c; c = c->next, i++) {
    char field[PA_MARKET_FIELD_MAX];
    snprintf(field, sizeof field, "photos[%d]", i);
    if (!cJSON_IsString(c) || upload_id(c->valuestring, &l->photos[i]) != 0)
      return BAD(e, field, "%s must be an upload id such as \"m_12\"", field);
    for (int j = 0; j < i; j++)
      if (l->photos[j] == l->photos[i]) return BAD(e, field, "%s repeats a photo", field);
  }
  l->nphotos = n;
  return 0;
}

static int read_variants(pa_market_err *e, const cJSON *v, pa_market_listing *l) {
  static const char *const names[] = {"size", "colour", "stock", "price_minor", NULL};
  if (!cJSON_IsArray(v)) return BAD(e, "variants", "variants must be an array");
  int n = cJSON_GetArraySize(v);
  if (n > PA_MARKET_VARIANTS_MAX)
    return pa_body_fail(e, 422, "too_many_variants", "variants",
                        "A listing has at most %d variants", PA_MARKET_VARIANTS_MAX);
  int i = 0;
  for (const cJSON *c = v->child; c; c = c->next, i++) {
    pa_market_variant *va = &l->variants[i];
    char prefix[24], field[PA_MARKET_FIELD_MAX];
    snprintf(prefix, sizeof prefix, "variants[%d].", i);
    memset(va, 0, sizeof *va);
    va->price_minor = -1;
    if (!cJSON_IsObject(c)) return BAD(e, "variants", "variants[%d] must be an object", i);
    TRY(only(e, c, prefix, names));
    snprintf(field, sizeof field, "%ssize", prefix);
    TRY(text(e, ITEM(c, "size"), field, 0, PA_MARKET_LABEL_MAX, 0, va->size, sizeof va->size));
    snprintf(field, sizeof field, "%scolour", prefix);
    TRY(text(e, ITEM(c, "colour"), field, 0, PA_MARKET_LABEL_MAX, 0, va->colour,
             sizeof va->colour));
    if (!va->size[0] && !va->colour[0])
      return BAD(e, field, "variants[%d] needs a size or a colour", i);
    snprintf(field, sizeof field, "%sstock", prefix);
    int rc = whole(e, ITEM(c, "stock"), field, 0, PA_MARKET_STOCK_MAX, &va->stock);
    TRY(rc);
    if (rc == 1) return BAD(e, field, "%s is required", field);
    snprintf(field, sizeof field, "%sprice_minor", prefix);
    const cJSON *p = ITEM(c, "price_minor");
    if (p && !cJSON_IsNull(p)) TRY(whole(e, p, field, 1, PA_MONEY_MINOR_MAX, &va->price_minor));
  }
  l->nvariants = n;
  l->variants_sent = 1;
  return 0;
}

static int read_species(pa_market_err *e, const cJSON *v, pa_market_listing *l) {
  if (!cJSON_IsArray(v)) return BAD(e, "species", "species must be an array of species");
  unsigned mask = 0;
  int i = 0;
  for (const cJSON *c = v->child; c; c = c->next, i++) {
    char field[PA_MARKET_FIELD_MAX];
    snprintf(field, sizeof field, "species[%d]", i);
    int s = cJSON_IsString(c) ? pa_market_species_find(c->valuestring) : -1;
    if (s < 0) return BAD(e, field, "%s is not one of the app's species", field);
    if (mask & (1u << s)) return BAD(e, field, "%s repeats a species", field);
    mask |= 1u << s;
  }
  l->species = mask;
  return 0;
}

static int read_location(pa_market_err *e, const cJSON *v, pa_market_listing *l) {
  static const char *const names[] = {"city", "country", NULL};
  if (!cJSON_IsObject(v)) return BAD(e, "location", "location must be {\"city\", \"country\"}");
  TRY(only(e, v, "location.", names));
  int rc =
      text(e, ITEM(v, "city"), "location.city", 1, PA_MARKET_CITY_MAX, 0, l->city, sizeof l->city);
  TRY(rc);
  if (rc == 1) return BAD(e, "location.city", "location.city is required");
  const cJSON *c = ITEM(v, "country");
  if (!c) return BAD(e, "location.country", "location.country is required");
  if (!cJSON_IsString(c) || !pa_profile_country_ok(c->valuestring, strlen(c->valuestring)))
    return BAD(e, "location.country", "location.country must be an ISO 3166 code such as \"BR\"");
  memcpy(l->country, c->valuestring, 3);
  return 0;
}

static int read_shipping(pa_market_err *e, const cJSON *v, pa_market_listing *l) {
  static const char *const names[] = {"zones", "pickup", "area", NULL};
  static const char *const zone_names[] = {"name", "price_minor", NULL};
  if (!cJSON_IsObject(v)) return BAD(e, "shipping", "shipping must be an object");
  TRY(only(e, v, "shipping.", names));
  const cJSON *z = ITEM(v, "zones"), *p = ITEM(v, "pickup"), *a = ITEM(v, "area");
  l->nzones = l->narea = l->pickup = 0;
  if (z && (!cJSON_IsArray(z) || cJSON_GetArraySize(z) > PA_MARKET_ZONES_MAX))
    return BAD(e, "shipping.zones", "shipping.zones must be an array of at most %d rates",
               PA_MARKET_ZONES_MAX);
  int i = 0;
  for (const cJSON *c = z ? z->child : NULL; c; c = c->next, i++) {
    char prefix[32], field[PA_MARKET_FIELD_MAX];
    snprintf(prefix, sizeof prefix, "shipping.zones[%d].", i);
    if (!cJSON_IsObject(c))
      return BAD(e, "shipping.zones", "shipping.zones[%d] must be an object", i);
    TRY(only(e, c, prefix, zone_names));
    snprintf(field, sizeof field, "%sname", prefix);
    int rc = text(e, ITEM(c, "name"), field, 1, PA_MARKET_ZONE_MAX, 0, l->zones[i].name,
                  sizeof l->zones[i].name);
    TRY(rc);
    if (rc == 1) return BAD(e, field, "%s is required", field);
    snprintf(field, sizeof field, "%sprice_minor", prefix);
    rc = whole(e, ITEM(c, "price_minor"), field, 0, PA_MONEY_MINOR_MAX, &l->zones[i].price_minor);
    TRY(rc);
    if (rc == 1) return BAD(e, field, "%s is required", field);
  }
  l->nzones = i;
  if (p && !cJSON_IsBool(p))
    return BAD(e, "shipping.pickup", "shipping.pickup must be true or false");
  l->pickup = p && cJSON_IsTrue(p);
  if (a && (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > PA_MARKET_AREA_MAX))
    return BAD(e, "shipping.area", "shipping.area must be an array of at most %d cities",
               PA_MARKET_AREA_MAX);
  i = 0;
  for (const cJSON *c = a ? a->child : NULL; c; c = c->next, i++) {
    char field[PA_MARKET_FIELD_MAX];
    snprintf(field, sizeof field, "shipping.area[%d]", i);
    TRY(text(e, c, field, 1, PA_MARKET_CITY_MAX, 0, l->area[i], sizeof l->area[i]));
  }
  l->narea = i;
  return 0;
}

char *pa_market_shipping_json(const pa_market_listing *l) {
  cJSON *o = cJSON_CreateObject(), *zones = o ? cJSON_AddArrayToObject(o, "zones") : NULL;
  int bad = !zones || !cJSON_AddBoolToObject(o, "pickup", l->pickup);
  for (int i = 0; !bad && i < l->nzones; i++) {
    cJSON *z = cJSON_CreateObject();
    bad = !z || !cJSON_AddItemToArray(zones, z) ||
          !cJSON_AddStringToObject(z, "name", l->zones[i].name) ||
          !cJSON_AddNumberToObject(z, "price_minor", (double)l->zones[i].price_minor);
    if (!z) break;
  }
  cJSON *area = bad ? NULL : cJSON_AddArrayToObject(o, "area");
  bad = bad || !area;
  for (int i = 0; !bad && i < l->narea; i++) {
    cJSON *c = cJSON_CreateString(l->area[i]);
    bad = !c || !cJSON_AddItemToArray(area, c);
    if (!c) break;
  }
  char *out = bad ? NULL : cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return out;
}

int pa_market_shipping_load(const char *json, pa_market_listing *l, pa_market_err *e) {
  cJSON *o = json ? cJSON_Parse(json) : NULL;
  memset(e, 0, sizeof *e);
  int rc = o ? read_shipping(e, o, l) : BAD(e, "shipping", "shipping is not JSON");
  cJSON_Delete(o);
  return rc;
}

void pa_market_listing_defaults(pa_market_listing *l) {
  memset(l, 0, sizeof *l);
  l->nphotos = -1;
  l->kind = l->condition = l->category = -1;
  l->status = PA_MARKET_ACTIVE;
}

/* The whole listing, once every member sent is read. */
static int check_whole(pa_market_err *e, const pa_market_listing *l) {
  const pa_market_category *cat = pa_market_category_at(l->category);
  if (l->kind == PA_MARKET_SERVICE) {
    if (!cat->service_ok)
      return pa_body_fail(e, 422, "unprocessable", "category", "Services are not listed in %s",
                          cat->name);
    if (l->condition != PA_MARKET_NA)
      return pa_body_fail(e, 422, "unprocessable", "condition", "A service's condition is \"n/a\"");
    if (l->nvariants > 0)
      return pa_body_fail(e, 422, "unprocessable", "variants", "A service has no variants");
    if (l->nzones > 0 || l->pickup)
      return pa_body_fail(e, 422, "unprocessable", "shipping",
                          "A service names its area (shipping.area), not shipping rates or pickup");
    if (l->narea == 0)
      return pa_body_fail(e, 422, "unprocessable", "shipping.area",
                          "A service names at least one city it serves (shipping.area)");
  } else {
    if (!cat->product_ok)
      return pa_body_fail(e, 422, "unprocessable", "category", "Products are not listed in %s",
                          cat->name);
    if (l->condition == PA_MARKET_NA)
      return pa_body_fail(e, 422, "unprocessable", "condition",
                          "A product's condition is new, like_new or used");
    if (l->narea > 0)
      return pa_body_fail(e, 422, "unprocessable", "shipping.area",
                          "A product ships by zones or pickup; an area is a service's");
    if (l->nzones == 0 && !l->pickup)
      return pa_body_fail(e, 422, "unprocessable", "shipping",
                          "A product ships by at least one rate (shipping.zones) or local pickup");
  }
  return 0;
}

int pa_market_listing_parse(const cJSON *body, int create, pa_market_listing *l, pa_market_err *e) {
  static const char *const names[] = {"title",       "description", "lang",     "photos",
                                      "price_minor", "currency",    "stock",    "variants",
                                      "condition",   "kind",        "category", "species",
                                      "location",    "shipping",    "status",   NULL};
  memset(e, 0, sizeof *e);
  if (!cJSON_IsObject(body)) return BAD(e, NULL, "The body must be a JSON object");
  const cJSON *cat = ITEM(body, "category"), *kind = ITEM(body, "kind");
  /* The live-animal rule first: an "animals" category is a refusal of what
   * is listed, never a typo to fix. */
  if (pa_market_sells_animal(cJSON_IsString(cat) ? cat->valuestring : NULL,
                             cJSON_IsString(kind) ? kind->valuestring : NULL))
    return pa_body_fail(e, 422, "live_animals_forbidden",
                        pa_market_sells_animal(cJSON_IsString(cat) ? cat->valuestring : NULL, NULL)
                            ? "category"
                            : "kind",
                        "%s", PA_MARKET_LIVE_ANIMALS_POLICY);
  TRY(only(e, body, "", names));
  int rc;
  TRY(rc = text(e, ITEM(body, "title"), "title", 1, PA_MARKET_TITLE_MAX, 0, l->title,
                sizeof l->title));
  if (rc == 1 && create) return BAD(e, "title", "title is required");
  TRY(text(e, ITEM(body, "description"), "description", 0, PA_MARKET_DESCRIPTION_MAX, 1,
           l->description, sizeof l->description));
  const cJSON *lang = ITEM(body, "lang");
  if (lang && (!cJSON_IsString(lang) || !pa_market_lang_ok(lang->valuestring)))
    return BAD(e, "lang", "lang must be one of the app's languages (\"en\", \"es\", \"pt\", …)");
  if (lang) snprintf(l->lang, sizeof l->lang, "%s", lang->valuestring);
  const cJSON *photos = ITEM(body, "photos");
  if (photos)
    TRY(read_photos(e, photos, l));
  else if (create)
    return BAD(e, "photos", "photos is required");
  const cJSON *cur = ITEM(body, "currency");
  if (cur && (!cJSON_IsString(cur) || pa_money_exponent(cur->valuestring) < 0))
    return BAD(e, "currency",
               "currency must be an ISO 4217 code the app trades in (\"USD\", \"BRL\", …)");
  if (cur)
    memcpy(l->currency, cur->valuestring, 4);
  else if (create)
    return BAD(e, "currency", "currency is required");
  TRY(rc = whole(e, ITEM(body, "price_minor"), "price_minor", 1, PA_MONEY_MINOR_MAX,
                 &l->price_minor));
  if (rc == 1 && create) return BAD(e, "price_minor", "price_minor is required");
  TRY(whole(e, ITEM(body, "stock"), "stock", 0, PA_MARKET_STOCK_MAX, &l->stock));
  const cJSON *variants = ITEM(body, "variants");
  if (variants) TRY(read_variants(e, variants, l));
  TRY(rc = word(e, kind, "kind", pa_market_kind_find, &l->kind));
  if (rc == 1 && create) return BAD(e, "kind", "kind is required (product or service)");
  TRY(rc = word(e, cat, "category", pa_market_category_find, &l->category));
  if (rc == 1 && create) return BAD(e, "category", "category is required");
  TRY(rc = word(e, ITEM(body, "condition"), "condition", pa_market_condition_find, &l->condition));
  if (rc == 1 && create) return BAD(e, "condition", "condition is required");
  const cJSON *sp = ITEM(body, "species");
  if (sp) TRY(read_species(e, sp, l));
  const cJSON *loc = ITEM(body, "location");
  if (loc)
    TRY(read_location(e, loc, l));
  else if (create)
    return BAD(e, "location", "location is required");
  const cJSON *ship = ITEM(body, "shipping");
  if (ship)
    TRY(read_shipping(e, ship, l));
  else if (create)
    return BAD(e, "shipping", "shipping is required");
  TRY(word(e, ITEM(body, "status"), "status", pa_market_status_find, &l->status));
  return check_whole(e, l);
}

int pa_market_seller_parse(const cJSON *body, pa_market_seller *s, pa_market_err *e) {
  static const char *const names[] = {"name", "payout", NULL};
  static const char *const payout_names[] = {"provider", "email", NULL};
  memset(e, 0, sizeof *e);
  memset(s, 0, sizeof *s);
  if (!cJSON_IsObject(body)) return BAD(e, NULL, "The body must be a JSON object");
  TRY(only(e, body, "", names));
  int rc =
      text(e, ITEM(body, "name"), "name", 1, PA_MARKET_SELLER_NAME_MAX, 0, s->name, sizeof s->name);
  TRY(rc);
  if (rc == 1) return BAD(e, "name", "name is required");
  const cJSON *p = ITEM(body, "payout");
  if (!p) return BAD(e, "payout", "payout is required");
  if (!cJSON_IsObject(p)) return BAD(e, "payout", "payout must be an object");
  TRY(only(e, p, "payout.", payout_names));
  const cJSON *prov = ITEM(p, "provider"), *mail = ITEM(p, "email");
  if (!cJSON_IsString(prov) ||
      (strcmp(prov->valuestring, "paypal") != 0 && strcmp(prov->valuestring, "mercadopago") != 0))
    return BAD(e, "payout.provider", "payout.provider must be \"paypal\" or \"mercadopago\"");
  s->provider = strcmp(prov->valuestring, "paypal") == 0 ? PA_MARKET_PAYPAL : PA_MARKET_MERCADOPAGO;
  if (s->provider == PA_MARKET_MERCADOPAGO) {
    /* The account is connected through Mercado Pago's own sign-in, never typed. */
    if (mail) return BAD(e, "payout.email", "A Mercado Pago account is connected, not typed");
    return 0;
  }
  if (!cJSON_IsString(mail)) return BAD(e, "payout.email", "payout.email is required for PayPal");
  const char *m = mail->valuestring, *at = strchr(m, '@');
  size_t n = strlen(m);
  if (n < 3 || n > PA_MARKET_EMAIL_MAX || !at || at == m || !at[1] || strchr(at + 1, '@') ||
      strpbrk(m, " \t\r\n<>\"") || pa_str_utf8_len(m, n, 0) < 0)
    return BAD(e, "payout.email", "payout.email must be an e-mail address");
  memcpy(s->email, m, n + 1);
  return 0;
}
