/* pa_store_assist — the assistant's questions (help_asks, issue 23;
 * web/README.md "Assistant") and the few reads of the asker's own account
 * its tools make that no other store module answers (the asker's hidden
 * posts). A question is kept for PA_HELP_RETENTION_DAYS and goes with its
 * person's account (the schema's CASCADE); a signed-out asker's browser
 * holds a token whose SHA-256 is kept here, never the token. */
#ifndef PA_STORE_ASSIST_H
#define PA_STORE_ASSIST_H

#include "store/store.h"

enum {
  PA_HELP_RETENTION_DAYS = 30,        /* questions and answers are deleted after this */
  PA_STORE_ASSIST_LOCALE_MAX = 15,    /* bytes of a locale tag (the schema's CHECK) */
  PA_STORE_ASSIST_QUESTION_MAX = 500, /* bytes of a question (PA_STORE_HELP_QUESTION_MAX) */
  PA_STORE_ASSIST_ANSWER_MAX = 8192,  /* bytes of an answer (PA_LLM_ANSWER_MAX) */
  PA_STORE_ASSIST_ARTICLES_MAX = 200, /* bytes of the comma-separated slugs */
  PA_STORE_ASSIST_TOOLS_MAX = 100,    /* bytes of the comma-separated tool names */
  PA_STORE_ASSIST_TOKEN_HASH = 32     /* bytes of a signed-out ask's token hash */
};

typedef struct pa_store_assist_ask {
  int64_t id, user_id;                                  /* user_id 0: signed out */
  unsigned char token_hash[PA_STORE_ASSIST_TOKEN_HASH]; /* signed out only */
  char locale[PA_STORE_ASSIST_LOCALE_MAX + 1];
  char question[PA_STORE_ASSIST_QUESTION_MAX + 1];
  char answer[PA_STORE_ASSIST_ANSWER_MAX + 1];
  char articles[PA_STORE_ASSIST_ARTICLES_MAX + 1];
  char tools[PA_STORE_ASSIST_TOOLS_MAX + 1];
  int used_model, streamed;
  int64_t created_at;
} pa_store_assist_ask;

/* Records a (user_id, or token_hash when user_id is 0, locale, question,
 * answer, articles, created_at); *id gets its id. */
int pa_store_assist_add(pa_store *db, const pa_store_assist_ask *a, int64_t *id);
/* Ask id into *a; PA_STORE_ENOTFOUND when there is none. */
int pa_store_assist_get(pa_store *db, int64_t id, pa_store_assist_ask *a);
/* Marks ask id streamed: *claimed 1 when this call did, 0 when it was already. */
int pa_store_assist_claim(pa_store *db, int64_t id, int *claimed);
/* The model's answer, the slugs it cited and the tools it ran. */
int pa_store_assist_finish(pa_store *db, int64_t id, const char *answer, const char *articles,
                           const char *tools);
/* Deletes every ask made before before; *n (optional) how many. */
int pa_store_assist_expire(pa_store *db, int64_t before, int *n);

/* One of user's own posts hidden (state 1) or removed (2) by moderation:
 * when it was (the moderation notice's time, else the post's) and the most
 * given reason of the reports that led to it ("" when none). */
typedef struct pa_store_assist_hidden {
  int64_t post, at;
  int state;
  char reason[24];
} pa_store_assist_hidden;
typedef int (*pa_store_assist_hidden_fn)(void *ctx, const pa_store_assist_hidden *h);
/* user's hidden and removed posts, newest first, at most limit. */
int pa_store_assist_hidden_posts(pa_store *db, int64_t user, int limit,
                                 pa_store_assist_hidden_fn fn, void *ctx);

#endif
