/* Workers under leases (worker.h, store/lease.h) on a real SQLite file: a
 * round at once, then none until the tick (an hour here) unless woken; the
 * bus's job.<name> wakes only the worker of that name, its resync every
 * worker; a lease another process holds keeps a worker's rounds from running
 * until it is released, then this process takes it at its next look (a third
 * of PA_LEASE_TTL_S, set to its smallest, 3 s); a clean stop releases every
 * lease; PA_LEASE_TTL_S and the name at their edges. Waits are for
 * conditions, bounded only as hang guards. */
#include "pa_test.h"
#include "redis/redis.h"
#include "store/lease.h"
#include "store/sql/sql.h"
#include "store/store.h"
#include "worker.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char file[64];

static void round_fn(pa_store *db, void *ctx) {
  (void)db;
  atomic_fetch_add((atomic_int *)ctx, 1);
}

/* 1 once *n reaches want; 0 after 30 s (a hang guard). */
static int reaches(atomic_int *n, int want) {
  for (int i = 0; i < 3000; i++) {
    if (atomic_load(n) >= want) return 1;
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  }
  return 0;
}

static pa_store *open_db(void) {
  pa_store *db = NULL;
  char err[256];
  if (pa_store_open(file, 0, &db, err, sizeof err) != PA_STORE_OK) {
    fprintf(stderr, "cannot open %s: %s\n", file, err);
    exit(1);
  }
  return db;
}

static int64_t leases(pa_store *db) {
  int64_t n = -1;
  pa_sq_scalar_i64(db, "SELECT count(*) FROM leases", 0, NULL, &n);
  return n;
}

static void config_edges(void) {
  char err[160];
  setenv("PA_LEASE_TTL_S", "2", 1);
  CHECK(pa_worker_config_from_env(err, sizeof err) == -1);
  CHECK_CONTAINS(err, "from 3 to 3600");
  setenv("PA_LEASE_TTL_S", "3601", 1);
  CHECK(pa_worker_config_from_env(err, sizeof err) == -1);
  setenv("PA_LEASE_TTL_S", "3s", 1);
  CHECK(pa_worker_config_from_env(err, sizeof err) == -1);
  CHECK(pa_worker_lease_ttl() == PA_LEASE_TTL_S);
  setenv("PA_LEASE_TTL_S", "3600", 1);
  CHECK(pa_worker_config_from_env(err, sizeof err) == 0 && pa_worker_lease_ttl() == 3600);
  unsetenv("PA_LEASE_TTL_S");
  CHECK(pa_worker_config_from_env(err, sizeof err) == 0 && pa_worker_lease_ttl() == 30);
  setenv("PA_LEASE_TTL_S", "3", 1);
  CHECK(pa_worker_config_from_env(err, sizeof err) == 0 && pa_worker_lease_ttl() == 3);
  /* A name of PA_WORKER_NAME_MAX - 1 bytes runs; one more does not. */
  char name[PA_WORKER_NAME_MAX + 1];
  memset(name, 'n', sizeof name);
  name[PA_WORKER_NAME_MAX] = 0;
  CHECK(pa_worker_start(name, file, 3600, round_fn, NULL) == NULL);
  atomic_int n = 0;
  name[PA_WORKER_NAME_MAX - 1] = 0;
  pa_worker *w = pa_worker_start(name, file, 3600, round_fn, &n);
  CHECK(w != NULL && reaches(&n, 1));
  pa_worker_stop(w);
}

static void wake_by_name(void) {
  atomic_int a = 0, b = 0;
  pa_worker *wa = pa_worker_start("alpha", file, 3600, round_fn, &a);
  pa_worker *wb = pa_worker_start("beta", file, 3600, round_fn, &b);
  CHECK(wa && wb);
  CHECK(reaches(&a, 1) && reaches(&b, 1)); /* a round at once */
  pa_worker_bus_wake(NULL, "job.alpha", "", 0);
  CHECK(reaches(&a, 2));
  pa_worker_bus_wake(NULL, "job.alph", "", 0); /* no worker of that name */
  pa_worker_bus_wake(NULL, "job.alpha", "", 0);
  CHECK(reaches(&a, 3));
  CHECK(atomic_load(&b) == 1); /* beta was not woken, and its tick is an hour away */
  pa_worker_bus_resync(NULL);
  CHECK(reaches(&a, 4) && reaches(&b, 2));
  pa_worker_wake(wb); /* here (and published: nothing without Redis) */
  CHECK(reaches(&b, 3));
  pa_store *db = open_db();
  CHECK(leases(db) == 2);
  pa_worker_stop(wa);
  pa_worker_stop(wb);
  CHECK(leases(db) == 0); /* released at the clean stop */
  pa_store_close(db);
}

static void another_holder(void) {
  pa_store *db = open_db();
  int held = 0;
  CHECK(pa_store_lease_take(db, "worker.gamma", "another-process", (int64_t)time(NULL), 3600,
                            &held) == PA_STORE_OK &&
        held == 1);
  atomic_int g = 0;
  pa_worker *w = pa_worker_start("gamma", file, 3600, round_fn, &g);
  CHECK(w != NULL);
  pa_worker_bus_wake(NULL, "job.gamma", "", 0);
  CHECK(pa_worker_lease_hold(db, "worker.gamma") == 0);
  CHECK(atomic_load(&g) == 0);
  /* The other process stops cleanly: taken at the next look, and a round at once. */
  CHECK(pa_store_lease_release(db, "worker.gamma", "another-process") == PA_STORE_OK);
  CHECK(reaches(&g, 1));
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT holder FROM leases WHERE name = 'worker.gamma'");
  CHECK(st && pa_sq_step(st) == PA_SQ_ROW && strcmp(pa_sq_text(st, 0), pa_redis_node()) == 0);
  pa_sq_done(st);
  pa_worker_stop(w);
  CHECK(leases(db) == 0);
  pa_store_close(db);
}

int main(void) {
  char dir[] = "/tmp/pa-test-worker-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(file, sizeof file, "%s/worker.db", dir);
  pa_store *db = NULL;
  char err[256];
  if (pa_store_open(file, 1, &db, err, sizeof err) != PA_STORE_OK ||
      pa_store_migrate(db) != PA_STORE_OK) {
    fprintf(stderr, "cannot make the store: %s\n", db ? pa_store_errmsg(db) : err);
    return 1;
  }
  pa_store_close(db);
  RUN(config_edges);
  RUN(wake_by_name);
  RUN(another_holder);
  static const char *const tails[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
    char path[sizeof file + 8];
    snprintf(path, sizeof path, "%s%s", file, tails[i]);
    unlink(path);
  }
  rmdir(dir);
  return pa_test_summary("worker");
}
