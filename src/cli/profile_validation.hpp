// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <string>

namespace oauthctl::cli {

// Checks `value` for profile key `key` with the rules its flag has (a server URL needs a
// scheme, auth_method is one of the four, timeouts are seconds, ...), so `config set`
// refuses what a command would refuse later. `config` error naming the key, e.g.
// "server localhost:8080 is not an http(s) URL (write http://localhost:8080)".
[[nodiscard]] util::Result<void> validate_profile_value(const std::string& key, const std::string& value);

} // namespace oauthctl::cli
