/* pa_llm chunks — OpenAI chat.completion.chunk payloads into a reply
 * (chunk.h). Every field is checked for its type; anything unexpected in a
 * place we read is refused rather than guessed at. */
#include "llm/chunk.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

void pa_llm_reply_init(pa_llm_reply *r) { memset(r, 0, sizeof *r); }

/* Appends s to a capped field; PA_LLM_ETOOBIG when it would pass cap. */
static int append(char *dst, size_t *len, size_t cap, const char *s) {
  size_t sl = strlen(s);
  if (sl > cap - *len) return PA_LLM_ETOOBIG;
  memcpy(dst + *len, s, sl + 1);
  *len += sl;
  return PA_LLM_OK;
}

/* A string member or absent/null: its text, "" for absent; NULL when it is
 * present as something else. */
static const char *opt_string(const cJSON *o, const char *name) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  if (!v || cJSON_IsNull(v)) return "";
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int tool_delta(pa_llm_reply *r, const cJSON *tc) {
  if (!cJSON_IsObject(tc)) return PA_LLM_EBAD;
  const cJSON *index = cJSON_GetObjectItemCaseSensitive(tc, "index");
  if (!cJSON_IsNumber(index) || !(index->valuedouble >= 0)) return PA_LLM_EBAD;
  if (index->valuedouble >= PA_LLM_TOOL_CALLS_MAX) return PA_LLM_ETOOBIG;
  int at = (int)index->valuedouble;
  if ((double)at != index->valuedouble) return PA_LLM_EBAD;
  pa_llm_tool_call *c = &r->calls[at];
  const char *id = opt_string(tc, "id"), *type = opt_string(tc, "type");
  if (!id || !type || (type[0] && strcmp(type, "function") != 0)) return PA_LLM_EBAD;
  if (id[0]) {
    if (strlen(id) > PA_LLM_TOOL_ID_MAX) return PA_LLM_ETOOBIG;
    strcpy(c->id, id); /* llama.cpp repeats it in later pieces: the same id */
  }
  const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
  if (fn && !cJSON_IsNull(fn)) {
    if (!cJSON_IsObject(fn)) return PA_LLM_EBAD;
    const char *name = opt_string(fn, "name"), *args = opt_string(fn, "arguments");
    if (!name || !args) return PA_LLM_EBAD;
    size_t name_len = strlen(c->name);
    /* The name comes whole in one piece (OpenAI, llama.cpp); a repeat of it
     * is not appended. */
    if (name[0] && strcmp(name, c->name) != 0) {
      int rc = append(c->name, &name_len, PA_LLM_TOOL_NAME_MAX, name);
      if (rc) return rc;
    }
    int rc = append(c->args, &c->args_len, PA_LLM_TOOL_ARGS_MAX, args);
    if (rc) return rc;
  }
  if (at + 1 > r->ncalls) r->ncalls = at + 1;
  return PA_LLM_OK;
}

static int chunk_json(pa_llm_reply *r, const cJSON *root, const char **delta, size_t *delta_len) {
  if (!cJSON_IsObject(root)) return PA_LLM_EBAD;
  const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
  if (!cJSON_IsArray(choices)) return PA_LLM_EBAD;
  /* Some servers end with a usage-only chunk: no choices at all. */
  const cJSON *choice = cJSON_GetArrayItem(choices, 0);
  if (!choice) return PA_LLM_OK;
  if (!cJSON_IsObject(choice)) return PA_LLM_EBAD;
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(choice, "delta");
  if (d && !cJSON_IsNull(d)) {
    if (!cJSON_IsObject(d)) return PA_LLM_EBAD;
    const char *content = opt_string(d, "content");
    if (!content) return PA_LLM_EBAD;
    if (content[0]) {
      size_t before = r->answer_len;
      int rc = append(r->answer, &r->answer_len, PA_LLM_ANSWER_MAX, content);
      if (rc) return rc;
      *delta = r->answer + before;
      *delta_len = r->answer_len - before;
    }
    const cJSON *calls = cJSON_GetObjectItemCaseSensitive(d, "tool_calls");
    if (calls && !cJSON_IsNull(calls)) {
      if (!cJSON_IsArray(calls)) return PA_LLM_EBAD;
      const cJSON *tc;
      cJSON_ArrayForEach(tc, calls) {
        int rc = tool_delta(r, tc);
        if (rc) return rc;
      }
    }
  }
  const char *finish = opt_string(choice, "finish_reason");
  if (!finish) return PA_LLM_EBAD;
  if (strcmp(finish, "stop") == 0)
    r->finish = PA_LLM_FINISH_STOP;
  else if (strcmp(finish, "tool_calls") == 0)
    r->finish = PA_LLM_FINISH_TOOL_CALLS;
  else if (strcmp(finish, "length") == 0)
    r->finish = PA_LLM_FINISH_LENGTH;
  else if (finish[0])
    return PA_LLM_EBAD;
  return PA_LLM_OK;
}

int pa_llm_chunk(pa_llm_reply *r, const char *data, size_t len, const char **delta,
                 size_t *delta_len) {
  *delta = r->answer + r->answer_len;
  *delta_len = 0;
  if (r->done) return PA_LLM_EBAD;
  if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
    r->done = 1;
    return PA_LLM_OK;
  }
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
  /* One JSON value and nothing after it but spaces. */
  while (root && end < data + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
    end++;
  if (root && end != data + len) {
    cJSON_Delete(root);
    root = NULL;
  }
  if (!root) return PA_LLM_EBAD;
  /* A refused chunk leaves the reply as it was: what it had already added
   * (content before a bad tool call) is taken back. */
  size_t answer_len = r->answer_len, name_len[PA_LLM_TOOL_CALLS_MAX],
         args_len[PA_LLM_TOOL_CALLS_MAX];
  char ids[PA_LLM_TOOL_CALLS_MAX][PA_LLM_TOOL_ID_MAX + 1];
  int ncalls = r->ncalls;
  pa_llm_finish finish = r->finish;
  for (int i = 0; i < PA_LLM_TOOL_CALLS_MAX; i++) {
    name_len[i] = strlen(r->calls[i].name);
    args_len[i] = r->calls[i].args_len;
    memcpy(ids[i], r->calls[i].id, sizeof ids[i]);
  }
  int rc = chunk_json(r, root, delta, delta_len);
  cJSON_Delete(root);
  if (rc) {
    r->answer[r->answer_len = answer_len] = '\0';
    for (int i = 0; i < PA_LLM_TOOL_CALLS_MAX; i++) {
      r->calls[i].name[name_len[i]] = '\0';
      r->calls[i].args[r->calls[i].args_len = args_len[i]] = '\0';
      memcpy(r->calls[i].id, ids[i], sizeof ids[i]);
    }
    r->ncalls = ncalls;
    r->finish = finish;
    *delta = r->answer + r->answer_len;
    *delta_len = 0;
  }
  return rc;
}

cJSON *pa_llm_tool_args(const pa_llm_tool_call *c) {
  const char *p = c->args;
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  if (!*p) return cJSON_CreateObject();
  const char *end = NULL;
  cJSON *o = cJSON_ParseWithOpts(c->args, &end, 1);
  if (!cJSON_IsObject(o)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

int pa_llm_reply_check(const pa_llm_reply *r) {
  for (int i = 0; i < r->ncalls; i++) {
    const char *name = r->calls[i].name;
    /* A function name as OpenAI allows them: letters, digits, _ and -. */
    if (!name[0] ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
            strlen(name))
      return PA_LLM_EBAD;
    cJSON *o = pa_llm_tool_args(&r->calls[i]);
    if (!o) return PA_LLM_EBAD;
    cJSON_Delete(o);
  }
  return PA_LLM_OK;
}

void pa_llm_tool_call_id(const pa_llm_reply *r, int index, char *out) {
  if (r->calls[index].id[0])
    strcpy(out, r->calls[index].id);
  else
    snprintf(out, PA_LLM_TOOL_ID_MAX + 1, "call_pa_%d", index);
}

cJSON *pa_llm_reply_message(const pa_llm_reply *r) {
  cJSON *m = cJSON_CreateObject();
  int ok = m && cJSON_AddStringToObject(m, "role", "assistant");
  ok = ok && (r->answer_len ? cJSON_AddStringToObject(m, "content", r->answer)
                            : cJSON_AddNullToObject(m, "content"));
  cJSON *calls = ok && r->ncalls ? cJSON_AddArrayToObject(m, "tool_calls") : NULL;
  ok = ok && (!r->ncalls || calls);
  for (int i = 0; ok && i < r->ncalls; i++) {
    char id[PA_LLM_TOOL_ID_MAX + 1];
    pa_llm_tool_call_id(r, i, id);
    cJSON *c = cJSON_CreateObject(), *fn = NULL;
    ok = c && cJSON_AddItemToArray(calls, c) && cJSON_AddStringToObject(c, "id", id) &&
         cJSON_AddStringToObject(c, "type", "function") &&
         (fn = cJSON_AddObjectToObject(c, "function")) &&
         cJSON_AddStringToObject(fn, "name", r->calls[i].name) &&
         cJSON_AddStringToObject(fn, "arguments", r->calls[i].args_len ? r->calls[i].args : "{}");
  }
  if (!ok) {
    cJSON_Delete(m);
    return NULL;
  }
  return m;
}

const char *pa_llm_finish_name(pa_llm_finish f) {
  switch (f) {
  case PA_LLM_FINISH_STOP: return "stop";
  case PA_LLM_FINISH_TOOL_CALLS: return "tool_calls";
  case PA_LLM_FINISH_LENGTH: return "length";
  case PA_LLM_FINISH_NONE: break;
  }
  return "none";
}

const char *pa_llm_errstr(int rc) {
  switch (rc) {
  case PA_LLM_OK: return "ok";
  case PA_LLM_ETIMEOUT: return "timeout";
  case PA_LLM_EHTTP: return "http";
  case PA_LLM_EBAD: return "bad_stream";
  case PA_LLM_ETOOBIG: return "too_big";
  case PA_LLM_EGONE: return "gone";
  case PA_LLM_ECONFIG: return "config";
  case PA_LLM_ENOMEM: return "out_of_memory";
  }
  return "unknown";
}
