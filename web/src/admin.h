/* pa_admin — granting and taking roles, each with its audit row in the same
 * transaction, for the API's admin routes (api/admin.c) and the server's
 * command line (`petamigos-server admin ...`), so both write the same rows. */
#ifndef PA_ADMIN_H
#define PA_ADMIN_H

#include "store/store.h"

#include <stdint.h>

/* Gives user the role (one PA_STORE_ROLE_* bit) as actor (0: the command
 * line) at now, and appends "role.grant" to the audit log when it changed
 * anything (*changed 1), all in one transaction. A store code. */
int pa_admin_grant(pa_store *db, int64_t actor, int64_t user, int role, int64_t now, int *changed);

/* Takes the role, auditing "role.revoke" the same way. With keep_one_admin,
 * taking admin from the only holder is PA_STORE_ECONFLICT (nothing changes). */
int pa_admin_revoke(pa_store *db, int64_t actor, int64_t user, int role, int keep_one_admin,
                    int64_t now, int *changed);

/* `petamigos-server admin ...`: argv[0] is "admin". Prints to stdout and
 * stderr; returns the process's exit status (0 done, 1 refused or failed,
 * 2 bad arguments). */
int pa_admin_cli(int argc, char **argv);

#endif
