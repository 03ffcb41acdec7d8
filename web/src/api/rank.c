/* pa_api — feed candidates for ranking on the device.
 *
 * Up to CANDIDATES_MAX posts with 64 floats each is most of a megabyte of
 * JSON, so this one answer is written straight into a buffer rather than
 * through cJSON. */
#include "store/rank.h"

#include "api/ads_serve.h"
#include "api/api.h"
#include "buf.h"
#include "embed.h"
#include "str.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The app ranks 1000 per load (shell/ranking.js CANDIDATES); each is ~860
 * bytes of JSON, so one answer stays under a megabyte. Signed-in users only,
 * charged to PA_LIMIT_CANDIDATES once the request is valid. */
enum { CANDIDATES_MAX = 1000, CANDIDATES_DEFAULT = 1000 };

/* pa_buf (buf.h) under the short names this file writes with. */
typedef pa_buf buf;
static void put(buf *b, const char *s, size_t n) { pa_buf_put(b, s, n); }
#define puts_ pa_buf_puts
#define putf  pa_buf_putf

/* A JSON string: quotes, backslashes and control characters escaped. */
static void put_string(buf *b, const char *s) {
  put(b, "\"", 1);
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      put(b, e, 2);
    } else if (c < 0x20) {
      putf(b, "\\u%04x", c);
    } else {
      put(b, s, 1);
    }
  }
  put(b, "\"", 1);
}

static int tag_json(void *ctx, const char *tag) {
  buf *b = ctx;
  if (b->p[b->len - 1] != '[') put(b, ",", 1);
  put_string(b, tag);
  return 0;
}

typedef struct tag_list {
  const char *ptr[PA_TEXT_MAX_TAGS];
  char text[PA_TEXT_MAX_TAGS][PA_TEXT_MAX_TAG + 1];
  int n;
} tag_list;

static int tag_keep(void *ctx, const char *tag) {
  tag_list *t = ctx;
  snprintf(t->text[t->n], sizeof t->text[t->n], "%s", tag);
  t->ptr[t->n] = t->text[t->n];
  t->n++;
  return 0;
}

/* The answer being written: its buffer, and the served ads still to place
 * (newest post first), merged into the organic candidates by time as the
 * feed orders posts. */
typedef struct page {
  buf b;
  pa_store *db;
  int64_t viewer;
  const pa_api_ad *ads;
  int nads, next;
  const pa_api_ad *ad; /* the ad being written, NULL for an organic candidate */
  int failed;
} page;

/* pa_store_candidate_fn: writes one candidate to the page ctx. */
static int put_candidate(void *ctx, const pa_store_candidate *c) {
  page *pg = ctx;
  buf *b = &pg->b;
  char when[32];
  const char *caption = c->caption ? c->caption : "";
  pa_api_format_time(c->created_at, when);
  putf(b, "%s{\"post_id\":\"p_%lld\",\"author_id\":\"u_%lld\",\"pet_id\":\"pet_%lld\",\"species\":",
       b->p[b->len - 1] == '[' ? "" : ",", (long long)c->post_id, (long long)c->author_id,
       (long long)c->pet_id);
  put_string(b, c->species ? c->species : "");
  puts_(b, ",\"tags\":[");
  pa_str_tags(caption, tag_json, b);
  putf(b,
       "],\"created_at\":\"%s\",\"like_count\":%lld,\"comment_count\":%lld,\"following\":%s,"
       "\"embedding\":[",
       when, (long long)c->like_count, (long long)c->comment_count,
       c->following ? "true" : "false");
  float v[PA_EMBED_DIM];
  if (c->vec) {
    memcpy(v, c->vec, sizeof v);
  } else {
    /* Newer than the last computation: its cold-start vector for now. */
    tag_list tl = {.n = 0};
    pa_str_tags(caption, tag_keep, &tl);
    pa_embed_cold(c->species, tl.ptr, tl.n, v);
  }
  for (int k = 0; k < PA_EMBED_DIM; k++)
    putf(b, "%s%.6g", k ? "," : "", isfinite(v[k]) ? (double)v[k] : 0.0);
  if (!pg->ad) {
    puts_(b, "],\"sponsored\":null}");
  } else {
    putf(b, "],\"sponsored\":{\"advertiser_id\":\"ad_%lld\",\"campaign_id\":\"c_%lld\",\"token\":",
         (long long)pg->ad->advertiser_id, (long long)pg->ad->campaign_id);
    put_string(b, pg->ad->token);
    puts_(b, ",\"link\":");
    put_string(b, pg->ad->link);
    /* why was written by cJSON (api/ads_serve.c): JSON already. */
    putf(b, ",\"why\":%s}}", pg->ad->why);
  }
  return b->failed ? -1 : 0;
}

/* Writes the served ads whose posts are newer than (created_at, id); all of
 * them when id is 0. An ad's post the viewer can no longer see is left out. */
static int put_ads_before(page *pg, int64_t created_at, int64_t id) {
  while (pg->next < pg->nads) {
    const pa_api_ad *ad = &pg->ads[pg->next];
    if (id && (ad->post_created_at < created_at ||
               (ad->post_created_at == created_at && ad->post_id < id)))
      break;
    pg->next++;
    pg->ad = ad;
    int rc = pa_store_rank_candidate(pg->db, pg->viewer, ad->post_id, put_candidate, pg);
    pg->ad = NULL;
    if (rc != PA_STORE_OK) return rc;
  }
  return PA_STORE_OK;
}

/* pa_store_candidate_fn for the organic candidates: the ads due before it, then it. */
static int put_organic(void *ctx, const pa_store_candidate *c) {
  page *pg = ctx;
  if (put_ads_before(pg, c->created_at, c->post_id) != PA_STORE_OK) {
    pg->failed = 1;
    return -1;
  }
  return put_candidate(pg, c);
}

void pa_api_candidates(pa_srv_req *rq) {
  char text[16];
  int limit = CANDIDATES_DEFAULT, q = pa_api_query(rq, "limit", text, sizeof text);
  if (q < 0) return;
  if (q == 0) {
    long v = 0;
    const char *s = text;
    for (; *s >= '0' && *s <= '9' && v <= CANDIDATES_MAX; s++) v = v * 10 + (*s - '0');
    if (!text[0] || *s || v < 1 || v > CANDIDATES_MAX) {
      char msg[64];
      snprintf(msg, sizeof msg, "limit must be a whole number from 1 to %d", CANDIDATES_MAX);
      PA_BAD(rq, msg);
      return;
    }
    limit = (int)v;
  }
  if (pa_api_limited(rq, PA_LIMIT_CANDIDATES, NULL) != 0) return;
  /* Ads take at most one place in PA_ADSERVE_PAGE_SHARE (the ranker's 1 in 5), and
   * never Plus members' (pa_api_ads_offer offers them none). */
  pa_api_ad *ads = NULL;
  int nads = 0;
  if (pa_api_ads_offer(rq, 0, limit / PA_ADSERVE_PAGE_SHARE, &ads, &nads) != 0) {
    pa_api_internal(rq, "candidates");
    return;
  }
  page pg = {.db = rq->db, .viewer = rq->viewer, .ads = ads, .nads = nads};
  buf *b = &pg.b;
  puts_(b, "{\"model\":{\"version\":\"mf-v1\",\"dim\":64},\"candidates\":[");
  int rc = b->failed ? PA_STORE_ENOMEM
                     : pa_store_rank_candidates(rq->db, rq->viewer, limit - nads, put_organic, &pg);
  if (rc == PA_STORE_OK) rc = put_ads_before(&pg, 0, 0);
  puts_(b, "]}");
  free(ads);
  if (rc != PA_STORE_OK || b->failed || pg.failed) {
    free(b->p);
    pa_api_internal(rq, "candidates");
    return;
  }
  pa_srv_send(rq, 200, "application/json; charset=utf-8", "no-store", NULL, 0, b->p, b->len);
  free(b->p);
}

/* ---- the ranked feed's posts: the phone ranks candidates, then asks for the
 * posts of one slice of its list, in its order (feed shape). */

enum { BY_ID_MAX = 50 };

void pa_api_posts_by_id(pa_srv_req *rq) {
  char text[BY_ID_MAX * 24 + 1];
  int64_t ids[BY_ID_MAX];
  int n = 0, q = pa_api_query(rq, "ids", text, sizeof text);
  if (q < 0) return;
  for (char *s = text, *comma; q == 0 && s; s = comma ? comma + 1 : NULL) {
    comma = strchr(s, ',');
    if (comma) *comma = '\0';
    int64_t id;
    if (n == BY_ID_MAX || pa_api_parse_id(s, "p", &id) != 0) {
      n = -1;
      break;
    }
    int seen = 0;
    for (int k = 0; k < n; k++) seen |= ids[k] == id;
    if (!seen) ids[n++] = id;
  }
  if (q != 0 || n <= 0) {
    PA_BAD(rq, "ids must list 1 to 50 post ids (p_1,p_2,...)");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  cJSON *posts = cJSON_AddArrayToObject(root, "posts");
  int rc = posts && cJSON_AddNullToObject(root, "next_cursor") ? PA_STORE_OK : PA_STORE_ENOMEM;
  /* Posts deleted since the candidates were sent are left out. */
  for (int i = 0; i < n && rc == PA_STORE_OK; i++) {
    pa_store_feed_query fq = {PA_STORE_FEED_ONE, ids[i], rq->viewer, NULL};
    pa_store_cursor next;
    int more = 0;
    rc = pa_store_feed_where(rq->db, &fq, NULL, 1, pa_api_add_feed_post, posts, &next, &more);
  }
  if (rc != PA_STORE_OK) {
    cJSON_Delete(root);
    pa_api_internal(rq, "posts");
    return;
  }
  pa_api_json(rq, 200, root);
}
