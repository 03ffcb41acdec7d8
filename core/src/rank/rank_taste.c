/* The user's taste, learned on the device from their own signals and kept
 * there: a unit-bounded vector in the model's embedding space, a bounded
 * table of author affinities, and the posts and authors they hid. */
#include "rank_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct author_aff {
  uint64_t hash;
  float aff;        /* [-1, 1] */
  uint32_t touched; /* clock of the last signal */
} author_aff;

typedef struct mark {
  uint64_t hash;
  uint32_t seq;
} mark;

struct pa_rank_taste {
  int dim;
  char model[PA_RANK_MAX_MODEL + 1]; /* the model u was learned in; "" before any signal */
  uint64_t updates;
  uint32_t clock;
  int n_authors, n_hidden_posts, n_hidden_authors;
  author_aff authors[PA_RANK_MAX_AUTHORS]; /* each table sorted by hash */
  mark hidden_posts[PA_RANK_MAX_HIDDEN_POSTS];
  mark hidden_authors[PA_RANK_MAX_HIDDEN_AUTHORS];
  float u[]; /* dim */
};

/* Reward, user-vector rate, author rate; documented in pa_rank.h. DWELL's
 * and WATCH's rewards depend on the value and are filled in below. */
static const struct {
  float reward, rate, author_rate;
} LEARN[] = {
    [PA_RANK_LIKE] = {1.0f, 0.15f, 0.30f},   [PA_RANK_DWELL] = {0, 0.08f, 0.10f},
    [PA_RANK_WATCH] = {0, 0.10f, 0.15f},     [PA_RANK_SKIP] = {-0.3f, 0.04f, 0.05f},
    [PA_RANK_HIDE] = {-1.0f, 0.20f, 0.40f},  [PA_RANK_HIDE_AUTHOR] = {-1.0f, 0.10f, 1.00f},
    [PA_RANK_FOLLOW] = {1.0f, 0.05f, 0.50f},
};

static size_t taste_bytes(int dim) { return sizeof(pa_rank_taste) + (size_t)dim * sizeof(float); }

pa_status pa_rank_taste_create(int dim, pa_rank_taste **out, pa_error *err) {
  pa_error_clear(err);
  if (!out) return pa_error_set(err, PA_ERR_ARG, "taste: no output");
  *out = NULL;
  if (dim < 16 || dim > PA_RANK_MAX_DIM || dim % 16)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "taste: dim %d is not a multiple of 16 in 16..%d",
                        dim, PA_RANK_MAX_DIM);
  pa_rank_taste *t = calloc(1, taste_bytes(dim));
  if (!t) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  t->dim = dim;
  *out = t;
  return PA_OK;
}

void pa_rank_taste_free(pa_rank_taste *taste) { free(taste); }

void pa_rank_taste_reset(pa_rank_taste *taste) {
  if (!taste) return;
  int dim = taste->dim;
  memset(taste, 0, taste_bytes(dim));
  taste->dim = dim;
}

uint64_t pa_rank_taste_updates(const pa_rank_taste *taste) { return taste ? taste->updates : 0; }

/* ---- sorted tables */

static int find_author(const pa_rank_taste *t, uint64_t h, bool *found) {
  int lo = 0, hi = t->n_authors;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (t->authors[mid].hash < h)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = lo < t->n_authors && t->authors[lo].hash == h;
  return lo;
}

static int find_mark(const mark *m, int n, uint64_t h, bool *found) {
  int lo = 0, hi = n;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (m[mid].hash < h)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = lo < n && m[lo].hash == h;
  return lo;
}

/* Adds h (or refreshes it); when full, the oldest mark makes room. */
static void add_mark(mark *m, int *n, int cap, uint64_t h, uint32_t seq) {
  bool found;
  int at = find_mark(m, *n, h, &found);
  if (found) {
    m[at].seq = seq;
    return;
  }
  if (*n == cap) {
    int old = 0;
    for (int i = 1; i < *n; i++)
      if (m[i].seq < m[old].seq) old = i;
    memmove(&m[old], &m[old + 1], sizeof *m * (size_t)(*n - old - 1));
    (*n)--;
    at = find_mark(m, *n, h, &found);
  }
  memmove(&m[at + 1], &m[at], sizeof *m * (size_t)(*n - at));
  m[at] = (mark){h, seq};
  (*n)++;
}

/* Moves the author's affinity towards reward r. When the table is full, the
 * weakest affinity (then the least recently touched) makes room: strong
 * likes and dislikes outlive lukewarm ones. */
static void learn_author(pa_rank_taste *t, uint64_t h, float r, float rate) {
  bool found;
  int at = find_author(t, h, &found);
  if (!found) {
    if (t->n_authors == PA_RANK_MAX_AUTHORS) {
      int weak = 0;
      for (int i = 1; i < t->n_authors; i++) {
        float a = fabsf(t->authors[i].aff), b = fabsf(t->authors[weak].aff);
        if (a < b || (a == b && t->authors[i].touched < t->authors[weak].touched)) weak = i;
      }
      memmove(&t->authors[weak], &t->authors[weak + 1],
              sizeof t->authors[0] * (size_t)(t->n_authors - weak - 1));
      t->n_authors--;
      at = find_author(t, h, &found);
    }
    memmove(&t->authors[at + 1], &t->authors[at],
            sizeof t->authors[0] * (size_t)(t->n_authors - at));
    t->authors[at] = (author_aff){h, 0, 0};
    t->n_authors++;
  }
  author_aff *a = &t->authors[at];
  a->aff += rate * (r - a->aff);
  a->aff = a->aff > 1 ? 1 : a->aff < -1 ? -1 : a->aff;
  a->touched = t->clock;
}

/* What every signal teaches about its author (a tick of the clock, the
 * affinity, a hidden author); the caller has moved the vector if a post had one. */
static void learn_signal(pa_rank_taste *t, uint64_t author, pa_rank_signal signal, float r) {
  t->clock++;
  learn_author(t, author, r, LEARN[signal].author_rate);
  if (signal == PA_RANK_HIDE_AUTHOR)
    add_mark(t->hidden_authors, &t->n_hidden_authors, PA_RANK_MAX_HIDDEN_AUTHORS, author, t->clock);
  t->updates++;
}

/* The reward of one signal (DWELL's and WATCH's depend on the value). */
static pa_status reward_of(pa_rank_signal signal, double value, float *r, pa_error *err) {
  if ((unsigned)signal >= sizeof LEARN / sizeof LEARN[0])
    return pa_error_set(err, PA_ERR_ARG, "observe: unknown signal %d", (int)signal);
  *r = LEARN[signal].reward;
  if (signal == PA_RANK_DWELL) {
    if (!(value >= 0 && value <= 86400000.0))
      return pa_error_set(err, PA_ERR_ARG, "observe: dwell must be 0..86400000 ms");
    float ms = (float)value;
    *r = 0.6f * ms / (ms + 4000.0f) - 0.1f; /* saturates: 4 s is half of the way */
  } else if (signal == PA_RANK_WATCH) {
    if (!(value >= 0 && value <= 1))
      return pa_error_set(err, PA_ERR_ARG, "observe: watch fraction must be 0..1");
    *r = 1.2f * (float)value - 0.4f; /* a third watched is neutral */
  }
  return PA_OK;
}

pa_status pa_rank_taste_observe(pa_rank_taste *t, const pa_rank_page *page, int index,
                                pa_rank_signal signal, double value, pa_error *err) {
  pa_error_clear(err);
  if (!t || !page) return pa_error_set(err, PA_ERR_ARG, "observe: no taste or page");
  if (index < 0 || index >= page->n)
    return pa_error_set(err, PA_ERR_ARG, "observe: candidate %d is not on the page (0..%d)", index,
                        page->n - 1);
  if (page->dim != t->dim)
    return pa_error_set(err, PA_ERR_ARG, "observe: page is %d-d, taste is %d-d", page->dim, t->dim);
  float r;
  pa_status st = reward_of(signal, value, &r, err);
  if (st != PA_OK) return st;

  /* Another embedding model means another space: the old vector is noise there. */
  if (strcmp(t->model, page->model)) {
    memset(t->u, 0, sizeof t->u[0] * (size_t)t->dim);
    memcpy(t->model, page->model, sizeof t->model);
  }
  const float *v = page->emb + (size_t)index * (size_t)t->dim;
  float g = LEARN[signal].rate * (r - pa_rank_dot(t->u, v, t->dim));
  for (int j = 0; j < t->dim; j++) t->u[j] += g * v[j];
  float n2 = pa_rank_dot(t->u, t->u, t->dim);
  if (n2 > 1) {
    float n = sqrtf(n2);
    for (int j = 0; j < t->dim; j++) t->u[j] /= n;
  }

  learn_signal(t, page->author_hash[page->author_of[index]], signal, r);
  if (signal == PA_RANK_HIDE)
    add_mark(t->hidden_posts, &t->n_hidden_posts, PA_RANK_MAX_HIDDEN_POSTS, page->post_hash[index],
             t->clock);
  return PA_OK;
}

pa_status pa_rank_taste_observe_author(pa_rank_taste *t, const char *author_id,
                                       pa_rank_signal signal, double value, pa_error *err) {
  pa_error_clear(err);
  if (!t || !author_id || !*author_id)
    return pa_error_set(err, PA_ERR_ARG, "observe: no taste or author");
  if (signal == PA_RANK_HIDE)
    return pa_error_set(err, PA_ERR_ARG, "observe: hiding needs a post (pa_rank_taste_observe)");
  float r;
  pa_status st = reward_of(signal, value, &r, err);
  if (st != PA_OK) return st;
  learn_signal(t, pa_rank_hash(author_id), signal, r);
  return PA_OK;
}

/* ---- the ranker's read side */

const float *pa_rank_taste_vector(const pa_rank_taste *t, const char **model) {
  *model = t->model;
  return t->u;
}

int pa_rank_taste_dim(const pa_rank_taste *t) { return t->dim; }

float pa_rank_taste_affinity_hash(const pa_rank_taste *t, uint64_t author) {
  bool found;
  int at = find_author(t, author, &found);
  return found ? t->authors[at].aff : 0;
}

float pa_rank_taste_affinity(const pa_rank_taste *taste, const char *author_id) {
  return taste && author_id ? pa_rank_taste_affinity_hash(taste, pa_rank_hash(author_id)) : 0;
}

bool pa_rank_taste_hidden_post(const pa_rank_taste *t, uint64_t post) {
  bool found;
  find_mark(t->hidden_posts, t->n_hidden_posts, post, &found);
  return found;
}

bool pa_rank_taste_hidden_author(const pa_rank_taste *t, uint64_t author) {
  bool found;
  find_mark(t->hidden_authors, t->n_hidden_authors, author, &found);
  return found;
}

bool pa_rank_taste_has_hidden(const pa_rank_taste *t) {
  return t->n_hidden_posts > 0 || t->n_hidden_authors > 0;
}

/* ---- persistence: little-endian, fixed layout, CRC-32 over everything before it
 *
 *   0  8  magic "PAtaste\0"      48  8  updates
 *   8  4  version (1)            56  4  clock
 *  12  4  dim                    60  4  author count A
 *  16 32  model, NUL-padded      64  4  hidden post count P
 *                                68  4  hidden author count H
 *  72  dim * f32 user vector, then A * (u64 hash, f32 affinity, u32 touched),
 *  P * (u64 hash, u32 seq), H * (u64 hash, u32 seq), u32 CRC-32. */

static const uint8_t MAGIC[8] = {'P', 'A', 't', 'a', 's', 't', 'e', 0};
enum { HEADER = 72, AUTHOR_REC = 16, MARK_REC = 12 };

static uint32_t crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return ~c;
}

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void putf(uint8_t *p, float f) {
  uint32_t v;
  memcpy(&v, &f, 4);
  put32(p, v);
}
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }
static float getf(const uint8_t *p) {
  uint32_t v = get32(p);
  float f;
  memcpy(&f, &v, 4);
  return f;
}

static size_t saved_size(int dim, size_t a, size_t p, size_t h) {
  return HEADER + (size_t)dim * 4 + a * AUTHOR_REC + (p + h) * MARK_REC + 4;
}

size_t pa_rank_taste_saved_size(const pa_rank_taste *t) {
  return t ? saved_size(t->dim, (size_t)t->n_authors, (size_t)t->n_hidden_posts,
                        (size_t)t->n_hidden_authors)
           : 0;
}

pa_status pa_rank_taste_save(const pa_rank_taste *t, uint8_t *buf, size_t cap, size_t *len,
                             pa_error *err) {
  pa_error_clear(err);
  if (!t || !len) return pa_error_set(err, PA_ERR_ARG, "taste: no taste or length");
  size_t need = pa_rank_taste_saved_size(t);
  *len = need;
  if (!buf || cap < need)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "taste: needs %zu bytes, buffer holds %zu", need,
                        buf ? cap : (size_t)0);
  memset(buf, 0, HEADER);
  memcpy(buf, MAGIC, 8);
  put32(buf + 8, PA_RANK_TASTE_VERSION);
  put32(buf + 12, (uint32_t)t->dim);
  memcpy(buf + 16, t->model, strlen(t->model));
  put64(buf + 48, t->updates);
  put32(buf + 56, t->clock);
  put32(buf + 60, (uint32_t)t->n_authors);
  put32(buf + 64, (uint32_t)t->n_hidden_posts);
  put32(buf + 68, (uint32_t)t->n_hidden_authors);
  uint8_t *p = buf + HEADER;
  for (int j = 0; j < t->dim; j++, p += 4) putf(p, t->u[j]);
  for (int i = 0; i < t->n_authors; i++, p += AUTHOR_REC) {
    put64(p, t->authors[i].hash);
    putf(p + 8, t->authors[i].aff);
    put32(p + 12, t->authors[i].touched);
  }
  for (int i = 0; i < t->n_hidden_posts; i++, p += MARK_REC) {
    put64(p, t->hidden_posts[i].hash);
    put32(p + 8, t->hidden_posts[i].seq);
  }
  for (int i = 0; i < t->n_hidden_authors; i++, p += MARK_REC) {
    put64(p, t->hidden_authors[i].hash);
    put32(p + 8, t->hidden_authors[i].seq);
  }
  put32(p, crc32(buf, need - 4));
  return PA_OK;
}

static pa_status read_marks(const uint8_t **p, mark *m, int n, uint32_t clock, const char *what,
                            pa_error *err) {
  for (int i = 0; i < n; i++, *p += MARK_REC) {
    m[i] = (mark){get64(*p), get32(*p + 8)};
    if ((i && m[i].hash <= m[i - 1].hash) || m[i].seq > clock)
      return pa_error_set(err, PA_ERR_SCHEMA, "taste: corrupt %s table", what);
  }
  return PA_OK;
}

pa_status pa_rank_taste_load(pa_rank_taste *taste, const uint8_t *buf, size_t len, pa_error *err) {
  pa_error_clear(err);
  if (!taste || (!buf && len)) return pa_error_set(err, PA_ERR_ARG, "taste: no taste or bytes");
  if (len < 8 || memcmp(buf, MAGIC, 8))
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "taste: not a PetAmigos taste file");
  if (len < HEADER + 4)
    return pa_error_set(err, PA_ERR_TRUNCATED, "taste: %zu bytes is shorter than the header", len);
  uint32_t version = get32(buf + 8);
  if (version != PA_RANK_TASTE_VERSION)
    return pa_error_set(err, PA_ERR_UNSUPPORTED,
                        "taste: version %u is not supported (this build reads version %d)", version,
                        PA_RANK_TASTE_VERSION);
  uint32_t dim = get32(buf + 12);
  if (dim != (uint32_t)taste->dim)
    return pa_error_set(err, PA_ERR_UNSUPPORTED, "taste: saved for %u-d embeddings, expected %d-d",
                        dim, taste->dim);
  uint32_t na = get32(buf + 60), np = get32(buf + 64), nh = get32(buf + 68);
  if (na > PA_RANK_MAX_AUTHORS || np > PA_RANK_MAX_HIDDEN_POSTS || nh > PA_RANK_MAX_HIDDEN_AUTHORS)
    return pa_error_set(err, PA_ERR_SCHEMA, "taste: corrupt table sizes");
  size_t need = saved_size(taste->dim, na, np, nh);
  if (len < need)
    return pa_error_set(err, PA_ERR_TRUNCATED, "taste: %zu bytes, expected %zu", len, need);
  if (len > need)
    return pa_error_set(err, PA_ERR_SYNTAX, "taste: %zu unexpected bytes after the data",
                        len - need);
  if (crc32(buf, need - 4) != get32(buf + need - 4))
    return pa_error_set(err, PA_ERR_SYNTAX, "taste: checksum mismatch (corrupt bytes)");

  /* Decode into a copy and commit only when all of it is valid. */
  pa_rank_taste *t = calloc(1, taste_bytes(taste->dim));
  if (!t) return pa_error_set(err, PA_ERR_NOMEM, "out of memory");
  pa_status st = PA_ERR_SCHEMA;
  t->dim = taste->dim;
  memcpy(t->model, buf + 16, PA_RANK_MAX_MODEL);
  /* One encoding per state: the padding after the name must be zero. */
  for (size_t k = strlen(t->model); k < PA_RANK_MAX_MODEL; k++)
    if (buf[16 + k]) {
      pa_error_set(err, st, "taste: corrupt model name");
      goto done;
    }
  for (const char *c = t->model; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
          *c == '_' || *c == '-' || *c == '.')) {
      pa_error_set(err, st, "taste: corrupt model name");
      goto done;
    }
  t->updates = get64(buf + 48);
  t->clock = get32(buf + 56);
  t->n_authors = (int)na;
  t->n_hidden_posts = (int)np;
  t->n_hidden_authors = (int)nh;
  const uint8_t *p = buf + HEADER;
  for (int j = 0; j < t->dim; j++, p += 4) t->u[j] = getf(p);
  for (int j = 0; j < t->dim; j++)
    if (!isfinite(t->u[j])) {
      pa_error_set(err, st, "taste: corrupt vector");
      goto done;
    }
  if (pa_rank_dot(t->u, t->u, t->dim) > 1.001f) {
    pa_error_set(err, st, "taste: corrupt vector (norm above 1)");
    goto done;
  }
  for (int i = 0; i < t->n_authors; i++, p += AUTHOR_REC) {
    author_aff *a = &t->authors[i];
    *a = (author_aff){get64(p), getf(p + 8), get32(p + 12)};
    if (!(a->aff >= -1 && a->aff <= 1) || (i && a->hash <= t->authors[i - 1].hash) ||
        a->touched > t->clock) {
      pa_error_set(err, st, "taste: corrupt author table");
      goto done;
    }
  }
  if (read_marks(&p, t->hidden_posts, t->n_hidden_posts, t->clock, "hidden post", err) ||
      read_marks(&p, t->hidden_authors, t->n_hidden_authors, t->clock, "hidden author", err))
    goto done;
  memcpy(taste, t, taste_bytes(taste->dim));
  st = PA_OK;
done:
  free(t);
  return st;
}

pa_status pa_rank_taste_viewed(pa_rank_taste *t, const pa_rank_page *page, int index, double ms,
                               pa_error *err) {
  if (!(ms >= 0)) return pa_error_set(err, PA_ERR_ARG, "viewed: ms must be >= 0");
  if (ms < PA_RANK_SKIP_MS) return pa_rank_taste_observe(t, page, index, PA_RANK_SKIP, 0, err);
  return pa_rank_taste_observe(t, page, index, PA_RANK_DWELL, fmin(ms, 86400000.0), err);
}
