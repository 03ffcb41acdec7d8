/* The payment code (web/src/pay/): money text at its edges, the catalog's
 * whole price table, crc32 vectors, PayPal webhook signatures with an RSA
 * key and certificate made here (good, tampered, wrong webhook id, expired,
 * and certificate URLs outside the allow-list refused without a fetch),
 * Mercado Pago's HMAC computed independently with OpenSSL, and each event
 * type's body parsed into pay.h's structs. */
#include "pa_test.h"
#include "pay/catalog.h"
#include "pay/http.h"
#include "pay/money.h"
#include "pay/parse.h"
#include "pay/pay.h"
#include "pay/webhook_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- money */

static int64_t parse(const char *text, const char *cur) {
  int64_t v = -12345;
  return pa_money_parse(text, strlen(text), cur, &v) == 0 ? v : -1;
}

static const char *fmt(int64_t minor, const char *cur) {
  static char buf[PA_MONEY_TEXT_MAX];
  pa_money m = {minor, ""};
  memcpy(m.currency, cur, 4);
  return pa_money_format(&m, buf, sizeof buf) < 0 ? "ERR" : buf;
}

static void money_exponents(void) {
  const char *two[] = {"USD", "EUR", "ARS", "BRL", "MXN", "COP"};
  for (int i = 0; i < 6; i++) CHECK(pa_money_exponent(two[i]) == 2);
  CHECK(pa_money_exponent("CLP") == 0);
  CHECK(pa_money_exponent("JPY") == 0);  /* marketplace payouts */
  CHECK(pa_money_exponent("GBP") == -1); /* a real currency, but not ours */
  CHECK(pa_money_exponent("usd") == -1);
  CHECK(pa_money_exponent("") == -1);
  CHECK(pa_money_exponent(NULL) == -1);
}

static void money_format_edges(void) {
  CHECK(strcmp(fmt(0, "USD"), "0.00") == 0);
  CHECK(strcmp(fmt(499, "USD"), "4.99") == 0);
  CHECK(strcmp(fmt(5, "EUR"), "0.05") == 0);
  CHECK(strcmp(fmt(-50, "BRL"), "-0.50") == 0);
  CHECK(strcmp(fmt(4990, "CLP"), "4990") == 0);
  CHECK(strcmp(fmt(0, "CLP"), "0") == 0);
  CHECK(strcmp(fmt(1000, "JPY"), "1000") == 0);
  CHECK(strcmp(fmt(1, "USD"), "0.01") == 0);
  CHECK(strcmp(fmt(PA_MONEY_MINOR_MAX, "USD"), "10000000000000.00") == 0);
  CHECK(strcmp(fmt(-PA_MONEY_MINOR_MAX, "USD"), "-10000000000000.00") == 0);
  CHECK(strcmp(fmt(PA_MONEY_MINOR_MAX, "CLP"), "1000000000000000") == 0);
  CHECK(strcmp(fmt(PA_MONEY_MINOR_MAX + 1, "USD"), "ERR") == 0);
  CHECK(strcmp(fmt(-PA_MONEY_MINOR_MAX - 1, "USD"), "ERR") == 0);
  CHECK(strcmp(fmt(INT64_MIN, "USD"), "ERR") == 0);
  CHECK(strcmp(fmt(1, "XYZ"), "ERR") == 0);
  /* The longest text fits PA_MONEY_TEXT_MAX; one byte less refuses. */
  pa_money m = {-PA_MONEY_MINOR_MAX, "USD"};
  char buf[PA_MONEY_TEXT_MAX];
  int n = pa_money_format(&m, buf, sizeof buf);
  CHECK(n == 18);
  CHECK(pa_money_format(&m, buf, (size_t)n) == -1);
  CHECK(pa_money_format(&m, buf, (size_t)n + 1) == n);
}

static void money_parse_edges(void) {
  CHECK(parse("0", "USD") == 0);
  CHECK(parse("0.00", "USD") == 0);
  CHECK(parse("4.99", "USD") == 499);
  CHECK(parse("4.9", "USD") == 490);
  CHECK(parse("4", "USD") == 400);
  CHECK(parse("4.999", "USD") == -1); /* more decimals than the currency */
  CHECK(parse("4.990", "USD") == -1);
  CHECK(parse("1", "CLP") == 1);
  CHECK(parse("4990", "CLP") == 4990);
  CHECK(parse("1.0", "CLP") == -1);
  CHECK(parse("10000000000000.00", "USD") == PA_MONEY_MINOR_MAX);
  CHECK(parse("10000000000000.01", "USD") == -1);
  CHECK(parse("1000000000000000", "CLP") == PA_MONEY_MINOR_MAX);
  CHECK(parse("1000000000000001", "CLP") == -1);
  CHECK(parse("99999999999999999999999999", "CLP") == -1); /* no overflow on the way */
  const char *bad[] = {"",     "-1",  "+1",   " 1",  "1 ",   "1.", ".5",  "1e3", "1E2",
                       "0x10", "1,5", "4.9x", "--1", "1..2", "١",  "NaN", "inf"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(parse(bad[i], "USD") == -1);
  CHECK(parse("4.99", "XYZ") == -1);
  /* len is honoured: "4.99" cut at 3 bytes is "4.9" */
  int64_t v = 0;
  CHECK(pa_money_parse("4.99", 3, "USD", &v) == 0 && v == 490);
  /* every format parses back to itself */
  for (int64_t x = 0; x < 100000; x += 7) {
    char b[PA_MONEY_TEXT_MAX];
    pa_money m = {x, "BRL"};
    int k = pa_money_format(&m, b, sizeof b);
    CHECK(k > 0 && pa_money_parse(b, (size_t)k, "BRL", &v) == 0 && v == x);
  }
}

/* JSON numbers (Mercado Pago) through their text, exactly. */
static int64_t number(const char *json, const char *cur) {
  cJSON *n = cJSON_Parse(json);
  pa_money m = {0, ""};
  int rc = pa_pay_money_number(n, cur, &m);
  cJSON_Delete(n);
  return rc == 0 ? m.minor : -1;
}

static void money_json_numbers(void) {
  CHECK(number("19.9", "BRL") == 1990);
  CHECK(number("19.90", "BRL") == 1990);
  CHECK(number("4990", "ARS") == 499000);
  CHECK(number("0.1", "USD") == 10);
  CHECK(number("0.29", "USD") == 29); /* 0.29 * 100 is 28.999… as a float */
  CHECK(number("1.15", "MXN") == 115);
  CHECK(number("49900", "CLP") == 49900);
  CHECK(number("19900000", "COP") == 1990000000);
  CHECK(number("19.905", "BRL") == -1); /* more decimals than BRL */
  CHECK(number("4990.5", "CLP") == -1);
  CHECK(number("-1", "BRL") == -1);
  CHECK(number("1e300", "BRL") == -1);
  CHECK(number("\"19.9\"", "BRL") == -1); /* a string is not a number */
  CHECK(number("19.9", "XYZ") == -1);
}

/* ---- catalog */

static void catalog_prices(void) {
  static const struct {
    const char *plan, *country;
    pa_pay_provider p;
    const char *cur;
    int64_t minor;
  } want[] = {
      {"plus_monthly", "US", PA_PAY_PAYPAL, "USD", 499},
      {"plus_monthly", "DE", PA_PAY_PAYPAL, "EUR", 499},
      {"plus_monthly", "BR", PA_PAY_MERCADOPAGO, "BRL", 1990},
      {"plus_monthly", "AR", PA_PAY_MERCADOPAGO, "ARS", 499000},
      {"plus_monthly", "MX", PA_PAY_MERCADOPAGO, "MXN", 9900},
      {"plus_monthly", "CO", PA_PAY_MERCADOPAGO, "COP", 1990000},
      {"plus_monthly", "CL", PA_PAY_MERCADOPAGO, "CLP", 4990},
      {"plus_yearly", "US", PA_PAY_PAYPAL, "USD", 4999},
      {"plus_yearly", "FR", PA_PAY_PAYPAL, "EUR", 4999},
      {"plus_yearly", "BR", PA_PAY_MERCADOPAGO, "BRL", 19900},
      {"plus_yearly", "AR", PA_PAY_MERCADOPAGO, "ARS", 4990000},
      {"plus_yearly", "MX", PA_PAY_MERCADOPAGO, "MXN", 99000},
      {"plus_yearly", "CO", PA_PAY_MERCADOPAGO, "COP", 19900000},
      {"plus_yearly", "CL", PA_PAY_MERCADOPAGO, "CLP", 49900},
      {"plus_year_pass", "US", PA_PAY_PAYPAL, "USD", 4999},
      {"plus_year_pass", "BR", PA_PAY_MERCADOPAGO, "BRL", 19900},
      {"plus_year_pass", "CL", PA_PAY_MERCADOPAGO, "CLP", 49900},
      /* PayPal does not take ARS (nor BRL here): Latin America pays it in USD */
      {"plus_monthly", "AR", PA_PAY_PAYPAL, "USD", 499},
      {"plus_yearly", "BR", PA_PAY_PAYPAL, "USD", 4999},
      {"plus_monthly", "CL", PA_PAY_PAYPAL, "USD", 499},
      {"plus_monthly", "BG", PA_PAY_PAYPAL, "EUR", 499},
      {"plus_monthly", "GB", PA_PAY_PAYPAL, "USD", 499},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    pa_money m = {0, ""};
    CHECK(pa_catalog_price(want[i].plan, want[i].p, want[i].country, &m) == 0);
    CHECK(m.minor == want[i].minor);
    CHECK(strcmp(m.currency, want[i].cur) == 0);
  }
  pa_money m;
  CHECK(pa_catalog_price("free", PA_PAY_PAYPAL, "US", &m) == -1);
  CHECK(pa_catalog_price("plus_weekly", PA_PAY_PAYPAL, "US", &m) == -1);
  CHECK(pa_catalog_price("plus_monthly", PA_PAY_MERCADOPAGO, "US", &m) == -1);
  CHECK(pa_catalog_price("plus_monthly", PA_PAY_MERCADOPAGO, "PE", &m) == -1);
  CHECK(pa_catalog_price("plus_monthly", PA_PAY_PAYPAL, "us", &m) == -1);
  CHECK(pa_catalog_price("plus_monthly", PA_PAY_PAYPAL, "USA", &m) == -1);
  CHECK(pa_catalog_price("plus_monthly", (pa_pay_provider)9, "US", &m) == -1);
}

static void catalog_providers_and_plans(void) {
  pa_pay_provider p[2];
  const char *mp[] = {"BR", "AR", "MX", "CO", "CL"};
  for (int i = 0; i < 5; i++) {
    CHECK(pa_catalog_providers(mp[i], p) == 2);
    CHECK(p[0] == PA_PAY_MERCADOPAGO && p[1] == PA_PAY_PAYPAL);
  }
  const char *pp_only[] = {"US", "DE", "PE", "UY", "ES", "JP"};
  for (int i = 0; i < 6; i++) {
    CHECK(pa_catalog_providers(pp_only[i], p) == 1);
    CHECK(p[0] == PA_PAY_PAYPAL);
    CHECK(pa_catalog_mp_currency(pp_only[i]) == NULL);
  }
  CHECK(pa_catalog_providers("", p) == 0);
  CHECK(pa_catalog_providers(NULL, p) == 0);
  CHECK(strcmp(pa_catalog_mp_currency("CL"), "CLP") == 0);
  /* The reverse: a marketplace order's currency names its seller's site. */
  for (int i = 0; i < 5; i++)
    CHECK(strcmp(pa_catalog_mp_country(pa_catalog_mp_currency(mp[i])), mp[i]) == 0);
  CHECK(pa_catalog_mp_country("USD") == NULL && pa_catalog_mp_country("brl") == NULL &&
        pa_catalog_mp_country(NULL) == NULL);
  CHECK(strcmp(pa_catalog_paypal_currency("IT"), "EUR") == 0);
  CHECK(strcmp(pa_catalog_paypal_currency("CH"), "USD") == 0);
  int n = 0;
  const pa_catalog_plan *plans = pa_catalog_plans(&n);
  CHECK(n == 4 && strcmp(plans[0].id, "free") == 0);
  CHECK(strcmp(pa_catalog_find("plus_year_pass")->interval, "once") == 0 &&
        pa_catalog_find("plus_year_pass")->months == 12);
  CHECK(pa_catalog_find("plus_yearly")->months == 12);
  CHECK(strcmp(pa_catalog_find("plus_monthly")->interval, "month") == 0);
  CHECK(pa_catalog_find("gold") == NULL);
  const pa_catalog_entitlements *f = pa_catalog_entitlements_of(PA_TIER_FREE),
                                *plus = pa_catalog_entitlements_of(PA_TIER_PLUS);
  CHECK(f->ads == 1 && !f->badge && !f->priority_support);
  CHECK(plus->ads == 0 && plus->badge && plus->priority_support);
  CHECK(strcmp(pa_catalog_tier_name(PA_TIER_PLUS), "plus") == 0);
}

static void provider_names(void) {
  CHECK(strcmp(pa_pay_provider_name(PA_PAY_PAYPAL), "paypal") == 0);
  CHECK(strcmp(pa_pay_provider_name(PA_PAY_MERCADOPAGO), "mercadopago") == 0);
  CHECK(pa_pay_provider_name((pa_pay_provider)0) == NULL);
  CHECK(pa_pay_provider_parse("paypal") == PA_PAY_PAYPAL);
  CHECK(pa_pay_provider_parse("mercadopago") == PA_PAY_MERCADOPAGO);
  CHECK(pa_pay_provider_parse("PayPal") == 0);
  CHECK(pa_pay_provider_parse(NULL) == 0);
}

/* ---- crc32 and times */

static void crc32_vectors(void) {
  CHECK(pa_pay_crc32("123456789", 9) == 3421780262u);
  CHECK(pa_pay_crc32("", 0) == 0);
  CHECK(pa_pay_crc32("a", 1) == 0xE8B7BE43u);
  CHECK(pa_pay_crc32("The quick brown fox jumps over the lazy dog", 43) == 0x414FA339u);
}

static void iso_times(void) {
  int64_t t;
  CHECK(pa_pay_iso_time("1970-01-01T00:00:00Z", &t) == 0 && t == 0);
  CHECK(pa_pay_iso_time("2026-12-06T05:28:57Z", &t) == 0 && t == 1796534937);
  CHECK(pa_pay_iso_time("2026-12-06T05:28:57.123Z", &t) == 0 && t == 1796534937);
  CHECK(pa_pay_iso_time("2026-12-06T01:28:57.000-04:00", &t) == 0 && t == 1796534937);
  CHECK(pa_pay_iso_time("2024-02-29T00:00:00+0000", &t) == 0 && t == 1709164800);
  CHECK(pa_pay_iso_time("2026-12-06 05:28:57Z", &t) == -1);
  CHECK(pa_pay_iso_time("2026-12-06T05:28:57", &t) == -1);
  CHECK(pa_pay_iso_time("2026-13-06T05:28:57Z", &t) == -1);
  CHECK(pa_pay_iso_time("2026-12-06T05:28:57Zjunk", &t) == -1);
  char buf[32];
  pa_pay_iso_format(1796534937, buf);
  CHECK(strcmp(buf, "2026-12-06T05:28:57Z") == 0);
  pa_pay_iso_format(0, buf);
  CHECK(strcmp(buf, "1970-01-01T00:00:00Z") == 0);
  for (int64_t x = -100000000; x < 4000000000; x += 98765431) {
    pa_pay_iso_format(x, buf);
    CHECK(pa_pay_iso_time(buf, &t) == 0 && t == x);
  }
}

/* ---- webhook requests */

typedef struct hdrs {
  const char *name[8], *value[8];
  int n;
} hdrs;

static const char *get_header(void *ctx, const char *name) {
  hdrs *h = ctx;
  for (int i = 0; i < h->n; i++)
    if (strcasecmp(h->name[i], name) == 0) return h->value[i];
  return NULL;
}

static void set(hdrs *h, const char *name, const char *value) {
  for (int i = 0; i < h->n; i++)
    if (strcasecmp(h->name[i], name) == 0) {
      h->value[i] = value;
      return;
    }
  h->name[h->n] = name;
  h->value[h->n++] = value;
}

/* ---- PayPal: a key and certificate made here */

static EVP_PKEY *key;
static char *cert_pem, *old_cert_pem; /* valid now; expired a day ago */

static char *make_cert(long not_before, long not_after) {
  X509 *x = X509_new();
  CHECK(x != NULL);
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), not_before);
  X509_gmtime_adj(X509_getm_notAfter(x), not_after);
  X509_set_pubkey(x, key);
  X509_NAME *name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"paysim test", -1, -1,
                             0);
  X509_set_issuer_name(x, name);
  CHECK(X509_sign(x, key, EVP_sha256()) > 0);
  BIO *b = BIO_new(BIO_s_mem());
  CHECK(PEM_write_bio_X509(b, x) == 1);
  char *data;
  long len = BIO_get_mem_data(b, &data);
  char *pem = malloc((size_t)len + 1);
  memcpy(pem, data, (size_t)len);
  pem[len] = 0;
  BIO_free(b);
  X509_free(x);
  return pem;
}

static void make_key(void) {
  EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
  CHECK(kc && EVP_PKEY_keygen_init(kc) == 1 && EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 2048) == 1 &&
        EVP_PKEY_keygen(kc, &key) == 1);
  EVP_PKEY_CTX_free(kc);
  cert_pem = make_cert(-3600, 3600L * 24 * 365);
  old_cert_pem = make_cert(-3600L * 24 * 30, -3600L * 24);
}

/* base64 RSA-SHA256 of text with the test key (malloc'd). */
static char *rsa_sign(const char *text) {
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  size_t len = 0;
  CHECK(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1);
  CHECK(EVP_DigestSign(md, NULL, &len, (const unsigned char *)text, strlen(text)) == 1);
  unsigned char *sig = malloc(len);
  CHECK(EVP_DigestSign(md, sig, &len, (const unsigned char *)text, strlen(text)) == 1);
  EVP_MD_CTX_free(md);
  char *b64 = malloc(4 * ((len + 2) / 3) + 1);
  EVP_EncodeBlock((unsigned char *)b64, sig, (int)len);
  free(sig);
  return b64;
}

#define CERT_URL "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77"
#define TX_ID    "b2384410-f8d2-11ea-8b4a-6f7c8b1e7f3e"
#define TX_TIME  "2026-12-06T05:30:00Z"

static const char sale_completed[] =
    "{\"id\":\"WH-2WR32451HC0233532-67976317FL4543714\",\"event_version\":\"1.0\","
    "\"create_time\":\"2026-12-06T05:30:00Z\",\"resource_type\":\"sale\","
    "\"event_type\":\"PAYMENT.SALE.COMPLETED\",\"summary\":\"Payment completed\","
    "\"resource\":{\"id\":\"80021663DE681814L\",\"state\":\"completed\","
    "\"amount\":{\"total\":\"4.99\",\"currency\":\"USD\"},"
    "\"transaction_fee\":{\"value\":\"0.66\",\"currency\":\"USD\"},"
    "\"billing_agreement_id\":\"I-BW452GLLEP1G\",\"custom\":\"co_5\","
    "\"create_time\":\"2026-12-06T05:29:50Z\"}}";

static pa_pay *paypal_pay(const char *webhook_id, const char *prefixes) {
  pa_pay_config cfg;
  memset(&cfg, 0, sizeof cfg);
  snprintf(cfg.paypal_webhook_id, sizeof cfg.paypal_webhook_id, "%s", webhook_id);
  snprintf(cfg.paypal_cert_prefixes, sizeof cfg.paypal_cert_prefixes, "%s", prefixes);
  snprintf(cfg.mp_webhook_secret, sizeof cfg.mp_webhook_secret, "mp-secret");
  cfg.timeout_ms = 2000;
  pa_pay *pay = pa_pay_new(&cfg);
  CHECK(pay != NULL);
  return pay;
}

/* Opens body as a PayPal webhook signed for webhook_id, naming cert_url. */
static int paypal_open(pa_pay *pay, const char *body, size_t len, const char *signed_body,
                       const char *webhook_id, const char *cert_url, const char *algo,
                       pa_pay_event *ev) {
  char text[512];
  snprintf(text, sizeof text, "%s|%s|%s|%lu", TX_ID, TX_TIME, webhook_id,
           (unsigned long)pa_pay_crc32(signed_body, strlen(signed_body)));
  char *sig = rsa_sign(text);
  hdrs h = {.n = 0};
  set(&h, "PAYPAL-TRANSMISSION-ID", TX_ID);
  set(&h, "PAYPAL-TRANSMISSION-TIME", TX_TIME);
  set(&h, "paypal-transmission-sig", sig);
  set(&h, "PAYPAL-CERT-URL", cert_url);
  set(&h, "PAYPAL-AUTH-ALGO", algo);
  pa_pay_webhook wh = {PA_PAY_PAYPAL, (const unsigned char *)body, len, NULL, get_header, &h};
  char err[PA_PAY_ERR_MAX];
  int rc = pa_pay_webhook_open(pay, &wh, ev, err);
  free(sig);
  return rc;
}

static const char default_prefixes[] =
    "https://api.paypal.com/,https://api-m.paypal.com/,https://api.sandbox.paypal.com/,"
    "https://api-m.sandbox.paypal.com/";

static void paypal_signature(void) {
  pa_pay *pay = paypal_pay("WH-TEST-1", default_prefixes);
  CHECK(pa_pay_cert_seed(pay, CERT_URL, cert_pem, strlen(cert_pem)) == 0);
  size_t n = strlen(sale_completed);
  pa_pay_event ev;
  CHECK(paypal_open(pay, sale_completed, n, sale_completed, "WH-TEST-1", CERT_URL, "SHA256withRSA",
                    &ev) == PA_PAY_OK);
  CHECK(ev.provider == PA_PAY_PAYPAL && ev.kind == PA_PAY_EV_TXN && ev.txn_complete);
  CHECK(strcmp(ev.id, "WH-2WR32451HC0233532-67976317FL4543714") == 0);
  CHECK(strcmp(ev.type, "PAYMENT.SALE.COMPLETED") == 0);
  CHECK(ev.txn.kind == PA_PAY_TXN_CHARGE && strcmp(ev.txn.id, "80021663DE681814L") == 0);
  CHECK(ev.txn.gross.minor == 499 && strcmp(ev.txn.gross.currency, "USD") == 0);
  CHECK(ev.txn.fee.minor == 66 && strcmp(ev.txn.fee.currency, "USD") == 0);
  CHECK(strcmp(ev.txn.sub_id, "I-BW452GLLEP1G") == 0 && strcmp(ev.sub_id, "I-BW452GLLEP1G") == 0);
  CHECK(strcmp(ev.txn.reference, "co_5") == 0);
  CHECK(ev.txn.at == 1796534990);

  /* One body byte changed after signing: the crc32 differs. */
  char *flipped = strdup(sale_completed);
  flipped[strstr(flipped, "4.99") - flipped] = '9';
  CHECK(paypal_open(pay, flipped, n, sale_completed, "WH-TEST-1", CERT_URL, "SHA256withRSA", &ev) ==
        PA_PAY_EVERIFY);
  CHECK(ev.kind == 0 && ev.id[0] == 0); /* nothing trusted */
  free(flipped);
  /* Signed for another webhook id (another account's listener). */
  CHECK(paypal_open(pay, sale_completed, n, sale_completed, "WH-OTHER", CERT_URL, "SHA256withRSA",
                    &ev) == PA_PAY_EVERIFY);
  /* Any other algorithm is refused before anything else. */
  CHECK(paypal_open(pay, sale_completed, n, sale_completed, "WH-TEST-1", CERT_URL, "SHA1withRSA",
                    &ev) == PA_PAY_EVERIFY);
  /* Missing headers. */
  hdrs h = {.n = 0};
  pa_pay_webhook wh = {
      PA_PAY_PAYPAL, (const unsigned char *)sale_completed, n, NULL, get_header, &h};
  char err[PA_PAY_ERR_MAX];
  CHECK(pa_pay_webhook_open(pay, &wh, &ev, err) == PA_PAY_EVERIFY);
  pa_pay_free(pay);

  /* The same signature under an expired certificate. */
  pay = paypal_pay("WH-TEST-1", default_prefixes);
  CHECK(pa_pay_cert_seed(pay, CERT_URL, old_cert_pem, strlen(old_cert_pem)) == 0);
  CHECK(paypal_open(pay, sale_completed, n, sale_completed, "WH-TEST-1", CERT_URL, "SHA256withRSA",
                    &ev) == PA_PAY_EVERIFY);
  CHECK(pa_pay_cert_seed(pay, CERT_URL, "not a pem", 9) == -1);
  pa_pay_free(pay);

  /* No webhook id configured: not verifiable, said so. */
  pay = paypal_pay("", default_prefixes);
  CHECK(paypal_open(pay, sale_completed, n, sale_completed, "", CERT_URL, "SHA256withRSA", &ev) ==
        PA_PAY_ENOTCONFIGURED);
  pa_pay_free(pay);
}

/* A certificate URL outside the prefixes is refused without a fetch: the
 * only allowed prefix is a loopback port where nothing listens, so an
 * allowed URL fails to connect (EUNREACHABLE) while a refused one answers
 * EVERIFY at once, having tried nothing. */
static void paypal_cert_url_refused_without_fetch(void) {
  pa_pay *pay = paypal_pay("WH-TEST-1", "http://127.0.0.1:1/certs/");
  size_t n = strlen(sale_completed);
  pa_pay_event ev;
  CHECK(paypal_open(pay, sale_completed, n, sale_completed, "WH-TEST-1",
                    "http://127.0.0.1:1/certs/paysim.pem", "SHA256withRSA",
                    &ev) == PA_PAY_EUNREACHABLE);
  const char *outside[] = {
      "http://127.0.0.1:1/other/paysim.pem",
      "http://127.0.0.1:1/certs/../x.pem",
      "http://127.0.0.1:1/certs/%2e%2e/x",
      "http://127.0.0.1:1/certs\\..\\x",
      "http://127.0.0.1:1/certs/a?b=1",
      "http://127.0.0.1:1/certs/",
      "http://127.0.0.1:10/certs/paysim.pem",
      "https://127.0.0.1:1/certs/paysim.pem",
      CERT_URL,
  };
  for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
    CHECK(paypal_open(pay, sale_completed, n, sale_completed, "WH-TEST-1", outside[i],
                      "SHA256withRSA", &ev) == PA_PAY_EVERIFY);
  /* Seeding a refused URL does not make it usable. */
  CHECK(pa_pay_cert_seed(pay, "http://127.0.0.1:1/other/paysim.pem", cert_pem, strlen(cert_pem)) ==
        0);
  CHECK(paypal_open(pay, sale_completed, n, sale_completed, "WH-TEST-1",
                    "http://127.0.0.1:1/other/paysim.pem", "SHA256withRSA", &ev) == PA_PAY_EVERIFY);
  pa_pay_free(pay);
}

static void cert_url_allow_list(void) {
  const char *p = default_prefixes;
  CHECK(pa_pay_cert_url_allowed(p, CERT_URL));
  CHECK(pa_pay_cert_url_allowed(p, "https://api-m.sandbox.paypal.com/v1/notifications/certs/C"));
  const char *tricks[] = {
      "https://api.paypal.com.evil.example/v1/notifications/certs/C",
      "https://api.paypal.com@evil.example/v1/notifications/certs/C",
      "https://api.paypal.com/../x",
      "https://api.paypal.com/v1/../../x",
      "https://api.paypal.com/%2e%2e/x",
      "https://api.paypal.com/%2E%2E/x",
      "https://api.paypal.com/\\evil.example",
      "https://api.paypal.com/a\\..\\b",
      "https://api.paypal.com/c?u=https://evil.example/",
      "https://api.paypal.com/c#frag",
      "https://api.paypal.com/c d",
      "https://api.paypal.com/c\td",
      "https://api.paypal.com/c\r\nX: y",
      "https://api.paypal.com//evil.example/c",
      "https://api.paypal.com/./c",
      "https://api.paypal.com/c/.",
      "https://api.paypal.com/",
      "http://api.paypal.com/c",
      "https://API.PAYPAL.COM/c",
      "https://evil.example/https://api.paypal.com/c",
      "https://api.paypal.com/c\xc3\xa9",
      "",
  };
  for (size_t i = 0; i < sizeof tricks / sizeof tricks[0]; i++)
    CHECK(!pa_pay_cert_url_allowed(p, tricks[i]));
  CHECK(!pa_pay_cert_url_allowed("", CERT_URL));
  CHECK(!pa_pay_cert_url_allowed(p, NULL));
}

/* ---- Mercado Pago */

static void mp_hmac(const char *secret, const char *data_id, const char *rid, const char *ts,
                    char hex[65]) {
  char manifest[512];
  snprintf(manifest, sizeof manifest, "id:%s;request-id:%s;ts:%s;", data_id, rid, ts);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  CHECK(HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)manifest,
             strlen(manifest), mac, &len) != NULL &&
        len == 32);
  for (unsigned i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", mac[i]);
}

static const char mp_payment_body[] =
    "{\"id\":12345678901,\"live_mode\":false,\"type\":\"payment\","
    "\"date_created\":\"2026-12-06T05:30:00.000-04:00\",\"user_id\":44444,"
    "\"api_version\":\"v1\",\"action\":\"payment.created\",\"data\":{\"id\":\"987654321\"}}";

static int mp_open(pa_pay *pay, const char *query, const char *rid, const char *xsig,
                   pa_pay_event *ev) {
  hdrs h = {.n = 0};
  if (rid) set(&h, "x-request-id", rid);
  if (xsig) set(&h, "x-signature", xsig);
  pa_pay_webhook wh = {PA_PAY_MERCADOPAGO,
                       (const unsigned char *)mp_payment_body,
                       strlen(mp_payment_body),
                       query,
                       get_header,
                       &h};
  char err[PA_PAY_ERR_MAX];
  return pa_pay_webhook_open(pay, &wh, ev, err);
}

static void mp_signature(void) {
  pa_pay *pay = paypal_pay("WH-TEST-1", default_prefixes);
  const char *rid = "bb56a2f1-6aae-46ac-982e-9dcd3581d08e";
  char ts[24], hex[65], xsig[160];
  snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
  mp_hmac("mp-secret", "987654321", rid, ts, hex);
  const char *q = "data.id=987654321&type=payment";
  pa_pay_event ev;
  snprintf(xsig, sizeof xsig, "ts=%s,v1=%s", ts, hex);
  CHECK(mp_open(pay, q, rid, xsig, &ev) == PA_PAY_OK);
  CHECK(ev.provider == PA_PAY_MERCADOPAGO && ev.kind == PA_PAY_EV_TXN && !ev.txn_complete);
  CHECK(strcmp(ev.id, "12345678901") == 0 && strcmp(ev.type, "payment") == 0);
  CHECK(strcmp(ev.txn.id, "987654321") == 0 && ev.country[0] == 0);
  /* Parts in any order, spaces around them, upper-case hex. */
  char upper[65];
  for (int i = 0; i < 65; i++)
    upper[i] = (char)(hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 32 : hex[i]);
  snprintf(xsig, sizeof xsig, " v1=%s , ts=%s ", upper, ts);
  CHECK(mp_open(pay, q, rid, xsig, &ev) == PA_PAY_OK);
  /* Tampered: ts, request id, data.id, the secret, a cut signature. */
  char ts2[24];
  snprintf(ts2, sizeof ts2, "%lld", (long long)time(NULL) + 1);
  snprintf(xsig, sizeof xsig, "ts=%s,v1=%s", ts2, hex);
  CHECK(mp_open(pay, q, rid, xsig, &ev) == PA_PAY_EVERIFY);
  snprintf(xsig, sizeof xsig, "ts=%s,v1=%s", ts, hex);
  CHECK(mp_open(pay, q, "bb56a2f1-6aae-46ac-982e-9dcd3581d08f", xsig, &ev) == PA_PAY_EVERIFY);
  CHECK(mp_open(pay, "data.id=987654322&type=payment", rid, xsig, &ev) == PA_PAY_EVERIFY);
  CHECK(mp_open(pay, "type=payment", rid, xsig, &ev) == PA_PAY_EVERIFY);
  CHECK(mp_open(pay, NULL, rid, xsig, &ev) == PA_PAY_EVERIFY);
  CHECK(mp_open(pay, q, NULL, xsig, &ev) == PA_PAY_EVERIFY);
  CHECK(mp_open(pay, q, rid, NULL, &ev) == PA_PAY_EVERIFY);
  snprintf(xsig, sizeof xsig, "ts=%s,v1=%.63s", ts, hex);
  CHECK(mp_open(pay, q, rid, xsig, &ev) == PA_PAY_EVERIFY);
  snprintf(xsig, sizeof xsig, "ts=%s", ts);
  CHECK(mp_open(pay, q, rid, xsig, &ev) == PA_PAY_EVERIFY);
  snprintf(xsig, sizeof xsig, "ts=%s,v1=%s,ts=%s", ts, hex, ts);
  CHECK(mp_open(pay, q, rid, xsig, &ev) == PA_PAY_EVERIFY);
  char wrong[65];
  mp_hmac("other-secret", "987654321", rid, ts, wrong);
  snprintf(xsig, sizeof xsig, "ts=%s,v1=%s", ts, wrong);
  CHECK(mp_open(pay, q, rid, xsig, &ev) == PA_PAY_EVERIFY);
  /* A correct signature over a ts an hour old: a replay. */
  char old[24];
  snprintf(old, sizeof old, "%lld", (long long)time(NULL) - 3600);
  mp_hmac("mp-secret", "987654321", rid, old, hex);
  snprintf(xsig, sizeof xsig, "ts=%s,v1=%s", old, hex);
  CHECK(mp_open(pay, q, rid, xsig, &ev) == PA_PAY_EVERIFY);
  /* An alphanumeric data.id is signed lower-cased (MP's rule). */
  mp_hmac("mp-secret", "abc123def", rid, ts, hex);
  snprintf(xsig, sizeof xsig, "ts=%s,v1=%s", ts, hex);
  hdrs h = {.n = 0};
  set(&h, "x-request-id", rid);
  set(&h, "x-signature", xsig);
  const char *pre = "{\"id\":7,\"type\":\"subscription_preapproval\",\"action\":\"updated\","
                    "\"data\":{\"id\":\"ABC123DEF\"}}";
  pa_pay_webhook wh = {PA_PAY_MERCADOPAGO, (const unsigned char *)pre,
                       strlen(pre),        "data.id=ABC123DEF&type=subscription_preapproval",
                       get_header,         &h};
  char err[PA_PAY_ERR_MAX];
  CHECK(pa_pay_webhook_open(pay, &wh, &ev, err) == PA_PAY_OK);
  CHECK(ev.kind == PA_PAY_EV_SUBSCRIPTION && strcmp(ev.sub_id, "abc123def") == 0);
  pa_pay_free(pay);
}

/* ---- bodies */

static int pp(const char *body, pa_pay_event *ev) {
  char err[PA_PAY_ERR_MAX];
  return pa_pay_webhook_parse(PA_PAY_PAYPAL, (const unsigned char *)body, strlen(body), NULL, ev,
                              err);
}

static void paypal_bodies(void) {
  pa_pay_event ev;
  const char *sub_events[] = {"ACTIVATED", "CANCELLED",    "SUSPENDED",
                              "EXPIRED",   "RE-ACTIVATED", "PAYMENT.FAILED"};
  for (int i = 0; i < 6; i++) {
    char body[512];
    snprintf(body, sizeof body,
             "{\"id\":\"WH-1\",\"event_type\":\"BILLING.SUBSCRIPTION.%s\",\"resource\":{\"id\":"
             "\"I-BW452GLLEP1G\",\"status\":\"ACTIVE\",\"plan_id\":\"P-1\"}}",
             sub_events[i]);
    CHECK(pp(body, &ev) == PA_PAY_OK);
    CHECK(ev.kind == PA_PAY_EV_SUBSCRIPTION && strcmp(ev.sub_id, "I-BW452GLLEP1G") == 0);
  }
  CHECK(pp("{\"id\":\"WH-2\",\"event_type\":\"PAYMENT.SALE.REFUNDED\",\"resource\":{\"id\":"
           "\"1JU08902781691411\",\"sale_id\":\"80021663DE681814L\",\"state\":\"completed\","
           "\"amount\":{\"total\":\"-2.00\",\"currency\":\"EUR\"},\"create_time\":"
           "\"2026-12-06T05:28:57Z\"}}",
           &ev) == PA_PAY_OK);
  CHECK(ev.kind == PA_PAY_EV_TXN && ev.txn.kind == PA_PAY_TXN_REFUND && ev.txn_complete);
  CHECK(strcmp(ev.txn.id, "1JU08902781691411") == 0 &&
        strcmp(ev.txn.parent_id, "80021663DE681814L") == 0);
  CHECK(ev.txn.gross.minor == 200 && strcmp(ev.txn.gross.currency, "EUR") == 0 &&
        ev.txn.fee.minor == 0 && ev.txn.at == 1796534937);
  /* A reversal as the sale itself: the chargeback gets an id of its own. */
  CHECK(
      pp("{\"id\":\"WH-3\",\"event_type\":\"PAYMENT.SALE.REVERSED\",\"resource\":{\"id\":"
         "\"80021663DE681814L\",\"state\":\"reversed\",\"reason_code\":\"CHARGEBACK\","
         "\"amount\":{\"total\":\"49.99\",\"currency\":\"USD\"},\"billing_agreement_id\":\"I-9\"}}",
         &ev) == PA_PAY_OK);
  CHECK(ev.txn.kind == PA_PAY_TXN_CHARGEBACK &&
        strcmp(ev.txn.id, "chargeback-80021663DE681814L") == 0 &&
        strcmp(ev.txn.parent_id, "80021663DE681814L") == 0 && ev.txn.gross.minor == 4999 &&
        strcmp(ev.sub_id, "I-9") == 0);
  CHECK(pp("{\"id\":\"WH-4\",\"event_type\":\"CHECKOUT.ORDER.APPROVED\",\"resource\":{\"id\":"
           "\"5O190127TN364715T\",\"status\":\"APPROVED\"}}",
           &ev) == PA_PAY_OK);
  CHECK(ev.kind == PA_PAY_EV_IGNORED && strcmp(ev.id, "WH-4") == 0);
  CHECK(pp("{\"id\":\"WH-5\",\"event_type\":\"PAYMENT.CAPTURE.COMPLETED\",\"resource\":{\"id\":"
           "\"2GG279541U471931P\",\"status\":\"COMPLETED\",\"amount\":{\"currency_code\":\"EUR\","
           "\"value\":\"49.99\"},\"custom_id\":\"co_7\",\"seller_receivable_breakdown\":{"
           "\"gross_amount\":{\"currency_code\":\"EUR\",\"value\":\"49.99\"},\"paypal_fee\":{"
           "\"currency_code\":\"EUR\",\"value\":\"2.23\"},\"net_amount\":{\"currency_code\":"
           "\"EUR\",\"value\":\"47.76\"}},\"supplementary_data\":{\"related_ids\":{\"order_id\":"
           "\"5O190127TN364715T\"}},\"links\":[{\"rel\":\"up\",\"href\":\"https://api-m.paypal.com/"
           "v2/checkout/orders/5O190127TN364715T\"}]}}",
           &ev) == PA_PAY_OK);
  CHECK(ev.txn.kind == PA_PAY_TXN_CHARGE && strcmp(ev.txn.id, "2GG279541U471931P") == 0 &&
        ev.txn.gross.minor == 4999 && ev.txn.fee.minor == 223 &&
        strcmp(ev.txn.reference, "co_7") == 0 && ev.sub_id[0] == 0);
  CHECK(pp("{\"id\":\"WH-6\",\"event_type\":\"PAYMENT.CAPTURE.REFUNDED\",\"resource\":{\"id\":"
           "\"1Y107995YT783435V\",\"status\":\"COMPLETED\",\"amount\":{\"currency_code\":\"EUR\","
           "\"value\":\"10.00\"},\"links\":[{\"rel\":\"self\",\"href\":\"https://api-m.paypal.com/"
           "v2/payments/refunds/1Y107995YT783435V\"},{\"rel\":\"up\",\"href\":\"https://"
           "api-m.paypal.com/v2/payments/captures/2GG279541U471931P\"}]}}",
           &ev) == PA_PAY_OK);
  CHECK(ev.txn.kind == PA_PAY_TXN_REFUND && strcmp(ev.txn.id, "1Y107995YT783435V") == 0 &&
        strcmp(ev.txn.parent_id, "2GG279541U471931P") == 0 && ev.txn.gross.minor == 1000);
  /* A capture reversed: its "up" link names the order, not a capture. */
  CHECK(pp("{\"id\":\"WH-7\",\"event_type\":\"PAYMENT.CAPTURE.REVERSED\",\"resource\":{\"id\":"
           "\"2GG279541U471931P\",\"status\":\"REVERSED\",\"reason_code\":\"CHARGEBACK\","
           "\"amount\":{\"currency_code\":\"EUR\",\"value\":\"49.99\"},\"links\":[{\"rel\":\"up\","
           "\"href\":\"https://api-m.paypal.com/v2/checkout/orders/5O190127TN364715T\"}]}}",
           &ev) == PA_PAY_OK);
  CHECK(ev.txn.kind == PA_PAY_TXN_CHARGEBACK &&
        strcmp(ev.txn.id, "chargeback-2GG279541U471931P") == 0 &&
        strcmp(ev.txn.parent_id, "2GG279541U471931P") == 0);
  /* Malformed: refused, nothing half-filled. */
  const char *bad[] = {
      "",
      "[]",
      "{\"id\":\"WH-8\"}",
      "{\"event_type\":\"PAYMENT.SALE.COMPLETED\",\"resource\":{}}",
      "{\"id\":\"WH-9\",\"event_type\":\"PAYMENT.SALE.COMPLETED\",\"resource\":{\"id\":\"S\","
      "\"amount\":{\"total\":\"4.999\",\"currency\":\"USD\"}}}",
      "{\"id\":\"WH-9\",\"event_type\":\"PAYMENT.SALE.COMPLETED\",\"resource\":{\"id\":\"S\","
      "\"amount\":{\"total\":\"4.99\",\"currency\":\"JPY\"}}}",
      "{\"id\":\"WH-9\",\"event_type\":\"PAYMENT.SALE.COMPLETED\",\"resource\":{\"id\":\"S\","
      "\"amount\":{\"total\":4.99,\"currency\":\"USD\"}}}",
      "{\"id\":\"WH-9\",\"event_type\":\"PAYMENT.SALE.REFUNDED\",\"resource\":{\"id\":\"R\","
      "\"amount\":{\"total\":\"1.00\",\"currency\":\"USD\"}}}",
      "{\"id\":\"WH-9\",\"event_type\":\"BILLING.SUBSCRIPTION.ACTIVATED\",\"resource\":{}}",
      /* found by fuzz_pay_webhook: a refund naming the empty sale */
      "{\"id\":\"WH-9\",\"event_type\":\"PAYMENT.SALE.REFUNDED\",\"resource\":{\"id\":\"R\","
      "\"sale_id\":\"\",\"amount\":{\"total\":\"1.00\",\"currency\":\"USD\"}}}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK(pp(bad[i], &ev) == PA_PAY_EBADANSWER);
    CHECK(ev.kind == 0 && ev.id[0] == 0);
  }
}

static int mp(const char *body, const char *query, pa_pay_event *ev) {
  char err[PA_PAY_ERR_MAX];
  return pa_pay_webhook_parse(PA_PAY_MERCADOPAGO, (const unsigned char *)body, strlen(body), query,
                              ev, err);
}

static void mp_bodies(void) {
  pa_pay_event ev;
  CHECK(mp(mp_payment_body, "data.id=987654321&type=payment", &ev) == PA_PAY_OK);
  CHECK(ev.kind == PA_PAY_EV_TXN && strcmp(ev.txn.id, "987654321") == 0);
  CHECK(mp(mp_payment_body, NULL, &ev) == PA_PAY_OK); /* the body alone, e.g. a stored event */
  CHECK(strcmp(ev.id, "12345678901") == 0 && strcmp(ev.txn.id, "987654321") == 0);
  CHECK(strcmp(ev.user_id, "44444") == 0); /* a seller's payment is read with their token */
  /* The query names another object than the body: refused. */
  CHECK(mp(mp_payment_body, "data.id=1&type=payment", &ev) == PA_PAY_EBADANSWER);
  CHECK(mp("{\"id\":8,\"type\":\"subscription_preapproval\",\"data\":{\"id\":"
           "\"2c938084726fca480172750000000000\"}}",
           NULL, &ev) == PA_PAY_OK);
  CHECK(ev.kind == PA_PAY_EV_SUBSCRIPTION &&
        strcmp(ev.sub_id, "2c938084726fca480172750000000000") == 0);
  CHECK(mp("{\"id\":9,\"type\":\"plan\",\"data\":{\"id\":\"1\"}}", NULL, &ev) == PA_PAY_OK);
  CHECK(ev.kind == PA_PAY_EV_IGNORED);
  CHECK(mp("{\"type\":\"payment\",\"data\":{\"id\":\"1\"}}", NULL, &ev) == PA_PAY_EBADANSWER);
  CHECK(mp("{\"id\":9,\"data\":{\"id\":\"1\"}}", NULL, &ev) == PA_PAY_EBADANSWER);
  CHECK(mp("{\"id\":9,\"type\":\"payment\"}", NULL, &ev) == PA_PAY_EBADANSWER);
  CHECK(mp("{\"id\":9,\"type\":\"payment\",\"data\":{\"id\":\"1\"}}", "data.id=../x", &ev) ==
        PA_PAY_EBADANSWER);
  CHECK(mp("{\"id\":9.5,\"type\":\"payment\",\"data\":{\"id\":\"1\"}}", NULL, &ev) ==
        PA_PAY_EBADANSWER);
}

static void mp_payment_objects(void) {
  const char *body =
      "{\"id\":987654321,\"status\":\"charged_back\",\"status_detail\":\"settled\","
      "\"transaction_amount\":19.9,\"currency_id\":\"BRL\",\"external_reference\":\"co_5\","
      "\"date_created\":\"2026-12-06T01:28:00.000-04:00\",\"date_approved\":"
      "\"2026-12-06T01:28:57.000-04:00\",\"date_last_updated\":\"2026-12-07T00:00:00.000Z\","
      "\"fee_details\":[{\"type\":\"mercadopago_fee\",\"amount\":0.99,\"fee_payer\":"
      "\"collector\"},{\"type\":\"financing_fee\",\"amount\":0.1}],"
      "\"refunds\":[{\"id\":555,\"amount\":5,\"date_created\":\"2026-12-06T06:00:00Z\"}],"
      "\"metadata\":{\"preapproval_id\":\"2c93808472\"}}";
  cJSON *root = cJSON_Parse(body);
  pa_pay_txn t[4];
  int n = 0;
  CHECK(pa_pay_mp_payment(root, t, 4, &n) == 0 && n == 3);
  CHECK(t[0].kind == PA_PAY_TXN_CHARGE && strcmp(t[0].id, "987654321") == 0 &&
        t[0].gross.minor == 1990 && t[0].fee.minor == 109 &&
        strcmp(t[0].sub_id, "2c93808472") == 0 && strcmp(t[0].reference, "co_5") == 0 &&
        t[0].at == 1796534937);
  CHECK(t[1].kind == PA_PAY_TXN_REFUND && strcmp(t[1].id, "refund-555") == 0 &&
        strcmp(t[1].parent_id, "987654321") == 0 && t[1].gross.minor == 500 && t[1].fee.minor == 0);
  CHECK(t[2].kind == PA_PAY_TXN_CHARGEBACK && strcmp(t[2].id, "chargeback-987654321") == 0 &&
        strcmp(t[2].parent_id, "987654321") == 0 && t[2].gross.minor == 1490 &&
        t[2].fee.minor == 0);
  CHECK(pa_pay_mp_payment(root, t, 2, &n) == -1); /* cap honoured */
  cJSON_Delete(root);
  /* subscription id from point_of_interaction; CLP has no decimals */
  root = cJSON_Parse("{\"id\":1,\"status\":\"approved\",\"transaction_amount\":4990,"
                     "\"currency_id\":\"CLP\",\"point_of_interaction\":{\"type\":\"SUBSCRIPTIONS\","
                     "\"transaction_data\":{\"subscription_id\":\"abc\"}}}");
  CHECK(pa_pay_mp_payment(root, t, 4, &n) == 0 && n == 1 && t[0].gross.minor == 4990 &&
        strcmp(t[0].sub_id, "abc") == 0);
  cJSON_Delete(root);
  root = cJSON_Parse("{\"id\":2,\"status\":\"rejected\",\"transaction_amount\":19.9,"
                     "\"currency_id\":\"BRL\"}");
  CHECK(pa_pay_mp_payment(root, t, 4, &n) == 0 && n == 1 && t[0].kind == PA_PAY_TXN_FAILED);
  cJSON_Delete(root);
  root = cJSON_Parse("{\"id\":3,\"status\":\"in_process\",\"transaction_amount\":19.9,"
                     "\"currency_id\":\"BRL\"}");
  CHECK(pa_pay_mp_payment(root, t, 4, &n) == 0 && n == 0);
  cJSON_Delete(root);
  root = cJSON_Parse("{\"id\":4,\"status\":\"approved\",\"transaction_amount\":4990.5,"
                     "\"currency_id\":\"CLP\"}");
  CHECK(pa_pay_mp_payment(root, t, 4, &n) == -1);
  cJSON_Delete(root);
}

static void subscription_objects(void) {
  pa_pay_sub s;
  cJSON *root = cJSON_Parse(
      "{\"id\":\"I-BW452GLLEP1G\",\"plan_id\":\"P-5ML4271244454362WXNWU5NQ\",\"status\":"
      "\"APPROVAL_PENDING\",\"custom_id\":\"co_5\",\"links\":[{\"href\":\"https://www.paypal.com/"
      "webapps/billing/subscriptions?ba_token=BA-2M539689T3856352J\",\"rel\":\"approve\","
      "\"method\":\"GET\"}]}");
  CHECK(pa_pay_paypal_sub(root, &s) == 0 && s.status == PA_PAY_SUB_PENDING &&
        strcmp(s.reference, "co_5") == 0 && strstr(s.approve_url, "ba_token=BA-") != NULL);
  cJSON_Delete(root);
  root = cJSON_Parse("{\"id\":\"I-1\",\"status\":\"ACTIVE\",\"billing_info\":{"
                     "\"next_billing_time\":\"2027-01-06T10:00:00Z\",\"last_payment\":{\"amount\":"
                     "{\"currency_code\":\"EUR\",\"value\":\"4.99\"}}}}");
  CHECK(pa_pay_paypal_sub(root, &s) == 0 && s.status == PA_PAY_SUB_ACTIVE &&
        s.next_charge_at == 1799229600 && s.price.minor == 499 &&
        strcmp(s.price.currency, "EUR") == 0);
  cJSON_Delete(root);
  root = cJSON_Parse("{\"id\":\"I-1\",\"status\":\"WEIRD\"}");
  CHECK(pa_pay_paypal_sub(root, &s) == -1);
  cJSON_Delete(root);
  root = cJSON_Parse("{\"id\":\"2c938084726fca480172750000000000\",\"status\":\"authorized\","
                     "\"init_point\":\"https://www.mercadopago.com.br/subscriptions/checkout?"
                     "preapproval_id=2c93\",\"external_reference\":\"co_6\",\"next_payment_date\":"
                     "\"2027-01-06T10:00:00.000-04:00\",\"auto_recurring\":{\"frequency\":12,"
                     "\"frequency_type\":\"months\",\"transaction_amount\":199,\"currency_id\":"
                     "\"BRL\"}}");
  CHECK(pa_pay_mp_sub(root, &s) == 0 && s.status == PA_PAY_SUB_ACTIVE && s.price.minor == 19900 &&
        strcmp(s.reference, "co_6") == 0 && s.next_charge_at == 1799229600 + 4 * 3600);
  cJSON_Delete(root);
}

static void config_env(void) {
  pa_pay_config cfg;
  char err[PA_PAY_ERR_MAX];
  unsetenv("PA_PAYPAL_CERT_PREFIXES");
  unsetenv("PA_PAY_TIMEOUT_MS");
  setenv("PA_PAYPAL_API", "http://127.0.0.1:9/paypal/", 1);
  setenv("PA_MP_TOKEN_CL", "SIM-MP-CL", 1);
  CHECK(pa_pay_config_from_env(&cfg, err) == 0);
  CHECK(strcmp(cfg.paypal_api, "http://127.0.0.1:9/paypal") == 0);
  CHECK(strcmp(cfg.paypal_cert_prefixes, default_prefixes) == 0);
  CHECK(cfg.timeout_ms == PA_PAY_TIMEOUT_DEFAULT_MS);
  CHECK(strcmp(cfg.mp_tokens[4][0], "CL") == 0 && strcmp(cfg.mp_tokens[4][1], "SIM-MP-CL") == 0);
  CHECK(strcmp(cfg.mp_auth, "https://auth.mercadopago.com") == 0); /* the default */
  pa_pay *pay = pa_pay_new(&cfg);
  CHECK(pa_pay_enabled(pay, PA_PAY_MERCADOPAGO, "CL") == 0); /* no PA_MP_API */
  CHECK(pa_pay_enabled(pay, PA_PAY_PAYPAL, NULL) == 0);      /* no client id */
  pa_pay_free(pay);
  setenv("PA_PAY_TIMEOUT_MS", "0", 1);
  CHECK(pa_pay_config_from_env(&cfg, err) == -1);
  setenv("PA_PAY_TIMEOUT_MS", "2500", 1);
  setenv("PA_PAYPAL_CERT_PREFIXES", "https://api.paypal.com", 1); /* no path: refused */
  CHECK(pa_pay_config_from_env(&cfg, err) == -1);
  setenv("PA_PAYPAL_CERT_PREFIXES", "http://127.0.0.1:5/paypal/certs/", 1);
  CHECK(pa_pay_config_from_env(&cfg, err) == 0 && cfg.timeout_ms == 2500);
  unsetenv("PA_PAYPAL_API");
  unsetenv("PA_MP_TOKEN_CL");
  unsetenv("PA_PAYPAL_CERT_PREFIXES");
  unsetenv("PA_PAY_TIMEOUT_MS");
}

/* ---- marketplace: payouts, their webhooks, the OAuth URL */

static void payout_objects(void) {
  pa_pay_payout_item it;
  cJSON *j = cJSON_Parse(
      "{\"payout_item_id\":\"8AELMXH8UB2P8\",\"transaction_id\":\"0C413693MN970190K\","
      "\"transaction_status\":\"SUCCESS\",\"payout_batch_id\":\"Q8KVJG9TZTNN4\","
      "\"payout_item_fee\":{\"currency\":\"JPY\",\"value\":\"20\"},\"payout_item\":{"
      "\"recipient_type\":\"EMAIL\",\"amount\":{\"value\":\"1000\",\"currency\":\"JPY\"},"
      "\"receiver\":\"s@example.test\",\"sender_item_id\":\"ord_1\"}}");
  CHECK(pa_pay_paypal_payout_item(j, &it) == 0);
  CHECK(it.status == PA_PAY_PAYOUT_SUCCESS && it.amount.minor == 1000 && it.fee.minor == 20 &&
        strcmp(it.amount.currency, "JPY") == 0 && strcmp(it.sender_item_id, "ord_1") == 0 &&
        strcmp(it.batch_id, "Q8KVJG9TZTNN4") == 0 && strcmp(it.receiver, "s@example.test") == 0);
  cJSON_Delete(j);
  /* JPY with decimals, a fee in another currency, no id: malformed. */
  const char *bad[] = {
      "{\"payout_item_id\":\"A\",\"transaction_status\":\"SUCCESS\",\"payout_batch_id\":\"B\","
      "\"payout_item\":{\"amount\":{\"value\":\"1000.00\",\"currency\":\"JPY\"}}}",
      "{\"payout_item_id\":\"A\",\"transaction_status\":\"SUCCESS\",\"payout_batch_id\":\"B\","
      "\"payout_item_fee\":{\"currency\":\"EUR\",\"value\":\"0.20\"},"
      "\"payout_item\":{\"amount\":{\"value\":\"10.00\",\"currency\":\"USD\"}}}",
      "{\"transaction_status\":\"SUCCESS\",\"payout_batch_id\":\"B\","
      "\"payout_item\":{\"amount\":{\"value\":\"10.00\",\"currency\":\"USD\"}}}"};
  for (int i = 0; i < 3; i++) {
    j = cJSON_Parse(bad[i]);
    CHECK(pa_pay_paypal_payout_item(j, &it) == -1 && it.item_id[0] == 0);
    cJSON_Delete(j);
  }
  CHECK(pa_pay_payout_status_parse("UNCLAIMED") == PA_PAY_PAYOUT_UNCLAIMED);
  CHECK(pa_pay_payout_status_parse("BLOCKED") == PA_PAY_PAYOUT_FAILED);
  CHECK(pa_pay_payout_status_parse("RETURNED") == PA_PAY_PAYOUT_RETURNED);
  CHECK(pa_pay_payout_status_parse("PROCESSING") == PA_PAY_PAYOUT_PENDING);
  CHECK(pa_pay_payout_status_parse("NEWLY_INVENTED") == PA_PAY_PAYOUT_OTHER);
  CHECK(pa_pay_payout_status_parse(NULL) == PA_PAY_PAYOUT_OTHER);
}

static void payout_events(void) {
  pa_pay_event ev;
  CHECK(pp("{\"id\":\"WH-P1\",\"event_type\":\"PAYMENT.PAYOUTS-ITEM.UNCLAIMED\",\"resource\":{"
           "\"payout_item_id\":\"ITEM1\",\"transaction_status\":\"UNCLAIMED\","
           "\"payout_batch_id\":\"BATCH1\",\"payout_item_fee\":{\"currency\":\"USD\","
           "\"value\":\"0.01\"},\"payout_item\":{\"amount\":{\"value\":\"0.01\","
           "\"currency\":\"USD\"},\"sender_item_id\":\"ord_2\"},\"errors\":{\"name\":"
           "\"RECEIVER_UNREGISTERED\"}}}",
           &ev) == PA_PAY_OK);
  CHECK(ev.kind == PA_PAY_EV_PAYOUT && ev.payout.status == PA_PAY_PAYOUT_UNCLAIMED &&
        strcmp(ev.payout.item_id, "ITEM1") == 0 && ev.payout.amount.minor == 1 &&
        strcmp(ev.payout.error, "RECEIVER_UNREGISTERED") == 0);
  CHECK(pp("{\"id\":\"WH-P2\",\"event_type\":\"PAYMENT.PAYOUTSBATCH.SUCCESS\",\"resource\":{"
           "\"batch_header\":{\"payout_batch_id\":\"BATCH1\",\"batch_status\":\"SUCCESS\","
           "\"sender_batch_header\":{\"sender_batch_id\":\"po_1\"}}}}",
           &ev) == PA_PAY_OK);
  CHECK(ev.kind == PA_PAY_EV_PAYOUT && ev.payout.item_id[0] == 0 &&
        strcmp(ev.payout.batch_id, "BATCH1") == 0 && ev.payout.status == PA_PAY_PAYOUT_SUCCESS);
  CHECK(pp("{\"id\":\"WH-P3\",\"event_type\":\"PAYMENT.PAYOUTS-ITEM.SUCCEEDED\","
           "\"resource\":{\"payout_item_id\":\"X\"}}",
           &ev) == PA_PAY_EBADANSWER);
  CHECK(pp("{\"id\":\"WH-P4\",\"event_type\":\"PAYMENT.PAYOUTSBATCH.DENIED\","
           "\"resource\":{}}",
           &ev) == PA_PAY_EBADANSWER);
}

/* PA_PAY_PAYOUT_ITEMS_MAX at its edge: the last allowed goes out (to a
 * closed port: unreachable), one more is refused before any call; a second
 * currency or a missing batch id too. */
static void payout_limits(void) {
  pa_pay_config cfg;
  memset(&cfg, 0, sizeof cfg);
  strcpy(cfg.paypal_api, "http://127.0.0.1:9/paypal");
  strcpy(cfg.paypal_client_id, "c");
  strcpy(cfg.paypal_secret, "s");
  cfg.timeout_ms = 2000;
  pa_pay *pay = pa_pay_new(&cfg);
  static pa_pay_payout_line lines[PA_PAY_PAYOUT_ITEMS_MAX + 1];
  for (int i = 0; i <= PA_PAY_PAYOUT_ITEMS_MAX; i++)
    lines[i] = (pa_pay_payout_line){"s@example.test", {100, "USD"}, "item_1", NULL};
  pa_pay_payout_request rq = {"po_1", NULL, lines, PA_PAY_PAYOUT_ITEMS_MAX};
  pa_pay_payout out;
  char err[PA_PAY_ERR_MAX];
  CHECK(pa_pay_payout_create(pay, &rq, &out, err) == PA_PAY_EUNREACHABLE);
  rq.nlines = PA_PAY_PAYOUT_ITEMS_MAX + 1;
  CHECK(pa_pay_payout_create(pay, &rq, &out, err) == PA_PAY_EREFUSED);
  rq.nlines = 2;
  memcpy(lines[1].amount.currency, "EUR", 4);
  CHECK(pa_pay_payout_create(pay, &rq, &out, err) == PA_PAY_EREFUSED);
  rq.batch_id = "po 1"; /* not an id */
  rq.nlines = 1;
  CHECK(pa_pay_payout_create(pay, &rq, &out, err) == PA_PAY_EREFUSED);
  pa_pay_free(pay);
}

static void mp_oauth_url(void) {
  pa_pay_config cfg;
  memset(&cfg, 0, sizeof cfg);
  strcpy(cfg.mp_api, "http://127.0.0.1:9/mercadopago");
  strcpy(cfg.mp_auth, "https://auth.mercadopago.com");
  strcpy(cfg.mp_client_id, "1234567890123456");
  strcpy(cfg.mp_client_secret, "s");
  pa_pay *pay = pa_pay_new(&cfg);
  char url[PA_PAY_URL_MAX], err[PA_PAY_ERR_MAX];
  CHECK(pa_pay_mp_oauth_url(pay, "a b&c", "https://x.test/r?k=1", url, err) == PA_PAY_OK);
  CHECK(strcmp(url, "https://auth.mercadopago.com/authorization?client_id=1234567890123456"
                    "&response_type=code&platform_id=mp&state=a%20b%26c"
                    "&redirect_uri=https%3A%2F%2Fx.test%2Fr%3Fk%3D1") == 0);
  CHECK(pa_pay_mp_oauth_url(pay, "", "https://x.test/r", url, err) == PA_PAY_EREFUSED);
  CHECK(pa_pay_mp_oauth_url(pay, "s", "javascript:alert(1)", url, err) == PA_PAY_EREFUSED);
  char longest[PA_PAY_URL_MAX];
  memset(longest, 'a', sizeof longest - 1);
  longest[sizeof longest - 1] = 0;
  CHECK(pa_pay_mp_oauth_url(pay, longest, "https://x.test/r", url, err) == PA_PAY_EREFUSED);
  CHECK(url[0] == 0);
  pa_pay_free(pay);
  cfg.mp_client_secret[0] = 0; /* not configured */
  pay = pa_pay_new(&cfg);
  CHECK(pa_pay_mp_oauth_url(pay, "s", "https://x.test/r", url, err) == PA_PAY_ENOTCONFIGURED);
  pa_pay_free(pay);
}

/* ---- the HTTP client against a one-connection loopback server */

typedef struct one_shot {
  int fd;           /* listening socket */
  const char *mode; /* "small", "big", "silent" */
  char request[4096];
} one_shot;

/* Accepts one connection, reads the request head and body, then answers as
 * mode says ("silent": reads until the client gives up and closes). */
static void *serve_once(void *arg) {
  one_shot *o = arg;
  int c = accept(o->fd, NULL, NULL);
  if (c < 0) return NULL;
  size_t len = 0;
  ssize_t k;
  while (len < sizeof o->request - 1 && !strstr(o->request, "\r\n\r\n{}") &&
         (k = read(c, o->request + len, sizeof o->request - 1 - len)) > 0) {
    len += (size_t)k;
    o->request[len] = 0;
  }
  if (strcmp(o->mode, "silent") == 0) {
    char b[64];
    while (read(c, b, sizeof b) > 0) {
    }
  } else {
    size_t body = strcmp(o->mode, "big") == 0 ? PA_PAYHTTP_BODY_MAX + 1 : 2;
    char head[128];
    int n =
        snprintf(head, sizeof head, "HTTP/1.1 201 Created\r\nContent-Length: %zu\r\n\r\n", body);
    if (write(c, head, (size_t)n) != n) body = 0;
    char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    if (body == 2) memcpy(chunk, "ok", 2);
    for (size_t sent = 0; sent < body;) {
      size_t m = body - sent < sizeof chunk ? body - sent : sizeof chunk;
      k = write(c, chunk, m);
      if (k <= 0) break;
      sent += (size_t)k;
    }
  }
  close(c);
  return NULL;
}

static int http_once(const char *mode, long timeout_ms, pa_payhttp_resp *r, one_shot *o) {
  o->fd = socket(AF_INET, SOCK_STREAM, 0);
  o->mode = mode;
  o->request[0] = 0;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t al = sizeof a;
  CHECK(bind(o->fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(o->fd, 1) == 0 &&
        getsockname(o->fd, (struct sockaddr *)&a, &al) == 0);
  pthread_t t;
  CHECK(pthread_create(&t, NULL, serve_once, o) == 0);
  char url[64], err[PA_PAY_ERR_MAX];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/x", ntohs(a.sin_port));
  const char *h[] = {"Content-Type: application/json", "PayPal-Request-Id: key-1"};
  int rc = pa_payhttp_request("POST", url, h, 2, "{}", 2, timeout_ms, r, err);
  pthread_join(t, NULL);
  close(o->fd);
  return rc;
}

static void http_client(void) {
  one_shot o;
  pa_payhttp_resp r;
  CHECK(http_once("small", 5000, &r, &o) == PA_PAY_OK);
  CHECK(r.status == 201 && r.len == 2 && strcmp(r.body, "ok") == 0);
  CHECK_CONTAINS(o.request, "POST /v1/x HTTP/1.1\r\n");
  CHECK_CONTAINS(o.request, "PayPal-Request-Id: key-1\r\n");
  CHECK(strstr(o.request, "Expect:") == NULL);
  pa_payhttp_resp_free(&r);
  /* One byte over the cap: refused, nothing kept. */
  CHECK(http_once("big", 5000, &r, &o) == PA_PAY_EBADANSWER);
  CHECK(r.body == NULL);
  /* A server that never answers: the total timeout ends the call. */
  CHECK(http_once("silent", 300, &r, &o) == PA_PAY_EUNREACHABLE);
  CHECK(r.body == NULL && r.status == 0);
  /* Nothing listening. */
  char err[PA_PAY_ERR_MAX];
  CHECK(pa_payhttp_request("GET", "http://127.0.0.1:1/", NULL, 0, NULL, 0, 2000, &r, err) ==
        PA_PAY_EUNREACHABLE);
  /* Only http and https. */
  CHECK(pa_payhttp_request("GET", "file:///etc/passwd", NULL, 0, NULL, 0, 2000, &r, err) != 0);
  CHECK(r.body == NULL);
}

int main(void) {
  make_key();
  RUN(money_exponents);
  RUN(money_format_edges);
  RUN(money_parse_edges);
  RUN(money_json_numbers);
  RUN(catalog_prices);
  RUN(catalog_providers_and_plans);
  RUN(provider_names);
  RUN(crc32_vectors);
  RUN(iso_times);
  RUN(paypal_signature);
  RUN(paypal_cert_url_refused_without_fetch);
  RUN(cert_url_allow_list);
  RUN(mp_signature);
  RUN(paypal_bodies);
  RUN(mp_bodies);
  RUN(mp_payment_objects);
  RUN(subscription_objects);
  RUN(config_env);
  RUN(payout_objects);
  RUN(payout_events);
  RUN(payout_limits);
  RUN(mp_oauth_url);
  RUN(http_client);
  EVP_PKEY_free(key);
  free(cert_pem);
  free(old_cert_pem);
  return pa_test_summary("pay");
}
