// SPDX-License-Identifier: MIT
#include "cli/commands/token_argument.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace oauthctl;
using namespace oauthctl::cli;

TEST_SUITE("cli.token_argument") {
  TEST_CASE("relative_time") {
    CHECK(relative_time(100, 100) == "now");
    CHECK(relative_time(130, 100) == "in 30 s");
    CHECK(relative_time(70, 100) == "30 s ago");
    CHECK(relative_time(100 + 3599, 100) == "in 59 min");
    CHECK(relative_time(100 - 180, 100) == "3 min ago");
    CHECK(relative_time(100 + 3600, 100) == "in 1 h");
    CHECK(relative_time(100 + 7500, 100) == "in 2 h 5 min");
    CHECK(relative_time(100 - 3 * 86400, 100) == "3 days ago");
  }

  TEST_CASE("read_token_argument: the text, or one line of stdin for -") {
    std::istringstream in("from-stdin\r\nsecond\n");
    std::ostringstream out;
    std::ostringstream err;
    Io io{in, out, err, {}};
    CHECK(read_token_argument(io, "abc") == "abc");
    CHECK(read_token_argument(io, "-") == "from-stdin");
    const auto missing = read_token_argument(io, "");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().kind == util::ErrorKind::usage);
    std::istringstream empty;
    Io none{empty, out, err, {}};
    const auto nothing = read_token_argument(none, "-");
    REQUIRE_FALSE(nothing.has_value());
    CHECK(nothing.error().kind == util::ErrorKind::usage);
  }
}
