/* Test-only entry points of the chat module, for the known-answer test
 * core/tests/test_chat_vectors.c (vectors from scripts/chat-vectors.py).
 * Internal: not in include/pa/, not exported to WASM, never called by
 * product code. They expose only what the public API keeps random or
 * static (key generation, the ratchet KDFs). */
#ifndef PA_CHAT_TEST_H
#define PA_CHAT_TEST_H

#include "pa/pa_x3dh.h"

#include <stdint.h>

/* An identity from a fixed Ed25519 seed, with signed prekey spk_id whose
 * X25519 secret is spk_secret, and (if opk_id is not 0) one one-time prekey
 * opk_id with secret opk_secret. The caller frees *out with
 * pa_x3dh_identity_free. */
pa_status pa_x3dh_test_identity(const uint8_t seed[32], uint32_t spk_id,
                                const uint8_t spk_secret[32], uint32_t opk_id,
                                const uint8_t opk_secret[32], pa_x3dh_identity **out,
                                pa_error *err);

/* The ratchet's KDF_RK: rk is replaced by rk', ck receives the chain key. */
void pa_ratchet_test_kdf_rk(uint8_t rk[32], uint8_t ck[32], const uint8_t dh_out[32]);
/* The ratchet's KDF_CK: ck is replaced by ck', mk receives the message key. */
void pa_ratchet_test_kdf_ck(uint8_t ck[32], uint8_t mk[32]);

#endif
