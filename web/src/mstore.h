/* pa_mstore — where media files live: every media write, read, range-serve,
 * delete and sweep goes through this interface, so the folder it is today
 * (one per machine, or one shared by a cluster's processes: PA_MEDIA_DIR)
 * can become an object store without touching its callers.
 *
 * Objects are named by the blob store (blob.h): "<64 hex>.<ext>", content
 * addressed, never rewritten. What the server needs of a store:
 *   put     the bytes under a name, all or nothing (readers never see half);
 *   open    a file descriptor and the size, which the transport sends from
 *           (range requests: sendfile of a slice);
 *   exists, remove, list (sweeps of what nothing refers to);
 *   lock    one writer-or-collector at a time ACROSS processes: an upload
 *           stores its file and then its row, a collection deletes rows and
 *           then files; without the lock, a collection in one process could
 *           remove a file another process has just stored for a row it is
 *           about to add (the same bytes uploaded again).
 *
 * An object store (S3-compatible, on paper: web/README.md, "Cluster") would
 * implement put with a PUT of the object (atomic by nature), exists with
 * HEAD, remove with DELETE, list with ListObjectsV2 pages, and lock with a
 * lease row in the database (store/lease.h) instead of a file lock. open is
 * where it differs: a server would not stream objects itself but answer
 * /media/NAME with a redirect to a CDN URL (signed when private), and the
 * CDN serves ranges; open would then return -1 with errno EREMOTE and the
 * serving code redirect. This implementation is the directory one only. */
#ifndef PA_MSTORE_H
#define PA_MSTORE_H

#include <stddef.h>
#include <stdint.h>

enum {
  PA_MSTORE_NAME_MAX = 80,   /* bytes of an object's name, NUL included */
  PA_MSTORE_PATH_MAX = 4096, /* bytes of the directory's path, NUL included */
  /* A ".incoming-*" file of a put that died (a killed process) is swept once
   * it is this old: no put takes longer than that to write its bytes. */
  PA_MSTORE_STALE_S = 3600
};

typedef struct pa_mstore pa_mstore;

/* What list calls for each object; non-zero stops the walk. */
typedef int (*pa_mstore_each_fn)(void *ctx, const char *name, int64_t size, int64_t mtime);

typedef struct pa_mstore_ops {
  int (*put)(pa_mstore *m, const char *name, const void *data, size_t len);
  int (*open)(pa_mstore *m, const char *name, int *fd, int64_t *size);
  int (*exists)(pa_mstore *m, const char *name);
  int (*remove)(pa_mstore *m, const char *name);
  int (*list)(pa_mstore *m, pa_mstore_each_fn fn, void *ctx);
  int (*sweep)(pa_mstore *m, int64_t now);
  void (*lock)(pa_mstore *m);
  void (*unlock)(pa_mstore *m);
  void (*close)(pa_mstore *m);
} pa_mstore_ops;

/* Every implementation's struct begins with this. */
struct pa_mstore {
  const pa_mstore_ops *ops;
};

/* Opens the directory implementation on dir (which must exist; its path at
 * most PA_MSTORE_PATH_MAX - 1 bytes). On success the caller closes *out with
 * pa_mstore_close; on failure *out is NULL and err holds a message. */
int pa_mstore_dir_open(const char *dir, pa_mstore **out, char *err, size_t errlen);

/* The calls, each through m's implementation. Names are checked first: one
 * with '/' or a leading '.', or longer than PA_MSTORE_NAME_MAX - 1, is
 * nothing stored (put and remove: -1 with errno EINVAL; open: -1 with
 * ENOENT; exists: 0). Failures are -1 with errno set.
 * put: stores len bytes (len > 0) under name; an existing object of that
 * name and size is kept as it is (the name is the content's hash). 0 or -1. */
int pa_mstore_put(pa_mstore *m, const char *name, const void *data, size_t len);
/* open: 0 with *fd (the caller closes it) and *size; -1 with errno ENOENT
 * when there is no such object. */
int pa_mstore_open(pa_mstore *m, const char *name, int *fd, int64_t *size);
/* exists: 1, 0, or -1 on an error. */
int pa_mstore_exists(pa_mstore *m, const char *name);
/* remove: 0 (also when there was none) or -1. */
int pa_mstore_remove(pa_mstore *m, const char *name);
/* list: calls fn for every object (not the implementation's own files); 0,
 * 1 when fn stopped it, or -1. */
int pa_mstore_list(pa_mstore *m, pa_mstore_each_fn fn, void *ctx);
/* sweep: removes what dead writers left (PA_MSTORE_STALE_S); the count
 * removed, or -1. */
int pa_mstore_sweep(pa_mstore *m, int64_t now);
/* lock/unlock: see above; not recursive. */
void pa_mstore_lock(pa_mstore *m);
void pa_mstore_unlock(pa_mstore *m);
/* close: NULL is fine. */
void pa_mstore_close(pa_mstore *m);

#endif
