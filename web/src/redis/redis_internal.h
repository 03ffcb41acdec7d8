/* Shared by the files of web/src/redis/ only: the connections behind
 * pa_redis_, and the one place hiredis is included. */
#ifndef PA_REDIS_INTERNAL_H
#define PA_REDIS_INTERNAL_H

#include "redis/wire.h"

#include <hiredis/hiredis.h>
#include <stddef.h>

/* The calling thread's connection, made (or made again PA_REDIS_RETRY_MS after a failure) when
 * needed; NULL when Redis is off or down (the failure is logged once per burst). Owned by the
 * thread: never freed by the caller. */
redisContext *pa_redis_ctx(void);
/* The calling thread's connection failed (an I/O or protocol error in c->err, or a reply that
 * makes no sense): logged once per burst with what was being done (no payloads), dropped,
 * tried again after PA_REDIS_RETRY_MS. */
void pa_redis_ctx_failed(const char *what);
/* A command on the calling thread's connection, like redisCommand; NULL when Redis is off or down
 * or the command failed (then logged and the connection dropped). A reply of type
 * REDIS_REPLY_ERROR is logged and freed: NULL too. The caller frees a reply with
 * freeReplyObject. */
redisReply *pa_redis_cmd(const char *what, const char *fmt, ...);
redisReply *pa_redis_cmd_argv(const char *what, int argc, const char **argv, const size_t *lens);

/* A new connection of its own (the subscriber's), database selected, every call bounded by
 * timeout_ms (0: reads block; writes and the connect are still bounded). NULL with a message
 * in err. The caller frees it with redisFree. */
redisContext *pa_redis_connect(int timeout_ms, char *err, size_t errlen);

/* Logs a failure of component once per burst (the first after a success); ok marks the end of a
 * burst (logging that Redis answers again). */
void pa_redis_note(const char *component, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The bus's subscriber is back after a gap (Redis may have restarted empty): presence reports its
 * whole table at once instead of at its next period. Any thread; does not block. */
void pa_presence_resynced(void);

#endif
