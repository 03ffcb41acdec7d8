/* The device-linking and device-naming body readers (chat_link_rules.h). */
#include "chat_link_rules.h"

#include "str.h"

#include <sodium.h>
#include <string.h>

/* Decodes body's string member name (standard base64, padded) into out
 * (cap bytes); the length into *len. 0, or -1 when it is missing, not a
 * string, not base64 or longer than cap. */
static int b64_member(const cJSON *body, const char *name, uint8_t *out, size_t cap, size_t *len) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
  if (!cJSON_IsString(v) || !v->valuestring) return -1;
  const char *end = NULL, *s = v->valuestring;
  size_t n = strlen(s);
  return sodium_base642bin(out, cap, s, n, NULL, len, &end, sodium_base64_VARIANT_ORIGINAL) == 0 &&
                 end == s + n
             ? 0
             : -1;
}

int pa_chat_link_request_read(const cJSON *body, uint8_t req[PA_CHAT_LINK_REQUEST_BYTES],
                              const char **why) {
  uint8_t buf[PA_CHAT_LINK_REQUEST_BYTES + 1];
  size_t n = 0;
  if (b64_member(body, "request", buf, sizeof buf, &n) != 0 || n != PA_CHAT_LINK_REQUEST_BYTES ||
      buf[0] != 1) {
    *why = "request must be base64 of a version 1 link request (97 bytes)";
    return -1;
  }
  memcpy(req, buf, PA_CHAT_LINK_REQUEST_BYTES);
  return 0;
}

int pa_chat_link_response_read(const cJSON *body, uint8_t resp[PA_CHAT_LINK_RESPONSE_MAX_BYTES],
                               size_t *len, const char **why) {
  uint8_t buf[PA_CHAT_LINK_RESPONSE_MAX_BYTES + 1];
  size_t n = 0;
  if (b64_member(body, "response", buf, sizeof buf, &n) != 0 ||
      n < PA_CHAT_LINK_RESPONSE_MIN_BYTES || n > PA_CHAT_LINK_RESPONSE_MAX_BYTES || buf[0] != 1) {
    *why = "response must be base64 of a version 1 link response (283 to 411 bytes)";
    return -1;
  }
  memcpy(resp, buf, n);
  *len = n;
  return 0;
}

int pa_chat_device_name_read(const cJSON *body, const char **name, const char **why) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "name");
  if (cJSON_IsNull(v)) {
    *name = NULL;
    return 0;
  }
  /* Code points of valid UTF-8 without control characters: it is shown in lists. */
  long n = cJSON_IsString(v) && v->valuestring
               ? pa_str_utf8_len(v->valuestring, strlen(v->valuestring), 0)
               : -1;
  if (n < 1 || n > PA_CHAT_DEVICE_NAME_CHARS) {
    *why = "name must be 1 to 40 characters without control characters, or null";
    return -1;
  }
  *name = v->valuestring;
  return 0;
}
