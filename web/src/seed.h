/* pa_seed — a small, deterministic demo world for local development.
 *
 * Six owners, ten pets and thirty posts, with procedurally drawn JPEGs in the
 * media store. The same binary always writes the same rows and image bytes;
 * only timestamps follow the clock (spread over the days before `now`). */
#ifndef PA_SEED_H
#define PA_SEED_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_SEED_OK = 0,
  PA_SEED_EDB = -1,    /* the database refused; see the message */
  PA_SEED_EMEDIA = -2, /* drawing, encoding or storing an image failed */
  PA_SEED_ENOMEM = -3
};

typedef enum pa_seed_size {
  PA_SEED_SMALL = 1, /* 6 owners + 3 demo accounts, 10 pets, 30 posts, 2 reels: for tests */
  PA_SEED_FULL = 2   /* 60 owners, 100 pets, 520 posts, 24 reels */
} pa_seed_size;

const char *pa_seed_errstr(int rc);

/* Fills an empty database inside one transaction; a database that already
 * has posts is left alone (*posts_added is then 0). Images go to media_dir.
 * On failure nothing is committed and err holds a message. */
int pa_seed_demo(pa_store *db, const char *media_dir, pa_seed_size size, int64_t now, int *posts_added,
                 char *err, size_t errlen);

#endif
