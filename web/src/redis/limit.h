/* pa_redis_limit — rate-limit buckets kept in Redis, so every process of a
 * cluster charges the same bucket (limit.h calls this first and falls back
 * to its own tables when Redis is off or fails).
 *
 * A charge is one Lua script (EVALSHA, EVAL again when Redis lost the
 * script): a token bucket of the purpose's burst refilling over its window,
 * timed by Redis's own clock (TIME), so the processes' clocks never disagree
 * about a bucket. The bucket's key is pa:lim:<purpose>:<hex>, hex a keyed
 * BLAKE2b hash of the key (an address, an account) under a key the cluster
 * shares in Redis (pa:limit:key, set once by whichever process comes first,
 * and checked by the script at every charge: when Redis lost it, the first
 * process to notice sets a new one and every process reads that): no address
 * or e-mail is stored in Redis, and nobody outside can aim keys at each other. A bucket expires
 * (PEXPIRE) a window after its last charge, when it has refilled and says nothing a fresh one would
 * not. */
#ifndef PA_REDIS_LIMIT_H
#define PA_REDIS_LIMIT_H

#include <stddef.h>

enum {
  PA_REDIS_LIMIT_KEY_BYTES = 32,  /* the cluster's hash key */
  PA_REDIS_LIMIT_HASH_BYTES = 16, /* of a bucket's name: 32 hex characters */
  PA_REDIS_LIMIT_PURPOSE_MAX = 32 /* bytes of a purpose's name, with its NUL */
};

/* Charges one request of purpose (its name, e.g. "login_addr") by key (len
 * bytes) in a bucket of burst tokens refilling in window_s seconds: 0 with
 * *wait 0 (go ahead) or the whole seconds (>= 1) to wait; -1 when Redis is
 * off, down or answered nonsense (logged once per burst of failures), and
 * the caller decides alone. */
int pa_redis_limit_charge(const char *purpose, const void *key, size_t len, int burst, int window_s,
                          int *wait);

#endif
