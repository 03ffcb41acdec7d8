/* pa_bus — wake-ups between the processes of a cluster over Redis pub/sub.
 * pub/sub only wakes; what it announces is always stored (rows, sequenced
 * and acknowledged) or ephemeral (typing), so a lost message loses nothing
 * durable. Channels are named in CONTRACT's list (Redis name pa:bus:<channel>). */
#ifndef PA_BUS_H
#define PA_BUS_H

#include <stddef.h>

enum { PA_BUS_CHANNEL_MAX = 96, PA_BUS_PAYLOAD_MAX = 64 * 1024, PA_BUS_HANDLERS_MAX = 32 };

typedef void (*pa_bus_fn)(void *ctx, const char *channel, const char *payload, size_t len);

/* Before pa_bus_start: fn(ctx, ...) runs for every message from another process on a channel
 * starting with prefix (kept by pointer: a string literal). 0, or -1 (full, or started). */
int pa_bus_on(const char *prefix, pa_bus_fn fn, void *ctx);
/* Before pa_bus_start: fn(ctx) runs after every re-subscribe that follows a gap (messages may have
 * been lost: act as if every channel had a message). 0, or -1 (full, or started). */
int pa_bus_on_resync(void (*fn)(void *ctx), void *ctx);
/* With Redis: subscribes (PSUBSCRIBE pa:bus:*) and starts the subscriber thread; without, does
 * nothing. 0, or -1 with a message in err. */
int pa_bus_start(char *err, size_t errlen);
/* Ends the subscriber thread (its blocked read too); handlers have returned when this does. */
void pa_bus_stop(void);
/* Reaches the OTHER processes only (the caller has already acted for its own); a no-op without
 * Redis. 0, or -1 (logged: a bad channel, a payload over PA_BUS_PAYLOAD_MAX, Redis down).
 * Handlers run on the subscriber thread: post to sockets or wake workers, never block. */
int pa_bus_publish(const char *channel, const char *payload, size_t len);

#endif
