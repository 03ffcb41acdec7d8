/* pa_group — group chat payloads (issue 22, item 4; core/src/chat/chat.md,
 * "Groups"): the strict parser and canonical encoder of the JSON a group
 * message carries inside a ratchet message, and the membership state machine
 * every member's device runs on its own copy of the group.
 *
 * The server knows who is in a group (it routes envelopes) but never the
 * group's name or its messages, and a membership change it makes on its own
 * changes nothing on the devices: they apply only control messages signed
 * (through the pairwise ratchet sessions) by an admin of their own copy. */
#ifndef PA_GROUP_H
#define PA_GROUP_H

#include "pa/pa_status.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_GROUP_MAX_MEMBERS = 32,       /* people in one group, admins included */
  PA_GROUP_NAME_MAX = 100,         /* characters (code points) of a group's name */
  PA_GROUP_TEXT_MAX = 4000,        /* characters of one group text message */
  PA_GROUP_ID_MAX = 24,            /* bytes of "g_N" / "u_N" with the NUL */
  PA_GROUP_PAYLOAD_MAX = 64 * 1024 /* bytes of one payload's JSON */
};

typedef enum pa_group_op {
  PA_GROUP_OP_TEXT = 1,
  PA_GROUP_OP_CREATE,
  PA_GROUP_OP_ADD,
  PA_GROUP_OP_REMOVE,
  PA_GROUP_OP_LEAVE,
  PA_GROUP_OP_RENAME,
  PA_GROUP_OP_ROLE
} pa_group_op;

typedef enum pa_group_role { PA_GROUP_MEMBER = 0, PA_GROUP_ADMIN = 1 } pa_group_role;

typedef struct pa_group_member {
  char id[PA_GROUP_ID_MAX]; /* "u_N" */
  pa_group_role role;
} pa_group_member;

/* A photo a text message carries: where the encrypted bytes are and the
 * base64 key + stream header that opens them (as in a 1:1 v1 payload). */
typedef struct pa_group_image {
  char id[33];  /* 32 lowercase hex digits */
  char key[77]; /* 76 characters of base64: 56 bytes */
  char type[11];
  int64_t w, h;
} pa_group_image;

/* One parsed payload. Strings are owned by the struct (pa_group_msg_free). */
typedef struct pa_group_msg {
  pa_group_op op;
  char group[PA_GROUP_ID_MAX]; /* "g_N" */
  int64_t epoch;               /* control ops: the epoch this change makes */
  char *name;                  /* create, add (the current name), rename; else NULL */
  char *text;                  /* text; else NULL */
  int has_image;
  pa_group_image image;
  char user[PA_GROUP_ID_MAX]; /* add, remove, leave, role: whom it is about; else "" */
  pa_group_role role;         /* role: the new role */
  int n_members;              /* create, add: the whole member list afterwards */
  pa_group_member members[PA_GROUP_MAX_MEMBERS];
} pa_group_msg;

/* A device's copy of one group: what it has applied so far. members are in
 * the order they joined (the oldest first). */
typedef struct pa_group_state {
  char group[PA_GROUP_ID_MAX];
  int64_t epoch;
  char name[4 * PA_GROUP_NAME_MAX + 1];
  int n_members;
  pa_group_member members[PA_GROUP_MAX_MEMBERS];
} pa_group_state;

/* Parses the payload JSON strictly (chat.md, "Group payloads": every field
 * known, each exactly once, each op with exactly its fields, every limit);
 * refusals are PA_ERR_SYNTAX / _TRUNCATED (not JSON), _SCHEMA, _TOO_LARGE or
 * _UNSUPPORTED (another "v" or "kind"). On success *out owns its strings:
 * free them with pa_group_msg_free. */
pa_status pa_group_parse(const char *json, size_t len, pa_group_msg *out, pa_error *err);
void pa_group_msg_free(pa_group_msg *m);

/* The canonical JSON of m (fixed key order, no spaces): a malloc'd,
 * NUL-terminated string the caller frees with free(); NULL when out of
 * memory. Parsing it gives m back. */
char *pa_group_encode(const pa_group_msg *m);

/* Applies control message m, sent by user `sender`, to the device's copy
 * `state` (NULL when this device knows no such group), for the device of
 * user `me`, into *out (which may be state). Refused (PA_ERR_SCHEMA, state
 * untouched) unless: the group ids agree; epoch is state's + 1; the sender
 * is an admin of state (leave: is the leaver); the change is consistent
 * (add: the user is new, the list is state's plus them as a member, at most
 * PA_GROUP_MAX_MEMBERS; remove: a member other than the sender; role: a
 * member, never leaving no admin). Without a state only a create naming the
 * sender as an admin and me as a member, or an add of me by an admin of the
 * list it carries, is taken (the first contact is trusted, as chat.md says).
 * Removing or the leaving of the last admin makes the oldest remaining
 * member the admin (the server does the same). Text messages are not
 * control messages: PA_ERR_ARG. */
pa_status pa_group_apply(const pa_group_state *state, const pa_group_msg *m, const char *sender,
                         const char *me, pa_group_state *out, pa_error *err);

/* The state as JSON {"group","epoch","name","members":[{"id","role"}]}
 * (malloc'd, freed by the caller; NULL when out of memory), and back,
 * strictly. */
char *pa_group_state_encode(const pa_group_state *s);
pa_status pa_group_state_parse(const char *json, size_t len, pa_group_state *out, pa_error *err);

/* Whether user is in s; its index, or -1. */
int pa_group_find(const pa_group_state *s, const char *user);

#endif
