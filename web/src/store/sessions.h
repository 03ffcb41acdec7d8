/* pa_store_sessions — signed-in sessions. The cookie's token never reaches
 * the store: only its hash (a blob, passed as bytes and a length) does. */
#ifndef PA_STORE_SESSIONS_H
#define PA_STORE_SESSIONS_H

#include "store/store.h"

enum {
  PA_STORE_CSRF_MAX = 47, /* bytes of a session's CSRF token */
  /* last_seen_at moves at most this often (seconds): a read rarely writes,
   * and "last seen 3 minutes ago" needs no finer grain. */
  PA_STORE_SESSIONS_SEEN_EVERY = 300,
  PA_STORE_DEVICE_NAME_MAX = 24, /* bytes of a browser or OS name (schema 13 CHECK) */
  PA_STORE_DEVICE_ADDR_MAX = 63  /* bytes of a coarse address (schema 13 CHECK) */
};

/* One row of a person's sessions list. */
typedef struct pa_store_session_info {
  int64_t id, created_at, last_seen_at;
  char browser[PA_STORE_DEVICE_NAME_MAX + 1], os[PA_STORE_DEVICE_NAME_MAX + 1];
  char addr[PA_STORE_DEVICE_ADDR_MAX + 1];
} pa_store_session_info;

typedef struct pa_store_new_session {
  int64_t user_id;
  const unsigned char *token_hash;
  size_t token_hash_len;
  const char *csrf;
  int64_t created_at, expires_at;
  /* What the sessions list shows (auth/device.h); NULL is "". */
  const char *browser, *os, *addr;
} pa_store_new_session;

typedef struct pa_store_session {
  int64_t id, user_id, expires_at;
  int64_t last_seen_at; /* when the session was last used, to PA_STORE_SESSIONS_SEEN_EVERY */
  int64_t plus_until;   /* the user's paid Plus ends then (store/pay.h); 0 for never */
  int roles;            /* the roles the user holds, a PA_STORE_ROLE_* mask (store/admin.h) */
  /* A moderator barred the user until then (store/moderation.h): a ban is
   * INT64_MAX, a suspension its end, 0 none. */
  int64_t barred_until;
  char csrf[PA_STORE_CSRF_MAX + 1];
} pa_store_session;

int pa_store_sessions_add(pa_store *db, const pa_store_new_session *s);

/* The session whose token hashes to token_hash, expired or not (the caller
 * compares expires_at with its clock); PA_STORE_ENOTFOUND when none. */
int pa_store_sessions_find(pa_store *db, const unsigned char *token_hash, size_t token_hash_len,
                           pa_store_session *out);

/* Moves the expiry of session id to expires_at. */
int pa_store_sessions_extend(pa_store *db, int64_t id, int64_t expires_at);

int pa_store_sessions_delete(pa_store *db, int64_t id);

/* Deletes every session of user but session keep (0: all of them). */
int pa_store_sessions_delete_user(pa_store *db, int64_t user, int64_t keep);

/* Records that session id was used at now. */
int pa_store_sessions_seen(pa_store *db, int64_t id, int64_t now);

/* Calls row for each unexpired session of user, last used first (then
 * newest); a nonzero return stops the walk (PA_STORE_EABORT). */
int pa_store_sessions_list(pa_store *db, int64_t user, int64_t now,
                           int (*row)(void *ctx, const pa_store_session_info *s), void *ctx);

/* Deletes session id when it is user's; PA_STORE_ENOTFOUND when user has no
 * such session (someone else's id reads the same as one that never was). */
int pa_store_sessions_delete_own(pa_store *db, int64_t user, int64_t id);

/* Records that user signed in at now from browser and os (auth/device.h's
 * names, "" unknown; NULL is ""): *known is 1 when that pair was seen before
 * for user, *first 1 when user had no device at all before (a sign-up). Call
 * inside the transaction that adds the session. */
int pa_store_sessions_device_seen(pa_store *db, int64_t user, const char *browser, const char *os,
                                  int64_t now, int *known, int *first);

/* Deletes the sessions that expired at or before now (housekeeping). */
int pa_store_sessions_expire(pa_store *db, int64_t now);

#endif
