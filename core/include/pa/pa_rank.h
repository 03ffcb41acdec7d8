/* pa_rank — on-device ranking of the feed (issue 6).
 *
 * The server sends a page of candidates with item embeddings
 * (GET /api/v1/feed/candidates); the phone keeps the user's taste and ranks.
 *
 * PRIVACY: the taste (user vector, author affinities, hidden posts and
 * authors) lives only on the device. Nothing in this module sends it
 * anywhere; pa_rank_taste_save exists for local storage only and the bytes
 * must never be uploaded.
 *
 * Score of candidate i (FOR_YOU), all terms bounded:
 *   score = w_similar   * sim     sim = u . v_i, v_i the unit-length item
 *                                 embedding, |u| <= 1: a cosine that grows
 *                                 with how much the taste has learned
 *         + w_author    * aff     learned author affinity in [-1, 1]
 *         + w_following * follow  1 if the server says the user follows the author
 *         + w_new       * tau / (tau + age_hours)           (hyperbolic decay; float
 *                                 hours: age at the page's newest post + now - newest)
 *         + w_popular   * x / (x + K), x = likes + 2 * comments
 * Hidden posts and posts by hidden authors are never returned. Only + - * /
 * and sqrt, all correctly rounded, in a fixed order (no libm, no FMA
 * contraction: keep -ffp-contract off), so native and WASM rank bit-identically.
 *
 * A heap selects the pool: the best cap + 3 * mmr_depth candidates by score
 * (no full sort). Over the first mmr_depth slots, MMR picks from the pool
 *   argmax  lambda * score - (1 - lambda) * max_{j placed} sim(i, j)
 * with sim(i, j) = 1 for the same author or pet, else max(0, v_i . v_j);
 * later slots follow score order.
 * GUARANTEE (FOR_YOU): no two adjacent items of the returned list share an
 * author unless every remaining candidate of the pool has that author
 * (within mmr_depth; beyond it the check looks 64 candidates ahead).
 * Exploration: each organic slot after the first is, with probability
 * explore, a seeded uniform draw from eligible candidates outside the pool
 * whose author the user has not shown dislike for (affinity >= 0), by
 * rejection sampling over the page (8 tries, else the slot is not explored).
 *
 * Ads (sponsored candidates, both modes): one ad after every ad_every organic
 * posts at most, so never first and never adjacent; never next to a post by
 * its own author; at most ad_cap distinct ads per advertiser per session.
 * FOLLOWING mode: only following == true, newest first (ties: page order),
 * no MMR, no exploration, ads by the same rule (they never reorder posts).
 *
 * Deterministic: the same seed, config, taste, page, now and session history
 * give the same list on every platform. */
#ifndef PA_RANK_H
#define PA_RANK_H

#include "pa/pa_status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_RANK_DIM = 64,                     /* the only dim the parser accepts (model mf-v1) */
  PA_RANK_MAX_DIM = 256,                /* pa_rank_page_build: dim a multiple of 16 up to this */
  PA_RANK_MAX_CANDIDATES = 20000,       /* per page */
  PA_RANK_MAX_BYTES = 32 * 1024 * 1024, /* one page of JSON */
  PA_RANK_MAX_TAGS = 30,
  PA_RANK_MAX_ID = 64,             /* bytes of [A-Za-z0-9_-] */
  PA_RANK_MAX_MODEL = 32,          /* model.version, same alphabet plus '.' */
  PA_RANK_MAX_REASONS = 4,         /* per ranked item */
  PA_RANK_MAX_AUTHORS = 512,       /* taste's author-affinity table */
  PA_RANK_MAX_HIDDEN_POSTS = 1024, /* oldest forgotten first */
  PA_RANK_MAX_HIDDEN_AUTHORS = 256,
  PA_RANK_TASTE_VERSION = 1,
  /* A sponsored candidate's "why" (issue 21): the campaign's targeting that
   * matched this viewer, four lists of short strings. */
  PA_RANK_MAX_TARGETS = 20,     /* entries per list (the server reads at most 20 a list) */
  PA_RANK_MAX_TARGET_TEXT = 80, /* code points of a species or a tag */
  PA_RANK_MAX_TARGET_LANG = 16  /* bytes of a language tag ("es", "pt-BR", "zh-Hans") */
};

/* The lists of a sponsored candidate's "why", in the JSON's order. species
 * and tags are text (valid UTF-8, no control characters, 1..80 code points);
 * languages are catalog tags (a 2-3 letter language, then "-" and 2-8
 * letters or digits, up to 16 bytes); countries are ISO 3166-1 alpha-2 (two
 * capital letters). */
typedef enum pa_rank_target {
  PA_RANK_TARGET_SPECIES,
  PA_RANK_TARGET_TAGS,
  PA_RANK_TARGET_LANGUAGES,
  PA_RANK_TARGET_COUNTRIES,
  PA_RANK_TARGET_LISTS
} pa_rank_target;

typedef enum pa_rank_mode { PA_RANK_FOR_YOU = 0, PA_RANK_FOLLOWING = 1 } pa_rank_mode;

/* The user's own signals. value: DWELL milliseconds (0..86,400,000), WATCH the
 * watched fraction of a story/reel (0..1); ignored for the others.
 *   signal       reward r                     user rate  author rate
 *   LIKE         +1                           0.15       0.30
 *   DWELL        0.6 * ms / (ms + 4000) - 0.1 0.08       0.10
 *   WATCH        1.2 * f - 0.4                0.10       0.15
 *   SKIP         -0.3                         0.04       0.05
 *   HIDE         -1, and the post is hidden   0.20       0.40
 *   HIDE_AUTHOR  -1, and the author is hidden 0.10       1.00
 *   FOLLOW       +1                           0.05       0.50
 * User vector (SGD on (r - u.v)^2, then |u| clipped to 1):
 *   u += rate * (r - u . v) * v
 * Author affinity (moving average towards r): aff += rate * (r - aff). */
typedef enum pa_rank_signal {
  PA_RANK_LIKE,
  PA_RANK_DWELL,
  PA_RANK_WATCH,
  PA_RANK_SKIP,
  PA_RANK_HIDE,
  PA_RANK_HIDE_AUTHOR,
  PA_RANK_FOLLOW
} pa_rank_signal;

/* "Why this post": the UI shows these. For SPONSORED and EXPLORING the weight
 * is 1 and the label must be shown; for the others it is the term's
 * contribution to the score. */
typedef enum pa_rank_why {
  PA_RANK_WHY_SIMILAR,   /* similar to what you liked */
  PA_RANK_WHY_AUTHOR,    /* you often engage with this author */
  PA_RANK_WHY_FOLLOWING, /* you follow the author */
  PA_RANK_WHY_NEW,
  PA_RANK_WHY_POPULAR,
  PA_RANK_WHY_EXPLORING, /* shown so your taste can move */
  PA_RANK_WHY_SPONSORED
} pa_rank_why;

typedef struct pa_rank_candidate {
  const char *post_id, *author_id, *pet_id, *species;
  const char *const *tags;
  int tag_count;
  int64_t created_at; /* Unix seconds */
  int64_t like_count, comment_count;
  bool following;
  bool sponsored;
  const char *advertiser_id, *campaign_id; /* NULL unless sponsored */
  /* Serving (issue 21), optional in a sponsored object and NULL when absent:
   * the server's single-use token (pa_feed_ad_token_check) and the ad's link
   * ("" for none, else https: pa_feed_ad_link_check). Never set unless
   * sponsored. */
  const char *ad_token, *ad_link;
  /* The targeting that matched ("why"), by pa_rank_target; an absent "why"
   * or list is empty. */
  const char *const *why[PA_RANK_TARGET_LISTS];
  int why_count[PA_RANK_TARGET_LISTS];
} pa_rank_candidate;

typedef struct pa_rank_reason {
  pa_rank_why code;
  float weight;
} pa_rank_reason;

typedef struct pa_rank_item {
  int index;      /* into the page */
  float score;    /* the formula above */
  bool sponsored; /* the UI must label it */
  int reason_count;
  pa_rank_reason reasons[PA_RANK_MAX_REASONS]; /* strongest first */
} pa_rank_item;

typedef struct pa_rank_config {
  float w_similar, w_author, w_following, w_new, w_popular; /* 1.0 0.6 0.35 0.25 0.2 */
  float new_hours;    /* tau, 12: a post 12 h old gets half the "new" weight */
  float popular_half; /* K, 50: interactions at which "popular" is half */
  float mmr_lambda;   /* 0.7: relevance vs. novelty */
  int mmr_depth;      /* 50: slots chosen by MMR */
  float explore;      /* epsilon, 0.1 */
  int ad_every;       /* N, 5: at most one ad per N organic posts; 0 = no ads */
  int ad_cap;         /* 2: distinct ads per advertiser per session */
  bool int8;          /* score with the page's int8 embeddings (pa_rank_page_quantize) */
} pa_rank_config;

/* ---- candidate pages */

typedef struct pa_rank_page pa_rank_page;

/* Parses a candidate page strictly (types, ranges, finite numbers, exactly
 * model.dim floats, limits, no duplicate post ids); errors name the field
 * ("candidates[3].embedding[7]: ..."). On success the caller frees *out with
 * pa_rank_page_free; on failure *out is NULL. */
pa_status pa_rank_page_parse(const char *json, size_t len, pa_rank_page **out, pa_error *err);

/* Builds a page from memory with the same checks (embeddings: n * dim floats,
 * dim a multiple of 16 up to PA_RANK_MAX_DIM). Everything is copied; the
 * caller frees *out with pa_rank_page_free. */
pa_status pa_rank_page_build(const char *model, int dim, const pa_rank_candidate *cands,
                             const float *embeddings, int n, pa_rank_page **out, pa_error *err);

void pa_rank_page_free(pa_rank_page *page);

int pa_rank_page_count(const pa_rank_page *page);
int pa_rank_page_dim(const pa_rank_page *page);
const char *pa_rank_page_model(const pa_rank_page *page);
const pa_rank_candidate *pa_rank_page_candidate(const pa_rank_page *page, int index);
/* The candidate's embedding scaled to unit length (all zeros stays zero). */
const float *pa_rank_page_embedding(const pa_rank_page *page, int index);
/* Index of the candidate with this post id, or -1. */
int pa_rank_page_find(const pa_rank_page *page, const char *post_id);
/* Index of the newest candidate by this author and/or showing this pet (NULL
 * matches any; not both NULL), or -1: where a follow of a person or a pet is
 * learned from. Ties: the first on the page. */
int pa_rank_page_find_by(const pa_rank_page *page, const char *author_id, const char *pet_id);
/* The newest created_at: a reproducible "now" for tools. */
int64_t pa_rank_page_newest(const pa_rank_page *page);

/* Adds int8 copies of the embeddings (per-vector scale max|v|/127), owned and
 * freed with the page; idempotent. Measured recall: see core/src/rank/rank.md. */
pa_status pa_rank_page_quantize(pa_rank_page *page, pa_error *err);

/* ---- taste: learned on the device, never uploaded */

typedef struct pa_rank_taste pa_rank_taste;

/* A blank taste for dim-d embeddings. The caller frees *out with
 * pa_rank_taste_free. */
pa_status pa_rank_taste_create(int dim, pa_rank_taste **out, pa_error *err);
void pa_rank_taste_free(pa_rank_taste *taste);
/* Forgets everything learned (vector, affinities, hides). */
void pa_rank_taste_reset(pa_rank_taste *taste);

/* Learns from one signal on page's candidate index (see pa_rank_signal).
 * When the page's model differs from the one the vector was learned on, the
 * vector restarts; affinities and hides carry over. */
pa_status pa_rank_taste_observe(pa_rank_taste *taste, const pa_rank_page *page, int index,
                                pa_rank_signal signal, double value, pa_error *err);

/* Learns a signal about an author (a user id) from something that is not a
 * ranking candidate, such as a story or reel watched (PA_RANK_WATCH, value
 * the fraction): only the author affinity moves (and HIDE_AUTHOR hides). */
pa_status pa_rank_taste_observe_author(pa_rank_taste *taste, const char *author_id,
                                       pa_rank_signal signal, double value, pa_error *err);

/* A post the feed had on screen for ms milliseconds (the app's
 * PA_ACTION_VIEWED): under PA_RANK_SKIP_MS it was scrolled past (SKIP),
 * otherwise it is a DWELL of ms (capped at 86,400,000). */
enum { PA_RANK_SKIP_MS = 1000 };
pa_status pa_rank_taste_viewed(pa_rank_taste *taste, const pa_rank_page *page, int index, double ms,
                               pa_error *err);

/* Number of signals learned from since the last reset. */
uint64_t pa_rank_taste_updates(const pa_rank_taste *taste);
/* The learned affinity for an author id, 0 when unknown. */
float pa_rank_taste_affinity(const pa_rank_taste *taste, const char *author_id);

/* Bytes pa_rank_taste_save needs. */
size_t pa_rank_taste_saved_size(const pa_rank_taste *taste);
/* Serialises into buf (little-endian, versioned, CRC-32 checked). *len gets
 * the size needed even when cap is too small (then PA_ERR_TOO_LARGE). */
pa_status pa_rank_taste_save(const pa_rank_taste *taste, uint8_t *buf, size_t cap, size_t *len,
                             pa_error *err);
/* Replaces taste with saved bytes; refuses foreign, corrupt, other-version or
 * other-dim bytes with a clear error and then leaves taste untouched. */
pa_status pa_rank_taste_load(pa_rank_taste *taste, const uint8_t *buf, size_t len, pa_error *err);

/* ---- ranking sessions */

typedef struct pa_rank_session pa_rank_session;

void pa_rank_config_default(pa_rank_config *cfg);

/* A ranking session (mode, seed, served-ads memory for the frequency cap,
 * scratch memory reused across calls). cfg NULL means defaults. The caller
 * frees *out with pa_rank_session_free. */
pa_status pa_rank_session_create(const pa_rank_config *cfg, uint64_t seed, pa_rank_session **out,
                                 pa_error *err);
void pa_rank_session_free(pa_rank_session *s);
pa_status pa_rank_session_configure(pa_rank_session *s, const pa_rank_config *cfg, pa_error *err);
/* Switchable at any time; the next pa_rank_session_rank uses it. */
void pa_rank_session_set_mode(pa_rank_session *s, pa_rank_mode mode);
pa_rank_mode pa_rank_session_mode(const pa_rank_session *s);
/* A new app session: the per-advertiser caps start again. */
void pa_rank_session_restart(pa_rank_session *s);

/* Ranks page into out[0..cap) (caller-owned), *count items. taste may be NULL
 * (cold start); now is Unix seconds. Re-ranking the same page gives the same
 * list while the taste is unchanged: ads already served count once. */
pa_status pa_rank_session_rank(pa_rank_session *s, const pa_rank_taste *taste,
                               const pa_rank_page *page, int64_t now, pa_rank_item *out, int cap,
                               int *count, pa_error *err);

/* ---- text for tools and the UI (snprintf-style: return the full length) */

const char *pa_rank_mode_name(pa_rank_mode mode);    /* "for-you", "following" */
const char *pa_rank_why_name(pa_rank_why why);       /* "similar", "sponsored", ... */
const char *pa_rank_signal_name(pa_rank_signal sig); /* "like", "dwell", ... */
const char *pa_rank_target_name(pa_rank_target t);   /* "species", "tags", ... */
/* Parses a name from the functions above; false when unknown. */
bool pa_rank_signal_from_name(const char *name, pa_rank_signal *out);

/* The listing the CLI prints and the WASM tests compare. */
size_t pa_rank_describe(const pa_rank_page *page, const pa_rank_item *items, int count,
                        pa_rank_mode mode, bool explain, char *buf, size_t cap);
/* [{"index":3,"post_id":"p_3","score":0.8123,"sponsored":null|{"advertiser_id":..,
 *  "campaign_id":..[,"token":..,"link":..],"why":{"species":[..],"tags":[..],
 *  "languages":[..],"countries":[..]}},"why":[{"code":"similar","weight":0.42}]}] for the
 * shell: the sponsored object as the server's, token and link only when the page had
 * them, its "why" always (lists empty where it had none). */
size_t pa_rank_items_json(const pa_rank_page *page, const pa_rank_item *items, int count, char *buf,
                          size_t cap);

#endif
