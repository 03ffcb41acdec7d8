/* libFuzzer target: call signalling payloads (pa_callsig.h) over arbitrary
 * bytes. Besides "no crash, no leak, no UB": whatever is accepted re-parses
 * from its canonical bytes to the very same bytes, and every refusal says why. */
#include "pa/pa_callsig.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char out[PA_CALLSIG_OUTPUT_MAX], again[PA_CALLSIG_OUTPUT_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_error e;
  size_t n = 0, m = 0;
  pa_callsig_op op = 0;
  pa_status st = pa_callsig_parse((const char *)data, size, out, sizeof out, &n, &op, &e);
  if (st != PA_OK) {
    if (!e.msg[0] || n != 0) abort();
    return 0;
  }
  if (!pa_callsig_op_name(op) || n == 0 || n > PA_CALLSIG_INPUT_MAX) abort();
  if (pa_callsig_parse(out, n, again, sizeof again, &m, NULL, &e) != PA_OK) abort();
  if (m != n || memcmp(out, again, n) != 0) abort();
  return 0;
}
