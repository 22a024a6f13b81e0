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

// `when` relative to `now`, for people: "in 59 min", "3 min ago", "in 2 h 5 min", "now".
std::string relative_time(std::int64_t when, std::int64_t now);

// Seconds since the epoch on the system clock.
std::int64_t now_epoch_seconds();

} // namespace oauthctl::cli
