/* Mercado Pago OAuth for the marketplace: the seller authorizes our
 * application on Mercado Pago's page and comes back with a code, which we
 * trade (with our client secret) for the seller's tokens. The tokens are
 * the seller's money: never logged, wiped from every buffer they pass
 * through here. */
#include "clock.h"
#include "pay/pay_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Percent-encodes s (RFC 3986 unreserved kept) into out[cap]: 0, or -1. */
static int url_encode(const char *s, char *out, size_t cap) {
  static const char hex[] = "0123456789ABCDEF";
  size_t o = 0;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.' || c == '_' || c == '~';
    if (o + (keep ? 1 : 3) >= cap) return -1;
    if (keep) {
      out[o++] = (char)c;
    } else {
      out[o++] = '%';
      out[o++] = hex[c >> 4];
      out[o++] = hex[c & 15];
    }
  }
  out[o] = 0;
  return 0;
}

static int oauth_ready(const pa_pay *pay) {
  return pay && pay->cfg.mp_api[0] && pay->cfg.mp_auth[0] && pay->cfg.mp_client_id[0] &&
         pay->cfg.mp_client_secret[0];
}

int pa_pay_mp_oauth_url(const pa_pay *pay, const char *state, const char *redirect_uri,
                        char out[PA_PAY_URL_MAX], char err[PA_PAY_ERR_MAX]) {
  out[0] = 0;
  if (!oauth_ready(pay))
    return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "Mercado Pago OAuth is not configured");
  char st[PA_PAY_URL_MAX], uri[PA_PAY_URL_MAX], cid[192];
  if (!state || !*state || !redirect_uri ||
      (strncmp(redirect_uri, "https://", 8) != 0 && strncmp(redirect_uri, "http://", 7) != 0) ||
      url_encode(state, st, sizeof st) || url_encode(redirect_uri, uri, sizeof uri) ||
      url_encode(pay->cfg.mp_client_id, cid, sizeof cid))
    return pa_pay_fail(err, PA_PAY_EREFUSED, "state and an http(s) redirect_uri are required");
  int n = snprintf(out, PA_PAY_URL_MAX,
                   "%s/authorization?client_id=%s&response_type=code&platform_id=mp&state=%s"
                   "&redirect_uri=%s",
                   pay->cfg.mp_auth, cid, st, uri);
  if (n < 0 || n >= PA_PAY_URL_MAX) {
    out[0] = 0;
    return pa_pay_fail(err, PA_PAY_EREFUSED, "authorization URL too long");
  }
  return PA_PAY_OK;
}

/* Zeroes every string in the tree (the answer holds the seller's tokens). */
static void wipe(cJSON *j) {
  for (; j; j = j->next) {
    if (cJSON_IsString(j) && j->valuestring) sodium_memzero(j->valuestring, strlen(j->valuestring));
    wipe(j->child);
  }
}

/* POSTs the grant request body to /oauth/token and reads the grant. */
static int token_call(pa_pay *pay, cJSON *req, pa_pay_mp_grant *out, char err[PA_PAY_ERR_MAX]) {
  char *body = req ? cJSON_PrintUnformatted(req) : NULL;
  wipe(req);
  cJSON_Delete(req);
  if (!body) return pa_pay_fail(err, PA_PAY_ENOMEM, "out of memory");
  char url[PA_PAY_URL_MAX + 16];
  snprintf(url, sizeof url, "%s/oauth/token", pay->cfg.mp_api);
  const char *h[] = {"Accept: application/json", "Content-Type: application/json"};
  pa_payhttp_resp r;
  int rc = pa_pay_call(pay, "POST", url, h, 2, body, &r, NULL, err);
  sodium_memzero(body, strlen(body));
  cJSON_free(body);
  if (rc != PA_PAY_OK) {
    /* OAuth's error word is what callers act on (a new authorization). */
    if (rc == PA_PAY_EREFUSED && strstr(err, "invalid_grant"))
      snprintf(err, PA_PAY_ERR_MAX, "invalid_grant");
    return rc;
  }
  cJSON *root = pa_pay_json(&r, err);
  if (r.body) sodium_memzero(r.body, r.len);
  pa_payhttp_resp_free(&r);
  if (!root) return PA_PAY_EBADANSWER;
  const cJSON *exp = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
  const char *pk = pa_pay_jstr(root, "public_key");
  if (pa_pay_copy(out->access_token, sizeof out->access_token, pa_pay_jstr(root, "access_token")) ||
      !out->access_token[0] ||
      pa_pay_copy(out->refresh_token, sizeof out->refresh_token,
                  pa_pay_jstr(root, "refresh_token")) ||
      pa_pay_jid(cJSON_GetObjectItemCaseSensitive(root, "user_id"), out->user_id) ||
      (pk && pa_pay_copy(out->public_key, sizeof out->public_key, pk)) || !cJSON_IsNumber(exp) ||
      exp->valuedouble < 1 || exp->valuedouble > 86400.0 * 3660) {
    sodium_memzero(out, sizeof *out);
    rc = pa_pay_fail(err, PA_PAY_EBADANSWER, "token answer without tokens, user_id or expires_in");
  } else {
    out->expires_at = pa_clock_now() + (int64_t)exp->valuedouble;
  }
  wipe(root);
  cJSON_Delete(root);
  return rc;
}

static cJSON *grant_request(const pa_pay *pay, const char *grant) {
  cJSON *j = cJSON_CreateObject();
  if (!j || !cJSON_AddStringToObject(j, "client_id", pay->cfg.mp_client_id) ||
      !cJSON_AddStringToObject(j, "client_secret", pay->cfg.mp_client_secret) ||
      !cJSON_AddStringToObject(j, "grant_type", grant)) {
    wipe(j);
    cJSON_Delete(j);
    return NULL;
  }
  return j;
}

int pa_pay_mp_oauth_exchange(pa_pay *pay, const char *code, const char *redirect_uri,
                             pa_pay_mp_grant *out, char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  if (!oauth_ready(pay))
    return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "Mercado Pago OAuth is not configured");
  if (!code || !*code || strlen(code) >= PA_PAY_MP_TOKEN_MAX || !redirect_uri || !*redirect_uri)
    return pa_pay_fail(err, PA_PAY_EREFUSED, "invalid_grant");
  cJSON *j = grant_request(pay, "authorization_code");
  if (j && (!cJSON_AddStringToObject(j, "code", code) ||
            !cJSON_AddStringToObject(j, "redirect_uri", redirect_uri))) {
    wipe(j);
    cJSON_Delete(j);
    j = NULL;
  }
  return token_call(pay, j, out, err);
}

int pa_pay_mp_oauth_refresh(pa_pay *pay, const char *refresh_token, pa_pay_mp_grant *out,
                            char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  if (!oauth_ready(pay))
    return pa_pay_fail(err, PA_PAY_ENOTCONFIGURED, "Mercado Pago OAuth is not configured");
  if (!refresh_token || !*refresh_token || strlen(refresh_token) >= PA_PAY_MP_TOKEN_MAX)
    return pa_pay_fail(err, PA_PAY_EREFUSED, "invalid_grant");
  cJSON *j = grant_request(pay, "refresh_token");
  if (j && !cJSON_AddStringToObject(j, "refresh_token", refresh_token)) {
    wipe(j);
    cJSON_Delete(j);
    j = NULL;
  }
  return token_call(pay, j, out, err);
}
