/* STAND-IN (hask): the help center's search as CONTRACT23 §2 fixes it, until
 * h/hsearch lands; its help.h replaces this file and store/sql/help_standin.c
 * goes at that merge. */
#ifndef PA_STORE_HELP_H
#define PA_STORE_HELP_H

#include "store/store.h"

enum { PA_STORE_HELP_QUESTION_MAX = 500 /* bytes of a question */ };

typedef struct pa_store_help_hit {
  char slug[48];
  char locale[16];
  char title[256];
  char summary[512];
  double score;
} pa_store_help_hit;

/* Up to limit articles of locale (en when it has none) for question, best first. */
int pa_store_help_search(pa_store *db, const char *locale, const char *question, int limit,
                         pa_store_help_hit *out, int *n);

#endif
