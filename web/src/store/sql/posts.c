/* pa_store_posts: posts, their images, pets and tags, and likes. */
#include "store/posts.h"

#include "store/sql/sql.h"
#include "str.h"

static int add_tag(void *ctx, const char *tag) {
  struct {
    pa_store *db;
    int64_t id;
  } *c = ctx;
  pa_sql_stmt *st = pa_sq_stmt(
      c->db, "INSERT INTO post_tags (post_id, tag) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
  if (!st) return -1;
  int rc = pa_sq_bind_i64(st, 1, c->id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 2, tag);
  if (rc == PA_SQ_OK) rc = pa_sq_step(st);
  if (rc != PA_SQ_DONE) pa_sq_fail(c->db, "add tag");
  pa_sq_done(st);
  return rc == PA_SQ_DONE ? 0 : -1;
}

int pa_sq_post_tags(pa_store *db, int64_t post_id, const char *caption) {
  struct {
    pa_store *db;
    int64_t id;
  } c = {db, post_id};
  return pa_str_tags(caption, add_tag, &c) == 0 ? PA_STORE_OK : PA_STORE_EDB;
}

int pa_store_posts_pet_add(pa_store *db, int64_t post_id, int64_t pet_id) {
  int64_t a[2] = {post_id, pet_id};
  return pa_sq_exec_i64(db,
                        "INSERT INTO post_pets (post_id, pet_id) VALUES (?1, ?2)"
                        " ON CONFLICT DO NOTHING",
                        2, a, NULL);
}

int pa_store_posts_add(pa_store *db, const pa_store_new_post *p, int64_t *id) {
  pa_sql_stmt *st =
      pa_sq_stmt(db, "INSERT INTO posts (author_id, pet_id, caption, like_count, comment_count,"
                     " created_at, campaign_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, p->author_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, p->pet_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, p->caption ? p->caption : "");
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, p->like_count);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, p->comment_count);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 6, p->created_at);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_id(st, 7, p->campaign_id);
  int64_t new_id = 0;
  int out = pa_sq_run(db, st, rc, "add post", &new_id, NULL);
  if (out != PA_STORE_OK) return out;
  if ((out = pa_store_posts_pet_add(db, new_id, p->pet_id)) != PA_STORE_OK) return out;
  if ((out = pa_sq_post_tags(db, new_id, p->caption ? p->caption : "")) != PA_STORE_OK) return out;
  if (id) *id = new_id;
  return PA_STORE_OK;
}

int pa_store_posts_image_add(pa_store *db, int64_t post_id, int position, const char *media_hash,
                             const char *alt) {
  pa_sql_stmt *st = pa_sq_stmt(db, "INSERT INTO post_images (post_id, position, media, alt)"
                                   " VALUES (?1, ?2, ?3, ?4)");
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_i64(st, 1, post_id);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, position);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 3, media_hash);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_text(st, 4, alt ? alt : "");
  return pa_sq_run(db, st, rc, "add post image", NULL, NULL);
}

int pa_store_posts_count(pa_store *db, int64_t *out) {
  return pa_sq_scalar_i64(db, "SELECT count(*) FROM posts", 0, NULL, out);
}

int pa_store_posts_author(pa_store *db, int64_t post, int64_t *author) {
  return pa_sq_scalar_i64(db, "SELECT author_id FROM posts WHERE id = ?1", 1, &post, author);
}

int pa_store_posts_delete(pa_store *db, int64_t post) {
  return pa_sq_exec_i64(db, "DELETE FROM posts WHERE id = ?1", 1, &post, NULL);
}

typedef struct pet_walk {
  pa_store_pet_ref_fn fn;
  void *ctx;
} pet_walk;

static int pet_row(void *ctx, pa_sql_stmt *st) {
  pet_walk *w = ctx;
  pa_store_pet_ref pet;
  pa_sq_pet_ref(st, 0, &pet);
  return w->fn(w->ctx, &pet);
}

int pa_store_posts_pets(pa_store *db, int64_t post, pa_store_pet_ref_fn fn, void *ctx) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT t.id, t.name, t.species, t.avatar, m.ext"
                                   "  FROM post_pets pp JOIN pets t ON t.id = pp.pet_id"
                                   "  JOIN posts p ON p.id = pp.post_id"
                                   "  LEFT JOIN media m ON m.hash = t.avatar"
                                   " WHERE pp.post_id = ?1 ORDER BY t.id <> p.pet_id, t.id");
  if (!st) return PA_STORE_EDB;
  pet_walk w = {fn, ctx};
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, post), pet_row, &w, "post pets");
}

int pa_store_posts_like_set(pa_store *db, int64_t post, int64_t user, int on, int64_t now,
                            int64_t *like_count) {
  int64_t a[3] = {post, user, now};
  /* The triggers on likes keep posts.like_count in step. */
  int rc =
      on ? pa_sq_exec_i64(db,
                          "INSERT INTO likes (post_id, user_id, created_at)"
                          " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                          3, a, NULL)
         : pa_sq_exec_i64(db, "DELETE FROM likes WHERE post_id = ?1 AND user_id = ?2", 2, a, NULL);
  *like_count = 0;
  if (rc == PA_STORE_OK)
    rc = pa_sq_scalar_i64(db, "SELECT like_count FROM posts WHERE id = ?1", 1, &post, like_count);
  return rc == PA_STORE_ENOTFOUND ? PA_STORE_OK : rc;
}
