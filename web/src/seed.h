/* pa_seed — a small, deterministic demo world for local development.
 *
 * Six owners, ten pets and thirty posts, with procedurally drawn JPEGs in the
 * media store. The same binary always writes the same rows and image bytes;
 * only timestamps follow the clock (spread over the days before `now`). */
#ifndef PA_SEED_H
#define PA_SEED_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

enum {
  PA_SEED_OK = 0,
  PA_SEED_EDB = -1,    /* the database refused; see the message */
  PA_SEED_EMEDIA = -2, /* drawing, encoding or storing an image failed */
  PA_SEED_ENOMEM = -3
};

const char *pa_seed_errstr(int rc);

/* Fills an empty database inside one transaction; a database that already
 * has posts is left alone (*posts_added is then 0). Images go to media_dir.
 * On failure nothing is committed and err holds a message. */
int pa_seed_demo(pa_db *db, const char *media_dir, int64_t now, int *posts_added, char *err,
                 size_t errlen);

#endif
