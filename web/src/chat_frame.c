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
