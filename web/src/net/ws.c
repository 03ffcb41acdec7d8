/* pa_ws — RFC 6455 framing. SHA-1 is here only because the handshake needs
 * it (RFC 6455 §4.2.2); it protects nothing, so a small local one is enough. */
#include "ws.h"

#include <string.h>

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

/* SHA-1 (FIPS 180-4) of a message of at most 119 bytes: the key and GUID. */
static void sha1_short(const uint8_t *msg, size_t len, uint8_t out[20]) {
  uint8_t block[128] = {0};
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  size_t total = len + 9 <= 64 ? 64 : 128;
  memcpy(block, msg, len);
  block[len] = 0x80;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++) block[total - 1 - i] = (uint8_t)(bits >> (8 * i));
  for (size_t off = 0; off < total; off += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
      w[i] = (uint32_t)block[off + 4 * i] << 24 | (uint32_t)block[off + 4 * i + 1] << 16 |
             (uint32_t)block[off + 4 * i + 2] << 8 | block[off + 4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      uint32_t t = rol(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = rol(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 4; j++) out[4 * i + j] = (uint8_t)(h[i] >> (24 - 8 * j));
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int pa_ws_accept_key(const char *key, char out[PA_WS_ACCEPT_LEN + 1]) {
  static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  uint8_t msg[24 + sizeof guid], digest[21] = {0};
  /* 16 bytes in base64: 22 characters from the alphabet, then "==", and the
   * last character's low four bits zero. */
  if (!key || strlen(key) != 24 || key[22] != '=' || key[23] != '=') return -1;
  for (int i = 0; i < 22; i++)
    if (!key[i] || !strchr(b64, key[i])) return -1;
  if ((strchr(b64, key[21]) - b64) & 15) return -1;
  memcpy(msg, key, 24);
  memcpy(msg + 24, guid, sizeof guid - 1);
  sha1_short(msg, 24 + sizeof guid - 1, digest);
  for (int i = 0, o = 0; i < 21; i += 3) {
    uint32_t v = (uint32_t)digest[i] << 16 | (uint32_t)digest[i + 1] << 8 | digest[i + 2];
    out[o++] = b64[v >> 18];
    out[o++] = b64[(v >> 12) & 63];
    out[o++] = i + 1 < 20 ? b64[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < 20 ? b64[v & 63] : '=';
  }
  out[PA_WS_ACCEPT_LEN] = '\0';
  return 0;
}

int pa_ws_parse_header(const uint8_t *buf, size_t len, pa_ws_frame *f, int *close_code) {
  if (len < 2) return 0;
  memset(f, 0, sizeof *f);
  f->fin = buf[0] >> 7;
  f->opcode = buf[0] & 0x0f;
  f->masked = buf[1] >> 7;
  *close_code = PA_WS_CLOSE_PROTOCOL;
  if (buf[0] & 0x70) return -1; /* no extension was negotiated */
  if (!f->masked) return -1;    /* §5.1: a server closes on an unmasked client frame */
  int control = f->opcode >= 0x8;
  if (!(f->opcode <= PA_WS_OP_BINARY || (control && f->opcode <= PA_WS_OP_PONG))) return -1;
  uint64_t n = buf[1] & 0x7f;
  size_t at = 2;
  if (n == 126) {
    if (len < 4) return 0;
    n = (uint64_t)buf[2] << 8 | buf[3];
    at = 4;
  } else if (n == 127) {
    if (len < 10) return 0;
    if (buf[2] & 0x80) return -1;
    n = 0;
    for (int i = 0; i < 8; i++) n = n << 8 | buf[2 + i];
    at = 10;
  }
  if (control && (!f->fin || n > PA_WS_CONTROL_MAX)) return -1;
  if (len < at + 4) return 0;
  memcpy(f->mask, buf + at, 4);
  f->length = n;
  f->header_len = at + 4;
  return 1;
}

void pa_ws_unmask(uint8_t *data, size_t len, const uint8_t mask[4], uint64_t at) {
  for (size_t i = 0; i < len; i++) data[i] ^= mask[(at + i) & 3];
}

int pa_ws_utf8_ok(const uint8_t *s, size_t len) {
  for (size_t i = 0; i < len;) {
    uint8_t c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t n;
    uint32_t cp, min;
    if ((c & 0xe0) == 0xc0) {
      n = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      n = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      n = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return 0;
    }
    if (len - i < n) return 0;
    for (size_t k = 1; k < n; k++) {
      if ((s[i + k] & 0xc0) != 0x80) return 0;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    i += n;
  }
  return 1;
}

size_t pa_ws_frame_header(uint8_t out[PA_WS_HEADER_MAX], int opcode, uint64_t len) {
  out[0] = (uint8_t)(0x80 | (opcode & 0x0f));
  if (len < 126) {
    out[1] = (uint8_t)len;
    return 2;
  }
  if (len <= 0xffff) {
    out[1] = 126;
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; i++) out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
  return 10;
}

size_t pa_ws_close_payload(uint8_t out[PA_WS_CONTROL_MAX], int code, const char *reason) {
  size_t n = reason ? strlen(reason) : 0;
  if (n > PA_WS_CONTROL_MAX - 2) n = PA_WS_CONTROL_MAX - 2;
  /* Cut on a character boundary: the peer checks the reason is UTF-8. */
  while (n > 0 && reason && ((uint8_t)reason[n] & 0xc0) == 0x80) n--;
  out[0] = (uint8_t)(code >> 8);
  out[1] = (uint8_t)code;
  if (n) memcpy(out + 2, reason, n);
  return n + 2;
}
