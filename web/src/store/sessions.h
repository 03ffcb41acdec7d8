/* pa_store_sessions — signed-in sessions. The cookie's token never reaches
 * the store: only its hash (a blob, passed as bytes and a length) does. */
#ifndef PA_STORE_SESSIONS_H
#define PA_STORE_SESSIONS_H

#include "store/store.h"

enum { PA_STORE_CSRF_MAX = 47 /* bytes of a session's CSRF token */ };

typedef struct pa_store_new_session {
  int64_t user_id;
  const unsigned char *token_hash;
  size_t token_hash_len;
  const char *csrf;
  int64_t created_at, expires_at;
} pa_store_new_session;

typedef struct pa_store_session {
  int64_t id, user_id, expires_at;
  int64_t plus_until; /* the user's paid Plus ends then (store/pay.h); 0 for never */
  int roles;          /* the roles the user holds, a PA_STORE_ROLE_* mask (store/admin.h) */
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

/* Deletes the sessions that expired at or before now (housekeeping). */
int pa_store_sessions_expire(pa_store *db, int64_t now);

#endif
