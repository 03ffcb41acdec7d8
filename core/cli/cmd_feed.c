/* feed-parse: the pa_feed module from the shell. */
#include "cli.h"
#include "pa/pa_feed.h"
#include "pa_native.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pa_cli_feed_parse(int argc, char **argv) {
  if (argc != 2) return PA_CLI_USAGE;
  const char *path = argv[1];
  pa_error e;
  uint8_t *bytes;
  size_t len;
  pa_feed *feed;
  if (pa_native_read_file(path, PA_FEED_MAX_BYTES + 1, &bytes, &len, &e) != PA_OK)
    return pa_cli_fail(&e);
  pa_status st = pa_feed_parse((const char *)bytes, len, &feed, &e);
  free(bytes);
  if (st != PA_OK) return pa_cli_fail(&e);
  size_t need = pa_feed_describe(feed, NULL, 0);
  char *text = malloc(need + 1);
  if (text) {
    pa_feed_describe(feed, text, need + 1);
    fputs(text, stdout);
  }
  free(text);
  pa_feed_free(feed);
  return text ? 0 : 3;
}
