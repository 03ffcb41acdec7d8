/* pa_x3dh — device identities, prekeys, bundles and the X3DH key agreement
 * (Signal's X3DH spec, with HKDF-SHA256, F = 32 x 0xFF, zero salt).
 *
 * A device has one Ed25519 identity key; its X25519 form (the birational
 * map) is the IK used in DH1/DH2, so one 32-byte public key names a device in
 * bundles, safety numbers and AD. Bundles and saved identities are versioned
 * bytes, specified in core/src/chat/chat.md. */
#ifndef PA_X3DH_H
#define PA_X3DH_H

#include "pa/pa_crypto.h"
#include "pa/pa_status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_X3DH_VERSION = 1,
  PA_X3DH_START_VERSION = 0x03,    /* first byte of a start message; in SK's info too */
  PA_X3DH_MAX_OPKS = 200,          /* one-time prekeys a device holds */
  PA_X3DH_SPK_MAX_AGE = 7 * 86400, /* rotate the signed prekey after a week */
  PA_X3DH_ENCODED_KEY_BYTES = 33,  /* Encode(IK) = 0xED || Ed25519 public key */
  PA_X3DH_AD_BYTES = 66,           /* Encode(IK_A) || Encode(IK_B) */
  PA_X3DH_BUNDLE_FIXED = 143,      /* bundle bytes before the one-time prekeys */
  PA_X3DH_BUNDLE_OPK_BYTES = 36,   /* id (u32) + X25519 public key */
  PA_X3DH_BUNDLE_MAX = PA_X3DH_BUNDLE_FIXED + PA_X3DH_MAX_OPKS * PA_X3DH_BUNDLE_OPK_BYTES
};

typedef struct pa_x3dh_identity pa_x3dh_identity;

/* Creates a device identity with a signed prekey made at `now` (Unix seconds)
 * and opk_count (0..PA_X3DH_MAX_OPKS) one-time prekeys. The caller frees *out
 * with pa_x3dh_identity_free, which wipes it. */
pa_status pa_x3dh_identity_create(int64_t now, int opk_count, pa_x3dh_identity **out,
                                  pa_error *err);
void pa_x3dh_identity_free(pa_x3dh_identity *id);

/* The Ed25519 identity public key (32 bytes), owned by id. */
const uint8_t *pa_x3dh_identity_key(const pa_x3dh_identity *id);
/* Encode(IK) as used in AD and safety numbers: 0xED || key. */
void pa_x3dh_encode_key(const uint8_t key[32], uint8_t out[33]);

/* Saved form: versioned bytes holding secrets (seal them with pa_vault_seal
 * and wipe the buffer). pa_x3dh_identity_saved_size says how many. */
size_t pa_x3dh_identity_saved_size(const pa_x3dh_identity *id);
pa_status pa_x3dh_identity_save(const pa_x3dh_identity *id, uint8_t *out, size_t cap,
                                size_t *out_len, pa_error *err);
/* Rebuilds an identity from saved bytes, refusing any other version or an
 * inconsistent record. The caller frees *out with pa_x3dh_identity_free. */
pa_status pa_x3dh_identity_load(const uint8_t *bytes, size_t len, pa_x3dh_identity **out,
                                pa_error *err);

/* ---- prekey maintenance */

/* Whether the signed prekey is PA_X3DH_SPK_MAX_AGE old (or dated in the future). */
bool pa_x3dh_spk_due(const pa_x3dh_identity *id, int64_t now);
/* Makes a new signed prekey; the previous one still answers session starts
 * until the next rotation, for messages already in flight. */
pa_status pa_x3dh_spk_rotate(pa_x3dh_identity *id, int64_t now, pa_error *err);
uint32_t pa_x3dh_spk_id(const pa_x3dh_identity *id);

int pa_x3dh_opk_count(const pa_x3dh_identity *id);
/* Id the next generated one-time prekey will get; ids start at 1 and grow. */
uint32_t pa_x3dh_opk_next_id(const pa_x3dh_identity *id);
/* If fewer than `below` one-time prekeys remain, adds up to `batch` new ones
 * (never past PA_X3DH_MAX_OPKS); *added (may be NULL) says how many. Publish
 * them with pa_x3dh_bundle_export(id, first new id, ...). */
pa_status pa_x3dh_opk_replenish(pa_x3dh_identity *id, int below, int batch, int *added,
                                pa_error *err);
/* Deletes one-time prekey opk_id after a session used it. PA_ERR_SCHEMA if
 * it is not held (already consumed, or never issued). */
pa_status pa_x3dh_opk_consume(pa_x3dh_identity *id, uint32_t opk_id, pa_error *err);
bool pa_x3dh_opk_held(const pa_x3dh_identity *id, uint32_t opk_id);

/* ---- bundles: what the server stores and hands out */

/* The bundle to publish: identity, signed prekey, and the one-time prekeys
 * whose id is >= first_opk_id (pass the next id after the last upload to send
 * only new ones, UINT32_MAX for none). */
size_t pa_x3dh_bundle_size(const pa_x3dh_identity *id, uint32_t first_opk_id);
pa_status pa_x3dh_bundle_export(const pa_x3dh_identity *id, uint32_t first_opk_id, uint8_t *out,
                                size_t cap, size_t *out_len, pa_error *err);

/* A verified bundle as a session start needs it: the first one-time prekey only. */
typedef struct pa_x3dh_bundle {
  uint8_t identity[32]; /* Ed25519 */
  uint32_t spk_id;
  int64_t spk_created;
  uint8_t spk[32];
  uint8_t spk_sig[64];
  int opk_count;   /* in the bytes; 0 when the server ran out */
  uint32_t opk_id; /* first one-time prekey, when opk_count > 0 */
  uint8_t opk[32];
} pa_x3dh_bundle;

/* Parses and verifies bundle bytes: format, the identity key's validity, the
 * signature over the signed prekey, no low-order keys, unique nonzero ids.
 * Nothing in a bundle is used before this returns PA_OK. */
pa_status pa_x3dh_bundle_parse(const uint8_t *bytes, size_t len, pa_x3dh_bundle *out,
                               pa_error *err);
/* For the server: from a verified upload, the bundle to hand one requester,
 * holding only one-time prekey number `index` (or none when index < 0). */
pa_status pa_x3dh_bundle_select(const uint8_t *upload, size_t len, int index, uint8_t *out,
                                size_t cap, size_t *out_len, pa_error *err);

/* ---- the key agreement */

/* What the initiator's first message carries (besides the ratchet message). */
typedef struct pa_x3dh_initial {
  uint8_t identity[32];  /* IK_A, Ed25519 */
  uint8_t ephemeral[32]; /* EK_A, X25519 */
  uint32_t spk_id;
  uint32_t opk_id; /* 0: no one-time prekey was available */
} pa_x3dh_initial;

/* The agreement's result. Wipe it with pa_crypto_wipe after use. */
typedef struct pa_x3dh_shared {
  uint8_t sk[32];               /* SK */
  uint8_t ad[PA_X3DH_AD_BYTES]; /* Encode(IK_A) || Encode(IK_B) */
  uint8_t spk[32];              /* the responder's signed prekey: the first ratchet key */
  uint8_t spk_secret[32];       /* responder only: its private half; zeros for the initiator */
} pa_x3dh_shared;

/* Initiator: DH1..DH4 against a verified bundle with a fresh ephemeral key. */
pa_status pa_x3dh_initiate(const pa_x3dh_identity *self, const pa_x3dh_bundle *peer,
                           pa_x3dh_initial *initial, pa_x3dh_shared *shared, pa_error *err);
/* Responder: the same SK from an initial message. Does not consume the
 * one-time prekey (pa_x3dh_opk_consume, once the first message authenticates).
 * Refuses unknown prekeys (*why = PA_FAULT_PREKEY_GONE) and bad keys. why may be NULL. */
pa_status pa_x3dh_respond(const pa_x3dh_identity *self, const pa_x3dh_initial *initial,
                          pa_x3dh_shared *shared, pa_crypto_fault *why, pa_error *err);

#endif
