/* Test hooks of webhook.c: private to web/src/pay/ and web/tests/. */
#ifndef PA_PAY_WEBHOOK_INTERNAL_H
#define PA_PAY_WEBHOOK_INTERNAL_H

#include "pay/pay.h"

#include <stddef.h>
#include <stdint.h>

/* Puts the PEM certificate pem (len bytes) in pay's certificate cache under
 * url, as if fetched from there, so a test needs no server. It bypasses
 * nothing: a webhook naming url must still pass the prefix allow-list and
 * its signature must still verify with this certificate. 0 or -1. */
int pa_pay_cert_seed(pa_pay *pay, const char *url, const char *pem, size_t len);

#endif
