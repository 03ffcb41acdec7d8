/* pa_llm client — asks an OpenAI-compatible endpoint (llama.cpp's server,
 * Ollama, vLLM) for a streamed chat completion over libcurl:
 * POST <PA_LLM_URL>/v1/chat/completions with "stream": true, reads the SSE
 * answer (llm/sse.h) chunk by chunk (llm/chunk.h), hands every piece of
 * content to the caller's sink as it arrives and collects tool calls.
 *
 * Deadlines: the first byte of the answer within first_byte_ms, the whole
 * answer by the call's deadline (at most total_ms). Neither the prompt, the
 * answer nor the key is ever logged. */
#ifndef PA_LLM_CLIENT_H
#define PA_LLM_CLIENT_H

#include "llm/chunk.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_LLM_FIRST_BYTE_MS = 8000, /* request sent → the first byte of the answer */
  PA_LLM_TOTAL_MS = 30000,     /* request sent → the whole answer */
  PA_LLM_URL_MAX = 512,        /* bytes of PA_LLM_URL */
  PA_LLM_MODEL_MAX = 128,      /* bytes of PA_LLM_MODEL */
  PA_LLM_KEY_MAX = 512,        /* bytes of PA_LLM_KEY */
  PA_LLM_REQUEST_MAX = 262144, /* bytes of the request's JSON */
  PA_LLM_POLL_MS = 50          /* how often deadlines and the sink's alive() are checked */
};

#define PA_LLM_MODEL_DEFAULT "llama-3.1-8b-instruct"

typedef struct pa_llm_config {
  char url[PA_LLM_URL_MAX + 1]; /* base URL, no trailing slash; "" when not configured */
  char model[PA_LLM_MODEL_MAX + 1];
  char key[PA_LLM_KEY_MAX + 1]; /* "" for none */
  int64_t first_byte_ms, total_ms;
} pa_llm_config;

/* Reads PA_LLM_URL (http:// or https://), PA_LLM_MODEL (default
 * PA_LLM_MODEL_DEFAULT), PA_LLM_KEY and PA_LLM_TIMEOUT_MS (lowers both
 * deadlines; for tests and impatient operators). 1 when a model is
 * configured, 0 when PA_LLM_URL is unset or empty, -1 when a value is
 * unusable (err says which, never its value). */
int pa_llm_config_env(pa_llm_config *cfg, char *err, size_t errlen);

/* Where the answer goes, as it arrives. */
typedef struct pa_llm_sink {
  void *ctx;
  /* A piece of the answer's text (not NUL-terminated); non-zero stops. May be NULL. */
  int (*token)(void *ctx, const char *text, size_t len);
  /* Checked every PA_LLM_POLL_MS: 0 when the answer is no longer wanted
   * (the person left). May be NULL. */
  int (*alive)(void *ctx);
  /* Filled by pa_llm_chat: the answer, tool calls and finish reason, also
   * what came before an error. */
  pa_llm_reply reply;
} pa_llm_sink;

/* Milliseconds on a monotonic clock, for deadlines. */
int64_t pa_llm_now_ms(void);

/* Asks for a completion. request_json is an OpenAI chat request (messages,
 * tools, ...); "model" is set from cfg unless present and "stream" is set to
 * true. deadline_ms is the latest time on pa_llm_now_ms()'s clock to finish
 * (0: now + cfg->total_ms; never later than that). PA_LLM_OK when the stream
 * ended with [DONE] and a coherent reply (pa_llm_reply_check), else
 * PA_LLM_ETIMEOUT, PA_LLM_EHTTP, PA_LLM_EBAD, PA_LLM_ETOOBIG, PA_LLM_EGONE
 * (alive said 0, or token returned non-zero), PA_LLM_ECONFIG or
 * PA_LLM_ENOMEM; sink->reply holds what arrived either way. Thread-safe
 * (libcurl's global init runs once inside, as pay/http.c's does). */
int pa_llm_chat(const pa_llm_config *cfg, const char *request_json, pa_llm_sink *sink,
                int64_t deadline_ms);

#endif
