/* pa_chatwoot_hook_read (chatwoot/hook.h). */
#include "chatwoot/hook.h"

#include "str.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define FAIL(text)                                                                                 \
  do {                                                                                             \
    *why = text;                                                                                   \
    goto out;                                                                                      \
  } while (0)

/* A positive integer id no larger than 2^53 (exact in a double). */
static int id_of(const cJSON *o, const char *name, int64_t *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  if (!cJSON_IsNumber(v)) return -1;
  double d = v->valuedouble;
  if (!(d >= 1 && d <= 9007199254740992.0) || d != (double)(int64_t)d) return -1;
  *out = (int64_t)d;
  return 0;
}

int pa_chatwoot_hook_read(const char *body, size_t len, pa_chatwoot_hook *out, const char **why) {
  memset(out, 0, sizeof *out);
  *why = NULL;
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
  int rc = -1;
  if (!root || !cJSON_IsObject(root)) FAIL("the body is not a JSON object");
  /* Nothing but white space after the object. */
  for (const char *p = end; p && p < body + len; p++)
    if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') FAIL("bytes after the JSON object");
  const cJSON *event = cJSON_GetObjectItemCaseSensitive(root, "event");
  if (!cJSON_IsString(event)) FAIL("event must be a string");
  if (strcmp(event->valuestring, "message_created") == 0) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "message_type");
    const cJSON *priv = cJSON_GetObjectItemCaseSensitive(root, "private");
    const cJSON *conv = cJSON_GetObjectItemCaseSensitive(root, "conversation");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(root, "content");
    if (id_of(root, "id", &out->message)) FAIL("id must be a positive integer");
    if (!cJSON_IsString(type)) FAIL("message_type must be a string");
    if (!cJSON_IsBool(priv)) FAIL("private must be true or false");
    if (!cJSON_IsObject(conv) || id_of(conv, "id", &out->conversation))
      FAIL("conversation.id must be a positive integer");
    if (content && !cJSON_IsNull(content) && !cJSON_IsString(content))
      FAIL("content must be a string or null");
    rc = 0;
    /* Only an agent's public reply reaches the person: incoming messages are
     * the person's own (mirrored by us), private ones are notes, activity
     * and template ones are Chatwoot's. An attachment without text is not
     * carried. */
    if (strcmp(type->valuestring, "outgoing") != 0 || cJSON_IsTrue(priv) ||
        !cJSON_IsString(content) || !content->valuestring[0])
      goto out;
    size_t n = strlen(content->valuestring);
    long chars = pa_str_utf8_len(content->valuestring, n, 1);
    if (chars < 1 || chars > PA_CHATWOOT_HOOK_BODY_MAX || n > PA_CHATWOOT_HOOK_BYTES_MAX) {
      rc = -1;
      FAIL("content must be 1 to 4000 characters of text");
    }
    memcpy(out->content, content->valuestring, n + 1);
    out->kind = PA_CHATWOOT_HOOK_REPLY;
    goto out;
  }
  if (strcmp(event->valuestring, "conversation_status_changed") == 0) {
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(root, "status");
    if (id_of(root, "id", &out->conversation)) FAIL("id must be a positive integer");
    if (!cJSON_IsString(status)) FAIL("status must be a string");
    const char *s = status->valuestring;
    if (strcmp(s, "open") != 0 && strcmp(s, "pending") != 0 && strcmp(s, "snoozed") != 0 &&
        strcmp(s, "resolved") != 0)
      FAIL("status must be open, pending, snoozed or resolved");
    if (id_of(root, "timestamp", &out->at)) FAIL("timestamp must be a positive integer");
    snprintf(out->status, sizeof out->status, "%s", s);
    out->kind = PA_CHATWOOT_HOOK_STATUS;
    rc = 0;
    goto out;
  }
  rc = 0; /* another event: read, not applied */
out:
  cJSON_Delete(root);
  if (rc != 0) {
    if (!*why) *why = "not a webhook event";
    memset(out, 0, sizeof *out);
  }
  return rc;
}
