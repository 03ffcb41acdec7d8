/* pa_callsig — call signalling payloads, carried inside ratchet messages
 * (core/src/chat/chat.md, "Call signalling"): strict parse and canonical
 * encode of
 *   {"v":2,"kind":"call","call":"<32 hex>","op":OP,"sdp"?,"candidates"?,"video"?}
 * Everything a peer's device sends is refused unless it is exactly one of the
 * shapes below, within the limits; what is accepted re-encodes to the same
 * canonical bytes (fuzz_callsig checks it). */
#ifndef PA_CALLSIG_H
#define PA_CALLSIG_H

#include "pa/pa_status.h"

#include <stdbool.h>
#include <stddef.h>

enum {
  PA_CALLSIG_SDP_MAX = 16 * 1024,    /* bytes of an offer's or answer's SDP */
  PA_CALLSIG_MAX_CANDIDATES = 32,    /* ICE candidates in one "ice" payload */
  PA_CALLSIG_CANDIDATE_MAX = 512,    /* bytes of one candidate line */
  PA_CALLSIG_ID_CHARS = 32,          /* the call id: lowercase hex */
  PA_CALLSIG_INPUT_MAX = 80 * 1024,  /* bytes of a payload as received (escapes included) */
  PA_CALLSIG_OUTPUT_MAX = 56 * 1024, /* bytes of the longest canonical encoding */
};

typedef enum pa_callsig_op {
  PA_CALLSIG_OFFER = 1,          /* sdp, video: the caller's offer */
  PA_CALLSIG_ANSWER,             /* sdp, video?: the accepting device's answer */
  PA_CALLSIG_ICE,                /* candidates (1..32) */
  PA_CALLSIG_END,                /* hung up (or the caller stopped ringing) */
  PA_CALLSIG_DECLINE,            /* the callee said no */
  PA_CALLSIG_BUSY,               /* the callee is in another call */
  PA_CALLSIG_ACCEPTED_ELSEWHERE, /* to the callee's other devices: one accepted */
} pa_callsig_op;

/* A payload to encode; the strings are the caller's (NUL-terminated
 * candidates; sdp_len bytes of sdp). */
typedef struct pa_callsig {
  char call[PA_CALLSIG_ID_CHARS + 1];
  pa_callsig_op op;
  const char *sdp; /* NULL when absent */
  size_t sdp_len;
  int n_candidates;
  const char *candidates[PA_CALLSIG_MAX_CANDIDATES];
  int video; /* -1 absent, 0 false, 1 true */
} pa_callsig;

/* The op's name as on the wire ("accepted_elsewhere"), or NULL. */
const char *pa_callsig_op_name(pa_callsig_op op);

/* Parses json (len bytes, untrusted) and writes its canonical encoding into
 * out (cap bytes; PA_CALLSIG_OUTPUT_MAX always suffices), *out_len its
 * length, no NUL. Refuses (and writes nothing usable) anything else: not
 * JSON or not one object (syntax/truncated), another version or kind
 * (unsupported), over a limit (too_large), unknown, repeated, missing or
 * mistyped fields, a field the op does not take, an id not 32 lowercase hex
 * characters, SDP not starting "v=0" or holding bytes other than printable
 * ASCII, CR and LF, a candidate not starting "candidate:" or holding
 * anything but printable ASCII (schema). *op (optional) gets the op. The
 * caller reads the fields from the canonical JSON, which any JSON reader
 * reads the same way. */
pa_status pa_callsig_parse(const char *json, size_t len, char *out, size_t cap, size_t *out_len,
                           pa_callsig_op *op, pa_error *err);

/* The canonical encoding of s into out (cap bytes): keys in the order v,
 * kind, call, op, sdp, candidates, video, no spaces, only '"', '\\', CR and
 * LF escaped. s must hold what pa_callsig_parse accepts (checked: schema or
 * too_large otherwise). *out_len gets the length (no NUL written). */
pa_status pa_callsig_encode(const pa_callsig *s, char *out, size_t cap, size_t *out_len,
                            pa_error *err);

#endif
