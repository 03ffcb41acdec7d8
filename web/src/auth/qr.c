/* pa_qr — QR code modules over libqrencode (qr.h). */
#include "auth/qr.h"

#include <qrencode.h>

int pa_qr_matrix(const char *text, size_t len, char *out, size_t cap) {
  if (!text || len == 0 || len > PA_QR_TEXT_MAX) return -1;
  /* 8-bit mode for the whole text: a URI's mix of cases and symbols would
   * mostly be 8-bit anyway, and one mode keeps the size a function of the
   * length alone (the limit above is tested at its edge). */
  QRcode *q = QRcode_encodeData((int)len, (const unsigned char *)text, 0, QR_ECLEVEL_M);
  if (!q) return -1;
  int size = q->width;
  if (size < PA_QR_SIZE_MIN || size > PA_QR_SIZE_MAX || (size_t)size * (size_t)size > cap) {
    QRcode_free(q);
    return -1;
  }
  /* Bit 0 of each byte is the module's colour; the other bits say what the
   * module is for (finder, timing, data), which a drawer does not need. */
  for (int i = 0; i < size * size; i++) out[i] = (q->data[i] & 1) ? '1' : '0';
  QRcode_free(q);
  return size;
}
