/* What fuzz_listing and fuzz_ads check of every refusal their readers fill
 * (body.h's pa_market_err): a status of 400 or 422, a code and a message,
 * both buffers terminated, and a field the contract allows. */
#ifndef PA_FUZZ_BODY_ERR_H
#define PA_FUZZ_BODY_ERR_H

#include "fuzz_check.h"
#include "market_rules.h"

#include <string.h>

/* A field the contract allows: words, [n] and dots (openapi.yaml, Error). */
static inline int field_ok(const char *f) {
  if (!f[0]) return 1;
  for (const char *p = f; *p; p++)
    if (!strchr("abcdefghijklmnopqrstuvwxyz_[].0123456789", *p)) return 0;
  return (f[0] >= 'a' && f[0] <= 'z') || f[0] == '_';
}

static inline void check_err(const pa_market_err *e) {
  ASSERT(e->status == 400 || e->status == 422);
  ASSERT(e->code && e->code[0] && e->message[0]);
  TERMINATED(e->message);
  TERMINATED(e->field);
  ASSERT(field_ok(e->field));
}

#endif
