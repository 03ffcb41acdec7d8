/* pa_geo — the client's address and its country, for the security view
 * (issue 19; web/README.md, "Security events").
 *
 * The address is the connection's peer, or, when the peer is a proxy on
 * this machine (a loopback address), the last entry of its X-Forwarded-For:
 * the one that proxy appended (entries before it are whatever the client
 * sent, so they are never believed). The same rule as X-Forwarded-Proto in
 * api/router.c.
 *
 * The country comes from one source, chosen once at start (pa_geo_init):
 *   PA_GEOIP_TEST_MAP=FILE  a test-only map of loopback addresses to countries
 *                           (lines "127.0.0.2 BR"; anything else is refused);
 *   PA_GEOIP_MMDB=FILE      a MaxMind DB (libmaxminddb), e.g. GeoLite2-Country;
 *   otherwise               Debian's geoip-database through libGeoIP
 *                           (GeoIP.dat and GeoIPv6.dat), when installed.
 * An address no source knows has the country "" (unknown). */
#ifndef PA_GEO_H
#define PA_GEO_H

#include <stddef.h>

enum {
  PA_GEO_ADDR_MAX = 46,     /* an address's text with its NUL (INET6_ADDRSTRLEN) */
  PA_GEO_MAP_MAX = 64,      /* entries in a test map: a test names a handful */
  PA_GEO_MAP_BYTES = 16384, /* bytes of a test map file */
  PA_GEO_ERR_MAX = 160      /* bytes of an error message, with its NUL */
};

/* ---- pure parsers (geo_parse.c: no I/O, fuzzed by web/fuzz/fuzz_geo.c) */

/* addr's canonical text into out (inet_ntop's; an IPv4-mapped IPv6
 * address as plain IPv4): 0, or -1 when addr is not one numeric IPv4 or
 * IPv6 address (no brackets, ports or zones). */
int pa_geo_canonical(const char *addr, char out[PA_GEO_ADDR_MAX]);

/* 1 when canonical address addr is loopback (127.0.0.0/8 or ::1). */
int pa_geo_is_loopback(const char *addr);

/* The last entry of an X-Forwarded-For value, canonical, into out: 0, or
 * -1 when the header is NULL or its last entry is not an address. */
int pa_geo_forwarded_for(const char *header, char out[PA_GEO_ADDR_MAX]);

/* The client's address: the peer's, or the forwarded one when the peer is
 * loopback and its X-Forwarded-For (may be NULL) ends with an address.
 * Always fills out ("" when peer is not an address either). */
void pa_geo_client(const char *peer, const char *forwarded_for, char out[PA_GEO_ADDR_MAX]);

typedef struct pa_geo_entry {
  char addr[PA_GEO_ADDR_MAX];
  char country[3];
} pa_geo_entry;

typedef struct pa_geo_map {
  int n;
  pa_geo_entry e[PA_GEO_MAP_MAX];
} pa_geo_map;

/* Parses a test map: lines "ADDRESS CC" (two uppercase letters), blank
 * lines and "#" comments. Only loopback addresses are allowed, each once, at
 * most PA_GEO_MAP_MAX of them, in at most PA_GEO_MAP_BYTES. 0, or -1 with
 * the line's number and what is wrong in err. */
int pa_geo_map_parse(const char *text, size_t len, pa_geo_map *out, char *err, size_t errlen);

/* ---- the configured source (geo.c) */

/* Chooses and opens the source from the environment (above). 0, or -1 with
 * err (a test map or MaxMind file that cannot be read or parsed stops the
 * server: a typo must not silently mean "no countries"). Call once, before
 * any worker runs. */
int pa_geo_init(char *err, size_t errlen);

/* The source in use: "test_map", "maxminddb", "geoip" or "none". */
const char *pa_geo_source(void);

/* The two-letter country of canonical address addr into cc, "" when unknown.
 * Thread-safe. */
void pa_geo_country(const char *addr, char cc[3]);

#endif
