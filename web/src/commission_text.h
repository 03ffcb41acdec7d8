/* pa_commission_text — the affiliate money routes' untrusted text: the
 * payout body's parser and the CSV export's cells (pure functions, no
 * store: fuzzed by web/fuzz/fuzz_aff_payout.c). */
#ifndef PA_COMMISSION_TEXT_H
#define PA_COMMISSION_TEXT_H

#include <stddef.h>

enum {
  PA_AFF_EMAIL_MAX = 254, /* bytes of a PayPal payout e-mail (affiliates.payout_email's CHECK) */
  PA_AFF_CSV_CELL_MAX = 2 * 256 + 4 /* a quoted cell of up to 256 bytes, every quote doubled */
};

struct cJSON;

/* Reads {"paypal_email":"…"} (nothing else) from body: 0 with email set,
 * or -1 with err (a sentence) and field (the member, or "") set. */
int pa_commission_payout_parse(const struct cJSON *body, char email[PA_AFF_EMAIL_MAX + 1],
                               char err[128], char field[32]);

/* Writes s as one CSV cell (RFC 4180) into out (cap bytes, NUL-ended):
 * quoted when it holds a comma, a quote, CR or LF (quotes doubled), and
 * prefixed with ' when it starts with = + - @ (or tab, CR), so a
 * spreadsheet never reads it as a formula. 0, or -1 when it does not fit. */
int pa_commission_csv_cell(const char *s, char *out, size_t cap);

#endif
