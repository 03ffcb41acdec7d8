/* pa_geo: the configured address-to-country source (geo.h). */
#include "geo.h"

#include <GeoIP.h>
#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Debian's geoip-database files, opened when present. */
#define GEOIP_V4_FILE "/usr/share/GeoIP/GeoIP.dat"
#define GEOIP_V6_FILE "/usr/share/GeoIP/GeoIPv6.dat"

typedef enum { SRC_NONE, SRC_TEST, SRC_MMDB, SRC_GEOIP } source;

/* Written once by pa_geo_init before any worker runs; read-only after. */
static source src;
static pa_geo_map test_map;
static MMDB_s mmdb;
static GeoIP *gi4, *gi6;

static int init_test_map(const char *path, char *err, size_t errlen) {
  static char text[PA_GEO_MAP_BYTES + 1];
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "PA_GEOIP_TEST_MAP: cannot read %s", path);
    return -1;
  }
  size_t n = fread(text, 1, sizeof text, f);
  fclose(f);
  char why[PA_GEO_ERR_MAX];
  if (pa_geo_map_parse(text, n, &test_map, why, sizeof why) != 0) {
    snprintf(err, errlen, "PA_GEOIP_TEST_MAP: %s", why);
    return -1;
  }
  src = SRC_TEST;
  return 0;
}

int pa_geo_init(char *err, size_t errlen) {
  const char *map = getenv("PA_GEOIP_TEST_MAP"), *db = getenv("PA_GEOIP_MMDB");
  if (map && *map) return init_test_map(map, err, errlen);
  if (db && *db) {
    int rc = MMDB_open(db, MMDB_MODE_MMAP, &mmdb);
    if (rc != MMDB_SUCCESS) {
      snprintf(err, errlen, "PA_GEOIP_MMDB: %s: %s", db, MMDB_strerror(rc));
      return -1;
    }
    src = SRC_MMDB;
    return 0;
  }
  /* Memory cache: lookups then only read memory, safe from every worker. */
  gi4 = GeoIP_open(GEOIP_V4_FILE, GEOIP_MEMORY_CACHE | GEOIP_SILENCE);
  gi6 = GeoIP_open(GEOIP_V6_FILE, GEOIP_MEMORY_CACHE | GEOIP_SILENCE);
  src = gi4 || gi6 ? SRC_GEOIP : SRC_NONE;
  return 0;
}

const char *pa_geo_source(void) {
  return src == SRC_TEST    ? "test_map"
         : src == SRC_MMDB  ? "maxminddb"
         : src == SRC_GEOIP ? "geoip"
                            : "none";
}

static void from_mmdb(const char *addr, char cc[3]) {
  int gai = 0, rc = 0;
  MMDB_lookup_result_s r = MMDB_lookup_string(&mmdb, addr, &gai, &rc);
  MMDB_entry_data_s d;
  if (gai != 0 || rc != MMDB_SUCCESS || !r.found_entry) return;
  if (MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL) != MMDB_SUCCESS || !d.has_data ||
      d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2)
    return;
  memcpy(cc, d.utf8_string, 2);
  cc[2] = '\0';
}

void pa_geo_country(const char *addr, char cc[3]) {
  const char *code = NULL;
  cc[0] = '\0';
  switch (src) {
  case SRC_TEST:
    for (int i = 0; i < test_map.n; i++)
      if (strcmp(test_map.e[i].addr, addr) == 0) code = test_map.e[i].country;
    break;
  case SRC_MMDB: from_mmdb(addr, cc); break;
  case SRC_GEOIP:
    code = strchr(addr, ':') ? (gi6 ? GeoIP_country_code_by_addr_v6(gi6, addr) : NULL)
                             : (gi4 ? GeoIP_country_code_by_addr(gi4, addr) : NULL);
    break;
  case SRC_NONE: break;
  }
  /* Only two uppercase letters reach the table (GeoIP says "--" for unknown). */
  if (code && strlen(code) == 2 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' &&
      code[1] <= 'Z')
    memcpy(cc, code, 3);
  if (cc[0] && !(cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z')) cc[0] = '\0';
}
