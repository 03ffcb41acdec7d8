/* pa_store_search: matching by instr over names folded by the pa_fold SQL
 * function (each driver provides both; store/sql/sql.h). */
#include "store/search.h"

#include "store/sql/sql.h"
#include "store/sql/visible.h"

/* ?1 folded query, ?2 ?3 cursor (class, id), ?4 row limit, ?5 the viewer:
 * people in a block with the viewer (either way) are not found, nor their
 * pets, so a mention of them resolves to nothing. */
static const char people_sql[] =
    "SELECT cls, id, name, avatar, ext, plus_until FROM ("
    "  SELECT CASE WHEN instr(' ' || pa_fold(u.name) || ' ' || u.handle, ' ' || ?1) > 0 THEN 0"
    "              WHEN instr(pa_fold(u.name) || ' ' || u.handle, ?1) > 0 THEN 1 ELSE 2 END AS cls,"
    "         u.id AS id, u.name AS name, u.avatar AS avatar, m.ext AS ext, u.plus_until"
    "    FROM users u LEFT JOIN media m ON m.hash = u.avatar"
    "   WHERE " PA_SQ_NOT_BLOCKED(
        "?5", "u.id") ") AS found"
                      " WHERE cls < 2 AND (cls, id) > (?2, ?3) ORDER BY cls, id LIMIT ?4";
/* Pets match by name or by breed (a breed result leads to its pets). Found
 * as profiles show them: no block either way, and a private account's pets
 * only by its owner and the followers it approved (PA_SQ_POSTS_VISIBLE, as
 * breeds_sql counts them). */
static const char pets_sql[] =
    "SELECT cls, id, name, species, avatar, ext FROM ("
    "  SELECT CASE WHEN instr(' ' || pa_fold(t.name) || ' ' || pa_fold(t.breed), ' ' || ?1) > 0"
    "              THEN 0"
    "              WHEN instr(pa_fold(t.name) || ' ' || pa_fold(t.breed), ?1) > 0 THEN 1"
    "              ELSE 2 END AS cls,"
    "         t.id AS id, t.name AS name, t.species AS species, t.avatar AS avatar, m.ext AS ext"
    "    FROM pets t JOIN users u ON u.id = t.owner_id LEFT JOIN media m ON m.hash = t.avatar"
    "   WHERE " PA_SQ_POSTS_VISIBLE(
        "u", "?5") ") AS found"
                   " WHERE cls < 2 AND (cls, id) > (?2, ?3) ORDER BY cls, id LIMIT ?4";
/* Groups have no id of their own: these page by (class, smallest member id).
 * ?5 the viewer: a breed counts and is found by the pets the viewer may see,
 * as pet search finds them (no block either way) and as profiles show them
 * (a private account's pets are for its followers). */
static const char breeds_sql[] =
    "SELECT cls, gid, breed, species, n FROM ("
    "  SELECT CASE WHEN instr(' ' || pa_fold(t.breed), ' ' || ?1) > 0 THEN 0"
    "              WHEN instr(pa_fold(t.breed), ?1) > 0 THEN 1 ELSE 2 END AS cls,"
    "         min(t.id) AS gid, t.breed AS breed, t.species AS species, count(*) AS n"
    "    FROM pets t JOIN users u ON u.id = t.owner_id"
    "   WHERE t.breed <> '' AND " PA_SQ_POSTS_VISIBLE(
        "u", "?5") " GROUP BY t.breed, t.species) AS found"
                   " WHERE cls < 2 AND (cls, gid) > (?2, ?3) ORDER BY cls, gid LIMIT ?4";
/* Tags share posts, so (class, uses, tag) orders them and pages go by
 * offset: ?2 the tags already listed, ?4 the row limit (?3 unused), ?5 the
 * viewer; pos is how many are listed through this row. A tag's uses are the
 * posts the viewer's tag feed can list (store/sql/feed.c): a tag only
 * people in a block with the viewer, private to them or muted by them used
 * is not found. */
static const char tags_sql[] =
    "SELECT pos, tag, n FROM ("
    "  SELECT row_number() OVER (ORDER BY cls, n DESC, tag) AS pos, tag, n FROM ("
    "    SELECT CASE WHEN instr(tag, ?1) = 1 THEN 0 WHEN instr(tag, ?1) > 1 THEN 1 ELSE 2 END"
    "           AS cls, tag, count(*) AS n FROM post_tags pt"
    "      JOIN posts p ON p.id = pt.post_id AND p.mod_state = 0 JOIN users u ON u.id = p.author_id"
    "     WHERE " PA_SQ_POSTS_VISIBLE("u", "?5") " AND " PA_SQ_NOT_CREATIVE(
        "p.id") " AND " PA_SQ_NOT_MUTED("?5", "p.author_id") "     GROUP BY tag) AS found"
                                                             "   WHERE cls < 2) AS listed"
                                                             " ORDER BY pos LIMIT ?4 OFFSET ?2";

/* The caller's callback, by what is searched. */
typedef struct walk {
  pa_store_person_fn person;
  pa_store_pet_ref_fn pet;
  pa_store_breed_fn breed;
  pa_store_tag_fn tag;
  void *ctx;
} walk;

static int person_row(void *ctx, pa_sql_stmt *st) {
  walk *w = ctx;
  pa_store_person p;
  pa_sq_person(st, 1, &p);
  return w->person(w->ctx, &p);
}

static int pet_row(void *ctx, pa_sql_stmt *st) {
  walk *w = ctx;
  pa_store_pet_ref p;
  pa_sq_pet_ref(st, 1, &p);
  return w->pet(w->ctx, &p);
}

static int breed_row(void *ctx, pa_sql_stmt *st) {
  walk *w = ctx;
  pa_store_breed b = {pa_sq_text(st, 2), pa_sq_text(st, 3), pa_sq_i64(st, 4)};
  return w->breed(w->ctx, &b);
}

static int tag_row(void *ctx, pa_sql_stmt *st) {
  walk *w = ctx;
  pa_store_tag t = {pa_sq_text(st, 1), pa_sq_i64(st, 2)};
  return w->tag(w->ctx, &t);
}

/* Runs one of the queries above; the first page starts before class 0, or
 * at offset 0 for tags. */
static int search(pa_store *db, const char *sql, const char *q, int64_t viewer,
                  const pa_store_cursor *after, int limit, int (*row)(void *, pa_sql_stmt *),
                  walk *w, pa_store_cursor *next, int *more) {
  int tags = sql == tags_sql;
  *more = 0;
  if (!q || limit < 1) return pa_sq_failf(db, PA_STORE_EINVAL, "search: bad query or limit");
  pa_sql_stmt *st = pa_sq_stmt(db, sql);
  if (!st) return PA_STORE_EDB;
  int rc = pa_sq_bind_text(st, 1, q);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 2, after ? after->created_at : tags ? 0 : -1);
  /* Bound for tags too, unused there: PostgreSQL must know every parameter's type. */
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 3, after && !tags ? after->id : 0);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 4, limit + 1);
  if (rc == PA_SQ_OK) rc = pa_sq_bind_i64(st, 5, viewer);
  if (rc != PA_SQ_OK) {
    int out = pa_sq_fail(db, "search");
    pa_sq_done(st);
    return out;
  }
  /* A tag's position is its pos (column 0), read into both halves. */
  if (tags) *next = (pa_store_cursor){after ? after->created_at : 0, 0};
  rc = pa_sq_page(db, st, limit, row, w, 0, tags ? 0 : 1, next, more, "search");
  if (tags) next->id = 0;
  return rc;
}

int pa_store_search_people(pa_store *db, const char *q, int64_t viewer,
                           const pa_store_cursor *after, int limit, pa_store_person_fn fn,
                           void *ctx, pa_store_cursor *next, int *more) {
  walk w = {.person = fn, .ctx = ctx};
  return search(db, people_sql, q, viewer, after, limit, person_row, &w, next, more);
}

int pa_store_search_pets(pa_store *db, const char *q, int64_t viewer, const pa_store_cursor *after,
                         int limit, pa_store_pet_ref_fn fn, void *ctx, pa_store_cursor *next,
                         int *more) {
  walk w = {.pet = fn, .ctx = ctx};
  return search(db, pets_sql, q, viewer, after, limit, pet_row, &w, next, more);
}

int pa_store_search_breeds(pa_store *db, const char *q, int64_t viewer,
                           const pa_store_cursor *after, int limit, pa_store_breed_fn fn, void *ctx,
                           pa_store_cursor *next, int *more) {
  walk w = {.breed = fn, .ctx = ctx};
  return search(db, breeds_sql, q, viewer, after, limit, breed_row, &w, next, more);
}

int pa_store_search_tags(pa_store *db, const char *q, int64_t viewer, const pa_store_cursor *after,
                         int limit, pa_store_tag_fn fn, void *ctx, pa_store_cursor *next,
                         int *more) {
  walk w = {.tag = fn, .ctx = ctx};
  return search(db, tags_sql, q, viewer, after, limit, tag_row, &w, next, more);
}
