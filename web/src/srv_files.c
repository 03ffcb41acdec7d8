/* pa_srv — files: immutable media under /media/ and the static site. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media.h"
#include "srv_internal.h"

typedef struct mime {
  const char *ext, *type;
} mime;

static const mime mime_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".wasm", "application/wasm"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *mime_for(const char *path) {
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash)) return "application/octet-stream";
  for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
    if (strcmp(dot, mime_types[i].ext) == 0) return mime_types[i].type;
  return "application/octet-stream";
}

static int method_ok(pa_srv_req *rq) {
  if (strcmp(rq->method, "GET") == 0 || rq->head) return 1;
  pa_srv_plain_error(rq, 405, "GET, HEAD");
  return 0;
}

/* If-None-Match holds etag (or "*"), compared weakly as RFC 9110 asks for GET. */
static int etag_matches(const char *header, const char *etag) {
  const char *want = strncmp(etag, "W/", 2) == 0 ? etag + 2 : etag;
  size_t wlen = strlen(want);
  for (const char *p = header; p && *p;) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    if (*p == '*') return 1;
    if (strncmp(p, "W/", 2) == 0) p += 2;
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
    if (len == wlen && memcmp(p, want, len) == 0) return 1;
    p = end;
  }
  return 0;
}

/* Streams an open regular file: 304 when the client's copy is current. */
static void send_file(pa_srv_req *rq, int fd, const struct stat *st, const char *type,
                      const char *cache, const char *etag) {
  pa_srv_header h = {"ETag", etag};
  const char *inm = mg_get_header(rq->conn, "If-None-Match");
  if (inm && etag_matches(inm, etag)) {
    pa_srv_send_head(rq, 304, NULL, cache, &h, 1, -1);
    return;
  }
  if (pa_srv_send_head(rq, 200, type, cache, &h, 1, (long long)st->st_size) != 0 || rq->head)
    return;
  /* On the heap: civetweb's worker stacks are small. */
  enum { CHUNK = 65536 };
  char *buf = malloc(CHUNK);
  for (off_t left = st->st_size; left > 0;) {
    ssize_t n = buf ? read(fd, buf, (size_t)(left < CHUNK ? left : CHUNK)) : -1;
    if (n < 0 && errno == EINTR) continue;
    /* Headers are out; on a short read all we can do is drop the connection. */
    if (n <= 0 || mg_write(rq->conn, buf, (size_t)n) != (int)n) {
      mg_disable_keep_alive(rq->conn);
      break;
    }
    left -= n;
  }
  free(buf);
}

static void get_media(pa_srv_req *rq, const char *name) {
  char path[PATH_MAX + PA_MEDIA_NAME_MAX + 2], etag[PA_MEDIA_HASH_HEX + 3];
  struct stat st;
  const char *type = pa_media_name_type(name);
  if (!type) {
    pa_srv_plain_error(rq, 404, NULL);
    return;
  }
  snprintf(path, sizeof path, "%s/%s", rq->srv->media_dir, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    /* Missing is 404; anything else (permissions, I/O) is our fault. */
    int status = fd < 0 && errno != ENOENT && errno != ELOOP ? 500 : 404;
    if (fd >= 0) close(fd);
    pa_srv_plain_error(rq, status, NULL);
    return;
  }
  /* The name is the content's hash, so the hash is the entity tag. */
  snprintf(etag, sizeof etag, "\"%.*s\"", PA_MEDIA_HASH_HEX, name);
  send_file(rq, fd, &st, type, "public, max-age=31536000, immutable", etag);
  close(fd);
}

/* Rejects what could climb out of the root or expose hidden files: empty,
 * "." or ".." segments, any segment starting with '.', backslashes. */
static int safe_path(const char *p) {
  if (p[0] != '/' || strchr(p, '\\') || strlen(p) > 1024) return 0;
  for (const char *s = p; (s = strchr(s, '/')) != NULL; s++) {
    if (s[1] == '.') return 0;
    if (s[1] == '/') return 0;
  }
  return 1;
}

static void get_static(pa_srv_req *rq) {
  char want[PATH_MAX], real[PATH_MAX], etag[64];
  struct stat st;
  const pa_srv *srv = rq->srv;
  size_t rootlen = strlen(srv->root);
  if (!safe_path(rq->path)) {
    pa_srv_plain_error(rq, 404, NULL);
    return;
  }
  const char *index = rq->path[strlen(rq->path) - 1] == '/' ? "index.html" : "";
  int n = snprintf(want, sizeof want, "%s%s%s", srv->root, rq->path, index);
  /* realpath resolves symlinks too: whatever it names must still be inside root. */
  if (n < 0 || (size_t)n >= sizeof want || !realpath(want, real) ||
      strncmp(real, srv->root, rootlen) != 0 || real[rootlen] != '/') {
    pa_srv_plain_error(rq, 404, NULL);
    return;
  }
  int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (fd >= 0) close(fd);
    pa_srv_plain_error(rq, 404, NULL);
    return;
  }
  /* The shell is rebuilt in place, so browsers must revalidate every time. */
  snprintf(etag, sizeof etag, "W/\"%llx-%llx\"", (unsigned long long)st.st_size,
           (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
               (unsigned long long)st.st_mtim.tv_nsec);
  send_file(rq, fd, &st, mime_for(real), "no-cache", etag);
  close(fd);
}

void pa_srv_files(pa_srv_req *rq) {
  if (!method_ok(rq)) return;
  if (strncmp(rq->path, "/media/", 7) == 0)
    get_media(rq, rq->path + 7);
  else
    get_static(rq);
}
