/* libFuzzer target: the group routes' bodies (web/src/api/chat_group_body.c)
 * on untrusted bytes. The first byte picks the body (mod 3): a group's
 * creation {}, a member to add {"user"}, a role {"role"}; the rest is parsed
 * as JSON as the server's body reader would hand it over.
 * Invariants: an accepted member names a positive user id, an accepted role
 * is 0 or 1, and a refusal always says why and names a field. */
#include "api/chat_group_body.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ASSERT(c)                                                                                  \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "fuzz_group_body.c:%d: invariant failed: %s\n", __LINE__, #c);               \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  cJSON *body = cJSON_ParseWithLength((const char *)data + 1, size - 1);
  char err[160] = "";
  const char *field = NULL;
  int64_t user = -1;
  int admin = -1, rc;
  switch (data[0] % 3) {
  case 0: rc = pa_group_body_create(body, err, sizeof err, &field); break;
  case 1:
    rc = pa_group_body_member(body, &user, err, sizeof err, &field);
    if (rc == 0) ASSERT(user > 0);
    break;
  default:
    rc = pa_group_body_role(body, &admin, err, sizeof err, &field);
    if (rc == 0) ASSERT(admin == 0 || admin == 1);
    break;
  }
  if (rc != 0) ASSERT(err[0] && field);
  cJSON_Delete(body);
  return 0;
}
