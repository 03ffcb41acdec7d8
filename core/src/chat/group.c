/* pa_group: group payloads (strict parse, canonical encode) and the
 * membership state machine a member's device applies (chat.md, "Groups"). */
#include "feed/jv.h"
#include "pa/pa_group.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2^53 - 1: an epoch stays an exact JSON number in every language. */
#define EPOCH_MAX INT64_C(9007199254740991)

static const char *const OPS[] = {NULL,     "text",  "create", "add",
                                  "remove", "leave", "rename", "role"};
enum { N_OPS = sizeof OPS / sizeof OPS[0] };

/* Which optional fields each op has (beyond v, kind, group, op). */
enum { F_EPOCH = 1, F_NAME = 2, F_TEXT = 4, F_IMAGE = 8, F_USER = 16, F_ROLE = 32, F_MEMBERS = 64 };
/* Required fields per op; F_IMAGE is the only optional one (text). */
static const unsigned NEEDS[N_OPS] = {
    0,
    F_TEXT,
    F_EPOCH | F_NAME | F_MEMBERS,
    F_EPOCH | F_NAME | F_USER | F_MEMBERS,
    F_EPOCH | F_USER,
    F_EPOCH | F_USER,
    F_EPOCH | F_NAME,
    F_EPOCH | F_USER | F_ROLE,
};

static const struct {
  const char *key;
  unsigned flag; /* 0: always present */
} KEYS[] = {{"v", 0},           {"kind", 0},      {"group", 0},          {"op", 0},
            {"epoch", F_EPOCH}, {"name", F_NAME}, {"text", F_TEXT},      {"image", F_IMAGE},
            {"user", F_USER},   {"role", F_ROLE}, {"members", F_MEMBERS}};
enum { N_KEYS = sizeof KEYS / sizeof KEYS[0] };

/* A malloc'd copy of s (the core is plain C11: no strdup). */
static char *dup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

/* "g_N" or "u_N": the prefix, "_", then 1..19 digits without a leading zero. */
static bool id_ok(const char *s, char prefix) {
  size_t n = strlen(s);
  if (n < 3 || n > 21 || s[0] != prefix || s[1] != '_' || s[2] == '0') return false;
  for (size_t i = 2; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

static pa_status get_id(pa_jv *v, const cJSON *obj, const char *field, char prefix, char *out) {
  const char *s;
  PA_JV_TRY(pa_jv_string(v, obj, field, PA_JV_ID, PA_GROUP_ID_MAX - 1, false, &s));
  if (!id_ok(s, prefix))
    return pa_jv_fail(v, PA_ERR_SCHEMA, field, "expected an id like \"%c_1\"", prefix);
  strcpy(out, s);
  return PA_OK;
}

static pa_status get_role(pa_jv *v, const cJSON *obj, const char *field, pa_group_role *out) {
  const char *s;
  PA_JV_TRY(pa_jv_string(v, obj, field, PA_JV_ID, 6, false, &s));
  if (strcmp(s, "admin") == 0)
    *out = PA_GROUP_ADMIN;
  else if (strcmp(s, "member") == 0)
    *out = PA_GROUP_MEMBER;
  else
    return pa_jv_fail(v, PA_ERR_SCHEMA, field, "expected \"admin\" or \"member\"");
  return PA_OK;
}

/* Every key of obj is one of names (n of them) and appears once. */
static pa_status keys_only(pa_jv *v, const cJSON *obj, const char *const *names, int n) {
  for (const cJSON *c = obj->child; c; c = c->next) {
    int known = 0;
    for (int i = 0; i < n && !known; i++) known = c->string && strcmp(c->string, names[i]) == 0;
    if (!known) return pa_jv_fail(v, PA_ERR_SCHEMA, c->string ? c->string : "?", "unknown field");
    for (const cJSON *d = c->next; d; d = d->next)
      if (d->string && strcmp(d->string, c->string) == 0)
        return pa_jv_fail(v, PA_ERR_SCHEMA, c->string, "appears twice");
  }
  return PA_OK;
}

/* A name: 1..PA_GROUP_NAME_MAX characters of text, not only spaces. */
static pa_status get_name(pa_jv *v, const cJSON *obj, char **out) {
  const char *s;
  PA_JV_TRY(pa_jv_string(v, obj, "name", PA_JV_TEXT, PA_GROUP_NAME_MAX, false, &s));
  if (strspn(s, " ") == strlen(s)) return pa_jv_fail(v, PA_ERR_SCHEMA, "name", "empty");
  *out = dup(s);
  return *out ? PA_OK : pa_error_set(v->err, PA_ERR_NOMEM, "out of memory");
}

static pa_status get_members(pa_jv *v, const cJSON *obj, int lo, pa_group_member *out, int *n_out) {
  static const char *const names[] = {"id", "role"};
  int n = 0, i = 0;
  const cJSON *list = pa_jv_array(v, obj, "members", lo, PA_GROUP_MAX_MEMBERS, &n);
  if (!list) return v->err->code;
  const cJSON *e;
  cJSON_ArrayForEach(e, list) {
    size_t mark = pa_jv_push(v, ".members[%d]", i);
    if (!cJSON_IsObject(e)) return pa_jv_fail(v, PA_ERR_SCHEMA, "", "expected an object");
    PA_JV_TRY(keys_only(v, e, names, 2));
    PA_JV_TRY(get_id(v, e, "id", 'u', out[i].id));
    PA_JV_TRY(get_role(v, e, "role", &out[i].role));
    for (int j = 0; j < i; j++)
      if (strcmp(out[j].id, out[i].id) == 0)
        return pa_jv_fail(v, PA_ERR_SCHEMA, "id", "listed twice");
    pa_jv_pop(v, mark);
    i++;
  }
  *n_out = n;
  return PA_OK;
}

static pa_status get_image(pa_jv *v, const cJSON *obj, pa_group_image *img) {
  static const char *const names[] = {"id", "key", "type", "w", "h"};
  const cJSON *o = pa_jv_object(v, obj, "image");
  if (!o) return v->err->code;
  size_t mark = pa_jv_push(v, ".image");
  const char *s;
  PA_JV_TRY(keys_only(v, o, names, 5));
  PA_JV_TRY(pa_jv_string(v, o, "id", PA_JV_ID, 32, false, &s));
  if (strlen(s) != 32 || strspn(s, "0123456789abcdef") != 32)
    return pa_jv_fail(v, PA_ERR_SCHEMA, "id", "expected 32 lowercase hex digits");
  strcpy(img->id, s);
  PA_JV_TRY(pa_jv_string(v, o, "key", PA_JV_TEXT, 76, false, &s));
  size_t body = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  /* 56 bytes: 74 characters of base64, then "==". */
  if (strlen(s) != 76 || body != 74 || strcmp(s + 74, "==") != 0)
    return pa_jv_fail(v, PA_ERR_SCHEMA, "key", "expected the base64 of 56 bytes");
  strcpy(img->key, s);
  PA_JV_TRY(pa_jv_string(v, o, "type", PA_JV_TEXT, 10, false, &s));
  if (strcmp(s, "image/jpeg") != 0 && strcmp(s, "image/png") != 0)
    return pa_jv_fail(v, PA_ERR_SCHEMA, "type", "expected image/jpeg or image/png");
  strcpy(img->type, s);
  PA_JV_TRY(pa_jv_int(v, o, "w", 1, 16384, &img->w));
  PA_JV_TRY(pa_jv_int(v, o, "h", 1, 16384, &img->h));
  pa_jv_pop(v, mark);
  return PA_OK;
}

static pa_status parse_root(pa_jv *v, const cJSON *root, pa_group_msg *m) {
  const char *s;
  int64_t ver;
  if (!cJSON_IsObject(root)) return pa_jv_fail(v, PA_ERR_SCHEMA, "", "expected an object");
  PA_JV_TRY(pa_jv_int(v, root, "v", 0, 1000, &ver));
  if (ver != 2) return pa_jv_fail(v, PA_ERR_UNSUPPORTED, "v", "version %lld", (long long)ver);
  PA_JV_TRY(pa_jv_string(v, root, "kind", PA_JV_ID, 16, false, &s));
  if (strcmp(s, "group") != 0) return pa_jv_fail(v, PA_ERR_UNSUPPORTED, "kind", "not a group");
  PA_JV_TRY(pa_jv_string(v, root, "op", PA_JV_ID, 8, false, &s));
  for (int i = 1; i < N_OPS; i++)
    if (strcmp(s, OPS[i]) == 0) m->op = (pa_group_op)i;
  if (!m->op) return pa_jv_fail(v, PA_ERR_SCHEMA, "op", "unknown op");
  unsigned need = NEEDS[m->op], allowed = need | (m->op == PA_GROUP_OP_TEXT ? F_IMAGE : 0);
  const char *names[N_KEYS];
  int n = 0;
  for (int i = 0; i < N_KEYS; i++)
    if (!KEYS[i].flag || (KEYS[i].flag & allowed)) names[n++] = KEYS[i].key;
  PA_JV_TRY(keys_only(v, root, names, n));
  PA_JV_TRY(get_id(v, root, "group", 'g', m->group));
  if (need & F_EPOCH) PA_JV_TRY(pa_jv_int(v, root, "epoch", 1, EPOCH_MAX, &m->epoch));
  if (m->op == PA_GROUP_OP_CREATE && m->epoch != 1)
    return pa_jv_fail(v, PA_ERR_SCHEMA, "epoch", "a group is created at epoch 1");
  if (need & F_NAME) PA_JV_TRY(get_name(v, root, &m->name));
  if (need & F_TEXT) {
    PA_JV_TRY(pa_jv_string(v, root, "text", PA_JV_MULTILINE, PA_GROUP_TEXT_MAX, false, &s));
    if (!(m->text = dup(s))) return pa_error_set(v->err, PA_ERR_NOMEM, "out of memory");
  }
  if ((allowed & F_IMAGE) && cJSON_GetObjectItemCaseSensitive(root, "image")) {
    m->has_image = 1;
    PA_JV_TRY(get_image(v, root, &m->image));
  }
  if (m->op == PA_GROUP_OP_TEXT && !m->has_image && !m->text[0])
    return pa_jv_fail(v, PA_ERR_SCHEMA, "text", "empty, and no image");
  if (need & F_USER) PA_JV_TRY(get_id(v, root, "user", 'u', m->user));
  if (need & F_ROLE) PA_JV_TRY(get_role(v, root, "role", &m->role));
  if (need & F_MEMBERS) PA_JV_TRY(get_members(v, root, 1, m->members, &m->n_members));
  return PA_OK;
}

/* Whether the JSON text holds the escape \u0000 (an odd run of backslashes
 * before "u0000"; an even one is a literal backslash). */
static bool escaped_nul(const char *json, size_t len) {
  for (size_t i = 0; i + 6 <= len; i++) {
    if (json[i] != '\\' || memcmp(json + i + 1, "u0000", 5) != 0) continue;
    size_t run = 1;
    while (run <= i && json[i - run] == '\\') run++;
    if (run % 2 == 1) return true;
  }
  return false;
}

pa_status pa_group_parse(const char *json, size_t len, pa_group_msg *out, pa_error *err) {
  pa_error local;
  if (!err) err = &local;
  memset(out, 0, sizeof *out);
  cJSON *root;
  PA_JV_TRY(pa_jv_document(json, len, PA_GROUP_PAYLOAD_MAX, "group payload", &root, err));
  /* JSON strings holding \u0000 would read shorter than they are. */
  if (memchr(json, '\0', len) || escaped_nul(json, len)) {
    cJSON_Delete(root);
    return pa_error_set(err, PA_ERR_SCHEMA, "group payload: NUL character");
  }
  pa_jv_arena arena = {0};
  pa_jv v = {&arena, err, "group"};
  pa_status st = parse_root(&v, root, out);
  pa_jv_arena_free(&arena);
  cJSON_Delete(root);
  if (st != PA_OK) pa_group_msg_free(out);
  return st;
}

void pa_group_msg_free(pa_group_msg *m) {
  free(m->name);
  free(m->text);
  m->name = m->text = NULL;
}

/* ---- canonical encoding: fixed key order, cJSON's escaping */

static const char *role_name(pa_group_role r) { return r == PA_GROUP_ADMIN ? "admin" : "member"; }

/* An integer member printed exactly (cJSON prints numbers with %.15g). */
static bool add_int(cJSON *o, const char *key, int64_t v) {
  char text[24];
  snprintf(text, sizeof text, "%lld", (long long)v);
  return cJSON_AddRawToObject(o, key, text) != NULL;
}

static cJSON *members_json(const pa_group_member *mm, int n) {
  cJSON *list = cJSON_CreateArray();
  for (int i = 0; list && i < n; i++) {
    cJSON *e = cJSON_CreateObject();
    if (!e || !cJSON_AddItemToArray(list, e) || !cJSON_AddStringToObject(e, "id", mm[i].id) ||
        !cJSON_AddStringToObject(e, "role", role_name(mm[i].role))) {
      cJSON_Delete(list);
      return NULL;
    }
  }
  return list;
}

char *pa_group_encode(const pa_group_msg *m) {
  if (m->op < PA_GROUP_OP_TEXT || (int)m->op >= N_OPS) return NULL;
  unsigned need = NEEDS[m->op];
  cJSON *o = cJSON_CreateObject();
  bool ok =
      o && cJSON_AddNumberToObject(o, "v", 2) && cJSON_AddStringToObject(o, "kind", "group") &&
      cJSON_AddStringToObject(o, "group", m->group) && cJSON_AddStringToObject(o, "op", OPS[m->op]);
  if (ok && (need & F_EPOCH)) ok = add_int(o, "epoch", m->epoch);
  if (ok && (need & F_NAME)) ok = m->name && cJSON_AddStringToObject(o, "name", m->name);
  if (ok && (need & F_TEXT)) ok = m->text && cJSON_AddStringToObject(o, "text", m->text);
  if (ok && m->op == PA_GROUP_OP_TEXT && m->has_image) {
    cJSON *i = cJSON_AddObjectToObject(o, "image");
    ok = i && cJSON_AddStringToObject(i, "id", m->image.id) &&
         cJSON_AddStringToObject(i, "key", m->image.key) &&
         cJSON_AddStringToObject(i, "type", m->image.type) && add_int(i, "w", m->image.w) &&
         add_int(i, "h", m->image.h);
  }
  if (ok && (need & F_USER)) ok = cJSON_AddStringToObject(o, "user", m->user) != NULL;
  if (ok && (need & F_ROLE)) ok = cJSON_AddStringToObject(o, "role", role_name(m->role)) != NULL;
  if (ok && (need & F_MEMBERS)) {
    cJSON *list = members_json(m->members, m->n_members);
    ok = list && cJSON_AddItemToObject(o, "members", list);
  }
  char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
  cJSON_Delete(o);
  return text;
}

/* ---- the state machine */

int pa_group_find(const pa_group_state *s, const char *user) {
  for (int i = 0; i < s->n_members; i++)
    if (strcmp(s->members[i].id, user) == 0) return i;
  return -1;
}

static int admins(const pa_group_state *s) {
  int n = 0;
  for (int i = 0; i < s->n_members; i++) n += s->members[i].role == PA_GROUP_ADMIN;
  return n;
}

static void drop_member(pa_group_state *s, int at) {
  memmove(&s->members[at], &s->members[at + 1],
          (size_t)(s->n_members - at - 1) * sizeof s->members[0]);
  s->n_members--;
  /* Unused slots stay zero, so equal states are equal bytes. */
  memset(&s->members[s->n_members], 0, sizeof s->members[0]);
  /* Never a group without an admin: the oldest member takes over (the server
   * applies the same rule to its own list). */
  if (s->n_members > 0 && admins(s) == 0) s->members[0].role = PA_GROUP_ADMIN;
}

static bool is_admin(const pa_group_state *s, const char *user) {
  int i = pa_group_find(s, user);
  return i >= 0 && s->members[i].role == PA_GROUP_ADMIN;
}

/* A state from a list a message carries (create, or an add that brings me in). */
static pa_status state_from(const pa_group_msg *m, pa_group_state *out, pa_error *err) {
  pa_group_state s;
  memset(&s, 0, sizeof s);
  strcpy(s.group, m->group);
  s.epoch = m->epoch;
  if (!m->name || strlen(m->name) >= sizeof s.name)
    return pa_error_set(err, PA_ERR_SCHEMA, "group: no name");
  strcpy(s.name, m->name);
  s.n_members = m->n_members;
  memcpy(s.members, m->members, sizeof s.members);
  *out = s;
  return PA_OK;
}

static pa_status refuse(pa_error *err, const char *why) {
  return pa_error_set(err, PA_ERR_SCHEMA, "group: %s", why);
}

pa_status pa_group_apply(const pa_group_state *state, const pa_group_msg *m, const char *sender,
                         const char *me, pa_group_state *out, pa_error *err) {
  if (!m || !sender || !me || !out) return pa_error_set(err, PA_ERR_ARG, "group: no message");
  if (m->op == PA_GROUP_OP_TEXT || m->op < PA_GROUP_OP_TEXT || (int)m->op >= N_OPS)
    return pa_error_set(err, PA_ERR_ARG, "group: not a control message");
  if (!state) {
    pa_group_state fresh;
    if (m->op != PA_GROUP_OP_CREATE && !(m->op == PA_GROUP_OP_ADD && strcmp(m->user, me) == 0))
      return refuse(err, "unknown group: only a create or my own add starts one");
    PA_JV_TRY(state_from(m, &fresh, err));
    if (!is_admin(&fresh, sender)) return refuse(err, "the sender is not an admin");
    if (pa_group_find(&fresh, me) < 0) return refuse(err, "I am not in it");
    if (m->op == PA_GROUP_OP_CREATE && fresh.epoch != 1) return refuse(err, "create at epoch 1");
    *out = fresh;
    return PA_OK;
  }
  if (strcmp(state->group, m->group) != 0) return refuse(err, "another group");
  if (m->op == PA_GROUP_OP_CREATE) return refuse(err, "the group exists already");
  if (state->epoch >= EPOCH_MAX || m->epoch != state->epoch + 1)
    return refuse(err, "epoch is not the next one");
  if (m->op == PA_GROUP_OP_LEAVE ? strcmp(m->user, sender) != 0 || pa_group_find(state, sender) < 0
                                 : !is_admin(state, sender))
    return refuse(err, m->op == PA_GROUP_OP_LEAVE ? "only the leaver can leave"
                                                  : "the sender is not an admin");
  pa_group_state s = *state;
  s.epoch = m->epoch;
  int at = m->user[0] ? pa_group_find(&s, m->user) : -1;
  switch (m->op) {
  case PA_GROUP_OP_ADD:
    if (at >= 0) return refuse(err, "already a member");
    if (s.n_members >= PA_GROUP_MAX_MEMBERS) return refuse(err, "full");
    s.members[s.n_members++] = (pa_group_member){{0}, PA_GROUP_MEMBER};
    strcpy(s.members[s.n_members - 1].id, m->user);
    /* The list the newcomer gets must be exactly ours plus them. */
    if (m->n_members != s.n_members || !m->name || strcmp(m->name, s.name) != 0)
      return refuse(err, "the add's list or name differs from this device's");
    for (int i = 0; i < s.n_members; i++)
      if (strcmp(m->members[i].id, s.members[i].id) != 0 || m->members[i].role != s.members[i].role)
        return refuse(err, "the add's list differs from this device's");
    break;
  case PA_GROUP_OP_REMOVE:
    if (at < 0) return refuse(err, "not a member");
    if (strcmp(m->user, sender) == 0) return refuse(err, "leaving is op leave");
    drop_member(&s, at);
    break;
  case PA_GROUP_OP_LEAVE: drop_member(&s, at); break;
  case PA_GROUP_OP_RENAME:
    if (strlen(m->name) >= sizeof s.name) return refuse(err, "name too long");
    memset(s.name, 0, sizeof s.name);
    strcpy(s.name, m->name);
    break;
  case PA_GROUP_OP_ROLE:
    if (at < 0) return refuse(err, "not a member");
    s.members[at].role = m->role;
    if (admins(&s) == 0) return refuse(err, "the last admin cannot step down");
    break;
  default: return refuse(err, "not a control message");
  }
  *out = s;
  return PA_OK;
}

/* ---- the state as JSON (the shell keeps it sealed in IndexedDB) */

char *pa_group_state_encode(const pa_group_state *s) {
  cJSON *o = cJSON_CreateObject();
  cJSON *list = members_json(s->members, s->n_members);
  bool ok = o && list && cJSON_AddStringToObject(o, "group", s->group) &&
            add_int(o, "epoch", s->epoch) && cJSON_AddStringToObject(o, "name", s->name);
  if (ok)
    ok = cJSON_AddItemToObject(o, "members", list);
  else
    cJSON_Delete(list);
  char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
  cJSON_Delete(o);
  return text;
}

pa_status pa_group_state_parse(const char *json, size_t len, pa_group_state *out, pa_error *err) {
  static const char *const names[] = {"group", "epoch", "name", "members"};
  pa_error local;
  if (!err) err = &local;
  cJSON *root;
  PA_JV_TRY(pa_jv_document(json, len, PA_GROUP_PAYLOAD_MAX, "group state", &root, err));
  pa_jv_arena arena = {0};
  pa_jv v = {&arena, err, "state"};
  pa_group_state s;
  memset(&s, 0, sizeof s);
  char *name = NULL;
  pa_status st = cJSON_IsObject(root) ? keys_only(&v, root, names, 4)
                                      : pa_jv_fail(&v, PA_ERR_SCHEMA, "", "expected an object");
  if (st == PA_OK) st = get_id(&v, root, "group", 'g', s.group);
  if (st == PA_OK) st = pa_jv_int(&v, root, "epoch", 1, EPOCH_MAX, &s.epoch);
  if (st == PA_OK) st = get_name(&v, root, &name);
  /* 0 members: the last one left (this device's own leave). */
  if (st == PA_OK) st = get_members(&v, root, 0, s.members, &s.n_members);
  if (st == PA_OK && s.n_members > 0 && admins(&s) == 0)
    st = pa_jv_fail(&v, PA_ERR_SCHEMA, "members", "no admin");
  if (st == PA_OK) {
    strcpy(s.name, name);
    *out = s;
  }
  free(name);
  pa_jv_arena_free(&arena);
  cJSON_Delete(root);
  return st;
}
