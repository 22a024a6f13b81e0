// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// A fault `serve --simulate` injects: a server that misbehaves on purpose, for client
// developers and to prove that `oauthctl check` catches each failure.
struct FaultInfo {
  std::string_view name;
  std::string_view description;
  // The `check` ids that fail against a server with this fault (and no others do);
  // comma-separated.
  std::string_view caught_by;
};

// Every fault, in the order `serve --simulate list` prints them.
std::span<const FaultInfo> fault_table();

// The faults of a comma-separated list ("no_state,no_iss"); `usage` error naming an
// unknown one.
[[nodiscard]] util::Result<std::vector<std::string>> parse_faults(std::string_view list);

} // namespace oauthctl::server
