/* libFuzzer target: the reels page parser over arbitrary bytes (GET /reels,
 * a sponsored reel's "sponsored" object included: its token and link held
 * to the feed's ad checks, and a replay's "replay" object: issue 24).
 * Invariants: an accepted page's reels each have an id, a video and a
 * poster; an ad's token and link are both set or both NULL, the link empty
 * or https; a replay has its live's id and a length in 1..
 * PA_REELS_MAX_REPLAY_MS, a reel that is none neither. */
#include "pa/pa_stories.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_reels *page = NULL;
  pa_error err;
  if (pa_reels_parse((const char *)data, size, &page, &err) != PA_OK) return 0;
  for (int i = 0; i < pa_reels_count(page); i++) {
    const pa_reel *r = pa_reels_at(page, i);
    if (!r || !r->id || !r->video.url || !r->poster.url) abort();
    if ((r->ad_token == NULL) != (r->ad_link == NULL)) abort();
    if (r->ad_link && r->ad_link[0] && strncmp(r->ad_link, "https://", 8) != 0) abort();
    if ((r->replay_live == NULL) != (r->replay_ms == 0)) abort();
    if (r->replay_ms < 0 || r->replay_ms > PA_REELS_MAX_REPLAY_MS) abort();
    if (r->replay_live && strncmp(r->replay_live, "live_", 5) != 0) abort();
  }
  pa_reels_free(page);
  return 0;
}
