/* pa_status — return codes and printable error messages shared by every module.
 *
 * Every fallible function returns a pa_status and, when given a non-NULL
 * pa_error, fills it with a message that says what was wrong and where. */
#ifndef PA_STATUS_H
#define PA_STATUS_H

#include <stddef.h>

typedef enum pa_status {
  PA_OK = 0,
  PA_ERR_ARG,         /* caller passed something invalid */
  PA_ERR_NOMEM,       /* an allocation failed */
  PA_ERR_SYNTAX,      /* bytes are not the format they claim (bad JSON, corrupt image) */
  PA_ERR_SCHEMA,      /* well-formed, but a field is missing, mistyped or out of range */
  PA_ERR_TOO_LARGE,   /* input exceeds a documented limit */
  PA_ERR_UNSUPPORTED, /* a format or feature we refuse on purpose */
  PA_ERR_TRUNCATED,   /* input ends early */
  PA_ERR_PLATFORM     /* the host could not do what was asked */
} pa_status;

enum { PA_ERROR_MSG_MAX = 256 };

typedef struct pa_error {
  pa_status code;
  char msg[PA_ERROR_MSG_MAX];
} pa_error;

/* Short stable name of a status ("schema", "too_large", ...). */
const char *pa_status_name(pa_status code);

/* Sets err (if non-NULL) to code and a printf-style message; returns code. */
pa_status pa_error_set(pa_error *err, pa_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Clears err to PA_OK with an empty message. */
void pa_error_clear(pa_error *err);

/* The core's version string, e.g. "0.1.0". */
const char *pa_version(void);

#endif
