/* pa_demo — a deterministic demo world for local development and tests,
 * written by petamigos-demo (web/demo/, not part of the server).
 *
 * Owners, pets and posts with procedurally drawn JPEGs in the media store,
 * written through the store (store/seed.h and the people, posts and media
 * functions). The same binary always writes the same rows and image bytes;
 * only timestamps follow the clock (spread over the days before `now`). */
#ifndef PA_DEMO_SEED_H
#define PA_DEMO_SEED_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_DEMO_OK = 0,
  PA_DEMO_EDB = -1,    /* the database refused; see the message */
  PA_DEMO_EMEDIA = -2, /* drawing, encoding or storing an image failed */
  PA_DEMO_ENOMEM = -3
};

typedef enum pa_demo_size {
  PA_DEMO_SMALL = 1, /* 6 owners + 3 demo accounts, 10 pets, 30 posts, 2 reels: for tests */
  PA_DEMO_FULL = 2   /* 60 owners, 100 pets, 520 posts, 24 reels */
} pa_demo_size;

const char *pa_demo_errstr(int rc);

/* Fills an empty database inside one transaction; a database that already
 * has posts is left alone (*posts_added is then 0). Images go to media_dir.
 * On failure nothing is committed and err holds a message. */
int pa_demo_seed(pa_store *db, const char *media_dir, pa_demo_size size, int64_t now,
                 int *posts_added, char *err, size_t errlen);

#endif
