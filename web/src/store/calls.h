/* pa_store_calls — 1:1 calls as the server knows them (issue 22,
 * web/README.md "Calls"): who called whom, when, and how it ended. Nothing
 * of what the two devices say to each other (offer, answer, candidates) is
 * here: that goes end-to-end encrypted through the chat relay. A new call
 * rings the callee's push subscriptions (the schema's push_call trigger, in
 * the same transaction). */
#ifndef PA_STORE_CALLS_H
#define PA_STORE_CALLS_H

#include "store/store.h"

/* How a call ended ("ringing" until it does); the schema's CHECK. */
typedef enum pa_store_call_state {
  PA_STORE_CALL_RINGING = 0,
  PA_STORE_CALL_ANSWERED, /* answered, then hung up */
  PA_STORE_CALL_DECLINED,
  PA_STORE_CALL_MISSED,
  PA_STORE_CALL_ENDED /* the caller hung up before an answer */
} pa_store_call_state;

/* The state's name in the schema and the API; NULL for none. */
const char *pa_store_calls_state_name(int state);
/* The state a name stands for, or -1. */
int pa_store_calls_state_parse(const char *name);

/* Records caller calling callee at now; *id gets its id. */
int pa_store_calls_start(pa_store *db, int64_t caller, int64_t callee, int64_t now, int64_t *id);
/* How many calls caller started at or after since. */
int pa_store_calls_count_since(pa_store *db, int64_t caller, int64_t since, int64_t *n);
/* The call's two people and state; PA_STORE_ENOTFOUND when there is no such call. */
int pa_store_calls_get(pa_store *db, int64_t id, int64_t *caller, int64_t *callee, int *state);
/* Ends a ringing call with state (not RINGING) at now: PA_STORE_ECONFLICT
 * when it had already ended, PA_STORE_ENOTFOUND when there is no such call. */
int pa_store_calls_end(pa_store *db, int64_t id, int state, int64_t now);

#endif
