/* pa_store_help (store/help.h): the help center's articles, their loader
 * and BM25 retrieval on both engines. */
#include "store/help.h"

#include "buf.h"
#include "search/search.h"
#include "store/sql/sql.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* BM25's column weights, the same on both engines (read at query time):
 * what people type is most often in an article's title and in the words
 * its writers listed for it, less in its one-sentence summary, least in its
 * body. A change to how text is analyzed changes PA_HELP_INDEX_VERSION
 * (part of every digest), so every article is analyzed again at the next
 * start. */
#define W_TITLE    "4.0"
#define W_KEYWORDS "4.0"
#define W_SUMMARY  "2.0"
#define W_BODY     "1.0"
/* 2: French and Italian elisions dropped (PA_SEARCH_ELISION); 3: short
 * hiragana terms dropped in ja (HELP_KANA_STOP_MAX); 4: Devanagari's nukta
 * dropped (drop_nukta); 5: question words dropped (question_words); 6:
 * Arabic spelling variants made one (plain_arabic). */
enum { PA_HELP_INDEX_VERSION = 6 };

/* U+E000 (private use: FTS5's tokenizer keeps it inside a token, the
 * analyzer never emits it) between a term's locale and the term. */
#define LOCALE_MARK "\xee\x80\x80"

/* ---- checks */

static int slug_ok(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > PA_STORE_HELP_SLUG_MAX) return 0;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) return 0;
  return 1;
}

static int section_ok(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > PA_STORE_HELP_SECTION_MAX) return 0;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-')) return 0;
  return 1;
}

static int locale_ok(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n < 2 || n > PA_STORE_HELP_LOCALE_MAX) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
      return 0;
  }
  return 1;
}

/* ---- terms */

/* The locale's prefix: its letters and digits, then the mark. */
static void locale_prefix(const char *locale, char out[PA_STORE_HELP_LOCALE_MAX + 4]) {
  size_t j = 0;
  for (const char *c = locale; *c; c++)
    if (*c != '-') out[j++] = *c;
  memcpy(out + j, LOCALE_MARK, sizeof LOCALE_MARK);
}

/* Japanese function words (particles, auxiliaries, the copula: は を に の
 * たい ます です ない …) are written in hiragana, content words mostly in
 * kanji or katakana; ICU splits "出したい" into 出し and たい. A question's
 * function words seldom occur in articles, so IDF alone weighs them as rare
 * and they pulled unrelated articles up: all-hiragana terms of at most
 * HELP_KANA_STOP_MAX characters are dropped in ja, from articles and
 * questions alike (tuned on the labelled questions: 2 lifted ja's top-3
 * from 88 % to 100 %, 1 did not; longer runs are content words). */
enum { HELP_KANA_STOP_MAX = 2 };

static int short_hiragana(const char *t, size_t n) {
  if (n == 0 || n % 3 || n / 3 > HELP_KANA_STOP_MAX) return 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned c = ((unsigned)(unsigned char)t[i] << 16) | ((unsigned)(unsigned char)t[i + 1] << 8) |
                 (unsigned char)t[i + 2];
    if (c < 0xE38180 || c > 0xE3829F) return 0; /* U+3040..U+309F in UTF-8 */
  }
  return 1;
}

/* Devanagari's nukta (़, U+093C) is often left out when people type
 * Hindi ("फोटो" for "फ़ोटो"), as Lucene's Hindi normalizer knows: it is
 * dropped, and the precomposed nukta letters (U+0958..U+095F) become
 * their base consonants, in articles and questions alike. Writes at most
 * strlen(in) bytes and a NUL into out. */
static void drop_nukta(const char *in, char *out) {
  static const unsigned char base[8] = {0x95, 0x96, 0x97, 0x9C, 0xA1, 0xA2, 0xAB, 0xAF};
  size_t j = 0;
  for (const unsigned char *p = (const unsigned char *)in; *p;) {
    if (p[0] == 0xE0 && p[1] == 0xA4 && p[2] == 0xBC) { /* U+093C */
      p += 3;
      continue;
    }
    if (p[0] == 0xE0 && p[1] == 0xA5 && p[2] >= 0x98 && p[2] <= 0x9F) { /* U+0958..U+095F */
      out[j++] = (char)0xE0;
      out[j++] = (char)0xA4;
      out[j++] = (char)base[p[2] - 0x98];
      p += 3;
      continue;
    }
    out[j++] = (char)*p++;
  }
  out[j] = 0;
}

/* Question words (how, where, why, what, when, who, which, how much) per
 * language, as the analyzer writes them (folded, Latin diacritics
 * removed): people's questions start with them and articles seldom hold
 * them, so IDF alone weighed them as rare and they pulled up whichever
 * article happened to say "how" (an article's keywords such as "how to
 * sign up"). They are no terms, in articles and questions alike. The
 * standard interrogatives of each language, not words taken from the
 * labelled questions; vi is left out (its question words are syllables of
 * content words too), and Japanese's short kana ones go by
 * HELP_KANA_STOP_MAX. */
static const struct {
  const char *lang;
  const char *const words[16];
} question_words[] = {
    {"en", {"how", "what", "whats", "where", "why", "when", "who", "which", "hows"}},
    {"es",
     {"como", "que", "donde", "cuando", "quien", "cual", "cuanto", "cuanta", "cuantos", "cuantas",
      "adonde"}},
    {"pt", {"como", "onde", "porque", "quando", "quem", "qual", "quais", "quanto", "que"}},
    {"fr",
     {"comment", "pourquoi", "ou", "quand", "quoi", "quel", "quelle", "quels", "quelles", "qui",
      "que", "combien"}},
    {"de",
     {"wie", "wo", "warum", "was", "wann", "wer", "welche", "welcher", "welches", "wieso",
      "weshalb", "woher", "wohin"}},
    {"it", {"come", "dove", "perche", "quando", "chi", "quale", "quali", "quanto", "cosa"}},
    {"nl", {"hoe", "waar", "waarom", "wat", "wanneer", "wie", "welke"}},
    {"ru", {"как", "где", "почему", "что", "когда", "кто", "какой", "зачем", "сколько"}},
    {"uk", {"як", "де", "чому", "що", "коли", "хто", "який", "навіщо", "скільки"}},
    {"pl", {"jak", "gdzie", "dlaczego", "co", "kiedy", "kto", "jaki", "ile"}},
    {"tr", {"nasıl", "nerede", "neden", "niye", "ne", "kim", "hangi", "mi", "mı", "mu", "mü"}},
    {"id",
     {"bagaimana", "gimana", "dimana", "mengapa", "kenapa", "apa", "kapan", "siapa", "berapa"}},
    {"ar",
     {"كيف", "اين", "لماذا", "ماذا", "ما", "متي", "هل", "كم"}}, /* as plain_arabic writes them */
    {"hi", {"कैसे", "कहाँ", "कहां", "क्यों", "क्या", "कब", "कौन", "कितना", "कितने", "कितनी"}},
    {"bn", {"কীভাবে", "কিভাবে", "কোথায়", "কেন", "কী", "কি", "কখন", "কে"}},
    {"zh", {"怎么", "怎样", "如何", "什么", "为什么", "哪里", "哪儿", "哪", "吗", "谁", "多少"}},
    {"ja", {"何", "誰", "どうやって", "どうすれば"}},
    {"ko", {"어떻게", "어디", "어디서", "왜", "무엇", "뭐", "언제", "누구"}},
    {"th",
     {"อย่างไร", "ยังไง", "ทำไม", "ที่ไหน", "ไหน", "อะไร", "เมื่อไร", "เมื่อไหร่", "ใคร", "ไหม", "มั้ย",
      "เท่าไร", "เท่าไหร่"}},
};

/* Whether the word (its forms "stem|word", len bytes) is a question word of
 * locale's language. */
static int question_word(const char *locale, const char *w, size_t len) {
  size_t l = strcspn(locale, "-");
  for (size_t i = 0; i < sizeof question_words / sizeof question_words[0]; i++) {
    if (strlen(question_words[i].lang) != l || strncmp(question_words[i].lang, locale, l) != 0)
      continue;
    for (const char *f = w, *end = w + len; f < end;) {
      const char *bar = memchr(f, '|', (size_t)(end - f));
      size_t flen = bar ? (size_t)(bar - f) : (size_t)(end - f);
      for (const char *const *q = question_words[i].words; *q; q++)
        if (strlen(*q) == flen && memcmp(*q, f, flen) == 0) return 1;
      f += flen + 1;
    }
    return 0;
  }
  return 0;
}

/* Arabic spelled the ways people type it, as Lucene's Arabic normalizer
 * does: hamza on or under alef and madda (أ إ آ) written as bare alef (ا),
 * teh marbuta (ة) as heh (ه), alef maksura (ى) as yeh (ي), and tatweel
 * (ـ) and the short-vowel marks (U+064B..U+0652) dropped, in articles and
 * questions alike. In place: never longer. */
static void plain_arabic(char *t) {
  unsigned char *in = (unsigned char *)t, *out = in;
  while (*in) {
    unsigned c = in[0] == 0xD8 || in[0] == 0xD9 ? ((unsigned)in[0] << 8) | in[1] : 0;
    if (c == 0xD8A3 || c == 0xD8A5 || c == 0xD8A2) { /* أ إ آ → ا (U+0627) */
      *out++ = 0xD8, *out++ = 0xA7, in += 2;
    } else if (c == 0xD8A9) { /* ة → ه (U+0647) */
      *out++ = 0xD9, *out++ = 0x87, in += 2;
    } else if (c == 0xD989) { /* ى → ي (U+064A) */
      *out++ = 0xD9, *out++ = 0x8A, in += 2;
    } else if (c == 0xD980 || (c >= 0xD98B && c <= 0xD992)) { /* tatweel, harakat */
      in += 2;
    } else {
      *out++ = *in++;
    }
  }
  *out = 0;
}

/* Appends text's terms (both forms of each word, as text_docs does), each
 * with the locale's prefix, separated by one space, to b; *count grows by
 * the terms added. words_max (0: the analyzer's own) bounds the words. */
static int add_terms(pa_store *db, pa_buf *b, const char *locale, const char *text, int words_max,
                     int *count) {
  char *terms = malloc(PA_SEARCH_OUT_MAX), *plain = malloc(strlen(text) + 1);
  if (!terms || !plain) {
    free(terms);
    free(plain);
    return pa_sq_failf(db, PA_STORE_ENOMEM, "help: no memory");
  }
  drop_nukta(text, plain);
  plain_arabic(plain);
  int n = 0, rc = pa_search_terms_ex(locale, plain, strlen(plain), terms, PA_SEARCH_OUT_MAX, &n,
                                     PA_SEARCH_ELISION);
  free(plain);
  if (rc != PA_SEARCH_OK) {
    free(terms);
    return pa_sq_failf(db, rc == PA_SEARCH_EICU ? PA_STORE_ENOMEM : PA_STORE_EINVAL, "help: %s",
                       pa_search_strerror(rc));
  }
  if (words_max && n > words_max) {
    free(terms);
    return pa_sq_failf(db, PA_STORE_EINVAL, "help: a question of more than %d words", words_max);
  }
  char prefix[PA_STORE_HELP_LOCALE_MAX + 4];
  locale_prefix(locale, prefix);
  size_t plen = strlen(prefix);
  char *word_end = NULL;
  int skip = 0;
  for (char *w = terms, *end; n > 0 && w && *w; w = end ? end + 1 : NULL) {
    end = strpbrk(w, " |");
    size_t wlen = end ? (size_t)(end - w) : strlen(w);
    if (!word_end || w > word_end) { /* a new word: both its forms go or stay */
      word_end = strchr(w, ' ');
      if (!word_end) word_end = w + strlen(w);
      skip = question_word(locale, w, (size_t)(word_end - w));
    }
    if (wlen == 0 || skip) continue;
    if (strncmp(locale, "ja", 2) == 0 && short_hiragana(w, wlen)) continue;
    if (b->len) pa_buf_put(b, " ", 1);
    pa_buf_put(b, prefix, plen);
    pa_buf_put(b, w, wlen);
    (*count)++;
  }
  free(terms);
  if (b->failed) return pa_sq_failf(db, PA_STORE_ENOMEM, "help: no memory");
  return PA_STORE_OK;
}

/* ---- search */

/* ?1 the match, ?2 the locale, ?3 the limit, ?4 the locale's articles and
 * ?5 their terms in all: pa_bm25 (store/sqlite/driver.c) is FTS5's bm25()
 * with the locale's N and average length, higher for better. */
static const char search_sqlite[] =
    "SELECT a.slug, a.locale, a.title, a.summary,"
    " pa_bm25(help_fts, ?4, ?5, " W_TITLE ", " W_KEYWORDS ", " W_SUMMARY ", " W_BODY ") AS score"
    " FROM help_fts JOIN help_articles a ON a.id = help_fts.rowid"
    " WHERE help_fts MATCH ?1 AND a.locale = ?2"
    " ORDER BY score DESC, a.slug LIMIT ?3";
static const char stats_sql[] =
    "SELECT count(*), COALESCE(sum(terms_len), 0) FROM help_articles WHERE locale = ?1";

/* The same BM25 written out in SQL (k1 1.2, b 0.75; a term's frequency is the sum
 * of its column weights over its occurrences; IDF ln((N - n + 0.5) /
 * (n + 0.5)), at least 1e-6; the length is the article's terms), with N,
 * n and the average length of the locale's articles. ?1 the distinct
 * query terms separated by spaces, ?2 the locale, ?3 the limit. */
static const char search_pg[] =
    "WITH q AS (SELECT DISTINCT t AS term FROM unnest(string_to_array(CAST(?1 AS text), ' ')) t),"
    " d AS (SELECT id, slug, locale, title, summary, terms_len FROM help_articles"
    "  WHERE locale = ?2),"
    " st AS (SELECT CAST(count(*) AS float8) AS n, CAST(avg(terms_len) AS float8) AS avgdl"
    "  FROM d),"
    " tok AS (SELECT a.id, f.w, t.term FROM help_articles a"
    "  CROSS JOIN LATERAL (VALUES (CAST(" W_TITLE " AS float8), a.title_terms),"
    "   (CAST(" W_KEYWORDS " AS float8), a.keyword_terms),"
    "   (CAST(" W_SUMMARY " AS float8), a.summary_terms),"
    "   (CAST(" W_BODY " AS float8), a.body_terms)) AS f(w, terms)"
    "  CROSS JOIN LATERAL unnest(string_to_array(f.terms, ' ')) AS t(term)"
    "  WHERE a.locale = ?2 AND t.term IN (SELECT term FROM q)),"
    " tf AS (SELECT id, term, sum(w) AS tf FROM tok GROUP BY id, term),"
    " df AS (SELECT term, CAST(count(*) AS float8) AS n FROM tf GROUP BY term)"
    " SELECT d.slug, d.locale, d.title, d.summary,"
    "  sum(greatest(ln((st.n - df.n + 0.5) / (df.n + 0.5)), 1e-6) * tf.tf * 2.2"
    "   / (tf.tf + 1.2 * (0.25 + 0.75 * d.terms_len / st.avgdl))) AS score"
    " FROM tf JOIN df ON df.term = tf.term JOIN d ON d.id = tf.id CROSS JOIN st"
    " GROUP BY d.id, d.slug, d.locale, d.title, d.summary"
    " ORDER BY score DESC, d.slug LIMIT ?3";

static const char has_locale_sql[] = "SELECT 1 FROM help_articles WHERE locale = ?1 LIMIT 1";

/* 1 when tag has articles, 0 when not, <0 on failure. */
static int has_articles(pa_store *db, const char *tag) {
  pa_sql_stmt *st = pa_sq_stmt(db, has_locale_sql);
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_text(st, 1, tag);
  int step = b == PA_SQ_OK ? pa_sq_step(st) : b;
  pa_sq_done(st);
  if (step != PA_SQ_ROW && step != PA_SQ_DONE) return pa_sq_fail(db, "help: find the locale");
  return step == PA_SQ_ROW;
}

/* The locale served for locale, into out: itself when it has articles, else
 * its language's ("es-MX" is served "es"; any "zh-…" "zh-Hans", our one
 * Chinese), else "en". */
static int served_locale(pa_store *db, const char *locale, char out[16]) {
  char lang[16];
  snprintf(lang, sizeof lang, "%s", locale);
  char *dash = strchr(lang, '-');
  if (dash) *dash = 0;
  const char *tries[] = {locale, dash ? lang : NULL, strcmp(lang, "zh") == 0 ? "zh-Hans" : NULL};
  for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
    if (!tries[i]) continue;
    int rc = has_articles(db, tries[i]);
    if (rc < 0) return rc;
    if (rc) {
      snprintf(out, 16, "%s", tries[i]);
      return PA_STORE_OK;
    }
  }
  snprintf(out, 16, "en");
  return PA_STORE_OK;
}

static void copy(char *dst, size_t cap, const char *src) {
  snprintf(dst, cap, "%s", src ? src : "");
}

typedef struct hits {
  pa_store_help_hit *out;
  int n, limit;
} hits;

static int hit_row(void *ctx, pa_sql_stmt *st) {
  hits *h = ctx;
  if (h->n >= h->limit) return 0;
  pa_store_help_hit *o = &h->out[h->n++];
  copy(o->slug, sizeof o->slug, pa_sq_text(st, 0));
  copy(o->locale, sizeof o->locale, pa_sq_text(st, 1));
  copy(o->title, sizeof o->title, pa_sq_text(st, 2));
  copy(o->summary, sizeof o->summary, pa_sq_text(st, 3));
  const char *score = pa_sq_text(st, 4);
  o->score = score ? strtod(score, NULL) : 0;
  return 0;
}

/* Distinct terms, for the match: a repeated word counts once in the
 * question, as a phrase does in FTS5's query. */
static int seen_before(const char *all, const char *w, size_t wlen) {
  for (const char *p = all; p < w;) {
    const char *end = strchr(p, ' ');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n == wlen && memcmp(p, w, n) == 0) return 1;
    if (!end) break;
    p = end + 1;
  }
  return 0;
}

int pa_store_help_search(pa_store *db, const char *locale, const char *question, int limit,
                         pa_store_help_hit *out, int *n) {
  *n = 0;
  if (!locale_ok(locale) || !question || !out || limit < 1 || limit > PA_STORE_HELP_RESULTS_MAX)
    return pa_sq_failf(db, PA_STORE_EINVAL, "help search: a bad locale or limit");
  if (strlen(question) > PA_STORE_HELP_QUESTION_MAX)
    return pa_sq_failf(db, PA_STORE_EINVAL, "help search: a question over %d bytes",
                       PA_STORE_HELP_QUESTION_MAX);
  char served[16];
  int rc = served_locale(db, locale, served);
  if (rc != PA_STORE_OK) return rc;
  pa_buf terms = {0}, match = {0};
  int count = 0;
  /* Analyzed in the articles' locale, so the stems meet theirs. */
  rc = add_terms(db, &terms, served, question, PA_STORE_HELP_QUESTION_WORDS, &count);
  if (rc != PA_STORE_OK || count == 0) {
    free(terms.p);
    return rc;
  }
  int pg = strcmp(pa_store_kind(db), "postgresql") == 0, distinct = 0;
  for (char *w = terms.p, *end; w; w = end ? end + 1 : NULL) {
    end = strchr(w, ' ');
    size_t wlen = end ? (size_t)(end - w) : strlen(w);
    if (seen_before(terms.p, w, wlen)) continue;
    if (distinct++) pa_buf_put(&match, pg ? " " : " OR ", pg ? 1 : 4);
    /* Terms hold only letters, digits, marks and the locale's mark: quoted,
     * FTS5 reads none as an operator. */
    if (!pg) pa_buf_put(&match, "\"", 1);
    pa_buf_put(&match, w, wlen);
    if (!pg) pa_buf_put(&match, "\"", 1);
  }
  free(terms.p);
  if (match.failed) {
    free(match.p);
    return pa_sq_failf(db, PA_STORE_ENOMEM, "help search: no memory");
  }
  int64_t docs = 0, all_terms = 0;
  if (!pg) {
    pa_sql_stmt *s = pa_sq_stmt(db, stats_sql);
    int step = s ? pa_sq_bind_text(s, 1, served) : PA_SQ_ERROR;
    if (step == PA_SQ_OK) step = pa_sq_step(s);
    if (step == PA_SQ_ROW) {
      docs = pa_sq_i64(s, 0);
      all_terms = pa_sq_i64(s, 1);
    }
    pa_sq_done(s);
    if (step != PA_SQ_ROW) {
      free(match.p);
      return s ? pa_sq_fail(db, "help search: count the locale's articles") : PA_STORE_EDB;
    }
  }
  pa_sql_stmt *st = pa_sq_stmt(db, pa_sq_dialect(db, search_sqlite, search_pg));
  if (!st) {
    free(match.p);
    return PA_STORE_EDB;
  }
  int b = pa_sq_bind_text(st, 1, match.p);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, served);
  if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 3, limit);
  if (!pg && b == PA_SQ_OK) b = pa_sq_bind_i64(st, 4, docs);
  if (!pg && b == PA_SQ_OK) b = pa_sq_bind_i64(st, 5, all_terms);
  hits h = {out, 0, limit};
  rc = pa_sq_each(db, st, b, hit_row, &h, "help search");
  free(match.p);
  *n = h.n;
  return rc;
}

/* ---- reading */

static const char article_sql[] =
    "SELECT slug, locale, section, section_title, title, summary, body, updated_at"
    " FROM help_articles WHERE slug = ?1 AND locale = ?2";

static int read_article(pa_store *db, const char *slug, const char *locale,
                        struct pa_store_help_article *a) {
  pa_sql_stmt *st = pa_sq_stmt(db, article_sql);
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_text(st, 1, slug);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, locale);
  int step = b == PA_SQ_OK ? pa_sq_step(st) : b, rc = PA_STORE_OK;
  if (step == PA_SQ_ROW) {
    copy(a->slug, sizeof a->slug, pa_sq_text(st, 0));
    copy(a->locale, sizeof a->locale, pa_sq_text(st, 1));
    copy(a->section, sizeof a->section, pa_sq_text(st, 2));
    copy(a->section_title, sizeof a->section_title, pa_sq_text(st, 3));
    copy(a->title, sizeof a->title, pa_sq_text(st, 4));
    copy(a->summary, sizeof a->summary, pa_sq_text(st, 5));
    copy(a->body, sizeof a->body, pa_sq_text(st, 6));
    a->updated_at = pa_sq_i64(st, 7);
  } else if (step == PA_SQ_DONE) {
    rc = pa_sq_failf(db, PA_STORE_ENOTFOUND, "help: no such article");
  } else {
    rc = pa_sq_fail(db, "help: read an article");
  }
  pa_sq_done(st);
  return rc;
}

int pa_store_help_article(pa_store *db, const char *slug, const char *locale,
                          struct pa_store_help_article *a) {
  memset(a, 0, sizeof *a);
  if (!slug_ok(slug) || !locale_ok(locale))
    return pa_sq_failf(db, PA_STORE_EINVAL, "help: a bad slug or locale");
  char served[16];
  int rc = served_locale(db, locale, served);
  if (rc == PA_STORE_OK) rc = read_article(db, slug, served, a);
  if (rc == PA_STORE_ENOTFOUND && strcmp(served, "en") != 0) rc = read_article(db, slug, "en", a);
  return rc;
}

static const char list_sql[] =
    "SELECT slug, section, section_title, title, summary FROM help_articles a"
    " WHERE locale = ?1 ORDER BY (SELECT min(s.position) FROM help_articles s"
    "  WHERE s.locale = a.locale AND s.section = a.section), position, slug";

typedef struct entries {
  pa_store_help_entry_fn fn;
  void *ctx;
  const char *skip;
  int max, n;
} entries;

static int entry_row(void *ctx, pa_sql_stmt *st) {
  entries *e = ctx;
  pa_store_help_entry x = {pa_sq_text(st, 0), pa_sq_text(st, 1), pa_sq_text(st, 2),
                           pa_sq_text(st, 3), pa_sq_text(st, 4)};
  if (e->skip && x.slug && strcmp(x.slug, e->skip) == 0) return 0;
  if (e->max && e->n >= e->max) return 0;
  e->n++;
  return e->fn(e->ctx, &x);
}

int pa_store_help_list(pa_store *db, const char *locale, char served[16], pa_store_help_entry_fn fn,
                       void *ctx) {
  served[0] = 0;
  if (!locale_ok(locale) || !fn) return pa_sq_failf(db, PA_STORE_EINVAL, "help: a bad locale");
  int rc = served_locale(db, locale, served);
  if (rc != PA_STORE_OK) return rc;
  pa_sql_stmt *st = pa_sq_stmt(db, list_sql);
  if (!st) return PA_STORE_EDB;
  entries e = {fn, ctx, NULL, 0, 0};
  return pa_sq_each(db, st, pa_sq_bind_text(st, 1, served), entry_row, &e, "help: list");
}

static const char related_sql[] =
    "SELECT slug, section, section_title, title, summary FROM help_articles"
    " WHERE locale = ?1 AND section = (SELECT section FROM help_articles"
    "  WHERE slug = ?2 AND locale = ?1) ORDER BY position, slug";

int pa_store_help_related(pa_store *db, const char *slug, const char *locale, int max,
                          pa_store_help_entry_fn fn, void *ctx) {
  if (!slug_ok(slug) || !locale_ok(locale) || !fn || max < 1)
    return pa_sq_failf(db, PA_STORE_EINVAL, "help: a bad slug or locale");
  char served[16];
  int rc = served_locale(db, locale, served);
  if (rc != PA_STORE_OK) return rc;
  pa_sql_stmt *st = pa_sq_stmt(db, related_sql);
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_text(st, 1, served);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, slug);
  entries e = {fn, ctx, slug, max, 0};
  return pa_sq_each(db, st, b, entry_row, &e, "help: related");
}

/* ---- loading */

/* Each article's section, when its file does not name one
 * (help.<slug>.section): the contract's table (issue 23), in its order. */
static const struct {
  const char *slug, *section;
} default_sections[] = {
    {"create-account", "account"},
    {"sign-in-trouble", "account"},
    {"two-step", "account"},
    {"sessions-password", "account"},
    {"profile-edit", "account"},
    {"delete-account", "account"},
    {"add-pet", "pets"},
    {"pet-photo", "pets"},
    {"pet-health", "pets"},
    {"create-post", "posts"},
    {"likes-comments", "posts"},
    {"feed-ranking", "posts"},
    {"hidden-post", "posts"},
    {"stories", "posts"},
    {"reels", "posts"},
    {"follow-private", "safety"},
    {"block-mute-report", "safety"},
    {"chat-basics", "chat"},
    {"safety-numbers", "chat"},
    {"chat-devices", "chat"},
    {"group-chats", "chat"},
    {"calls", "chat"},
    {"plus-plans", "plus"},
    {"billing-manage", "plus"},
    {"market-buy", "market"},
    {"market-refund", "market"},
    {"market-sell", "market"},
    {"affiliates", "earn"},
    {"ads", "earn"},
    {"privacy-data", "privacy"},
    {"notifications", "settings"},
    {"language-theme", "settings"},
    {"contact-support", "support"},
};

static const char *default_section(const char *slug) {
  for (size_t i = 0; i < sizeof default_sections / sizeof default_sections[0]; i++)
    if (strcmp(default_sections[i].slug, slug) == 0) return default_sections[i].section;
  return NULL;
}

/* The folder's sections.json (hcontent's: [{"section","slugs":[…]}, …]),
 * parsed: which section each slug is in, and the order of all of them
 * (an article's position), for every locale alike. NULL root: none. */
typedef struct section_map {
  cJSON *root;
} section_map;

/* The section of slug and its place in sections.json, or NULL. */
static const char *mapped_section(const section_map *m, const char *slug, int *position) {
  int i = 0;
  const cJSON *sec;
  if (!m->root) return NULL;
  cJSON_ArrayForEach(sec, m->root) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(sec, "section"), *slug_;
    const cJSON *slugs = cJSON_GetObjectItemCaseSensitive(sec, "slugs");
    cJSON_ArrayForEach(slug_, slugs) {
      if (cJSON_IsString(slug_) && strcmp(slug_->valuestring, slug) == 0) {
        *position = i;
        return id->valuestring;
      }
      i++;
    }
  }
  return NULL;
}

/* Reads dir/sections.json into m when it exists; a malformed one fails. */
static int read_sections(const char *dir, section_map *m, char *err, size_t errlen);

typedef struct article {
  char slug[PA_STORE_HELP_SLUG_MAX + 1];
  const char *title, *summary, *body, *keywords, *section;
  int position;
} article;

typedef struct seen {
  char **keys; /* "locale slug" of every article in the files */
  size_t n, cap;
} seen;

static int seen_add(seen *s, const char *locale, const char *slug) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    char **k = realloc(s->keys, cap * sizeof *k);
    if (!k) return -1;
    s->keys = k;
    s->cap = cap;
  }
  size_t len = strlen(locale) + strlen(slug) + 2;
  char *key = malloc(len);
  if (!key) return -1;
  snprintf(key, len, "%s %s", locale, slug);
  s->keys[s->n++] = key;
  return 0;
}

static int seen_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void seen_free(seen *s) {
  for (size_t i = 0; i < s->n; i++) free(s->keys[i]);
  free(s->keys);
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "help: cannot open %s", path);
    return NULL;
  }
  char *buf = malloc(PA_STORE_HELP_FILE_MAX + 1);
  size_t n = buf ? fread(buf, 1, PA_STORE_HELP_FILE_MAX + 1, f) : 0;
  int bad = ferror(f);
  fclose(f);
  if (!buf || bad || n > PA_STORE_HELP_FILE_MAX) {
    snprintf(err, errlen, "help: %s is unreadable or over %d bytes", path, PA_STORE_HELP_FILE_MAX);
    free(buf);
    return NULL;
  }
  buf[n] = 0;
  *len = n;
  return buf;
}

static const char digest_sql[] = "SELECT digest FROM help_articles WHERE slug = ?1 AND locale = ?2";
static const char upsert_sql[] =
    "INSERT INTO help_articles (slug, locale, section, section_title, position, title, summary,"
    " body, keywords, title_terms, keyword_terms, summary_terms, body_terms, terms_len, digest,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    " ON CONFLICT (slug, locale) DO UPDATE SET section = excluded.section,"
    " section_title = excluded.section_title, position = excluded.position,"
    " title = excluded.title, summary = excluded.summary, body = excluded.body,"
    " keywords = excluded.keywords, title_terms = excluded.title_terms,"
    " keyword_terms = excluded.keyword_terms, summary_terms = excluded.summary_terms,"
    " body_terms = excluded.body_terms, terms_len = excluded.terms_len,"
    " digest = excluded.digest, updated_at = excluded.updated_at";
static const char all_sql[] = "SELECT id, locale, slug FROM help_articles";
static const char delete_sql[] = "DELETE FROM help_articles WHERE id = ?1";

static void digest_of(const char *locale, const article *a, const char *section_title,
                      unsigned char out[crypto_hash_sha256_BYTES]) {
  crypto_hash_sha256_state h;
  char head[64];
  snprintf(head, sizeof head, "v%d p%d", PA_HELP_INDEX_VERSION, a->position);
  crypto_hash_sha256_init(&h);
  const char *parts[] = {head,     locale,     a->slug, a->section, section_title,
                         a->title, a->summary, a->body, a->keywords};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    crypto_hash_sha256_update(&h, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
  crypto_hash_sha256_final(&h, out);
}

/* 1 when the stored digest is d, 0 when not (or no row), <0 on failure. */
static int same_digest(pa_store *db, const char *locale, const char *slug, const unsigned char *d) {
  pa_sql_stmt *st = pa_sq_stmt(db, digest_sql);
  if (!st) return PA_STORE_EDB;
  int b = pa_sq_bind_text(st, 1, slug);
  if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, locale);
  int step = b == PA_SQ_OK ? pa_sq_step(st) : b, same = 0;
  if (step == PA_SQ_ROW) {
    size_t len = 0;
    const unsigned char *old = pa_sq_blob(st, 0, &len);
    same = old && len == crypto_hash_sha256_BYTES && memcmp(old, d, len) == 0;
  }
  pa_sq_done(st);
  if (step != PA_SQ_ROW && step != PA_SQ_DONE) return pa_sq_fail(db, "help: read a digest");
  return same;
}

static int write_article(pa_store *db, const char *locale, const article *a,
                         const char *section_title, const unsigned char *d, int64_t now) {
  pa_buf f[4] = {{0}};
  const char *text[4] = {a->title, a->keywords, a->summary, a->body};
  int count = 0, rc = PA_STORE_OK;
  for (int i = 0; i < 4 && rc == PA_STORE_OK; i++) {
    rc = add_terms(db, &f[i], locale, text[i], 0, &count);
    if (rc == PA_STORE_OK && !f[i].p) pa_buf_put(&f[i], "", 0);
    if (f[i].failed) rc = pa_sq_failf(db, PA_STORE_ENOMEM, "help: no memory");
  }
  pa_sql_stmt *st = rc == PA_STORE_OK ? pa_sq_stmt(db, upsert_sql) : NULL;
  if (rc == PA_STORE_OK && !st) rc = PA_STORE_EDB;
  if (rc == PA_STORE_OK) {
    int b = pa_sq_bind_text(st, 1, a->slug);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 2, locale);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 3, a->section);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 4, section_title);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 5, a->position);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 6, a->title);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 7, a->summary);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 8, a->body);
    if (b == PA_SQ_OK) b = pa_sq_bind_text(st, 9, a->keywords);
    for (int i = 0; i < 4 && b == PA_SQ_OK; i++) b = pa_sq_bind_text(st, 10 + i, f[i].p);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 14, count);
    if (b == PA_SQ_OK) b = pa_sq_bind_blob(st, 15, d, crypto_hash_sha256_BYTES);
    if (b == PA_SQ_OK) b = pa_sq_bind_i64(st, 16, now);
    rc = pa_sq_run(db, st, b, "help: write an article", NULL, NULL);
  }
  for (int i = 0; i < 4; i++) free(f[i].p);
  return rc;
}

static const char *field(const cJSON *root, const char *slug, const char *name) {
  char key[128];
  snprintf(key, sizeof key, "help.%s.%s", slug, name);
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Loads one locale's file (parsed) into the store; adds its articles to s. */
static int load_locale(pa_store *db, const char *locale, const cJSON *root, const section_map *m,
                       int64_t now, seen *s, pa_store_help_load_stats *stats, char *err,
                       size_t errlen) {
  int position = 0, count = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, root) {
    const char *key = item->string;
    if (!key || strncmp(key, "help.", 5) != 0 || strncmp(key, "help.section.", 13) == 0) continue;
    const char *dot = strrchr(key, '.');
    if (!dot || strcmp(dot, ".title") != 0) continue;
    article a = {{0}, NULL, NULL, NULL, NULL, NULL, position++};
    size_t slen = (size_t)(dot - key - 5);
    if (slen == 0 || slen > PA_STORE_HELP_SLUG_MAX) {
      snprintf(err, errlen, "help: %s.json: key %s has a bad slug", locale, key);
      return PA_STORE_EINVAL;
    }
    memcpy(a.slug, key + 5, slen);
    if (!slug_ok(a.slug)) {
      snprintf(err, errlen, "help: %s.json: key %s has a bad slug", locale, key);
      return PA_STORE_EINVAL;
    }
    if (++count > PA_STORE_HELP_ARTICLES_MAX) {
      snprintf(err, errlen, "help: %s.json has over %d articles", locale,
               PA_STORE_HELP_ARTICLES_MAX);
      return PA_STORE_EINVAL;
    }
    a.title = cJSON_IsString(item) ? item->valuestring : NULL;
    a.summary = field(root, a.slug, "summary");
    a.body = field(root, a.slug, "body");
    a.keywords = field(root, a.slug, "keywords");
    if (!a.keywords) a.keywords = "";
    /* The folder's sections.json first (its order is every locale's), then
     * the article's own key, then the contract's table (after the listed
     * ones, in the file's order). */
    int mapped = 0;
    a.section = mapped_section(m, a.slug, &mapped);
    if (a.section)
      a.position = mapped;
    else
      a.position += PA_STORE_HELP_ARTICLES_MAX;
    if (!a.section) a.section = field(root, a.slug, "section");
    if (!a.section) a.section = default_section(a.slug);
    if (!a.title || !a.summary || !a.body || !a.section || !section_ok(a.section)) {
      snprintf(err, errlen, "help: %s.json: %s lacks a title, summary, body or section", locale,
               a.slug);
      return PA_STORE_EINVAL;
    }
    if (strlen(a.title) == 0 || strlen(a.title) > PA_STORE_HELP_TITLE_MAX ||
        strlen(a.summary) > PA_STORE_HELP_SUMMARY_MAX || strlen(a.body) > PA_STORE_HELP_BODY_MAX ||
        strlen(a.keywords) > PA_STORE_HELP_KEYWORDS_MAX) {
      snprintf(err, errlen, "help: %s.json: %s breaks a length cap (store/help.h)", locale, a.slug);
      return PA_STORE_EINVAL;
    }
    char skey[64];
    snprintf(skey, sizeof skey, "help.section.%s", a.section);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(root, skey);
    const char *section_title = cJSON_IsString(st) ? st->valuestring : a.section;
    if (strlen(section_title) > PA_STORE_HELP_TITLE_MAX) {
      snprintf(err, errlen, "help: %s.json: %s is over %d bytes", locale, skey,
               PA_STORE_HELP_TITLE_MAX);
      return PA_STORE_EINVAL;
    }
    if (seen_add(s, locale, a.slug) != 0) {
      snprintf(err, errlen, "help: no memory");
      return PA_STORE_ENOMEM;
    }
    stats->articles++;
    unsigned char d[crypto_hash_sha256_BYTES];
    digest_of(locale, &a, section_title, d);
    int same = same_digest(db, locale, a.slug, d);
    if (same < 0) {
      snprintf(err, errlen, "%s", pa_store_errmsg(db));
      return same;
    }
    if (same) {
      stats->unchanged++;
      continue;
    }
    int rc = write_article(db, locale, &a, section_title, d, now);
    if (rc != PA_STORE_OK) {
      snprintf(err, errlen, "help: %s.json: %s: %s", locale, a.slug, pa_store_errmsg(db));
      return rc;
    }
    stats->indexed++;
  }
  return PA_STORE_OK;
}

typedef struct gone {
  int64_t *ids;
  size_t n, cap;
  const seen *s;
} gone;

static int gone_row(void *ctx, pa_sql_stmt *st) {
  gone *g = ctx;
  char key[PA_STORE_HELP_LOCALE_MAX + PA_STORE_HELP_SLUG_MAX + 3];
  snprintf(key, sizeof key, "%s %s", pa_sq_text(st, 1), pa_sq_text(st, 2));
  const char *k = key;
  if (g->s->n && bsearch(&k, g->s->keys, g->s->n, sizeof *g->s->keys, seen_cmp)) return 0;
  if (g->n == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 64;
    int64_t *ids = realloc(g->ids, cap * sizeof *ids);
    if (!ids) return 1;
    g->ids = ids;
    g->cap = cap;
  }
  g->ids[g->n++] = pa_sq_i64(st, 0);
  return 0;
}

static int read_sections(const char *dir, section_map *m, char *err, size_t errlen) {
  char path[4096];
  size_t len = 0;
  snprintf(path, sizeof path, "%s/sections.json", dir);
  m->root = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return PA_STORE_OK; /* none: the articles' own keys, or the table */
  fclose(f);
  char *text = read_file(path, &len, err, errlen);
  if (!text) return PA_STORE_EINVAL;
  m->root = cJSON_ParseWithLength(text, len);
  free(text);
  int ok = cJSON_IsArray(m->root);
  const cJSON *list = ok ? m->root : NULL, *sec, *slug;
  cJSON_ArrayForEach(sec, list) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(sec, "section");
    const cJSON *slugs = cJSON_GetObjectItemCaseSensitive(sec, "slugs");
    ok = ok && cJSON_IsString(id) && section_ok(id->valuestring) && cJSON_IsArray(slugs);
    if (!ok) break;
    cJSON_ArrayForEach(slug, slugs) ok = ok && cJSON_IsString(slug) && slug_ok(slug->valuestring);
  }
  if (!ok) {
    snprintf(err, errlen, "help: %s is not a list of {\"section\", \"slugs\"}", path);
    cJSON_Delete(m->root);
    m->root = NULL;
    return PA_STORE_EINVAL;
  }
  return PA_STORE_OK;
}

static int load_dir(pa_store *db, const char *dir, int64_t now, seen *s,
                    pa_store_help_load_stats *stats, char *err, size_t errlen) {
  section_map m = {NULL};
  int rc = read_sections(dir, &m, err, errlen);
  if (rc != PA_STORE_OK) return rc;
  DIR *d = opendir(dir);
  if (!d) {
    cJSON_Delete(m.root);
    snprintf(err, errlen, "help: cannot open the folder %s", dir);
    return PA_STORE_EINVAL;
  }
  struct dirent *e;
  while (rc == PA_STORE_OK && (e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0) continue;
    char locale[PA_STORE_HELP_LOCALE_MAX + 1];
    if (n - 5 > PA_STORE_HELP_LOCALE_MAX) continue;
    memcpy(locale, e->d_name, n - 5);
    locale[n - 5] = 0;
    if (!locale_ok(locale) || strcmp(locale, "sections") == 0) continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    size_t len = 0;
    char *text = read_file(path, &len, err, errlen);
    if (!text) {
      rc = PA_STORE_EINVAL;
      break;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(root)) {
      snprintf(err, errlen, "help: %s is not a JSON object", path);
      cJSON_Delete(root);
      rc = PA_STORE_EINVAL;
      break;
    }
    stats->files++;
    rc = load_locale(db, locale, root, &m, now, s, stats, err, errlen);
    cJSON_Delete(root);
  }
  closedir(d);
  cJSON_Delete(m.root);
  return rc;
}

int pa_store_help_load(pa_store *db, const char *dir, int64_t now, pa_store_help_load_stats *stats,
                       char *err, size_t errlen) {
  memset(stats, 0, sizeof *stats);
  err[0] = 0;
  if (!dir) {
    snprintf(err, errlen, "help: no folder");
    return PA_STORE_EINVAL;
  }
  int rc = pa_store_begin(db);
  if (rc != PA_STORE_OK) {
    snprintf(err, errlen, "%s", pa_store_errmsg(db));
    return rc;
  }
  seen s = {0};
  rc = load_dir(db, dir, now, &s, stats, err, errlen);
  gone g = {NULL, 0, 0, &s};
  if (rc == PA_STORE_OK) {
    qsort(s.keys, s.n, sizeof *s.keys, seen_cmp);
    pa_sql_stmt *st = pa_sq_stmt(db, all_sql);
    rc = st ? pa_sq_each(db, st, PA_SQ_OK, gone_row, &g, "help: list stored") : PA_STORE_EDB;
    if (rc != PA_STORE_OK) snprintf(err, errlen, "%s", pa_store_errmsg(db));
  }
  for (size_t i = 0; rc == PA_STORE_OK && i < g.n; i++) {
    int64_t id = g.ids[i];
    rc = pa_sq_exec_i64(db, delete_sql, 1, &id, NULL);
    if (rc != PA_STORE_OK)
      snprintf(err, errlen, "%s", pa_store_errmsg(db));
    else
      stats->removed++;
  }
  free(g.ids);
  seen_free(&s);
  int end = pa_store_end(db, rc == PA_STORE_OK);
  if (rc == PA_STORE_OK && end != PA_STORE_OK) {
    snprintf(err, errlen, "%s", pa_store_errmsg(db));
    rc = end;
  }
  return rc;
}
