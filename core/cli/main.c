/* petamigos — the core's command-line shell, as sqlite3 is SQLite's: each
 * module exposed for scripting, debugging and benchmarks. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int version(int argc, char **argv) {
  printf("petamigos %s\n", pa_version());
  return PA_CLI_OK;
}

static const pa_cli_command COMMANDS[] = {
    {"version", "", "print the core's version", version},
    {"feed-parse", "FILE", "parse a feed page (JSON); print what was understood", pa_cli_feed_parse},
    {"image-info", "FILE", "probe and decode an image; print format, size and pixel checksum",
     pa_cli_image_info},
    {"render", "FEED OUT.png [--width W] [--height H] [--scale S] [--media DIR] [--scroll Y]",
     "draw a feed with the software renderer; URL /media/NAME is read from DIR/NAME",
     pa_cli_render},
};

int pa_cli_fail(const pa_error *e) {
  fprintf(stderr, "error (%s): %s\n", pa_status_name(e->code), e->msg);
  return e->code == PA_ERR_PLATFORM || e->code == PA_ERR_NOMEM ? PA_CLI_HOST : PA_CLI_BAD_INPUT;
}

static int usage(void) {
  fputs("usage: petamigos COMMAND [ARGS]\n", stderr);
  for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
    fprintf(stderr, "  %s %s\n      %s\n", COMMANDS[i].name, COMMANDS[i].args, COMMANDS[i].help);
  fputs("exit status: 0 ok, 1 usage, 2 bad input, 3 host failure\n", stderr);
  return PA_CLI_USAGE;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage();
  for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
    if (!strcmp(argv[1], COMMANDS[i].name)) {
      int rc = COMMANDS[i].run(argc - 1, argv + 1);
      return rc == PA_CLI_USAGE ? usage() : rc;
    }
  return usage();
}
