/* pa_assist — the assistant's model side (issue 23, web/README.md
 * "Assistant"): the stream of one ask, asked of an OpenAI-compatible model
 * (llm/client.h) on the assistant's own threads (PA_ASSIST_WORKERS, never
 * the API workers) from a bounded queue (PA_ASSIST_QUEUE; full: the
 * `fallback` event `busy`). The retrieval answer is api/help_ask.c's; the
 * account tools are assist_tools.h's, run with the asker's id only.
 *
 * What reaches the model: a system prompt (answer only from the numbered
 * articles, in the asker's language, cite them as [n], say when you do not
 * know), the articles (title, summary, body), the question, and for a
 * signed-in asker the tools and their results. Never the person's name,
 * e-mail or id, nor anything of anyone else. */
#ifndef PA_ASSIST_H
#define PA_ASSIST_H

#include "srv_internal.h"
#include "store/assist.h"
#include "store/help.h"

#include <cjson/cJSON.h>

enum {
  PA_ASSIST_ARTICLES = 3,     /* articles shown with an answer and given to the model */
  PA_ASSIST_WORKERS = 2,      /* the assistant's threads */
  PA_ASSIST_QUEUE = 16,       /* asks waiting for a thread; one more is answered busy */
  PA_ASSIST_TOOL_ROUNDS = 2,  /* model calls that may run tools before the answer */
  PA_ASSIST_EVENT_MAX = 65536 /* bytes of one event the assistant sends */
};

/* The least BM25 score (store/help.h: higher is better) of the best article
 * for a retrieval answer; below it the answer is "unknown" and a person is
 * offered. Measured on the 33 English articles: questions about something
 * else ("is it going to rain", "who won the football") score 0.8..1.4, the
 * shortest real ones ("where is my order?") 4.9 and up. */
#define PA_ASSIST_SCORE_MIN 2.0

/* 1 when PA_LLM_URL names a usable model endpoint (read once). */
int pa_assist_model_configured(void);

typedef struct pa_assist pa_assist;
/* Starts the assistant's threads on the database at db_path when a model is
 * configured: the pool the caller stops with pa_assist_stop, or NULL when
 * none is configured or it could not start (logged). */
pa_assist *pa_assist_start(const char *db_path);
/* Stops the threads (an answer being made ends with no more events, its
 * stream closed) and frees the pool; before the transport stops. NULL is fine. */
void pa_assist_stop(pa_assist *a);

/* Answers GET /help/asks/{ha}/stream for ask a, already checked to be the
 * caller's: text/event-stream with the model's `token` and `tool` events,
 * then `done`, or a `fallback` (CONTRACT23 §5). An ask streams once; again
 * is 404. */
void pa_assist_stream(pa_srv_req *rq, const pa_store_assist_ask *a);

/* The system prompt and articles and the question as the model gets them:
 * a new OpenAI chat request (messages, and tools when with_tools) the
 * caller owns, NULL when memory ran out. docs: n articles, numbered [1]..[n]
 * in that order. Pure: what it gets is all it says. */
cJSON *pa_assist_request(const char *locale, const char *question,
                         const struct pa_store_help_article *docs, int n, int with_tools);

#endif
