/* pa_mod — the moderation queue as a registry of item kinds (issue 19).
 *
 * Each kind of item people can report (a post, a comment, a person, a chat
 * message; later listings, ad creatives and disputes) is one row of the
 * table in api/mod_kinds.c, as a route is a row of router.c: its name (the
 * {kind} of /api/v1/reports and /api/v1/mod/items/{kind}/{id}), its ids'
 * prefix, which actions apply to it, and three functions: who answers for an
 * item (the subject a report names), how a moderator sees it in context, and
 * how an item action (hide, remove, restore) is applied. The actions on
 * people (warn, suspend, ban, and restore for a person) act on the subject
 * and are the same for every kind (api/moderation.c). A new kind is a row
 * there and its three functions; nothing else in the routes changes. */
#ifndef PA_API_MODERATION_H
#define PA_API_MODERATION_H

#include "store/store.h"

#include <cjson/cJSON.h>
#include <stdint.h>

/* The actions, one bit each: a kind's `actions` is the set that applies. */
enum {
  PA_MOD_HIDE = 1,   /* hidden from everyone but its author, who sees it marked */
  PA_MOD_REMOVE = 2, /* gone for everyone; a post's media is freed */
  PA_MOD_RESTORE =
      4,           /* undoes hide (and a comment's remove); for people, lifts a suspension or ban */
  PA_MOD_WARN = 8, /* a notice to the subject, nothing else */
  PA_MOD_SUSPEND = 16, /* the subject cannot sign in for N days; their sessions end */
  PA_MOD_BAN = 32,     /* the subject cannot sign in again; their sessions end */
  PA_MOD_ACTIONS = 6,  /* how many there are (bits 0..5) */
  PA_MOD_PERSON_ACTIONS = PA_MOD_WARN | PA_MOD_SUSPEND | PA_MOD_BAN
};

/* The outcome of a kind's function: PA_STORE_OK, PA_STORE_ENOTFOUND (no
 * such item, or not one the reporter can see), PA_STORE_ECONFLICT (the
 * action cannot apply in the item's state), or another store code. */
typedef struct pa_mod_kind {
  const char *name;   /* "post" */
  const char *prefix; /* "p": its ids are "p_12" */
  int actions;        /* PA_MOD_* that apply */
  /* The person who answers for item id as reporter sees it. claimed is the
   * sender a report names (chat messages, which only the reporter's device
   * can read; 0 for other kinds). */
  int (*subject)(pa_store *db, int64_t id, int64_t reporter, int64_t claimed, int64_t *subject);
  /* The person who answers for item id as a moderator sees it, whatever its
   * state (for a chat message: the sender its reports name). */
  int (*owner)(pa_store *db, int64_t id, int64_t *subject);
  /* Adds the item in context to o (the moderator's view, whatever its
   * state) and its state's name into *state (a static string). */
  int (*context)(pa_store *db, int64_t id, cJSON *o, const char **state);
  /* Applies PA_MOD_HIDE, PA_MOD_REMOVE or PA_MOD_RESTORE to the item itself
   * (NULL when the kind has no such actions). */
  int (*apply)(pa_store *db, int64_t id, int action);
} pa_mod_kind;

/* The kind named name; NULL when none. */
const pa_mod_kind *pa_mod_kind_find(const char *name);
/* The i-th kind (0..), NULL past the last. */
const pa_mod_kind *pa_mod_kind_at(int i);

/* "banned", "suspended" (until a time after now) or "active". */
const char *pa_mod_person_state_name(int64_t suspended_until, int64_t banned_at, int64_t now);

/* "hide", "remove", … for one action bit; NULL otherwise. */
const char *pa_mod_action_name(int action);
/* The action bit named name; 0 when none. */
int pa_mod_action_parse(const char *name);

#endif
