/* libFuzzer target: the message parser and formatter, the catalog parser
 * and the number reader over arbitrary bytes.
 *
 * Input: byte 0 picks the locale (the 20 shipped ones and en-XA); the rest is
 * the message, optionally followed by a NUL and a JSON object of arguments
 * (without one, a fixed set of every argument type is used). Besides "no
 * crash, no leak, no UB" it checks properties: formatting always yields
 * text within the limits (the raw message or U+FFFD on error), and a message
 * that parses still parses, with the same signature, once pseudo-localized. */
#include "pa/pa_i18n.h"
#include "pa/pa_msgfmt.h"
#include "pa/pa_numfmt.h"
#include "pa/pa_plural.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char out[PA_MSG_MAX_OUTPUT + 1];
static char sig[PA_MSG_MAX_OUTPUT + 1], sig2[PA_MSG_MAX_OUTPUT + 1];
static char pseudo[4 * PA_MSG_MAX_OUTPUT + 1];

static void format_checked(const char *locale, const char *msg, const pa_msg_arg *args, size_t n,
                           unsigned flags) {
  pa_error err;
  pa_msg_options opts = {330, flags};
  size_t need = pa_msg_format(locale, msg, args, n, &opts, out, sizeof out, &err);
  if (need >= sizeof out || strlen(out) != need) abort(); /* output over the limit */
  if (err.code != PA_OK && strcmp(out, msg) && strcmp(out, "\xef\xbf\xbd")) abort();
  if (err.code != PA_OK && !err.msg[0]) abort(); /* an error always says why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 2 * PA_MSG_MAX_BYTES) return 0;
  int pick = data[0] % (pa_i18n_locale_count() + 1);
  const char *locale =
      pick < pa_i18n_locale_count() ? pa_i18n_locale_at(pick) : pa_i18n_pseudo_locale();
  char *text = malloc(size);
  if (!text) return 0;
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  size_t text_len = size - 1, msg_len = strlen(text);
  const char *json = msg_len < text_len ? text + msg_len + 1 : NULL; /* after the NUL */
  size_t json_len = json ? text_len - msg_len - 1 : 0;

  /* The message with every kind of argument, or the fuzzer's own. */
  pa_msg_arg fixed[] = {PA_MSG_INT("count", 21),
                        PA_MSG_DEC("n", "1.50"),
                        PA_MSG_DBL("x", -1234.5),
                        PA_MSG_STR("name", "\xd7\xa9\xd7\x9c"),
                        PA_MSG_TIME("t", INT64_C(1795969800000)),
                        PA_MSG_STR("s", "other"),
                        PA_MSG_STR("num", "3"),
                        PA_MSG_INT("big", INT64_MIN)};
  format_checked(locale, text, fixed, sizeof fixed / sizeof fixed[0], 0);
  pa_msg_args *args = NULL;
  pa_error err;
  if (json_len && pa_msg_args_parse(json, json_len, &args, &err) == PA_OK) {
    size_t n;
    const pa_msg_arg *items = pa_msg_args_items(args, &n);
    format_checked(locale, text, items, n, PA_MSG_NO_ISOLATE);
    pa_msg_args_free(args);
  }

  /* Check, signature and pseudo agree with each other. */
  pa_status checked = pa_msg_check(text, &err);
  pa_msg_signature(text, sig, sizeof sig, &err);
  if ((err.code == PA_OK) != (checked == PA_OK)) abort();
  if (checked == PA_OK) {
    size_t need = pa_msg_pseudo(text, pseudo, sizeof pseudo, &err);
    if (err.code != PA_OK && err.code != PA_ERR_TOO_LARGE) abort();
    if (err.code == PA_OK && need < sizeof pseudo) {
      if (pa_msg_check(pseudo, &err) != PA_OK && err.code != PA_ERR_TOO_LARGE) abort();
      if (err.code == PA_OK) {
        pa_msg_signature(pseudo, sig2, sizeof sig2, &err);
        if (err.code == PA_OK && strcmp(sig, sig2)) abort();
      }
    }
  }

  /* The same bytes as a catalog, a number and a tag. */
  pa_i18n_catalog *cat = NULL;
  if (pa_i18n_catalog_parse(locale, (const char *)data + 1, size - 1, &cat, &err) == PA_OK) {
    if (pa_i18n_catalog_count(cat) > 0)
      pa_i18n_text(cat, NULL, pa_i18n_catalog_key_at(cat, 0), fixed, 8, NULL, out, sizeof out,
                   &err);
    pa_i18n_catalog_free(cat);
  }
  if (size - 1 < 64) {
    pa_plural_category c;
    pa_plural_select_str(locale, PA_PLURAL_ORDINAL, text, &c, &err);
    pa_num_format(locale, text, (pa_num_style)(data[0] % 5), "EUR", out, sizeof out, &err);
    pa_i18n_resolve(text);
    pa_i18n_is_rtl(text);
  }
  free(text);
  return 0;
}
