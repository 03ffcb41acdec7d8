/* image-info: the pa_image module from the shell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pa/pa_image.h"
#include "pa_native.h"

int pa_cli_image_info(int argc, char **argv) {
  if (argc != 2) return PA_CLI_USAGE;
  const char *path = argv[1];
  pa_error e;
  uint8_t *bytes;
  size_t len;
  pa_image_info info;
  pa_image img;
  pa_image_limits lim = PA_IMAGE_LIMITS_DEFAULT;
  if (pa_native_read_file(path, lim.max_bytes, &bytes, &len, &e) != PA_OK) return pa_cli_fail(&e);
  pa_status st = pa_image_probe(bytes, len, &info, &e);
  if (st == PA_OK) st = pa_image_decode(bytes, len, &lim, &img, &e);
  free(bytes);
  if (st != PA_OK) return pa_cli_fail(&e);
  printf("%s %dx%d rgba checksum %08x\n", pa_image_format_name(info.format), img.width,
         img.height, pa_image_checksum(&img));
  pa_image_free(&img);
  return 0;
}

