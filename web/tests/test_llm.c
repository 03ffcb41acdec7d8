/* The LLM client's parsers (web/src/llm/): the SSE reader at every split of
 * the same bytes, its line endings, comments, BOM and caps at their edges;
 * the event writer; the chunk parser's content, tool calls by index, finish
 * reasons, [DONE] and caps at their edges; tool arguments as an object. */
#include "llm/chunk.h"
#include "llm/sse.h"
#include "pa_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SSE */

typedef struct events {
  char text[65536]; /* "name=data|" per event */
  size_t len;
  int count, stop_at; /* stop_at > 0: the callback stops at that event */
} events;

static int collect(void *ctx, const char *event, const char *data, size_t len) {
  events *e = ctx;
  CHECK(strlen(data) == len); /* NUL-terminated, no NUL inside for these inputs */
  int n = snprintf(e->text + e->len, sizeof e->text - e->len, "%s=%.*s|", event, (int)len, data);
  if (n > 0) e->len += (size_t)n;
  e->count++;
  return e->stop_at && e->count == e->stop_at;
}

static pa_sse_reader reader;

static int feed_split(const char *in, size_t len, size_t cut, events *e) {
  pa_sse_init(&reader);
  memset(e, 0, sizeof *e);
  int rc = pa_sse_feed(&reader, in, cut, collect, e);
  if (rc) return rc;
  return pa_sse_feed(&reader, in + cut, len - cut, collect, e);
}

static int feed_bytes(const char *in, size_t len, events *e) {
  pa_sse_init(&reader);
  memset(e, 0, sizeof *e);
  for (size_t i = 0; i < len; i++) {
    int rc = pa_sse_feed(&reader, in + i, 1, collect, e);
    if (rc) return rc;
  }
  return PA_SSE_OK;
}

static void sse_any_split_same_events(void) {
  static const char in[] = "\xef\xbb\xbf: a comment\r\n"
                           "data: one\r\n\r\n"
                           "event: token\n"
                           "data: {\"t\":\"a\"}\n\n"
                           "data:two\rdata:  lines\r\r"
                           "id: 7\nretry: 10\nunknown: x\nnocolon\ndata\n\n"
                           "event: only-name\n\n"
                           "data: unterminated";
  const char *want = "message=one|token={\"t\":\"a\"}|message=two\n lines|message=|";
  events e;
  size_t len = sizeof in - 1;
  for (size_t cut = 0; cut <= len; cut++) {
    CHECK(feed_split(in, len, cut, &e) == PA_SSE_OK);
    CHECK(strcmp(e.text, want) == 0);
    if (strcmp(e.text, want) != 0) fprintf(stderr, "cut %zu: %s\n", cut, e.text);
  }
  CHECK(feed_bytes(in, len, &e) == PA_SSE_OK);
  CHECK(strcmp(e.text, want) == 0);
}

static void sse_bom_only_at_start(void) {
  events e;
  /* A BOM later is text; a partial BOM at the start is text too. */
  CHECK(feed_bytes("data: x\n\n\xef\xbb\xbf"
                   "data: y\n\n",
                   21, &e) == PA_SSE_OK);
  CHECK(strcmp(e.text, "message=x|") == 0); /* the field name is "\xef\xbb\xbf" "data": unknown */
  CHECK(feed_bytes("\xef"
                   "data: z\n\n",
                   10, &e) == PA_SSE_OK);
  CHECK(e.count == 0); /* "\xef" "data" is not "data" */
}

static void sse_crlf_split_between_cr_and_lf(void) {
  events e;
  /* CR at the end of one feed, LF at the start of the next: one line end. */
  pa_sse_init(&reader);
  memset(&e, 0, sizeof e);
  CHECK(pa_sse_feed(&reader, "data: a\r", 8, collect, &e) == PA_SSE_OK);
  CHECK(pa_sse_feed(&reader, "\n\r", 2, collect, &e) == PA_SSE_OK);
  CHECK(pa_sse_feed(&reader, "\n", 1, collect, &e) == PA_SSE_OK);
  CHECK(strcmp(e.text, "message=a|") == 0);
  /* LF CR: two line ends, an event. */
  CHECK(feed_bytes("data: b\n\r", 9, &e) == PA_SSE_OK);
  CHECK(strcmp(e.text, "message=b|") == 0);
}

static void sse_event_max_edge(void) {
  static char in[PA_SSE_EVENT_MAX * 2 + 64];
  events *e = malloc(sizeof *e);
  /* One data line of exactly PA_SSE_EVENT_MAX bytes: allowed. */
  size_t n = (size_t)sprintf(in, "data: ");
  memset(in + n, 'd', PA_SSE_EVENT_MAX);
  n += PA_SSE_EVENT_MAX;
  memcpy(in + n, "\n\n", 2);
  CHECK(feed_split(in, n + 2, 100, e) == PA_SSE_OK);
  CHECK(e->count == 1 && e->len == 8 + PA_SSE_EVENT_MAX + 1);
  /* One more byte: refused, and the reader stays spent. */
  n = (size_t)sprintf(in, "data:");
  memset(in + n, 'd', PA_SSE_EVENT_MAX + 1);
  n += PA_SSE_EVENT_MAX + 1;
  memcpy(in + n, "\n\n", 2);
  CHECK(feed_split(in, n + 2, 7, e) == PA_SSE_ETOOBIG);
  CHECK(e->count == 0);
  CHECK(pa_sse_feed(&reader, "data: x\n\n", 9, collect, e) == PA_SSE_ETOOBIG);
  /* Joined lines count with their LF: two halves of MAX/2 bytes fill MAX - 0
   * only with the LF, so MAX/2 + MAX/2 - 1 + LF is the last allowed. */
  size_t half = PA_SSE_EVENT_MAX / 2;
  n = (size_t)sprintf(in, "data:");
  memset(in + n, 'a', half);
  n += half;
  n += (size_t)sprintf(in + n, "\ndata:");
  memset(in + n, 'b', half - 1);
  n += half - 1;
  memcpy(in + n, "\n\n", 2);
  CHECK(feed_split(in, n + 2, 3, e) == PA_SSE_OK && e->count == 1);
  in[n] = 'b'; /* one more byte in the second line */
  memcpy(in + n + 1, "\n\n", 2);
  CHECK(feed_split(in, n + 3, 3, e) == PA_SSE_ETOOBIG);
  /* A comment line longer than any event: refused too (a line is bounded). */
  in[0] = ':';
  memset(in + 1, 'c', PA_SSE_EVENT_MAX + PA_SSE_FIELD_SLACK);
  CHECK(feed_split(in, PA_SSE_EVENT_MAX + PA_SSE_FIELD_SLACK, 1, e) == PA_SSE_OK);
  CHECK(feed_split(in, PA_SSE_EVENT_MAX + PA_SSE_FIELD_SLACK + 1, 1, e) == PA_SSE_ETOOBIG);
  free(e);
}

static void sse_name_max_edge(void) {
  char in[256];
  events e;
  int n = sprintf(in, "event: %0*d\ndata: x\n\n", PA_SSE_NAME_MAX, 0);
  CHECK(feed_bytes(in, (size_t)n, &e) == PA_SSE_OK && e.count == 1);
  n = sprintf(in, "event: %0*d\ndata: x\n\n", PA_SSE_NAME_MAX + 1, 0);
  CHECK(feed_bytes(in, (size_t)n, &e) == PA_SSE_ETOOBIG && e.count == 0);
}

static void sse_callback_stops(void) {
  events e;
  pa_sse_init(&reader);
  memset(&e, 0, sizeof e);
  e.stop_at = 1;
  CHECK(pa_sse_feed(&reader, "data: 1\n\ndata: 2\n\n", 18, collect, &e) == PA_SSE_ESTOP);
  CHECK(e.count == 1);
}

static void sse_writer(void) {
  char buf[64];
  size_t n = pa_sse_event(buf, sizeof buf, "token", "{\"t\":\"hi\"}");
  CHECK(n == strlen("event: token\ndata: {\"t\":\"hi\"}\n\n"));
  CHECK(strcmp(buf, "event: token\ndata: {\"t\":\"hi\"}\n\n") == 0);
  CHECK(pa_sse_event(buf, sizeof buf, NULL, "{}") == 10 && strcmp(buf, "data: {}\n\n") == 0);
  /* The exact fit (with its NUL) and one byte short. */
  CHECK(pa_sse_event(buf, 11, NULL, "{}") == 10);
  CHECK(pa_sse_event(buf, 10, NULL, "{}") == 0);
  CHECK(pa_sse_event(buf, sizeof buf, "to\nken", "{}") == 0);
  CHECK(pa_sse_event(buf, sizeof buf, "token", "{\n}") == 0);
  CHECK(pa_sse_event(buf, sizeof buf, "token", "{\r}") == 0);
  /* What the writer writes, the reader reads back. */
  events e;
  n = pa_sse_event(buf, sizeof buf, "done", "{\"text\":\"ok\"}");
  CHECK(feed_bytes(buf, n, &e) == PA_SSE_OK);
  CHECK(strcmp(e.text, "done={\"text\":\"ok\"}|") == 0);
}

/* ---- chunks */

static pa_llm_reply reply;

static int chunk(const char *json) {
  const char *d;
  size_t dl;
  return pa_llm_chunk(&reply, json, strlen(json), &d, &dl);
}

static void content_and_finish(void) {
  pa_llm_reply_init(&reply);
  const char *d;
  size_t dl;
  const char *c1 = "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null},"
                   "\"finish_reason\":null}]}";
  CHECK(pa_llm_chunk(&reply, c1, strlen(c1), &d, &dl) == PA_LLM_OK && dl == 0);
  const char *c2 = "{\"choices\":[{\"delta\":{\"content\":\"Hola \"}}]}";
  CHECK(pa_llm_chunk(&reply, c2, strlen(c2), &d, &dl) == PA_LLM_OK);
  CHECK(dl == 5 && memcmp(d, "Hola ", 5) == 0);
  const char *c3 = "{\"choices\":[{\"delta\":{\"content\":\"mundo [1]\"}}]}";
  CHECK(pa_llm_chunk(&reply, c3, strlen(c3), &d, &dl) == PA_LLM_OK && dl == 9);
  CHECK(chunk("{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}") == PA_LLM_OK);
  CHECK(chunk("{\"choices\":[],\"usage\":{\"total_tokens\":3}}") == PA_LLM_OK);
  CHECK(strcmp(reply.answer, "Hola mundo [1]") == 0);
  CHECK(reply.finish == PA_LLM_FINISH_STOP && !reply.done);
  CHECK(pa_llm_chunk(&reply, "[DONE]", 6, &d, &dl) == PA_LLM_OK && reply.done);
  CHECK(chunk("{\"choices\":[]}") == PA_LLM_EBAD); /* nothing after [DONE] */
  CHECK(pa_llm_reply_check(&reply) == PA_LLM_OK && reply.ncalls == 0);
  CHECK(strcmp(pa_llm_finish_name(PA_LLM_FINISH_LENGTH), "length") == 0);
  pa_llm_reply_init(&reply);
  CHECK(chunk("{\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}") == PA_LLM_OK);
  CHECK(reply.finish == PA_LLM_FINISH_LENGTH);
}

static void bad_chunks(void) {
  static const char *bad[] = {
      "",
      "[DONE] ",
      "null",
      "[]",
      "{}",
      "{\"choices\":{}}",
      "{\"choices\":[1]}",
      "{\"choices\":[{\"delta\":[]}]}",
      "{\"choices\":[{\"delta\":{\"content\":1}}]}",
      "{\"choices\":[{\"finish_reason\":\"eaten\"}]}",
      "{\"choices\":[{\"finish_reason\":7}]}",
      "{\"choices\":[{\"delta\":{\"tool_calls\":{}}}]}",
      "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{}}]}}]}",
      "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":-1}]}}]}",
      "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0.5}]}}]}",
      "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":\"0\"}]}}]}",
      "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"type\":\"code\"}]}}]}",
      "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":[]}]}}]}",
      "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":{}}}]}}]"
      "}",
      "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]} trailing",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    pa_llm_reply_init(&reply);
    int rc = chunk(bad[i]);
    CHECK(rc == PA_LLM_EBAD);
    if (rc != PA_LLM_EBAD) fprintf(stderr, "accepted: %s\n", bad[i]);
    CHECK(reply.answer_len == 0);
  }
}

static void refused_chunk_changes_nothing(void) {
  pa_llm_reply_init(&reply);
  CHECK(chunk("{\"choices\":[{\"delta\":{\"content\":\"kept\",\"tool_calls\":[{\"index\":0,"
              "\"id\":\"call_1\",\"function\":{\"name\":\"my_plan\",\"arguments\":\"{\"}}]}}]}") ==
        PA_LLM_OK);
  /* Content, an id, a name and arguments, then a bad second call: all taken back. */
  CHECK(chunk("{\"choices\":[{\"delta\":{\"content\":\" lost\",\"tool_calls\":[{\"index\":0,"
              "\"id\":\"call_x\",\"function\":{\"name\":\"x\",\"arguments\":\"}\"}},{\"index\":"
              "9}]},\"finish_reason\":\"stop\"}]}") == PA_LLM_ETOOBIG);
  CHECK(strcmp(reply.answer, "kept") == 0 && reply.answer_len == 4);
  CHECK(strcmp(reply.calls[0].id, "call_1") == 0 && strcmp(reply.calls[0].name, "my_plan") == 0);
  CHECK(strcmp(reply.calls[0].args, "{") == 0 && reply.calls[0].args_len == 1);
  CHECK(reply.ncalls == 1 && reply.finish == PA_LLM_FINISH_NONE);
}

static void tool_calls_accumulate(void) {
  pa_llm_reply_init(&reply);
  CHECK(chunk("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":"
              "\"function\",\"function\":{\"name\":\"order_status\",\"arguments\":\"\"}}]}}]}") ==
        PA_LLM_OK);
  static const char *pieces[] = {"{\\\"ord", "er_id\\\"", ":\\\"ord_", "12\\\"}"};
  char buf[256];
  for (int i = 0; i < 4; i++) {
    snprintf(buf, sizeof buf,
             "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
             "\"%s\"}}]}}]}",
             pieces[i]);
    CHECK(chunk(buf) == PA_LLM_OK);
  }
  /* A second call, its name repeated in a later piece (llama.cpp does). */
  CHECK(
      chunk("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_2\",\"function\":"
            "{\"name\":\"my_plan\"}}]}}]}") == PA_LLM_OK);
  CHECK(
      chunk("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_2\",\"function\":"
            "{\"name\":\"my_plan\",\"arguments\":\"\"}}]},\"finish_reason\":\"tool_calls\"}]}") ==
      PA_LLM_OK);
  CHECK(reply.ncalls == 2 && reply.finish == PA_LLM_FINISH_TOOL_CALLS);
  CHECK(strcmp(reply.calls[0].id, "call_1") == 0 &&
        strcmp(reply.calls[0].name, "order_status") == 0);
  CHECK(strcmp(reply.calls[0].args, "{\"order_id\":\"ord_12\"}") == 0);
  CHECK(strcmp(reply.calls[1].name, "my_plan") == 0 && reply.calls[1].args_len == 0);
  CHECK(pa_llm_reply_check(&reply) == PA_LLM_OK);
  cJSON *a = pa_llm_tool_args(&reply.calls[0]);
  CHECK(cJSON_IsObject(a) &&
        strcmp(cJSON_GetObjectItemCaseSensitive(a, "order_id")->valuestring, "ord_12") == 0);
  cJSON_Delete(a);
  a = pa_llm_tool_args(&reply.calls[1]); /* empty arguments are {} */
  CHECK(cJSON_IsObject(a) && cJSON_GetArraySize(a) == 0);
  cJSON_Delete(a);
  /* A call with no name, or arguments that are not an object: incoherent. */
  pa_llm_reply_init(&reply);
  CHECK(chunk("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"name\":"
              "\"my_plan\"}}]}}]}") == PA_LLM_OK);
  CHECK(pa_llm_reply_check(&reply) == PA_LLM_EBAD); /* index 0 never named */
  static const char *not_objects[] = {"[]", "1", "\"x\"", "{\"a\":1} {}", "{", "null"};
  for (size_t i = 0; i < sizeof not_objects / sizeof not_objects[0]; i++) {
    pa_llm_tool_call c = {.name = "my_plan"};
    strcpy(c.args, not_objects[i]);
    c.args_len = strlen(c.args);
    CHECK(pa_llm_tool_args(&c) == NULL);
  }
  pa_llm_reply_init(&reply);
  CHECK(chunk("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":"
              "\"rm -rf\"}}]}}]}") == PA_LLM_OK);
  CHECK(pa_llm_reply_check(&reply) == PA_LLM_EBAD); /* not a function name */
}

static void tool_calls_max_edge(void) {
  char buf[256];
  pa_llm_reply_init(&reply);
  snprintf(buf, sizeof buf,
           "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":%d,\"function\":{\"name\":\"a\"}}]"
           "}}]}",
           PA_LLM_TOOL_CALLS_MAX - 1);
  CHECK(chunk(buf) == PA_LLM_OK && reply.ncalls == PA_LLM_TOOL_CALLS_MAX);
  snprintf(buf, sizeof buf,
           "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":%d,\"function\":{\"name\":\"a\"}}]"
           "}}]}",
           PA_LLM_TOOL_CALLS_MAX);
  CHECK(chunk(buf) == PA_LLM_ETOOBIG && reply.ncalls == PA_LLM_TOOL_CALLS_MAX);
  CHECK(chunk("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1e300}]}}]}") ==
        PA_LLM_ETOOBIG);
}

/* A chunk carrying n bytes of s in a field: content, arguments, name or id. */
static char *big_chunk(const char *fmt, size_t n) {
  char *val = malloc(n + 1);
  memset(val, 'x', n);
  val[n] = '\0';
  char *out = malloc(n + 256);
  sprintf(out, fmt, val);
  free(val);
  return out;
}

static void field_caps_edges(void) {
  static const struct {
    const char *fmt;
    size_t max;
  } caps[] = {
      {"{\"choices\":[{\"delta\":{\"content\":\"%s\"}}]}", PA_LLM_ANSWER_MAX},
      {"{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"%s\"}}"
       "]"
       "}}]}",
       PA_LLM_TOOL_ARGS_MAX},
      {"{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"%s\"}}]}}]"
       "}",
       PA_LLM_TOOL_NAME_MAX},
      {"{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"%s\"}]}}]}",
       PA_LLM_TOOL_ID_MAX},
  };
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
    /* The cap reached in two pieces: allowed; one byte more: refused. */
    pa_llm_reply_init(&reply);
    char *a = big_chunk(caps[i].fmt, caps[i].max - 1), *b = big_chunk(caps[i].fmt, 1);
    int whole = i >= 2; /* a name or an id comes whole: one piece */
    if (whole) {
      free(a);
      a = big_chunk(caps[i].fmt, caps[i].max);
      CHECK(chunk(a) == PA_LLM_OK);
      pa_llm_reply_init(&reply);
      free(a);
      a = big_chunk(caps[i].fmt, caps[i].max + 1);
      CHECK(chunk(a) == PA_LLM_ETOOBIG);
    } else {
      CHECK(chunk(a) == PA_LLM_OK);
      CHECK(chunk(b) == PA_LLM_OK);
      CHECK(chunk(b) == PA_LLM_ETOOBIG);
    }
    free(a);
    free(b);
  }
  CHECK(reply.answer_len == 0);
  pa_llm_reply_init(&reply);
  char *a = big_chunk(caps[0].fmt, PA_LLM_ANSWER_MAX);
  CHECK(chunk(a) == PA_LLM_OK && reply.answer_len == PA_LLM_ANSWER_MAX);
  CHECK(chunk("{\"choices\":[{\"delta\":{\"content\":\"y\"}}]}") == PA_LLM_ETOOBIG);
  CHECK(reply.answer_len == PA_LLM_ANSWER_MAX); /* what came before stays, nothing is cut */
  free(a);
}

int main(void) {
  RUN(sse_any_split_same_events);
  RUN(sse_bom_only_at_start);
  RUN(sse_crlf_split_between_cr_and_lf);
  RUN(sse_event_max_edge);
  RUN(sse_name_max_edge);
  RUN(sse_callback_stops);
  RUN(sse_writer);
  RUN(content_and_finish);
  RUN(bad_chunks);
  RUN(refused_chunk_changes_nothing);
  RUN(tool_calls_accumulate);
  RUN(tool_calls_max_edge);
  RUN(field_caps_edges);
  return pa_test_summary("web.llm");
}
