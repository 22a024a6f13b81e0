// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace oauthctl::util {

// A JSON object written field by field straight into its text, for the answers issued
// thousands of times a second (an access token's claims and the token response): built as
// an nlohmann::json first, each field costs a map node and copies of its name and value,
// and the dump then decodes every character of the 900-character token again. The caller
// names each field once (nothing checks for repeats). Strings are escaped as nlohmann's
// dump() escapes them, and invalid UTF-8 becomes U+FFFD as with its replace handler.
class JsonObjectWriter {
public:
  JsonObjectWriter& string(std::string_view name, std::string_view value);
  JsonObjectWriter& integer(std::string_view name, std::int64_t value);
  // Any JSON value, written by nlohmann (nested objects, claims from elsewhere).
  JsonObjectWriter& value(std::string_view name, const nlohmann::json& value);
  // The object's text, closed; write nothing more with this writer.
  [[nodiscard]] std::string finish();

private:
  void name(std::string_view name);
  std::string m_text = "{";
};

// Appends `text` as a JSON string literal, quotes included (escaping as above).
void append_json_string(std::string& out, std::string_view text);

} // namespace oauthctl::util
