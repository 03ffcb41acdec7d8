/* pa_llm client — a streamed chat completion over libcurl (client.h).
 *
 * The transfer runs on curl's multi interface in this thread, polled every
 * PA_LLM_POLL_MS at most, so the deadlines and the sink's alive() are kept
 * to the poll's precision whatever the endpoint does (a hang after the
 * headers, bytes trickling in). Nothing here logs: the prompt, the answer
 * and the key stay out of every log. */
#include "llm/client.h"

#include "llm/sse.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* curl_global_init is not thread-safe in older libcurl: run it once (as
 * pay/http.c does; a second call only counts up). */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;
static void global_init(void) { global_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

int64_t pa_llm_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Copies an environment value into out; -1 when it is longer than cap. */
static int env_copy(const char *name, char *out, size_t cap) {
  const char *v = getenv(name);
  out[0] = '\0';
  if (!v) return 0;
  if (strlen(v) > cap) return -1;
  strcpy(out, v);
  return 0;
}

int pa_llm_config_env(pa_llm_config *cfg, char *err, size_t errlen) {
  memset(cfg, 0, sizeof *cfg);
  cfg->first_byte_ms = PA_LLM_FIRST_BYTE_MS;
  cfg->total_ms = PA_LLM_TOTAL_MS;
  if (env_copy("PA_LLM_URL", cfg->url, PA_LLM_URL_MAX) != 0) {
    snprintf(err, errlen, "PA_LLM_URL is longer than %d bytes", PA_LLM_URL_MAX);
    return -1;
  }
  if (!cfg->url[0]) return 0;
  if ((strncmp(cfg->url, "http://", 7) != 0 && strncmp(cfg->url, "https://", 8) != 0) ||
      strpbrk(cfg->url, " \t\r\n")) {
    snprintf(err, errlen, "PA_LLM_URL must be an http:// or https:// URL");
    return -1;
  }
  /* The base URL: "http://host:8080", also written ".../" or ".../v1" (as
   * Ollama's and vLLM's documentation write it). */
  size_t ul = strlen(cfg->url);
  while (ul > 8 && cfg->url[ul - 1] == '/') cfg->url[--ul] = '\0';
  if (ul > 11 && strcmp(cfg->url + ul - 3, "/v1") == 0) cfg->url[ul -= 3] = '\0';
  if (env_copy("PA_LLM_MODEL", cfg->model, PA_LLM_MODEL_MAX) != 0) {
    snprintf(err, errlen, "PA_LLM_MODEL is longer than %d bytes", PA_LLM_MODEL_MAX);
    return -1;
  }
  if (!cfg->model[0]) strcpy(cfg->model, PA_LLM_MODEL_DEFAULT);
  if (env_copy("PA_LLM_KEY", cfg->key, PA_LLM_KEY_MAX) != 0 || strpbrk(cfg->key, "\r\n")) {
    snprintf(err, errlen, "PA_LLM_KEY is longer than %d bytes or holds a line break",
             PA_LLM_KEY_MAX);
    return -1;
  }
  const char *t = getenv("PA_LLM_TIMEOUT_MS");
  if (t && *t) {
    char *end;
    errno = 0;
    long long ms = strtoll(t, &end, 10);
    if (errno || *end || ms <= 0) {
      snprintf(err, errlen, "PA_LLM_TIMEOUT_MS must be a positive number of milliseconds");
      return -1;
    }
    /* Only lowers: a typo must not lift a deadline. */
    if (ms < cfg->first_byte_ms) cfg->first_byte_ms = ms;
    if (ms < cfg->total_ms) cfg->total_ms = ms;
  }
  return 1;
}

typedef struct call {
  pa_llm_sink *sink;
  CURL *curl;
  pa_sse_reader sse;
  int got_body; /* the first byte of the answer's body came */
  int rc;       /* the first error a callback met, PA_LLM_OK for none */
  int finished; /* [DONE] */
} call;

static int on_event(void *ctx, const char *event, const char *data, size_t len) {
  call *k = ctx;
  (void)event; /* llama.cpp, Ollama and vLLM send unnamed events */
  const char *delta;
  size_t dl;
  int rc = pa_llm_chunk(&k->sink->reply, data, len, &delta, &dl);
  if (rc) {
    k->rc = rc;
    return 1;
  }
  if (k->sink->reply.done) {
    k->finished = 1;
    return 1; /* nothing after [DONE] matters */
  }
  if (dl && k->sink->token && k->sink->token(k->sink->ctx, delta, dl) != 0) {
    k->rc = PA_LLM_EGONE;
    return 1;
  }
  return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud) {
  call *k = ud;
  size_t n = size * nmemb;
  if (!k->got_body) {
    long status = 0;
    curl_easy_getinfo(k->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) { /* an error answer: its body is not read (nor logged) */
      k->rc = PA_LLM_EHTTP;
      return 0;
    }
    k->got_body = 1;
  }
  int rc = pa_sse_feed(&k->sse, data, n, on_event, k);
  if (rc == PA_SSE_ETOOBIG && !k->rc) k->rc = PA_LLM_ETOOBIG;
  return rc == PA_SSE_OK ? n : 0; /* 0 aborts the transfer */
}

/* The request's JSON with "model" (unless given) and "stream": true; NULL
 * when request_json is not an object or too long. The caller frees it. */
static char *request_body(const pa_llm_config *cfg, const char *request_json) {
  if (!request_json || strlen(request_json) > PA_LLM_REQUEST_MAX) return NULL;
  cJSON *o = cJSON_Parse(request_json);
  if (!cJSON_IsObject(o)) {
    cJSON_Delete(o);
    return NULL;
  }
  char *out = NULL;
  if ((cJSON_GetObjectItemCaseSensitive(o, "model") ||
       cJSON_AddStringToObject(o, "model", cfg->model)) &&
      (cJSON_DeleteItemFromObjectCaseSensitive(o, "stream"), cJSON_AddTrueToObject(o, "stream")))
    out = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return out;
}

int pa_llm_chat(const pa_llm_config *cfg, const char *request_json, pa_llm_sink *sink,
                int64_t deadline_ms) {
  pa_llm_reply_init(&sink->reply);
  if (!cfg->url[0]) return PA_LLM_ECONFIG;
  pthread_once(&global_once, global_init);
  if (global_rc != CURLE_OK) return PA_LLM_ENOMEM;
  int64_t start = pa_llm_now_ms(), latest = start + cfg->total_ms;
  int64_t deadline = deadline_ms > 0 && deadline_ms < latest ? deadline_ms : latest;
  int64_t first_by = start + cfg->first_byte_ms;
  char *body = request_body(cfg, request_json);
  if (!body) return PA_LLM_ECONFIG;
  char url[PA_LLM_URL_MAX + 32], auth[PA_LLM_KEY_MAX + 32];
  snprintf(url, sizeof url, "%s/v1/chat/completions", cfg->url);
  call *k = calloc(1, sizeof *k);
  CURL *c = curl_easy_init();
  CURLM *m = curl_multi_init();
  struct curl_slist *hl = NULL;
  int rc = PA_LLM_ENOMEM;
  if (!k || !c || !m) goto done;
  const char *lines[] = {"Content-Type: application/json", "Accept: text/event-stream",
                         "Expect:", cfg->key[0] ? auth : NULL};
  snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->key);
  for (size_t i = 0; i < sizeof lines / sizeof lines[0] && lines[i]; i++) {
    struct curl_slist *n = curl_slist_append(hl, lines[i]);
    if (!n) goto done;
    hl = n;
  }
  k->sink = sink;
  k->curl = c;
  pa_sse_init(&k->sse);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  /* A backstop only: the loop below keeps the deadlines. */
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(deadline - start + 1000));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
  if (curl_multi_add_handle(m, c) != CURLM_OK) goto done;
  int running = 1, stopped = 0;
  rc = PA_LLM_OK;
  while (running) {
    if (curl_multi_perform(m, &running) != CURLM_OK) {
      rc = PA_LLM_EHTTP;
      break;
    }
    if (k->rc || k->finished || !running) break;
    int64_t now = pa_llm_now_ms();
    if (now >= deadline || (!k->got_body && now >= first_by)) {
      rc = PA_LLM_ETIMEOUT;
      stopped = 1;
      break;
    }
    if (sink->alive && !sink->alive(sink->ctx)) {
      rc = PA_LLM_EGONE;
      stopped = 1;
      break;
    }
    int64_t until = k->got_body ? deadline : (first_by < deadline ? first_by : deadline);
    int64_t wait = until - now < PA_LLM_POLL_MS ? until - now : PA_LLM_POLL_MS;
    curl_multi_poll(m, NULL, 0, (int)(wait > 0 ? wait : 0), NULL);
  }
  if (!stopped && rc == PA_LLM_OK) {
    if (k->rc) {
      rc = k->rc;
    } else if (k->finished) {
      rc = pa_llm_reply_check(&sink->reply);
    } else {
      /* The transfer ended: a failure, an error status, or a stream that
       * stopped without [DONE]. */
      CURLMsg *msg;
      int left;
      CURLcode result = CURLE_OK;
      while ((msg = curl_multi_info_read(m, &left)))
        if (msg->msg == CURLMSG_DONE) result = msg->data.result;
      long status = 0;
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
      if (result == CURLE_OPERATION_TIMEDOUT)
        rc = PA_LLM_ETIMEOUT;
      else if (result != CURLE_OK || status != 200)
        rc = PA_LLM_EHTTP;
      else
        rc = PA_LLM_EBAD;
    }
  }
done:
  if (m && c) curl_multi_remove_handle(m, c);
  if (c) curl_easy_cleanup(c);
  if (m) curl_multi_cleanup(m);
  curl_slist_free_all(hl);
  free(body);
  free(k);
  return rc;
}
