/* `petamigos-server redis ...` (cli.h). */
#include "redis/cli.h"

#include "redis/bus.h"
#include "redis/presence.h"
#include "redis/redis.h"
#include "redis/redis_internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
  CLI_HOLDS_MAX = 8,    /* --hold options of one listen */
  CHECK_WAIT_MS = 2000, /* check: how long a presence change may take to reach Redis */
  CHECK_POLL_MS = 20
};

static const char usage[] =
    "usage: petamigos-server redis check\n"
    "       petamigos-server redis listen [--echo] [--hold KEY=N]... PREFIX...\n"
    "       petamigos-server redis publish CHANNEL PAYLOAD\n"
    "       petamigos-server redis count KEY\n"
    "       petamigos-server redis parse URL...   (no connection: ok or the reason, a line each)\n"
    "  reads PA_REDIS_URL (redis://HOST:PORT[/DB] or unix:/path/redis.sock) as the server does\n";

static pthread_mutex_t g_out = PTHREAD_MUTEX_INITIALIZER;

static void say(const char *fmt, const char *a, const char *b) {
  pthread_mutex_lock(&g_out);
  printf(fmt, a, b);
  fflush(stdout);
  pthread_mutex_unlock(&g_out);
}

static int init(void) {
  char err[512];
  const char *url = getenv("PA_REDIS_URL");
  if (!url || !*url) {
    fprintf(stderr, "petamigos-server redis: PA_REDIS_URL is not set (the server runs alone)\n");
    return PA_REDIS_CLI_NOT_SET;
  }
  int rc = pa_redis_init(url, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "petamigos-server redis: %s\n", err);
    return rc == -1 ? PA_REDIS_CLI_USAGE : PA_REDIS_CLI_FAIL;
  }
  return PA_REDIS_CLI_OK;
}

static int check(void) {
  char err[512], token[33], channel[64];
  unsigned char raw[16];
  printf("ping: ok\n");
  /* Round trip: a second connection subscribes, this thread's publishes. */
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(token, sizeof token, raw, sizeof raw);
  snprintf(channel, sizeof channel, "pa:check:%s", pa_redis_node());
  redisContext *sub = pa_redis_connect(PA_REDIS_TIMEOUT_MS, err, sizeof err);
  if (!sub) {
    printf("pubsub: FAIL %s\n", err);
    return PA_REDIS_CLI_FAIL;
  }
  int ok = 0;
  redisReply *r = redisCommand(sub, "SUBSCRIBE %s", channel);
  if (r && r->type == REDIS_REPLY_ARRAY) {
    freeReplyObject(r);
    r = pa_redis_cmd("check publish", "PUBLISH %s %s", channel, token);
    long long receivers = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (r) freeReplyObject(r);
    void *m = NULL;
    if (receivers == 1 && redisGetReply(sub, &m) == REDIS_OK) {
      redisReply *msg = m;
      ok = msg->type == REDIS_REPLY_ARRAY && msg->elements == 3 &&
           msg->element[2]->type == REDIS_REPLY_STRING && strcmp(msg->element[2]->str, token) == 0;
      freeReplyObject(msg);
    }
  } else if (r) {
    freeReplyObject(r);
  }
  if (!ok)
    snprintf(err, sizeof err, "%s", sub->err ? sub->errstr : "the message did not come back");
  redisFree(sub);
  if (!ok) {
    printf("pubsub: FAIL %s\n", err);
    return PA_REDIS_CLI_FAIL;
  }
  printf("pubsub: ok\n");
  /* Presence: this process's report reaches Redis; counted as own, then withdrawn. */
  char key[PA_PRESENCE_KEY_MAX];
  snprintf(key, sizeof key, "check:%.40s", pa_redis_node());
  if (pa_presence_start(err, sizeof err) != 0) {
    printf("presence: FAIL %s\n", err);
    return PA_REDIS_CLI_FAIL;
  }
  pa_presence_add(key, 2);
  long n = pa_presence_count(key);
  /* The reporting thread writes the change at once: in Redis within the bound. */
  int reported = 0;
  for (int i = 0; i < CHECK_WAIT_MS / CHECK_POLL_MS && !reported; i++) {
    redisReply *h = pa_redis_cmd("check presence", "HGET pa:pres:node:%s %s", pa_redis_node(), key);
    reported = h && h->type == REDIS_REPLY_STRING && strcmp(h->str, "2") == 0;
    if (h) freeReplyObject(h);
    if (!reported) nanosleep(&(struct timespec){0, CHECK_POLL_MS * 1000000L}, NULL);
  }
  pa_presence_add(key, -2);
  pa_presence_stop();
  if (n != 2 || !reported) {
    printf("presence: FAIL counted %ld (2 expected), %s\n", n,
           reported ? "reported" : "not in Redis after 2 s");
    return PA_REDIS_CLI_FAIL;
  }
  printf("presence: ok\n");
  return PA_REDIS_CLI_OK;
}

static int g_echo;

static void on_message(void *ctx, const char *channel, const char *payload, size_t len) {
  (void)ctx;
  /* Tests send short printable text; anything else is shown by its length. */
  char text[256];
  int printable = len < sizeof text;
  for (size_t i = 0; printable && i < len; i++)
    printable = (unsigned char)payload[i] >= ' ' && (unsigned char)payload[i] < 0x7f;
  if (printable) {
    memcpy(text, payload, len);
    text[len] = 0;
  } else {
    snprintf(text, sizeof text, "(%zu bytes)", len);
  }
  say("message %s %s\n", channel, text);
  if (g_echo) {
    char echo[PA_BUS_CHANNEL_MAX + 8];
    snprintf(echo, sizeof echo, "%s.echo", channel);
    if (strlen(echo) < PA_BUS_CHANNEL_MAX) pa_bus_publish(echo, payload, len);
  }
}

static void on_resync(void *ctx) {
  (void)ctx;
  say("resync%s%s\n", "", "");
}

static int listen_cmd(int argc, char **argv) {
  const char *holds[CLI_HOLDS_MAX];
  int counts[CLI_HOLDS_MAX], n_holds = 0, n_prefixes = 0;
  char keys[CLI_HOLDS_MAX][PA_PRESENCE_KEY_MAX];
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--echo") == 0) {
      g_echo = 1;
    } else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc && n_holds < CLI_HOLDS_MAX) {
      const char *eq = strchr(argv[++i], '=');
      char *end;
      errno = 0;
      long v = eq ? strtol(eq + 1, &end, 10) : 0;
      if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= PA_PRESENCE_KEY_MAX || errno || *end ||
          v < 1 || v > 1000000) {
        fprintf(stderr, "petamigos-server redis: --hold needs KEY=N (N 1..1000000)\n");
        return PA_REDIS_CLI_USAGE;
      }
      memcpy(keys[n_holds], argv[i], (size_t)(eq - argv[i]));
      keys[n_holds][eq - argv[i]] = 0;
      holds[n_holds] = keys[n_holds];
      counts[n_holds++] = (int)v;
    } else if (argv[i][0] == '-') {
      fputs(usage, stderr);
      return PA_REDIS_CLI_USAGE;
    } else if (pa_bus_on(argv[i], on_message, NULL) != 0) {
      fprintf(stderr, "petamigos-server redis: at most %d prefixes\n", PA_BUS_HANDLERS_MAX);
      return PA_REDIS_CLI_USAGE;
    } else {
      n_prefixes++;
    }
  }
  if (n_prefixes == 0 && n_holds == 0) {
    fputs(usage, stderr);
    return PA_REDIS_CLI_USAGE;
  }
  int rc = init();
  if (rc != PA_REDIS_CLI_OK) return rc;
  pa_bus_on_resync(on_resync, NULL);
  /* Only sigwait below sees the stop signals: the threads inherit the mask. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  char err[512];
  if (pa_bus_start(err, sizeof err) != 0 || pa_presence_start(err, sizeof err) != 0) {
    fprintf(stderr, "petamigos-server redis: %s\n", err);
    pa_bus_stop();
    pa_redis_shutdown();
    return PA_REDIS_CLI_FAIL;
  }
  for (int i = 0; i < n_holds; i++) pa_presence_add(holds[i], counts[i]);
  say("listening %s%s\n", pa_redis_node(), "");
  int sig;
  while (sigwait(&stop, &sig) != 0) {
  }
  pa_presence_stop();
  pa_bus_stop();
  for (int i = 0; i < n_holds; i++) pa_presence_add(holds[i], -counts[i]);
  pa_redis_shutdown();
  return PA_REDIS_CLI_OK;
}

int pa_redis_cli(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? PA_REDIS_CLI_USAGE : PA_REDIS_CLI_OK;
  }
  if (sodium_init() < 0) return PA_REDIS_CLI_FAIL;
  const char *cmd = argv[1];
  int rc;
  if (strcmp(cmd, "listen") == 0) return listen_cmd(argc - 1, argv + 1);
  if (strcmp(cmd, "parse") == 0 && argc > 2) {
    /* Many URLs through one process: the parser's rules without a start-up each. */
    for (int i = 2; i < argc; i++) {
      pa_redis_url u;
      char err[256];
      if (pa_redis_url_parse(argv[i], &u, err, sizeof err) == 0)
        printf("ok %s %d %s %d\n", u.host[0] ? u.host : "-", u.port, u.path[0] ? u.path : "-",
               u.db);
      else
        printf("error %s\n", err);
    }
    return PA_REDIS_CLI_OK;
  }
  if (strcmp(cmd, "check") == 0 && argc == 2) {
    if ((rc = init()) == PA_REDIS_CLI_OK) rc = check();
  } else if (strcmp(cmd, "publish") == 0 && argc == 4) {
    if ((rc = init()) == PA_REDIS_CLI_OK) {
      rc = pa_bus_publish(argv[2], argv[3], strlen(argv[3])) == 0 ? PA_REDIS_CLI_OK
                                                                  : PA_REDIS_CLI_FAIL;
      printf(rc == PA_REDIS_CLI_OK ? "published\n" : "not published (logged)\n");
    }
  } else if (strcmp(cmd, "count") == 0 && argc == 3) {
    if ((rc = init()) == PA_REDIS_CLI_OK) {
      char err[512];
      if (pa_presence_start(err, sizeof err) != 0) {
        fprintf(stderr, "petamigos-server redis: %s\n", err);
        rc = PA_REDIS_CLI_FAIL;
      } else {
        printf("%ld\n", pa_presence_count(argv[2]));
        pa_presence_stop();
      }
    }
  } else {
    fputs(usage, stderr);
    return PA_REDIS_CLI_USAGE;
  }
  pa_redis_shutdown();
  return rc;
}
