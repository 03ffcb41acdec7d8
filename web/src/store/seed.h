/* pa_store_seed — rows written as given, for the demo and benchmark worlds
 * (web/demo/, web/tools/bench_world.c). The caller chooses every value,
 * times and secrets included, and the API's checks are not made: these are
 * for tools that build a world before a server starts, never for handlers.
 * Each function is one statement; callers group them with pa_store_begin /
 * pa_store_end. Users, pets, posts, post images and media rows go through
 * store/people.h, store/posts.h and store/media.h. */
#ifndef PA_STORE_SEED_H
#define PA_STORE_SEED_H

#include "store/store.h"

enum {
  PA_STORE_SEED_TOKEN_HASH = 32, /* bytes of a session's token hash */
  PA_STORE_SEED_IDENTITY = 32,   /* bytes of a chat device's identity key */
  PA_STORE_SEED_SPK = 108        /* bytes of its signed prekey record */
};

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

typedef struct pa_store_seed_comment {
  int64_t post_id, author_id;
  int64_t parent_id; /* the comment this replies to; 0 for none */
  const char *body;
  int64_t created_at;
} pa_store_seed_comment;

/* *id (optional) gets the new comment's id. */
int pa_store_seed_comment_add(pa_store *db, const pa_store_seed_comment *c, int64_t *id);

typedef struct pa_store_seed_story {
  int64_t owner_id, pet_id;
  const char *media; /* media hash */
  int64_t created_at, expires_at;
} pa_store_seed_story;

int pa_store_seed_story_add(pa_store *db, const pa_store_seed_story *s);

typedef struct pa_store_seed_reel {
  int64_t author_id, pet_id;
  const char *video, *video_alt, *poster; /* media hashes; video_alt may be NULL */
  const char *caption;
  int64_t created_at;
} pa_store_seed_reel;

int pa_store_seed_reel_add(pa_store *db, const pa_store_seed_reel *r);

/* The highest user id the table holds, 0 when it has none. */
int pa_store_seed_last_user(pa_store *db, int64_t *id);

typedef struct pa_store_seed_session {
  int64_t user_id;
  const unsigned char *token_hash; /* PA_STORE_SEED_TOKEN_HASH bytes: BLAKE2b-256 of the token */
  const char *csrf;
  int64_t created_at, expires_at;
} pa_store_seed_session;

int pa_store_seed_session_add(pa_store *db, const pa_store_seed_session *s);

typedef struct pa_store_seed_device {
  int64_t user_id;
  const unsigned char *identity; /* PA_STORE_SEED_IDENTITY bytes: the Ed25519 public key */
  const unsigned char *spk; /* PA_STORE_SEED_SPK bytes: id, created_at, X25519 key, signature */
  int64_t spk_id, created_at;
} pa_store_seed_device;

/* A chat device with no one-time prekeys; *id (optional) gets its id. */
int pa_store_seed_device_add(pa_store *db, const pa_store_seed_device *d, int64_t *id);

#endif
