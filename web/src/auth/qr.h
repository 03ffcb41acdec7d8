/* pa_qr — a QR code's modules for a short text (the otpauth:// URI two-step
 * sign-in hands out), made with Debian's libqrencode in 8-bit mode at error
 * correction level M (15 % of the symbol may be lost: a phone camera at an
 * angle, a screen's glare). The server makes the matrix so the page needs no
 * encoder of its own; the shell draws it as an SVG (settings-security.js). */
#ifndef PA_QR_H
#define PA_QR_H

#include <stddef.h>

enum {
  PA_QR_TEXT_MAX = 511,   /* bytes of text: an otpauth:// URI (twostep.c's buffer less its NUL) */
  PA_QR_VERSION_MAX = 18, /* the smallest version holding PA_QR_TEXT_MAX bytes at level M (560) */
  PA_QR_SIZE_MIN = 21,    /* modules a side of version 1 */
  PA_QR_SIZE_MAX = 17 + 4 * PA_QR_VERSION_MAX, /* 89 modules a side */
  PA_QR_CELLS_MAX = PA_QR_SIZE_MAX * PA_QR_SIZE_MAX
};

/* Encodes the len bytes of text (1..PA_QR_TEXT_MAX) as the smallest QR code
 * that holds them at level M. Writes size * size bytes into out (cap bytes,
 * PA_QR_CELLS_MAX always enough), row by row from the top, '1' for a dark
 * module and '0' for a light one, no NUL; the quiet zone is the drawer's.
 * Returns size (PA_QR_SIZE_MIN..PA_QR_SIZE_MAX), or -1 for an empty or too
 * long text, a short buffer, or libqrencode failing (out of memory). */
int pa_qr_matrix(const char *text, size_t len, char *out, size_t cap);

#endif
