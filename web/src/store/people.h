/* pa_store_people — people and their pets. */
#ifndef PA_STORE_PEOPLE_H
#define PA_STORE_PEOPLE_H

#include "store/store.h"

typedef struct pa_store_user {
  const char *handle, *name, *bio;
  const char *avatar; /* media hash, or NULL */
  int64_t created_at;
} pa_store_user;

typedef struct pa_store_pet {
  int64_t owner_id;
  const char *name, *species, *breed, *bio;
  const char *avatar; /* media hash, or NULL */
  int64_t created_at;
} pa_store_pet;

/* Inserts; *id (optional) gets the new row's id. */
int pa_store_user_add(pa_store *db, const pa_store_user *u, int64_t *id);
int pa_store_pet_add(pa_store *db, const pa_store_pet *p, int64_t *id);

/* The owner of pet `pet` into *owner; PA_STORE_ENOTFOUND when there is no such pet. */
int pa_store_pet_owner(pa_store *db, int64_t pet, int64_t *owner);

#endif
