/* pa_mail: wording, formatting and delivering the server's e-mail. */
#include "mail/mail.h"

#include "log.h"
#include "store/email.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
  CATALOG_MAX = 1 << 20, /* bytes of a catalog file we read */
  TAG_MAX = 16,
  SUBJECT_CHUNK = 39,  /* bytes per RFC 2047 encoded word: 52 characters, a line within 78 */
  B64_LINE = 76,       /* RFC 2045's longest encoded line */
  WIRE_MAX = 16 * 1024 /* a formatted message: headers and the base64 body */
};

struct pa_mail {
  char url[PA_MAIL_URL_MAX + 1];
  char from[PA_MAIL_ADDR_MAX + 1];
  char user[PA_MAIL_SECRET_MAX + 1];
  char password[PA_MAIL_SECRET_MAX + 1];
};

/* curl_global_init is not thread-safe in older libcurl: run it once (pay/http.c
 * does the same; curl counts the calls). */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;
static void global_init(void) { global_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

/* An address for headers and SMTP: printable ASCII without spaces, quotes,
 * angle brackets or commas, one '@' inside. */
static int addr_ok(const char *a) {
  size_t n = strlen(a);
  const char *at = strchr(a, '@');
  if (n < 3 || n > PA_MAIL_ADDR_MAX || !at || at == a || !at[1] || strchr(at + 1, '@')) return 0;
  for (const char *p = a; *p; p++)
    if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr("\"<>,;()[]\\", *p))
      return 0;
  return 1;
}

static int env_copy(const char *name, char *out, size_t cap, char *err) {
  const char *v = getenv(name);
  out[0] = '\0';
  if (!v || !*v) return 0;
  if (strlen(v) >= cap) {
    snprintf(err, PA_MAIL_ERR_MAX, "%s is longer than %zu bytes", name, cap - 1);
    return -1;
  }
  memcpy(out, v, strlen(v) + 1);
  return 0;
}

int pa_mail_new(pa_mail **out, char *err) {
  *out = NULL;
  pa_mail *m = calloc(1, sizeof *m);
  if (!m) {
    snprintf(err, PA_MAIL_ERR_MAX, "out of memory");
    return PA_MAIL_ENOMEM;
  }
  if (env_copy("PA_SMTP_URL", m->url, sizeof m->url, err) ||
      env_copy("PA_SMTP_FROM", m->from, sizeof m->from, err) ||
      env_copy("PA_SMTP_USER", m->user, sizeof m->user, err) ||
      env_copy("PA_SMTP_PASSWORD", m->password, sizeof m->password, err))
    goto bad;
  if (m->url[0] && strncmp(m->url, "smtp://", 7) != 0 && strncmp(m->url, "smtps://", 8) != 0) {
    snprintf(err, PA_MAIL_ERR_MAX, "PA_SMTP_URL must start with smtp:// or smtps://");
    goto bad;
  }
  if (m->url[0] && !addr_ok(m->from)) {
    snprintf(err, PA_MAIL_ERR_MAX, "PA_SMTP_FROM must be an address like petamigos@example.org");
    goto bad;
  }
  if (m->url[0]) {
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
      snprintf(err, PA_MAIL_ERR_MAX, "libcurl did not start");
      goto bad;
    }
  }
  *out = m;
  return PA_MAIL_OK;
bad:
  sodium_memzero(m, sizeof *m);
  free(m);
  return PA_MAIL_EINVAL;
}

void pa_mail_free(pa_mail *m) {
  if (!m) return;
  sodium_memzero(m, sizeof *m);
  free(m);
}

int pa_mail_smtp(const pa_mail *m) { return m && m->url[0]; }

/* ---- words */

static cJSON *read_catalog(const char *root, const char *tag) {
  char path[PATH_MAX + 64];
  struct stat st;
  snprintf(path, sizeof path, "%s/locales/%s.json", root, tag);
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return NULL;
  cJSON *cat = NULL;
  char *text = NULL;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size <= CATALOG_MAX &&
      (text = malloc((size_t)st.st_size)) != NULL &&
      read(fd, text, (size_t)st.st_size) == (ssize_t)st.st_size)
    cat = cJSON_ParseWithLength(text, (size_t)st.st_size);
  free(text);
  close(fd);
  if (cat && !cJSON_IsObject(cat)) {
    cJSON_Delete(cat);
    cat = NULL;
  }
  return cat;
}

static int tag_ok(const char *t) {
  size_t n = t ? strlen(t) : 0;
  if (n < 2 || n >= TAG_MAX) return 0;
  for (size_t i = 0; i < n; i++)
    if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
          (t[i] >= '0' && t[i] <= '9') || t[i] == '-'))
      return 0;
  return 1;
}

static const char *word(const cJSON *cat, const cJSON *en, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(cat, key);
  if (!cJSON_IsString(v)) v = cJSON_GetObjectItemCaseSensitive(en, key);
  return cJSON_IsString(v) ? v->valuestring : key;
}

/* Writes message m into out (cap bytes) with {link}, {email}, {name}
 * replaced and '' made an apostrophe (ICU MessageFormat's quoting); -1 when it
 * does not fit. */
static int fill(const char *m, const pa_mail_args *a, char *out, size_t cap) {
  static const char *const names[] = {"link", "email", "name"};
  const char *values[] = {a->link, a->email, a->name};
  size_t n = 0;
  while (*m) {
    const char *put = m;
    size_t len = 1, skip = 1;
    if (m[0] == '\'' && m[1] == '\'') {
      skip = 2;
    } else if (m[0] == '{') {
      for (int i = 0; i < 3; i++) {
        size_t nl = strlen(names[i]);
        if (strncmp(m + 1, names[i], nl) == 0 && m[1 + nl] == '}') {
          put = values[i] ? values[i] : "";
          len = strlen(put);
          skip = nl + 2;
          break;
        }
      }
    }
    if (n + len >= cap) return -1;
    memcpy(out + n, put, len);
    n += len;
    m += skip;
  }
  out[n] = '\0';
  return 0;
}

/* The English words, for a site whose catalogs lack the keys: a message
 * worded by its key alone would lose its link. */
static const char *const fallback[3][2] = {
    {"Reset your PetAmigos password",
     "Someone asked to reset the password of the PetAmigos account for {email}. To choose a new "
     "password, open this link:\n\n{link}\n\nThe link works once, within one hour. If you did "
     "not ask for it, ignore this message."},
    {"Confirm your new PetAmigos e-mail address",
     "To use {email} for your PetAmigos account, open this link:\n\n{link}\n\nThe link works "
     "once, within 24 hours. If you did not ask for this, ignore this message."},
    {"Your PetAmigos e-mail address is changing",
     "Someone signed in to your PetAmigos account asked to change its e-mail address to {email}. "
     "Nothing changes until the new address is confirmed. If this was not you, change your "
     "password now."}};

int pa_mail_compose(const char *root, const char *locale, pa_mail_kind kind, const pa_mail_args *a,
                    char *subject, char *body) {
  if ((int)kind < 0 || kind > PA_MAIL_CHANGE_NOTICE) return -1;
  static const char *const kinds[] = {"reset", "changeConfirm", "changeNotice"};
  char key[64];
  const char *tag = tag_ok(locale) ? locale : "en";
  cJSON *en = read_catalog(root, "en");
  cJSON *cat = strcmp(tag, "en") == 0 ? NULL : read_catalog(root, tag);
  snprintf(key, sizeof key, "mail.%sSubject", kinds[kind]);
  const char *w = word(cat, en, key);
  int rc = fill(w == key ? fallback[kind][0] : w, a, subject, PA_MAIL_SUBJECT_MAX + 1);
  snprintf(key, sizeof key, "mail.%sBody", kinds[kind]);
  w = word(cat, en, key);
  if (rc == 0) rc = fill(w == key ? fallback[kind][1] : w, a, body, PA_MAIL_BODY_MAX + 1);
  cJSON_Delete(cat);
  cJSON_Delete(en);
  return rc;
}

/* ---- the message on the wire */

typedef struct out_buf {
  char *p;
  size_t n, cap;
  int full;
} out_buf;

static void put(out_buf *b, const char *s, size_t n) {
  if (b->full || b->n + n >= b->cap) {
    b->full = 1;
    return;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
}

static void puts_(out_buf *b, const char *s) { put(b, s, strlen(s)); }

/* s (n bytes) in base64, in lines of B64_LINE joined by CRLF. */
static void put_b64(out_buf *b, const char *s, size_t n, int lines) {
  char enc[B64_LINE + 1];
  const size_t chunk = B64_LINE / 4 * 3; /* 57 bytes -> 76 characters */
  for (size_t i = 0; i < n || (n == 0 && i == 0); i += chunk) {
    size_t take = n - i < chunk ? n - i : chunk;
    sodium_bin2base64(enc, sizeof enc, (const unsigned char *)s + i, take,
                      sodium_base64_VARIANT_ORIGINAL);
    puts_(b, enc);
    if (lines) put(b, "\r\n", 2);
    if (n == 0) break;
  }
}

long pa_mail_format(const char *from, const char *to, const char *subject, const char *body,
                    int64_t now, char *out, size_t cap) {
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char line[PA_MAIL_ADDR_MAX + 128], id[33];
  unsigned char rnd[16];
  struct tm tm;
  time_t t = (time_t)now;
  out_buf b = {out, 0, cap, cap == 0};
  if (!addr_ok(from) || !addr_ok(to) || !gmtime_r(&t, &tm)) return -1;
  if (cap) out[0] = '\0';
  snprintf(line, sizeof line, "From: PetAmigos <%s>\r\nTo: <%s>\r\n", from, to);
  puts_(&b, line);
  /* RFC 2047: the subject in UTF-8, base64 in one encoded word per chunk of
   * at most SUBJECT_CHUNK bytes; a chunk never
   * splits a UTF-8 sequence. */
  puts_(&b, "Subject:");
  for (size_t i = 0, n = strlen(subject); i < n || i == 0;) {
    size_t take = n - i < SUBJECT_CHUNK ? n - i : SUBJECT_CHUNK;
    while (take && i + take < n && ((unsigned char)subject[i + take] & 0xC0) == 0x80) take--;
    if (!take && n) return -1;
    puts_(&b, i ? "\r\n =?UTF-8?B?" : " =?UTF-8?B?");
    put_b64(&b, subject + i, take, 0);
    puts_(&b, "?=");
    i += take;
    if (n == 0) break;
  }
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2hex(id, sizeof id, rnd, sizeof rnd);
  snprintf(line, sizeof line,
           "\r\nDate: %s, %02d %s %04d %02d:%02d:%02d +0000\r\nMessage-ID: <%s%s>\r\n",
           days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
           tm.tm_min, tm.tm_sec, id, strchr(from, '@'));
  puts_(&b, line);
  puts_(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n");
  put_b64(&b, body, strlen(body), 1);
  return b.full ? -1 : (long)b.n;
}

/* ---- delivery */

typedef struct reader {
  const char *p;
  size_t left;
} reader;

static size_t on_read(char *dst, size_t size, size_t nitems, void *ud) {
  reader *r = ud;
  size_t n = size * nitems < r->left ? size * nitems : r->left;
  memcpy(dst, r->p, n);
  r->p += n;
  r->left -= n;
  return n;
}

/* One SMTP conversation; 0 when the server took the message. */
static int smtp_send(const pa_mail *m, const char *to, const char *wire, size_t len, char *why,
                     size_t whycap) {
  char rcpt[PA_MAIL_ADDR_MAX + 3], from[PA_MAIL_ADDR_MAX + 3];
  CURL *c = curl_easy_init();
  if (!c) {
    snprintf(why, whycap, "out of memory");
    return -1;
  }
  snprintf(rcpt, sizeof rcpt, "<%s>", to);
  snprintf(from, sizeof from, "<%s>", m->from);
  struct curl_slist *list = curl_slist_append(NULL, rcpt);
  reader r = {wire, len};
  curl_easy_setopt(c, CURLOPT_URL, m->url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)PA_MAIL_TIMEOUT_S);
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, list);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt(c, CURLOPT_READDATA, &r);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  if (m->user[0]) {
    /* Credentials never cross the network in the clear. */
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    curl_easy_setopt(c, CURLOPT_USERNAME, m->user);
    curl_easy_setopt(c, CURLOPT_PASSWORD, m->password);
  } else {
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
  }
  CURLcode rc = list ? curl_easy_perform(c) : CURLE_OUT_OF_MEMORY;
  if (rc != CURLE_OK) snprintf(why, whycap, "%s", curl_easy_strerror(rc));
  curl_slist_free_all(list);
  curl_easy_cleanup(c);
  return rc == CURLE_OK ? 0 : -1;
}

int pa_mail_send(const pa_mail *m, pa_store *db, pa_mail_kind kind, const char *to,
                 const char *subject, const char *body, int64_t now) {
  static const char *const kinds[] = {"reset", "change_confirm", "change_notice"};
  const char *status = "kept";
  if (!addr_ok(to) || (int)kind < 0 || kind > PA_MAIL_CHANGE_NOTICE) return PA_MAIL_EINVAL;
  if (pa_mail_smtp(m)) {
    char *wire = malloc(WIRE_MAX), why[128] = "";
    long len = wire ? pa_mail_format(m->from, to, subject, body, now, wire, WIRE_MAX) : -1;
    int sent = len > 0 && smtp_send(m, to, wire, (size_t)len, why, sizeof why) == 0;
    if (wire) sodium_memzero(wire, WIRE_MAX); /* it held the link */
    free(wire);
    if (sent) {
      pa_log_event("info", "mail", "sent a %s message through SMTP", kinds[kind]);
      return PA_MAIL_OK;
    }
    pa_log_event("error", "mail", "SMTP did not take a %s message (%s); kept in the outbox",
                 kinds[kind], len > 0 ? why : "it did not fit");
    status = "failed";
  }
  pa_store_outbox_msg msg = {0, now, kinds[kind], to, subject, body, status};
  return pa_store_email_outbox_add(db, &msg) == PA_STORE_OK ? PA_MAIL_OK : PA_MAIL_EDB;
}
