/* pa_ws — RFC 6455 WebSocket framing, pure functions over untrusted bytes:
 * the handshake's accept key, frame headers (parsed before any payload is
 * buffered, so a frame that declares too much is refused from its first
 * bytes), unmasking, UTF-8 checks and outgoing frames. Fuzzed by
 * web/fuzz/fuzz_ws.c. */
#ifndef PA_WS_H
#define PA_WS_H

#include <stddef.h>
#include <stdint.h>

enum {
  PA_WS_ACCEPT_LEN = 28,   /* base64 of a SHA-1 */
  PA_WS_HEADER_MAX = 14,   /* bytes of the largest frame header */
  PA_WS_CONTROL_MAX = 125, /* payload bytes of a ping, pong or close */
  PA_WS_OP_CONT = 0x0,
  PA_WS_OP_TEXT = 0x1,
  PA_WS_OP_BINARY = 0x2,
  PA_WS_OP_CLOSE = 0x8,
  PA_WS_OP_PING = 0x9,
  PA_WS_OP_PONG = 0xA,
  /* Close codes we send. */
  PA_WS_CLOSE_NORMAL = 1000,
  PA_WS_CLOSE_GOING_AWAY = 1001,
  PA_WS_CLOSE_PROTOCOL = 1002,
  PA_WS_CLOSE_UNSUPPORTED = 1003,
  PA_WS_CLOSE_BAD_DATA = 1007, /* text that is not UTF-8 */
  PA_WS_CLOSE_POLICY = 1008,
  PA_WS_CLOSE_TOO_BIG = 1009,
  PA_WS_CLOSE_TRY_LATER = 1013,
  PA_WS_CLOSE_REPLACED = 4000, /* the same device connected again: newest wins */
  PA_WS_CLOSE_REVOKED = 4001   /* signed out, password changed, device removed */
};

typedef struct pa_ws_frame {
  int fin, opcode, masked;
  uint8_t mask[4];
  uint64_t length;   /* payload bytes that follow the header */
  size_t header_len; /* bytes of the header itself */
} pa_ws_frame;

/* Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: 0, or -1 when the
 * key is not base64 of 16 bytes. out gets PA_WS_ACCEPT_LEN chars and a NUL. */
int pa_ws_accept_key(const char *client_key, char out[PA_WS_ACCEPT_LEN + 1]);

/* Parses a client frame header from buf (len bytes): 1 with *f filled, 0
 * when more bytes are needed, -1 (with *close_code set) when the header
 * breaks RFC 6455 as a server must check it: unmasked, reserved bits,
 * unknown opcodes, fragmented or oversized control frames, a 64-bit length
 * with its top bit set. */
int pa_ws_parse_header(const uint8_t *buf, size_t len, pa_ws_frame *f, int *close_code);

/* XORs len payload bytes with the mask, starting at payload offset `at`. */
void pa_ws_unmask(uint8_t *data, size_t len, const uint8_t mask[4], uint64_t at);

/* 1 when data is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int pa_ws_utf8_ok(const uint8_t *data, size_t len);

/* Writes a server frame header (fin, unmasked) for a payload of len bytes
 * into out; returns the header's length (2, 4 or 10). */
size_t pa_ws_frame_header(uint8_t out[PA_WS_HEADER_MAX], int opcode, uint64_t len);

/* A close frame's payload (code and a reason cut to fit) into out; its length. */
size_t pa_ws_close_payload(uint8_t out[PA_WS_CONTROL_MAX], int code, const char *reason);

#endif
