/* pa_presence — sockets the cluster holds under a key ("user:12",
 * "support:12", "live:5"). Own counts exact; other processes' as they last
 * reported (each reports every PA_PRESENCE_REFRESH_S, and each change at
 * once, and is forgotten PA_PRESENCE_TTL_S after its last report, e.g. when
 * killed). Without Redis: own counts. */
#ifndef PA_PRESENCE_H
#define PA_PRESENCE_H

#include <stddef.h>

enum { PA_PRESENCE_KEY_MAX = 64, PA_PRESENCE_REFRESH_S = 10, PA_PRESENCE_TTL_S = 30 };

/* With Redis: starts the thread that reports this process's counts; without, nothing.
 * 0, or -1 with a message in err. */
int pa_presence_start(char *err, size_t errlen);
/* Ends the reporting thread and withdraws this process's counts from Redis. */
void pa_presence_stop(void);
/* Adds delta to key's count here (a key longer than PA_PRESENCE_KEY_MAX - 1 bytes, or with
 * spaces or control bytes, is refused and logged). Any thread. */
void pa_presence_add(const char *key, int delta);
/* The cluster's total for key, >= 0; on a Redis error (or without Redis), this process's own. */
long pa_presence_count(const char *key);

#endif
