// SPDX-License-Identifier: MIT
#include "cli/build_info.hpp"

#include <CLI/Version.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/opensslv.h>

namespace oauthctl::cli {

std::string build_info() {
  // SQLite and cpp-httplib headers stay in the server module; CMake passes their versions
  // (FindSQLite3, pkg-config) so the CLI does not include them.
  return fmt::format(
    "built with: OpenSSL {}, SQLite {}, cpp-httplib {}, nlohmann/json {}.{}.{}, fmt {}.{}.{}, "
    "CLI11 {}\n",
    OPENSSL_FULL_VERSION_STR, OAUTHCTL_SQLITE_VERSION, OAUTHCTL_HTTPLIB_VERSION, NLOHMANN_JSON_VERSION_MAJOR,
    NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH, FMT_VERSION / 10000, FMT_VERSION / 100 % 100,
    FMT_VERSION % 100, CLI11_VERSION);
}

} // namespace oauthctl::cli
