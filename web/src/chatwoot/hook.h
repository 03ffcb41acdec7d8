/* pa_chatwoot_hook — the strict reader of Chatwoot's webhook bodies (the
 * events message_created and conversation_status_changed; others are read
 * as PA_CHATWOOT_HOOK_OTHER and ignored). Untrusted bytes: fuzzed by
 * fuzz_chatwoot_hook. */
#ifndef PA_CHATWOOT_HOOK_H
#define PA_CHATWOOT_HOOK_H

#include <stddef.h>
#include <stdint.h>

enum {
  PA_CHATWOOT_HOOK_BODY_MAX = 4000, /* characters of a reply we apply (our message's cap) */
  PA_CHATWOOT_HOOK_BYTES_MAX = 4 * PA_CHATWOOT_HOOK_BODY_MAX /* UTF-8 bytes of those */
};

typedef enum pa_chatwoot_hook_kind {
  PA_CHATWOOT_HOOK_OTHER = 0, /* an event or message we do not apply */
  PA_CHATWOOT_HOOK_REPLY,     /* an agent's public reply (outgoing, not private) */
  PA_CHATWOOT_HOOK_STATUS     /* the conversation's status changed */
} pa_chatwoot_hook_kind;

typedef struct pa_chatwoot_hook {
  pa_chatwoot_hook_kind kind;
  int64_t conversation;                         /* Chatwoot's conversation id */
  int64_t message;                              /* REPLY: Chatwoot's message id */
  char content[PA_CHATWOOT_HOOK_BYTES_MAX + 1]; /* REPLY: the text, 1..BODY_MAX characters */
  char status[12];                              /* STATUS: open, pending, snoozed, resolved */
  int64_t at; /* STATUS: its "timestamp" (seconds), the order of statuses */
} pa_chatwoot_hook;

/* Reads body (len bytes) into out: 0, or -1 with *why (static text) when it
 * is not a JSON object with a string "event", or an event we apply lacks a
 * field or has one of the wrong type or range. */
int pa_chatwoot_hook_read(const char *body, size_t len, pa_chatwoot_hook *out, const char **why);

#endif
