/* pa_chat_frame — the parts of chat relay frames (web/README.md, "Chat")
 * that robustness added, read without the relay around them so
 * fuzz_chat_frame runs them alone: the ids of ack / failed / delivered_ack,
 * the generation of identity_gen, and the session a start envelope names
 * (its base key, counted by PA_CHAT_STARTS_PER_PEER); and the ids in the
 * relay's bus messages between processes. cJSON only. */
#ifndef PA_CHAT_FRAME_H
#define PA_CHAT_FRAME_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_CHAT_FRAME_MAX_IDS = 500,  /* ids in one ack, failed or delivered_ack */
  PA_CHAT_START_KEY_BYTES = 32, /* a start's base key EK_A */
  PA_CHAT_START_KEY_AT = 33     /* where it is: after the kind byte and IK_A */
};

/* The ids of frame's "ids" member into out (cap of them; cap >=
 * PA_CHAT_FRAME_MAX_IDS reads them all): whole numbers 1..2^53-1, others
 * skipped. The count, or -1 when "ids" is not an array or has more than
 * PA_CHAT_FRAME_MAX_IDS members. */
int pa_chat_frame_ids(const cJSON *frame, int64_t *out, int cap);

/* identity_gen's "generation": a whole number 1..2^53-1 into *out; 0, or -1. */
int pa_chat_frame_generation(const cJSON *frame, int64_t *out);

/* When body (len >= 1 bytes) is a session start (first byte 0x03, or 0x02
 * of the refused start v1): the bytes that name its session into *key,
 * pointing into body, and their count (1..PA_CHAT_START_KEY_BYTES): EK_A
 * when the body holds it, else its first bytes. 0 for any other message. */
size_t pa_chat_start_key(const uint8_t *body, size_t len, const uint8_t **key);

/* The ids in what another process published on the bus (api/chat_relay.c:
 * chat.revoke's "<user> <device> <session>", support.roles' "<user>", a
 * channel's last part): exactly n decimal numbers 0..2^53-1 without leading
 * zeros, one space apart, in text (len bytes, no NUL needed), into out.
 * 0, or -1 for anything else. */
int pa_chat_frame_bus_ids(const char *text, size_t len, int64_t *out, int n);

#endif
