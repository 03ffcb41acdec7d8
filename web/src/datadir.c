/* pa_datadir — see datadir.h. */
#include "datadir.h"

#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int make_dir(const char *path, mode_t mode, char *err, size_t errlen) {
  struct stat st;
  if (mkdir(path, mode) == 0) return 0;
  if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
  snprintf(err, errlen, "cannot create directory %s: %s", path, strerror(errno));
  return -1;
}

int pa_datadir_prepare(const char *dir, pa_datadir *out, char *err, size_t errlen) {
  const char *url = getenv("PA_DATABASE_URL");
  if (url && !*url) url = NULL; /* set but empty: SQLite, as when unset */
  if (url && !pa_store_is_pg_url(url)) {
    snprintf(err, errlen, "PA_DATABASE_URL must be a postgresql:// URI");
    return -1;
  }
  /* Several processes share one media folder (a cluster, web/README.md "Cluster"):
   * named by PA_MEDIA_DIR, an absolute path so every process means the same one. */
  const char *media = getenv("PA_MEDIA_DIR");
  if (media && !*media) media = NULL;
  if (media && media[0] != '/') {
    snprintf(err, errlen, "PA_MEDIA_DIR must be an absolute path");
    return -1;
  }
  if ((url ? snprintf(out->db_path, sizeof out->db_path, "%s", url)
           : snprintf(out->db_path, sizeof out->db_path, "%s/petamigos.db", dir)) >=
          (int)sizeof out->db_path ||
      (media ? snprintf(out->media_dir, sizeof out->media_dir, "%s", media)
             : snprintf(out->media_dir, sizeof out->media_dir, "%s/media", dir)) >=
          (int)sizeof out->media_dir) {
    snprintf(err, errlen, media ? "PA_MEDIA_DIR too long" : "--data path too long");
    return -1;
  }
  return make_dir(dir, 0700, err, errlen) || make_dir(out->media_dir, 0755, err, errlen) ? -1 : 0;
}
