/* pa_srv — embeds for partner sites (web/README.md, "Embedding a post" and
 * "Embedding a listing"): the embed pages /embed/p/{post_id} and
 * /embed/l/{listing_id} that shell/embed.js frames, the oEmbed endpoint GET
 * /api/v1/oembed for both, and the oEmbed discovery <link> in the app's page
 * when it is served for a post (/posts/{post_id}) or a listing
 * (/listings/{listing_id}).
 *
 * The page's few words come from the site's catalogs (locales/<tag>.json,
 * keys embed.*), read with cJSON; placeholders are plain {name}s. */
#include "aff.h"
#include "api/api.h"
#include "buf.h"
#include "clock.h"
#include "net/http.h"
#include "origin.h"
#include "pay/money.h"
#include "store/feed.h"
#include "store/market.h"
#include "store/media.h"
#include "store/moderation.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
  HTML_MAX = 512 * 1024,  /* the largest index.html we add the oEmbed link to */
  OEMBED_MIN_WIDTH = 220, /* what Bluesky's oEmbed allows */
  OEMBED_MAX_WIDTH = 550,
  OEMBED_DEFAULT_WIDTH = 325,
  OEMBED_CHROME = 190, /* px around the photo: names, caption line, counts, link */
  /* px around a listing's photo: title (up to three lines), seller, price, link */
  OEMBED_LISTING_CHROME = 200,
  TAG_MAX = 16
};

/* Every response of the embed page: framable anywhere, nothing but our own
 * CSS, script and images. */
static const char embed_csp[] = "default-src 'none'; img-src 'self'; style-src 'self'; "
                                "script-src 'self'; base-uri 'none'; form-action 'none'; "
                                "frame-ancestors *";

/* ---- writing pages (pa_buf, buf.h) */

typedef pa_buf buf;
static void put_n(buf *b, const char *s, size_t n) { pa_buf_put(b, s, n); }
static void put(buf *b, const char *s) { pa_buf_puts(b, s); }

/* The one HTML escaper: text and attribute values alike (& < > " '). */
static void put_esc_n(buf *b, const char *s, size_t n) {
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    const char *rep = s[i] == '&'    ? "&amp;"
                      : s[i] == '<'  ? "&lt;"
                      : s[i] == '>'  ? "&gt;"
                      : s[i] == '"'  ? "&quot;"
                      : s[i] == '\'' ? "&#39;"
                                     : NULL;
    if (!rep) continue;
    put_n(b, s + from, i - from);
    put(b, rep);
    from = i + 1;
  }
  put_n(b, s + from, n - from);
}

static void put_esc(buf *b, const char *s) { put_esc_n(b, s, strlen(s)); }

/* Percent-encodes s for a query parameter value. */
static void put_query_value(buf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char e[3] = {'%', hex[c >> 4], hex[c & 15]};
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      put_n(b, (const char *)&c, 1);
    else
      put_n(b, e, 3);
  }
}

/* ---- words: the negotiated catalog, English behind it, then the key */

typedef struct words {
  char tag[TAG_MAX];
  cJSON *cat, *en;
} words;

static cJSON *read_catalog(const pa_srv *srv, const char *tag) {
  char path[PATH_MAX + 32];
  struct stat st;
  snprintf(path, sizeof path, "%s/locales/%s.json", srv->root, tag);
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return NULL;
  cJSON *root = NULL;
  char *text = NULL;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size <= 1 << 20 &&
      (text = malloc((size_t)st.st_size)) != NULL &&
      read(fd, text, (size_t)st.st_size) == (ssize_t)st.st_size)
    root = cJSON_ParseWithLength(text, (size_t)st.st_size);
  free(text);
  close(fd);
  if (root && !cJSON_IsObject(root)) {
    cJSON_Delete(root);
    root = NULL;
  }
  return root;
}

static int catalog_exists(const pa_srv *srv, const char *tag) {
  char path[PATH_MAX + 32];
  struct stat st;
  snprintf(path, sizeof path, "%s/locales/%s.json", srv->root, tag);
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A shipped catalog for one BCP 47 tag, like the shell's negotiation in
 * spirit: case and '_' forgiven, pt-BR → pt, zh / zh-CN → zh-Hans (zh-TW and
 * Hant are Traditional Chinese: no match), in → id, en-XA itself. */
static int resolve_tag(const pa_srv *srv, const char *raw, size_t n, char out[TAG_MAX]) {
  char lang[4] = "", script[5] = "", region[4] = "", sub[9];
  int k = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && raw[j] != '-' && raw[j] != '_') j++;
    size_t len = j - i;
    if (len == 0 || len >= sizeof sub) return 0;
    for (size_t c = 0; c < len; c++) {
      if (!isalnum((unsigned char)raw[i + c])) return 0;
      sub[c] = (char)tolower((unsigned char)raw[i + c]);
    }
    sub[len] = '\0';
    if (k == 0) {
      if (len < 2 || len > 3) return 0;
      memcpy(lang, sub, len + 1);
    } else if (len == 4 && !script[0] && !region[0]) {
      memcpy(script, sub, 5);
      script[0] = (char)toupper((unsigned char)script[0]);
    } else if ((len == 2 || len == 3) && !region[0]) {
      for (size_t c = 0; c < len; c++) region[c] = (char)toupper((unsigned char)sub[c]);
      region[len] = '\0';
    }
    k++;
    i = j < n ? j + 1 : j;
  }
  if (!lang[0]) return 0;
  if (strcmp(lang, "in") == 0) memcpy(lang, "id", 3);
  if (strcmp(lang, "zh") == 0) {
    int hant = strcmp(script, "Hant") == 0 || strcmp(region, "TW") == 0 ||
               strcmp(region, "HK") == 0 || strcmp(region, "MO") == 0;
    if (hant) return 0;
    snprintf(out, TAG_MAX, "zh-Hans");
    return catalog_exists(srv, out);
  }
  if (script[0]) {
    snprintf(out, TAG_MAX, "%s-%s", lang, script);
    if (catalog_exists(srv, out)) return 1;
  }
  if (region[0]) {
    snprintf(out, TAG_MAX, "%s-%s", lang, region);
    if (catalog_exists(srv, out)) return 1;
  }
  snprintf(out, TAG_MAX, "%s", lang);
  return catalog_exists(srv, out);
}

/* ?lang= first, then Accept-Language by q (ties in order), then "en". */
static void negotiate(pa_srv_req *rq, char out[TAG_MAX]) {
  char lang[40];
  if (pa_http_query_var(rq->query, "lang", lang, sizeof lang) > 0 &&
      resolve_tag(rq->srv, lang, strlen(lang), out))
    return;
  const char *h = pa_srv_req_header(rq, "Accept-Language");
  struct lang_range {
    const char *s;
    size_t n;
    int q;
  } cand[12];
  int nc = 0;
  for (const char *p = h; p && *p && nc < 12;) {
    while (*p == ' ' || *p == ',') p++;
    const char *end = p + strcspn(p, ",");
    size_t tn = strcspn(p, ";, ");
    int q = 1000;
    const char *qp = memchr(p, ';', (size_t)(end - p));
    if (qp) {
      while (qp < end && (*qp == ';' || *qp == ' ')) qp++;
      if (end - qp >= 3 && qp[0] == 'q' && qp[1] == '=') {
        double v = atof(qp + 2);
        q = v <= 0 ? 0 : v >= 1 ? 1000 : (int)(v * 1000);
      }
    }
    if (tn > 0 && q > 0 && !(tn == 1 && *p == '*')) cand[nc++] = (struct lang_range){p, tn, q};
    p = end;
  }
  for (int best = 1000; best > 0; best--)
    for (int i = 0; i < nc; i++)
      if (cand[i].q == best && resolve_tag(rq->srv, cand[i].s, cand[i].n, out)) return;
  snprintf(out, TAG_MAX, "en");
}

void pa_srv_locale(pa_srv_req *rq, char out[16]) { negotiate(rq, out); }

int pa_srv_locale_ok(const pa_srv *srv, const char *tag) {
  char got[TAG_MAX];
  size_t n = strlen(tag);
  return n > 0 && n < TAG_MAX && resolve_tag(srv, tag, n, got) && strcmp(got, tag) == 0;
}

static void words_open(pa_srv_req *rq, words *w) {
  negotiate(rq, w->tag);
  w->cat = read_catalog(rq->srv, w->tag);
  w->en = strcmp(w->tag, "en") == 0 ? NULL : read_catalog(rq->srv, "en");
}

static void words_close(words *w) {
  cJSON_Delete(w->cat);
  cJSON_Delete(w->en);
}

static const char *word(const words *w, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(w->cat, key);
  if (!cJSON_IsString(v)) v = cJSON_GetObjectItemCaseSensitive(w->en, key);
  return cJSON_IsString(v) ? v->valuestring : key;
}

static int rtl(const char *tag) {
  static const char *const langs[] = {"ar", "he", "fa", "ur"};
  for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
    if (strncmp(tag, langs[i], 2) == 0 && (tag[2] == '\0' || tag[2] == '-')) return 1;
  return 0;
}

/* Puts message key, escaped, with {name} replaced by html (markup the caller
 * built and escaped); '' is an apostrophe as in ICU MessageFormat. */
static void put_msg(buf *b, const words *w, const char *key, const char *name, const char *html) {
  const char *m = word(w, key);
  size_t nl = name ? strlen(name) : 0;
  while (*m) {
    if (name && m[0] == '{' && strncmp(m + 1, name, nl) == 0 && m[1 + nl] == '}') {
      put(b, html);
      m += nl + 2;
    } else if (m[0] == '\'' && m[1] == '\'') {
      put(b, "&#39;");
      m += 2;
    } else {
      size_t run = strcspn(m + 1, "{'") + 1;
      put_esc_n(b, m, run);
      m += run;
    }
  }
}

/* ---- the post */

typedef struct embed_post {
  int found;
  int64_t id, created_at, like_count, pet_id;
  char *caption, *pet, *author, *alt;
  char hash[65], ext[8];
  int width, height;
} embed_post;

static int copy_post(void *ctx, const pa_store_feed_post *p) {
  embed_post *e = ctx;
  const pa_store_image *im = &p->images[0];
  e->found = 1;
  e->id = p->id;
  e->created_at = p->created_at;
  e->like_count = p->like_count;
  e->pet_id = p->pet_id;
  e->caption = strdup(p->caption);
  e->pet = strdup(p->pet_name);
  e->author = strdup(p->author_name);
  e->alt = strdup(im->alt ? im->alt : "");
  snprintf(e->hash, sizeof e->hash, "%s", im->hash);
  snprintf(e->ext, sizeof e->ext, "%s", im->ext);
  e->width = im->width;
  e->height = im->height;
  return !e->caption || !e->pet || !e->author || !e->alt;
}

static void post_free(embed_post *e) {
  free(e->caption);
  free(e->pet);
  free(e->author);
  free(e->alt);
}

/* 0 found, 1 no such post (posts without photos are never listed), -1 failed. */
static int load_post(pa_store *db, int64_t id, embed_post *e) {
  pa_store_cursor next;
  int more = 0;
  pa_store_feed_query q = {PA_STORE_FEED_ONE, id, 0, NULL};
  memset(e, 0, sizeof *e);
  if (!db) return -1;
  int rc = pa_store_feed_where(db, &q, NULL, 1, copy_post, e, &next, &more);
  if (rc != PA_STORE_OK) {
    post_free(e);
    memset(e, 0, sizeof *e);
    return -1;
  }
  return e->found ? 0 : 1;
}

/* ---- the embed page: what a post's and a listing's share */

/* What differs between the two kinds of embed: the attribute naming the
 * item, the app's page for it, the words of its gone page. */
typedef struct embed_kind {
  const char *id_attr;  /* data-post-id */
  const char *app_path; /* /posts/ */
  const char *gone_title, *gone_help;
} embed_kind;

static const embed_kind post_kind = {"data-post-id", "/posts/", "embed.unavailable",
                                     "embed.unavailableHelp"};
static const embed_kind listing_kind = {"data-listing-id", "/listings/", "embed.listingUnavailable",
                                        "embed.listingUnavailableHelp"};

static void page_head(buf *b, const words *w, const char *title_key, const char *name,
                      const char *html) {
  put(b, "<!doctype html>\n<html lang=\"");
  put_esc(b, w->tag);
  put(b, rtl(w->tag) ? "\" dir=\"rtl\">\n" : "\" dir=\"ltr\">\n");
  put(b, "<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"color-scheme\" content=\"light dark\">\n"
         "<meta name=\"robots\" content=\"noindex\">\n<title>");
  put_msg(b, w, title_key, name, html);
  put(b, "</title>\n<link rel=\"stylesheet\" href=\"/embed.css\">\n"
         "<script src=\"/embed-frame.js\" defer></script>\n</head>\n<body>\n");
}

/* <main class="embed{more}" data-…-id="{id}"> */
static void main_open(buf *b, const embed_kind *k, const char *more, const char *id) {
  put(b, "<main class=\"embed");
  put(b, more);
  put(b, "\" ");
  put(b, k->id_attr);
  put(b, "=\"");
  put(b, id);
  put(b, "\">\n");
}

static void page_end(buf *b) { put(b, "</main>\n</body>\n</html>\n"); }

/* A name as markup in a sentence: escaped, isolated with <bdi>. */
static void put_bdi(buf *b, const char *s) {
  put(b, "<bdi>");
  put_esc(b, s);
  put(b, "</bdi>");
}

/* A name as plain text for titles and alt text: isolated with FSI…PDI. */
static void put_plain_isolated(buf *b, const char *s) {
  put(b, "\xE2\x81\xA8");
  put_esc(b, s);
  put(b, "\xE2\x81\xA9");
}

/* The photo's <img> up to its alt text's value, which the caller writes
 * before closing it with put(b, "\">\n"). */
static void photo_open(buf *b, const char *hash, const char *ext, int width, int height) {
  char dim[64];
  put(b, "<img class=\"photo\" src=\"/media/");
  put(b, hash);
  put(b, ".");
  put(b, ext);
  snprintf(dim, sizeof dim, "\" width=\"%d\" height=\"%d\" alt=\"", width, height);
  put(b, dim);
}

/* The path of an item's page, or with ref (an affiliate's code, or NULL)
 * the affiliate's link to it: /r/{ref}?to=%2Fposts%2Fp_12 (aff.h). */
static void put_item_path(buf *b, const embed_kind *k, const char *id, const char *ref) {
  if (!ref) {
    put(b, k->app_path);
    put(b, id);
    return;
  }
  buf to = {0};
  put(&to, k->app_path);
  put(&to, id);
  put(b, "/r/");
  put(b, ref);
  put(b, "?to=");
  if (!to.failed) put_query_value(b, to.p);
  b->failed |= to.failed;
  free(to.p);
}

/* The link to the item's page in a new tab (through ref's link when an
 * affiliate placed the embed), and the page's end. */
static void view_link_and_end(buf *b, const words *w, const embed_kind *k, const char *id,
                              const char *ref) {
  put(b, "<a class=\"view\" href=\"");
  put_item_path(b, k, id, ref);
  put(b, "\" target=\"_blank\" rel=\"noopener\">");
  put_msg(b, w, "embed.viewOn", NULL, NULL);
  put(b, "<span class=\"visually-hidden\"> ");
  put_msg(b, w, "embed.newTab", NULL, NULL);
  put(b, "</span></a>\n");
  page_end(b);
}

/* What partners see of an item they may not: its words only. */
static void gone_page(buf *b, const words *w, const embed_kind *k, const char *id) {
  page_head(b, w, k->gone_title, NULL, NULL);
  main_open(b, k, " gone", id);
  put(b, "<h1>");
  put_msg(b, w, k->gone_title, NULL, NULL);
  put(b, "</h1>\n<p>");
  put_msg(b, w, k->gone_help, NULL, NULL);
  put(b, "</p>\n");
  page_end(b);
}

static void post_page(buf *b, const words *w, const embed_post *e, const char *post_id,
                      const char *ref) {
  char n[32], when[32];
  buf pet = {0}, count = {0}, plain = {0};
  put_bdi(&pet, e->pet);
  snprintf(n, sizeof n, "%lld", (long long)e->like_count);
  put(&count, "<data class=\"num\" value=\"");
  put(&count, n);
  put(&count, "\">");
  put(&count, n);
  put(&count, "</data>");
  put_plain_isolated(&plain, e->pet);
  b->failed |= pet.failed || count.failed || plain.failed;

  page_head(b, w, "embed.title", "pet", b->failed ? "" : plain.p);
  main_open(b, &post_kind, "", post_id);
  put(b, "<h1 class=\"who\">");
  put(b, b->failed ? "" : pet.p);
  put(b, " <span class=\"author\">");
  put_bdi(b, e->author);
  put(b, "</span></h1>\n");
  photo_open(b, e->hash, e->ext, e->width, e->height);
  if (e->alt[0])
    put_esc(b, e->alt);
  else
    put_msg(b, w, "embed.photo", "pet", b->failed ? "" : plain.p);
  put(b, "\">\n");
  if (e->caption[0]) {
    put(b, "<p class=\"caption\" dir=\"auto\">");
    put_esc(b, e->caption);
    put(b, "</p>\n");
  }
  pa_api_format_time(e->created_at, when);
  put(b, "<p class=\"meta\"><span class=\"likes\">");
  put_msg(b, w, "embed.likes", "count", b->failed ? "" : count.p);
  put(b, "</span> <span aria-hidden=\"true\">·</span> <time datetime=\"");
  put(b, when);
  put(b, "\">");
  put_n(b, when, 10); /* YYYY-MM-DD; embed-frame.js words it for the locale */
  put(b, "</time></p>\n");
  view_link_and_end(b, w, &post_kind, post_id, ref);
  free(pet.p);
  free(count.p);
  free(plain.p);
}

/* ---- the listing */

typedef struct embed_listing {
  int found;
  int64_t id, seller_id, price_minor;
  char title[PA_MARKET_CAP(PA_MARKET_TITLE_MAX)];
  char seller[PA_MARKET_CAP(PA_MARKET_SELLER_NAME_MAX)];
  char currency[4], hash[65], ext[8];
  int width, height; /* the cover's, 0 without one */
} embed_listing;

static int copy_listing(void *ctx, const pa_store_market_row *r) {
  embed_listing *e = ctx;
  e->found = 1;
  e->id = r->id;
  e->seller_id = r->seller_id;
  e->price_minor = r->l.price_minor;
  snprintf(e->title, sizeof e->title, "%s", r->l.title);
  snprintf(e->seller, sizeof e->seller, "%s", r->seller_name);
  snprintf(e->currency, sizeof e->currency, "%s", r->l.currency);
  snprintf(e->hash, sizeof e->hash, "%s", r->cover_hash);
  snprintf(e->ext, sizeof e->ext, "%s", r->cover_ext);
  return 0;
}

/* 0 found, 1 not shown to partners, -1 failed. Shown: what a signed-out
 * person may see (pa_store_market_listing_get with nobody as the viewer:
 * active or sold out, no moderator hid or removed it; a paused, deleted or
 * deleted seller's listing has no such row), of a seller a moderator has
 * neither banned nor suspended, as a post's embed follows its author. */
static int load_listing(pa_store *db, int64_t id, embed_listing *e) {
  memset(e, 0, sizeof *e);
  if (!db) return -1;
  int rc = pa_store_market_listing_get(db, id, 0, copy_listing, e);
  if (rc == PA_STORE_ENOTFOUND || (rc == PA_STORE_OK && !e->found)) return 1;
  if (rc != PA_STORE_OK) return -1;
  pa_store_moderation_person_state who = {0};
  rc = pa_store_moderation_person_get(db, e->seller_id, &who);
  if (rc == PA_STORE_ENOTFOUND) return 1;
  if (rc != PA_STORE_OK) return -1;
  if (who.banned_at || who.suspended_until > pa_clock_now()) return 1;
  if (e->hash[0]) {
    rc = pa_store_media_size(db, e->hash, &e->width, &e->height);
    if (rc == PA_STORE_ENOTFOUND)
      e->hash[0] = '\0'; /* the file is going: no photo */
    else if (rc != PA_STORE_OK)
      return -1;
  }
  return 0;
}

/* The price as plain decimal text ("49.90"); embed-frame.js words it for
 * the page's language with the currency's symbol. */
static void price_text(const embed_listing *e, char out[PA_MONEY_TEXT_MAX]) {
  pa_money m = {.minor = e->price_minor};
  snprintf(m.currency, sizeof m.currency, "%s", e->currency);
  if (pa_money_format(&m, out, PA_MONEY_TEXT_MAX) < 0)
    snprintf(out, PA_MONEY_TEXT_MAX, "%lld", (long long)e->price_minor);
}

static void listing_page(buf *b, const words *w, const embed_listing *e, const char *listing_id,
                         const char *ref) {
  char price[PA_MONEY_TEXT_MAX];
  buf plain = {0}, seller = {0};
  put_plain_isolated(&plain, e->title);
  put_bdi(&seller, e->seller);
  b->failed |= plain.failed || seller.failed;
  page_head(b, w, "embed.listingTitle", "title", b->failed ? "" : plain.p);
  main_open(b, &listing_kind, " listing", listing_id);
  put(b, "<h1 class=\"who\" dir=\"auto\">");
  put_esc(b, e->title);
  put(b, "</h1>\n<p class=\"seller\">");
  put_msg(b, w, "embed.soldBy", "seller", b->failed ? "" : seller.p);
  put(b, "</p>\n");
  if (e->hash[0]) {
    photo_open(b, e->hash, e->ext, e->width, e->height);
    put_msg(b, w, "embed.listingPhoto", "title", b->failed ? "" : plain.p);
    put(b, "\">\n");
  }
  price_text(e, price);
  put(b, "<p class=\"price\"><data class=\"money\" value=\"");
  put(b, price);
  put(b, "\" data-currency=\"");
  put_esc(b, e->currency);
  put(b, "\">");
  put(b, price);
  put(b, " ");
  put_esc(b, e->currency);
  put(b, "</data></p>\n");
  view_link_and_end(b, w, &listing_kind, listing_id, ref);
  free(plain.p);
  free(seller.p);
}

/* Answers an embed page: 500 when loading it failed (rc < 0), else the
 * item's page (rc == 0, written by page) or its gone page, in the asker's
 * words, framable anywhere. */
static void embed_answer(pa_srv_req *rq, int rc, const embed_kind *k, const char *id,
                         void (*page)(buf *, const words *, const void *, const char *,
                                      const char *),
                         const void *item) {
  char ref_text[48], code[PA_AFF_CODE_MAX + 1];
  const char *ref = NULL;
  static const pa_srv_header vary = {"Vary", "Accept-Language"};
  words w;
  buf b = {0};
  rq->csp = embed_csp;
  if (rc < 0) {
    pa_srv_plain_error(rq, 500, NULL);
    return;
  }
  /* ?ref=: the affiliate whose snippet framed it (embed.js passes the
   * blockquote's data-ref); an unknown code is left out, not refused. */
  if (rc == 0 && pa_http_query_var(rq->query, "ref", ref_text, sizeof ref_text) > 0) {
    int has = pa_api_aff_ref(rq, ref_text, code);
    if (has < 0) {
      pa_srv_plain_error(rq, 500, NULL);
      return;
    }
    if (has) ref = code;
  }
  words_open(rq, &w);
  if (rc == 0)
    page(&b, &w, item, id, ref);
  else
    gone_page(&b, &w, k, id);
  words_close(&w);
  if (b.failed)
    pa_srv_plain_error(rq, 500, NULL);
  else
    pa_srv_send(rq, rc == 0 ? 200 : 404, "text/html; charset=utf-8", "public, max-age=60", &vary, 1,
                b.p, b.len);
  free(b.p);
}

static void post_page_of(buf *b, const words *w, const void *e, const char *id, const char *ref) {
  post_page(b, w, e, id, ref);
}

static void listing_page_of(buf *b, const words *w, const void *e, const char *id,
                            const char *ref) {
  listing_page(b, w, e, id, ref);
}

/* /embed/p/{post_id} and /embed/l/{listing_id}. */
void pa_srv_embed_page(pa_srv_req *rq) {
  char id_text[32] = "";
  int64_t id = 0;
  int rc = 1;
  if (strncmp(rq->path, "/embed/l/", 9) == 0) {
    embed_listing e;
    if (pa_api_parse_id(rq->path + 9, "lst", &id) == 0) {
      snprintf(id_text, sizeof id_text, "lst_%lld", (long long)id);
      rc = load_listing(rq->db, id, &e);
    }
    embed_answer(rq, rc, &listing_kind, id_text, listing_page_of, &e);
    return;
  }
  embed_post e;
  if (strncmp(rq->path, "/embed/p/", 9) == 0 && pa_api_parse_id(rq->path + 9, "p", &id) == 0) {
    snprintf(id_text, sizeof id_text, "p_%lld", (long long)id);
    rc = load_post(rq->db, id, &e);
  }
  embed_answer(rq, rc, &post_kind, id_text, post_page_of, &e);
  if (rc == 0) post_free(&e);
}

/* path (n bytes) at app_prefix{id} (the app's page) or embed_prefix{id}
 * (the embed's), id spelt id_prefix_N: N, else 0. */
static int64_t path_id(const char *path, size_t n, const char *app_prefix, const char *embed_prefix,
                       const char *id_prefix) {
  char seg[32];
  int64_t id = 0;
  size_t app = strlen(app_prefix), embed = strlen(embed_prefix);
  size_t skip = strncmp(path, app_prefix, app) == 0       ? app
                : strncmp(path, embed_prefix, embed) == 0 ? embed
                                                          : 0;
  if (!skip || n - skip >= sizeof seg || n <= skip) return 0;
  memcpy(seg, path + skip, n - skip);
  seg[n - skip] = '\0';
  return pa_api_parse_id(seg, id_prefix, &id) == 0 ? id : 0;
}

/* /posts/p_N (the app's post page) or /embed/p/p_N: the post's id, else 0. */
static int64_t post_path_id(const char *path, size_t n) {
  return path_id(path, n, "/posts/", "/embed/p/", "p");
}

/* /listings/lst_N (the app's listing page) or /embed/l/lst_N: the
 * listing's id, else 0. */
static int64_t listing_path_id(const char *path, size_t n) {
  return path_id(path, n, "/listings/", "/embed/l/", "lst");
}

/* ---- oEmbed */

/* url must be on one of our origins (origin.h), at an item's address (as
 * path_of reads it: /posts/p_N or /embed/p/p_N for a post), with an
 * optional query or fragment: the item's id, else 0. */
static int64_t oembed_target(pa_srv_req *rq, const char *url,
                             int64_t (*path_of)(const char *, size_t)) {
  const char *path = pa_origin_url_path(pa_api_origins(rq), url);
  return path ? path_of(path, strcspn(path, "?#")) : 0;
}

/* Digits only; 0 when absent, -1 when not a number. */
static int parse_width(const char *s) {
  long v = 0;
  if (!*s) return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return -1;
    if (v < 100000) v = v * 10 + (*s - '0');
  }
  return (int)v;
}

/* The item's address on the app: {origin}/posts/{id}, escaped; with ref
 * (an affiliate's code, or NULL) their link to it, {origin}/r/{ref}?to=…. */
static void put_item_url(buf *b, const char *origin, const embed_kind *k, const char *id,
                         const char *ref) {
  buf path = {0};
  put_esc(b, origin);
  put_item_path(&path, k, id, ref);
  if (!path.failed) put_esc(b, path.p);
  b->failed |= path.failed;
  free(path.p);
}

/* The blockquote partners paste, readable without JavaScript and turned into
 * the embed's iframe by embed.js: up to its first paragraph's text, which the
 * caller writes, then "</p><p>— " and a byline, then quote_close. */
static void quote_open(buf *b, const words *w, const embed_kind *k, const char *id, int width,
                       const char *origin, const char *ref, const char *title_key, const char *name,
                       const char *html) {
  char num[16];
  put(b, "<blockquote class=\"petamigos-embed\" ");
  put(b, k->id_attr);
  put(b, "=\"");
  put(b, id);
  snprintf(num, sizeof num, "%d", width);
  put(b, "\" data-width=\"");
  put(b, num);
  if (ref) {
    put(b, "\" data-ref=\"");
    put(b, ref);
  }
  put(b, "\" data-title=\"");
  put_msg(b, w, title_key, name, html);
  put(b, "\" lang=\"");
  put_esc(b, w->tag);
  put(b, "\" cite=\"");
  put_item_url(b, origin, k, id, NULL);
  put(b, "\"><p dir=\"auto\">");
}

/* After the byline: the link to the item and the script that frames it. */
static void quote_close(buf *b, const words *w, const embed_kind *k, const char *id,
                        const char *origin, const char *ref) {
  put(b, " · <a href=\"");
  put_item_url(b, origin, k, id, ref);
  put(b, "\">");
  put_msg(b, w, "embed.viewOn", NULL, NULL);
  put(b, "</a></p></blockquote>\n<script async src=\"");
  put_esc(b, origin);
  put(b, "/embed.js\" charset=\"utf-8\"></script>");
}

/* A post's blockquote: its caption, by its pet. */
static void oembed_html(buf *b, const words *w, const embed_post *e, const char *origin,
                        const char *ref, const char *post_id, int width) {
  buf pet = {0}, plain = {0};
  put_bdi(&pet, e->pet);
  put_plain_isolated(&plain, e->pet);
  b->failed |= pet.failed || plain.failed;
  quote_open(b, w, &post_kind, post_id, width, origin, ref, "embed.title", "pet",
             b->failed ? "" : plain.p);
  put_esc(b, e->caption);
  put(b, "</p><p>— ");
  put(b, b->failed ? "" : pet.p);
  quote_close(b, w, &post_kind, post_id, origin, ref);
  free(pet.p);
  free(plain.p);
}

/* A title of at most 100 code points: the caption's first line, or the
 * pet's name when there is no caption. */
static void oembed_title(buf *b, const embed_post *e) {
  const char *s = e->caption[0] ? e->caption : e->pet;
  size_t n = strcspn(s, "\n"), cut = 0;
  int cps = 0;
  while (cut < n && cps < 100) {
    cut++;
    while (cut < n && ((unsigned char)s[cut] & 0xC0) == 0x80) cut++;
    cps++;
  }
  put_n(b, s, cut);
  if (cut < n) put(b, "…");
}

/* A listing's blockquote: its title, sold by its seller; embed.js turns it
 * into /embed/l/{listing_id}'s frame. */
static void oembed_listing_html(buf *b, const words *w, const embed_listing *e, const char *origin,
                                const char *ref, const char *listing_id, int width) {
  buf plain = {0}, seller = {0};
  put_plain_isolated(&plain, e->title);
  put_bdi(&seller, e->seller);
  b->failed |= plain.failed || seller.failed;
  quote_open(b, w, &listing_kind, listing_id, width, origin, ref, "embed.listingTitle", "title",
             b->failed ? "" : plain.p);
  put_esc(b, e->title);
  put(b, "</p><p>— ");
  put_msg(b, w, "embed.soldBy", "seller", b->failed ? "" : seller.p);
  quote_close(b, w, &listing_kind, listing_id, origin, ref);
  free(plain.p);
  free(seller.p);
}

/* What an oEmbed answer says of one item. */
typedef struct oembed_item {
  const char *html, *title, *author_name;
  int failed;              /* html or title could not be written */
  const char *author_path; /* on the origin, before author_id: "/pets/pet_" */
  int64_t author_id;
  const char *hash, *ext; /* the thumbnail's file; hash "" for none */
  int photo_width, photo_height;
  int width, height; /* the frame's */
} oembed_item;

static void oembed_answer(pa_srv_req *rq, const char *origin, const oembed_item *it) {
  char n[24];
  buf author_url = {0}, thumb = {0}, provider = {0};
  put(&author_url, origin);
  put(&author_url, it->author_path);
  snprintf(n, sizeof n, "%lld", (long long)it->author_id);
  put(&author_url, n);
  put(&provider, origin);
  put(&provider, "/");
  if (it->hash[0]) {
    put(&thumb, origin);
    put(&thumb, "/media/");
    put(&thumb, it->hash);
    put(&thumb, ".");
    put(&thumb, it->ext);
  }
  cJSON *root = cJSON_CreateObject();
  int bad = !root || it->failed || author_url.failed || thumb.failed || provider.failed;
  bad = bad || !cJSON_AddStringToObject(root, "type", "rich") ||
        !cJSON_AddStringToObject(root, "version", "1.0") ||
        !cJSON_AddStringToObject(root, "provider_name", "PetAmigos") ||
        !cJSON_AddStringToObject(root, "provider_url", provider.p) ||
        !cJSON_AddStringToObject(root, "title", it->title) ||
        !cJSON_AddStringToObject(root, "author_name", it->author_name) ||
        !cJSON_AddStringToObject(root, "author_url", author_url.p) ||
        !cJSON_AddStringToObject(root, "html", it->html) ||
        !cJSON_AddNumberToObject(root, "width", it->width) ||
        !cJSON_AddNumberToObject(root, "height", it->height);
  if (!bad && it->hash[0])
    bad = !cJSON_AddStringToObject(root, "thumbnail_url", thumb.p) ||
          !cJSON_AddNumberToObject(root, "thumbnail_width", it->photo_width) ||
          !cJSON_AddNumberToObject(root, "thumbnail_height", it->photo_height);
  bad = bad || !cJSON_AddNumberToObject(root, "cache_age", 3600);
  free(author_url.p);
  free(thumb.p);
  free(provider.p);
  if (bad) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

/* Whether an item's load (rc: 0 found, 1 not shown, -1 failed) found it;
 * else answers 500 or 404 with missing. */
static int oembed_loaded(pa_srv_req *rq, int rc, const char *missing) {
  if (rc < 0) {
    pa_api_internal(rq, "oembed");
    return 0;
  }
  if (rc > 0) {
    PA_NOT_FOUND(rq, missing);
    return 0;
  }
  return 1;
}

/* oEmbed's answer for listing id at width: the seller is its author (their
 * seller page), the cover its thumbnail when it has one. */
static void oembed_listing(pa_srv_req *rq, int64_t id, int width, const char *origin,
                           const char *ref) {
  char listing_id[32];
  embed_listing e;
  if (!oembed_loaded(rq, load_listing(rq->db, id, &e), "No such listing")) return;
  snprintf(listing_id, sizeof listing_id, "lst_%lld", (long long)id);
  words w;
  words_open(rq, &w);
  buf html = {0};
  oembed_listing_html(&html, &w, &e, origin, ref, listing_id, width);
  words_close(&w);
  /* A square photo's worth when the cover's size is unknown, as the page
   * lays it out at the frame's width. */
  int height =
      (e.width > 0 ? (int)((long long)width * e.height / e.width) : 0) + OEMBED_LISTING_CHROME;
  oembed_item it = {html.p, e.title, e.seller, html.failed, "/sellers/u_", e.seller_id,
                    e.hash, e.ext,   e.width,  e.height,    width,         height};
  oembed_answer(rq, origin, &it);
  free(html.p);
}

void pa_api_oembed(pa_srv_req *rq) {
  char url[1024], format[16], width_text[16], post_id[32];
  char why[2 * PA_ORIGIN_URL_MAX + 120];
  const char *origin = pa_origin_base(pa_api_origins(rq));
  int64_t id = 0;
  int width = OEMBED_DEFAULT_WIDTH;
  int rc = pa_api_query(rq, "format", format, sizeof format);
  if (rc < 0) return;
  if (rc == 0 && strcmp(format, "json") != 0) {
    pa_api_error(rq, 501, "not_implemented", "Only format=json is supported", NULL);
    return;
  }
  rc = pa_api_query(rq, "maxwidth", width_text, sizeof width_text);
  if (rc < 0) return;
  if (rc == 0) {
    int v = parse_width(width_text);
    if (v <= 0) {
      PA_BAD(rq, "maxwidth must be a positive whole number of pixels");
      return;
    }
    width = v < OEMBED_MIN_WIDTH ? OEMBED_MIN_WIDTH : v > OEMBED_MAX_WIDTH ? OEMBED_MAX_WIDTH : v;
  }
  rc = pa_api_query(rq, "url", url, sizeof url);
  if (rc < 0) return;
  /* The affiliate whose links the snippet carries: ?ref=, else a ref= in
   * the item's address (a link an affiliate shared), else the signed-in
   * viewer when they are one (they are copying the snippet). */
  char ref_text[48] = "", code[PA_AFF_CODE_MAX + 1];
  const char *ref = NULL, *url_query = rc == 0 ? strchr(url, '?') : NULL;
  if (pa_http_query_var(rq->query, "ref", ref_text, sizeof ref_text) < 0 && url_query)
    pa_http_query_var(url_query + 1, "ref", ref_text, sizeof ref_text);
  int has = pa_api_aff_ref(rq, ref_text, code);
  if (has < 0) {
    pa_api_internal(rq, "oembed");
    return;
  }
  if (has) ref = code;
  if (rc == 0 && (id = oembed_target(rq, url, listing_path_id)) != 0) {
    oembed_listing(rq, id, width, origin, ref);
    return;
  }
  if (rc != 0 || (id = oembed_target(rq, url, post_path_id)) == 0) {
    snprintf(why, sizeof why,
             "url must be the address of a post or a listing on this site, like %s/posts/p_1 or "
             "%s/listings/lst_1",
             origin, origin);
    PA_BAD(rq, why);
    return;
  }
  embed_post e;
  if (!oembed_loaded(rq, load_post(rq->db, id, &e), "No such post")) return;
  snprintf(post_id, sizeof post_id, "p_%lld", (long long)id);
  words w;
  words_open(rq, &w);
  buf html = {0}, title = {0};
  oembed_html(&html, &w, &e, origin, ref, post_id, width);
  oembed_title(&title, &e);
  words_close(&w);
  /* The photo at the embed's width plus the text around it; embed.js then
   * sizes the frame to what the page really measures. */
  int height = (e.width > 0 ? (int)((long long)width * e.height / e.width) : width) + OEMBED_CHROME;
  oembed_item it = {html.p,       title.p ? title.p : "",
                    e.pet,        html.failed || title.failed,
                    "/pets/pet_", e.pet_id,
                    e.hash,       e.ext,
                    e.width,      e.height,
                    width,        height};
  oembed_answer(rq, origin, &it);
  free(html.p);
  free(title.p);
  post_free(&e);
}

/* ---- discovery: the app's page for /posts/p_N names its oEmbed */

int pa_srv_embed_index(pa_srv_req *rq, int fd, const struct stat *st) {
  size_t plen = strlen(rq->path);
  int64_t id = strncmp(rq->path, "/posts/", 7) == 0 ? post_path_id(rq->path, plen) : 0;
  int64_t listing = strncmp(rq->path, "/listings/", 10) == 0 ? listing_path_id(rq->path, plen) : 0;
  if ((!id && !listing) || st->st_size <= 0 || st->st_size > HTML_MAX) return 0;
  char *page = malloc((size_t)st->st_size + 1);
  ssize_t got = page ? read(fd, page, (size_t)st->st_size) : -1;
  if (got != (ssize_t)st->st_size) {
    free(page);
    pa_srv_plain_error(rq, 500, NULL);
    return 1;
  }
  page[got] = '\0';
  char *head_end = strstr(page, "</head>");
  char target[PA_ORIGIN_URL_MAX + 40];
  const char *origin = pa_origin_base(pa_api_origins(rq));
  if (listing)
    snprintf(target, sizeof target, "%s/listings/lst_%lld", origin, (long long)listing);
  else
    snprintf(target, sizeof target, "%s/posts/p_%lld", origin, (long long)id);
  size_t before = head_end ? (size_t)(head_end - page) : (size_t)got;
  buf b = {0}, href = {0};
  put_n(&b, page, before);
  if (head_end) {
    put(&href, origin);
    put(&href, "/api/v1/oembed?format=json&url=");
    put_query_value(&href, target);
    put(&b, "  <link rel=\"alternate\" type=\"application/json+oembed\" href=\"");
    if (!href.failed) put_esc(&b, href.p);
    b.failed |= href.failed;
    put(&b, "\">\n");
  }
  put_n(&b, page + before, (size_t)got - before);
  if (b.failed)
    pa_srv_plain_error(rq, 500, NULL);
  else
    pa_srv_send(rq, 200, "text/html; charset=utf-8", "no-cache", NULL, 0, b.p, b.len);
  free(b.p);
  free(href.p);
  free(page);
  return 1;
}
