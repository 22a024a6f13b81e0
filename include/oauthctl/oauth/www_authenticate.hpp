// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::oauth {

// One challenge of a WWW-Authenticate header (RFC 9110 §11.6.1), as RFC 6750 §3 uses it.
struct Challenge {
  std::string scheme;                        // "Bearer", "Basic", ... as sent
  std::map<std::string, std::string> params; // lowercase names; quoted values unescaped
};

// Parses the first challenge of a WWW-Authenticate value; nullopt when there is no
// scheme token. Malformed parameters end the parse rather than fail it.
std::optional<Challenge> parse_www_authenticate(std::string_view value);

} // namespace oauthctl::oauth
