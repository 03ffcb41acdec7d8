/* Group payloads (pa_group_parse / _encode) and the membership state machine
 * (pa_group_apply): every op's round trip, every refusal, the limits at their
 * edges (PA_GROUP_MAX_MEMBERS, PA_GROUP_NAME_MAX, PA_GROUP_TEXT_MAX). */
#include "pa/pa_group.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pa_error err;

static pa_status parse(const char *json, pa_group_msg *m) {
  return pa_group_parse(json, strlen(json), m, &err);
}

/* json parses, and its canonical form is itself. */
static void round_trip(const char *json) {
  pa_group_msg m;
  CHECK(parse(json, &m) == PA_OK);
  if (err.code != PA_OK) fprintf(stderr, "    %s: %s\n", json, err.msg);
  char *again = pa_group_encode(&m);
  CHECK(again && strcmp(again, json) == 0);
  if (again && strcmp(again, json)) fprintf(stderr, "    got  %s\n    want %s\n", again, json);
  free(again);
  pa_group_msg_free(&m);
}

static void refused(const char *json, pa_status code) {
  pa_group_msg m;
  pa_status st = parse(json, &m);
  CHECK(st == code);
  CHECK(err.msg[0] != '\0');
  if (st != code) fprintf(stderr, "    %s: got %s (%s)\n", json, pa_status_name(st), err.msg);
}

#define G "{\"v\":2,\"kind\":\"group\",\"group\":\"g_7\","

static void every_op_round_trips(void) {
  round_trip(G "\"op\":\"text\",\"text\":\"hola\\nqué tal\"}");
  round_trip(
      G "\"op\":\"text\",\"text\":\"\",\"image\":{\"id\":\"0123456789abcdef0123456789abcdef\","
        "\"key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\","
        "\"type\":\"image/png\",\"w\":10,\"h\":20}}");
  round_trip(G "\"op\":\"create\",\"epoch\":1,\"name\":\"Perros del parque\",\"members\":"
               "[{\"id\":\"u_1\",\"role\":\"admin\"},{\"id\":\"u_2\",\"role\":\"member\"}]}");
  round_trip(G "\"op\":\"add\",\"epoch\":2,\"name\":\"P\",\"user\":\"u_3\",\"members\":"
               "[{\"id\":\"u_1\",\"role\":\"admin\"},{\"id\":\"u_3\",\"role\":\"member\"}]}");
  round_trip(G "\"op\":\"remove\",\"epoch\":3,\"user\":\"u_3\"}");
  round_trip(G "\"op\":\"leave\",\"epoch\":4,\"user\":\"u_2\"}");
  round_trip(G "\"op\":\"rename\",\"epoch\":5,\"name\":\"Gatos\"}");
  round_trip(G "\"op\":\"role\",\"epoch\":9007199254740991,\"user\":\"u_2\",\"role\":\"admin\"}");
  /* Another key order and spaces parse to the same canonical bytes. */
  pa_group_msg m;
  CHECK(parse(" { \"op\":\"rename\", \"name\":\"Gatos\", \"epoch\":5, \"group\":\"g_7\","
              " \"kind\":\"group\", \"v\":2 } ",
              &m) == PA_OK);
  char *c = pa_group_encode(&m);
  CHECK(c && strcmp(c, G "\"op\":\"rename\",\"epoch\":5,\"name\":\"Gatos\"}") == 0);
  free(c);
  pa_group_msg_free(&m);
}

static void refusals(void) {
  refused("", PA_ERR_TRUNCATED);
  refused("{\"v\":2", PA_ERR_TRUNCATED);
  refused("[1]", PA_ERR_SCHEMA);
  refused("{\"v\":2,\"kind\":\"group\"} x", PA_ERR_SYNTAX);
  refused("{\"v\":1,\"kind\":\"group\",\"group\":\"g_7\",\"op\":\"text\",\"text\":\"a\"}",
          PA_ERR_UNSUPPORTED);
  refused("{\"v\":2,\"kind\":\"copy\",\"group\":\"g_7\",\"op\":\"text\",\"text\":\"a\"}",
          PA_ERR_UNSUPPORTED);
  refused(G "\"op\":\"shout\",\"text\":\"a\"}", PA_ERR_SCHEMA);
  refused(G "\"op\":\"text\"}", PA_ERR_SCHEMA);                               /* no text */
  refused(G "\"op\":\"text\",\"text\":\"\"}", PA_ERR_SCHEMA);                 /* empty */
  refused(G "\"op\":\"text\",\"text\":\"a\",\"epoch\":1}", PA_ERR_SCHEMA);    /* foreign field */
  refused(G "\"op\":\"text\",\"text\":\"a\",\"extra\":1}", PA_ERR_SCHEMA);    /* unknown field */
  refused(G "\"op\":\"text\",\"text\":\"a\",\"text\":\"b\"}", PA_ERR_SCHEMA); /* twice */
  refused(G "\"op\":\"text\",\"text\":\"a\\u0000b\"}", PA_ERR_SCHEMA);        /* NUL */
  refused(G "\"op\":\"text\",\"text\":\"a\\tb\"}", PA_ERR_SCHEMA);            /* control */
  refused(G "\"op\":\"text\",\"text\":\"\xff\"}", PA_ERR_SCHEMA);             /* bad UTF-8 */
  refused("{\"v\":2,\"kind\":\"group\",\"group\":\"g_07\",\"op\":\"text\",\"text\":\"a\"}",
          PA_ERR_SCHEMA);
  refused("{\"v\":2,\"kind\":\"group\",\"group\":\"u_7\",\"op\":\"text\",\"text\":\"a\"}",
          PA_ERR_SCHEMA);
  refused(
      G "\"op\":\"text\",\"text\":\"a\",\"image\":{\"id\":\"0123456789ABCDEF0123456789abcdef\","
        "\"key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\","
        "\"type\":\"image/png\",\"w\":10,\"h\":20}}",
      PA_ERR_SCHEMA);
  refused(
      G "\"op\":\"text\",\"text\":\"a\",\"image\":{\"id\":\"0123456789abcdef0123456789abcdef\","
        "\"key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
        "\"type\":\"image/png\",\"w\":10,\"h\":20}}",
      PA_ERR_SCHEMA);
  refused(
      G "\"op\":\"text\",\"text\":\"a\",\"image\":{\"id\":\"0123456789abcdef0123456789abcdef\","
        "\"key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\","
        "\"type\":\"image/gif\",\"w\":10,\"h\":20}}",
      PA_ERR_SCHEMA);
  refused(G "\"op\":\"create\",\"epoch\":2,\"name\":\"P\",\"members\":"
            "[{\"id\":\"u_1\",\"role\":\"admin\"}]}",
          PA_ERR_SCHEMA); /* created at 1 only */
  refused(G "\"op\":\"create\",\"epoch\":1,\"name\":\"P\",\"members\":"
            "[{\"id\":\"u_1\",\"role\":\"admin\"},{\"id\":\"u_1\",\"role\":\"member\"}]}",
          PA_ERR_SCHEMA); /* listed twice */
  refused(G "\"op\":\"create\",\"epoch\":1,\"name\":\"P\",\"members\":"
            "[{\"id\":\"u_1\",\"role\":\"owner\"}]}",
          PA_ERR_SCHEMA);
  refused(G "\"op\":\"create\",\"epoch\":1,\"name\":\"P\",\"members\":"
            "[{\"id\":\"u_1\",\"role\":\"admin\",\"x\":1}]}",
          PA_ERR_SCHEMA);
  refused(G "\"op\":\"create\",\"epoch\":1,\"name\":\"P\",\"members\":[]}", PA_ERR_SCHEMA);
  refused(G "\"op\":\"create\",\"epoch\":1,\"name\":\"   \",\"members\":"
            "[{\"id\":\"u_1\",\"role\":\"admin\"}]}",
          PA_ERR_SCHEMA);
  refused(G "\"op\":\"remove\",\"epoch\":0,\"user\":\"u_3\"}", PA_ERR_SCHEMA);
  refused(G "\"op\":\"remove\",\"epoch\":9007199254740992,\"user\":\"u_3\"}", PA_ERR_SCHEMA);
  refused(G "\"op\":\"remove\",\"epoch\":1.5,\"user\":\"u_3\"}", PA_ERR_SCHEMA);
  refused(G "\"op\":\"remove\",\"epoch\":\"2\",\"user\":\"u_3\"}", PA_ERR_SCHEMA);
  refused(G "\"op\":\"remove\",\"epoch\":2}", PA_ERR_SCHEMA);
  refused(G "\"op\":\"role\",\"epoch\":2,\"user\":\"u_2\"}", PA_ERR_SCHEMA);
  /* One byte over the payload limit, refused before parsing. */
  size_t big = PA_GROUP_PAYLOAD_MAX + 1;
  char *b = malloc(big);
  memset(b, ' ', big);
  b[0] = '{';
  b[big - 1] = '}';
  pa_group_msg m;
  CHECK(pa_group_parse(b, big, &m, &err) == PA_ERR_TOO_LARGE);
  free(b);
}

/* A string of n copies of the 2-byte "é". */
static char *repeat_e(int n) {
  char *s = malloc((size_t)n * 2 + 1);
  for (int i = 0; i < n; i++) memcpy(s + 2 * i, "\xc3\xa9", 2);
  s[2 * n] = '\0';
  return s;
}

static void limits_at_their_edges(void) {
  char buf[PA_GROUP_TEXT_MAX * 2 + 256];
  char *s = repeat_e(PA_GROUP_NAME_MAX);
  pa_group_msg m;
  snprintf(buf, sizeof buf, G "\"op\":\"rename\",\"epoch\":2,\"name\":\"%s\"}", s);
  CHECK(parse(buf, &m) == PA_OK); /* 100 characters (200 bytes) */
  pa_group_msg_free(&m);
  free(s);
  s = repeat_e(PA_GROUP_NAME_MAX + 1);
  snprintf(buf, sizeof buf, G "\"op\":\"rename\",\"epoch\":2,\"name\":\"%s\"}", s);
  CHECK(parse(buf, &m) == PA_ERR_TOO_LARGE);
  free(s);
  s = repeat_e(PA_GROUP_TEXT_MAX);
  snprintf(buf, sizeof buf, G "\"op\":\"text\",\"text\":\"%s\"}", s);
  CHECK(parse(buf, &m) == PA_OK);
  pa_group_msg_free(&m);
  free(s);
  s = repeat_e(PA_GROUP_TEXT_MAX + 1);
  snprintf(buf, sizeof buf, G "\"op\":\"text\",\"text\":\"%s\"}", s);
  CHECK(parse(buf, &m) == PA_ERR_TOO_LARGE);
  free(s);
  /* 32 members parse, 33 do not. */
  for (int n = PA_GROUP_MAX_MEMBERS; n <= PA_GROUP_MAX_MEMBERS + 1; n++) {
    int at =
        snprintf(buf, sizeof buf, G "\"op\":\"create\",\"epoch\":1,\"name\":\"P\",\"members\":[");
    for (int i = 1; i <= n; i++)
      at += snprintf(buf + at, sizeof buf - (size_t)at, "%s{\"id\":\"u_%d\",\"role\":\"%s\"}",
                     i > 1 ? "," : "", i, i == 1 ? "admin" : "member");
    snprintf(buf + at, sizeof buf - (size_t)at, "]}");
    pa_status st = parse(buf, &m);
    CHECK(st == (n <= PA_GROUP_MAX_MEMBERS ? PA_OK : PA_ERR_TOO_LARGE));
    if (st == PA_OK) pa_group_msg_free(&m);
  }
}

/* ---- the state machine */

static pa_group_state st; /* the device's copy under test */

static pa_status apply(const char *json, const char *sender, const char *me) {
  pa_group_msg m;
  pa_status s = parse(json, &m);
  CHECK(s == PA_OK);
  if (s != PA_OK) return s;
  s = pa_group_apply(st.group[0] ? &st : NULL, &m, sender, me, &st, &err);
  pa_group_msg_free(&m);
  return s;
}

/* Applies and expects a refusal that leaves st byte for byte as it was. */
static void apply_refused(const char *json, const char *sender, const char *me) {
  pa_group_state before = st;
  pa_status s = apply(json, sender, me);
  CHECK(s == PA_ERR_SCHEMA);
  CHECK(memcmp(&before, &st, sizeof st) == 0);
  if (s != PA_ERR_SCHEMA) fprintf(stderr, "    accepted: %s from %s\n", json, sender);
}

static const char CREATE[] =
    G "\"op\":\"create\",\"epoch\":1,\"name\":\"Parque\",\"members\":"
      "[{\"id\":\"u_1\",\"role\":\"admin\"},{\"id\":\"u_2\",\"role\":\"member\"},"
      "{\"id\":\"u_3\",\"role\":\"member\"}]}";

static void state_machine(void) {
  memset(&st, 0, sizeof st);
  /* Unknown group: a create by a non-admin, one without me, a remove. */
  apply_refused(CREATE, "u_2", "u_3");
  apply_refused(CREATE, "u_1", "u_9");
  apply_refused(G "\"op\":\"remove\",\"epoch\":2,\"user\":\"u_3\"}", "u_1", "u_3");
  CHECK(apply(CREATE, "u_1", "u_3") == PA_OK);
  CHECK(st.epoch == 1 && st.n_members == 3 && strcmp(st.name, "Parque") == 0);
  apply_refused(CREATE, "u_1", "u_3"); /* exists */
  /* Only from an admin, only at epoch + 1, only this group. */
  apply_refused(G "\"op\":\"rename\",\"epoch\":2,\"name\":\"X\"}", "u_2", "u_3");
  apply_refused(G "\"op\":\"rename\",\"epoch\":2,\"name\":\"X\"}", "u_9", "u_3");
  apply_refused(G "\"op\":\"rename\",\"epoch\":3,\"name\":\"X\"}", "u_1", "u_3");
  apply_refused(G "\"op\":\"rename\",\"epoch\":1,\"name\":\"X\"}", "u_1", "u_3");
  apply_refused("{\"v\":2,\"kind\":\"group\",\"group\":\"g_8\",\"op\":\"rename\",\"epoch\":2,"
                "\"name\":\"X\"}",
                "u_1", "u_3");
  CHECK(apply(G "\"op\":\"rename\",\"epoch\":2,\"name\":\"Perros\"}", "u_1", "u_3") == PA_OK);
  CHECK(strcmp(st.name, "Perros") == 0 && st.epoch == 2);
  /* add: the list must be ours plus the newcomer, with our name. */
  apply_refused(G "\"op\":\"add\",\"epoch\":3,\"name\":\"Perros\",\"user\":\"u_4\",\"members\":"
                  "[{\"id\":\"u_1\",\"role\":\"admin\"},{\"id\":\"u_4\",\"role\":\"member\"}]}",
                "u_1", "u_3");
  apply_refused(G "\"op\":\"add\",\"epoch\":3,\"name\":\"Otro\",\"user\":\"u_4\",\"members\":"
                  "[{\"id\":\"u_1\",\"role\":\"admin\"},{\"id\":\"u_2\",\"role\":\"member\"},"
                  "{\"id\":\"u_3\",\"role\":\"member\"},{\"id\":\"u_4\",\"role\":\"member\"}]}",
                "u_1", "u_3");
  apply_refused(G "\"op\":\"add\",\"epoch\":3,\"name\":\"Perros\",\"user\":\"u_2\",\"members\":"
                  "[{\"id\":\"u_1\",\"role\":\"admin\"},{\"id\":\"u_2\",\"role\":\"member\"},"
                  "{\"id\":\"u_3\",\"role\":\"member\"}]}",
                "u_1", "u_3"); /* already in */
  static const char ADD4[] =
      G "\"op\":\"add\",\"epoch\":3,\"name\":\"Perros\",\"user\":\"u_4\",\"members\":"
        "[{\"id\":\"u_1\",\"role\":\"admin\"},{\"id\":\"u_2\",\"role\":\"member\"},"
        "{\"id\":\"u_3\",\"role\":\"member\"},{\"id\":\"u_4\",\"role\":\"member\"}]}";
  apply_refused(ADD4, "u_2", "u_3"); /* a member cannot add */
  CHECK(apply(ADD4, "u_1", "u_3") == PA_OK);
  CHECK(st.n_members == 4 && st.epoch == 3);
  /* The newcomer's device, which knew nothing, takes the same add. */
  pa_group_state mine = st;
  memset(&st, 0, sizeof st);
  apply_refused(ADD4, "u_2", "u_4"); /* not from an admin of the list it carries */
  apply_refused(ADD4, "u_1", "u_5"); /* an add of someone else */
  CHECK(apply(ADD4, "u_1", "u_4") == PA_OK);
  CHECK(memcmp(&mine, &st, sizeof st) == 0);
  /* leave: only the leaver; remove: never oneself. */
  apply_refused(G "\"op\":\"leave\",\"epoch\":4,\"user\":\"u_2\"}", "u_1", "u_3");
  apply_refused(G "\"op\":\"remove\",\"epoch\":4,\"user\":\"u_1\"}", "u_1", "u_3");
  apply_refused(G "\"op\":\"remove\",\"epoch\":4,\"user\":\"u_9\"}", "u_1", "u_3");
  CHECK(apply(G "\"op\":\"leave\",\"epoch\":4,\"user\":\"u_2\"}", "u_2", "u_3") == PA_OK);
  CHECK(st.n_members == 3 && pa_group_find(&st, "u_2") < 0);
  /* A removed member's messages count for nothing any more. */
  apply_refused(G "\"op\":\"leave\",\"epoch\":5,\"user\":\"u_2\"}", "u_2", "u_3");
  /* role: the last admin cannot step down; a member made admin can act. */
  apply_refused(G "\"op\":\"role\",\"epoch\":5,\"user\":\"u_1\",\"role\":\"member\"}", "u_1",
                "u_3");
  CHECK(apply(G "\"op\":\"role\",\"epoch\":5,\"user\":\"u_3\",\"role\":\"admin\"}", "u_1", "u_3") ==
        PA_OK);
  CHECK(apply(G "\"op\":\"remove\",\"epoch\":6,\"user\":\"u_4\"}", "u_3", "u_3") == PA_OK);
  /* The last admin leaving: the oldest remaining member becomes admin. */
  CHECK(apply(G "\"op\":\"role\",\"epoch\":7,\"user\":\"u_3\",\"role\":\"member\"}", "u_3",
              "u_3") == PA_OK);
  CHECK(apply(G "\"op\":\"leave\",\"epoch\":8,\"user\":\"u_1\"}", "u_1", "u_3") == PA_OK);
  CHECK(st.n_members == 1 && st.members[0].role == PA_GROUP_ADMIN);
  /* Text is not a control message. */
  pa_group_msg m;
  CHECK(parse(G "\"op\":\"text\",\"text\":\"a\"}", &m) == PA_OK);
  CHECK(pa_group_apply(&st, &m, "u_3", "u_3", &st, &err) == PA_ERR_ARG);
  pa_group_msg_free(&m);
}

static void full_group(void) {
  memset(&st, 0, sizeof st);
  strcpy(st.group, "g_7");
  strcpy(st.name, "P");
  st.epoch = 1;
  for (int i = 0; i < PA_GROUP_MAX_MEMBERS - 1; i++) {
    snprintf(st.members[i].id, sizeof st.members[i].id, "u_%d", i + 1);
    st.members[i].role = i == 0 ? PA_GROUP_ADMIN : PA_GROUP_MEMBER;
  }
  st.n_members = PA_GROUP_MAX_MEMBERS - 1;
  /* The 32nd member is taken; a 33rd cannot be. */
  pa_group_msg add;
  memset(&add, 0, sizeof add);
  add.op = PA_GROUP_OP_ADD;
  strcpy(add.group, "g_7");
  add.name = "P";
  add.epoch = 2;
  strcpy(add.user, "u_32");
  memcpy(add.members, st.members, sizeof add.members);
  add.members[31] = (pa_group_member){"u_32", PA_GROUP_MEMBER};
  add.n_members = 32;
  CHECK(pa_group_apply(&st, &add, "u_1", "u_1", &st, &err) == PA_OK);
  CHECK(st.n_members == PA_GROUP_MAX_MEMBERS);
  add.epoch = 3;
  strcpy(add.user, "u_33");
  pa_group_state before = st;
  CHECK(pa_group_apply(&st, &add, "u_1", "u_1", &st, &err) == PA_ERR_SCHEMA);
  CHECK(strstr(err.msg, "full") != NULL);
  CHECK(memcmp(&before, &st, sizeof st) == 0);
}

static void state_json(void) {
  memset(&st, 0, sizeof st);
  CHECK(apply(CREATE, "u_1", "u_2") == PA_OK);
  char *j = pa_group_state_encode(&st);
  CHECK(j != NULL);
  pa_group_state back;
  CHECK(j && pa_group_state_parse(j, strlen(j), &back, &err) == PA_OK);
  CHECK(memcmp(&back, &st, sizeof st) == 0);
  free(j);
  static const char *const bad[] = {
      /* a member but no admin */
      ("{\"group\":\"g_1\",\"epoch\":1,\"name\":\"P\",\"members\":[{\"id\":\"u_1\",\"role\":"
       "\"member\"}]}"),
      "{\"group\":\"g_1\",\"epoch\":0,\"name\":\"P\",\"members\":[]}",
      "{\"group\":\"g_1\",\"epoch\":1,\"name\":\"P\",\"members\":[],\"x\":1}",
      "{\"group\":\"g_1\",\"epoch\":1,\"members\":[]}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK(pa_group_state_parse(bad[i], strlen(bad[i]), &back, &err) == PA_ERR_SCHEMA);
  static const char left[] = "{\"group\":\"g_1\",\"epoch\":4,\"name\":\"P\",\"members\":[]}";
  CHECK(pa_group_state_parse(left, strlen(left), &back, &err) == PA_OK && back.n_members == 0);
}

int main(void) {
  RUN(every_op_round_trips);
  RUN(refusals);
  RUN(limits_at_their_edges);
  RUN(state_machine);
  RUN(full_group);
  RUN(state_json);
  return pa_test_summary("group");
}
