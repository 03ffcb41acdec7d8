/* pa_chat — the server side of E2E chat (core/src/chat/chat.md): devices and
 * prekey bundles over HTTP (api/chat.c), and the WebSocket relay with
 * store-and-forward (api/chat_relay.c); both keep their data through
 * store/chat.h. The server sees ciphertext and routing metadata only.
 * Protocol: web/README.md, "Chat". */
#ifndef PA_SRV_CHAT_H
#define PA_SRV_CHAT_H

#include "api/api.h"
#include "store/chat.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_CHAT_BUNDLE_FIXED = 143, /* bundle bytes before the one-time prekeys */
  PA_CHAT_OPK_BYTES = 36,     /* id u32 + X25519 key */
  PA_CHAT_MAX_OPKS = 200,     /* one-time prekeys the server keeps per device */
  PA_CHAT_SPK_BYTES =
      PA_STORE_CHAT_SPK_BYTES,  /* spk id, created_at, key, signature: bundle[33..141) */
  PA_CHAT_MAX_MESSAGE = 262298, /* 256 KiB of plaintext + 154 bytes (chat.md) */
  PA_CHAT_MAX_DEVICES = 5, /* devices per person (core's PA_DEVLIST_MAX); one more is refused */
  /* envelopes of one 1:1 message: the peer's devices and my own other ones */
  PA_CHAT_MAX_ENVELOPES = 2 * PA_CHAT_MAX_DEVICES,
  PA_CHAT_CID_MAX = 64,         /* bytes of a client message id */
  PA_CHAT_ATTACH_MAX = 8 << 20, /* bytes of one encrypted attachment */
  PA_CHAT_ATTACH_MIN = 17,      /* one empty final secretstream chunk */
  PA_WS_PER_USER = 10,          /* chat sockets one person may have open (one per device) */
  /* Session-start envelopes (first byte 0x03, or the refused 0x02) one
   * person may queue for another per window; one more is refused with
   * too_many_starts. Counted in the database (chat_starts). */
  PA_CHAT_STARTS_PER_PEER = 10,
  PA_CHAT_STARTS_WINDOW_S = 3600,
  PA_CHAT_LINK_TTL_S = 600,     /* a link request can be approved for 10 minutes */
  PA_CHAT_DEVICE_NAME_MAX = 40  /* characters of a device's name */
};

/* The connections of signed-in devices; one per server. */
typedef struct pa_chat_hub pa_chat_hub;

/* NULL when out of memory. Freed with pa_chat_hub_free after the server stopped. */
pa_chat_hub *pa_chat_hub_new(void);
void pa_chat_hub_free(pa_chat_hub *hub);

/* The WebSocket at /api/v1/chat/socket, driven by the transport (srv.c):
 * the handshake on a worker (accepts with 101 or refuses with an error),
 * each text message on a worker (one at a time per socket), and the close
 * on the loop thread (frees user). */
void pa_chat_upgrade(pa_srv_req *rq);
void pa_chat_message(const pa_srv *srv, struct pa_store *db, uint64_t conn, void *user,
                     const char *data, size_t len);
void pa_chat_closed(const pa_srv *srv, uint64_t conn, void *user);

/* Closes (code 4001, "revoked") the chat sockets matching every non-zero
 * argument: a user's, one device's, or those opened with one session. Safe
 * from any worker thread. */
void pa_chat_revoke(const pa_srv *srv, int64_t user, int64_t device, int64_t session);
/* A block or unblock happened: every socket checks its peer again on its
 * next frame (this process's sockets; a second server on the same database
 * sees it on the socket's next new peer). */
void pa_chat_blocks_changed(const pa_srv *srv);

/* Base64 (standard alphabet, padded) of n bytes as a new cJSON string member. */
int pa_chat_add_b64(cJSON *obj, const char *key, const uint8_t *bytes, size_t n);
/* Decodes base64 text into out (cap bytes); 0, or -1 when it is not base64 or too long. */
int pa_chat_b64_decode(const char *text, uint8_t *out, size_t cap, size_t *len);

/* HTTP handlers (api/chat.c). */
void pa_api_chat_device_create(pa_srv_req *rq);
void pa_api_chat_device_get(pa_srv_req *rq);
void pa_api_chat_device_delete(pa_srv_req *rq);
void pa_api_chat_my_devices(pa_srv_req *rq);
void pa_api_chat_prekeys_put(pa_srv_req *rq);
void pa_api_chat_bundle_take(pa_srv_req *rq);
void pa_api_chat_user_devices(pa_srv_req *rq);
void pa_api_chat_devlist_put(pa_srv_req *rq);
void pa_api_chat_attachment_put(pa_srv_req *rq);
void pa_api_chat_attachment_get(pa_srv_req *rq);
void pa_api_chat_attachment_delete(pa_srv_req *rq);
void pa_api_chat_device_rename(pa_srv_req *rq);
/* Linking a device (api/chat_link.c). */
void pa_api_chat_link_create(pa_srv_req *rq);
void pa_api_chat_link_get(pa_srv_req *rq);
void pa_api_chat_link_approve(pa_srv_req *rq);

#endif
