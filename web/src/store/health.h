/* pa_store_health — the pet-health dashboard's records, reminders and vet
 * share links (issue 19; the rules of each kind are health.h's, the schema
 * is version 12). Every function takes the pet it works on, so a record of
 * one pet is never reached through another's path; handlers check that the
 * pet is the viewer's first. */
#ifndef PA_STORE_HEALTH_H
#define PA_STORE_HEALTH_H

#include "health_rules.h"
#include "store/store.h"

/* How many records of kind pet has. */
int pa_store_health_count(pa_store *db, int64_t pet, int kind, int64_t *n);

/* Inserts e for pet at now; due_at is when it owes a reminder (-1: never);
 * *id gets the new row's id. */
int pa_store_health_add(pa_store *db, int64_t pet, const pa_health_entry *e, int64_t due_at,
                        int64_t now, int64_t *id);
/* Replaces record id of pet (and of e->kind) with e; PA_STORE_ENOTFOUND when
 * there is none. The reminder restarts at due_at. */
int pa_store_health_update(pa_store *db, int64_t pet, int64_t id, const pa_health_entry *e,
                           int64_t due_at, int64_t now);
/* Deletes record id of pet and kind; PA_STORE_ENOTFOUND when there is none. */
int pa_store_health_delete(pa_store *db, int64_t pet, int kind, int64_t id);

/* A record as read back; the entry's strings are copied in. */
typedef struct pa_store_health_row {
  int64_t id, pet_id, due_at; /* due_at -1: no reminder owed */
  int64_t created_at, updated_at;
  pa_health_entry e;
} pa_store_health_row;

typedef int (*pa_store_health_fn)(void *ctx, const pa_store_health_row *r);

/* pet's records of kind (-1: every kind), by kind, newest day first (then
 * newest record); a kind holds at most PA_HEALTH_ENTRIES_MAX, which bounds
 * the list. PA_STORE_EABORT when fn returned non-zero. */
int pa_store_health_list(pa_store *db, int64_t pet, int kind, pa_store_health_fn fn, void *ctx);
/* Record id of pet into fn; PA_STORE_ENOTFOUND when there is none. */
int pa_store_health_get(pa_store *db, int64_t pet, int64_t id, pa_store_health_fn fn, void *ctx);

/* A record that owes a reminder by now, with its pet and owner. */
typedef struct pa_store_health_due {
  pa_store_health_row row;
  int64_t owner_id;
  const char *pet_name;
} pa_store_health_due;

typedef int (*pa_store_health_due_fn)(void *ctx, const pa_store_health_due *d);

/* Up to limit records whose reminder time is at or before now, of the
 * pets of owner (0: everyone's), oldest due first. */
int pa_store_health_due_list(pa_store *db, int64_t now, int64_t owner, int limit,
                             pa_store_health_due_fn fn, void *ctx);
/* Moves record id's reminder from was to next (-1: none) if it still is
 * was: *changed 1 when this call moved it, so that of two rounds racing for
 * one due record exactly one writes its notice. Call it in the transaction
 * that writes the notice. */
int pa_store_health_remind(pa_store *db, int64_t id, int64_t was, int64_t next, int *changed);

/* ---- vet share links */

/* How many of pet's links are live at now (neither expired nor revoked). */
int pa_store_health_shares_live(pa_store *db, int64_t pet, int64_t now, int64_t *n);
/* Stores a link by its token's SHA-256; *id gets its id. */
int pa_store_health_share_add(pa_store *db, int64_t pet, const unsigned char hash[32], int64_t now,
                              int64_t expires_at, int64_t *id);

typedef struct pa_store_health_share {
  int64_t id, pet_id, created_at, expires_at, revoked_at; /* revoked_at 0: not revoked */
} pa_store_health_share;

typedef int (*pa_store_health_share_fn)(void *ctx, const pa_store_health_share *s);

/* pet's links, newest first (revoked and expired ones too, so the owner sees
 * what was shared). */
int pa_store_health_shares(pa_store *db, int64_t pet, pa_store_health_share_fn fn, void *ctx);
/* Revokes link id of pet at now; PA_STORE_ENOTFOUND when there is none
 * (revoking twice keeps the first time). */
int pa_store_health_share_revoke(pa_store *db, int64_t pet, int64_t id, int64_t now);
/* The link whose token hashes to hash into *out; PA_STORE_ENOTFOUND when
 * none. Whether it is still live is the caller's to judge. */
int pa_store_health_share_find(pa_store *db, const unsigned char hash[32],
                               pa_store_health_share *out);

#endif
