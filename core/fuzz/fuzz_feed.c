/* libFuzzer target: the feed parser over arbitrary bytes. */
#include "pa/pa_feed.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_feed *feed = NULL;
  pa_error err;
  if (pa_feed_parse((const char *)data, size, &feed, &err) == PA_OK) {
    char buf[256];
    pa_feed_describe(feed, buf, sizeof buf);
    pa_feed_free(feed);
  }
  return 0;
}
