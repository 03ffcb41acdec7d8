/* pa_exif — bounds-checked reading of EXIF (a TIFF structure) and of the
 * metadata blocks of JPEG and PNG files. Internal: the image module uses it
 * for orientation and for reporting what a file carries (GPS, XMP, ICC...). */
#ifndef PA_EXIF_H
#define PA_EXIF_H

#include "pa/pa_status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pa_exif {
  int orientation; /* 1-8 from IFD0; 1 when absent */
  int ifd0_ok;     /* IFD0 was read whole: orientation can be trusted */
  int gps;         /* IFD0 points at a GPS IFD with at least one entry */
  int ifds;        /* IFDs visited (IFD0, its sub-IFDs, IFD1...) */
} pa_exif;

/* Parses a TIFF block (what follows "Exif\0\0" in a JPEG's APP1, or a PNG's
 * eXIf chunk): either byte order; IFD0 for orientation (0x0112) and the GPS
 * (0x8825) and Exif (0x8769) sub-IFD pointers, then the chain to IFD1. Every
 * offset is checked against len, and an IFD visited twice (a loop) or more
 * than 8 IFDs are refused. On error, fields read before the problem are kept:
 * orientation comes from IFD0 only, which is read first (see ifd0_ok). */
pa_status pa_exif_parse(const uint8_t *tiff, size_t len, pa_exif *out, pa_error *err);

/* Walks a JPEG's segments up to the first scan: sets PA_IMAGE_META_* flags in
 * *metadata and parses the first Exif APP1 block into *exif (orientation 1
 * when there is none or IFD0 is unreadable). Never fails: metadata that
 * cannot be read is reported present and otherwise ignored. */
void pa_exif_scan_jpeg(const uint8_t *b, size_t len, pa_exif *exif, unsigned *metadata);

/* Walks a PNG's chunks: eXIf, iCCP, tEXt, zTXt, iTXt (XMP or text). */
void pa_exif_scan_png(const uint8_t *b, size_t len, unsigned *metadata);

#endif
