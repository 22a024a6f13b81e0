// SPDX-License-Identifier: MIT
#include "cli/commands/token_argument.hpp"

#include "cli/settings.hpp"

#include <fmt/format.h>

#include <chrono>

namespace oauthctl::cli {

util::Result<std::string> read_token_argument(Io& io, const std::string& text) {
  if (text.empty()) {
    return util::fail(util::ErrorKind::usage, "missing TOKEN (or - to read it from standard input)");
  }
  if (text == "-") {
    return read_stdin_line(io, "TOKEN", "token");
  }
  return text;
}

util::Result<std::string> read_managed_token(Io& io, const std::string& token, const std::string& hint,
                                             const std::string& client_secret) {
  if (!hint.empty() && hint != "access_token" && hint != "refresh_token") {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("invalid --token-type-hint {} (valid: access_token, refresh_token)", hint));
  }
  if (token == "-" && client_secret == "-") {
    return util::fail(util::ErrorKind::usage,
                      "TOKEN - and --client-secret - cannot both read standard input");
  }
  return read_token_argument(io, token);
}

std::string relative_time(std::int64_t when, std::int64_t now) {
  const auto delta = when - now;
  const auto magnitude = delta < 0 ? -delta : delta;
  std::string amount;
  if (magnitude < 60) {
    if (magnitude == 0) {
      return "now";
    }
    amount = fmt::format("{} s", magnitude);
  } else if (magnitude < 3600) {
    amount = fmt::format("{} min", magnitude / 60);
  } else if (magnitude < 2 * 86400) {
    const auto minutes = (magnitude % 3600) / 60;
    amount = minutes == 0 ? fmt::format("{} h", magnitude / 3600)
                          : fmt::format("{} h {} min", magnitude / 3600, minutes);
  } else {
    amount = fmt::format("{} days", magnitude / 86400);
  }
  return delta > 0 ? "in " + amount : amount + " ago";
}

std::int64_t now_epoch_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace oauthctl::cli
