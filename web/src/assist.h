/* pa_assist — the assistant's model side (issue 23, web/README.md
 * "Assistant"): whether a model is configured (PA_LLM_URL) and the stream
 * of one ask. The retrieval answer is api/help_ask.c's; the account tools
 * are assist_tools.h. */
#ifndef PA_ASSIST_H
#define PA_ASSIST_H

#include "srv_internal.h"
#include "store/assist.h"

enum {
  PA_ASSIST_ARTICLES = 3 /* articles shown with an answer and given to the model */
};

/* The least score (store/help.h: higher is better) of the best article for
 * a retrieval answer; below it the answer is "unknown" and a person is offered. */
#define PA_ASSIST_SCORE_MIN 1.0

/* 1 when PA_LLM_URL names a model endpoint (read once). */
int pa_assist_model_configured(void);

/* Answers GET /help/asks/{ha}/stream for ask a, already checked to be the
 * caller's: text/event-stream with the model's tokens, then done, or a
 * fallback event (CONTRACT23 §5). An ask streams once; again is 404. */
void pa_assist_stream(pa_srv_req *rq, const pa_store_assist_ask *a);

#endif
