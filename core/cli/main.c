/* petamigos — the core's command-line shell, as sqlite3 is SQLite's: each
 * module exposed for scripting, debugging and benchmarks. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static int version(int argc, char **argv) {
  printf("petamigos %s\n", pa_version());
  return PA_CLI_OK;
}

static int batch(int argc, char **argv);

static const pa_cli_command COMMANDS[] = {
    {"version", "", "print the core's version", version},
    {"batch", "",
     "run one command per stdin line (arguments separated by tabs); after each one's output "
     "print \\x1e, its exit status and a newline (tests run hundreds of cases in one process)",
     batch},
    {"feed-parse", "FILE", "parse a feed page (JSON); print what was understood",
     pa_cli_feed_parse},
    {"image-info", "FILE [--meta]",
     "probe and decode an image; print format, size, checksum, frames, orientation (and metadata)",
     pa_cli_image_info},
    {"image-decode", "FILE OUT.png [--frame K | --fit BOX_W BOX_H]",
     "decode an image (upright) and write frame K, or the first downscaled to cover the box, as "
     "PNG",
     pa_cli_image_decode},
    {"image-resize", "FILE W H OUT.png",
     "decode, resize to W x H (0 keeps the aspect) and write PNG", pa_cli_image_resize},
    {"image-hash", "FILE | --decode HASH OUT.png",
     "the ThumbHash placeholder of an image, or render a hash as PNG", pa_cli_image_hash},
    {"image-prepare", "FILE OUT [--max-edge 2048] [--quality 85]",
     "prepare an upload: upright, downsized, re-encoded JPEG/PNG without metadata, plus its hash",
     pa_cli_image_prepare},
    {"image-bench", "FILE... [--iters 20] [--width 540]",
     "median decode and decode+resize times (the decode worker's path)", pa_cli_image_bench},
    {"video-scrub", "IN OUT",
     "clear an MP4/WebM video's metadata in place (udta, meta, uuid; Tags, Attachments) and write "
     "it; print what was cleared and the video's duration (ms, or unknown and why)",
     pa_cli_video_scrub},
    {"render",
     "FEED OUT.png [--width W] [--height H] [--scale S] [--media DIR] [--scroll Y] [--catalog "
     "locales/TAG.json]",
     "draw a feed with the software renderer (in the catalog's language); URL /media/NAME is read "
     "from DIR/NAME",
     pa_cli_render},
    {"plural", "LOCALE NUMBER...",
     "CLDR cardinal plural category of a decimal (\"1\" vs \"1.0\", \"1.2c3\")", pa_cli_plural},
    {"ordinal", "LOCALE NUMBER...", "CLDR ordinal plural category", pa_cli_ordinal},
    {"format", "LOCALE MESSAGE [JSON-ARGS] [--tz MIN] [--no-isolate]",
     "format an ICU MessageFormat message; on error print the fallback and exit 2", pa_cli_format},
    {"negotiate", "TAG...", "best shipped locale for tags in preference order (en if none)",
     pa_cli_negotiate},
    {"number", "LOCALE NUMBER [decimal|integer|percent|compact|currency=XXX]",
     "format a decimal number with the locale's CLDR data", pa_cli_number},
    {"date", "LOCALE MS [none|short|medium|long [TIME-STYLE]] [--tz MIN]",
     "format a time (ms since the epoch) with the locale's Gregorian patterns", pa_cli_date},
    {"relative", "LOCALE VALUE second|minute|hour|day|week|month|year|auto [--short] [--numeric]",
     "relative time (\"3 hours ago\", \"yesterday\"); auto takes seconds", pa_cli_relative},
    {"i18n",
     "check FILE... | pseudo FILE | text FILE KEY [JSON-ARGS] | render FILE [JSON-ARGS] | bench "
     "FILE [JSON-ARGS] [--seconds S] | dir TAG | locales  (text/render/bench: [--fallback FILE] "
     "[--tz MIN] [--no-isolate])",
     "catalog tools: argument signatures, pseudo-locale, lookups, every key at once, throughput, "
     "directions",
     pa_cli_i18n},
    {"rank",
     "FILE [--mode for-you|following] [--seed N] [--taste FILE] [--explain] [--limit N]"
     " [--now TIME] [--int8] [--json]",
     "rank a candidate page on the device; print the list with reasons", pa_cli_rank},
    {"rank-observe", "TASTE PAGE POST_ID:SIGNAL[:VALUE]...",
     "learn from signals (like dwell watch skip hide hide-author follow) into a taste file",
     pa_cli_rank_observe},
    {"rank-bench", "[--n 10000] [--dim 64] [--iters K] [--limit 50] [--seed N]",
     "time ranking, dot kernels and a plain copy of the embeddings (medians)", pa_cli_rank_bench},
    {"rank-eval", "[--seed N] [--users U] [--sessions S] [--candidates C] [--train-users T]",
     "offline evaluation with simulated users: NDCG@10 and recall@50 vs. baselines",
     pa_cli_rank_eval},
    {"chat-demo", "[--messages N] [--seed S]",
     "two parties through X3DH and the Double Ratchet: order, loss, tampering, replay, restore",
     pa_cli_chat_demo},
    {"chat-bench", "[--messages N] [--steps N]", "time 1 KiB encrypt+decrypt and DH-ratchet steps",
     pa_cli_chat_bench},
    {"chat-bundle", "STATE --key HEX [--opks N]",
     "print this device's prekey bundle (hex); creates STATE.identity if missing",
     pa_cli_chat_bundle},
    {"chat-encrypt", "STATE --key HEX [--bundle HEX] TEXT",
     "encrypt TEXT in STATE.session (started from --bundle); print the message (hex)",
     pa_cli_chat_encrypt},
    {"chat-decrypt", "STATE --key HEX MESSAGE_HEX",
     "decrypt a message (accepting a session start if no session); print the text",
     pa_cli_chat_decrypt},
    {"chat-safety", "STATE --key HEX --me ID --peer ID", "print the session's safety number",
     pa_cli_chat_safety},
    {"chat-attach", "encrypt IN OUT | decrypt KEY_HEX IN OUT",
     "encrypt an attachment (prints key+header hex) or decrypt one", pa_cli_chat_attach},
};

enum {
  PA_CLI_BATCH_LINE_MAX = 4096, /* bytes of one batch line, with its newline */
  PA_CLI_BATCH_ARGS_MAX = 32    /* arguments on one batch line, the command's name included */
};

static int run(int argc, char **argv);

/* Each line is a command and its arguments, tab-separated; a line too long,
 * with too many arguments or naming batch itself is a usage error for that
 * line alone. Output is flushed after each record so a reader that waits for
 * \x1e never waits for a buffer. */
static int batch(int argc, char **argv) {
  (void)argv;
  if (argc != 1) return PA_CLI_USAGE;
  static char line[PA_CLI_BATCH_LINE_MAX + 1]; /* and the NUL */
  while (fgets(line, sizeof line, stdin)) {
    size_t n = strlen(line);
    int rc = PA_CLI_USAGE, words = 0;
    char *args[PA_CLI_BATCH_ARGS_MAX + 1];
    if (n && line[n - 1] == '\n') {
      line[--n] = '\0';
      for (char *p = line; p && words <= PA_CLI_BATCH_ARGS_MAX; words++) {
        if (words < PA_CLI_BATCH_ARGS_MAX) args[words] = p;
        p = strchr(p, '\t');
        if (p) *p++ = '\0';
      }
      if (words <= PA_CLI_BATCH_ARGS_MAX && strcmp(args[0], "batch") != 0) {
        args[words] = NULL;
        rc = run(words, args);
      }
    } else {
      fputs("batch: line too long or not ended by a newline\n", stderr);
      int c;
      while (n && line[n - 1] != '\n' && (c = getchar()) != EOF && c != '\n') {
      }
    }
    printf("\x1e%d\n", rc);
    fflush(stdout);
    fflush(stderr);
  }
  return PA_CLI_OK;
}

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

/* argv[0] is the command's name. */
static int run(int argc, char **argv) {
  for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
    if (!strcmp(argv[0], COMMANDS[i].name)) {
      int rc = COMMANDS[i].run(argc, argv);
      return rc == PA_CLI_USAGE ? usage() : rc;
    }
  return usage();
}

int main(int argc, char **argv) {
  if (argc < 2) return usage();
  return run(argc - 1, argv + 1);
}
