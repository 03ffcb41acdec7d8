/* pa_device — what a sessions list says about where a session was made: a
 * browser and an operating system read from the User-Agent header, and the
 * client address cut to its network. Both are pure (fuzzed in
 * web/fuzz/fuzz_twostep.c). Nothing of the header's text is copied out: the
 * names are our own constant strings, so a crafted header cannot put words
 * into someone's sessions list. */
#ifndef PA_DEVICE_H
#define PA_DEVICE_H

#include <stddef.h>

enum {
  PA_DEVICE_UA_MAX = 512,  /* bytes of a User-Agent looked at; the rest is ignored */
  PA_DEVICE_NAME_MAX = 24, /* bytes of the longest browser or OS name we write */
  PA_DEVICE_ADDR_TEXT = 64 /* a coarse address with its prefix length, and the NUL */
};

typedef struct pa_device {
  const char *browser; /* "Chrome", "Firefox", … or "" when unknown; static storage */
  const char *os;      /* "Android", "iOS", "Windows", … or "" when unknown; static storage */
} pa_device;

/* Reads ua (len bytes, NULL for none) into out; never fails. */
void pa_device_parse(const char *ua, size_t len, pa_device *out);

/* The network of a client address, as people can be shown it without giving
 * away their exact address: IPv4 a.b.c.0/24, IPv6 its /48 ("2001:db8:1::/48"),
 * an IPv4-mapped IPv6 address as IPv4. "" for anything else. */
void pa_device_coarse_addr(const char *addr, char out[PA_DEVICE_ADDR_TEXT]);

#endif
