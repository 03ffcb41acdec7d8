/* pa_store_support — support conversations (issue 23, "hand-off and inbox";
 * web/README.md "Support"): a person's conversation with the support team,
 * its messages (the agents' internal notes among them) and the agents'
 * canned replies. A person has at most one conversation that is not
 * resolved (the schema's unique index), so a second hand-off joins it.
 *
 * Strings a callback receives are valid only during the call. */
#ifndef PA_STORE_SUPPORT_H
#define PA_STORE_SUPPORT_H

#include "store/store.h"

enum {
  PA_STORE_SUPPORT_BODY_MAX = 4000,    /* characters of a message or canned reply (CHECK) */
  PA_STORE_SUPPORT_SUBJECT_MAX = 200,  /* characters of a subject, a canned title (CHECK) */
  PA_STORE_SUPPORT_COMMENT_MAX = 1000, /* characters of a rating's comment (CHECK) */
  PA_STORE_SUPPORT_SHORTCUT_MAX = 32,  /* characters of a canned reply's shortcut (CHECK) */
  PA_STORE_SUPPORT_LOCALE_MAX = 16,    /* bytes of a locale tag (CHECK: 2..16) */
  PA_STORE_SUPPORT_CANNED_MAX = 200,   /* canned replies kept; one more is refused */
  PA_STORE_SUPPORT_MINE_MAX = 50,      /* a person's conversations listed (the newest) */
  /* The queue's sort key: Plus first, then the longest waiting. A
   * conversation without Plus sorts after every one with it by this much
   * added to its last_person_at (seconds; far past any real time). */
  PA_STORE_SUPPORT_NOT_PLUS = 1000000000000
};

/* A conversation as read, with its person and assignee. */
typedef struct pa_store_support_conv {
  int64_t id, user_id, assignee_id; /* assignee_id 0: nobody */
  const char *state;                /* "open", "pending", "snoozed", "resolved" */
  int plus;                         /* the person's Plus when they opened it or last wrote */
  int64_t snoozed_until;            /* 0 unless snoozed */
  const char *locale, *subject;
  int64_t created_at, updated_at, last_person_at, resolved_at; /* resolved_at 0 unless resolved */
  int rating;                                                  /* 0: not rated */
  const char *rating_comment;                                  /* NULL: none */
  int64_t rated_at;
  const char *person_name;   /* the person's display name */
  const char *assignee_name; /* NULL when nobody is assigned */
  int64_t sort_key;          /* the queue's cursor: Plus first, then last_person_at */
} pa_store_support_conv;

typedef int (*pa_store_support_conv_fn)(void *ctx, const pa_store_support_conv *c);

typedef struct pa_store_support_msg {
  int64_t id, conversation_id;
  const char *author;      /* "person", "agent", "note", "assistant", "system" */
  int64_t author_id;       /* 0: none (the assistant, the system, or a deleted account) */
  const char *author_name; /* NULL when author_id is 0 */
  const char *body;
  int64_t created_at;
} pa_store_support_msg;

typedef int (*pa_store_support_msg_fn)(void *ctx, const pa_store_support_msg *m);

/* The person's conversation that is not resolved, or a new one (open, with
 * subject and locale) when there is none; either way the person's Plus and
 * last_person_at are set to plus and now, and a pending or snoozed one is
 * open again. *id gets it, *created 1 when it is new. Call it in a
 * transaction (the messages that come with it are written in the same). */
int pa_store_support_open(pa_store *db, int64_t user, int plus, const char *locale,
                          const char *subject, int64_t now, int64_t *id, int *created);

/* Appends a message; author_id 0 for none. *id (optional) gets its id. The
 * conversation's updated_at moves to now. */
int pa_store_support_add(pa_store *db, int64_t conv, const char *author, int64_t author_id,
                         const char *body, int64_t now, int64_t *id);

/* The person wrote at now: plus and last_person_at are set, and a
 * resolved, pending or snoozed conversation is open again.
 * PA_STORE_ECONFLICT when reopening a resolved one would give the person
 * two unresolved ones (they opened another meanwhile). */
int pa_store_support_person_wrote(pa_store *db, int64_t conv, int plus, int64_t now);

/* Conversation id to fn; PA_STORE_ENOTFOUND when there is none. */
int pa_store_support_get(pa_store *db, int64_t id, pa_store_support_conv_fn fn, void *ctx);

/* The messages of conv, oldest first; notes only when with_notes. */
int pa_store_support_messages(pa_store *db, int64_t conv, int with_notes,
                              pa_store_support_msg_fn fn, void *ctx);

/* Message id to fn (its conversation's id in it); PA_STORE_ENOTFOUND when none. */
int pa_store_support_message(pa_store *db, int64_t id, pa_store_support_msg_fn fn, void *ctx);

/* user's conversations, newest first (at most PA_STORE_SUPPORT_MINE_MAX). */
int pa_store_support_mine(pa_store *db, int64_t user, pa_store_support_conv_fn fn, void *ctx);

/* The agents' queue of conversations in state, Plus first then the longest
 * waiting (sort_key, then id), after the cursor (created_at holding the sort
 * key; NULL: from the start), in pages (store.h). assignee: 0 any, -1
 * nobody, else that agent's. */
int pa_store_support_queue(pa_store *db, const char *state, int64_t assignee,
                           const pa_store_cursor *after, int limit, pa_store_support_conv_fn fn,
                           void *ctx, pa_store_cursor *next, int *more);

/* Moves conv to state at now: "snoozed" until snooze_until, "resolved"
 * (resolved_at now), "open" or "pending". PA_STORE_ECONFLICT when opening a
 * resolved one would give its person two unresolved ones;
 * PA_STORE_ENOTFOUND when there is no such conversation. */
int pa_store_support_set_state(pa_store *db, int64_t conv, const char *state, int64_t snooze_until,
                               int64_t now);

/* Assigns conv to agent (0: nobody) at now; PA_STORE_ENOTFOUND when none. */
int pa_store_support_assign(pa_store *db, int64_t conv, int64_t agent, int64_t now);

/* The person's rating of their resolved conversation, once (comment NULL
 * for none). PA_STORE_ECONFLICT when it was rated already, PA_STORE_EINVAL
 * when it is not resolved, PA_STORE_ENOTFOUND when it is not user's. */
int pa_store_support_rate(pa_store *db, int64_t conv, int64_t user, int rating, const char *comment,
                          int64_t now);

/* Opens every snoozed conversation due by now; each one's id to fn (may be
 * NULL), after the change is written. */
int pa_store_support_wake(pa_store *db, int64_t now, int (*fn)(void *ctx, int64_t id), void *ctx);

/* A canned reply. */
typedef struct pa_store_support_canned {
  int64_t id, created_by, created_at;
  const char *shortcut, *title, *body;
} pa_store_support_canned;

typedef int (*pa_store_support_canned_fn)(void *ctx, const pa_store_support_canned *c);

/* Every canned reply, by shortcut. */
int pa_store_support_canned_list(pa_store *db, pa_store_support_canned_fn fn, void *ctx);
/* Adds one; PA_STORE_ECONFLICT when the shortcut is taken, PA_STORE_EINVAL
 * when PA_STORE_SUPPORT_CANNED_MAX are kept already. Call it in a
 * transaction (the count and the insert stand together). */
int pa_store_support_canned_add(pa_store *db, const char *shortcut, const char *title,
                                const char *body, int64_t by, int64_t now, int64_t *id);
/* Deletes one; PA_STORE_ENOTFOUND when there is none. */
int pa_store_support_canned_delete(pa_store *db, int64_t id);

/* PA_STORE_OK while session is signed in at now, PA_STORE_ENOTFOUND once it
 * has ended: a support socket's check on each frame (a chat socket's also
 * checks its device, store/chat.h). */
int pa_store_support_session_alive(pa_store *db, int64_t session, int64_t now);

#endif
