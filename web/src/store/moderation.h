/* pa_store_mod — reports and what moderators do about them (issue 19).
 *
 * A report names an item by kind ("post", "comment", "person", "message")
 * and id, and the person answerable for it (the subject: the author, the
 * sender, or the person reported). One report per reporter and item is open
 * at a time (the schema's partial unique index: a second is
 * PA_STORE_ECONFLICT). The moderation queue is the open reports grouped by
 * item, oldest first. An action sets the item's state (posts.mod_state,
 * comments.mod_state, users.suspended_until / banned_at) and closes the
 * item's reports; the caller writes it with its audit row and notices in one
 * transaction (api/moderation.c). */
#ifndef PA_STORE_MODERATION_H
#define PA_STORE_MODERATION_H

#include "store/store.h"

enum {
  PA_STORE_REPORT_TEXT_MAX = 500, /* characters of a reporter's own words (the schema's CHECK) */
  PA_STORE_REPORT_MESSAGE_MAX = 4000, /* characters of a reported chat message's text */
  PA_STORE_MOD_RECENT_POSTS = 6       /* a reported person's posts shown to the moderator */
};

/* What a moderator sees of a person: when a suspension ends (0: none) and
 * when they were banned (0: never). */
typedef struct pa_store_moderation_person_state {
  int64_t suspended_until, banned_at;
} pa_store_moderation_person_state;

/* posts.mod_state of post; PA_STORE_ENOTFOUND when there is no such post. */
int pa_store_moderation_post_state(pa_store *db, int64_t post, int *state);
/* comments.mod_state of comment and its author; PA_STORE_ENOTFOUND when none. */
int pa_store_moderation_comment_state(pa_store *db, int64_t comment, int *state, int64_t *author);
/* The person's suspension and ban; PA_STORE_ENOTFOUND when there is no such person. */
int pa_store_moderation_person_get(pa_store *db, int64_t user,
                                   pa_store_moderation_person_state *out);

/* 1 in *shared when a and b share a chat conversation (chat_convs): the
 * only trace the server keeps that one may have sent the other a message. */
int pa_store_moderation_chatted(pa_store *db, int64_t a, int64_t b, int *shared);

/* A new report. message: the decrypted text of a reported chat message
 * (kind "message" only, else NULL); messages: the chat messages the
 * reporter selected, a JSON array the caller wrote (schema 36; NULL when
 * the report names one message only). */
typedef struct pa_store_report_new {
  int64_t reporter;
  const char *kind;
  int64_t item, subject;
  const char *reason, *text, *message;
  int64_t at;
  const char *messages;
} pa_store_report_new;

/* Adds r; *id (optional) its id. PA_STORE_ECONFLICT when the reporter has an
 * open report on the item already. */
int pa_store_moderation_report_add(pa_store *db, const pa_store_report_new *r, int64_t *id);

/* An item with open reports, as the queue lists it. first_id is the oldest
 * open report's id (the queue's cursor with first_at). */
typedef struct pa_store_moderation_group {
  const char *kind;
  int64_t item, subject;
  int64_t first_at, first_id, count;
  pa_store_person subject_person;
  const char *subject_handle;
} pa_store_moderation_group;

typedef int (*pa_store_moderation_group_fn)(void *ctx, const pa_store_moderation_group *g);

/* The items with open reports, the longest-waiting first, in pages that
 * continue after `after` (first_at, first_id) in that order. */
int pa_store_moderation_queue(pa_store *db, const pa_store_cursor *after, int limit,
                              pa_store_moderation_group_fn fn, void *ctx, pa_store_cursor *next,
                              int *more);

/* One report as the moderator reads it. message NULL but for chat messages;
 * outcome NULL while open. */
typedef struct pa_store_report {
  int64_t id, at, closed_at;
  int64_t subject;
  pa_store_person reporter;
  const char *reporter_handle, *reason, *text, *message, *outcome;
  const char *messages; /* the JSON array stored with the report, or NULL */
} pa_store_report;

typedef int (*pa_store_report_fn)(void *ctx, const pa_store_report *r);

/* The reports on item (kind, id), open ones first then newest first, at
 * most limit. */
int pa_store_moderation_reports(pa_store *db, const char *kind, int64_t item, int limit,
                                pa_store_report_fn fn, void *ctx);

/* The person answerable for item (kind, id) when it has reports; 0 when none. */
int pa_store_moderation_report_subject(pa_store *db, const char *kind, int64_t item,
                                       int64_t *subject);

/* Closes the open reports on item (kind, id) with outcome at `at`; fn (may
 * be NULL) gets each reporter's id first (to be told). */
int pa_store_moderation_close(pa_store *db, const char *kind, int64_t item, const char *outcome,
                              int64_t at, int (*fn)(void *ctx, int64_t reporter), void *ctx);

/* Sets posts.mod_state (PA_STORE_MOD_*). Removing deletes the post's images
 * too, whose files the media collector then frees (the schema's trigger
 * queues them); a removed post cannot be shown again. *changed 1 when the
 * state moved. */
int pa_store_moderation_post_set(pa_store *db, int64_t post, int state, int *changed);
/* Sets comments.mod_state; *changed as above. */
int pa_store_moderation_comment_set(pa_store *db, int64_t comment, int state, int *changed);
/* Suspends user until `until` (0 lifts it); banned_at non-zero bans (0
 * lifts a ban). */
int pa_store_moderation_person_set(pa_store *db, int64_t user, int64_t suspended_until,
                                   int64_t banned_at);

/* A post as the moderator sees it in context: whatever its state. */
typedef struct pa_store_moderation_post {
  int64_t id, created_at, author_id, pet_id;
  int state;
  const char *caption, *author_name, *author_handle, *pet_name;
} pa_store_moderation_post;
typedef int (*pa_store_moderation_post_fn)(void *ctx, const pa_store_moderation_post *p);
/* Calls fn with post; PA_STORE_ENOTFOUND when there is none. */
int pa_store_moderation_post_get(pa_store *db, int64_t post, pa_store_moderation_post_fn fn,
                                 void *ctx);
/* The hash and extension of each of post's images, in order. */
int pa_store_moderation_post_images(pa_store *db, int64_t post,
                                    int (*fn)(void *ctx, const char *hash, const char *ext,
                                              const char *alt),
                                    void *ctx);
/* The newest PA_STORE_MOD_RECENT_POSTS posts of user, whatever their state. */
int pa_store_moderation_recent_posts(pa_store *db, int64_t user, pa_store_moderation_post_fn fn,
                                     void *ctx);

/* A comment in context: its body, author and the post it is on. */
typedef struct pa_store_moderation_comment {
  int64_t id, created_at, author_id, post_id;
  int state;
  const char *body, *author_name, *author_handle, *post_caption;
} pa_store_moderation_comment;
int pa_store_moderation_comment_get(pa_store *db, int64_t comment,
                                    int (*fn)(void *ctx, const pa_store_moderation_comment *c),
                                    void *ctx);

/* A reel or a story in context (kind "reel" or "story"), whatever its
 * state: its owner, caption (a story has none: ""), pet and media (a reel's
 * video and poster; a story's image, poster NULL). expires_at: a story's
 * end (0 for a reel). */
typedef struct pa_store_moderation_clip {
  int64_t id, created_at, expires_at, owner_id;
  int state;
  const char *caption, *owner_name, *owner_handle, *pet_name;
  const char *media_hash, *media_ext, *poster_hash, *poster_ext;
} pa_store_moderation_clip;
/* Calls fn with reel (reel 1) or story (0) id; PA_STORE_ENOTFOUND when there
 * is none (never was, or removed: the row goes with its removal). */
int pa_store_moderation_clip_get(pa_store *db, int reel, int64_t id,
                                 int (*fn)(void *ctx, const pa_store_moderation_clip *c),
                                 void *ctx);

/* A person in context. */
typedef struct pa_store_moderation_profile {
  int64_t id, created_at, suspended_until, banned_at, posts;
  const char *name, *handle, *bio;
} pa_store_moderation_profile;
int pa_store_moderation_profile_get(pa_store *db, int64_t user,
                                    int (*fn)(void *ctx, const pa_store_moderation_profile *p),
                                    void *ctx);

#endif
