/* pa_srv — files: immutable media under /media/ and the static site. */
#include "blob.h"
#include "mstore.h"
#include "net/http.h"
#include "srv_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    {".mp4", "video/mp4"},
    {".webm", "video/webm"},
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

/* Answers with an open regular file, which the transport sends and closes:
 * 304 when the client's copy is current; with ranges, one byte range as 206
 * (If-Range must name this ETag). */
static void send_file(pa_srv_req *rq, int fd, long long size, const char *type, const char *cache,
                      const char *etag, int ranges) {
  pa_srv_header h[3] = {{"ETag", etag}, {"Accept-Ranges", "bytes"}, {"Content-Range", NULL}};
  char content_range[96];
  long long from = 0, to = size - 1;
  int nh = ranges ? 2 : 1, status = 200;
  const char *inm = pa_srv_req_header(rq, "If-None-Match");
  if (inm && pa_http_etag_match(inm, etag)) {
    close(fd);
    pa_srv_send_head(rq, 304, NULL, cache, h, nh);
    return;
  }
  const char *if_range = pa_srv_req_header(rq, "If-Range");
  int r = ranges && (!if_range || strcmp(if_range, etag) == 0)
              ? pa_http_range(pa_srv_req_header(rq, "Range"), size, &from, &to)
              : 0;
  if (r < 0) {
    close(fd);
    snprintf(content_range, sizeof content_range, "bytes */%lld", size);
    pa_srv_header eh[2] = {{"Accept-Ranges", "bytes"}, {"Content-Range", content_range}};
    static const char body[] = "416 Range Not Satisfiable\n";
    pa_srv_send(rq, 416, "text/plain; charset=utf-8", "no-store", eh, 2, body, sizeof body - 1);
    return;
  }
  if (r > 0) {
    snprintf(content_range, sizeof content_range, "bytes %lld-%lld/%lld", from, to, size);
    h[2].value = content_range;
    nh = 3;
    status = 206;
  }
  pa_srv_send_head(rq, status, type, cache, h, nh);
  pa_srv_send_fd(rq, fd, from, to - from + 1);
}

static void get_media(pa_srv_req *rq, const char *name) {
  char etag[PA_BLOB_HASH_HEX + 3];
  int fd;
  int64_t size;
  const char *type = pa_blob_name_type(name);
  if (!type) {
    pa_srv_plain_error(rq, 404, NULL);
    return;
  }
  /* Through the media store (mstore.h): the folder every process shares. */
  if (pa_mstore_open(rq->srv->media, name, &fd, &size) != 0) {
    /* Missing is 404; anything else (permissions, I/O) is our fault. */
    pa_srv_plain_error(rq, errno == ENOENT ? 404 : 500, NULL);
    return;
  }
  /* The name is the content's hash, so the hash is the entity tag. */
  snprintf(etag, sizeof etag, "\"%.*s\"", PA_BLOB_HASH_HEX, name);
  send_file(rq, fd, (long long)size, type, "public, max-age=31536000, immutable", etag, 1);
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
  /* The shell routes in the browser (/pets/7, /settings): a path whose last
     segment has no extension is one of its screens, so it gets the page. */
  const char *last = strrchr(rq->path, '/');
  int screen = strchr(last, '.') == NULL && strncmp(rq->path, "/api/", 5) != 0;
  int n = screen ? snprintf(want, sizeof want, "%s/index.html", srv->root)
                 : snprintf(want, sizeof want, "%s%s", srv->root, rq->path);
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
  if (screen && pa_srv_embed_index(rq, fd, &st)) { /* a post's page names its oEmbed */
    close(fd);
    return;
  }
  /* The shell is rebuilt in place, so browsers must revalidate every time. */
  snprintf(etag, sizeof etag, "W/\"%llx-%llx\"", (unsigned long long)st.st_size,
           (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
               (unsigned long long)st.st_mtim.tv_nsec);
  send_file(rq, fd, (long long)st.st_size, mime_for(real), "no-cache", etag, 0);
}

void pa_srv_files(pa_srv_req *rq) {
  if (!method_ok(rq)) return;
  if (strncmp(rq->path, "/media/", 7) == 0)
    get_media(rq, rq->path + 7);
  else if (strncmp(rq->path, "/embed/", 7) == 0)
    pa_srv_embed_page(rq);
  else
    get_static(rq);
}
