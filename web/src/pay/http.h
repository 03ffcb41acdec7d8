/* pa_payhttp — the outgoing HTTP client the payment adapters use (libcurl).
 *
 * One easy handle per call, so any thread may call at once. Never logs:
 * requests carry secrets (tokens, client credentials) and bodies carry
 * personal data. */
#ifndef PA_PAYHTTP_H
#define PA_PAYHTTP_H

#include "pay/pay.h"

#include <stddef.h>

#define PA_PAYHTTP_BODY_MAX       (1024 * 1024) /* bytes of answer we read; more is refused */
#define PA_PAYHTTP_CONNECT_MAX_MS 5000          /* connect timeout, at most the total timeout */
#define PA_PAYHTTP_HEADERS_MAX    8             /* request headers per call */

typedef struct pa_payhttp_resp {
  long status; /* HTTP status, 0 when there was no answer */
  char *body;  /* NUL-terminated (len bytes before the NUL), or NULL */
  size_t len;
} pa_payhttp_resp;

/* Sends method url with headers ("Name: value", up to
 * PA_PAYHTTP_HEADERS_MAX) and body (len bytes, NULL for none), giving up
 * after timeout_ms. PA_PAY_OK with *out filled whatever the status;
 * PA_PAY_EUNREACHABLE (no answer: connection, TLS, timeout),
 * PA_PAY_EBADANSWER (answer larger than PA_PAYHTTP_BODY_MAX) or
 * PA_PAY_ENOMEM, with err. out->body is malloc'd: the caller frees it with
 * pa_payhttp_resp_free. Only http and https URLs; redirects are not
 * followed. */
int pa_payhttp_request(const char *method, const char *url, const char *const *headers,
                       int nheaders, const char *body, size_t len, long timeout_ms,
                       pa_payhttp_resp *out, char err[PA_PAY_ERR_MAX]);
void pa_payhttp_resp_free(pa_payhttp_resp *r);

#endif
