/* pa_store_rank — what ranking reads and writes: the candidates a phone
 * ranks (api/rank.c), and the interactions the server learns post vectors
 * from and the vectors themselves (embed.c). */
#ifndef PA_STORE_RANK_H
#define PA_STORE_RANK_H

#include "store/store.h"

enum { PA_STORE_VEC_DIM = 64 }; /* floats in a post's vector */

typedef struct pa_store_candidate {
  int64_t post_id, author_id, pet_id;
  const char *species, *caption; /* of the post's first pet; the post's */
  int64_t created_at, like_count, comment_count;
  int following;                      /* the viewer follows the author or one of the post's pets */
  const float *vec;                   /* PA_STORE_VEC_DIM floats; NULL when none is stored yet */
  int64_t advertiser_id, campaign_id; /* 0 when the post is not sponsored */
} pa_store_candidate;

typedef int (*pa_store_candidate_fn)(void *ctx, const pa_store_candidate *c);

/* Calls fn for the newest `limit` posts, newest first, as `viewer` sees them;
 * ads' posts (campaign_id set) are not among them: they come only as served. */
int pa_store_rank_candidates(pa_store *db, int64_t viewer, int limit, pa_store_candidate_fn fn,
                             void *ctx);
/* Calls fn for post when `viewer` may see it (an ad's post too); no call otherwise. */
int pa_store_rank_candidate(pa_store *db, int64_t viewer, int64_t post, pa_store_candidate_fn fn,
                            void *ctx);

typedef int (*pa_store_id_fn)(void *ctx, int64_t id);
/* Calls fn with every person's (every post's) id, ascending. */
int pa_store_rank_users(pa_store *db, pa_store_id_fn fn, void *ctx);
int pa_store_rank_posts(pa_store *db, pa_store_id_fn fn, void *ctx);

/* What ties a person to a post, for learning. */
typedef enum pa_store_rank_signal {
  PA_STORE_RANK_LIKE,          /* they liked it */
  PA_STORE_RANK_FOLLOW_AUTHOR, /* they follow its author */
  PA_STORE_RANK_FOLLOW_PET     /* they follow a pet it shows (once per pet) */
} pa_store_rank_signal;

typedef int (*pa_store_pair_fn)(void *ctx, int64_t user, int64_t post);
/* Calls fn with every (person, post) pair the signal ties, in no order. */
int pa_store_rank_pairs(pa_store *db, pa_store_rank_signal signal, pa_store_pair_fn fn, void *ctx);

typedef struct pa_store_rank_post {
  int64_t id;
  const char *species, *caption; /* of its first pet; its own */
} pa_store_rank_post;

typedef int (*pa_store_rank_post_fn)(void *ctx, const pa_store_rank_post *p);
/* Calls fn for every post, by id ascending: what a cold-start vector needs. */
int pa_store_rank_post_texts(pa_store *db, pa_store_rank_post_fn fn, void *ctx);

/* Replacing the vectors: the caller runs clear, one put per post, then done
 * inside pa_store_begin / pa_store_end, so readers see all old or all new
 * vectors (put may be called from pa_store_rank_post_texts's callback). */
int pa_store_rank_vectors_clear(pa_store *db);
int pa_store_rank_vector_put(pa_store *db, int64_t post, const float vec[PA_STORE_VEC_DIM]);
/* Notes the current number of likes as the one the vectors were learned from. */
int pa_store_rank_vectors_done(pa_store *db);

typedef struct pa_store_rank_state {
  int64_t likes;      /* likes now */
  int64_t likes_then; /* likes when the vectors were learned; -1 if never */
  int missing;        /* some post has no vector */
} pa_store_rank_state;

int pa_store_rank_state_get(pa_store *db, pa_store_rank_state *out);

#endif
