/* pa_api — the assistant (issue 23, web/README.md "Assistant"):
 * POST /help/ask answers from the help center by retrieval at once (the
 * top articles, the best one's summary, or "unknown" below
 * PA_ASSIST_SCORE_MIN) and, when a model is configured, names the stream
 * that asks it (assist.c); GET /help/me/{plan,orders,hidden-posts} are the
 * widget's explicit actions, the same JSON the model's tools get. */
#include "api/api.h"
#include "assist.h"
#include "assist_text.h"
#include "assist_tools.h"
#include "clock.h"
#include "store/assist.h"
#include "store/help.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The account action the top article suggests (CONTRACT23 §5), or NULL. */
static const char *action_for(const char *slug) {
  static const struct {
    const char *slug, *action;
  } map[] = {{"market-buy", "my_orders"},
             {"market-refund", "my_orders"},
             {"plus-plans", "my_plan"},
             {"billing-manage", "my_plan"},
             {"hidden-post", "hidden_posts"}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (!strcmp(map[i].slug, slug)) return map[i].action;
  return NULL;
}

/* The slugs of hits, comma-separated, into out (cap bytes). */
static void slugs(const pa_store_help_hit *hits, int n, char *out, size_t cap) {
  size_t len = 0;
  out[0] = '\0';
  for (int i = 0; i < n; i++) {
    int w = snprintf(out + len, cap - len, "%s%s", i ? "," : "", hits[i].slug);
    if (w < 0 || (size_t)w >= cap - len) {
      out[len] = '\0';
      return;
    }
    len += (size_t)w;
  }
}

void pa_api_help_ask(pa_srv_req *rq) {
  static const char *const fields[] = {"question", "locale", "conversation", NULL};
  cJSON *body = NULL, *root = NULL;
  const char *question = NULL, *locale = NULL;
  int64_t conversation = 0;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) ||
      pa_api_str(rq, body, "question", 1, 1, PA_STORE_HELP_QUESTION_MAX, 1, &question) ||
      pa_api_str(rq, body, "locale", 1, 2, PA_STORE_ASSIST_LOCALE_MAX, 0, &locale) ||
      pa_api_id(rq, body, "conversation", "sc", 0, &conversation))
    goto out;
  if (strlen(question) > PA_STORE_HELP_QUESTION_MAX) {
    pa_api_field_error(rq, 400, "bad_request", "question is at most 500 bytes", "question");
    goto out;
  }
  if (!pa_assist_locale_ok(locale)) {
    pa_api_field_error(rq, 400, "bad_request", "locale is a language tag like es or zh-Hans",
                       "locale");
    goto out;
  }
  /* Charged once valid: each may cost a model call. */
  if (pa_api_limited(rq, PA_LIMIT_HELP_ASK, NULL) != 0) goto out;
  pa_store_help_hit hits[PA_ASSIST_ARTICLES];
  int n = 0;
  int rc = pa_store_help_search(rq->db, locale, question, PA_ASSIST_ARTICLES, hits, &n);
  if (rc == PA_STORE_EINVAL) { /* too many words, or not text */
    pa_api_field_error(rq, 400, "bad_request", "question has too many words", "question");
    goto out;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "help search");
    goto out;
  }
  /* Below the threshold nothing is relevant enough to show: "unknown", and
   * the widget offers a person. */
  const int known = n > 0 && hits[0].score >= PA_ASSIST_SCORE_MIN;
  if (!known) n = 0;
  pa_store_assist_ask a;
  memset(&a, 0, sizeof a);
  a.user_id = rq->viewer;
  a.created_at = pa_clock_now();
  snprintf(a.locale, sizeof a.locale, "%s", locale);
  snprintf(a.question, sizeof a.question, "%s", question);
  snprintf(a.answer, sizeof a.answer, "%s", known ? hits[0].summary : "");
  slugs(hits, n, a.articles, sizeof a.articles);
  /* A signed-out asker's browser gets a token for the stream's URL; only its
   * hash is kept. */
  unsigned char token[32];
  char
      token_text[sodium_base64_ENCODED_LEN(sizeof token, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  token_text[0] = '\0';
  if (!rq->viewer) {
    randombytes_buf(token, sizeof token);
    crypto_hash_sha256(a.token_hash, token, sizeof token);
    sodium_bin2base64(token_text, sizeof token_text, token, sizeof token,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(token, sizeof token);
  }
  int64_t id = 0;
  if (pa_store_assist_add(rq->db, &a, &id) != PA_STORE_OK) {
    pa_api_internal(rq, "ask");
    goto out;
  }
  char ask_id[32], stream[128];
  snprintf(ask_id, sizeof ask_id, "ha_%lld", (long long)id);
  snprintf(stream, sizeof stream, "/api/v1/help/asks/%s/stream%s%s", ask_id,
           token_text[0] ? "?t=" : "", token_text);
  root = cJSON_CreateObject();
  cJSON *arts = root ? cJSON_AddArrayToObject(root, "articles") : NULL;
  cJSON *answer = arts ? cJSON_AddObjectToObject(root, "answer") : NULL;
  cJSON *actions = answer ? cJSON_AddArrayToObject(root, "actions") : NULL;
  int bad = !actions || !cJSON_AddStringToObject(root, "ask", ask_id) ||
            !cJSON_AddStringToObject(answer, "kind", known ? "retrieval" : "unknown") ||
            !cJSON_AddStringToObject(answer, "text", a.answer) ||
            (pa_assist_model_configured() ? !cJSON_AddStringToObject(root, "stream", stream)
                                          : !cJSON_AddNullToObject(root, "stream"));
  for (int i = 0; i < n && !bad; i++) {
    cJSON *o = pa_api_array_add_object(arts);
    bad = !o || !cJSON_AddStringToObject(o, "slug", hits[i].slug) ||
          !cJSON_AddStringToObject(o, "title", hits[i].title) ||
          !cJSON_AddStringToObject(o, "summary", hits[i].summary);
  }
  /* Account actions only for someone signed in, who has an account to ask about. */
  const char *act = rq->viewer && known ? action_for(hits[0].slug) : NULL;
  if (!bad && act) bad = !cJSON_AddItemToArray(actions, cJSON_CreateString(act));
  if (bad) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
out:
  cJSON_Delete(body);
}

void pa_api_help_ask_stream(pa_srv_req *rq) {
  char t[64] = "";
  pa_store_assist_ask a;
  int q = pa_api_query(rq, "t", t, sizeof t);
  if (q < 0) return;
  int rc = pa_store_assist_get(rq->db, rq->ids[0], &a);
  if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "ask");
    return;
  }
  /* Its asker's only: the same person, or the browser holding a signed-out
   * ask's token. Anyone else learns nothing, not even that it exists. */
  int mine = 0;
  if (rc == PA_STORE_OK && a.user_id) {
    mine = rq->viewer == a.user_id;
  } else if (rc == PA_STORE_OK && q == 0) {
    unsigned char raw[32], h[32];
    size_t len = 0;
    if (sodium_base642bin(raw, sizeof raw, t, strlen(t), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
        len == sizeof raw) {
      crypto_hash_sha256(h, raw, sizeof raw);
      mine = sodium_memcmp(h, a.token_hash, sizeof h) == 0;
    }
    sodium_memzero(raw, sizeof raw);
  }
  if (!mine || !pa_assist_model_configured()) {
    PA_NOT_FOUND(rq, "No such ask");
    return;
  }
  /* A HEAD says the stream is there without taking it (a GET streams once). */
  if (rq->head) {
    pa_srv_send(rq, 200, "text/event-stream", "no-store", NULL, 0, "", 0);
    return;
  }
  pa_assist_stream(rq, &a);
}

static void me(pa_srv_req *rq, cJSON *(*tool)(pa_store *, int64_t), const char *what) {
  cJSON *o = tool(rq->db, rq->viewer);
  if (!o) {
    pa_api_internal(rq, what);
    return;
  }
  pa_api_json(rq, 200, o);
}

void pa_api_help_me_plan(pa_srv_req *rq) { me(rq, pa_assist_tool_my_plan, "plan"); }
void pa_api_help_me_orders(pa_srv_req *rq) { me(rq, pa_assist_tool_my_orders, "orders"); }
void pa_api_help_me_hidden_posts(pa_srv_req *rq) {
  me(rq, pa_assist_tool_hidden_posts, "hidden posts");
}
