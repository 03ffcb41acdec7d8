/* pa_market_mp — a seller's Mercado Pago connection (issue 20; web/README.md,
 * "Marketplace"): the OAuth grant a seller whose payout account is Mercado
 * Pago gives us, kept sealed (auth/twostep.h, PA_SECRETS_KEY), and the
 * seller's access token for checkout, refreshed when near its expiry.
 *
 * The flow (api/market.c): POST /api/v1/me/seller/mercadopago/connect
 * draws a random state, keeps its hash bound to the session
 * (store/market.h) for PA_MARKET_MP_STATE_SECONDS and answers the
 * provider's authorization URL; Mercado Pago sends the seller back to
 * PA_MARKET_MP_CALLBACK with the code and the state, which is taken once,
 * the code traded for the grant (pa_pay_mp_oauth_exchange) and saved here.
 * Tokens never leave this module or pay/ in clear: not in logs, answers or
 * the database. */
#ifndef PA_MARKET_MP_H
#define PA_MARKET_MP_H

#include "pay/pay.h"
#include "store/store.h"

#include <stdint.h>

enum {
  PA_MARKET_MP_STATE_SECONDS = 600, /* a connection's state lives this long (MP's code: 10 min) */
  PA_MARKET_MP_STATE_BYTES = 32,    /* random bytes of a state */
  PA_MARKET_MP_STATE_TEXT = 44,     /* its base64url, no padding, with the NUL */
  /* An access token is refreshed when it expires within this (MP's last
   * 180 days): a checkout never starts with one about to lapse. */
  PA_MARKET_MP_REFRESH_SECONDS = 7 * 24 * 3600
};

/* The callback Mercado Pago sends a seller back to (the redirect URI
 * registered with our application: the origin's base before it), and the
 * shell's page it then redirects to with ?mercadopago=<result>. */
#define PA_MARKET_MP_CALLBACK    "/api/v1/market/mercadopago/callback"
#define PA_MARKET_MP_SELLER_PAGE "/sell"

enum {
  PA_MARKET_MP_OK = 0,
  PA_MARKET_MP_ENOTCONNECTED = 1, /* no grant, no Mercado Pago seller, or MP refused the refresh */
  PA_MARKET_MP_EUNREACHABLE = 2,  /* Mercado Pago did not answer: try again later */
  PA_MARKET_MP_ESEAL = 3,         /* no PA_SECRETS_KEY, or a grant that does not open */
  PA_MARKET_MP_EINTERNAL = 4      /* the store or memory */
};

/* Seals grant's tokens and stores it as seller's, marking them connected
 * (inside the caller's transaction); generation as
 * pa_store_market_mp_grant_put (0: replace whatever was there). A PA_STORE_*
 * code; PA_STORE_EINVAL when the tokens cannot be sealed (no key). */
int pa_market_mp_save(pa_store *db, int64_t seller, const pa_pay_mp_grant *grant,
                      int64_t generation, int64_t now);

/* The access token of seller for checkout (pa_pay_mp_seller_order_create's
 * seller_token) into token, and their Mercado Pago user id (the payments'
 * collector) into mp_user when not NULL. When the token expires within
 * PA_MARKET_MP_REFRESH_SECONDS of now it is refreshed first and the new
 * grant saved in the same step (a refresh token works once: of two
 * refreshes racing, the one that saves second uses the first's grant); a
 * refresh Mercado Pago refuses disconnects the seller (they connect again).
 * token is a secret: the caller wipes it (sodium_memzero) after use and
 * never logs it. Blocks on the provider when refreshing: call it off the
 * event loop, as every handler runs. A PA_MARKET_MP_* code. */
int pa_market_mp_token(pa_store *db, pa_pay *pay, int64_t seller, int64_t now,
                       char token[PA_PAY_MP_TOKEN_MAX], char mp_user[PA_PAY_ID_MAX]);

#endif
