/* pa_store_security — security events (issue 19; web/README.md, "Security
 * events"): failed sign-ins, limiter hits, refused uploads and new sessions,
 * each with the client's address and its country, read back as counts for
 * the admin console's Security view.
 *
 * One INSERT per event and never a secret: no password, token, e-mail or
 * request body reaches the table, only a kind, a short word saying which
 * limit or why (detail), the account when known, the address and country.
 * Rows older than the retention (PA_SECEV_RETENTION_DAYS, secev.h) are
 * pruned by the server's housekeeping thread. */
#ifndef PA_STORE_SECURITY_H
#define PA_STORE_SECURITY_H

#include "store/store.h"

enum {
  PA_STORE_SECURITY_DETAIL_MAX = 40, /* bytes of detail, with its NUL (the schema's CHECK) */
  PA_STORE_SECURITY_ADDR_MAX = 46    /* bytes of an address's text, with its NUL */
};

/* One event. kind is "login_failed", "limited", "upload_refused" or
 * "signin"; detail a word ("" for none); user 0 when no account is known;
 * country "" when unknown; n >= 1 the events this row stands for (limiter
 * hits are sampled, secev.c). */
typedef struct pa_store_security_event {
  int64_t at;
  const char *kind, *detail;
  int64_t user;
  const char *addr, *country;
  int64_t n;
} pa_store_security_event;

int pa_store_security_add(pa_store *db, const pa_store_security_event *e);

/* Deletes the events before `before`; *removed (optional) how many. */
int pa_store_security_prune(pa_store *db, int64_t before, int *removed);

/* A count of events of kind in one group: by hour (key_at: the hour's
 * start, key "" ) or by country (key: the country, "" unknown). */
typedef int (*pa_store_security_count_fn)(void *ctx, const char *kind, int64_t key_at,
                                          const char *key, int64_t n);

/* Counts since `since` by kind and hour (oldest first), then by kind and
 * country (largest first); sign-ins from a device the account never used
 * before are counted again under the kind "new_device". */
int pa_store_security_by_hour(pa_store *db, int64_t since, pa_store_security_count_fn fn,
                              void *ctx);
int pa_store_security_by_country(pa_store *db, int64_t since, pa_store_security_count_fn fn,
                                 void *ctx);

/* An address's events since `since`, by kind. */
typedef struct pa_store_security_addr {
  const char *addr, *country;
  int64_t login_failed, limited, upload_refused, signin;
  int64_t new_device; /* those sign-ins from a device new to the account (secev.h) */
  int64_t accounts;   /* distinct accounts its failed sign-ins named */
} pa_store_security_addr;

typedef int (*pa_store_security_addr_fn)(void *ctx, const pa_store_security_addr *a);

/* The `limit` addresses with the most events (failed sign-ins and limiter
 * hits first) since `since`. */
int pa_store_security_top_addrs(pa_store *db, int64_t since, int limit,
                                pa_store_security_addr_fn fn, void *ctx);

/* Addresses whose failed sign-ins since `since` named at least min_accounts
 * distinct accounts (password spraying), most accounts first, up to limit. */
int pa_store_security_spraying(pa_store *db, int64_t since, int min_accounts, int limit,
                               pa_store_security_addr_fn fn, void *ctx);

/* An account that failed to sign in from many addresses. */
typedef struct pa_store_security_target {
  pa_store_person person;
  const char *handle;
  int64_t addresses, failures;
} pa_store_security_target;

typedef int (*pa_store_security_target_fn)(void *ctx, const pa_store_security_target *t);

/* Accounts whose failed sign-ins since `since` came from at least
 * min_addrs distinct addresses (a distributed guess), most first, up to
 * limit. */
int pa_store_security_targeted(pa_store *db, int64_t since, int min_addrs, int limit,
                               pa_store_security_target_fn fn, void *ctx);

#endif
