/* pa_text — small text jobs shared by the API, the store and the seed:
 * #tags in captions, UTF-8 checks and case folding for search. */
#ifndef PA_TEXT_H
#define PA_TEXT_H

#include <stddef.h>
#include <stdint.h>

enum { PA_TEXT_MAX_TAGS = 30, PA_TEXT_MAX_TAG = 80 };

/* Calls fn(ctx, tag) for each #tag in caption order, lowercased, without
 * repeats, at most PA_TEXT_MAX_TAGS. A tag starts after a non-word character,
 * holds ASCII letters, digits and '_', and is not all digits ("#1" is a
 * number). Returns -1 as soon as fn does, else 0. */
int pa_str_tags(const char *caption, int (*fn)(void *ctx, const char *tag), void *ctx);

/* Length in code points of valid UTF-8 without control characters (newline
 * and tab allowed when multiline), or -1. */
long pa_str_utf8_len(const char *s, size_t len, int multiline);

/* Simple Unicode case folding (ASCII, Latin-1, Latin Extended-A, Greek,
 * Cyrillic) of valid UTF-8 s into out, always NUL-terminated; other code
 * points are copied. Returns -1 when out is too small or s is not UTF-8. */
int pa_str_fold(const char *s, char *out, size_t cap);

/* An API id: prefix, '_', then a canonical positive decimal that fits in
 * int64_t ("p_12"); 0 with the number in *out, else -1. */
int pa_str_id(const char *s, const char *prefix, int64_t *out);

#endif
