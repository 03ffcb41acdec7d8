/* pa_store_admin — roles and the audit log (issue 19): who may use the admin
 * console, and the append-only record of every privileged act.
 *
 * A person holds any set of the four roles; the set travels as a bit mask
 * (PA_STORE_ROLE_*), which the session lookup loads too (store/sessions.h),
 * so the route table can check a route's roles without another query.
 * Audit rows name people through their ledger party (store/pay.h), whose
 * tombstone outlives the account: the schema's comment says why a bare
 * user id would not do. */
#ifndef PA_STORE_ADMIN_H
#define PA_STORE_ADMIN_H

#include "store/store.h"

enum {
  PA_STORE_ROLE_ADMIN = 1,
  PA_STORE_ROLE_MODERATOR = 2,
  PA_STORE_ROLE_SUPPORT = 4,
  PA_STORE_ROLE_FINANCE = 8,
  PA_STORE_ROLE_ALL = 15,
  PA_STORE_ROLE_COUNT = 4,
  PA_STORE_ROLE_NAME_MAX = 16,      /* bytes of a role's name, with its NUL */
  PA_STORE_AUDIT_DETAIL_MAX = 2000, /* bytes of an audit row's detail (the schema's CHECK) */
  PA_STORE_TOMBSTONE_MAX = 48       /* bytes of a party's tombstone, with its NUL */
};

/* "admin", "moderator", "support", "finance" for one role bit; NULL for
 * anything else. The i-th role (0..PA_STORE_ROLE_COUNT-1) is bit 1 << i. */
const char *pa_store_admin_role_name(int role);
/* The role bit named name, or 0 when name is none of the four. */
int pa_store_admin_role_parse(const char *name);

/* The roles user holds now, as a mask (0 for none or no such person). */
int pa_store_admin_roles_of(pa_store *db, int64_t user, int *roles);

/* Gives user the role (one bit), granted by `by` (0: the command line) at
 * `at`. *changed (optional) is 1 when the person did not hold it before.
 * Call it inside the transaction that audits it. */
int pa_store_admin_grant(pa_store *db, int64_t user, int role, int64_t by, int64_t at,
                         int *changed);

/* Takes the role (one bit) from user; *changed (optional) as above. With
 * keep_one_admin, taking `admin` from the only person who holds it is
 * PA_STORE_ECONFLICT and changes nothing; the admin rows are locked first
 * (FOR UPDATE on PostgreSQL, the write lock on SQLite), so two admins
 * revoking each other at once cannot leave none. */
int pa_store_admin_revoke(pa_store *db, int64_t user, int role, int keep_one_admin, int *changed);

/* A person who holds at least one role. */
typedef struct pa_store_role_holder {
  pa_store_person person;
  const char *handle;
  int roles; /* mask */
  int64_t created_at;
} pa_store_role_holder;

typedef int (*pa_store_role_holder_fn)(void *ctx, const pa_store_role_holder *h);

/* The holders of any role in mask (PA_STORE_ROLE_ALL for every holder),
 * newest accounts first, in pages (store.h). */
int pa_store_admin_holders(pa_store *db, int mask, const pa_store_cursor *after, int limit,
                           pa_store_role_holder_fn fn, void *ctx, pa_store_cursor *next, int *more);

/* The person whose email (ASCII case ignored) or handle is `who`, with
 * their roles; PA_STORE_ENOTFOUND when none. */
int pa_store_admin_find(pa_store *db, const char *who, pa_store_role_holder_fn fn, void *ctx);

/* Person user with their roles; PA_STORE_ENOTFOUND when there is none. */
int pa_store_admin_person(pa_store *db, int64_t user, pa_store_role_holder_fn fn, void *ctx);

/* One privileged act. actor is the user who did it (0: the command line);
 * for target_kind "person" target_id is a user id, stored as that person's
 * party. detail is a JSON object (the server's own words, never a secret),
 * at most PA_STORE_AUDIT_DETAIL_MAX bytes. */
typedef struct pa_store_audit_new {
  int64_t at, actor;
  const char *action, *target_kind;
  int64_t target_id;
  const char *detail;
} pa_store_audit_new;

/* Appends a to the audit log, making the parties it names when they are
 * missing; call it in the transaction of the act it records. */
int pa_store_admin_audit(pa_store *db, const pa_store_audit_new *a);

/* An audit row as read back. actor.id 0 when the actor's account is gone
 * (or for the command line: actor_tombstone "" then); the same for target
 * when target_kind is "person". */
typedef struct pa_store_audit_row {
  int64_t id, at;
  pa_store_person actor;
  const char *actor_handle, *actor_tombstone;
  const char *action, *target_kind;
  int64_t target_id; /* for "person": the user id, 0 when the account is gone */
  pa_store_person target;
  const char *target_handle, *target_tombstone;
  const char *detail;
} pa_store_audit_row;

typedef int (*pa_store_audit_fn)(void *ctx, const pa_store_audit_row *r);

/* The audit log, newest first, in pages (store.h). */
int pa_store_admin_audit_list(pa_store *db, const pa_store_cursor *after, int limit,
                              pa_store_audit_fn fn, void *ctx, pa_store_cursor *next, int *more);

#endif
