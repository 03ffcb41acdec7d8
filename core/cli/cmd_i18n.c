/* plural, ordinal, format, negotiate, number, date, relative, i18n: the
 * i18n modules from the shell. The WASM exports (core/wasm/wasm_i18n.c)
 * print the same text, which tests/wasm/i18n.test.mjs checks. */
#include "cli.h"
#include "pa/pa_i18n.h"
#include "pa/pa_msgfmt.h"
#include "pa/pa_numfmt.h"
#include "pa/pa_plural.h"
#include "pa_native.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Big enough for any formatted message (PA_MSG_MAX_OUTPUT) and its NUL. */
static char out_buf[PA_MSG_MAX_OUTPUT + 1];

static int finish(size_t need, const pa_error *e) {
  if (need < sizeof out_buf) {
    fputs(out_buf, stdout);
    fputc('\n', stdout);
  }
  return e->code == PA_OK ? PA_CLI_OK : pa_cli_fail(e);
}

/* One category name per NUMBER, one per line; several numbers in one run
 * keep the WASM comparison test fast. A bad number stops with its error. */
static int plural_cmd(int argc, char **argv, pa_plural_type type) {
  if (argc < 3) return PA_CLI_USAGE;
  for (int k = 2; k < argc; k++) {
    pa_plural_category cat;
    pa_error e;
    if (pa_plural_select_str(argv[1], type, argv[k], &cat, &e) != PA_OK) return pa_cli_fail(&e);
    puts(pa_plural_category_name(cat));
  }
  return PA_CLI_OK;
}

int pa_cli_plural(int argc, char **argv) { return plural_cmd(argc, argv, PA_PLURAL_CARDINAL); }
int pa_cli_ordinal(int argc, char **argv) { return plural_cmd(argc, argv, PA_PLURAL_ORDINAL); }

/* Parses "--tz MIN" and "--no-isolate" out of argv; returns the rest's count. */
static int options(int argc, char **argv, pa_msg_options *opts) {
  int n = 0;
  for (int k = 0; k < argc; k++) {
    if (!strcmp(argv[k], "--tz") && k + 1 < argc)
      opts->tz_offset_minutes = atoi(argv[++k]);
    else if (!strcmp(argv[k], "--no-isolate"))
      opts->flags |= PA_MSG_NO_ISOLATE;
    else
      argv[n++] = argv[k];
  }
  return n;
}

int pa_cli_format(int argc, char **argv) {
  pa_msg_options opts = {0, 0};
  argc = options(argc, argv, &opts);
  if (argc != 3 && argc != 4) return PA_CLI_USAGE;
  pa_error e;
  pa_msg_args *args;
  const char *json = argc == 4 ? argv[3] : "";
  if (pa_msg_args_parse(json, strlen(json), &args, &e) != PA_OK) return pa_cli_fail(&e);
  size_t n;
  const pa_msg_arg *items = pa_msg_args_items(args, &n);
  size_t need = pa_msg_format(argv[1], argv[2], items, n, &opts, out_buf, sizeof out_buf, &e);
  pa_msg_args_free(args);
  return finish(need, &e);
}

int pa_cli_negotiate(int argc, char **argv) {
  if (argc < 1) return PA_CLI_USAGE;
  puts(pa_i18n_negotiate((const char *const *)argv + 1, (size_t)(argc - 1)));
  return PA_CLI_OK;
}

int pa_cli_number(int argc, char **argv) {
  if (argc != 3 && argc != 4) return PA_CLI_USAGE;
  const char *style = argc == 4 ? argv[3] : "decimal";
  pa_num_style st;
  const char *currency = NULL;
  if (!strcmp(style, "decimal"))
    st = PA_NUM_DECIMAL;
  else if (!strcmp(style, "integer"))
    st = PA_NUM_INTEGER;
  else if (!strcmp(style, "percent"))
    st = PA_NUM_PERCENT;
  else if (!strcmp(style, "compact"))
    st = PA_NUM_COMPACT;
  else if (!strncmp(style, "currency=", 9))
    st = PA_NUM_CURRENCY, currency = style + 9;
  else
    return PA_CLI_USAGE;
  pa_error e;
  return finish(pa_num_format(argv[1], argv[2], st, currency, out_buf, sizeof out_buf, &e), &e);
}

static bool date_style(const char *s, pa_date_style *out) {
  static const char *const NAMES[] = {"none", "short", "medium", "long"};
  for (int k = 0; k < 4; k++)
    if (!strcmp(s, NAMES[k])) {
      *out = (pa_date_style)k;
      return true;
    }
  return false;
}

int pa_cli_date(int argc, char **argv) {
  pa_msg_options opts = {0, 0};
  argc = options(argc, argv, &opts);
  if (argc < 3 || argc > 5) return PA_CLI_USAGE;
  pa_date_style date = PA_DATE_MEDIUM, time = PA_DATE_NONE;
  if ((argc > 3 && !date_style(argv[3], &date)) || (argc > 4 && !date_style(argv[4], &time)))
    return PA_CLI_USAGE;
  char *end;
  long long ms = strtoll(argv[2], &end, 10);
  if (*end || end == argv[2]) return PA_CLI_USAGE;
  pa_error e;
  return finish(
      pa_date_format(argv[1], ms, opts.tz_offset_minutes, date, time, out_buf, sizeof out_buf, &e),
      &e);
}

int pa_cli_relative(int argc, char **argv) {
  static const char *const UNITS[] = {"second", "minute", "hour", "day", "week", "month", "year"};
  unsigned flags = 0;
  int n = 0;
  for (int k = 0; k < argc; k++) {
    if (!strcmp(argv[k], "--short"))
      flags |= PA_DATE_REL_SHORT;
    else if (!strcmp(argv[k], "--numeric"))
      flags |= PA_DATE_REL_NUMERIC;
    else
      argv[n++] = argv[k];
  }
  if (n != 4) return PA_CLI_USAGE;
  char *end;
  long long v = strtoll(argv[2], &end, 10);
  if (*end || end == argv[2]) return PA_CLI_USAGE;
  pa_error e;
  if (!strcmp(argv[3], "auto"))
    return finish(pa_date_relative_seconds(argv[1], v, flags, out_buf, sizeof out_buf, &e), &e);
  for (int u = 0; u < 7; u++)
    if (!strcmp(argv[3], UNITS[u]))
      return finish(
          pa_date_relative(argv[1], v, (pa_date_unit)u, flags, out_buf, sizeof out_buf, &e), &e);
  return PA_CLI_USAGE;
}

/* ---- i18n SUBCOMMAND: catalog tools */

/* The locale a catalog file is for: its name without ".json". */
static void locale_of(const char *path, char *tag, size_t cap) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  snprintf(tag, cap, "%s", base);
  char *dot = strstr(tag, ".json");
  if (dot) *dot = '\0';
}

static pa_status load(const char *path, uint8_t **bytes, size_t *len, pa_i18n_catalog **cat,
                      pa_error *e) {
  char tag[PA_I18N_TAG_MAX + 1];
  locale_of(path, tag, sizeof tag);
  pa_status st = pa_native_read_file(path, PA_I18N_CATALOG_MAX_BYTES + 1, bytes, len, e);
  if (st != PA_OK) return st;
  st = pa_i18n_catalog_parse(tag, (const char *)*bytes, *len, cat, e);
  if (st != PA_OK) {
    free(*bytes);
    *bytes = NULL;
  }
  return st;
}

/* "check FILE": one line per key, KEY TAB signature-JSON, or KEY TAB error. */
static int check(const char *path) {
  uint8_t *bytes;
  size_t len;
  pa_i18n_catalog *cat;
  pa_error e;
  if (load(path, &bytes, &len, &cat, &e) != PA_OK) return pa_cli_fail(&e);
  int bad = 0;
  for (int k = 0; k < pa_i18n_catalog_count(cat); k++) {
    const char *key = pa_i18n_catalog_key_at(cat, k);
    pa_msg_signature(pa_i18n_catalog_get(cat, key), out_buf, sizeof out_buf, &e);
    if (e.code == PA_OK) {
      printf("%s\t%s\n", key, out_buf);
    } else {
      printf("%s\terror (%s): %s\n", key, pa_status_name(e.code), e.msg);
      bad++;
    }
  }
  pa_i18n_catalog_free(cat);
  free(bytes);
  return bad ? PA_CLI_BAD_INPUT : PA_CLI_OK;
}

static void json_string(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      printf("\\%c", *p);
    else if (*p == '\n')
      fputs("\\n", stdout);
    else if (*p < 0x20)
      printf("\\u%04x", *p);
    else
      putchar(*p);
  }
  putchar('"');
}

/* "pseudo FILE": the catalog as JSON with every message pseudo-localized. */
static int pseudo(const char *path) {
  uint8_t *bytes;
  size_t len;
  pa_i18n_catalog *cat;
  pa_error e;
  if (load(path, &bytes, &len, &cat, &e) != PA_OK) return pa_cli_fail(&e);
  int rc = PA_CLI_OK;
  fputs("{\n", stdout);
  for (int k = 0; k < pa_i18n_catalog_count(cat); k++) {
    const char *key = pa_i18n_catalog_key_at(cat, k);
    if (pa_msg_pseudo(pa_i18n_catalog_get(cat, key), out_buf, sizeof out_buf, &e) >=
            sizeof out_buf ||
        e.code != PA_OK) {
      fprintf(stderr, "%s: ", key);
      rc = pa_cli_fail(&e);
      break;
    }
    fputs("  ", stdout);
    json_string(key);
    fputs(": ", stdout);
    json_string(out_buf);
    fputs(k + 1 < pa_i18n_catalog_count(cat) ? ",\n" : "\n", stdout);
  }
  fputs("}\n", stdout);
  pa_i18n_catalog_free(cat);
  free(bytes);
  return rc;
}

/* Splits "--fallback FILE", "--seconds S", "--tz MIN" and "--no-isolate"
 * out of argv; returns the count of what is left. */
static int catalog_options(int argc, char **argv, const char **fallback, double *seconds,
                           pa_msg_options *opts) {
  int n = 0;
  for (int k = 0; k < argc; k++) {
    if (!strcmp(argv[k], "--fallback") && k + 1 < argc)
      *fallback = argv[++k];
    else if (!strcmp(argv[k], "--seconds") && k + 1 < argc)
      *seconds = atof(argv[++k]);
    else
      argv[n++] = argv[k];
  }
  return options(n, argv, opts);
}

typedef struct loaded {
  uint8_t *bytes, *fbytes;
  pa_i18n_catalog *cat, *fallback;
  pa_msg_args *args;
} loaded;

static void unload(loaded *l) {
  pa_msg_args_free(l->args);
  pa_i18n_catalog_free(l->cat);
  pa_i18n_catalog_free(l->fallback);
  free(l->bytes);
  free(l->fbytes);
}

/* Loads FILE, the fallback catalog (if any) and the JSON arguments. */
static pa_status load_all(const char *path, const char *fallback_path, const char *json, loaded *l,
                          pa_error *e) {
  size_t len, flen;
  memset(l, 0, sizeof *l);
  pa_status st = load(path, &l->bytes, &len, &l->cat, e);
  if (st == PA_OK && fallback_path) st = load(fallback_path, &l->fbytes, &flen, &l->fallback, e);
  if (st == PA_OK) st = pa_msg_args_parse(json, strlen(json), &l->args, e);
  if (st != PA_OK) unload(l);
  return st;
}

/* The shape text and render share: "CMD FILE <fixed - 2 more> [JSON-ARGS]
 * [--fallback FILE]", all of it loaded into l. PA_CLI_OK, or the exit code
 * (l then holds nothing to unload). */
static int open_all(int argc, char **argv, int fixed, loaded *l, pa_msg_options *opts) {
  const char *fallback_path = NULL;
  double seconds = 0;
  int n = catalog_options(argc, argv, &fallback_path, &seconds, opts);
  if (n != fixed && n != fixed + 1) return PA_CLI_USAGE;
  pa_error e;
  if (load_all(argv[1], fallback_path, n == fixed + 1 ? argv[fixed] : "", l, &e) != PA_OK)
    return pa_cli_fail(&e);
  return PA_CLI_OK;
}

/* "text FILE KEY [JSON-ARGS] [--fallback FILE]": one key, as the app asks. */
static int text(int argc, char **argv) {
  pa_msg_options opts = {0, 0};
  loaded l;
  pa_error e;
  int rc = open_all(argc, argv, 3, &l, &opts);
  if (rc != PA_CLI_OK) return rc;
  size_t count;
  const pa_msg_arg *items = pa_msg_args_items(l.args, &count);
  rc = finish(
      pa_i18n_text(l.cat, l.fallback, argv[2], items, count, &opts, out_buf, sizeof out_buf, &e),
      &e);
  unload(&l);
  return rc;
}

/* "render FILE [JSON-ARGS] [--fallback FILE]": every key formatted with the
 * same arguments, as one JSON object; problems go to stderr, exit 2. */
static int render(int argc, char **argv) {
  pa_msg_options opts = {0, 0};
  loaded l;
  pa_error e;
  int rc = open_all(argc, argv, 2, &l, &opts);
  if (rc != PA_CLI_OK) return rc;
  size_t count;
  const pa_msg_arg *items = pa_msg_args_items(l.args, &count);
  int bad = 0;
  fputs("{\n", stdout);
  for (int k = 0; k < pa_i18n_catalog_count(l.cat); k++) {
    const char *key = pa_i18n_catalog_key_at(l.cat, k);
    pa_i18n_text(l.cat, l.fallback, key, items, count, &opts, out_buf, sizeof out_buf, &e);
    if (e.code != PA_OK) {
      fprintf(stderr, "%s: error (%s): %s\n", key, pa_status_name(e.code), e.msg);
      bad++;
    }
    fputs("  ", stdout);
    json_string(key);
    fputs(": ", stdout);
    json_string(out_buf);
    fputs(k + 1 < pa_i18n_catalog_count(l.cat) ? ",\n" : "\n", stdout);
  }
  fputs("}\n", stdout);
  unload(&l);
  return bad ? PA_CLI_BAD_INPUT : PA_CLI_OK;
}

static double now_seconds(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "bench FILE [JSON-ARGS] [--seconds S]": formats every key round after
 * round for about S seconds (default 1) and prints the throughput. */
static int bench(int argc, char **argv) {
  const char *fallback_path = NULL;
  double seconds = 1;
  pa_msg_options opts = {0, 0};
  int n = catalog_options(argc, argv, &fallback_path, &seconds, &opts);
  if ((n != 2 && n != 3) || !(seconds > 0)) return PA_CLI_USAGE;
  loaded l;
  pa_error e;
  if (load_all(argv[1], fallback_path, n == 3 ? argv[2] : "", &l, &e) != PA_OK)
    return pa_cli_fail(&e);
  size_t count;
  const pa_msg_arg *items = pa_msg_args_items(l.args, &count);
  long long messages = 0;
  size_t bytes = 0;
  double start = now_seconds(), elapsed = 0;
  while (elapsed < seconds) {
    for (int k = 0; k < pa_i18n_catalog_count(l.cat); k++)
      bytes += pa_i18n_text(l.cat, l.fallback, pa_i18n_catalog_key_at(l.cat, k), items, count,
                            &opts, out_buf, sizeof out_buf, NULL);
    messages += pa_i18n_catalog_count(l.cat);
    elapsed = now_seconds() - start;
  }
  printf("%s: %lld messages (%zu bytes) in %.3f s: %.0f messages/s\n",
         pa_i18n_catalog_locale(l.cat), messages, bytes, elapsed, (double)messages / elapsed);
  unload(&l);
  return PA_CLI_OK;
}

/* "locales": each shipped locale with its cardinal and ordinal categories. */
static int locales(void) {
  for (int k = 0; k <= pa_i18n_locale_count(); k++) {
    const char *tag = k < pa_i18n_locale_count() ? pa_i18n_locale_at(k) : pa_i18n_pseudo_locale();
    printf("%s %s", tag, pa_i18n_is_rtl(tag) ? "rtl" : "ltr");
    for (int t = 0; t < 2; t++) {
      unsigned mask = pa_plural_categories(tag, (pa_plural_type)t);
      const char *sep = " ";
      for (int c = 0; c <= PA_PLURAL_OTHER; c++)
        if (mask & (1u << c)) {
          printf("%s%s", sep, pa_plural_category_name((pa_plural_category)c));
          sep = ",";
        }
    }
    putchar('\n');
  }
  return PA_CLI_OK;
}

int pa_cli_i18n(int argc, char **argv) {
  if (argc < 2) return PA_CLI_USAGE;
  const char *sub = argv[1];
  if (!strcmp(sub, "check") && argc >= 3) {
    int rc = PA_CLI_OK;
    for (int k = 2; k < argc; k++) {
      int r = check(argv[k]);
      if (r != PA_CLI_OK) rc = r;
    }
    return rc;
  }
  if (!strcmp(sub, "pseudo") && argc == 3) return pseudo(argv[2]);
  if (!strcmp(sub, "text")) return text(argc - 1, argv + 1);
  if (!strcmp(sub, "render")) return render(argc - 1, argv + 1);
  if (!strcmp(sub, "bench")) return bench(argc - 1, argv + 1);
  if (!strcmp(sub, "dir") && argc == 3) {
    puts(pa_i18n_is_rtl(argv[2]) ? "rtl" : "ltr");
    return PA_CLI_OK;
  }
  if (!strcmp(sub, "locales") && argc == 2) return locales();
  return PA_CLI_USAGE;
}
