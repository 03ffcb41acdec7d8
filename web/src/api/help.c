/* The help center's public routes (issue 23; store/help.h; web/README.md,
 * "Help center"): the articles of a locale by section, one article, and a
 * search. No session needed; a signed-out caller is limited per address
 * (PA_LIMIT_SEARCH, charged once the request is valid). */
#include "store/help.h"

#include "api/api.h"
#include "str.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HELP_RELATED_MAX = 5 /* other articles of its section under one article */ };

/* ?locale= (default "en"): 2..15 letters, digits and '-'; else 400 sent. */
static int help_locale(pa_srv_req *rq, char out[PA_STORE_HELP_LOCALE_MAX + 1]) {
  char v[PA_STORE_HELP_LOCALE_MAX + 2];
  int rc = pa_api_query(rq, "locale", v, sizeof v);
  if (rc < 0) return -1;
  if (rc == 1) {
    memcpy(out, "en", 3);
    return 0;
  }
  size_t n = strlen(v);
  int ok = n >= 2 && n <= PA_STORE_HELP_LOCALE_MAX;
  for (size_t i = 0; ok && i < n; i++)
    ok = (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
         (v[i] >= '0' && v[i] <= '9') || v[i] == '-';
  if (!ok) {
    PA_BAD(rq, "locale must be a language tag such as en, es or zh-Hans");
    return -1;
  }
  memcpy(out, v, n + 1);
  return 0;
}

typedef struct sections {
  cJSON *list, *current;
  char id[PA_STORE_HELP_SECTION_MAX + 1];
} sections;

static int add_entry(void *ctx, const pa_store_help_entry *e) {
  sections *s = ctx;
  if (!s->current || strcmp(s->id, e->section) != 0) {
    cJSON *sec = cJSON_CreateObject();
    if (!sec || !cJSON_AddItemToArray(s->list, sec) ||
        !cJSON_AddStringToObject(sec, "id", e->section) ||
        !cJSON_AddStringToObject(sec, "title", e->section_title) ||
        !(s->current = cJSON_AddArrayToObject(sec, "articles")))
      return 1;
    snprintf(s->id, sizeof s->id, "%s", e->section);
  }
  cJSON *a = cJSON_CreateObject();
  return !a || !cJSON_AddItemToArray(s->current, a) ||
         !cJSON_AddStringToObject(a, "slug", e->slug) ||
         !cJSON_AddStringToObject(a, "title", e->title) ||
         !cJSON_AddStringToObject(a, "summary", e->summary);
}

void pa_api_help_articles(pa_srv_req *rq) {
  char locale[PA_STORE_HELP_LOCALE_MAX + 1], served[16];
  if (help_locale(rq, locale) != 0) return;
  if (pa_api_limited(rq, PA_LIMIT_SEARCH, NULL) != 0) return;
  cJSON *root = cJSON_CreateObject();
  sections s = {NULL, NULL, ""};
  int rc = PA_STORE_ENOMEM;
  if (root && (s.list = cJSON_AddArrayToObject(root, "sections")) != NULL)
    rc = pa_store_help_list(rq->db, locale, served, add_entry, &s);
  if (rc != PA_STORE_OK || !cJSON_AddStringToObject(root, "locale", served)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "help articles");
    return;
  }
  pa_api_json(rq, 200, root);
}

static int add_related(void *ctx, const pa_store_help_entry *e) {
  cJSON *a = cJSON_CreateObject();
  return !a || !cJSON_AddItemToArray(ctx, a) || !cJSON_AddStringToObject(a, "slug", e->slug) ||
         !cJSON_AddStringToObject(a, "title", e->title);
}

void pa_api_help_article(pa_srv_req *rq) {
  char locale[PA_STORE_HELP_LOCALE_MAX + 1];
  if (help_locale(rq, locale) != 0) return;
  if (pa_api_limited(rq, PA_LIMIT_SEARCH, NULL) != 0) return;
  pa_store_help_doc *a = malloc(sizeof *a);
  if (!a) {
    pa_api_internal(rq, "help article");
    return;
  }
  /* The slug is rq->token ({code}: any segment); a malformed one is no article. */
  int rc = pa_store_help_article(rq->db, rq->token, locale, a);
  if (rc == PA_STORE_ENOTFOUND || rc == PA_STORE_EINVAL) {
    free(a);
    PA_NOT_FOUND(rq, "No such help article");
    return;
  }
  cJSON *root = rc == PA_STORE_OK ? cJSON_CreateObject() : NULL, *related = NULL;
  if (!root || !cJSON_AddStringToObject(root, "slug", a->slug) ||
      !cJSON_AddStringToObject(root, "locale", a->locale) ||
      !cJSON_AddStringToObject(root, "section", a->section) ||
      !cJSON_AddStringToObject(root, "section_title", a->section_title) ||
      !cJSON_AddStringToObject(root, "title", a->title) ||
      !cJSON_AddStringToObject(root, "summary", a->summary) ||
      !cJSON_AddStringToObject(root, "body", a->body) ||
      pa_api_add_time(root, "updated_at", a->updated_at) != 0 ||
      !(related = cJSON_AddArrayToObject(root, "related")) ||
      pa_store_help_related(rq->db, a->slug, a->locale, HELP_RELATED_MAX, add_related, related) !=
          PA_STORE_OK) {
    free(a);
    cJSON_Delete(root);
    pa_api_internal(rq, "help article");
    return;
  }
  free(a);
  pa_api_json(rq, 200, root);
}

void pa_api_help_search(pa_srv_req *rq) {
  char locale[PA_STORE_HELP_LOCALE_MAX + 1], q[PA_STORE_HELP_QUESTION_MAX + 2];
  if (help_locale(rq, locale) != 0) return;
  int rc = pa_api_query(rq, "q", q, sizeof q);
  if (rc < 0) return;
  size_t len = rc == 0 ? strlen(q) : 0;
  if (len == 0 || len > PA_STORE_HELP_QUESTION_MAX || pa_str_utf8_len(q, len, 1) < 0) {
    PA_BAD(rq, "q must be 1 to 500 bytes of text");
    return;
  }
  if (pa_api_limited(rq, PA_LIMIT_SEARCH, NULL) != 0) return;
  pa_store_help_hit hits[PA_STORE_HELP_RESULTS_MAX];
  int n = 0;
  rc = pa_store_help_search(rq->db, locale, q, PA_STORE_HELP_RESULTS_MAX, hits, &n);
  if (rc == PA_STORE_EINVAL) {
    PA_BAD(rq, "q has more than 200 words");
    return;
  }
  cJSON *root = rc == PA_STORE_OK ? cJSON_CreateObject() : NULL, *list = NULL;
  int bad = !root || !(list = cJSON_AddArrayToObject(root, "results"));
  for (int i = 0; !bad && i < n; i++) {
    cJSON *h = cJSON_CreateObject();
    bad = !h || !cJSON_AddItemToArray(list, h) ||
          !cJSON_AddStringToObject(h, "slug", hits[i].slug) ||
          !cJSON_AddStringToObject(h, "locale", hits[i].locale) ||
          !cJSON_AddStringToObject(h, "title", hits[i].title) ||
          !cJSON_AddStringToObject(h, "summary", hits[i].summary) ||
          !cJSON_AddNumberToObject(h, "score", hits[i].score);
  }
  if (bad) {
    cJSON_Delete(root);
    pa_api_internal(rq, "help search");
    return;
  }
  pa_api_json(rq, 200, root);
}
