/* pa_art — procedural, flat-colour pet illustrations rendered into RGB pixels.
 *
 * Rendering is a pure function of its inputs: the same pet, scene and size
 * always give the same pixels, so seeded demo data is reproducible. A pet's
 * coat stays fixed across pictures; the scene varies background, pattern,
 * pose, expression and accessory. */
#ifndef PA_ART_H
#define PA_ART_H

#include <stdint.h>

enum {
  PA_ART_OK = 0,
  PA_ART_EINVAL = -1 /* unknown species, or size outside PA_ART_MIN..PA_ART_MAX */
};

enum { PA_ART_MIN = 16, PA_ART_MAX = 4096 };

typedef enum pa_art_species {
  PA_ART_CAT,
  PA_ART_DOG,
  PA_ART_RABBIT,
  PA_ART_PARROT,
  PA_ART_HAMSTER,
  PA_ART_TURTLE,
  PA_ART_SPECIES_COUNT
} pa_art_species;

typedef enum pa_art_frame {
  PA_ART_FRAME_POST,  /* whole pet on a patterned background */
  PA_ART_FRAME_AVATAR /* close-up of the head */
} pa_art_frame;

typedef struct pa_art_pet {
  pa_art_species species;
  int coat; /* index into the species' coats; taken modulo pa_art_coat_count */
} pa_art_pet;

typedef struct pa_art_scene {
  uint32_t seed; /* picks background, pattern, pose, expression, accessory */
  pa_art_frame frame;
} pa_art_scene;

const char *pa_art_errstr(int rc);

/* "cat", "dog", ...; NULL for an unknown value. */
const char *pa_art_species_name(pa_art_species species);
int pa_art_species_parse(const char *name, pa_art_species *out);

int pa_art_coat_count(pa_art_species species);
/* Words for alt text, e.g. "grey tabby"; NULL for an unknown species. */
const char *pa_art_coat_name(const pa_art_pet *pet);
/* What the scene dresses the pet in, e.g. "a party hat", or NULL for nothing. */
const char *pa_art_scene_accessory(const pa_art_pet *pet, const pa_art_scene *scene);

/* Paints the pet into rgb: w * h * 3 bytes, row-major, caller-owned. */
int pa_art_render_pet(const pa_art_pet *pet, const pa_art_scene *scene, unsigned char *rgb, int w,
                      int h);

/* A moment of an animation: the pet lifted off the floor (in 1/100ths of the
 * picture's shorter side) and tilted (radians, about its centre). */
typedef struct pa_art_pose {
  float lift, tilt;
} pa_art_pose;

/* As pa_art_render_pet, with the pet posed (post frames only; avatars ignore it). */
int pa_art_render_pet_pose(const pa_art_pet *pet, const pa_art_scene *scene,
                           const pa_art_pose *pose, unsigned char *rgb, int w, int h);

/* Paints a friendly cartoon person (an owner's avatar) into rgb as above. */
int pa_art_render_owner(uint32_t seed, unsigned char *rgb, int w, int h);

#endif
