/* pa_store_feed: the walks of posts with their images. */
#include "store/feed.h"

#include "store/sql/sql.h"
#include "store/sql/visible.h"

#include <stdlib.h>
#include <string.h>

/* One statement per page, images included: a page of posts (the CTE, one
 * extra row to tell whether more exist) joined with each post's images, one
 * row per image in post then position order. Round trips, not rows, are what
 * a networked database charges for: a query per post's images made a page of
 * 20 cost 21 (PostgreSQL served signed-in feeds 60x slower than SQLite).
 * The schema keeps at most PA_STORE_MAX_IMAGES per post (position 0..19).
 * ?1 ?2 the cursor, ?3 the row limit, ?4 the viewer, ?5 the filter's id.
 * A post a moderator hid is listed to its author only (marked, mod_state);
 * a removed one has no images left, and the mod_state test says so too.
 * Every walk leaves out what the viewer may not see (blocks either way,
 * private accounts the viewer does not follow: store/sql/visible.h); the
 * walks that are a feed (all, following, a tag) leave out the people the
 * viewer muted too, while a muted person's own pages still show. A post's
 * comment count is of the comments the viewer can page through
 * (PA_SQ_COMMENT_COUNT), not the stored total, which counts hidden and
 * removed ones and those of people in a block with the viewer. */
#define UNMUTED " AND " PA_SQ_NOT_MUTED("?4", "p.author_id")
/* Ad creatives are never in a listing (visible.h); one is read by id alone. */
#define ORGANIC " AND " PA_SQ_NOT_CREATIVE("p.id")
#define FEED_SQL(filter)                                                                           \
  "WITH page AS ("                                                                                 \
  "SELECT p.id AS id, p.created_at AS created_at, p.like_count AS likes,"                          \
  "       " PA_SQ_COMMENT_COUNT(                                                                   \
      "p.id",                                                                                      \
      "?4") " AS comments, p.caption AS caption,"                                                  \
            "       u.id AS u_id, u.name AS u_name, u.avatar AS u_avatar, um.ext AS u_ext,"        \
            "       t.id AS t_id, t.name AS t_name, t.species AS t_species, t.avatar AS t_avatar," \
            "       tm.ext AS t_ext,"                                                              \
            "       EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND l.user_id = ?4) AS "  \
            "liked,"                                                                               \
            "       p.campaign_id IS NOT NULL AS sponsored, u.plus_until AS u_plus, p.mod_state "  \
            "AS mod"                                                                               \
            "  FROM posts p"                                                                       \
            "  JOIN users u ON u.id = p.author_id"                                                 \
            "  JOIN pets t ON t.id = p.pet_id"                                                     \
            "  LEFT JOIN media um ON um.hash = u.avatar"                                           \
            "  LEFT JOIN media tm ON tm.hash = t.avatar"                                           \
            " WHERE (p.created_at, p.id) < (?1, ?2)"                                               \
            "   AND EXISTS (SELECT 1 FROM post_images i WHERE i.post_id = p.id)"                   \
            "   AND (p.mod_state = 0 OR (p.mod_state = 1 AND p.author_id = ?4))"                   \
            "   AND " PA_SQ_POSTS_VISIBLE("u", "?4") filter                                        \
      " ORDER BY p.created_at DESC, p.id DESC"                                                     \
      " LIMIT ?3)"                                                                                 \
      "SELECT g.id, g.created_at, g.likes, g.comments, g.caption, g.u_id, g.u_name, g.u_avatar,"   \
      "       g.u_ext, g.t_id, g.t_name, g.t_species, g.t_avatar, g.t_ext, g.liked, g.sponsored,"  \
      "       g.u_plus, g.mod,"                                                                    \
      "       m.hash, m.ext, m.width, m.height, i.alt, m.thumbhash"                                \
      "  FROM page g"                                                                              \
      "  JOIN post_images i ON i.post_id = g.id"                                                   \
      "  JOIN media m ON m.hash = i.media"                                                         \
      " ORDER BY g.created_at DESC, g.id DESC, i.position"

static const char *const feed_sql[] = {
    [PA_STORE_FEED_ALL] = FEED_SQL(" AND ?5 = ?5" UNMUTED ORGANIC),
    [PA_STORE_FEED_FOLLOWING] = FEED_SQL(
        " AND ?5 = ?5 AND (p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = ?4)"
        "  OR EXISTS (SELECT 1 FROM post_pets pp JOIN pet_follows f ON f.pet_id = pp.pet_id"
        "             WHERE pp.post_id = p.id AND f.follower_id = ?4))" UNMUTED ORGANIC),
    [PA_STORE_FEED_AUTHOR] = FEED_SQL(" AND p.author_id = ?5" ORGANIC),
    [PA_STORE_FEED_PET] = FEED_SQL(" AND EXISTS (SELECT 1 FROM post_pets pp WHERE pp.post_id = "
                                   "p.id AND pp.pet_id = ?5)" ORGANIC),
    [PA_STORE_FEED_ONE] =
        FEED_SQL(" AND p.id = ?5 AND " PA_SQ_CREATIVE_READABLE("p.id", "p.author_id", "?4")),
    [PA_STORE_FEED_TAG] = FEED_SQL(" AND ?5 = ?5 AND EXISTS (SELECT 1 FROM post_tags pt WHERE "
                                   "pt.post_id = p.id AND pt.tag = ?6)" UNMUTED ORGANIC),
};

enum { IMAGE_COL = 18 }; /* the first of the image's columns */

/* The post being gathered. A row's text dies when the next row is read, and
 * the post is handed on only after its last image's row, so its text is
 * copied into one growing buffer (its size is bounded by the schema). */
typedef struct gathered {
  pa_store_feed_post post;
  pa_store_image images[PA_STORE_MAX_IMAGES];
  char *text;
  size_t used, cap;
} gathered;

/* Copies s into g->text; returns its offset, or (size_t)-1 when out of memory.
 * Offsets, not pointers: the buffer may move as it grows. */
static size_t keep(gathered *g, const char *s) {
  size_t n = strlen(s) + 1;
  if (g->used + n > g->cap) {
    size_t cap = g->cap ? g->cap : 4096;
    while (cap < g->used + n) cap *= 2;
    char *grown = realloc(g->text, cap);
    if (!grown) return (size_t)-1;
    g->text = grown;
    g->cap = cap;
  }
  memcpy(g->text + g->used, s, n);
  g->used += n;
  return g->used - n;
}

/* The text columns of a post's row and of an image's row, in column order. */
static const int post_text_cols[] = {4, 6, 7, 8, 10, 11, 12, 13};
static const int image_text_cols[] = {IMAGE_COL, IMAGE_COL + 1, IMAGE_COL + 4, IMAGE_COL + 5};
enum { POST_TEXTS = 8, IMAGE_TEXTS = 4 };

typedef struct offsets {
  size_t post[POST_TEXTS];
  size_t image[PA_STORE_MAX_IMAGES][IMAGE_TEXTS];
} offsets;

/* Copies the text columns cols[0..n) into g; NULL columns stay NULL (offset -2). */
static int keep_cols(gathered *g, pa_sql_stmt *st, const int *cols, int n, size_t *at) {
  for (int i = 0; i < n; i++) {
    const char *s = pa_sq_text(st, cols[i]);
    at[i] = s ? keep(g, s) : (size_t)-2;
    if (at[i] == (size_t)-1) return -1;
  }
  return 0;
}

static const char *text_at(const gathered *g, size_t at) {
  return at == (size_t)-2 ? NULL : g->text + at;
}

/* Points the gathered post's strings into its buffer, once it is complete. */
static void resolve(gathered *g, const offsets *o) {
  pa_store_feed_post *p = &g->post;
  p->caption = text_at(g, o->post[0]);
  p->author_name = text_at(g, o->post[1]);
  p->author_avatar = text_at(g, o->post[2]);
  p->author_avatar_ext = text_at(g, o->post[3]);
  p->pet_name = text_at(g, o->post[4]);
  p->pet_species = text_at(g, o->post[5]);
  p->pet_avatar = text_at(g, o->post[6]);
  p->pet_avatar_ext = text_at(g, o->post[7]);
  for (int i = 0; i < p->image_count; i++) {
    const char *thumb = text_at(g, o->image[i][3]);
    g->images[i].hash = text_at(g, o->image[i][0]);
    g->images[i].ext = text_at(g, o->image[i][1]);
    g->images[i].alt = text_at(g, o->image[i][2]);
    g->images[i].thumbhash = thumb && thumb[0] ? thumb : NULL;
  }
  p->images = g->images;
  if (!p->author_avatar_ext) p->author_avatar = NULL;
  if (!p->pet_avatar_ext) p->pet_avatar = NULL;
}

int pa_store_feed(pa_store *db, const pa_store_cursor *after, int limit, pa_store_feed_fn fn,
                  void *ctx, pa_store_cursor *next, int *has_more) {
  pa_store_feed_query q = {PA_STORE_FEED_ALL, 0, 0, NULL};
  return pa_store_feed_where(db, &q, after, limit, fn, ctx, next, has_more);
}

/* Hands the gathered post to fn and moves the cursor past it. */
static int hand_on(pa_store *db, gathered *g, const offsets *o, pa_store_feed_fn fn, void *ctx,
                   pa_store_cursor *next) {
  resolve(g, o);
  pa_store_feed_post *p = &g->post;
  /* NOT NULL columns only read as NULL when the database ran out of memory. */
  if (!p->caption || !p->author_name || !p->pet_name || !p->pet_species)
    return pa_sq_failf(db, PA_STORE_ENOMEM, "feed: out of memory");
  for (int i = 0; i < p->image_count; i++)
    if (!g->images[i].hash || !g->images[i].ext || !g->images[i].alt)
      return pa_sq_failf(db, PA_STORE_ENOMEM, "feed: out of memory");
  if (fn(ctx, p) != 0) return pa_sq_failf(db, PA_STORE_EABORT, "feed: stopped by callback");
  next->created_at = p->created_at;
  next->id = p->id;
  return PA_STORE_OK;
}

int pa_store_feed_where(pa_store *db, const pa_store_feed_query *q, const pa_store_cursor *after,
                        int limit, pa_store_feed_fn fn, void *ctx, pa_store_cursor *next,
                        int *has_more) {
  *has_more = 0;
  if (limit < 1 || limit > PA_STORE_FEED_MAX || !fn || q->kind < PA_STORE_FEED_ALL ||
      q->kind > PA_STORE_FEED_TAG || (q->kind == PA_STORE_FEED_TAG && !q->tag))
    return pa_sq_failf(db, PA_STORE_EINVAL, "feed: bad limit");
  pa_sql_stmt *st = pa_sq_stmt(db, feed_sql[q->kind]);
  if (!st) return PA_STORE_EDB;

  /* The first page starts above every real position. */
  int rc = pa_sq_bind_i64(st, 1, after ? after->created_at : INT64_MAX);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, after ? after->id : INT64_MAX);
  /* One extra post tells whether another page exists. */
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, limit + 1);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, q->viewer);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, q->id);
  if (rc == PA_SQ_OK && q->kind == PA_STORE_FEED_TAG) rc = pa_sq_bind_text(st, 6, q->tag);
  if (rc != PA_SQ_OK) {
    pa_sq_done(st);
    return pa_sq_fail(db, "feed");
  }

  gathered g = {0};
  offsets o;
  int n = 0, out = PA_STORE_OK, open = 0;
  while ((rc = pa_sq_step(st)) == PA_SQ_ROW) {
    int64_t id = pa_sq_i64(st, 0);
    if (!open || id != g.post.id) {
      if (open && (out = hand_on(db, &g, &o, fn, ctx, next)) != PA_STORE_OK) break;
      if (open && ++n == limit) {
        *has_more = 1; /* this row is the extra post's */
        break;
      }
      open = 1;
      g.used = 0;
      g.post = (pa_store_feed_post){
          .id = id,
          .created_at = pa_sq_i64(st, 1),
          .like_count = pa_sq_i64(st, 2),
          .comment_count = pa_sq_i64(st, 3),
          .author_id = pa_sq_i64(st, 5),
          .pet_id = pa_sq_i64(st, 9),
          .liked = (int)pa_sq_i64(st, 14),
          .sponsored = (int)pa_sq_i64(st, 15),
          .author_plus_until = pa_sq_i64(st, 16),
          .mod_state = (int)pa_sq_i64(st, 17),
      };
      if (keep_cols(&g, st, post_text_cols, POST_TEXTS, o.post) != 0) {
        out = pa_sq_failf(db, PA_STORE_ENOMEM, "feed: out of memory");
        break;
      }
    }
    int i = g.post.image_count;
    if (i == PA_STORE_MAX_IMAGES) continue; /* the schema's bound: cannot happen */
    g.images[i].width = (int)pa_sq_i64(st, IMAGE_COL + 2);
    g.images[i].height = (int)pa_sq_i64(st, IMAGE_COL + 3);
    if (keep_cols(&g, st, image_text_cols, IMAGE_TEXTS, o.image[i]) != 0) {
      out = pa_sq_failf(db, PA_STORE_ENOMEM, "feed: out of memory");
      break;
    }
    g.post.image_count = i + 1;
  }
  if (out == PA_STORE_OK && rc != PA_SQ_ROW && rc != PA_SQ_DONE) out = pa_sq_fail(db, "feed");
  /* The last post of a page that had no extra one. */
  if (out == PA_STORE_OK && rc == PA_SQ_DONE && open) out = hand_on(db, &g, &o, fn, ctx, next);
  pa_sq_done(st);
  free(g.text);
  return out;
}

int pa_store_feed_subject(pa_store *db, const pa_store_feed_query *q) {
  int64_t one;
  if (q->kind == PA_STORE_FEED_AUTHOR)
    return pa_sq_scalar_i64(db, "SELECT 1 FROM users WHERE id = ?1", 1, &q->id, &one);
  if (q->kind == PA_STORE_FEED_PET)
    return pa_sq_scalar_i64(db, "SELECT 1 FROM pets WHERE id = ?1", 1, &q->id, &one);
  return pa_sq_failf(db, PA_STORE_EINVAL, "feed subject: not a person's or a pet's feed");
}
