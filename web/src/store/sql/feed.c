/* pa_store_feed: the walks of posts with their images. */
#include "store/feed.h"

#include "store/sql/sql.h"

#include <stdio.h>

/* ?1 ?2 the cursor, ?3 the row limit, ?4 the viewer, ?5 the filter's id. */
#define FEED_SQL(filter)                                                                           \
  "SELECT p.id, p.created_at, p.like_count, p.comment_count, p.caption,"                           \
  "       u.id, u.name, u.avatar, um.ext,"                                                         \
  "       t.id, t.name, t.species, t.avatar, tm.ext,"                                              \
  "       EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND l.user_id = ?4),"               \
  "       p.campaign_id IS NOT NULL"                                                               \
  "  FROM posts p"                                                                                 \
  "  JOIN users u ON u.id = p.author_id"                                                           \
  "  JOIN pets t ON t.id = p.pet_id"                                                               \
  "  LEFT JOIN media um ON um.hash = u.avatar"                                                     \
  "  LEFT JOIN media tm ON tm.hash = t.avatar"                                                     \
  " WHERE (p.created_at, p.id) < (?1, ?2)"                                                         \
  "   AND EXISTS (SELECT 1 FROM post_images i WHERE i.post_id = p.id)" filter                      \
  " ORDER BY p.created_at DESC, p.id DESC"                                                         \
  " LIMIT ?3"

static const char *const feed_sql[] = {
    [PA_STORE_FEED_ALL] = FEED_SQL(" AND ?5 = ?5"),
    [PA_STORE_FEED_FOLLOWING] = FEED_SQL(
        " AND ?5 = ?5 AND (p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = ?4)"
        "  OR EXISTS (SELECT 1 FROM post_pets pp JOIN pet_follows f ON f.pet_id = pp.pet_id"
        "             WHERE pp.post_id = p.id AND f.follower_id = ?4))"),
    [PA_STORE_FEED_AUTHOR] = FEED_SQL(" AND p.author_id = ?5"),
    [PA_STORE_FEED_PET] = FEED_SQL(
        " AND EXISTS (SELECT 1 FROM post_pets pp WHERE pp.post_id = p.id AND pp.pet_id = ?5)"),
    [PA_STORE_FEED_ONE] = FEED_SQL(" AND p.id = ?5"),
    [PA_STORE_FEED_TAG] = FEED_SQL(" AND ?5 = ?5 AND EXISTS (SELECT 1 FROM post_tags pt WHERE "
                                   "pt.post_id = p.id AND pt.tag = ?6)"),
};

static const char images_sql[] = "SELECT m.hash, m.ext, m.width, m.height, i.alt, m.thumbhash"
                                 "  FROM post_images i JOIN media m ON m.hash = i.media"
                                 " WHERE i.post_id = ?1 ORDER BY i.position LIMIT 10";

typedef struct image_copy {
  char hash[65], ext[8], alt[PA_STORE_ALT_MAX + 1], thumbhash[40];
} image_copy;

static void copy_text(char *dst, size_t cap, const unsigned char *src) {
  snprintf(dst, cap, "%s", src ? (const char *)src : "");
}

static int load_images(pa_store *db, pa_sql_stmt *st, int64_t post_id, image_copy *copies,
                       pa_store_image *images, int *count) {
  int rc, n = 0;
  if (pa_sq_bind_i64(st, 1, post_id) != PA_SQ_OK) return pa_sq_fail(db, "feed images");
  while (n < PA_STORE_MAX_IMAGES && (rc = pa_sq_step(st)) == PA_SQ_ROW) {
    /* Text pointers die on the next step, so keep copies (sizes are bounded by the schema). */
    copy_text(copies[n].hash, sizeof copies[n].hash, (const unsigned char *)pa_sq_text(st, 0));
    copy_text(copies[n].ext, sizeof copies[n].ext, (const unsigned char *)pa_sq_text(st, 1));
    copy_text(copies[n].alt, sizeof copies[n].alt, (const unsigned char *)pa_sq_text(st, 4));
    copy_text(copies[n].thumbhash, sizeof copies[n].thumbhash,
              (const unsigned char *)pa_sq_text(st, 5));
    images[n] = (pa_store_image){
        copies[n].hash,        copies[n].ext,
        copies[n].alt,         (int)pa_sq_i64(st, 2),
        (int)pa_sq_i64(st, 3), copies[n].thumbhash[0] ? copies[n].thumbhash : NULL};
    n++;
  }
  if (n < PA_STORE_MAX_IMAGES && rc != PA_SQ_DONE) {
    int out = pa_sq_fail(db, "feed images");
    pa_sq_done(st);
    return out;
  }
  pa_sq_done(st);
  *count = n;
  return PA_STORE_OK;
}

int pa_store_feed(pa_store *db, const pa_store_cursor *after, int limit, pa_store_feed_fn fn,
                  void *ctx, pa_store_cursor *next, int *has_more) {
  pa_store_feed_query q = {PA_STORE_FEED_ALL, 0, 0, NULL};
  return pa_store_feed_where(db, &q, after, limit, fn, ctx, next, has_more);
}

int pa_store_feed_where(pa_store *db, const pa_store_feed_query *q, const pa_store_cursor *after,
                        int limit, pa_store_feed_fn fn, void *ctx, pa_store_cursor *next,
                        int *has_more) {
  image_copy copies[PA_STORE_MAX_IMAGES];
  pa_store_image images[PA_STORE_MAX_IMAGES];
  int rc, n = 0, out = PA_STORE_OK;
  *has_more = 0;
  if (limit < 1 || limit > PA_STORE_FEED_MAX || !fn || q->kind < PA_STORE_FEED_ALL ||
      q->kind > PA_STORE_FEED_TAG || (q->kind == PA_STORE_FEED_TAG && !q->tag))
    return pa_sq_failf(db, PA_STORE_EINVAL, "feed: bad limit");
  pa_sql_stmt *feed = pa_sq_stmt(db, feed_sql[q->kind]);
  if (!feed) return PA_STORE_EDB;
  pa_sql_stmt *images_st = pa_sq_stmt(db, images_sql);
  if (!images_st) return PA_STORE_EDB;

  /* The first page starts above every real position. */
  rc = pa_sq_bind_i64(feed, 1, after ? after->created_at : INT64_MAX);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(feed, 2, after ? after->id : INT64_MAX);
  /* One extra row tells whether another page exists. */
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(feed, 3, limit + 1);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(feed, 4, q->viewer);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(feed, 5, q->id);
  if (rc == PA_SQ_OK && q->kind == PA_STORE_FEED_TAG) rc = pa_sq_bind_text(feed, 6, q->tag);
  if (rc != PA_SQ_OK) {
    pa_sq_done(feed);
    return pa_sq_fail(db, "feed");
  }

  while ((rc = pa_sq_step(feed)) == PA_SQ_ROW) {
    pa_sql_stmt *st = feed;
    if (n == limit) {
      *has_more = 1;
      break;
    }
    pa_store_feed_post p = {
        .id = pa_sq_i64(st, 0),
        .created_at = pa_sq_i64(st, 1),
        .like_count = pa_sq_i64(st, 2),
        .comment_count = pa_sq_i64(st, 3),
        .caption = pa_sq_text(st, 4),
        .author_id = pa_sq_i64(st, 5),
        .author_name = pa_sq_text(st, 6),
        .author_avatar = pa_sq_text(st, 7),
        .author_avatar_ext = pa_sq_text(st, 8),
        .pet_id = pa_sq_i64(st, 9),
        .pet_name = pa_sq_text(st, 10),
        .pet_species = pa_sq_text(st, 11),
        .pet_avatar = pa_sq_text(st, 12),
        .pet_avatar_ext = pa_sq_text(st, 13),
        .liked = (int)pa_sq_i64(st, 14),
        .sponsored = (int)pa_sq_i64(st, 15),
        .images = images,
    };
    /* NOT NULL columns only read as NULL when SQLite ran out of memory. */
    if (!p.caption || !p.author_name || !p.pet_name || !p.pet_species) {
      out = pa_sq_failf(db, PA_STORE_ENOMEM, "feed: out of memory");
      break;
    }
    if (!p.author_avatar_ext) p.author_avatar = NULL;
    if (!p.pet_avatar_ext) p.pet_avatar = NULL;
    if ((out = load_images(db, images_st, p.id, copies, images, &p.image_count)) != PA_STORE_OK)
      break;
    if (fn(ctx, &p) != 0) {
      out = pa_sq_failf(db, PA_STORE_EABORT, "feed: stopped by callback");
      break;
    }
    next->created_at = p.created_at;
    next->id = p.id;
    n++;
  }
  if (out == PA_STORE_OK && rc != PA_SQ_ROW && rc != PA_SQ_DONE) out = pa_sq_fail(db, "feed");
  pa_sq_done(feed);
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
