/* pa_copy — the own-device copy payload (issue 22; core/src/chat/chat.md,
 * "Own-device copies"): what a device sends to a person, also encrypted to the
 * sender's other devices as the ratchet plaintext
 *   {"v":2,"kind":"copy","peer":"u_N","body":"<the v1 payload>"}
 * The receiving device files it under peer as its own outgoing message. */
#ifndef PA_COPY_H
#define PA_COPY_H

#include "pa/pa_status.h"

#include <stddef.h>

enum {
  PA_COPY_PEER_MAX = 20,         /* "u_" and up to 18 digits (the server's ids) */
  PA_COPY_BODY_MAX = 256 * 1024, /* bytes of the v1 payload: a ratchet message's plaintext */
  PA_COPY_MAX = PA_COPY_BODY_MAX * 6 + 256 /* bytes of the JSON, every body byte escaped */
};

/* Reads a copy strictly: a JSON object with exactly the members v (2), kind
 * ("copy"), peer (an account id "u_N") and body (a string of at most
 * PA_COPY_BODY_MAX bytes, handed on as the v1 payload it is), nothing after
 * it; and peer must equal `to`, the account the relay labelled the copy with
 * (PA_ERR_SCHEMA otherwise). On success *body is a new NUL-terminated copy of
 * the body (*body_len bytes) that the caller frees with pa_copy_free, which
 * wipes it. A \u0000 anywhere is refused (a C string would end there). */
pa_status pa_copy_parse(const char *json, size_t len, const char *to, char **body, size_t *body_len,
                        pa_error *err);
void pa_copy_free(char *body, size_t len);

#endif
