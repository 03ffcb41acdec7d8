/* libFuzzer target: an affiliate's payout body (PUT /api/v1/affiliate/payout,
 * web/src/commission_text.c) on untrusted bytes, as the router reads them
 * (one JSON object), and the CSV export's cell writer on the same bytes as
 * text. Invariants: an accepted body's email is 3..PA_AFF_EMAIL_MAX bytes
 * with exactly one '@' neither first nor last and no space, quote or angle
 * bracket; a refusal has a message and a field that is "" or
 * "paypal_email"; a cell that fits is NUL-terminated, starts with a quote
 * exactly when the text holds a comma, quote, CR or LF, never starts (past
 * that quote) with = + - @ tab or CR, and reads back (quotes undoubled, the
 * defusing ' dropped) to the text. */
#include "commission_text.h"
#include "fuzz_check.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void body(const uint8_t *data, size_t size) {
  char email[PA_AFF_EMAIL_MAX + 1], err[128], field[32];
  cJSON *j = cJSON_ParseWithLength((const char *)data, size);
  if (!j) return;
  if (pa_commission_payout_parse(j, email, err, field) == 0) {
    TERMINATED(email);
    size_t n = strlen(email);
    const char *at = strchr(email, '@');
    ASSERT(n >= 3 && n <= PA_AFF_EMAIL_MAX);
    ASSERT(at && at != email && at[1] && !strchr(at + 1, '@'));
    ASSERT(!strpbrk(email, " \t\r\n<>\""));
  } else {
    TERMINATED(err);
    TERMINATED(field);
    ASSERT(err[0]);
    ASSERT(!field[0] || !strcmp(field, "paypal_email"));
  }
  cJSON_Delete(j);
}

static void cell(const uint8_t *data, size_t size) {
  char text[257], out[PA_AFF_CSV_CELL_MAX], back[PA_AFF_CSV_CELL_MAX];
  size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
  memcpy(text, data, n);
  text[n] = '\0';
  if (pa_commission_csv_cell(text, out, sizeof out) != 0) return;
  TERMINATED(out);
  const int quoted = strpbrk(text, ",\"\r\n") != NULL;
  ASSERT((out[0] == '"') == quoted);
  const char *p = out + quoted;
  ASSERT(!strchr("=+-@\t\r", *p) || !*p);
  const int defused = *text && strchr("=+-@\t\r", *text);
  if (defused) ASSERT(*p++ == '\'');
  size_t k = 0;
  const char *end = out + strlen(out) - quoted;
  for (; p < end; p++) {
    if (*p == '"') {
      ASSERT(p + 1 < end && p[1] == '"');
      p++;
    }
    back[k++] = *p;
  }
  back[k] = '\0';
  ASSERT(strcmp(back, text) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  body(data, size);
  cell(data, size);
  return 0;
}
