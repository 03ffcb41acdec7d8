/* pa_llm chunks — the OpenAI-compatible streaming answer, one SSE data
 * payload at a time: "chat.completion.chunk" JSON objects, then "[DONE]".
 *
 * Accumulates choices[0].delta.content into the answer and
 * choices[0].delta.tool_calls[] into tool calls by their index (id, type and
 * function.name come first, function.arguments in pieces), and records
 * choices[0].finish_reason. Strict: anything that is not such a chunk, a
 * tool-call index past PA_LLM_TOOL_CALLS_MAX, arguments past
 * PA_LLM_TOOL_ARGS_MAX or an answer past PA_LLM_ANSWER_MAX is refused, and
 * the reply says so; nothing is cut silently. */
#ifndef PA_LLM_CHUNK_H
#define PA_LLM_CHUNK_H

#include <stddef.h>

struct cJSON;

enum {
  PA_LLM_TOOL_CALLS_MAX = 4,   /* tool calls in one reply */
  PA_LLM_TOOL_ARGS_MAX = 2048, /* bytes of one call's arguments (JSON text) */
  PA_LLM_ANSWER_MAX = 8192,    /* bytes of the answer's text */
  PA_LLM_TOOL_NAME_MAX = 64,   /* bytes of a tool's name */
  PA_LLM_TOOL_ID_MAX = 64      /* bytes of a tool call's id */
};

enum {
  PA_LLM_OK = 0,
  PA_LLM_ETIMEOUT = -1, /* no first byte, or not done, by the deadline */
  PA_LLM_EHTTP = -2,    /* no connection, or a status other than 200 */
  PA_LLM_EBAD = -3,     /* not the OpenAI streaming format */
  PA_LLM_ETOOBIG = -4,  /* past a cap above (or PA_SSE_EVENT_MAX) */
  PA_LLM_EGONE = -5,    /* the sink said it is no longer alive */
  PA_LLM_ECONFIG = -6,  /* no usable configuration or request */
  PA_LLM_ENOMEM = -7
};

typedef enum {
  PA_LLM_FINISH_NONE = 0, /* not said (yet) */
  PA_LLM_FINISH_STOP,
  PA_LLM_FINISH_TOOL_CALLS,
  PA_LLM_FINISH_LENGTH
} pa_llm_finish;

typedef struct pa_llm_tool_call {
  char id[PA_LLM_TOOL_ID_MAX + 1];     /* "" when the server gave none */
  char name[PA_LLM_TOOL_NAME_MAX + 1]; /* the function's name */
  char args[PA_LLM_TOOL_ARGS_MAX + 1]; /* its arguments, JSON text as received */
  size_t args_len;
} pa_llm_tool_call;

typedef struct pa_llm_reply {
  char answer[PA_LLM_ANSWER_MAX + 1]; /* the content so far, NUL-terminated */
  size_t answer_len;
  pa_llm_tool_call calls[PA_LLM_TOOL_CALLS_MAX];
  int ncalls; /* 1 + the highest index seen */
  pa_llm_finish finish;
  int done; /* "[DONE]" was read */
} pa_llm_reply;

void pa_llm_reply_init(pa_llm_reply *r);

/* One SSE data payload (len bytes, need not be NUL-terminated). PA_LLM_OK
 * with the content it added at *delta, *delta_len bytes (inside r->answer; 0
 * when it added none), or PA_LLM_EBAD / PA_LLM_ETOOBIG (r is left as it was
 * before the chunk). "[DONE]" sets r->done; a chunk after it is PA_LLM_EBAD. */
int pa_llm_chunk(pa_llm_reply *r, const char *data, size_t len, const char **delta,
                 size_t *delta_len);

/* The reply is complete and coherent: every tool call up to ncalls has a
 * name and arguments that are a JSON object (empty arguments count as {}).
 * PA_LLM_OK or PA_LLM_EBAD. */
int pa_llm_reply_check(const pa_llm_reply *r);

/* Parses a call's arguments as a JSON object ("" is {}): the object (the
 * caller frees it with cJSON_Delete), or NULL when they are not one. */
struct cJSON *pa_llm_tool_args(const pa_llm_tool_call *c);

/* The assistant message to send back before the tool messages of a second
 * round: {"role":"assistant","content":<answer or null>,"tool_calls":[{"id",
 * "type":"function","function":{"name","arguments"}}]}; a call the server
 * gave no id gets "call_pa_<index>" (the tool message's tool_call_id must name
 * it: pa_llm_tool_call_id). NULL when out of memory; the caller frees it with
 * cJSON_Delete. */
struct cJSON *pa_llm_reply_message(const pa_llm_reply *r);
/* The id a call is known by in pa_llm_reply_message, into out (at least
 * PA_LLM_TOOL_ID_MAX + 1 bytes). */
void pa_llm_tool_call_id(const pa_llm_reply *r, int index, char *out);

const char *pa_llm_finish_name(pa_llm_finish f);
const char *pa_llm_errstr(int rc);

#endif
