/* pa_mail — e-mail from the server (web/README.md, "E-mail"): messages
 * worded from the site's catalogs (keys mail.*, the person's locale) and
 * delivered through SMTP with libcurl when PA_SMTP_URL is set, else kept in
 * the outbox table (store/email.h) that the admin console shows, so every
 * e-mail flow works on one machine. A message that SMTP refuses is kept
 * there too, marked failed.
 *
 * Messages never carry a password. A link's token is in the body only: it is
 * never logged (the log names the kind of message and the outcome), and the
 * database keeps only its hash (store/email.h). */
#ifndef PA_MAIL_H
#define PA_MAIL_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_MAIL_OK = 0,
  PA_MAIL_EINVAL = -1, /* a configuration or argument refused; the message says which */
  PA_MAIL_ENOMEM = -2,
  PA_MAIL_EDB = -3, /* the outbox could not be written */

  PA_MAIL_URL_MAX = 512,     /* bytes of PA_SMTP_URL */
  PA_MAIL_ADDR_MAX = 254,    /* bytes of an address (PA_SMTP_FROM, a recipient) */
  PA_MAIL_SECRET_MAX = 256,  /* bytes of PA_SMTP_USER and PA_SMTP_PASSWORD */
  PA_MAIL_TIMEOUT_S = 20,    /* a whole SMTP conversation */
  PA_MAIL_SUBJECT_MAX = 200, /* bytes of a worded subject (outbox.subject) */
  PA_MAIL_BODY_MAX = 8000,   /* bytes of a worded body (outbox.body) */
  PA_MAIL_ERR_MAX = 160
};

typedef enum pa_mail_kind {
  PA_MAIL_RESET = 0,          /* a password-reset link */
  PA_MAIL_CHANGE_CONFIRM = 1, /* a link confirming a new address, to that address */
  PA_MAIL_CHANGE_NOTICE = 2   /* to the old address: a change was asked for */
} pa_mail_kind;

typedef struct pa_mail pa_mail;

/* Reads PA_SMTP_URL (smtp:// or smtps://; unset: the outbox), PA_SMTP_FROM
 * (needed with a URL), PA_SMTP_USER and PA_SMTP_PASSWORD (optional; with
 * them an smtp:// connection must upgrade with STARTTLS). *out, which the
 * caller frees with pa_mail_free, is the sender. PA_MAIL_OK, or
 * PA_MAIL_EINVAL with err (PA_MAIL_ERR_MAX bytes) saying which variable. */
int pa_mail_new(pa_mail **out, char *err);
void pa_mail_free(pa_mail *m);

/* 1 when messages leave through SMTP. */
int pa_mail_smtp(const pa_mail *m);

/* The words of a message: {link}, {email} and {name} in the catalog's
 * mail.<kind>Subject and mail.<kind>Body (kind in camelCase) replaced by these (NULL: empty). */
typedef struct pa_mail_args {
  const char *link, *email, *name;
} pa_mail_args;

/* Words a message of kind from <root>/locales/<locale>.json (English, then
 * the key, behind it) into subject and body (caller-owned, at least
 * PA_MAIL_SUBJECT_MAX + 1 and PA_MAIL_BODY_MAX + 1 bytes). locale must be a
 * tag of letters, digits and '-' (else English). 0, or -1 when a text would
 * not fit. */
int pa_mail_compose(const char *root, const char *locale, pa_mail_kind kind, const pa_mail_args *a,
                    char *subject, char *body);

/* Delivers a worded message to `to`: through SMTP when configured (a failure
 * is logged without the body and the message is kept in the outbox as
 * failed), else into the outbox through db (a connection the caller holds,
 * outside any transaction of its own). PA_MAIL_OK when it was sent or kept,
 * else PA_MAIL_EDB / PA_MAIL_EINVAL. */
int pa_mail_send(const pa_mail *m, pa_store *db, pa_mail_kind kind, const char *to,
                 const char *subject, const char *body, int64_t now);

/* The RFC 5322 message pa_mail_send hands to SMTP (headers and a base64
 * body), for tests: into out (caller-owned, cap bytes); its length, or -1
 * when it does not fit. */
long pa_mail_format(const char *from, const char *to, const char *subject, const char *body,
                    int64_t now, char *out, size_t cap);

#endif
