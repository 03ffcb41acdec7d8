/* pa_support_rules — the strict readers of the support routes' bodies
 * (api/support.c; web/README.md "Support"). Pure: no database, no HTTP:
 * cJSON and str.c's UTF-8 check; total over any input (fuzzed by
 * web/fuzz/fuzz_support_body.c). The handlers check the members
 * (pa_api_only) and the ids; these read the values. */
#ifndef PA_SUPPORT_RULES_H
#define PA_SUPPORT_RULES_H

#include <cjson/cJSON.h>
#include <stdint.h>

enum {
  PA_SUPPORT_BODY_MAX = 4000,          /* characters of a message, note or canned reply */
  PA_SUPPORT_SUBJECT_MAX = 200,        /* characters of a subject or a canned reply's title */
  PA_SUPPORT_COMMENT_MAX = 1000,       /* characters of a rating's comment */
  PA_SUPPORT_SHORTCUT_MAX = 32,        /* characters of a canned reply's shortcut */
  PA_SUPPORT_TRANSCRIPT_MAX = 20,      /* assistant-chat lines carried into a hand-off */
  PA_SUPPORT_SNOOZE_MAX_S = 30 * 86400 /* the furthest a snooze may reach: 30 days */
};

/* One line of a hand-off's transcript; both point into the body. */
typedef struct pa_support_line {
  const char *author; /* "person" or "assistant" */
  const char *body;   /* 1..PA_SUPPORT_BODY_MAX characters, newlines allowed */
} pa_support_line;

/* 1 when v is a string of 1..max characters of UTF-8 without control
 * characters (newlines and tabs allowed when multiline). */
int pa_support_text_ok(const cJSON *v, long max, int multiline);

/* "transcript": absent or null (none), or an array of at most
 * PA_SUPPORT_TRANSCRIPT_MAX {"author": "person"|"assistant", "body"}
 * objects with nothing else in them. 0 with *n lines in out, or -1 with
 * *why (a sentence for the client) set. */
int pa_support_transcript_read(const cJSON *list, pa_support_line out[PA_SUPPORT_TRANSCRIPT_MAX],
                               int *n, const char **why);

/* A time as the API writes it, "YYYY-MM-DDTHH:MM:SSZ" (UTC, exactly that
 * form), into *out as Unix seconds; 0, or -1 when it is not one. */
int pa_support_time_read(const char *s, int64_t *out);

/* An agent's state change {"state", "snooze_until"?} at now: *state is one
 * of "open", "pending", "snoozed", "resolved" (pointing at a static
 * string); a snooze needs snooze_until after now and at most
 * PA_SUPPORT_SNOOZE_MAX_S ahead (*until), and only a snooze may name one.
 * 0, or -1 with *why set. */
int pa_support_state_read(const cJSON *body, int64_t now, const char **state, int64_t *until,
                          const char **why);

/* A person's rating {"rating": 1..5, "comment"?: 1..PA_SUPPORT_COMMENT_MAX
 * characters or null}: *comment points into body (NULL for none). */
int pa_support_rating_read(const cJSON *body, int *rating, const char **comment, const char **why);

#endif
