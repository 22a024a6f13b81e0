// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace oauthctl::util {

// How a JSON result is written: indented by two spaces for a person, or compact (one line)
// for a pipe; keys and strings coloured with ANSI escapes the way jq colours them.
struct JsonRendering {
  bool indent = true;
  bool colour = false;
};

// `value` as JSON text, without a trailing newline. Invalid UTF-8 in strings becomes U+FFFD
// (a server's bytes must not stop the output). Key order is the value's own: an
// ordered_json keeps the order of the document it was parsed from.
std::string render_json(const nlohmann::json& value, JsonRendering rendering);
std::string render_json(const nlohmann::ordered_json& value, JsonRendering rendering);

} // namespace oauthctl::util
