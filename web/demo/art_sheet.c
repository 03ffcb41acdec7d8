/* petamigos-art-sheet OUT.png [SEED] — renders every coat of every species,
 * then avatars and owners, into one PNG contact sheet for judging by eye.
 * petamigos-art-sheet --one SPECIES COAT SEED W H OUT.png — one picture
 * (SPECIES "owner" draws a person; H <= 200 uses the avatar framing). */
#include "art.h"

#include <stb_image_write.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CELL = 220, COLS = 7, GAP = 6 };

static void blit(unsigned char *sheet, int sheet_w, const unsigned char *img, int w, int h, int x0,
                 int y0) {
  for (int y = 0; y < h; y++)
    memcpy(sheet + ((size_t)(y0 + y) * (size_t)sheet_w + (size_t)x0) * 3u,
           img + (size_t)y * (size_t)w * 3u, (size_t)w * 3u);
}

static void write_file(void *ctx, void *data, int size) {
  if (fwrite(data, 1, (size_t)size, ctx) != (size_t)size) perror("fwrite");
}

static int save_png(const char *path, const unsigned char *px, int w, int h) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    return 1;
  }
  int ok = stbi_write_png_to_func(write_file, f, w, h, 3, px, w * 3);
  if (fclose(f) != 0 || !ok) {
    fprintf(stderr, "could not write %s\n", path);
    return 1;
  }
  return 0;
}

static int one(char **argv) {
  pa_art_pet pet = {PA_ART_CAT, atoi(argv[3])};
  unsigned seed = (unsigned)strtoul(argv[4], NULL, 0);
  int w = atoi(argv[5]), h = atoi(argv[6]), rc;
  unsigned char *img = malloc((size_t)(w > 0 ? w : 1) * (size_t)(h > 0 ? h : 1) * 3u);
  if (!img) return 1;
  if (strcmp(argv[2], "owner") == 0) {
    rc = pa_art_render_owner(seed, img, w, h);
  } else if (pa_art_species_parse(argv[2], &pet.species) != PA_ART_OK) {
    fprintf(stderr, "unknown species %s\n", argv[2]);
    free(img);
    return 2;
  } else {
    pa_art_scene scene = {seed, h <= 200 ? PA_ART_FRAME_AVATAR : PA_ART_FRAME_POST};
    rc = pa_art_render_pet(&pet, &scene, img, w, h);
  }
  if (rc != PA_ART_OK) {
    fprintf(stderr, "render: %s\n", pa_art_errstr(rc));
    free(img);
    return 1;
  }
  rc = save_png(argv[7], img, w, h);
  free(img);
  return rc;
}

int main(int argc, char **argv) {
  if (argc == 8 && strcmp(argv[1], "--one") == 0) return one(argv);
  if (argc < 2) {
    fprintf(stderr, "usage: %s OUT.png [SEED]\n", argv[0]);
    return 2;
  }
  unsigned seed = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 1u;
  int rows = PA_ART_SPECIES_COUNT + 2;
  int sw = COLS * (CELL + GAP) + GAP, sh = rows * (CELL + GAP) + GAP;
  unsigned char *sheet = calloc((size_t)sw * (size_t)sh, 3);
  unsigned char *img = malloc((size_t)CELL * CELL * 3);
  if (!sheet || !img) return 1;
  memset(sheet, 0xff, (size_t)sw * (size_t)sh * 3u);

  for (int s = 0; s < PA_ART_SPECIES_COUNT; s++)
    for (int c = 0; c < COLS; c++) {
      pa_art_pet pet = {(pa_art_species)s, c};
      pa_art_scene scene = {seed * 977u + (unsigned)(s * COLS + c), PA_ART_FRAME_POST};
      if (c >= pa_art_coat_count(pet.species)) scene.seed += 1000u; /* same coat, new scene */
      int rc = pa_art_render_pet(&pet, &scene, img, CELL, CELL);
      if (rc != PA_ART_OK) {
        fprintf(stderr, "render: %s\n", pa_art_errstr(rc));
        return 1;
      }
      blit(sheet, sw, img, CELL, CELL, GAP + c * (CELL + GAP), GAP + s * (CELL + GAP));
    }
  for (int c = 0; c < COLS; c++) {
    int y0 = GAP + PA_ART_SPECIES_COUNT * (CELL + GAP);
    pa_art_pet pet = {(pa_art_species)(c % PA_ART_SPECIES_COUNT), c};
    pa_art_scene scene = {seed + (unsigned)c, PA_ART_FRAME_AVATAR};
    pa_art_render_pet(&pet, &scene, img, CELL, CELL);
    blit(sheet, sw, img, CELL, CELL, GAP + c * (CELL + GAP), y0);
    pa_art_render_owner(seed + (unsigned)c, img, CELL, CELL);
    blit(sheet, sw, img, CELL, CELL, GAP + c * (CELL + GAP), y0 + CELL + GAP);
  }

  int rc = save_png(argv[1], sheet, sw, sh);
  free(img);
  free(sheet);
  return rc;
}
