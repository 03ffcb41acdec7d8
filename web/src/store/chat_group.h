/* pa_store_chat_group — group chats' membership (web/README.md, "Chat",
 * "Groups"): who is in which group with which role, in join order, and each
 * group's message numbering. The server never holds a group's name or its
 * messages' text (chat.md, "Groups"); members' devices decide from their own
 * copies whom they encrypt to, so this list only routes and authorizes. */
#ifndef PA_STORE_CHAT_GROUP_H
#define PA_STORE_CHAT_GROUP_H

#include "store/store.h"

enum { PA_STORE_GROUP_MEMBER = 0, PA_STORE_GROUP_ADMIN = 1 };

/* A new group with user as its only member, an admin; *group its id. */
int pa_store_chat_group_create(pa_store *db, int64_t user, int64_t now, int64_t *group);
/* user's role in group (PA_STORE_GROUP_*) and the group's creation time;
 * PA_STORE_ENOTFOUND when user is no member (or there is no such group). */
int pa_store_chat_group_role(pa_store *db, int64_t group, int64_t user, int *role,
                             int64_t *created_at);

typedef struct pa_store_chat_group_member {
  int64_t user, joined_at;
  int role;
} pa_store_chat_group_member;
typedef int (*pa_store_chat_group_member_fn)(void *ctx, const pa_store_chat_group_member *m);
/* group's members, oldest first (join order). */
int pa_store_chat_group_members(pa_store *db, int64_t group, pa_store_chat_group_member_fn fn,
                                void *ctx);

typedef struct pa_store_chat_group_row {
  int64_t id, created_at, members, last_seq;
  int role;
} pa_store_chat_group_row;
typedef int (*pa_store_chat_group_fn)(void *ctx, const pa_store_chat_group_row *g);
/* Up to limit of user's groups, newest first. */
int pa_store_chat_group_mine(pa_store *db, int64_t user, int limit, pa_store_chat_group_fn fn,
                             void *ctx);

/* Adds user to group as a member, in one transaction: PA_STORE_ECONFLICT
 * when they are in it already, PA_STORE_EABORT (nothing written) when the
 * group has max members, PA_STORE_ENOTFOUND when there is no such group. */
int pa_store_chat_group_add(pa_store *db, int64_t group, int64_t user, int max, int64_t now);
/* Takes user out of group, in one transaction: when no admin is left the
 * oldest remaining member becomes one, and a group nobody is left in goes
 * (with its queued messages). PA_STORE_ENOTFOUND when user is no member. */
int pa_store_chat_group_remove(pa_store *db, int64_t group, int64_t user);
/* Sets user's role; PA_STORE_ENOTFOUND when no member, PA_STORE_ECONFLICT
 * (nothing written) when it would leave the group without an admin. */
int pa_store_chat_group_set_role(pa_store *db, int64_t group, int64_t user, int role);
/* The member of group whom device belongs to; PA_STORE_ENOTFOUND when the
 * device is nobody's or its person is not (or no longer) a member. */
int pa_store_chat_group_device_member(pa_store *db, int64_t group, int64_t device, int64_t *user);

#endif
