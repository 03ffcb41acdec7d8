/* pa_store_export — "download my data": everything the store holds about one
 * person, section by section, as rows of typed columns the API writes as
 * JSON (api/export.c). What is in here is decided here, next to the SQL, and
 * what never is: no password hash, no session token or CSRF token, no TOTP
 * secret or recovery hash, no chat keys or message bodies (end-to-end
 * encrypted: the server cannot read them), nothing of another person's but
 * their public id where the person's own row points at them (whom they
 * follow, who liked what they posted is not exported). */
#ifndef PA_STORE_EXPORT_H
#define PA_STORE_EXPORT_H

#include "store/store.h"

/* A column's kind: how the API writes it. */
typedef enum pa_store_export_kind {
  PA_EXPORT_INT,  /* a number */
  PA_EXPORT_TEXT, /* a string */
  PA_EXPORT_TIME, /* unix seconds, written as RFC 3339 */
  PA_EXPORT_BOOL, /* 0/1 */
  PA_EXPORT_ID    /* a row id, written with the column's prefix ("p" → "p_12") */
} pa_store_export_kind;

typedef struct pa_store_export_col {
  const char *name;
  pa_store_export_kind kind;
  const char *prefix; /* PA_EXPORT_ID's */
} pa_store_export_col;

typedef struct pa_store_export_value {
  int null;
  int64_t i;
  const char *s; /* PA_EXPORT_TEXT's, valid during the callback */
} pa_store_export_value;

typedef struct pa_store_export_section {
  const char *name;
  int single; /* one object (the profile), not a list */
  int ncols;
  const pa_store_export_col *cols;
} pa_store_export_section;

/* The sections, in the order the export writes them (static storage). */
const pa_store_export_section *pa_store_export_sections(int *n);

/* Calls row with each row of section i (0..n-1) for user, values in the
 * section's column order; a nonzero return stops (PA_STORE_EABORT). */
int pa_store_export_rows(pa_store *db, int i, int64_t user,
                         int (*row)(void *ctx, const pa_store_export_value *v), void *ctx);

/* The person's uploaded media files, oldest first: the hex hash and
 * extension of each (the name in the media store is HASH.EXT). */
int pa_store_export_media(pa_store *db, int64_t user,
                          int (*file)(void *ctx, const char *hash, const char *ext,
                                      int64_t created_at),
                          void *ctx);

#endif
