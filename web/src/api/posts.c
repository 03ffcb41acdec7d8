/* pa_srv — posts, likes and comments. */
#include "api/api.h"
#include "clock.h"

#include <stdio.h>
#include <string.h>

static const char *col(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

/* The post as in the feed plus every pet it shows; NULL when it does not
 * exist (*missing set) or on failure. */
static cJSON *post_detail(pa_srv_req *rq, int64_t id, int *missing) {
  cJSON *arr = cJSON_CreateArray();
  pa_store_cursor next;
  int more = 0;
  pa_store_feed_query q = {PA_STORE_FEED_ONE, id, rq->viewer, NULL};
  *missing = 0;
  if (!arr || pa_store_feed_where(rq->db, &q, NULL, 1, pa_api_add_feed_post, arr, &next, &more) !=
                  PA_STORE_OK) {
    cJSON_Delete(arr);
    return NULL;
  }
  cJSON *post = cJSON_DetachItemFromArray(arr, 0);
  cJSON_Delete(arr);
  if (!post) {
    *missing = 1;
    return NULL;
  }
  cJSON *pets = cJSON_AddArrayToObject(post, "pets");
  sqlite3_stmt *st = pa_sq_stmt(rq->db, "SELECT t.id, t.name, t.species, t.avatar, m.ext"
                                        "  FROM post_pets pp JOIN pets t ON t.id = pp.pet_id"
                                        "  JOIN posts p ON p.id = pp.post_id"
                                        "  LEFT JOIN media m ON m.hash = t.avatar"
                                        " WHERE pp.post_id = ?1 ORDER BY t.id <> p.pet_id, t.id");
  int rc = pets && st ? sqlite3_bind_int64(st, 1, id) : SQLITE_ERROR;
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    cJSON *pet = pa_api_pet_json(st, 0);
    if (!pet || !cJSON_AddItemToArray(pets, pet)) {
      cJSON_Delete(pet);
      rc = SQLITE_NOMEM;
    } else {
      rc = SQLITE_OK;
    }
  }
  pa_sq_done(st);
  if (rc != SQLITE_DONE) {
    cJSON_Delete(post);
    return NULL;
  }
  return post;
}

void pa_api_post_get(pa_srv_req *rq) {
  int missing;
  cJSON *post = post_detail(rq, rq->ids[0], &missing);
  if (missing)
    PA_NOT_FOUND(rq, "No such post");
  else if (!post)
    pa_api_internal(rq, "post");
  else
    pa_api_json(rq, 200, post);
}

/* Checks an array member of typed ids: 1..max items, no repeats. */
static int id_list(pa_srv_req *rq, const cJSON *body, const char *name, const char *prefix, int max,
                   int64_t *out, int *n) {
  char msg[128];
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(body, name), *it;
  int count = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
  if (count < 1 || count > max) {
    snprintf(msg, sizeof msg, "%s must be an array of 1 to %d ids", name, max);
    PA_BAD(rq, msg);
    return -1;
  }
  *n = 0;
  cJSON_ArrayForEach(it, arr) {
    int64_t id;
    if (!cJSON_IsString(it) || pa_api_parse_id(it->valuestring, prefix, &id) != 0) {
      snprintf(msg, sizeof msg, "%s[%d] must be an id like \"%s_1\"", name, *n, prefix);
      PA_BAD(rq, msg);
      return -1;
    }
    for (int k = 0; k < *n; k++)
      if (out[k] == id) {
        snprintf(msg, sizeof msg, "%s[%d] repeats an id", name, *n);
        PA_BAD(rq, msg);
        return -1;
      }
    out[(*n)++] = id;
  }
  return 0;
}

void pa_api_post_create(pa_srv_req *rq) {
  static const char *const fields[] = {"caption", "media_ids", "pet_ids", "alt", NULL};
  int64_t media[PA_STORE_MAX_IMAGES], pets[PA_STORE_MAX_IMAGES], post = 0;
  int nmedia = 0, npets = 0;
  const char *caption;
  char what[32], hash[65], ext[8];
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  const cJSON *alts = cJSON_GetObjectItemCaseSensitive(body, "alt");
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "caption", 1, 0, 2200, 1, &caption) ||
      id_list(rq, body, "media_ids", "m", PA_STORE_MAX_IMAGES, media, &nmedia) ||
      id_list(rq, body, "pet_ids", "pet", PA_STORE_MAX_IMAGES, pets, &npets))
    goto out;
  if (alts && (!cJSON_IsArray(alts) || cJSON_GetArraySize(alts) > nmedia)) {
    PA_BAD(rq, "alt must be an array with at most one text per image");
    goto out;
  }
  for (int i = 0; alts && i < cJSON_GetArraySize(alts); i++) {
    const cJSON *a = cJSON_GetArrayItem(alts, i);
    if (!cJSON_IsString(a) || strlen(a->valuestring) > PA_STORE_ALT_MAX) {
      PA_BAD(rq, "alt texts must be strings of at most 300 bytes");
      goto out;
    }
  }
  if (pa_store_begin(rq->db) != PA_STORE_OK) {
    pa_api_internal(rq, "new post");
    goto out;
  }
  /* Writes go in as they are checked; any refusal rolls all of them back. */
  pa_store_new_post row = {rq->viewer, pets[0], caption, 0, 0, pa_clock_now(), 0};
  if (pa_api_own_pet(rq, pets[0], "pet_ids[0]") != 0) goto undo;
  if (pa_store_post_add(rq->db, &row, &post) != PA_STORE_OK) goto fail;
  for (int i = 0; i < nmedia; i++) {
    snprintf(what, sizeof what, "media_ids[%d]", i);
    const cJSON *a = alts ? cJSON_GetArrayItem(alts, i) : NULL;
    if (pa_api_own_media(rq, media[i], "image", what, "media_ids", hash, ext) != 0) goto undo;
    if (pa_store_post_image_add(rq->db, post, i, hash, a ? a->valuestring : "") != PA_STORE_OK)
      goto fail;
  }
  for (int i = 1; i < npets; i++) {
    snprintf(what, sizeof what, "pet_ids[%d]", i);
    if (pa_api_own_pet(rq, pets[i], what) != 0) goto undo;
    if (pa_store_post_pet_add(rq->db, post, pets[i]) != PA_STORE_OK) goto fail;
  }
  if (pa_store_commit(rq->db) != PA_STORE_OK) goto fail;
  int missing;
  cJSON *out = post_detail(rq, post, &missing);
  if (!out)
    pa_api_internal(rq, "new post");
  else
    pa_api_json(rq, 201, out);
  goto out;
fail:
  pa_api_internal(rq, "new post");
undo:
  pa_store_rollback(rq->db);
out:
  cJSON_Delete(body);
}

/* 0 with the post's author, or -1 with 404 sent. */
static int post_author(pa_srv_req *rq, int64_t post, int64_t *author) {
  int found;
  if (pa_sq_scalar_found(rq->db, "SELECT author_id FROM posts WHERE id = ?1", 1, &post, author,
                         &found) != PA_STORE_OK) {
    pa_api_internal(rq, "post");
    return -1;
  }
  if (!found) {
    PA_NOT_FOUND(rq, "No such post");
    return -1;
  }
  return 0;
}

void pa_api_post_delete(pa_srv_req *rq) {
  pa_api_delete_own(rq, "SELECT author_id FROM posts WHERE id = ?1",
                    "DELETE FROM posts WHERE id = ?1", "No such post",
                    "Only the author may delete a post");
}

static void like(pa_srv_req *rq, int on) {
  int64_t author, count = 0;
  int found;
  int64_t a[3] = {rq->ids[0], rq->viewer, pa_clock_now()};
  if (post_author(rq, rq->ids[0], &author) != 0) return;
  /* The trigger on likes keeps posts.like_count in step; both are idempotent. */
  int rc = on ? pa_sq_exec_i64(rq->db,
                               "INSERT OR IGNORE INTO likes (post_id, user_id, created_at)"
                               " VALUES (?1, ?2, ?3)",
                               3, a, NULL)
              : pa_sq_exec_i64(rq->db, "DELETE FROM likes WHERE post_id = ?1 AND user_id = ?2", 2,
                               a, NULL);
  if (rc == PA_STORE_OK)
    rc = pa_sq_scalar_found(rq->db, "SELECT like_count FROM posts WHERE id = ?1", 1, a, &count,
                            &found);
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "like");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  if (root && (!cJSON_AddBoolToObject(root, "liked", on) ||
               !cJSON_AddNumberToObject(root, "like_count", (double)count))) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_like_put(pa_srv_req *rq) { like(rq, 1); }
void pa_api_like_delete(pa_srv_req *rq) { like(rq, 0); }

/* ---- comments */

#define COMMENT_COLS                                                                               \
  "SELECT c.id, c.post_id, c.parent_id, c.body, c.created_at,"                                     \
  "       u.id, u.name, u.avatar, m.ext,"                                                          \
  "       (SELECT count(*) FROM comments r WHERE r.parent_id = c.id)"                              \
  "  FROM comments c JOIN users u ON u.id = c.author_id LEFT JOIN media m ON m.hash = u.avatar"

static cJSON *comment_json(sqlite3_stmt *st) {
  cJSON *o = cJSON_CreateObject(), *author = pa_api_user_json(st, 5);
  int bad = !o || !author || pa_api_add_id(o, "id", "c", sqlite3_column_int64(st, 0)) ||
            pa_api_add_id(o, "post_id", "p", sqlite3_column_int64(st, 1));
  if (!bad)
    bad = sqlite3_column_type(st, 2) == SQLITE_NULL
              ? !cJSON_AddNullToObject(o, "parent_id")
              : pa_api_add_id(o, "parent_id", "c", sqlite3_column_int64(st, 2));
  if (!bad) {
    cJSON_AddItemToObject(o, "author", author);
    author = NULL;
    bad = !cJSON_AddStringToObject(o, "body", col(st, 3) ? col(st, 3) : "") ||
          pa_api_add_time(o, "created_at", sqlite3_column_int64(st, 4)) ||
          !cJSON_AddNumberToObject(o, "reply_count", (double)sqlite3_column_int64(st, 9));
  }
  cJSON_Delete(author);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

void pa_api_comments_get(pa_srv_req *rq) {
  int limit, has_cursor, has_more = 0;
  pa_store_cursor after = {0, 0}, next = {0, 0};
  char parent_text[40];
  int64_t author, parent = 0, parent_post = 0;
  int found;
  if (pa_api_page(rq, PA_API_LIST_MAX, PA_API_LIST_DEFAULT, &limit, &after, &has_cursor) != 0)
    return;
  int q = pa_api_query(rq, "parent_id", parent_text, sizeof parent_text);
  if (q < 0) return;
  if (q == 0 && pa_api_parse_id(parent_text, "c", &parent) != 0) {
    PA_BAD(rq, "parent_id must be a comment id like \"c_1\"");
    return;
  }
  if (post_author(rq, rq->ids[0], &author) != 0) return;
  if (parent) {
    if (pa_sq_scalar_found(rq->db, "SELECT post_id FROM comments WHERE id = ?1", 1, &parent,
                           &parent_post, &found) != PA_STORE_OK) {
      pa_api_internal(rq, "comments");
      return;
    }
    if (!found || parent_post != rq->ids[0]) {
      PA_NOT_FOUND(rq, "No such comment on this post");
      return;
    }
  }
  sqlite3_stmt *st = pa_sq_stmt(rq->db, COMMENT_COLS " WHERE c.post_id = ?1 AND c.parent_id IS ?2"
                                                     "   AND (c.created_at, c.id) > (?3, ?4)"
                                                     " ORDER BY c.created_at, c.id LIMIT ?5");
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "comments");
  int rc = st && list ? sqlite3_bind_int64(st, 1, rq->ids[0]) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = parent ? sqlite3_bind_int64(st, 2, parent) : sqlite3_bind_null(st, 2);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, has_cursor ? after.created_at : INT64_MIN);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 4, has_cursor ? after.id : INT64_MIN);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 5, limit + 1);
  if (rc == SQLITE_OK) rc = pa_api_page_rows(st, limit, comment_json, list, 4, 0, &next, &has_more);
  pa_sq_done(st);
  if (rc != SQLITE_DONE || pa_api_add_cursor(root, has_more, &next) != 0) {
    cJSON_Delete(root);
    pa_api_internal(rq, "comments");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_comment_create(pa_srv_req *rq) {
  static const char *const fields[] = {"body", "parent_id", NULL};
  const char *text;
  int64_t author, parent = 0, id = 0;
  cJSON *body = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "body", 1, 1, 2200, 1, &text) ||
      pa_api_id(rq, body, "parent_id", "c", 0, &parent) ||
      post_author(rq, rq->ids[0], &author) != 0)
    goto out;
  if (parent) {
    sqlite3_stmt *st = pa_sq_stmt(rq->db, "SELECT post_id, parent_id FROM comments WHERE id = ?1");
    int rc = st ? sqlite3_bind_int64(st, 1, parent) : SQLITE_ERROR;
    int64_t post = 0, grand = 0;
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      post = sqlite3_column_int64(st, 0);
      grand = sqlite3_column_int64(st, 1);
    }
    pa_sq_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      pa_api_internal(rq, "comment");
      goto out;
    }
    if (rc == SQLITE_DONE || post != rq->ids[0]) {
      PA_BAD(rq, "parent_id is not a comment on this post");
      goto out;
    }
    if (grand) {
      PA_BAD(rq, "Replies go one level deep: reply to the top-level comment instead");
      goto out;
    }
  }
  sqlite3_stmt *st = pa_sq_stmt(rq->db, "INSERT INTO comments (post_id, author_id, parent_id,"
                                        " body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  int rc = st ? sqlite3_bind_int64(st, 1, rq->ids[0]) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, rq->viewer);
  if (rc == SQLITE_OK) rc = parent ? sqlite3_bind_int64(st, 3, parent) : sqlite3_bind_null(st, 3);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 4, text, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, pa_clock_now());
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) pa_sq_fail(rq->db, "add comment");
  id = sqlite3_last_insert_rowid(pa_sq_handle(rq->db));
  pa_sq_done(st);
  if (rc != SQLITE_DONE) {
    pa_api_internal(rq, "comment");
    goto out;
  }
  st = pa_sq_stmt(rq->db, COMMENT_COLS " WHERE c.id = ?1");
  rc = st ? sqlite3_bind_int64(st, 1, id) : SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  cJSON *c = rc == SQLITE_ROW ? comment_json(st) : NULL;
  pa_sq_done(st);
  if (!c)
    pa_api_internal(rq, "comment");
  else
    pa_api_json(rq, 201, c);
out:
  cJSON_Delete(body);
}

void pa_api_comment_delete(pa_srv_req *rq) {
  sqlite3_stmt *st = pa_sq_stmt(rq->db, "SELECT c.author_id, p.author_id FROM comments c"
                                        " JOIN posts p ON p.id = c.post_id WHERE c.id = ?1");
  int rc = st ? sqlite3_bind_int64(st, 1, rq->ids[0]) : SQLITE_ERROR;
  int64_t by = 0, owner = 0;
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    by = sqlite3_column_int64(st, 0);
    owner = sqlite3_column_int64(st, 1);
  }
  pa_sq_done(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    pa_api_internal(rq, "comment");
    return;
  }
  if (rc == SQLITE_DONE) {
    PA_NOT_FOUND(rq, "No such comment");
    return;
  }
  if (by != rq->viewer && owner != rq->viewer) {
    PA_FORBIDDEN(rq, "Only the comment's or the post's author may delete it");
    return;
  }
  if (pa_sq_exec_i64(rq->db, "DELETE FROM comments WHERE id = ?1", 1, &rq->ids[0], NULL) !=
      PA_STORE_OK) {
    pa_api_internal(rq, "delete comment");
    return;
  }
  pa_api_ok(rq);
}
