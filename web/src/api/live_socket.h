/* The live hub's life (api/live_socket.c): it belongs to the chat socket's
 * hub (api/chat_relay.c), whose sockets carry the live.* frames, and is made
 * and freed with it. What lapi and lrec call is in api/live.h. */
#ifndef PA_API_LIVE_SOCKET_H
#define PA_API_LIVE_SOCKET_H

#include "api/api.h"

typedef struct pa_live_hub pa_live_hub;

/* NULL when out of memory; the caller frees it with pa_live_hub_free once no
 * socket is left. */
pa_live_hub *pa_live_hub_new(void);
void pa_live_hub_free(pa_live_hub *hub);
/* The server's live hub (chat_relay.c keeps it), NULL before the server made it. */
pa_live_hub *pa_chat_live_hub(const pa_srv *srv);

#endif
