/* Known-answer tests through our wrappers (RFC 7748, RFC 8032, RFC 5869,
 * draft-irtf-cfrg-xchacha-03), low-order refusal, safety numbers, the vault
 * and attachments. Vectors are typed from the documents; each KAT_ line is
 * "name = hex". */
#include "pa/pa_crypto.h"
#include "pa_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- hex helpers */

static size_t unhex(const char *hex, uint8_t *out, size_t cap) {
  size_t n = 0;
  for (const char *p = hex; *p;) {
    if (*p == ' ') {
      p++;
      continue;
    }
    unsigned v;
    if (n == cap || sscanf(p, "%2x", &v) != 1) {
      fprintf(stderr, "bad test vector: %s\n", hex);
      abort();
    }
    out[n++] = (uint8_t)v;
    p += 2;
  }
  return n;
}

static int same_hex(const uint8_t *bytes, size_t len, const char *hex) {
  uint8_t want[512];
  size_t n = unhex(hex, want, sizeof want);
  return n == len && memcmp(bytes, want, n) == 0;
}

/* ---- RFC 7748 section 5.2 */

static const char *KAT_X1_SCALAR =
    "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4";
static const char *KAT_X1_U = "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c";
static const char *KAT_X1_OUT = "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552";
static const char *KAT_X2_SCALAR =
    "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d";
static const char *KAT_X2_U = "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493";
static const char *KAT_X2_OUT = "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957";
static const char *KAT_XITER_1 = "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079";
static const char *KAT_XITER_1000 =
    "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51";

static void test_x25519_rfc7748_5_2(void) {
  uint8_t k[32], u[32], out[32];
  pa_error e;
  unhex(KAT_X1_SCALAR, k, 32);
  unhex(KAT_X1_U, u, 32);
  CHECK(pa_crypto_x25519(out, k, u, &e) == PA_OK);
  CHECK(same_hex(out, 32, KAT_X1_OUT));
  unhex(KAT_X2_SCALAR, k, 32);
  unhex(KAT_X2_U, u, 32);
  CHECK(pa_crypto_x25519(out, k, u, &e) == PA_OK);
  CHECK(same_hex(out, 32, KAT_X2_OUT));

  /* k = u = 9; repeat: k, u = X25519(k, u), k */
  memset(k, 0, 32), memset(u, 0, 32);
  k[0] = u[0] = 9;
  for (int i = 1; i <= 1000; i++) {
    CHECK(pa_crypto_x25519(out, k, u, &e) == PA_OK);
    memcpy(u, k, 32);
    memcpy(k, out, 32);
    if (i == 1) CHECK(same_hex(k, 32, KAT_XITER_1));
  }
  CHECK(same_hex(k, 32, KAT_XITER_1000));
}

/* ---- RFC 7748 section 6.1 */

static const char *KAT_DH_ALICE_SK =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char *KAT_DH_ALICE_PK =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
static const char *KAT_DH_BOB_SK =
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
static const char *KAT_DH_BOB_PK =
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
static const char *KAT_DH_SHARED =
    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

static void test_x25519_rfc7748_6_1(void) {
  uint8_t a[32], b[32], apk[32], bpk[32], k1[32], k2[32];
  pa_error e;
  unhex(KAT_DH_ALICE_SK, a, 32);
  unhex(KAT_DH_BOB_SK, b, 32);
  pa_crypto_x25519_public(apk, a);
  pa_crypto_x25519_public(bpk, b);
  CHECK(same_hex(apk, 32, KAT_DH_ALICE_PK));
  CHECK(same_hex(bpk, 32, KAT_DH_BOB_PK));
  CHECK(pa_crypto_x25519(k1, a, bpk, &e) == PA_OK);
  CHECK(pa_crypto_x25519(k2, b, apk, &e) == PA_OK);
  CHECK(same_hex(k1, 32, KAT_DH_SHARED));
  CHECK(same_hex(k2, 32, KAT_DH_SHARED));
  CHECK(pa_crypto_x25519_valid(apk) && pa_crypto_x25519_valid(bpk));
}

/* Points of order 1, 2, 4 and 8 and their non-canonical encodings. */
static const char *const LOW_ORDER[] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};

static void test_x25519_low_order_refused(void) {
  uint8_t sk[32], pk[32], out[32];
  pa_crypto_random(sk, sizeof sk);
  for (size_t i = 0; i < sizeof LOW_ORDER / sizeof LOW_ORDER[0]; i++) {
    pa_error e;
    unhex(LOW_ORDER[i], pk, 32);
    memset(out, 0xAA, sizeof out);
    CHECK(pa_crypto_x25519(out, sk, pk, &e) == PA_ERR_SCHEMA);
    CHECK_CONTAINS(e.msg, "low order");
    CHECK(!pa_crypto_x25519_valid(pk));
    uint8_t zeros[32] = {0};
    CHECK(memcmp(out, zeros, 32) == 0);
  }
}

/* ---- RFC 8032 section 7.1 */

static const struct {
  const char *seed, *pk, *msg, *sig;
} ED25519[] = {
    {/* TEST 1 */
     "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "46bd25bf5f0595bbe24655141438e7a100b"},
    {/* TEST 2 */
     "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {/* TEST 3 */
     "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc"
     "6594a7c15e9716ed28dc027beceea1ec40a"},
};

static void test_ed25519_rfc8032(void) {
  for (size_t i = 0; i < sizeof ED25519 / sizeof ED25519[0]; i++) {
    uint8_t seed[32], pk[32], sk[64], msg[8], sig[64];
    unhex(ED25519[i].seed, seed, 32);
    size_t mlen = unhex(ED25519[i].msg, msg, sizeof msg);
    pa_crypto_ed25519_from_seed(pk, sk, seed);
    CHECK(same_hex(pk, 32, ED25519[i].pk));
    pa_crypto_ed25519_sign(sig, msg, mlen, sk);
    CHECK(same_hex(sig, 64, ED25519[i].sig));
    CHECK(pa_crypto_ed25519_verify(sig, msg, mlen, pk));
    sig[i * 7] ^= 0x01;
    CHECK(!pa_crypto_ed25519_verify(sig, msg, mlen, pk));
    pa_crypto_wipe(sk, sizeof sk);
  }
}

/* ---- RFC 5869 appendix A.1 to A.3 (SHA-256) */

static const char *KAT_HKDF1_IKM = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";
static const char *KAT_HKDF1_SALT = "000102030405060708090a0b0c";
static const char *KAT_HKDF1_INFO = "f0f1f2f3f4f5f6f7f8f9";
static const char *KAT_HKDF1_PRK =
    "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5";
static const char *KAT_HKDF1_OKM =
    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865";
static const char *KAT_HKDF2_PRK =
    "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244";
static const char *KAT_HKDF2_OKM =
    "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e"
    "09"
    "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87";
static const char *KAT_HKDF3_PRK =
    "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04";
static const char *KAT_HKDF3_OKM =
    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8";

static void test_hkdf_rfc5869(void) {
  uint8_t ikm[80], salt[80], info[80], prk[32], okm[82];
  pa_error e;
  /* A.1 */
  size_t ikm_len = unhex(KAT_HKDF1_IKM, ikm, sizeof ikm);
  size_t salt_len = unhex(KAT_HKDF1_SALT, salt, sizeof salt);
  size_t info_len = unhex(KAT_HKDF1_INFO, info, sizeof info);
  pa_kdf_hkdf_extract(prk, salt, salt_len, ikm, ikm_len);
  CHECK(same_hex(prk, 32, KAT_HKDF1_PRK));
  CHECK(pa_kdf_hkdf_expand(okm, 42, prk, info, info_len, &e) == PA_OK);
  CHECK(same_hex(okm, 42, KAT_HKDF1_OKM));
  CHECK(pa_kdf_hkdf(okm, 42, salt, salt_len, ikm, ikm_len, info, info_len, &e) == PA_OK);
  CHECK(same_hex(okm, 42, KAT_HKDF1_OKM));
  /* A.2: IKM 0x00..0x4f, salt 0x60..0xaf, info 0xb0..0xff */
  for (int i = 0; i < 80; i++)
    ikm[i] = (uint8_t)i, salt[i] = (uint8_t)(0x60 + i), info[i] = (uint8_t)(0xb0 + i);
  pa_kdf_hkdf_extract(prk, salt, 80, ikm, 80);
  CHECK(same_hex(prk, 32, KAT_HKDF2_PRK));
  CHECK(pa_kdf_hkdf_expand(okm, 82, prk, info, 80, &e) == PA_OK);
  CHECK(same_hex(okm, 82, KAT_HKDF2_OKM));
  /* A.3: empty salt and info */
  ikm_len = unhex(KAT_HKDF1_IKM, ikm, sizeof ikm);
  pa_kdf_hkdf_extract(prk, NULL, 0, ikm, ikm_len);
  CHECK(same_hex(prk, 32, KAT_HKDF3_PRK));
  CHECK(pa_kdf_hkdf_expand(okm, 42, prk, NULL, 0, &e) == PA_OK);
  CHECK(same_hex(okm, 42, KAT_HKDF3_OKM));
  /* The limit: 255 blocks. */
  CHECK(pa_kdf_hkdf_expand(okm, PA_KDF_MAX_OUTPUT + 1, prk, NULL, 0, &e) == PA_ERR_ARG);
}

/* ---- draft-irtf-cfrg-xchacha-03 appendix A.3.1 */

static const char *KAT_XC_PLAIN =
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
    "sunscreen would be it.";
static const char *KAT_XC_AAD = "50515253c0c1c2c3c4c5c6c7";
static const char *KAT_XC_KEY = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
static const char *KAT_XC_IV = "404142434445464748494a4b4c4d4e4f5051525354555657";
static const char *KAT_XC_CT = "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
                               "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
                               "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
                               "21f9664c97637da9768812f615c68b13b52e";
static const char *KAT_XC_TAG = "c0875924c1c7987947deafd8780acf49";

static void test_xchacha_draft_a31(void) {
  uint8_t aad[12], key[32], iv[24], sealed[114 + 16], back[114];
  pa_error e;
  size_t plen = strlen(KAT_XC_PLAIN);
  CHECK(plen == 114);
  unhex(KAT_XC_AAD, aad, sizeof aad);
  unhex(KAT_XC_KEY, key, sizeof key);
  unhex(KAT_XC_IV, iv, sizeof iv);
  pa_crypto_aead_seal(sealed, (const uint8_t *)KAT_XC_PLAIN, plen, aad, sizeof aad, iv, key);
  CHECK(same_hex(sealed, 114, KAT_XC_CT));
  CHECK(same_hex(sealed + 114, 16, KAT_XC_TAG));
  CHECK(pa_crypto_aead_open(back, sealed, sizeof sealed, aad, sizeof aad, iv, key, &e) == PA_OK);
  CHECK(memcmp(back, KAT_XC_PLAIN, 114) == 0);
  sealed[114 + 15] ^= 0x80;
  CHECK(pa_crypto_aead_open(back, sealed, sizeof sealed, aad, sizeof aad, iv, key, &e) ==
        PA_ERR_SYNTAX);
  sealed[114 + 15] ^= 0x80;
  aad[0] ^= 1;
  CHECK(pa_crypto_aead_open(back, sealed, sizeof sealed, aad, sizeof aad, iv, key, &e) ==
        PA_ERR_SYNTAX);
}

/* ---- safety numbers: libsignal's fingerprint test (version 1 display, 5200 iterations) */

static const char *KAT_FP_ALICE =
    "0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868";
static const char *KAT_FP_BOB =
    "05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b";
static const char *KAT_FP_DISPLAY = "300354477692869396892869876765458257569162576843440918079131";

static void test_safety_libsignal_kat(void) {
  uint8_t a[33], b[33];
  char n1[61], n2[61];
  pa_error e;
  unhex(KAT_FP_ALICE, a, sizeof a);
  unhex(KAT_FP_BOB, b, sizeof b);
  CHECK(pa_safety_number(a, 33, (const uint8_t *)"+14152222222", 12, b, 33,
                         (const uint8_t *)"+14153333333", 12, n1, &e) == PA_OK);
  CHECK(pa_safety_number(b, 33, (const uint8_t *)"+14153333333", 12, a, 33,
                         (const uint8_t *)"+14152222222", 12, n2, &e) == PA_OK);
  CHECK(strcmp(n1, KAT_FP_DISPLAY) == 0);
  CHECK(strcmp(n2, KAT_FP_DISPLAY) == 0);
}

static void test_safety_number(void) {
  uint8_t ka[33], kb[33];
  char ab[61], ba[61], fmt[72], half[31];
  pa_error e;
  pa_crypto_random(ka, sizeof ka);
  pa_crypto_random(kb, sizeof kb);
  const uint8_t *ida = (const uint8_t *)"user_alice", *idb = (const uint8_t *)"user_bob";
  CHECK(pa_safety_number(ka, 33, ida, 10, kb, 33, idb, 8, ab, &e) == PA_OK);
  CHECK(pa_safety_number(kb, 33, idb, 8, ka, 33, ida, 10, ba, &e) == PA_OK);
  CHECK(strlen(ab) == 60 && strcmp(ab, ba) == 0); /* both sides see the same digits */
  for (int i = 0; i < 60; i++) CHECK(ab[i] >= '0' && ab[i] <= '9');
  CHECK(pa_safety_fingerprint(ka, 33, ida, 10, half, &e) == PA_OK);
  CHECK(strstr(ab, half) != NULL);
  pa_safety_format(ab, fmt);
  CHECK(strlen(fmt) == PA_SAFETY_FORMATTED && fmt[5] == ' ' && fmt[65] == ' ');
  /* Another key for the same id changes the number. */
  kb[7] ^= 1;
  CHECK(pa_safety_number(ka, 33, ida, 10, kb, 33, idb, 8, ba, &e) == PA_OK);
  CHECK(strcmp(ab, ba) != 0);
  CHECK(pa_safety_fingerprint(ka, 0, ida, 10, half, &e) == PA_ERR_ARG);
}

/* ---- vault */

static void test_vault(void) {
  uint8_t key[32], other[32], plain[100], blob[100 + PA_VAULT_OVERHEAD], back[100];
  size_t n, m;
  uint64_t gen;
  pa_error e;
  pa_crypto_random(key, 32);
  pa_crypto_random(other, 32);
  pa_crypto_random(plain, sizeof plain);
  CHECK(pa_vault_seal(key, PA_VAULT_SESSION, 7, plain, sizeof plain, blob, sizeof blob, &n, &e) ==
        PA_OK);
  CHECK(n == sizeof blob && memcmp(blob, "PAV\x01\x02", 5) == 0);
  CHECK(pa_vault_open(key, PA_VAULT_SESSION, 7, blob, n, back, sizeof back, &m, &gen, &e) == PA_OK);
  CHECK(m == sizeof plain && memcmp(back, plain, m) == 0 && gen == 7);
  /* Every single-byte change is refused. */
  int refused = 0;
  for (size_t i = 0; i < n; i++) {
    blob[i] ^= 0x20;
    refused +=
        pa_vault_open(key, PA_VAULT_SESSION, 0, blob, n, back, sizeof back, &m, NULL, &e) != PA_OK;
    blob[i] ^= 0x20;
  }
  CHECK(refused == (int)n);
  CHECK(pa_vault_open(other, PA_VAULT_SESSION, 0, blob, n, back, sizeof back, &m, NULL, &e) ==
        PA_ERR_SYNTAX);
  CHECK(pa_vault_open(key, PA_VAULT_IDENTITY, 0, blob, n, back, sizeof back, &m, NULL, &e) ==
        PA_ERR_SCHEMA);
  CHECK(pa_vault_open(key, PA_VAULT_SESSION, 8, blob, n, back, sizeof back, &m, NULL, &e) ==
        PA_ERR_SCHEMA);
  CHECK_CONTAINS(e.msg, "rolled back");
  CHECK(pa_vault_open(key, PA_VAULT_SESSION, 0, blob, n - 1, back, sizeof back, &m, NULL, &e) ==
        PA_ERR_SYNTAX);
  CHECK(pa_vault_open(key, PA_VAULT_SESSION, 0, blob, 20, back, sizeof back, &m, NULL, &e) ==
        PA_ERR_TRUNCATED);
  blob[3] = 0; /* an old format version */
  CHECK(pa_vault_open(key, PA_VAULT_SESSION, 0, blob, n, back, sizeof back, &m, NULL, &e) ==
        PA_ERR_UNSUPPORTED);
  blob[3] = 2; /* and a future one */
  CHECK(pa_vault_open(key, PA_VAULT_SESSION, 0, blob, n, back, sizeof back, &m, NULL, &e) ==
        PA_ERR_UNSUPPORTED);
}

/* ---- attachments */

static void test_attachments(void) {
  static const size_t sizes[] = {
      0, 1, PA_ATTACH_CHUNK - 1, PA_ATTACH_CHUNK, PA_ATTACH_CHUNK + 1, 3 * PA_ATTACH_CHUNK + 5};
  pa_error e;
  for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
    size_t len = sizes[t], cap = pa_attach_sealed_size(len), n, m;
    uint8_t *plain = malloc(len + 1), *sealed = malloc(cap), *back = malloc(cap), key[56];
    for (size_t i = 0; i < len; i++) plain[i] = (uint8_t)(i * 31 + t);
    CHECK(pa_attach_encrypt(plain, len, key, sealed, cap, &n, &e) == PA_OK);
    CHECK(n == cap);
    CHECK(pa_attach_decrypt(key, sealed, n, back, cap, &m, &e) == PA_OK);
    CHECK(m == len && memcmp(back, plain, len) == 0);
    /* Truncation: every cut, including whole chunks dropped at a boundary. */
    size_t cuts[] = {0, 1, n / 2, n - 1,
                     n > PA_ATTACH_CHUNK + 17 ? (size_t)PA_ATTACH_CHUNK + 17 : 1};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++)
      CHECK(pa_attach_decrypt(key, sealed, cuts[c], back, cap, &m, &e) != PA_OK);
    if (n > PA_ATTACH_CHUNK + 17)
      CHECK(pa_attach_decrypt(key, sealed, PA_ATTACH_CHUNK + 17, back, cap, &m, &e) ==
            PA_ERR_TRUNCATED);
    /* Tampering anywhere. */
    for (size_t at = 0; at < n; at += n / 7 + 1) {
      sealed[at] ^= 4;
      CHECK(pa_attach_decrypt(key, sealed, n, back, cap, &m, &e) == PA_ERR_SYNTAX);
      sealed[at] ^= 4;
    }
    /* Wrong key or header. */
    key[40] ^= 1;
    CHECK(pa_attach_decrypt(key, sealed, n, back, cap, &m, &e) != PA_OK);
    key[40] ^= 1;
    /* Data after the final chunk. */
    uint8_t *longer = malloc(n + 20);
    memcpy(longer, sealed, n);
    memset(longer + n, 0, 20);
    CHECK(pa_attach_decrypt(key, longer, n + 20, back, cap + 20, &m, &e) == PA_ERR_SYNTAX);
    free(longer);
    free(plain), free(sealed), free(back);
  }
  /* Reordering: swap the first two chunks of a three-chunk stream. */
  size_t len = 2 * PA_ATTACH_CHUNK + 100, cap = pa_attach_sealed_size(len), n, m;
  const size_t sc = PA_ATTACH_CHUNK + PA_ATTACH_CHUNK_OVERHEAD;
  uint8_t *plain = calloc(1, len), *sealed = malloc(cap), *back = malloc(cap), *tmp = malloc(sc),
          key[56];
  CHECK(pa_attach_encrypt(plain, len, key, sealed, cap, &n, &e) == PA_OK);
  memcpy(tmp, sealed, sc);
  memcpy(sealed, sealed + sc, sc);
  memcpy(sealed + sc, tmp, sc);
  CHECK(pa_attach_decrypt(key, sealed, n, back, cap, &m, &e) == PA_ERR_SYNTAX);
  CHECK_CONTAINS(e.msg, "chunk 0");
  /* A stream cut after the second chunk lacks its FINAL tag. */
  memcpy(sealed + sc, sealed, sc);
  memcpy(sealed, tmp, sc);
  CHECK(pa_attach_decrypt(key, sealed, 2 * sc, back, cap, &m, &e) == PA_ERR_TRUNCATED);
  CHECK_CONTAINS(e.msg, "final");
  free(plain), free(sealed), free(back), free(tmp);
}

int main(void) {
  if (pa_crypto_init(NULL) != PA_OK) return 1;
  RUN(test_x25519_rfc7748_5_2);
  RUN(test_x25519_rfc7748_6_1);
  RUN(test_x25519_low_order_refused);
  RUN(test_ed25519_rfc8032);
  RUN(test_hkdf_rfc5869);
  RUN(test_xchacha_draft_a31);
  RUN(test_safety_libsignal_kat);
  RUN(test_safety_number);
  RUN(test_vault);
  RUN(test_attachments);
  return pa_test_summary("crypto");
}
