/* pa_text — tags, UTF-8 and case folding. */
#include "str.h"

#include <stdint.h>
#include <string.h>

static int is_word(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int pa_str_tags(const char *caption, int (*fn)(void *ctx, const char *tag), void *ctx) {
  const unsigned char *s = (const unsigned char *)caption;
  char seen[PA_TEXT_MAX_TAGS][PA_TEXT_MAX_TAG + 1];
  int count = 0;
  for (size_t i = 0; s[i] && count < PA_TEXT_MAX_TAGS; i++) {
    if (s[i] != '#' || (i > 0 && (is_word(s[i - 1]) || s[i - 1] == '#' || s[i - 1] == '&')))
      continue;
    char tag[PA_TEXT_MAX_TAG + 1];
    size_t n = 0;
    int letters = 0;
    while (is_word(s[i + 1 + n])) {
      if (n < PA_TEXT_MAX_TAG) {
        unsigned char c = s[i + 1 + n];
        tag[n] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        letters |= !(c >= '0' && c <= '9');
      }
      n++;
    }
    unsigned char after = s[i + 1 + n];
    i += n;
    /* Too long, digits only, or running into non-ASCII text: not a tag we can spell. */
    if (n == 0 || n > PA_TEXT_MAX_TAG || !letters || after >= 0x80) continue;
    tag[n] = '\0';
    int dup = 0;
    for (int k = 0; k < count && !dup; k++) dup = strcmp(seen[k], tag) == 0;
    if (dup) continue;
    memcpy(seen[count++], tag, n + 1);
    if (fn(ctx, tag) != 0) return -1;
  }
  return 0;
}

/* Decodes one code point at s[*i]; -1 on malformed, overlong or surrogate input. */
static int32_t decode(const unsigned char *s, size_t len, size_t *i) {
  unsigned char c = s[*i];
  int32_t cp, min;
  int extra;
  if (c < 0x80) {
    (*i)++;
    return c;
  }
  if ((c & 0xe0) == 0xc0)
    cp = c & 0x1f, extra = 1, min = 0x80;
  else if ((c & 0xf0) == 0xe0)
    cp = c & 0x0f, extra = 2, min = 0x800;
  else if ((c & 0xf8) == 0xf0)
    cp = c & 0x07, extra = 3, min = 0x10000;
  else
    return -1;
  for (int k = 1; k <= extra; k++) {
    if (*i + (size_t)k >= len) return -1;
    unsigned char d = s[*i + (size_t)k];
    if ((d & 0xc0) != 0x80) return -1;
    cp = (cp << 6) | (d & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  *i += (size_t)extra + 1;
  return cp;
}

long pa_str_utf8_len(const char *str, size_t len, int multiline) {
  const unsigned char *s = (const unsigned char *)str;
  long n = 0;
  for (size_t i = 0; i < len;) {
    int32_t cp = decode(s, len, &i);
    if (cp < 0) return -1;
    if ((cp < 0x20 && !(multiline && (cp == '\n' || cp == '\t'))) || cp == 0x7f ||
        (cp >= 0x80 && cp < 0xa0))
      return -1;
    n++;
  }
  return n;
}

static int32_t fold(int32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 0xc0 && c <= 0xde && c != 0xd7)) return c + 32;  /* Latin-1 */
  if (c >= 0x100 && c <= 0x137 && !(c & 1)) return c + 1;    /* Ā..ķ */
  if (c >= 0x139 && c <= 0x148 && (c & 1)) return c + 1;     /* Ĺ..ň */
  if (c >= 0x14a && c <= 0x177 && !(c & 1)) return c + 1;    /* Ŋ..ŷ */
  if (c == 0x178) return 0xff;                               /* Ÿ */
  if (c >= 0x179 && c <= 0x17e && (c & 1)) return c + 1;     /* Ź..ž */
  if (c >= 0x391 && c <= 0x3ab && c != 0x3a2) return c + 32; /* Greek */
  if (c == 0x3c2) return 0x3c3;                              /* final sigma */
  if (c == 0x386) return 0x3ac;                              /* Greek with tonos */
  if (c >= 0x388 && c <= 0x38a) return c + 37;
  if (c == 0x38c) return 0x3cc;
  if (c == 0x38e || c == 0x38f) return c + 63;
  if (c >= 0x410 && c <= 0x42f) return c + 32; /* Cyrillic */
  if (c >= 0x400 && c <= 0x40f) return c + 80;
  return c;
}

static size_t encode(int32_t cp, unsigned char *o) {
  if (cp < 0x80) return o[0] = (unsigned char)cp, 1;
  if (cp < 0x800) {
    o[0] = (unsigned char)(0xc0 | (cp >> 6));
    o[1] = (unsigned char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xe0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    o[2] = (unsigned char)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (unsigned char)(0xf0 | (cp >> 18));
  o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
  o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
  o[3] = (unsigned char)(0x80 | (cp & 0x3f));
  return 4;
}

int pa_str_fold(const char *str, char *out, size_t cap) {
  const unsigned char *s = (const unsigned char *)str;
  size_t len = strlen(str), n = 0;
  if (cap == 0) return -1;
  for (size_t i = 0; i < len;) {
    int32_t cp = decode(s, len, &i);
    unsigned char buf[4];
    if (cp < 0) return out[0] = '\0', -1;
    size_t k = encode(fold(cp), buf);
    if (n + k + 1 > cap) return out[0] = '\0', -1;
    memcpy(out + n, buf, k);
    n += k;
  }
  out[n] = '\0';
  return 0;
}

int pa_str_id(const char *s, const char *prefix, int64_t *out) {
  size_t pl = strlen(prefix);
  if (!s || strncmp(s, prefix, pl) != 0 || s[pl] != '_') return -1;
  const char *d = s + pl + 1;
  if (*d < '1' || *d > '9') return -1;
  int64_t v = 0;
  for (; *d; d++) {
    if (*d < '0' || *d > '9' || v > (INT64_MAX - 9) / 10) return -1;
    v = v * 10 + (*d - '0');
  }
  *out = v;
  return 0;
}
