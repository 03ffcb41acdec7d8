/* pa_api — a seller's Mercado Pago connection (issue 20; market_mp.h,
 * web/README.md "Marketplace"): connect (the authorization URL with a
 * single-use state bound to the session), the provider's callback, and
 * disconnect. OAuth's state is the callback's CSRF protection: it is a GET
 * the browser makes on its way back from Mercado Pago. */
#include "market_mp.h"

#include "api/api.h"
#include "auth/twostep.h"
#include "clock.h"
#include "srv_internal.h"
#include "store/market.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The seller behind the session, who must pay out through Mercado Pago:
 * 0, or -1 with 409 sent (not a seller, or a PayPal one). */
static int mp_seller(pa_srv_req *rq, pa_store_market_seller *s) {
  int rc = pa_store_market_seller_get(rq->db, rq->viewer, s);
  if (rc == PA_STORE_ENOTFOUND) {
    pa_api_error(rq, 409, "not_a_seller",
                 "Set up your seller profile (PUT /api/v1/me/seller) with Mercado Pago first",
                 NULL);
    return -1;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "seller");
    return -1;
  }
  if (s->s.provider != PA_MARKET_MERCADOPAGO) {
    pa_api_error(rq, 409, "not_mercadopago", "Your payout account is not Mercado Pago", NULL);
    return -1;
  }
  return 0;
}

static void state_hash(const char *state, uint8_t out[PA_STORE_MP_STATE_HASH]) {
  crypto_generichash(out, PA_STORE_MP_STATE_HASH, (const uint8_t *)state, strlen(state),
                     (const uint8_t *)"pa-mp-state", 11);
}

/* Our callback's absolute URL: the redirect URI registered with Mercado Pago. */
static void redirect_uri(pa_srv_req *rq, char out[PA_PAY_URL_MAX]) {
  snprintf(out, PA_PAY_URL_MAX, "%s%s", pa_origin_base(pa_api_origins(rq)), PA_MARKET_MP_CALLBACK);
}

void pa_api_market_mp_connect(pa_srv_req *rq) {
  pa_store_market_seller s;
  uint8_t raw[PA_MARKET_MP_STATE_BYTES], hash[PA_STORE_MP_STATE_HASH];
  char state[PA_MARKET_MP_STATE_TEXT], uri[PA_PAY_URL_MAX], url[PA_PAY_URL_MAX],
      err[PA_PAY_ERR_MAX];
  if (mp_seller(rq, &s) != 0) return;
  /* Tokens are kept sealed or not at all (no PA_SECRETS_KEY: no connection). */
  if (!pa_twostep_sealing()) {
    pa_api_error(rq, 503, "provider_unavailable",
                 "Connecting Mercado Pago is not available on this server", NULL);
    return;
  }
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(state, sizeof state, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  state_hash(state, hash);
  redirect_uri(rq, uri);
  int p = pa_pay_mp_oauth_url(rq->srv->pay, state, uri, url, err);
  if (p == PA_PAY_ENOTCONFIGURED) {
    pa_api_error(rq, 503, "provider_unavailable",
                 "Connecting Mercado Pago is not available on this server", NULL);
    return;
  }
  if (p != PA_PAY_OK ||
      pa_store_market_mp_state_put(rq->db, rq->viewer, rq->session_id, hash,
                                   pa_clock_now() + PA_MARKET_MP_STATE_SECONDS) != PA_STORE_OK) {
    pa_api_internal(rq, "mercado pago connect");
    return;
  }
  cJSON *o = cJSON_CreateObject();
  if (o && !cJSON_AddStringToObject(o, "url", url)) {
    cJSON_Delete(o);
    o = NULL;
  }
  pa_api_json(rq, 200, o);
}

/* 303 to the shell's seller page with ?mercadopago=result; the body
 * repeats the place as JSON, as every answer of the API is. */
static void back_to_seller(pa_srv_req *rq, const char *result) {
  char loc[PA_PAY_URL_MAX], body[PA_PAY_URL_MAX + 32];
  snprintf(loc, sizeof loc, "%s%s?mercadopago=%s", pa_origin_base(pa_api_origins(rq)),
           PA_MARKET_MP_SELLER_PAGE, result);
  /* The base is the configured origin and result one of our words: no
   * character JSON would escape. */
  int n = snprintf(body, sizeof body, "{\"location\":\"%s\"}", loc);
  pa_srv_header h = {"Location", loc};
  pa_srv_send(rq, 303, "application/json; charset=utf-8", "no-store", &h, 1, body,
              n > 0 && (size_t)n < sizeof body ? (size_t)n : 0);
}

void pa_api_market_mp_callback(pa_srv_req *rq) {
  char state[PA_MARKET_MP_STATE_TEXT + 1], code[PA_PAY_MP_TOKEN_MAX], error[64],
      uri[PA_PAY_URL_MAX], err[PA_PAY_ERR_MAX];
  uint8_t hash[PA_STORE_MP_STATE_HASH];
  const int64_t now = pa_clock_now();
  int has_state = pa_http_query_var(rq->query, "state", state, sizeof state) > 0;
  int has_code = pa_http_query_var(rq->query, "code", code, sizeof code) > 0;
  int has_error = pa_http_query_var(rq->query, "error", error, sizeof error) >= 0;
  /* The state first: whatever else came, only the session that asked, once,
   * in time, goes on. */
  if (has_state) state_hash(state, hash);
  int rc = has_state ? pa_store_market_mp_state_take(rq->db, rq->viewer, rq->session_id, hash, now)
                     : PA_STORE_ENOTFOUND;
  if (rc == PA_STORE_ENOTFOUND) {
    pa_api_error(rq, 400, "invalid_state",
                 "This Mercado Pago connection was not started here, was used, or expired: start"
                 " again from your seller page",
                 NULL);
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "mercado pago callback");
    return;
  }
  if (has_error || !has_code) {
    /* The seller chose Deny on the provider's page (error=access_denied). */
    back_to_seller(rq, "denied");
    return;
  }
  pa_pay_mp_grant g;
  redirect_uri(rq, uri);
  int p = pa_pay_mp_oauth_exchange(rq->srv->pay, code, uri, &g, err);
  sodium_memzero(code, sizeof code);
  if (p != PA_PAY_OK) {
    sodium_memzero(&g, sizeof g);
    back_to_seller(rq, p == PA_PAY_EUNREACHABLE ? "unreachable" : "failed");
    return;
  }
  rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) rc = pa_market_mp_save(rq->db, rq->viewer, &g, 0, now);
  sodium_memzero(&g, sizeof g);
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    /* ENOTFOUND: the payout account changed from Mercado Pago meanwhile. */
    if (rc == PA_STORE_ENOTFOUND)
      back_to_seller(rq, "failed");
    else
      pa_api_internal(rq, "mercado pago grant");
    return;
  }
  back_to_seller(rq, "connected");
}

void pa_api_market_mp_disconnect(pa_srv_req *rq) {
  pa_store_market_seller s;
  if (mp_seller(rq, &s) != 0) return;
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) rc = pa_store_market_mp_grant_delete(rq->db, rq->viewer, pa_clock_now());
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "mercado pago disconnect");
    return;
  }
  pa_api_ok(rq);
}
