/* pa_store_notifications — what happened to a person's posts, pets and
 * person: likes, comments, replies and follows. The rows are written by the
 * database beside the actions themselves (SQLite: triggers, schemas 3 and 6);
 * this lists them, counts the unread ones and marks them read. The list also
 * carries the person's billing notices (billing_notices, written by billing:
 * store/pay.h), merged by time as they are read. */
#ifndef PA_STORE_NOTIFICATIONS_H
#define PA_STORE_NOTIFICATIONS_H

#include "store/store.h"

typedef struct pa_store_notification {
  int64_t id;  /* of the notification, or of the billing notice when billing */
  int billing; /* 1: a billing notice (no actor, post, comment or pet; read) */
  /* "like", "comment", "reply", "follow", "pet_follow"; billing notices
   * "billing_renewal_failed" or "billing_downgraded" */
  const char *kind;
  int64_t created_at;
  int read;
  int64_t post_id, comment_id; /* 0 when the kind has none */
  pa_store_person actor;       /* who did it; id 0 for billing notices */
  pa_store_pet_ref pet;        /* pet.id 0 when the kind names no pet */
} pa_store_notification;

typedef int (*pa_store_notification_fn)(void *ctx, const pa_store_notification *n);

/* The notifications of `user` and their billing notices, newest first, in
 * pages (store.h); the cursor orders the two kinds of row together. */
int pa_store_notifications_list(pa_store *db, int64_t user, const pa_store_cursor *after, int limit,
                                pa_store_notification_fn fn, void *ctx, pa_store_cursor *next,
                                int *more);
/* How many of user's notifications are unread. */
int pa_store_notifications_unread(pa_store *db, int64_t user, int64_t *count);
/* Marks user's notifications read: all of them when up_to is 0, else those
 * with ids up to up_to. */
int pa_store_notifications_mark_read(pa_store *db, int64_t user, int64_t up_to);

#endif
