// SPDX-License-Identifier: MIT
#include <oauthctl/http/retry_after.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace oauthctl::http;

namespace {

// 2026-10-21T07:28:00Z, the instant of the RFC's example date moved to this decade.
const auto k_now = std::chrono::system_clock::from_time_t(1792567680);

} // namespace

TEST_SUITE("http") {
  TEST_CASE("parse_retry_after: delta-seconds") {
    CHECK(parse_retry_after("120", k_now) == 120);
    CHECK(parse_retry_after("0", k_now) == 0);
    CHECK(parse_retry_after(" 5\t", k_now) == 5);
    CHECK(parse_retry_after("007", k_now) == 7);
    // Beyond 64 bits: saturates, so a caller's "longer than I wait" test still holds.
    CHECK(parse_retry_after("99999999999999999999999999", k_now) == std::numeric_limits<std::int64_t>::max());
  }

  TEST_CASE("parse_retry_after: the three HTTP-date formats of RFC 9110 section 5.6.7") {
    CHECK(parse_retry_after("Wed, 21 Oct 2026 07:28:30 GMT", k_now) == 30);     // IMF-fixdate
    CHECK(parse_retry_after("Wednesday, 21-Oct-26 07:29:00 GMT", k_now) == 60); // RFC 850
    CHECK(parse_retry_after("Wed Oct 21 07:28:05 2026", k_now) == 5);           // asctime
    // A date already past asks for no wait.
    CHECK(parse_retry_after("Tue, 20 Oct 2026 07:28:00 GMT", k_now) == 0);
  }

  TEST_CASE("parse_retry_after: hostile and malformed values are refused") {
    for (const std::string& value : std::vector<std::string>{
           "", " ", "-1", "+5", "1.5", "5s", "0x10", "1e3", "5, 6", "soon", "Wed, 99 Foo 2026 99:99:99 GMT",
           std::string(10000, 'A'), std::string(10000, '9') + "x", std::string{'1', '2', '\0', '3'},
           "Wed\r\n, 21"}) {
      CAPTURE(value.substr(0, 40));
      CHECK_FALSE(parse_retry_after(value, k_now).has_value());
    }
  }
}
