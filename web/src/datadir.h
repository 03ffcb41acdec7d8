/* pa_datadir — the data directory's layout, shared by the server and the
 * tools that prepare its data (petamigos-demo, petamigos-bench-world):
 * DIR/petamigos.db and DIR/media/; or, when the environment names one in
 * PA_DATABASE_URL (postgresql://...), that PostgreSQL database instead of
 * the SQLite file, with the media still in DIR/media/ — or in PA_MEDIA_DIR
 * (an absolute path) when set: the folder every process of a cluster shares. */
#ifndef PA_DATADIR_H
#define PA_DATADIR_H

#include <stddef.h>

enum { PA_DATADIR_PATH_MAX = 4096 }; /* bytes of a path we build, with its NUL */

typedef struct pa_datadir {
  char db_path[PA_DATADIR_PATH_MAX]; /* what pa_store_open takes: a path or a URI */
  char media_dir[PA_DATADIR_PATH_MAX];
} pa_datadir;

/* Fills out from dir (and PA_DATABASE_URL) and creates dir (0700: it holds people's data) and its
 * media folder when missing. 0, or -1 with a message in err. */
int pa_datadir_prepare(const char *dir, pa_datadir *out, char *err, size_t errlen);

#endif
