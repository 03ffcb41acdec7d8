/* pa_push_sub: the subscribe body and the endpoint policy. */
#include "push/sub.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* The push services of the browsers people use (2026): Chrome and Edge's
 * FCM, Firefox's autopush, Safari's, and Windows' WNS. Anything else is
 * refused: the server never POSTs to an address a person chose. */
static const char *const default_hosts[] = {
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
};

void pa_push_policy_default(pa_push_policy *p) {
  memset(p, 0, sizeof *p);
  for (size_t i = 0; i < sizeof default_hosts / sizeof *default_hosts; i++)
    p->hosts[p->nhosts++] = default_hosts[i];
}

static int is_port(const char *s, size_t n) {
  if (n == 0 || n > 5) return 0;
  long v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = v * 10 + (s[i] - '0');
  }
  return v >= 1 && v <= 65535;
}

int pa_push_policy_standin(pa_push_policy *p, const char *origin) {
  static const char *const loop[] = {"http://127.0.0.1:", "http://[::1]:", "http://localhost:"};
  size_t n = strlen(origin);
  if (n > PA_PUSH_ORIGIN_MAX) return PA_PUSH_EINVAL;
  for (size_t i = 0; i < sizeof loop / sizeof *loop; i++) {
    size_t k = strlen(loop[i]);
    if (n > k && strncmp(origin, loop[i], k) == 0 && is_port(origin + k, n - k)) {
      memcpy(p->standin, origin, n + 1);
      return PA_PUSH_OK;
    }
  }
  return PA_PUSH_EINVAL;
}

/* A path's byte: visible ASCII, no fragment, no backslash (which some URL
 * parsers read as a slash). */
static int path_ok(const char *s) {
  for (; *s; s++)
    if (*s <= 0x20 || *s >= 0x7f || *s == '#' || *s == '\\') return 0;
  return 1;
}

int pa_push_endpoint_ok(const char *endpoint, const pa_push_policy *p, char *origin, size_t cap) {
  size_t n = strlen(endpoint);
  if (n > PA_PUSH_ENDPOINT_MAX) return 0;
  size_t sl = strlen(p->standin);
  if (sl && n > sl + 1 && strncmp(endpoint, p->standin, sl) == 0 && endpoint[sl] == '/') {
    if (!path_ok(endpoint + sl) || sl + 1 > cap) return 0;
    memcpy(origin, endpoint, sl);
    origin[sl] = 0;
    return 1;
  }
  static const char https[] = "https://";
  if (strncmp(endpoint, https, sizeof https - 1) != 0) return 0;
  const char *host = endpoint + sizeof https - 1, *slash = strchr(host, '/');
  if (!slash || !path_ok(slash)) return 0;
  size_t hl = (size_t)(slash - host);
  if (hl == 0 || hl > 253) return 0;
  /* Lowercase names only: no port, no user info, no IP literal can match a
   * push service's name, and letters, digits, '-' and '.' are all a DNS
   * name needs. */
  for (size_t i = 0; i < hl; i++) {
    char c = host[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return 0;
  }
  if (host[0] == '.' || host[hl - 1] == '.') return 0;
  for (size_t i = 1; i < hl; i++)
    if (host[i] == '.' && host[i - 1] == '.') return 0;
  for (int i = 0; i < p->nhosts; i++) {
    size_t k = strlen(p->hosts[i]);
    if (hl == k
            ? memcmp(host, p->hosts[i], k) == 0
            : hl > k + 1 && host[hl - k - 1] == '.' && memcmp(host + hl - k, p->hosts[i], k) == 0) {
      if (sizeof https - 1 + hl + 1 > cap) return 0;
      memcpy(origin, endpoint, sizeof https - 1 + hl);
      origin[sizeof https - 1 + hl] = 0;
      return 1;
    }
  }
  return 0;
}

static int fail(char *err, size_t errlen, const char *field) {
  snprintf(err, errlen, "%s", field);
  return PA_PUSH_EINVAL;
}

static int b64_field(const cJSON *o, const char *name, uint8_t *out, size_t want) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  if (!cJSON_IsString(v)) return 0;
  size_t n = strlen(v->valuestring), got = 0;
  uint8_t buf[PA_PUSH_PUB_LEN + 1];
  if (n > 100 || pa_push_b64url_decode(v->valuestring, n, buf, sizeof buf, &got) || got != want)
    return 0;
  memcpy(out, buf, want);
  return 1;
}

int pa_push_sub_parse(const char *body, size_t len, const pa_push_policy *p, pa_push_sub *out,
                      char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (len > PA_PUSH_SUB_BODY_MAX) return fail(err, errlen, "body");
  cJSON *j = cJSON_ParseWithLength(body, len);
  int rc = PA_PUSH_EINVAL;
  char origin[PA_PUSH_ORIGIN_MAX + 1];
  const cJSON *ep = cJSON_GetObjectItemCaseSensitive(j, "endpoint");
  const cJSON *keys = cJSON_GetObjectItemCaseSensitive(j, "keys");
  const cJSON *loc = cJSON_GetObjectItemCaseSensitive(j, "locale");
  if (!cJSON_IsObject(j)) {
    fail(err, errlen, "body");
  } else if (!cJSON_IsString(ep) || strlen(ep->valuestring) > PA_PUSH_ENDPOINT_MAX ||
             !pa_push_endpoint_ok(ep->valuestring, p, origin, sizeof origin)) {
    fail(err, errlen, "endpoint");
  } else if (!cJSON_IsObject(keys) || !b64_field(keys, "p256dh", out->p256dh, PA_PUSH_PUB_LEN)) {
    fail(err, errlen, "keys.p256dh");
  } else if (!b64_field(keys, "auth", out->auth, PA_PUSH_AUTH_LEN)) {
    fail(err, errlen, "keys.auth");
  } else {
    /* A point off the curve would make ECDH leak; refuse it now, not at send time. */
    if (!pa_push_point_ok(out->p256dh)) {
      fail(err, errlen, "keys.p256dh");
    } else {
      rc = PA_PUSH_OK;
      snprintf(out->endpoint, sizeof out->endpoint, "%s", ep->valuestring);
      snprintf(out->locale, sizeof out->locale, "en");
      if (loc) {
        size_t n = cJSON_IsString(loc) ? strlen(loc->valuestring) : 0;
        int ok = n >= 2 && n <= PA_PUSH_LOCALE_MAX;
        for (size_t i = 0; ok && i < n; i++) {
          char c = loc->valuestring[i];
          ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-';
        }
        if (ok)
          memcpy(out->locale, loc->valuestring, n + 1);
        else
          rc = fail(err, errlen, "locale");
      }
    }
  }
  cJSON_Delete(j);
  if (rc) memset(out, 0, sizeof *out);
  return rc;
}
