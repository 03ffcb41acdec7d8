/* The one translation unit that compiles the stb libraries the native host
 * uses: text rasterising and image writing, both on our own trusted data. */
#define STB_TRUETYPE_IMPLEMENTATION
#include <stb_truetype.h>
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
