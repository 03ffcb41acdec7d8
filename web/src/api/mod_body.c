/* pa_mod_body: the moderation request bodies, checked on the parsed JSON
 * alone (mod_body.h). The action names and bits are api/moderation.h's. */
#include "api/mod_body.h"

#include "api/moderation.h"
#include "pa/pa_civil.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

/* The reasons a report can give (the schema's CHECK on reports.reason), in
 * the order the shell lists them. */
static const char *const reasons[] = {"spam",     "harassment",    "hate",
                                      "violence", "nudity",        "animal_cruelty",
                                      "scam",     "impersonation", "other"};

static const char *const action_names[PA_MOD_ACTIONS] = {"hide", "remove",  "restore",
                                                         "warn", "suspend", "ban"};

const char *pa_mod_action_name(int action) {
  for (int i = 0; i < PA_MOD_ACTIONS; i++)
    if (action == 1 << i) return action_names[i];
  return NULL;
}

int pa_mod_action_parse(const char *name) {
  for (int i = 0; name && i < PA_MOD_ACTIONS; i++)
    if (strcmp(name, action_names[i]) == 0) return 1 << i;
  return 0;
}

/* Fails with msg about member name. */
static int fail(char *err, size_t errlen, const char **field, const char *name, const char *msg) {
  snprintf(err, errlen, "%s %s", name, msg);
  *field = name;
  return -1;
}

/* A string member of min..max characters (absent: *out NULL, an error when
 * required). 0 or -1 (err, field set). */
static int str(const cJSON *o, const char *name, int required, long min, long max, int multiline,
               const char **out, char *err, size_t errlen, const char **field) {
  char msg[80];
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  *out = NULL;
  if (!v) return required ? fail(err, errlen, field, name, "is required") : 0;
  if (!cJSON_IsString(v) || !v->valuestring)
    return fail(err, errlen, field, name, "must be a string");
  long n = pa_str_utf8_len(v->valuestring, strlen(v->valuestring), multiline);
  if (n < 0) return fail(err, errlen, field, name, "must be UTF-8 text without control characters");
  if (n < min || n > max) {
    snprintf(msg, sizeof msg, "must be %ld to %ld characters long", min, max);
    return fail(err, errlen, field, name, msg);
  }
  *out = v->valuestring;
  return 0;
}

/* 0 when every member of o is one of names (NULL-terminated). */
static int only(const cJSON *o, const char *const *names, char *err, size_t errlen,
                const char **field) {
  for (const cJSON *m = o->child; m; m = m->next) {
    size_t i = 0;
    while (names[i] && (!m->string || strcmp(m->string, names[i]) != 0)) i++;
    if (!names[i]) {
      snprintf(err, errlen, "unknown member");
      *field = NULL;
      return -1;
    }
  }
  return 0;
}

/* A canonical "YYYY-MM-DDTHH:MM:SSZ" (the relay's own format): 0 when s
 * is one, a real date and time written exactly as the server writes it. */
static int parse_time(const char *s) {
  static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
  if (!s || strlen(s) != PA_MOD_BODY_TIME_LEN) return -1;
  for (int i = 0; i < PA_MOD_BODY_TIME_LEN; i++)
    if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i]) return -1;
  int v[6];
  static const int at[6] = {0, 5, 8, 11, 14, 17}, width[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; i++) {
    v[i] = 0;
    for (int j = 0; j < width[i]; j++) v[i] = v[i] * 10 + (s[at[i] + j] - '0');
  }
  if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 ||
      v[5] > 59)
    return -1;
  /* The round trip through days refuses 31 April and 29 February of a common year. */
  int64_t secs = pa_civil_days(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
  pa_civil c = pa_civil_from_unix(secs);
  return c.year == v[0] && c.month == v[1] && c.day == v[2] ? 0 : -1;
}

/* messages[] of a chat report into out (n_messages, messages); the id
 * named by the report must be among them, sent by out->from. */
static int report_messages(const cJSON *list, pa_mod_report_body *out, char *err, size_t errlen,
                           const char **field) {
  static const char *const members[] = {"id", "from", "at", "text", NULL};
  const cJSON *e;
  long total = 0;
  int named = 0;
  if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1 ||
      cJSON_GetArraySize(list) > PA_MOD_BODY_MESSAGES_MAX)
    return fail(err, errlen, field, "messages", "must list 1 to 10 messages");
  cJSON_ArrayForEach(e, list) {
    pa_mod_report_message *m = &out->messages[out->n_messages];
    const char *id, *from;
    if (!cJSON_IsObject(e) || only(e, members, err, errlen, field))
      return fail(err, errlen, field, "messages", "must hold {id, from, at, text} objects");
    if (str(e, "id", 1, 1, PA_MOD_BODY_ID_MAX, 0, &id, err, errlen, field) ||
        str(e, "from", 1, 1, PA_MOD_BODY_ID_MAX, 0, &from, err, errlen, field) ||
        str(e, "at", 1, 1, PA_MOD_BODY_TIME_LEN, 0, &m->at, err, errlen, field) ||
        str(e, "text", 1, 1, PA_MOD_BODY_MESSAGE_MAX, 1, &m->text, err, errlen, field))
      return -1;
    if (pa_str_id(id, "cm", &m->id) != 0)
      return fail(err, errlen, field, "messages", "ids must be chat message ids like \"cm_1\"");
    if (pa_str_id(from, "u", &m->from) != 0)
      return fail(err, errlen, field, "messages", "senders must be person ids like \"u_1\"");
    if (parse_time(m->at) != 0)
      return fail(err, errlen, field, "messages", "times must be like \"2026-12-07T00:00:00Z\"");
    for (int j = 0; j < out->n_messages; j++)
      if (out->messages[j].id == m->id)
        return fail(err, errlen, field, "messages", "must not name a message twice");
    total += pa_str_utf8_len(m->text, strlen(m->text), 1);
    if (total > PA_MOD_BODY_MESSAGES_CHARS)
      return fail(err, errlen, field, "messages", "must hold at most 8000 characters of text");
    if (m->id == out->item) {
      if (m->from != out->from)
        return fail(err, errlen, field, "messages", "the reported message must be from from");
      out->message = m->text;
      named = 1;
    }
    out->n_messages++;
  }
  return named ? 0 : fail(err, errlen, field, "messages", "must include the reported message (id)");
}

int pa_mod_body_report(const cJSON *body, pa_mod_prefix_fn prefix_of, pa_mod_report_body *out,
                       char *err, size_t errlen, const char **field) {
  static const char *const fields[] = {"kind", "id",      "reason",   "text",
                                       "from", "message", "messages", NULL};
  const char *prefix, *from_text = NULL;
  memset(out, 0, sizeof *out);
  *field = NULL;
  if (!cJSON_IsObject(body)) {
    snprintf(err, errlen, "the body must be a JSON object");
    return -1;
  }
  if (only(body, fields, err, errlen, field) ||
      str(body, "kind", 1, 1, PA_MOD_BODY_WORD_MAX, 0, &out->kind, err, errlen, field) ||
      str(body, "id", 1, 1, PA_MOD_BODY_ID_MAX, 0, &out->id, err, errlen, field) ||
      str(body, "reason", 1, 1, PA_MOD_BODY_WORD_MAX, 0, &out->reason, err, errlen, field) ||
      str(body, "text", 0, 0, PA_MOD_BODY_TEXT_MAX, 1, &out->text, err, errlen, field))
    return -1;
  if (!(prefix = prefix_of(out->kind)))
    return fail(err, errlen, field, "kind",
                "must be post, comment, person, message, reel, story, listing or review");
  size_t r = 0;
  while (r < sizeof reasons / sizeof reasons[0] && strcmp(out->reason, reasons[r]) != 0) r++;
  if (r == sizeof reasons / sizeof reasons[0])
    return fail(err, errlen, field, "reason",
                "must be spam, harassment, hate, violence, nudity, animal_cruelty, scam,"
                " impersonation or other");
  if (pa_str_id(out->id, prefix, &out->item) != 0) {
    char msg[64];
    snprintf(msg, sizeof msg, "must be a %s id like \"%s_1\"", out->kind, prefix);
    return fail(err, errlen, field, "id", msg);
  }
  /* A chat message is end-to-end encrypted: its report carries the text the
   * reporter's device decrypted and who sent it; other kinds carry neither. */
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "messages");
  if (strcmp(out->kind, "message") == 0) {
    if (str(body, "from", 1, 3, PA_MOD_BODY_ID_MAX, 0, &from_text, err, errlen, field)) return -1;
    if (pa_str_id(from_text, "u", &out->from) != 0)
      return fail(err, errlen, field, "from", "must be a person's id like \"u_1\"");
    /* One message (the first contract) or several selected (schema 36). */
    if (list && cJSON_GetObjectItemCaseSensitive(body, "message"))
      return fail(err, errlen, field, "messages", "and message cannot both be given");
    if (list) return report_messages(list, out, err, errlen, field);
    if (str(body, "message", 1, 1, PA_MOD_BODY_MESSAGE_MAX, 1, &out->message, err, errlen, field))
      return -1;
  } else if (cJSON_GetObjectItemCaseSensitive(body, "from") ||
             cJSON_GetObjectItemCaseSensitive(body, "message") || list) {
    return fail(err, errlen, field, "message", "belongs to reports of chat messages only");
  }
  return 0;
}

int pa_mod_body_action(const cJSON *body, pa_mod_action_body *out, char *err, size_t errlen,
                       const char **field) {
  static const char *const fields[] = {"action", "note", "days", NULL};
  memset(out, 0, sizeof *out);
  *field = NULL;
  if (!cJSON_IsObject(body)) {
    snprintf(err, errlen, "the body must be a JSON object");
    return -1;
  }
  if (only(body, fields, err, errlen, field) ||
      str(body, "action", 1, 1, PA_MOD_BODY_WORD_MAX, 0, &out->name, err, errlen, field) ||
      str(body, "note", 0, 0, PA_MOD_BODY_NOTE_MAX, 1, &out->note, err, errlen, field))
    return -1;
  if (!(out->action = pa_mod_action_parse(out->name)))
    return fail(err, errlen, field, "action",
                "must be hide, remove, restore, warn, suspend or ban");
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(body, "days");
  if (out->action == PA_MOD_SUSPEND) {
    /* Compared as a double first: a huge or fractional number is no day count. */
    if (!cJSON_IsNumber(d) || !(d->valuedouble >= 1 && d->valuedouble <= PA_MOD_BODY_DAYS_MAX) ||
        d->valuedouble != (double)(int64_t)d->valuedouble)
      return fail(err, errlen, field, "days", "must be a whole number from 1 to 365");
    out->days = (int64_t)d->valuedouble;
  } else if (d) {
    return fail(err, errlen, field, "days", "belongs to suspend only");
  }
  return 0;
}
