/* E-mail and profile checks at their edges, without a network: the message
 * pa_mail_format hands to SMTP (headers, RFC 2047 subject never split inside
 * a UTF-8 sequence, base64 body, addresses of PA_MAIL_ADDR_MAX bytes and one
 * more), pa_mail_compose (catalog words, {link}/{email} filled, '' quoting,
 * English built in when a site has no mail.* keys, PA_MAIL_BODY_MAX), the
 * configuration pa_mail_new reads (PA_MAIL_URL_MAX, PA_SMTP_FROM needed), and
 * pa_profile_link_ok / pa_profile_country_ok at theirs. */
#include "mail/mail.h"
#include "pa_test.h"
#include "profile.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *addr_of(size_t n) { /* "aaa…@example.org" of n bytes */
  static char buf[PA_MAIL_ADDR_MAX + 8];
  const char *dom = "@example.org";
  size_t d = strlen(dom);
  memset(buf, 'a', n - d);
  memcpy(buf + n - d, dom, d + 1);
  return buf;
}

static void test_format(void) {
  char out[16384], to[PA_MAIL_ADDR_MAX + 8];
  snprintf(to, sizeof to, "%s", addr_of(PA_MAIL_ADDR_MAX));
  long n = pa_mail_format(
      "hello@petamigos.test", to, "Olá, ação — 🐾 é aqui, um assunto bem comprido para dobrar",
      "Body\nwith a link https://x.example/reset#token=abc", 0, out, sizeof out);
  CHECK(n > 0 && (size_t)n == strlen(out));
  CHECK_CONTAINS(out, "From: PetAmigos <hello@petamigos.test>\r\n");
  CHECK_CONTAINS(out, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n");
  CHECK_CONTAINS(out, "Content-Transfer-Encoding: base64\r\n");
  CHECK_CONTAINS(out, "@petamigos.test>\r\n");
  /* Every encoded word decodes to whole UTF-8 (each chunk valid on its own). */
  for (const char *w = strstr(out, "=?UTF-8?B?"); w; w = strstr(w + 1, "=?UTF-8?B?")) {
    const char *end = strstr(w + 10, "?=");
    unsigned char bin[64];
    size_t len = 0;
    CHECK(end && sodium_base642bin(bin, sizeof bin, w + 10, (size_t)(end - w - 10), NULL, &len,
                                   NULL, sodium_base64_VARIANT_ORIGINAL) == 0);
    CHECK(len > 0 && (bin[0] & 0xC0) != 0x80);
  }
  /* No header line longer than RFC 5322's 78 characters. */
  const char *head_end = strstr(out, "\r\n\r\n");
  for (const char *l = out; l < head_end;) {
    const char *e = strstr(l, "\r\n");
    if (strncmp(l, "To:", 3) != 0) CHECK(e - l <= 78);
    l = e + 2;
  }
  snprintf(to, sizeof to, "%s", addr_of(PA_MAIL_ADDR_MAX + 1));
  CHECK(pa_mail_format("hello@petamigos.test", to, "s", "b", 0, out, sizeof out) == -1);
  CHECK(pa_mail_format("hello@petamigos.test", "a@b\r\nBcc: x@y.z", "s", "b", 0, out, sizeof out) ==
        -1);
  CHECK(pa_mail_format("hello@petamigos.test", "a b@c.d", "s", "b", 0, out, sizeof out) == -1);
  CHECK(pa_mail_format("hello@petamigos.test", "a@b.example", "s", "b", 0, out, 64) == -1);
}

static void test_compose(void) {
  char dir[] = "/tmp/pa-mail-XXXXXX", path[64], subject[PA_MAIL_SUBJECT_MAX + 1],
       body[PA_MAIL_BODY_MAX + 1];
  CHECK(mkdtemp(dir) != NULL);
  snprintf(path, sizeof path, "%s/locales", dir);
  CHECK(mkdir(path, 0700) == 0);
  snprintf(path, sizeof path, "%s/locales/en.json", dir);
  FILE *f = fopen(path, "w");
  fputs("{\"mail.resetSubject\":\"Reset for {email}\",\"mail.resetBody\":\"It''s here: {link} "
        "{unknown}\"}",
        f);
  fclose(f);
  pa_mail_args a = {"https://x.example/reset#token=t", "ana@example.org", NULL};
  CHECK(pa_mail_compose(dir, "de", PA_MAIL_RESET, &a, subject, body) == 0); /* no de: English */
  CHECK(strcmp(subject, "Reset for ana@example.org") == 0);
  CHECK(strcmp(body, "It's here: https://x.example/reset#token=t {unknown}") == 0);
  /* No mail.* keys for this kind: the built-in English, with the link. */
  CHECK(pa_mail_compose(dir, "en", PA_MAIL_CHANGE_CONFIRM, &a, subject, body) == 0);
  CHECK_CONTAINS(body, "https://x.example/reset#token=t");
  CHECK(pa_mail_compose(dir, "../x", PA_MAIL_RESET, &a, subject, body) ==
        0); /* a bad tag: English */
  /* A link that would take the body past PA_MAIL_BODY_MAX. */
  char *huge = malloc(PA_MAIL_BODY_MAX + 1);
  memset(huge, 'x', PA_MAIL_BODY_MAX);
  huge[PA_MAIL_BODY_MAX] = '\0';
  pa_mail_args big = {huge, "ana@example.org", NULL};
  CHECK(pa_mail_compose(dir, "en", PA_MAIL_RESET, &big, subject, body) == -1);
  huge[PA_MAIL_BODY_MAX - strlen("It's here:  {unknown}")] = '\0';
  CHECK(pa_mail_compose(dir, "en", PA_MAIL_RESET, &big, subject, body) == 0);
  CHECK(strlen(body) == PA_MAIL_BODY_MAX);
  free(huge);
  unlink(path);
  snprintf(path, sizeof path, "%s/locales", dir);
  rmdir(path);
  rmdir(dir);
}

static void test_config(void) {
  char err[PA_MAIL_ERR_MAX], url[PA_MAIL_URL_MAX + 2];
  pa_mail *m = NULL;
  unsetenv("PA_SMTP_URL");
  CHECK(pa_mail_new(&m, err) == PA_MAIL_OK && !pa_mail_smtp(m));
  pa_mail_free(m);
  memset(url, 'a', sizeof url - 1);
  memcpy(url, "smtp://", 7);
  url[PA_MAIL_URL_MAX] = '\0'; /* the longest */
  setenv("PA_SMTP_URL", url, 1);
  setenv("PA_SMTP_FROM", "hello@petamigos.test", 1);
  CHECK(pa_mail_new(&m, err) == PA_MAIL_OK && pa_mail_smtp(m));
  pa_mail_free(m);
  url[PA_MAIL_URL_MAX] = 'a';
  url[PA_MAIL_URL_MAX + 1] = '\0'; /* one more */
  setenv("PA_SMTP_URL", url, 1);
  CHECK(pa_mail_new(&m, err) == PA_MAIL_EINVAL && m == NULL);
  CHECK_CONTAINS(err, "PA_SMTP_URL");
  setenv("PA_SMTP_URL", "smtp://127.0.0.1:25", 1);
  unsetenv("PA_SMTP_FROM");
  CHECK(pa_mail_new(&m, err) == PA_MAIL_EINVAL);
  CHECK_CONTAINS(err, "PA_SMTP_FROM");
  unsetenv("PA_SMTP_URL");
}

static void test_profile(void) {
  char link[PA_PROFILE_LINK_MAX + 2];
  const char *base = "https://example.org/";
  memset(link, 'x', sizeof link - 1);
  memcpy(link, base, strlen(base));
  CHECK(pa_profile_link_ok(link, PA_PROFILE_LINK_MAX));
  CHECK(!pa_profile_link_ok(link, PA_PROFILE_LINK_MAX + 1));
  char label[128];
  snprintf(label, sizeof label, "https://%.*s.org/", 63,
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  CHECK(pa_profile_link_ok(label, strlen(label)));
  snprintf(label, sizeof label, "https://%.*s.org/", 64,
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  CHECK(!pa_profile_link_ok(label, strlen(label)));
  const char *ok[] = {"https://a.b", "https://vet.example.com:8443/a?b=c#d",
                      "https://x-y.example/"};
  const char *bad[] = {"http://a.b",     "https://a",      "https://a.b:",  "https://a.b:123456",
                       "https://-a.b",   "https://a-.b",   "https://a..b",  "https://u@a.b",
                       "https://a.b/ x", "https://a.b/\"", "https://a.b/<", "https://a.b/`",
                       "HTTPS://a.b",    "https://"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    CHECK(pa_profile_link_ok(ok[i], strlen(ok[i])));
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK(!pa_profile_link_ok(bad[i], strlen(bad[i])));
  CHECK(pa_profile_country_ok("BR", 2) && pa_profile_country_ok("AD", 2) &&
        pa_profile_country_ok("ZW", 2));
  CHECK(!pa_profile_country_ok("XX", 2) && !pa_profile_country_ok("br", 2) &&
        !pa_profile_country_ok("BRA", 3) && !pa_profile_country_ok("B", 1) &&
        !pa_profile_country_ok("UK", 2));
}

int main(void) {
  if (sodium_init() < 0) return 1;
  RUN(test_format);
  RUN(test_compose);
  RUN(test_config);
  RUN(test_profile);
  return pa_test_summary("mail");
}
