/* pa_mstore — see mstore.h. The directory implementation: one file per
 * object, written to a ".incoming-*" file, fsync'd and renamed into place;
 * the cross-process lock is flock(2) on DIR/.lock (one machine, or a
 * network file system that implements flock, as NFSv4 does). */
#include "mstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct dir_store {
  pa_mstore base;
  char dir[PA_MSTORE_PATH_MAX];
  int lock_fd;           /* DIR/.lock, open for the store's life */
  pthread_mutex_t mutex; /* the threads of this process; flock the processes */
} dir_store;

static const char INCOMING[] = ".incoming-";

/* A name we may join to the directory: not empty, no '/', no leading '.'
 * (the store's own files, and "." and ".."), within the length. */
static int name_ok(const char *name) {
  size_t n = name ? strlen(name) : 0;
  return n > 0 && n < PA_MSTORE_NAME_MAX && name[0] != '.' && !strchr(name, '/');
}

static int path_of(const dir_store *d, const char *name, char *out, size_t cap) {
  int n = snprintf(out, cap, "%s/%s", d->dir, name);
  if (n < 0 || (size_t)n >= cap) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return 0;
}

static int write_all(int fd, const unsigned char *p, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static int dir_put(pa_mstore *m, const char *name, const void *data, size_t len) {
  dir_store *d = (dir_store *)m;
  char path[PA_MSTORE_PATH_MAX + PA_MSTORE_NAME_MAX], tmp[PA_MSTORE_PATH_MAX + 32];
  struct stat st;
  if (path_of(d, name, path, sizeof path) != 0 ||
      snprintf(tmp, sizeof tmp, "%s/%sXXXXXX", d->dir, INCOMING) >= (int)sizeof tmp)
    return -1;
  /* Same name means same bytes, so an existing file of the right size is done. */
  if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len) return 0;
  int fd = mkstemp(tmp);
  if (fd < 0) return -1;
  /* fsync before rename: after a crash the name exists only with its bytes. */
  if (write_all(fd, data, len) != 0 || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
    int saved = errno;
    close(fd);
    unlink(tmp);
    errno = saved;
    return -1;
  }
  if (close(fd) != 0 || rename(tmp, path) != 0) {
    int saved = errno;
    unlink(tmp);
    errno = saved;
    return -1;
  }
  return 0;
}

static int dir_open(pa_mstore *m, const char *name, int *fd, int64_t *size) {
  dir_store *d = (dir_store *)m;
  char path[PA_MSTORE_PATH_MAX + PA_MSTORE_NAME_MAX];
  struct stat st;
  if (path_of(d, name, path, sizeof path) != 0) return -1;
  int f = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (f < 0) {
    if (errno == ELOOP) errno = ENOENT; /* a link is nothing we stored */
    return -1;
  }
  if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(f);
    errno = ENOENT;
    return -1;
  }
  *fd = f;
  *size = (int64_t)st.st_size;
  return 0;
}

static int dir_exists(pa_mstore *m, const char *name) {
  dir_store *d = (dir_store *)m;
  char path[PA_MSTORE_PATH_MAX + PA_MSTORE_NAME_MAX];
  struct stat st;
  if (path_of(d, name, path, sizeof path) != 0) return -1;
  if (lstat(path, &st) == 0) return S_ISREG(st.st_mode);
  return errno == ENOENT ? 0 : -1;
}

static int dir_remove(pa_mstore *m, const char *name) {
  dir_store *d = (dir_store *)m;
  char path[PA_MSTORE_PATH_MAX + PA_MSTORE_NAME_MAX];
  if (path_of(d, name, path, sizeof path) != 0) return -1;
  return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Walks the directory: objects to fn (dot files skipped) or, with
 * incoming set, the ".incoming-*" files. */
static int walk(dir_store *d, int incoming, pa_mstore_each_fn fn, void *ctx) {
  DIR *dir = opendir(d->dir);
  if (!dir) return -1;
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    int is_incoming = strncmp(e->d_name, INCOMING, sizeof INCOMING - 1) == 0;
    if (incoming ? !is_incoming : e->d_name[0] == '.') continue;
    struct stat st;
    if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
      continue; /* gone meanwhile, or nothing of ours */
    if (fn(ctx, e->d_name, (int64_t)st.st_size, (int64_t)st.st_mtim.tv_sec) != 0) {
      rc = 1;
      break;
    }
  }
  closedir(dir);
  return rc;
}

static int dir_list(pa_mstore *m, pa_mstore_each_fn fn, void *ctx) {
  return walk((dir_store *)m, 0, fn, ctx);
}

typedef struct sweep_ctx {
  dir_store *d;
  int64_t before;
  int removed;
} sweep_ctx;

static int sweep_one(void *p, const char *name, int64_t size, int64_t mtime) {
  sweep_ctx *s = p;
  char path[PA_MSTORE_PATH_MAX + PA_MSTORE_NAME_MAX];
  (void)size;
  if (mtime < s->before && path_of(s->d, name, path, sizeof path) == 0 && unlink(path) == 0)
    s->removed++;
  return 0;
}

static int dir_sweep(pa_mstore *m, int64_t now) {
  sweep_ctx s = {(dir_store *)m, now - PA_MSTORE_STALE_S, 0};
  return walk(s.d, 1, sweep_one, &s) < 0 ? -1 : s.removed;
}

static void dir_lock(pa_mstore *m) {
  dir_store *d = (dir_store *)m;
  pthread_mutex_lock(&d->mutex);
  /* Only EINTR can end it early; another error leaves this process's mutex
   * as the only lock (still right within one process). */
  while (d->lock_fd >= 0 && flock(d->lock_fd, LOCK_EX) != 0 && errno == EINTR) {
  }
}

static void dir_unlock(pa_mstore *m) {
  dir_store *d = (dir_store *)m;
  if (d->lock_fd >= 0) flock(d->lock_fd, LOCK_UN);
  pthread_mutex_unlock(&d->mutex);
}

static void dir_close(pa_mstore *m) {
  dir_store *d = (dir_store *)m;
  if (d->lock_fd >= 0) close(d->lock_fd);
  pthread_mutex_destroy(&d->mutex);
  free(d);
}

static const pa_mstore_ops dir_ops = {dir_put,   dir_open, dir_exists, dir_remove, dir_list,
                                      dir_sweep, dir_lock, dir_unlock, dir_close};

int pa_mstore_dir_open(const char *dir, pa_mstore **out, char *err, size_t errlen) {
  char lock[PA_MSTORE_PATH_MAX + 8];
  struct stat st;
  *out = NULL;
  if (!dir || strlen(dir) >= PA_MSTORE_PATH_MAX) {
    snprintf(err, errlen, "media folder: path missing or too long");
    return -1;
  }
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "media folder %s is not a directory", dir);
    return -1;
  }
  dir_store *d = calloc(1, sizeof *d);
  if (!d) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  d->base.ops = &dir_ops;
  snprintf(d->dir, sizeof d->dir, "%s", dir);
  snprintf(lock, sizeof lock, "%s/.lock", dir);
  d->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (d->lock_fd < 0) {
    snprintf(err, errlen, "cannot open %s: %s", lock, strerror(errno));
    free(d);
    return -1;
  }
  pthread_mutex_init(&d->mutex, NULL);
  *out = &d->base;
  return 0;
}

/* ---- the calls */

int pa_mstore_put(pa_mstore *m, const char *name, const void *data, size_t len) {
  if (!name_ok(name) || !data || len == 0) {
    errno = EINVAL;
    return -1;
  }
  return m->ops->put(m, name, data, len);
}

int pa_mstore_open(pa_mstore *m, const char *name, int *fd, int64_t *size) {
  if (!name_ok(name)) {
    errno = ENOENT; /* nothing stored can have such a name */
    return -1;
  }
  return m->ops->open(m, name, fd, size);
}

int pa_mstore_exists(pa_mstore *m, const char *name) {
  return name_ok(name) ? m->ops->exists(m, name) : 0;
}

int pa_mstore_remove(pa_mstore *m, const char *name) {
  if (!name_ok(name)) {
    errno = EINVAL;
    return -1;
  }
  return m->ops->remove(m, name);
}

int pa_mstore_list(pa_mstore *m, pa_mstore_each_fn fn, void *ctx) {
  return m->ops->list(m, fn, ctx);
}
int pa_mstore_sweep(pa_mstore *m, int64_t now) { return m->ops->sweep(m, now); }
void pa_mstore_lock(pa_mstore *m) { m->ops->lock(m); }
void pa_mstore_unlock(pa_mstore *m) { m->ops->unlock(m); }
void pa_mstore_close(pa_mstore *m) {
  if (m) m->ops->close(m);
}
