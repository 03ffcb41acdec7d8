/* pa_push_sub — what a browser sends to subscribe (the PushSubscription's
 * JSON: {endpoint, keys: {p256dh, auth}}, plus the page's locale) and where
 * the server may send pushes: the endpoint policy that keeps a person from
 * making the server POST to addresses of their choosing (SSRF). */
#ifndef PA_PUSH_SUB_H
#define PA_PUSH_SUB_H

#include "push/crypto.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_PUSH_SUB_BODY_MAX = 4096, /* bytes of a subscribe request body */
  PA_PUSH_ENDPOINT_MAX = 1024, /* bytes of an endpoint URL */
  PA_PUSH_LOCALE_MAX = 15,     /* bytes of a locale tag */
  PA_PUSH_ORIGIN_MAX = 300,    /* "https://" host [":" port] */
  PA_PUSH_HOSTS_MAX = 8,       /* push service host names (suffixes) allowed */
};

typedef struct pa_push_sub {
  char endpoint[PA_PUSH_ENDPOINT_MAX + 1];
  uint8_t p256dh[PA_PUSH_PUB_LEN];
  uint8_t auth[PA_PUSH_AUTH_LEN];
  char locale[PA_PUSH_LOCALE_MAX + 1]; /* "en" when the body names none */
} pa_push_sub;

/* Where pushes may go. hosts: the push services' host names; an endpoint's
 * host must equal one or end with "." and one (the browsers' services, say
 * "fcm.googleapis.com", "push.services.mozilla.com"), over https on the
 * default port. standin: the origin of the local stand-in push service
 * ("http://127.0.0.1:PORT", loopback only) or "" when none is configured. */
typedef struct pa_push_policy {
  const char *hosts[PA_PUSH_HOSTS_MAX];
  int nhosts;
  char standin[PA_PUSH_ORIGIN_MAX + 1];
} pa_push_policy;

/* The browsers' push services, the default policy's host list. */
void pa_push_policy_default(pa_push_policy *p);
/* Sets the stand-in's origin; PA_PUSH_EINVAL unless it is http:// on a
 * loopback address (127.0.0.0/8, [::1], "localhost") with a port. */
int pa_push_policy_standin(pa_push_policy *p, const char *origin);

/* Parses a subscribe body (len bytes, untrusted) into *out. The endpoint
 * must pass the policy; p256dh must be a point on P-256 and auth 16 bytes;
 * locale (optional) a tag of letters, digits and '-'. On failure returns
 * PA_PUSH_EINVAL with err naming the field ("endpoint", "keys.p256dh", ...). */
int pa_push_sub_parse(const char *body, size_t len, const pa_push_policy *p, pa_push_sub *out,
                      char *err, size_t errlen);
/* Whether endpoint may be sent to under p; origin (cap bytes) gets its
 * origin, the audience of its VAPID JWT (RFC 8292 §2). */
int pa_push_endpoint_ok(const char *endpoint, const pa_push_policy *p, char *origin, size_t cap);

#endif
