#include "pa/pa_status.h"

#include <stdarg.h>
#include <stdio.h>

#ifndef PA_VERSION_STRING
#define PA_VERSION_STRING "dev"
#endif

const char *pa_status_name(pa_status code) {
  switch (code) {
  case PA_OK: return "ok";
  case PA_ERR_ARG: return "invalid_argument";
  case PA_ERR_NOMEM: return "out_of_memory";
  case PA_ERR_SYNTAX: return "syntax";
  case PA_ERR_SCHEMA: return "schema";
  case PA_ERR_TOO_LARGE: return "too_large";
  case PA_ERR_UNSUPPORTED: return "unsupported";
  case PA_ERR_TRUNCATED: return "truncated";
  case PA_ERR_PLATFORM: return "platform";
  }
  return "unknown";
}

pa_status pa_error_set(pa_error *err, pa_status code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

void pa_error_clear(pa_error *err) {
  if (err) {
    err->code = PA_OK;
    err->msg[0] = '\0';
  }
}

const char *pa_version(void) { return PA_VERSION_STRING; }
