/* libFuzzer target: the marketplace's listings page parser (pa_listings.h)
 * over arbitrary bytes, and the price of every listing it accepts formatted
 * as the browse grid does (pa_num_format_minor). */
#include "pa/pa_listings.h"
#include "pa/pa_numfmt.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pa_listings *page = NULL;
  pa_error err;
  if (pa_listings_parse((const char *)data, size, &page, &err) == PA_OK) {
    char buf[96];
    for (int i = 0; i < pa_listings_count(page); i++) {
      const pa_listing *l = pa_listings_at(page, i);
      pa_num_format_minor(i % 2 ? "bn" : "de", l->price_minor, l->currency, buf, sizeof buf, &err);
    }
    pa_listings_free(page);
  }
  return 0;
}
