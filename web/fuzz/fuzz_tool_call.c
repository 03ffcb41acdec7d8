/* libFuzzer target: tool calls arriving in pieces (web/src/llm/chunk.c). The
 * input is a sequence of pieces, each [index byte][length byte][bytes], made
 * into real chunk JSON (cJSON writes the arguments as a JSON string); then
 * the raw input as one call's arguments. Differential: each call's
 * arguments are exactly its pieces joined in order, unless a cap refused
 * one (then nothing of that piece is kept). Invariants: indices past
 * PA_LLM_TOOL_CALLS_MAX and arguments past PA_LLM_TOOL_ARGS_MAX are refused
 * with PA_LLM_ETOOBIG; arguments taken are a JSON object, and an object's
 * own printing is taken back as the same object. */
#include "fuzz_check.h"
#include "llm/chunk.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pa_llm_reply reply;
static char want[PA_LLM_TOOL_CALLS_MAX][PA_LLM_TOOL_ARGS_MAX + 1];
static size_t want_len[PA_LLM_TOOL_CALLS_MAX];

static int send_piece(int index, const char *args, int named) {
  cJSON *root = cJSON_CreateObject(), *choices = cJSON_AddArrayToObject(root, "choices");
  cJSON *choice = cJSON_CreateObject(), *delta = cJSON_AddObjectToObject(choice, "delta");
  cJSON *calls = cJSON_AddArrayToObject(delta, "tool_calls"), *tc = cJSON_CreateObject();
  cJSON_AddItemToArray(choices, choice);
  cJSON_AddNumberToObject(tc, "index", index);
  cJSON *fn = cJSON_AddObjectToObject(tc, "function");
  if (named) {
    cJSON_AddStringToObject(tc, "id", "call_f");
    cJSON_AddStringToObject(tc, "type", "function");
    cJSON_AddStringToObject(fn, "name", "order_status");
  }
  cJSON_AddStringToObject(fn, "arguments", args);
  cJSON_AddItemToArray(calls, tc);
  char *text = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  const char *d;
  size_t dl;
  int rc = text ? pa_llm_chunk(&reply, text, strlen(text), &d, &dl) : PA_LLM_ENOMEM;
  cJSON_free(text);
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_llm_reply_init(&reply);
  memset(want_len, 0, sizeof want_len);
  for (int i = 0; i < PA_LLM_TOOL_CALLS_MAX; i++) want[i][0] = '\0';
  int named[PA_LLM_TOOL_CALLS_MAX] = {0};
  size_t at = 0;
  while (at + 2 <= size) {
    int index = data[at] % (PA_LLM_TOOL_CALLS_MAX + 2);
    size_t len = data[at + 1];
    at += 2;
    if (len > size - at) len = size - at;
    char piece[256];
    memcpy(piece, data + at, len);
    piece[len] = '\0';
    at += len;
    int first = index < PA_LLM_TOOL_CALLS_MAX && !named[index];
    int rc = send_piece(index, piece, first);
    if (rc == PA_LLM_ENOMEM) return 0;
    if (index >= PA_LLM_TOOL_CALLS_MAX) {
      ASSERT(rc == PA_LLM_ETOOBIG);
      continue;
    }
    /* cJSON stops a string at a NUL: the piece is what precedes it. */
    size_t pl = strlen(piece);
    if (want_len[index] + pl > PA_LLM_TOOL_ARGS_MAX) {
      ASSERT(rc == PA_LLM_ETOOBIG);
      continue;
    }
    ASSERT(rc == PA_LLM_OK);
    named[index] = 1;
    memcpy(want[index] + want_len[index], piece, pl + 1);
    want_len[index] += pl;
  }
  for (int i = 0; i < PA_LLM_TOOL_CALLS_MAX; i++) {
    ASSERT(reply.calls[i].args_len == want_len[i]);
    ASSERT(strcmp(reply.calls[i].args, want[i]) == 0);
    cJSON *a = pa_llm_tool_args(&reply.calls[i]);
    ASSERT(!a || cJSON_IsObject(a));
    cJSON_Delete(a);
  }
  /* The raw input as arguments: an object or nothing; an object printed and
   * read again is the same object. */
  pa_llm_tool_call c = {.name = "my_plan"};
  size_t n = size < PA_LLM_TOOL_ARGS_MAX ? size : PA_LLM_TOOL_ARGS_MAX;
  memcpy(c.args, data, n);
  c.args[n] = '\0';
  c.args_len = strlen(c.args);
  cJSON *a = pa_llm_tool_args(&c);
  if (a) {
    ASSERT(cJSON_IsObject(a));
    char *printed = cJSON_PrintUnformatted(a);
    if (printed && strlen(printed) <= PA_LLM_TOOL_ARGS_MAX) {
      pa_llm_tool_call again = {.name = "my_plan"};
      strcpy(again.args, printed);
      again.args_len = strlen(printed);
      cJSON *b = pa_llm_tool_args(&again);
      ASSERT(b && cJSON_Compare(a, b, 1));
      cJSON_Delete(b);
    }
    cJSON_free(printed);
    cJSON_Delete(a);
  }
  return 0;
}
