/* pa_store_email — what e-mail flows keep: the tokens of reset and
 * change-of-address links (only their BLAKE2b-256, as sessions keep theirs;
 * each used once, before its expiry) and the outbox, where the embedded mail
 * service keeps the messages it would have sent (and SMTP's failures), for
 * the admin console. */
#ifndef PA_STORE_EMAIL_H
#define PA_STORE_EMAIL_H

#include "store/store.h"

#include <stddef.h>

typedef enum pa_store_token_purpose {
  PA_STORE_TOKEN_RESET = 0, /* a password reset */
  PA_STORE_TOKEN_CHANGE = 1 /* confirms a new address (email) */
} pa_store_token_purpose;

enum {
  PA_STORE_OUTBOX_SUBJECT_MAX = 200, /* bytes */
  PA_STORE_OUTBOX_BODY_MAX = 8000    /* bytes */
};

/* Adds a token of user's for purpose, hash its 32-byte BLAKE2b; email is the
 * new address for PA_STORE_TOKEN_CHANGE, NULL for a reset. */
int pa_store_email_token_add(pa_store *db, int64_t user, const unsigned char hash[32],
                             pa_store_token_purpose purpose, const char *email, int64_t now,
                             int64_t expires_at);

/* Spends the token whose hash is hash, for purpose: unused and not expired at
 * now. *user gets its account, email (PA_STORE_EMAIL_MAX + 1 bytes, may be
 * NULL for a reset) its new address. PA_STORE_ENOTFOUND when there is no
 * such token, it was used, or it expired: all three read the same. */
int pa_store_email_token_take(pa_store *db, const unsigned char hash[32],
                              pa_store_token_purpose purpose, int64_t now, int64_t *user,
                              char *email, size_t email_cap);

/* Spends every unused token of user's for purpose (a newer one replaces
 * them; a reset voids the others). */
int pa_store_email_tokens_void(pa_store *db, int64_t user, pa_store_token_purpose purpose,
                               int64_t now);

/* Deletes tokens that expired before `before` (housekeeping). */
int pa_store_email_tokens_prune(pa_store *db, int64_t before);

/* A message in the outbox. kind: "reset", "change_confirm", "change_notice";
 * status: "kept" (no SMTP configured) or "failed" (SMTP refused it). */
typedef struct pa_store_outbox_msg {
  int64_t id, created_at;
  const char *kind, *to, *subject, *body, *status;
} pa_store_outbox_msg;

typedef int (*pa_store_outbox_fn)(void *ctx, const pa_store_outbox_msg *m);

/* Adds m (its id ignored; created_at as given). */
int pa_store_email_outbox_add(pa_store *db, const pa_store_outbox_msg *m);

/* A page of the outbox, newest first, after the cursor (NULL: from the
 * newest); fn is called for each; *next and *more as every paged list (store.h). */
int pa_store_email_outbox_list(pa_store *db, const pa_store_cursor *after, int limit,
                               pa_store_outbox_fn fn, void *ctx, pa_store_cursor *next, int *more);

#endif
