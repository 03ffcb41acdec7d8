/* pa_devlist — one identity per person: the account identity key (AIK,
 * Ed25519) that every linked device of an account holds, and the device list
 * it signs (which device identity keys speak for the account). Contacts pin
 * the AIK on first use and encrypt only to the devices of a list it signed;
 * safety numbers are computed over the two AIKs, so they name the person.
 * Format and rules: core/src/chat/chat.md, "Account identity and device list". */
#ifndef PA_DEVLIST_H
#define PA_DEVLIST_H

#include "pa/pa_crypto.h"
#include "pa/pa_status.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_DEVLIST_VERSION = 1,
  PA_DEVLIST_MAX = 5,           /* devices in a list: PA_CHAT_MAX_DEVICES on the server */
  PA_DEVLIST_FIXED = 50,        /* 0x01, AIK (32), version u64, created_at u64, count u8 */
  PA_DEVLIST_DEVICE_BYTES = 32, /* a device identity key (Ed25519 public key) */
  PA_DEVLIST_MAX_BYTES = PA_DEVLIST_FIXED + PA_DEVLIST_MAX * 32 + 64,
  PA_DEVLIST_MAX_ACCOUNT = 64, /* bytes of an account id ("u_N") */
  PA_DEVLIST_AIK_SAVED = 33,   /* saved AIK: version 0x01 || Ed25519 seed (32) */
  PA_DEVLIST_AIK_SECRET = 64   /* an AIK as libsodium's secret key: seed || public key */
};

/* A verified device list. */
typedef struct pa_devlist {
  uint8_t aik[32];
  uint64_t version;
  int64_t created_at; /* Unix seconds, as the signer wrote it */
  int count;          /* 1..PA_DEVLIST_MAX */
  uint8_t devices[PA_DEVLIST_MAX][32];
} pa_devlist;

typedef struct pa_devlist_aik pa_devlist_aik;

/* Creates a fresh account identity key. The caller frees *out with
 * pa_devlist_aik_free, which wipes it. */
pa_status pa_devlist_aik_create(pa_devlist_aik **out, pa_error *err);
void pa_devlist_aik_free(pa_devlist_aik *aik);
/* The AIK's Ed25519 public key (32 bytes), owned by aik. */
const uint8_t *pa_devlist_aik_key(const pa_devlist_aik *aik);

/* Saved form (PA_DEVLIST_AIK_SAVED bytes, a secret: seal it as vault kind
 * PA_VAULT_ACCOUNT, then wipe the buffer). */
void pa_devlist_aik_save(const pa_devlist_aik *aik, uint8_t out[PA_DEVLIST_AIK_SAVED]);
/* Rebuilds an AIK from saved bytes (exact length, version 1). The caller frees
 * *out with pa_devlist_aik_free. */
pa_status pa_devlist_aik_load(const uint8_t *bytes, size_t len, pa_devlist_aik **out,
                              pa_error *err);
/* The 64-byte secret (seed || public key) a linked device receives, and back:
 * import refuses a secret whose public half does not match its seed. The
 * caller frees *out with pa_devlist_aik_free. */
void pa_devlist_aik_secret(const pa_devlist_aik *aik, uint8_t out[PA_DEVLIST_AIK_SECRET]);
pa_status pa_devlist_aik_import(const uint8_t *secret, size_t len, pa_devlist_aik **out,
                                pa_error *err);

/* Bytes of a signed list of count devices. */
size_t pa_devlist_size(int count);

/* Signs a list of count (1..PA_DEVLIST_MAX) unique device identity keys
 * (count x 32 bytes) for account (the account id, 1..PA_DEVLIST_MAX_ACCOUNT
 * bytes of UTF-8) into out (pa_devlist_size(count) bytes). */
pa_status pa_devlist_sign(const pa_devlist_aik *aik, const char *account, uint64_t version,
                          int64_t created_at, const uint8_t *devices, int count, uint8_t *out,
                          size_t cap, size_t *out_len, pa_error *err);

/* Parses a signed list and verifies it for account: the exact length, the
 * format version, a count of 1..PA_DEVLIST_MAX, unique device keys that are
 * valid points, and the AIK's signature over the domain string, the account
 * id and the bytes. PA_ERR_SCHEMA for a bad signature or key, PA_ERR_SYNTAX /
 * PA_ERR_TRUNCATED / PA_ERR_UNSUPPORTED / PA_ERR_TOO_LARGE for the bytes. */
pa_status pa_devlist_verify(const uint8_t *bytes, size_t len, const char *account, pa_devlist *out,
                            pa_error *err);

/* The signed bytes of a parsed list without the signature (its canonical
 * encoding): PA_DEVLIST_FIXED + 32 * count bytes into out. Returns the length. */
size_t pa_devlist_encode_body(const pa_devlist *list, uint8_t out[PA_DEVLIST_MAX_BYTES]);

/* Whether key is one of the list's devices. */
bool pa_devlist_has(const pa_devlist *list, const uint8_t key[32]);

/* The safety number of two people: libsignal's fingerprint over Encode(AIK)
 * (0xED || key) with the account ids as stable ids, 60 digits. */
pa_status pa_devlist_safety(const uint8_t own_aik[32], const char *own_account,
                            const uint8_t peer_aik[32], const char *peer_account, char out[61],
                            pa_error *err);

#endif
