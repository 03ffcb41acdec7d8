/* pa_store_people — people: their accounts' public side (name, handle, bio,
 * avatar) and the profile page with its counts. Their pets are in
 * store/pets.h, which this header brings along; who follows whom in
 * store/follows.h. */
#ifndef PA_STORE_PEOPLE_H
#define PA_STORE_PEOPLE_H

#include "store/pets.h"
#include "store/store.h"

/* A new person, for the demo world and the benchmarks. */
typedef struct pa_store_user {
  const char *handle, *name, *bio;
  const char *avatar; /* media hash, or NULL */
  int64_t created_at;
} pa_store_user;

/* Inserts; *id (optional) gets the new row's id. */
int pa_store_people_add(pa_store *db, const pa_store_user *u, int64_t *id);

/* PA_STORE_OK when user `user` exists, else PA_STORE_ENOTFOUND. */
int pa_store_people_exists(pa_store *db, int64_t user);

/* Sets user's avatar to a media hash, or removes it when hash is NULL. */
int pa_store_people_set_avatar(pa_store *db, int64_t user, const char *hash);

/* What a person changes on their profile; a NULL member stays as it is.
 * links is a JSON array of https URLs (the caller validated it); country ""
 * removes the declared country; locale is a shipped catalog's tag. */
typedef struct pa_store_profile_edit {
  const char *name, *bio, *links, *country, *locale;
} pa_store_profile_edit;

/* Applies e to user's row. */
int pa_store_people_edit(pa_store *db, int64_t user, const pa_store_profile_edit *e);

/* The country user declared into out ("" when none); PA_STORE_ENOTFOUND when
 * there is no such user. */
int pa_store_people_country(pa_store *db, int64_t user, char out[3]);

/* A person's profile page; following: whether the viewer follows them.
 * links: the JSON array the server wrote (PATCH /me); country: the declared
 * ISO 3166-1 alpha-2 code, or NULL. */
typedef struct pa_store_profile {
  pa_store_person person;
  const char *handle, *bio, *links, *country;
  int64_t created_at, pet_count, post_count, follower_count, following_count;
  int following; /* person.plus_until: Plus (the badge) until then */
} pa_store_profile;

typedef int (*pa_store_person_fn)(void *ctx, const pa_store_person *p);
typedef int (*pa_store_profile_fn)(void *ctx, const pa_store_profile *p);

/* Calls fn with user's profile as seen by viewer (0 for nobody);
 * PA_STORE_ENOTFOUND when there is no such user. */
int pa_store_people_profile(pa_store *db, int64_t user, int64_t viewer, pa_store_profile_fn fn,
                            void *ctx);

#endif
