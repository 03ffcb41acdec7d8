/* The body reader of PUT /api/v1/chat/device-list (chat_devlist.h). */
#include "chat_devlist.h"

#include <sodium.h>
#include <string.h>

/* "d_N": N of 1..18 digits, no leading zero (so one id has one spelling). */
static int device_id(const char *s, int64_t *out) {
  if (strncmp(s, "d_", 2) != 0) return -1;
  s += 2;
  size_t n = strlen(s);
  if (n < 1 || n > 18 || s[0] == '0' || strspn(s, "0123456789") != n) return -1;
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
  *out = v;
  return 0;
}

int pa_chat_devlist_read(const cJSON *body, pa_chat_devlist_req *out, const char **why,
                         const char **field) {
  *field = NULL;
  if (!cJSON_IsObject(body)) {
    *why = "The body must be a JSON object";
    return -1;
  }
  for (const cJSON *m = body->child; m; m = m->next)
    if (!m->string || (strcmp(m->string, "list") != 0 && strcmp(m->string, "device") != 0)) {
      *why = "Only list and device are accepted"; /* the member's name is the client's text */
      return -1;
    }
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "list");
  const cJSON *device = cJSON_GetObjectItemCaseSensitive(body, "device");
  const char *end = NULL;
  if (!cJSON_IsString(list) ||
      sodium_base642bin(out->list, sizeof out->list, list->valuestring, strlen(list->valuestring),
                        NULL, &out->len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != list->valuestring + strlen(list->valuestring) || out->len == 0) {
    *why = "list must be base64 of a signed device list (at most 274 bytes)";
    *field = "list";
    return -1;
  }
  if (!cJSON_IsString(device) || device_id(device->valuestring, &out->device) != 0) {
    *why = "device must be the id of the device that publishes the list (d_N)";
    *field = "device";
    return -1;
  }
  return 0;
}
