/* pa_store_search — finding people, pets, breeds and tags by what someone
 * typed. q is the query folded by pa_str_fold (the store folds names the
 * same way). Matches at the start of a word (class 0) come before matches
 * inside one (class 1).
 *
 * Unlike other lists these are walked in that order, not newest first:
 * people, pets and breeds by {class, id} (a breed's id is the smallest id of
 * its pets), which is their position; `after` NULL starts before every
 * match. Tags, which have no id, page by an offset: after->created_at is the
 * number of tags already listed (after->id is not read), and
 * next->created_at the number listed once this page is. */
#ifndef PA_STORE_SEARCH_H
#define PA_STORE_SEARCH_H

#include "store/people.h"
#include "store/store.h"

/* People match by name or handle; those in a block with viewer (0 for
 * nobody), either way, are never found. */
int pa_store_search_people(pa_store *db, const char *q, int64_t viewer,
                           const pa_store_cursor *after, int limit, pa_store_person_fn fn,
                           void *ctx, pa_store_cursor *next, int *more);
/* Pets match by name or breed; pets whose owner is in a block with viewer
 * are never found. */
int pa_store_search_pets(pa_store *db, const char *q, int64_t viewer, const pa_store_cursor *after,
                         int limit, pa_store_pet_ref_fn fn, void *ctx, pa_store_cursor *next,
                         int *more);

/* A breed of a species, and how many pets are of it. */
typedef struct pa_store_breed {
  const char *breed, *species;
  int64_t pet_count;
} pa_store_breed;
typedef int (*pa_store_breed_fn)(void *ctx, const pa_store_breed *b);
/* The breeds of the pets viewer may see: none of a person in a block with
 * viewer (either way), nor of a private account viewer does not follow. */
int pa_store_search_breeds(pa_store *db, const char *q, int64_t viewer,
                           const pa_store_cursor *after, int limit, pa_store_breed_fn fn, void *ctx,
                           pa_store_cursor *next, int *more);

/* A #tag (without '#') and how many posts carry it; within a class the
 * most used first, then by tag. */
typedef struct pa_store_tag {
  const char *tag;
  int64_t post_count;
} pa_store_tag;
typedef int (*pa_store_tag_fn)(void *ctx, const pa_store_tag *t);
/* Tags by the posts viewer may see (store/sql/search.c). */
int pa_store_search_tags(pa_store *db, const char *q, int64_t viewer, const pa_store_cursor *after,
                         int limit, pa_store_tag_fn fn, void *ctx, pa_store_cursor *next,
                         int *more);

#endif
