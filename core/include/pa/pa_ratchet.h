/* pa_ratchet — Double Ratchet sessions (Signal spec, revision 1) started
 * with X3DH. Root KDF: HKDF-SHA256; chain KDF: HMAC-SHA256(ck, 0x01 / 0x02);
 * messages: XChaCha20-Poly1305-IETF with a random nonce and AD || header as
 * associated data. Wire formats: core/src/chat/chat.md.
 *
 * Decryption is staged: it works on a copy and commits only after the tag
 * verifies, so a forged, tampered, replayed or garbage message leaves the
 * session exactly as it was (its saved bytes too). */
#ifndef PA_RATCHET_H
#define PA_RATCHET_H

#include "pa/pa_crypto.h"
#include "pa/pa_status.h"
#include "pa/pa_x3dh.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_RATCHET_VERSION = 1,
  PA_RATCHET_MAX_SKIPPED = 2000, /* stored message keys, oldest dropped first */
  PA_RATCHET_MAX_JUMP = 25000,   /* refuse a message further ahead in a chain */
  PA_RATCHET_MAX_CHAINS = 5,     /* receiving chains remembered (current + 4) */
  PA_RATCHET_MAX_PLAINTEXT = 256 * 1024,
  PA_RATCHET_HEADER_BYTES = 41, /* version, DH public key, PN, N */
  PA_RATCHET_OVERHEAD = 41 + 24 + 16,
  PA_RATCHET_PREKEY_BYTES = 73, /* kind, IK_A, EK_A, SPK id, OPK id */
  PA_RATCHET_MAX_MESSAGE = PA_RATCHET_PREKEY_BYTES + PA_RATCHET_OVERHEAD + PA_RATCHET_MAX_PLAINTEXT
};

typedef struct pa_ratchet pa_ratchet;

/* Starts a session as initiator from a peer's bundle bytes (verified here).
 * Messages carry the X3DH initial data until the peer's first reply decrypts.
 * The caller frees *out with pa_ratchet_free, which wipes it. */
pa_status pa_ratchet_initiate(const pa_x3dh_identity *self, const uint8_t *bundle, size_t len,
                              pa_ratchet **out, pa_error *err);

/* Starts a session as responder from a session-start message, decrypting it
 * into plain (cap bytes, *plain_len written). Only when it authenticates is
 * the one-time prekey consumed from self (save self afterwards) and *out set;
 * the caller frees it with pa_ratchet_free. A second start naming the same
 * one-time prekey fails with *why = PA_FAULT_PREKEY_GONE. why may be NULL. */
pa_status pa_ratchet_accept(pa_x3dh_identity *self, const uint8_t *msg, size_t len, uint8_t *plain,
                            size_t cap, size_t *plain_len, pa_ratchet **out, pa_crypto_fault *why,
                            pa_error *err);

/* Bytes pa_ratchet_encrypt writes for len plaintext bytes. */
size_t pa_ratchet_encrypted_size(const pa_ratchet *s, size_t len);
pa_status pa_ratchet_encrypt(pa_ratchet *s, const uint8_t *plain, size_t len, uint8_t *out,
                             size_t cap, size_t *out_len, pa_error *err);

/* Decrypts a message (a session-start one too, if it belongs to this session)
 * into plain; len - PA_RATCHET_OVERHEAD bytes always suffice. On failure the
 * session is unchanged and *why (may be NULL) says why. */
pa_status pa_ratchet_decrypt(pa_ratchet *s, const uint8_t *msg, size_t len, uint8_t *plain,
                             size_t cap, size_t *plain_len, pa_crypto_fault *why, pa_error *err);

/* What a message's cleartext says, for routing it to a session. */
typedef struct pa_ratchet_info {
  bool start;              /* a session-start message */
  uint8_t identity[32];    /* start only: the sender's identity key */
  uint8_t base_key[32];    /* start only: EK_A, which names the session */
  uint32_t spk_id, opk_id; /* start only */
  uint8_t ratchet_key[32]; /* the sender's current ratchet public key */
  uint32_t pn, n;
} pa_ratchet_info;
pa_status pa_ratchet_peek(const uint8_t *msg, size_t len, pa_ratchet_info *info, pa_error *err);
/* Whether a session-start message belongs to s (same base key and peer). */
bool pa_ratchet_owns(const pa_ratchet *s, const pa_ratchet_info *info);

/* The identity keys (Ed25519, 32 bytes) of both ends, owned by s. */
const uint8_t *pa_ratchet_own_identity(const pa_ratchet *s);
const uint8_t *pa_ratchet_peer_identity(const pa_ratchet *s);
/* Message keys held for messages not yet received. */
int pa_ratchet_skipped_count(const pa_ratchet *s);

/* Saved form: versioned bytes holding secrets (seal with pa_vault_seal and
 * wipe the buffer). Deterministic: equal sessions save equal bytes. */
size_t pa_ratchet_saved_size(const pa_ratchet *s);
pa_status pa_ratchet_save(const pa_ratchet *s, uint8_t *out, size_t cap, size_t *out_len,
                          pa_error *err);
/* Rebuilds a session from saved bytes, refusing other versions and
 * inconsistent records. The caller frees *out with pa_ratchet_free. */
pa_status pa_ratchet_load(const uint8_t *bytes, size_t len, pa_ratchet **out, pa_error *err);
void pa_ratchet_free(pa_ratchet *s);

#endif
