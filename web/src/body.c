/* pa_body: the shared strict body readers (body.h). */
#include "body.h"

#include "str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int pa_body_fail(pa_market_err *e, int status, const char *code, const char *field, const char *fmt,
                 ...) {
  va_list ap;
  e->status = status;
  e->code = code;
  snprintf(e->field, sizeof e->field, "%s", field ? field : "");
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof e->message, fmt, ap);
  va_end(ap);
  return -1;
}

int pa_body_only(pa_market_err *e, const cJSON *obj, const char *prefix, const char *const *names,
                 pa_body_refuse_fn refuse) {
  for (const cJSON *c = obj->child; c; c = c->next) {
    int known = 0;
    for (const char *const *n = names; *n && !known; n++)
      known = c->string && strcmp(c->string, *n) == 0;
    if (known) continue;
    /* The member's name is the sender's: named back only when it is a plain
     * word, so the error's field stays one the contract allows. */
    size_t n = c->string ? strlen(c->string) : 0;
    if (n == 0 || n > 30 || strspn(c->string, "abcdefghijklmnopqrstuvwxyz_") != n)
      return pa_body_fail(e, 400, "bad_request", NULL, "%sa member is not one this object has",
                          prefix);
    char field[PA_MARKET_FIELD_MAX];
    snprintf(field, sizeof field, "%s%s", prefix, c->string);
    if (refuse && refuse(e, field, c->string) < 0) return -1;
    return pa_body_fail(e, 400, "bad_request", field, "%s is not a member of this object", field);
  }
  return 0;
}

int pa_body_text(pa_market_err *e, const cJSON *v, const char *field, long min, long max,
                 int multiline, char *out, size_t cap, int len_status, const char *len_code) {
  if (!v) return 1;
  if (!cJSON_IsString(v) || !v->valuestring)
    return pa_body_fail(e, 400, "bad_request", field, "%s must be a string", field);
  size_t n = strlen(v->valuestring);
  long len = pa_str_utf8_len(v->valuestring, n, multiline);
  if (len < 0)
    return pa_body_fail(e, 400, "bad_request", field,
                        "%s must be UTF-8 text without control characters", field);
  if (len < min || len > max || n >= cap)
    return pa_body_fail(e, len_status, len_code, field, "%s must be %ld to %ld characters long",
                        field, min, max);
  memcpy(out, v->valuestring, n + 1);
  return 0;
}
