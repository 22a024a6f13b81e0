// SPDX-License-Identifier: MIT
#include <oauthctl/util/error.hpp>

#include <fmt/format.h>

namespace oauthctl::util {

std::string describe(const Error& error) {
  if (error.oauth_error.empty()) {
    return error.message;
  }
  std::string line = error.oauth_error;
  if (!error.oauth_error_description.empty()) {
    line += fmt::format(": {}", error.oauth_error_description);
  }
  if (error.http_status != 0) {
    line += fmt::format(" (HTTP {})", error.http_status);
  }
  return line;
}

} // namespace oauthctl::util
