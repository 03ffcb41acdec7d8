/* pa_msgfmt — ICU MessageFormat 1 messages.
 *
 * Supported: simple arguments {name}; {n, number} with integer, percent and
 * the skeletons ::percent, ::precision-integer, ::compact-short,
 * ::currency/XXX; {t, date|time} with short, medium, long; {n, plural, ...}
 * with =N, offset:N and #; {n, selectordinal, ...}; {s, select, ...} (an
 * "other" case is required in all three); nesting; apostrophe quoting ('' is
 * one apostrophe, '{' starts quoted text as ICU's DOUBLE_OPTIONAL mode does).
 *
 * String arguments come from users (pet names, captions), so each one is
 * wrapped in FSI ... PDI (U+2068 ... U+2069): a Hebrew pet name cannot
 * reorder the sentence around it.
 *
 * Formatting never fails silently and never returns nothing: on error the
 * output is the raw message (so the broken text is visible) and err says
 * where and why ("byte 14: expected '}'"). */
#ifndef PA_MSGFMT_H
#define PA_MSGFMT_H

#include "pa/pa_status.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_MSG_MAX_BYTES = 16384,  /* longest message */
  PA_MSG_MAX_OUTPUT = 16384, /* longest formatted text, bytes */
  PA_MSG_MAX_DEPTH = 8,      /* nested complex arguments */
  PA_MSG_MAX_ARGS = 96       /* arguments in one call / JSON object */
};

typedef enum pa_msg_type {
  PA_MSG_STRING,  /* s: UTF-8 text from a user or the app */
  PA_MSG_INT,     /* i */
  PA_MSG_DOUBLE,  /* d */
  PA_MSG_DECIMAL, /* s: a decimal string, "1.50" stays distinct from "1.5" */
  PA_MSG_TIME     /* i: milliseconds since the Unix epoch */
} pa_msg_type;

typedef struct pa_msg_arg {
  const char *name;
  pa_msg_type type;
  const char *s;
  int64_t i;
  double d;
} pa_msg_arg;

#define PA_MSG_STR(n, v)   ((pa_msg_arg){.name = (n), .type = PA_MSG_STRING, .s = (v)})
#define PA_MSG_INT(n, v)   ((pa_msg_arg){.name = (n), .type = PA_MSG_INT, .i = (v)})
#define PA_MSG_DBL(n, v)   ((pa_msg_arg){.name = (n), .type = PA_MSG_DOUBLE, .d = (v)})
#define PA_MSG_DEC(n, v)   ((pa_msg_arg){.name = (n), .type = PA_MSG_DECIMAL, .s = (v)})
#define PA_MSG_TIME(n, ms) ((pa_msg_arg){.name = (n), .type = PA_MSG_TIME, .i = (ms)})

enum { PA_MSG_NO_ISOLATE = 1u /* leave string arguments unwrapped (plain-text logs) */ };

typedef struct pa_msg_options {
  int tz_offset_minutes; /* local time minus UTC, for date and time arguments */
  unsigned flags;        /* PA_MSG_* */
} pa_msg_options;

/* Formats message for locale (any BCP 47 tag) with args into buf (always
 * NUL-terminated when cap > 0); returns the length the full text needs, like
 * snprintf. opts may be NULL (UTC, isolation on). On error, see above. */
size_t pa_msg_format(const char *locale, const char *message, const pa_msg_arg *args, size_t nargs,
                     const pa_msg_options *opts, char *buf, size_t cap, pa_error *err);

/* Checks message syntax, every case of every branch, without arguments. */
pa_status pa_msg_check(const char *message, pa_error *err);

/* Writes a JSON array describing each argument use in message, e.g.
 * [{"arg":"count","type":"plural","keys":["one","other"]},{"arg":"pet","type":"string"}]
 * (types: string, number, date, time, plural, selectordinal, select; plurals
 * with an offset also carry "offset":N), for
 * checking that translations use the source's arguments. Returns the needed
 * length; on a syntax error the text is empty and err says why. */
size_t pa_msg_signature(const char *message, char *buf, size_t cap, pa_error *err);

/* Pseudo-localizes message's literal text, keeping its syntax: ASCII letters
 * accented, vowels doubled and " ~~" padding so the literal text is about
 * 35% longer, all in [ ]. Returns the needed length; on a syntax error the
 * text is empty and err says why. */
size_t pa_msg_pseudo(const char *message, char *buf, size_t cap, pa_error *err);

/* ---- arguments from JSON, for the CLI and the browser. */

typedef struct pa_msg_args pa_msg_args;

/* Parses a JSON object of arguments: strings become PA_MSG_STRING (and are
 * read as decimals where a number is needed, so "1.0" keeps its digits),
 * numbers PA_MSG_INT when integral and within ±2^53 else PA_MSG_DOUBLE,
 * true/false the strings "true"/"false" (for select). Dates are numbers of
 * milliseconds. len 0 means no arguments. On success *out owns copies of
 * everything; free it with pa_msg_args_free. */
pa_status pa_msg_args_parse(const char *json, size_t len, pa_msg_args **out, pa_error *err);
void pa_msg_args_free(pa_msg_args *args);
const pa_msg_arg *pa_msg_args_items(const pa_msg_args *args, size_t *count);

#endif
