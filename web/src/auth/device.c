/* pa_device: User-Agent and address summaries for the sessions list. */
#include "auth/device.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Whether needle occurs in the first n bytes of hay (bounded: no strstr on
 * a header that need not end where we think). */
static int has(const char *hay, size_t n, const char *needle) {
  size_t m = strlen(needle);
  if (m > n) return 0;
  for (size_t i = 0; i + m <= n; i++)
    if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0) return 1;
  return 0;
}

void pa_device_parse(const char *ua, size_t len, pa_device *out) {
  /* Order matters: every Chromium browser also says "Chrome/", Chrome says
   * "Safari/", Android says "Linux", iPads may say "Macintosh". */
  static const struct {
    const char *token, *name;
  } browsers[] = {{"Edg/", "Edge"},
                  {"EdgA/", "Edge"},
                  {"EdgiOS/", "Edge"},
                  {"OPR/", "Opera"},
                  {"SamsungBrowser/", "Samsung Internet"},
                  {"Firefox/", "Firefox"},
                  {"FxiOS/", "Firefox"},
                  {"CriOS/", "Chrome"},
                  {"Chrome/", "Chrome"},
                  {"Chromium/", "Chromium"},
                  {"Safari/", "Safari"}},
    systems[] = {{"Android", "Android"}, {"iPhone", "iOS"},     {"iPad", "iPadOS"},
                 {"iPod", "iOS"},        {"CrOS", "ChromeOS"},  {"Windows", "Windows"},
                 {"Macintosh", "macOS"}, {"Mac OS X", "macOS"}, {"Linux", "Linux"}};
  out->browser = out->os = "";
  if (!ua) return;
  if (len > PA_DEVICE_UA_MAX) len = PA_DEVICE_UA_MAX;
  for (size_t i = 0; i < sizeof browsers / sizeof browsers[0]; i++)
    if (has(ua, len, browsers[i].token)) {
      out->browser = browsers[i].name;
      break;
    }
  for (size_t i = 0; i < sizeof systems / sizeof systems[0]; i++)
    if (has(ua, len, systems[i].token)) {
      out->os = systems[i].name;
      break;
    }
}

void pa_device_coarse_addr(const char *addr, char out[PA_DEVICE_ADDR_TEXT]) {
  unsigned char b[16];
  char text[INET6_ADDRSTRLEN];
  out[0] = '\0';
  if (!addr || strlen(addr) >= INET6_ADDRSTRLEN) return;
  if (inet_pton(AF_INET, addr, b) == 1) {
    snprintf(out, PA_DEVICE_ADDR_TEXT, "%u.%u.%u.0/24", b[0], b[1], b[2]);
    return;
  }
  if (inet_pton(AF_INET6, addr, b) != 1) return;
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (memcmp(b, mapped, sizeof mapped) == 0) {
    snprintf(out, PA_DEVICE_ADDR_TEXT, "%u.%u.%u.0/24", b[12], b[13], b[14]);
    return;
  }
  memset(b + 6, 0, 10);
  if (!inet_ntop(AF_INET6, b, text, sizeof text)) return;
  snprintf(out, PA_DEVICE_ADDR_TEXT, "%s/48", text);
}
