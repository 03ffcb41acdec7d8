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
  PA_CHAT_LINK_TTL_S = 600,     /* a link request can be approved for 10 minutes */
  PA_CHAT_DEVICE_NAME_MAX = 40, /* characters of a device's name */
  /* New sessions (distinct start base keys; first byte 0x03, or the refused
   * 0x02) one person may start with another per window; one more is refused
   * with too_many_starts. Counted in the database (chat_starts). */
  PA_CHAT_STARTS_PER_PEER = 10,
  PA_CHAT_STARTS_WINDOW_S = 3600,
  /* Groups (issue 22, item 4): people in one group, and the devices one group
   * message may go to (each member's, the sender's other devices included). */
  PA_GROUP_MAX_MEMBERS = 32,
  PA_GROUP_MAX_ENVELOPES = PA_GROUP_MAX_MEMBERS * PA_CHAT_MAX_DEVICES,
  PA_GROUP_LIST_MAX = 200 /* groups GET /chat/groups lists (the newest) */
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
/* A post this process queued for the socket (pa_net_ws_post: "inbox",
 * "receipts", ...), on the socket's worker in order with its messages;
 * never a frame the client sent. */
void pa_chat_posted(const pa_srv *srv, struct pa_store *db, uint64_t conn, void *user,
                    const char *data, size_t len);
/* Registers the chat and support handlers of the other processes' messages
 * (redis/bus.h: chat.dev.*, chat.user.*, chat.revoke, chat.blocks,
 * support.*) and the resync, before pa_bus_start. 0, or -1 when the bus's
 * table is full. */
int pa_chat_bus_on(const pa_srv *srv);

/* Closes (code 4001, "revoked") the chat sockets matching every non-zero
 * argument: a user's, one device's, or those opened with one session, here
 * and (chat.revoke) in the other processes. Safe from any worker thread. */
void pa_chat_revoke(const pa_srv *srv, int64_t user, int64_t device, int64_t session);
/* A block or unblock happened: every socket checks its peer again on its
 * next frame (this process's sockets at once, the other processes' when
 * chat.blocks reaches them). */
void pa_chat_blocks_changed(const pa_srv *srv);

/* ---- support frames (issue 23; api/support.c, web/README.md "Support").
 * The chat socket opened without ?device= by any signed-in session is a
 * support-only socket: support.* frames only, never a chat frame, and chat
 * frames never go to it. Safe from any worker thread. */
enum { PA_SUPPORT_WS_PER_USER = 10 /* support sockets one person may have open (tabs) */ };

/* Sends text to every support socket of user (here, and through
 * support.user.<id> in the other processes); how many here it went to. */
int pa_support_push_user(const pa_srv *srv, int64_t user, const char *text);
/* 1 when user has a support socket open anywhere in the cluster (presence
 * "support:<id>"; without Redis, in this process). */
int pa_support_connected(const pa_srv *srv, int64_t user);
/* Sends text to every support socket of a person who held support or admin
 * when it opened, here and (support.agents) in the other processes. */
void pa_support_push_agents(const pa_srv *srv, const char *text);
/* Closes (4001, "roles changed") user's support sockets, whose roles were
 * read when they opened, here and (support.roles) in the other processes: a
 * role granted or taken (api/admin.c) takes effect on the socket the client
 * opens again. */
void pa_support_roles_changed(const pa_srv *srv, int64_t user);

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
void pa_api_chat_requests(pa_srv_req *rq);
void pa_api_chat_request_accept(pa_srv_req *rq);

/* ---- calls (api/calls.c; web/README.md, "Calls") */

enum {
  /* Life of a TURN credential (coturn's REST scheme: the expiry is in the
   * username). coturn checks it at every allocation and refresh, so a relayed
   * call longer than this loses its relay: hours, not minutes. */
  PA_TURN_TTL_S = 6 * 3600,
  PA_TURN_URL_MAX = 200,    /* bytes of PA_TURN_URL */
  PA_CALLS_PER_HOUR = 20,   /* calls one person may start in an hour (each rings a phone) */
  PA_CALLS_WINDOW_S = 3600, /* the window PA_CALLS_PER_HOUR counts over */
};

/* TURN credentials for viewer, {urls, username, credential, ttl}, from
 * PA_TURN_URL and PA_TURN_SECRET: a new object the caller owns, or NULL when
 * they are not configured (or out of memory). Calls and lives' ice_servers. */
cJSON *pa_api_turn_json(int64_t viewer);
/* POST /api/v1/chat/turn: short-lived TURN credentials for the viewer from
 * PA_TURN_URL and PA_TURN_SECRET (503 turn_unconfigured without them). */
void pa_api_chat_turn(pa_srv_req *rq);
/* POST /api/v1/chat/calls {"to","video"}: records the call, rings the callee. */
void pa_api_chat_call_start(pa_srv_req *rq);
/* POST /api/v1/chat/calls/{call}/end {"state"}: how it ended, by either party. */
void pa_api_chat_call_end(pa_srv_req *rq);

/* Groups (api/chat_group.c). */
void pa_api_chat_group_create(pa_srv_req *rq);
void pa_api_chat_groups_mine(pa_srv_req *rq);
void pa_api_chat_group_get(pa_srv_req *rq);
void pa_api_chat_group_member_add(pa_srv_req *rq);
void pa_api_chat_group_member_remove(pa_srv_req *rq);
void pa_api_chat_group_member_role(pa_srv_req *rq);

#endif
