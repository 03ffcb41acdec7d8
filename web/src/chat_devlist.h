/* pa_chat_devlist — the body of PUT /api/v1/chat/device-list (web/README.md,
 * "Chat"): {"list": base64 of a signed device list, "device": "d_N", the
 * publishing device}. A pure reader (cJSON and libsodium's base64 only), so
 * fuzz_chat_devlist runs it alone; the list's signature and format are the
 * core's to check (pa_devlist_verify, core/src/chat/chat.md). */
#ifndef PA_CHAT_DEVLIST_H
#define PA_CHAT_DEVLIST_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

enum { PA_CHAT_DEVLIST_BYTES = 274 }; /* the longest signed list: core's PA_DEVLIST_MAX_BYTES */

typedef struct pa_chat_devlist_req {
  uint8_t list[PA_CHAT_DEVLIST_BYTES];
  size_t len;
  int64_t device; /* the N of "d_N" */
} pa_chat_devlist_req;

/* Reads body into *out: exactly the members "list" (base64, standard
 * alphabet, padded, at most PA_CHAT_DEVLIST_BYTES bytes) and "device"
 * ("d_N", N of 1..18 digits without a leading zero). 0, or -1 with *why (a
 * sentence) and *field (the member) set. */
int pa_chat_devlist_read(const cJSON *body, pa_chat_devlist_req *out, const char **why,
                         const char **field);

#endif
