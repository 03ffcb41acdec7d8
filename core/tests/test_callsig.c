/* Call signalling payloads (pa_callsig.h): every op's shape, canonical
 * re-encoding, and each limit at its edge (last accepted, first refused). */
#include "pa/pa_callsig.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID   "0123456789abcdef0123456789abcdef"
#define HEAD "{\"v\":2,\"kind\":\"call\",\"call\":\"" ID "\","

static char out[PA_CALLSIG_OUTPUT_MAX];

static pa_status parse(const char *json, size_t *n, pa_callsig_op *op) {
  pa_error e;
  pa_status st = pa_callsig_parse(json, strlen(json), out, sizeof out, n, op, &e);
  if (st != PA_OK && !e.msg[0]) return (pa_status)-1; /* a refusal always says why */
  return st;
}

/* json parses, and its canonical form is exactly itself. */
static int canonical(const char *json) {
  size_t n = 0;
  return parse(json, &n, NULL) == PA_OK && n == strlen(json) && memcmp(out, json, n) == 0;
}

static void test_every_op_shape(void) {
  CHECK(canonical(
      HEAD "\"op\":\"offer\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\n\",\"video\":true}"));
  CHECK(canonical(HEAD "\"op\":\"answer\",\"sdp\":\"v=0\\r\\n\"}"));
  CHECK(canonical(HEAD "\"op\":\"answer\",\"sdp\":\"v=0\\r\\n\",\"video\":false}"));
  CHECK(canonical(
      HEAD
      "\"op\":\"ice\",\"candidates\":[\"candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host\"]}"));
  const char *bare[] = {"end", "decline", "busy", "accepted_elsewhere"};
  for (int i = 0; i < 4; i++) {
    char j[256];
    snprintf(j, sizeof j, HEAD "\"op\":\"%s\"}", bare[i]);
    pa_callsig_op op = 0;
    size_t n;
    CHECK(canonical(j));
    CHECK(parse(j, &n, &op) == PA_OK && (int)op == (int)PA_CALLSIG_END + i);
    CHECK(strcmp(pa_callsig_op_name(op), bare[i]) == 0);
  }
  size_t n;
  /* What each op must not carry, or must. */
  CHECK(parse(HEAD "\"op\":\"offer\",\"sdp\":\"v=0\"}", &n, NULL) == PA_ERR_SCHEMA); /* no video */
  CHECK(parse(HEAD "\"op\":\"offer\",\"video\":true}", &n, NULL) == PA_ERR_SCHEMA);  /* no sdp */
  CHECK(parse(HEAD "\"op\":\"end\",\"sdp\":\"v=0\"}", &n, NULL) == PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"end\",\"video\":true}", &n, NULL) == PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"ice\"}", &n, NULL) == PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"ice\",\"candidates\":[]}", &n, NULL) == PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"answer\",\"sdp\":\"v=0\",\"candidates\":[\"candidate:x\"]}", &n,
              NULL) == PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"ring\"}", &n, NULL) == PA_ERR_SCHEMA);
}

static void test_refusals(void) {
  size_t n;
  CHECK(parse("", &n, NULL) == PA_ERR_TRUNCATED);
  CHECK(parse("{\"v\":2", &n, NULL) == PA_ERR_TRUNCATED);
  CHECK(parse("[]", &n, NULL) == PA_ERR_SCHEMA);
  CHECK(parse("hello", &n, NULL) == PA_ERR_SYNTAX);
  CHECK(parse("{\"v\":1,\"kind\":\"call\",\"call\":\"" ID "\",\"op\":\"end\"}", &n, NULL) ==
        PA_ERR_UNSUPPORTED);
  CHECK(parse("{\"v\":2,\"kind\":\"group\",\"call\":\"" ID "\",\"op\":\"end\"}", &n, NULL) ==
        PA_ERR_UNSUPPORTED);
  CHECK(parse(HEAD "\"op\":\"end\",\"extra\":1}", &n, NULL) == PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"end\",\"op\":\"end\"}", &n, NULL) == PA_ERR_SCHEMA); /* repeated */
  CHECK(parse("{\"v\":2,\"kind\":\"call\",\"call\":\"0123456789ABCDEF0123456789abcdef\",\"op\":"
              "\"end\"}",
              &n, NULL) == PA_ERR_SCHEMA); /* uppercase id */
  CHECK(parse("{\"v\":2,\"kind\":\"call\",\"call\":\"0123\",\"op\":\"end\"}", &n, NULL) ==
        PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"answer\",\"sdp\":\"x=0\"}", &n, NULL) == PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"answer\",\"sdp\":\"v=0\\t\"}", &n, NULL) == PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"answer\",\"sdp\":\"v=0\\u00e9\"}", &n, NULL) == PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"ice\",\"candidates\":[\"a=candidate:1\"]}", &n, NULL) ==
        PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"ice\",\"candidates\":[1]}", &n, NULL) == PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"offer\",\"sdp\":\"v=0\",\"video\":1}", &n, NULL) == PA_ERR_SCHEMA);
  CHECK(parse(HEAD "\"op\":\"end\"} x", &n, NULL) == PA_ERR_SYNTAX);
  /* Escapes are read, and the canonical form writes them its own way. */
  CHECK(parse(HEAD "\"op\":\"answer\",\"sdp\":\"\\u0076=0\\r\\n\"}", &n, NULL) == PA_OK);
  CHECK(n == strlen(HEAD "\"op\":\"answer\",\"sdp\":\"v=0\\r\\n\"}"));
  CHECK(parse(" {\"op\":\"end\",\"call\":\"" ID "\",\"kind\":\"call\",\"v\":2}", &n, NULL) ==
        PA_OK);
  CHECK(n == strlen(HEAD "\"op\":\"end\"}") && memcmp(out, HEAD "\"op\":\"end\"}", n) == 0);
}

/* An answer whose SDP has exactly len bytes. */
static char *answer_with_sdp(size_t len) {
  char *j = malloc(len + 256);
  size_t at = (size_t)sprintf(j, HEAD "\"op\":\"answer\",\"sdp\":\"v=0");
  for (size_t i = 3; i < len; i++) j[at++] = 'a';
  strcpy(j + at, "\"}");
  return j;
}

static char *ice_with(int count, size_t len) {
  char *j = malloc((size_t)count * (len + 3) + 256);
  size_t at = (size_t)sprintf(j, HEAD "\"op\":\"ice\",\"candidates\":[");
  for (int c = 0; c < count; c++) {
    at += (size_t)sprintf(j + at, "%s\"candidate:", c ? "," : "");
    for (size_t i = 10; i < len; i++) j[at++] = 'x';
    j[at++] = '"';
  }
  strcpy(j + at, "]}");
  return j;
}

static void test_limits_at_their_edges(void) {
  size_t n;
  char *j = answer_with_sdp(PA_CALLSIG_SDP_MAX);
  CHECK(canonical(j));
  free(j);
  j = answer_with_sdp(PA_CALLSIG_SDP_MAX + 1);
  CHECK(parse(j, &n, NULL) == PA_ERR_TOO_LARGE);
  free(j);
  j = ice_with(PA_CALLSIG_MAX_CANDIDATES, PA_CALLSIG_CANDIDATE_MAX);
  CHECK(canonical(j));
  free(j);
  j = ice_with(PA_CALLSIG_MAX_CANDIDATES + 1, 20);
  CHECK(parse(j, &n, NULL) == PA_ERR_TOO_LARGE);
  free(j);
  j = ice_with(1, PA_CALLSIG_CANDIDATE_MAX + 1);
  CHECK(parse(j, &n, NULL) == PA_ERR_TOO_LARGE);
  free(j);
  /* The worst case of every field at its limit, escapes doubling the SDP, fits the output. */
  pa_callsig s = {.call = ID, .op = PA_CALLSIG_ANSWER, .video = 1};
  char *sdp = malloc(PA_CALLSIG_SDP_MAX);
  memcpy(sdp, "v=0", 3);
  memset(sdp + 3, '\n', PA_CALLSIG_SDP_MAX - 3);
  s.sdp = sdp;
  s.sdp_len = PA_CALLSIG_SDP_MAX;
  pa_error e;
  CHECK(pa_callsig_encode(&s, out, sizeof out, &n, &e) == PA_OK);
  char *again = malloc(n);
  memcpy(again, out, n);
  size_t m;
  CHECK(pa_callsig_parse(again, n, out, sizeof out, &m, NULL, &e) == PA_OK && m == n);
  CHECK(n <= PA_CALLSIG_INPUT_MAX);
  free(again);
  free(sdp);
  /* Over the input cap is refused before parsing. */
  char *big = malloc(PA_CALLSIG_INPUT_MAX + 1);
  memset(big, ' ', PA_CALLSIG_INPUT_MAX + 1);
  CHECK(pa_callsig_parse(big, PA_CALLSIG_INPUT_MAX + 1, out, sizeof out, &m, NULL, &e) ==
        PA_ERR_TOO_LARGE);
  free(big);
  /* A too-small output buffer is refused, not overrun. */
  char small[40];
  CHECK(pa_callsig_parse(HEAD "\"op\":\"end\"}", strlen(HEAD "\"op\":\"end\"}"), small,
                         sizeof small, &m, NULL, &e) == PA_ERR_TOO_LARGE);
}

int main(void) {
  RUN(test_every_op_shape);
  RUN(test_refusals);
  RUN(test_limits_at_their_edges);
  return pa_test_summary("callsig");
}
