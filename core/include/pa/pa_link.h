/* pa_link — linking a new device to a person's account identity (issue 22,
 * core/src/chat/chat.md "Linking a device"). The new device makes a request
 * (ephemeral X25519 key + its device identity key, MACed with a key derived
 * from an 80-bit secret S it shows as the link code), the server carries the
 * request and the response, and the existing device answers with the account
 * identity secret (AIK) and the new signed device list, encrypted under a key
 * from X25519 of the two ephemeral keys and S. The server never sees S, so it
 * can neither read the response nor forge a request the existing device
 * accepts.
 *
 * Every key is caller-owned; wipe secrets with pa_crypto_wipe when done. */
#ifndef PA_LINK_H
#define PA_LINK_H

#include "pa/pa_crypto.h"
#include "pa/pa_devlist.h"
#include "pa/pa_status.h"

#include <stddef.h>
#include <stdint.h>

enum {
  PA_LINK_VERSION = 1,
  PA_LINK_SECRET_BYTES = 10,  /* S: 80 bits */
  PA_LINK_SECRET_CHARS = 16,  /* S in Crockford base32 (5 bits a character) */
  PA_LINK_REQUEST_BYTES = 97, /* version | eph pub (32) | device IK (32) | HMAC (32) */
  PA_LINK_REQUEST_MACED = 65, /* the request's bytes the HMAC covers */
  PA_LINK_RESPONSE_HEAD = 57, /* version | eph pub (32) | nonce (24) */
  PA_LINK_AIK_SK_BYTES = 64,  /* Ed25519 secret key: seed (32) || public key (32) */
  PA_LINK_LIST_MAX_DEVICES = PA_DEVLIST_MAX, /* and the server's PA_CHAT_MAX_DEVICES */
  PA_LINK_LIST_FIXED = PA_DEVLIST_FIXED, /* list bytes besides the keys: 0x01, AIK, 2 u64, count */
  PA_LINK_LIST_MIN = PA_LINK_LIST_FIXED + 32 + 64,
  PA_LINK_LIST_MAX = PA_LINK_LIST_FIXED + 32 * PA_LINK_LIST_MAX_DEVICES + 64,
  PA_LINK_RESPONSE_MIN = PA_LINK_RESPONSE_HEAD + PA_LINK_AIK_SK_BYTES + PA_LINK_LIST_MIN + 16,
  PA_LINK_RESPONSE_MAX = PA_LINK_RESPONSE_HEAD + PA_LINK_AIK_SK_BYTES + PA_LINK_LIST_MAX + 16,
  PA_LINK_ID_MAX = 22,   /* "lk_" and up to 19 decimal digits (an int64 row id) */
  PA_LINK_CODE_MAX = 42, /* "lk_N ABCD-EFGH-JKMN-PQRS" at its longest, without the NUL */
  PA_LINK_ACCOUNT_MAX = PA_DEVLIST_MAX_ACCOUNT /* bytes of an account id ("u_N") */
};

/* The new device: a fresh secret S and ephemeral key pair, and the request
 * naming device_ik (its Ed25519 device identity key). Keep eph_sk and S until
 * pa_link_response_open, then wipe them. */
pa_status pa_link_request_build(const uint8_t device_ik[32], uint8_t secret[PA_LINK_SECRET_BYTES],
                                uint8_t eph_sk[32], uint8_t out[PA_LINK_REQUEST_BYTES],
                                pa_error *err);

/* The existing device: checks a request's length, version, keys and MAC with
 * S, and gives its ephemeral key and device IK. PA_ERR_SYNTAX with fault
 * PA_FAULT_FORGED when the MAC does not verify (a wrong code or a request the
 * server made up), PA_FAULT_MALFORMED when the shape is wrong, PA_FAULT_BAD_KEY
 * for a low-order ephemeral key or an invalid identity key. */
pa_status pa_link_request_parse(const uint8_t *req, size_t len,
                                const uint8_t secret[PA_LINK_SECRET_BYTES], uint8_t eph_pk[32],
                                uint8_t device_ik[32], pa_crypto_fault *fault, pa_error *err);

/* The existing device: checks the request (as pa_link_request_parse) and
 * seals the AIK secret and the new device list (list_len bytes, the signed
 * list that already names the request's device) into out, which holds
 * pa_link_response_size(list_len) bytes. The list is checked for shape only:
 * the caller signed it. */
size_t pa_link_response_size(size_t list_len);
pa_status pa_link_response_seal(const uint8_t *req, size_t req_len,
                                const uint8_t secret[PA_LINK_SECRET_BYTES],
                                const uint8_t aik_sk[PA_LINK_AIK_SK_BYTES], const uint8_t *list,
                                size_t list_len, uint8_t *out, size_t cap, size_t *out_len,
                                pa_crypto_fault *fault, pa_error *err);

/* The new device: opens a response to its own request (req, with S and
 * eph_sk), and checks what it got: the AIK secret is a consistent Ed25519
 * key pair, the list is well formed, is the AIK's, names the request's device
 * IK and carries the AIK's valid signature for account (its "u_N" id). The
 * AIK secret goes to aik_sk (zeroed on any failure) and the list to list
 * (list_cap >= PA_LINK_LIST_MAX is always enough). PA_ERR_SYNTAX with
 * PA_FAULT_FORGED when the response does not open or its signature fails,
 * PA_FAULT_MALFORMED for any other shape problem. */
pa_status pa_link_response_open(const uint8_t *resp, size_t len, const uint8_t *req, size_t req_len,
                                const uint8_t secret[PA_LINK_SECRET_BYTES],
                                const uint8_t eph_sk[32], const char *account,
                                uint8_t aik_sk[PA_LINK_AIK_SK_BYTES], uint8_t *list,
                                size_t list_cap, size_t *list_len, pa_crypto_fault *fault,
                                pa_error *err);

/* The link code the new device shows: "lk_N ABCD-EFGH-JKMN-PQRS" (the link's
 * id, a space, S in upper-case Crockford base32 in four groups of four).
 * out holds PA_LINK_CODE_MAX + 1 bytes; id must be "lk_" and 1..19 digits
 * without a leading zero. */
pa_status pa_link_code_format(const char *id, const uint8_t secret[PA_LINK_SECRET_BYTES],
                              char out[PA_LINK_CODE_MAX + 1], pa_error *err);

/* Reads a typed link code: letters may be of either case, and spaces and
 * dashes are ignored around the id and anywhere in S; otherwise it is
 * strict: "lk_" and 1..19 digits without a leading zero, at least one space
 * or dash, then exactly 16 characters of Crockford's alphabet (0-9 A-Z
 * without I L O U; its aliases are refused, not guessed). At most
 * PA_LINK_CODE_MAX * 2 bytes of text are read (PA_ERR_TOO_LARGE beyond). */
pa_status pa_link_code_parse(const char *text, size_t len, char id[PA_LINK_ID_MAX + 1],
                             uint8_t secret[PA_LINK_SECRET_BYTES], pa_error *err);

#endif
