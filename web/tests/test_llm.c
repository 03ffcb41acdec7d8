/* The LLM client's parsers (web/src/llm/): the SSE reader at every split of
 * the same bytes, its line endings, comments, BOM and caps at their edges;
 * the event writer; the chunk parser's content, tool calls by index, finish
 * reasons, [DONE] and caps at their edges; tool arguments as an object. */
#include "llm/chunk.h"
#include "llm/client.h"
#include "llm/sse.h"
#include "pa_test.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
  /* The assistant message for the second round names both calls. */
  cJSON *m = pa_llm_reply_message(&reply);
  char *text = cJSON_PrintUnformatted(m);
  CHECK(strcmp(text,
               "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
               "\"type\":\"function\",\"function\":{\"name\":\"order_status\",\"arguments\":"
               "\"{\\\"order_id\\\":\\\"ord_12\\\"}\"}},{\"id\":\"call_2\",\"type\":\"function\","
               "\"function\":{\"name\":\"my_plan\",\"arguments\":\"{}\"}}]}") == 0);
  cJSON_free(text);
  cJSON_Delete(m);
  reply.calls[1].id[0] = '\0'; /* no id from the server: one of ours */
  char id[PA_LLM_TOOL_ID_MAX + 1];
  pa_llm_tool_call_id(&reply, 1, id);
  CHECK(strcmp(id, "call_pa_1") == 0); /* not to be taken for the server's call_1 */
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

/* ---- the client's sink: a one-connection endpoint on a loopback port that
 * answers the head and one chunk, then holds the connection open (a model
 * that stalls), and keeps the request it read. */

typedef struct endpoint {
  const char *answer; /* what it writes after reading the request (NULL: the default) */
  int listen_fd, port;
  char request[8192];
  size_t request_len;
  pthread_t thread;
} endpoint;

static void *endpoint_run(void *arg) {
  endpoint *e = arg;
  int fd = accept(e->listen_fd, NULL, NULL);
  if (fd < 0) return NULL;
  /* The head and a body of Content-Length bytes. */
  for (;;) {
    ssize_t n = read(fd, e->request + e->request_len, sizeof e->request - 1 - e->request_len);
    if (n <= 0) break;
    e->request_len += (size_t)n;
    e->request[e->request_len] = '\0';
    char *end = strstr(e->request, "\r\n\r\n"), *cl = strstr(e->request, "Content-Length: ");
    if (end && cl && e->request_len >= (size_t)(end + 4 - e->request) + strtoul(cl + 16, NULL, 10))
      break;
  }
  static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
                               ": llama.cpp sends no comments, others do\n\n"
                               "data: {\"choices\":[{\"delta\":{\"content\":\"Hola\"}}]}\n\n";
  const char *out = e->answer ? e->answer : answer;
  if (write(fd, out, strlen(out)) < 0) {
  }
  char sink[256];
  while (read(fd, sink, sizeof sink) > 0) { /* until the client hangs up */
  }
  close(fd);
  return NULL;
}

static void endpoint_start(endpoint *e, const char *answer) {
  memset(e, 0, sizeof *e);
  e->answer = answer;
  e->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  CHECK(bind(e->listen_fd, (struct sockaddr *)&a, sizeof a) == 0);
  socklen_t al = sizeof a;
  getsockname(e->listen_fd, (struct sockaddr *)&a, &al);
  e->port = ntohs(a.sin_port);
  CHECK(listen(e->listen_fd, 1) == 0);
  pthread_create(&e->thread, NULL, endpoint_run, e);
}

static void endpoint_stop(endpoint *e) {
  pthread_join(e->thread, NULL);
  close(e->listen_fd);
}

typedef struct watcher {
  int tokens, alive_calls, alive_until, stop_token;
  char got[64];
} watcher;

static int w_token(void *ctx, const char *text, size_t len) {
  watcher *w = ctx;
  w->tokens++;
  snprintf(w->got + strlen(w->got), sizeof w->got - strlen(w->got), "%.*s", (int)len, text);
  return w->stop_token;
}

static int w_alive(void *ctx) {
  watcher *w = ctx;
  /* Alive until the first token and then a few more polls. */
  return !w->tokens || ++w->alive_calls < w->alive_until;
}

static void client_stops_when_not_alive(void) {
  static const struct {
    int stop_token; /* the token callback says stop instead */
  } cases[] = {{0}, {1}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    endpoint e;
    endpoint_start(&e, NULL);
    pa_llm_config cfg = {.first_byte_ms = 60000, .total_ms = 60000};
    snprintf(cfg.url, sizeof cfg.url, "http://127.0.0.1:%d", e.port);
    strcpy(cfg.model, "m-test");
    strcpy(cfg.key, "k-test");
    pa_llm_sink *sink = calloc(1, sizeof *sink);
    watcher w = {.alive_until = 3, .stop_token = cases[i].stop_token};
    sink->ctx = &w;
    sink->token = w_token;
    sink->alive = w_alive;
    /* The stalled answer ends only by alive() or the token's stop: never by
     * a deadline (a minute away). */
    int rc = pa_llm_chat(&cfg,
                         "{\"messages\":[{\"role\":\"user\",\"content\":\"hola\"}],"
                         "\"stream\":false}",
                         sink, 0);
    CHECK(rc == PA_LLM_EGONE);
    CHECK(w.tokens == 1 && strcmp(w.got, "Hola") == 0);
    CHECK(strcmp(sink->reply.answer, "Hola") == 0);
    if (!cases[i].stop_token) CHECK(w.alive_calls == 3);
    endpoint_stop(&e);
    /* What was sent: the path, the key as a bearer token, stream forced on,
     * the model added. */
    CHECK_CONTAINS(e.request, "POST /v1/chat/completions HTTP/1.1\r\n");
    CHECK_CONTAINS(e.request, "Authorization: Bearer k-test\r\n");
    CHECK_CONTAINS(e.request, "Accept: text/event-stream\r\n");
    CHECK_CONTAINS(e.request, "\"stream\":true");
    CHECK_CONTAINS(e.request, "\"model\":\"m-test\"");
    CHECK(strstr(e.request, "\"stream\":false") == NULL);
    free(sink);
  }
}

static int alive_polls(void *ctx) {
  int *polls = ctx;
  return ++*polls < 200; /* some 10 s of polls: far past the deadline under test */
}

/* The first-byte deadline on its own (the total a minute away): a head and no
 * body, then one byte of body and nothing more. alive() would end either
 * with PA_LLM_EGONE if the deadline did not. */
static void client_first_byte_deadline(void) {
  static const char *answers[] = {"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n",
                                  "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n:"};
  for (int i = 0; i < 2; i++) {
    endpoint e;
    endpoint_start(&e, answers[i]);
    pa_llm_config cfg = {.first_byte_ms = 200, .total_ms = 60000};
    snprintf(cfg.url, sizeof cfg.url, "http://127.0.0.1:%d", e.port);
    pa_llm_sink *sink = calloc(1, sizeof *sink);
    int polls = 0;
    sink->ctx = &polls;
    sink->alive = alive_polls;
    int64_t deadline = i == 0 ? 0 : pa_llm_now_ms() + 400; /* the second: the call's own deadline */
    CHECK(pa_llm_chat(&cfg, "{\"messages\":[]}", sink, deadline) == PA_LLM_ETIMEOUT);
    CHECK(polls < 200);
    endpoint_stop(&e);
    free(sink);
  }
}

static void client_refuses_bad_requests(void) {
  pa_llm_config cfg = {.url = "http://127.0.0.1:9", .first_byte_ms = 1000, .total_ms = 1000};
  pa_llm_sink *sink = calloc(1, sizeof *sink);
  CHECK(pa_llm_chat(&cfg, "[]", sink, 0) == PA_LLM_ECONFIG);
  CHECK(pa_llm_chat(&cfg, "{", sink, 0) == PA_LLM_ECONFIG);
  CHECK(pa_llm_chat(&cfg, NULL, sink, 0) == PA_LLM_ECONFIG);
  /* PA_LLM_REQUEST_MAX bytes of request: the last allowed (it reaches the
   * network: nobody listens on port 9), one more refused before any. */
  char *big = malloc(PA_LLM_REQUEST_MAX + 2);
  size_t head = (size_t)sprintf(big, "{\"messages\":[],\"pad\":\"");
  memset(big + head, 'p', PA_LLM_REQUEST_MAX - head - 2);
  strcpy(big + PA_LLM_REQUEST_MAX - 2, "\"}");
  CHECK(strlen(big) == PA_LLM_REQUEST_MAX);
  CHECK(pa_llm_chat(&cfg, big, sink, 0) == PA_LLM_EHTTP);
  memset(big + head, 'p', PA_LLM_REQUEST_MAX - head - 1);
  strcpy(big + PA_LLM_REQUEST_MAX - 1, "\"}");
  CHECK(pa_llm_chat(&cfg, big, sink, 0) == PA_LLM_ECONFIG);
  free(big);
  cfg.url[0] = '\0';
  CHECK(pa_llm_chat(&cfg, "{}", sink, 0) == PA_LLM_ECONFIG);
  free(sink);
}

static void config_from_env(void) {
  pa_llm_config cfg;
  char err[160];
  unsetenv("PA_LLM_URL");
  CHECK(pa_llm_config_env(&cfg, err, sizeof err) == 0);
  setenv("PA_LLM_URL", "http://127.0.0.1:8080/v1/", 1);
  setenv("PA_LLM_TIMEOUT_MS", "1500", 1);
  unsetenv("PA_LLM_MODEL");
  unsetenv("PA_LLM_KEY");
  CHECK(pa_llm_config_env(&cfg, err, sizeof err) == 1);
  CHECK(strcmp(cfg.url, "http://127.0.0.1:8080") == 0);
  CHECK(strcmp(cfg.model, PA_LLM_MODEL_DEFAULT) == 0 && cfg.key[0] == '\0');
  CHECK(cfg.first_byte_ms == 1500 && cfg.total_ms == 1500);
  setenv("PA_LLM_TIMEOUT_MS", "999999999", 1); /* only lowers */
  CHECK(pa_llm_config_env(&cfg, err, sizeof err) == 1);
  CHECK(cfg.first_byte_ms == PA_LLM_FIRST_BYTE_MS && cfg.total_ms == PA_LLM_TOTAL_MS);
  static const char *bad_timeouts[] = {"0", "-5", "1.5", "soon", "12 "};
  for (size_t i = 0; i < sizeof bad_timeouts / sizeof bad_timeouts[0]; i++) {
    setenv("PA_LLM_TIMEOUT_MS", bad_timeouts[i], 1);
    CHECK(pa_llm_config_env(&cfg, err, sizeof err) == -1);
  }
  unsetenv("PA_LLM_TIMEOUT_MS");
  static const char *bad_urls[] = {"ftp://x", "127.0.0.1:8080", "http://a b", "http://x\n"};
  for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
    setenv("PA_LLM_URL", bad_urls[i], 1);
    CHECK(pa_llm_config_env(&cfg, err, sizeof err) == -1);
  }
  /* PA_LLM_URL_MAX bytes: the last allowed, one more refused (and not echoed). */
  char url[PA_LLM_URL_MAX + 2];
  memset(url, 'h', sizeof url);
  memcpy(url, "http://", 7);
  url[PA_LLM_URL_MAX] = '\0';
  setenv("PA_LLM_URL", url, 1);
  CHECK(pa_llm_config_env(&cfg, err, sizeof err) == 1);
  url[PA_LLM_URL_MAX] = 'h';
  url[PA_LLM_URL_MAX + 1] = '\0';
  setenv("PA_LLM_URL", url, 1);
  CHECK(pa_llm_config_env(&cfg, err, sizeof err) == -1);
  CHECK(strstr(err, "hhhh") == NULL);
  setenv("PA_LLM_URL", "https://llm.example", 1);
  setenv("PA_LLM_KEY", "a\r\nX-Injected: 1", 1);
  CHECK(pa_llm_config_env(&cfg, err, sizeof err) == -1);
  CHECK(strstr(err, "Injected") == NULL);
  unsetenv("PA_LLM_KEY");
  unsetenv("PA_LLM_URL");
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
  RUN(client_stops_when_not_alive);
  RUN(client_first_byte_deadline);
  RUN(client_refuses_bad_requests);
  RUN(config_from_env);
  return pa_test_summary("web.llm");
}
