/* pa_janus_cli — see cli.h. */
#include "janus/cli.h"

#include "janus/janus.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: petamigos-server janus check\n"
    "  Checks every instance of PA_JANUS (with PA_JANUS_SECRET, PA_JANUS_ADMIN_KEY,\n"
    "  PA_JANUS_REC_DIR): GET /info, then a room created, listed and destroyed.\n"
    "  exit: 0 all pass, 1 a step failed, 2 usage or PA_JANUS malformed, 4 not set\n";

static int step(const char *inst, const char *what, int rc, const char *err) {
  if (rc >= 0)
    printf("%s %s: ok\n", inst, what);
  else
    printf("%s %s: FAILED (%s: %s)\n", inst, what, pa_janus_errstr(rc), err);
  fflush(stdout);
  return rc >= 0;
}

int pa_janus_cli(int argc, char **argv) {
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(usage, stdout);
    return PA_JANUS_CLI_OK;
  }
  if (argc != 2 || strcmp(argv[1], "check") != 0) {
    fputs(usage, stderr);
    return PA_JANUS_CLI_USAGE;
  }
  if (sodium_init() < 0) {
    fprintf(stderr, "petamigos-server: libsodium failed to initialise\n");
    return PA_JANUS_CLI_FAIL;
  }
  static pa_janus_config cfg; /* 5 KB: not on the stack */
  char err[512];
  int c = pa_janus_config_from_env(&cfg, err, sizeof err);
  if (c == 0) {
    fprintf(stderr, "petamigos-server: PA_JANUS is not set: live streaming is off\n");
    return PA_JANUS_CLI_NOT_SET;
  }
  if (c < 0) {
    fprintf(stderr, "petamigos-server: %s\n", err);
    return PA_JANUS_CLI_USAGE;
  }
  int ok = 1;
  for (int i = 0; i < cfg.count; i++) {
    const char *name = cfg.inst[i].name;
    err[0] = 0;
    if (!step(name, "info", pa_janus_info(&cfg, i, err, sizeof err), err)) {
      ok = 0;
      continue;
    }
    unsigned char raw[16];
    char secret[33];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(secret, sizeof secret, raw, sizeof raw);
    pa_janus_room_spec spec = {pa_janus_random_id(), secret, 256000, NULL};
    char what[64];
    snprintf(what, sizeof what, "room %" PRIu64 " create", spec.room);
    if (!step(name, what, pa_janus_room_create(&cfg, i, &spec, err, sizeof err), err)) {
      ok = 0;
      continue;
    }
    uint64_t ids[1];
    int n = pa_janus_room_publishers(&cfg, i, spec.room, ids, 1, err, sizeof err);
    snprintf(what, sizeof what, "room %" PRIu64 " exists (%d publishers)", spec.room,
             n < 0 ? 0 : n);
    ok &= step(name, what, n, err);
    snprintf(what, sizeof what, "room %" PRIu64 " destroy", spec.room);
    ok &= step(name, what, pa_janus_room_destroy(&cfg, i, spec.room, secret, err, sizeof err), err);
    n = pa_janus_room_publishers(&cfg, i, spec.room, ids, 1, err, sizeof err);
    snprintf(what, sizeof what, "room %" PRIu64 " gone", spec.room);
    if (n == PA_JANUS_ENOROOM) {
      step(name, what, 0, "");
    } else {
      step(name, what, n >= 0 ? PA_JANUS_EPROTO : n, n >= 0 ? "the room is still listed" : err);
      ok = 0;
    }
  }
  printf("%s\n", ok ? "janus check: ok" : "janus check: FAILED");
  return ok ? PA_JANUS_CLI_OK : PA_JANUS_CLI_FAIL;
}
