/* pa_seed — the demo world: owners, pets, posts and their illustrations. */
#include "seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "art.h"
#include "media.h"

typedef struct owner_spec {
  const char *handle, *name, *bio;
  int has_avatar; /* some owners have none, as real users do */
} owner_spec;

typedef struct pet_spec {
  int owner;
  const char *name;
  pa_art_species species;
  int coat;
  const char *breed, *bio;
} pet_spec;

typedef struct post_spec {
  int pet;
  int minutes_ago;
  int likes, comments;
  int images;   /* 1..3 */
  int portrait; /* first image 640x800 instead of 640x640 */
  const char *caption;
} post_spec;

static const owner_spec owners[] = {
    {"ana", "Ana Souza", "Cat person who got outvoted by a golden retriever.", 1},
    {"kenji", "Kenji Watanabe", "Bunny logistics and budgie karaoke.", 1},
    {"priya", "Priya Nair", "Two pets, zero clean sofas.", 0},
    {"tomas", "Tomás Herrera", "Professional seed supplier to one (1) hamster.", 1},
    {"maya", "Maya Lindqvist", "Living with a turtle and a very loud sun.", 1},
    {"olu", "Olu Adeyemi", "Night shift: me and the hamster wheel.", 0},
};

static const pet_spec pets[] = {
    {0, "Luna", PA_ART_CAT, 0, "British Shorthair",
     "Professional napper. Accepts payment in chin scratches."},
    {0, "Biscuit", PA_ART_DOG, 0, "Golden Retriever",
     "Has never met a stranger, or a puddle he didn't like."},
    {1, "Mochi", PA_ART_RABBIT, 0, "Netherland Dwarf",
     "Small, round, and in charge of the carrot budget."},
    {1, "Sora", PA_ART_PARROT, 1, "Budgerigar", "Whistles the washing-machine song. Badly."},
    {2, "Chai", PA_ART_CAT, 1, "Domestic Shorthair", "Chaos in a marmalade coat."},
    {2, "Pepper", PA_ART_DOG, 2, "Border Collie", "Will herd you to the treat drawer."},
    {3, "Churro", PA_ART_HAMSTER, 0, "Syrian Hamster",
     "Cheeks: forty percent of body volume. Dreams: sunflower seeds."},
    {4, "Tortellini", PA_ART_TURTLE, 1, "Red-eared Slider", "Slow and steady. Mostly slow."},
    {4, "Kiwi", PA_ART_PARROT, 2, "Sun Conure", "Loud. Proud. Orange."},
    {5, "Pudding", PA_ART_HAMSTER, 1, "Roborovski Dwarf Hamster",
     "Tiny wheel athlete, personal bests at 3 a.m."},
};

/* Oldest first, so post ids grow with time. Two posts share a timestamp on
 * purpose: the cursor must order ties by id. */
static const post_spec posts[] = {
    {3, 7080, 14, 2, 1, 0, "Morning concert, front row seats only. #budgie #birdsofpetamigos"},
    {0, 6900, 41, 6, 1, 0, "Sunday nap, part one of many #caturday #sleepy"},
    {6, 6720, 23, 4, 2, 0,
     "Caught stuffing six seeds into one cheek. No regrets. #hamsterlife #snacktime"},
    {1, 6540, 57, 9, 1, 1,
     "First swim of the season! He did not want to leave. #goldenretriever #dogsofpetamigos"},
    {7, 6300, 12, 1, 1, 0, "Basking level: expert #turtle #sunbathing"},
    {4, 6120, 38, 7, 3, 0, "Three stages of knocking a pen off the desk #catsofpetamigos #chaos"},
    {2, 5940, 46, 5, 1, 0, "Binky practice went well today #bunny #binky"},
    {5, 5700, 29, 3, 1, 0,
     "Found the frisbee. Lost the frisbee. Found it again. #bordercollie #fetch"},
    {8, 5460, 18, 2, 1, 0, "Who needs an alarm clock? #sunconure #goodmorning"},
    {9, 5220, 33, 8, 2, 0, "New wheel, new personal best: 3 a.m. #hamsterlife #nightowl"},
    {0, 5040, 64, 11, 1, 1, "Window patrol, reporting for duty #caturday #birdwatching"},
    {1, 4860, 22, 2, 1, 0, "Somebody said the word walk #dogsofpetamigos #happydog"},
    {3, 4620, 9, 0, 1, 0, "Mirror friend is very handsome today #budgie #selfie"},
    {2, 4440, 52, 6, 2, 0, "Taste-testing the new hay. Verdict: acceptable. #bunny #foodie"},
    {4, 4200, 27, 3, 1, 0, "Box beats expensive bed. Every time. #catlogic #catsofpetamigos"},
    {7, 4200, 15, 2, 1, 0, "Slow Monday, as usual #turtle #mondaymood"},
    {5, 3960, 44, 5, 1, 1,
     "Herded the cushions into a neat pile. Good boy. #bordercollie #workingdog"},
    {6, 3780, 19, 1, 1, 0, "Tiny paws, big plans #hamsterlife #cute"},
    {8, 3540, 35, 4, 3, 0, "Bath time turned into a splash party #sunconure #bathtime"},
    {0, 3300, 71, 13, 1, 0, "She found the one sunbeam in the flat #sleepy #sunbeam"},
    {1, 3060, 48, 7, 2, 0, "Birthday boy! Five years of muddy paws. #birthday #goldenretriever"},
    {9, 2820, 26, 3, 1, 0, "Burrowing expert, certified #hamsterlife #burrow"},
    {2, 2580, 39, 4, 1, 1, "Ears up, snacks please #bunny #snacktime"},
    {3, 2340, 17, 2, 1, 0,
     "Learned a new whistle. The neighbours are thrilled. #budgie #talentshow"},
    {4, 2040, 55, 9, 1, 0, "Caught red-pawed in the laundry basket #catsofpetamigos #guilty"},
    {7, 1740, 21, 3, 2, 0, "Strawberry day is the best day #turtle #snacktime"},
    {5, 1380, 37, 4, 1, 0, "Agility class graduate #bordercollie #proudparent"},
    {0, 1020, 88, 15, 2, 0, "Party hat tolerated for exactly four seconds #caturday #party"},
    {8, 600, 24, 2, 1, 0, "Sunny bird for a sunny day #sunconure #colourful"},
    {6, 180, 30, 5, 1, 1, "Good night from the coziest nest #hamsterlife #goodnight"},
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

enum { POST_W = 640, POST_H = 640, PORTRAIT_H = 800, AVATAR = 160, JPEG_QUALITY = 85 };

const char *pa_seed_errstr(int rc) {
  switch (rc) {
  case PA_SEED_OK: return "ok";
  case PA_SEED_EDB: return "database error";
  case PA_SEED_EMEDIA: return "media error";
  case PA_SEED_ENOMEM: return "out of memory";
  }
  return "unknown error";
}

typedef struct seeder {
  pa_db *db;
  const char *media_dir;
  int64_t now;
  unsigned char *pixels; /* scratch, big enough for the largest picture */
  char *err;
  size_t errlen;
} seeder;

/* Encodes the pixels in s->pixels, stores the file and its media row. */
static int keep_picture(seeder *s, int w, int h, char hash[PA_MEDIA_HASH_HEX + 1]) {
  unsigned char *jpeg = NULL;
  size_t len = 0;
  int rc = pa_media_encode_jpeg(s->pixels, w, h, JPEG_QUALITY, &jpeg, &len);
  if (rc == PA_MEDIA_OK) rc = pa_media_store(s->media_dir, jpeg, len, "jpg", hash);
  free(jpeg);
  if (rc != PA_MEDIA_OK) {
    snprintf(s->err, s->errlen, "store image in %s: %s", s->media_dir, pa_media_errstr(rc));
    return rc == PA_MEDIA_ENOMEM ? PA_SEED_ENOMEM : PA_SEED_EMEDIA;
  }
  pa_db_media m = {hash, "jpg", w, h, (int64_t)len, s->now};
  if ((rc = pa_db_media_add(s->db, &m)) != PA_DB_OK) {
    snprintf(s->err, s->errlen, "%s", pa_db_errmsg(s->db));
    return PA_SEED_EDB;
  }
  return PA_SEED_OK;
}

static int drawn(seeder *s, int art_rc) {
  if (art_rc == PA_ART_OK) return PA_SEED_OK;
  snprintf(s->err, s->errlen, "draw: %s", pa_art_errstr(art_rc));
  return PA_SEED_EMEDIA;
}

static int db_fail(seeder *s) {
  snprintf(s->err, s->errlen, "%s", pa_db_errmsg(s->db));
  return PA_SEED_EDB;
}

/* Scene seeds mix the post and picture index so every picture differs. */
static uint32_t scene_seed(int post, int picture) {
  return 0x9e3779b9u * (uint32_t)(post + 1) + 0x85ebca6bu * (uint32_t)(picture + 1);
}

static int seed_all(seeder *s) {
  int64_t user_ids[COUNT(owners)], pet_ids[COUNT(pets)];
  char hash[PA_MEDIA_HASH_HEX + 1];
  int rc;
  /* Whole hours keep timestamps tidy; the offsets below are fixed. */
  int64_t anchor = s->now - s->now % 3600;

  for (int i = 0; i < COUNT(owners); i++) {
    const owner_spec *o = &owners[i];
    if (o->has_avatar) {
      if ((rc = drawn(s, pa_art_render_owner(0x0a11ceu + (uint32_t)i * 7919u, s->pixels, AVATAR,
                                             AVATAR))) != PA_SEED_OK ||
          (rc = keep_picture(s, AVATAR, AVATAR, hash)) != PA_SEED_OK)
        return rc;
    }
    pa_db_user u = {o->handle, o->name, o->bio, o->has_avatar ? hash : NULL,
                    anchor - (int64_t)(40 - i) * 86400};
    if (pa_db_user_add(s->db, &u, &user_ids[i]) != PA_DB_OK) return db_fail(s);
  }

  for (int i = 0; i < COUNT(pets); i++) {
    const pet_spec *p = &pets[i];
    pa_art_pet art = {p->species, p->coat};
    pa_art_scene scene = {0xa7a7a0u + (uint32_t)i, PA_ART_FRAME_AVATAR};
    if ((rc = drawn(s, pa_art_render_pet(&art, &scene, s->pixels, AVATAR, AVATAR))) != PA_SEED_OK ||
        (rc = keep_picture(s, AVATAR, AVATAR, hash)) != PA_SEED_OK)
      return rc;
    pa_db_pet row = {user_ids[p->owner], p->name, pa_art_species_name(p->species), p->breed,
                     p->bio, hash, anchor - (int64_t)(30 - i) * 86400};
    if (pa_db_pet_add(s->db, &row, &pet_ids[i]) != PA_DB_OK) return db_fail(s);
  }

  for (int i = 0; i < COUNT(posts); i++) {
    const post_spec *ps = &posts[i];
    const pet_spec *pet = &pets[ps->pet];
    pa_art_pet art = {pet->species, pet->coat};
    int64_t post_id;
    pa_db_new_post row = {user_ids[pet->owner], pet_ids[ps->pet], ps->caption, ps->likes,
                          ps->comments, anchor - (int64_t)ps->minutes_ago * 60};
    if (pa_db_post_add(s->db, &row, &post_id) != PA_DB_OK) return db_fail(s);
    for (int k = 0; k < ps->images; k++) {
      int h = ps->portrait && k == 0 ? PORTRAIT_H : POST_H;
      pa_art_scene scene = {scene_seed(i, k), PA_ART_FRAME_POST};
      char alt[PA_DB_ALT_MAX + 1];
      const char *wearing = pa_art_scene_accessory(&art, &scene);
      const char *coat = pa_art_coat_name(&art);
      snprintf(alt, sizeof alt, "Illustration of %s, %s %s %s%s%s", pet->name,
               strchr("aeiou", coat[0]) ? "an" : "a", coat, pa_art_species_name(pet->species),
               wearing ? ", wearing " : "", wearing ? wearing : "");
      if ((rc = drawn(s, pa_art_render_pet(&art, &scene, s->pixels, POST_W, h))) != PA_SEED_OK ||
          (rc = keep_picture(s, POST_W, h, hash)) != PA_SEED_OK)
        return rc;
      if (pa_db_post_image_add(s->db, post_id, k, hash, alt) != PA_DB_OK) return db_fail(s);
    }
  }
  return PA_SEED_OK;
}

int pa_seed_demo(pa_db *db, const char *media_dir, int64_t now, int *posts_added, char *err,
                 size_t errlen) {
  int64_t existing = 0;
  int rc;
  *posts_added = 0;
  if (pa_db_begin(db) != PA_DB_OK) {
    snprintf(err, errlen, "%s", pa_db_errmsg(db));
    return PA_SEED_EDB;
  }
  /* Counted inside the write lock, so two servers cannot both seed. */
  if (pa_db_post_count(db, &existing) != PA_DB_OK) {
    snprintf(err, errlen, "%s", pa_db_errmsg(db));
    pa_db_rollback(db);
    return PA_SEED_EDB;
  }
  if (existing > 0) return pa_db_rollback(db) == PA_DB_OK ? PA_SEED_OK : PA_SEED_EDB;

  seeder s = {db, media_dir, now, malloc((size_t)POST_W * PORTRAIT_H * 3u), err, errlen};
  if (!s.pixels) {
    snprintf(err, errlen, "out of memory");
    pa_db_rollback(db);
    return PA_SEED_ENOMEM;
  }
  rc = seed_all(&s);
  free(s.pixels);
  if (rc == PA_SEED_OK && pa_db_commit(db) != PA_DB_OK) {
    snprintf(err, errlen, "%s", pa_db_errmsg(db));
    rc = PA_SEED_EDB;
  }
  if (rc != PA_SEED_OK) {
    /* Files already written stay: they are content-addressed and harmless. */
    pa_db_rollback(db);
    return rc;
  }
  *posts_added = COUNT(posts);
  return PA_SEED_OK;
}
