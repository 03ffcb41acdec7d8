/* libFuzzer target: the feed cursor (store/cursor.c), which arrives in
 * every paged request's query string (?cursor=...). Invariants: an accepted
 * cursor is exactly the text pa_store_cursor_encode writes for the position
 * it decodes to (one position, one spelling) and names a row (id >= 1);
 * text of PA_STORE_CURSOR_MAX bytes or more is refused. */
#include "fuzz_check.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  pa_store_cursor c;
  if (pa_store_cursor_decode(text, &c) == PA_STORE_OK) {
    char again[PA_STORE_CURSOR_MAX];
    pa_store_cursor_encode(&c, again);
    ASSERT(strcmp(again, text) == 0);
    ASSERT(c.id >= 1);
    ASSERT(strlen(text) < PA_STORE_CURSOR_MAX);
  }
  free(text);
  return 0;
}
