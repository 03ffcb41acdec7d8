/* pa_store_mod: reports, the moderation queue and moderated state. */
#include "store/moderation.h"

#include "store/sql/sql.h"

#include <string.h>

/* Steps st (bound with rc) to one row, reading it with read; releases st.
 * PA_STORE_ENOTFOUND when there is no row. */
static int one_row(pa_store *db, pa_sql_stmt *st, int rc, int (*read)(void *ctx, pa_sql_stmt *st),
                   void *ctx, const char *what) {
  int out;
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc == PA_SQ_ROW)
    out = read(ctx, st) ? pa_sq_failf(db, PA_STORE_EABORT, "%s: stopped by callback", what)
                        : PA_STORE_OK;
  else
    out = rc == PA_SQ_DONE ? PA_STORE_ENOTFOUND : pa_sq_fail(db, what);
  pa_sq_done(st);
  return out;
}

int pa_store_moderation_post_state(pa_store *db, int64_t post, int *state) {
  int64_t v = 0;
  int rc = pa_sq_scalar_i64(db, "SELECT mod_state FROM posts WHERE id = ?1", 1, &post, &v);
  *state = (int)v;
  return rc;
}

typedef struct comment_state {
  int *state;
  int64_t *author;
} comment_state;

static int read_comment_state(void *ctx, pa_sql_stmt *st) {
  const comment_state *c = ctx;
  *c->state = (int)pa_sq_i64(st, 0);
  *c->author = pa_sq_i64(st, 1);
  return 0;
}

int pa_store_moderation_comment_state(pa_store *db, int64_t comment, int *state, int64_t *author) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT mod_state, author_id FROM comments WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  comment_state c = {state, author};
  return one_row(db, st, pa_sq_bind_i64(st, 1, comment), read_comment_state, &c, "comment state");
}

static int read_person_state(void *ctx, pa_sql_stmt *st) {
  pa_store_moderation_person_state *s = ctx;
  s->suspended_until = pa_sq_i64(st, 0); /* NULL reads as 0 */
  s->banned_at = pa_sq_i64(st, 1);
  return 0;
}

int pa_store_moderation_person_get(pa_store *db, int64_t user,
                                   pa_store_moderation_person_state *out) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT suspended_until, banned_at FROM users WHERE id = ?1");
  if (!st) return PA_STORE_EDB;
  return one_row(db, st, pa_sq_bind_i64(st, 1, user), read_person_state, out, "person state");
}

int pa_store_moderation_chatted(pa_store *db, int64_t a, int64_t b, int *shared) {
  int64_t args[2] = {a < b ? a : b, a < b ? b : a}, n = 0;
  int rc = pa_sq_scalar_i64(db, "SELECT count(*) FROM chat_convs WHERE lo = ?1 AND hi = ?2", 2,
                            args, &n);
  *shared = rc == PA_STORE_OK && n > 0;
  return rc;
}

int pa_store_moderation_report_add(pa_store *db, const pa_store_report_new *r, int64_t *id) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "INSERT INTO reports (reporter_id, kind, item_id, subject_id, reason, text, message,"
          " created_at, messages) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, r->reporter);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, r->kind);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, r->item);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, r->subject);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 5, r->reason);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 6, r->text ? r->text : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 7, r->message);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 8, r->at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 9, r->messages);
  return pa_sq_run(db, st, rc, "add report", id, NULL);
}

/* ---- the queue */

typedef struct group_walk {
  pa_store_moderation_group_fn fn;
  void *ctx;
} group_walk;

static int group_row(void *ctx, pa_sql_stmt *st) {
  const group_walk *w = ctx;
  pa_store_moderation_group g = {
      .kind = pa_sq_text(st, 0),
      .item = pa_sq_i64(st, 1),
      .subject = pa_sq_i64(st, 2),
      .first_at = pa_sq_i64(st, 3),
      .first_id = pa_sq_i64(st, 4),
      .count = pa_sq_i64(st, 5),
      .subject_handle = pa_sq_text(st, 11),
  };
  pa_sq_person(st, 6, &g.subject_person);
  return w->fn(w->ctx, &g);
}

int pa_store_moderation_queue(pa_store *db, const pa_store_cursor *after, int limit,
                              pa_store_moderation_group_fn fn, void *ctx, pa_store_cursor *next,
                              int *more) {
  /* Oldest first: ?1 ?2 the cursor (below every real position on the first
   * page), ?3 the row limit. first_id, the oldest report's id, is unique per
   * item, so (first_at, first_id) orders items without ties. */
  pa_sql_stmt *st = pa_sq_stmt(
      db, "SELECT g.kind, g.item_id, g.subject_id, g.first_at, g.first_id, g.n, " PA_SQ_PERSON_COLS(
              "u", "m") ", u.handle"
                        "  FROM (SELECT kind, item_id, min(subject_id) AS subject_id,"
                        "               min(created_at) AS first_at, min(id) AS first_id,"
                        "               count(*) AS n"
                        "          FROM reports WHERE closed_at IS NULL GROUP BY kind, item_id) g"
                        "  JOIN users u ON u.id = g.subject_id"
                        "  LEFT JOIN media m ON m.hash = u.avatar"
                        " WHERE (g.first_at, g.first_id) > (?1, ?2)"
                        " ORDER BY g.first_at, g.first_id LIMIT ?3");
  if (!st) return PA_STORE_EDB;
  int64_t a[3] = {after ? after->created_at : INT64_MIN, after ? after->id : INT64_MIN,
                  (int64_t)limit + 1};
  int rc = pa_sq_bind_i64s(st, 3, a);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "moderation queue");
  }
  group_walk w = {fn, ctx};
  return pa_sq_page(db, st, limit, group_row, &w, 3, 4, next, more, "moderation queue");
}

typedef struct report_walk {
  pa_store_report_fn fn;
  void *ctx;
} report_walk;

static int report_row(void *ctx, pa_sql_stmt *st) {
  const report_walk *w = ctx;
  pa_store_report r = {
      .id = pa_sq_i64(st, 0),
      .at = pa_sq_i64(st, 1),
      .closed_at = pa_sq_i64(st, 2),
      .subject = pa_sq_i64(st, 3),
      .reporter_handle = pa_sq_text(st, 9),
      .reason = pa_sq_text(st, 10),
      .text = pa_sq_text(st, 11),
      .message = pa_sq_text(st, 12),
      .outcome = pa_sq_text(st, 13),
      .messages = pa_sq_text(st, 14),
  };
  pa_sq_person(st, 4, &r.reporter);
  return w->fn(w->ctx, &r);
}

int pa_store_moderation_reports(pa_store *db, const char *kind, int64_t item, int limit,
                                pa_store_report_fn fn, void *ctx) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT r.id, r.created_at, r.closed_at, r.subject_id, " PA_SQ_PERSON_COLS(
                         "u", "m") ", u.handle, r.reason, r.text, r.message, r.outcome, r.messages"
                                   "  FROM reports r JOIN users u ON u.id = r.reporter_id"
                                   "  LEFT JOIN media m ON m.hash = u.avatar"
                                   " WHERE r.kind = ?1 AND r.item_id = ?2"
                                   " ORDER BY CASE WHEN r.closed_at IS NULL THEN 0 ELSE 1 END,"
                                   "          r.created_at DESC, r.id DESC LIMIT ?3");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, kind);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, item);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, limit);
  report_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, report_row, &w, "reports");
}

int pa_store_moderation_report_subject(pa_store *db, const char *kind, int64_t item,
                                       int64_t *subject) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT subject_id FROM reports WHERE kind = ?1 AND item_id = ?2"
                                   " ORDER BY id DESC LIMIT 1");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, kind);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, item);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  *subject = rc == PA_SQ_ROW ? pa_sq_i64(st, 0) : 0;
  int out = rc == PA_SQ_ROW || rc == PA_SQ_DONE ? PA_STORE_OK : pa_sq_fail(db, "report subject");
  pa_sq_done(st);
  return out;
}

typedef struct close_walk {
  int (*fn)(void *ctx, int64_t reporter);
  void *ctx;
} close_walk;

static int close_row(void *ctx, pa_sql_stmt *st) {
  const close_walk *w = ctx;
  return w->fn ? w->fn(w->ctx, pa_sq_i64(st, 0)) : 0;
}

int pa_store_moderation_close(pa_store *db, const char *kind, int64_t item, const char *outcome,
                              int64_t at, int (*fn)(void *ctx, int64_t reporter), void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, "UPDATE reports SET closed_at = ?3, outcome = ?4"
          " WHERE kind = ?1 AND item_id = ?2 AND closed_at IS NULL RETURNING reporter_id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, kind);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, item);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, outcome);
  close_walk w = {fn, ctx};
  return pa_sq_each(db, st, rc, close_row, &w, "close reports");
}

/* ---- state */

int pa_store_moderation_post_set(pa_store *db, int64_t post, int state, int *changed) {
  int64_t a[2] = {post, state};
  int rc = pa_sq_exec_i64(db, "UPDATE posts SET mod_state = ?2 WHERE id = ?1 AND mod_state <> ?2",
                          2, a, changed);
  /* The images go with a removal: their files are freed (the schema's
   * unref_post_image trigger queues them for the media collector). */
  if (rc == PA_STORE_OK && state == PA_STORE_MOD_REMOVED)
    rc = pa_sq_exec_i64(db, "DELETE FROM post_images WHERE post_id = ?1", 1, &post, NULL);
  return rc;
}

int pa_store_moderation_comment_set(pa_store *db, int64_t comment, int state, int *changed) {
  int64_t a[2] = {comment, state};
  return pa_sq_exec_i64(db, "UPDATE comments SET mod_state = ?2 WHERE id = ?1 AND mod_state <> ?2",
                        2, a, changed);
}

int pa_store_moderation_person_set(pa_store *db, int64_t user, int64_t suspended_until,
                                   int64_t banned_at) {
  int64_t a[3] = {user, suspended_until, banned_at};
  return pa_sq_exec_i64(db,
                        "UPDATE users SET suspended_until = NULLIF(CAST(?2 AS BIGINT), 0),"
                        " banned_at = NULLIF(CAST(?3 AS BIGINT), 0) WHERE id = ?1",
                        3, a, NULL);
}

/* ---- items in context */

typedef struct post_walk {
  pa_store_moderation_post_fn fn;
  void *ctx;
} post_walk;

#define MOD_POST_SQL(where)                                                                        \
  "SELECT p.id, p.created_at, p.author_id, p.pet_id, p.mod_state, p.caption, u.name, u.handle,"    \
  "       t.name"                                                                                  \
  "  FROM posts p JOIN users u ON u.id = p.author_id JOIN pets t ON t.id = p.pet_id"               \
  " WHERE " where

static int post_row(void *ctx, pa_sql_stmt *st) {
  const post_walk *w = ctx;
  pa_store_moderation_post p = {
      .id = pa_sq_i64(st, 0),
      .created_at = pa_sq_i64(st, 1),
      .author_id = pa_sq_i64(st, 2),
      .pet_id = pa_sq_i64(st, 3),
      .state = (int)pa_sq_i64(st, 4),
      .caption = pa_sq_text(st, 5),
      .author_name = pa_sq_text(st, 6),
      .author_handle = pa_sq_text(st, 7),
      .pet_name = pa_sq_text(st, 8),
  };
  return w->fn(w->ctx, &p);
}

int pa_store_moderation_post_get(pa_store *db, int64_t post, pa_store_moderation_post_fn fn,
                                 void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, MOD_POST_SQL("p.id = ?1"));
  if (!st) return PA_STORE_EDB;
  post_walk w = {fn, ctx};
  return one_row(db, st, pa_sq_bind_i64(st, 1, post), post_row, &w, "moderated post");
}

int pa_store_moderation_recent_posts(pa_store *db, int64_t user, pa_store_moderation_post_fn fn,
                                     void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, MOD_POST_SQL("p.author_id = ?1 ORDER BY p.created_at DESC, p.id DESC LIMIT ?2"));
  if (!st) return PA_STORE_EDB;
  int64_t a[2] = {user, PA_STORE_MOD_RECENT_POSTS};
  post_walk w = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64s(st, 2, a), post_row, &w, "recent posts");
}

typedef struct image_walk {
  int (*fn)(void *ctx, const char *hash, const char *ext, const char *alt);
  void *ctx;
} image_walk;

static int image_row(void *ctx, pa_sql_stmt *st) {
  const image_walk *w = ctx;
  return w->fn(w->ctx, pa_sq_text(st, 0), pa_sq_text(st, 1), pa_sq_text(st, 2));
}

int pa_store_moderation_post_images(pa_store *db, int64_t post,
                                    int (*fn)(void *ctx, const char *hash, const char *ext,
                                              const char *alt),
                                    void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT m.hash, m.ext, i.alt FROM post_images i"
                                   " JOIN media m ON m.hash = i.media"
                                   " WHERE i.post_id = ?1 ORDER BY i.position");
  if (!st) return PA_STORE_EDB;
  image_walk w = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, post), image_row, &w, "post images");
}

typedef struct comment_walk {
  int (*fn)(void *ctx, const pa_store_moderation_comment *c);
  void *ctx;
} comment_walk;

static int comment_row(void *ctx, pa_sql_stmt *st) {
  const comment_walk *w = ctx;
  pa_store_moderation_comment c = {
      .id = pa_sq_i64(st, 0),
      .created_at = pa_sq_i64(st, 1),
      .author_id = pa_sq_i64(st, 2),
      .post_id = pa_sq_i64(st, 3),
      .state = (int)pa_sq_i64(st, 4),
      .body = pa_sq_text(st, 5),
      .author_name = pa_sq_text(st, 6),
      .author_handle = pa_sq_text(st, 7),
      .post_caption = pa_sq_text(st, 8),
  };
  return w->fn(w->ctx, &c);
}

int pa_store_moderation_comment_get(pa_store *db, int64_t comment,
                                    int (*fn)(void *ctx, const pa_store_moderation_comment *c),
                                    void *ctx) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "SELECT c.id, c.created_at, c.author_id, c.post_id, c.mod_state, c.body,"
                     "       u.name, u.handle, p.caption"
                     "  FROM comments c JOIN users u ON u.id = c.author_id"
                     "  JOIN posts p ON p.id = c.post_id WHERE c.id = ?1");
  if (!st) return PA_STORE_EDB;
  comment_walk w = {fn, ctx};
  return one_row(db, st, pa_sq_bind_i64(st, 1, comment), comment_row, &w, "moderated comment");
}

typedef struct clip_walk {
  int (*fn)(void *ctx, const pa_store_moderation_clip *c);
  void *ctx;
} clip_walk;

static int clip_row(void *ctx, pa_sql_stmt *st) {
  const clip_walk *w = ctx;
  pa_store_moderation_clip c = {
      .id = pa_sq_i64(st, 0),
      .created_at = pa_sq_i64(st, 1),
      .expires_at = pa_sq_i64(st, 2),
      .owner_id = pa_sq_i64(st, 3),
      .state = (int)pa_sq_i64(st, 4),
      .caption = pa_sq_text(st, 5),
      .owner_name = pa_sq_text(st, 6),
      .owner_handle = pa_sq_text(st, 7),
      .pet_name = pa_sq_text(st, 8),
      .media_hash = pa_sq_text(st, 9),
      .media_ext = pa_sq_text(st, 10),
      .poster_hash = pa_sq_text(st, 11),
      .poster_ext = pa_sq_text(st, 12),
  };
  return w->fn(w->ctx, &c);
}

int pa_store_moderation_clip_get(pa_store *db, int reel, int64_t id,
                                 int (*fn)(void *ctx, const pa_store_moderation_clip *c),
                                 void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(
      db, reel ? "SELECT r.id, r.created_at, 0, r.author_id, r.mod_state, r.caption, u.name,"
                 "       u.handle, t.name, v.hash, v.ext, pm.hash, pm.ext"
                 "  FROM reels r JOIN users u ON u.id = r.author_id JOIN pets t ON t.id = r.pet_id"
                 "  JOIN media v ON v.hash = r.video JOIN media pm ON pm.hash = r.poster"
                 " WHERE r.id = ?1"
               : "SELECT s.id, s.created_at, s.expires_at, s.owner_id, s.mod_state, '', u.name,"
                 "       u.handle, t.name, m.hash, m.ext, NULL, NULL"
                 "  FROM stories s JOIN users u ON u.id = s.owner_id JOIN pets t ON t.id = s.pet_id"
                 "  JOIN media m ON m.hash = s.media WHERE s.id = ?1");
  if (!st) return PA_STORE_EDB;
  clip_walk w = {fn, ctx};
  return one_row(db, st, pa_sq_bind_i64(st, 1, id), clip_row, &w, "moderated clip");
}

typedef struct profile_walk {
  int (*fn)(void *ctx, const pa_store_moderation_profile *p);
  void *ctx;
} profile_walk;

static int profile_row(void *ctx, pa_sql_stmt *st) {
  const profile_walk *w = ctx;
  pa_store_moderation_profile p = {
      .id = pa_sq_i64(st, 0),
      .created_at = pa_sq_i64(st, 1),
      .suspended_until = pa_sq_i64(st, 2),
      .banned_at = pa_sq_i64(st, 3),
      .posts = pa_sq_i64(st, 4),
      .name = pa_sq_text(st, 5),
      .handle = pa_sq_text(st, 6),
      .bio = pa_sq_text(st, 7),
  };
  return w->fn(w->ctx, &p);
}

int pa_store_moderation_profile_get(pa_store *db, int64_t user,
                                    int (*fn)(void *ctx, const pa_store_moderation_profile *p),
                                    void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT u.id, u.created_at, u.suspended_until, u.banned_at,"
                                   "       (SELECT count(*) FROM posts WHERE author_id = u.id),"
                                   "       u.name, u.handle, u.bio"
                                   "  FROM users u WHERE u.id = ?1");
  if (!st) return PA_STORE_EDB;
  profile_walk w = {fn, ctx};
  return one_row(db, st, pa_sq_bind_i64(st, 1, user), profile_row, &w, "moderated person");
}
