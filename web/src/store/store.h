/* pa_store — the server's data, behind typed functions per resource.
 *
 * Handlers (api/) and the rest of the server reach the database only through
 * the pa_store_* functions declared in store/<resource>.h; no SQL and no database
 * library type appears outside store/sqlite/ (a test greps for it). The
 * interface is written so that a second implementation (PostgreSQL) can sit
 * beside the SQLite one: integers and strings in and out, times as integer
 * seconds passed by the caller, ids returned by the insert itself.
 *
 * Conventions, the same in every store/<resource>.h:
 *  - One pa_store is one connection, used by one thread at a time.
 *  - Every function returns PA_STORE_OK or a negative PA_STORE_E* code and
 *    records a message that pa_store_errmsg gives back (never a secret or a
 *    message body: only what was attempted and the database's words).
 *  - A lookup of one row that finds none returns PA_STORE_ENOTFOUND; an insert
 *    that a uniqueness rule refuses returns PA_STORE_ECONFLICT.
 *  - Strings in a struct passed to a callback (..._fn) are valid only during
 *    the call; strings written to caller-owned arrays are NUL-terminated and
 *    cut to the documented size.
 *  - Lists are walked newest first in pages: `after` is the position to
 *    continue after (NULL for the first page), `limit` the rows wanted;
 *    *next is the position of the last row passed to the callback and *more
 *    says whether another page exists. A callback returning non-zero stops
 *    the walk, and the function returns PA_STORE_EABORT. */
#ifndef PA_STORE_H
#define PA_STORE_H

#include <stddef.h>
#include <stdint.h>

enum {
  PA_STORE_OK = 0,
  PA_STORE_EINVAL = -1, /* bad argument, e.g. a malformed cursor */
  PA_STORE_EDB = -2,    /* the database failed (pa_store_errmsg says how) */
  PA_STORE_ENEWER = -3, /* the file was written by a newer server */
  PA_STORE_ENOMEM = -4,
  PA_STORE_EABORT = -5,    /* a callback asked to stop */
  PA_STORE_ENOTFOUND = -6, /* no such row */
  PA_STORE_ECONFLICT = -7  /* a uniqueness rule refused the write */
};

enum {
  PA_STORE_SCHEMA_VERSION = 45,
  PA_STORE_CURSOR_MAX = 128 /* bytes of an encoded cursor, with its NUL */
};

typedef struct pa_store pa_store;

/* Opens a connection: where is a postgresql:// (or postgres://) URI for
 * PostgreSQL, else the path of a SQLite file, opened (created when create is
 * non-zero) in WAL mode with foreign keys on. On success the caller closes *out with
 * pa_store_close; on failure *out is NULL and err holds a message. */
int pa_store_open(const char *where, int create, pa_store **out, char *err, size_t errlen);
void pa_store_close(pa_store *db);

/* Whether where names a PostgreSQL database (begins with postgresql:// or
 * postgres://, as libpq's URIs do, case and all) rather than a SQLite file:
 * how pa_store_open chooses, and what the server's PA_DATABASE_URL and the
 * port tool's --postgres must be. 0 for NULL and "". */
int pa_store_is_pg_url(const char *where);

/* Which database the connection is on: "sqlite" or "postgresql". */
const char *pa_store_kind(const pa_store *db);

/* The last error on this connection, for logs; never NULL. */
const char *pa_store_errmsg(const pa_store *db);
const char *pa_store_errstr(int rc);

/* Creates or upgrades the schema to PA_STORE_SCHEMA_VERSION. */
int pa_store_migrate(pa_store *db);

/* One round trip that touches no table (SELECT 1): PA_STORE_OK when the
 * database answers on this connection, else a code with the message. What
 * GET /api/v1/ready (a load balancer's health check) asks, so it stays cheap. */
int pa_store_ping(pa_store *db);

/* A write transaction (SQLite: BEGIN IMMEDIATE) / COMMIT / ROLLBACK, for
 * callers that group writes. */
int pa_store_begin(pa_store *db);
int pa_store_commit(pa_store *db);
int pa_store_rollback(pa_store *db);
/* Ends the open transaction: COMMIT when ok (ROLLBACK when that fails),
 * else ROLLBACK. PA_STORE_OK only when the writes were committed. */
int pa_store_end(pa_store *db, int ok);

/* A position in the feed: pages continue strictly after it. */
typedef struct pa_store_cursor {
  int64_t created_at, id;
} pa_store_cursor;

/* Writes the opaque text form (base64url, no padding) into out. */
void pa_store_cursor_encode(const pa_store_cursor *c, char out[PA_STORE_CURSOR_MAX]);
/* Accepts exactly what pa_store_cursor_encode writes; PA_STORE_EINVAL otherwise. */
int pa_store_cursor_decode(const char *text, pa_store_cursor *out);

/* The small records many lists share: who did something, and which pet.
 * avatar is a media hash and avatar_ext its extension, both NULL when there
 * is no avatar. plus_until: the person has Plus (the badge) until then
 * (users.plus_until, store/pay.h); compared with the clock by the caller, as
 * the feed's authors are, so every list of people says it alike. */
/* What a moderator made of a post or a comment (store/moderation.h):
 * posts.mod_state and comments.mod_state. */
enum {
  PA_STORE_MOD_SHOWN = 0,  /* as its author posted it */
  PA_STORE_MOD_HIDDEN = 1, /* listed to its author only, marked */
  PA_STORE_MOD_REMOVED = 2 /* listed to nobody; a post's images are gone */
};

typedef struct pa_store_person {
  int64_t id;
  const char *name, *avatar, *avatar_ext;
  int64_t plus_until;
} pa_store_person;

typedef struct pa_store_pet_ref {
  int64_t id;
  const char *name, *species, *avatar, *avatar_ext;
} pa_store_pet_ref;

#endif
