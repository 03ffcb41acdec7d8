/* pa_mod_body — the request bodies of moderation, checked without a server
 * (so web/fuzz/fuzz_mod_body.c runs them on any bytes): POST /reports
 * {kind, id, reason, text?, from?, message?, messages?} and POST /mod/items/…/actions
 * {action, note?, days?}. Only the shape, types, lengths, the fixed lists
 * and ids are checked here; whether the item exists is the store's. The
 * strings point into the parsed cJSON tree (borrowed: valid while it is). */
#ifndef PA_MOD_BODY_H
#define PA_MOD_BODY_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_MOD_BODY_TEXT_MAX = 500, /* characters of a reporter's words (store's
                                 PA_STORE_REPORT_TEXT_MAX, the schema's CHECK) */
  PA_MOD_BODY_MESSAGE_MAX =
      4000, /* characters of a reported chat message (PA_STORE_REPORT_MESSAGE_MAX) */
  PA_MOD_BODY_NOTE_MAX = 200,    /* characters of a moderator's note: it goes into the notice's
                                    detail (PA_STORE_NOTICE_DETAIL_MAX, 1000 bytes) and the audit
                                    row's (2000) with room to spare */
  PA_MOD_BODY_DAYS_MAX = 365,    /* a longer suspension is a ban */
  PA_MOD_BODY_ID_MAX = 40,       /* bytes of an item id ("cm_" and 19 digits, with room) */
  PA_MOD_BODY_WORD_MAX = 20,     /* bytes of a kind, reason or action name */
  PA_MOD_BODY_MESSAGES_MAX = 10, /* chat messages one report may carry (messages[]) */
  PA_MOD_BODY_MESSAGES_CHARS =
      8000, /* characters of their texts together, so the body stays under PA_API_BODY_MAX */
  PA_MOD_BODY_TIME_LEN = 20 /* "2026-12-07T00:00:00Z" */
};

/* One chat message a reporter selected: its relay id (cm_), sender (u_),
 * time (canonical RFC 3339 UTC, as the relay's "at") and decrypted text. */
typedef struct pa_mod_report_message {
  int64_t id, from;
  const char *at, *text;
} pa_mod_report_message;

/* A report as its body says. item the id's number (its prefix checked
 * against the kind's); from and message only for chat messages. A chat
 * report carries either message (the one message id names) or messages
 * (1..PA_MOD_BODY_MESSAGES_MAX selected ones, unique ids, one of them id and
 * sent by from; message then points at that one's text). */
typedef struct pa_mod_report_body {
  const char *kind, *id, *reason, *text, *message;
  int64_t item, from;
  int n_messages;
  pa_mod_report_message messages[PA_MOD_BODY_MESSAGES_MAX];
} pa_mod_report_body;

/* An action as its body says; action the PA_MOD_* bit (api/moderation.h). */
typedef struct pa_mod_action_body {
  const char *name, *note;
  int action;
  int64_t days; /* 0 unless suspend */
} pa_mod_action_body;

/* The id prefix of a kind (the registry's), NULL for an unknown kind. */
typedef const char *(*pa_mod_prefix_fn)(const char *kind);

/* Checks a report body. 0, or -1 with a message in err (errlen bytes) and
 * the member at fault in *field (a static string). */
int pa_mod_body_report(const cJSON *body, pa_mod_prefix_fn prefix_of, pa_mod_report_body *out,
                       char *err, size_t errlen, const char **field);

/* Checks an action body. 0, or -1 as above. */
int pa_mod_body_action(const cJSON *body, pa_mod_action_body *out, char *err, size_t errlen,
                       const char **field);

#endif
