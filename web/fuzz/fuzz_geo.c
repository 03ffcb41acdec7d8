/* libFuzzer target: the client-address parsers (geo_parse.c). The input is
 * both an X-Forwarded-For value (every request from a loopback proxy) and a
 * test map file (PA_GEOIP_TEST_MAP). Invariants: an address they accept is
 * canonical (canonicalising it again gives the same text) and fits; a map
 * holds at most PA_GEO_MAP_MAX distinct loopback addresses with two-letter
 * uppercase countries; the client address is always a canonical address or
 * "" and is the forwarded one only when the peer is loopback. */
#include "fuzz_check.h"
#include "geo.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void canonical_fixed_point(const char *addr) {
  char again[PA_GEO_ADDR_MAX];
  ASSERT(strlen(addr) < PA_GEO_ADDR_MAX);
  ASSERT(pa_geo_canonical(addr, again) == 0);
  ASSERT(strcmp(again, addr) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';

  char out[PA_GEO_ADDR_MAX];
  if (pa_geo_forwarded_for(text, out) == 0) canonical_fixed_point(out);
  if (pa_geo_canonical(text, out) == 0) canonical_fixed_point(out);

  char client[PA_GEO_ADDR_MAX];
  pa_geo_client("127.0.0.1", text, client);
  canonical_fixed_point(client);
  pa_geo_client("192.0.2.7", text, client);
  ASSERT(strcmp(client, "192.0.2.7") == 0);
  pa_geo_client(text, NULL, client);
  if (client[0]) canonical_fixed_point(client);

  static pa_geo_map map;
  char err[PA_GEO_ERR_MAX];
  if (pa_geo_map_parse((const char *)data, size, &map, err, sizeof err) == 0) {
    ASSERT(map.n >= 0 && map.n <= PA_GEO_MAP_MAX);
    for (int i = 0; i < map.n; i++) {
      canonical_fixed_point(map.e[i].addr);
      ASSERT(pa_geo_is_loopback(map.e[i].addr));
      ASSERT(strlen(map.e[i].country) == 2);
      ASSERT(map.e[i].country[0] >= 'A' && map.e[i].country[0] <= 'Z');
      ASSERT(map.e[i].country[1] >= 'A' && map.e[i].country[1] <= 'Z');
      for (int k = 0; k < i; k++) ASSERT(strcmp(map.e[k].addr, map.e[i].addr) != 0);
    }
  }
  free(text);
  return 0;
}
