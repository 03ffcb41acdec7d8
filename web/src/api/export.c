/* pa_api — "download my data": GET /me/export (JSON of everything the store
 * holds about the person, section by section: store/export.h says what is
 * in and what never is) and GET /me/export/media (a tar of their uploaded
 * files, written by tar.c into an unlinked temporary file and sent from
 * there, so a large archive never sits in memory). Both charge PA_LIMIT_EXPORT. */
#include "store/export.h"

#include "api/api.h"
#include "clock.h"
#include "mstore.h"
#include "tar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct section_ctx {
  const pa_store_export_section *sec;
  cJSON *into; /* the array, or the section's object (single) */
  int rows;
} section_ctx;

static int add_value(cJSON *o, const pa_store_export_col *c, const pa_store_export_value *v) {
  if (v->null) return !cJSON_AddNullToObject(o, c->name);
  switch (c->kind) {
  case PA_EXPORT_TEXT: return !cJSON_AddStringToObject(o, c->name, v->s ? v->s : "");
  case PA_EXPORT_TIME: return pa_api_add_time(o, c->name, v->i);
  case PA_EXPORT_BOOL: return !cJSON_AddBoolToObject(o, c->name, v->i != 0);
  case PA_EXPORT_ID: return pa_api_add_id(o, c->name, c->prefix, v->i);
  case PA_EXPORT_INT: return !cJSON_AddNumberToObject(o, c->name, (double)v->i);
  }
  return 1;
}

static int add_row(void *p, const pa_store_export_value *v) {
  section_ctx *s = p;
  cJSON *o = s->sec->single ? s->into : cJSON_CreateObject();
  if (!o) return 1;
  if (!s->sec->single && !cJSON_AddItemToArray(s->into, o)) {
    cJSON_Delete(o);
    return 1;
  }
  s->rows++;
  for (int k = 0; k < s->sec->ncols; k++)
    if (add_value(o, &s->sec->cols[k], &v[k])) return 1;
  return 0;
}

void pa_api_export(pa_srv_req *rq) {
  int n = 0;
  const pa_store_export_section *secs = pa_store_export_sections(&n);
  cJSON *root = cJSON_CreateObject();
  int bad = !root || !cJSON_AddStringToObject(root, "format", "petamigos-export-1") ||
            pa_api_add_time(root, "exported_at", pa_clock_now());
  for (int i = 0; i < n && !bad; i++) {
    section_ctx s = {&secs[i],
                     secs[i].single ? cJSON_AddObjectToObject(root, secs[i].name)
                                    : cJSON_AddArrayToObject(root, secs[i].name),
                     0};
    if (!s.into) {
      bad = 1;
      break;
    }
    int rc = pa_store_export_rows(rq->db, i, rq->viewer, add_row, &s);
    if (rc == PA_STORE_EABORT) {
      bad = 1;
    } else if (rc != PA_STORE_OK) {
      cJSON_Delete(root);
      pa_api_internal(rq, "export");
      return;
    }
  }
  if (bad) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 200, root);
}

typedef struct media_ctx {
  pa_srv_req *rq;
  int out;
  int files;
  int err; /* errno of a write that failed: the archive is abandoned */
} media_ctx;

static int add_file(void *p, const char *hash, const char *ext, int64_t created_at) {
  media_ctx *m = p;
  char file[96], name[PA_TAR_NAME_MAX + 1];
  int fd;
  int64_t size;
  /* The store's names are 64 hex digits and a known extension; anything else
   * is not a file we wrote, and is left out rather than opened. */
  if (strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64 || strlen(ext) > 4 ||
      strspn(ext, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(ext))
    return 0;
  snprintf(file, sizeof file, "%s.%s", hash, ext);
  snprintf(name, sizeof name, "petamigos-media/%s.%s", hash, ext);
  if (pa_mstore_open(m->rq->srv->media, file, &fd, &size) != 0)
    return 0; /* collected meanwhile: nothing to put in */
  int rc = pa_tar_add_fd(m->out, name, fd, size, created_at);
  if (rc != 0) m->err = errno ? errno : EIO;
  close(fd);
  if (rc == 0) m->files++;
  return rc != 0;
}

void pa_api_export_media(pa_srv_req *rq) {
  char tmpl[PATH_MAX];
  const char *dir = getenv("TMPDIR");
  snprintf(tmpl, sizeof tmpl, "%s/petamigos-export-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(tmpl);
  if (fd < 0) {
    pa_api_internal(rq, "export archive");
    return;
  }
  unlink(tmpl); /* nobody else can open it; it goes when the answer is sent */
  media_ctx m = {rq, fd, 0, 0};
  int rc = pa_store_export_media(rq->db, rq->viewer, add_file, &m);
  off_t size = 0;
  if (rc != PA_STORE_OK || m.err || pa_tar_finish(fd) != 0 || (size = lseek(fd, 0, SEEK_CUR)) < 0) {
    close(fd);
    pa_api_internal(rq, "export archive");
    return;
  }
  pa_srv_header h = {"Content-Disposition", "attachment; filename=\"petamigos-media.tar\""};
  pa_srv_send_head(rq, 200, "application/x-tar", "no-store", &h, 1);
  pa_srv_send_fd(rq, fd, 0, (long long)size);
}
