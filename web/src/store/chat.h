/* pa_store_chat — the end-to-end-encrypted chat's data (web/README.md,
 * "Chat"; core/src/chat/chat.md): each person's devices with their prekey
 * bundles, the relay's store-and-forward queue (one envelope per message and
 * recipient device, numbered per pair of people, kept until the recipient
 * acks it, then kept as a delivered receipt until the sender acks that), and
 * encrypted attachments. The server holds ciphertext and routing metadata
 * only: nothing here is ever logged or put in an error message but ids.
 *
 * Blobs (keys, envelope bodies, attachment bytes):
 *  - in: `const unsigned char *` with a length (or the fixed size named
 *    below), owned by the caller and read only during the call;
 *  - out: copied into caller-owned arrays of the fixed size named below, or
 *    passed to a callback as a pointer and a length that are valid only
 *    during that call (like its strings), never to be freed. */
#ifndef PA_STORE_CHAT_H
#define PA_STORE_CHAT_H

#include "store/store.h"

enum {
  PA_STORE_CHAT_KEY_BYTES = 32,  /* an identity key or a one-time prekey */
  PA_STORE_CHAT_SPK_BYTES = 108, /* a signed prekey: id, created_at, key, signature */
  PA_STORE_CHAT_LIST_MAX = 274 /* a signed device list of 5 devices (core's PA_DEVLIST_MAX_BYTES) */
};

/* ---- devices and their keys */

/* One of a person's devices; identity has PA_STORE_CHAT_KEY_BYTES bytes;
 * name is the one its person gave it, NULL when none. */
typedef struct pa_store_chat_device {
  int64_t id, created_at;
  const unsigned char *identity;
  const char *name;
} pa_store_chat_device;

typedef int (*pa_store_chat_device_fn)(void *ctx, const pa_store_chat_device *d);

/* The person device belongs to; PA_STORE_ENOTFOUND when there is no such device. */
int pa_store_chat_device_owner(pa_store *db, int64_t device, int64_t *user);
/* user's device with this identity key (PA_STORE_CHAT_KEY_BYTES); PA_STORE_ENOTFOUND when none. */
int pa_store_chat_device_find(pa_store *db, int64_t user, const unsigned char *identity,
                              int64_t *device);
/* How many devices user has. */
int pa_store_chat_device_count(pa_store *db, int64_t user, int64_t *n);
/* Adds a device of user with its identity key and signed prekey (spk_id the
 * prekey's id); *device gets its id, never one a removed device had. */
int pa_store_chat_device_add(pa_store *db, int64_t user, const unsigned char *identity,
                             const unsigned char *spk, int64_t spk_id, int64_t now,
                             int64_t *device);
/* Calls fn for up to limit of user's devices, oldest first; PA_STORE_ENOTFOUND
 * when user is nobody. */
int pa_store_chat_devices_list(pa_store *db, int64_t user, int limit, pa_store_chat_device_fn fn,
                               void *ctx);
/* Removes user's device; its prekeys and every message queued to or from it
 * go with it. PA_STORE_ENOTFOUND when user has no such device. */
int pa_store_chat_device_delete(pa_store *db, int64_t device, int64_t user);
/* Names (name: 1..40 characters, checked by the caller) or unnames (NULL)
 * user's device; PA_STORE_ENOTFOUND when user has no such device. */
int pa_store_chat_device_rename(pa_store *db, int64_t device, int64_t user, const char *name);
/* The one-time prekeys device holds and its signed prekey's id; both left
 * as they were and PA_STORE_ENOTFOUND when there is no such device. */
int pa_store_chat_device_stock(pa_store *db, int64_t device, int64_t *prekeys, int64_t *spk_id);

/* ---- each account's signed device list (core/src/chat/chat.md), verified by
 * the caller before it is stored */

typedef struct pa_store_chat_devlist {
  unsigned char aik[PA_STORE_CHAT_KEY_BYTES];
  int64_t version, updated_at;
  unsigned char list[PA_STORE_CHAT_LIST_MAX];
  size_t len;
} pa_store_chat_devlist;

/* user's current list, copied into *out; PA_STORE_ENOTFOUND when user never
 * published one. */
int pa_store_chat_devlist_get(pa_store *db, int64_t user, pa_store_chat_devlist *out);
/* Stores l as user's current list, replacing the one before (the caller
 * checked it is newer, inside its transaction). */
int pa_store_chat_devlist_put(pa_store *db, int64_t user, const pa_store_chat_devlist *l);

/* A one-time prekey: its id (1..2^32-1) and PA_STORE_CHAT_KEY_BYTES of key. */
typedef struct pa_store_chat_prekey {
  int64_t id;
  const unsigned char *key;
} pa_store_chat_prekey;

/* Replaces device's signed prekey (PA_STORE_CHAT_SPK_BYTES, spk_id its id)
 * and adds those of the n one-time prekeys whose id is above every id the
 * device was ever given (so a spent one never comes back), as long as it
 * holds fewer than max_held. Several statements: call it inside the
 * caller's transaction (pa_store_begin ... pa_store_end), the one that found
 * or added the device. */
int pa_store_chat_keys_put(pa_store *db, int64_t device, const unsigned char *spk, int64_t spk_id,
                           const pa_store_chat_prekey *opks, int n, int max_held);

/* What a peer starts a session with: device's owner, identity key and signed
 * prekey (copied into the caller's arrays); PA_STORE_ENOTFOUND when there is
 * no such device. */
int pa_store_chat_bundle_get(pa_store *db, int64_t device, int64_t *user,
                             unsigned char identity[PA_STORE_CHAT_KEY_BYTES],
                             unsigned char spk[PA_STORE_CHAT_SPK_BYTES]);
/* Takes device's one-time prekey with the lowest id: it is read and deleted
 * in one atomic step, so no two callers ever get the same one. The key is
 * copied into the caller's array. PA_STORE_ENOTFOUND when none is left. */
int pa_store_chat_prekey_take(pa_store *db, int64_t device, int64_t *key_id,
                              unsigned char key[PA_STORE_CHAT_KEY_BYTES]);

/* ---- linking a device (core/src/chat/chat.md, "Linking a device"): the new
 * device's request waits, under a link id, for one of the person's devices to
 * answer it; both are opaque bytes to the server. */

enum {
  PA_STORE_CHAT_LINK_REQUEST = 97, /* bytes of a link request */
  PA_STORE_CHAT_LINK_RESPONSE_MIN = 283,
  PA_STORE_CHAT_LINK_RESPONSE_MAX = 411
};

/* A link as its person's devices see it. */
typedef struct pa_store_chat_link {
  int64_t id, user, device, created_at, approved_at; /* approved_at 0 while waiting */
  unsigned char request[PA_STORE_CHAT_LINK_REQUEST];
  unsigned char response[PA_STORE_CHAT_LINK_RESPONSE_MAX];
  size_t response_len; /* 0 while waiting */
} pa_store_chat_link;

/* Adds a link for user's device with its request; *id gets the new link's id.
 * Links of user created before `expired_before` go first (they can no longer
 * be answered). */
int pa_store_chat_link_add(pa_store *db, int64_t user, int64_t device,
                           const unsigned char request[PA_STORE_CHAT_LINK_REQUEST], int64_t now,
                           int64_t expired_before, int64_t *id);
/* Link id into *out; PA_STORE_ENOTFOUND when there is none. */
int pa_store_chat_link_get(pa_store *db, int64_t id, pa_store_chat_link *out);
/* Answers link id once: stores the response (len bytes) at now,
 * only while it waits and was created at or after `not_before`.
 * PA_STORE_ENOTFOUND when no such link waits any more. */
int pa_store_chat_link_approve(pa_store *db, int64_t id, const unsigned char *response, size_t len,
                               int64_t now, int64_t not_before);

/* ---- the relay's queue */

/* One recipient device's copy of a message: the opaque ratchet message.
 * copy: the device is one of the sender's own (an own-device copy, stored
 * with the message's recipient as its peer). */
typedef struct pa_store_chat_envelope {
  int64_t device;
  const unsigned char *body;
  size_t len;
  int copy;
  /* A session start: its base key (EK_A, 1..32 bytes), which names the
   * session, so its resends count once against the pair's limit; NULL for
   * any other message. */
  const unsigned char *start;
  size_t start_len;
} pa_store_chat_envelope;

/* A message as its sender's device sent it: cid is the client's id for it.
 * group (0 for a 1:1 message, whose to_user names the peer) makes it a group
 * message, numbered by the group's last_seq (to_user is then 0). */
typedef struct pa_store_chat_outgoing {
  int64_t from_user, from_device, to_user;
  const char *cid;
  const pa_store_chat_envelope *env;
  int n;
  int64_t now;
  /* When starts_max > 0: at most starts_max sessions (distinct start base
   * keys) from from_user to to_user first seen after starts_since. */
  int starts_max;
  int64_t starts_since;
  int64_t group;
} pa_store_chat_outgoing;

/* Queues m, in one transaction of its own: its envelopes under the next
 * sequence number of the pair of people or, when a copy of from_device's
 * message cid is still held (a resend), under that message's number; an
 * envelope queued before for the same device is not queued again. ids[i]
 * (m->n of them) gets env[i]'s queued message id, 0 when it was queued
 * before; *seq the number; *dup 1 when nothing was new.
 * PA_STORE_ECONFLICT, with nothing queued, when the start envelopes would
 * make more than m->starts_max sessions; each new session is remembered
 * (one row per base key, until housekeeping removes it after the window).
 * The rows queued to one device become visible (commit) in id order, on
 * both engines, so a reader that remembers the last id it read misses none. */
int pa_store_chat_queue_add(pa_store *db, const pa_store_chat_outgoing *m, int64_t ids[],
                            int64_t *seq, int *dup);

/* A queued message as its recipient device receives it; body (len bytes)
 * and cid are valid during the callback only. to_user: on an own-device copy,
 * the person the message went to; 0 otherwise. */
typedef struct pa_store_chat_message {
  int64_t id, seq, from_user, from_device, created_at;
  const char *cid;
  const unsigned char *body;
  size_t len;
  int64_t to_user;
  int64_t group; /* 0 for a 1:1 message */
} pa_store_chat_message;

/* A delivered message as its sender's device hears of it: to_user's
 * to_device has it. cid is valid during the callback only. */
typedef struct pa_store_chat_receipt {
  int64_t id, seq, to_user, to_device, from_device;
  const char *cid;
  int failed; /* 1: the recipient device could not decrypt it */
} pa_store_chat_receipt;

typedef int (*pa_store_chat_message_fn)(void *ctx, const pa_store_chat_message *m);
typedef int (*pa_store_chat_receipt_fn)(void *ctx, const pa_store_chat_receipt *r);

/* The backlogs, oldest first, up to limit rows with ids above after: the
 * messages queued to device and not yet acked, and the receipts of messages
 * device sent that were delivered and that it has not acked. */
int pa_store_chat_inbox(pa_store *db, int64_t device, int64_t after, int limit,
                        pa_store_chat_message_fn fn, void *ctx);
int pa_store_chat_receipts(pa_store *db, int64_t device, int64_t after, int limit,
                           pa_store_chat_receipt_fn fn, void *ctx);

/* device has message id: its body goes, it is delivered at now, and fn
 * gets the receipt for its sender (while the write is under way: build, do
 * not send, in fn). PA_STORE_ENOTFOUND when id is no undelivered message
 * queued to device (e.g. acked before). */
int pa_store_chat_ack(pa_store *db, int64_t id, int64_t device, int64_t now,
                      pa_store_chat_receipt_fn fn, void *ctx);
/* The same for a message device could not decrypt: the receipt says failed. */
int pa_store_chat_fail(pa_store *db, int64_t id, int64_t device, int64_t now,
                       pa_store_chat_receipt_fn fn, void *ctx);
/* device, the sender, has heard that message id was delivered: it goes.
 * Not an error when there is no such delivered message of device's. */
int pa_store_chat_receipt_drop(pa_store *db, int64_t id, int64_t device);

/* Removes the remembered session starts made before `before` (housekeeping). */
int pa_store_chat_starts_expire(pa_store *db, int64_t before);

/* The highest identity-vault generation device reported into *highest,
 * after raising it to report when report is higher (report 0 only reads).
 * PA_STORE_ENOTFOUND when user has no such device. */
int pa_store_chat_identity_gen(pa_store *db, int64_t device, int64_t user, int64_t report,
                               int64_t *highest);

/* PA_STORE_OK while session is signed in at now and device belongs to its
 * person; PA_STORE_ENOTFOUND once either has ended. */
int pa_store_chat_session_check(pa_store *db, int64_t session, int64_t device, int64_t now);

/* ---- message requests (schema 36): a person's messages to user are a
 * request while user neither follows them nor accepted them (explicitly,
 * or by writing to them: the relay accepts on every send). */

enum { PA_STORE_CHAT_REQUESTS_MAX = 100 /* people GET /chat/requests lists */ };

/* user accepts peer's messages; accepting again changes nothing. */
int pa_store_chat_accept(pa_store *db, int64_t user, int64_t peer, int64_t now);
/* *request 1 when peer's messages to user are requests, else 0. */
int pa_store_chat_is_request(pa_store *db, int64_t user, int64_t peer, int *request);
/* The people whose messages wait for user as requests: those with whom user
 * shares a conversation (chat_convs), whom user neither follows nor
 * accepted, and who are in no block with user; by id, at most limit.
 * handle is valid during the callback only. */
int pa_store_chat_requests(pa_store *db, int64_t user, int limit,
                           int (*fn)(void *ctx, const pa_store_person *p, const char *handle),
                           void *ctx);

/* ---- encrypted attachments: opaque bytes under a random name (32 lowercase
 * hex digits) */

int pa_store_chat_attachment_add(pa_store *db, const char *name, int64_t owner,
                                 const unsigned char *data, size_t len, int64_t now);
/* Who stored attachment name; PA_STORE_ENOTFOUND when there is none. */
int pa_store_chat_attachment_owner(pa_store *db, const char *name, int64_t *owner);
/* Not an error when there is no such attachment. */
int pa_store_chat_attachment_delete(pa_store *db, const char *name);
/* Calls fn with the attachment's bytes, valid during the call only;
 * PA_STORE_ENOTFOUND when there is none. */
int pa_store_chat_attachment_get(pa_store *db, const char *name,
                                 int (*fn)(void *ctx, const unsigned char *data, size_t len),
                                 void *ctx);
/* Removes the attachments stored at or before `before` (housekeeping). */
int pa_store_chat_attachments_expire(pa_store *db, int64_t before);

#endif
