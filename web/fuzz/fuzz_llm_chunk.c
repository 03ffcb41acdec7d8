/* libFuzzer target: the chat.completion.chunk parser (web/src/llm/chunk.c)
 * on a model endpoint's untrusted payloads. The input is a stream's data
 * payloads, one per line. Invariants: the answer is NUL-terminated at its
 * length within PA_LLM_ANSWER_MAX and grows only by the delta reported
 * (which lies inside it); tool calls stay within PA_LLM_TOOL_CALLS_MAX, their
 * names, ids and arguments NUL-terminated within their caps; a refused chunk
 * leaves the reply exactly as it was; nothing is taken after [DONE]; the
 * reply's check and every call's arguments parse without fault, and the
 * arguments, when taken, are an object; the message for a second round
 * carries every call. */
#include "fuzz_check.h"
#include "llm/chunk.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pa_llm_reply reply, before;

static void same(const pa_llm_reply *a, const pa_llm_reply *b) {
  ASSERT(a->answer_len == b->answer_len && memcmp(a->answer, b->answer, a->answer_len + 1) == 0);
  ASSERT(a->ncalls == b->ncalls && a->finish == b->finish && a->done == b->done);
  for (int i = 0; i < PA_LLM_TOOL_CALLS_MAX; i++) {
    ASSERT(strcmp(a->calls[i].id, b->calls[i].id) == 0);
    ASSERT(strcmp(a->calls[i].name, b->calls[i].name) == 0);
    ASSERT(a->calls[i].args_len == b->calls[i].args_len &&
           strcmp(a->calls[i].args, b->calls[i].args) == 0);
  }
}

static void sane(const pa_llm_reply *r) {
  ASSERT(r->answer_len <= PA_LLM_ANSWER_MAX && r->answer[r->answer_len] == '\0');
  ASSERT(r->ncalls >= 0 && r->ncalls <= PA_LLM_TOOL_CALLS_MAX);
  for (int i = 0; i < PA_LLM_TOOL_CALLS_MAX; i++) {
    const pa_llm_tool_call *c = &r->calls[i];
    TERMINATED(c->id);
    TERMINATED(c->name);
    ASSERT(c->args_len <= PA_LLM_TOOL_ARGS_MAX && c->args[c->args_len] == '\0');
    ASSERT(strlen(c->args) == c->args_len);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_llm_reply_init(&reply);
  const char *p = (const char *)data, *end = p + size;
  while (p <= end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    memcpy(&before, &reply, sizeof reply);
    const char *delta;
    size_t dl;
    int rc = pa_llm_chunk(&reply, p, len, &delta, &dl);
    sane(&reply);
    if (rc == PA_LLM_OK) {
      ASSERT(!before.done); /* nothing is taken after [DONE] */
      ASSERT(reply.answer_len == before.answer_len + dl);
      ASSERT(delta == reply.answer + before.answer_len);
      ASSERT(memcmp(reply.answer, before.answer, before.answer_len) == 0);
      ASSERT(reply.ncalls >= before.ncalls);
    } else {
      ASSERT(rc == PA_LLM_EBAD || rc == PA_LLM_ETOOBIG);
      ASSERT(dl == 0);
      same(&reply, &before);
    }
    if (!nl) break;
    p = nl + 1;
  }
  int coherent = pa_llm_reply_check(&reply) == PA_LLM_OK;
  for (int i = 0; i < reply.ncalls; i++) {
    cJSON *a = pa_llm_tool_args(&reply.calls[i]);
    ASSERT(!a || cJSON_IsObject(a));
    if (coherent) ASSERT(a != NULL);
    cJSON_Delete(a);
  }
  /* The message sent back for a second round carries every call. */
  cJSON *m = pa_llm_reply_message(&reply);
  if (m) {
    const cJSON *calls = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
    ASSERT(cJSON_GetArraySize(calls) == reply.ncalls);
    cJSON_Delete(m);
  }
  ASSERT(strcmp(pa_llm_finish_name(reply.finish), "") != 0);
  return 0;
}
