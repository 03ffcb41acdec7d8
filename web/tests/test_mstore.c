/* pa_mstore (web/src/mstore.c), the directory implementation: put is all or
 * nothing and keeps an object it has, open gives the size and a readable
 * descriptor, names at PA_MSTORE_NAME_MAX's edge and the store's own files
 * are refused, list skips the store's files, sweep removes a dead writer's
 * file at PA_MSTORE_STALE_S and not a second before, and the lock holds
 * across processes (a child blocks until the parent lets go). */
#include "mstore.h"
#include "pa_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

static pa_mstore *open_store(void) {
  pa_mstore *m = NULL;
  char err[256];
  CHECK(pa_mstore_dir_open(dir, &m, err, sizeof err) == 0 && m);
  return m;
}

static void put_open_remove(void) {
  pa_mstore *m = open_store();
  int fd = -1;
  int64_t size = 0;
  char buf[16];
  CHECK(pa_mstore_exists(m, "a.jpg") == 0);
  CHECK(pa_mstore_open(m, "a.jpg", &fd, &size) == -1 && errno == ENOENT);
  CHECK(pa_mstore_put(m, "a.jpg", "hello", 5) == 0);
  CHECK(pa_mstore_exists(m, "a.jpg") == 1);
  CHECK(pa_mstore_open(m, "a.jpg", &fd, &size) == 0 && size == 5);
  CHECK(read(fd, buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0);
  close(fd);
  /* Same name, same size: kept as it is (names are content hashes). */
  CHECK(pa_mstore_put(m, "a.jpg", "HELLO", 5) == 0);
  CHECK(pa_mstore_open(m, "a.jpg", &fd, &size) == 0);
  CHECK(read(fd, buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0);
  close(fd);
  CHECK(pa_mstore_put(m, "b.jpg", "x", 0) == -1 && errno == EINVAL); /* nothing to store */
  CHECK(pa_mstore_remove(m, "a.jpg") == 0 && pa_mstore_exists(m, "a.jpg") == 0);
  CHECK(pa_mstore_remove(m, "a.jpg") == 0); /* already gone: fine */
  pa_mstore_close(m);
}

static void names_at_the_edge(void) {
  pa_mstore *m = open_store();
  char name[PA_MSTORE_NAME_MAX + 1];
  int fd;
  int64_t size;
  memset(name, 'a', sizeof name);
  name[PA_MSTORE_NAME_MAX - 1] = '\0'; /* the longest */
  CHECK(pa_mstore_put(m, name, "x", 1) == 0 && pa_mstore_exists(m, name) == 1);
  CHECK(pa_mstore_remove(m, name) == 0);
  name[PA_MSTORE_NAME_MAX - 1] = 'a';
  name[PA_MSTORE_NAME_MAX] = '\0'; /* one more */
  CHECK(pa_mstore_put(m, name, "x", 1) == -1 && errno == EINVAL);
  CHECK(pa_mstore_exists(m, name) == 0);
  /* Never the store's own files, a path, or nothing. */
  const char *bad[] = {"", ".lock", ".incoming-x", "..", "a/b", "../a.jpg"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK(pa_mstore_put(m, bad[i], "x", 1) == -1 && errno == EINVAL);
    CHECK(pa_mstore_open(m, bad[i], &fd, &size) == -1 && errno == ENOENT);
    CHECK(pa_mstore_exists(m, bad[i]) == 0);
    CHECK(pa_mstore_remove(m, bad[i]) == -1);
  }
  /* A symbolic link in the folder is nothing we stored. */
  char link[128];
  snprintf(link, sizeof link, "%s/l.jpg", dir);
  CHECK(symlink("/etc/hostname", link) == 0);
  CHECK(pa_mstore_open(m, "l.jpg", &fd, &size) == -1 && errno == ENOENT);
  CHECK(pa_mstore_exists(m, "l.jpg") == 0);
  unlink(link);
  pa_mstore_close(m);
}

static int count_one(void *ctx, const char *name, int64_t size, int64_t mtime) {
  (void)mtime;
  CHECK(name[0] != '.' && size > 0);
  ++*(int *)ctx;
  return 0;
}

static void list_and_sweep(void) {
  pa_mstore *m = open_store();
  char path[128];
  int n = 0;
  CHECK(pa_mstore_put(m, "c.png", "12", 2) == 0 && pa_mstore_put(m, "d.png", "345", 3) == 0);
  /* What a killed writer leaves: an incoming file, made PA_MSTORE_STALE_S ago. */
  snprintf(path, sizeof path, "%s/.incoming-dead01", dir);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  CHECK(fd >= 0 && write(fd, "half", 4) == 4);
  close(fd);
  time_t now = time(NULL);
  struct timespec t[2] = {{now - PA_MSTORE_STALE_S, 0}, {now - PA_MSTORE_STALE_S, 0}};
  CHECK(utimensat(AT_FDCWD, path, t, 0) == 0);
  CHECK(pa_mstore_list(m, count_one, &n) == 0 && n == 2); /* neither .lock nor .incoming-* */
  /* At the edge: not older than the limit yet (now - 1 as "now"), then past it. */
  CHECK(pa_mstore_sweep(m, (int64_t)now - 1) == 0 && access(path, F_OK) == 0);
  CHECK(pa_mstore_sweep(m, (int64_t)now + 1) == 1 && access(path, F_OK) != 0);
  CHECK(pa_mstore_exists(m, "c.png") == 1 && pa_mstore_exists(m, "d.png") == 1);
  pa_mstore_close(m);
}

/* The parent holds the lock; a child process (its own store on the same
 * folder) must not get it until the parent lets go: the child writes a
 * marker once it has the lock, which must not exist while the parent holds. */
static void lock_across_processes(void) {
  pa_mstore *m = open_store();
  int go[2];
  CHECK(pipe(go) == 0);
  pa_mstore_lock(m);
  pid_t child = fork();
  if (child == 0) {
    pa_mstore *c = NULL;
    char err[256];
    char ready = 'r';
    if (pa_mstore_dir_open(dir, &c, err, sizeof err) != 0) _exit(2);
    if (write(go[1], &ready, 1) != 1) _exit(2); /* about to ask for the lock */
    pa_mstore_lock(c);
    int rc = pa_mstore_put(c, "marker.jpg", "m", 1);
    pa_mstore_unlock(c);
    pa_mstore_close(c);
    _exit(rc == 0 ? 0 : 3);
  }
  char ready;
  CHECK(read(go[0], &ready, 1) == 1);
  /* The child is at (or past) its lock call; give it every chance to
   * (wrongly) get through: it cannot while this process holds the lock. */
  for (int i = 0; i < 50; i++) {
    CHECK(pa_mstore_exists(m, "marker.jpg") == 0);
    nanosleep(&(struct timespec){0, 2000000}, NULL);
  }
  pa_mstore_unlock(m);
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(pa_mstore_exists(m, "marker.jpg") == 1);
  close(go[0]);
  close(go[1]);
  pa_mstore_close(m);
}

static void open_refuses_a_missing_folder(void) {
  pa_mstore *m = (pa_mstore *)1;
  char err[256];
  CHECK(pa_mstore_dir_open("/nonexistent/pa-mstore", &m, err, sizeof err) == -1 && m == NULL);
  CHECK_CONTAINS(err, "not a directory");
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/pa-mstore-XXXXXX");
  if (!mkdtemp(dir)) return 1;
  RUN(put_open_remove);
  RUN(names_at_the_edge);
  RUN(list_and_sweep);
  RUN(lock_across_processes);
  RUN(open_refuses_a_missing_folder);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) return 1;
  return pa_test_summary("web.mstore");
}
