/* libFuzzer target: signed device lists (pa_devlist_verify) and saved
 * account keys (pa_devlist_aik_load / _import) over arbitrary bytes.
 *
 * Input: byte 0 picks what (0 a list for "u_1", 1 a list for "u_2", 2 a saved
 * AIK, 3 a 64-byte AIK secret); the rest is the bytes. Properties: a list
 * that verifies re-encodes to exactly the bytes it was read from (the
 * canonical encoding), has 1..PA_DEVLIST_MAX unique devices, and verifies
 * for no other account; an AIK that loads signs a list that verifies. The
 * seeds (tests/corpus/devlist/) are real lists signed for "u_1", so the
 * fuzzer starts past the signature. */
#include "pa/pa_devlist.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 2 * PA_DEVLIST_MAX_BYTES) return 0;
  pa_error err;
  const uint8_t *b = data + 1;
  size_t n = size - 1;
  switch (data[0] % 4) {
  case 0:
  case 1: {
    const char *acct = data[0] % 4 ? "u_2" : "u_1";
    pa_devlist l;
    if (pa_devlist_verify(b, n, acct, &l, &err) != PA_OK) {
      if (!err.msg[0]) abort(); /* a refusal always says why */
      return 0;
    }
    uint8_t body[PA_DEVLIST_MAX_BYTES];
    size_t blen = pa_devlist_encode_body(&l, body);
    if (l.count < 1 || l.count > PA_DEVLIST_MAX) abort();
    if (blen + 64 != n || memcmp(body, b, blen)) abort();
    for (int i = 0; i < l.count; i++)
      for (int j = 0; j < i; j++)
        if (!memcmp(l.devices[i], l.devices[j], 32)) abort();
    pa_devlist other;
    if (pa_devlist_verify(b, n, data[0] % 4 ? "u_1" : "u_2", &other, &err) == PA_OK) abort();
    return 0;
  }
  default: {
    pa_devlist_aik *a;
    pa_status st = data[0] % 4 == 2 ? pa_devlist_aik_load(b, n, &a, &err)
                                    : pa_devlist_aik_import(b, n, &a, &err);
    if (st != PA_OK) return 0;
    /* Any loaded key signs a list that verifies, naming it. */
    uint8_t dev[32], out[PA_DEVLIST_MAX_BYTES];
    memcpy(dev, pa_devlist_aik_key(a), 32); /* a valid point: the key itself */
    size_t len;
    pa_devlist l;
    if (pa_devlist_sign(a, "u_1", 1, 0, dev, 1, out, sizeof out, &len, &err) != PA_OK) abort();
    if (pa_devlist_verify(out, len, "u_1", &l, &err) != PA_OK) abort();
    if (memcmp(l.aik, pa_devlist_aik_key(a), 32)) abort();
    pa_devlist_aik_free(a);
    return 0;
  }
  }
}
