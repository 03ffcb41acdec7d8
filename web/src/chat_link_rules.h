/* pa_chat_link_rules — the strict readers of the device-linking and
 * device-naming bodies (api/chat_link.c; web/README.md "Chat"). Pure: no
 * database, no HTTP: cJSON, libsodium's base64 and str.c's UTF-8 check; total over any
 * input (fuzzed by web/fuzz/fuzz_chat_link.c). The handler checks the
 * members (pa_api_only) and the ids; these read the values. */
#ifndef PA_CHAT_LINK_RULES_H
#define PA_CHAT_LINK_RULES_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_CHAT_LINK_REQUEST_BYTES = 97,       /* chat.md: version, eph key, device IK, HMAC */
  PA_CHAT_LINK_RESPONSE_MIN_BYTES = 283, /* one device in the list */
  PA_CHAT_LINK_RESPONSE_MAX_BYTES = 411, /* five */
  PA_CHAT_DEVICE_NAME_CHARS = 40         /* characters (code points) of a device name */
};

/* {"request": base64 of a version 1 request} → req (exactly 97 bytes).
 * 0, or -1 with *why (a sentence for the client) set. */
int pa_chat_link_request_read(const cJSON *body, uint8_t req[PA_CHAT_LINK_REQUEST_BYTES],
                              const char **why);

/* {"response": base64 of a version 1 response} → resp (283..411 bytes, *len). */
int pa_chat_link_response_read(const cJSON *body, uint8_t resp[PA_CHAT_LINK_RESPONSE_MAX_BYTES],
                               size_t *len, const char **why);

/* {"name": 1..40 characters of valid UTF-8 without control characters, or
 * null}: *name points into body (NULL for null). */
int pa_chat_device_name_read(const cJSON *body, const char **name, const char **why);

#endif
