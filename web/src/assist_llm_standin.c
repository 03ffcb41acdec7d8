/* STAND-IN (hask) for h/hstream's llm/ (client.h, chunk.h, sse.h) until its
 * implementation is merged: the configuration is read, the model is never
 * reached (every ask falls back "error"). Deleted at that merge. */
#include "llm/client.h"
#include "llm/sse.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int pa_llm_config_env(pa_llm_config *cfg, char *err, size_t errlen) {
  const char *url = getenv("PA_LLM_URL");
  memset(cfg, 0, sizeof *cfg);
  if (!url || !*url) return 0;
  if (strlen(url) > PA_LLM_URL_MAX) {
    snprintf(err, errlen, "PA_LLM_URL is too long");
    return -1;
  }
  snprintf(cfg->url, sizeof cfg->url, "%s", url);
  snprintf(cfg->model, sizeof cfg->model, "%s", PA_LLM_MODEL_DEFAULT);
  cfg->first_byte_ms = PA_LLM_FIRST_BYTE_MS;
  cfg->total_ms = PA_LLM_TOTAL_MS;
  return 1;
}

int64_t pa_llm_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pa_llm_chat(const pa_llm_config *cfg, const char *request_json, pa_llm_sink *sink,
                int64_t deadline_ms) {
  (void)cfg, (void)request_json, (void)deadline_ms;
  memset(&sink->reply, 0, sizeof sink->reply);
  return PA_LLM_EHTTP;
}

size_t pa_sse_event(char *buf, size_t cap, const char *name, const char *data) {
  if ((name && strpbrk(name, "\r\n")) || strpbrk(data, "\r\n")) return 0;
  int n = name ? snprintf(buf, cap, "event: %s\ndata: %s\n\n", name, data)
               : snprintf(buf, cap, "data: %s\n\n", data);
  return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

cJSON *pa_llm_tool_args(const pa_llm_tool_call *c) {
  cJSON *o = cJSON_ParseWithLength(c->args_len ? c->args : "{}", c->args_len ? c->args_len : 2);
  if (o && !cJSON_IsObject(o)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}
