/* pa_health — the pet-health dashboard's pure rules (issue 19, web/README.md
 * "Pet health"): the six kinds of record, the strict reading of their
 * request bodies, calendar days, and when a record next owes its owner a
 * reminder. No database and no HTTP here, so the fuzz target
 * (web/fuzz/fuzz_health.c) drives exactly what the handlers run. */
#ifndef PA_HEALTH_RULES_H
#define PA_HEALTH_RULES_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* The limits, each the schema's CHECK too (store/sqlite/schema.c, 12). */
enum {
  PA_HEALTH_TITLE_MAX = 120,     /* characters of a name, clinic or allergy */
  PA_HEALTH_DETAIL_MAX = 120,    /* characters of a reason or a dose */
  PA_HEALTH_NOTES_MAX = 1000,    /* characters of notes */
  PA_HEALTH_GRAMS_MIN = 1,       /* a weight, in whole grams */
  PA_HEALTH_GRAMS_MAX = 200000,  /* 200 kg: past the heaviest dog, with room for a pony */
  PA_HEALTH_MINUTES_MAX = 1440,  /* of one day's activity entry */
  PA_HEALTH_METRES_MAX = 200000, /* 200 km */
  PA_HEALTH_EVERY_MAX = 365,     /* a medication's every N hours or days */
  PA_HEALTH_ENTRIES_MAX = 1000,  /* records of one kind per pet: years of daily walks */
  PA_HEALTH_YEAR_MIN = 1900,     /* days outside these years are typos */
  PA_HEALTH_YEAR_MAX = 2200,
  PA_HEALTH_SHARE_DAYS_MAX = 30, /* the longest a vet's link lives */
  PA_HEALTH_SHARES_MAX = 20,     /* live (unexpired, unrevoked) links per pet */
  PA_HEALTH_TOKEN_BYTES = 32,    /* random bytes of a share link's token */
  PA_HEALTH_TOKEN_TEXT = 43,     /* their base64url, without padding */
  PA_HEALTH_FIELD_BYTES = 4 * PA_HEALTH_NOTES_MAX + 1 /* UTF-8 of the longest text, NUL */
};

typedef enum pa_health_kind {
  PA_HEALTH_VACCINATION,
  PA_HEALTH_VISIT,
  PA_HEALTH_MEDICATION,
  PA_HEALTH_WEIGHT,
  PA_HEALTH_ALLERGY,
  PA_HEALTH_ACTIVITY,
  PA_HEALTH_KINDS
} pa_health_kind;

/* The kind's name in the schema ("vaccination") and in routes
 * ("vaccinations"); NULL out of range. */
const char *pa_health_kind_name(int kind);
const char *pa_health_kind_route(int kind);
/* The kind whose route word is `word`, or -1. */
int pa_health_kind_parse(const char *word);

/* One record as its columns (the schema's comment maps each kind's members
 * onto them). Days are "YYYY-MM-DD" or "" for none; numbers -1 for none;
 * every_unit "hours", "days" or "". */
typedef struct pa_health_entry {
  int kind;
  char day[11], until_day[11];
  char title[4 * PA_HEALTH_TITLE_MAX + 1], detail[4 * PA_HEALTH_DETAIL_MAX + 1];
  char notes[PA_HEALTH_FIELD_BYTES];
  char every_unit[6];
  int64_t every_n, grams, minutes, metres;
} pa_health_entry;

/* Reads a request body (a JSON object) for a record of `kind` into *out,
 * strictly: members the kind does not have, wrong types, texts past their
 * limits, impossible days and numbers out of range are refused. 0, or -1
 * with a message in err and the member at fault in *field (NULL when the
 * body as a whole is wrong). */
int pa_health_parse(int kind, const cJSON *body, pa_health_entry *out, char *err, size_t errlen,
                    const char **field);

/* 1 when s is a real calendar day "YYYY-MM-DD" in PA_HEALTH_YEAR_MIN..MAX. */
int pa_health_day_ok(const char *s);
/* Seconds since the epoch at 00:00 UTC of a day pa_health_day_ok accepts. */
int64_t pa_health_day_start(const char *s);

/* When e owes its owner a reminder, in seconds since the epoch, or -1 for
 * never. A vaccination: 00:00 UTC of its due day, even a past one (an
 * overdue vaccination is worth one word), and never again once reminded.
 * A medication: its doses fall every N hours or days from 00:00 UTC of its
 * start day, none past the end of its end day; the first dose at or after
 * now, or (reminded: one was just announced) strictly after it, so missed
 * doses are never announced one by one. Other kinds: -1. */
int64_t pa_health_due(const pa_health_entry *e, int64_t now, int reminded);

/* Share links: "days" of a POST .../health/shares body, 1..PA_HEALTH_SHARE_DAYS_MAX;
 * 0 or -1 as pa_health_parse. */
int pa_health_parse_share(const cJSON *body, int *days, char *err, size_t errlen,
                          const char **field);
/* 1 when s is PA_HEALTH_TOKEN_TEXT base64url characters (a token's shape). */
int pa_health_token_ok(const char *s);

#endif
