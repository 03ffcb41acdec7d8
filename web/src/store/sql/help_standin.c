/* STAND-IN (hask) for h/hsearch's search (store/help.h): no articles yet, so
 * nothing is found. Deleted when h/hsearch is merged. */
#include "store/help.h"

int pa_store_help_search(pa_store *db, const char *locale, const char *question, int limit,
                         pa_store_help_hit *out, int *n) {
  (void)db, (void)locale, (void)question, (void)limit, (void)out;
  *n = 0;
  return PA_STORE_OK;
}
