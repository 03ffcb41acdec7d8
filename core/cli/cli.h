/* The CLI's command table: each module's subcommands live in cli/cmd_NAME.c. */
#ifndef PA_CLI_H
#define PA_CLI_H

#include "pa/pa_status.h"

/* Exit codes: 0 ok, 1 usage, 2 bad input, 3 host failure. */
enum { PA_CLI_OK = 0, PA_CLI_USAGE = 1, PA_CLI_BAD_INPUT = 2, PA_CLI_HOST = 3 };

typedef struct pa_cli_command {
  const char *name;
  const char *args; /* for the usage text */
  const char *help;
  int (*run)(int argc, char **argv); /* argv[0] is the command name */
} pa_cli_command;

/* Prints "error (NAME): MESSAGE" and returns the matching exit code. */
int pa_cli_fail(const pa_error *err);

/* The benchmarks' monotonic clock, in ms. */
double pa_cli_now_ms(void);
/* The median of v[0..n) (n >= 1); sorts v in place. */
double pa_cli_median(double *v, int n);

int pa_cli_feed_parse(int argc, char **argv);
int pa_cli_image_info(int argc, char **argv);
int pa_cli_image_decode(int argc, char **argv);
int pa_cli_image_resize(int argc, char **argv);
int pa_cli_image_hash(int argc, char **argv);
int pa_cli_image_prepare(int argc, char **argv);
int pa_cli_image_bench(int argc, char **argv);
int pa_cli_video_scrub(int argc, char **argv);
int pa_cli_render(int argc, char **argv);
int pa_cli_plural(int argc, char **argv);
int pa_cli_ordinal(int argc, char **argv);
int pa_cli_format(int argc, char **argv);
int pa_cli_negotiate(int argc, char **argv);
int pa_cli_number(int argc, char **argv);
int pa_cli_date(int argc, char **argv);
int pa_cli_relative(int argc, char **argv);
int pa_cli_i18n(int argc, char **argv);
int pa_cli_rank(int argc, char **argv);
int pa_cli_rank_observe(int argc, char **argv);
int pa_cli_rank_bench(int argc, char **argv);
int pa_cli_rank_eval(int argc, char **argv);

int pa_cli_chat_demo(int argc, char **argv);
int pa_cli_chat_bench(int argc, char **argv);
int pa_cli_chat_bundle(int argc, char **argv);
int pa_cli_chat_encrypt(int argc, char **argv);
int pa_cli_chat_decrypt(int argc, char **argv);
int pa_cli_chat_safety(int argc, char **argv);
int pa_cli_chat_attach(int argc, char **argv);

#endif
