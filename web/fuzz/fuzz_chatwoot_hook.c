/* libFuzzer target: Chatwoot's webhook bodies (chatwoot/hook.c), the
 * untrusted bytes of POST /api/v1/webhooks/chatwoot/{code}. Invariants: a
 * body read is one of the three kinds with its fields in range (a reply's
 * text 1..PA_CHATWOOT_HOOK_BODY_MAX code points, terminated; a status one of
 * the four, with its timestamp), a refused one says why and leaves nothing. */
#include "chatwoot/hook.h"
#include "fuzz_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_chatwoot_hook *h = malloc(sizeof *h);
  if (!h) return 0;
  const char *why = NULL;
  int rc = pa_chatwoot_hook_read((const char *)data, size, h, &why);
  TERMINATED(h->content);
  TERMINATED(h->status);
  if (rc != 0) {
    ASSERT(rc == -1 && why && *why);
    ASSERT(h->kind == PA_CHATWOOT_HOOK_OTHER && h->content[0] == 0 && h->conversation == 0);
  } else if (h->kind == PA_CHATWOOT_HOOK_REPLY) {
    long n = points(h->content);
    ASSERT(n >= 1 && n <= PA_CHATWOOT_HOOK_BODY_MAX);
    ASSERT(h->message >= 1 && h->conversation >= 1);
  } else if (h->kind == PA_CHATWOOT_HOOK_STATUS) {
    ASSERT(strcmp(h->status, "open") == 0 || strcmp(h->status, "pending") == 0 ||
           strcmp(h->status, "snoozed") == 0 || strcmp(h->status, "resolved") == 0);
    ASSERT(h->conversation >= 1 && h->at >= 1 && h->content[0] == 0);
  } else {
    ASSERT(h->kind == PA_CHATWOOT_HOOK_OTHER && h->content[0] == 0 && h->status[0] == 0);
  }
  free(h);
  return 0;
}
