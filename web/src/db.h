/* pa_db — the server's SQLite store: schema, inserts and the feed query.
 *
 * One pa_db wraps one SQLite connection and must be used by one thread at a
 * time. Every query is a prepared statement with bound parameters. Functions
 * return PA_DB_OK or a negative code; pa_db_errmsg says what went wrong. */
#ifndef PA_DB_H
#define PA_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

enum {
  PA_DB_OK = 0,
  PA_DB_EINVAL = -1, /* bad argument, e.g. a malformed cursor */
  PA_DB_ESQL = -2,   /* SQLite failed */
  PA_DB_ENEWER = -3, /* the file was written by a newer server */
  PA_DB_ENOMEM = -4,
  PA_DB_EABORT = -5 /* a callback asked to stop */
};

enum {
  PA_DB_SCHEMA_VERSION = 8,
  PA_DB_FEED_MAX = 50,   /* posts per page */
  PA_DB_MAX_IMAGES = 10, /* per post */
  PA_DB_ALT_MAX = 300,   /* bytes of alt text */
  PA_DB_CURSOR_MAX = 128 /* bytes of an encoded cursor, with its NUL */
};

typedef struct pa_db pa_db;

/* Opens (creating when create is non-zero) the database at path, in WAL mode
 * with foreign keys on. On success the caller closes *out with pa_db_close;
 * on failure *out is NULL and err holds a message. */
int pa_db_open(const char *path, int create, pa_db **out, char *err, size_t errlen);
void pa_db_close(pa_db *db);

/* The last error on this connection, for logs; never NULL. */
const char *pa_db_errmsg(const pa_db *db);
const char *pa_db_errstr(int rc);

/* Creates or upgrades the schema to PA_DB_SCHEMA_VERSION. */
int pa_db_migrate(pa_db *db);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK, for callers that batch writes. */
int pa_db_begin(pa_db *db);
int pa_db_commit(pa_db *db);
int pa_db_rollback(pa_db *db);
/* Ends the open transaction: COMMIT when ok (ROLLBACK when that fails),
 * else ROLLBACK. PA_DB_OK only when the writes were committed. */
int pa_db_end(pa_db *db, int ok);

int pa_db_post_count(pa_db *db, int64_t *out);

/* The connection, for the API handlers' own prepared statements. */
sqlite3 *pa_db_handle(pa_db *db);

/* A prepared statement for sql, kept for the connection's life and found
 * again by sql's address (pass string literals). Bind, step, then call
 * pa_db_done. NULL when SQLite refused (pa_db_errmsg says why). */
sqlite3_stmt *pa_db_stmt(pa_db *db, const char *sql);
/* Resets st and clears its bindings; st may be NULL. */
void pa_db_done(sqlite3_stmt *st);

/* Records SQLite's last message as what failed; returns PA_DB_ESQL or PA_DB_ENOMEM. */
int pa_db_sql_fail(pa_db *db, const char *what);

/* Runs one statement with up to 4 int64 parameters (?1..?4) to completion;
 * *changes (optional) gets the rows changed. */
int pa_db_exec_i64(pa_db *db, const char *sql, int n, const int64_t *args, int *changes);

/* The first column of the first row as an integer (*found 0 when no row). */
int pa_db_scalar_i64(pa_db *db, const char *sql, int n, const int64_t *args, int64_t *out,
                     int *found);

typedef struct pa_db_media {
  const char *hash; /* 64 lowercase hex digits */
  const char *ext;  /* "jpg" or "png" */
  int width, height;
  int64_t bytes, created_at;
  const char *thumbhash; /* base64 ThumbHash, or NULL */
} pa_db_media;

typedef struct pa_db_user {
  const char *handle, *name, *bio;
  const char *avatar; /* media hash, or NULL */
  int64_t created_at;
} pa_db_user;

typedef struct pa_db_pet {
  int64_t owner_id;
  const char *name, *species, *breed, *bio;
  const char *avatar; /* media hash, or NULL */
  int64_t created_at;
} pa_db_pet;

typedef struct pa_db_new_post {
  int64_t author_id, pet_id;
  const char *caption;
  int64_t like_count, comment_count, created_at;
  int64_t campaign_id; /* 0: not sponsored */
} pa_db_new_post;

/* Inserts; a media row that already exists is left as it is. */
int pa_db_media_add(pa_db *db, const pa_db_media *m);
int pa_db_user_add(pa_db *db, const pa_db_user *u, int64_t *id);
int pa_db_pet_add(pa_db *db, const pa_db_pet *p, int64_t *id);
/* Also records the post's first pet in post_pets and its #tags in post_tags. */
int pa_db_post_add(pa_db *db, const pa_db_new_post *p, int64_t *id);
int pa_db_post_pet_add(pa_db *db, int64_t post_id, int64_t pet_id);
int pa_db_post_image_add(pa_db *db, int64_t post_id, int position, const char *media_hash,
                         const char *alt);

/* A position in the feed: pages continue strictly after it. */
typedef struct pa_db_cursor {
  int64_t created_at, id;
} pa_db_cursor;

/* Writes the opaque text form (base64url, no padding) into out. */
void pa_db_cursor_encode(const pa_db_cursor *c, char out[PA_DB_CURSOR_MAX]);
/* Accepts exactly what pa_db_cursor_encode writes; PA_DB_EINVAL otherwise. */
int pa_db_cursor_decode(const char *text, pa_db_cursor *out);

typedef struct pa_db_image {
  const char *hash, *ext, *alt;
  int width, height;
  const char *thumbhash; /* NULL when the image has none */
} pa_db_image;

/* One feed row. Strings are valid only during the callback; avatar hashes
 * (and their ext) are NULL when there is no avatar. */
typedef struct pa_db_feed_post {
  int64_t id, created_at, like_count, comment_count;
  const char *caption;
  int64_t author_id;
  const char *author_name, *author_avatar, *author_avatar_ext;
  int64_t pet_id;
  const char *pet_name, *pet_species, *pet_avatar, *pet_avatar_ext;
  const pa_db_image *images;
  int image_count; /* 1..PA_DB_MAX_IMAGES: posts without images are not listed */
  int liked;       /* by the viewer */
  int sponsored;   /* the post belongs to an ad campaign */
} pa_db_feed_post;

/* Which posts a feed walk lists. */
typedef enum pa_db_feed_kind {
  PA_DB_FEED_ALL,
  PA_DB_FEED_FOLLOWING, /* by people the viewer follows, or showing pets they follow */
  PA_DB_FEED_AUTHOR,    /* by user `id` */
  PA_DB_FEED_PET,       /* showing pet `id` */
  PA_DB_FEED_ONE,       /* post `id` only */
  PA_DB_FEED_TAG        /* tagged `tag` */
} pa_db_feed_kind;

typedef struct pa_db_feed_query {
  pa_db_feed_kind kind;
  int64_t id;      /* for AUTHOR, PET, ONE */
  int64_t viewer;  /* signed-in user for `liked` and FOLLOWING; 0 for nobody */
  const char *tag; /* for TAG */
} pa_db_feed_query;

/* Returns non-zero to stop the walk (pa_db_feed then returns PA_DB_EABORT). */
typedef int (*pa_db_feed_fn)(void *ctx, const pa_db_feed_post *post);

/* Calls fn for up to limit (1..PA_DB_FEED_MAX) posts, newest first, after
 * `after` (NULL for the first page). *has_more says whether another page
 * exists; *next is the position of the last post passed to fn. */
int pa_db_feed(pa_db *db, const pa_db_cursor *after, int limit, pa_db_feed_fn fn, void *ctx,
               pa_db_cursor *next, int *has_more);
/* The same walk over the posts q selects. */
int pa_db_feed_where(pa_db *db, const pa_db_feed_query *q, const pa_db_cursor *after, int limit,
                     pa_db_feed_fn fn, void *ctx, pa_db_cursor *next, int *has_more);

#endif
