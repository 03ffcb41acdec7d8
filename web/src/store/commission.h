/* pa_store_commission — the affiliates' commission ledger, their closed
 * months and their payouts' ledger (issue 21, items 3 and 4; commission.h
 * has the rules, web/README.md "Affiliates: commissions" the whole story).
 *
 * aff_commissions is append-only (the schemas' triggers refuse UPDATE and
 * DELETE) and holds one row per provider movement (UNIQUE movement):
 *  - accrual: the platform earned base_minor (> 0) from a referred person;
 *  - reversal: a refund or chargeback took back -base_minor of that accrual
 *    (charge names the accrual's movement; never more than is left of it);
 *  - refused: an earning that pays no commission, with its reason.
 * A reversal carries its accrual's month and release_at, so it nets the
 * same month at the same rate and the same hold. What a row pays is
 * base × the month's rate in basis points / 10000, truncated toward zero
 * per row (SQL integer division on both engines: -7 / 2 is -3), so a full
 * reversal cancels its accrual exactly.
 *
 * aff_months closes a month for an affiliate once (append-only): the count
 * of active referred subscribers on its last day and the rate it set.
 * aff_payout_ledger mirrors market_payout_ledger for affiliate payout items
 * (store/payouts.h, payee PA_PAYEE_AFFILIATE): sent +amount, returned
 * -amount, once per (item, event). An affiliate's balance per currency:
 * approved (released and in a closed month) − net payouts; negative is the
 * carried debt of a reversal after payout. */
#ifndef PA_STORE_COMMISSION_H
#define PA_STORE_COMMISSION_H

#include "store/store.h"

/* The affiliate user was attributed to and when; ENOTFOUND when nobody
 * (or the sign-up was refused). */
int pa_store_commission_referrer(pa_store *db, int64_t user, int64_t *affiliate,
                                 int64_t *attributed_at);

typedef struct pa_store_commission_row {
  int64_t affiliate_id, referred_id;
  const char *kind;     /* accrual | reversal | refused */
  const char *source;   /* subscription | marketplace */
  const char *movement; /* unique per provider movement */
  const char *charge;   /* the accrual's movement (an accrual's own) */
  int64_t base_minor;
  const char *currency;
  const char *month; /* "YYYY-MM" (UTC) of the accrual */
  int64_t at, release_at;
  const char *reason; /* "" but for refused */
} pa_store_commission_row;

/* Appends r in the caller's transaction; *added 0 when its movement was
 * written before (then nothing is). */
int pa_store_commission_add(pa_store *db, const pa_store_commission_row *r, int *added);

/* The accrual whose movement is charge, and what is left of its base after
 * its reversals: ENOTFOUND when no accrual of that movement exists. Strings
 * are copied into the caller's buffers (month 8 bytes, currency 4). */
typedef struct pa_store_commission_accrual {
  int64_t affiliate_id, referred_id, left_minor, release_at;
  char source[16], currency[4], month[8];
} pa_store_commission_accrual;
int pa_store_commission_accrual_get(pa_store *db, const char *charge,
                                    pa_store_commission_accrual *out);

/* How many people attributed to affiliate had Plus at time at (users'
 * plus_until after it). */
int pa_store_commission_active(pa_store *db, int64_t affiliate, int64_t at, int64_t *n);

/* Calls fn for each (affiliate, month) with commission rows and no closed
 * month, whose month is before month (YYYY-MM); oldest first, up to limit. */
int pa_store_commission_open_months(pa_store *db, const char *month, int limit,
                                    int (*fn)(void *ctx, int64_t affiliate, const char *month),
                                    void *ctx);
/* Where the month closing stands (meta aff_close_mark: the highest
 * aff_commissions id and the month, as YYYYMM, of the last complete pass;
 * 0s before the first), the highest id now, and setting the mark: the
 * worker's round skips the scan when neither moved. */
int pa_store_commission_close_mark(pa_store *db, int64_t *last_id, int64_t *month, int64_t *max_id);
int pa_store_commission_set_close_mark(pa_store *db, int64_t last_id, int64_t month);
/* Closes affiliate's month with its count and rate (a second close writes
 * nothing). */
int pa_store_commission_close(pa_store *db, int64_t affiliate, const char *month, int64_t active,
                              int rate_bp, int64_t now);

/* ---- the affiliate's view (GET /affiliate/earnings) */

/* Per month and currency, oldest first: accruals (conversions), net base,
 * the closed rate (0 when the month is open; the caller shows the
 * provisional one and computes with it). */
typedef int (*pa_store_commission_month_fn)(void *ctx, const char *month, const char *currency,
                                            int64_t conversions, int64_t base_minor, int rate_bp,
                                            int64_t commission_minor);
/* commission_minor is Σ per-row truncated commissions at rate_bp (the
 * closed rate, else provisional_bp). */
int pa_store_commission_months(pa_store *db, int64_t affiliate, int provisional_bp,
                               pa_store_commission_month_fn fn, void *ctx);

/* Balances per currency at now: pending (released later or month open,
 * at the closed rate or provisional_bp), approved (closed and released,
 * less net payouts, at least 0), paid (net payouts), carried (that
 * balance when below 0, else 0). */
typedef int (*pa_store_commission_balance_fn)(void *ctx, const char *currency, int64_t pending,
                                              int64_t approved, int64_t paid, int64_t carried);
int pa_store_commission_balances(pa_store *db, int64_t affiliate, int provisional_bp, int64_t now,
                                 pa_store_commission_balance_fn fn, void *ctx);

/* The affiliate's accruals newest first (up to limit), each with its net
 * base and commission and its state at now: reversed (nothing left),
 * pending (held or its month open), paid (a payout item not returned was
 * made at or after its release), approved. */
typedef struct pa_store_commission_item {
  int64_t id, at, release_at, base_minor, commission_minor;
  const char *source, *state, *currency; /* valid during the callback */
} pa_store_commission_item;
int pa_store_commission_list(pa_store *db, int64_t affiliate, int provisional_bp, int64_t now,
                             int limit, int (*fn)(void *ctx, const pa_store_commission_item *it),
                             void *ctx);

#define PA_STORE_COMMISSION_EMAIL_MAX 255 /* a payout email (with the NUL) */

/* affiliate's payout email (affiliates.payout_email) into out, "" when
 * none is set or they are not an affiliate. */
int pa_store_commission_payout_email(pa_store *db, int64_t affiliate,
                                     char out[PA_STORE_COMMISSION_EMAIL_MAX]);

/* How many of affiliate's payout items are in flight (pending: to send or
 * at PayPal; unclaimed: may come back to the balance). */
int pa_store_commission_payouts_in_flight(pa_store *db, int64_t affiliate, int64_t *n);

/* *joined 1 when user joined the affiliate program (has an affiliates row). */
int pa_store_commission_is_affiliate(pa_store *db, int64_t user, int64_t *joined);

/* Sets the affiliate's PayPal payout email (affiliates.payout_email);
 * ENOTFOUND when user is not an affiliate. */
int pa_store_commission_set_payout(pa_store *db, int64_t affiliate, const char *email);

#endif
