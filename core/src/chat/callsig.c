/* pa_callsig — call signalling payloads (pa_callsig.h; chat.md, "Call
 * signalling"). Read with the strict-JSON toolkit (jv), then checked field
 * by field against the op's shape; the canonical encoder is the only writer,
 * so a payload that passes always re-encodes to the bytes it was sent as. */
#include "../feed/jv.h"
#include "pa/pa_callsig.h"

#include <string.h>

static const char *const op_names[] = {
    NULL, "offer", "answer", "ice", "end", "decline", "busy", "accepted_elsewhere",
};
enum { OP_COUNT = (int)(sizeof op_names / sizeof op_names[0]) };

const char *pa_callsig_op_name(pa_callsig_op op) {
  return op > 0 && (int)op < OP_COUNT ? op_names[op] : NULL;
}

/* Which optional fields each op takes: 0 never, 1 optional, 2 required. */
typedef struct shape {
  int sdp, candidates, video;
} shape;
static const shape shapes[] = {
    [PA_CALLSIG_OFFER] = {2, 0, 2},
    [PA_CALLSIG_ANSWER] = {2, 0, 1},
    [PA_CALLSIG_ICE] = {0, 2, 0},
    [PA_CALLSIG_END] = {0, 0, 0},
    [PA_CALLSIG_DECLINE] = {0, 0, 0},
    [PA_CALLSIG_BUSY] = {0, 0, 0},
    [PA_CALLSIG_ACCEPTED_ELSEWHERE] = {0, 0, 0},
};

static bool id_ok(const char *s) {
  if (strlen(s) != PA_CALLSIG_ID_CHARS) return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
  return true;
}

/* SDP (RFC 8866) is ASCII lines ending CRLF; anything else is not ours. */
static bool sdp_ok(const char *s, size_t n) {
  if (n < 3 || memcmp(s, "v=0", 3) != 0) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!(c >= 0x20 && c < 0x7f) && c != '\r' && c != '\n') return false;
  }
  return true;
}

static bool candidate_ok(const char *s, size_t n) {
  if (n < 10 || memcmp(s, "candidate:", 10) != 0) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!(c >= 0x20 && c < 0x7f)) return false;
  }
  return true;
}

static pa_status check(const pa_callsig *s, pa_error *err) {
  if (!pa_callsig_op_name(s->op)) return pa_error_set(err, PA_ERR_SCHEMA, "call: unknown op");
  const shape *h = &shapes[s->op];
  const char *op = op_names[s->op];
  if (!id_ok(s->call))
    return pa_error_set(err, PA_ERR_SCHEMA, "call.call: not %d lowercase hex characters",
                        PA_CALLSIG_ID_CHARS);
  if (!h->sdp && s->sdp) return pa_error_set(err, PA_ERR_SCHEMA, "call.sdp: not taken by %s", op);
  if (h->sdp == 2 && !s->sdp) return pa_error_set(err, PA_ERR_SCHEMA, "call.sdp: missing");
  if (s->sdp && s->sdp_len > PA_CALLSIG_SDP_MAX)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "call.sdp: over %d bytes", PA_CALLSIG_SDP_MAX);
  if (s->sdp && !sdp_ok(s->sdp, s->sdp_len))
    return pa_error_set(err, PA_ERR_SCHEMA, "call.sdp: not SDP (v=0, printable ASCII lines)");
  if (!h->candidates && s->n_candidates)
    return pa_error_set(err, PA_ERR_SCHEMA, "call.candidates: not taken by %s", op);
  if (h->candidates == 2 && s->n_candidates < 1)
    return pa_error_set(err, PA_ERR_SCHEMA, "call.candidates: missing or empty");
  if (s->n_candidates > PA_CALLSIG_MAX_CANDIDATES || s->n_candidates < 0)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "call.candidates: over %d",
                        PA_CALLSIG_MAX_CANDIDATES);
  for (int i = 0; i < s->n_candidates; i++) {
    size_t n = s->candidates[i] ? strlen(s->candidates[i]) : 0;
    if (n > PA_CALLSIG_CANDIDATE_MAX)
      return pa_error_set(err, PA_ERR_TOO_LARGE, "call.candidates[%d]: over %d bytes", i,
                          PA_CALLSIG_CANDIDATE_MAX);
    if (!s->candidates[i] || !candidate_ok(s->candidates[i], n))
      return pa_error_set(err, PA_ERR_SCHEMA, "call.candidates[%d]: not an ICE candidate line", i);
  }
  if (!h->video && s->video >= 0)
    return pa_error_set(err, PA_ERR_SCHEMA, "call.video: not taken by %s", op);
  if (h->video == 2 && s->video < 0) return pa_error_set(err, PA_ERR_SCHEMA, "call.video: missing");
  if (s->video > 1) return pa_error_set(err, PA_ERR_SCHEMA, "call.video: not a boolean");
  return PA_OK;
}

/* ---- the canonical writer */

typedef struct writer {
  char *out;
  size_t cap, len;
  bool over;
} writer;

static void put(writer *w, const char *s, size_t n) {
  if (w->over || n > w->cap - w->len) {
    w->over = true;
    return;
  }
  memcpy(w->out + w->len, s, n);
  w->len += n;
}
static void puts_(writer *w, const char *s) { put(w, s, strlen(s)); }

/* A JSON string of checked bytes (printable ASCII, CR, LF). */
static void put_string(writer *w, const char *s, size_t n) {
  put(w, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    switch (s[i]) {
    case '"': put(w, "\\\"", 2); break;
    case '\\': put(w, "\\\\", 2); break;
    case '\r': put(w, "\\r", 2); break;
    case '\n': put(w, "\\n", 2); break;
    default: put(w, s + i, 1);
    }
  }
  put(w, "\"", 1);
}

pa_status pa_callsig_encode(const pa_callsig *s, char *out, size_t cap, size_t *out_len,
                            pa_error *err) {
  pa_error_clear(err);
  *out_len = 0;
  pa_status st = check(s, err);
  if (st != PA_OK) return st;
  writer w = {out, cap, 0, false};
  puts_(&w, "{\"v\":2,\"kind\":\"call\",\"call\":");
  put_string(&w, s->call, PA_CALLSIG_ID_CHARS);
  puts_(&w, ",\"op\":");
  puts_(&w, "\"");
  puts_(&w, op_names[s->op]);
  puts_(&w, "\"");
  if (s->sdp) {
    puts_(&w, ",\"sdp\":");
    put_string(&w, s->sdp, s->sdp_len);
  }
  if (s->n_candidates) {
    puts_(&w, ",\"candidates\":[");
    for (int i = 0; i < s->n_candidates; i++) {
      if (i) puts_(&w, ",");
      put_string(&w, s->candidates[i], strlen(s->candidates[i]));
    }
    puts_(&w, "]");
  }
  if (s->video >= 0) puts_(&w, s->video ? ",\"video\":true" : ",\"video\":false");
  puts_(&w, "}");
  if (w.over) return pa_error_set(err, PA_ERR_TOO_LARGE, "call: output over %zu bytes", cap);
  *out_len = w.len;
  return PA_OK;
}

/* ---- the parser */

static const char *const known[] = {"v", "kind", "call", "op", "sdp", "candidates", "video", NULL};

/* Every key known, none twice (cJSON would keep both and read the first). */
static pa_status keys_ok(pa_jv *v, const cJSON *root) {
  unsigned seen = 0;
  for (const cJSON *c = root->child; c; c = c->next) {
    int k = 0;
    while (known[k] && strcmp(known[k], c->string)) k++;
    if (!known[k]) return pa_jv_fail(v, PA_ERR_SCHEMA, c->string, "unknown field");
    if (seen & (1u << k)) return pa_jv_fail(v, PA_ERR_SCHEMA, c->string, "repeated");
    seen |= 1u << k;
  }
  return PA_OK;
}

static pa_status parse_tree(pa_jv *v, const cJSON *root, pa_callsig *s) {
  if (!cJSON_IsObject(root)) return pa_jv_fail(v, PA_ERR_SCHEMA, "payload", "not an object");
  PA_JV_TRY(keys_ok(v, root));
  int64_t version;
  PA_JV_TRY(pa_jv_int(v, root, "v", 0, 1000000, &version));
  if (version != 2)
    return pa_jv_fail(v, PA_ERR_UNSUPPORTED, "v", "version %lld", (long long)version);
  const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
  if (!cJSON_IsString(kind)) return pa_jv_fail(v, PA_ERR_SCHEMA, "kind", "missing or not a string");
  if (strcmp(kind->valuestring, "call") != 0)
    return pa_jv_fail(v, PA_ERR_UNSUPPORTED, "kind", "not a call payload");
  const cJSON *call = cJSON_GetObjectItemCaseSensitive(root, "call");
  if (!cJSON_IsString(call) || !id_ok(call->valuestring))
    return pa_jv_fail(v, PA_ERR_SCHEMA, "call", "not %d lowercase hex characters",
                      PA_CALLSIG_ID_CHARS);
  memcpy(s->call, call->valuestring, PA_CALLSIG_ID_CHARS + 1);
  const cJSON *op = cJSON_GetObjectItemCaseSensitive(root, "op");
  if (!cJSON_IsString(op)) return pa_jv_fail(v, PA_ERR_SCHEMA, "op", "missing or not a string");
  for (int i = 1; i < OP_COUNT && !s->op; i++)
    if (strcmp(op->valuestring, op_names[i]) == 0) s->op = (pa_callsig_op)i;
  if (!s->op) return pa_jv_fail(v, PA_ERR_SCHEMA, "op", "unknown op");
  const cJSON *sdp = cJSON_GetObjectItemCaseSensitive(root, "sdp");
  if (sdp) {
    if (!cJSON_IsString(sdp)) return pa_jv_fail(v, PA_ERR_SCHEMA, "sdp", "not a string");
    s->sdp = sdp->valuestring;
    s->sdp_len = strlen(sdp->valuestring);
  }
  const cJSON *cands = cJSON_GetObjectItemCaseSensitive(root, "candidates");
  if (cands) {
    if (!cJSON_IsArray(cands)) return pa_jv_fail(v, PA_ERR_SCHEMA, "candidates", "not an array");
    int n = cJSON_GetArraySize(cands);
    if (n > PA_CALLSIG_MAX_CANDIDATES)
      return pa_jv_fail(v, PA_ERR_TOO_LARGE, "candidates", "%d is over %d", n,
                        PA_CALLSIG_MAX_CANDIDATES);
    if (n < 1) return pa_jv_fail(v, PA_ERR_SCHEMA, "candidates", "empty");
    const cJSON *c;
    cJSON_ArrayForEach(c, cands) {
      if (!cJSON_IsString(c)) return pa_jv_fail(v, PA_ERR_SCHEMA, "candidates", "not a string");
      s->candidates[s->n_candidates++] = c->valuestring;
    }
  }
  const cJSON *video = cJSON_GetObjectItemCaseSensitive(root, "video");
  if (video) {
    if (!cJSON_IsBool(video)) return pa_jv_fail(v, PA_ERR_SCHEMA, "video", "not a boolean");
    s->video = cJSON_IsTrue(video) ? 1 : 0;
  }
  return PA_OK;
}

pa_status pa_callsig_parse(const char *json, size_t len, char *out, size_t cap, size_t *out_len,
                           pa_callsig_op *op, pa_error *err) {
  pa_error_clear(err);
  *out_len = 0;
  cJSON *root = NULL;
  pa_status st = pa_jv_document(json, len, PA_CALLSIG_INPUT_MAX, "call", &root, err);
  if (st != PA_OK) return st;
  pa_jv_arena arena = {0};
  pa_jv v = {&arena, err, "call"};
  pa_callsig s = {.video = -1};
  st = parse_tree(&v, root, &s);
  if (st == PA_OK) st = pa_callsig_encode(&s, out, cap, out_len, err);
  cJSON_Delete(root);
  pa_jv_arena_free(&arena);
  if (st != PA_OK) {
    *out_len = 0;
    return st;
  }
  if (op) *op = s.op;
  return PA_OK;
}
