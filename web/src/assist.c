/* pa_assist: the assistant's model side (assist.h). */
#include "assist.h"

#include "api/api.h"
#include "assist_text.h"
#include "assist_tools.h"
#include "llm/client.h"
#include "llm/sse.h"
#include "log.h"
#include "store/assist.h"
#include "store/help.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- configuration: read once (pthread_once), read-only afterwards */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pa_llm_config config;
static int configured;

static void read_config(void) {
  char err[256];
  int rc = pa_llm_config_env(&config, err, sizeof err);
  if (rc < 0) pa_log_event("error", "assist", "no model: %s", err);
  configured = rc == 1;
}

int pa_assist_model_configured(void) {
  pthread_once(&once, read_config);
  return configured;
}

/* ---- the prompt */

/* What the model is told, in English (the instruction; it answers in the
 * asker's language, named by its tag). No person in it: the question's
 * words, the articles and (signed in) the tools' results are all it gets. */
static const char system_prompt[] =
    "You are the PetAmigos help assistant. Answer the question using only the numbered help "
    "articles below. Answer in the language whose tag is %s. Cite each article you use as [n], "
    "with its number. If the articles do not answer the question, say that you do not know and "
    "suggest talking to a person. Never invent features, links or account details. Account "
    "details come only from the tools, which answer about the asker's own account.\n\n";

cJSON *pa_assist_request(const char *locale, const char *question,
                         const struct pa_store_help_article *docs, int n, int with_tools) {
  size_t cap = sizeof system_prompt + 32;
  for (int i = 0; i < n; i++)
    cap += strlen(docs[i].title) + strlen(docs[i].summary) + strlen(docs[i].body) + 16;
  char *sys = malloc(cap);
  cJSON *req = cJSON_CreateObject(), *msgs = req ? cJSON_AddArrayToObject(req, "messages") : NULL;
  if (!sys || !msgs) {
    free(sys);
    cJSON_Delete(req);
    return NULL;
  }
  size_t len = (size_t)snprintf(sys, cap, system_prompt, locale);
  /* "[n] title\nsummary\nbody": the numbering the answer cites. */
  for (int i = 0; i < n && len < cap; i++)
    len += (size_t)snprintf(sys + len, cap - len, "[%d] %s\n%s\n%s\n\n", i + 1, docs[i].title,
                            docs[i].summary, docs[i].body);
  if (n == 0 && len < cap) snprintf(sys + len, cap - len, "(No article matches.)\n");
  cJSON *s = cJSON_CreateObject(), *u = cJSON_CreateObject();
  int bad = !s || !u || !cJSON_AddStringToObject(s, "role", "system") ||
            !cJSON_AddStringToObject(s, "content", sys) ||
            !cJSON_AddStringToObject(u, "role", "user") ||
            !cJSON_AddStringToObject(u, "content", question);
  free(sys);
  if (!bad) {
    cJSON_AddItemToArray(msgs, s);
    cJSON_AddItemToArray(msgs, u);
    s = u = NULL;
  }
  cJSON_Delete(s);
  cJSON_Delete(u);
  if (!bad && with_tools) {
    cJSON *tools = pa_assist_tool_specs();
    bad = !tools || !cJSON_AddItemToObject(req, "tools", tools);
    if (bad) cJSON_Delete(tools);
  }
  if (bad) {
    cJSON_Delete(req);
    return NULL;
  }
  return req;
}

/* ---- the threads and their queue */

typedef struct job {
  const pa_srv *srv;
  uint64_t stream;
  int64_t ask, viewer; /* viewer 0: signed out (no tools) */
  char locale[PA_STORE_ASSIST_LOCALE_MAX + 1];
  char question[PA_STORE_ASSIST_QUESTION_MAX + 1];
} job;

struct pa_assist {
  pthread_t threads[PA_ASSIST_WORKERS];
  int nthreads;
  char db_path[PATH_MAX];
  pthread_mutex_t lock;
  pthread_cond_t wake;
  job queue[PA_ASSIST_QUEUE];
  int head, count, stopping;
};

/* The pool the stream handler queues to: set by pa_assist_start before the
 * transport runs a request of a stream (the route answers 404 until a model
 * is configured), cleared by pa_assist_stop after the threads are gone. */
static pa_assist *pool;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct run {
  pa_assist *a;
  const job *j;
  int gone; /* a send failed: the person left, or the stream's queue is full */
} run;

static int stopping(pa_assist *a) {
  pthread_mutex_lock(&a->lock);
  int s = a->stopping;
  pthread_mutex_unlock(&a->lock);
  return s;
}

/* Sends one event of JSON o (consumed); -1 once the stream is gone. */
static int send_event(run *r, const char *name, cJSON *o) {
  char *data = o ? cJSON_PrintUnformatted(o) : NULL;
  cJSON_Delete(o);
  if (!data) return -1;
  size_t cap = strlen(data) + strlen(name) + 32;
  char *buf = cap <= PA_ASSIST_EVENT_MAX ? malloc(cap) : NULL;
  size_t n = buf ? pa_sse_event(buf, cap, name, data) : 0;
  int rc = n && !r->gone ? pa_srv_stream_send(r->j->srv, r->j->stream, buf, n) : -1;
  free(buf);
  free(data);
  if (rc != 0) r->gone = 1;
  return rc;
}

static int send_fallback(run *r, const char *reason) {
  cJSON *o = cJSON_CreateObject();
  if (o && !cJSON_AddStringToObject(o, "reason", reason)) {
    cJSON_Delete(o);
    o = NULL;
  }
  return send_event(r, "fallback", o);
}

static int on_token(void *ctx, const char *text, size_t len) {
  run *r = ctx;
  char piece[PA_LLM_ANSWER_MAX + 1];
  if (len > PA_LLM_ANSWER_MAX) len = PA_LLM_ANSWER_MAX;
  memcpy(piece, text, len);
  piece[len] = '\0';
  cJSON *o = cJSON_CreateObject();
  if (o && !cJSON_AddStringToObject(o, "t", piece)) {
    cJSON_Delete(o);
    o = NULL;
  }
  return send_event(r, "token", o) != 0;
}

static int on_alive(void *ctx) {
  run *r = ctx;
  return !r->gone && !stopping(r->a);
}

/* Appends the model's tool calls and each one's result (run with the
 * asker's id only) to the request's messages; the names into tools. */
static int run_tools(run *r, pa_store *db, cJSON *req, const pa_llm_reply *reply, char *tools,
                     size_t cap) {
  cJSON *msgs = cJSON_GetObjectItemCaseSensitive(req, "messages");
  /* The model's own message with its calls (ids as llm/chunk.h gives them),
   * then one tool message per call. */
  cJSON *m = cJSON_IsArray(msgs) ? pa_llm_reply_message(reply) : NULL;
  if (!m || !cJSON_AddItemToArray(msgs, m)) {
    cJSON_Delete(m);
    return -1;
  }
  for (int i = 0; i < reply->ncalls; i++) {
    const pa_llm_tool_call *c = &reply->calls[i];
    char id[PA_LLM_TOOL_ID_MAX + 1];
    pa_llm_tool_call_id(reply, i, id);
    cJSON *ev = cJSON_CreateObject();
    if (ev && !cJSON_AddStringToObject(ev, "name", c->name)) {
      cJSON_Delete(ev);
      ev = NULL;
    }
    if (send_event(r, "tool", ev) != 0) return -1;
    cJSON *args = pa_llm_tool_args(c);
    cJSON *result = pa_assist_tool_run(db, r->j->viewer, c->name, args);
    cJSON_Delete(args);
    char *text = result ? cJSON_PrintUnformatted(result) : NULL;
    cJSON_Delete(result);
    cJSON *t = text ? pa_api_array_add_object(msgs) : NULL;
    int bad = !t || !cJSON_AddStringToObject(t, "role", "tool") ||
              !cJSON_AddStringToObject(t, "tool_call_id", id) ||
              !cJSON_AddStringToObject(t, "content", text);
    free(text);
    if (bad) return -1;
    size_t len = strlen(tools);
    if (!strstr(tools, c->name) && len + strlen(c->name) + 2 < cap)
      snprintf(tools + len, cap - len, "%s%s", len ? "," : "", c->name);
  }
  return 0;
}

/* One ask: its articles again (the asker's locale, the same threshold),
 * the model asked with up to PA_ASSIST_TOOL_ROUNDS rounds of tools, the
 * answer streamed and kept with what it cited. */
static void answer(pa_assist *a, pa_store *db, const job *j) {
  run r = {a, j, 0};
  pa_store_help_hit hits[PA_ASSIST_ARTICLES];
  struct pa_store_help_article *docs = calloc(PA_ASSIST_ARTICLES, sizeof *docs);
  int n = 0;
  cJSON *req = NULL;
  if (stopping(a)) goto out; /* the server is stopping: close the stream, ask nothing */
  if (!docs || !db ||
      pa_store_help_search(db, j->locale, j->question, PA_ASSIST_ARTICLES, hits, &n) !=
          PA_STORE_OK) {
    send_fallback(&r, "error");
    goto out;
  }
  int kept = 0;
  for (int i = 0; i < n && hits[i].score >= PA_ASSIST_SCORE_MIN; i++)
    if (pa_store_help_article(db, hits[i].slug, j->locale, &docs[kept]) == PA_STORE_OK) kept++;
  n = kept;
  req = pa_assist_request(j->locale, j->question, docs, n, j->viewer != 0);
  char *body = NULL;
  char tools[PA_STORE_ASSIST_TOOLS_MAX + 1] = "";
  pa_llm_sink sink;
  memset(&sink, 0, sizeof sink);
  sink.ctx = &r, sink.token = on_token, sink.alive = on_alive;
  const int64_t deadline = pa_llm_now_ms() + config.total_ms;
  int rc = PA_LLM_ENOMEM;
  for (int round = 0; req && round <= PA_ASSIST_TOOL_ROUNDS; round++) {
    free(body);
    body = cJSON_PrintUnformatted(req);
    rc = body ? pa_llm_chat(&config, body, &sink, deadline) : PA_LLM_ENOMEM;
    if (rc != PA_LLM_OK || sink.reply.finish != PA_LLM_FINISH_TOOL_CALLS) break;
    /* Tools only for a signed-in asker (none were offered otherwise), and
     * not past the last round. */
    if (!j->viewer || round == PA_ASSIST_TOOL_ROUNDS ||
        run_tools(&r, db, req, &sink.reply, tools, sizeof tools) != 0) {
      rc = PA_LLM_EBAD;
      break;
    }
  }
  free(body);
  if (r.gone || stopping(a)) goto out; /* nobody is listening */
  if (rc != PA_LLM_OK || !sink.reply.answer_len) {
    send_fallback(&r, rc == PA_LLM_ETIMEOUT ? "timeout" : "error");
    goto out;
  }
  int cited[PA_ASSIST_ARTICLES];
  int nc = pa_assist_citations(sink.reply.answer, n, cited);
  char slugs[PA_STORE_ASSIST_ARTICLES_MAX + 1] = "";
  cJSON *done = cJSON_CreateObject(), *list = done ? cJSON_AddArrayToObject(done, "cited") : NULL;
  int bad = !list || !cJSON_AddStringToObject(done, "text", sink.reply.answer);
  for (int i = 0; i < nc && !bad; i++) {
    const struct pa_store_help_article *d = &docs[cited[i] - 1];
    cJSON *o = pa_api_array_add_object(list);
    bad = !o || !cJSON_AddStringToObject(o, "slug", d->slug) ||
          !cJSON_AddStringToObject(o, "title", d->title);
    size_t len = strlen(slugs);
    snprintf(slugs + len, sizeof slugs - len, "%s%s", len ? "," : "", d->slug);
  }
  if (bad) {
    cJSON_Delete(done);
    send_fallback(&r, "error");
    goto out;
  }
  if (pa_store_assist_finish(db, j->ask, sink.reply.answer, slugs, tools) != PA_STORE_OK)
    pa_log_event("error", "assist", "%s", pa_store_errmsg(db));
  send_event(&r, "done", done);
out:
  cJSON_Delete(req);
  free(docs);
  pa_srv_stream_end(j->srv, j->stream);
}

static void *worker(void *arg) {
  pa_assist *a = arg;
  pa_store *db = NULL;
  char err[256];
  if (pa_store_open(a->db_path, 0, &db, err, sizeof err) != PA_STORE_OK) {
    pa_log_event("error", "assist", "cannot open database: %s", err);
    db = NULL; /* each ask then falls back */
  }
  pthread_mutex_lock(&a->lock);
  for (;;) {
    while (!a->stopping && !a->count) pthread_cond_wait(&a->wake, &a->lock);
    if (!a->count) break; /* stopping, and nothing left to close */
    job j = a->queue[a->head];
    a->head = (a->head + 1) % PA_ASSIST_QUEUE;
    a->count--;
    pthread_mutex_unlock(&a->lock);
    answer(a, db, &j);
    pthread_mutex_lock(&a->lock);
  }
  pthread_mutex_unlock(&a->lock);
  if (db) pa_store_close(db);
  return NULL;
}

pa_assist *pa_assist_start(const char *db_path) {
  if (!pa_assist_model_configured()) return NULL;
  pa_assist *a = calloc(1, sizeof *a);
  if (!a) return NULL;
  snprintf(a->db_path, sizeof a->db_path, "%s", db_path);
  pthread_mutex_init(&a->lock, NULL);
  pthread_cond_init(&a->wake, NULL);
  for (int i = 0; i < PA_ASSIST_WORKERS; i++)
    if (pthread_create(&a->threads[a->nthreads], NULL, worker, a) == 0) a->nthreads++;
  if (!a->nthreads) {
    pa_log_event("error", "assist", "the threads did not start");
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->wake);
    free(a);
    return NULL;
  }
  pthread_mutex_lock(&pool_lock);
  pool = a;
  pthread_mutex_unlock(&pool_lock);
  return a;
}

void pa_assist_stop(pa_assist *a) {
  if (!a) return;
  pthread_mutex_lock(&pool_lock);
  if (pool == a) pool = NULL;
  pthread_mutex_unlock(&pool_lock);
  pthread_mutex_lock(&a->lock);
  a->stopping = 1;
  pthread_cond_broadcast(&a->wake);
  pthread_mutex_unlock(&a->lock);
  /* Each thread ends its ask at once (alive says 0) and closes the
   * streams still queued (their answers' fallback is the retrieval one). */
  for (int i = 0; i < a->nthreads; i++) pthread_join(a->threads[i], NULL);
  pthread_mutex_destroy(&a->lock);
  pthread_cond_destroy(&a->wake);
  free(a);
}

void pa_assist_stream(pa_srv_req *rq, const pa_store_assist_ask *ask) {
  int claimed = 0;
  if (pa_store_assist_claim(rq->db, ask->id, &claimed) != PA_STORE_OK) {
    pa_api_internal(rq, "ask");
    return;
  }
  if (!claimed) {
    PA_NOT_FOUND(rq, "No such ask");
    return;
  }
  pa_srv_stream_begin(rq);
  job j = {rq->srv, rq->stream, ask->id, ask->user_id, "", ""};
  snprintf(j.locale, sizeof j.locale, "%s", ask->locale);
  snprintf(j.question, sizeof j.question, "%s", ask->question);
  int queued = 0;
  pthread_mutex_lock(&pool_lock);
  pa_assist *a = pool;
  if (a) {
    pthread_mutex_lock(&a->lock);
    if (!a->stopping && a->count < PA_ASSIST_QUEUE) {
      a->queue[(a->head + a->count) % PA_ASSIST_QUEUE] = j;
      a->count++;
      queued = 1;
      pthread_cond_signal(&a->wake);
    }
    pthread_mutex_unlock(&a->lock);
  }
  pthread_mutex_unlock(&pool_lock);
  if (queued) return;
  /* Every thread busy and the queue full: the widget keeps the retrieval answer. */
  run r = {NULL, &j, 0};
  send_fallback(&r, "busy");
  pa_srv_stream_end(j.srv, j.stream);
}
