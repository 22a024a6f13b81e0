// SPDX-License-Identifier: MIT
#include <oauthctl/util/text.hpp>

#include <doctest/doctest.h>

using namespace oauthctl::util;

TEST_SUITE("util") {
  TEST_CASE("html_escape") {
    CHECK(html_escape(R"(<a href="x">'&'</a>)") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    CHECK(html_escape("plain") == "plain");
  }

  TEST_CASE("printable_line") {
    CHECK(printable_line("ok") == "ok");
    CHECK(printable_line("a\x1b[31mred\nnext") == "a [31mred next");
    CHECK(printable_line(std::string(400, 'x'), 10) == "xxxxxxxxxx...");
  }
}
