#include "jpeg.h"

#include <string.h>

/* What the walk has seen so far: the tables stb keeps in memory it never
 * clears, and the frame's components. */
typedef struct state {
  int dht[2][4]; /* [DC/AC][slot] defined */
  int dqt[4];
  int frame;       /* SOF seen */
  int progressive; /* SOF2 */
  int ncomp;
  uint8_t comp_id[4], comp_tq[4];
} state;

/* Checks the tables of one DHT segment: n bytes declared, avail present.
 * stb reads zeros past the end of input, so a cut-short segment is checked
 * the same way rather than waved through. */
static pa_status check_dht(const uint8_t *seg, size_t n, size_t avail, state *s, pa_error *err) {
  size_t at = 0;
#define BYTE(i) ((i) < avail ? seg[i] : 0)
  while (at < n) {
    if (n - at < 17) return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG Huffman table cut short");
    unsigned tc = BYTE(at) >> 4, th = BYTE(at) & 15;
    if (tc > 1 || th > 3)
      return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG Huffman table has a bad class or slot");
    size_t symbols = 0;
    for (size_t i = 1; i <= 16; i++) symbols += BYTE(at + i);
    if (symbols > 256)
      return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG Huffman table claims %zu symbols",
                          symbols);
    at += 17;
    if (n - at < symbols)
      return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG Huffman table overruns its segment");
    at += symbols;
    s->dht[tc][th] = 1;
  }
#undef BYTE
  return PA_OK;
}

static void note_dqt(const uint8_t *seg, size_t n, state *s) {
  size_t at = 0;
  while (at < n) {
    unsigned pq = seg[at] >> 4, tq = seg[at] & 15;
    if (tq < 4) s->dqt[tq] = 1;
    at += 1 + (pq ? 128 : 64);
  }
}

static pa_status note_sof(uint8_t m, const uint8_t *seg, size_t n, state *s, pa_error *err) {
  if (s->frame) return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG has two frame headers");
  if (n < 6) return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG frame header cut short");
  int nc = seg[5];
  if (nc < 1 || nc > 4 || n < 6 + 3 * (size_t)nc)
    return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG frame header with %d components", nc);
  s->frame = 1;
  s->progressive = m == 0xc2;
  s->ncomp = nc;
  for (int i = 0; i < nc; i++) s->comp_id[i] = seg[6 + 3 * i], s->comp_tq[i] = seg[8 + 3 * i];
  return PA_OK;
}

/* A scan may only use tables that were defined: stb allocates its decoder
 * state uninitialised, so an undefined Huffman table is read as garbage
 * indices (found by fuzz_image: image-regressions/stb-undefined-huffman.jpg). */
static pa_status check_sos(const uint8_t *seg, size_t n, const state *s, pa_error *err) {
  if (!s->frame)
    return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG scan before the frame header");
  if (n < 1) return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG scan header cut short");
  int ns = seg[0];
  if (ns < 1 || ns > 4 || n < 4 + 2 * (size_t)ns)
    return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG scan header with %d components", ns);
  int ss = seg[1 + 2 * ns], ah = seg[3 + 2 * ns] >> 4;
  /* Baseline scans use both tables; progressive DC scans the DC table (not
   * when refining), progressive AC scans the AC table. */
  int use_dc = !s->progressive || (ss == 0 && ah == 0), use_ac = !s->progressive || ss > 0;
  for (int i = 0; i < ns; i++) {
    unsigned id = seg[1 + 2 * i], td = seg[2 + 2 * i] >> 4, ta = seg[2 + 2 * i] & 15;
    if (td > 3 || ta > 3)
      return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG scan names table %u", td > 3 ? td : ta);
    if ((use_dc && !s->dht[0][td]) || (use_ac && !s->dht[1][ta]))
      return pa_error_set(
          err, PA_ERR_SYNTAX, "image: JPEG scan uses %s Huffman table %u, never defined",
          use_dc && !s->dht[0][td] ? "DC" : "AC", use_dc && !s->dht[0][td] ? td : ta);
    for (int c = 0; c < s->ncomp; c++)
      if (s->comp_id[c] == id && (s->comp_tq[c] > 3 || !s->dqt[s->comp_tq[c]]))
        return pa_error_set(err, PA_ERR_SYNTAX,
                            "image: JPEG component %u uses quantization table %u, never defined",
                            id, s->comp_tq[c]);
  }
  return PA_OK;
}

pa_status pa_jpeg_check(const uint8_t *b, size_t len, pa_error *err) {
  state s;
  memset(&s, 0, sizeof s);
  size_t at = 2; /* after SOI */
  while (at + 4 <= len) {
    if (b[at] != 0xff) {
      at++; /* entropy-coded data after a scan: look for the next marker */
      continue;
    }
    uint8_t m = b[at + 1];
    if (m == 0xff) {
      at++; /* fill byte */
      continue;
    }
    if (m == 0x00 || (m >= 0xd0 && m <= 0xd7) || m == 0x01) {
      at += 2; /* stuffed zero, restart marker, TEM: no length */
      continue;
    }
    if (m == 0xd9) return PA_OK; /* EOI */
    size_t seglen = (size_t)b[at + 2] << 8 | b[at + 3];
    if (seglen < 2)
      return pa_error_set(err, PA_ERR_SYNTAX, "image: JPEG segment length %zu", seglen);
    size_t n = seglen - 2, avail = len - at - 4 < n ? len - at - 4 : n;
    /* stb reads zeros past the end: so do frame and scan headers here. */
    uint8_t head[32] = {0};
    memcpy(head, b + at + 4, avail < sizeof head ? avail : sizeof head);
    pa_status st = PA_OK;
    if (m == 0xc4)
      st = check_dht(b + at + 4, n, len - at - 4, &s, err);
    else if (m == 0xdb)
      note_dqt(b + at + 4, avail, &s);
    else if (m == 0xc0 || m == 0xc1 || m == 0xc2)
      st = note_sof(m, head, n, &s, err);
    else if (m == 0xda)
      st = check_sos(head, n, &s, err);
    if (st != PA_OK && avail < n && m != 0xc4) {
      pa_error_clear(err);
      return pa_error_set(err, PA_ERR_TRUNCATED, "image: JPEG ends inside a 0x%02x segment", m);
    }
    if (st != PA_OK) return st;
    if (at + 2 + seglen > len) return PA_OK; /* cut short: stb reports it */
    at += 2 + seglen;
  }
  return PA_OK;
}
