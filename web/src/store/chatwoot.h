/* pa_store_chatwoot — the Chatwoot mirror's state (issue 23; web/README.md
 * "Chatwoot"): each person's contact there, each conversation's and
 * message's Chatwoot id, and the outbox of messages still to mirror, which
 * the mirror's worker (chatwoot/chatwoot.h) drains with retries.
 *
 * Strings a callback receives are valid only during the call. */
#ifndef PA_STORE_CHATWOOT_H
#define PA_STORE_CHATWOOT_H

#include "store/store.h"

enum {
  PA_STORE_CHATWOOT_SOURCE_MAX = 255 /* bytes of a contact inbox's source_id (CHECK) */
};

/* Queues every message of conv the mirror carries (the person's and the
 * assistant's) that has no Chatwoot id and is not queued yet, due at now.
 * Call it in the transaction that wrote them. */
int pa_store_chatwoot_enqueue(pa_store *db, int64_t conv, int64_t now);

/* A queued message with what mirroring it needs. */
typedef struct pa_store_chatwoot_item {
  int64_t id, message_id, conversation_id, attempts;
  const char *author, *body;    /* "person" or "assistant" */
  int64_t user_id;              /* the conversation's person */
  const char *person_name;      /* their display name */
  const char *subject, *locale; /* the conversation's */
  int64_t remote_conversation;  /* 0 until it exists in Chatwoot */
  int64_t remote_contact;       /* 0 until the person's contact exists */
  const char *source_id;        /* NULL until then */
} pa_store_chatwoot_item;

typedef int (*pa_store_chatwoot_item_fn)(void *ctx, const pa_store_chatwoot_item *it);

/* The queued messages due at now, oldest first, at most limit; none of a
 * conversation while an earlier one of it waits for a retry (a
 * conversation's messages go in order, and the first one makes it). */
int pa_store_chatwoot_due(pa_store *db, int64_t now, int limit, pa_store_chatwoot_item_fn fn,
                          void *ctx);
/* The person's Chatwoot contact and its contact inbox's source_id. */
int pa_store_chatwoot_contact_set(pa_store *db, int64_t user, int64_t contact,
                                  const char *source_id);
/* The conversation's Chatwoot id. */
int pa_store_chatwoot_conversation_set(pa_store *db, int64_t conv, int64_t remote);
/* The queued message was mirrored as remote: its id kept, the item removed,
 * in one transaction. */
int pa_store_chatwoot_sent(pa_store *db, int64_t item, int64_t message, int64_t remote);
/* To try again at next_at after attempts failures. */
int pa_store_chatwoot_retry(pa_store *db, int64_t item, int64_t attempts, int64_t next_at);
/* Given up on (logged by the caller). */
int pa_store_chatwoot_drop(pa_store *db, int64_t item);

/* The conversation mirrored as remote: *conv and *user get it and its
 * person; PA_STORE_ENOTFOUND when none is. */
int pa_store_chatwoot_find(pa_store *db, int64_t remote, int64_t *conv, int64_t *user);

/* An agent's reply written in Chatwoot as message remote: added to conv as
 * an agent's message at now, once. *id gets our message's id and *created
 * 1, or *created 0 when remote was applied already (a replayed webhook). */
int pa_store_chatwoot_reply(pa_store *db, int64_t conv, int64_t remote, const char *body,
                            int64_t now, int64_t *id, int *created);

/* Records that Chatwoot's status of conv as of at is to be applied: *apply 1
 * when at is newer than every status applied before, else 0 (an older
 * webhook arriving late changes nothing). */
int pa_store_chatwoot_status_at(pa_store *db, int64_t conv, int64_t at, int *apply);

#endif
