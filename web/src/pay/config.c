/* pa_pay_config_from_env — the providers' settings from the environment. */
#include "pay/pay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PayPal's own API hosts (live and sandbox): the only places a webhook's
 * PAYPAL-CERT-URL may point to unless PA_PAYPAL_CERT_PREFIXES says otherwise
 * (tests point it at paysim). */
static const char default_cert_prefixes[] =
    "https://api.paypal.com/,https://api-m.paypal.com/,https://api.sandbox.paypal.com/,"
    "https://api-m.sandbox.paypal.com/";

/* Where a seller authorizes our Mercado Pago application (its OAuth docs;
 * the sim's is <sim>/mercadopago). */
static const char default_mp_auth[] = "https://auth.mercadopago.com";

#define PA_PAY_TIMEOUT_MAX_MS 600000L /* a provider call never waits longer */

static const char mp_countries[5][3] = {"BR", "AR", "MX", "CO", "CL"};

/* Copies variable name (or dflt when unset) into dst[cap]: 0, or -1 with err. */
static int var(const char *name, const char *dflt, char *dst, size_t cap,
               char err[PA_PAY_ERR_MAX]) {
  const char *v = getenv(name);
  if (!v || !*v) v = dflt ? dflt : "";
  if (strlen(v) >= cap) {
    snprintf(err, PA_PAY_ERR_MAX, "%s is longer than %zu bytes", name, cap - 1);
    return -1;
  }
  memcpy(dst, v, strlen(v) + 1);
  return 0;
}

/* A base URL: http(s)://…, without the trailing slash the paths add. */
static int base_url(const char *name, char *u, char err[PA_PAY_ERR_MAX]) {
  if (!*u) return 0;
  if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) {
    snprintf(err, PA_PAY_ERR_MAX, "%s must be an http(s) URL", name);
    return -1;
  }
  size_t n = strlen(u);
  while (n && u[n - 1] == '/') u[--n] = 0;
  return 0;
}

/* Every prefix must name a scheme, a host and a path that starts with '/',
 * so "https://api.paypal.com" (which "https://api.paypal.com.evil/" would
 * match) is refused. */
static int prefixes_ok(const char *list, char err[PA_PAY_ERR_MAX]) {
  const char *p = list;
  while (*p) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    size_t skip = strncmp(p, "https://", 8) == 0 ? 8 : strncmp(p, "http://", 7) == 0 ? 7 : 0;
    const char *slash = skip ? memchr(p + skip, '/', len - skip) : NULL;
    if (!skip || !slash || slash == p + skip) {
      snprintf(err, PA_PAY_ERR_MAX,
               "PA_PAYPAL_CERT_PREFIXES: each prefix must be http(s)://host/ with a path");
      return -1;
    }
    if (!end) break;
    p = end + 1;
  }
  return 0;
}

int pa_pay_config_from_env(pa_pay_config *cfg, char err[PA_PAY_ERR_MAX]) {
  memset(cfg, 0, sizeof *cfg);
  err[0] = 0;
  if (var("PA_PAYPAL_API", NULL, cfg->paypal_api, sizeof cfg->paypal_api, err) ||
      base_url("PA_PAYPAL_API", cfg->paypal_api, err) ||
      var("PA_PAYPAL_CLIENT_ID", NULL, cfg->paypal_client_id, sizeof cfg->paypal_client_id, err) ||
      var("PA_PAYPAL_SECRET", NULL, cfg->paypal_secret, sizeof cfg->paypal_secret, err) ||
      var("PA_PAYPAL_WEBHOOK_ID", NULL, cfg->paypal_webhook_id, sizeof cfg->paypal_webhook_id,
          err) ||
      var("PA_PAYPAL_CERT_PREFIXES", default_cert_prefixes, cfg->paypal_cert_prefixes,
          sizeof cfg->paypal_cert_prefixes, err) ||
      prefixes_ok(cfg->paypal_cert_prefixes, err) ||
      var("PA_MP_API", NULL, cfg->mp_api, sizeof cfg->mp_api, err) ||
      base_url("PA_MP_API", cfg->mp_api, err) ||
      var("PA_MP_WEBHOOK_SECRET", NULL, cfg->mp_webhook_secret, sizeof cfg->mp_webhook_secret,
          err) ||
      var("PA_MP_CLIENT_ID", NULL, cfg->mp_client_id, sizeof cfg->mp_client_id, err) ||
      var("PA_MP_CLIENT_SECRET", NULL, cfg->mp_client_secret, sizeof cfg->mp_client_secret, err) ||
      var("PA_MP_AUTH", default_mp_auth, cfg->mp_auth, sizeof cfg->mp_auth, err) ||
      base_url("PA_MP_AUTH", cfg->mp_auth, err))
    return -1;
  for (int i = 0; i < 5; i++) {
    char name[32];
    snprintf(name, sizeof name, "PA_MP_TOKEN_%s", mp_countries[i]);
    memcpy(cfg->mp_tokens[i][0], mp_countries[i], 3);
    if (var(name, NULL, cfg->mp_tokens[i][1], sizeof cfg->mp_tokens[i][1], err)) return -1;
  }
  cfg->timeout_ms = PA_PAY_TIMEOUT_DEFAULT_MS;
  const char *t = getenv("PA_PAY_TIMEOUT_MS");
  if (t && *t) {
    char *end;
    errno = 0;
    long v = strtol(t, &end, 10);
    if (errno || *end || v < 1 || v > PA_PAY_TIMEOUT_MAX_MS) {
      snprintf(err, PA_PAY_ERR_MAX, "PA_PAY_TIMEOUT_MS must be 1..%ld milliseconds",
               PA_PAY_TIMEOUT_MAX_MS);
      return -1;
    }
    cfg->timeout_ms = v;
  }
  return 0;
}
