/* pa_store_comments — comments on posts, and replies to them (one level
 * deep: a reply answers a top-level comment). */
#ifndef PA_STORE_COMMENTS_H
#define PA_STORE_COMMENTS_H

#include "store/store.h"

typedef struct pa_store_comment {
  int64_t id, post_id;
  int64_t parent_id; /* the comment it replies to; 0 for a top-level comment */
  const char *body;
  int64_t created_at;
  pa_store_person author;
  int64_t reply_count;
  int mod_state; /* PA_STORE_MOD_* (store/moderation.h) */
} pa_store_comment;

typedef int (*pa_store_comment_fn)(void *ctx, const pa_store_comment *c);

/* The comments on post `post` that answer `parent` (0: the top-level ones),
 * OLDEST first: pages continue after `after` in that order (the paging
 * convention of store.h otherwise). A comment a moderator hid is listed to
 * its author (viewer) only; a removed one to nobody. Comments by people in
 * a block with viewer (0 for nobody), either way, are left out. */
int pa_store_comments_list(pa_store *db, int64_t post, int64_t parent, int64_t viewer,
                           const pa_store_cursor *after, int limit, pa_store_comment_fn fn,
                           void *ctx, pa_store_cursor *next, int *more);

/* Calls fn once with comment `id`, its reply_count as viewer is listed the
 * replies; PA_STORE_ENOTFOUND when there is none. */
int pa_store_comments_get(pa_store *db, int64_t id, int64_t viewer, pa_store_comment_fn fn,
                          void *ctx);

/* Where a comment sits and who may remove it. */
typedef struct pa_store_comment_info {
  int64_t post_id, parent_id; /* parent_id 0: top-level */
  int64_t author_id, post_author_id;
} pa_store_comment_info;

/* PA_STORE_ENOTFOUND when there is no comment `id`. */
int pa_store_comments_info_get(pa_store *db, int64_t id, pa_store_comment_info *out);

/* Inserts a comment by author on post (parent 0: top-level) at `now`; the
 * post's comment count and the notifications follow. *id (optional) gets
 * the new comment's id. */
int pa_store_comments_add(pa_store *db, int64_t post, int64_t author, int64_t parent,
                          const char *body, int64_t now, int64_t *id);
/* Deletes the comment and its replies. */
int pa_store_comments_delete(pa_store *db, int64_t id);

#endif
