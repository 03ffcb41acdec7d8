/* pa_store_accounts — accounts: a person who signs in with an email and a
 * password (Argon2id text form, made and checked by the caller), and the
 * account's own view of itself. Sessions are store/sessions.h.
 *
 * Signup adds the account and its first session in one transaction the
 * caller opens (pa_store_begin/pa_store_end); so does a password change with
 * pa_store_sessions_delete_user. */
#ifndef PA_STORE_ACCOUNTS_H
#define PA_STORE_ACCOUNTS_H

#include "store/store.h"

enum {
  PA_STORE_EMAIL_MAX = 254, /* bytes of an email address */
  PA_STORE_PW_HASH_MAX =
      127,                 /* bytes of a password hash (libsodium's crypto_pwhash_STRBYTES - 1) */
  PA_STORE_LOCALE_MAX = 16 /* bytes of users.locale, a catalog's tag */
};

typedef struct pa_store_new_account {
  const char *handle, *name, *email, *pw_hash;
  int64_t created_at;
} pa_store_new_account;

/* Inserts an account; *id gets its id. PA_STORE_ECONFLICT when the handle
 * (or the email) is taken: nothing is written and an open transaction stays
 * usable, so the caller can try another handle. */
int pa_store_accounts_add(pa_store *db, const pa_store_new_account *a, int64_t *id);

/* What signing in checks. */
typedef struct pa_store_credentials {
  int64_t id;
  char email[PA_STORE_EMAIL_MAX + 1];     /* "" when the account has none */
  char pw_hash[PA_STORE_PW_HASH_MAX + 1]; /* "" when it cannot sign in with a password */
  char locale[PA_STORE_LOCALE_MAX + 1];   /* the catalog its e-mail is written in; "" unknown */
} pa_store_credentials;

/* The account whose email is email, compared without regard to ASCII case;
 * out may be NULL to ask only whether one exists. PA_STORE_ENOTFOUND when
 * none. */
int pa_store_accounts_find(pa_store *db, const char *email, pa_store_credentials *out);
/* The credentials of account id; PA_STORE_ENOTFOUND when there is none. */
int pa_store_accounts_credentials(pa_store *db, int64_t id, pa_store_credentials *out);

/* The account as its owner sees it. */
typedef struct pa_store_account {
  pa_store_person person;
  const char *handle;
  const char *email; /* NULL when the account has none */
  int64_t created_at;
  int roles;               /* the roles held, a PA_STORE_ROLE_* mask (store/admin.h) */
  const char *bio, *links; /* links: the JSON array of the profile's links */
  const char *country;     /* declared ISO 3166-1 alpha-2 code, NULL when none */
  const char *locale;      /* the catalog its e-mail is written in, "" unknown */
} pa_store_account;

typedef int (*pa_store_account_fn)(void *ctx, const pa_store_account *a);

/* Calls fn with account id; PA_STORE_ENOTFOUND when there is none. */
int pa_store_accounts_get(pa_store *db, int64_t id, pa_store_account_fn fn, void *ctx);

/* Replaces the password hash of account id. */
int pa_store_accounts_set_password(pa_store *db, int64_t id, const char *pw_hash);

/* Replaces the email of account id; PA_STORE_ECONFLICT when another account
 * has it (ASCII case aside): nothing is written, and an open transaction
 * stays usable. */
int pa_store_accounts_set_email(pa_store *db, int64_t id, const char *email);

/* Deletes account id and, by the schema's cascades, everything it made
 * (its sessions too). The caller collects the media it held. */
int pa_store_accounts_delete(pa_store *db, int64_t id);

#endif
