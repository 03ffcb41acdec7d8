/* pa_profile — what a person may put on their profile, checked before the
 * store sees it: links (https URLs of a bounded length, at most
 * PA_PROFILE_LINKS_MAX) and the country they declare (an officially assigned
 * ISO 3166-1 alpha-2 code; never guessed from the address). The bytes come
 * from request bodies, so every function here is total over any input and
 * fuzzed (web/fuzz/fuzz_profile.c). */
#ifndef PA_PROFILE_H
#define PA_PROFILE_H

#include <stddef.h>

enum {
  PA_PROFILE_NAME_MAX = 80,      /* code points of a display name (users.name) */
  PA_PROFILE_BIO_MAX = 500,      /* code points of a bio (users.bio) */
  PA_PROFILE_LINKS_MAX = 5,      /* links on a profile */
  PA_PROFILE_LINK_MAX = 200,     /* bytes of one link */
  PA_PROFILE_LINK_HOST_MAX = 253 /* bytes of a DNS name */
};

/* 1 when s (n bytes, no NUL needed) is a link we show: "https://", a host
 * of DNS labels (letters, digits, '-', at least one dot, no userinfo), an
 * optional port, then an optional path, query and fragment of printable ASCII
 * without spaces, quotes, '<', '>', '\' or '`'; at most PA_PROFILE_LINK_MAX
 * bytes. Else 0. */
int pa_profile_link_ok(const char *s, size_t n);

/* 1 when s (n bytes) is an officially assigned ISO 3166-1 alpha-2 code in
 * upper case ("BR"), else 0. */
int pa_profile_country_ok(const char *s, size_t n);

#endif
