// SPDX-License-Identifier: MIT
#pragma once

#include "cli/run.hpp"

#include <oauthctl/util/error.hpp>

#include <cstdint>
#include <string>

namespace oauthctl::cli {

// The TOKEN argument of introspect, revoke and decode: `text` itself, or one line of
// standard input when `text` is "-" (so the token stays out of `ps`). `usage` error when
// it is missing or stdin holds none.
[[nodiscard]] util::Result<std::string> read_token_argument(Io& io, const std::string& text);

// The TOKEN of introspect and revoke, once their other inputs are checked: `hint` is empty,
// access_token or refresh_token (RFC 7009 §2.1, RFC 7662 §2.1), and TOKEN and
// --client-secret do not both read standard input. `usage` errors otherwise.
[[nodiscard]] util::Result<std::string> read_managed_token(Io& io, const std::string& token,
                                                           const std::string& hint,
                                                           const std::string& client_secret);

// `when` relative to `now`, for people: "in 59 min", "3 min ago", "in 2 h 5 min", "now".
std::string relative_time(std::int64_t when, std::int64_t now);

// Seconds since the epoch on the system clock.
std::int64_t now_epoch_seconds();

} // namespace oauthctl::cli
