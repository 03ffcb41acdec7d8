/* pa_live_frame — reading the live.* frames a client sends over the chat
 * socket (contract 24 §3; web/README.md, "Live"): live.join, live.leave,
 * live.comment and live.heart. Pure (cJSON only), so that the fuzz target
 * (web/fuzz/fuzz_live_frame.c) runs it on untrusted bytes without a server;
 * api/live_socket.c acts on what it reads. */
#ifndef PA_LIVE_FRAME_H
#define PA_LIVE_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum {
  /* characters of a comment after trimming: api/live.h's PA_LIVE_COMMENT_MAX
   * (live_socket.c asserts they agree; this header stays free of the API's) */
  PA_LIVE_FRAME_TEXT_MAX = 300,
  PA_LIVE_NONCE_MAX = 64, /* characters of a comment's nonce */
  /* bytes of a comment's text: 4 per character at most */
  PA_LIVE_COMMENT_BYTES = PA_LIVE_FRAME_TEXT_MAX * 4,
  PA_LIVE_NONCE_BYTES = PA_LIVE_NONCE_MAX * 4
};

typedef enum {
  PA_LIVE_IN_JOIN = 1,
  PA_LIVE_IN_LEAVE,
  PA_LIVE_IN_COMMENT,
  PA_LIVE_IN_HEART
} pa_live_in_kind;

/* One frame as read. live is set (> 0) as soon as the frame names a valid
 * "live_N", even when the rest is refused, so that the error can name it. */
typedef struct pa_live_in {
  pa_live_in_kind kind;
  int64_t live;
  char text[PA_LIVE_COMMENT_BYTES + 1]; /* comment: trimmed, 1..PA_LIVE_FRAME_TEXT_MAX characters */
  char nonce[PA_LIVE_NONCE_BYTES + 1];  /* comment: "" when none was sent */
} pa_live_in;

/* 1 when the frame's type starts with "live." (the socket hands it here). */
int pa_live_frame_is_live(const char *type);

/* Reads one frame (JSON text of len bytes) into out: 0, or -1 with *code
 * ("bad_request" or "too_long") and *why (words for the client, static). */
int pa_live_frame_parse(const char *data, size_t len, pa_live_in *out, const char **code,
                        const char **why);

#endif
