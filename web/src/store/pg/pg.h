/* What the PostgreSQL driver's files share. */
#ifndef PA_PG_H
#define PA_PG_H

#include "store/store.h"

/* The complete schema at version PA_PG_SCHEMA_BASE (schema.c), the version
 * PostgreSQL support began at: a new PostgreSQL database starts there; each
 * later version adds its entry to pa_pg_migrations (taking version
 * PA_PG_SCHEMA_BASE + i to + i + 1) and to SQLite's list together, up to
 * PA_STORE_SCHEMA_VERSION. */
enum { PA_PG_SCHEMA_BASE = 8 };
extern const char pa_pg_schema[];
extern const char *const pa_pg_migrations[];

/* Creates or upgrades the schema (migrate.c). */
int pa_pg_migrate(pa_store *db);

#endif
