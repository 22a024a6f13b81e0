// SPDX-License-Identifier: MIT
// util::JsonObjectWriter: the text it writes parses back to what was written, and its
// strings are escaped exactly as nlohmann's dump() escapes them.
#include <oauthctl/util/json_writer.hpp>

#include <doctest/doctest.h>

#include <limits>

using oauthctl::util::append_json_string;
using oauthctl::util::JsonObjectWriter;
using Json = nlohmann::json;

namespace {

std::string writer_quoted(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::string nlohmann_quoted(std::string_view text) {
  return Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace

TEST_SUITE("util.json_writer") {
  TEST_CASE("strings are escaped as nlohmann escapes them") {
    const std::string every_control = [] {
      std::string s;
      for (int c = 0; c < 0x20; ++c) {
        s += static_cast<char>(c);
      }
      return s;
    }();
    for (const std::string& text :
         {std::string(), std::string("system/Patient.read"), std::string(R"(say "hi" \ bye)"), every_control,
          std::string("tab\there\nnew line\x7f"), std::string("/slash/ stays"),
          std::string("caf\xc3\xa9 \xe2\x9c\x93"), std::string("bad \xff utf-8 \xc3"),
          std::string("\xed\xa0\x80 surrogate"), std::string("nul\0in", 6),
          std::string("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_")}) {
      CAPTURE(text);
      CHECK(writer_quoted(text) == nlohmann_quoted(text));
    }
  }

  TEST_CASE("an object parses back to its fields, in the order written") {
    const auto text = JsonObjectWriter()
                        .string("access_token", "a.b.c")
                        .string("token_type", "Bearer")
                        .integer("expires_in", 300)
                        .integer("min", std::numeric_limits<std::int64_t>::min())
                        .value("cnf", Json{{"x5t#S256", "abc"}})
                        .value("list", Json::array({1, "two", nullptr}))
                        .string("quote\"d", "line\nbreak")
                        .finish();
    CHECK(text.rfind(R"({"access_token":"a.b.c","token_type":"Bearer","expires_in":300,)", 0) == 0);
    const auto parsed = Json::parse(text);
    CHECK(parsed["access_token"] == "a.b.c");
    CHECK(parsed["expires_in"] == 300);
    CHECK(parsed["min"] == std::numeric_limits<std::int64_t>::min());
    CHECK(parsed["cnf"]["x5t#S256"] == "abc");
    CHECK(parsed["list"] == Json::array({1, "two", nullptr}));
    CHECK(parsed["quote\"d"] == "line\nbreak");
    CHECK(parsed.size() == 7);
  }

  TEST_CASE("no field: an empty object") {
    JsonObjectWriter writer;
    CHECK(writer.finish() == "{}");
    JsonObjectWriter one;
    one.integer("a", 1);
    CHECK(one.finish() == R"({"a":1})");
  }
}
