/* pa_store_seed — rows written as given, for the demo and benchmark worlds
 * (web/demo/, web/tools/bench_world.c). The caller chooses every value,
 * times and secrets included, and the API's checks are not made: these are
 * for tools that build a world before a server starts, never for handlers.
 * Each function is one statement; callers group them with pa_store_begin /
 * pa_store_end. What the API also writes (users, pets, posts and their
 * images, media, comments, stories, reels, sessions, chat devices) goes
 * through the resource's own functions (store/<resource>.h). */
#ifndef PA_STORE_SEED_H
#define PA_STORE_SEED_H

#include "store/store.h"

/* An advertiser and one of its campaigns (posts name campaigns); *id gets the new row's id. */
int pa_store_seed_advertiser(pa_store *db, const char *name, int64_t *id);
int pa_store_seed_campaign(pa_store *db, int64_t advertiser_id, const char *name, int64_t *id);

/* Lets user_id sign in with email and pw_hash (as pa_auth_hash_password writes it). */
int pa_store_seed_login(pa_store *db, int64_t user_id, const char *email, const char *pw_hash);

/* A like, a follow of a person, a follow of a pet: one that exists already
 * is left as it is, and *added (optional) is then 0, else 1. */
int pa_store_seed_like(pa_store *db, int64_t post_id, int64_t user_id, int64_t created_at,
                       int *added);
int pa_store_seed_follow(pa_store *db, int64_t follower_id, int64_t followee_id, int64_t created_at,
                         int *added);
int pa_store_seed_pet_follow(pa_store *db, int64_t follower_id, int64_t pet_id, int64_t created_at,
                             int *added);

/* The highest user id the table holds, 0 when it has none. */
int pa_store_seed_last_user(pa_store *db, int64_t *id);

/* Readies the seed's campaigns for serving as serving's rules need
 * (api/ads_serve.c): active, with a bid and budgets, every post that names a
 * campaign its approved creative, each advertiser credited by a paid top-up.
 * Run once the posts are in. */
int pa_store_seed_ads(pa_store *db, int64_t now);

#endif
