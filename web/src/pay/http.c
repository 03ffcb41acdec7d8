/* pa_payhttp — a small libcurl wrapper. */
#include "pay/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* curl_global_init is not thread-safe in older libcurl: run it once. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;
static void global_init(void) { global_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

typedef struct sink {
  char *buf;
  size_t len, cap;
  int too_big, nomem;
} sink;

static size_t on_data(char *data, size_t size, size_t nmemb, void *ud) {
  sink *s = ud;
  size_t n = size * nmemb;
  if (s->len + n > PA_PAYHTTP_BODY_MAX) {
    s->too_big = 1;
    return 0; /* aborts the transfer */
  }
  if (s->len + n + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 4096;
    while (cap < s->len + n + 1) cap *= 2;
    char *b = realloc(s->buf, cap);
    if (!b) {
      s->nomem = 1;
      return 0;
    }
    s->buf = b, s->cap = cap;
  }
  memcpy(s->buf + s->len, data, n);
  s->len += n;
  s->buf[s->len] = 0;
  return n;
}

void pa_payhttp_resp_free(pa_payhttp_resp *r) {
  if (!r) return;
  free(r->body);
  r->body = NULL;
  r->len = 0;
}

int pa_payhttp_request(const char *method, const char *url, const char *const *headers,
                       int nheaders, const char *body, size_t len, long timeout_ms,
                       pa_payhttp_resp *out, char err[PA_PAY_ERR_MAX]) {
  memset(out, 0, sizeof *out);
  err[0] = 0;
  pthread_once(&global_once, global_init);
  if (global_rc != CURLE_OK) {
    snprintf(err, PA_PAY_ERR_MAX, "libcurl did not initialise");
    return PA_PAY_ENOMEM;
  }
  if (nheaders < 0 || nheaders > PA_PAYHTTP_HEADERS_MAX || timeout_ms <= 0) {
    snprintf(err, PA_PAY_ERR_MAX, "bad request parameters");
    return PA_PAY_ENOMEM;
  }
  CURL *c = curl_easy_init();
  struct curl_slist *hl = NULL;
  int rc = PA_PAY_ENOMEM;
  sink s = {0};
  if (!c) goto done;
  for (int i = 0; i < nheaders; i++) {
    struct curl_slist *n = curl_slist_append(hl, headers[i]);
    if (!n) goto done;
    hl = n;
  }
  /* libcurl adds "Expect: 100-continue" to larger POSTs: one round trip
   * more for nothing. */
  struct curl_slist *n = curl_slist_append(hl, "Expect:");
  if (!n) goto done;
  hl = n;
  long connect_ms = timeout_ms < PA_PAYHTTP_CONNECT_MAX_MS ? timeout_ms : PA_PAYHTTP_CONNECT_MAX_MS;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  } else if (strcmp(method, "GET") == 0) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
    /* An empty body, with Content-Length: 0. */
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
  }
  CURLcode cr = curl_easy_perform(c);
  if (s.nomem) {
    snprintf(err, PA_PAY_ERR_MAX, "out of memory reading the answer");
    rc = PA_PAY_ENOMEM;
    goto done;
  }
  if (s.too_big) {
    snprintf(err, PA_PAY_ERR_MAX, "answer larger than %d bytes", PA_PAYHTTP_BODY_MAX);
    rc = PA_PAY_EBADANSWER;
    goto done;
  }
  if (cr != CURLE_OK) {
    /* curl's text names the failure (timeout, refused), never the URL's
     * credentials or the body. */
    snprintf(err, PA_PAY_ERR_MAX, "unreachable: %s", curl_easy_strerror(cr));
    rc = PA_PAY_EUNREACHABLE;
    goto done;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
  out->body = s.buf;
  out->len = s.len;
  s.buf = NULL;
  if (!out->body) {
    out->body = calloc(1, 1);
    if (!out->body) goto done;
  }
  rc = PA_PAY_OK;
done:
  if (rc == PA_PAY_ENOMEM && !err[0]) snprintf(err, PA_PAY_ERR_MAX, "out of memory");
  free(s.buf);
  curl_slist_free_all(hl);
  if (c) curl_easy_cleanup(c);
  return rc;
}
