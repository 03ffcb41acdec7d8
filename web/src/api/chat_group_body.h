/* pa_group_body — the request bodies of the group routes, checked without a
 * server (so web/fuzz/fuzz_group_body.c runs them on any bytes):
 * POST /chat/groups {} (no member at all), POST …/members {"user":"u_N"} and
 * PATCH …/members/{u} {"role":"admin"|"member"}. */
#ifndef PA_GROUP_BODY_H
#define PA_GROUP_BODY_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Each: 0, or -1 with a message in err (errlen bytes) and the member at
 * fault in *field (a static string, "" for the body as a whole). */
int pa_group_body_create(const cJSON *body, char *err, size_t errlen, const char **field);
/* *user the id's number (> 0). */
int pa_group_body_member(const cJSON *body, int64_t *user, char *err, size_t errlen,
                         const char **field);
/* *admin 1 for "admin", 0 for "member". */
int pa_group_body_role(const cJSON *body, int *admin, char *err, size_t errlen, const char **field);

#endif
