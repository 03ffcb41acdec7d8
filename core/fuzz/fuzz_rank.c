/* libFuzzer target: the candidate-page parser and the taste loader over
 * arbitrary bytes. A page that parses is also ranked in both modes and
 * learned from; a taste that loads must save back to the very same bytes. */
#include "pa/pa_rank.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static uint32_t crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  while (n--) {
    c ^= *p++;
    for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
  }
  return ~c;
}

/* A taste that loads must save back to the very same bytes. */
static void load_and_resave(pa_rank_taste *taste, const uint8_t *data, size_t size) {
  pa_error err;
  pa_rank_taste_reset(taste);
  if (pa_rank_taste_load(taste, data, size, &err) != PA_OK) return;
  size_t len = pa_rank_taste_saved_size(taste);
  uint8_t *again = malloc(len);
  if (!again || pa_rank_taste_save(taste, again, len, &len, &err) != PA_OK || len != size ||
      memcmp(again, data, size))
    abort();
  free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_error err;
  pa_rank_taste *taste = NULL;
  if (pa_rank_taste_create(PA_RANK_DIM, &taste, &err) != PA_OK) abort();

  pa_rank_page *page = NULL;
  if (pa_rank_page_parse((const char *)data, size, &page, &err) == PA_OK) {
    pa_rank_session *s = NULL;
    pa_rank_item items[24];
    int count = 0;
    char text[512];
    if (pa_rank_session_create(NULL, size, &s, &err) != PA_OK) abort();
    for (int i = 0; i < pa_rank_page_count(page) && i < 7; i++)
      if (pa_rank_taste_observe(taste, page, i, (pa_rank_signal)i, i == 1 ? 5000 : 0.5, &err))
        abort();
    for (int mode = 0; mode < 2; mode++) {
      pa_rank_session_set_mode(s, (pa_rank_mode)mode);
      if (pa_rank_session_rank(s, taste, page, pa_rank_page_newest(page), items, 24, &count,
                               &err) != PA_OK)
        abort();
      pa_rank_describe(page, items, count, (pa_rank_mode)mode, true, text, sizeof text);
      pa_rank_items_json(page, items, count, text, sizeof text);
      /* The whole JSON the shell reads is JSON, whatever the page held
       * (a sponsored object's why strings are escaped). */
      size_t need = pa_rank_items_json(page, items, count, NULL, 0);
      char *json = malloc(need + 1);
      if (!json) abort();
      pa_rank_items_json(page, items, count, json, need + 1);
      cJSON *back = cJSON_ParseWithLength(json, need);
      if (!back) abort();
      cJSON_Delete(back);
      free(json);
    }
    pa_rank_session_free(s);
    pa_rank_page_free(page);
  }

  /* As sent, then with the checksum repaired so mutations reach the
   * validators behind it. */
  load_and_resave(taste, data, size);
  if (size >= 4) {
    uint8_t *fixed = malloc(size);
    if (!fixed) abort();
    memcpy(fixed, data, size);
    uint32_t c = crc32(fixed, size - 4);
    for (int i = 0; i < 4; i++) fixed[size - 4 + i] = (uint8_t)(c >> (8 * i));
    load_and_resave(taste, fixed, size);
    free(fixed);
  }
  pa_rank_taste_free(taste);
  return 0;
}
