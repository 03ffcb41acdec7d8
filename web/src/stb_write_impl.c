/* The one translation unit that compiles stb_image_write (Debian's libstb-dev).
 * We only encode to memory, so stdio support stays out. */
#define STBI_WRITE_NO_STDIO
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
