/* pa_pay_cli — see cli.h. One subcommand per adapter call. */
#include "pay/cli.h"

#include "clock.h"
#include "pay/pay.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CLI_HEADERS_MAX 16   /* --header options of `pay webhook` */
#define CLI_GRANT_MAX   4096 /* bytes of a grant file */

static const char usage[] =
    "usage: petamigos-server pay COMMAND ARGS (settings from PA_PAYPAL_*, PA_MP_*)\n"
    "  payout-create BATCH_ID RECEIVER:MINOR:CURRENCY:ITEM_ID...\n"
    "  payout-get BATCH_ID | payout-item ITEM_ID\n"
    "  mp-oauth-url STATE REDIRECT_URI\n"
    "  mp-oauth-exchange CODE REDIRECT_URI GRANT_FILE  (writes the seller's grant, 0600)\n"
    "  mp-oauth-refresh GRANT_FILE                     (replaces it)\n"
    "  mp-seller-order GRANT_FILE COUNTRY MINOR CURRENCY FEE_MINOR REFERENCE KEY\n"
    "  mp-seller-payment GRANT_FILE COUNTRY PAYMENT_ID\n"
    "  mp-seller-refund GRANT_FILE COUNTRY PAYMENT_ID KEY [MINOR CURRENCY]\n"
    "  webhook paypal|mercadopago [--query Q] [--header 'Name: value']... < BODY\n";

static const char *const payout_status[] = {"",       "pending",  "success", "unclaimed",
                                            "failed", "returned", "other"};

static int print_json(cJSON *j) {
  char *s = j ? cJSON_PrintUnformatted(j) : NULL;
  cJSON_Delete(j);
  if (!s) {
    fputs("petamigos-server pay: out of memory\n", stderr);
    return 1;
  }
  puts(s);
  cJSON_free(s);
  return 0;
}

static int fail(int rc, const char *err) {
  fprintf(stderr, "petamigos-server pay: error %d: %s\n", rc, err);
  return 1;
}

/* A whole decimal number of minor units: 0, or -1. */
static int minor_arg(const char *s, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || !*s || *end || v < 0 || v > PA_MONEY_MINOR_MAX) return -1;
  *out = v;
  return 0;
}

static int money_arg(const char *minor, const char *currency, pa_money *m) {
  if (minor_arg(minor, &m->minor) || strlen(currency) != 3) return -1;
  memcpy(m->currency, currency, 4);
  return 0;
}

static cJSON *item_json(const pa_pay_payout_item *it) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "item_id", it->item_id);
  cJSON_AddStringToObject(j, "batch_id", it->batch_id);
  cJSON_AddStringToObject(j, "sender_item_id", it->sender_item_id);
  cJSON_AddStringToObject(j, "transaction_id", it->transaction_id);
  cJSON_AddStringToObject(j, "receiver", it->receiver);
  cJSON_AddStringToObject(j, "status", payout_status[it->status]);
  cJSON_AddNumberToObject(j, "amount_minor", (double)it->amount.minor);
  cJSON_AddStringToObject(j, "currency", it->amount.currency);
  cJSON_AddNumberToObject(j, "fee_minor", (double)it->fee.minor);
  cJSON_AddStringToObject(j, "error", it->error);
  return j;
}

static cJSON *batch_json(const pa_pay_payout *b) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "id", b->id);
  cJSON_AddStringToObject(j, "sender_batch_id", b->sender_batch_id);
  cJSON_AddStringToObject(j, "status", payout_status[b->status]);
  return j;
}

static cJSON *txn_json(const pa_pay_txn *t) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddNumberToObject(j, "kind", t->kind);
  cJSON_AddStringToObject(j, "id", t->id);
  cJSON_AddStringToObject(j, "parent_id", t->parent_id);
  cJSON_AddStringToObject(j, "reference", t->reference);
  cJSON_AddNumberToObject(j, "gross_minor", (double)t->gross.minor);
  cJSON_AddStringToObject(j, "currency", t->gross.currency);
  cJSON_AddNumberToObject(j, "fee_minor", (double)t->fee.minor);
  return j;
}

/* ---- the grant file: the seller's tokens, 0600, never printed */

static int grant_write(const char *path, const pa_pay_mp_grant *g) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "access_token", g->access_token);
  cJSON_AddStringToObject(j, "refresh_token", g->refresh_token);
  cJSON_AddStringToObject(j, "public_key", g->public_key);
  cJSON_AddStringToObject(j, "user_id", g->user_id);
  cJSON_AddNumberToObject(j, "expires_at", (double)g->expires_at);
  char *s = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  if (!s) return -1;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), rc = -1;
  if (fd >= 0) {
    size_t n = strlen(s);
    rc = write(fd, s, n) == (ssize_t)n ? 0 : -1;
    if (close(fd) != 0) rc = -1;
  }
  sodium_memzero(s, strlen(s));
  cJSON_free(s);
  return rc;
}

static int grant_read(const char *path, pa_pay_mp_grant *g) {
  char buf[CLI_GRANT_MAX];
  memset(g, 0, sizeof *g);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  cJSON *j = cJSON_Parse(buf);
  sodium_memzero(buf, sizeof buf);
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "access_token");
  const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "refresh_token");
  const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "user_id");
  int rc = cJSON_IsString(a) && cJSON_IsString(r) && cJSON_IsString(u) &&
                   strlen(a->valuestring) < sizeof g->access_token &&
                   strlen(r->valuestring) < sizeof g->refresh_token &&
                   strlen(u->valuestring) < sizeof g->user_id
               ? 0
               : -1;
  if (rc == 0) {
    strcpy(g->access_token, a->valuestring);
    strcpy(g->refresh_token, r->valuestring);
    strcpy(g->user_id, u->valuestring);
    sodium_memzero(a->valuestring, strlen(a->valuestring));
    sodium_memzero(r->valuestring, strlen(r->valuestring));
  }
  cJSON_Delete(j);
  return rc;
}

/* What the caller may see of a grant. */
static int print_grant(const pa_pay_mp_grant *g) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "user_id", g->user_id);
  cJSON_AddNumberToObject(j, "expires_at", (double)g->expires_at);
  cJSON_AddBoolToObject(j, "has_public_key", g->public_key[0] != 0);
  return print_json(j);
}

/* ---- webhook: verify and parse a delivery read from stdin */

typedef struct cli_headers {
  const char *name[CLI_HEADERS_MAX], *value[CLI_HEADERS_MAX];
  int n;
} cli_headers;

static const char *header_of(void *ctx, const char *name) {
  cli_headers *h = ctx;
  for (int i = 0; i < h->n; i++)
    if (strcasecmp(h->name[i], name) == 0) return h->value[i];
  return NULL;
}

static int webhook(pa_pay *pay, int argc, char **argv) {
  pa_pay_webhook wh = {.provider = pa_pay_provider_parse(argc > 1 ? argv[1] : "")};
  cli_headers h = {.n = 0};
  if (!wh.provider) return 2;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--query") == 0 && i + 1 < argc) {
      wh.query = argv[++i];
    } else if (strcmp(argv[i], "--header") == 0 && i + 1 < argc && h.n < CLI_HEADERS_MAX) {
      char *colon = strchr(argv[++i], ':');
      if (!colon) return 2;
      *colon = 0;
      h.name[h.n] = argv[i];
      h.value[h.n++] = colon[1] == ' ' ? colon + 2 : colon + 1;
    } else {
      return 2;
    }
  }
  static unsigned char body[PA_PAY_WEBHOOK_MAX];
  size_t len = fread(body, 1, sizeof body, stdin);
  wh.body = body;
  wh.len = len;
  wh.header = header_of;
  wh.ctx = &h;
  pa_pay_event ev;
  char err[PA_PAY_ERR_MAX];
  int rc = pa_pay_webhook_open(pay, &wh, &ev, err);
  if (rc != PA_PAY_OK) return fail(rc, err);
  cJSON *j = cJSON_CreateObject();
  static const char *const kinds[] = {"", "subscription", "txn", "ignored", "payout"};
  cJSON_AddStringToObject(j, "kind", kinds[ev.kind]);
  cJSON_AddStringToObject(j, "id", ev.id);
  cJSON_AddStringToObject(j, "type", ev.type);
  cJSON_AddStringToObject(j, "user_id", ev.user_id);
  if (ev.kind == PA_PAY_EV_TXN) cJSON_AddStringToObject(j, "txn_id", ev.txn.id);
  if (ev.kind == PA_PAY_EV_PAYOUT) cJSON_AddItemToObject(j, "payout", item_json(&ev.payout));
  return print_json(j);
}

/* ---- the commands */

static int payout_create(pa_pay *pay, int argc, char **argv) {
  if (argc < 3 || argc - 2 > PA_PAY_PAYOUT_ITEMS_MAX) return 2;
  pa_pay_payout_line lines[PA_PAY_PAYOUT_ITEMS_MAX];
  char *parts[PA_PAY_PAYOUT_ITEMS_MAX][4];
  for (int i = 2; i < argc; i++) {
    char *s = argv[i];
    for (int k = 0; k < 4; k++) {
      parts[i - 2][k] = s;
      char *c = k < 3 ? strchr(s, ':') : NULL;
      if (k < 3 && !c) return 2;
      if (c) *c = 0, s = c + 1;
    }
    pa_pay_payout_line *l = &lines[i - 2];
    memset(l, 0, sizeof *l);
    l->receiver = parts[i - 2][0];
    l->sender_item_id = parts[i - 2][3];
    l->note = "Your PetAmigos sale";
    if (money_arg(parts[i - 2][1], parts[i - 2][2], &l->amount)) return 2;
  }
  pa_pay_payout_request rq = {.batch_id = argv[1],
                              .email_subject = "You have a payout",
                              .lines = lines,
                              .nlines = argc - 2};
  pa_pay_payout out;
  char err[PA_PAY_ERR_MAX];
  int rc = pa_pay_payout_create(pay, &rq, &out, err);
  return rc == PA_PAY_OK ? print_json(batch_json(&out)) : fail(rc, err);
}

static int payout_get(pa_pay *pay, int argc, char **argv) {
  if (argc != 2) return 2;
  static pa_pay_payout_item items[PA_PAY_PAYOUT_ITEMS_MAX];
  pa_pay_payout out;
  int n = 0;
  char err[PA_PAY_ERR_MAX];
  int rc = pa_pay_payout_get(pay, argv[1], &out, items, PA_PAY_PAYOUT_ITEMS_MAX, &n, err);
  if (rc != PA_PAY_OK) return fail(rc, err);
  cJSON *j = batch_json(&out), *arr = cJSON_AddArrayToObject(j, "items");
  for (int i = 0; i < n; i++) cJSON_AddItemToArray(arr, item_json(&items[i]));
  return print_json(j);
}

static int payout_item(pa_pay *pay, int argc, char **argv) {
  if (argc != 2) return 2;
  pa_pay_payout_item it;
  char err[PA_PAY_ERR_MAX];
  int rc = pa_pay_payout_item_get(pay, argv[1], &it, err);
  return rc == PA_PAY_OK ? print_json(item_json(&it)) : fail(rc, err);
}

static int oauth_url(pa_pay *pay, int argc, char **argv) {
  if (argc != 3) return 2;
  char url[PA_PAY_URL_MAX], err[PA_PAY_ERR_MAX];
  int rc = pa_pay_mp_oauth_url(pay, argv[1], argv[2], url, err);
  if (rc != PA_PAY_OK) return fail(rc, err);
  puts(url);
  return 0;
}

static int oauth_grant(pa_pay *pay, int argc, char **argv, int refresh) {
  if (argc != (refresh ? 2 : 4)) return 2;
  const char *file = argv[refresh ? 1 : 3];
  pa_pay_mp_grant g, old;
  char err[PA_PAY_ERR_MAX];
  int rc;
  if (refresh) {
    if (grant_read(file, &old)) return fail(PA_PAY_EREFUSED, "cannot read the grant file");
    rc = pa_pay_mp_oauth_refresh(pay, old.refresh_token, &g, err);
    sodium_memzero(&old, sizeof old);
  } else {
    rc = pa_pay_mp_oauth_exchange(pay, argv[1], argv[2], &g, err);
  }
  if (rc != PA_PAY_OK) return fail(rc, err);
  int wr = grant_write(file, &g);
  int st = wr ? fail(PA_PAY_ENOMEM, "cannot write the grant file") : print_grant(&g);
  sodium_memzero(&g, sizeof g);
  return st;
}

static int seller_order(pa_pay *pay, int argc, char **argv) {
  if (argc != 8) return 2;
  pa_pay_mp_grant g;
  pa_pay_order_request rq = {.provider = PA_PAY_MERCADOPAGO,
                             .country = argv[2],
                             .title = "PetAmigos marketplace order",
                             .reference = argv[6],
                             .idempotency_key = argv[7],
                             .return_url = "https://petamigos.test/orders/return",
                             .cancel_url = "https://petamigos.test/orders/return?cancelled=1"};
  pa_money fee;
  if (money_arg(argv[3], argv[4], &rq.amount) || money_arg(argv[5], argv[4], &fee)) return 2;
  if (grant_read(argv[1], &g)) return fail(PA_PAY_EREFUSED, "cannot read the grant file");
  pa_pay_order out;
  char err[PA_PAY_ERR_MAX];
  int rc = pa_pay_mp_seller_order_create(pay, g.access_token, &rq, &fee, &out, err);
  sodium_memzero(&g, sizeof g);
  if (rc != PA_PAY_OK) return fail(rc, err);
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "id", out.id);
  cJSON_AddStringToObject(j, "approve_url", out.approve_url);
  return print_json(j);
}

static int seller_payment(pa_pay *pay, int argc, char **argv) {
  if (argc != 4) return 2;
  pa_pay_mp_grant g;
  if (grant_read(argv[1], &g)) return fail(PA_PAY_EREFUSED, "cannot read the grant file");
  pa_pay_mp_split s;
  char err[PA_PAY_ERR_MAX];
  int rc = pa_pay_mp_seller_payment_get(pay, g.access_token, argv[2], argv[3], &s, err);
  sodium_memzero(&g, sizeof g);
  if (rc != PA_PAY_OK) return fail(rc, err);
  cJSON *j = cJSON_CreateObject();
  cJSON_AddItemToObject(j, "charge", txn_json(&s.charge));
  cJSON_AddNumberToObject(j, "marketplace_fee_minor", (double)s.marketplace_fee.minor);
  cJSON_AddNumberToObject(j, "refunded_minor", (double)s.refunded.minor);
  cJSON_AddStringToObject(j, "collector_id", s.collector_id);
  cJSON_AddStringToObject(j, "status", s.status);
  cJSON_AddBoolToObject(j, "released", s.released);
  cJSON_AddNumberToObject(j, "release_at", (double)s.release_at);
  return print_json(j);
}

static int seller_refund(pa_pay *pay, int argc, char **argv) {
  if (argc != 5 && argc != 7) return 2;
  pa_money amount;
  if (argc == 7 && money_arg(argv[5], argv[6], &amount)) return 2;
  pa_pay_mp_grant g;
  if (grant_read(argv[1], &g)) return fail(PA_PAY_EREFUSED, "cannot read the grant file");
  pa_pay_txn t;
  char err[PA_PAY_ERR_MAX];
  int rc = pa_pay_mp_seller_refund(pay, g.access_token, argv[2], argv[3],
                                   argc == 7 ? &amount : NULL, argv[4], &t, err);
  sodium_memzero(&g, sizeof g);
  return rc == PA_PAY_OK ? print_json(txn_json(&t)) : fail(rc, err);
}

int pa_pay_cli(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  char err[PA_PAY_ERR_MAX];
  pa_pay_config cfg;
  if (sodium_init() < 0 || pa_clock_init() != 0) {
    fputs("petamigos-server pay: cannot start (libsodium or PA_TEST_CLOCK_OFFSET)\n", stderr);
    return 1;
  }
  if (pa_pay_config_from_env(&cfg, err) != 0) return fail(PA_PAY_ENOTCONFIGURED, err);
  pa_pay *pay = pa_pay_new(&cfg);
  sodium_memzero(&cfg, sizeof cfg);
  if (!pay) return fail(PA_PAY_ENOMEM, "out of memory");
  static const struct {
    const char *name;
    int (*run)(pa_pay *, int, char **);
  } cmds[] = {{"payout-create", payout_create},    {"payout-get", payout_get},
              {"payout-item", payout_item},        {"mp-oauth-url", oauth_url},
              {"mp-seller-order", seller_order},   {"mp-seller-payment", seller_payment},
              {"mp-seller-refund", seller_refund}, {"webhook", webhook}};
  const char *cmd = argv[1];
  int st = -1;
  if (strcmp(cmd, "mp-oauth-exchange") == 0) st = oauth_grant(pay, argc - 1, argv + 1, 0);
  if (strcmp(cmd, "mp-oauth-refresh") == 0) st = oauth_grant(pay, argc - 1, argv + 1, 1);
  for (size_t i = 0; st < 0 && i < sizeof cmds / sizeof cmds[0]; i++)
    if (strcmp(cmd, cmds[i].name) == 0) st = cmds[i].run(pay, argc - 1, argv + 1);
  pa_pay_free(pay);
  if (st < 0 || st == 2) {
    fprintf(stderr, "petamigos-server pay: bad arguments for %s\n", cmd);
    fputs(usage, stderr);
    return 2;
  }
  return st;
}
