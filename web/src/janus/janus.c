/* pa_janus: stand-in bodies so other lanes can link while the client lands. */
#include "janus/janus.h"

#include <string.h>

const char *pa_janus_errstr(int rc) {
  switch (rc) {
  case PA_JANUS_OK: return "ok";
  case PA_JANUS_EDOWN: return "janus unreachable";
  case PA_JANUS_EREFUSED: return "janus refused";
  case PA_JANUS_ENOROOM: return "no such room";
  case PA_JANUS_EPROTO: return "malformed janus reply";
  case PA_JANUS_EINVAL: return "invalid argument";
  default: return "unknown";
  }
}

int pa_janus_config_from_env(pa_janus_config *cfg, char *err, size_t cap) {
  (void)err, (void)cap;
  memset(cfg, 0, sizeof *cfg);
  return 0;
}
int pa_janus_config_parse(const char *spec, pa_janus_config *cfg, char *err, size_t cap) {
  (void)spec, (void)cfg, (void)err, (void)cap;
  return -1;
}
int pa_janus_find(const pa_janus_config *cfg, const char *name) {
  for (int i = 0; i < cfg->count; i++)
    if (strcmp(cfg->inst[i].name, name) == 0) return i;
  return -1;
}
int pa_janus_token(const char *secret, int64_t expires_at, uint64_t room, char *out, size_t cap) {
  (void)secret, (void)expires_at, (void)room, (void)out, (void)cap;
  return -1;
}
uint64_t pa_janus_random_id(void) { return 1; }
int pa_janus_room_create(const pa_janus_config *cfg, int inst, const pa_janus_room_spec *spec,
                         char *err, size_t cap) {
  (void)cfg, (void)inst, (void)spec, (void)err, (void)cap;
  return PA_JANUS_EDOWN;
}
int pa_janus_room_destroy(const pa_janus_config *cfg, int inst, uint64_t room, const char *secret,
                          char *err, size_t cap) {
  (void)cfg, (void)inst, (void)room, (void)secret, (void)err, (void)cap;
  return PA_JANUS_EDOWN;
}
int pa_janus_room_publishers(const pa_janus_config *cfg, int inst, uint64_t room, uint64_t *ids,
                             int cap, char *err, size_t cap2) {
  (void)cfg, (void)inst, (void)room, (void)ids, (void)cap, (void)err, (void)cap2;
  return PA_JANUS_EDOWN;
}
int pa_janus_kick(const pa_janus_config *cfg, int inst, uint64_t room, const char *secret,
                  uint64_t participant, char *err, size_t cap) {
  (void)cfg, (void)inst, (void)room, (void)secret, (void)participant, (void)err, (void)cap;
  return PA_JANUS_EDOWN;
}
int pa_janus_info(const pa_janus_config *cfg, int inst, char *err, size_t cap) {
  (void)cfg, (void)inst, (void)err, (void)cap;
  return PA_JANUS_EDOWN;
}
int pa_janus_reply_parse(const char *body, size_t len, pa_janus_reply *out) {
  (void)body, (void)len;
  memset(out, 0, sizeof *out);
  return PA_JANUS_EPROTO;
}
void pa_janus_reply_free(pa_janus_reply *r) { (void)r; }
