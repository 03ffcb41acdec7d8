/* pa_chatwoot: the mirror's configuration and its worker (chatwoot/mirror.h). */
#include "chatwoot/mirror.h"

#include "clock.h"
#include "health_rules.h"
#include "log.h"
#include "pay/http.h"
#include "srv_internal.h"
#include "store/chatwoot.h"
#include "worker.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- configuration, read once */

_Static_assert((int)PA_CHATWOOT_HOOK_TOKEN_MAX == (int)PA_HEALTH_TOKEN_TEXT,
               "the router takes a {code} segment of at most PA_HEALTH_TOKEN_TEXT bytes");

static pa_chatwoot_config config;
static int config_on;
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static int env_copy(const char *name, char *out, size_t cap) {
  const char *v = getenv(name);
  out[0] = '\0';
  if (!v || !*v || strlen(v) >= cap) return -1;
  memcpy(out, v, strlen(v) + 1);
  return 0;
}

static int env_id(const char *name, long long *out) {
  const char *v = getenv(name);
  char *end = NULL;
  if (!v || !*v) return -1;
  long long n = strtoll(v, &end, 10);
  if (*end || n < 1) return -1;
  *out = n;
  return 0;
}

static void config_load(void) {
  pa_chatwoot_config *c = &config;
  int ok = env_copy("PA_CHATWOOT_URL", c->url, sizeof c->url) == 0 &&
           env_copy("PA_CHATWOOT_TOKEN", c->token, sizeof c->token) == 0 &&
           env_id("PA_CHATWOOT_ACCOUNT", &c->account) == 0 &&
           env_id("PA_CHATWOOT_INBOX", &c->inbox) == 0 &&
           (strncmp(c->url, "http://", 7) == 0 || strncmp(c->url, "https://", 8) == 0);
  if (!ok) {
    if (getenv("PA_CHATWOOT_URL"))
      pa_log_event("error", "chatwoot",
                   "PA_CHATWOOT_URL is set but URL, TOKEN, ACCOUNT or INBOX is missing or "
                   "malformed: the mirror is off");
    return;
  }
  size_t n = strlen(c->url);
  while (n > 0 && c->url[n - 1] == '/') c->url[--n] = '\0';
  env_copy("PA_CHATWOOT_WEBHOOK_TOKEN", c->hook_token, sizeof c->hook_token);
  size_t tl = strlen(c->hook_token);
  if (getenv("PA_CHATWOOT_WEBHOOK_TOKEN") &&
      (tl < PA_CHATWOOT_HOOK_TOKEN_MIN || tl > PA_CHATWOOT_HOOK_TOKEN_MAX ||
       strspn(c->hook_token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
           tl)) {
    pa_log_event("error", "chatwoot",
                 "PA_CHATWOOT_WEBHOOK_TOKEN must be %d to %d letters, digits, '-' or '_': the "
                 "webhook is off",
                 PA_CHATWOOT_HOOK_TOKEN_MIN, PA_CHATWOOT_HOOK_TOKEN_MAX);
    c->hook_token[0] = '\0';
  }
  env_copy("PA_CHATWOOT_WEBHOOK_SECRET", c->hook_secret, sizeof c->hook_secret);
  config_on = 1;
}

const pa_chatwoot_config *pa_chatwoot_config_get(void) {
  pthread_once(&config_once, config_load);
  return config_on ? &config : NULL;
}

int pa_chatwoot_enabled(void) { return pa_chatwoot_config_get() != NULL; }

void pa_chatwoot_wake(const struct pa_srv *srv) {
  if (srv && pa_chatwoot_enabled()) pa_worker_wake(srv->chatwoot_worker);
}

/* ---- calls to the Application API */

enum { PATH_MAX_BYTES = 256 };

/* method path (under /api/v1/accounts/{account}) with body (NULL: none):
 * the parsed JSON answer in *out when the status is 2xx (caller frees), 0;
 * -1 otherwise (logged: status or the transport's error, never the body). */
static int call(const pa_chatwoot_config *cfg, const char *method, const char *path,
                const cJSON *body, cJSON **out) {
  char url[PA_CHATWOOT_URL_MAX + PATH_MAX_BYTES + 64], auth[PA_CHATWOOT_SECRET_MAX + 32];
  char err[PA_PAY_ERR_MAX];
  *out = NULL;
  snprintf(url, sizeof url, "%s/api/v1/accounts/%lld%s", cfg->url, cfg->account, path);
  snprintf(auth, sizeof auth, "api_access_token: %s", cfg->token);
  const char *headers[] = {auth, "Content-Type: application/json", "Accept: application/json"};
  char *text = body ? cJSON_PrintUnformatted(body) : NULL;
  if (body && !text) return -1;
  pa_payhttp_resp r;
  int rc = pa_payhttp_request(method, url, headers, 3, text, text ? strlen(text) : 0,
                              PA_CHATWOOT_TIMEOUT_MS, &r, err);
  cJSON_free(text);
  if (rc != PA_PAY_OK) {
    pa_log_event("warn", "chatwoot", "%s %s: %s", method, path, err);
    return -1;
  }
  if (r.status < 200 || r.status > 299) {
    pa_log_event("warn", "chatwoot", "%s %s answered %ld", method, path, r.status);
    pa_payhttp_resp_free(&r);
    return -1;
  }
  *out = cJSON_ParseWithLength(r.body, r.len);
  pa_payhttp_resp_free(&r);
  if (!*out) {
    pa_log_event("warn", "chatwoot", "%s %s: the answer is not JSON", method, path);
    return -1;
  }
  return 0;
}

/* A positive integer member name of o, or 0. */
static int64_t int_of(const cJSON *o, const char *name) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 9007199254740992.0) return 0;
  return (int64_t)v->valuedouble;
}

static int str_is(const cJSON *o, const char *name, const char *want) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  return cJSON_IsString(v) && strcmp(v->valuestring, want) == 0;
}

/* The first element of answer's "payload" array (or answer itself when it is
 * the array) whose member key is the string want: its "id", or 0. */
static int64_t find_in(const cJSON *answer, const char *key, const char *sub, const char *want) {
  const cJSON *list =
      cJSON_IsArray(answer) ? answer : cJSON_GetObjectItemCaseSensitive(answer, "payload");
  const cJSON *e;
  cJSON_ArrayForEach(e, list) {
    const cJSON *holder = sub ? cJSON_GetObjectItemCaseSensitive(e, sub) : e;
    if (str_is(holder, key, want)) return int_of(e, "id");
  }
  return 0;
}

/* The person's contact and contact inbox: looked up by identifier first
 * (it may exist from an earlier conversation or a try whose answer was
 * lost), created when absent; the contact inbox carries our own source_id,
 * so asking for it again returns the same one. */
static int ensure_contact(pa_store *db, const pa_chatwoot_config *cfg, pa_store_chatwoot_item *it,
                          char source[PA_STORE_CHATWOOT_SOURCE_MAX + 1]) {
  char ident[32], path[PATH_MAX_BYTES];
  snprintf(ident, sizeof ident, "u_%lld", (long long)it->user_id);
  snprintf(path, sizeof path, "/contacts/search?q=%s", ident);
  cJSON *a = NULL, *b = NULL;
  if (call(cfg, "GET", path, NULL, &a)) return -1;
  int64_t contact = find_in(a, "identifier", NULL, ident);
  cJSON_Delete(a);
  if (!contact) {
    b = cJSON_CreateObject();
    /* inbox_id: the documented create asks for it (Chatwoot then adds a
     * contact inbox of its own; ours below carries our source_id). */
    if (!b || !cJSON_AddNumberToObject(b, "inbox_id", (double)cfg->inbox) ||
        !cJSON_AddStringToObject(b, "name", it->person_name ? it->person_name : ident) ||
        !cJSON_AddStringToObject(b, "identifier", ident) || call(cfg, "POST", "/contacts", b, &a)) {
      cJSON_Delete(b);
      return -1;
    }
    cJSON_Delete(b);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(a, "payload");
    contact = int_of(cJSON_GetObjectItemCaseSensitive(p, "contact"), "id");
    cJSON_Delete(a);
    if (!contact) return -1;
  }
  snprintf(source, PA_STORE_CHATWOOT_SOURCE_MAX + 1, "petamigos-%s", ident);
  snprintf(path, sizeof path, "/contacts/%lld/contact_inboxes", (long long)contact);
  b = cJSON_CreateObject();
  if (!b || !cJSON_AddNumberToObject(b, "inbox_id", (double)cfg->inbox) ||
      !cJSON_AddStringToObject(b, "source_id", source) || call(cfg, "POST", path, b, &a)) {
    cJSON_Delete(b);
    return -1;
  }
  cJSON_Delete(b);
  int same = str_is(a, "source_id", source);
  cJSON_Delete(a);
  if (!same) return -1;
  if (pa_store_chatwoot_contact_set(db, it->user_id, contact, source) != PA_STORE_OK) return -1;
  it->remote_contact = contact;
  return 0;
}

/* The conversation: looked up among the contact's by its custom attribute
 * (a try whose answer was lost may have made it; once a conversation, so
 * the look-up is cheap), then created. */
static int ensure_conversation(pa_store *db, const pa_chatwoot_config *cfg,
                               pa_store_chatwoot_item *it, const char *source) {
  char sc[32], path[PATH_MAX_BYTES];
  snprintf(sc, sizeof sc, "sc_%lld", (long long)it->conversation_id);
  cJSON *a = NULL, *b = NULL;
  int64_t remote = 0;
  snprintf(path, sizeof path, "/contacts/%lld/conversations", (long long)it->remote_contact);
  if (call(cfg, "GET", path, NULL, &a)) return -1;
  remote = find_in(a, "petamigos_conversation", "custom_attributes", sc);
  cJSON_Delete(a);
  if (!remote) {
    b = cJSON_CreateObject();
    cJSON *attrs = b ? cJSON_AddObjectToObject(b, "custom_attributes") : NULL;
    if (!attrs || !cJSON_AddStringToObject(b, "source_id", source) ||
        !cJSON_AddNumberToObject(b, "inbox_id", (double)cfg->inbox) ||
        !cJSON_AddNumberToObject(b, "contact_id", (double)it->remote_contact) ||
        !cJSON_AddStringToObject(b, "status", "open") ||
        !cJSON_AddStringToObject(attrs, "petamigos_conversation", sc) ||
        call(cfg, "POST", "/conversations", b, &a)) {
      cJSON_Delete(b);
      return -1;
    }
    cJSON_Delete(b);
    remote = int_of(a, "id");
    cJSON_Delete(a);
    if (!remote) return -1;
  }
  if (pa_store_chatwoot_conversation_set(db, it->conversation_id, remote) != PA_STORE_OK) return -1;
  it->remote_conversation = remote;
  return 0;
}

/* The message: after a failed try looked up by its source_id, then
 * created. *remote gets its Chatwoot id. */
static int send_message(const pa_chatwoot_config *cfg, const pa_store_chatwoot_item *it,
                        int64_t *remote) {
  char src[40], path[PATH_MAX_BYTES];
  snprintf(src, sizeof src, "petamigos-sm_%lld", (long long)it->message_id);
  snprintf(path, sizeof path, "/conversations/%lld/messages", (long long)it->remote_conversation);
  cJSON *a = NULL, *b = NULL;
  *remote = 0;
  if (it->attempts > 0) {
    if (call(cfg, "GET", path, NULL, &a)) return -1;
    *remote = find_in(a, "source_id", NULL, src);
    cJSON_Delete(a);
    if (*remote) return 0;
  }
  int assistant = strcmp(it->author, "assistant") == 0;
  /* The assistant's lines are private notes: the agent reads what the
   * person was told, and Chatwoot shows none of it as the person's words. */
  size_t n = strlen(it->body) + 16;
  char *content = malloc(n);
  if (!content) return -1;
  snprintf(content, n, "%s%s", assistant ? "Assistant: " : "", it->body);
  b = cJSON_CreateObject();
  int bad = !b || !cJSON_AddStringToObject(b, "content", content) ||
            !cJSON_AddStringToObject(b, "message_type", assistant ? "outgoing" : "incoming") ||
            !cJSON_AddBoolToObject(b, "private", assistant) ||
            !cJSON_AddStringToObject(b, "source_id", src) || call(cfg, "POST", path, b, &a);
  free(content);
  cJSON_Delete(b);
  if (bad) return -1;
  *remote = int_of(a, "id");
  cJSON_Delete(a);
  return *remote ? 0 : -1;
}

/* ---- the worker's round */

typedef struct due {
  pa_store_chatwoot_item it;
  char *body;
  char author[16], name[128], source[PA_STORE_CHATWOOT_SOURCE_MAX + 1];
} due;

typedef struct batch {
  due *d;
  int n;
} batch;

static int collect(void *ctx, const pa_store_chatwoot_item *it) {
  batch *b = ctx;
  due *d = &b->d[b->n];
  d->body = strdup(it->body ? it->body : "");
  if (!d->body) return -1;
  d->it = *it;
  snprintf(d->author, sizeof d->author, "%s", it->author ? it->author : "");
  snprintf(d->name, sizeof d->name, "%s", it->person_name ? it->person_name : "");
  snprintf(d->source, sizeof d->source, "%s", it->source_id ? it->source_id : "");
  d->it.body = d->body, d->it.author = d->author, d->it.person_name = d->name;
  d->it.source_id = d->source;
  d->it.subject = d->it.locale = NULL; /* not kept past the query */
  b->n++;
  return 0;
}

static int one(pa_store *db, const pa_chatwoot_config *cfg, due *d) {
  pa_store_chatwoot_item *it = &d->it;
  if (!it->remote_contact && ensure_contact(db, cfg, it, d->source)) return -1;
  if (!it->remote_conversation && ensure_conversation(db, cfg, it, d->source)) return -1;
  int64_t remote = 0;
  if (send_message(cfg, it, &remote)) return -1;
  return pa_store_chatwoot_sent(db, it->id, it->message_id, remote) == PA_STORE_OK ? 0 : -1;
}

void pa_chatwoot_work(pa_store *db, const pa_chatwoot_config *cfg, long long now) {
  if (!cfg) return;
  due *d = calloc(PA_CHATWOOT_BATCH, sizeof *d);
  if (!d) return;
  batch b = {d, 0};
  if (pa_store_chatwoot_due(db, now, PA_CHATWOOT_BATCH, collect, &b) != PA_STORE_OK)
    pa_log_event("error", "chatwoot", "cannot read the outbox: %s", pa_store_errmsg(db));
  /* A conversation's messages go in order: after one fails, the later ones
   * of the same conversation wait for the next round. */
  int64_t failed[PA_CHATWOOT_BATCH];
  int nfailed = 0;
  for (int i = 0; i < b.n; i++) {
    pa_store_chatwoot_item *it = &d[i].it;
    int skip = 0;
    for (int j = 0; j < nfailed; j++) skip |= failed[j] == it->conversation_id;
    if (skip) continue;
    /* A contact or conversation made by an earlier item of this round. */
    for (int j = 0; j < i; j++) {
      if (d[j].it.user_id == it->user_id && d[j].it.remote_contact && !it->remote_contact) {
        it->remote_contact = d[j].it.remote_contact;
        if (i != j) memcpy(d[i].source, d[j].source, sizeof d[i].source);
      }
      if (d[j].it.conversation_id == it->conversation_id && d[j].it.remote_conversation)
        it->remote_conversation = d[j].it.remote_conversation;
    }
    if (one(db, cfg, &d[i]) == 0) continue;
    failed[nfailed++] = it->conversation_id;
    if (it->attempts + 1 >= PA_CHATWOOT_ATTEMPTS_MAX) {
      pa_log_event("error", "chatwoot", "sm_%lld not mirrored after %lld tries: dropped",
                   (long long)it->message_id, (long long)it->attempts + 1);
      pa_store_chatwoot_drop(db, it->id);
      continue;
    }
    long long wait = PA_CHATWOOT_RETRY_BASE_S;
    for (int64_t k = 0; k < it->attempts && wait < PA_CHATWOOT_RETRY_MAX_S; k++) wait *= 2;
    if (wait > PA_CHATWOOT_RETRY_MAX_S) wait = PA_CHATWOOT_RETRY_MAX_S;
    pa_store_chatwoot_retry(db, it->id, it->attempts + 1, now + wait);
  }
  for (int i = 0; i < b.n; i++) free(d[i].body);
  free(d);
}

void pa_chatwoot_round(pa_store *db, void *ctx) {
  (void)ctx;
  pa_chatwoot_work(db, pa_chatwoot_config_get(), pa_clock_now());
}
