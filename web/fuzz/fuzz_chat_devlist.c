/* libFuzzer target: the body of PUT /api/v1/chat/device-list
 * (pa_chat_devlist_read, chat_devlist.c) and the signed list inside it, read
 * as the handler reads it (pa_devlist_verify for account "u_1").
 *
 * Input: a JSON body. Invariants: an accepted body has a list of 1..274 bytes
 * and a device id of at least 1; a refusal says why, and names only "list"
 * or "device" (or nothing); a list the core accepts re-encodes to its own
 * bytes (less the signature) and verifies for no other account. Seeds
 * (web/fuzz/corpus/chat_devlist/) carry real lists signed for "u_1". */
#include "chat_devlist.h"
#include "fuzz_check.h"
#include "pa/pa_devlist.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cJSON *body = cJSON_ParseWithLength((const char *)data, size);
  pa_chat_devlist_req req;
  const char *why = NULL, *field = NULL;
  int rc = pa_chat_devlist_read(body, &req, &why, &field);
  cJSON_Delete(body);
  if (rc != 0) {
    ASSERT(why && why[0]);
    ASSERT(!field || !strcmp(field, "list") || !strcmp(field, "device"));
    return 0;
  }
  ASSERT(req.len >= 1 && req.len <= PA_CHAT_DEVLIST_BYTES && req.device >= 1);
  pa_devlist l, other;
  pa_error err;
  if (pa_devlist_verify(req.list, req.len, "u_1", &l, &err) != PA_OK) return 0;
  uint8_t again[PA_DEVLIST_MAX_BYTES];
  size_t n = pa_devlist_encode_body(&l, again);
  ASSERT(n + 64 == req.len && !memcmp(again, req.list, n));
  ASSERT(pa_devlist_verify(req.list, req.len, "u_2", &other, &err) != PA_OK);
  return 0;
}
