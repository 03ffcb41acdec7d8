/* pa_group_body: the group routes' bodies (chat_group_body.h). */
#include "api/chat_group_body.h"

#include <stdio.h>
#include <string.h>

/* Refuses with why about field. */
static int fail(char *err, size_t errlen, const char **field, const char *name, const char *why) {
  snprintf(err, errlen, "%s", why);
  *field = name;
  return -1;
}

/* An object with no members but those named (NULL-terminated), each once. */
static int only(const cJSON *body, const char *const *names, char *err, size_t errlen,
                const char **field) {
  if (!cJSON_IsObject(body)) return fail(err, errlen, field, "", "The body must be a JSON object");
  for (const cJSON *c = body->child; c; c = c->next) {
    int known = 0;
    for (int i = 0; names[i] && !known; i++) known = c->string && strcmp(c->string, names[i]) == 0;
    if (!known)
      return fail(err, errlen, field, "", "The body has a member this route does not take");
    for (const cJSON *d = c->next; d; d = d->next)
      if (d->string && strcmp(d->string, c->string) == 0)
        return fail(err, errlen, field, "", "A member appears twice");
  }
  return 0;
}

int pa_group_body_create(const cJSON *body, char *err, size_t errlen, const char **field) {
  static const char *const names[] = {NULL};
  return only(body, names, err, errlen, field);
}

/* "u_N", N a canonical positive decimal below 2^63. */
static int user_id(const char *s, int64_t *out) {
  if (strncmp(s, "u_", 2) != 0) return -1;
  s += 2;
  size_t n = strlen(s);
  if (n == 0 || n > 18 || s[0] == '0' || strspn(s, "0123456789") != n) return -1;
  int64_t v = 0;
  for (; *s; s++) v = v * 10 + (*s - '0');
  *out = v;
  return 0;
}

int pa_group_body_member(const cJSON *body, int64_t *user, char *err, size_t errlen,
                         const char **field) {
  static const char *const names[] = {"user", NULL};
  if (only(body, names, err, errlen, field) != 0) return -1;
  const cJSON *u = cJSON_GetObjectItemCaseSensitive(body, "user");
  if (!cJSON_IsString(u) || !u->valuestring || user_id(u->valuestring, user) != 0)
    return fail(err, errlen, field, "user", "user must be a person's id like \"u_1\"");
  return 0;
}

int pa_group_body_role(const cJSON *body, int *admin, char *err, size_t errlen,
                       const char **field) {
  static const char *const names[] = {"role", NULL};
  if (only(body, names, err, errlen, field) != 0) return -1;
  const cJSON *r = cJSON_GetObjectItemCaseSensitive(body, "role");
  if (cJSON_IsString(r) && r->valuestring && strcmp(r->valuestring, "admin") == 0)
    *admin = 1;
  else if (cJSON_IsString(r) && r->valuestring && strcmp(r->valuestring, "member") == 0)
    *admin = 0;
  else
    return fail(err, errlen, field, "role", "role must be \"admin\" or \"member\"");
  return 0;
}
