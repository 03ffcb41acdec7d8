/* pa_api — support conversations and the agents' inbox (issue 23, "hand-off
 * and inbox"; web/README.md "Support"). A person's routes (F_AUTH) see only
 * their own conversations and never an internal note; the agents' routes
 * (F_SUPPORT | F_ADMIN in the route table) see every one. Live frames go
 * over the support sockets (api/chat_relay.h). */
#ifndef PA_API_SUPPORT_H
#define PA_API_SUPPORT_H

#include "api/api.h"

/* The person's side. */
void pa_api_support_create(pa_srv_req *rq);
void pa_api_support_mine(pa_srv_req *rq);
void pa_api_support_get(pa_srv_req *rq);
void pa_api_support_message(pa_srv_req *rq);
void pa_api_support_rate(pa_srv_req *rq);

/* The agents' side. */
void pa_api_support_queue(pa_srv_req *rq);
void pa_api_support_agent_get(pa_srv_req *rq);
void pa_api_support_agent_message(pa_srv_req *rq);
void pa_api_support_state(pa_srv_req *rq);
void pa_api_support_assign(pa_srv_req *rq);
void pa_api_support_canned_list(pa_srv_req *rq);
void pa_api_support_canned_add(pa_srv_req *rq);
void pa_api_support_canned_delete(pa_srv_req *rq);

/* Opens the snoozed conversations due by now: the chores' round (srv.c) and
 * an agent reading the queue. With srv (NULL at start-up, when no socket is
 * open) each is told live: support.state to its person, support.conversation
 * to the agents. Failures are logged and retried next time. */
void pa_support_wake(const pa_srv *srv, struct pa_store *db, int64_t now);

/* The Chatwoot mirror's webhook applied an agent's reply msg (or a status)
 * to conv of person: the live frames the console's would send. */
void pa_support_tell_reply(pa_srv_req *rq, int64_t conv, int64_t person, int64_t msg);
void pa_support_tell_state(pa_srv_req *rq, int64_t conv, int64_t person, const char *state);

#endif
