/* What the SQLite driver's two files share. */
#ifndef PA_SQLITE_H
#define PA_SQLITE_H

#include "store/store.h"

/* Creates or upgrades the schema to PA_STORE_SCHEMA_VERSION (schema.c). */
int pa_sqlite_migrate(pa_store *db);

#endif
