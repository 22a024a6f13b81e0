// SPDX-License-Identifier: MIT
#include <oauthctl/util/json_render.hpp>

#include <doctest/doctest.h>

using namespace oauthctl;

TEST_SUITE("util") {
  TEST_CASE("render_json: indented, compact, coloured") {
    const auto value = nlohmann::ordered_json::parse(R"({"b":[1,true,null],"a":{"k":"v"},"e":{},"f":[]})");
    CHECK(util::render_json(value, {.indent = false, .colour = false}) ==
          R"({"b":[1,true,null],"a":{"k":"v"},"e":{},"f":[]})");
    // The same layout as nlohmann's dump(2), in the document's own key order.
    CHECK(util::render_json(value, {.indent = true, .colour = false}) == value.dump(2));
    CHECK(util::render_json(value, {.indent = true, .colour = false}).rfind("{\n  \"b\": [\n    1,", 0) == 0);
    // jq's colours: keys bold blue, strings green, the rest plain.
    CHECK(util::render_json(nlohmann::json{{"k", "v"}, {"n", 2}}, {.indent = false, .colour = true}) ==
          "{\x1b[34;1m\"k\"\x1b[0m:\x1b[32m\"v\"\x1b[0m,\x1b[34;1m\"n\"\x1b[0m:2}");
    CHECK(util::render_json(nlohmann::json("x"), {.indent = true, .colour = true}) == "\x1b[32m\"x\"\x1b[0m");
  }

  TEST_CASE("render_json: escapes and invalid UTF-8 from a server") {
    // A server's string must not write escape sequences to the terminal or stop the output.
    const nlohmann::json value{{"s", std::string("\x1b[31mred\n\xff")}};
    const auto text = util::render_json(value, {.indent = false, .colour = false});
    CHECK(text == "{\"s\":\"\\u001b[31mred\\n\xef\xbf\xbd\"}");
  }
}
