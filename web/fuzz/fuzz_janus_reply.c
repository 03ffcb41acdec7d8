/* libFuzzer target: the Janus client's parsers of bytes it does not control
 * (web/src/janus/parse.c). First byte even: a reply body from Janus's HTTP
 * transport (pa_janus_reply_parse); odd: PA_JANUS's value
 * (pa_janus_config_parse, an operator's text that ends up in the CSP header
 * and in URLs). Invariants: a reply is OK or EPROTO; on OK its verb is a
 * NUL-terminated non-empty string, its reason NUL-terminated, plugindata
 * (when set) is JSON text that parses to an object; on EPROTO nothing is
 * set. A configuration is 1 or -1; on 1 there are 1..PA_JANUS_MAX_INSTANCES
 * instances with names of [a-z0-9] unique and found by pa_janus_find, URLs
 * NUL-terminated without space, quote, comma or semicolon and with the right
 * schemes; on -1 the reason is said. */
#include "fuzz_check.h"
#include "janus/janus.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_url(const char *u, const char *a, const char *b) {
  ASSERT(strncmp(u, a, strlen(a)) == 0 || strncmp(u, b, strlen(b)) == 0);
  ASSERT(strpbrk(u, " \t\"';,\\") == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const char *body = (const char *)data + 1;
  size_t len = size - 1;
  if ((data[0] & 1) == 0) {
    pa_janus_reply r;
    int rc = pa_janus_reply_parse(body, len, &r);
    ASSERT(rc == PA_JANUS_OK || rc == PA_JANUS_EPROTO);
    TERMINATED(r.janus);
    TERMINATED(r.err_reason);
    if (rc == PA_JANUS_OK) {
      ASSERT(r.janus[0] != 0);
      ASSERT(r.err_code >= 0);
      if (r.plugindata) {
        cJSON *j = cJSON_Parse(r.plugindata);
        ASSERT(cJSON_IsObject(j));
        cJSON_Delete(j);
      }
    } else {
      ASSERT(r.janus[0] == 0 && r.plugindata == NULL && r.id == 0 && r.err_code == 0);
    }
    pa_janus_reply_free(&r);
    ASSERT(r.plugindata == NULL);
    return 0;
  }
  static char spec[8192];
  if (len >= sizeof spec) return 0;
  memcpy(spec, body, len);
  spec[len] = 0;
  static pa_janus_config cfg;
  char err[256] = "";
  int rc = pa_janus_config_parse(spec, &cfg, err, sizeof err);
  ASSERT(rc == 1 || rc == -1);
  TERMINATED(err);
  if (rc == -1) {
    ASSERT(err[0] != 0);
    return 0;
  }
  ASSERT(cfg.count >= 1 && cfg.count <= PA_JANUS_MAX_INSTANCES);
  for (int i = 0; i < cfg.count; i++) {
    const pa_janus_instance *in = &cfg.inst[i];
    TERMINATED(in->name);
    TERMINATED(in->http_url);
    TERMINATED(in->ws_url);
    ASSERT(in->name[0] != 0 &&
           strspn(in->name, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(in->name));
    ASSERT(pa_janus_find(&cfg, in->name) == i);
    check_url(in->http_url, "http://", "https://");
    check_url(in->ws_url, "ws://", "wss://");
  }
  return 0;
}
