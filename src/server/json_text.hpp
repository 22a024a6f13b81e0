// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/json_writer.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

// Text in and out of JSON as the endpoints need it; one copy each, shared by the endpoint
// files (unity batches compile several of them in one translation unit, where file-local
// copies of one name do not compile).
namespace oauthctl::server {

// The string claim `name` of a claims set (any JSON object); empty when it is absent or not
// a string.
inline std::string string_claim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// `text` as a JSON string literal, quotes included, invalid UTF-8 replaced: how an
// error_description quotes a value the client sent.
inline std::string json_quoted(std::string_view text) {
  std::string out;
  util::append_json_string(out, text);
  return out;
}

} // namespace oauthctl::server
