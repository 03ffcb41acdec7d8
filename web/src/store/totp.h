/* pa_store_totp — two-step sign-in's rows (schema 13): one TOTP secret per
 * person (sealed or not: auth/twostep.h) and the recovery codes' hashes. */
#ifndef PA_STORE_TOTP_H
#define PA_STORE_TOTP_H

#include "store/store.h"

enum { PA_STORE_TOTP_SECRET_MAX = 60 /* bytes of a sealed secret (schema 13 CHECK) */ };

typedef struct pa_store_totp {
  unsigned char secret[PA_STORE_TOTP_SECRET_MAX];
  size_t secret_len;
  int sealed;
  int64_t enabled_at; /* 0: set up, not yet confirmed */
  int64_t last_step;  /* the last TOTP step accepted (0: none) */
} pa_store_totp;

/* user's row; PA_STORE_ENOTFOUND when two-step was never set up. */
int pa_store_totp_get(pa_store *db, int64_t user, pa_store_totp *out);

/* Keeps a new unconfirmed secret for user, replacing an unconfirmed one;
 * PA_STORE_ECONFLICT when two-step is already on (the secret stays). */
int pa_store_totp_setup(pa_store *db, int64_t user, const unsigned char *secret, size_t n,
                        int sealed, int64_t now);

/* Turns two-step on with the code of step: PA_STORE_ECONFLICT when it is on
 * already, or step is not later than the last used one. */
int pa_store_totp_enable(pa_store *db, int64_t user, int64_t step, int64_t now);

/* Spends step: PA_STORE_ECONFLICT when it (or a later one) was used already —
 * the one place a code's single use is decided, so two requests racing with
 * the same code cannot both win. */
int pa_store_totp_use_step(pa_store *db, int64_t user, int64_t step);

/* Turns two-step off: the secret and every recovery code go. */
int pa_store_totp_delete(pa_store *db, int64_t user);

/* Replaces user's recovery codes with n hashes of 32 bytes each. */
int pa_store_totp_recovery_set(pa_store *db, int64_t user, const unsigned char (*hashes)[32],
                               int n);

/* Spends the recovery code with hash at now; PA_STORE_ENOTFOUND when user has
 * no such unspent code. */
int pa_store_totp_recovery_use(pa_store *db, int64_t user, const unsigned char hash[32],
                               int64_t now);

/* How many of user's recovery codes are unspent. */
int pa_store_totp_recovery_left(pa_store *db, int64_t user, int64_t *n);

#endif
