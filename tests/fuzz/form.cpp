// SPDX-License-Identifier: MIT
// application/x-www-form-urlencoded bodies and query strings (token requests, redirect
// callbacks, authorize requests), and percent-decoding on its own.
//
// Input: the body or query, as sent.

#include "fuzz_support.hpp"

#include <oauthctl/util/form.hpp>

using namespace oauthctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  (void)util::percent_decode(text, false);
  (void)util::percent_decode(text, true);
  const auto fields = util::form_decode(text);
  if (!fields) {
    return 0;
  }
  for (const auto& [name, value] : *fields) {
    FUZZ_CHECK(util::form_count(*fields, name) >= 1);
    FUZZ_CHECK(util::form_get(*fields, name).has_value());
  }
  // Encoding what was decoded and decoding it again gives the same fields; the encoding
  // holds no '+' (RFC 6749 Appendix B) and round-trips through percent_decode.
  const auto encoded = util::form_encode(*fields);
  FUZZ_CHECK(encoded.find('+') == std::string::npos);
  const auto again = util::form_decode(encoded);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *fields);
  for (const auto& [name, value] : *fields) {
    const auto round_trip = util::percent_decode(util::percent_encode(value), true);
    FUZZ_CHECK(round_trip && *round_trip == value);
  }
  return 0;
}
