/* pa_live_frame — the live.* frames a client sends (live_frame.h). Strict:
 * a frame names only the members its type takes, so a client's typo is an
 * error rather than silently ignored. */
#include "live_frame.h"

#include "str.h"

#include <cjson/cJSON.h>
#include <string.h>

int pa_live_frame_is_live(const char *type) { return type && strncmp(type, "live.", 5) == 0; }

/* "live_N" (pa_str_id); 0 or -1. */
static int live_id(const cJSON *v, int64_t *out) {
  return cJSON_IsString(v) ? pa_str_id(v->valuestring, "live", out) : -1;
}

static int space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Every member of in is one of names (NULL-terminated). */
static int only(const cJSON *in, const char *const *names) {
  const cJSON *m;
  cJSON_ArrayForEach(m, in) {
    int known = 0;
    for (const char *const *n = names; *n && !known; n++)
      known = m->string && strcmp(m->string, *n) == 0;
    if (!known) return 0;
  }
  return 1;
}

/* The comment's text, trimmed of white space at both ends, into out. */
static int read_text(const cJSON *v, pa_live_in *out, const char **code, const char **why) {
  if (!cJSON_IsString(v)) {
    *why = "live.comment needs text";
    return -1;
  }
  const char *s = v->valuestring;
  size_t n = strlen(s);
  while (n && space(*s)) s++, n--;
  while (n && space(s[n - 1])) n--;
  long chars = pa_str_utf8_len(s, n, 0);
  if (chars < 0) {
    *why = "A comment is text without control characters";
    return -1;
  }
  if (chars == 0) {
    *why = "A comment cannot be empty";
    return -1;
  }
  if (chars > PA_LIVE_FRAME_TEXT_MAX || n > PA_LIVE_COMMENT_BYTES) {
    *code = "too_long";
    *why = "A comment is at most 300 characters";
    return -1;
  }
  memcpy(out->text, s, n);
  out->text[n] = '\0';
  return 0;
}

static int read_nonce(const cJSON *v, pa_live_in *out, const char **why) {
  out->nonce[0] = '\0';
  if (!v || cJSON_IsNull(v)) return 0;
  size_t n = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
  long chars = n ? pa_str_utf8_len(v->valuestring, n, 0) : -1;
  if (chars < 1 || chars > PA_LIVE_NONCE_MAX || n > PA_LIVE_NONCE_BYTES) {
    *why = "nonce must be 1 to 64 characters without control characters";
    return -1;
  }
  memcpy(out->nonce, v->valuestring, n + 1);
  return 0;
}

/* 1 when data holds a NUL byte, or a "\u0000" escape inside a string: cJSON
 * would end the string there and a comment would be cut short silently. */
static int has_nul(const char *data, size_t len) {
  int in_string = 0;
  for (size_t i = 0; i < len; i++) {
    if (data[i] == '\0') return 1;
    if (!in_string) {
      in_string = data[i] == '"';
    } else if (data[i] == '"') {
      in_string = 0;
    } else if (data[i] == '\\' && i + 1 < len) {
      if (data[i + 1] == 'u' && i + 5 < len && memcmp(data + i + 2, "0000", 4) == 0) return 1;
      i++; /* the escaped character, whatever it is */
    }
  }
  return 0;
}

int pa_live_frame_parse(const char *data, size_t len, pa_live_in *out, const char **code,
                        const char **why) {
  static const char *const with_live[] = {"type", "live", NULL};
  static const char *const comment[] = {"type", "live", "text", "nonce", NULL};
  memset(out, 0, sizeof *out);
  *code = "bad_request";
  *why = NULL;
  cJSON *in = cJSON_ParseWithLength(data, len);
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(in, "type");
  const char *t = cJSON_IsString(type) ? type->valuestring : "";
  int rc = -1;
  if (!cJSON_IsObject(in)) {
    *why = "Each frame must be one JSON object";
    goto done;
  }
  if (has_nul(data, len)) {
    *why = "A frame's text cannot hold NUL characters";
    goto done;
  }
  if (live_id(cJSON_GetObjectItemCaseSensitive(in, "live"), &out->live) != 0) out->live = 0;
  if (strcmp(t, "live.join") == 0)
    out->kind = PA_LIVE_IN_JOIN;
  else if (strcmp(t, "live.leave") == 0)
    out->kind = PA_LIVE_IN_LEAVE;
  else if (strcmp(t, "live.comment") == 0)
    out->kind = PA_LIVE_IN_COMMENT;
  else if (strcmp(t, "live.heart") == 0)
    out->kind = PA_LIVE_IN_HEART;
  else {
    *why = "Unknown live frame type";
    goto done;
  }
  if (!out->live) {
    *why = "live must be a live id like \"live_1\"";
    goto done;
  }
  if (!only(in, out->kind == PA_LIVE_IN_COMMENT ? comment : with_live)) {
    *why = out->kind == PA_LIVE_IN_COMMENT ? "live.comment takes live, text and nonce"
                                           : "This live frame takes only live";
    goto done;
  }
  if (out->kind == PA_LIVE_IN_COMMENT &&
      (read_nonce(cJSON_GetObjectItemCaseSensitive(in, "nonce"), out, why) != 0 ||
       read_text(cJSON_GetObjectItemCaseSensitive(in, "text"), out, code, why) != 0))
    goto done;
  rc = 0;
done:
  cJSON_Delete(in);
  if (rc != 0) out->kind = 0;
  return rc;
}
