/* pa_embed — 64-d item vectors for on-device ranking ("mf-v1").
 *
 * Implicit-feedback ALS (Hu, Koren, Volinsky 2008) over the users x posts
 * matrix: a like counts 1, following a post's author or pet adds 0.25;
 * confidence 1 + 10 r, lambda 0.1, 8 sweeps from a seeded start, so the same
 * data always gives the same vectors. Posts with few likes lean on a cold-
 * start vector built from their species and #tags (a fixed pseudo-random
 * direction per word), blended by likes / 5. Every vector is L2-normalised. */
#ifndef PA_EMBED_H
#define PA_EMBED_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

enum { PA_EMBED_DIM = 64, PA_EMBED_RECOMPUTE_LIKES = 50 };

/* The cold-start vector of a post with this species and tags (normalised). */
void pa_embed_cold(const char *species, const char *const *tags, int ntags,
                   float out[PA_EMBED_DIM]);

/* Recomputes every post's vector and stores them in one transaction. */
int pa_embed_compute(pa_store *db, char *err, size_t errlen);

/* How many likes arrived since the last computation (all of them if never),
 * and whether some post has no stored vector. */
int pa_embed_staleness(pa_store *db, int64_t *new_likes, int *missing);

#endif
