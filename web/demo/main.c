/* petamigos-demo --data DIR [--size small|full]
 *
 * Fills a server data directory with the demo world: creates or migrates
 * DIR/petamigos.db (and DIR/media/), exactly where petamigos-server --data
 * DIR looks, and seeds it when it has no posts. A database that has posts is
 * never touched, so running it before every server start is safe. Run it
 * while no server writes to DIR (a running server is not told).
 *
 * stdout: one line saying how many posts were added (0 when the database
 * had posts already). Exit status: 0, 1 when the world could not be written,
 * 2 for bad arguments. */
#include "clock.h"
#include "datadir.h"
#include "seed.h"
#include "store/store.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: petamigos-demo --data DIR [--size small|full]\n"
    "  --data DIR    the server's data directory: DIR/petamigos.db and DIR/media/\n"
    "                (created or migrated as petamigos-server --data DIR would)\n"
    "  --size SIZE   full (default): 60 owners, 100 pets, 520 posts, 24 reels;\n"
    "                small: the quick world tests use (6 owners, 10 pets, 30 posts)\n"
    "Seeds only a database without posts; one with posts is left as it is.\n"
    "environment: PA_TEST_CLOCK_OFFSET=SECONDS moves the clock (tests only)\n";

typedef struct args {
  const char *data;
  pa_demo_size size;
} args;

/* 0: run; 1: --help was asked; -1: bad arguments (err says which). */
static int parse_args(int argc, char **argv, args *a, char *err, size_t errlen) {
  *a = (args){NULL, PA_DEMO_FULL};
  for (int i = 1; i < argc; i++) {
    const char *opt = argv[i];
    if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) return 1;
    if (strcmp(opt, "--data") != 0 && strcmp(opt, "--size") != 0) {
      snprintf(err, errlen, "unknown option %s", opt);
      return -1;
    }
    if (i + 1 >= argc) {
      snprintf(err, errlen, "%s needs a value", opt);
      return -1;
    }
    const char *val = argv[++i];
    if (strcmp(opt, "--data") == 0) {
      a->data = val;
    } else if (strcmp(val, "small") == 0 || strcmp(val, "full") == 0) {
      a->size = val[0] == 's' ? PA_DEMO_SMALL : PA_DEMO_FULL;
    } else {
      snprintf(err, errlen, "--size must be small or full, got %s", val);
      return -1;
    }
  }
  if (!a->data || !*a->data) {
    snprintf(err, errlen, "--data is required");
    return -1;
  }
  return 0;
}

/* As petamigos-server makes its directories (web/src/main.c). */
/* Migrates the schema and seeds; 0 when the database holds a demo world or other posts. */
static int seed(const args *a, const char *db_path, const char *media_dir) {
  pa_store *db = NULL;
  char err[512];
  int rc, added = 0;
  if (pa_store_open(db_path, 1, &db, err, sizeof err) != PA_STORE_OK) {
    fprintf(stderr, "petamigos-demo: %s\n", err);
    return -1;
  }
  if (pa_store_migrate(db) != PA_STORE_OK) {
    fprintf(stderr, "petamigos-demo: %s database: %s\n", pa_store_kind(db), pa_store_errmsg(db));
    pa_store_close(db);
    return -1;
  }
  rc = pa_demo_seed(db, media_dir, a->size, pa_clock_now(), &added, err, sizeof err);
  pa_store_close(db);
  if (rc != PA_DEMO_OK) {
    fprintf(stderr, "petamigos-demo: seeding failed (%s): %s\n", pa_demo_errstr(rc), err);
    return -1;
  }
  if (added)
    printf("petamigos-demo: seeded %d demo posts\n", added);
  else
    printf("petamigos-demo: database has posts already; not seeding\n");
  return fflush(stdout) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  args a;
  char err[512];
  int rc = parse_args(argc, argv, &a, err, sizeof err);
  if (rc != 0) {
    if (rc < 0) fprintf(stderr, "petamigos-demo: %s\n", err);
    fputs(usage, rc < 0 ? stderr : stdout);
    return rc < 0 ? 2 : 0;
  }
  if (sodium_init() < 0) {
    fprintf(stderr, "petamigos-demo: libsodium failed to initialise\n");
    return 1;
  }
  if (pa_clock_init() != 0) {
    fprintf(stderr, "petamigos-demo: PA_TEST_CLOCK_OFFSET must be whole seconds\n");
    return 2;
  }
  if (pa_clock_offset())
    fprintf(stderr, "petamigos-demo: clock moved by %lld s (PA_TEST_CLOCK_OFFSET)\n",
            (long long)pa_clock_offset());
  pa_datadir dd;
  if (pa_datadir_prepare(a.data, &dd, err, sizeof err) != 0) {
    fprintf(stderr, "petamigos-demo: %s\n", err);
    return 1;
  }
  return seed(&a, dd.db_path, dd.media_dir) == 0 ? 0 : 1;
}
