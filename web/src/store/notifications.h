/* pa_store_notifications — what a person is told. Two tables, listed as one:
 * notifications (likes, comments, replies and follows, written by the
 * database beside the actions themselves: SQLite triggers, schemas 3 and 6)
 * and notices (schema 12: what the server itself tells — billing, follow
 * requests, health reminders, moderation, security — written by
 * pa_store_notifications_add_notice). This lists both merged by time, counts the unread
 * ones and marks them read. */
#ifndef PA_STORE_NOTIFICATIONS_H
#define PA_STORE_NOTIFICATIONS_H

#include "store/store.h"

enum {
  PA_STORE_NOTICE_DETAIL_MAX = 1000 /* bytes of a notice's detail (the schema's CHECK) */
};

typedef struct pa_store_notification {
  int64_t id; /* of the notification, or of the notice when notice */
  int notice; /* 1: a notices row (id "nt_N"); 0: a notifications row ("n_N") */
  /* notifications: "like", "comment", "reply", "follow", "pet_follow";
   * notices: "billing_renewal_failed", "billing_downgraded", "follow_request",
   * "follow_accepted", "health_due", "moderation", "security", "order" */
  const char *kind;
  int64_t created_at;
  int read;
  int64_t post_id, comment_id; /* 0 when the kind has none */
  pa_store_person actor;       /* who did it; id 0 when nobody (a notice may name none) */
  pa_store_pet_ref pet;        /* pet.id 0 when the kind names no pet */
  const char *detail;          /* a notice's JSON object; "{}" for notifications */
} pa_store_notification;

typedef int (*pa_store_notification_fn)(void *ctx, const pa_store_notification *n);

/* The notifications and notices of `user`, newest first, in pages
 * (store.h); the cursor orders the two tables' rows together. */
int pa_store_notifications_list(pa_store *db, int64_t user, const pa_store_cursor *after, int limit,
                                pa_store_notification_fn fn, void *ctx, pa_store_cursor *next,
                                int *more);
/* How many of user's notifications and notices are unread. */
int pa_store_notifications_unread(pa_store *db, int64_t user, int64_t *count);
/* Marks user's notifications and notices read: all of them when up_to is 0,
 * else every one listed at or after (older than or equal to) the row up_to
 * names — a notice's id when notice, a notification's otherwise. A row that
 * is not user's is PA_STORE_ENOTFOUND and marks nothing. */
int pa_store_notifications_mark_read(pa_store *db, int64_t user, int notice, int64_t up_to);

/* A notice to write. actor, post, pet: 0 for none. detail: a JSON object of
 * at most PA_STORE_NOTICE_DETAIL_MAX bytes (NULL: "{}"). */
typedef struct pa_store_notice_new {
  int64_t user;
  const char *kind;
  int64_t actor, post, pet;
  const char *detail;
  int64_t at;
} pa_store_notice_new;

/* Writes n; *id (optional) gets the new notice's id. Call it inside the
 * transaction of what it tells, so the two stand or fall together. */
int pa_store_notifications_add_notice(pa_store *db, const pa_store_notice_new *n, int64_t *id);

#endif
