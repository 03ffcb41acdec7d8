/* pa_db — schema, inserts and the feed query over SQLite. */
#include "db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

struct pa_db {
  sqlite3 *h;
  sqlite3_stmt *feed, *images; /* prepared on first use, kept for the connection's life */
  char err[256];
};

/* Schema versions in order; migrations[i] takes user_version i to i + 1.
 * STRICT tables make SQLite enforce the declared types. */
static const char *const migrations[PA_DB_SCHEMA_VERSION] = {
    "CREATE TABLE media ("
    "  hash TEXT PRIMARY KEY CHECK (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'),"
    "  ext TEXT NOT NULL CHECK (ext IN ('jpg', 'png')),"
    "  width INTEGER NOT NULL CHECK (width BETWEEN 1 AND 16384),"
    "  height INTEGER NOT NULL CHECK (height BETWEEN 1 AND 16384),"
    "  bytes INTEGER NOT NULL CHECK (bytes > 0),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  handle TEXT NOT NULL UNIQUE CHECK (length(handle) BETWEEN 1 AND 30),"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),"
    "  bio TEXT NOT NULL DEFAULT '' CHECK (length(bio) <= 500),"
    "  avatar TEXT REFERENCES media(hash),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE pets ("
    "  id INTEGER PRIMARY KEY,"
    "  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),"
    "  species TEXT NOT NULL CHECK (length(species) BETWEEN 1 AND 40),"
    "  breed TEXT NOT NULL DEFAULT '' CHECK (length(breed) <= 80),"
    "  bio TEXT NOT NULL DEFAULT '' CHECK (length(bio) <= 500),"
    "  avatar TEXT REFERENCES media(hash),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX pets_owner ON pets(owner_id);"
    "CREATE TABLE posts ("
    "  id INTEGER PRIMARY KEY,"
    "  author_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  pet_id INTEGER NOT NULL REFERENCES pets(id) ON DELETE CASCADE,"
    "  caption TEXT NOT NULL CHECK (length(caption) <= 2200),"
    "  like_count INTEGER NOT NULL DEFAULT 0 CHECK (like_count >= 0),"
    "  comment_count INTEGER NOT NULL DEFAULT 0 CHECK (comment_count >= 0),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    /* The feed walks this index backwards from the cursor. */
    "CREATE INDEX posts_feed ON posts(created_at, id);"
    "CREATE INDEX posts_author ON posts(author_id);"
    "CREATE INDEX posts_pet ON posts(pet_id);"
    "CREATE TABLE post_images ("
    "  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 9),"
    "  media TEXT NOT NULL REFERENCES media(hash),"
    "  alt TEXT NOT NULL DEFAULT '' CHECK (length(CAST(alt AS BLOB)) <= 300),"
    "  PRIMARY KEY (post_id, position)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX post_images_media ON post_images(media);",
};

static int fail(pa_db *db, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int fail(pa_db *db, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(db->err, sizeof db->err, fmt, ap);
  va_end(ap);
  return rc;
}

/* Records SQLite's message for what was being attempted. */
static int sql_fail(pa_db *db, const char *what) {
  int code = sqlite3_errcode(db->h);
  fail(db, 0, "%s: %s", what, sqlite3_errmsg(db->h));
  return code == SQLITE_NOMEM ? PA_DB_ENOMEM : PA_DB_ESQL;
}

const char *pa_db_errmsg(const pa_db *db) {
  return !db ? "no database" : db->err[0] ? db->err : "no error";
}

const char *pa_db_errstr(int rc) {
  switch (rc) {
  case PA_DB_OK: return "ok";
  case PA_DB_EINVAL: return "invalid argument";
  case PA_DB_ESQL: return "database error";
  case PA_DB_ENEWER: return "database written by a newer version";
  case PA_DB_ENOMEM: return "out of memory";
  case PA_DB_EABORT: return "stopped by callback";
  }
  return "unknown error";
}

static int exec(pa_db *db, const char *sql, const char *what) {
  char *msg = NULL;
  if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) == SQLITE_OK) return PA_DB_OK;
  fail(db, 0, "%s: %s", what, msg ? msg : sqlite3_errmsg(db->h));
  sqlite3_free(msg);
  return PA_DB_ESQL;
}

int pa_db_open(const char *path, int create, pa_db **out, char *err, size_t errlen) {
  *out = NULL;
  pa_db *db = calloc(1, sizeof *db);
  if (!db) {
    snprintf(err, errlen, "out of memory");
    return PA_DB_ENOMEM;
  }
  /* Each pa_db lives on one thread, so SQLite's own connection mutex is not needed. */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path, &db->h, flags, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, 5000);
    rc = exec(db, "PRAGMA journal_mode = WAL;"
                  "PRAGMA synchronous = NORMAL;" /* durable enough with WAL, much faster */
                  "PRAGMA foreign_keys = ON;",
              "configure") == PA_DB_OK
             ? SQLITE_OK
             : SQLITE_ERROR;
    if (rc != SQLITE_OK) {
      snprintf(err, errlen, "%s: %s", path, db->err);
      pa_db_close(db);
      return PA_DB_ESQL;
    }
    *out = db;
    return PA_DB_OK;
  }
  snprintf(err, errlen, "%s: %s", path, db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
  pa_db_close(db);
  return rc == SQLITE_NOMEM ? PA_DB_ENOMEM : PA_DB_ESQL;
}

void pa_db_close(pa_db *db) {
  if (!db) return;
  sqlite3_finalize(db->feed);
  sqlite3_finalize(db->images);
  sqlite3_close(db->h);
  free(db);
}

int pa_db_begin(pa_db *db) { return exec(db, "BEGIN IMMEDIATE", "begin"); }
int pa_db_commit(pa_db *db) { return exec(db, "COMMIT", "commit"); }
int pa_db_rollback(pa_db *db) { return exec(db, "ROLLBACK", "rollback"); }

static int user_version(pa_db *db, int *out) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "read schema version");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? PA_DB_OK : sql_fail(db, "read schema version");
}

int pa_db_migrate(pa_db *db) {
  for (;;) {
    int v, rc;
    /* Read the version inside the write lock, so two servers never both migrate. */
    if ((rc = pa_db_begin(db)) != PA_DB_OK) return rc;
    if ((rc = user_version(db, &v)) != PA_DB_OK) {
      pa_db_rollback(db);
      return rc;
    }
    if (v >= PA_DB_SCHEMA_VERSION) {
      pa_db_rollback(db);
      if (v > PA_DB_SCHEMA_VERSION)
        return fail(db, PA_DB_ENEWER, "schema version %d is newer than this server's %d", v,
                    PA_DB_SCHEMA_VERSION);
      return PA_DB_OK;
    }
    char bump[64];
    /* PRAGMA takes no bound parameters; v is our own small integer. */
    snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
    if ((rc = exec(db, migrations[v], "migrate")) != PA_DB_OK ||
        (rc = exec(db, bump, "migrate")) != PA_DB_OK || (rc = pa_db_commit(db)) != PA_DB_OK) {
      pa_db_rollback(db);
      return rc;
    }
  }
}

int pa_db_post_count(pa_db *db, int64_t *out) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h, "SELECT count(*) FROM posts", -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "count posts");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? PA_DB_OK : sql_fail(db, "count posts");
}

/* Binds a string or NULL. SQLITE_TRANSIENT: SQLite copies, the caller keeps ownership. */
static int bind_text(sqlite3_stmt *st, int i, const char *s) {
  return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

/* Runs a prepared insert to completion, finalizes it, and reports the new rowid. */
static int finish_insert(pa_db *db, sqlite3_stmt *st, int bind_rc, const char *what,
                         int64_t *id) {
  int rc = bind_rc == SQLITE_OK ? sqlite3_step(st) : bind_rc;
  if (rc != SQLITE_DONE) {
    int out = sql_fail(db, what);
    sqlite3_finalize(st);
    return out;
  }
  sqlite3_finalize(st);
  if (id) *id = sqlite3_last_insert_rowid(db->h);
  return PA_DB_OK;
}

int pa_db_media_add(pa_db *db, const pa_db_media *m) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h,
                         "INSERT INTO media (hash, ext, width, height, bytes, created_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (hash) DO NOTHING",
                         -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "add media");
  int rc = bind_text(st, 1, m->hash);
  if (rc == SQLITE_OK) rc = bind_text(st, 2, m->ext);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 3, m->width);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 4, m->height);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, m->bytes);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 6, m->created_at);
  return finish_insert(db, st, rc, "add media", NULL);
}

int pa_db_user_add(pa_db *db, const pa_db_user *u, int64_t *id) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h,
                         "INSERT INTO users (handle, name, bio, avatar, created_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5)",
                         -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "add user");
  int rc = bind_text(st, 1, u->handle);
  if (rc == SQLITE_OK) rc = bind_text(st, 2, u->name);
  if (rc == SQLITE_OK) rc = bind_text(st, 3, u->bio ? u->bio : "");
  if (rc == SQLITE_OK) rc = bind_text(st, 4, u->avatar);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, u->created_at);
  return finish_insert(db, st, rc, "add user", id);
}

int pa_db_pet_add(pa_db *db, const pa_db_pet *p, int64_t *id) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h,
                         "INSERT INTO pets (owner_id, name, species, breed, bio, avatar,"
                         " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                         -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "add pet");
  int rc = sqlite3_bind_int64(st, 1, p->owner_id);
  if (rc == SQLITE_OK) rc = bind_text(st, 2, p->name);
  if (rc == SQLITE_OK) rc = bind_text(st, 3, p->species);
  if (rc == SQLITE_OK) rc = bind_text(st, 4, p->breed ? p->breed : "");
  if (rc == SQLITE_OK) rc = bind_text(st, 5, p->bio ? p->bio : "");
  if (rc == SQLITE_OK) rc = bind_text(st, 6, p->avatar);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 7, p->created_at);
  return finish_insert(db, st, rc, "add pet", id);
}

int pa_db_post_add(pa_db *db, const pa_db_new_post *p, int64_t *id) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h,
                         "INSERT INTO posts (author_id, pet_id, caption, like_count, comment_count,"
                         " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "add post");
  int rc = sqlite3_bind_int64(st, 1, p->author_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, p->pet_id);
  if (rc == SQLITE_OK) rc = bind_text(st, 3, p->caption ? p->caption : "");
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 4, p->like_count);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, p->comment_count);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 6, p->created_at);
  return finish_insert(db, st, rc, "add post", id);
}

int pa_db_post_image_add(pa_db *db, int64_t post_id, int position, const char *media_hash,
                         const char *alt) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h,
                         "INSERT INTO post_images (post_id, position, media, alt)"
                         " VALUES (?1, ?2, ?3, ?4)",
                         -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "add post image");
  int rc = sqlite3_bind_int64(st, 1, post_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 2, position);
  if (rc == SQLITE_OK) rc = bind_text(st, 3, media_hash);
  if (rc == SQLITE_OK) rc = bind_text(st, 4, alt ? alt : "");
  return finish_insert(db, st, rc, "add post image", NULL);
}

/* ---- cursors: base64url of "v1.<created_at>.<id>" */

void pa_db_cursor_encode(const pa_db_cursor *c, char out[PA_DB_CURSOR_MAX]) {
  char plain[64];
  int n = snprintf(plain, sizeof plain, "v1.%lld.%lld", (long long)c->created_at, (long long)c->id);
  sodium_bin2base64(out, PA_DB_CURSOR_MAX, (const unsigned char *)plain, (size_t)n,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Canonical decimal only: optional '-', no leading zeros, no overflow. */
static int parse_i64(const char **p, int64_t *out) {
  const char *s = *p;
  int neg = *s == '-';
  uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
  if (neg) s++;
  if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9')) return -1;
  for (; *s >= '0' && *s <= '9'; s++) {
    unsigned d = (unsigned)(*s - '0');
    if (v > (lim - d) / 10u) return -1;
    v = v * 10u + d;
  }
  *out = neg ? (v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v) : (int64_t)v;
  *p = s;
  return 0;
}

int pa_db_cursor_decode(const char *text, pa_db_cursor *out) {
  unsigned char plain[64];
  size_t n = 0, len = text ? strlen(text) : 0;
  if (len == 0 || len >= PA_DB_CURSOR_MAX) return PA_DB_EINVAL;
  if (sodium_base642bin(plain, sizeof plain - 1, text, len, NULL, &n, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return PA_DB_EINVAL;
  plain[n] = '\0';
  if (memchr(plain, '\0', n)) return PA_DB_EINVAL;
  const char *p = (const char *)plain;
  pa_db_cursor c;
  if (strncmp(p, "v1.", 3) != 0) return PA_DB_EINVAL;
  p += 3;
  if (parse_i64(&p, &c.created_at) != 0 || *p++ != '.' || parse_i64(&p, &c.id) != 0 || *p ||
      c.id < 1)
    return PA_DB_EINVAL;
  /* One position, one spelling: reject anything we would not have written. */
  char again[PA_DB_CURSOR_MAX];
  pa_db_cursor_encode(&c, again);
  if (strcmp(again, text) != 0) return PA_DB_EINVAL;
  *out = c;
  return PA_DB_OK;
}

/* ---- the feed */

static const char feed_sql[] =
    "SELECT p.id, p.created_at, p.like_count, p.comment_count, p.caption,"
    "       u.id, u.name, u.avatar, um.ext,"
    "       t.id, t.name, t.species, t.avatar, tm.ext"
    "  FROM posts p"
    "  JOIN users u ON u.id = p.author_id"
    "  JOIN pets t ON t.id = p.pet_id"
    "  LEFT JOIN media um ON um.hash = u.avatar"
    "  LEFT JOIN media tm ON tm.hash = t.avatar"
    " WHERE (p.created_at, p.id) < (?1, ?2)"
    "   AND EXISTS (SELECT 1 FROM post_images i WHERE i.post_id = p.id)"
    " ORDER BY p.created_at DESC, p.id DESC"
    " LIMIT ?3";

static const char images_sql[] =
    "SELECT m.hash, m.ext, m.width, m.height, i.alt"
    "  FROM post_images i JOIN media m ON m.hash = i.media"
    " WHERE i.post_id = ?1 ORDER BY i.position LIMIT 10";

typedef struct image_copy {
  char hash[65], ext[8], alt[PA_DB_ALT_MAX + 1];
} image_copy;

static void copy_text(char *dst, size_t cap, const unsigned char *src) {
  snprintf(dst, cap, "%s", src ? (const char *)src : "");
}

static int load_images(pa_db *db, int64_t post_id, image_copy *copies, pa_db_image *images,
                       int *count) {
  int rc, n = 0;
  if (sqlite3_bind_int64(db->images, 1, post_id) != SQLITE_OK) return sql_fail(db, "feed images");
  while (n < PA_DB_MAX_IMAGES && (rc = sqlite3_step(db->images)) == SQLITE_ROW) {
    /* Text pointers die on the next step, so keep copies (sizes are bounded by the schema). */
    copy_text(copies[n].hash, sizeof copies[n].hash, sqlite3_column_text(db->images, 0));
    copy_text(copies[n].ext, sizeof copies[n].ext, sqlite3_column_text(db->images, 1));
    copy_text(copies[n].alt, sizeof copies[n].alt, sqlite3_column_text(db->images, 4));
    images[n] = (pa_db_image){copies[n].hash, copies[n].ext, copies[n].alt,
                              sqlite3_column_int(db->images, 2), sqlite3_column_int(db->images, 3)};
    n++;
  }
  if (n < PA_DB_MAX_IMAGES && rc != SQLITE_DONE) {
    int out = sql_fail(db, "feed images");
    sqlite3_reset(db->images);
    return out;
  }
  sqlite3_reset(db->images);
  *count = n;
  return PA_DB_OK;
}

static const char *col_text(sqlite3_stmt *st, int i) {
  return (const char *)sqlite3_column_text(st, i);
}

int pa_db_feed(pa_db *db, const pa_db_cursor *after, int limit, pa_db_feed_fn fn, void *ctx,
               pa_db_cursor *next, int *has_more) {
  image_copy copies[PA_DB_MAX_IMAGES];
  pa_db_image images[PA_DB_MAX_IMAGES];
  int rc, n = 0, out = PA_DB_OK;
  *has_more = 0;
  if (limit < 1 || limit > PA_DB_FEED_MAX || !fn) return fail(db, PA_DB_EINVAL, "feed: bad limit");
  if (!db->feed && sqlite3_prepare_v3(db->h, feed_sql, -1, SQLITE_PREPARE_PERSISTENT, &db->feed,
                                      NULL) != SQLITE_OK)
    return sql_fail(db, "prepare feed");
  if (!db->images && sqlite3_prepare_v3(db->h, images_sql, -1, SQLITE_PREPARE_PERSISTENT,
                                        &db->images, NULL) != SQLITE_OK)
    return sql_fail(db, "prepare feed images");

  /* The first page starts above every real position. */
  rc = sqlite3_bind_int64(db->feed, 1, after ? after->created_at : INT64_MAX);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(db->feed, 2, after ? after->id : INT64_MAX);
  /* One extra row tells whether another page exists. */
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(db->feed, 3, limit + 1);
  if (rc != SQLITE_OK) return sql_fail(db, "feed");

  while ((rc = sqlite3_step(db->feed)) == SQLITE_ROW) {
    sqlite3_stmt *st = db->feed;
    if (n == limit) {
      *has_more = 1;
      break;
    }
    pa_db_feed_post p = {
        .id = sqlite3_column_int64(st, 0),
        .created_at = sqlite3_column_int64(st, 1),
        .like_count = sqlite3_column_int64(st, 2),
        .comment_count = sqlite3_column_int64(st, 3),
        .caption = col_text(st, 4),
        .author_id = sqlite3_column_int64(st, 5),
        .author_name = col_text(st, 6),
        .author_avatar = col_text(st, 7),
        .author_avatar_ext = col_text(st, 8),
        .pet_id = sqlite3_column_int64(st, 9),
        .pet_name = col_text(st, 10),
        .pet_species = col_text(st, 11),
        .pet_avatar = col_text(st, 12),
        .pet_avatar_ext = col_text(st, 13),
        .images = images,
    };
    /* NOT NULL columns only read as NULL when SQLite ran out of memory. */
    if (!p.caption || !p.author_name || !p.pet_name || !p.pet_species) {
      out = fail(db, PA_DB_ENOMEM, "feed: out of memory");
      break;
    }
    if (!p.author_avatar_ext) p.author_avatar = NULL;
    if (!p.pet_avatar_ext) p.pet_avatar = NULL;
    if ((out = load_images(db, p.id, copies, images, &p.image_count)) != PA_DB_OK) break;
    if (fn(ctx, &p) != 0) {
      out = fail(db, PA_DB_EABORT, "feed: stopped by callback");
      break;
    }
    next->created_at = p.created_at;
    next->id = p.id;
    n++;
  }
  if (out == PA_DB_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) out = sql_fail(db, "feed");
  sqlite3_reset(db->feed);
  return out;
}
