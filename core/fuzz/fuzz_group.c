/* libFuzzer target: group payloads and group states (pa_group_parse,
 * pa_group_state_parse) over arbitrary bytes, and the state machine.
 *
 * Byte 0 picks the target: even, a payload; odd, a stored state. Beyond "no
 * crash, no leak, no UB" it checks: whatever parses re-encodes to bytes that
 * parse to the same canonical bytes (canonical encoding is a fixed point),
 * and a parsed control message applied to a fixed 3-member state either is
 * refused leaving the state byte for byte as it was, or gives a state with
 * the next epoch, at most PA_GROUP_MAX_MEMBERS members and, unless empty, an
 * admin; that state survives its own JSON round trip. */
#include "pa/pa_group.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char BASE[] =
    "{\"group\":\"g_7\",\"epoch\":1,\"name\":\"Parque\",\"members\":["
    "{\"id\":\"u_1\",\"role\":\"admin\"},{\"id\":\"u_2\",\"role\":\"member\"},"
    "{\"id\":\"u_3\",\"role\":\"member\"}]}";

static void check_state(const pa_group_state *s) {
  char *j = pa_group_state_encode(s);
  if (!j) abort();
  pa_group_state back;
  if (pa_group_state_parse(j, strlen(j), &back, NULL) != PA_OK) abort();
  if (memcmp(&back, s, sizeof back) != 0) abort();
  free(j);
}

static void payload(const char *data, size_t size) {
  pa_group_msg m;
  pa_error err;
  if (pa_group_parse(data, size, &m, &err) != PA_OK) {
    if (!err.msg[0]) abort(); /* a refusal always says why */
    return;
  }
  char *c = pa_group_encode(&m);
  if (!c) abort();
  pa_group_msg again;
  if (pa_group_parse(c, strlen(c), &again, NULL) != PA_OK) abort();
  char *c2 = pa_group_encode(&again);
  if (!c2 || strcmp(c, c2) != 0) abort();
  free(c);
  free(c2);
  pa_group_msg_free(&again);
  if (m.op != PA_GROUP_OP_TEXT) {
    pa_group_state s, before;
    if (pa_group_state_parse(BASE, sizeof BASE - 1, &s, NULL) != PA_OK) abort();
    before = s;
    static const char *const senders[] = {"u_1", "u_2", "u_9"};
    for (int i = 0; i < 3; i++) {
      pa_group_state out = s;
      if (pa_group_apply(&s, &m, senders[i], "u_3", &out, NULL) != PA_OK) {
        if (memcmp(&out, &s, sizeof s) != 0) abort(); /* a refusal changes nothing */
        continue;
      }
      if (out.epoch != s.epoch + 1 || out.n_members > PA_GROUP_MAX_MEMBERS) abort();
      int admins = 0;
      for (int k = 0; k < out.n_members; k++) admins += out.members[k].role == PA_GROUP_ADMIN;
      if (out.n_members && !admins) abort();
      check_state(&out);
    }
    if (memcmp(&before, &s, sizeof s) != 0) abort();
    pa_group_state fresh;
    if (pa_group_apply(NULL, &m, "u_1", "u_3", &fresh, NULL) == PA_OK) check_state(&fresh);
  }
  pa_group_msg_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 2 * PA_GROUP_PAYLOAD_MAX) return 0;
  const char *text = (const char *)data + 1;
  if (data[0] % 2 == 0) {
    payload(text, size - 1);
  } else {
    pa_group_state s;
    if (pa_group_state_parse(text, size - 1, &s, NULL) == PA_OK) check_state(&s);
  }
  return 0;
}
