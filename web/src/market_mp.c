/* pa_market_mp: a seller's Mercado Pago grant, sealed at rest (market_mp.h). */
#include "market_mp.h"

#include "auth/twostep.h"
#include "store/market.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int pa_market_mp_save(pa_store *db, int64_t seller, const pa_pay_mp_grant *grant,
                      int64_t generation, int64_t now) {
  pa_store_market_mp_grant g;
  memset(&g, 0, sizeof g);
  if (snprintf(g.mp_user_id, sizeof g.mp_user_id, "%s", grant->user_id) >=
          (int)sizeof g.mp_user_id ||
      !g.mp_user_id[0] ||
      pa_twostep_seal_token(seller, grant->access_token, g.access, &g.access_len) != 0 ||
      pa_twostep_seal_token(seller, grant->refresh_token, g.refresh, &g.refresh_len) != 0)
    return PA_STORE_EINVAL;
  g.expires_at = grant->expires_at;
  return pa_store_market_mp_grant_put(db, seller, &g, generation, now);
}

/* Opens g's access token into token: 0, or -1. */
static int open_access(int64_t seller, const pa_store_market_mp_grant *g,
                       char token[PA_PAY_MP_TOKEN_MAX]) {
  char t[PA_TWOSTEP_TOKEN_MAX + 1];
  int rc = pa_twostep_open_token(seller, g->access, g->access_len, t);
  if (rc == 0) snprintf(token, PA_PAY_MP_TOKEN_MAX, "%s", t);
  sodium_memzero(t, sizeof t);
  return rc;
}

static int give(int64_t seller, const pa_store_market_mp_grant *g, char token[PA_PAY_MP_TOKEN_MAX],
                char mp_user[PA_PAY_ID_MAX]) {
  if (open_access(seller, g, token) != 0) return PA_MARKET_MP_ESEAL;
  if (mp_user) snprintf(mp_user, PA_PAY_ID_MAX, "%s", g->mp_user_id);
  return PA_MARKET_MP_OK;
}

int pa_market_mp_token(pa_store *db, pa_pay *pay, int64_t seller, int64_t now,
                       char token[PA_PAY_MP_TOKEN_MAX], char mp_user[PA_PAY_ID_MAX]) {
  pa_store_market_mp_grant g;
  pa_pay_mp_grant fresh;
  char refresh[PA_TWOSTEP_TOKEN_MAX + 1], err[PA_PAY_ERR_MAX];
  token[0] = 0;
  if (mp_user) mp_user[0] = 0;
  int rc = pa_store_market_mp_grant_get(db, seller, &g);
  if (rc == PA_STORE_ENOTFOUND) return PA_MARKET_MP_ENOTCONNECTED;
  if (rc != PA_STORE_OK) return PA_MARKET_MP_EINTERNAL;
  if (g.expires_at - now > PA_MARKET_MP_REFRESH_SECONDS) return give(seller, &g, token, mp_user);
  if (pa_twostep_open_token(seller, g.refresh, g.refresh_len, refresh) != 0)
    return PA_MARKET_MP_ESEAL;
  int p = pa_pay_mp_oauth_refresh(pay, refresh, &fresh, err);
  sodium_memzero(refresh, sizeof refresh);
  if (p != PA_PAY_OK) {
    sodium_memzero(&fresh, sizeof fresh);
    /* Another refresh may have used this refresh token first and saved
     * the grant it got: that one is good. */
    pa_store_market_mp_grant now_g;
    if (pa_store_market_mp_grant_get(db, seller, &now_g) == PA_STORE_OK &&
        now_g.generation != g.generation)
      return give(seller, &now_g, token, mp_user);
    if (p == PA_PAY_EREFUSED) {
      /* Revoked, or retired: the seller must connect again. */
      if (pa_store_begin(db) == PA_STORE_OK) {
        if (pa_store_market_mp_grant_delete(db, seller, now) == PA_STORE_OK)
          pa_store_commit(db);
        else
          pa_store_rollback(db);
      }
      return PA_MARKET_MP_ENOTCONNECTED;
    }
    return p == PA_PAY_ENOMEM ? PA_MARKET_MP_EINTERNAL : PA_MARKET_MP_EUNREACHABLE;
  }
  if (pa_store_begin(db) != PA_STORE_OK) {
    sodium_memzero(&fresh, sizeof fresh);
    return PA_MARKET_MP_EINTERNAL;
  }
  rc = pa_market_mp_save(db, seller, &fresh, g.generation, now);
  if (rc == PA_STORE_OK && pa_store_commit(db) == PA_STORE_OK) {
    snprintf(token, PA_PAY_MP_TOKEN_MAX, "%s", fresh.access_token);
    if (mp_user) snprintf(mp_user, PA_PAY_ID_MAX, "%s", fresh.user_id);
    sodium_memzero(&fresh, sizeof fresh);
    return PA_MARKET_MP_OK;
  }
  pa_store_rollback(db);
  sodium_memzero(&fresh, sizeof fresh);
  if (rc == PA_STORE_ECONFLICT) {
    /* Another refresh saved first: its grant is the live one (ours, from
     * the same refresh token, was issued too but is kept by nobody). */
    if (pa_store_market_mp_grant_get(db, seller, &g) == PA_STORE_OK)
      return give(seller, &g, token, mp_user);
  }
  return rc == PA_STORE_ENOTFOUND ? PA_MARKET_MP_ENOTCONNECTED
         : rc == PA_STORE_EINVAL  ? PA_MARKET_MP_ESEAL
                                  : PA_MARKET_MP_EINTERNAL;
}
