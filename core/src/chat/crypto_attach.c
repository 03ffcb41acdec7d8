/* Attachments: image bytes in 64 KiB secretstream chunks, the last one
 * tagged FINAL, so a cut, reordered or altered stream cannot pass. The key
 * and stream header travel inside a ratchet message; the ciphertext goes to
 * the media store. */
#include "pa/pa_crypto.h"

#include <sodium.h>
#include <string.h>

enum { SEALED_CHUNK = PA_ATTACH_CHUNK + PA_ATTACH_CHUNK_OVERHEAD };

_Static_assert(crypto_secretstream_xchacha20poly1305_ABYTES == PA_ATTACH_CHUNK_OVERHEAD,
               "chunk overhead");
_Static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES +
                       crypto_secretstream_xchacha20poly1305_HEADERBYTES ==
                   PA_ATTACH_KEY_BYTES,
               "attachment key layout");

static size_t chunk_count(size_t len) {
  return len == 0 ? 1 : (len + PA_ATTACH_CHUNK - 1) / PA_ATTACH_CHUNK;
}

size_t pa_attach_sealed_size(size_t len) {
  return len + chunk_count(len) * PA_ATTACH_CHUNK_OVERHEAD;
}

pa_status pa_attach_encrypt(const uint8_t *plain, size_t len, uint8_t key_out[56], uint8_t *out,
                            size_t cap, size_t *out_len, pa_error *err) {
  if (!key_out || !out || !out_len || (!plain && len))
    return pa_error_set(err, PA_ERR_ARG, "attachment: missing input or output");
  if (len > PA_ATTACH_MAX_BYTES)
    return pa_error_set(err, PA_ERR_TOO_LARGE, "attachment: %zu bytes is over the %d byte limit",
                        len, PA_ATTACH_MAX_BYTES);
  if (cap < pa_attach_sealed_size(len))
    return pa_error_set(err, PA_ERR_ARG, "attachment: output needs %zu bytes",
                        pa_attach_sealed_size(len));
  uint8_t *key = key_out, *header = key_out + crypto_secretstream_xchacha20poly1305_KEYBYTES;
  crypto_secretstream_xchacha20poly1305_state st;
  pa_crypto_random(key, crypto_secretstream_xchacha20poly1305_KEYBYTES);
  crypto_secretstream_xchacha20poly1305_init_push(&st, header, key);
  size_t n = chunk_count(len), in = 0, o = 0;
  for (size_t i = 0; i < n; i++) {
    size_t clen = len - in < PA_ATTACH_CHUNK ? len - in : PA_ATTACH_CHUNK;
    uint8_t tag = i + 1 == n ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                             : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    crypto_secretstream_xchacha20poly1305_push(&st, out + o, NULL, plain ? plain + in : NULL, clen,
                                               NULL, 0, tag);
    in += clen;
    o += clen + PA_ATTACH_CHUNK_OVERHEAD;
  }
  sodium_memzero(&st, sizeof st);
  *out_len = o;
  return PA_OK;
}

pa_status pa_attach_decrypt(const uint8_t key[56], const uint8_t *sealed, size_t len, uint8_t *out,
                            size_t cap, size_t *out_len, pa_error *err) {
  if (!key || !out_len || (!sealed && len) || (!out && cap))
    return pa_error_set(err, PA_ERR_ARG, "attachment: missing input or output");
  if (len > pa_attach_sealed_size(PA_ATTACH_MAX_BYTES))
    return pa_error_set(err, PA_ERR_TOO_LARGE, "attachment: %zu bytes is over the limit", len);
  crypto_secretstream_xchacha20poly1305_state st;
  if (crypto_secretstream_xchacha20poly1305_init_pull(
          &st, key + crypto_secretstream_xchacha20poly1305_KEYBYTES, key) != 0)
    return pa_error_set(err, PA_ERR_SYNTAX, "attachment: invalid stream header");
  size_t in = 0, o = 0, chunk = 0;
  bool final = false;
  pa_status st_code = PA_OK;
  while (in < len) {
    size_t clen = len - in < SEALED_CHUNK ? len - in : SEALED_CHUNK;
    if (final) {
      st_code = pa_error_set(err, PA_ERR_SYNTAX, "attachment: data after the final chunk");
      break;
    }
    if (clen < PA_ATTACH_CHUNK_OVERHEAD) {
      st_code = pa_error_set(err, PA_ERR_TRUNCATED, "attachment: chunk %zu is cut short", chunk);
      break;
    }
    if (cap - o < clen - PA_ATTACH_CHUNK_OVERHEAD) {
      st_code = pa_error_set(err, PA_ERR_ARG, "attachment: output too small");
      break;
    }
    unsigned long long mlen;
    uint8_t tag;
    if (crypto_secretstream_xchacha20poly1305_pull(&st, out + o, &mlen, &tag, sealed + in, clen,
                                                   NULL, 0) != 0) {
      st_code = pa_error_set(
          err, PA_ERR_SYNTAX,
          "attachment: chunk %zu failed to authenticate (tampered, reordered or cut)", chunk);
      break;
    }
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      final = true;
    } else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
      st_code = pa_error_set(err, PA_ERR_SYNTAX, "attachment: chunk %zu has tag %u", chunk, tag);
      break;
    }
    in += clen;
    o += (size_t)mlen;
    chunk++;
  }
  if (st_code == PA_OK && !final)
    st_code =
        pa_error_set(err, PA_ERR_TRUNCATED, "attachment: stream ends without its final chunk");
  sodium_memzero(&st, sizeof st);
  if (st_code != PA_OK) {
    if (o) sodium_memzero(out, o); /* never hand out part of a refused image */
    return st_code;
  }
  *out_len = o;
  return PA_OK;
}
