/* libFuzzer target: the parts of chat relay frames robustness reads
 * (chat_frame.c): the ids of ack / failed / delivered_ack, identity_gen's
 * generation, and a start envelope's session key.
 *
 * Input: a frame's JSON text, which is also taken as an envelope body's
 * bytes. Invariants: ids read are whole numbers 1..2^53-1, at most the cap
 * and never more than the array had; a frame with more than
 * PA_CHAT_FRAME_MAX_IDS ids is refused whole; a generation read is whole and
 * 1..2^53-1; a start key exists exactly when the first byte is 0x02 or
 * 0x03, lies inside the body, is 1..32 bytes, and is EK_A (bytes 33..64)
 * whenever the body holds it. The same bytes as a bus message's ids
 * (pa_chat_frame_bus_ids, 1 to 3 of them): read only when they are exactly
 * the canonical text of ids 0..2^53-1, so printing them gives the input
 * back. Seeds: web/fuzz/corpus/chat_frame/. */
#include "chat_frame.h"
#include "fuzz_check.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cJSON *frame = cJSON_ParseWithLength((const char *)data, size);
  int64_t ids[PA_CHAT_FRAME_MAX_IDS], few[3], gen = 0;
  int n = pa_chat_frame_ids(frame, ids, PA_CHAT_FRAME_MAX_IDS);
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(frame, "ids");
  if (n >= 0) {
    ASSERT(cJSON_IsArray(list) && n <= cJSON_GetArraySize(list));
    for (int i = 0; i < n; i++) ASSERT(ids[i] >= 1 && ids[i] <= 9007199254740991LL);
    /* A smaller cap reads a prefix of the same ids. */
    int m = pa_chat_frame_ids(frame, few, 3);
    ASSERT(m == (n < 3 ? n : 3) && !memcmp(few, ids, sizeof *few * (size_t)m));
  } else {
    ASSERT(!cJSON_IsArray(list) || cJSON_GetArraySize(list) > PA_CHAT_FRAME_MAX_IDS);
  }
  if (pa_chat_frame_generation(frame, &gen) == 0) {
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(frame, "generation");
    ASSERT(gen >= 1 && gen <= 9007199254740991LL && (double)gen == g->valuedouble);
  }
  cJSON_Delete(frame);

  const uint8_t *key = NULL;
  size_t k = pa_chat_start_key(data, size, &key);
  int start = size >= 1 && (data[0] == 0x02 || data[0] == 0x03);
  ASSERT(start ? k >= 1 && k <= PA_CHAT_START_KEY_BYTES : k == 0);
  if (k) {
    ASSERT(key >= data && key + k <= data + size);
    if (size >= PA_CHAT_START_KEY_AT + PA_CHAT_START_KEY_BYTES)
      ASSERT(key == data + PA_CHAT_START_KEY_AT && k == PA_CHAT_START_KEY_BYTES);
  }
  for (int want = 1; want <= 3; want++) {
    int64_t v[3];
    char back[3 * 17 + 1];
    if (pa_chat_frame_bus_ids((const char *)data, size, v, want) != 0) continue;
    int out = 0;
    for (int i = 0; i < want; i++) {
      ASSERT(v[i] >= 0 && v[i] <= 9007199254740991LL);
      out += snprintf(back + out, sizeof back - (size_t)out, i ? " %lld" : "%lld", (long long)v[i]);
    }
    ASSERT((size_t)out == size && !memcmp(back, data, size));
  }
  return 0;
}
