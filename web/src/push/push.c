/* pa_push: the VAPID identity, the words of a push and one send. */
#include "push/push.h"

#include "log.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct pa_push {
  uint8_t priv[PA_PUSH_PRIV_LEN];
  char pub_b64[96];
  char subject[260];
  char site_root[PATH_MAX];
  pa_push_policy policy;
};

enum { KEY_B64_LEN = 43 }; /* 32 bytes in base64url */

static int key_from_b64(const char *s, uint8_t priv[PA_PUSH_PRIV_LEN]) {
  size_t n = 0;
  uint8_t buf[PA_PUSH_PRIV_LEN + 1];
  uint8_t pub[PA_PUSH_PUB_LEN];
  size_t len = strcspn(s, "\r\n");
  if (pa_push_b64url_decode(s, len, buf, sizeof buf, &n) || n != PA_PUSH_PRIV_LEN) return -1;
  if (pa_push_pubkey(buf, pub)) return -1;
  memcpy(priv, buf, PA_PUSH_PRIV_LEN);
  return 0;
}

/* The key kept in the data folder: read it, or make it once (O_EXCL, so two
 * servers starting together keep the same one). */
static int key_from_file(const char *data_dir, uint8_t priv[PA_PUSH_PRIV_LEN], char *err,
                         size_t errlen) {
  char path[PATH_MAX], text[128];
  snprintf(path, sizeof path, "%s/vapid-private-key", data_dir);
  for (int tries = 0; tries < 2; tries++) {
    FILE *f = fopen(path, "r");
    if (f) {
      size_t n = fread(text, 1, sizeof text - 1, f);
      fclose(f);
      text[n] = 0;
      if (key_from_b64(text, priv) == 0) return 0;
      snprintf(err, errlen, "%s does not hold a P-256 private key in base64url", path);
      return -1;
    }
    uint8_t pub[PA_PUSH_PUB_LEN];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0 || pa_push_keygen(priv, pub) ||
        pa_push_b64url_encode(priv, PA_PUSH_PRIV_LEN, text, sizeof text)) {
      if (fd >= 0) close(fd), unlink(path);
      snprintf(err, errlen, "cannot make %s: %s", path, strerror(errno));
      return -1;
    }
    size_t n = strlen(text);
    text[n++] = '\n';
    int ok = write(fd, text, n) == (ssize_t)n;
    ok = close(fd) == 0 && ok;
    if (!ok) {
      unlink(path);
      snprintf(err, errlen, "cannot write %s", path);
      return -1;
    }
    return 0;
  }
  snprintf(err, errlen, "cannot read %s", path);
  return -1;
}

pa_push *pa_push_new(const char *data_dir, const char *site_root, char *err, size_t errlen) {
  pa_push *p = calloc(1, sizeof *p);
  if (!p) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  const char *env = getenv("PA_VAPID_PRIVATE_KEY");
  int rc = env && *env ? key_from_b64(env, p->priv) : key_from_file(data_dir, p->priv, err, errlen);
  if (rc && env && *env)
    snprintf(err, errlen, "PA_VAPID_PRIVATE_KEY is not a P-256 private key in base64url");
  uint8_t pub[PA_PUSH_PUB_LEN];
  if (!rc && (pa_push_pubkey(p->priv, pub) ||
              pa_push_b64url_encode(pub, sizeof pub, p->pub_b64, sizeof p->pub_b64))) {
    snprintf(err, errlen, "cannot derive the VAPID public key");
    rc = -1;
  }
  const char *sub = getenv("PA_VAPID_SUBJECT");
  if (!sub || !*sub) sub = "mailto:push@petamigos.invalid";
  if (!rc && ((strncmp(sub, "mailto:", 7) != 0 && strncmp(sub, "https://", 8) != 0) ||
              strlen(sub) >= sizeof p->subject || strpbrk(sub, "\"\\"))) {
    snprintf(err, errlen,
             "PA_VAPID_SUBJECT must be a mailto: or https: URL (RFC 8292 section 2.1)");
    rc = -1;
  }
  if (!rc) snprintf(p->subject, sizeof p->subject, "%s", sub);
  snprintf(p->site_root, sizeof p->site_root, "%s", site_root);
  pa_push_policy_default(&p->policy);
  const char *standin = getenv("PA_PUSH_SERVICE");
  if (!rc && standin && *standin && pa_push_policy_standin(&p->policy, standin)) {
    snprintf(err, errlen,
             "PA_PUSH_SERVICE must be http://127.0.0.1:PORT (a stand-in on this machine)");
    rc = -1;
  }
  if (rc) {
    pa_push_free(p);
    return NULL;
  }
  return p;
}

void pa_push_free(pa_push *p) {
  if (!p) return;
  memset(p->priv, 0, sizeof p->priv);
  free(p);
}

const char *pa_push_public_key(const pa_push *p) { return p->pub_b64; }
const pa_push_policy *pa_push_policy_get(const pa_push *p) { return &p->policy; }

/* A message of the catalog for tag; NULL when it has none. The caller frees
 * *doc (the message points into it). */
static const char *message(const char *root, const char *tag, const char *key, cJSON **doc) {
  char path[PATH_MAX];
  *doc = NULL;
  snprintf(path, sizeof path, "%s/locales/%s.json", root, tag);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *text = NULL;
  long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  if (n > 0 && n < 4 * 1024 * 1024 && fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)n))) {
    if (fread(text, 1, (size_t)n, f) == (size_t)n) *doc = cJSON_ParseWithLength(text, (size_t)n);
    free(text);
  }
  fclose(f);
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(*doc, key);
  return cJSON_IsString(m) ? m->valuestring : NULL;
}

/* key's words in locale (then its language, then en) with {name} filled. */
static void words(const pa_push *p, const char *locale, const char *key, const char *name,
                  char *out, size_t cap) {
  char tags[3][PA_PUSH_LOCALE_MAX + 1];
  snprintf(tags[0], sizeof tags[0], "%s", locale);
  snprintf(tags[1], sizeof tags[1], "%.*s", (int)strcspn(locale, "-"), locale);
  snprintf(tags[2], sizeof tags[2], "en");
  cJSON *doc = NULL;
  const char *m = NULL;
  for (int i = 0; i < 3 && !m; i++) {
    cJSON_Delete(doc);
    m = message(p->site_root, tags[i], key, &doc);
  }
  if (!m) m = key; /* a site without catalogs (tests of the C alone) */
  size_t o = 0;
  while (*m && o + 1 < cap) {
    if (strncmp(m, "{name}", 6) == 0) {
      int w = snprintf(out + o, cap - o, "%s", name);
      o += w < 0 ? 0 : (size_t)w < cap - o ? (size_t)w : cap - o - 1;
      m += 6;
    } else {
      out[o++] = *m++;
    }
  }
  out[o] = 0;
  cJSON_Delete(doc);
}

typedef struct kind_words {
  const char *kind, *key, *tag; /* tag: the notification's group on the device */
  int url; /* 0 notifications, 1 the post, 2 the person, 3 chat, 4 billing, 5 the order,
              6 the support conversation, 7 the live */
} kind_words;

static const kind_words kinds[] = {
    {"like", "push.like", "like", 1},
    {"comment", "push.comment", "comment", 1},
    {"reply", "push.reply", "comment", 1},
    {"follow", "push.follow", "follow", 2},
    {"pet_follow", "push.petFollow", "follow", 2},
    {"chat", "push.chat", "chat", 3},
    /* A call ringing (issue 22): "Incoming call", the caller's name as the
     * body and nothing else, the conversation as the screen to open. */
    {"call", "push.call", "call", 3},
    {"follow_request", "push.followRequest", "follow", 0},
    {"follow_accepted", "push.followAccepted", "follow", 2},
    {"health_due", "push.healthDue", "health", 0},
    {"moderation", "push.moderation", "account", 0},
    {"security", "push.security", "account", 0},
    {"billing_renewal_failed", "push.billing", "billing", 4},
    {"billing_downgraded", "push.billing", "billing", 4},
    /* A step of a marketplace order (orders.h); the notice says which. */
    {"order", "push.order", "order", 5},
    /* An agent answered the person's support conversation (api/support.c). */
    {"support_reply", "push.supportReply", "support", 6},
    /* A person or pet followed went live (issue 24, api/live.c): "<name> is live", the
     * pet's name and the title as the body; the live's replay is ready or failed. */
    {"live", "push.live", "live", 7},
    {"live_replay", "push.liveReplay", "live", 7},
};

/* The screen of the item a notice's detail names in member (an order's
 * {"order": "ord_12", ...} from orders.c's pa_orders_tell, a support reply's
 * {"conversation": "sc_3"} from api/support.c) as "<dir>/<id>" into out, or
 * -1 when it names none well formed: the path goes to the device as is, so
 * only the id's prefix, its '_' and a canonical decimal. */
static int detail_url(const char *detail, const char *member, const char *prefix, const char *dir,
                      char *out, size_t cap) {
  cJSON *d = cJSON_Parse(detail ? detail : "");
  const cJSON *o = cJSON_GetObjectItemCaseSensitive(d, member);
  const char *s = cJSON_IsString(o) ? o->valuestring : "";
  size_t n = strlen(s), p = strlen(prefix);
  int ok = n > p && n <= p + 18 && strncmp(s, prefix, p) == 0 && s[p] != '0' &&
           strspn(s + p, "0123456789") == n - p;
  if (ok) snprintf(out, cap, "%s/%s", dir, s);
  cJSON_Delete(d);
  return ok ? 0 : -1;
}

/* A live's push body: the pet's name and the title the notice's detail
 * carries ("Rex · Evening walk", or the name alone); body kept otherwise. */
static void live_body(const char *detail, char *body, size_t cap) {
  cJSON *d = cJSON_Parse(detail ? detail : "");
  const cJSON *pet = cJSON_GetObjectItemCaseSensitive(d, "pet"),
              *title = cJSON_GetObjectItemCaseSensitive(d, "title");
  const char *p = cJSON_IsString(pet) ? pet->valuestring : "",
             *t = cJSON_IsString(title) ? title->valuestring : "";
  if (*p && *t)
    snprintf(body, cap, "%s \u00b7 %s", p, t);
  else if (*p || *t)
    snprintf(body, cap, "%s", *p ? p : t);
  cJSON_Delete(d);
}

int pa_push_payload(const pa_push *p, const pa_store_push_item *it, char *out, size_t cap) {
  const kind_words *k = NULL;
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
    if (strcmp(kinds[i].kind, it->n_kind) == 0) k = &kinds[i];
  if (!k) return PA_PUSH_EINVAL; /* a kind added without its words: dropped, and logged */
  char title[PA_PUSH_TEXT_MAX], body[PA_PUSH_TEXT_MAX], url[64];
  words(p, it->locale, k->key, it->actor_name, title, sizeof title);
  /* A message's body names its sender; the others' titles say it all. */
  words(p, it->locale, k->url == 3 ? "push.chat.body" : "push.open", it->actor_name, body,
        sizeof body);
  if (strcmp(k->kind, "call") == 0) snprintf(body, sizeof body, "%s", it->actor_name);
  switch (k->url) {
  case 1: snprintf(url, sizeof url, "/posts/p_%lld", (long long)it->post_id); break;
  case 2: snprintf(url, sizeof url, "/people/u_%lld", (long long)it->actor_id); break;
  case 3: snprintf(url, sizeof url, "/chat/u_%lld", (long long)it->actor_id); break;
  case 4: snprintf(url, sizeof url, "/billing"); break;
  case 5:
    if (detail_url(it->detail, "order", "ord_", "/orders", url, sizeof url))
      snprintf(url, sizeof url, "/notifications");
    break;
  case 6:
    if (detail_url(it->detail, "conversation", "sc_", "/support", url, sizeof url))
      snprintf(url, sizeof url, "/notifications");
    break;
  case 7:
    if (detail_url(it->detail, "live", "live_", "/live", url, sizeof url))
      snprintf(url, sizeof url, "/notifications");
    if (strcmp(k->kind, "live") == 0) live_body(it->detail, body, sizeof body);
    break;
  default: snprintf(url, sizeof url, "/notifications");
  }
  if ((k->url == 1 && !it->post_id) || ((k->url == 2 || k->url == 3) && !it->actor_id))
    snprintf(url, sizeof url, "/notifications");
  cJSON *j = cJSON_CreateObject();
  if (!j || !cJSON_AddStringToObject(j, "title", title) ||
      !cJSON_AddStringToObject(j, "body", body) || !cJSON_AddStringToObject(j, "url", url) ||
      !cJSON_AddStringToObject(j, "tag", k->tag) ||
      !cJSON_AddStringToObject(j, "kind", it->n_kind)) {
    cJSON_Delete(j);
    return PA_PUSH_ECRYPTO;
  }
  int ok = cJSON_PrintPreallocated(j, out, (int)cap, 0);
  cJSON_Delete(j);
  return ok && strlen(out) <= PA_PUSH_PAYLOAD_MAX ? PA_PUSH_OK : PA_PUSH_ESPACE;
}

static size_t discard(char *ptr, size_t size, size_t n, void *ctx) {
  (void)ptr, (void)ctx;
  return size * n;
}

int pa_push_send(const pa_push *p, const pa_store_push_item *it, const char *payload,
                 long long now) {
  char origin[PA_PUSH_ORIGIN_MAX + 1];
  /* The policy again at send time: a row written under another
   * configuration (the stand-in gone) is never sent. */
  if (!pa_push_endpoint_ok(it->endpoint, &p->policy, origin, sizeof origin)) return 410;
  size_t plain = strlen(payload), pad = (PA_PUSH_PAD_TO - plain % PA_PUSH_PAD_TO) % PA_PUSH_PAD_TO;
  if (plain + pad > PA_PUSH_PLAIN_MAX) pad = PA_PUSH_PLAIN_MAX - plain;
  uint8_t body[PA_PUSH_BODY_MAX];
  size_t blen = 0;
  char jwt[PA_PUSH_JWT_MAX], auth[PA_PUSH_JWT_MAX + 160], ttl[40];
  if (pa_push_encrypt((const uint8_t *)payload, plain, it->p256dh, it->auth, pad, body, sizeof body,
                      &blen) ||
      pa_push_vapid_jwt(p->priv, origin, now + PA_PUSH_VAPID_SECONDS, p->subject, jwt, sizeof jwt))
    return 0;
  snprintf(auth, sizeof auth, "Authorization: vapid t=%s, k=%s", jwt, p->pub_b64);
  snprintf(ttl, sizeof ttl, "TTL: %d", PA_PUSH_TTL_SECONDS);
  CURL *c = curl_easy_init();
  if (!c) return 0;
  struct curl_slist *h = NULL;
  h = curl_slist_append(h, auth);
  h = curl_slist_append(h, ttl);
  /* A message is worth waking a phone for; a like can wait for a good moment. */
  h = curl_slist_append(h, strcmp(it->n_kind, "chat") == 0 || strcmp(it->n_kind, "security") == 0
                               ? "Urgency: high"
                               : "Urgency: normal");
  h = curl_slist_append(h, "Content-Encoding: aes128gcm");
  h = curl_slist_append(h, "Content-Type: application/octet-stream");
  h = curl_slist_append(h, "Expect:");
  long status = 0;
  curl_easy_setopt(c, CURLOPT_URL, it->endpoint);
  /* Only the scheme the policy allowed, never a redirect elsewhere. */
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, p->policy.standin[0] ? "http,https" : "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)PA_PUSH_TIMEOUT_MS);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)blen);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  return (int)status;
}
