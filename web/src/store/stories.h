/* pa_store_stories — stories: one image of a pet, shown for 24 hours, and
 * who has seen which. Reads take `now` and leave out what has expired; the
 * rows themselves go later (pa_store_stories_expire, from the chores). */
#ifndef PA_STORE_STORIES_H
#define PA_STORE_STORIES_H

#include "store/media.h"
#include "store/store.h"

typedef struct pa_store_story {
  int64_t id, created_at, expires_at;
  pa_store_media_ref media;
  int seen; /* by the viewer the read was for */
  pa_store_pet_ref pet;
  pa_store_person owner;
  int hidden; /* a moderator hid it: only its owner reads it, marked */
} pa_store_story;

typedef int (*pa_store_story_fn)(void *ctx, const pa_store_story *s);

/* Calls fn for up to limit stories not expired at now, grouped by pet (pet
 * id ascending) and oldest first within a pet; seen for viewer. Only the
 * stories viewer may see (0: nobody signed in): none of a person in a block
 * with viewer either way, or muted by viewer, or whose account is private
 * and not followed by viewer, nor one a moderator hid, but to its owner. */
int pa_store_stories_tray(pa_store *db, int64_t viewer, int64_t now, int limit,
                          pa_store_story_fn fn, void *ctx);
/* Calls fn once for story id, seen for viewer; PA_STORE_ENOTFOUND when there
 * is no such story or viewer may not see it (blocks, private accounts: as in
 * pa_store_stories_tray, mutes aside). */
int pa_store_stories_get(pa_store *db, int64_t id, int64_t viewer, pa_store_story_fn fn, void *ctx);

/* Inserts owner's story of pet showing the stored file media_hash: *id. The
 * caller checks the upload and the pet in the same transaction. */
int pa_store_stories_add(pa_store *db, int64_t owner, int64_t pet, const char *media_hash,
                         int64_t created_at, int64_t expires_at, int64_t *id);

/* PA_STORE_OK when story id exists, has not expired at now and viewer may
 * see it (as pa_store_stories_get), else PA_STORE_ENOTFOUND. */
int pa_store_stories_live(pa_store *db, int64_t id, int64_t viewer, int64_t now);
/* Records that viewer has seen story id (again is no change). */
int pa_store_stories_see(pa_store *db, int64_t id, int64_t viewer);

/* The owner of story id; PA_STORE_ENOTFOUND when there is no such story. */
int pa_store_stories_owner(pa_store *db, int64_t id, int64_t *owner);
/* Hides story id from everyone but its owner (hidden 1) or shows it again
 * (0): moderation. PA_STORE_ENOTFOUND when there is no such story. */
int pa_store_stories_set_hidden(pa_store *db, int64_t id, int hidden);
/* Deletes story id (its seen marks with it); its file is then queued for
 * collection. */
int pa_store_stories_delete(pa_store *db, int64_t id);
/* Deletes the stories that expired at or before `before`. */
int pa_store_stories_expire(pa_store *db, int64_t before);

#endif
