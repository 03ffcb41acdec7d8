/* pa_limit — token buckets in bounded per-purpose tables (see limit.h).
 *
 * A table is a fixed pool of buckets chained from a power-of-two array of
 * heads, keyed by the 64-bit keyed hash. A new key takes a free bucket; when
 * none is free, one pass over the table frees every bucket that has refilled
 * (it is the same as no bucket) and notes when the next one will, so a table
 * full of limiting buckets is not swept again before then.
 *
 * With Redis (PA_REDIS_URL) the buckets are the cluster's, in Redis
 * (redis/limit.h), with the same bursts and windows; the tables here decide
 * only when Redis fails, each process alone (and a full table's
 * fail-open/closed rule applies as always). */
#include "limit.h"

#include "log.h"
#include "redis/limit.h"
#include "redis/redis.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct bucket {
  uint64_t key;  /* keyed hash of the key */
  double tokens; /* as of at_ms */
  int64_t at_ms;
  int32_t next; /* next in the chain or the free list; -1 ends */
} bucket;

typedef struct table {
  pthread_mutex_t lock;
  bucket *b;
  int32_t *heads;
  uint32_t mask;     /* heads - 1 */
  int32_t free;      /* first free bucket, -1 when none */
  int64_t sweep_ms;  /* no bucket refills before this (a lower bound): do not sweep sooner */
  int full;          /* the last sweep freed nothing (logged once per spell) */
  int burst, window; /* tokens, seconds in which they all come back */
  double per_ms;     /* tokens back per millisecond */
} table;

typedef struct purpose_def {
  const char *name;
  int burst, window, slots;
  int open; /* let new keys through when the table is full of limiting buckets */
} purpose_def;

static const purpose_def defs[PA_LIMIT_PURPOSES] = {
    [PA_LIMIT_LOGIN_ADDR] = {"login_addr", PA_LIMIT_LOGIN_ADDR_BURST, PA_LIMIT_LOGIN_ADDR_WINDOW,
                             PA_LIMIT_LOGIN_ADDR_SLOTS, 0},
    [PA_LIMIT_LOGIN_ACCOUNT] = {"login_account", PA_LIMIT_LOGIN_ACCOUNT_BURST,
                                PA_LIMIT_LOGIN_ACCOUNT_WINDOW, PA_LIMIT_LOGIN_ACCOUNT_SLOTS, 0},
    [PA_LIMIT_SIGNUP_ADDR] = {"signup_addr", PA_LIMIT_SIGNUP_ADDR_BURST,
                              PA_LIMIT_SIGNUP_ADDR_WINDOW, PA_LIMIT_SIGNUP_ADDR_SLOTS, 0},
    [PA_LIMIT_PASSWORD] = {"password", PA_LIMIT_PASSWORD_BURST, PA_LIMIT_PASSWORD_WINDOW,
                           PA_LIMIT_PASSWORD_SLOTS, 0},
    [PA_LIMIT_CHAT_BUNDLE] = {"chat_bundle", PA_LIMIT_CHAT_BUNDLE_BURST,
                              PA_LIMIT_CHAT_BUNDLE_WINDOW, PA_LIMIT_CHAT_BUNDLE_SLOTS, 0},
    [PA_LIMIT_SIGNOUT] = {"signout", PA_LIMIT_SIGNOUT_BURST, PA_LIMIT_SIGNOUT_WINDOW,
                          PA_LIMIT_SIGNOUT_SLOTS, 1},
    [PA_LIMIT_WRITE] = {"write", PA_LIMIT_WRITE_BURST, PA_LIMIT_WRITE_WINDOW, PA_LIMIT_WRITE_SLOTS,
                        1},
    [PA_LIMIT_UPLOAD] = {"upload", PA_LIMIT_UPLOAD_BURST, PA_LIMIT_UPLOAD_WINDOW,
                         PA_LIMIT_UPLOAD_SLOTS, 1},
    [PA_LIMIT_SEARCH] = {"search", PA_LIMIT_SEARCH_BURST, PA_LIMIT_SEARCH_WINDOW,
                         PA_LIMIT_SEARCH_SLOTS, 1},
    [PA_LIMIT_CANDIDATES] = {"candidates", PA_LIMIT_CANDIDATES_BURST, PA_LIMIT_CANDIDATES_WINDOW,
                             PA_LIMIT_CANDIDATES_SLOTS, 1},
    [PA_LIMIT_BILLING] = {"billing", PA_LIMIT_BILLING_BURST, PA_LIMIT_BILLING_WINDOW,
                          PA_LIMIT_BILLING_SLOTS, 0},
    [PA_LIMIT_MAIL_ADDR] = {"mail_addr", PA_LIMIT_MAIL_ADDR_BURST, PA_LIMIT_MAIL_ADDR_WINDOW,
                            PA_LIMIT_MAIL_ADDR_SLOTS, 0},
    [PA_LIMIT_MAIL_ACCOUNT] = {"mail_account", PA_LIMIT_MAIL_ACCOUNT_BURST,
                               PA_LIMIT_MAIL_ACCOUNT_WINDOW, PA_LIMIT_MAIL_ACCOUNT_SLOTS, 0},
    [PA_LIMIT_REPORT] = {"report", PA_LIMIT_REPORT_BURST, PA_LIMIT_REPORT_WINDOW,
                         PA_LIMIT_REPORT_SLOTS, 0},
    [PA_LIMIT_TOTP] = {"totp", PA_LIMIT_TOTP_BURST, PA_LIMIT_TOTP_WINDOW, PA_LIMIT_TOTP_SLOTS, 0},
    [PA_LIMIT_EXPORT] = {"export", PA_LIMIT_EXPORT_BURST, PA_LIMIT_EXPORT_WINDOW,
                         PA_LIMIT_EXPORT_SLOTS, 1},
    [PA_LIMIT_AD_EVENTS] = {"ad_events", PA_LIMIT_AD_EVENTS_BURST, PA_LIMIT_AD_EVENTS_WINDOW,
                            PA_LIMIT_AD_EVENTS_SLOTS, 1},
    [PA_LIMIT_CHAT_LINK] = {"chat_link", PA_LIMIT_CHAT_LINK_BURST, PA_LIMIT_CHAT_LINK_WINDOW,
                            PA_LIMIT_CHAT_LINK_SLOTS, 0},
    [PA_LIMIT_HELP_ASK] = {"help_ask", PA_LIMIT_HELP_ASK_BURST, PA_LIMIT_HELP_ASK_WINDOW,
                           PA_LIMIT_HELP_ASK_SLOTS, 0},
    [PA_LIMIT_SUPPORT] = {"support", PA_LIMIT_SUPPORT_BURST, PA_LIMIT_SUPPORT_WINDOW,
                          PA_LIMIT_SUPPORT_SLOTS, 0},
    [PA_LIMIT_LIVE_START] = {"live_start", PA_LIMIT_LIVE_START_BURST, PA_LIMIT_LIVE_START_WINDOW,
                             PA_LIMIT_LIVE_START_SLOTS, 0},
    [PA_LIMIT_LIVE_COMMENT] = {"live_comment", PA_LIMIT_LIVE_COMMENT_BURST,
                               PA_LIMIT_LIVE_COMMENT_WINDOW, PA_LIMIT_LIVE_COMMENT_SLOTS, 0},
    [PA_LIMIT_LIVE_HEART] = {"live_heart", PA_LIMIT_LIVE_HEART_BURST, PA_LIMIT_LIVE_HEART_WINDOW,
                             PA_LIMIT_LIVE_HEART_SLOTS, 0},
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;
static unsigned char hash_key[crypto_shorthash_KEYBYTES];
/* Set up once under `once`; afterwards only the buckets change, under each lock. */
static table tables[PA_LIMIT_PURPOSES];

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* PA_LIMIT_<NAME>_<what> into *v when set; -1 when set but not 1..PA_LIMIT_ENV_MAX. */
static int env_int(const char *name, const char *what, int *v) {
  char var[64], upper[32];
  size_t i = 0;
  for (; name[i] && i + 1 < sizeof upper; i++)
    upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
  upper[i] = '\0';
  snprintf(var, sizeof var, "PA_LIMIT_%s_%s", upper, what);
  const char *s = getenv(var);
  if (!s) return 0;
  long n = 0;
  const char *p = s;
  for (; *p >= '0' && *p <= '9' && n <= PA_LIMIT_ENV_MAX; p++) n = n * 10 + (*p - '0');
  if (p == s || *p || n < 1 || n > PA_LIMIT_ENV_MAX) {
    pa_log_event("warn", "limit", "ignoring %s: not a whole number from 1 to %d", var,
                 PA_LIMIT_ENV_MAX);
    return -1;
  }
  *v = (int)n;
  return 0;
}

static void setup(void) {
  randombytes_buf(hash_key, sizeof hash_key);
  for (int p = 1; p < PA_LIMIT_PURPOSES; p++) {
    const purpose_def *d = &defs[p];
    table *t = &tables[p];
    int burst = d->burst, slots = d->slots, window = d->window;
    init_rc |= env_int(d->name, "BURST", &burst);
    init_rc |= env_int(d->name, "WINDOW", &window);
    init_rc |= env_int(d->name, "SLOTS", &slots);
    uint32_t heads = 1;
    while (heads < (uint32_t)slots) heads <<= 1;
    pthread_mutex_init(&t->lock, NULL);
    t->b = calloc((size_t)slots, sizeof *t->b);
    t->heads = malloc(heads * sizeof *t->heads);
    if (!t->b || !t->heads) {
      /* Without memory the table holds nothing: every key finds it full. */
      free(t->b);
      free(t->heads);
      t->b = NULL;
      t->heads = NULL;
      t->free = -1;
      init_rc = -1;
      pa_log_event("error", "limit", "out of memory for the %s table", d->name);
    } else {
      for (uint32_t i = 0; i < heads; i++) t->heads[i] = -1;
      for (int i = 0; i < slots; i++) t->b[i].next = i + 1 < slots ? i + 1 : -1;
      t->free = 0;
    }
    t->mask = heads - 1;
    t->burst = burst;
    t->window = window;
    t->per_ms = (double)burst / ((double)window * 1000.0);
  }
}

int pa_limit_init(void) {
  pthread_once(&once, setup);
  return init_rc;
}

/* The bucket's tokens as of now (not stored). */
static double tokens_now(const table *t, const bucket *b, int64_t now) {
  double v = b->tokens + (double)(now > b->at_ms ? now - b->at_ms : 0) * t->per_ms;
  return v > t->burst ? t->burst : v;
}

/* When b will be full again. */
static int64_t full_at(const table *t, const bucket *b) {
  return b->at_ms + (int64_t)((t->burst - b->tokens) / t->per_ms) + 1;
}

/* Frees every refilled bucket; the earliest refill of the rest goes to
 * t->sweep_ms. Returns how many were freed. */
static int sweep(table *t, int64_t now) {
  int freed = 0;
  int64_t next = INT64_MAX;
  for (uint32_t h = 0; h <= t->mask; h++) {
    for (int32_t *link = &t->heads[h]; *link >= 0;) {
      bucket *b = &t->b[*link];
      if (tokens_now(t, b, now) >= t->burst) {
        int32_t i = *link;
        *link = b->next;
        b->next = t->free;
        t->free = i;
        freed++;
      } else {
        int64_t at = full_at(t, b);
        if (at < next) next = at;
        link = &b->next;
      }
    }
  }
  t->sweep_ms = next;
  return freed;
}

/* Seconds until now + ms, rounded up, at least 1. */
static int seconds(double ms) {
  double s = ms / 1000.0;
  int w = (int)s;
  if (w < s) w++;
  return w < 1 ? 1 : w;
}

int pa_limit_charge(pa_limit_purpose purpose, const void *key, size_t len) {
  if (purpose <= PA_LIMIT_NONE || purpose >= PA_LIMIT_PURPOSES) return 0;
  pa_limit_init();
  table *t = &tables[purpose];
  int shared = 0;
  if (pa_redis_enabled() &&
      pa_redis_limit_charge(defs[purpose].name, key, len, t->burst, t->window, &shared) == 0)
    return shared;
  unsigned char out[crypto_shorthash_BYTES];
  uint64_t h;
  crypto_shorthash(out, key, len, hash_key);
  memcpy(&h, out, sizeof h);
  int64_t now = now_ms();
  int wait = 0;
  pthread_mutex_lock(&t->lock);
  bucket *b = NULL;
  if (t->heads)
    for (int32_t i = t->heads[h & t->mask]; i >= 0 && !b; i = t->b[i].next)
      if (t->b[i].key == h) b = &t->b[i];
  if (!b && t->free < 0 && t->heads && now >= t->sweep_ms) {
    int freed = sweep(t, now);
    if (!freed && !t->full)
      pa_log_event("warn", "limit", "the %s table is full of limiting buckets; new keys are %s",
                   defs[purpose].name, defs[purpose].open ? "let through" : "refused");
    t->full = !freed;
  }
  if (!b && t->free >= 0) {
    int32_t i = t->free;
    b = &t->b[i];
    t->free = b->next;
    b->key = h;
    b->tokens = t->burst;
    b->at_ms = now;
    b->next = t->heads[h & t->mask];
    t->heads[h & t->mask] = i;
  }
  if (!b) {
    /* Full of limiting buckets, so this key is not remembered: a closed
     * purpose refuses it until the first bucket refills, an open one lets it
     * through. */
    if (!defs[purpose].open)
      wait = seconds(t->heads && t->sweep_ms < INT64_MAX ? (double)(t->sweep_ms - now) : 1000.0);
  } else {
    b->tokens = tokens_now(t, b, now);
    b->at_ms = now > b->at_ms ? now : b->at_ms;
    if (b->tokens >= 1.0)
      b->tokens -= 1.0;
    else
      wait = seconds((1.0 - b->tokens) / t->per_ms);
    /* Charging only delays a bucket's refill, but a new one may refill
     * before every older one: sweep_ms stays the earliest it could be. */
    if (full_at(t, b) < t->sweep_ms) t->sweep_ms = full_at(t, b);
  }
  pthread_mutex_unlock(&t->lock);
  return wait;
}

void pa_limit_addr_key(const char *addr, char out[48]) {
  unsigned char a[16];
  const char *v4 = strncmp(addr, "::ffff:", 7) == 0 && strchr(addr + 7, '.') ? addr + 7 : addr;
  if (strchr(v4, ':') && inet_pton(AF_INET6, v4, a) == 1) {
    memset(a + 8, 0, 8);
    if (inet_ntop(AF_INET6, a, out, 48)) {
      size_t n = strlen(out);
      snprintf(out + n, 48 - n, "/64");
      return;
    }
  }
  snprintf(out, 48, "%s", v4);
}

const char *pa_limit_purpose_name(pa_limit_purpose purpose) {
  return purpose > PA_LIMIT_NONE && purpose < PA_LIMIT_PURPOSES && defs[purpose].name
             ? defs[purpose].name
             : "none";
}
