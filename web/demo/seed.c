/* pa_demo — the demo world: owners, pets, posts and their illustrations,
 * likes, follows and comments with a realistic skew, stories and reels.
 * Everything but timestamps comes from fixed seeds. */
#include "seed.h"

#include "art.h"
#include "auth.h"
#include "blob.h"
#include "mstore.h"
#include "seed_video.h"
#include "store/comments.h"
#include "store/feed.h"
#include "store/media.h"
#include "store/people.h"
#include "store/posts.h"
#include "store/reels.h"
#include "store/seed.h"
#include "store/stories.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

enum {
  POST_W = 640,
  POST_H = 640,
  PORTRAIT_H = 800,
  AVATAR = 160,
  JPEG_QUALITY = 85,
  STORY_W = 360,
  STORY_H = 640,
  FULL_OWNERS = 60,
  FULL_PETS = 100,
  FULL_POSTS = 520,
  FULL_REELS = 24
};

/* The three accounts people can sign in with (documented in web/README.md). */
static const struct {
  int owner;
  const char *email, *password;
} demo_accounts[] = {
    {0, "ana@demo.petamigos.test", "petamigos-ana-demo"},
    {1, "kenji@demo.petamigos.test", "petamigos-kenji-demo"},
    {2, "priya@demo.petamigos.test", "petamigos-priya-demo"},
};

static const char *const advertisers[] = {"Purrfect Chow", "Bark & Bone Outfitters",
                                          "Feather & Seed Co."};

static const char *const first_names[] = {
    "Lena",   "Mateo",  "Aisha", "Jonas", "Sofia", "Ravi",  "Chloé", "Emeka", "Yuki", "Björn",
    "Camila", "Dmitri", "Amara", "Luca",  "Noor",  "Felix", "Hana",  "Diego", "Zara", "Oskar",
    "Ingrid", "Tariq",  "Mei",   "Pablo", "Leila", "Sven",  "Ayo",   "Elif",  "Hugo", "Nadia",
    "Kofi",   "Marta",  "Ines",  "Arjun", "Freya", "Omar",  "Lucía", "Théo",  "Sana", "Milo"};
static const char *const last_names[] = {
    "Okafor",   "Schmidt", "Rossi",    "Kim",    "Novak",   "Haddad", "García", "Müller",
    "Sato",     "Dubois",  "Ivanova",  "Mensah", "Larsen",  "Costa",  "Yilmaz", "Nguyen",
    "Kowalski", "Bianchi", "Patel",    "Jensen", "Moreau",  "Silva",  "Tanaka", "Horvat",
    "Ali",      "Byrne",   "Eriksson", "Lopez",  "Fischer", "Ahmed"};
static const char *const pet_names[] = {
    "Nugget",  "Pixel",   "Maple",  "Bao",      "Ziggy",   "Olive",   "Pickles", "Clover",
    "Waffles", "Juniper", "Tofu",   "Basil",    "Noodle",  "Peaches", "Rocket",  "Hazel",
    "Mango",   "Pesto",   "Sprout", "Dumpling", "Cricket", "Fig",     "Marble",  "Sushi",
    "Button",  "Coco",    "Turnip", "Pumpkin",  "Echo",    "Bean",    "Momo",    "Radish",
    "Sage",    "Taco",    "Wasabi", "Acorn",    "Blossom", "Comet",   "Domino",  "Ember"};
static const char *const breeds[PA_ART_SPECIES_COUNT][4] = {
    {"Maine Coon", "Siamese", "Ragdoll", "Domestic Shorthair"},
    {"Labrador Retriever", "Corgi", "Shiba Inu", "Border Collie"},
    {"Holland Lop", "Lionhead", "Rex", "Netherland Dwarf"},
    {"Cockatiel", "Budgerigar", "Sun Conure", "African Grey"},
    {"Syrian Hamster", "Roborovski Dwarf Hamster", "Campbell's Dwarf", "Winter White"},
    {"Red-eared Slider", "Box Turtle", "Painted Turtle", "Musk Turtle"}};
static const char *const captions[PA_ART_SPECIES_COUNT][5] = {
    {"Supervising the keyboard again #catsofpetamigos #caturday",
     "That face when the food bowl is half empty #cat #drama",
     "Sunbeam located, nap commencing #sleepy #sunbeam",
     "Knocked it off the table for science #catlogic #chaos",
     "Loaf mode: activated #catloaf #cozy"},
    {"Best friend, worst listener #dogsofpetamigos #goodboy",
     "Zoomies at the park today #zoomies #happydog",
     "Waiting very patiently for the ball #fetch #focus",
     "Muddy paws, zero regrets #walkies #muddy",
     "New toy lasted four minutes #squeaky #dogsofpetamigos"},
    {"Flop of contentment #bunny #binky", "Carrot inspection in progress #bunny #snacktime",
     "Ears at maximum height #bunnylove #cute", "Morning zoomies around the sofa #bunny #zoomies",
     "Hay there! #hay #bunnylove"},
    {"Sang the whole morning playlist #birdsofpetamigos #singing",
     "Shoulder ride to the kitchen #parrot #bestie",
     "Feathers fluffed, mood: royal #parrot #fluffy",
     "Learned a new word today #talkingbird #smart",
     "Bath time splashes #bathtime #birdsofpetamigos"},
    {"Cheek pouches at full capacity #hamsterlife #snacktime",
     "3 a.m. wheel session #nightowl #hamsterlife", "Tiny hands, big seed #cute #hamster",
     "Built a new tunnel #burrow #hamsterlife", "Sleepy fluff ball #sleepy #hamster"},
    {"Basking like a pro #turtle #sunbathing", "Strawberry day! #turtle #snacktime",
     "Slow and steady wins the race #turtle #mondaymood", "New rock, who dis #turtle #decor",
     "Swimming laps this morning #turtle #swim"}};
static const char *const comment_texts[] = {"So cute!",
                                            "This made my day 😍",
                                            "Look at that face!",
                                            "Mine does exactly the same thing",
                                            "Adorable!!",
                                            "Perfect timing on this photo",
                                            "Haha, the drama",
                                            "Sending chin scratches",
                                            "Iconic.",
                                            "I need a print of this",
                                            "What a star",
                                            "Too much cuteness",
                                            "Same energy as my Monday",
                                            "Love this!",
                                            "Goals.",
                                            "Such a good pet"};
static const char *const reply_texts[] = {"Thank you!", "Right?! 😂", "Every single day",
                                          "They say hi back", "Haha yes"};

const char *pa_demo_errstr(int rc) {
  switch (rc) {
  case PA_DEMO_OK: return "ok";
  case PA_DEMO_EDB: return "database error";
  case PA_DEMO_EMEDIA: return "media error";
  case PA_DEMO_ENOMEM: return "out of memory";
  }
  return "unknown error";
}

typedef struct seeder {
  pa_store *db;
  const char *media_dir; /* also the reels' scratch folder */
  pa_mstore *media;      /* the media store on it (mstore.h) */
  int64_t now;
  unsigned char *pixels; /* scratch, big enough for the largest picture */
  char *err;
  size_t errlen;
  uint64_t rng;
} seeder;

/* splitmix64: the only randomness the seed uses. */
static uint64_t next(seeder *s) {
  uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static double uniform(seeder *s) { return (double)(next(s) >> 11) / 9007199254740992.0; }
static int below(seeder *s, int n) { return n > 0 ? (int)(next(s) % (uint64_t)n) : 0; }

static int store(seeder *s, void *data, size_t len, const char *ext, int w, int h,
                 char hash[PA_BLOB_HASH_HEX + 1]) {
  /* Videos as an upload of the same file would be stored: metadata cleared. */
  int video = strcmp(ext, "mp4") == 0 || strcmp(ext, "webm") == 0;
  if (video && pa_blob_scrub_video(data, len, NULL, s->err, s->errlen) != 0) return PA_DEMO_EMEDIA;
  int rc = pa_blob_store(s->media, data, len, ext, hash);
  if (rc != PA_BLOB_OK) {
    snprintf(s->err, s->errlen, "store %s in %s: %s", ext, s->media_dir, pa_blob_errstr(rc));
    return rc == PA_BLOB_ENOMEM ? PA_DEMO_ENOMEM : PA_DEMO_EMEDIA;
  }
  char thumb[PA_BLOB_THUMBHASH_MAX];
  int image = strcmp(ext, "jpg") == 0 || strcmp(ext, "png") == 0;
  pa_store_media m = {hash,
                      ext,
                      w,
                      h,
                      (int64_t)len,
                      s->now,
                      image && pa_blob_thumbhash(data, len, thumb) == 0 ? thumb : NULL};
  if ((rc = pa_store_media_add(s->db, &m)) != PA_STORE_OK) {
    snprintf(s->err, s->errlen, "%s", pa_store_errmsg(s->db));
    return PA_DEMO_EDB;
  }
  return PA_DEMO_OK;
}

/* Encodes the pixels in s->pixels, stores the file and its media row. */
static int keep_picture(seeder *s, int w, int h, char hash[PA_BLOB_HASH_HEX + 1]) {
  unsigned char *jpeg = NULL;
  size_t len = 0;
  int rc = pa_blob_encode_jpeg(s->pixels, w, h, JPEG_QUALITY, &jpeg, &len);
  if (rc != PA_BLOB_OK) {
    snprintf(s->err, s->errlen, "encode image: %s", pa_blob_errstr(rc));
    return rc == PA_BLOB_ENOMEM ? PA_DEMO_ENOMEM : PA_DEMO_EMEDIA;
  }
  rc = store(s, jpeg, len, "jpg", w, h, hash);
  free(jpeg);
  return rc;
}

static int drawn(seeder *s, int art_rc) {
  if (art_rc == PA_ART_OK) return PA_DEMO_OK;
  snprintf(s->err, s->errlen, "draw: %s", pa_art_errstr(art_rc));
  return PA_DEMO_EMEDIA;
}

static int db_fail(seeder *s) {
  snprintf(s->err, s->errlen, "%s", pa_store_errmsg(s->db));
  return PA_DEMO_EDB;
}

/* Scene seeds mix the post and picture index so every picture differs. */
static uint32_t scene_seed(int post, int picture) {
  return 0x9e3779b9u * (uint32_t)(post + 1) + 0x85ebca6bu * (uint32_t)(picture + 1);
}

/* The world as it is being built. */
typedef struct world {
  int nowners, npets, nposts;
  int64_t *user_ids, *pet_ids, *post_ids;
  int *pet_owner, *pet_species, *pet_coat, *post_pet;
  const char **pet_name;
  char (*names)[96];
  int64_t campaigns[6];
} world;

static int seed_sponsors(seeder *s, world *w) {
  int k = 0;
  for (int a = 0; a < COUNT(advertisers); a++) {
    int64_t ad;
    if (pa_store_seed_advertiser(s->db, advertisers[a], &ad) != PA_STORE_OK) return db_fail(s);
    for (int c = 0; c < 2; c++) {
      char name[64];
      snprintf(name, sizeof name, "%s %s", advertisers[a], c ? "autumn" : "launch");
      if (pa_store_seed_campaign(s->db, ad, name, &w->campaigns[k++]) != PA_STORE_OK)
        return db_fail(s);
    }
  }
  return PA_DEMO_OK;
}

/* The sponsors' campaigns made ready to serve their posts (store/seed.h). */
static int seed_ads(seeder *s) {
  return pa_store_seed_ads(s->db, s->now) == PA_STORE_OK ? PA_DEMO_OK : db_fail(s);
}

static int seed_owners(seeder *s, world *w) {
  char hash[PA_BLOB_HASH_HEX + 1], handle[32], pw[PA_AUTH_HASH_TEXT];
  int rc;
  int64_t anchor = s->now - s->now % 3600;
  for (int i = 0; i < w->nowners; i++) {
    const char *name, *bio, *h;
    int avatar;
    if (i < COUNT(owners)) {
      name = owners[i].name, bio = owners[i].bio, h = owners[i].handle;
      avatar = owners[i].has_avatar;
    } else {
      const char *f = first_names[(i * 7) % COUNT(first_names)];
      const char *l = last_names[(i * 11) % COUNT(last_names)];
      snprintf(w->names[i], sizeof w->names[i], "%s %s", f, l);
      snprintf(handle, sizeof handle, "pal%d", i);
      name = w->names[i], bio = "Pet person.", h = handle;
      avatar = below(s, 4) != 0;
    }
    if (avatar) {
      if ((rc = drawn(s, pa_art_render_owner(0x0a11ceu + (uint32_t)i * 7919u, s->pixels, AVATAR,
                                             AVATAR))) != PA_DEMO_OK ||
          (rc = keep_picture(s, AVATAR, AVATAR, hash)) != PA_DEMO_OK)
        return rc;
    }
    pa_store_user u = {h, name, bio, avatar ? hash : NULL, anchor - (int64_t)(60 - i % 40) * 86400};
    if (pa_store_people_add(s->db, &u, &w->user_ids[i]) != PA_STORE_OK) return db_fail(s);
  }
  for (int d = 0; d < COUNT(demo_accounts); d++) {
    if (pa_auth_hash_password(demo_accounts[d].password, strlen(demo_accounts[d].password), pw)) {
      snprintf(s->err, s->errlen, "hash demo password: out of memory");
      return PA_DEMO_ENOMEM;
    }
    if (pa_store_seed_login(s->db, w->user_ids[demo_accounts[d].owner], demo_accounts[d].email,
                            pw) != PA_STORE_OK)
      return db_fail(s);
  }
  return PA_DEMO_OK;
}

static int seed_pets(seeder *s, world *w) {
  char hash[PA_BLOB_HASH_HEX + 1], bio[96];
  int rc;
  int64_t anchor = s->now - s->now % 3600;
  for (int i = 0; i < w->npets; i++) {
    const char *breed, *pbio;
    if (i < COUNT(pets)) {
      w->pet_owner[i] = pets[i].owner;
      w->pet_species[i] = pets[i].species;
      w->pet_coat[i] = pets[i].coat;
      w->pet_name[i] = pets[i].name;
      breed = pets[i].breed, pbio = pets[i].bio;
    } else {
      /* Every generated owner gets a pet, then some get a second. */
      int o = i - COUNT(pets) + COUNT(owners);
      w->pet_owner[i] = o < w->nowners ? o : COUNT(owners) + below(s, w->nowners - COUNT(owners));
      w->pet_species[i] = below(s, 10) < 6 ? below(s, 2) : below(s, PA_ART_SPECIES_COUNT);
      w->pet_coat[i] = below(s, 8);
      w->pet_name[i] = pet_names[(i * 13) % COUNT(pet_names)];
      breed = breeds[w->pet_species[i]][below(s, 4)];
      snprintf(bio, sizeof bio, "%s, %d years young.", breed, 1 + below(s, 12));
      pbio = bio;
    }
    pa_art_pet art = {w->pet_species[i], w->pet_coat[i]};
    pa_art_scene scene = {0xa7a7a0u + (uint32_t)i, PA_ART_FRAME_AVATAR};
    if ((rc = drawn(s, pa_art_render_pet(&art, &scene, s->pixels, AVATAR, AVATAR))) != PA_DEMO_OK ||
        (rc = keep_picture(s, AVATAR, AVATAR, hash)) != PA_DEMO_OK)
      return rc;
    pa_store_pet row = {w->user_ids[w->pet_owner[i]],
                        w->pet_name[i],
                        pa_art_species_name(w->pet_species[i]),
                        breed,
                        pbio,
                        hash,
                        anchor - (int64_t)(50 - i % 40) * 86400};
    if (pa_store_pets_add(s->db, &row, &w->pet_ids[i]) != PA_STORE_OK) return db_fail(s);
  }
  return PA_DEMO_OK;
}

static int add_post(seeder *s, world *w, int index, int pet, int64_t when, const char *caption,
                    int images, int portrait, int64_t campaign) {
  char hash[PA_BLOB_HASH_HEX + 1];
  int rc;
  pa_art_pet art = {w->pet_species[pet], w->pet_coat[pet]};
  pa_store_new_post row = {
      w->user_ids[w->pet_owner[pet]], w->pet_ids[pet], caption, 0, 0, when, campaign};
  if (pa_store_posts_add(s->db, &row, &w->post_ids[index]) != PA_STORE_OK) return db_fail(s);
  w->post_pet[index] = pet;
  for (int k = 0; k < images; k++) {
    int h = portrait && k == 0 ? PORTRAIT_H : POST_H;
    pa_art_scene scene = {scene_seed(index, k), PA_ART_FRAME_POST};
    char alt[PA_STORE_ALT_MAX + 1];
    const char *wearing = pa_art_scene_accessory(&art, &scene);
    const char *coat = pa_art_coat_name(&art);
    snprintf(alt, sizeof alt, "Illustration of %s, %s %s %s%s%s", w->pet_name[pet],
             strchr("aeiou", coat[0]) ? "an" : "a", coat, pa_art_species_name(art.species),
             wearing ? ", wearing " : "", wearing ? wearing : "");
    if ((rc = drawn(s, pa_art_render_pet(&art, &scene, s->pixels, POST_W, h))) != PA_DEMO_OK ||
        (rc = keep_picture(s, POST_W, h, hash)) != PA_DEMO_OK)
      return rc;
    if (pa_store_posts_image_add(s->db, w->post_ids[index], k, hash, alt) != PA_STORE_OK)
      return db_fail(s);
  }
  return PA_DEMO_OK;
}

/* Generated posts first (older: 5 to 35 days back, oldest first), then the
 * hand-written ones of the last five days, so ids grow with time. */
static int seed_posts(seeder *s, world *w) {
  int64_t anchor = s->now - s->now % 3600;
  int extra = w->nposts - COUNT(posts), rc;
  for (int i = 0; i < extra; i++) {
    int pet = COUNT(pets) + below(s, w->npets - COUNT(pets));
    int64_t when =
        anchor - 35 * 86400 + (int64_t)i * (30 * 86400 / (extra ? extra : 1)) + below(s, 3000);
    const char *caption = captions[w->pet_species[pet]][below(s, 5)];
    int images = below(s, 10) < 8 ? 1 : 2;
    int64_t campaign = i % 35 == 17 ? w->campaigns[below(s, 6)] : 0;
    if ((rc = add_post(s, w, i, pet, when, caption, images, below(s, 6) == 0, campaign)) !=
        PA_DEMO_OK)
      return rc;
  }
  for (int i = 0; i < COUNT(posts); i++) {
    const post_spec *ps = &posts[i];
    int64_t campaign = i == 5 ? w->campaigns[0] : i == 20 ? w->campaigns[3] : 0;
    if ((rc = add_post(s, w, extra + i, ps->pet, anchor - (int64_t)ps->minutes_ago * 60,
                       ps->caption, ps->images, ps->portrait, campaign)) != PA_DEMO_OK)
      return rc;
  }
  return PA_DEMO_OK;
}

/* Likes, follows and comments. People differ in how active they are (a
 * power law), like their favourite species far more, and some posts take
 * off: a few popular accounts collect most of everything. */
static int seed_social(seeder *s, world *w) {
  int n = w->nowners, rc = PA_DEMO_OK;
  double *activity = malloc((size_t)n * sizeof *activity),
         *pop = malloc((size_t)w->nposts * sizeof *pop);
  int *fav = malloc((size_t)n * 2 * sizeof *fav);
  int64_t anchor = s->now - s->now % 3600;
  if (!activity || !pop || !fav) {
    rc = PA_DEMO_ENOMEM;
    snprintf(s->err, s->errlen, "out of memory");
    goto out;
  }
  for (int u = 0; u < n; u++) {
    activity[u] = 1.0 / pow(1.0 + (double)((u * 17) % n), 0.6);
    fav[2 * u] = below(s, PA_ART_SPECIES_COUNT);
    fav[2 * u + 1] = below(s, 2); /* cats and dogs are everybody's second love */
  }
  for (int p = 0; p < w->nposts; p++) {
    double g = 0;
    for (int k = 0; k < 4; k++) g += uniform(s) - 0.5;
    pop[p] = exp(g * 1.6);
  }
  double base = n > 20 ? 0.28 : 0.9;
  for (int p = 0; p < w->nposts && rc == PA_DEMO_OK; p++) {
    int species = w->pet_species[w->post_pet[p]], author = w->pet_owner[w->post_pet[p]];
    for (int u = 0; u < n && rc == PA_DEMO_OK; u++) {
      if (u == author) continue;
      double like = base * activity[u] * pop[p] *
                    (fav[2 * u] == species       ? 2.5
                     : fav[2 * u + 1] == species ? 1.4
                                                 : 0.4);
      if (uniform(s) >= (like > 0.95 ? 0.95 : like)) continue;
      if (pa_store_seed_like(s->db, w->post_ids[p], w->user_ids[u], anchor - below(s, 86400),
                             NULL) != PA_STORE_OK)
        rc = db_fail(s);
    }
  }
  for (int u = 0; u < n && rc == PA_DEMO_OK; u++) {
    int want = 2 + (int)(activity[u] * (n > 20 ? 14 : 4));
    for (int k = 0; k < want * 3 && want > 0 && rc == PA_DEMO_OK; k++) {
      /* Popular accounts (low index) are found more often. */
      int v = (int)(pow(uniform(s), 2.0) * n);
      if (v == u || v >= n) continue;
      int added = 0;
      if (pa_store_seed_follow(s->db, w->user_ids[u], w->user_ids[v],
                               anchor - 86400 * (1 + below(s, 40)), &added) != PA_STORE_OK)
        rc = db_fail(s);
      want -= added;
    }
    for (int k = 0; k < 3 && rc == PA_DEMO_OK; k++) {
      int pet = below(s, w->npets);
      if (w->pet_species[pet] != fav[2 * u] || w->pet_owner[pet] == u) continue;
      if (pa_store_seed_pet_follow(s->db, w->user_ids[u], w->pet_ids[pet],
                                   anchor - 86400 * (1 + below(s, 40)), NULL) != PA_STORE_OK)
        rc = db_fail(s);
    }
  }
  for (int p = 0; p < w->nposts && rc == PA_DEMO_OK; p++) {
    int count = below(s, 1 + (int)(pop[p] * 3)), author = w->pet_owner[w->post_pet[p]];
    int64_t last_top = 0, t = anchor - 3600 * (int64_t)(1 + below(s, 48));
    for (int c = 0; c < count && rc == PA_DEMO_OK; c++) {
      int reply = last_top && below(s, 4) == 0;
      int by = reply ? author : below(s, n);
      const char *text = reply ? reply_texts[below(s, COUNT(reply_texts))]
                               : comment_texts[below(s, COUNT(comment_texts))];
      int64_t id = 0;
      t += 60 + below(s, 600);
      if (pa_store_comments_add(s->db, w->post_ids[p], w->user_ids[by], reply ? last_top : 0, text,
                                t, &id) != PA_STORE_OK)
        rc = db_fail(s);
      else if (!reply)
        last_top = id;
    }
  }
out:
  free(activity);
  free(pop);
  free(fav);
  return rc;
}

/* Stories: some fresh, some already past their 24 hours (these must never show). */
static int seed_stories(seeder *s, world *w, int full) {
  static const int small_pets[] = {0, 0, 1, 1, 2, 4};
  static const int small_hours[] = {3, 1, 5, 30, 27, 2}; /* hours ago */
  int count = full ? w->npets / 2 : COUNT(small_pets), rc;
  char hash[PA_BLOB_HASH_HEX + 1];
  for (int i = 0; i < count; i++) {
    int pet = full ? (i * 2) % w->npets : small_pets[i];
    int hours = full ? 1 + below(s, 40) : small_hours[i];
    pa_art_pet art = {w->pet_species[pet], w->pet_coat[pet]};
    pa_art_scene scene = {0x5707u + (uint32_t)i * 31u, PA_ART_FRAME_POST};
    if ((rc = drawn(s, pa_art_render_pet(&art, &scene, s->pixels, STORY_W, STORY_H))) !=
            PA_DEMO_OK ||
        (rc = keep_picture(s, STORY_W, STORY_H, hash)) != PA_DEMO_OK)
      return rc;
    int64_t at = s->now - (int64_t)hours * 3600 - below(s, 600);
    if (pa_store_stories_add(s->db, w->user_ids[w->pet_owner[pet]], w->pet_ids[pet], hash, at,
                             at + 86400, NULL) != PA_STORE_OK)
      return db_fail(s);
  }
  return PA_DEMO_OK;
}

static int seed_reels(seeder *s, world *w, int full) {
  static const char *const lines[] = {"Hop hop hop! #reels #bounce", "Happy dance #reels #happy",
                                      "Boing! #reels #zoomies", "Bouncing into the weekend #reels"};
  int count = full ? FULL_REELS : 2, rw = full ? 360 : 180, rh = full ? 640 : 320;
  int fps = full ? 24 : 8, rc;
  if (!pa_demo_have_ffmpeg()) {
    fprintf(stderr, "petamigos-demo: ffmpeg not found; seeding no reels\n");
    return PA_DEMO_OK;
  }
  for (int i = 0; i < count; i++) {
    int pet = (i * 7 + 3) % w->npets, seconds = full ? 3 + i % 4 : 3;
    pa_art_pet art = {w->pet_species[pet], w->pet_coat[pet]};
    pa_demo_clip clip;
    char vh[PA_BLOB_HASH_HEX + 1], wh[PA_BLOB_HASH_HEX + 1], ph[PA_BLOB_HASH_HEX + 1];
    if (pa_demo_reel(&art, 0x7ee1u + (uint32_t)i * 101u, rw, rh, fps, seconds, s->media_dir,
                     s->pixels, &clip, s->err, s->errlen) != 0)
      return PA_DEMO_EMEDIA;
    rc = store(s, clip.mp4, clip.mp4_len, "mp4", rw, rh, vh);
    if (rc == PA_DEMO_OK) rc = store(s, clip.webm, clip.webm_len, "webm", rw, rh, wh);
    free(clip.mp4);
    free(clip.webm);
    if (rc == PA_DEMO_OK) rc = keep_picture(s, rw, rh, ph); /* poster: the first frame */
    if (rc != PA_DEMO_OK) return rc;
    pa_store_new_reel row = {.author_id = w->user_ids[w->pet_owner[pet]],
                             .pet_id = w->pet_ids[pet],
                             .video = vh,
                             .poster = ph,
                             .video_alt = wh,
                             .caption = lines[i % COUNT(lines)],
                             .created_at = s->now - 3600 * (int64_t)(1 + i * 5)};
    if (pa_store_reels_add(s->db, &row, NULL) != PA_STORE_OK) return db_fail(s);
  }
  return PA_DEMO_OK;
}

static int seed_all(seeder *s, pa_demo_size size) {
  int full = size == PA_DEMO_FULL, rc;
  world w = {.nowners = full ? FULL_OWNERS : COUNT(owners),
             .npets = full ? FULL_PETS : COUNT(pets),
             .nposts = full ? FULL_POSTS : COUNT(posts)};
  w.user_ids = calloc((size_t)w.nowners, sizeof *w.user_ids);
  w.names = calloc((size_t)w.nowners, sizeof *w.names);
  w.pet_ids = calloc((size_t)w.npets, sizeof *w.pet_ids);
  w.pet_owner = calloc((size_t)w.npets, sizeof *w.pet_owner);
  w.pet_species = calloc((size_t)w.npets, sizeof *w.pet_species);
  w.pet_coat = calloc((size_t)w.npets, sizeof *w.pet_coat);
  w.pet_name = calloc((size_t)w.npets, sizeof *w.pet_name);
  w.post_ids = calloc((size_t)w.nposts, sizeof *w.post_ids);
  w.post_pet = calloc((size_t)w.nposts, sizeof *w.post_pet);
  if (!w.user_ids || !w.names || !w.pet_ids || !w.pet_owner || !w.pet_species || !w.pet_coat ||
      !w.pet_name || !w.post_ids || !w.post_pet) {
    snprintf(s->err, s->errlen, "out of memory");
    rc = PA_DEMO_ENOMEM;
  } else if ((rc = seed_sponsors(s, &w)) == PA_DEMO_OK && (rc = seed_owners(s, &w)) == PA_DEMO_OK &&
             (rc = seed_pets(s, &w)) == PA_DEMO_OK && (rc = seed_posts(s, &w)) == PA_DEMO_OK &&
             (rc = seed_ads(s)) == PA_DEMO_OK && (rc = seed_social(s, &w)) == PA_DEMO_OK &&
             (rc = seed_stories(s, &w, full)) == PA_DEMO_OK) {
    rc = seed_reels(s, &w, full);
  }
  free(w.user_ids);
  free(w.names);
  free(w.pet_ids);
  free(w.pet_owner);
  free(w.pet_species);
  free(w.pet_coat);
  free(w.pet_name);
  free(w.post_ids);
  free(w.post_pet);
  return rc == PA_DEMO_OK ? w.nposts : rc;
}

int pa_demo_seed(pa_store *db, const char *media_dir, pa_demo_size size, int64_t now,
                 int *posts_added, char *err, size_t errlen) {
  int64_t existing = 0;
  int rc;
  *posts_added = 0;
  if (pa_store_begin(db) != PA_STORE_OK) {
    snprintf(err, errlen, "%s", pa_store_errmsg(db));
    return PA_DEMO_EDB;
  }
  /* Counted inside the write lock, so two servers cannot both seed. */
  if (pa_store_posts_count(db, &existing) != PA_STORE_OK) {
    snprintf(err, errlen, "%s", pa_store_errmsg(db));
    pa_store_rollback(db);
    return PA_DEMO_EDB;
  }
  if (existing > 0) return pa_store_rollback(db) == PA_STORE_OK ? PA_DEMO_OK : PA_DEMO_EDB;

  seeder s = {db,  media_dir, NULL,         now, malloc((size_t)POST_W * PORTRAIT_H * 3u),
              err, errlen,    0x5eed5eedull};
  if (!s.pixels) {
    snprintf(err, errlen, "out of memory");
    pa_store_rollback(db);
    return PA_DEMO_ENOMEM;
  }
  if (pa_mstore_dir_open(media_dir, &s.media, err, errlen) != 0) {
    free(s.pixels);
    pa_store_rollback(db);
    return PA_DEMO_EMEDIA;
  }
  rc = seed_all(&s, size);
  pa_mstore_close(s.media);
  free(s.pixels);
  int added = rc > 0 ? rc : 0;
  if (rc > 0) rc = PA_DEMO_OK;
  if (rc == PA_DEMO_OK && pa_store_commit(db) != PA_STORE_OK) {
    snprintf(err, errlen, "%s", pa_store_errmsg(db));
    rc = PA_DEMO_EDB;
  }
  if (rc != PA_DEMO_OK) {
    /* Files already written stay: they are content-addressed and harmless. */
    pa_store_rollback(db);
    return rc;
  }
  *posts_added = added;
  return PA_DEMO_OK;
}
