/* pa_body — the strict request-body readers the rules modules share
 * (market_rules.c, ads_rules.c): one error filler, the members-only check
 * and the bounded text reader, so a listing and an ad refuse a body the
 * same way. Pure: no database, no HTTP; total over any input (fuzzed
 * through fuzz_listing, fuzz_cart and fuzz_ads). */
#ifndef PA_BODY_H
#define PA_BODY_H

#include "market_rules.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Fills *e (status, code, field or "" when NULL, the formatted message);
 * returns -1 so a reader can `return pa_body_fail(...)`. */
int pa_body_fail(pa_market_err *e, int status, const char *code, const char *field, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));

/* A caller's own refusal of a member by name (field: prefix + name): fills
 * *e and returns -1, or returns 0 to answer with the plain "not a member". */
typedef int (*pa_body_refuse_fn)(pa_market_err *e, const char *field, const char *name);

/* Refuses (400) the first member of obj not in names (NULL-terminated);
 * prefix names where obj sits ("variants[2]."). The member is named back only
 * when a plain lowercase word of at most 30 bytes, so the error's field
 * stays one the contract allows. refuse (may be NULL) is asked first about a
 * named member. Returns 0 when every member is known, else -1. */
int pa_body_only(pa_market_err *e, const cJSON *obj, const char *prefix, const char *const *names,
                 pa_body_refuse_fn refuse);

/* A string of min..max code points (UTF-8 without control characters;
 * newline and tab when multiline) copied into out (cap bytes). Absent (v
 * NULL): 1, out untouched. Not a string or not such text: 400 bad_request;
 * a length outside the bounds or past cap: len_status and len_code. Read: 0;
 * refused: -1. */
int pa_body_text(pa_market_err *e, const cJSON *v, const char *field, long min, long max,
                 int multiline, char *out, size_t cap, int len_status, const char *len_code);

#endif
