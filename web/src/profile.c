/* pa_profile: link and country checks. */
#include "profile.h"

#include <string.h>

static int alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int pa_profile_link_ok(const char *s, size_t n) {
  static const char scheme[] = "https://";
  const size_t sl = sizeof scheme - 1;
  if (!s || n <= sl || n > PA_PROFILE_LINK_MAX || memcmp(s, scheme, sl) != 0) return 0;
  size_t i = sl, label = 0, dots = 0, host_start = sl;
  /* The host: labels of letters, digits and inner hyphens. */
  for (; i < n && s[i] != '/' && s[i] != ':' && s[i] != '?' && s[i] != '#'; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '.') {
      if (label == 0 || s[i - 1] == '-') return 0;
      label = 0;
      dots++;
    } else if (alnum(c) || (c == '-' && label > 0)) {
      if (++label > 63) return 0;
    } else {
      return 0; /* '@' (userinfo), '%', spaces, anything else */
    }
  }
  if (label == 0 || s[i - 1] == '-' || dots == 0 || i - host_start > PA_PROFILE_LINK_HOST_MAX)
    return 0;
  if (i < n && s[i] == ':') {
    size_t digits = 0;
    for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
      if (++digits > 5) return 0;
    if (digits == 0) return 0;
  }
  if (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#') return 0;
  for (; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' ||
        c == '`')
      return 0;
  }
  return 1;
}

/* ISO 3166-1 alpha-2, officially assigned codes (249), in order. */
static const char countries[] =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCM"
    "CNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY"
    "HKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMF"
    "MGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARE"
    "RORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZ"
    "VAVCVEVGVIVNVUWFWSYEYTZAZMZW";

int pa_profile_country_ok(const char *s, size_t n) {
  if (!s || n != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z') return 0;
  for (size_t i = 0; i + 1 < sizeof countries; i += 2)
    if (countries[i] == s[0] && countries[i + 1] == s[1]) return 1;
  return 0;
}
