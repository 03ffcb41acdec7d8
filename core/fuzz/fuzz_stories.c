/* libFuzzer target: the story tray parser over arbitrary bytes (GET
 * /stories, entries on air included: issue 24's "live" member). Invariants:
 * an accepted tray's entries each have a pet; an entry with no stories has a
 * live; a live's id is "live_" and digits and its viewers are not negative;
 * an entry with no live has viewers 0. */
#include "pa/pa_stories.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_stories *tray = NULL;
  pa_error err;
  if (pa_stories_parse((const char *)data, size, &tray, &err) != PA_OK) return 0;
  for (int i = 0; i < pa_stories_count(tray); i++) {
    const pa_story_entry *e = pa_stories_entry_at(tray, i);
    if (!e || !e->pet.id || e->story_count < 0) abort();
    if (!e->story_count && !e->live_id) abort();
    if (e->live_id) {
      const char *d = e->live_id + 5;
      if (strncmp(e->live_id, "live_", 5) || !*d || strspn(d, "0123456789") != strlen(d)) abort();
      if (e->live_viewers < 0) abort();
    } else if (e->live_viewers != 0) {
      abort();
    }
  }
  pa_stories_free(tray);
  return 0;
}
