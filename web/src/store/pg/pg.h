/* What the PostgreSQL driver's files share. */
#ifndef PA_PG_H
#define PA_PG_H

#include "store/store.h"

/* The complete schema at version PA_STORE_SCHEMA_VERSION (schema.c): a new
 * PostgreSQL database starts there, since there is no older PostgreSQL
 * database to upgrade; later versions add entries to pa_pg_migrations
 * (taking version PA_STORE_SCHEMA_VERSION + i to + i + 1; the list ends at
 * NULL) and to SQLite's list together. */
extern const char pa_pg_schema[];
extern const char *const pa_pg_migrations[];

/* Creates or upgrades the schema (migrate.c). */
int pa_pg_migrate(pa_store *db);

#endif
