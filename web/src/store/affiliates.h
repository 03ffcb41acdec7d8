/* pa_store_aff — the affiliate program's joining, clicks and referrals
 * (issue 21; web/README.md, "Affiliates"; schema version 32: affiliates,
 * aff_clicks, aff_referrals). The rules (codes, windows, limits) are aff.h's
 * and the handlers'; this keeps what they decided. */
#ifndef PA_STORE_AFFILIATES_H
#define PA_STORE_AFFILIATES_H

#include "store/accounts.h"
#include "store/store.h"

enum {
  PA_STORE_AFF_CODE_MAX = 16,  /* as aff.h's PA_AFF_CODE_MAX and the schema's CHECK */
  PA_STORE_AFF_REASON_MAX = 24 /* bytes of a refusal's reason, with its NUL */
};

typedef struct pa_store_affiliate {
  int64_t user_id, joined_at;
  char code[PA_STORE_AFF_CODE_MAX + 1];
  char kind[8];                              /* person, vet, shelter, shop */
  char payout_email[PA_STORE_EMAIL_MAX + 1]; /* "" when none */
  int has_payout_email;
} pa_store_affiliate;

/* user's membership into *out; PA_STORE_ENOTFOUND when they have not joined. */
int pa_store_aff_get(pa_store *db, int64_t user, pa_store_affiliate *out);

/* Makes user an affiliate of kind with code at now. PA_STORE_ECONFLICT when
 * the code is taken (or user joined already: look first). */
int pa_store_aff_join(pa_store *db, int64_t user, const char *code, const char *kind, int64_t now);

/* The affiliate whose code is code: their user id and e-mail address (""
 * when the account has none). PA_STORE_ENOTFOUND when no one has it. */
int pa_store_aff_by_code(pa_store *db, const char *code, int64_t *user,
                         char email[PA_STORE_EMAIL_MAX + 1]);

/* Records a click on affiliate's link at at (UTC day day) from source,
 * unless max clicks from that source on that day are counted already: *counted
 * 1 or 0. */
int pa_store_aff_click(pa_store *db, int64_t affiliate, int64_t at, int64_t day, const char *source,
                       int max, int *counted);

/* How many sign-ups from source were attributed to affiliate at since or
 * later. */
int pa_store_aff_attributed_since(pa_store *db, int64_t affiliate, const char *source,
                                  int64_t since, int64_t *n);

/* Records the decision for referred's sign-up: attributed to affiliate
 * (reason NULL) or refused with reason; clicked_at the first-touch click,
 * at the sign-up. PA_STORE_ECONFLICT when referred has one already. */
int pa_store_aff_refer(pa_store *db, int64_t referred, int64_t affiliate, int64_t clicked_at,
                       int64_t at, const char *reason, const char *source);

/* affiliate's counted clicks per UTC day from since_day on, and attributed
 * sign-ups per UTC day of their decision from since (seconds) on, oldest
 * first: fn(ctx, day, n) for each day that has any. PA_STORE_EABORT when fn
 * returned non-zero. */
typedef int (*pa_store_aff_day_fn)(void *ctx, int64_t day, int64_t n);
int pa_store_aff_click_days(pa_store *db, int64_t affiliate, int64_t since_day,
                            pa_store_aff_day_fn fn, void *ctx);
int pa_store_aff_signup_days(pa_store *db, int64_t affiliate, int64_t since, pa_store_aff_day_fn fn,
                             void *ctx);

/* affiliate's refused sign-ups, all time, by reason (in the reasons' byte
 * order): fn(ctx, reason, n); same_payment_account counts the referred
 * people an earning of whose the commissions refused. */
typedef int (*pa_store_aff_reason_fn)(void *ctx, const char *reason, int64_t n);
int pa_store_aff_refusals(pa_store *db, int64_t affiliate, pa_store_aff_reason_fn fn, void *ctx);

#endif
