/* Relay frame parts (chat_frame.h). */
#include "chat_frame.h"

/* 1..2^53-1, whole: what a JSON number can name exactly. */
static int whole(const cJSON *v, int64_t *out) {
  if (!cJSON_IsNumber(v)) return -1;
  double d = v->valuedouble;
  if (!(d >= 1 && d <= 9007199254740991.0) || d != (double)(int64_t)d) return -1;
  *out = (int64_t)d;
  return 0;
}

int pa_chat_frame_ids(const cJSON *frame, int64_t *out, int cap) {
  const cJSON *ids = cJSON_GetObjectItemCaseSensitive(frame, "ids"), *v;
  if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) > PA_CHAT_FRAME_MAX_IDS) return -1;
  int n = 0;
  cJSON_ArrayForEach(v, ids) {
    int64_t id;
    if (n < cap && whole(v, &id) == 0) out[n++] = id;
  }
  return n;
}

int pa_chat_frame_generation(const cJSON *frame, int64_t *out) {
  return whole(cJSON_GetObjectItemCaseSensitive(frame, "generation"), out);
}

size_t pa_chat_start_key(const uint8_t *body, size_t len, const uint8_t **key) {
  if (!body || len < 1 || (body[0] != 0x03 && body[0] != 0x02)) return 0;
  if (len >= PA_CHAT_START_KEY_AT + PA_CHAT_START_KEY_BYTES) {
    *key = body + PA_CHAT_START_KEY_AT;
    return PA_CHAT_START_KEY_BYTES;
  }
  *key = body;
  return len < PA_CHAT_START_KEY_BYTES ? len : PA_CHAT_START_KEY_BYTES;
}

int pa_chat_frame_bus_ids(const char *text, size_t len, int64_t *out, int n) {
  enum { DIGITS_MAX = 16 }; /* 2^53-1 has 16 digits */
  size_t at = 0;
  if (!text || n < 1) return -1;
  for (int k = 0; k < n; k++) {
    size_t start = at;
    int64_t v = 0;
    while (at < len && text[at] >= '0' && text[at] <= '9' && at - start < DIGITS_MAX)
      v = v * 10 + (text[at++] - '0');
    size_t digits = at - start;
    if (digits == 0 || (digits > 1 && text[start] == '0') || v > 9007199254740991LL) return -1;
    if (k < n - 1 && (at >= len || text[at++] != ' ')) return -1;
    out[k] = v;
  }
  return at == len ? 0 : -1;
}
