/* The own-device copy payload (pa_copy.h), read with the feed's strict JSON
 * rules (jv.h): a document limit, nothing after it, every member checked. */
#include "../feed/jv.h"
#include "pa/pa_copy.h"
#include "pa/pa_crypto.h"

#include <stdlib.h>
#include <string.h>

static int account_id_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 3 || n > PA_COPY_PEER_MAX || s[0] != 'u' || s[1] != '_' || s[2] == '0') return 0;
  for (size_t i = 2; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

pa_status pa_copy_parse(const char *json, size_t len, const char *to, char **body, size_t *body_len,
                        pa_error *err) {
  pa_error scratch;
  if (!err) err = &scratch;
  *body = NULL;
  *body_len = 0;
  if (!to) return pa_error_set(err, PA_ERR_ARG, "copy: the relay's peer is needed");
  /* cJSON ends its strings at a \u0000: a body holding one would be cut
   * short without a word, so it is refused (an escaped backslash before
   * "u0000" is skipped with its pair). */
  for (size_t i = 0; json && i + 1 < len; i++) {
    if (json[i] != '\\') continue;
    if (json[i + 1] == 'u' && i + 5 < len && !memcmp(json + i + 2, "0000", 4))
      return pa_error_set(err, PA_ERR_SCHEMA, "copy: a NUL character in a string");
    i++;
  }
  cJSON *root;
  pa_status st = pa_jv_document(json, len, PA_COPY_MAX, "copy", &root, err);
  if (st != PA_OK) return st;
  pa_jv_arena arena = {0};
  pa_jv v = {&arena, err, ""};
  int64_t version = 0;
  const char *kind = NULL, *peer = NULL;
  int members = 0;
  for (const cJSON *m = root->child; m; m = m->next) members++;
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(root, "body");
  if (!cJSON_IsObject(root))
    st = pa_error_set(err, PA_ERR_SCHEMA, "copy: not an object");
  else if ((st = pa_jv_int(&v, root, "v", 2, 2, &version)) != PA_OK ||
           (st = pa_jv_string(&v, root, "kind", PA_JV_ID, 16, false, &kind)) != PA_OK ||
           (st = pa_jv_string(&v, root, "peer", PA_JV_ID, PA_COPY_PEER_MAX, false, &peer)) != PA_OK)
    ; /* v's error says which */
  else if (strcmp(kind, "copy") != 0)
    st = pa_error_set(err, PA_ERR_SCHEMA, "copy: kind is not \"copy\"");
  else if (!account_id_ok(peer))
    st = pa_error_set(err, PA_ERR_SCHEMA, "copy: peer is not an account id");
  else if (strcmp(peer, to) != 0)
    st = pa_error_set(err, PA_ERR_SCHEMA, "copy: its peer is not the one the relay named");
  else if (!cJSON_IsString(b) || !b->valuestring)
    st = pa_error_set(err, PA_ERR_SCHEMA, "copy: body must be a string");
  else if (members != 4)
    st = pa_error_set(err, PA_ERR_SCHEMA, "copy: exactly v, kind, peer and body");
  if (st == PA_OK) {
    size_t n = strlen(b->valuestring);
    if (n > PA_COPY_BODY_MAX) {
      st = pa_error_set(err, PA_ERR_TOO_LARGE, "copy: body over %d bytes", PA_COPY_BODY_MAX);
    } else if (!(*body = malloc(n + 1))) {
      st = pa_error_set(err, PA_ERR_NOMEM, "copy: out of memory");
    } else {
      memcpy(*body, b->valuestring, n + 1);
      *body_len = n;
    }
  }
  /* The tree held the plaintext: wipe its strings before freeing. */
  if (cJSON_IsString(b) && b->valuestring) pa_crypto_wipe(b->valuestring, strlen(b->valuestring));
  cJSON_Delete(root);
  pa_jv_arena_free(&arena);
  return st;
}

void pa_copy_free(char *body, size_t len) {
  if (!body) return;
  pa_crypto_wipe(body, len);
  free(body);
}
