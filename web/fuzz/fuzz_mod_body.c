/* libFuzzer target: the moderation request bodies (web/src/api/mod_body.c)
 * on untrusted bytes. The first byte picks the body: even, a report (POST
 * /api/v1/reports); odd, a moderator's action (POST …/actions). The rest is
 * parsed as JSON as the server's body reader would hand it over.
 * Invariants: an accepted report names a known kind, a positive item id, a
 * reason and strings within their limits (characters), from and message
 * exactly for chat messages; selected messages (messages[]) number
 * 1..PA_MOD_BODY_MESSAGES_MAX with unique ids, canonical times, texts within
 * PA_MOD_BODY_MESSAGES_CHARS together, one of them the item, sent by from,
 * whose text is message; an accepted action is one action bit, days
 * 1..PA_MOD_BODY_DAYS_MAX for suspend only; a refusal always says why. */
#include "api/mod_body.h"
#include "api/moderation.h"
#include "str.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ASSERT(c)                                                                                  \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "fuzz_mod_body.c:%d: invariant failed: %s\n", __LINE__, #c);                 \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* The registry's kinds (api/mod_kinds.c), without the store behind them. */
static const char *prefix_of(const char *kind) {
  static const char *const kinds[][2] = {{"post", "p"},     {"comment", "c"}, {"person", "u"},
                                         {"message", "cm"}, {"reel", "r"},    {"story", "s"}};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(kind, kinds[i][0]) == 0) return kinds[i][1];
  return NULL;
}

static long chars(const char *s, int multiline) {
  return s ? pa_str_utf8_len(s, strlen(s), multiline) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  cJSON *body = cJSON_ParseWithLength((const char *)data + 1, size - 1);
  char err[160] = "";
  const char *field = "unset";
  if (data[0] % 2 == 0) {
    pa_mod_report_body r;
    if (pa_mod_body_report(body, prefix_of, &r, err, sizeof err, &field) == 0) {
      ASSERT(prefix_of(r.kind) && r.item > 0 && r.reason && r.id);
      ASSERT(chars(r.text, 1) >= 0 && chars(r.text, 1) <= PA_MOD_BODY_TEXT_MAX);
      int chat = strcmp(r.kind, "message") == 0;
      ASSERT(chat == (r.message != NULL) && chat == (r.from > 0));
      if (chat) ASSERT(chars(r.message, 1) >= 1 && chars(r.message, 1) <= PA_MOD_BODY_MESSAGE_MAX);
      ASSERT(r.n_messages >= 0 && r.n_messages <= PA_MOD_BODY_MESSAGES_MAX);
      ASSERT(chat || r.n_messages == 0);
      long total = 0;
      int named = 0;
      for (int i = 0; i < r.n_messages; i++) {
        const pa_mod_report_message *m = &r.messages[i];
        ASSERT(m->id > 0 && m->from > 0 && m->at && strlen(m->at) == PA_MOD_BODY_TIME_LEN);
        ASSERT(chars(m->text, 1) >= 1 && chars(m->text, 1) <= PA_MOD_BODY_MESSAGE_MAX);
        total += chars(m->text, 1);
        for (int j = 0; j < i; j++) ASSERT(r.messages[j].id != m->id);
        if (m->id == r.item) {
          named = 1;
          ASSERT(m->from == r.from && m->text == r.message);
        }
      }
      ASSERT(total <= PA_MOD_BODY_MESSAGES_CHARS && (r.n_messages == 0 || named));
    } else {
      ASSERT(err[0]);
    }
  } else {
    pa_mod_action_body a;
    if (pa_mod_body_action(body, &a, err, sizeof err, &field) == 0) {
      ASSERT(pa_mod_action_name(a.action) && strcmp(pa_mod_action_name(a.action), a.name) == 0);
      ASSERT(chars(a.note, 1) >= 0 && chars(a.note, 1) <= PA_MOD_BODY_NOTE_MAX);
      ASSERT(a.action == PA_MOD_SUSPEND ? a.days >= 1 && a.days <= PA_MOD_BODY_DAYS_MAX
                                        : a.days == 0);
    } else {
      ASSERT(err[0]);
    }
  }
  cJSON_Delete(body);
  return 0;
}
