/* pa_admin — roles granted and taken with their audit rows, for the API and
 * the command line alike. */
#include "admin.h"

#include "auth/twostep.h"
#include "clock.h"
#include "datadir.h"
#include "market_mp.h"
#include "store/accounts.h"
#include "store/admin.h"
#include "store/market.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum { DETAIL_MAX = 64 }; /* bytes of the detail this module writes: {"role":"moderator"} */

/* Writes the change and its audit row in one transaction. */
static int change(pa_store *db, int grant, int64_t actor, int64_t user, int role, int keep,
                  int64_t now, int *changed) {
  char detail[DETAIL_MAX];
  int moved = 0;
  snprintf(detail, sizeof detail, "{\"role\":\"%s\"}", pa_store_admin_role_name(role));
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) return rc;
  rc = grant ? pa_store_admin_grant(db, user, role, actor, now, &moved)
             : pa_store_admin_revoke(db, user, role, keep, &moved);
  if (rc == PA_STORE_OK && moved) {
    pa_store_audit_new a = {now,      actor, grant ? "role.grant" : "role.revoke",
                            "person", user,  detail};
    rc = pa_store_admin_audit(db, &a);
  }
  int end = pa_store_end(db, rc == PA_STORE_OK);
  if (changed) *changed = rc == PA_STORE_OK && end == PA_STORE_OK && moved;
  return rc != PA_STORE_OK ? rc : end;
}

int pa_admin_grant(pa_store *db, int64_t actor, int64_t user, int role, int64_t now, int *changed) {
  return change(db, 1, actor, user, role, 0, now, changed);
}

int pa_admin_revoke(pa_store *db, int64_t actor, int64_t user, int role, int keep_one_admin,
                    int64_t now, int *changed) {
  return change(db, 0, actor, user, role, keep_one_admin, now, changed);
}

/* ---- the command line */

static const char usage[] =
    "usage: petamigos-server admin --data DIR grant EMAIL ROLE\n"
    "       petamigos-server admin --data DIR revoke EMAIL ROLE\n"
    "       petamigos-server admin --data DIR list\n"
    "       petamigos-server admin --data DIR mp-check EMAIL\n"
    "  ROLE is admin, moderator, support or finance. The database is DIR/petamigos.db,\n"
    "  or PA_DATABASE_URL when set, as for the server. Each grant and revoke is written\n"
    "  to the audit log with no actor (the command line). mp-check takes the Mercado Pago\n"
    "  seller's access token as checkout does (refreshed when near its expiry; PA_MP_* and\n"
    "  PA_SECRETS_KEY as for the server) and prints their Mercado Pago user id and when the\n"
    "  token expires, never the token.\n"
    "exit status: 0 done (or nothing to change), 1 refused or failed, 2 bad arguments\n";

static int print_holder(void *ctx, const pa_store_role_holder *h) {
  (void)ctx;
  printf("u_%lld\t%s\t", (long long)h->person.id, h->handle ? h->handle : "");
  for (int i = 0, n = 0; i < PA_STORE_ROLE_COUNT; i++)
    if (h->roles & (1 << i)) printf("%s%s", n++ ? "," : "", pa_store_admin_role_name(1 << i));
  printf("\n");
  return 0;
}

static int list(pa_store *db) {
  pa_store_cursor next = {0, 0};
  int more = 1, first = 1, rc = PA_STORE_OK;
  while (rc == PA_STORE_OK && more) {
    pa_store_cursor after = next;
    rc = pa_store_admin_holders(db, PA_STORE_ROLE_ALL, first ? NULL : &after, 100, print_holder,
                                NULL, &next, &more);
    first = 0;
  }
  return rc;
}

/* Grants or revokes; 0, 1 or 2 as the process's status. */
static int change_cli(pa_store *db, int grant, const char *email, const char *role_name) {
  int role = pa_store_admin_role_parse(role_name), changed = 0;
  pa_store_credentials cred;
  if (!role) {
    fprintf(stderr,
            "petamigos-server admin: unknown role %s (admin, moderator, support or finance)\n",
            role_name);
    return 2;
  }
  int rc = pa_store_accounts_find(db, email, &cred);
  if (rc == PA_STORE_ENOTFOUND) {
    fprintf(stderr, "petamigos-server admin: no account has the email %s\n", email);
    return 1;
  }
  if (rc == PA_STORE_OK)
    rc = grant ? pa_admin_grant(db, 0, cred.id, role, pa_clock_now(), &changed)
               : pa_admin_revoke(db, 0, cred.id, role, 0, pa_clock_now(), &changed);
  if (rc != PA_STORE_OK) {
    fprintf(stderr, "petamigos-server admin: %s database: %s\n", pa_store_kind(db),
            pa_store_errmsg(db));
    return 1;
  }
  printf("%s %s %s%s\n", grant ? "granted" : "revoked", role_name, cred.email,
         changed ? ""
         : grant ? " (already held)"
                 : " (not held)");
  return 0;
}

/* mp-check: pa_market_mp_token for the seller with email; 0, 1 or 2. */
static int mp_check(pa_store *db, const char *email) {
  pa_store_credentials cred;
  pa_pay_config cfg;
  char err[PA_PAY_ERR_MAX], token[PA_PAY_MP_TOKEN_MAX], mp_user[PA_PAY_ID_MAX];
  /* The admin command runs before main's sodium_init. */
  if (sodium_init() < 0) return 1;
  if (pa_twostep_init(err, sizeof err) != 0 || pa_pay_config_from_env(&cfg, err) != 0) {
    fprintf(stderr, "petamigos-server admin: %s\n", err);
    return 2;
  }
  pa_pay *pay = pa_pay_new(&cfg);
  sodium_memzero(&cfg, sizeof cfg);
  if (!pay) return 1;
  int rc = pa_store_accounts_find(db, email, &cred), status = 1;
  if (rc != PA_STORE_OK) {
    fprintf(stderr, "petamigos-server admin: no account has the email %s\n", email);
  } else {
    static const char *const why[] = {"", "not connected", "Mercado Pago did not answer",
                                      "the grant does not open (PA_SECRETS_KEY)", "internal error"};
    rc = pa_market_mp_token(db, pay, cred.id, pa_clock_now(), token, mp_user);
    sodium_memzero(token, sizeof token);
    pa_store_market_mp_grant g;
    if (rc == PA_MARKET_MP_OK && pa_store_market_mp_grant_get(db, cred.id, &g) == PA_STORE_OK) {
      printf("{\"mp_user_id\":\"%s\",\"expires_at\":%lld}\n", mp_user, (long long)g.expires_at);
      status = 0;
    } else {
      fprintf(stderr, "petamigos-server admin: %s\n",
              rc >= 0 && rc <= PA_MARKET_MP_EINTERNAL ? why[rc] : "failed");
    }
  }
  pa_pay_free(pay);
  return status;
}

int pa_admin_cli(int argc, char **argv) {
  const char *data = NULL, *words[4];
  int n = 0;
  char err[512];
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      return 0;
    }
    if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
      data = argv[++i];
    } else if (argv[i][0] == '-' || n == 3) {
      fprintf(stderr, "petamigos-server admin: unexpected %s\n", argv[i]);
      fputs(usage, stderr);
      return 2;
    } else {
      words[n++] = argv[i];
    }
  }
  const int change_cmd = n == 3 && (!strcmp(words[0], "grant") || !strcmp(words[0], "revoke"));
  const int mp_cmd = n == 2 && !strcmp(words[0], "mp-check");
  if (!data || !(change_cmd || mp_cmd || (n == 1 && !strcmp(words[0], "list")))) {
    fprintf(stderr, "petamigos-server admin: %s\n",
            data ? "say grant EMAIL ROLE, revoke EMAIL ROLE, list or mp-check EMAIL"
                 : "--data DIR is required");
    fputs(usage, stderr);
    return 2;
  }
  if (pa_clock_init() != 0) {
    fprintf(stderr, "petamigos-server admin: PA_TEST_CLOCK_OFFSET must be whole seconds\n");
    return 2;
  }
  pa_datadir dd;
  pa_store *db = NULL;
  if (pa_datadir_prepare(data, &dd, err, sizeof err) != 0 ||
      pa_store_open(dd.db_path, 1, &db, err, sizeof err) != PA_STORE_OK) {
    fprintf(stderr, "petamigos-server admin: %s\n", err);
    return 1;
  }
  /* The same schema the server would run on: this may be the first start. */
  int status = 1;
  if (pa_store_migrate(db) != PA_STORE_OK)
    fprintf(stderr, "petamigos-server admin: %s database: %s\n", pa_store_kind(db),
            pa_store_errmsg(db));
  else if (change_cmd)
    status = change_cli(db, words[0][0] == 'g', words[1], words[2]);
  else if (mp_cmd)
    status = mp_check(db, words[1]);
  else if (list(db) == PA_STORE_OK)
    status = 0;
  else
    fprintf(stderr, "petamigos-server admin: %s database: %s\n", pa_store_kind(db),
            pa_store_errmsg(db));
  pa_store_close(db);
  return status;
}
