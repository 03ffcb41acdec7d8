/* pa_jv — strict validation of untrusted JSON (cJSON trees) into an arena.
 * Internal: the feed, stories and reels parsers share it, so every API
 * response is held to the same rules and errors name the field's path. */
#ifndef PA_JV_H
#define PA_JV_H

#include "pa/pa_status.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A chain of blocks owning every string and array of one parsed document. */
typedef struct pa_jv_block pa_jv_block;
typedef struct pa_jv_arena {
  pa_jv_block *blocks;
} pa_jv_arena;

/* Returns n bytes (16-aligned) that live until pa_jv_arena_free, or NULL. */
void *pa_jv_alloc(pa_jv_arena *arena, size_t n);
void pa_jv_arena_free(pa_jv_arena *arena);

typedef struct pa_jv {
  pa_jv_arena *arena;
  pa_error *err; /* always points at storage */
  char path[128];
} pa_jv;

/* Kinds of strings the API sends, each with its own rule. */
typedef enum {
  PA_JV_ID,        /* 1+ bytes of [A-Za-z0-9_-] */
  PA_JV_TEXT,      /* valid UTF-8, no control characters */
  PA_JV_MULTILINE, /* as TEXT, newlines allowed */
  PA_JV_URL        /* a same-origin path or https, nothing needing escapes */
} pa_jv_kind;

/* Parses a whole document with the checks every response gets: size limit,
 * a cut-short response told apart from a malformed one, nothing after it.
 * what names the document in messages ("feed"). The caller frees *root with
 * cJSON_Delete. */
pa_status pa_jv_document(const char *json, size_t len, size_t max, const char *what, cJSON **root,
                         pa_error *err);

/* Fails with "PATH.field: why". Returns code. */
pa_status pa_jv_fail(pa_jv *v, pa_status code, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Each getter reports a missing or mistyped field through v->err. */
pa_status pa_jv_string(pa_jv *v, const cJSON *obj, const char *field, pa_jv_kind kind, long max,
                       bool nullable, const char **out);
/* The same rules for a value already in hand (an array item); field names it. */
pa_status pa_jv_string_item(pa_jv *v, const cJSON *item, const char *field, pa_jv_kind kind,
                            long max, const char **out);
pa_status pa_jv_int(pa_jv *v, const cJSON *obj, const char *field, int64_t lo, int64_t hi,
                    int64_t *out);
pa_status pa_jv_bool(pa_jv *v, const cJSON *obj, const char *field, bool *out);
pa_status pa_jv_time(pa_jv *v, const cJSON *obj, const char *field, int64_t *out);
const cJSON *pa_jv_object(pa_jv *v, const cJSON *obj, const char *field);
const cJSON *pa_jv_array(pa_jv *v, const cJSON *obj, const char *field, int lo, int hi, int *n);

/* Pushes ".field" or "[i]" onto the error path; pop restores the returned mark. */
size_t pa_jv_push(pa_jv *v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void pa_jv_pop(pa_jv *v, size_t mark);

/* Parses obj[field] as a nested object with fn, extending the error path. */
#define PA_JV_NESTED(v, obj, field, fn, out)                                                       \
  do {                                                                                             \
    const cJSON *n_ = pa_jv_object(v, obj, field);                                                 \
    if (!n_) return (v)->err->code;                                                                \
    size_t m_ = pa_jv_push(v, "." field);                                                          \
    PA_JV_TRY(fn(v, n_, out));                                                                     \
    pa_jv_pop(v, m_);                                                                              \
  } while (0)

/* The feed's person and pet objects, shared by every document that has them. */
struct pa_feed_person;
struct pa_feed_pet;
pa_status pa_feed_parse_person(pa_jv *v, const cJSON *obj, struct pa_feed_person *out);
/* A served ad's token and link in obj (the feed's "ad", a reel's
 * "sponsored"), held to pa_feed_ad_token_check and pa_feed_ad_link_check;
 * both copied into v's arena. */
pa_status pa_feed_parse_ad_fields(pa_jv *v, const cJSON *obj, const char **token,
                                  const char **link);
pa_status pa_feed_parse_pet(pa_jv *v, const cJSON *obj, struct pa_feed_pet *out);

#define PA_JV_TRY(x)                                                                               \
  do {                                                                                             \
    pa_status s_ = (x);                                                                            \
    if (s_ != PA_OK) return s_;                                                                    \
  } while (0)

#endif
