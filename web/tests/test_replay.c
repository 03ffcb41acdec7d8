/* The replay pipeline's named limits at their edges and its program runner
 * (live_replay.h): PA_REPLAY_MAX_BYTES (the last size kept, the first
 * refused), a program past its time limit killed with a message, one that
 * fails with its own last line in the message, one that cannot be found,
 * and pa_replay_cancel stopping a step at once. The pipeline itself runs on
 * real recordings in tests/server/live-replay.test.mjs. */
#include "live_replay.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char log_path[64];

static void test_size(void) {
  CHECK(PA_REPLAY_MAX_BYTES == 768LL * 1024 * 1024);
  CHECK(pa_replay_size_ok(PA_REPLAY_MAX_BYTES));
  CHECK(!pa_replay_size_ok(PA_REPLAY_MAX_BYTES + 1));
  CHECK(pa_replay_size_ok(0));
  CHECK(!pa_replay_size_ok(-1));
}

static void test_run(void) {
  char err[256] = "";
  const char *ok[] = {"true", NULL};
  CHECK(pa_replay_run(ok, log_path, 5, err, sizeof err) == 0);
  const char *fails[] = {"sh", "-c", "echo first; echo 'the reason\tand a tab' >&2; exit 3", NULL};
  CHECK(pa_replay_run(fails, log_path, 5, err, sizeof err) == -1);
  CHECK(strcmp(err, "sh failed (exit 3): the reason?and a tab") == 0);
  const char *missing[] = {"pa-no-such-program", NULL};
  CHECK(pa_replay_run(missing, log_path, 5, err, sizeof err) == -1);
  CHECK_CONTAINS(err, "pa-no-such-program");
  /* Past its limit: killed, and said so. */
  const char *slow[] = {"sleep", "30", NULL};
  CHECK(pa_replay_run(slow, log_path, 1, err, sizeof err) == -1);
  CHECK(strcmp(err, "sleep ran past 1 s and was stopped") == 0);
  /* The server stopping: killed at once, whatever the limit. */
  pa_replay_cancel(1);
  CHECK(pa_replay_run(slow, log_path, PA_REPLAY_STEP_S, err, sizeof err) == -1);
  CHECK(strcmp(err, "sleep was stopped: the server is stopping") == 0);
  pa_replay_cancel(0);
  CHECK(pa_replay_run(ok, log_path, 5, err, sizeof err) == 0);
}

int main(void) {
  snprintf(log_path, sizeof log_path, "/tmp/pa-test-replay-%ld.log", (long)getpid());
  RUN(test_size);
  RUN(test_run);
  unlink(log_path);
  return pa_test_summary("replay");
}
