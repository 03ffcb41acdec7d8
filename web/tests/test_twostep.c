/* Two-step sign-in's pieces (web/src/auth/, web/src/tar.c): HMAC-SHA1 on
 * RFC 2202's vectors, HOTP on RFC 4226 appendix D's, TOTP on RFC 6238
 * appendix B's (SHA-1, 8 digits), the ±1 step window and the used-step rule
 * at their edges, base32 (RFC 4648 §10), the typed-code and recovery-code
 * parsers at their limits, device labels and coarse addresses, sealing and
 * challenges, the setup QR code's matrix at its limits, and the tar header. */
#include "auth/device.h"
#include "auth/qr.h"
#include "auth/totp.h"
#include "auth/twostep.h"
#include "pa_test.h"
#include "tar.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(const uint8_t *b, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", b[i]);
}

static void hmac_rfc2202(void) {
  uint8_t mac[20], key[80];
  char h[41];
  CHECK(pa_totp_hmac_sha1((const uint8_t *)"\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b"
                                           "\x0b\x0b\x0b\x0b\x0b\x0b\x0b",
                          20, (const uint8_t *)"Hi There", 8, mac) == 0);
  hex(mac, 20, h);
  CHECK(strcmp(h, "b617318655057264e28bc0b6fb378c8ef146be00") == 0);
  CHECK(pa_totp_hmac_sha1((const uint8_t *)"Jefe", 4,
                          (const uint8_t *)"what do ya want for nothing?", 28, mac) == 0);
  hex(mac, 20, h);
  CHECK(strcmp(h, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79") == 0);
  /* A key longer than the block is hashed first (test case 6). */
  memset(key, 0xaa, sizeof key);
  CHECK(pa_totp_hmac_sha1(key, 80,
                          (const uint8_t *)"Test Using Larger Than Block-Size Key - Hash Key First",
                          54, mac) == 0);
  hex(mac, 20, h);
  CHECK(strcmp(h, "aa4ae5e15272d00e95705637ce8a3b55ed402112") == 0);
}

static const uint8_t rfc_key[] = "12345678901234567890";

static void hotp_rfc4226(void) {
  static const uint32_t want[10] = {755224, 287082, 359152, 969429, 338314,
                                    254676, 287922, 162583, 399871, 520489};
  for (uint64_t c = 0; c < 10; c++) {
    uint32_t code = 0;
    CHECK(pa_totp_hotp(rfc_key, 20, c, 6, &code) == 0 && code == want[c]);
  }
  uint32_t code;
  CHECK(pa_totp_hotp(rfc_key, 20, 0, 5, &code) == -1);
  CHECK(pa_totp_hotp(rfc_key, 20, 0, 9, &code) == -1);
}

static void totp_rfc6238(void) {
  static const struct {
    int64_t t;
    uint32_t code;
  } v[] = {{59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
           {1234567890, 89005924}, {2000000000, 69279037}, {20000000000LL, 65353130}};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    uint32_t code = 0;
    CHECK(pa_totp_hotp(rfc_key, 20, (uint64_t)pa_totp_step(v[i].t), 8, &code) == 0 &&
          code == v[i].code);
  }
  CHECK(pa_totp_step(29) == 0 && pa_totp_step(30) == 1 && pa_totp_step(-1) == -1);
}

static void window_and_replay(void) {
  const int64_t now = 1111111111, mid = pa_totp_step(now);
  uint32_t c[5];
  int64_t step = 0;
  for (int i = 0; i < 5; i++) pa_totp_hotp(rfc_key, 20, (uint64_t)(mid - 2 + i), 6, &c[i]);
  /* PA_TOTP_WINDOW = 1: one step either side, not two. */
  CHECK(pa_totp_check(rfc_key, 20, now, c[0], 0, &step) == 0);
  CHECK(pa_totp_check(rfc_key, 20, now, c[1], 0, &step) == 1 && step == mid - 1);
  CHECK(pa_totp_check(rfc_key, 20, now, c[2], 0, &step) == 1 && step == mid);
  CHECK(pa_totp_check(rfc_key, 20, now, c[3], 0, &step) == 1 && step == mid + 1);
  CHECK(pa_totp_check(rfc_key, 20, now, c[4], 0, &step) == 0);
  /* A step used (or an earlier one) is refused; the next is not. */
  CHECK(pa_totp_check(rfc_key, 20, now, c[2], mid, &step) == 0);
  CHECK(pa_totp_check(rfc_key, 20, now, c[1], mid, &step) == 0);
  CHECK(pa_totp_check(rfc_key, 20, now, c[3], mid, &step) == 1 && step == mid + 1);
  CHECK(pa_totp_check(rfc_key, 20, now, c[3], mid - 1, &step) == 1);
}

static void base32(void) {
  static const char *const enc[] = {"", "MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"};
  char out[64];
  uint8_t back[16];
  for (int n = 0; n <= 6; n++) {
    CHECK(pa_totp_base32_encode((const uint8_t *)"foobar", (size_t)n, out, sizeof out) ==
          (int)strlen(enc[n]));
    CHECK(strcmp(out, enc[n]) == 0);
    CHECK(pa_totp_base32_decode(enc[n], strlen(enc[n]), back, sizeof back) == n);
    CHECK(memcmp(back, "foobar", (size_t)n) == 0);
  }
  CHECK(pa_totp_base32_decode("mzxw6ytboi", 10, back, sizeof back) == 6);
  CHECK(pa_totp_base32_decode("MZ", 2, back, sizeof back) == -1); /* leftover bits not zero */
  CHECK(pa_totp_base32_decode("M1", 2, back, sizeof back) == -1); /* not in the alphabet */
  CHECK(pa_totp_base32_decode("MZXW6YTBOI", 10, back, 5) == -1);  /* does not fit */
  CHECK(pa_totp_base32_encode((const uint8_t *)"foobar", 6, out, 10) == -1);
  CHECK(pa_totp_base32_encode((const uint8_t *)"foobar", 6, out, 11) == 10);
}

static void parse_codes(void) {
  uint32_t v = 0;
  CHECK(pa_totp_parse_code("012345", 6, &v) == 0 && v == 12345);
  CHECK(pa_totp_parse_code("012 345", 7, &v) == 0 && v == 12345);
  CHECK(pa_totp_parse_code("0-1-2-3-4-5", 11, &v) == 0 && v == 12345);
  CHECK(pa_totp_parse_code("12345", 5, &v) == -1);
  CHECK(pa_totp_parse_code("1234567", 7, &v) == -1);
  CHECK(pa_totp_parse_code(" 123456", 7, &v) == -1);
  CHECK(pa_totp_parse_code("123456 ", 7, &v) == -1);
  CHECK(pa_totp_parse_code("123  456", 8, &v) == -1);
  CHECK(pa_totp_parse_code("12345a", 6, &v) == -1);
  CHECK(pa_totp_parse_code("123\0456", 7, &v) == -1);
  /* PA_TOTP_CODE_INPUT_MAX: 16 bytes pass the length check, 17 do not. */
  CHECK(PA_TOTP_CODE_INPUT_MAX == 16);
  CHECK(pa_totp_parse_code("1 2 3 4 5 6", 11, &v) == 0);
  char c[PA_TOTP_RECOVERY_TEXT];
  CHECK(pa_totp_parse_recovery("abcde-fghij", 11, c) == 0 && strcmp(c, "ABCDE-FGHIJ") == 0);
  CHECK(pa_totp_parse_recovery(" AB CDE FGH IJ ", 15, c) == 0 && strcmp(c, "ABCDE-FGHIJ") == 0);
  CHECK(pa_totp_parse_recovery("0I8AA-22222", 11, c) == 0 && strcmp(c, "OIBAA-22222") == 0);
  CHECK(pa_totp_parse_recovery("ABCDE-FGHI", 10, c) == -1);
  CHECK(pa_totp_parse_recovery("ABCDE-FGHIJK", 12, c) == -1);
  CHECK(pa_totp_parse_recovery("ABCDE-FGH9J", 11, c) == -1);
  char long_one[PA_TOTP_RECOVERY_INPUT_MAX + 2];
  memset(long_one, ' ', sizeof long_one);
  memcpy(long_one, "ABCDEFGHIJ", 10);
  CHECK(pa_totp_parse_recovery(long_one, PA_TOTP_RECOVERY_INPUT_MAX, c) == 0);
  CHECK(pa_totp_parse_recovery(long_one, PA_TOTP_RECOVERY_INPUT_MAX + 1, c) == -1);
  for (int i = 0; i < 50; i++) {
    char fresh[PA_TOTP_RECOVERY_TEXT];
    pa_totp_new_recovery(fresh);
    CHECK(strlen(fresh) == 11 && fresh[5] == '-');
    CHECK(pa_totp_parse_recovery(fresh, 11, c) == 0 && strcmp(c, fresh) == 0);
  }
}

static void devices(void) {
  static const struct {
    const char *ua, *browser, *os;
  } v[] = {
      {"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox",
       "Linux"},
      {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/126.0 Safari/537.36 Edg/126.0",
       "Edge", "Windows"},
      {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
       "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
       "Safari", "iOS"},
      {"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
       "Mobile Safari/537.36",
       "Chrome", "Android"},
      {"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 "
       "Safari/605.1.15",
       "Safari", "macOS"},
      {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0 Safari/537.36",
       "Chrome", "Linux"},
      {"curl/8.0", "", ""},
      {"<script>alert(1)</script>", "", ""},
  };
  pa_device d;
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    pa_device_parse(v[i].ua, strlen(v[i].ua), &d);
    CHECK(strcmp(d.browser, v[i].browser) == 0 && strcmp(d.os, v[i].os) == 0);
  }
  pa_device_parse(NULL, 0, &d);
  CHECK(!*d.browser && !*d.os);
  /* Only the first PA_DEVICE_UA_MAX bytes are looked at. */
  char big[PA_DEVICE_UA_MAX + 16];
  memset(big, 'x', sizeof big);
  memcpy(big + PA_DEVICE_UA_MAX - 8, "Firefox/", 8);
  pa_device_parse(big, sizeof big, &d);
  CHECK(strcmp(d.browser, "Firefox") == 0);
  memcpy(big + PA_DEVICE_UA_MAX - 7, "Firefox/", 8);
  memset(big + PA_DEVICE_UA_MAX - 8, 'x', 1);
  pa_device_parse(big, sizeof big, &d);
  CHECK(!*d.browser);
  char a[PA_DEVICE_ADDR_TEXT];
  pa_device_coarse_addr("203.0.113.77", a);
  CHECK(strcmp(a, "203.0.113.0/24") == 0);
  pa_device_coarse_addr("::ffff:198.51.100.9", a);
  CHECK(strcmp(a, "198.51.100.0/24") == 0);
  pa_device_coarse_addr("2001:db8:1234:5678::1", a);
  CHECK(strcmp(a, "2001:db8:1234::/48") == 0);
  pa_device_coarse_addr("not an address", a);
  CHECK(!*a);
  pa_device_coarse_addr(NULL, a);
  CHECK(!*a);
}

static void sealing_and_challenges(void) {
  char err[80];
  uint8_t secret[PA_TOTP_SECRET_BYTES], out[PA_TWOSTEP_SEALED_MAX], back[PA_TOTP_SECRET_BYTES];
  size_t n = 0;
  int sealed = -1;
  int64_t user = 0, last = 0;
  char ch[PA_TWOSTEP_CHALLENGE_TEXT];
  randombytes_buf(secret, sizeof secret);
  setenv("PA_SECRETS_KEY", "zz", 1);
  CHECK(pa_twostep_init(err, sizeof err) == -1);
  setenv("PA_SECRETS_KEY", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 1);
  CHECK(pa_twostep_init(err, sizeof err) == 0 && pa_twostep_sealing());
  CHECK(pa_twostep_seal(7, secret, out, &n, &sealed) == 0 && sealed == 1 && n == 60);
  CHECK(pa_twostep_open(7, out, n, 1, back) == 0 && memcmp(back, secret, sizeof secret) == 0);
  CHECK(pa_twostep_open(8, out, n, 1, back) == -1); /* another account's row */
  out[30] ^= 1;
  CHECK(pa_twostep_open(7, out, n, 1, back) == -1);
  pa_twostep_challenge(42, 99, 1000, ch);
  CHECK(pa_twostep_challenge_read(ch, 1000, &user, &last) == 0 && user == 42 && last == 99);
  CHECK(pa_twostep_challenge_read(ch, 1000 + PA_TWOSTEP_CHALLENGE_SECONDS - 1, &user, &last) == 0);
  CHECK(pa_twostep_challenge_read(ch, 1000 + PA_TWOSTEP_CHALLENGE_SECONDS, &user, &last) == -2);
  ch[5] = ch[5] == 'A' ? 'B' : 'A';
  CHECK(pa_twostep_challenge_read(ch, 1000, &user, &last) == -1);
  CHECK(pa_twostep_challenge_read("", 1000, &user, &last) == -1);
  /* Providers' tokens: 1..PA_TWOSTEP_TOKEN_MAX bytes, one user's only, not
   * a TOTP secret's key; never kept without a key (below). */
  {
    uint8_t tok[PA_TWOSTEP_TOKEN_SEALED_MAX];
    char longest[PA_TWOSTEP_TOKEN_MAX + 2], got[PA_TWOSTEP_TOKEN_MAX + 1];
    size_t tn = 0;
    memset(longest, 'a', sizeof longest - 1);
    longest[PA_TWOSTEP_TOKEN_MAX] = 0; /* the last allowed length */
    CHECK(pa_twostep_seal_token(7, longest, tok, &tn) == 0 && tn == PA_TWOSTEP_TOKEN_SEALED_MAX);
    CHECK(pa_twostep_open_token(7, tok, tn, got) == 0 && strcmp(got, longest) == 0);
    longest[PA_TWOSTEP_TOKEN_MAX] = 'a';
    longest[PA_TWOSTEP_TOKEN_MAX + 1] = 0; /* the first refused */
    CHECK(pa_twostep_seal_token(7, longest, tok, &tn) == -1);
    CHECK(pa_twostep_seal_token(7, "", tok, &tn) == -1);
    CHECK(pa_twostep_seal_token(7, "APP_USR-1-x", tok, &tn) == 0);
    int clear = 0; /* the token's text nowhere in what is kept */
    for (size_t i = 0; i + 7 <= tn; i++) clear |= memcmp(tok + i, "APP_USR", 7) == 0;
    CHECK(!clear);
    CHECK(pa_twostep_open_token(8, tok, tn, got) == -1 && got[0] == 0);
    CHECK(pa_twostep_open(7, tok, tn, 1, back) == -1);
    tok[tn - 1] ^= 1;
    CHECK(pa_twostep_open_token(7, tok, tn, got) == -1);
    tok[tn - 1] ^= 1;
    CHECK(pa_twostep_open_token(7, tok, tn, got) == 0 && strcmp(got, "APP_USR-1-x") == 0);
    unsetenv("PA_SECRETS_KEY");
    CHECK(pa_twostep_init(err, sizeof err) == 0);
    CHECK(pa_twostep_seal_token(7, "APP_USR-1-x", tok, &tn) == -1);
    CHECK(pa_twostep_open_token(7, tok, tn, got) == -1);
  }
  unsetenv("PA_SECRETS_KEY");
  CHECK(pa_twostep_init(err, sizeof err) == 0 && !pa_twostep_sealing());
  CHECK(pa_twostep_seal(7, secret, out, &n, &sealed) == 0 && sealed == 0 && n == 20);
  CHECK(pa_twostep_open(7, out, n, 0, back) == 0 && memcmp(back, secret, 20) == 0);
  uint8_t h1[32], h2[32];
  pa_twostep_recovery_hash(1, "ABCDE-FGHIJ", h1);
  pa_twostep_recovery_hash(2, "ABCDE-FGHIJ", h2);
  CHECK(memcmp(h1, h2, 32) != 0);
}

static void tar_header(void) {
  unsigned char h[PA_TAR_BLOCK];
  char name[PA_TAR_NAME_MAX + 2];
  memset(name, 'a', sizeof name);
  name[PA_TAR_NAME_MAX] = '\0';
  CHECK(pa_tar_header(h, name, 5, 0) == 0);
  name[PA_TAR_NAME_MAX] = 'a';
  name[PA_TAR_NAME_MAX + 1] = '\0';
  CHECK(pa_tar_header(h, name, 5, 0) == -1);
  CHECK(pa_tar_header(h, "x", 077777777777LL, 0) == 0);
  CHECK(pa_tar_header(h, "x", 077777777777LL + 1, 0) == -1);
  CHECK(pa_tar_header(h, "x", -1, 0) == -1);
  CHECK(pa_tar_header(h, "x", 0, 1700000000) == 0 && memcmp(h + 257,
                                                            "ustar\0"
                                                            "00",
                                                            8) == 0);
}

/* Every cell of a size x size matrix is '0' or '1', and the three finder
 * patterns (7x7 dark rings) sit in their corners: the matrix is a QR code's. */
static int qr_shape_ok(const char *m, int size) {
  for (int i = 0; i < size * size; i++)
    if (m[i] != '0' && m[i] != '1') return 0;
  const int corner[3][2] = {{0, 0}, {size - 7, 0}, {0, size - 7}};
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 7; y++)
      for (int x = 0; x < 7; x++) {
        int ring = x == 0 || y == 0 || x == 6 || y == 6;
        int core = x >= 2 && x <= 4 && y >= 2 && y <= 4;
        char want = ring || core ? '1' : '0';
        if (m[(corner[c][1] + y) * size + corner[c][0] + x] != want) return 0;
      }
  return 1;
}

static void qr_matrix(void) {
  static char m[PA_QR_CELLS_MAX], text[PA_QR_TEXT_MAX + 2];
  const char *uri =
      "otpauth://totp/PetAmigos:ana%40example.org?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
      "&issuer=PetAmigos&algorithm=SHA1&digits=6&period=30";
  /* 133 bytes in 8-bit mode at level M: version 8 holds 152 (ISO/IEC 18004
   * table 7), version 7 only 122, so 17 + 4 * 8 = 49 modules a side. */
  CHECK(strlen(uri) == 133);
  CHECK(pa_qr_matrix(uri, strlen(uri), m, sizeof m) == 49);
  CHECK(qr_shape_ok(m, 49));
  /* The capacities at their edges: 106 bytes are version 6, 107 version 7. */
  memset(text, 'a', sizeof text);
  CHECK(pa_qr_matrix(text, 106, m, sizeof m) == 41);
  CHECK(pa_qr_matrix(text, 107, m, sizeof m) == 45);
  CHECK(pa_qr_matrix(text, 1, m, sizeof m) == PA_QR_SIZE_MIN);
  CHECK(qr_shape_ok(m, PA_QR_SIZE_MIN));
  /* The limit: PA_QR_TEXT_MAX bytes need exactly PA_QR_VERSION_MAX, one more is refused. */
  CHECK(pa_qr_matrix(text, PA_QR_TEXT_MAX, m, sizeof m) == PA_QR_SIZE_MAX);
  CHECK(qr_shape_ok(m, PA_QR_SIZE_MAX));
  CHECK(pa_qr_matrix(text, PA_QR_TEXT_MAX + 1, m, sizeof m) == -1);
  CHECK(pa_qr_matrix(text, 0, m, sizeof m) == -1);
  CHECK(pa_qr_matrix(NULL, 1, m, sizeof m) == -1);
  /* A buffer one cell short of the matrix is refused, the exact one is not. */
  CHECK(pa_qr_matrix(text, 1, m, 21 * 21 - 1) == -1);
  CHECK(pa_qr_matrix(text, 1, m, 21 * 21) == 21);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  RUN(hmac_rfc2202);
  RUN(hotp_rfc4226);
  RUN(totp_rfc6238);
  RUN(window_and_replay);
  RUN(base32);
  RUN(parse_codes);
  RUN(devices);
  RUN(sealing_and_challenges);
  RUN(qr_matrix);
  RUN(tar_header);
  return pa_test_summary("web.twostep");
}
