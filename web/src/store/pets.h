/* pa_store_pets — pets: who owns them, their profile pages, and the changes
 * their owners make. Each function is one statement; handlers that also
 * attach an avatar upload wrap both in pa_store_begin/pa_store_end. */
#ifndef PA_STORE_PETS_H
#define PA_STORE_PETS_H

#include "store/store.h"

/* A new pet, for the demo world. */
typedef struct pa_store_pet {
  int64_t owner_id;
  const char *name, *species, *breed, *bio;
  const char *avatar; /* media hash, or NULL */
  int64_t created_at;
} pa_store_pet;

/* Inserts; *id (optional) gets the new row's id. */
int pa_store_pets_add(pa_store *db, const pa_store_pet *p, int64_t *id);

/* The fields an owner sets. Creating: NULL breed and bio are "", NULL
 * birth_date and avatar are none, set_* are not read. Changing: NULL keeps
 * name, species, breed and bio; birth_date and avatar change only when
 * set_birth_date / set_avatar are 1, to none when NULL. */
typedef struct pa_store_pet_edit {
  const char *name, *species, *breed, *bio;
  const char *birth_date; /* YYYY-MM-DD */
  const char *avatar;     /* media hash */
  int set_birth_date, set_avatar;
} pa_store_pet_edit;

/* Inserts owner's pet, created at `now`; *id gets its id. */
int pa_store_pets_create(pa_store *db, int64_t owner, const pa_store_pet_edit *e, int64_t now,
                         int64_t *id);
int pa_store_pets_update(pa_store *db, int64_t pet, const pa_store_pet_edit *e);
/* Deletes the pet; the posts whose main pet it is, its stories and reels go
 * with it. */
int pa_store_pets_delete(pa_store *db, int64_t pet);

/* The owner of pet `pet` into *owner; PA_STORE_ENOTFOUND when there is no such pet. */
int pa_store_pets_owner(pa_store *db, int64_t pet, int64_t *owner);

/* A pet's profile page; birth_date is NULL when unknown, following says
 * whether the viewer follows the pet. */
typedef struct pa_store_pet_profile {
  pa_store_pet_ref pet;
  const char *breed, *birth_date, *bio;
  int64_t created_at;
  pa_store_person owner;
  int64_t post_count, follower_count;
  int following;
} pa_store_pet_profile;

typedef int (*pa_store_pet_ref_fn)(void *ctx, const pa_store_pet_ref *p);
typedef int (*pa_store_pet_profile_fn)(void *ctx, const pa_store_pet_profile *p);

/* Calls fn with pet's profile as seen by viewer (0 for nobody);
 * PA_STORE_ENOTFOUND when there is no such pet. */
int pa_store_pets_profile_get(pa_store *db, int64_t pet, int64_t viewer, pa_store_pet_profile_fn fn,
                              void *ctx);
/* Calls fn for every pet of owner, oldest first: their profiles as seen by
 * viewer, or the short records. */
int pa_store_pets_profiles_of(pa_store *db, int64_t owner, int64_t viewer,
                              pa_store_pet_profile_fn fn, void *ctx);
int pa_store_pets_of(pa_store *db, int64_t owner, pa_store_pet_ref_fn fn, void *ctx);

#endif
