/* pa_commission_text: the payout body and CSV cells (commission_text.h). */
#include "commission_text.h"

#include "str.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static int fail(char err[128], char field[32], const char *f, const char *msg) {
  snprintf(err, 128, "%s", msg);
  snprintf(field, 32, "%s", f);
  return -1;
}

int pa_commission_payout_parse(const cJSON *j, char email[PA_AFF_EMAIL_MAX + 1], char err[128],
                               char field[32]) {
  email[0] = '\0';
  err[0] = field[0] = '\0';
  if (!cJSON_IsObject(j)) return fail(err, field, "", "The body must be a JSON object");
  int rc = 0;
  for (const cJSON *m = j->child; m && rc == 0; m = m->next)
    if (!m->string || strcmp(m->string, "paypal_email") != 0)
      rc = fail(err, field, "", "Only paypal_email is allowed");
  const cJSON *mail = cJSON_GetObjectItemCaseSensitive(j, "paypal_email");
  if (rc == 0 && !cJSON_IsString(mail))
    rc = fail(err, field, "paypal_email", "paypal_email is required");
  if (rc == 0) {
    /* As a seller's PayPal account (market_rules.c): one '@' with text on
     * both sides, no spaces, quotes or angle brackets, valid UTF-8. */
    const char *m = mail->valuestring, *at = strchr(m, '@');
    size_t n = strlen(m);
    if (n < 3 || n > PA_AFF_EMAIL_MAX || !at || at == m || !at[1] || strchr(at + 1, '@') ||
        strpbrk(m, " \t\r\n<>\"") || pa_str_utf8_len(m, n, 0) < 0)
      rc = fail(err, field, "paypal_email", "paypal_email must be an e-mail address");
    else
      memcpy(email, m, n + 1);
  }
  return rc;
}

int pa_commission_csv_cell(const char *s, char *out, size_t cap) {
  size_t o = 0;
  const int formula =
      s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
  const int quote = strpbrk(s, ",\"\r\n") != NULL;
#define PUT(c)                                                                                     \
  do {                                                                                             \
    if (o + 1 >= cap) return -1;                                                                   \
    out[o++] = (c);                                                                                \
  } while (0)
  if (quote) PUT('"');
  if (formula) PUT('\'');
  for (const char *p = s; *p; p++) {
    if (*p == '"') PUT('"');
    PUT(*p);
  }
  if (quote) PUT('"');
#undef PUT
  if (o >= cap) return -1;
  out[o] = '\0';
  return 0;
}
