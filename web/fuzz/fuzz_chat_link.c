/* libFuzzer target: the device-linking and device-naming body readers
 * (web/src/chat_link_rules.c) on untrusted bytes. The first byte picks the
 * reader (request, response, name), the rest is the JSON body as a request
 * sends it. Invariants: an accepted request is 97 bytes starting with
 * version 1; an accepted response is 283..411 bytes starting with 1; an
 * accepted name is null or 1..40 code points of UTF-8 without control
 * characters; a refused body always says why. */
#include "chat_link_rules.h"
#include "fuzz_check.h"
#include "str.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  if (!ready) {
    ASSERT(sodium_init() >= 0);
    ready = 1;
  }
  if (size < 1) return 0;
  cJSON *body = cJSON_ParseWithLength((const char *)data + 1, size - 1);
  const char *why = NULL;
  switch (data[0] % 3) {
  case 0: {
    uint8_t req[PA_CHAT_LINK_REQUEST_BYTES];
    if (pa_chat_link_request_read(body, req, &why) == 0)
      ASSERT(req[0] == 1);
    else
      ASSERT(why && why[0]);
    break;
  }
  case 1: {
    uint8_t resp[PA_CHAT_LINK_RESPONSE_MAX_BYTES];
    size_t n = 0;
    if (pa_chat_link_response_read(body, resp, &n, &why) == 0)
      ASSERT(resp[0] == 1 && n >= PA_CHAT_LINK_RESPONSE_MIN_BYTES &&
             n <= PA_CHAT_LINK_RESPONSE_MAX_BYTES);
    else
      ASSERT(why && why[0]);
    break;
  }
  default: {
    const char *name = NULL;
    if (pa_chat_device_name_read(body, &name, &why) == 0) {
      if (name) {
        long n = pa_str_utf8_len(name, strlen(name), 0);
        ASSERT(n >= 1 && n <= PA_CHAT_DEVICE_NAME_CHARS);
      }
    } else {
      ASSERT(why && why[0]);
    }
  }
  }
  cJSON_Delete(body);
  return 0;
}
