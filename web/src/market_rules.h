/* pa_market — the marketplace's pure rules (issue 20; web/README.md,
 * "Marketplace"): the category registry with each category's platform fee,
 * the species, conditions and kinds a listing names, the one rule that keeps
 * live animals off the market, every limit of a listing, and the strict
 * readers of the seller and listing bodies. No database, no HTTP: the bytes
 * come from request bodies, so every function is total over any input and
 * fuzzed (web/fuzz/fuzz_listing.c). */
#ifndef PA_MARKET_RULES_H
#define PA_MARKET_RULES_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_MARKET_TITLE_MAX = 120,        /* code points of a title (at least 1) */
  PA_MARKET_DESCRIPTION_MAX = 5000, /* code points of a description */
  PA_MARKET_PHOTOS_MIN = 1,         /* photos a listing shows, at least */
  PA_MARKET_PHOTOS_MAX = 10,        /* and at most */
  PA_MARKET_VARIANTS_MAX = 20,      /* variants of a listing (0: none, the listing's own stock) */
  PA_MARKET_STOCK_MAX = 100000,     /* units of a listing or of one variant */
  PA_MARKET_LABEL_MAX = 40,         /* code points of a variant's size or colour */
  PA_MARKET_CITY_MAX = 80,          /* code points of a city */
  PA_MARKET_ZONES_MAX = 10,         /* flat shipping rates (zones) of a listing */
  PA_MARKET_ZONE_MAX = 40,          /* code points of a zone's name */
  PA_MARKET_AREA_MAX = 20,          /* cities of a service's area */
  PA_MARKET_SELLER_NAME_MAX = 60,   /* code points of a seller's display name */
  PA_MARKET_EMAIL_MAX = 254,        /* bytes of a PayPal payout e-mail */
  PA_MARKET_LISTINGS_MAX = 200,     /* listings a seller keeps (any status) */
  PA_MARKET_CREATES_PER_HOUR = 20,  /* listings a seller creates in an hour */
  PA_MARKET_ERR_MAX = 240,          /* bytes of a reader's message */
  PA_MARKET_FIELD_MAX = 48          /* bytes of the member a message names ("variants[19].stock") */
};

/* Bytes for n code points of UTF-8 and the NUL. */
#define PA_MARKET_CAP(n) (4 * (n) + 1)

/* The category registry: a listing's category by index. Append only (the
 * database keeps the name; the fee is read from here by checkout). */
typedef struct pa_market_category {
  const char *name;
  int fee_bps;    /* the platform's fee in basis points of the price */
  int service_ok; /* a service may be listed in it */
  int product_ok; /* a product may */
} pa_market_category;

/* The registry's count and entry i (NULL outside 0..count-1). */
int pa_market_categories(void);
const pa_market_category *pa_market_category_at(int i);
/* The index of name in the registry, or -1. */
int pa_market_category_find(const char *name);

/* The app's species (shell/pets.js SPECIES, in its order); a listing keeps
 * the ones it suits as a bit mask (bit i: species i). */
enum { PA_MARKET_SPECIES = 9 };
const char *pa_market_species_name(int i);
int pa_market_species_find(const char *name);

enum { PA_MARKET_PRODUCT = 0, PA_MARKET_SERVICE = 1, PA_MARKET_KINDS };
enum {
  PA_MARKET_NEW = 0,
  PA_MARKET_LIKE_NEW = 1,
  PA_MARKET_USED = 2,
  PA_MARKET_NA = 3, /* services: no condition */
  PA_MARKET_CONDITIONS
};
/* A seller's states of a listing; a moderator's removal is apart (mod_state). */
enum { PA_MARKET_ACTIVE = 0, PA_MARKET_PAUSED = 1, PA_MARKET_SOLD_OUT = 2, PA_MARKET_STATUSES };
const char *pa_market_kind_name(int i);
const char *pa_market_condition_name(int i);
const char *pa_market_status_name(int i);
int pa_market_kind_find(const char *s);
int pa_market_condition_find(const char *s);
int pa_market_status_find(const char *s);

/* The app's catalogs a listing's language may name (locales/, the pseudo
 * locale aside). */
int pa_market_lang_ok(const char *s);

/* The live-animal rule, the one place it is decided: 1 when a listing of
 * this category word and kind word would sell an animal — a category that
 * names animals or pets themselves ("animals", "pets", "puppies", "livestock",
 * …), a species' own name as the category ("dog", "guinea pig", "dogs"), or a
 * kind other than product/service that names an animal sale. Either word may
 * be NULL (not sent). Words are compared folded to lower case. Such a
 * listing is refused with 422 live_animals_forbidden and
 * PA_MARKET_LIVE_ANIMALS_POLICY. */
int pa_market_sells_animal(const char *category, const char *kind);
extern const char PA_MARKET_LIVE_ANIMALS_POLICY[];

typedef struct pa_market_variant {
  char size[PA_MARKET_CAP(PA_MARKET_LABEL_MAX)];
  char colour[PA_MARKET_CAP(PA_MARKET_LABEL_MAX)];
  int64_t stock;
  int64_t price_minor; /* -1: the listing's price */
} pa_market_variant;

typedef struct pa_market_zone {
  char name[PA_MARKET_CAP(PA_MARKET_ZONE_MAX)];
  int64_t price_minor;
} pa_market_zone;

/* A listing as a body sets it (and as the store keeps it). */
typedef struct pa_market_listing {
  char title[PA_MARKET_CAP(PA_MARKET_TITLE_MAX)];
  char description[PA_MARKET_CAP(PA_MARKET_DESCRIPTION_MAX)];
  char lang[24];                        /* "" until set: the handler fills in the seller's locale */
  int64_t photos[PA_MARKET_PHOTOS_MAX]; /* upload ids ("m_12"); the handler attaches them */
  int nphotos;                          /* -1: not sent (an edit keeps the photos) */
  int64_t price_minor;
  char currency[4];
  int64_t stock; /* units when there are no variants */
  pa_market_variant variants[PA_MARKET_VARIANTS_MAX];
  int nvariants;
  int variants_sent; /* an edit that sent "variants" replaces them */
  int kind, condition, category, status;
  unsigned species; /* bit mask over pa_market_species_name */
  char city[PA_MARKET_CAP(PA_MARKET_CITY_MAX)];
  char country[3];
  pa_market_zone zones[PA_MARKET_ZONES_MAX];
  int nzones;
  int pickup;
  char area[PA_MARKET_AREA_MAX][PA_MARKET_CAP(PA_MARKET_CITY_MAX)];
  int narea;
} pa_market_listing;

/* What a reader refused: the HTTP status (400 a malformed body, 422 a
 * listing the rules forbid), the error code, a message and the member. */
typedef struct pa_market_err {
  int status;
  const char *code;
  char message[PA_MARKET_ERR_MAX];
  char field[PA_MARKET_FIELD_MAX];
} pa_market_err;

/* Reads a listing body onto *l. create: every required member must be sent
 * and *l starts from pa_market_listing_defaults; else (an edit, PATCH) *l
 * holds the listing as stored and only the members sent change. Then the
 * whole listing is checked (a service has condition n/a and no variants,
 * variant prices in the listing's currency, the live-animal rule). Unknown
 * members are refused. 0, or -1 with *e filled. */
int pa_market_listing_parse(const cJSON *body, int create, pa_market_listing *l, pa_market_err *e);
/* The starting point of a new listing: active, stock 0, nothing sent. */
void pa_market_listing_defaults(pa_market_listing *l);

/* The shipping of l as the JSON the store keeps: {"zones": [{"name",
 * "price_minor"}], "pickup": bool, "area": ["city", …]}. The caller frees it
 * with cJSON_free; NULL when out of memory. */
char *pa_market_shipping_json(const pa_market_listing *l);
/* Reads that JSON (as stored, or as a body sends it) into l's zones, pickup
 * and area: 0, or -1 (with *e filled) when it is not what the rules allow. */
int pa_market_shipping_load(const char *json, pa_market_listing *l, pa_market_err *e);

/* A seller's profile as PUT /me/seller sets it. */
enum { PA_MARKET_PAYPAL = 0, PA_MARKET_MERCADOPAGO = 1 };
typedef struct pa_market_seller {
  char name[PA_MARKET_CAP(PA_MARKET_SELLER_NAME_MAX)];
  int provider;
  char email[PA_MARKET_EMAIL_MAX + 1]; /* PayPal's; "" for Mercado Pago */
} pa_market_seller;

/* Reads {"name", "payout": {"provider": "paypal", "email"} | {"provider":
 * "mercadopago"}} strictly; 0, or -1 with *e filled. */
int pa_market_seller_parse(const cJSON *body, pa_market_seller *s, pa_market_err *e);

#endif
